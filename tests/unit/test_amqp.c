/* test_amqp.c - classification of a server's answer to the AMQP 0-9-1 header. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/amqp.h"

/* Bytes captured from Debian 12's rabbitmq-server 3.10.8 (see the fixtures). */
static unsigned char *
fixture(const char *name, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/%s", "rabbitmq", name);
	return (unsigned char *)tu_read_fixture(rel, len);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A synthetic frame builder. */
struct fb {
	unsigned char b[4096];
	size_t n;
};

static void
fb_add(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
fb_u8(struct fb *f, unsigned v)
{
	unsigned char c = (unsigned char)v;

	fb_add(f, &c, 1);
}

static void
fb_u32(struct fb *f, uint32_t v)
{
	unsigned char p[4];

	put32(p, v);
	fb_add(f, p, 4);
}

static void
fb_shortstr(struct fb *f, const char *s)
{
	fb_u8(f, (unsigned)strlen(s));
	fb_add(f, s, strlen(s));
}

static void
fb_longstr(struct fb *f, const char *s)
{
	fb_u32(f, (uint32_t)strlen(s));
	fb_add(f, s, strlen(s));
}

/* Wrap a payload (class 10 method 10 ...) into a method frame. */
static void
frame(struct fb *out, const struct fb *payload)
{
	out->n = 0;
	fb_add(out, "\x01\x00\x00", 3);
	fb_u32(out, (uint32_t)payload->n);
	fb_add(out, payload->b, payload->n);
	fb_u8(out, 0xCE);
}

/* Connection.Start payload with the given table body and mechanisms. */
static void
start_payload(struct fb *p, const struct fb *table, const char *mech)
{
	p->n = 0;
	fb_add(p, "\x00\x0a\x00\x0a\x00\x09", 6);
	fb_u32(p, (uint32_t)table->n);
	fb_add(p, table->b, table->n);
	fb_longstr(p, mech);
	fb_longstr(p, "en_US");
}

static void
test_captured_connection_start(void **state)
{
	struct amqp_reply r;
	size_t len;
	unsigned char *b = fixture("connection_start.bin", &len);

	(void)state;
	assert_int_equal(len, 506);
	assert_int_equal(amqp_parse_reply(b, len, &r), AMQP_CONNECTION_START);
	assert_int_equal(r.kind, AMQP_CONNECTION_START);
	assert_int_equal(r.consumed, 506);
	assert_int_equal(r.version_major, 0);
	assert_int_equal(r.version_minor, 9);
	assert_string_equal(r.product, "RabbitMQ");
	assert_string_equal(r.version, "3.10.8");
	assert_string_equal(r.platform, "Erlang/OTP 25.2.3");
	assert_string_equal(r.cluster_name, "mendtest@vm");
	assert_string_equal(r.mechanisms, "PLAIN AMQPLAIN");
	assert_string_equal(r.locales, "en_US");
	assert_null(r.why);
	free(b);

	b = fixture("tls_connection_start.bin", &len);   /* read inside TLS */
	assert_int_equal(amqp_parse_reply(b, len, &r), AMQP_CONNECTION_START);
	assert_string_equal(r.mechanisms, "AMQPLAIN PLAIN");
	assert_string_equal(r.version, "3.10.8");
	free(b);
}

static void
test_every_truncation_is_incomplete(void **state)
{
	struct amqp_reply r;
	size_t len, k;
	unsigned char *b = fixture("connection_start.bin", &len);
	unsigned char *copy;

	(void)state;
	for (k = 0; k < len; k++) {
		/* exact-size copy so valgrind/ASan see any over-read */
		copy = malloc(k ? k : 1);
		assert_non_null(copy);
		memcpy(copy, b, k);
		assert_int_equal(amqp_parse_reply(copy, k, &r), AMQP_INCOMPLETE);
		assert_true(r.need >= 1);
		assert_true(k + r.need <= len);
		if (k >= 7)
			assert_int_equal(k + r.need, len);
		free(copy);
	}
	assert_int_equal(amqp_parse_reply(NULL, 0, &r), AMQP_INCOMPLETE);
	assert_int_equal(r.need, 1);
	free(b);
}

static void
test_trailing_bytes_ignored(void **state)
{
	struct amqp_reply r;
	size_t len;
	unsigned char *b = fixture("connection_start.bin", &len);
	unsigned char *more = malloc(len + 10);

	(void)state;
	assert_non_null(more);
	memcpy(more, b, len);
	memset(more + len, 0xAA, 10);
	assert_int_equal(amqp_parse_reply(more, len + 10, &r), AMQP_CONNECTION_START);
	assert_int_equal(r.consumed, len);
	free(more);
	free(b);
}

static void
test_protocol_header_reply(void **state)
{
	struct amqp_reply r;
	size_t len;
	unsigned char *b = fixture("starttls_reply.bin", &len);

	(void)state;
	/* what RabbitMQ answers to "STARTTLS\r\n": its own header */
	assert_int_equal(amqp_parse_reply(b, len, &r), AMQP_PROTOCOL_HEADER);
	assert_memory_equal(r.header, "\x00\x00\x09\x01", 4);
	assert_int_equal(r.consumed, 8);
	free(b);
	b = fixture("amqp10_reply.bin", &len);   /* answer to the AMQP 1.0 header */
	assert_int_equal(amqp_parse_reply(b, len, &r), AMQP_PROTOCOL_HEADER);
	free(b);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"AMQP\x00\x01\x00\x00",
					  8, &r), AMQP_PROTOCOL_HEADER);
	assert_memory_equal(r.header, "\x00\x01\x00\x00", 4);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"AMQP\x00", 5, &r),
			 AMQP_INCOMPLETE);
	assert_int_equal(r.need, 3);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"AM", 2, &r),
			 AMQP_INCOMPLETE);
	assert_int_equal(r.need, 6);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"AMQX\0\0\x09\x01",
					  8, &r), AMQP_GARBAGE);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"Ax", 2, &r),
			 AMQP_GARBAGE);
}

