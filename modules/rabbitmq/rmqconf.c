/*
 * rmqconf.c - RabbitMQ configuration: parser, validation, analysis and
 * TLS-only patcher; see rmqconf.h.  No I/O here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqconf.h"
#include "runner/util/banned.h"

#define IS_WS(c) ((c) == ' ' || (c) == '\t')

static const char *const *key_table_get(size_t *n);

/* ============================================================== parsing */

static int
is_word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
is_path_char(int c)
{
	return is_word_char(c) || c == '.' || c == '*' || c == '/';
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
static size_t
utf8_bad(const char *s, size_t n)
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
			else if (is_word_char((unsigned char)s[i]))
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
	bad = utf8_bad(s, ln->len);
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

/* =========================================================== validation */

/* End of the segment starting at k (an unescaped '.' or NUL). */
static const char *
seg_end(const char *k)
{
	while (*k && *k != '.') {
		if (k[0] == '\\' && k[1] == '.')
			k++;
		k++;
	}
	return k;
}

/* Does key match pattern ("$x" segments match any one segment)? */
static int
pattern_match(const char *pat, const char *key)
{
	const char *pe, *ke;

	for (;;) {
		pe = strchr(pat, '.');
		if (pe == NULL)
			pe = pat + strlen(pat);
		ke = seg_end(key);
		if (ke == key)
			return 0;
		if (*pat != '$' && ((size_t)(pe - pat) != (size_t)(ke - key) ||
				    memcmp(pat, key, (size_t)(pe - pat)) != 0))
			return 0;
		if (*pe == '\0' || *ke == '\0')
			return *pe == '\0' && *ke == '\0';
		pat = pe + 1;
		key = ke + 1;
	}
}

/* Namespaces modelled completely: a key under one that matches no pattern
 * is a key the broker rejects. */
static const char *const strict_ns[] = {
	"listeners", "ssl_options",
	"management.tcp", "management.ssl", "management.listener",
	"stomp.listeners", "mqtt.listeners", "stream.listeners",
};

static int
in_namespace(const char *key, const char *ns)
{
	size_t n = strlen(ns);

	return strncmp(key, ns, n) == 0 && (key[n] == '\0' || key[n] == '.');
}

enum rmq_key_class
rmq_key_classify(const char *key, const char **pattern)
{
	const char *const *table;
	size_t i, n;

	if (pattern)
		*pattern = NULL;
	table = key_table_get(&n);
	for (i = 0; i < n; i++) {
		if (pattern_match(table[i], key)) {
			if (pattern)
				*pattern = table[i];
			return RMQ_KEY_VALID;
		}
	}
	for (i = 0; i < ARRAY_SIZE(strict_ns); i++)
		if (in_namespace(key, strict_ns[i]))
			return RMQ_KEY_INVALID;
	return RMQ_KEY_UNVERIFIED;
}

const char *
rmq_key_class_name(enum rmq_key_class k)
{
	switch (k) {
	case RMQ_KEY_VALID:
		return "valid";
	case RMQ_KEY_INVALID:
		return "invalid";
	default:
		return "unverified";
	}
}

/* ------------------------------------------------------------ values */

enum vtype {
	VT_NONE,      /* only "none" */
	VT_LISTENER,  /* port or ip:port */
	VT_BOOL, VT_VERIFY, VT_TLSVER, VT_PATH, VT_PORT, VT_IP, VT_CRL,
};

static const struct {
	const char *pat;
	enum vtype t;
} value_rules[] = {
	{ "listeners.tcp", VT_NONE }, { "listeners.ssl", VT_NONE },
	{ "listeners.tcp.$name", VT_LISTENER },
	{ "listeners.ssl.$name", VT_LISTENER },
	{ "stomp.listeners.tcp", VT_NONE }, { "stomp.listeners.ssl", VT_NONE },
	{ "stomp.listeners.tcp.$name", VT_LISTENER },
	{ "stomp.listeners.ssl.$name", VT_LISTENER },
	{ "mqtt.listeners.tcp", VT_NONE }, { "mqtt.listeners.ssl", VT_NONE },
	{ "mqtt.listeners.tcp.$name", VT_LISTENER },
	{ "mqtt.listeners.ssl.$name", VT_LISTENER },
	{ "stream.listeners.tcp", VT_NONE }, { "stream.listeners.ssl", VT_NONE },
	{ "stream.listeners.tcp.$name", VT_LISTENER },
	{ "stream.listeners.ssl.$name", VT_LISTENER },
	{ "ssl_options", VT_NONE },
	{ "ssl_options.verify", VT_VERIFY },
	{ "ssl_options.fail_if_no_peer_cert", VT_BOOL },
	{ "ssl_options.versions.$v", VT_TLSVER },
	{ "ssl_options.cacertfile", VT_PATH },
	{ "ssl_options.certfile", VT_PATH },
	{ "ssl_options.keyfile", VT_PATH },
	{ "ssl_options.crl_check", VT_CRL },
	{ "ssl_options.client_renegotiation", VT_BOOL },
	{ "ssl_options.honor_cipher_order", VT_BOOL },
	{ "ssl_options.honor_ecc_order", VT_BOOL },
	{ "ssl_options.reuse_sessions", VT_BOOL },
	{ "ssl_options.secure_renegotiate", VT_BOOL },
	{ "ssl_options.log_alert", VT_BOOL },
	{ "ssl_options.bypass_pem_cache", VT_BOOL },
	{ "management.tcp.port", VT_PORT }, { "management.tcp.ip", VT_IP },
	{ "management.ssl.port", VT_PORT }, { "management.ssl.ip", VT_IP },
	{ "management.ssl.verify", VT_VERIFY },
	{ "management.ssl.fail_if_no_peer_cert", VT_BOOL },
	{ "management.ssl.versions.$v", VT_TLSVER },
	{ "management.ssl.cacertfile", VT_PATH },
	{ "management.ssl.certfile", VT_PATH },
	{ "management.ssl.keyfile", VT_PATH },
	{ "management.listener.port", VT_PORT },
	{ "management.listener.ip", VT_IP },
	{ "management.listener.ssl", VT_BOOL },
	{ "management.listener.ssl_opts", VT_NONE },
};

static int
is_one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

/* Decimal port 0..65535 (leading zeros allowed, as the broker does). */
static int
parse_port(const char *s, size_t n, int *port)
{
	long v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*port = (int)v;
	return 0;
}

/* Numeric address as Erlang's inet:parse_address accepts it (IPv4 in the
 * inet_aton forms, IPv6 with an optional %scope), no brackets. */
static int
is_ip(const char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN + 64];
	unsigned char bin[sizeof(struct in6_addr)];
	struct in_addr a4;
	char *pct;

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (strpbrk(tmp, " \t\r\n"))
		return 0;
	if (strchr(tmp, ':') == NULL)
		return inet_aton(tmp, &a4) != 0;
	pct = strchr(tmp, '%');
	if (pct)
		*pct = '\0';
	return inet_pton(AF_INET6, tmp, bin) == 1;
}

/* "PORT" or "IP:PORT" as the [integer, ip] datatype; addr may be NULL. */
static int
parse_listener(const char *v, char *addr, size_t addrsz, int *port)
{
	const char *colon = strrchr(v, ':');

	if (colon == NULL) {
		if (addr)
			addr[0] = '\0';
		return parse_port(v, strlen(v), port);
	}
	if (!is_ip(v, (size_t)(colon - v)) ||
	    parse_port(colon + 1, strlen(colon + 1), port) < 0)
		return -1;
	if (addr) {
		if ((size_t)(colon - v) >= addrsz)
			return -1;
		memcpy(addr, v, (size_t)(colon - v));
		addr[colon - v] = '\0';
	}
	return 0;
}

static int
check_vtype(enum vtype t, const char *v, const char **why)
{
	static const char *const bools[] = { "true", "false", NULL };
	static const char *const verifies[] = { "verify_peer", "verify_none", NULL };
	static const char *const tlsvers[] = { "tlsv1.3", "tlsv1.2", "tlsv1.1",
					       "tlsv1", NULL };
	static const char *const crls[] = { "true", "false", "peer",
					    "best_effort", NULL };
	int port;

	switch (t) {
	case VT_NONE:
		*why = "the only accepted value is 'none'";
		return strcmp(v, "none") == 0 ? 0 : -1;
	case VT_LISTENER:
		*why = "expected a port or IP:PORT (IPv6 without brackets)";
		return parse_listener(v, NULL, 0, &port);
	case VT_BOOL:
		*why = "expected 'true' or 'false'";
		return is_one_of(v, bools) ? 0 : -1;
	case VT_VERIFY:
		*why = "expected 'verify_peer' or 'verify_none'";
		return is_one_of(v, verifies) ? 0 : -1;
	case VT_TLSVER:
		*why = "expected 'tlsv1.3', 'tlsv1.2', 'tlsv1.1' or 'tlsv1'";
		return is_one_of(v, tlsvers) ? 0 : -1;
	case VT_CRL:
		*why = "expected 'true', 'false', 'peer' or 'best_effort'";
		return is_one_of(v, crls) ? 0 : -1;
	case VT_PORT:
		*why = "expected a port number (0-65535)";
		return parse_port(v, strlen(v), &port);
	case VT_IP:
		*why = "expected a numeric IP address";
		return is_ip(v, strlen(v)) ? 0 : -1;
	case VT_PATH:
		*why = "the file name ends with a blank (no final newline?)";
		return *v && !IS_WS(v[strlen(v) - 1]) ? 0 : -1;
	}
	return 0;
}

int
rmq_value_check(const char *key, const char *value, const char **why)
{
	const char *w = NULL;
	size_t i;

	*why = NULL;
	for (i = 0; i < ARRAY_SIZE(value_rules); i++) {
		if (!pattern_match(value_rules[i].pat, key))
			continue;
		if (check_vtype(value_rules[i].t, value, &w) == 0)
			return 0;
		*why = w;
		return -1;
	}
	return 0;
}

/* ====================================================== enabled_plugins */

