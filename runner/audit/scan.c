/* scan.c - mend scan's engine: targets, ports, workers, rate; see scan.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner/audit/scan.h"
#include "runner/util/banned.h"

struct scan_state {
	struct scan_service *svc;
	struct scan_job *jobs;
	size_t n, alloc, next;
	pthread_mutex_t lock;
	int64_t next_slot;       /* rate limit: earliest next connect (ms) */
	const struct scan_opts *o;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
scan_opts_init(struct scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->concurrency = 16;
	o->rate = 50;
	o->timeout_ms = 3000;
	o->tls_versions = 1;
}

/* ------------------------------------------------------------ probes' API */

static void
rate_wait(struct scan_state *st)
{
	int64_t slot, t;
	struct timespec ts;

	pthread_mutex_lock(&st->lock);
	t = now_ms();
	slot = st->next_slot > t ? st->next_slot : t;
	st->next_slot = slot + 1000 / (st->o->rate > 0 ? st->o->rate : 1000);
	pthread_mutex_unlock(&st->lock);
	if (slot > t) {
		ts.tv_sec = (slot - t) / 1000;
		ts.tv_nsec = (long)((slot - t) % 1000) * 1000000;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

int
scan_connect(struct scan_job *j, struct tstream **s)
{
	struct err e = ERR_INIT;
	const char *msg;

	rate_wait(j->st);
	if (tstream_tcp_connect(j->svc->host, j->svc->port, j->o->timeout_ms, s,
	    &e) == 0) {
		err_release(&e);
		return 0;
	}
	msg = err_text(&e, "cannot connect");
	snprintf(j->svc->state, sizeof(j->svc->state), "%s",
	    strstr(msg, "timed out") ? "timeout" : strstr(msg, "refused") ?
	    "closed" : "error");
	snprintf(j->svc->error, sizeof(j->svc->error), "%s", msg);
	err_release(&e);
	return -1;
}

struct tls_conn *
scan_tls(struct scan_job *j, struct tstream *s, int version,
    struct tls_info *info, struct err *e)
{
	struct tls_opts to;
	struct tls_conn *t = NULL;

	memset(&to, 0, sizeof(to));
	to.cafile = j->o->cafile;
	to.verify_name = j->o->verify_name ? j->o->verify_name : j->svc->host;
	to.timeout_ms = j->o->timeout_ms;
	to.observe = 1;
	to.version = version;
	if (tls_client_start(s, &to, &t, info, e) < 0)
		return NULL;
	return t;
}

void
scan_tls_facts(struct scan_job *j, const struct tls_info *info)
{
	j->svc->tls = 1;
	j->svc->cert = *info;
	j->svc->verified = j->o->cafile == NULL ? -1 :
	    info->verify_error[0] == '\0';
}

static const int tls_versions[] = {
	TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION,
};

void
scan_tls_versions(struct scan_job *j,
    int (*pre)(struct scan_job *j, struct tstream *s))
{
	struct tls_info info;
	struct tls_conn *t;
	struct tstream *s;
	struct err e = ERR_INIT;
	size_t v;

	char state[sizeof(j->svc->state)], error[sizeof(j->svc->error)];

	memcpy(state, j->svc->state, sizeof(state));
	memcpy(error, j->svc->error, sizeof(error));
	for (v = 0; v < ARRAY_SIZE(tls_versions) && j->o->tls_versions; v++) {
		if (scan_connect(j, &s) < 0) {
			/* the service was up a moment ago: keep what it showed */
			memcpy(j->svc->state, state, sizeof(state));
			memcpy(j->svc->error, error, sizeof(error));
			break;
		}
		j->svc->versions_tried |= 1u << v;
		if (pre == NULL || pre(j, s) == 0) {
			t = scan_tls(j, s, tls_versions[v], &info, &e);
			if (t) {
				j->svc->versions |= 1u << v;
				tls_close(t);
			}
		}
		err_release(&e);
		tstream_close(s);
	}
}

static int
xfer_done(struct strbuf *out, size_t max, int (*done)(const char *, size_t))
{
	return out->len >= max || (done && done(out->buf, out->len));
}

int
scan_plain_xfer(struct scan_job *j, struct tstream *s, const void *buf,
    size_t len, struct strbuf *out, size_t max,
    int (*done)(const char *buf, size_t len))
{
	char chunk[4096];
	ssize_t n;

	if (len && tstream_write(s, buf, len) != (ssize_t)len)
		return -1;
	while (!xfer_done(out, max, done)) {
		n = tstream_read(s, chunk, sizeof(chunk), j->o->timeout_ms);
		if (n <= 0)
			break;
		strbuf_add(out, chunk, (size_t)n);
	}
	return (int)out->len;
}

int
scan_tls_xfer(struct scan_job *j, struct tls_conn *t, const void *buf,
    size_t len, struct strbuf *out, size_t max,
    int (*done)(const char *buf, size_t len))
{
	char chunk[4096];
	ssize_t n;

	if (len && tls_write(t, buf, len) != (ssize_t)len)
		return -1;
	while (!xfer_done(out, max, done)) {
		n = tls_read(t, chunk, sizeof(chunk), j->o->timeout_ms);
		if (n <= 0)
			break;
		strbuf_add(out, chunk, (size_t)n);
	}
	return (int)out->len;
}

void
scan_finding(struct scan_job *j, const struct audit_rule *rule,
    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (j->nf >= SCAN_MAX_FINDINGS)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	j->f[j->nf].rule = rule;
	j->f[j->nf].msg = strbuf_detach(&sb, NULL);
	j->nf++;
}

void
scan_versions_str(unsigned mask, char *buf, size_t len)
{
	static const char *const names[] = {
		"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3",
	};
	size_t v, off = 0;

	buf[0] = '\0';
	for (v = 0; v < ARRAY_SIZE(names); v++)
		if (mask & (1u << v) && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off ? " " : "", names[v]);
}

/* ------------------------------------------------------------ targets */

int
scan_cidr(const char *s, char ***out, size_t *n, size_t max)
{
	char addr[INET_ADDRSTRLEN], buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr in;
	uint32_t base, count, i;
	char *end;
	long bits;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	bits = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, addr, &in) != 1 || *end || end == slash + 1 ||
	    bits < 0 || bits > 32)
		return -1;
	count = bits == 0 ? 0 : 1u << (32 - bits);
	if ((bits == 0 || count > max) || *n + count > max)
		return -1;
	base = ntohl(in.s_addr) & (bits ? ~(count - 1) : 0);
	for (i = 0; i < count; i++) {
		in.s_addr = htonl(base + i);
		inet_ntop(AF_INET, &in, buf, sizeof(buf));
		(*out)[(*n)++] = xstrdup(buf);
	}
	return 0;
}

