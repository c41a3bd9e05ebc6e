/*
 * nut_probe.c - live smoke test of a NUT server (upsd) as the host sees it.
 *
 * From the controller, through the host's existing SSH connection (a
 * libssh direct-tcpip channel to host:port as the host resolves it,
 * default 127.0.0.1:3493; a plain socket for local connections), speak the
 * NUT protocol (modules/nut/nutproto.h):
 *
 *   STARTTLS           -> "OK STARTTLS", else the exact ERR and what it means
 *   TLS handshake      OpenSSL, verified against ca_file (a controller
 *                      file) and, unless verify_hostname is off, the
 *                      expected name (runner/transport/tls.h)
 *   VER, LIST UPS      over TLS
 *   GET VAR <ups> ups.status   for each UPS asked, polled while "WAIT"
 *   LOGOUT
 *
 * With starttls: false only VER and LIST UPS in plaintext (a status check
 * before the fix).  Nothing is installed on the host, no port is opened to
 * the controller.  Several servers can be probed in one task (`servers`,
 * e.g. nut_facts' upsmon.servers); each step of each server is reported.
 * Read-only: runs in check mode too.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modules/module.h"
#include "modules/nut/nutproto.h"
#include "runner/transport/tls.h"
#include "runner/util/clock.h"
#include "runner/util/banned.h"

#define POLL_MS 500

/* One server to probe. */
struct target {
	char *host;
	int port;
	char *name;            /* expected certificate name, NULL = host */
	struct val *ups;       /* list of UPS names (strings) */
};

/* One protocol session with a server. */
struct sess {
	struct modctx *ctx;
	const struct val *args;
	const struct target *tg;
	struct tstream *s;
	struct tls_conn *tls;
	struct strbuf in;      /* received bytes not yet taken as a line */
	long long deadline;    /* monotonic ms */
	int timeout_s;
	struct val *res;       /* this server's result map */
	struct val *steps;     /* its list of steps */
	struct strbuf why;     /* first failure, for the message */
	int transport_err;     /* TERR_UNREACHABLE: the SSH connection broke */
};

static int
left_ms(const struct sess *s)
{
	long long l = s->deadline - mono_ms();

	return l < 0 ? 0 : (int)l;
}

