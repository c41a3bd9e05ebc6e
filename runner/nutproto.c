/* nutproto.c - NUT reply lines and host tool output; see nutproto.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "nutproto.h"
#include "banned.h"

/* ------------------------------------------------------------------ */
/* Reply lines                                                         */

int
nutproto_take_line(struct strbuf *in, struct strbuf *line)
{
	const char *nl = memchr(in->buf, '\n', in->len);
	size_t n, rest;

	if (nl == NULL)
		return in->len > NUTPROTO_MAX_LINE ? -1 : 0;
	n = (size_t)(nl - in->buf);
	if (n > NUTPROTO_MAX_LINE)
		return -1;
	strbuf_reset(line);
	strbuf_add(line, in->buf, n > 0 && nl[-1] == '\r' ? n - 1 : n);
	rest = in->len - n - 1;
	memmove(in->buf, nl + 1, rest);
	strbuf_setlen(in, rest);
	return 1;
}

static int
starts_word(const char *line, const char *w)
{
	size_t n = strlen(w);

	return strncmp(line, w, n) == 0 && (line[n] == '\0' ||
	    line[n] == ' ' || line[n] == '\t');
}

enum nutproto_kind
nutproto_classify(const char *line, char *code, size_t codesz)
{
	const char *p;
	size_t n;

	if (starts_word(line, "OK"))
		return NUTPROTO_OK;
	if (!starts_word(line, "ERR"))
		return NUTPROTO_DATA;
	p = line + 3;
	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	if (codesz > 0) {
		if (n >= codesz)
			n = codesz - 1;
		memcpy(code, p, n);
		code[n] = '\0';
	}
	return NUTPROTO_ERR;
}

static const struct {
	const char *code, *text;
} err_texts[] = {
	{ "FEATURE-NOT-CONFIGURED", "upsd has no usable TLS certificate: "
	  "CERTPATH/CERTIDENT or CERTFILE missing or wrong" },
	{ "FEATURE-NOT-SUPPORTED", "upsd was built without SSL support" },
	{ "ALREADY-SSL-MODE", "the connection is already in TLS mode" },
	{ "ACCESS-DENIED", "access denied" },
	{ "UNKNOWN-UPS", "no such UPS on this server" },
	{ "VAR-NOT-SUPPORTED", "the UPS does not report this variable" },
	{ "DATA-STALE", "the driver's data is stale" },
	{ "DRIVER-NOT-CONNECTED", "upsd cannot reach the UPS driver" },
	{ "UNKNOWN-COMMAND", "upsd does not know the request" },
	{ "INVALID-ARGUMENT", "invalid argument" },
};

const char *
nutproto_err_text(const char *code)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(err_texts); i++)
		if (strcmp(code, err_texts[i].code) == 0)
			return err_texts[i].text;
	return NULL;
}

/* One word starting at *pp; 0, or -1 on an unterminated quote. */
static int
take_word(const char **pp, struct strbuf *w)
{
	const char *p = *pp;
	int quoted = *p == '"';

	if (quoted)
		p++;
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			strbuf_addch(w, *++p);
			continue;
		}
		if (quoted ? *p == '"' : (*p == ' ' || *p == '\t'))
			break;
		strbuf_addch(w, *p);
	}
	if (quoted && *p != '"')
		return -1;
	*pp = quoted ? p + 1 : p;
	return 0;
}

int
nutproto_split(const char *line, char ***words)
{
	struct strbuf w = STRBUF_INIT;
	char **v = NULL;
	size_t n = 0, alloc = 0;
	const char *p = line;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		strbuf_reset(&w);
		if (take_word(&p, &w) < 0) {
			nutproto_words_free(v, (int)n);
			strbuf_release(&w);
			return -1;
		}
		ALLOC_GROW(v, n + 1, alloc);
		v[n++] = xstrdup(w.buf);
	}
	strbuf_release(&w);
	*words = v;
	return (int)n;
}

void
nutproto_words_free(char **words, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

int
nutproto_parse_ups(const char *line, char **name, char **desc)
{
	char **w;
	int n = nutproto_split(line, &w), ret = -1;

	if (n == 3 && strcmp(w[0], "UPS") == 0) {
		*name = xstrdup(w[1]);
		*desc = xstrdup(w[2]);
		ret = 0;
	}
	if (n >= 0)
		nutproto_words_free(w, n);
	return ret;
}

int
nutproto_parse_var(const char *line, const char *ups, const char *var,
    char **value)
{
	char **w;
	int n = nutproto_split(line, &w), ret = -1;

	if (n == 4 && strcmp(w[0], "VAR") == 0 && strcmp(w[1], ups) == 0 &&
	    strcmp(w[2], var) == 0) {
		*value = xstrdup(w[3]);
		ret = 0;
	}
	if (n >= 0)
		nutproto_words_free(w, n);
	return ret;
}

int
nutproto_upsname_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
		    c == '@' || c == '#')
			return 0;
	}
	return 1;
}