static int
resolves(const char *host, char *why, size_t len)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (res)
		freeaddrinfo(res);
	if (rc != 0)
		snprintf(why, len, "%s", gai_strerror(rc));
	return rc == 0;
}

/* Expand targets into addrs (at most SCAN_MAX_ADDRS); bad ones are input
 * errors. */
static void
expand_targets(struct audit_run *r, char *const *t, size_t nt, char ***addrs,
    size_t *n)
{
	char why[160];
	size_t i;

	*addrs = xcalloc(SCAN_MAX_ADDRS, sizeof(**addrs));
	*n = 0;
	for (i = 0; i < nt; i++) {
		if (strchr(t[i], '/') && !strchr(t[i], ':')) {
			if (scan_cidr(t[i], addrs, n, SCAN_MAX_ADDRS) < 0)
				audit_input_error(r, t[i], 0, 0, "'%s' is not an "
				    "IPv4 CIDR range of at most %d addresses "
				    "(in all)", t[i], SCAN_MAX_ADDRS);
		} else if (*n >= SCAN_MAX_ADDRS) {
			audit_input_error(r, t[i], 0, 0, "more than %d "
			    "targets", SCAN_MAX_ADDRS);
		} else if (!resolves(t[i], why, sizeof(why))) {
			audit_input_error(r, t[i], 0, 0, "cannot resolve '%s': "
			    "%s", t[i], why);
		} else {
			(*addrs)[(*n)++] = xstrdup(t[i]);
		}
	}
}

/* ------------------------------------------------------------ ports */

static const struct scan_probe *
probe_named(const struct audit_run *r, const char *name)
{
	const struct scan_probe *const *p;
	size_t i;

	for (i = 0; r->products[i]; i++)
		for (p = r->products[i]->probes; p && *p; p++)
			if (strcmp((*p)->name, name) == 0)
				return *p;
	return NULL;
}

static const struct scan_probe *
probe_for_port(const struct audit_run *r, int port)
{
	const struct scan_probe *const *p;
	const int *q;
	size_t i;

	for (i = 0; r->products[i]; i++)
		for (p = r->products[i]->probes; p && *p; p++)
			for (q = (*p)->ports; *q; q++)
				if (*q == port)
					return *p;
	return NULL;
}

static void
add_port(struct scan_port **v, size_t *n, size_t *alloc, int port,
    const struct scan_probe *p)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[*n].port = port;
	(*v)[(*n)++].probe = p;
}