/* Plugins that start another one (from the .app files of 3.10.8). */
static const struct {
	const char *plugin, *starts;
} plugin_deps[] = {
	{ "rabbitmq_federation_management", "rabbitmq_management" },
	{ "rabbitmq_shovel_management", "rabbitmq_management" },
	{ "rabbitmq_stream_management", "rabbitmq_management" },
	{ "rabbitmq_stream_management", "rabbitmq_stream" },
	{ "rabbitmq_top", "rabbitmq_management" },
	{ "rabbitmq_tracing", "rabbitmq_management" },
	{ "rabbitmq_web_stomp", "rabbitmq_stomp" },
	{ "rabbitmq_web_stomp_examples", "rabbitmq_web_stomp" },
	{ "rabbitmq_web_mqtt", "rabbitmq_mqtt" },
	{ "rabbitmq_web_mqtt_examples", "rabbitmq_web_mqtt" },
};

struct eterm {       /* a tiny Erlang-term scanner */
	const char *s;
	size_t len, i;
	int line;
	size_t line_start;
};

static void
et_skip(struct eterm *t)
{
	while (t->i < t->len) {
		char ch = t->s[t->i];

		if (ch == '%') {
			while (t->i < t->len && t->s[t->i] != '\n')
				t->i++;
		} else if (ch == '\n') {
			t->i++;
			t->line++;
			t->line_start = t->i;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' ||
			   ch == '\f' || ch == '\v') {
			t->i++;
		} else {
			return;
		}
	}
}

static int
plugins_error(struct eterm *t, const char *file, struct err *e, const char *what)
{
	struct pos p;

	p.file = pos_intern(file);
	p.line = t->line;
	p.col = (int)(t->i - t->line_start) + 1;
	return err_setpos(e, &p, "malformed enabled_plugins: %s", what);
}

/* Atom at t->i: plain (lowercase start) or 'quoted'.  Returns length of
 * the name or 0; *start set. */
static size_t
et_atom(struct eterm *t, size_t *start)
{
	size_t j = t->i;

	if (j < t->len && t->s[j] == '\'') {
		*start = ++j;
		while (j < t->len && t->s[j] != '\'' && t->s[j] != '\n' &&
		       t->s[j] != '\\')
			j++;
		if (j >= t->len || t->s[j] != '\'' || j == *start)
			return 0;
		t->i = j + 1;
		return j - *start;
	}
	if (j >= t->len || t->s[j] < 'a' || t->s[j] > 'z')
		return 0;
	*start = j;
	while (j < t->len && (t->s[j] == '@' || (t->s[j] != '-' &&
			      is_word_char((unsigned char)t->s[j]))))
		j++;
	t->i = j;
	return j - *start;
}

static int
plugins_list(struct rmq_plugins *p, struct eterm *t, const char *file,
	     struct err *e)
{
	size_t start, n;

	et_skip(t);
	if (t->i < t->len && t->s[t->i] == ']')
		return t->i++, 0;
	for (;;) {
		et_skip(t);
		n = et_atom(t, &start);
		if (n == 0)
			return plugins_error(t, file, e, "expected a plugin name");
		ALLOC_GROW(p->names, p->n + 1, p->alloc);
		p->names[p->n++] = xstrndup(t->s + start, n);
		et_skip(t);
		if (t->i < t->len && t->s[t->i] == ']')
			return t->i++, 0;
		if (t->i >= t->len || t->s[t->i] != ',')
			return plugins_error(t, file, e, "expected ',' or ']'");
		t->i++;
	}
}

int
rmq_plugins_parse(struct rmq_plugins *p, const char *file, const char *buf,
		  size_t len, struct err *e)
{
	struct eterm t = { buf, len, 0, 1, 0 };

	memset(p, 0, sizeof(*p));
	et_skip(&t);
	if (t.i == t.len)
		return 0;
	if (buf[t.i] != '[')
		return plugins_error(&t, file, e, "expected '['");
	t.i++;
	if (plugins_list(p, &t, file, e) < 0)
		return -1;
	et_skip(&t);
	if (t.i >= t.len || buf[t.i] != '.')
		return plugins_error(&t, file, e, "expected '.' after the list");
	t.i++;
	et_skip(&t);
	if (t.i != t.len)
		return plugins_error(&t, file, e, "unexpected text after '.'");
	return 0;
}

void
rmq_plugins_release(struct rmq_plugins *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	memset(p, 0, sizeof(*p));
}

static int
plugins_enabled_depth(const struct rmq_plugins *p, const char *name, int depth)
{
	size_t i;

	if (p == NULL || depth > 4)
		return 0;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return 1;
	for (i = 0; i < ARRAY_SIZE(plugin_deps); i++)
		if (strcmp(plugin_deps[i].starts, name) == 0 &&
		    plugins_enabled_depth(p, plugin_deps[i].plugin, depth + 1))
			return 1;
	return 0;
}

int
rmq_plugins_enabled(const struct rmq_plugins *p, const char *name)
{
	return plugins_enabled_depth(p, name, 0);
}

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

	et_skip(t);
	if (t->i >= t->len || t->s[t->i] != '[')
		return;
	for (t->i++; et_skip(t), t->i < t->len;) {
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
		} else if (is_word_char((unsigned char)ch) || ch == '@') {
			while (t->i < t->len && (t->s[t->i] == '@' ||
			       is_word_char((unsigned char)t->s[t->i])))
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
	et_skip(t);
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
		et_skip(&t);
		if (t.i >= t.len)
			return;
		out->has_term = 1;
		if (buf[t.i] == '"') {
			et_skip_quoted(&t);
			prev_brace = 0;
		} else if ((n = et_atom(&t, &start)) > 0) {
			legacy_atom(&t, out, start, n, prev_brace);
			prev_brace = 0;
		} else {
			prev_brace = buf[t.i] == '{';
			t.i++;
		}
	}
}

/* ============================================================= analysis */

static void
note_add(struct rmq_note **v, size_t *n, size_t *alloc, const char *file,
	 int line, int col, char *msg)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[*n].file = file;
	(*v)[*n].line = line;
	(*v)[*n].col = col;
	(*v)[*n].msg = msg;
	(*n)++;
}

#define REASON(a, f, l, c, ...) \
	note_add(&(a)->reasons, &(a)->nreasons, &(a)->reasons_alloc, \
		 (f), (l), (c), xasprintf(__VA_ARGS__))
#define NOTE(a, f, l, c, ...) \
	note_add(&(a)->notes, &(a)->nnotes, &(a)->notes_alloc, \
		 (f), (l), (c), xasprintf(__VA_ARGS__))

const char *
rmq_proto_name(enum rmq_proto p, int tls)
{
	static const char *const names[][2] = {
		{ "AMQP", "AMQP/TLS" }, { "management HTTP", "management HTTPS" },
		{ "STOMP", "STOMP/TLS" }, { "MQTT", "MQTT/TLS" },
		{ "stream", "stream/TLS" }, { "Web STOMP HTTP", "Web STOMP HTTPS" },
		{ "Web MQTT HTTP", "Web MQTT HTTPS" },
		{ "Prometheus HTTP", "Prometheus HTTPS" },
	};

	if ((size_t)p >= ARRAY_SIZE(names))
		return "?";
	return names[p][tls ? 1 : 0];
}

/* Is en the effective (last) occurrence of its key among the inputs? */
static int
is_effective(const struct rmq_input *in, size_t ci, const struct rmq_entry *en)
{
	size_t i;

	if (rmq_conf_get(in->confs[ci], en->key) != en)
		return 0;
	for (i = ci + 1; i < in->nconfs; i++)
		if (rmq_conf_get(in->confs[i], en->key))
			return 0;
	return 1;
}

static const struct rmq_entry *
eff_get(const struct rmq_input *in, const char *key, const char **file)
{
	const struct rmq_entry *en;
	size_t i;

	for (i = in->nconfs; i-- > 0;) {
		en = rmq_conf_get(in->confs[i], key);
		if (en) {
			if (file)
				*file = in->confs[i]->file;
			return en;
		}
	}
	return NULL;
}

static const char *
eff_value(const struct rmq_input *in, const char *key)
{
	const struct rmq_entry *en = eff_get(in, key, NULL);

	return en ? en->value : NULL;
}

/* Any effective key under ns ("management.tcp")? */
static int
eff_any_under(const struct rmq_input *in, const char *ns)
{
	size_t ci, i;

	for (ci = 0; ci < in->nconfs; ci++)
		for (i = 0; i < in->confs[ci]->n; i++)
			if (!in->confs[ci]->entries[i].include &&
			    in_namespace(in->confs[ci]->entries[i].key, ns) &&
			    strcmp(in->confs[ci]->entries[i].key, ns) != 0)
				return 1;
	return 0;
}

static void
add_listener(struct rmq_analysis *a, enum rmq_proto p, int tls,
	     const char *addr, int port, const char *file, int line)
{
	struct rmq_listener *l;
	size_t n = addr ? strlen(addr) : 0;

	ALLOC_GROW(a->listeners, a->nlisteners + 1, a->listeners_alloc);
	l = &a->listeners[a->nlisteners++];
	memset(l, 0, sizeof(*l));
	l->proto = p;
	l->tls = tls;
	if (n >= sizeof(l->addr))
		n = sizeof(l->addr) - 1;
	if (n)
		memcpy(l->addr, addr, n);
	l->addr[n] = '\0';
	l->port = port;
	l->file = file;
	l->line = line;
}

/*
 * Listeners of "<prefix> = none" / "<prefix>.$name = PORT|IP:PORT" keys
 * (listeners.tcp, stomp.listeners.ssl, ...); defport > 0 is used when no
 * such key is set.
 */
static void
conf_listeners(struct rmq_analysis *a, const struct rmq_input *in,
	       const char *prefix, enum rmq_proto p, int tls, int defport)
{
	const char *v = eff_value(in, prefix);
	char pat[64], addr[64];
	const struct rmq_entry *en;
	size_t ci, i, found = 0;
	int port;

	if (v && strcmp(v, "none") == 0)
		return;
	snprintf(pat, sizeof(pat), "%s.$name", prefix);
	for (ci = 0; ci < in->nconfs; ci++) {
		for (i = 0; i < in->confs[ci]->n; i++) {
			en = &in->confs[ci]->entries[i];
			if (en->include || !pattern_match(pat, en->key) ||
			    !is_effective(in, ci, en))
				continue;
			found++;
			if (parse_listener(en->value, addr, sizeof(addr), &port) == 0)
				add_listener(a, p, tls, addr, port,
					     in->confs[ci]->file, en->line);
		}
	}
	if (found == 0 && defport > 0)
		add_listener(a, p, tls, "", defport, NULL, 0);
}

static void
legacy_listeners(struct rmq_analysis *a, const struct rmq_legacy_listeners *l,
		 int tls, const char *file)
{
	size_t i;

	for (i = 0; i < l->nports; i++)
		add_listener(a, RMQ_P_AMQP, tls, "", l->ports[i], file, l->line);
}

