/* amqp.c - classify a server's answer to the AMQP 0-9-1 header; see amqp.h. */
#include <string.h>

#include "modules/rabbitmq/amqp.h"
#include "runner/util/banned.h"

#define FRAME_METHOD 1
#define FRAME_HEADER_LEN 7

struct cursor {
	const unsigned char *p;
	size_t n, off;        /* bytes available, read position */
	size_t base;          /* offset of p[0] in the whole input */
};

static enum amqp_kind
incomplete(struct amqp_reply *r, size_t need)
{
	r->kind = AMQP_INCOMPLETE;
	r->need = need ? need : 1;
	return r->kind;
}

static enum amqp_kind
garbage(struct amqp_reply *r, size_t where, const char *why)
{
	r->kind = AMQP_GARBAGE;
	r->where = where;
	r->why = why;
	return r->kind;
}

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Take k bytes from the cursor: pointer to them, or NULL if short. */
static const unsigned char *
take(struct cursor *c, size_t k)
{
	const unsigned char *q;

	if (k > c->n - c->off)
		return NULL;
	q = c->p + c->off;
	c->off += k;
	return q;
}

static void
copy_str(char *dst, const unsigned char *s, size_t n)
{
	size_t i;

	if (n > AMQP_STR_MAX - 1)
		n = AMQP_STR_MAX - 1;
	for (i = 0; i < n; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	dst[n] = '\0';
}

/* Size of a field value of type t whose bytes start at the cursor, or -1
 * for an unknown type.  Types as RabbitMQ encodes them (the 0-9-1 errata:
 * 's' is a 16-bit integer, 'x' a byte array). */
static int64_t
value_size(struct cursor *c, unsigned char t)
{
	const unsigned char *q;

	switch (t) {
	case 'V':
		return 0;
	case 't': case 'b': case 'B':
		return 1;
	case 's': case 'u': case 'U':
		return 2;
	case 'I': case 'i': case 'f':
		return 4;
	case 'D':
		return 5;
	case 'l': case 'L': case 'd': case 'T':
		return 8;
	case 'S': case 'x': case 'A': case 'F':
		q = take(c, 4);
		if (q == NULL)
			return -2;
		c->off -= 4;
		return 4 + (int64_t)be32(q);
	default:
		return -1;
	}
}

static void
table_value(struct amqp_reply *r, const unsigned char *name, size_t nlen,
	    unsigned char t, const unsigned char *v, size_t vlen)
{
	static const struct { const char *name; size_t off; } want[] = {
		{ "product", offsetof(struct amqp_reply, product) },
		{ "version", offsetof(struct amqp_reply, version) },
		{ "platform", offsetof(struct amqp_reply, platform) },
		{ "cluster_name", offsetof(struct amqp_reply, cluster_name) },
	};
	size_t i;

	if (t != 'S')
		return;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strlen(want[i].name) == nlen &&
		    memcmp(want[i].name, name, nlen) == 0)
			copy_str((char *)r + want[i].off, v + 4, vlen - 4);
}

/* server-properties: long size, then (shortstr name, type, value)*. */
static int
parse_table(struct cursor *c, struct amqp_reply *r)
{
	size_t at = c->base + c->off;
	const unsigned char *q = take(c, 4), *name, *t, *v;
	struct cursor tc;
	int64_t vs;

	if (q == NULL || (tc.p = take(c, be32(q))) == NULL)
		return garbage(r, at, "server-properties table runs past "
			       "the frame"), -1;
	tc.n = be32(q);
	tc.off = 0;
	tc.base = c->base + (size_t)(tc.p - c->p);
	while (tc.off < tc.n) {
		q = take(&tc, 1);
		name = q ? take(&tc, *q) : NULL;
		t = name ? take(&tc, 1) : NULL;
		if (t == NULL)
			return garbage(r, tc.base + tc.off, "truncated field "
				       "name in server-properties"), -1;
		vs = value_size(&tc, *t);
		if (vs == -1)
			return garbage(r, tc.base + tc.off - 1, "unknown field "
				       "type in server-properties"), -1;
		v = vs >= 0 ? take(&tc, (size_t)vs) : NULL;
		if (v == NULL)
			return garbage(r, tc.base + tc.off, "field value runs "
				       "past the server-properties table"), -1;
		table_value(r, name, *q, *t, v, (size_t)vs);
	}
	return 0;
}

static int
parse_longstr(struct cursor *c, struct amqp_reply *r, char *dst)
{
	size_t at = c->base + c->off;
	const unsigned char *q = take(c, 4), *s;

	s = q ? take(c, be32(q)) : NULL;
	if (s == NULL)
		return garbage(r, at, "long string runs past the frame"), -1;
	copy_str(dst, s, be32(q));
	return 0;
}

