/* nutproto.c - NUT reply lines and host tool output; see nutproto.h. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modules/module.h"
#include "modules/nut/nutproto.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

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

/* The n-th word of l after the keyword with '=' words not counted (what
 * an operator who wrote `MONITOR ... user = pw` meant), or 0. */
static size_t
nth_value(const struct nutconf_line *l, size_t n)
{
	size_t i;

	for (i = 1; i < l->nr; i++)
		if ((l->w[i].quoted || strcmp(l->w[i].val, "=") != 0) && --n == 0)
			return i;
	return 0;
}

/* The secret words of a line, in order: the one NUT takes (MONITOR's 5th
 * word, CERTIDENT's 3rd) and, when '=' words move it, the one the
 * operator meant (mend audit counts so); k[] gets up to two indexes. */
static size_t
secret_words(const struct nutconf_line *l, size_t k[2])
{
	size_t n = 0, nut, meant;

	if (l->nr >= 2 && strcasecmp(l->w[0].val, "MONITOR") == 0)
		nut = 4;
	else if (l->nr >= 2 && strcasecmp(l->w[0].val, "CERTIDENT") == 0)
		nut = 2;
	else
		return 0;
	meant = nth_value(l, nut);
	if (nut < l->nr)
		k[n++] = nut;
	if (meant != 0 && meant != nut)
		k[n++] = meant;
	if (n == 2 && k[0] > k[1])
		nut = k[0], k[0] = k[1], k[1] = nut;
	return n;
}

void
nutproto_mask_secrets(const char *buf, size_t len, struct strbuf *out)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	size_t i, j, n, pos = 0, k[2];

	nutconf_parse(&f, buf, len);
	for (i = 0; i < f.nr; i++) {
		n = secret_words(&f.lines[i], k);
		for (j = 0; j < n; j++) {
			const struct nutconf_word *w = &f.lines[i].w[k[j]];

			strbuf_add(out, buf + pos, w->off - pos);
			strbuf_addstr(out, w->quoted ? "\"********\"" : "********");
			pos = w->end;
		}
	}
	strbuf_add(out, buf + pos, len - pos);
	nutconf_file_release(&f);
}

/* ------------------------------------------------------------------ */
/* Certificate stores                                                  */

static const char store_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"asnut() {\n"
	"  if command -v runuser >/dev/null 2>&1; then\n"
	"    runuser -u \"$u\" -- sh -c 'test -r \"$1\" && "
	"{ test ! -d \"$1\" || test -x \"$1\"; }' sh \"$1\"\n"
	"  else\n"
	"    NUTP=$1 su -p -s /bin/sh -c 'test -r \"$NUTP\" && "
	"{ test ! -d \"$NUTP\" || test -x \"$NUTP\"; }' \"$u\" "
	"</dev/null\n"
	"  fi >/dev/null 2>&1\n"
	"}\n"
	"if [ ! -e \"$p\" ]; then echo exists=0; exit 0; fi\n"
	"echo exists=1\n"
	"if [ -d \"$p\" ]; then echo is_dir=1; else echo is_dir=0; fi\n"
	"stat -L -c 'mode=%%a' -- \"$p\"; stat -L -c 'owner=%%U' -- \"$p\"\n"
	"stat -L -c 'group=%%G' -- \"$p\"\n"
	"if [ \"$(id -u)\" != 0 ] || ! id -u \"$u\" >/dev/null 2>&1; then\n"
	"  echo readable=-1\n"
	"else\n"
	"  r=1; asnut \"$p\" || r=0\n"
	"  if [ \"$k\" = nss ]; then\n"
	"    for f in cert9.db key4.db pkcs11.txt cert8.db key3.db; do\n"
	"      if [ -e \"$p/$f\" ]; then asnut \"$p/$f\" || r=0; fi\n"
	"    done\n"
	"  fi\n"
	"  echo readable=$r\n"
	"fi\n"
	"case $k in\n"
	"nss)\n"
	"  if [ -e \"$p/cert9.db\" ]; then d=\"sql:$p\"\n"
	"  elif [ -e \"$p/cert8.db\" ]; then d=\"dbm:$p\"\n"
	"  else echo has_db=0; exit 0; fi\n"
	"  echo has_db=1\n"
	"  o=$(certutil -L -d \"$d\" 2>&1); echo list_rc=$?\n"
	"  echo --certutil--; printf '%%s\\n' \"$o\" ;;\n"
	"cadir)\n"
	"  n=0\n"
	"  for f in \"$p\"/*; do\n"
	"    case ${f##*/} in\n"
	"    [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
	".[0-9]*) n=$((n + 1)) ;;\n"
	"    esac\n"
	"  done\n"
	"  echo nhashed=$n ;;\n"
	"file)\n"
	"  grep -q -e '-----BEGIN CERTIFICATE-----' -- \"$p\" 2>/dev/null && "
	"echo pem_cert=1\n"
	"  grep -q -e 'PRIVATE KEY-----' -- \"$p\" 2>/dev/null && "
	"echo pem_key=1 ;;\n"
	"esac\n"
	"exit 0\n";

static const char *const store_kinds[] = { "nss", "cadir", "file" };