static void
test_tls_alert(void **state)
{
	struct amqp_reply r;
	size_t len;
	unsigned char *b = fixture("tls_alert.bin", &len);

	(void)state;
	/* what the TLS port answers to a plaintext AMQP header */
	assert_int_equal(amqp_parse_reply(b, len, &r), AMQP_TLS_ALERT);
	assert_int_equal(r.alert_level, 2);
	assert_int_equal(r.alert_desc, 10);      /* unexpected_message */
	assert_int_equal(r.consumed, 7);
	free(b);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"\x15", 1, &r),
			 AMQP_TLS_ALERT);
	assert_int_equal(r.alert_level, 0);
	assert_int_equal(r.consumed, 1);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"\x15\x03\x01\x00", 4,
					  &r), AMQP_TLS_ALERT);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"\x15\x03\x03\x00\x05\x02",
					  6, &r), AMQP_TLS_ALERT);
	assert_int_equal(r.alert_level, 0);
	assert_int_equal(r.consumed, 6);
	assert_int_equal(amqp_parse_reply((const unsigned char *)"\x15\x01", 2, &r),
			 AMQP_GARBAGE);
	assert_int_equal(r.where, 1);
}

static void
garbage(const void *bytes, size_t n, size_t where, const char *why)
{
	struct amqp_reply r;

	assert_int_equal(amqp_parse_reply(bytes, n, &r), AMQP_GARBAGE);
	assert_non_null(r.why);
	if (strstr(r.why, why) == NULL)
		fail_msg("why '%s' lacks '%s'", r.why, why);
	assert_int_equal(r.where, where);
	assert_string_equal(amqp_kind_name(r.kind), "garbage");
}

