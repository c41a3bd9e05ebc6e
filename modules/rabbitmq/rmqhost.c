/* rmqhost.c - RabbitMQ host facts as pure functions; see rmqhost.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqhost.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define LINE_MAX_SHOWN 300

/* ============================================== rabbitmq-env.conf */

static int
is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

static int
is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

static int
is_word_end(int c)
{
	return c == ' ' || c == '\t' || c == ';' || c == '&' || c == '|' ||
	    c == '\r';
}

/* One sh word starting at s[0..n): unquoted into out; returns bytes used.
 * *dynamic is set when it uses $ or ` (or a quote is not closed). */
static size_t
sh_word(const char *s, size_t n, struct strbuf *out, int *dynamic)
{
	size_t i = 0;
	char q = 0;

	while (i < n && (q || !is_word_end((unsigned char)s[i]))) {
		char c = s[i++];

		if (q == '\'' && c == '\'') {
			q = 0;
		} else if (q == '\'') {
			strbuf_addch(out, c);
		} else if (c == '\\' && i < n && (!q ||
		    strchr("$`\"\\", s[i]) != NULL)) {
			strbuf_addch(out, s[i++]);
		} else if (q == '"' && c == '"') {
			q = 0;
		} else if (!q && (c == '\'' || c == '"')) {
			q = c;
		} else {
			if (c == '$' || c == '`')
				*dynamic = 1;
			strbuf_addch(out, c);
		}
	}
	if (q)
		*dynamic = 1;
	return i;
}

static void
env_add(struct rmq_env *env, const char *name, size_t nlen,
    struct strbuf *value, int line, int dynamic)
{
	struct rmq_env_var *v;

	if (nlen > 9 && memcmp(name, "RABBITMQ_", 9) == 0) {
		name += 9;
		nlen -= 9;
	}
	if (env->n == env->alloc) {
		env->alloc = env->alloc ? env->alloc * 2 : 8;
		env->v = xrealloc(env->v, env->alloc * sizeof(*env->v));
	}
	v = &env->v[env->n++];
	v->name = xstrndup(name, nlen);
	v->value = strbuf_detach(value, NULL);
	v->line = line;
	v->dynamic = dynamic;
}

static void
env_line(struct rmq_env *env, const char *s, size_t n, int line)
{
	struct strbuf value = STRBUF_INIT;
	size_t i = 0, name;
	int dynamic = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i > 7 && memcmp(s + i, "export", 6) == 0 &&
	    (s[i + 6] == ' ' || s[i + 6] == '\t')) {
		i += 6;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	if (i == n || !is_name_start((unsigned char)s[i]))
		return;
	name = i;
	while (i < n && is_name_char((unsigned char)s[i]))
		i++;
	if (i == n || s[i] != '=')
		return;
	sh_word(s + i + 1, n - i - 1, &value, &dynamic);
	env_add(env, s + name, i - name, &value, line, dynamic);
	strbuf_release(&value);
}

void
rmq_env_parse(struct rmq_env *env, const char *buf, size_t len)
{
	size_t off = 0;
	int line = 0;

	memset(env, 0, sizeof(*env));
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		env_line(env, buf + off, n, ++line);
		off += n + 1;
	}
}

void
rmq_env_release(struct rmq_env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		free(env->v[i].name);
		free(env->v[i].value);
	}
	free(env->v);
	memset(env, 0, sizeof(*env));
}

const struct rmq_env_var *
rmq_env_get(const struct rmq_env *env, const char *name)
{
	size_t i;

	if (strncmp(name, "RABBITMQ_", 9) == 0)
		name += 9;
	for (i = env->n; i > 0; i--)
		if (strcmp(env->v[i - 1].name, name) == 0)
			return &env->v[i - 1];
	return NULL;
}

/* ============================================= main config file */

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

char *
rmq_main_stem(const char *base)
{
	size_t n = strlen(base);

	if (ends_with(base, ".conf"))
		return xstrndup(base, n - 5);
	if (ends_with(base, ".config"))
		return xstrndup(base, n - 7);
	return xstrdup(base);
}

void
rmq_main_resolve(const char *base, const struct rmq_main_probe *pr,
		 struct rmq_main *out)
{
	char *stem;