void
nutproto_store_cmd(struct strbuf *cmd, enum nutproto_store_kind kind,
    const char *path, const char *user)
{
	shellcmd_build(cmd, "p=%q; u=%q; k=%q\n", path, user,
	    store_kinds[kind]);
	shellcmd_build(cmd, store_script);
}

static void
store_kv(struct nutproto_store *st, const char *k, const char *v)
{
	static const struct { const char *key; size_t off; } ints[] = {
		{ "exists", offsetof(struct nutproto_store, exists) },
		{ "is_dir", offsetof(struct nutproto_store, is_dir) },
		{ "readable", offsetof(struct nutproto_store, readable) },
		{ "has_db", offsetof(struct nutproto_store, has_db) },
		{ "list_rc", offsetof(struct nutproto_store, list_rc) },
		{ "nhashed", offsetof(struct nutproto_store, nhashed) },
		{ "pem_cert", offsetof(struct nutproto_store, pem_cert) },
		{ "pem_key", offsetof(struct nutproto_store, pem_key) },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ints); i++)
		if (strcmp(k, ints[i].key) == 0)
			*(int *)(void *)((char *)st + ints[i].off) = atoi(v);
	if (strcmp(k, "mode") == 0)
		st->mode = (unsigned)strtoul(v, NULL, 8);
	else if (strcmp(k, "owner") == 0)
		snprintf(st->owner, sizeof(st->owner), "%s", v);
	else if (strcmp(k, "group") == 0)
		snprintf(st->group, sizeof(st->group), "%s", v);
}

int
nutproto_store_parse(const char *out, struct nutproto_store *st)
{
	const char *p = out;
	int seen = 0;

	memset(st, 0, sizeof(*st));
	st->readable = -1;
	st->list_rc = -1;
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		const char *eq = memchr(p, '=', len);

		if (len == 12 && memcmp(p, "--certutil--", 12) == 0) {
			st->ncerts = nutproto_certutil_list(p + len, &st->certs);
			st->listed = st->list_rc == 0 && st->ncerts >= 0;
			if (st->ncerts < 0)
				st->ncerts = 0;
			break;
		}
		if (eq != NULL && (size_t)(eq - p) < 16) {
			char k[16], *v = xstrndup(eq + 1, len - (size_t)(eq - p)
			    - 1);

			memcpy(k, p, (size_t)(eq - p));
			k[eq - p] = '\0';
			seen |= strcmp(k, "exists") == 0;
			store_kv(st, k, v);
			free(v);
		}
		p += len + (p[len] == '\n');
	}
	if (!seen)                 /* not the script's: nothing kept */
		nutproto_store_release(st);
	return seen ? 0 : -1;
}

void
nutproto_store_release(struct nutproto_store *st)
{
	nutproto_certs_free(st->certs, st->ncerts);
	st->certs = NULL;
	st->ncerts = 0;
}

int
nutproto_store_ca_problem(const struct nutproto_store *st,
    enum nutproto_store_kind kind, const char *path, struct strbuf *sb)
{
	if (!st->exists)
		strbuf_addf(sb, "CERTPATH %s does not exist", path);
	else if (!st->is_dir)
		strbuf_addf(sb, "CERTPATH %s is not a directory", path);
	else if (st->readable == 0)
		strbuf_addf(sb, "CERTPATH %s is not readable by the NUT user "
		    "(upsmon reads it after dropping privileges: root:nut, "
		    "0750 directory, 0640 files)", path);
	else if (kind == NUTPROTO_STORE_NSS && !st->has_db)
		strbuf_addf(sb, "CERTPATH %s holds no NSS database (cert9.db)",
		    path);
	else if (kind == NUTPROTO_STORE_NSS && st->list_rc == 127)
		strbuf_addf(sb, "certutil is not installed on the host "
		    "(libnss3-tools): cannot check that CERTPATH %s holds a CA",
		    path);
	else if (kind == NUTPROTO_STORE_NSS && !st->listed)
		strbuf_addf(sb, "certutil -L cannot read the NSS database in "
		    "CERTPATH %s", path);
	else if (kind == NUTPROTO_STORE_NSS && nutproto_find_trusted(st->certs,
	    st->ncerts, nutproto_trust_ssl_ca) == NULL)
		strbuf_addf(sb, "CERTPATH %s holds no CA trusted for servers "
		    "(NSS trust \"CT,,\")", path);
	else if (kind == NUTPROTO_STORE_CADIR && st->nhashed == 0)
		strbuf_addf(sb, "CERTPATH %s holds no hashed CA certificate "
		    "(openssl rehash)", path);
	else
		return 0;
	return -1;
}

/* NUT's configs: upsmon.conf, upsd.conf, and any *.conf under a "nut"
 * directory (for `mend show` and every diff: module.h). */
static int
nut_applies(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	return strcmp(base, "upsmon.conf") == 0 ||
	    strcmp(base, "upsd.conf") == 0 || (strstr(path, "/nut/") != NULL &&
	    n > 5 && strcmp(base + n - 5, ".conf") == 0);
}

const struct secret_masker masker_nut = { nut_applies, nutproto_mask_secrets };