static void
step(struct sess *s, const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
step(struct sess *s, const char *name, int ok, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct val *m = val_map();
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	val_map_set(m, "step", val_str(name));
	val_map_set(m, "ok", val_bool(ok));
	val_map_set(m, "detail", val_str(sb.buf));
	val_list_push(s->steps, m);
	mod_log(s->ctx, 1, "%s:%d: %s: %s%s", s->tg->host, s->tg->port, name,
	    ok ? "" : "FAILED: ", sb.buf);
	if (!ok && s->why.len == 0)
		strbuf_addf(&s->why, "%s:%d: %s", s->tg->host, s->tg->port,
		    sb.buf);
	strbuf_release(&sb);
}

static int
sess_write(struct sess *s, const char *req)
{
	size_t len = strlen(req);
	ssize_t n = s->tls ? tls_write(s->tls, req, len) :
	    tstream_write(s->s, req, len);

	return n == (ssize_t)len ? 0 : -1;
}

static ssize_t
sess_read(struct sess *s, char *buf, size_t len)
{
	int ms = left_ms(s);

	if (ms == 0)
		return TERR_TIMEOUT;
	return s->tls ? tls_read(s->tls, buf, len, ms) :
	    tstream_read(s->s, buf, len, ms);
}

/* Read one reply line into line; 0, or -1 with why in err. */
static int
sess_readline(struct sess *s, struct strbuf *line, struct strbuf *err)
{
	char buf[4096];
	ssize_t n;
	int r;

	while ((r = nutproto_take_line(&s->in, line)) == 0) {
		n = sess_read(s, buf, sizeof(buf));
		if (n == TERR_TIMEOUT) {
			strbuf_addf(err, "no reply within %d s", s->timeout_s);
			return -1;
		}
		if (n <= 0) {
			strbuf_addstr(err, n == 0 ? "upsd closed the connection"
			    : "read error on the connection");
			return -1;
		}
		strbuf_add(&s->in, buf, (size_t)n);
	}
	if (r < 0) {
		strbuf_addf(err, "reply line longer than %d bytes",
		    NUTPROTO_MAX_LINE);
		return -1;
	}
	return 0;
}

/* Send req (without "\n") and read the first reply line. */
static int
sess_cmd(struct sess *s, const char *req, struct strbuf *line,
    struct strbuf *err)
{
	char *r = xasprintf("%s\n", req);
	int ret = sess_write(s, r);

	free(r);
	if (ret < 0) {
		strbuf_addstr(err, "write error on the connection");
		return -1;
	}
	return sess_readline(s, line, err);
}

/* "ERR X (what it means)" for a failure detail. */
static void
describe_err(struct strbuf *sb, const char *line)
{
	char code[64];
	const char *t;

	nutproto_classify(line, code, sizeof(code));
	t = nutproto_err_text(code);
	strbuf_addstr(sb, line);
	if (t != NULL)
		strbuf_addf(sb, " (%s)", t);
}

static int
do_connect(struct sess *s)
{
	struct err e = ERR_INIT;
	int ret = conn_tcp_open(mod_conn(s->ctx), s->tg->host, s->tg->port,
	    s->timeout_s, &s->s, &e);

	if (ret == 0) {
		step(s, "connect", 1, "connected from the host");
	} else {
		strbuf_rtrim(&e.msg);
		step(s, "connect", 0, "%s", err_text(&e, "cannot connect"));
		if (ret == TERR_UNREACHABLE)
			s->transport_err = ret;
	}
	err_release(&e);
	return ret == 0 ? 0 : -1;
}

static int
do_starttls(struct sess *s)
{
	struct strbuf line = STRBUF_INIT, err = STRBUF_INIT;
	int ret = -1;

	if (sess_cmd(s, "STARTTLS", &line, &err) < 0) {
		step(s, "STARTTLS", 0, "STARTTLS: %s", err.buf);
	} else if (strcmp(line.buf, "OK STARTTLS") == 0) {
		val_map_set(s->res, "starttls", val_str(line.buf));
		step(s, "STARTTLS", 1, "%s", line.buf);
		ret = 0;
	} else {
		strbuf_reset(&err);
		describe_err(&err, line.buf);
		val_map_set(s->res, "starttls", val_str(line.buf));
		step(s, "STARTTLS", 0, "STARTTLS refused: %s", err.buf);
	}
	if (ret == 0 && s->in.len > 0) {
		step(s, "STARTTLS", 0, "unexpected data after OK STARTTLS");
		ret = -1;
	}
	strbuf_release(&line);
	strbuf_release(&err);
	return ret;
}

static struct val *
tls_info_val(const struct tls_info *ti, const char *name)
{
	struct val *m = val_map();

	val_map_set(m, "version", val_str(ti->version));
	val_map_set(m, "cipher", val_str(ti->cipher));
	val_map_set(m, "subject", val_str(ti->subject));
	val_map_set(m, "issuer", val_str(ti->issuer));
	val_map_set(m, "not_after", val_str(ti->not_after));
	val_map_set(m, "days_left", val_int(ti->days_left));
	val_map_set(m, "verified", val_bool(ti->verify_error[0] == '\0'));
	val_map_set(m, "verify_name", name ? val_str(name) : val_null());
	if (ti->verify_error[0] != '\0')
		val_map_set(m, "verify_error", val_str(ti->verify_error));
	return m;
}

static int
do_handshake(struct sess *s, const char *cafile)
{
	struct tls_opts o;
	struct tls_info ti;
	struct err e = ERR_INIT;
	int ret;

	memset(&o, 0, sizeof(o));
	o.cafile = cafile;
	if (arg_bool(s->args, "verify_hostname"))
		o.verify_name = s->tg->name ? s->tg->name : s->tg->host;
	o.timeout_ms = left_ms(s) > 0 ? left_ms(s) : 1;
	ret = tls_client_start(s->s, &o, &s->tls, &ti, &e);
	val_map_set(s->res, "tls", tls_info_val(&ti, o.verify_name));
	if (ret == 0) {
		step(s, "TLS handshake", 1, "%s %s, certificate '%s' issued by "
		    "'%s' verified%s%s", ti.version, ti.cipher, ti.subject,
		    ti.issuer, o.verify_name ? " for " : " (chain only)",
		    o.verify_name ? o.verify_name : "");
	} else {
		strbuf_rtrim(&e.msg);
		step(s, "TLS handshake", 0, "TLS handshake failed: %s%s%s%s",
		    err_text(&e, "error"),
		    ti.subject[0] ? " (server certificate '" : "",
		    ti.subject, ti.subject[0] ? "')" : "");
	}
	err_release(&e);
	return ret;
}

static int
do_ver(struct sess *s)
{
	struct strbuf line = STRBUF_INIT, err = STRBUF_INIT;
	char v[64];
	int ret = -1;

	if (sess_cmd(s, "VER", &line, &err) < 0) {
		step(s, "VER", 0, "VER: %s", err.buf);
	} else if (nutproto_classify(line.buf, NULL, 0) == NUTPROTO_ERR) {
		describe_err(&err, line.buf);
		step(s, "VER", 0, "VER: %s", err.buf);
	} else {
		val_map_set(s->res, "server", val_str(line.buf));
		nutproto_parse_version(line.buf, v, sizeof(v));
		val_map_set(s->res, "version", val_str(v));
		step(s, "VER", 1, "%s", line.buf);
		ret = 0;
	}
	strbuf_release(&line);
	strbuf_release(&err);
	return ret;
}

/* The items of LIST UPS after BEGIN; 0 at END, -1 on error (err). */
static int
list_items(struct sess *s, struct val *list, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	int ret = -1;

	while (sess_readline(s, &line, err) == 0) {
		char *name, *desc;

		if (strcmp(line.buf, "END LIST UPS") == 0) {
			ret = 0;
			break;
		}
		if (nutproto_parse_ups(line.buf, &name, &desc) < 0) {
			strbuf_addf(err, "unexpected line '%s'", line.buf);
			break;
		}
		val_list_push(list, val_map());
		val_map_set(list->u.list.items[list->u.list.n - 1], "name",
		    val_str_take(name));
		val_map_set(list->u.list.items[list->u.list.n - 1], "desc",
		    val_str_take(desc));
	}
	strbuf_release(&line);
	return ret;
}

static int
do_list(struct sess *s)
{
	struct strbuf line = STRBUF_INIT, err = STRBUF_INIT, names = STRBUF_INIT;
	struct val *list = val_list();
	size_t i;
	int ret = -1;

	if (sess_cmd(s, "LIST UPS", &line, &err) < 0)
		goto out;
	if (strcmp(line.buf, "BEGIN LIST UPS") != 0) {
		describe_err(&err, line.buf);
		goto out;
	}
	if (list_items(s, list, &err) < 0)
		goto out;
	for (i = 0; i < list->u.list.n; i++)
		strbuf_addf(&names, "%s%s", i ? ", " : "",
		    val_map_str(list->u.list.items[i], "name", ""));
	ret = 0;
out:
	if (ret == 0)
		step(s, "LIST UPS", 1, "%zu UPS: %s", list->u.list.n,
		    names.len ? names.buf : "(none)");
	else
		step(s, "LIST UPS", 0, "LIST UPS: %s", err.buf);
	val_map_set(s->res, "upses", list);
	strbuf_release(&line);
	strbuf_release(&err);
	strbuf_release(&names);
	return ret;
}

/* One GET VAR; 0 with *value, or -1 with err. */
static int
get_status(struct sess *s, const char *ups, char **value, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	char *req = xasprintf("GET VAR %s ups.status", ups);
	int ret = -1;

	if (sess_cmd(s, req, &line, err) < 0)
		goto out;
	if (nutproto_parse_var(line.buf, ups, "ups.status", value) == 0)
		ret = 0;
	else
		describe_err(err, line.buf);
out:
	free(req);
	strbuf_release(&line);
	return ret;
}

/* GET VAR <ups> ups.status, polled while it says WAIT. */
static int
do_status(struct sess *s, const char *ups, struct val *statuses)
{
	struct strbuf err = STRBUF_INIT;
	long long until = mono_ms() + arg_int(s->args, "status_wait", 15) * 1000;
	char *v = NULL;
	int ret;

	if (!nutproto_upsname_ok(ups)) {
		step(s, "GET VAR", 0, "invalid UPS name '%s'", ups);
		return -1;
	}
	while ((ret = get_status(s, ups, &v, &err)) == 0 &&
	    strncmp(v, "WAIT", 4) == 0 && mono_ms() + POLL_MS < until &&
	    mono_ms() + POLL_MS < s->deadline) {
		free(v);
		v = NULL;
		usleep(POLL_MS * 1000);
	}
	if (ret == 0) {
		val_map_set(statuses, ups, val_str(v));
		step(s, "GET VAR", 1, "%s ups.status %s", ups, v);
	} else {
		step(s, "GET VAR", 0, "GET VAR %s ups.status: %s", ups, err.buf);
	}
	free(v);
	strbuf_release(&err);
	return ret;
}

static void
do_logout(struct sess *s)
{
	struct strbuf line = STRBUF_INIT, err = STRBUF_INIT;

	if (left_ms(s) > 0)
		(void)sess_cmd(s, "LOGOUT", &line, &err);
	strbuf_release(&line);
	strbuf_release(&err);
}

/* Every protocol step for one server; 0 when all passed. */
static int
sess_steps(struct sess *s, const char *cafile)
{
	struct val *statuses = val_map();
	size_t i;
	int ret = -1;

	if (do_connect(s) < 0)
		goto out;
	if (arg_bool(s->args, "starttls") &&
	    (do_starttls(s) < 0 || do_handshake(s, cafile) < 0))
		goto out;
	if (do_ver(s) < 0 || do_list(s) < 0)
		goto out;
	for (i = 0; s->tg->ups != NULL && i < s->tg->ups->u.list.n; i++)
		if (do_status(s, s->tg->ups->u.list.items[i]->u.str.s,
		    statuses) < 0)
			goto out;
	ret = 0;
	do_logout(s);
out:
	val_map_set(s->res, "status", statuses);
	return ret;
}

static void
sess_close(struct sess *s)
{
	if (s->tls != NULL)
		tls_close(s->tls);
	if (s->s != NULL)
		tstream_close(s->s);
	strbuf_release(&s->in);
	strbuf_release(&s->why);
}

/* ------------------------------------------------------------------ */
/* Targets                                                             */

static void
target_release(struct target *t)
{
	free(t->host);
	free(t->name);
	val_free(t->ups);
}

/* ups: a string or a list of strings, into a list. */
static struct val *
ups_list(const struct val *v)
{
	struct val *l = val_list();
	size_t i;

	if (v == NULL || v->type == V_NULL)
		return l;
	if (v->type == V_STR) {
		if (v->u.str.s[0] != '\0')
			val_list_push(l, val_str(v->u.str.s));
		return l;
	}
	for (i = 0; v->type == V_LIST && i < v->u.list.n; i++)
		if (v->u.list.items[i]->type == V_STR)
			val_list_push(l, val_str(v->u.list.items[i]->u.str.s));
	return l;
}

/* "host", "host:port", "[v6]:port", "v6" into t. */
static int
parse_hostport(const char *s, int defport, struct target *t)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long p;

	t->port = defport;
	if (s[0] == '[' && strchr(s, ']') != NULL) {
		const char *rb = strchr(s, ']');

		t->host = xstrndup(s + 1, (size_t)(rb - s - 1));
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else if (colon != NULL && strchr(s, ':') == colon) {
		t->host = xstrndup(s, (size_t)(colon - s));
	} else {
		t->host = xstrdup(s);
		colon = NULL;
	}
	if (colon == NULL)
		return t->host[0] ? 0 : -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535 || t->host[0] == '\0')
		return -1;
	t->port = (int)p;
	return 0;
}

