/*
 * amqwire.c - protocol hellos for the ActiveMQ probe (amqwire.h).
 */
#include <stdio.h>
#include <string.h>

#include "modules/activemq/amqwire.h"
#include "runner/util/banned.h"

static const char *const names[] = { "openwire", "stomp", "mqtt", "amqp" };

static const unsigned char stomp_hello[] =
	"CONNECT\naccept-version:1.0,1.1,1.2\nhost:localhost\n\n";
static const unsigned char mqtt_hello[] = {
	0x10, 22, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60,
	0, 10, 'm', 'e', 'n', 'd', '-', 'p', 'r', 'o', 'b', 'e' };
/* a client WireFormatInfo (loose encoding, version 1, no properties):
 * the broker sends its own first anyway; to a TLS port these bytes draw
 * the alert that proves cleartext is not spoken there */
static const unsigned char openwire_hello[] = {
	0, 0, 0, 14, 1, 'A', 'c', 't', 'i', 'v', 'e', 'M', 'Q', 0, 0, 0, 1, 0 };
static const unsigned char amqp_hello[] = { 'A', 'M', 'Q', 'P', 0, 1, 0, 0 };

int
amqw_proto_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
amqw_proto_name(enum amqw_proto p)
{
	return names[p];
}

const unsigned char *
amqw_hello(enum amqw_proto p, size_t *len)
{
	switch (p) {
	case AMQW_STOMP:
		*len = sizeof(stomp_hello);     /* with the NUL: end of frame */
		return stomp_hello;
	case AMQW_MQTT:
		*len = sizeof(mqtt_hello);
		return mqtt_hello;
	case AMQW_AMQP:
		*len = sizeof(amqp_hello);
		return amqp_hello;
	default:
		*len = sizeof(openwire_hello);
		return openwire_hello;
	}
}

static unsigned long
be32(const unsigned char *b)
{
	return (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 |
	    (unsigned long)b[2] << 8 | b[3];
}

static void
openwire(const unsigned char *b, size_t n, struct amqw_reply *r)
{
	size_t m = n < 13 ? (n > 5 ? n - 5 : 0) : 8;

	if ((n >= 5 && b[4] != 1) || memcmp(b + (n > 5 ? 5 : n), "ActiveMQ",
	    m) != 0) {
		r->kind = AMQW_GARBAGE;
		return;
	}
	if (n < 17) {
		r->kind = AMQW_INCOMPLETE;
		return;
	}
	r->kind = AMQW_HELLO;
	snprintf(r->detail, sizeof(r->detail), "WireFormatInfo (OpenWire "
	    "version %lu)", be32(b + 13));
	snprintf(r->server, sizeof(r->server), "ActiveMQ (OpenWire %lu)",
	    be32(b + 13));
}

/* The value of header h in the STOMP frame head [b, b+n). */
static void
stomp_header(const unsigned char *b, size_t n, const char *h, char *out,
    size_t size)
{
	size_t hl = strlen(h), i = 0;

	while (i < n) {
		const unsigned char *nl = memchr(b + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - b) : n;

		if (e - i > hl && memcmp(b + i, h, hl) == 0 && b[i + hl] == ':') {
			size_t v = i + hl + 1, l = e - v;

			if (l > 0 && b[e - 1] == '\r')
				l--;
			snprintf(out, size, "%.*s", (int)l, (const char *)b + v);
			return;
		}
		i = e + 1;
	}
}

/* Do the n bytes at b agree with word (as far as both go)? */
static int
agrees(const unsigned char *b, size_t n, const char *word)
{
	size_t w = strlen(word);

	return memcmp(b, word, n < w ? n : w) == 0;
}

static void
stomp(const unsigned char *b, size_t n, struct amqw_reply *r)
{
	const unsigned char *end = memmem(b, n, "\n\n", 2);
	int connected = agrees(b, n, "CONNECTED\n") ||
	    agrees(b, n, "CONNECTED\r\n");
	char msg[96] = "";

	if (!connected && !agrees(b, n, "ERROR\n") &&
	    !agrees(b, n, "ERROR\r\n")) {
		r->kind = AMQW_GARBAGE;
		return;
	}
	if (end == NULL)
		end = memmem(b, n, "\r\n\r\n", 4);
	if (end == NULL || (size_t)(end - b) < 5) {
		r->kind = n > 8192 ? AMQW_GARBAGE : AMQW_INCOMPLETE;
		return;
	}
	stomp_header(b, (size_t)(end - b), "server", r->server,
	    sizeof(r->server));
	if (connected) {
		r->kind = AMQW_HELLO;
		stomp_header(b, (size_t)(end - b), "version", msg, sizeof(msg));
		snprintf(r->detail, sizeof(r->detail), "CONNECTED (STOMP %s%s%s)",
		    msg, r->server[0] ? ", server " : "", r->server);
		return;
	}
	r->kind = AMQW_REFUSAL;
	stomp_header(b, (size_t)(end - b), "message", msg, sizeof(msg));
	snprintf(r->detail, sizeof(r->detail), "ERROR frame: %s", msg);
}

static void
mqtt(const unsigned char *b, size_t n, struct amqw_reply *r)
{
	if (n < 4) {
		r->kind = n == 0 || b[0] == 0x20 ? AMQW_INCOMPLETE :
		    AMQW_GARBAGE;
		return;
	}
	if (b[0] != 0x20 || b[1] != 2) {
		r->kind = AMQW_GARBAGE;
		return;
	}
	r->kind = b[3] == 0 ? AMQW_HELLO : AMQW_REFUSAL;
	snprintf(r->detail, sizeof(r->detail), "CONNACK (return code %u%s)",
	    b[3], b[3] == 0 ? ": accepted" : b[3] == 5 ?
	    ": not authorized" : "");
}

static void
amqp(const unsigned char *b, size_t n, struct amqw_reply *r)
{
	if (n < 8) {
		r->kind = memcmp(b, "AMQP", n < 4 ? n : 4) == 0 ?
		    AMQW_INCOMPLETE : AMQW_GARBAGE;
		return;
	}
	r->kind = memcmp(b, "AMQP", 4) == 0 ? AMQW_HELLO : AMQW_GARBAGE;
	if (r->kind == AMQW_HELLO)
		snprintf(r->detail, sizeof(r->detail), "AMQP header %u-%u-%u-%u",
		    b[4], b[5], b[6], b[7]);
}

void
amqw_classify(enum amqw_proto p, const unsigned char *b, size_t n,
    struct amqw_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (n >= 2 && b[0] == 0x15 && b[1] == 0x03) {
		r->kind = AMQW_TLS_ALERT;
		snprintf(r->detail, sizeof(r->detail), "a TLS alert: the port "
		    "speaks TLS");
		return;
	}
	switch (p) {
	case AMQW_OPENWIRE: openwire(b, n, r); break;
	case AMQW_STOMP: stomp(b, n, r); break;
	case AMQW_MQTT: mqtt(b, n, r); break;
	default: amqp(b, n, r); break;
	}
	if (r->kind == AMQW_GARBAGE)
		snprintf(r->detail, sizeof(r->detail), "not a %s reply "
		    "(%zu bytes, first 0x%02x)", names[p], n, n ? b[0] : 0);
}