int
nutproto_parse_version(const char *text, char *out, size_t outsz)
{
	const char *p = text;

	if (outsz > 0)
		out[0] = '\0';
	while (*p != '\0') {
		size_t n;

		p += strspn(p, " \t\r\n");
		n = strcspn(p, " \t\r\n");
		if (n > 0 && isdigit((unsigned char)*p) &&
		    memchr(p, '.', n) != NULL) {
			if (outsz == 0)
				return 0;
			if (n >= outsz)
				n = outsz - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p += n;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Host tool output                                                    */

/* Does some word of text start with name (a library file name, followed
 * by end of word or by a version suffix that does not continue the name)? */
static int
names_lib(const char *text, const char *name)
{
	const char *p = text;
	size_t n = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		int start = p == text || strchr(" \t\n/", p[-1]) != NULL;
		char next = p[n];

		if (start && (next == '\0' || next == ' ' || next == '\t' ||
		    next == '\n' || next == '.'))
			return 1;
		p += n;
	}
	return 0;
}

enum nutconf_backend
nutproto_ldd_backend(const char *ldd_out)
{
	if (names_lib(ldd_out, "libnss3.so"))
		return NUTCONF_BACKEND_NSS;
	if (names_lib(ldd_out, "libssl.so"))
		return NUTCONF_BACKEND_OPENSSL;
	return NUTCONF_BACKEND_UNKNOWN;
}

const char *
nutproto_backend_name(enum nutconf_backend be)
{
	switch (be) {
	case NUTCONF_BACKEND_NSS:
		return "nss";
	case NUTCONF_BACKEND_OPENSSL:
		return "openssl";
	default:
		return "none";
	}
}

/* Split an item line into nickname and trust; 0, or -1 if not an item. */
static int
cert_item(const char *p, size_t len, struct nutproto_cert *c)
{
	size_t end = len, tstart, nend;

	while (end > 0 && isspace((unsigned char)p[end - 1]))
		end--;
	tstart = end;
	while (tstart > 0 && !isspace((unsigned char)p[tstart - 1]))
		tstart--;
	nend = tstart;
	while (nend > 0 && isspace((unsigned char)p[nend - 1]))
		nend--;
	if (nend == 0 || tstart == end || memchr(p + tstart, ',',
	    end - tstart) == NULL)
		return -1;
	c->nick = xstrndup(p, nend);
	c->trust = xstrndup(p + tstart, end - tstart);
	return 0;
}

int
nutproto_certutil_list(const char *out, struct nutproto_cert **certs)
{
	struct nutproto_cert *v = NULL;
	size_t n = 0, alloc = 0;
	const char *p = out, *hdr = strstr(out, "Certificate Nickname");
	const char *sub;

	*certs = NULL;
	if (hdr == NULL || (sub = strstr(hdr, "SSL,S/MIME,JAR/XPI")) == NULL)
		return -1;
	p = sub + strlen("SSL,S/MIME,JAR/XPI");
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		struct nutproto_cert c;

		if (cert_item(p, len, &c) == 0) {
			ALLOC_GROW(v, n + 1, alloc);
			v[n++] = c;
		}
		p += len + (p[len] == '\n');
	}
	*certs = v;
	return (int)n;
}

void
nutproto_certs_free(struct nutproto_cert *certs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(certs[i].nick);
		free(certs[i].trust);
	}
	free(certs);
}

static int
ssl_field_has(const char *trust, char flag)
{
	size_t n = strcspn(trust, ",");

	return memchr(trust, flag, n) != NULL;
}

int
nutproto_trust_ssl_ca(const char *trust)
{
	return ssl_field_has(trust, 'C');
}

int
nutproto_trust_has_key(const char *trust)
{
	return ssl_field_has(trust, 'u');
}

const char *
nutproto_find_trusted(const struct nutproto_cert *certs, int n,
    int (*trust_fn)(const char *trust))
{
	int i;

	for (i = 0; i < n; i++)
		if (trust_fn(certs[i].trust))
			return certs[i].nick;
	return NULL;
}

/* The value of a MODE= assignment line, unquoted, into out. */
static int
mode_value(const char *p, size_t len, char *out, size_t outsz)
{
	size_t n = 0;
	char q = 0;

	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	if (len < 5 || memcmp(p, "MODE=", 5) != 0)
		return -1;
	p += 5, len -= 5;
	if (len > 0 && (*p == '"' || *p == '\''))
		q = *p++, len--;
	while (n < len && (q ? p[n] != q : !isspace((unsigned char)p[n]) &&
	    p[n] != '#' && p[n] != ';'))
		n++;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
nutproto_nut_mode(const char *text, size_t len, char *out, size_t outsz)
{
	const char *p = text, *end = text + len;
	int found = -1;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (mode_value(p, n, out, outsz) == 0)
			found = 0;
		p += n + 1;
	}
	if (found < 0)
		out[0] = '\0';
	return found;
}