/* Drop the AMQP listeners of one kind (replaced by advanced.config). */
static void
drop_amqp(struct rmq_analysis *a, int tls)
{
	size_t i, j = 0;

	for (i = 0; i < a->nlisteners; i++)
		if (a->listeners[i].proto != RMQ_P_AMQP || a->listeners[i].tls != tls)
			a->listeners[j++] = a->listeners[i];
	a->nlisteners = j;
}

static void
amqp_listeners(struct rmq_analysis *a, const struct rmq_input *in)
{
	const struct rmq_legacy *lg = in->legacy, *adv = in->advanced;

	if (a->conf_ignored) {
		if (lg->tcp.present)
			legacy_listeners(a, &lg->tcp, 0, "rabbitmq.config");
		else
			add_listener(a, RMQ_P_AMQP, 0, "", 5672, NULL, 0);
		legacy_listeners(a, &lg->ssl, 1, "rabbitmq.config");
	} else {
		conf_listeners(a, in, "listeners.tcp", RMQ_P_AMQP, 0, 5672);
		conf_listeners(a, in, "listeners.ssl", RMQ_P_AMQP, 1, 0);
	}
	if (adv && adv->tcp.present) {
		drop_amqp(a, 0);
		legacy_listeners(a, &adv->tcp, 0, "advanced.config");
	}
	if (adv && adv->ssl.present) {
		drop_amqp(a, 1);
		legacy_listeners(a, &adv->ssl, 1, "advanced.config");
	}
}

static int
eff_port(const struct rmq_input *in, const char *key, int def, const char **file,
	 int *line)
{
	const struct rmq_entry *en = eff_get(in, key, file);
	int port;

	*line = en ? en->line : 0;
	if (en == NULL || parse_port(en->value, strlen(en->value), &port) < 0) {
		*file = NULL;
		*line = 0;
		return def;
	}
	return port;
}

/* One cowboy-style listener (management, prometheus, web_*): ns.port. */
static void
http_listener(struct rmq_analysis *a, const struct rmq_input *in,
	      enum rmq_proto p, int tls, const char *ns, int defport)
{
	char key[64];
	const char *file = NULL, *ip;
	int line, port;

	snprintf(key, sizeof(key), "%s.port", ns);
	port = eff_port(in, key, defport, &file, &line);
	snprintf(key, sizeof(key), "%s.ip", ns);
	ip = eff_value(in, key);
	add_listener(a, p, tls, ip ? ip : "", port, file, line);
}

/* rabbit_mgmt_app:get_listeners_config/0. */
static void
mgmt_listeners(struct rmq_analysis *a, const struct rmq_input *in)
{
	int legacy = eff_any_under(in, "management.listener");
	int tcp = eff_any_under(in, "management.tcp");
	int ssl = eff_any_under(in, "management.ssl");
	const char *lssl = eff_value(in, "management.listener.ssl");

	if (legacy && !(tcp && ssl))
		http_listener(a, in, RMQ_P_MGMT,
			      lssl && strcmp(lssl, "true") == 0,
			      "management.listener", 15672);
	if (tcp || (!legacy && !ssl))
		http_listener(a, in, RMQ_P_MGMT, 0, "management.tcp", 15672);
	if (ssl)
		http_listener(a, in, RMQ_P_MGMT, 1, "management.ssl", 15671);
	if (legacy && tcp && ssl)
		NOTE(a, NULL, 0, 0, "management.listener.*, management.tcp.* "
		     "and management.ssl.* are all set: the legacy "
		     "management.listener is ignored");
}

static void
plugin_listeners(struct rmq_analysis *a, const struct rmq_input *in)
{
	const struct rmq_plugins *pl = in->plugins;

	if (rmq_plugins_enabled(pl, "rabbitmq_management"))
		mgmt_listeners(a, in);
	if (rmq_plugins_enabled(pl, "rabbitmq_stomp")) {
		conf_listeners(a, in, "stomp.listeners.tcp", RMQ_P_STOMP, 0, 61613);
		conf_listeners(a, in, "stomp.listeners.ssl", RMQ_P_STOMP, 1, 0);
	}
	if (rmq_plugins_enabled(pl, "rabbitmq_mqtt")) {
		conf_listeners(a, in, "mqtt.listeners.tcp", RMQ_P_MQTT, 0, 1883);
		conf_listeners(a, in, "mqtt.listeners.ssl", RMQ_P_MQTT, 1, 0);
	}
	if (rmq_plugins_enabled(pl, "rabbitmq_stream")) {
		conf_listeners(a, in, "stream.listeners.tcp", RMQ_P_STREAM, 0, 5552);
		conf_listeners(a, in, "stream.listeners.ssl", RMQ_P_STREAM, 1, 0);
	}
	if (rmq_plugins_enabled(pl, "rabbitmq_web_stomp"))
		http_listener(a, in, RMQ_P_WEB_STOMP, 0, "web_stomp.tcp", 15674);
	if (rmq_plugins_enabled(pl, "rabbitmq_web_mqtt"))
		http_listener(a, in, RMQ_P_WEB_MQTT, 0, "web_mqtt.tcp", 15675);
	if (rmq_plugins_enabled(pl, "rabbitmq_prometheus")) {
		if (eff_any_under(in, "prometheus.tcp") ||
		    !eff_any_under(in, "prometheus.ssl"))
			http_listener(a, in, RMQ_P_PROMETHEUS, 0, "prometheus.tcp", 15692);
		if (eff_any_under(in, "prometheus.ssl"))
			http_listener(a, in, RMQ_P_PROMETHEUS, 1, "prometheus.ssl", 15691);
	}
}

static void
fmt_listener(struct strbuf *sb, const struct rmq_listener *l)
{
	if (l->addr[0] && strchr(l->addr, ':'))
		strbuf_addf(sb, "[%s]:%d", l->addr, l->port);
	else if (l->addr[0])
		strbuf_addf(sb, "%s:%d", l->addr, l->port);
	else
		strbuf_addf(sb, "%d", l->port);
}

static void
listener_findings(struct rmq_analysis *a)
{
	struct strbuf sb = STRBUF_INIT;
	const struct rmq_listener *l;
	size_t i;

	for (i = 0; i < a->nlisteners; i++) {
		l = &a->listeners[i];
		if (l->tls)
			continue;
		strbuf_reset(&sb);
		fmt_listener(&sb, l);
		if (l->line == 0)
			strbuf_addstr(&sb, " (built-in default)");
		if (l->proto == RMQ_P_AMQP) {
			a->plaintext_amqp = 1;
			REASON(a, l->file, l->line, 0,
			       "plaintext AMQP listener on %s", sb.buf);
		} else {
			a->plaintext_plugins = 1;
			NOTE(a, l->file, l->line, 0, "plaintext %s listener on %s",
			     rmq_proto_name(l->proto, 0), sb.buf);
		}
	}
	strbuf_release(&sb);
}

static void
entry_findings(struct rmq_analysis *a, const struct rmq_conf *c,
	       const struct rmq_entry *en)
{
	enum rmq_key_class k = rmq_key_classify(en->key, NULL);
	const char *why;

	if (en->include) {
		NOTE(a, c->file, en->line, en->col, "include '%s': the included "
		     "file is not analysed", en->value);
	} else if (k == RMQ_KEY_INVALID) {
		a->will_not_boot = 1;
		REASON(a, c->file, en->line, en->col, "invalid key '%s' at line "
		       "%d: the broker will refuse to boot", en->key, en->line);
	} else if (k == RMQ_KEY_UNVERIFIED) {
		NOTE(a, c->file, en->line, en->col, "unverified key '%s' at line "
		     "%d: not a setting of RabbitMQ 3.10.8 or its bundled "
		     "plugins; the broker refuses to boot unless a plugin "
		     "defines it", en->key, en->line);
	} else if (rmq_value_check(en->key, en->value, &why) < 0) {
		a->will_not_boot = 1;
		REASON(a, c->file, en->line, en->value_col, "invalid value '%s' "
		       "for '%s' at line %d (%s): the broker will refuse to boot",
		       en->value, en->key, en->line, why);
	}
}

static void
conf_findings(struct rmq_analysis *a, const struct rmq_conf *c)
{
	size_t i;

	for (i = 0; i < c->nerrors; i++) {
		a->will_not_boot = 1;
		REASON(a, c->file, c->errors[i].line, c->errors[i].col,
		       "syntax error at line %d: %s: the broker will refuse to "
		       "boot", c->errors[i].line, c->errors[i].msg);
	}
	for (i = 0; i < c->n; i++)
		entry_findings(a, c, &c->entries[i]);
}

static void
tls_options(struct rmq_analysis *a, const struct rmq_input *in)
{
	const struct rmq_entry *en;
	size_t ci, i;

	a->cacertfile = eff_value(in, "ssl_options.cacertfile");
	a->certfile = eff_value(in, "ssl_options.certfile");
	a->keyfile = eff_value(in, "ssl_options.keyfile");
	a->verify = eff_value(in, "ssl_options.verify");
	a->fail_if_no_peer_cert = eff_value(in, "ssl_options.fail_if_no_peer_cert");
	for (ci = 0; ci < in->nconfs; ci++) {
		for (i = 0; i < in->confs[ci]->n; i++) {
			en = &in->confs[ci]->entries[i];
			if (!en->include &&
			    pattern_match("ssl_options.versions.$v", en->key) &&
			    is_effective(in, ci, en) &&
			    a->nversions < ARRAY_SIZE(a->versions))
				a->versions[a->nversions++] = en->value;
		}
	}
}

static void
tls_findings(struct rmq_analysis *a)
{
	size_t i;
	int tls = 0;

	for (i = 0; i < a->nlisteners; i++)
		tls |= a->listeners[i].tls && a->listeners[i].proto == RMQ_P_AMQP;
	if (tls && !a->conf_ignored && (!a->certfile || !a->keyfile))
		NOTE(a, NULL, 0, 0, "a TLS listener is configured but "
		     "ssl_options.certfile or ssl_options.keyfile is not set: "
		     "TLS handshakes will fail");
	if (tls && a->verify && strcmp(a->verify, "verify_none") == 0)
		NOTE(a, NULL, 0, 0, "ssl_options.verify = verify_none: client "
		     "certificates are not verified");
}

