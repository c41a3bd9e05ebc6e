/*
 * rmqconf_legacy.c - the legacy Erlang-term configs (rabbitmq.config,
 * advanced.config): what they set that matters here; see rmqconf.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqconf.h"
#include "modules/rabbitmq/rmqconf_int.h"
#include "runner/util/banned.h"

/* ======================================================= legacy configs */

/* Skip a "string" or 'atom' starting at t->i (counting lines). */
static void
et_skip_quoted(struct eterm *t)
{
	char q = t->s[t->i++];

	while (t->i < t->len && t->s[t->i] != q) {
		if (t->s[t->i] == '\\' && t->i + 1 < t->len)
			t->i++;
		if (t->s[t->i] == '\n') {
			t->line++;
			t->line_start = t->i + 1;
		}
		t->i++;
	}
	if (t->i < t->len)
		t->i++;
}

static void
legacy_add_port(struct rmq_legacy_listeners *l, long v)
{
	if (v >= 0 && v <= 65535 && l->nports < RMQ_LEGACY_MAX_PORTS)
		l->ports[l->nports++] = (int)v;
}

/* Read an integer at t->i; returns it (or -1 if none). */
static long
et_int(struct eterm *t)
{
	long v = 0;
	int any = 0;

	while (t->i < t->len && t->s[t->i] >= '0' && t->s[t->i] <= '9') {
		if (v < 1000000)
			v = v * 10 + (t->s[t->i] - '0');
		t->i++;
		any = 1;
	}
	return any ? v : -1;
}

/* The list after "tcp_listeners," : ports at depth 0 or the last integer
 * of each depth-1 tuple. */
static void
legacy_list(struct eterm *t, struct rmq_legacy_listeners *l)
{
	int depth = 0, elems = 0;
	long last = -1, v;
	char ch;

	rmqc_et_skip(t);
	if (t->i >= t->len || t->s[t->i] != '[')
		return;
	for (t->i++; rmqc_et_skip(t), t->i < t->len;) {
		ch = t->s[t->i];
		elems |= ch != ']' && ch != ',';
		if (ch == '"' || ch == '\'') {
			et_skip_quoted(t);
		} else if (ch >= '0' && ch <= '9') {
			v = et_int(t);
			if (depth == 0)
				legacy_add_port(l, v);
			else if (depth == 1)
				last = v;
		} else if (rmqc_is_word_char((unsigned char)ch) || ch == '@') {
			while (t->i < t->len && (t->s[t->i] == '@' ||
			       rmqc_is_word_char((unsigned char)t->s[t->i])))
				t->i++;
		} else if (ch == '{' || ch == '[') {
			t->i++;
			if (++depth == 1)
				last = -1;
		} else if (ch == '}' || ch == ']') {
			t->i++;
			if (depth == 0)
				break;
			if (--depth == 0 && ch == '}')
				legacy_add_port(l, last);
		} else {
			t->i++;
		}
	}
	l->empty = !elems;
}

static void
legacy_atom(struct eterm *t, struct rmq_legacy *out, size_t start, size_t n,
	    int prev_brace)
{
	struct rmq_legacy_listeners *l = NULL;
	const char *a = t->s + start;
	int line = t->line;

	if (!prev_brace)
		return;
	rmqc_et_skip(t);
	if (t->i >= t->len || t->s[t->i] != ',')
		return;
	t->i++;
	if (n == 13 && memcmp(a, "tcp_listeners", 13) == 0)
		l = &out->tcp;
	else if (n == 13 && memcmp(a, "ssl_listeners", 13) == 0)
		l = &out->ssl;
	else if (n == 11 && memcmp(a, "ssl_options", 11) == 0) {
		out->ssl_options = 1;
		out->ssl_options_line = line;
		return;
	}
	if (l == NULL || l->present)
		return;
	l->present = 1;
	l->line = line;
	legacy_list(t, l);
}

void
rmq_legacy_scan(const char *buf, size_t len, struct rmq_legacy *out)
{
	struct eterm t = { buf, len, 0, 1, 0 };
	int prev_brace = 0;
	size_t start, n;

	memset(out, 0, sizeof(*out));
	for (;;) {
		rmqc_et_skip(&t);
		if (t.i >= t.len)
			return;
		out->has_term = 1;
		if (buf[t.i] == '"') {
			et_skip_quoted(&t);
			prev_brace = 0;
		} else if ((n = rmqc_et_atom(&t, &start)) > 0) {
			legacy_atom(&t, out, start, n, prev_brace);
			prev_brace = 0;
		} else {
			prev_brace = buf[t.i] == '{';
			t.i++;
		}
	}
}