	memset(out, 0, sizeof(*out));
	if (pr->base_is_file) {
		out->path = xstrdup(base);
		if (ends_with(base, ".conf"))
			out->format = RMQ_MAIN_CONF;
		else if (ends_with(base, ".config") || pr->base_erlang)
			out->format = RMQ_MAIN_LEGACY;
		else
			out->format = RMQ_MAIN_CONF;
		return;
	}
	stem = rmq_main_stem(base);
	if (pr->config_exists) {
		out->path = xasprintf("%s.config", stem);
		out->format = RMQ_MAIN_LEGACY;
		if (pr->conf_exists)
			out->ignored = xasprintf("%s.conf", stem);
	} else {
		out->path = xasprintf("%s.conf", stem);
		out->format = RMQ_MAIN_CONF;
	}
	free(stem);
}

void
rmq_main_release(struct rmq_main *m)
{
	free(m->path);
	free(m->ignored);
	memset(m, 0, sizeof(*m));
}

/* ================================================ TLS pre-flight */

static const char preflight_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"if id -u \"$u\" >/dev/null 2>&1; then echo user=1; hu=1; "
	"else echo user=0; hu=0; fi\n"
	"if [ \"$(id -u)\" = 0 ]; then echo root=1; r=1; "
	"else echo root=0; r=0; fi\n"
	"asuser() {\n"
	"  if command -v runuser >/dev/null 2>&1; then\n"
	"    runuser -u \"$u\" -- test -r \"$1\"\n"
	"  else\n"
	"    RMQP=$1 su -p -s /bin/sh -c 'test -r \"$RMQP\"' \"$u\" </dev/null\n"
	"  fi >/dev/null 2>&1\n"
	"}\n"
	"chk() {\n"
	"  if [ ! -e \"$2\" ]; then echo \"$1_exists=0\"; return; fi\n"
	"  echo \"$1_exists=1\"\n"
	"  if [ -f \"$2\" ]; then echo \"$1_regular=1\"; "
	"else echo \"$1_regular=0\"; fi\n"
	"  stat -L -c \"$1_mode=%a\" \"$2\"; stat -L -c \"$1_owner=%U\" \"$2\"\n"
	"  stat -L -c \"$1_group=%G\" \"$2\"\n"
	"  if [ $r = 1 ] && [ $hu = 1 ]; then\n"
	"    if asuser \"$2\"; then echo \"$1_readable=1\"; "
	"else echo \"$1_readable=0\"; fi\n"
	"  else echo \"$1_readable=-1\"; fi\n"
	"}\n"
	"chk ca \"$ca\"; chk cert \"$cert\"; chk key \"$key\"\n"
	"if ! command -v openssl >/dev/null 2>&1; then echo openssl=0; "
	"echo end=1; exit 0; fi\n"
	"echo openssl=1\n"
	"if [ -f \"$ca\" ]; then\n"
	"  if openssl x509 -in \"$ca\" -noout >/dev/null 2>&1; then "
	"echo ca_ok=1; else echo ca_ok=0; fi\n"
	"fi\n"
	"cpub=\n"
	"if [ -f \"$cert\" ] && openssl x509 -in \"$cert\" -noout "
	">/dev/null 2>&1; then\n"
	"  echo cert_ok=1\n"
	"  s=$(openssl x509 -in \"$cert\" -noout -subject -nameopt RFC2253 "
	"2>/dev/null | sed -n 's/^subject= *//p' | head -n 1)\n"
	"  echo \"subject=$s\"\n"
	"  na=$(openssl x509 -in \"$cert\" -noout -enddate 2>/dev/null | "
	"sed -n 's/^notAfter=//p')\n"
	"  nb=$(openssl x509 -in \"$cert\" -noout -startdate 2>/dev/null | "
	"sed -n 's/^notBefore=//p')\n"
	"  echo \"not_after=$na\"\n"
	"  if openssl x509 -in \"$cert\" -noout -checkend 0 >/dev/null 2>&1; "
	"then echo expired=0; else echo expired=1; fi\n"
	"  now=$(date +%s)\n"
	"  e=$(date -d \"$na\" +%s 2>/dev/null) && "
	"echo \"days_left=$(( (e - now) / 86400 ))\"\n"
	"  if b=$(date -d \"$nb\" +%s 2>/dev/null); then\n"
	"    if [ \"$b\" -gt \"$now\" ]; then echo not_yet_valid=1; "
	"else echo not_yet_valid=0; fi\n"
	"  fi\n"
	"  cpub=$(openssl x509 -in \"$cert\" -noout -pubkey 2>/dev/null)\n"
	"  if [ -f \"$ca\" ]; then\n"
	"    if v=$(openssl verify -CAfile \"$ca\" \"$cert\" 2>&1); then "
	"echo chain_ok=1\n"
	"    else echo chain_ok=0; printf '%s\\n' \"$v\" | "
	"sed -n 's/^.*error [0-9]* at [0-9]* depth lookup: */chain_error=/p' | "
	"head -n 1; fi\n"
	"  fi\n"
	"elif [ -f \"$cert\" ]; then echo cert_ok=0; fi\n"
	"if [ -f \"$key\" ]; then\n"
	"  kpub=$(openssl pkey -in \"$key\" -passin pass: -pubout "
	"2>/dev/null </dev/null)\n"
	"  if [ -z \"$kpub\" ]; then echo key_ok=0\n"
	"  else\n"
	"    echo key_ok=1\n"
	"    if [ -n \"$cpub\" ]; then\n"
	"      if [ \"$kpub\" = \"$cpub\" ]; then echo key_match=1; "
	"else echo key_match=0; fi\n"
	"    fi\n"
	"  fi\n"
	"fi\n"
	"echo end=1\n";