void
rmq_analyze(const struct rmq_input *in, struct rmq_analysis *a)
{
	struct rmq_input none = { NULL, 0, in->plugins, in->legacy, in->advanced };
	size_t i;

	memset(a, 0, sizeof(*a));
	a->conf_ignored = in->legacy && in->legacy->has_term;
	if (a->conf_ignored) {
		NOTE(a, NULL, 0, 0, "rabbitmq.config (Erlang terms) exists and "
		     "is used instead of rabbitmq.conf: settings in "
		     "rabbitmq.conf are ignored");
		in = &none;
	}
	for (i = 0; i < in->nconfs; i++)
		conf_findings(a, in->confs[i]);
	amqp_listeners(a, in);
	plugin_listeners(a, in);
	listener_findings(a);
	tls_options(a, in);
	tls_findings(a);
	a->vulnerable = a->plaintext_amqp || a->will_not_boot;
}

void
rmq_analysis_release(struct rmq_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nreasons; i++)
		free(a->reasons[i].msg);
	for (i = 0; i < a->nnotes; i++)
		free(a->notes[i].msg);
	free(a->reasons);
	free(a->notes);
	free(a->listeners);
	memset(a, 0, sizeof(*a));
}

/* ============================================================== patcher */

struct want {
	const char *key;     /* static or owned by keybuf */
	char *keybuf;
	const char *value;   /* borrowed from the options or static */
	int line;            /* index of the line holding its last occurrence, -1 */
};

struct patch {
	const struct rmq_conf *c;
	const struct rmq_patch_opts *o;
	struct want *w;
	size_t nw, walloc;
	const char **remove;   /* per line: removal reason or NULL */
	int *want_of;          /* per line: index in w when the line is set */
	struct err *e;
};

static const char *const default_versions[] = { "tlsv1.3", "tlsv1.2" };

/* Values mend writes: no way to misread them with any cuttlefish. */
static int
safe_value(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && !IS_WS(v[0]) && !IS_WS(v[n - 1]) && v[0] != '\'' &&
	       strpbrk(v, "#\r\n") == NULL && utf8_bad(v, n) == n;
}

static int
want_add(struct patch *p, const char *key, char *keybuf, const char *value)
{
	const char *why = NULL;
	struct want *w;

	if (keybuf)
		key = keybuf;
	if (rmq_key_classify(key, NULL) != RMQ_KEY_VALID)
		fatal("BUG: rmq_patch about to write unknown setting '%s'", key);
	if (!safe_value(value) || rmq_value_check(key, value, &why) < 0) {
		err_set(p->e, "invalid value '%s' for '%s'%s%s", value, key,
			why ? ": " : "", why ? why : "");
		free(keybuf);
		return -1;
	}
	ALLOC_GROW(p->w, p->nw + 1, p->walloc);
	w = &p->w[p->nw++];
	w->key = key;
	w->keybuf = keybuf;
	w->value = value;
	w->line = -1;
	return 0;
}

static struct want *
want_find(struct patch *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nw; i++)
		if (strcmp(p->w[i].key, key) == 0)
			return &p->w[i];
	return NULL;
}

/* Line index of entry en. */
static const struct rmq_entry *
line_entry(const struct patch *p, size_t li)
{
	const struct rmq_line *ln = &p->c->lines[li];

	if (ln->kind != RMQ_SETTING)
		return NULL;
	return &p->c->entries[ln->entry];
}

/* Does the file hold a usable "<prefix>.$name" TLS listener? */
static int
has_listener(const struct patch *p, const char *prefix)
{
	char pat[64];
	const char *why;
	size_t i;

	snprintf(pat, sizeof(pat), "%s.$name", prefix);
	for (i = 0; i < p->c->n; i++)
		if (!p->c->entries[i].include &&
		    pattern_match(pat, p->c->entries[i].key) &&
		    rmq_value_check(p->c->entries[i].key,
				    p->c->entries[i].value, &why) == 0)
			return 1;
	return 0;
}

static int
wants_amqp(struct patch *p)
{
	const struct rmq_patch_opts *o = p->o;
	const char *const *ver = o->versions ? o->versions : default_versions;
	size_t nver = o->versions ? o->nversions : ARRAY_SIZE(default_versions);
	size_t i;
	int rc = 0;

	rc |= want_add(p, "listeners.tcp", NULL, "none");
	for (i = 0; i < o->nssl_listeners && o->ssl_listeners; i++)
		rc |= want_add(p, "", xasprintf("listeners.ssl.%zu", i + 1),
			       o->ssl_listeners[i]);
	if (!o->ssl_listeners && !has_listener(p, "listeners.ssl"))
		rc |= want_add(p, "listeners.ssl.default", NULL, "5671");
	if (!o->cacertfile || !o->certfile || !o->keyfile)
		return err_set(p->e, "cacertfile, certfile and keyfile are "
			       "required");
	rc |= want_add(p, "ssl_options.cacertfile", NULL, o->cacertfile);
	rc |= want_add(p, "ssl_options.certfile", NULL, o->certfile);
	rc |= want_add(p, "ssl_options.keyfile", NULL, o->keyfile);
	rc |= want_add(p, "ssl_options.verify", NULL,
		       o->verify ? o->verify : "verify_peer");
	rc |= want_add(p, "ssl_options.fail_if_no_peer_cert", NULL,
		       o->fail_if_no_peer_cert ? "true" : "false");
	if (nver == 0)
		return err_set(p->e, "at least one TLS version is required");
	for (i = 0; i < nver; i++)
		rc |= want_add(p, "", xasprintf("ssl_options.versions.%zu", i + 1),
			       ver[i]);
	return rc ? -1 : 0;
}

static const struct plugin_close {
	unsigned bit;
	const char *tcp, *ssl, *ssl_default, *port;
	size_t opt;          /* offset of the listener option */
} plugin_close[] = {
	{ RMQ_CLOSE_STOMP, "stomp.listeners.tcp", "stomp.listeners.ssl",
	  "stomp.listeners.ssl.default", "61614",
	  offsetof(struct rmq_patch_opts, stomp_ssl_listener) },
	{ RMQ_CLOSE_MQTT, "mqtt.listeners.tcp", "mqtt.listeners.ssl",
	  "mqtt.listeners.ssl.default", "8883",
	  offsetof(struct rmq_patch_opts, mqtt_ssl_listener) },
	{ RMQ_CLOSE_STREAM, "stream.listeners.tcp", "stream.listeners.ssl",
	  "stream.listeners.ssl.default", "5551",
	  offsetof(struct rmq_patch_opts, stream_ssl_listener) },
};

static const char *
plugin_listener_opt(const struct rmq_patch_opts *o, const struct plugin_close *pc)
{
	const char *v = *(const char *const *)((const char *)o + pc->opt);

	return v ? v : pc->port;
}

/* management.listener.ssl = true in this file: a legacy TLS listener. */
static int
mgmt_legacy_tls(const struct patch *p)
{
	const struct rmq_entry *en = rmq_conf_get(p->c, "management.listener.ssl");

	return en && strcmp(en->value, "true") == 0;
}

static int
wants_plugins(struct patch *p)
{
	const struct rmq_patch_opts *o = p->o;
	const struct rmq_entry *en;
	const char *why;
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(plugin_close); i++) {
		if (!(o->close_plugins & plugin_close[i].bit))
			continue;
		rc |= want_add(p, plugin_close[i].tcp, NULL, "none");
		if (!has_listener(p, plugin_close[i].ssl))
			rc |= want_add(p, plugin_close[i].ssl_default, NULL,
				       plugin_listener_opt(o, &plugin_close[i]));
	}
	if (!(o->close_plugins & RMQ_CLOSE_MGMT) || mgmt_legacy_tls(p))
		return rc ? -1 : 0;
	en = rmq_conf_get(p->c, "management.ssl.port");
	if (o->mgmt_ssl_port || !en ||
	    rmq_value_check(en->key, en->value, &why) < 0)
		rc |= want_add(p, "management.ssl.port", NULL,
			       o->mgmt_ssl_port ? o->mgmt_ssl_port : "15671");
	if (o->mgmt_ssl_ip)
		rc |= want_add(p, "management.ssl.ip", NULL, o->mgmt_ssl_ip);
	rc |= want_add(p, "management.ssl.cacertfile", NULL, o->cacertfile);
	rc |= want_add(p, "management.ssl.certfile", NULL, o->certfile);
	rc |= want_add(p, "management.ssl.keyfile", NULL, o->keyfile);
	return rc ? -1 : 0;
}

/* Why the line holding en must go, or NULL (wanted keys handled apart). */
static const char *
removal_reason(const struct patch *p, const struct rmq_entry *en)
{
	const char *k = en->key, *why;
	unsigned cl = p->o->close_plugins;
	size_t i;

	if (rmq_key_classify(k, NULL) == RMQ_KEY_INVALID)
		return "not a RabbitMQ setting, the broker refuses to boot with it";
	if (pattern_match("listeners.tcp.$name", k))
		return "plaintext AMQP listener";
	if (strcmp(k, "ssl_options") == 0)
		return "'ssl_options = none' discards the TLS options";
	if (pattern_match("ssl_options.versions.$v", k))
		return "replaced by mend's TLS version list";
	if (strcmp(k, "listeners.ssl") == 0)
		return "TLS listeners must stay enabled";
	if (pattern_match("listeners.ssl.$name", k) && p->o->ssl_listeners)
		return "replaced by mend's TLS listener list";
	if (pattern_match("listeners.ssl.$name", k) &&
	    rmq_value_check(k, en->value, &why) < 0)
		return "invalid TLS listener value, the broker refuses to boot with it";
	for (i = 0; i < ARRAY_SIZE(plugin_close); i++) {
		if (!(cl & plugin_close[i].bit))
			continue;
		if (in_namespace(k, plugin_close[i].tcp))
			return "plaintext plugin listener";
		if (strcmp(k, plugin_close[i].ssl) == 0)
			return "the plugin's TLS listeners must stay enabled";
	}
	if ((cl & RMQ_CLOSE_MGMT) && in_namespace(k, "management.tcp"))
		return "plaintext management (HTTP) listener";
	if ((cl & RMQ_CLOSE_MGMT) && in_namespace(k, "management.listener") &&
	    !mgmt_legacy_tls(p))
		return "plaintext legacy management (HTTP) listener";
	return NULL;
}