static void
test_garbage(void **state)
{
	(void)state;
	garbage("HTTP/1.1 400 Bad Request\r\n", 26, 0, "HTTP");
	garbage("SSH-2.0-OpenSSH_9.2\r\n", 21, 0, "not an AMQP frame");
	garbage("\x00\x00\x00", 3, 0, "not an AMQP frame");
	garbage("\x16\x03\x01\x00\x10", 5, 0, "TLS handshake");
	garbage("\x01\x00\x01", 3, 1, "channel 0");
	garbage("\x01\x00\x00\x7f\xff\xff\xff", 7, 3, "larger");
	/* Connection.Close (10.50) is refused as soon as the ids arrive */
	garbage("\x01\x00\x00\x00\x00\x00\x20\x00\x0a\x00\x32", 11, 7,
		"not Connection.Start");
	garbage("\x01\x00\x00\x00\x00\x00\x02\x00\x0a\xCE", 10, 7,
		"too short");
	garbage("\x01\x00\x00\x00\x00\x00\x06\x00\x0a\x00\x0a\x00\x09\x00", 14, 13,
		"frame end");
}

static void
test_payload_bounds(void **state)
{
	struct fb t = { { 0 }, 0 }, p = { { 0 }, 0 }, f = { { 0 }, 0 };
	struct amqp_reply r;

	(void)state;
	/* table size larger than the frame */
	p.n = 0;
	fb_add(&p, "\x00\x0a\x00\x0a\x00\x09", 6);
	fb_u32(&p, 1000);
	frame(&f, &p);
	garbage(f.b, f.n, 13, "table runs past");
	/* no table size at all */
	p.n = 6;
	frame(&f, &p);
	garbage(f.b, f.n, 13, "table runs past");
	/* unknown field type */
	t.n = 0;
	fb_shortstr(&t, "k");
	fb_u8(&t, 'Q');
	start_payload(&p, &t, "PLAIN");
	frame(&f, &p);
	garbage(f.b, f.n, 19, "unknown field type");
	/* field name longer than the table */
	t.n = 0;
	fb_u8(&t, 200);
	fb_add(&t, "abc", 3);
	start_payload(&p, &t, "PLAIN");
	frame(&f, &p);
	garbage(f.b, f.n, 18, "truncated field name");
	/* string value longer than the table */
	t.n = 0;
	fb_shortstr(&t, "product");
	fb_u8(&t, 'S');
	fb_u32(&t, 0xffffffffu);
	start_payload(&p, &t, "PLAIN");
	frame(&f, &p);
	garbage(f.b, f.n, 26, "runs past the server-properties");
	/* string value whose length field is cut */
	t.n = 0;
	fb_shortstr(&t, "x");
	fb_u8(&t, 'S');
	fb_add(&t, "\x00\x00", 2);
	start_payload(&p, &t, "PLAIN");
	frame(&f, &p);
	garbage(f.b, f.n, 20, "runs past the server-properties");
	/* mechanisms long string past the frame */
	t.n = 0;
	start_payload(&p, &t, "PLAIN");
	put32(p.b + 10, 0x7fffffff);
	frame(&f, &p);
	garbage(f.b, f.n, 17, "long string runs past");
	/* locales missing */
	t.n = 0;
	start_payload(&p, &t, "PLAIN");
	p.n -= 9;
	frame(&f, &p);
	garbage(f.b, f.n, f.n - 1, "long string runs past");
	assert_int_equal(amqp_parse_reply(f.b, f.n, &r), AMQP_GARBAGE);
}