void
rmq_preflight_cmd(struct strbuf *cmd, const char *user, const char *ca,
		  const char *cert, const char *key)
{
	shellcmd_build(cmd, "u=%q; ca=%q; cert=%q; key=%q\n", user, ca, cert,
	    key);
	strbuf_addstr(cmd, preflight_script);
}

enum pf_kind { PF_INT, PF_STR };

struct pf_field {
	const char *key;
	enum pf_kind kind;
	size_t off, size;
};

#define PF_I(k, f) { k, PF_INT, offsetof(struct rmq_preflight, f), 0 }
#define PF_S(k, f) { k, PF_STR, offsetof(struct rmq_preflight, f), \
	sizeof(((struct rmq_preflight *)0)->f) }
#define PF_FILE(p, f) \
	PF_I(p "_exists", f.exists), PF_I(p "_regular", f.regular), \
	PF_I(p "_readable", f.readable), PF_S(p "_mode", f.mode), \
	PF_S(p "_owner", f.owner), PF_S(p "_group", f.group)

static const struct pf_field pf_fields[] = {
	PF_I("end", complete), PF_I("user", user_exists), PF_I("root", as_root),
	PF_FILE("ca", ca), PF_FILE("cert", cert), PF_FILE("key", key),
	PF_I("openssl", openssl), PF_I("ca_ok", ca_ok),
	PF_I("cert_ok", cert_ok), PF_I("key_ok", key_ok),
	PF_I("key_match", key_match), PF_I("expired", expired),
	PF_I("not_yet_valid", not_yet_valid), PF_I("days_left", days_left),
	PF_I("chain_ok", chain_ok), PF_S("subject", subject),
	PF_S("not_after", not_after), PF_S("chain_error", chain_error),
};

static void
pf_set(struct rmq_preflight *p, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	size_t i, k, vlen;
	char *base = (char *)p;

	if (eq == NULL)
		return;
	k = (size_t)(eq - line);
	vlen = len - k - 1;
	for (i = 0; i < ARRAY_SIZE(pf_fields); i++) {
		const struct pf_field *f = &pf_fields[i];
		char *v;

		if (strlen(f->key) != k || memcmp(f->key, line, k) != 0)
			continue;
		v = xstrndup(eq + 1, vlen);
		if (f->kind == PF_STR) {
			if (vlen >= f->size)
				vlen = f->size - 1;
			memcpy(base + f->off, v, vlen);
			base[f->off + vlen] = '\0';
		} else if (strcmp(f->key, "days_left") == 0) {
			p->days_left = strtol(v, NULL, 10);
			p->have_days = 1;
		} else {
			*(int *)(void *)(base + f->off) = atoi(v);
		}
		free(v);
		return;
	}
}

int
rmq_preflight_parse(const char *out, struct rmq_preflight *p)
{
	const char *s = out;

	memset(p, 0, sizeof(*p));
	p->ca.readable = p->cert.readable = p->key.readable = -1;
	p->ca_ok = p->cert_ok = p->key_ok = p->key_match = -1;
	p->expired = p->not_yet_valid = p->chain_ok = -1;
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");

		pf_set(p, s, n > 0 && s[n - 1] == '\r' ? n - 1 : n);
		s += n + (s[n] == '\n');
	}
	return p->complete ? 0 : -1;
}