static void
mark_lines(struct patch *p)
{
	const struct rmq_entry *en;
	struct want *w;
	size_t li;

	for (li = 0; li < p->c->nlines; li++) {
		p->want_of[li] = -1;
		en = line_entry(p, li);
		if (en == NULL)
			continue;
		w = want_find(p, en->key);
		if (w && w->line >= 0)
			p->remove[w->line] = "duplicate, overridden by a later line";
		if (w) {
			w->line = (int)li;
			continue;
		}
		p->remove[li] = removal_reason(p, en);
	}
	for (li = 0; li < p->nw; li++)
		if (p->w[li].line >= 0)
			p->want_of[p->w[li].line] = (int)li;
}

static void
emit_eol(struct strbuf *out, int crlf)
{
	strbuf_addstr(out, crlf ? "\r\n" : "\n");
}

static void
emit_line(struct patch *p, size_t li, struct strbuf *out, struct strbuf *ch,
	  int *changed)
{
	const struct rmq_line *ln = &p->c->lines[li];
	const char *s = p->c->buf + ln->off;
	const struct rmq_entry *en = line_entry(p, li);
	const struct want *w = p->want_of[li] >= 0 ? &p->w[p->want_of[li]] : NULL;

	if (p->remove[li]) {
		strbuf_addf(out, "# mend: removed (%s): ", p->remove[li]);
		strbuf_add(out, s, ln->len);
		if (ch)
			strbuf_addf(ch, "line %zu: removed '%.*s' (%s)\n", li + 1,
				    (int)ln->len, s, p->remove[li]);
		*changed = 1;
	} else if (w && strcmp(en->value, w->value) != 0) {
		strbuf_add(out, s, en->val_off - ln->off);
		strbuf_addstr(out, w->value);
		strbuf_add(out, p->c->buf + en->val_off + en->val_len,
			   ln->off + ln->len - en->val_off - en->val_len);
		if (ch)
			strbuf_addf(ch, "line %zu: set '%s' to '%s' (was '%s')\n",
				    li + 1, w->key, w->value, en->value);
		*changed = 1;
	} else {
		strbuf_add(out, s, ln->len);
	}
	strbuf_add(out, p->c->buf + ln->off + ln->len, ln->eol);
}

static void
emit_appended(struct patch *p, struct strbuf *out, struct strbuf *ch,
	      int *changed)
{
	const struct rmq_line *last = p->c->nlines ?
		&p->c->lines[p->c->nlines - 1] : NULL;
	size_t i;
	int header = 0;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i].line >= 0)
			continue;
		if (!header) {
			if (last && last->eol == 0)
				emit_eol(out, p->c->crlf);
			if (last && last->kind != RMQ_BLANK)
				emit_eol(out, p->c->crlf);
			strbuf_addstr(out, "# mend: TLS-only listeners (AMQP 0-9-1 "
				      "has no STARTTLS: plaintext disabled)");
			emit_eol(out, p->c->crlf);
			header = 1;
		}
		strbuf_addf(out, "%s = %s", p->w[i].key, p->w[i].value);
		emit_eol(out, p->c->crlf);
		if (ch)
			strbuf_addf(ch, "added '%s = %s'\n", p->w[i].key,
				    p->w[i].value);
		*changed = 1;
	}
}

static void
patch_release(struct patch *p)
{
	size_t i;

	for (i = 0; i < p->nw; i++)
		free(p->w[i].keybuf);
	free(p->w);
	free(p->remove);
	free(p->want_of);
}

int
rmq_patch(const struct rmq_conf *c, const struct rmq_patch_opts *o,
	  struct strbuf *out, struct strbuf *changes, int *changed,
	  struct err *e)
{
	struct patch p;
	size_t li;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.o = o;
	p.e = e;
	*changed = 0;
	if (c->nerrors > 0) {
		err_set(e, "refusing to patch '%s': %zu syntax error(s), the "
			"first at line %d", c->file ? c->file : "rabbitmq.conf",
			c->nerrors, c->errors[0].line);
		goto out;
	}
	if (wants_amqp(&p) < 0 || wants_plugins(&p) < 0)
		goto out;
	p.remove = xcalloc(c->nlines + 1, sizeof(*p.remove));
	p.want_of = xcalloc(c->nlines + 1, sizeof(*p.want_of));
	mark_lines(&p);
	for (li = 0; li < c->nlines; li++)
		emit_line(&p, li, out, changes, changed);
	emit_appended(&p, out, changes, changed);
	rc = 0;
out:
	patch_release(&p);
	return rc;
}

/* ============================================================ key table */

/*
 * Every {mapping, "KEY", ...} of the cuttlefish schemas shipped with
 * RabbitMQ 3.10.8 (Debian 12 rabbitmq-server 3.10.8-1.1+deb12u1):
 * plugins/NAME/priv/schema/NAME.schema, core and all bundled plugins, extracted
 * with
 *   perl -0777 -ne 'while(/\{mapping,\s*"([^"]+)"/gs){print "$1\\n"}' \
 *       .../rabbitmq_server-3.10.8/plugins/[*]/priv/schema/[*].schema
 * plus the later additions in the modelled namespaces (management.tcp|ssl.
 * max_connections, management.delegate_count; checked against the
 * rabbitmq-server main branch).  "$x" segments match any one segment.
 */