static int
target_from(const struct val *v, const struct val *args, struct target *t)
{
	int defport = (int)arg_int(args, "port", 3493);
	const struct val *pv;
	const char *name;
	int64_t p;

	memset(t, 0, sizeof(*t));
	if (v->type == V_STR) {
		t->ups = ups_list(arg_get(args, "ups"));
		return parse_hostport(v->u.str.s, defport, t);
	}
	if (v->type != V_MAP || val_map_str(v, "host", NULL) == NULL)
		return -1;
	if (parse_hostport(val_map_str(v, "host", ""), defport, t) < 0)
		return -1;
	pv = val_map_get(v, "port");
	if (pv != NULL && pv->type != V_NULL) {
		if (val_to_int(pv, &p) < 0 || p < 1 || p > 65535)
			return -1;
		t->port = (int)p;
	}
	name = val_map_str(v, "name", NULL);
	t->name = name && *name ? xstrdup(name) : NULL;
	t->ups = ups_list(val_map_get(v, "ups"));
	return 0;
}

/* The servers to probe: `servers`, else host/port/verify_name/ups. */
static int
targets(struct modctx *ctx, const struct val *args, struct target **out,
    size_t *n)
{
	const struct val *sv = arg_get(args, "servers");
	struct val *one = val_str(arg_str(args, "host") ? arg_str(args, "host") :
	    "127.0.0.1");
	const char *vn = arg_str(args, "verify_name");
	size_t i, cnt = sv ? sv->u.list.n : 1;
	int ret = 0;

	*out = xcalloc(cnt ? cnt : 1, sizeof(**out));
	*n = 0;
	for (i = 0; i < cnt && ret == 0; i++) {
		const struct val *v = sv ? sv->u.list.items[i] : one;

		if (target_from(v, args, &(*out)[i]) < 0) {
			target_release(&(*out)[i]);
			ret = mod_fail(ctx, "servers[%zu]: expected \"host\", "
			    "\"host:port\" or a map with host (and port, name, "
			    "ups)", i) - 1;
			break;
		}
		*n = i + 1;
		if (vn != NULL && (*out)[i].name == NULL)
			(*out)[i].name = xstrdup(vn);
	}
	if (ret == 0 && cnt == 0)
		ret = mod_fail(ctx, "servers is empty: nothing to probe") - 1;
	val_free(one);
	return ret;
}