struct pf_ctx {
	const struct rmq_preflight *p;
	const char *user;
	struct strbuf *problems, *notes;
	size_t n;
};

static void
problem(struct pf_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
problem(struct pf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(c->problems, fmt, ap);
	va_end(ap);
	strbuf_addch(c->problems, '\n');
	c->n++;
}

static void
note(struct pf_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(struct pf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->notes == NULL)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(c->notes, fmt, ap);
	va_end(ap);
	strbuf_addch(c->notes, '\n');
}

/* 0 when the file can be used further (exists, regular, readable). */
static int
file_problems(struct pf_ctx *c, const struct rmq_pf_file *f, const char *key,
    const char *path)
{
	if (!f->exists) {
		problem(c, "ssl_options.%s: %s does not exist", key, path);
		return -1;
	}
	if (!f->regular) {
		problem(c, "ssl_options.%s: %s is not a regular file", key, path);
		return -1;
	}
	if (f->readable == 0) {
		problem(c, "ssl_options.%s: %s is not readable by user '%s' "
		    "(mode %s, owner %s:%s): the broker would refuse to boot "
		    "('ssl_options.%s invalid, file does not exist or cannot be "
		    "read by the node')", key, path, c->user, f->mode, f->owner,
		    f->group, key);
		return -1;
	}
	if (f->readable < 0)
		note(c, "ssl_options.%s: whether user '%s' can read %s was not "
		    "checked (the check needs root)", key, c->user, path);
	return 0;
}

static void
cert_problems(struct pf_ctx *c, const char *cert, int cert_usable)
{
	const struct rmq_preflight *p = c->p;

	if (!cert_usable)
		return;
	if (p->cert_ok == 0) {
		problem(c, "ssl_options.certfile: %s does not hold a PEM "
		    "certificate", cert);
		return;
	}
	if (p->expired == 1)
		problem(c, "ssl_options.certfile: the certificate in %s (%s) "
		    "expired on %s", cert, p->subject, p->not_after);
	if (p->not_yet_valid == 1)
		problem(c, "ssl_options.certfile: the certificate in %s (%s) "
		    "is not valid yet", cert, p->subject);
}

size_t
rmq_preflight_problems(const struct rmq_preflight *p, const char *user,
		       const char *ca, const char *cert, const char *key,
		       struct strbuf *problems, struct strbuf *notes)
{
	struct pf_ctx c = { p, user, problems, notes, 0 };
	int ca_u, cert_u, key_u;

	if (!p->complete)
		problem(&c, "the pre-flight check on the host did not finish");
	if (p->as_root && !p->user_exists)
		problem(&c, "user '%s' does not exist on the host", user);
	ca_u = file_problems(&c, &p->ca, "cacertfile", ca) == 0;
	cert_u = file_problems(&c, &p->cert, "certfile", cert) == 0;
	key_u = file_problems(&c, &p->key, "keyfile", key) == 0;
	if (p->complete && !p->openssl) {
		problem(&c, "openssl is not installed on the host: cannot check "
		    "that the key matches the certificate");
		return c.n;
	}
	if (ca_u && p->ca_ok == 0)
		problem(&c, "ssl_options.cacertfile: %s does not hold a PEM "
		    "certificate", ca);
	cert_problems(&c, cert, cert_u);
	if (key_u && p->key_ok == 0)
		problem(&c, "ssl_options.keyfile: %s is not a PEM private key "
		    "readable without a passphrase", key);
	if (p->key_match == 0)
		problem(&c, "ssl_options.keyfile: the key in %s does not belong "
		    "to the certificate in %s (their public keys differ)", key,
		    cert);
	if (p->chain_ok == 0)
		note(&c, "the certificate in %s does not verify against %s%s%s: "
		    "clients that trust only that CA will refuse it", cert, ca,
		    p->chain_error[0] ? ": " : "", p->chain_error);
	return c.n;
}

/* ===================================================== boot logs */

/* "2026-11-22 13:27:51.015285+00:00 [error] <0.132.0> MSG": level and the
 * offset of MSG, or 0 when the line does not have the prefix. */
static size_t
log_prefix(const char *s, size_t n, char *level, size_t lsize)
{
	size_t i = 0, l;

	if (n < 12 || !isdigit((unsigned char)s[0]) || s[4] != '-' ||
	    s[7] != '-' || (s[10] != ' ' && s[10] != 'T'))
		return 0;
	i = 11;
	while (i < n && s[i] != ' ')
		i++;
	if (i + 2 >= n || s[i + 1] != '[')
		return 0;
	i += 2;
	for (l = 0; i < n && s[i] != ']'; i++)
		if (l + 1 < lsize)
			level[l++] = s[i];
	level[l] = '\0';
	if (i + 1 >= n || s[i + 1] != ' ')
		return i + 1 >= n ? n : 0;
	i += 2;
	if (i < n && s[i] == '<') {
		while (i < n && s[i] != '>')
			i++;
		i += i < n;
		i += i < n && s[i] == ' ';
	}
	return i;
}

static size_t
count_lines(const struct strbuf *sb)
{
	size_t i, n = 0;

	for (i = 0; i < sb->len; i++)
		n += sb->buf[i] == '\n';
	return n;
}

static int
has_line(const struct strbuf *sb, const char *s, size_t n)
{
	const char *p = sb->buf, *end = sb->buf + sb->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len == n && memcmp(p, s, n) == 0)
			return 1;
		p += len + 1;
	}
	return 0;
}