static const char *const key_table[] = {
	"amqp1_0.default_user",
	"amqp1_0.default_vhost",
	"amqp1_0.protocol_strict_mode",
	"auth_backends.$num",
	"auth_backends.$num.authn",
	"auth_backends.$num.authz",
	"auth_cache.cache_module",
	"auth_cache.cache_refusals",
	"auth_cache.cache_ttl",
	"auth_cache.cached_backend",
	"auth_cache.cached_backend.authn",
	"auth_cache.cached_backend.authz",
	"auth_http.connection_timeout",
	"auth_http.http_method",
	"auth_http.request_timeout",
	"auth_http.resource_path",
	"auth_http.topic_path",
	"auth_http.user_path",
	"auth_http.vhost_path",
	"auth_ldap.connection_pool_size",
	"auth_ldap.dn_lookup_attribute",
	"auth_ldap.dn_lookup_base",
	"auth_ldap.dn_lookup_bind",
	"auth_ldap.dn_lookup_bind.password",
	"auth_ldap.dn_lookup_bind.user_dn",
	"auth_ldap.group_lookup_base",
	"auth_ldap.idle_timeout",
	"auth_ldap.log",
	"auth_ldap.other_bind",
	"auth_ldap.other_bind.password",
	"auth_ldap.other_bind.user_dn",
	"auth_ldap.port",
	"auth_ldap.servers",
	"auth_ldap.servers.$server",
	"auth_ldap.ssl_options",
	"auth_ldap.ssl_options.cacertfile",
	"auth_ldap.ssl_options.cacerts.$name",
	"auth_ldap.ssl_options.cert",
	"auth_ldap.ssl_options.certfile",
	"auth_ldap.ssl_options.client_renegotiation",
	"auth_ldap.ssl_options.crl_check",
	"auth_ldap.ssl_options.depth",
	"auth_ldap.ssl_options.dh",
	"auth_ldap.ssl_options.dhfile",
	"auth_ldap.ssl_options.fail_if_no_peer_cert",
	"auth_ldap.ssl_options.honor_cipher_order",
	"auth_ldap.ssl_options.honor_ecc_order",
	"auth_ldap.ssl_options.hostname_verification",
	"auth_ldap.ssl_options.key.DSAPrivateKey",
	"auth_ldap.ssl_options.key.PrivateKeyInfo",
	"auth_ldap.ssl_options.key.RSAPrivateKey",
	"auth_ldap.ssl_options.keyfile",
	"auth_ldap.ssl_options.log_alert",
	"auth_ldap.ssl_options.password",
	"auth_ldap.ssl_options.psk_identity",
	"auth_ldap.ssl_options.reuse_sessions",
	"auth_ldap.ssl_options.secure_renegotiate",
	"auth_ldap.ssl_options.sni",
	"auth_ldap.ssl_options.verify",
	"auth_ldap.ssl_options.versions.$version",
	"auth_ldap.timeout",
	"auth_ldap.use_ssl",
	"auth_ldap.use_starttls",
	"auth_ldap.user_bind_pattern",
	"auth_ldap.user_dn_pattern",
	"auth_mechanisms.$name",
	"auth_oauth2.additional_scopes_key",
	"auth_oauth2.algorithms.$algorithm",
	"auth_oauth2.default_key",
	"auth_oauth2.https.cacertfile",
	"auth_oauth2.https.crl_check",
	"auth_oauth2.https.depth",
	"auth_oauth2.https.fail_if_no_peer_cert",
	"auth_oauth2.https.hostname_verification",
	"auth_oauth2.https.peer_verification",
	"auth_oauth2.jwks_url",
	"auth_oauth2.resource_server_id",
	"auth_oauth2.signing_keys.$name",
	"aws.prefer_imdsv2",
	"background_gc_enabled",
	"background_gc_target_interval",
	"channel_max",
	"classic_queue.default_version",
	"cluster_formation.aws.access_key_id",
	"cluster_formation.aws.instance_tags",
	"cluster_formation.aws.instance_tags.$name",
	"cluster_formation.aws.region",
	"cluster_formation.aws.secret_key",
	"cluster_formation.aws.use_autoscaling_group",
	"cluster_formation.aws.use_private_ip",
	"cluster_formation.classic_config.nodes.$node",
	"cluster_formation.consul.acl_token",
	"cluster_formation.consul.cluster_name",
	"cluster_formation.consul.deregister_after",
	"cluster_formation.consul.domain_suffix",
	"cluster_formation.consul.host",
	"cluster_formation.consul.include_nodes_with_warnings",
	"cluster_formation.consul.lock_prefix",
	"cluster_formation.consul.lock_timeout",
	"cluster_formation.consul.lock_wait_time",
	"cluster_formation.consul.port",
	"cluster_formation.consul.scheme",
	"cluster_formation.consul.ssl_options",
	"cluster_formation.consul.ssl_options.cacertfile",
	"cluster_formation.consul.ssl_options.cacerts.$name",
	"cluster_formation.consul.ssl_options.cert",
	"cluster_formation.consul.ssl_options.certfile",
	"cluster_formation.consul.ssl_options.ciphers.$cipher",
	"cluster_formation.consul.ssl_options.crl_check",
	"cluster_formation.consul.ssl_options.depth",
	"cluster_formation.consul.ssl_options.dh",
	"cluster_formation.consul.ssl_options.dhfile",
	"cluster_formation.consul.ssl_options.fail_if_no_peer_cert",
	"cluster_formation.consul.ssl_options.key.DSAPrivateKey",
	"cluster_formation.consul.ssl_options.key.PrivateKeyInfo",
	"cluster_formation.consul.ssl_options.key.RSAPrivateKey",
	"cluster_formation.consul.ssl_options.keyfile",
	"cluster_formation.consul.ssl_options.log_alert",
	"cluster_formation.consul.ssl_options.password",
	"cluster_formation.consul.ssl_options.psk_identity",
	"cluster_formation.consul.ssl_options.reuse_sessions",
	"cluster_formation.consul.ssl_options.secure_renegotiate",
	"cluster_formation.consul.ssl_options.verify",
	"cluster_formation.consul.ssl_options.versions.$version",
	"cluster_formation.consul.svc",
	"cluster_formation.consul.svc_addr",
	"cluster_formation.consul.svc_addr_auto",
	"cluster_formation.consul.svc_addr_nic",
	"cluster_formation.consul.svc_addr_use_nodename",
	"cluster_formation.consul.svc_meta",
	"cluster_formation.consul.svc_meta.$name",
	"cluster_formation.consul.svc_port",
	"cluster_formation.consul.svc_tags",
	"cluster_formation.consul.svc_tags.$name",
	"cluster_formation.consul.svc_ttl",
	"cluster_formation.consul.use_longname",
	"cluster_formation.discovery_retry_interval",
	"cluster_formation.discovery_retry_limit",
	"cluster_formation.dns.hostname",
	"cluster_formation.etcd.cluster_name",
	"cluster_formation.etcd.endpoints",
	"cluster_formation.etcd.endpoints.$index",
	"cluster_formation.etcd.host",
	"cluster_formation.etcd.key_prefix",
	"cluster_formation.etcd.lock_timeout",
	"cluster_formation.etcd.lock_wait_time",
	"cluster_formation.etcd.node_ttl",
	"cluster_formation.etcd.password",
	"cluster_formation.etcd.port",
	"cluster_formation.etcd.scheme",
	"cluster_formation.etcd.ssl_options",
	"cluster_formation.etcd.ssl_options.cacertfile",
	"cluster_formation.etcd.ssl_options.cacerts.$name",
	"cluster_formation.etcd.ssl_options.cert",
	"cluster_formation.etcd.ssl_options.certfile",
	"cluster_formation.etcd.ssl_options.ciphers.$cipher",
	"cluster_formation.etcd.ssl_options.crl_check",
	"cluster_formation.etcd.ssl_options.depth",
	"cluster_formation.etcd.ssl_options.dh",
	"cluster_formation.etcd.ssl_options.dhfile",
	"cluster_formation.etcd.ssl_options.fail_if_no_peer_cert",
	"cluster_formation.etcd.ssl_options.key.DSAPrivateKey",
	"cluster_formation.etcd.ssl_options.key.PrivateKeyInfo",
	"cluster_formation.etcd.ssl_options.key.RSAPrivateKey",
	"cluster_formation.etcd.ssl_options.keyfile",
	"cluster_formation.etcd.ssl_options.log_alert",
	"cluster_formation.etcd.ssl_options.password",
	"cluster_formation.etcd.ssl_options.psk_identity",
	"cluster_formation.etcd.ssl_options.reuse_sessions",
	"cluster_formation.etcd.ssl_options.secure_renegotiate",
	"cluster_formation.etcd.ssl_options.verify",
	"cluster_formation.etcd.ssl_options.versions.$version",
	"cluster_formation.etcd.username",
	"cluster_formation.internal_lock_retries",
	"cluster_formation.k8s.address_type",
	"cluster_formation.k8s.cert_path",
	"cluster_formation.k8s.host",
	"cluster_formation.k8s.hostname_suffix",
	"cluster_formation.k8s.namespace_path",
	"cluster_formation.k8s.port",
	"cluster_formation.k8s.scheme",
	"cluster_formation.k8s.service_name",
	"cluster_formation.k8s.token_path",
	"cluster_formation.lock_retry_limit",
	"cluster_formation.lock_retry_timeout",
	"cluster_formation.node_cleanup.interval",
	"cluster_formation.node_cleanup.only_log_warning",
	"cluster_formation.node_type",
	"cluster_formation.peer_discovery_backend",
	"cluster_formation.proxy.http_proxy",
	"cluster_formation.proxy.https_proxy",
	"cluster_formation.proxy.proxy_exclusions.$name",
	"cluster_formation.randomized_startup_delay_range.max",
	"cluster_formation.randomized_startup_delay_range.min",
	"cluster_formation.target_cluster_size_hint",
	"cluster_keepalive_interval",
	"cluster_name",
	"cluster_partition_handling",
	"cluster_partition_handling.pause_if_all_down.nodes.$name",
	"cluster_partition_handling.pause_if_all_down.recover",
	"collect_statistics",
	"collect_statistics_interval",
	"connection_max",
	"consumer_timeout",
	"credential_validator.min_length",
	"credential_validator.regexp",
	"credential_validator.validation_backend",
	"default_pass",
	"default_permissions.configure",
	"default_permissions.read",
	"default_permissions.write",
	"default_user",
	"default_user_tags.$tag",
	"default_vhost",
	"default_worker_pool_size",
	"definitions.hashing.algorithm",
	"definitions.https.url",
	"definitions.import_backend",
	"definitions.local.path",
	"definitions.skip_if_unchanged",
	"definitions.tls.cacertfile",
	"definitions.tls.cacerts.$name",
	"definitions.tls.cert",
	"definitions.tls.certfile",
	"definitions.tls.ciphers.$cipher",
	"definitions.tls.crl_check",
	"definitions.tls.depth",
	"definitions.tls.dh",
	"definitions.tls.fail_if_no_peer_cert",
	"definitions.tls.keyfile",
	"definitions.tls.log_alert",
	"definitions.tls.log_level",
	"definitions.tls.password",
	"definitions.tls.reuse_session",
	"definitions.tls.reuse_sessions",
	"definitions.tls.secure_renegotiate",
	"definitions.tls.verify",
	"definitions.tls.versions.$version",
	"delegate_count",
	"disk_free_limit.absolute",
	"disk_free_limit.relative",
	"distribution.listener.interface",
	"distribution.listener.port_range.max",
	"distribution.listener.port_range.min",
	"erlang.K",
	"event_exchange.vhost",
	"frame_max",
	"handshake_timeout",
	"heartbeat",
	"hipe_compile",
	"initial_frame_max",
	"listeners.ssl",
	"listeners.ssl.$name",
	"listeners.tcp",
	"listeners.tcp.$name",
	"load_definitions",
	"log.channel.file",
	"log.channel.level",
	"log.channel.rotation.compress",
	"log.channel.rotation.count",
	"log.channel.rotation.date",
	"log.channel.rotation.size",
	"log.connection.file",
	"log.connection.level",
	"log.connection.rotation.compress",
	"log.connection.rotation.count",
	"log.connection.rotation.date",
	"log.connection.rotation.size",
	"log.console",
	"log.console.color_esc_seqs.alert",
	"log.console.color_esc_seqs.critical",
	"log.console.color_esc_seqs.debug",
	"log.console.color_esc_seqs.emergency",
	"log.console.color_esc_seqs.error",
	"log.console.color_esc_seqs.info",
	"log.console.color_esc_seqs.notice",
	"log.console.color_esc_seqs.warning",
	"log.console.formatter",
	"log.console.formatter.json.field_map",
	"log.console.formatter.json.verbosity_map",
	"log.console.formatter.level_format",
	"log.console.formatter.plaintext.format",
	"log.console.formatter.single_line",
	"log.console.formatter.time_format",
	"log.console.level",
	"log.console.stdio",
	"log.console.use_colors",
	"log.default.level",
	"log.default.rotation.compress",
	"log.default.rotation.count",
	"log.default.rotation.date",
	"log.default.rotation.size",
	"log.dir",
	"log.exchange",
	"log.exchange.formatter",
	"log.exchange.formatter.json.field_map",
	"log.exchange.formatter.json.verbosity_map",
	"log.exchange.formatter.level_format",
	"log.exchange.formatter.plaintext.format",
	"log.exchange.formatter.single_line",
	"log.exchange.formatter.time_format",
	"log.exchange.level",
	"log.federation.file",
	"log.federation.level",
	"log.federation.rotation.compress",
	"log.federation.rotation.count",
	"log.federation.rotation.date",
	"log.federation.rotation.size",
	"log.file",
	"log.file.formatter",
	"log.file.formatter.json.field_map",
	"log.file.formatter.json.verbosity_map",
	"log.file.formatter.level_format",
	"log.file.formatter.plaintext.format",
	"log.file.formatter.single_line",
	"log.file.formatter.time_format",
	"log.file.level",
	"log.file.rotation.compress",
	"log.file.rotation.count",
	"log.file.rotation.date",
	"log.file.rotation.size",
	"log.journald",
	"log.journald.fields",
	"log.journald.level",
	"log.mirroring.file",
	"log.mirroring.level",
	"log.mirroring.rotation.compress",
	"log.mirroring.rotation.count",
	"log.mirroring.rotation.date",
	"log.mirroring.rotation.size",
	"log.queue.file",
	"log.queue.level",
	"log.queue.rotation.compress",
	"log.queue.rotation.count",
	"log.queue.rotation.date",
	"log.queue.rotation.size",
	"log.ra.file",
	"log.ra.level",
	"log.ra.rotation.compress",
	"log.ra.rotation.count",
	"log.ra.rotation.date",
	"log.ra.rotation.size",
	"log.syslog",
	"log.syslog.facility",
	"log.syslog.formatter",
	"log.syslog.formatter.json.field_map",
	"log.syslog.formatter.json.verbosity_map",
	"log.syslog.formatter.level_format",
	"log.syslog.formatter.plaintext.format",
	"log.syslog.formatter.single_line",
	"log.syslog.formatter.time_format",
	"log.syslog.host",
	"log.syslog.identity",
	"log.syslog.ip",
	"log.syslog.level",
	"log.syslog.multiline_mode",
	"log.syslog.port",
	"log.syslog.protocol",
	"log.syslog.ssl_options.cacertfile",
	"log.syslog.ssl_options.cacerts.$name",
	"log.syslog.ssl_options.cert",
	"log.syslog.ssl_options.certfile",
	"log.syslog.ssl_options.client_renegotiation",
	"log.syslog.ssl_options.crl_check",
	"log.syslog.ssl_options.depth",
	"log.syslog.ssl_options.dh",
	"log.syslog.ssl_options.dhfile",
	"log.syslog.ssl_options.fail_if_no_peer_cert",
	"log.syslog.ssl_options.honor_cipher_order",
	"log.syslog.ssl_options.honor_ecc_order",
	"log.syslog.ssl_options.key.DSAPrivateKey",
	"log.syslog.ssl_options.key.PrivateKeyInfo",
	"log.syslog.ssl_options.key.RSAPrivateKey",
	"log.syslog.ssl_options.keyfile",
	"log.syslog.ssl_options.log_alert",
	"log.syslog.ssl_options.password",
	"log.syslog.ssl_options.psk_identity",
	"log.syslog.ssl_options.reuse_sessions",
	"log.syslog.ssl_options.secure_renegotiate",
	"log.syslog.ssl_options.verify",
	"log.syslog.ssl_options.versions.$version",
	"log.syslog.transport",
	"log.upgrade.file",
	"log.upgrade.level",
	"log.upgrade.rotation.compress",
	"log.upgrade.rotation.count",
	"log.upgrade.rotation.date",
	"log.upgrade.rotation.size",
	"loopback_users",
	"loopback_users.$user",
	"management.cors.allow_origins",
	"management.cors.allow_origins.$name",
	"management.cors.max_age",
	"management.csp.policy",
	"management.db_cache_multiplier",
	"management.delegate_count",
	"management.disable_basic_auth",
	"management.disable_stats",
	"management.enable_queue_totals",
	"management.enable_uaa",
	"management.headers.content_type_options",
	"management.headers.frame_options",
	"management.headers.xss_protection",
	"management.hsts.policy",
	"management.http.max_body_size",
	"management.http_log_dir",
	"management.listener.ip",
	"management.listener.port",
	"management.listener.server.compress",
	"management.listener.server.idle_timeout",
	"management.listener.server.inactivity_timeout",
	"management.listener.server.max_keepalive",
	"management.listener.server.request_timeout",
	"management.listener.server.shutdown_timeout",
	"management.listener.ssl",
	"management.listener.ssl_opts",
	"management.listener.ssl_opts.cacertfile",
	"management.listener.ssl_opts.cacerts.$name",
	"management.listener.ssl_opts.cert",
	"management.listener.ssl_opts.certfile",
	"management.listener.ssl_opts.client_renegotiation",
	"management.listener.ssl_opts.crl_check",
	"management.listener.ssl_opts.depth",
	"management.listener.ssl_opts.dh",
	"management.listener.ssl_opts.dhfile",
	"management.listener.ssl_opts.fail_if_no_peer_cert",
	"management.listener.ssl_opts.honor_cipher_order",
	"management.listener.ssl_opts.honor_ecc_order",
	"management.listener.ssl_opts.key.DSAPrivateKey",
	"management.listener.ssl_opts.key.PrivateKeyInfo",
	"management.listener.ssl_opts.key.RSAPrivateKey",
	"management.listener.ssl_opts.keyfile",
	"management.listener.ssl_opts.log_alert",
	"management.listener.ssl_opts.password",
	"management.listener.ssl_opts.psk_identity",
	"management.listener.ssl_opts.reuse_sessions",
	"management.listener.ssl_opts.secure_renegotiate",
	"management.listener.ssl_opts.verify",
	"management.listener.ssl_opts.versions.$version",
	"management.load_definitions",
	"management.login_session_timeout",
	"management.path_prefix",
	"management.rates_mode",
	"management.sample_retention_policies.$section.$interval",
	"management.ssl.backlog",
	"management.ssl.cacertfile",
	"management.ssl.certfile",
	"management.ssl.ciphers.$cipher",
	"management.ssl.client_renegotiation",
	"management.ssl.compress",
	"management.ssl.depth",
	"management.ssl.fail_if_no_peer_cert",
	"management.ssl.honor_cipher_order",
	"management.ssl.honor_ecc_order",
	"management.ssl.idle_timeout",
	"management.ssl.inactivity_timeout",
	"management.ssl.ip",
	"management.ssl.keyfile",
	"management.ssl.max_connections",
	"management.ssl.max_keepalive",
	"management.ssl.password",
	"management.ssl.port",
	"management.ssl.request_timeout",
	"management.ssl.reuse_sessions",
	"management.ssl.secure_renegotiate",
	"management.ssl.shutdown_timeout",
	"management.ssl.verify",
	"management.ssl.versions.$version",
	"management.tcp.compress",
	"management.tcp.idle_timeout",
	"management.tcp.inactivity_timeout",
	"management.tcp.ip",
	"management.tcp.max_connections",
	"management.tcp.max_keepalive",
	"management.tcp.port",
	"management.tcp.request_timeout",
	"management.tcp.shutdown_timeout",
	"management.uaa_client_id",
	"management.uaa_location",
	"management_agent.disable_metrics_collector",
	"management_agent.filter_aggregated_queue_metrics_pattern",
	"max_message_size",
	"memory_monitor_interval",
	"message_store_shutdown_timeout",
	"mirroring_sync_batch_size",
	"mirroring_sync_max_throughput",
	"mnesia_table_loading_retry_limit",
	"mnesia_table_loading_retry_timeout",
	"motd_file",
	"mqtt.allow_anonymous",
	"mqtt.default_pass",
	"mqtt.default_user",
	"mqtt.durable_queue_type",
	"mqtt.exchange",
	"mqtt.listeners.ssl",
	"mqtt.listeners.ssl.$name",
	"mqtt.listeners.tcp",
	"mqtt.listeners.tcp.$name",
	"mqtt.login_timeout",
	"mqtt.num_acceptors.ssl",
	"mqtt.num_acceptors.tcp",
	"mqtt.prefetch",
	"mqtt.proxy_protocol",
	"mqtt.retained_message_store",
	"mqtt.retained_message_store_dets_sync_interval",
	"mqtt.sparkplug",
	"mqtt.ssl_cert_login",
	"mqtt.subscription_ttl",
	"mqtt.tcp_listen_options",
	"mqtt.tcp_listen_options.backlog",
	"mqtt.tcp_listen_options.buffer",
	"mqtt.tcp_listen_options.delay_send",
	"mqtt.tcp_listen_options.dontroute",
	"mqtt.tcp_listen_options.exit_on_close",
	"mqtt.tcp_listen_options.fd",
	"mqtt.tcp_listen_options.high_msgq_watermark",
	"mqtt.tcp_listen_options.high_watermark",
	"mqtt.tcp_listen_options.keepalive",
	"mqtt.tcp_listen_options.linger.on",
	"mqtt.tcp_listen_options.linger.timeout",
	"mqtt.tcp_listen_options.low_msgq_watermark",
	"mqtt.tcp_listen_options.low_watermark",
	"mqtt.tcp_listen_options.nodelay",
	"mqtt.tcp_listen_options.port",
	"mqtt.tcp_listen_options.priority",
	"mqtt.tcp_listen_options.recbuf",
	"mqtt.tcp_listen_options.send_timeout",
	"mqtt.tcp_listen_options.send_timeout_close",
	"mqtt.tcp_listen_options.sndbuf",
	"mqtt.tcp_listen_options.tos",
	"mqtt.vhost",
	"net_ticktime",
	"num_acceptors.ssl",
	"num_acceptors.tcp",
	"password_hashing_module",
	"product.name",
	"product.version",
	"prometheus.filter_aggregated_queue_metrics_pattern",
	"prometheus.path",
	"prometheus.return_per_object_metrics",
	"prometheus.ssl.backlog",
	"prometheus.ssl.cacertfile",
	"prometheus.ssl.certfile",
	"prometheus.ssl.ciphers.$cipher",
	"prometheus.ssl.client_renegotiation",
	"prometheus.ssl.compress",
	"prometheus.ssl.depth",
	"prometheus.ssl.fail_if_no_peer_cert",
	"prometheus.ssl.honor_cipher_order",
	"prometheus.ssl.honor_ecc_order",
	"prometheus.ssl.idle_timeout",
	"prometheus.ssl.inactivity_timeout",
	"prometheus.ssl.ip",
	"prometheus.ssl.keyfile",
	"prometheus.ssl.max_keepalive",
	"prometheus.ssl.password",
	"prometheus.ssl.port",
	"prometheus.ssl.request_timeout",
	"prometheus.ssl.reuse_sessions",
	"prometheus.ssl.secure_renegotiate",
	"prometheus.ssl.shutdown_timeout",
	"prometheus.ssl.verify",
	"prometheus.ssl.versions.$version",
	"prometheus.tcp.compress",
	"prometheus.tcp.idle_timeout",
	"prometheus.tcp.inactivity_timeout",
	"prometheus.tcp.ip",
	"prometheus.tcp.max_keepalive",
	"prometheus.tcp.port",
	"prometheus.tcp.request_timeout",
	"prometheus.tcp.shutdown_timeout",
	"proxy_protocol",
	"queue_index_embed_msgs_below",
	"queue_leader_locator",
	"queue_master_locator",
	"quorum_queue.compute_checksums",
	"raft.data_dir",
	"raft.segment_max_entries",
	"raft.snapshot_chunk_size",
	"raft.wal_hibernate_after",
	"raft.wal_max_batch_size",
	"raft.wal_max_entries",
	"raft.wal_max_size_bytes",
	"reverse_dns_lookups",
	"socket_writer.gc_threshold",
	"ssl_allow_poodle_attack",
	"ssl_cert_login_from",
	"ssl_cert_login_san_index",
	"ssl_cert_login_san_type",
	"ssl_handshake_timeout",
	"ssl_options",
	"ssl_options.bypass_pem_cache",
	"ssl_options.cacertfile",
	"ssl_options.cacerts.$name",
	"ssl_options.cert",
	"ssl_options.certfile",
	"ssl_options.ciphers.$cipher",
	"ssl_options.client_renegotiation",
	"ssl_options.crl_check",
	"ssl_options.depth",
	"ssl_options.dh",
	"ssl_options.dhfile",
	"ssl_options.fail_if_no_peer_cert",
	"ssl_options.honor_cipher_order",
	"ssl_options.honor_ecc_order",
	"ssl_options.key.DSAPrivateKey",
	"ssl_options.key.PrivateKeyInfo",
	"ssl_options.key.RSAPrivateKey",
	"ssl_options.keyfile",
	"ssl_options.log_alert",
	"ssl_options.log_level",
	"ssl_options.password",
	"ssl_options.psk_identity",
	"ssl_options.reuse_sessions",
	"ssl_options.secure_renegotiate",
	"ssl_options.verify",
	"ssl_options.versions.$version",
	"stomp.default_nack_requeue",
	"stomp.default_pass",
	"stomp.default_topic_exchange",
	"stomp.default_user",
	"stomp.default_vhost",
	"stomp.hide_server_info",
	"stomp.implicit_connect",
	"stomp.listeners.ssl",
	"stomp.listeners.ssl.$name",
	"stomp.listeners.tcp",
	"stomp.listeners.tcp.$name",
	"stomp.login_timeout",
	"stomp.num_acceptors.ssl",
	"stomp.num_acceptors.tcp",
	"stomp.proxy_protocol",
	"stomp.ssl_cert_login",
	"stomp.tcp_listen_options",
	"stomp.tcp_listen_options.backlog",
	"stomp.tcp_listen_options.buffer",
	"stomp.tcp_listen_options.delay_send",
	"stomp.tcp_listen_options.dontroute",
	"stomp.tcp_listen_options.exit_on_close",
	"stomp.tcp_listen_options.fd",
	"stomp.tcp_listen_options.high_msgq_watermark",
	"stomp.tcp_listen_options.high_watermark",
	"stomp.tcp_listen_options.keepalive",
	"stomp.tcp_listen_options.linger.on",
	"stomp.tcp_listen_options.linger.timeout",
	"stomp.tcp_listen_options.low_msgq_watermark",
	"stomp.tcp_listen_options.low_watermark",
	"stomp.tcp_listen_options.nodelay",
	"stomp.tcp_listen_options.port",
	"stomp.tcp_listen_options.priority",
	"stomp.tcp_listen_options.recbuf",
	"stomp.tcp_listen_options.send_timeout",
	"stomp.tcp_listen_options.send_timeout_close",
	"stomp.tcp_listen_options.sndbuf",
	"stomp.tcp_listen_options.tos",
	"stream.advertised_host",
	"stream.advertised_port",
	"stream.advertised_tls_host",
	"stream.advertised_tls_port",
	"stream.credits_required_for_unblocking",
	"stream.frame_max",
	"stream.heartbeat",
	"stream.initial_credits",
	"stream.listeners.ssl",
	"stream.listeners.ssl.$name",
	"stream.listeners.tcp",
	"stream.listeners.tcp.$name",
	"stream.num_acceptors.ssl",
	"stream.num_acceptors.tcp",
	"stream.ssl_cert_login",
	"stream.tcp_listen_options",
	"stream.tcp_listen_options.backlog",
	"stream.tcp_listen_options.buffer",
	"stream.tcp_listen_options.delay_send",
	"stream.tcp_listen_options.dontroute",
	"stream.tcp_listen_options.exit_on_close",
	"stream.tcp_listen_options.fd",
	"stream.tcp_listen_options.high_msgq_watermark",
	"stream.tcp_listen_options.high_watermark",
	"stream.tcp_listen_options.keepalive",
	"stream.tcp_listen_options.linger.on",
	"stream.tcp_listen_options.linger.timeout",
	"stream.tcp_listen_options.low_msgq_watermark",
	"stream.tcp_listen_options.low_watermark",
	"stream.tcp_listen_options.nodelay",
	"stream.tcp_listen_options.port",
	"stream.tcp_listen_options.priority",
	"stream.tcp_listen_options.recbuf",
	"stream.tcp_listen_options.send_timeout",
	"stream.tcp_listen_options.send_timeout_close",
	"stream.tcp_listen_options.sndbuf",
	"stream.tcp_listen_options.tos",
	"sysmon_handler.thresholds.busy_ports",
	"sysmon_handler.thresholds.busy_processes",
	"sysmon_handler.triggers.distribution_port",
	"sysmon_handler.triggers.port",
	"sysmon_handler.triggers.process.garbage_collection",
	"sysmon_handler.triggers.process.heap_size",
	"sysmon_handler.triggers.process.long_scheduled_execution",
	"tcp_listen_options",
	"tcp_listen_options.backlog",
	"tcp_listen_options.buffer",
	"tcp_listen_options.delay_send",
	"tcp_listen_options.dontroute",
	"tcp_listen_options.exit_on_close",
	"tcp_listen_options.fd",
	"tcp_listen_options.high_msgq_watermark",
	"tcp_listen_options.high_watermark",
	"tcp_listen_options.keepalive",
	"tcp_listen_options.linger.on",
	"tcp_listen_options.linger.timeout",
	"tcp_listen_options.low_msgq_watermark",
	"tcp_listen_options.low_watermark",
	"tcp_listen_options.nodelay",
	"tcp_listen_options.port",
	"tcp_listen_options.priority",
	"tcp_listen_options.recbuf",
	"tcp_listen_options.send_timeout",
	"tcp_listen_options.send_timeout_close",
	"tcp_listen_options.sndbuf",
	"tcp_listen_options.tos",
	"total_memory_available_override_value",
	"trust_store.directory",
	"trust_store.providers.$name",
	"trust_store.refresh_interval",
	"trust_store.ssl_options",
	"trust_store.ssl_options.cacertfile",
	"trust_store.ssl_options.cacerts.$name",
	"trust_store.ssl_options.cert",
	"trust_store.ssl_options.certfile",
	"trust_store.ssl_options.client_renegotiation",
	"trust_store.ssl_options.crl_check",
	"trust_store.ssl_options.depth",
	"trust_store.ssl_options.dh",
	"trust_store.ssl_options.dhfile",
	"trust_store.ssl_options.fail_if_no_peer_cert",
	"trust_store.ssl_options.honor_cipher_order",
	"trust_store.ssl_options.key.DSAPrivateKey",
	"trust_store.ssl_options.key.PrivateKeyInfo",
	"trust_store.ssl_options.key.RSAPrivateKey",
	"trust_store.ssl_options.keyfile",
	"trust_store.ssl_options.log_alert",
	"trust_store.ssl_options.password",
	"trust_store.ssl_options.psk_identity",
	"trust_store.ssl_options.reuse_sessions",
	"trust_store.ssl_options.secure_renegotiate",
	"trust_store.ssl_options.verify",
	"trust_store.ssl_options.versions.$version",
	"trust_store.url",
	"vhost_restart_strategy",
	"vm_memory_calculation_strategy",
	"vm_memory_high_watermark.absolute",
	"vm_memory_high_watermark.relative",
	"vm_memory_high_watermark_paging_ratio",
	"web_mqtt.cowboy_opts.idle_timeout",
	"web_mqtt.cowboy_opts.max_empty_lines",
	"web_mqtt.cowboy_opts.max_header_name_length",
	"web_mqtt.cowboy_opts.max_header_value_length",
	"web_mqtt.cowboy_opts.max_headers",
	"web_mqtt.cowboy_opts.max_keepalive",
	"web_mqtt.cowboy_opts.max_request_line_length",
	"web_mqtt.cowboy_opts.timeout",
	"web_mqtt.max_connections",
	"web_mqtt.num_acceptors.ssl",
	"web_mqtt.num_acceptors.tcp",
	"web_mqtt.proxy_protocol",
	"web_mqtt.ssl.backlog",
	"web_mqtt.ssl.cacertfile",
	"web_mqtt.ssl.certfile",
	"web_mqtt.ssl.ciphers.$cipher",
	"web_mqtt.ssl.client_renegotiation",
	"web_mqtt.ssl.crl_check",
	"web_mqtt.ssl.depth",
	"web_mqtt.ssl.honor_cipher_order",
	"web_mqtt.ssl.honor_ecc_order",
	"web_mqtt.ssl.ip",
	"web_mqtt.ssl.keyfile",
	"web_mqtt.ssl.listener",
	"web_mqtt.ssl.password",
	"web_mqtt.ssl.port",
	"web_mqtt.ssl.reuse_sessions",
	"web_mqtt.ssl.secure_renegotiate",
	"web_mqtt.ssl.versions.$version",
	"web_mqtt.tcp.backlog",
	"web_mqtt.tcp.ip",
	"web_mqtt.tcp.listener",
	"web_mqtt.tcp.port",
	"web_mqtt.ws_opts.compress",
	"web_mqtt.ws_opts.idle_timeout",
	"web_mqtt.ws_opts.max_frame_size",
	"web_mqtt.ws_path",
	"web_stomp.cowboy_opts.idle_timeout",
	"web_stomp.cowboy_opts.max_empty_lines",
	"web_stomp.cowboy_opts.max_header_name_length",
	"web_stomp.cowboy_opts.max_header_value_length",
	"web_stomp.cowboy_opts.max_headers",
	"web_stomp.cowboy_opts.max_keepalive",
	"web_stomp.cowboy_opts.max_request_line_length",
	"web_stomp.cowboy_opts.timeout",
	"web_stomp.max_connections",
	"web_stomp.num_acceptors.ssl",
	"web_stomp.num_acceptors.tcp",
	"web_stomp.port",
	"web_stomp.proxy_protocol",
	"web_stomp.ssl.backlog",
	"web_stomp.ssl.cacertfile",
	"web_stomp.ssl.certfile",
	"web_stomp.ssl.ciphers.$cipher",
	"web_stomp.ssl.client_renegotiation",
	"web_stomp.ssl.crl_check",
	"web_stomp.ssl.depth",
	"web_stomp.ssl.honor_cipher_order",
	"web_stomp.ssl.honor_ecc_order",
	"web_stomp.ssl.ip",
	"web_stomp.ssl.keyfile",
	"web_stomp.ssl.listener",
	"web_stomp.ssl.password",
	"web_stomp.ssl.port",
	"web_stomp.ssl.reuse_sessions",
	"web_stomp.ssl.secure_renegotiate",
	"web_stomp.ssl.versions.$version",
	"web_stomp.tcp.backlog",
	"web_stomp.tcp.ip",
	"web_stomp.tcp.listener",
	"web_stomp.tcp.port",
	"web_stomp.use_http_auth",
	"web_stomp.ws_frame",
	"web_stomp.ws_opts.compress",
	"web_stomp.ws_opts.idle_timeout",
	"web_stomp.ws_opts.max_frame_size",
	"web_stomp.ws_path",
};

static const char *const *
key_table_get(size_t *n)
{
	*n = ARRAY_SIZE(key_table);
	return key_table;
}
