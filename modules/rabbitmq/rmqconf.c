/*
 * rmqconf.c - rabbitmq.conf: the line parser (cuttlefish 3.0.1's rules, see
 * rmqconf.h).  The other parts of rmqconf.h live in rmqconf_check.c
 * (setting validation and values), rmqconf_plugins.c (enabled_plugins),
 * rmqconf_legacy.c (rabbitmq.config, advanced.config),
 * rmqconf_analysis.c (listeners, ssl_options), rmqconf_patch.c (the
 * TLS-only patcher) and rmqconf_keys.c (the 3.10.8 key table).  No I/O.
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

/* ============================================================== parsing */

int
rmqc_is_word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
is_path_char(int c)
{
	return rmqc_is_word_char(c) || c == '.' || c == '*' || c == '/';
}

static size_t
skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && IS_WS(s[i]))
		i++;
	return i;
}

/* Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Offset of the first byte that is not well-formed UTF-8, or n. */
size_t
rmqc_utf8_bad(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0)
			return i;
		i += k;
	}
	return n;
}

static void
conf_error(struct rmq_conf *c, struct err *e, int line, size_t col,
	   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
conf_error(struct rmq_conf *c, struct err *e, int line, size_t col,
	   const char *fmt, ...)
{
	struct rmq_syntax_error *se;
	struct strbuf sb = STRBUF_INIT;
	struct pos p;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	p.file = c->file;
	p.line = line;
	p.col = (int)col;
	err_setpos(e, &p, "%s", sb.buf);
	ALLOC_GROW(c->errors, c->nerrors + 1, c->errors_alloc);
	se = &c->errors[c->nerrors++];
	se->line = line;
	se->col = (int)col;
	se->msg = strbuf_detach(&sb, NULL);
}

/*
 * Scan key = word ("." word)* at s[i].  Returns 0 with *end, or -1 with
 * *bad at the offending byte.
 */
static int
scan_key(const char *s, size_t len, size_t i, size_t *end, size_t *bad)
{
	size_t w;

	for (;;) {
		w = i;
		while (i < len) {
			if (s[i] == '\\' && i + 1 < len && s[i + 1] == '.')
				i += 2;
			else if (rmqc_is_word_char((unsigned char)s[i]))
				i++;
			else
				break;
		}
		if (i == w) {
			*bad = i;
			return -1;
		}
		if (i < len && s[i] == '.') {
			i++;
			continue;
		}
		*end = i;
		return 0;
	}
}

static struct rmq_entry *
new_entry(struct rmq_conf *c, struct rmq_line *ln, int lineno)
{
	struct rmq_entry *en;

	ALLOC_GROW(c->entries, c->n + 1, c->alloc);
	ln->entry = (int)c->n;
	en = &c->entries[c->n++];
	memset(en, 0, sizeof(*en));
	en->line = lineno;
	return en;
}

/* "include PATH [comment]" at s[i]; cuttlefish 3.0.1 allows no blank
 * between the word and the path ("include/etc/x.conf"). */
static int
parse_include(struct rmq_conf *c, struct rmq_line *ln, int lineno, size_t i)
{
	const char *s = c->buf + ln->off;
	size_t p, q, r;
	struct rmq_entry *en;

	if (ln->len - i < 7 || memcmp(s + i, "include", 7) != 0)
		return -1;
	p = skip_ws(s, ln->len, i + 7);
	for (q = p; q < ln->len && is_path_char((unsigned char)s[q]); q++)
		;
	if (q == p)
		return -1;
	r = skip_ws(s, ln->len, q);
	if (q < ln->len && (r == ln->len || s[r] != '#'))
		return -1;
	ln->kind = RMQ_INCLUDE;
	en = new_entry(c, ln, lineno);
	en->include = 1;
	en->key = xstrdup("include");
	en->value = xstrndup(s + p, q - p);
	en->col = (int)i + 1;
	en->value_col = (int)p + 1;
	en->val_off = ln->off + p;
	en->val_len = q - p;
	return 0;
}

static int
parse_value(struct rmq_conf *c, struct rmq_line *ln, int lineno,
	    size_t kstart, size_t kend, size_t eq, struct err *e)
{
	const char *s = c->buf + ln->off, *hash;
	size_t v = skip_ws(s, ln->len, eq + 1), vend;
	struct rmq_entry *en;

	if (v == ln->len || s[v] == '#') {
		conf_error(c, e, lineno, v + 1, "missing value for '%.*s'",
			   (int)(kend - kstart), s + kstart);
		return -1;
	}
	hash = memchr(s + v, '#', ln->len - v);
	vend = hash ? (size_t)(hash - s) : ln->len;
	if (hash || ln->eol)
		while (vend > v && IS_WS(s[vend - 1]))
			vend--;
	if (memchr(s + v, '\0', vend - v)) {
		conf_error(c, e, lineno, v + 1, "NUL byte in the value of '%.*s'",
			   (int)(kend - kstart), s + kstart);
		return -1;
	}
	ln->kind = RMQ_SETTING;
	en = new_entry(c, ln, lineno);
	en->key = xstrndup(s + kstart, kend - kstart);
	en->value = xstrndup(s + v, vend - v);
	en->col = (int)kstart + 1;
	en->value_col = (int)v + 1;
	en->val_off = ln->off + v;
	en->val_len = vend - v;
	return 0;
}

static int
bad_key(struct rmq_conf *c, struct rmq_line *ln, int lineno, size_t start,
	size_t bad, struct err *e)
{
	const char *s = c->buf + ln->off;
	unsigned char ch = bad < ln->len ? (unsigned char)s[bad] : 0;

	if (lineno == 1 && ln->len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		conf_error(c, e, lineno, 1, "byte order mark at the start of "
			   "the file (the broker cannot parse it)");
	else if (bad == start && ch == '=')
		conf_error(c, e, lineno, bad + 1, "missing setting name before '='");
	else if (bad == start && ch >= 0x80)
		conf_error(c, e, lineno, bad + 1, "non-ASCII character in a "
			   "setting name");
	else if (bad == start)
		conf_error(c, e, lineno, bad + 1, "expected a setting name, "
			   "found '%c'", ch >= 0x20 && ch < 0x7f ? ch : '?');
	else
		conf_error(c, e, lineno, bad + 1, "empty segment in setting "
			   "name '%.*s'", (int)(bad - start), s + start);
	return -1;
}

static int
bad_after_key(struct rmq_conf *c, struct rmq_line *ln, int lineno,
	      size_t kstart, size_t kend, size_t k, struct err *e)
{
	const char *s = c->buf + ln->off;
	unsigned char ch = k < ln->len ? (unsigned char)s[k] : 0;

	if (kend - kstart == 7 && memcmp(s + kstart, "include", 7) == 0)
		conf_error(c, e, lineno, k + 1, "malformed include line");
	else if (k == ln->len)
		conf_error(c, e, lineno, k + 1, "missing '=' after '%.*s'",
			   (int)(kend - kstart), s + kstart);
	else
		conf_error(c, e, lineno, k + 1, "expected '=' after '%.*s', "
			   "found '%c'", (int)(kend - kstart), s + kstart,
			   ch >= 0x20 && ch < 0x7f ? ch : '?');
	return -1;
}

static int
parse_line(struct rmq_conf *c, struct rmq_line *ln, int lineno, struct err *e)
{
	const char *s = c->buf + ln->off;
	size_t i, kend = 0, bad = 0, k;

	ln->kind = RMQ_BAD;
	ln->entry = -1;
	bad = rmqc_utf8_bad(s, ln->len);
	if (bad < ln->len) {
		conf_error(c, e, lineno, bad + 1, "invalid UTF-8 (the broker "
			   "cannot parse the file)");
		return -1;
	}
	i = skip_ws(s, ln->len, 0);
	if (i == ln->len) {
		ln->kind = RMQ_BLANK;
		return 0;
	}
	if (s[i] == '#') {
		ln->kind = RMQ_COMMENT;
		return 0;
	}
	if (scan_key(s, ln->len, i, &kend, &bad) < 0) {
		if (parse_include(c, ln, lineno, i) == 0)
			return 0;
		return bad_key(c, ln, lineno, i, bad, e);
	}
	k = skip_ws(s, ln->len, kend);
	if (k < ln->len && s[k] == '=')
		return parse_value(c, ln, lineno, i, kend, k, e);
	if (parse_include(c, ln, lineno, i) == 0)
		return 0;
	return bad_after_key(c, ln, lineno, i, kend, k, e);
}

static void
split_lines(struct rmq_conf *c)
{
	size_t off = 0, end;
	const char *nl;
	struct rmq_line *ln;

	while (off < c->len) {
		nl = memchr(c->buf + off, '\n', c->len - off);
		end = nl ? (size_t)(nl - c->buf) : c->len;
		ALLOC_GROW(c->lines, c->nlines + 1, c->lines_alloc);
		ln = &c->lines[c->nlines++];
		memset(ln, 0, sizeof(*ln));
		ln->off = off;
		ln->len = end - off;
		ln->eol = nl ? 1 : 0;
		if (nl && ln->len > 0 && c->buf[end - 1] == '\r') {
			ln->len--;
			ln->eol = 2;
		}
		if (c->nlines == 1)
			c->crlf = ln->eol == 2;
		off = nl ? end + 1 : c->len;
	}
}

int
rmq_conf_parse(struct rmq_conf *c, const char *file, const char *buf,
	       size_t len, struct err *e)
{
	size_t i;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->file = pos_intern(file);
	c->buf = xmalloc(len + 1);
	if (len)
		memcpy(c->buf, buf, len);
	c->buf[len] = '\0';
	c->len = len;
	split_lines(c);
	for (i = 0; i < c->nlines; i++)
		if (parse_line(c, &c->lines[i], (int)i + 1, e) < 0)
			rc = -1;
	return rc;
}

void
rmq_conf_release(struct rmq_conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	for (i = 0; i < c->nerrors; i++)
		free(c->errors[i].msg);
	free(c->entries);
	free(c->errors);
	free(c->lines);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

const struct rmq_entry *
rmq_conf_get(const struct rmq_conf *c, const char *key)
{
	size_t i;

	for (i = c->n; i-- > 0;)
		if (!c->entries[i].include && strcmp(c->entries[i].key, key) == 0)
			return &c->entries[i];
	return NULL;
}