static void
add_line(struct strbuf *lines, const char *s, size_t n, size_t max)
{
	struct strbuf one = STRBUF_INIT;

	if (n > LINE_MAX_SHOWN) {
		strbuf_add(&one, s, LINE_MAX_SHOWN);
		strbuf_addstr(&one, "...");
	} else {
		strbuf_add(&one, s, n);
	}
	if (count_lines(lines) < max && !has_line(lines, one.buf, one.len)) {
		strbuf_addbuf(lines, &one);
		strbuf_addch(lines, '\n');
	}
	strbuf_release(&one);
}

static int
all_rule(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '=')
			return 0;
	return n > 0;
}

/* The message of one line worth showing: [*s, *s + *n), or 0. */
static int
keep_message(const char **s, size_t *n, int logfmt)
{
	const char *m = *s;
	size_t len = *n;

	while (len > 0 && (m[len - 1] == ' ' || m[len - 1] == '\t'))
		len--;
	if (len > 0 && (m[0] == ' ' || m[0] == '\t')) {
		while (len > 0 && (m[0] == ' ' || m[0] == '\t')) {
			m++;
			len--;
		}
		if (!logfmt || len < 2 || m[0] != '-' || m[1] != ' ')
			return 0;
	}
	if (len == 0 || all_rule(m, len) ||
	    (len >= 12 && memcmp(m, "Did you mean", 12) == 0))
		return 0;
	if (!logfmt && !(len == 11 && memcmp(m, "BOOT FAILED", 11) == 0) &&
	    (len < 21 || memcmp(m, "Error during startup:", 21) != 0))
		return 0;
	*s = m;
	*n = len;
	return 1;
}

static int
is_boot_failed(const char *s, size_t n)
{
	while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == 11 && memcmp(s, "BOOT FAILED", 11) == 0;
}

static int
scan_line(const char *s, size_t n, struct strbuf *lines, size_t max,
    int *completed)
{
	char level[16];
	size_t off = log_prefix(s, n, level, sizeof(level));
	const char *m = s + off;
	size_t len = n - off;

	if (memmem(s, n, "Starting broker... completed", 28) != NULL)
		*completed = 1;
	if (off > 0 && strcmp(level, "error") != 0)
		return 0;
	if (is_boot_failed(m, len)) {
		add_line(lines, "BOOT FAILED", 11, max);
		return 1;
	}
	if (keep_message(&m, &len, off > 0))
		add_line(lines, m, len, max);
	return 0;
}

int
rmq_boot_scan(const char *buf, size_t len, struct strbuf *lines,
	      size_t max, int *completed)
{
	size_t off = 0;
	int failed = 0, done = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		size_t k = n > 0 && buf[off + n - 1] == '\r' ? n - 1 : n;

		failed |= scan_line(buf + off, k, lines, max, &done);
		off += n + 1;
	}
	if (completed != NULL)
		*completed = done;
	return failed;
}