/* Payload of a complete method frame on channel 0. */
static enum amqp_kind
parse_start(const unsigned char *pl, size_t n, struct amqp_reply *r)
{
	struct cursor c = { pl, n, 0, FRAME_HEADER_LEN };
	const unsigned char *q = take(&c, 6);

	if (q == NULL)
		return garbage(r, FRAME_HEADER_LEN, "method frame too short "
			       "for Connection.Start");
	r->version_major = q[4];
	r->version_minor = q[5];
	if (parse_table(&c, r) < 0 ||
	    parse_longstr(&c, r, r->mechanisms) < 0 ||
	    parse_longstr(&c, r, r->locales) < 0)
		return r->kind;
	r->kind = AMQP_CONNECTION_START;
	return r->kind;
}

static enum amqp_kind
parse_frame(const unsigned char *b, size_t len, struct amqp_reply *r)
{
	uint32_t size;

	if (len >= 3 && be16(b + 1) != 0)
		return garbage(r, 1, "method frame not on channel 0");
	if (len < FRAME_HEADER_LEN)
		return incomplete(r, FRAME_HEADER_LEN - len);
	size = be32(b + 3);
	if (size > AMQP_MAX_START_FRAME)
		return garbage(r, 3, "frame larger than a Connection.Start can be");
	if (len >= FRAME_HEADER_LEN + 4 &&
	    (be16(b + 7) != 10 || be16(b + 9) != 10))
		return garbage(r, 7, "method is not Connection.Start (10.10)");
	if (len < FRAME_HEADER_LEN + (size_t)size + 1)
		return incomplete(r, FRAME_HEADER_LEN + (size_t)size + 1 - len);
	if (b[FRAME_HEADER_LEN + size] != AMQP_FRAME_END)
		return garbage(r, FRAME_HEADER_LEN + size, "frame end is not 0xCE");
	r->consumed = FRAME_HEADER_LEN + (size_t)size + 1;
	return parse_start(b + FRAME_HEADER_LEN, size, r);
}

static enum amqp_kind
parse_header(const unsigned char *b, size_t len, struct amqp_reply *r)
{
	size_t k = len < 4 ? len : 4;

	if (memcmp(b, "AMQP", k) != 0)
		return garbage(r, 0, "text that is not an AMQP protocol header");
	if (len < AMQP_HEADER_LEN)
		return incomplete(r, AMQP_HEADER_LEN - len);
	memcpy(r->header, b + 4, 4);
	r->consumed = AMQP_HEADER_LEN;
	r->kind = AMQP_PROTOCOL_HEADER;
	return r->kind;
}

/* TLS record: type 0x15, version 3.x, length, level, description. */
static enum amqp_kind
parse_alert(const unsigned char *b, size_t len, struct amqp_reply *r)
{
	size_t rec;

	if (len >= 2 && b[1] != 3)
		return garbage(r, 1, "byte 0x15 not followed by a TLS version");
	r->kind = AMQP_TLS_ALERT;
	r->consumed = len < 5 ? len : 5;
	if (len < 5)
		return r->kind;
	rec = be16(b + 3);
	r->consumed = 5 + (rec < len - 5 ? rec : len - 5);
	if (rec >= 2 && len >= 7) {
		r->alert_level = b[5];
		r->alert_desc = b[6];
	}
	return r->kind;
}

enum amqp_kind
amqp_parse_reply(const unsigned char *buf, size_t len, struct amqp_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (len == 0 || buf == NULL)
		return incomplete(r, 1);
	switch (buf[0]) {
	case FRAME_METHOD:
		return parse_frame(buf, len, r);
	case 'A':
		return parse_header(buf, len, r);
	case 0x15:
		return parse_alert(buf, len, r);
	case 0x16:
		return garbage(r, 0, "a TLS handshake record (the server "
			       "speaks TLS first)");
	case 'H':
		return garbage(r, 0, "not AMQP (an HTTP response?)");
	default:
		return garbage(r, 0, "not an AMQP frame, protocol header or "
			       "TLS alert");
	}
}

const char *
amqp_kind_name(enum amqp_kind k)
{
	switch (k) {
	case AMQP_INCOMPLETE:
		return "incomplete";
	case AMQP_CONNECTION_START:
		return "connection-start";
	case AMQP_PROTOCOL_HEADER:
		return "protocol-header";
	case AMQP_TLS_ALERT:
		return "tls-alert";
	default:
		return "garbage";
	}
}