/* ------------------------------------------------------------------ */

/* Probe one server; appends its result to results. Returns 0 ok, 1
 * failed (why appended to msg), TERR_UNREACHABLE. */
static int
probe_one(struct modctx *ctx, const struct val *args, const struct target *t,
    const char *cafile, struct val *results, struct strbuf *msg)
{
	struct sess s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.args = args;
	s.tg = t;
	s.timeout_s = (int)arg_int(args, "timeout", 10);
	s.deadline = mono_ms() + (long long)s.timeout_s * 1000 +
	    arg_int(args, "status_wait", 15) * 1000;
	strbuf_init(&s.in, 0);
	strbuf_init(&s.why, 0);
	s.res = val_map();
	s.steps = val_list();
	val_map_set(s.res, "host", val_str(t->host));
	val_map_set(s.res, "port", val_int(t->port));
	ret = sess_steps(&s, cafile);
	val_map_set(s.res, "ok", val_bool(ret == 0));
	val_map_set(s.res, "steps", s.steps);
	val_list_push(results, s.res);
	if (ret < 0)
		strbuf_addf(msg, "%s%s", msg->len ? "; " : "", s.why.buf);
	ret = s.transport_err ? s.transport_err : ret < 0;
	sess_close(&s);
	return ret;
}

static void
summary(struct strbuf *sb, const struct val *r, int starttls)
{
	const struct val *tls = val_map_get(r, "tls");
	const struct val *st = val_map_get(r, "status");
	size_t i;

	strbuf_addf(sb, "%s%s:%lld: ", sb->len ? "; " : "",
	    val_map_str(r, "host", ""),
	    (long long)val_map_get(r, "port")->u.i);
	if (starttls && tls != NULL)
		strbuf_addf(sb, "STARTTLS ok, %s verified ('%s'), ",
		    val_map_str(tls, "version", ""),
		    val_map_str(tls, "subject", ""));
	else
		strbuf_addstr(sb, "plaintext, ");
	strbuf_addf(sb, "upsd %s", val_map_str(r, "version", "?"));
	for (i = 0; st != NULL && i < st->u.map.n; i++)
		strbuf_addf(sb, ", %s %s", st->u.map.items[i].key,
		    st->u.map.items[i].v->u.str.s);
}