static void
test_all_field_types(void **state)
{
	static const struct { char type; size_t size; } fixed[] = {
		{ 't', 1 }, { 'b', 1 }, { 'B', 1 }, { 's', 2 }, { 'u', 2 },
		{ 'U', 2 }, { 'I', 4 }, { 'i', 4 }, { 'f', 4 }, { 'D', 5 },
		{ 'l', 8 }, { 'L', 8 }, { 'd', 8 }, { 'T', 8 }, { 'V', 0 },
	};
	struct fb t = { { 0 }, 0 }, p = { { 0 }, 0 }, f = { { 0 }, 0 };
	struct fb inner = { { 0 }, 0 };
	unsigned char junk[8] = { 'S', 0xff, 0xff, 0xff, 0xff, 'S', 'S', 'S' };
	struct amqp_reply r;
	char longname[300];
	size_t i;

	(void)state;
	t.n = 0;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		fb_shortstr(&t, "f");
		fb_u8(&t, (unsigned)fixed[i].type);
		fb_add(&t, junk, fixed[i].size);   /* bytes that look like types */
	}
	fb_shortstr(&inner, "product");       /* nested: must not be picked */
	fb_u8(&inner, 'S');
	fb_longstr(&inner, "Nested");
	fb_shortstr(&t, "capabilities");
	fb_u8(&t, 'F');
	fb_u32(&t, (uint32_t)inner.n);
	fb_add(&t, inner.b, inner.n);
	fb_shortstr(&t, "arr");
	fb_u8(&t, 'A');
	fb_longstr(&t, "tS\x00\x00");
	fb_shortstr(&t, "bytes");
	fb_u8(&t, 'x');
	fb_longstr(&t, "\x01\x02");
	fb_shortstr(&t, "version");
	fb_u8(&t, 'I');                       /* not a string: ignored */
	fb_u32(&t, 7);
	fb_shortstr(&t, "product");
	fb_u8(&t, 'S');
	fb_longstr(&t, "Qpid\x01\x7f\xc3\xa9");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	fb_shortstr(&t, "platform");
	fb_u8(&t, 'S');
	fb_longstr(&t, longname);
	fb_shortstr(&t, "cluster_nam");       /* almost the name */
	fb_u8(&t, 'S');
	fb_longstr(&t, "no");
	start_payload(&p, &t, "EXTERNAL");
	frame(&f, &p);
	assert_int_equal(amqp_parse_reply(f.b, f.n, &r), AMQP_CONNECTION_START);
	assert_string_equal(r.product, "Qpid????");
	assert_string_equal(r.version, "");
	assert_int_equal(strlen(r.platform), AMQP_STR_MAX - 1);
	assert_string_equal(r.cluster_name, "");
	assert_string_equal(r.mechanisms, "EXTERNAL");
	assert_string_equal(amqp_kind_name(r.kind), "connection-start");
	assert_int_equal(r.consumed, f.n);
}

static void
test_version_mismatch_reported(void **state)
{
	struct fb t = { { 0 }, 0 }, p = { { 0 }, 0 }, f = { { 0 }, 0 };
	struct amqp_reply r;

	(void)state;
	start_payload(&p, &t, "PLAIN");
	p.b[4] = 8;
	p.b[5] = 0;
	frame(&f, &p);
	assert_int_equal(amqp_parse_reply(f.b, f.n, &r), AMQP_CONNECTION_START);
	assert_int_equal(r.version_major, 8);
	assert_int_equal(r.version_minor, 0);
	assert_string_equal(r.product, "");
}

/* Flip each byte of the capture: never a crash, never a read past it. */
static void
test_mutations(void **state)
{
	struct amqp_reply r;
	size_t len, i, v;
	unsigned char *b = fixture("connection_start.bin", &len);
	unsigned char *m = malloc(len);
	enum amqp_kind k;

	(void)state;
	assert_non_null(m);
	for (i = 0; i < len; i++) {
		for (v = 0; v < 3; v++) {
			static const unsigned char vals[3] = { 0x00, 0xff, 0x80 };
			memcpy(m, b, len);
			m[i] = vals[v];
			k = amqp_parse_reply(m, len, &r);
			assert_true(k <= AMQP_GARBAGE);
			assert_true(r.consumed <= len);
			if (k == AMQP_INCOMPLETE)
				assert_true(r.need >= 1);
			assert_true(memchr(r.product, 0, sizeof(r.product)) != NULL);
		}
	}
	free(m);
	free(b);
	assert_string_equal(amqp_kind_name(AMQP_INCOMPLETE), "incomplete");
	assert_string_equal(amqp_kind_name(AMQP_PROTOCOL_HEADER), "protocol-header");
	assert_string_equal(amqp_kind_name(AMQP_TLS_ALERT), "tls-alert");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured_connection_start),
		cmocka_unit_test(test_every_truncation_is_incomplete),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_protocol_header_reply),
		cmocka_unit_test(test_tls_alert),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_payload_bounds),
		cmocka_unit_test(test_all_field_types),
		cmocka_unit_test(test_version_mismatch_reported),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