/* "3493,5671,8883/amqps"; NULL: every probe's default ports. */
static struct scan_port *
parse_ports(struct audit_run *r, const char *spec, size_t *n)
{
	struct scan_port *v = NULL;
	const struct scan_probe *const *p;
	const int *q;
	size_t i, alloc = 0;
	char *dup, *tok, *save = NULL, *slash, *end;
	long port;

	*n = 0;
	for (i = 0; spec == NULL && r->products[i]; i++)
		for (p = r->products[i]->probes; p && *p; p++)
			for (q = (*p)->ports; *q; q++)
				add_port(&v, n, &alloc, *q, *p);
	if (spec == NULL)
		return v;
	dup = xstrdup(spec);
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		slash = strchr(tok, '/');
		if (slash)
			*slash++ = '\0';
		port = strtol(tok, &end, 10);
		if (*end || end == tok || port < 1 || port > 65535)
			audit_input_error(r, spec, 0, 0, "bad port '%s'", tok);
		else if (slash && probe_named(r, slash) == NULL)
			audit_input_error(r, spec, 0, 0, "no probe named '%s'",
			    slash);
		else if (!slash && probe_for_port(r, (int)port) == NULL)
			audit_input_error(r, spec, 0, 0, "no probe speaks on "
			    "port %ld: name one ('%ld/nut')", port, port);
		else
			add_port(&v, n, &alloc, (int)port, slash ?
			    probe_named(r, slash) : probe_for_port(r, (int)port));
	}
	free(dup);
	return v;
}

/* ------------------------------------------------------------ workers */

static void *
worker(void *arg)
{
	struct scan_state *st = arg;
	struct scan_job *j;
	const struct scan_probe *p;

	for (;;) {
		pthread_mutex_lock(&st->lock);
		j = st->next < st->n ? &st->jobs[st->next++] : NULL;
		pthread_mutex_unlock(&st->lock);
		if (j == NULL)
			return NULL;
		p = (const struct scan_probe *)j->svc->probe;
		j->svc->probe = p->name;
		p->probe(j);
	}
}