static enum mod_result
nut_probe_run(struct modctx *ctx, const struct val *args)
{
	struct target *t = NULL;
	struct val *results = val_list();
	struct strbuf why = STRBUF_INIT, ok = STRBUF_INIT;
	char *cafile = NULL;
	size_t n = 0, i;
	int ret = 0, r, nfailed = 0, starttls = arg_bool(args, "starttls");

	if (starttls && arg_str(args, "ca_file") == NULL) {
		mod_fail(ctx, "ca_file is required with starttls: true (the CA "
		    "that must have signed the server certificate)");
		goto out;
	}
	if (targets(ctx, args, &t, &n) < 0)
		goto out;
	if (starttls)
		cafile = mod_local_path(ctx, arg_str(args, "ca_file"));
	for (i = 0; i < n && ret == 0; i++) {
		r = probe_one(ctx, args, &t[i], cafile, results, &why);
		if (r < 0)
			ret = r;
		else if (r > 0)
			nfailed++;
		else
			summary(&ok, results->u.list.items[i], starttls);
	}
	if (n == 1 && results->u.list.n == 1)
		mod_set(ctx, "server", val_copy(results->u.list.items[0]));
	mod_set(ctx, "servers", results);
	results = NULL;
	if (nfailed > 0 || ret != 0)
		mod_fail(ctx, "%s", why.len ? why.buf : "probe failed");
	else
		mod_msg(ctx, "%s", ok.buf);
out:
	for (i = 0; i < n; i++)
		target_release(&t[i]);
	free(t);
	free(cafile);
	val_free(results);
	strbuf_release(&why);
	strbuf_release(&ok);
	return mod_done(ctx, ret);
}