static void
run_workers(struct scan_state *st)
{
	size_t i, nt = (size_t)(st->o->concurrency > 0 ? st->o->concurrency : 1);
	pthread_t *th;

	if (nt > st->n)
		nt = st->n;
	th = xcalloc(nt + 1, sizeof(*th));
	for (i = 0; i < nt; i++)
		if (pthread_create(&th[i], NULL, worker, st) != 0)
			fatal("cannot start a scan thread");
	for (i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	free(th);
}

/* ------------------------------------------------------------ output */

static void
js(struct strbuf *out, const char *s)
{
	strbuf_addjson(out, s, strlen(s));
}

static void
svc_tls_json(const struct scan_service *v, struct strbuf *out)
{
	char vs[64];

	if (!v->tls) {
		strbuf_addstr(out, "null");
	} else {
		strbuf_addstr(out, "{\"version\": ");
		js(out, v->cert.version);
		strbuf_addstr(out, ", \"cipher\": ");
		js(out, v->cert.cipher);
		strbuf_addstr(out, ", \"subject\": ");
		js(out, v->cert.subject);
		strbuf_addstr(out, ", \"issuer\": ");
		js(out, v->cert.issuer);
		strbuf_addstr(out, ", \"names\": ");
		js(out, v->cert.names);
		strbuf_addstr(out, ", \"not_after\": ");
		js(out, v->cert.not_after);
		strbuf_addf(out, ", \"days_left\": %ld, \"verified\": %s, "
		    "\"verify_error\": ", v->cert.days_left, v->verified < 0 ?
		    "null" : v->verified ? "true" : "false");
		js(out, v->cert.verify_error);
		strbuf_addch(out, '}');
	}
	scan_versions_str(v->versions, vs, sizeof(vs));
	strbuf_addstr(out, ", \"tls_versions\": ");
	if (v->versions_tried)
		js(out, vs);
	else
		strbuf_addstr(out, "null");
}

static void
scan_json(const struct audit_run *r, struct strbuf *out)
{
	const struct scan_state *st = r->scan;
	const struct scan_service *v;
	size_t i;

	strbuf_addstr(out, "  \"services\": [");
	for (i = 0; i < st->n; i++) {
		v = &st->svc[i];
		strbuf_addstr(out, i ? ",\n    {\"host\": " : "\n    {\"host\": ");
		js(out, v->host);
		strbuf_addf(out, ", \"port\": %d, \"probe\": \"%s\", \"state\": "
		    "\"%s\", \"error\": ", v->port, v->probe, v->state);
		js(out, v->error);
		strbuf_addstr(out, ", \"product\": ");
		js(out, v->product);
		strbuf_addf(out, ", \"cleartext\": %s, \"starttls\": %s, "
		    "\"tls\": ", v->cleartext ? "true" : "false", v->starttls < 0 ?
		    "null" : v->starttls ? "true" : "false");
		svc_tls_json(v, out);
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, st->n ? "\n  ],\n" : "],\n");
}

static void
svc_text(const struct scan_service *v, struct strbuf *out)
{
	char vs[64];

	strbuf_addf(out, "%s:%d %s: %s", v->host, v->port, v->probe, v->state);
	if (v->error[0])
		strbuf_addf(out, " (%s)", v->error);
	if (v->product[0])
		strbuf_addf(out, ", %s", v->product);
	strbuf_addch(out, '\n');
	if (strcmp(v->state, "open") != 0)
		return;
	strbuf_addf(out, "    cleartext: %s\n", v->cleartext ?
	    "answers in cleartext" : "no cleartext answer");
	if (v->starttls >= 0)
		strbuf_addf(out, "    STARTTLS: %s%s%s\n", v->starttls ? "offered" :
		    "refused", v->starttls_reply[0] ? ": " : "", v->starttls_reply);
	if (v->tls) {
		strbuf_addf(out, "    TLS: %s %s\n    certificate: %s; issuer %s; "
		    "%s%s%sexpires %s (%ld days)\n", v->cert.version,
		    v->cert.cipher, v->cert.subject, v->cert.issuer,
		    v->cert.names[0] ? "names " : "", v->cert.names,
		    v->cert.names[0] ? "; " : "", v->cert.not_after,
		    v->cert.days_left);
		strbuf_addf(out, "    verified: %s%s\n", v->verified < 0 ?
		    "not checked (no --ca)" : v->verified ? "yes" : "no: ",
		    v->verified == 0 ? v->cert.verify_error : "");
	}
	if (v->versions_tried) {
		scan_versions_str(v->versions, vs, sizeof(vs));
		strbuf_addf(out, "    TLS versions accepted: %s\n",
		    vs[0] ? vs : "none");
	}
}

static void
scan_text(const struct audit_run *r, int color, struct strbuf *out)
{
	const struct scan_state *st = r->scan;
	size_t i;

	(void)color;
	for (i = 0; i < st->n; i++)
		svc_text(&st->svc[i], out);
	if (st->n)
		strbuf_addch(out, '\n');
}

/* ------------------------------------------------------------ the scan */

static void
add_job(struct scan_state *st, const char *host, const struct scan_port *p)
{
	struct scan_service *v;

	ALLOC_GROW(st->svc, st->n + 1, st->alloc);
	v = &st->svc[st->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->host, sizeof(v->host), "%s", host);
	v->port = p->port;
	v->probe = (const char *)p->probe;   /* the worker swaps in the name */
	v->starttls = -1;
	v->verified = -1;
	snprintf(v->state, sizeof(v->state), "open");
}

static void
report(struct audit_run *r, struct scan_state *st)
{
	char where[300];
	size_t i;
	int k;

	for (i = 0; i < st->n; i++)
		for (k = 0; k < st->jobs[i].nf; k++) {
			snprintf(where, sizeof(where), strchr(st->svc[i].host, ':') ?
			    "[%s]:%d" : "%s:%d", st->svc[i].host, st->svc[i].port);
			audit_report_at(r, st->jobs[i].f[k].rule, where, "%s",
			    st->jobs[i].f[k].msg);
			free(st->jobs[i].f[k].msg);
		}
}

void
scan_run(struct audit_run *r, char *const *targets, size_t ntargets,
    const char *ports, const struct scan_opts *o)
{
	struct scan_state *st = xcalloc(1, sizeof(*st));
	struct scan_port *pv;
	char **addrs;
	size_t na, np, i, k;

	st->o = o;
	pthread_mutex_init(&st->lock, NULL);
	r->scan = st;
	r->extra_json = scan_json;
	r->extra_text = scan_text;
	expand_targets(r, targets, ntargets, &addrs, &na);
	pv = parse_ports(r, ports, &np);
	for (i = 0; i < na; i++)
		for (k = 0; k < np; k++)
			add_job(st, addrs[i], &pv[k]);
	st->jobs = xcalloc(st->n + 1, sizeof(*st->jobs));
	for (i = 0; i < st->n; i++) {
		st->jobs[i].svc = &st->svc[i];
		st->jobs[i].o = o;
		st->jobs[i].st = st;
	}
	if (r->nierr == 0)
		run_workers(st);
	else
		st->n = 0;      /* nothing is probed when a target is wrong */
	report(r, st);
	r->nplaces = st->n;
	for (i = 0; i < na; i++)
		free(addrs[i]);
	free(addrs);
	free(pv);
	audit_finish(r);
}

void
scan_release(struct audit_run *r)
{
	struct scan_state *st = r->scan;

	if (st == NULL)
		return;
	pthread_mutex_destroy(&st->lock);
	free(st->svc);
	free(st->jobs);
	free(st);
	r->scan = NULL;
}