static const struct module_arg nut_probe_args[] = {
	{ "host", ARG_STR, 0, "127.0.0.1", NULL,
	  "upsd address as the host sees it (\"host\" or \"host:port\")",
	  NULL },
	{ "port", ARG_INT, 0, "3493", NULL, "upsd port", NULL },
	{ "servers", ARG_LIST, 0, NULL, NULL,
	  "several servers instead of host: \"host[:port]\" strings or maps "
	  "{host, port, name, ups} (nut_facts returns upsmon.servers)", NULL },
	{ "starttls", ARG_BOOL, 0, "true", NULL,
	  "STARTTLS + verified handshake; false: plaintext VER/LIST UPS only",
	  NULL },
	{ "ca_file", ARG_STR, 0, NULL, NULL,
	  "CA certificate(s), PEM, on the CONTROLLER (relative: playbook "
	  "dir/files, playbook dir)", "cafile" },
	{ "verify_name", ARG_STR, 0, NULL, NULL,
	  "name (DNS or IP) the server certificate must carry (default: the "
	  "host as probed)", NULL },
	{ "verify_hostname", ARG_BOOL, 0, "true", NULL,
	  "check the name, not only the chain (NUT's OpenSSL builds check "
	  "the chain only)", NULL },
	{ "ups", ARG_RAW, 0, NULL, NULL,
	  "UPS name(s) whose ups.status to read (string or list)", NULL },
	{ "timeout", ARG_INT, 0, "10", NULL,
	  "seconds for connect, handshake and replies", NULL },
	{ "status_wait", ARG_INT, 0, "15", NULL,
	  "seconds to keep polling while ups.status says WAIT", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_nut_probe = {
	.name = "nut_probe",
	.summary = "smoke-test a NUT server: STARTTLS, verified TLS, VER, "
	    "LIST UPS, ups.status",
	.doc = "Speaks the NUT protocol from the controller through the "
	    "host's SSH connection (direct-tcpip to host:port as the host sees "
	    "it): STARTTLS -> 'OK STARTTLS', a TLS handshake verified against "
	    "ca_file (a controller file) and the expected name, then VER, LIST "
	    "UPS and, for each UPS in 'ups', GET VAR <ups> ups.status (polled "
	    "while WAIT).  Fails with the exact reason: the ERR reply (e.g. "
	    "'ERR FEATURE-NOT-CONFIGURED': upsd has no certificate), the "
	    "certificate verification error, or a timeout.  starttls: false "
	    "does plaintext VER and LIST UPS only.  Returns servers (one map "
	    "per server: host, port, ok, starttls, tls {version, cipher, "
	    "subject, issuer, not_after, days_left, verified}, server, version, "
	    "upses, status, steps) and, for a single server, the same map as "
	    "server.  Installs nothing on the host; read-only.",
	.args = nut_probe_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = nut_probe_run,
};
