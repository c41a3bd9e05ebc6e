/*
 * nutconf_upsmon.c - upsmon.conf TLS analysis (nutconf.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "modules/nut/nutconf.h"
#include "modules/nut/nutconf_int.h"
#include "runner/util/suggest.h"
#include "runner/util/banned.h"

/* upsmon.conf analysis                                                */

/* upscli_splitaddr(): host[:port] or [host]:port. */
static void
split_addr(const char *s, char **host, int *port)
{
	const char *h = s, *e;

	*port = NUT_PORT;
	if (*s == '[') {
		h = s + 1;
		while (*h == ']')
			h++;
		e = h + strcspn(h, "]");
		*host = xstrndup(h, (size_t)(e - h));
		if (*e == ']' && e[1] == ':')
			*port = (int)strtol(e + 2, NULL, 10);
		return;
	}
	while (*h == ':')
		h++;
	e = h + strcspn(h, ":");
	*host = xstrndup(h, (size_t)(e - h));
	if (strchr(s, ':'))
		*port = (int)strtol(strchr(s, ':') + 1, NULL, 10);
}

/* upscli_splitname(): upsname[@hostname[:port]]. */
static void
split_system(struct nutconf_monitor *m)
{
	const char *s = m->system, *at = strchr(s, '@'), *u = s;

	while (*u == '@')
		u++;
	m->upsname = xstrndup(u, strcspn(u, "@"));
	if (at == NULL) {
		m->host = xstrdup("localhost");
		m->port = NUT_PORT;
		return;
	}
	split_addr(at + 1, &m->host, &m->port);
}

static void
take_monitor(struct nutconf_upsmon *a, const struct nutconf_line *r)
{
	struct nutconf_monitor *m;

	if (r->nr < 1 || strcmp(r->w[0].val, "MONITOR"))
		return;
	if (r->nr == 5) {
		nutc_issue_addf(&a->notes, r->line, "MONITOR",
		    "line %d: old-style "
		    "MONITOR line without a user name: upsmon refuses to "
		    "start", r->line);
		return;
	}
	if (r->nr < 6)
		return;
	ALLOC_GROW(a->monitors, a->nr_monitors + 1, a->alloc_monitors);
	m = &a->monitors[a->nr_monitors++];
	memset(m, 0, sizeof(*m));
	m->line = r->line;
	m->system = xstrdup(r->w[1].val);
	m->powervalue = xstrdup(r->w[2].val);
	m->user = xstrdup(r->w[3].val);
	m->password = xstrdup(r->w[4].val);
	m->role = xstrdup(r->w[5].val);
	split_system(m);
}

static void
take_certhost(struct nutconf_upsmon *a, const struct nutconf_line *r)
{
	struct nutconf_certhost *h;

	ALLOC_GROW(a->certhosts, a->nr_certhosts + 1, a->alloc_certhosts);
	h = &a->certhosts[a->nr_certhosts++];
	memset(h, 0, sizeof(*h));
	h->line = r->line;
	h->host = xstrdup(r->w[1].val);
	h->name = xstrdup(r->w[2].val);
	h->verify_raw = xstrdup(r->w[3].val);
	h->force_raw = xstrdup(r->w[4].val);
	h->certverify = nutconf_atoi(h->verify_raw);
	h->forcessl = nutconf_atoi(h->force_raw);
}

static void
upsmon_apply(struct nutconf_upsmon *a, const struct nutconf_line *r,
    enum dkind k)
{
	switch (k) {
	case D_CERTPATH:
		nutc_value_set(&a->certpath, r, 0);
		break;
	case D_CERTVERIFY:
		nutc_value_set(&a->certverify, r, nutconf_atoi(r->w[1].val));
		break;
	case D_FORCESSL:
		nutc_value_set(&a->forcessl, r, nutconf_atoi(r->w[1].val));
		break;
	case D_CERTIDENT:
		nutc_ident_set(&a->certident.name, &a->certident.password,
		    &a->certident.set, &a->certident.line, r);
		break;
	case D_CERTHOST:
		take_certhost(a, r);
		break;
	default:
		break;
	}
}

static void
upsmon_line(struct nutconf_upsmon *a, const struct nutconf_file *f,
    const struct nutconf_line *r)
{
	const struct nutc_sink s = { P_UPSMON, a->backend, &a->notes, &a->bad,
	    &a->nr_bad, &a->alloc_bad };
	struct cls c;

	/* c.wrong_backend is never set for upsmon */
	switch (nutc_take_line(&s, f, r, &c)) {
	case NUTC_TAKE_OTHER:
		take_monitor(a, r);
		break;
	case NUTC_TAKE_APPLY:
		upsmon_apply(a, r, c.kind);
		break;
	case NUTC_TAKE_DONE:
		break;
	}
}

int
nutc_host_monitored(const struct nutconf_upsmon *a, const char *host)
{
	size_t i;

	for (i = 0; i < a->nr_monitors; i++)
		if (!strcmp(a->monitors[i].host, host))
			return 1;
	return 0;
}


int
nutc_hostref_cmp(const void *a, const void *b)
{
	const struct hostref *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The last CERTHOST of each host is the one NUT uses. */
static void
mark_certhosts(struct nutconf_upsmon *a)
{
	struct hostref *v = xcalloc(a->nr_certhosts, sizeof(*v));
	size_t i;

	for (i = 0; i < a->nr_certhosts; i++) {
		v[i].host = a->certhosts[i].host;
		v[i].idx = i;
		a->certhosts[i].monitored = nutc_host_monitored(a, v[i].host);
	}
	qsort(v, a->nr_certhosts, sizeof(*v), nutc_hostref_cmp);
	for (i = 0; i < a->nr_certhosts; i++)
		a->certhosts[v[i].idx].effective = i + 1 == a->nr_certhosts ||
		    strcmp(v[i].host, v[i + 1].host) != 0;
	free(v);
}

static void
reason_flag(struct nutconf_upsmon *a, const struct nutconf_value *v,
    const char *kw, const char *effect)
{
	char *s;

	if (!v->set) {
		nutc_issue_addf(&a->reasons, 0, kw,
		    "%s is not set (default 0): %s",
		    kw, effect);
		return;
	}
	if (v->num == 1)
		return;
	s = nutc_shown_value(v->raw);
	if (nutc_plain_int(v->raw))
		nutc_issue_addf(&a->reasons, v->line, kw,
		    "line %d: %s is %s: %s%s",
		    v->line, kw, s, effect,
		    v->num ? " (only 1 turns it on)" : "");
	else
		nutc_issue_addf(&a->reasons, v->line, kw,
		    "line %d: %s is '%s', which "
		    "upsmon reads as %d: %s", v->line, kw, s, v->num, effect);
	free(s);
}

static void
reason_certpath(struct nutconf_upsmon *a)
{
	if (!a->certpath.set && a->certverify.num == 1)
		nutc_issue_addf(&a->reasons, 0, "CERTPATH",
		    "CERTVERIFY is 1 but "
		    "CERTPATH is not set: upsmon drops every connection "
		    "('CERTVERIFY is set, but CERTPATH isn't')");
	else if (!a->certpath.set)
		nutc_issue_addf(&a->reasons, 0, "CERTPATH",
		    "CERTPATH is not set: "
		    "there is no CA to verify server certificates against");
	else if (a->certpath.raw[0] == '\0')
		nutc_issue_addf(&a->reasons, a->certpath.line, "CERTPATH",
		    "line %d: CERTPATH is empty", a->certpath.line);
}

static void
reason_certhost(struct nutconf_upsmon *a, const struct nutconf_certhost *h)
{
	char *host = nutc_shown_value(h->host);

	if (!h->certverify && !h->forcessl)
		nutc_issue_addf(&a->reasons, h->line, "CERTHOST",
		    "line %d: CERTHOST "
		    "for '%s' disables verification (0 0)", h->line, host);
	else if (!h->certverify)
		nutc_issue_addf(&a->reasons, h->line, "CERTHOST",
		    "line %d: CERTHOST "
		    "for '%s' disables verification (certverify 0)", h->line,
		    host);
	else if (!h->forcessl)
		nutc_issue_addf(&a->reasons, h->line, "CERTHOST",
		    "line %d: CERTHOST "
		    "for '%s' lets upsmon fall back to plaintext (forcessl 0)",
		    h->line, host);
	free(host);
}

static void
reasons_certhosts(struct nutconf_upsmon *a)
{
	size_t i;

	for (i = 0; i < a->nr_certhosts; i++) {
		const struct nutconf_certhost *h = &a->certhosts[i];

		if (a->backend == NUTCONF_BACKEND_OPENSSL) {
			nutc_issue_addf(&a->notes, h->line, "CERTHOST",
			    "line %d: "
			    "CERTHOST is ignored by OpenSSL builds", h->line);
			continue;
		}
		if (h->effective && h->monitored)
			reason_certhost(a, h);
		else if (h->effective && (!h->certverify || !h->forcessl))
			nutc_issue_addf(&a->notes, h->line, "CERTHOST",
			    "line %d: "
			    "CERTHOST switches TLS checks off for a host no "
			    "MONITOR line uses", h->line);
	}
}

/* Bad lines become reasons, except the misread effective CERTVERIFY or
 * FORCESSL line that reason_flag() already explains, and CERTIDENT (client
 * certificates are optional: a note). */
static void
reasons_bad(struct nutconf_upsmon *a)
{
	size_t i;

	for (i = 0; i < a->nr_bad; i++) {
		const struct nutconf_bad_line *b = &a->bad[i];

		if (b->accepted &&
		    ((b->directive == nutc_dspec[D_CERTVERIFY].kw &&
		    b->line == a->certverify.line) ||
		    (b->directive == nutc_dspec[D_FORCESSL].kw &&
		    b->line == a->forcessl.line)))
			continue;
		nutc_bad_reason(b->directive == nutc_dspec[D_CERTIDENT].kw ?
		    &a->notes : &a->reasons, b, P_UPSMON);
	}
}

static int
path_bad(enum nutconf_path_state st)
{
	return st == NUTCONF_PATH_MISSING || st == NUTCONF_PATH_UNREADABLE;
}

static int
hosts_enforced(const struct nutconf_upsmon *a)
{
	size_t i;

	if (a->backend == NUTCONF_BACKEND_OPENSSL)
		return 1;
	for (i = 0; i < a->nr_certhosts; i++) {
		const struct nutconf_certhost *h = &a->certhosts[i];

		if (h->effective && h->monitored &&
		    (!h->certverify || !h->forcessl))
			return 0;
	}
	return 1;
}

static void
upsmon_verdict(struct nutconf_upsmon *a)
{
	a->tls_enforced = a->certverify.num == 1 && a->forcessl.num == 1 &&
	    a->certpath.set && a->certpath.raw[0] != '\0' &&
	    strcmp(a->certpath.raw, "=") != 0 && hosts_enforced(a) &&
	    !path_bad(a->certpath_state);
	a->vulnerable = a->reasons.nr > 0;
}

void
nutconf_upsmon_analyze(struct nutconf_upsmon *a, const struct nutconf_file *f,
    enum nutconf_backend backend)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	a->backend = backend;
	for (i = 0; i < f->nr; i++)
		if (f->lines[i].nr > 0)
			upsmon_line(a, f, &f->lines[i]);
	mark_certhosts(a);
	reason_flag(a, &a->certverify, "CERTVERIFY",
	    "server certificates are not verified");
	reason_flag(a, &a->forcessl, "FORCESSL",
	    "upsmon falls back to plaintext");
	reason_certpath(a);
	reasons_certhosts(a);
	reasons_bad(a);
	upsmon_verdict(a);
}

/* Own objects, so the reason can be found again by pointer. */
static const char path_certpath[] = "CERTPATH";
static const char path_certfile[] = "CERTFILE";

void
nutc_path_reason(struct nutconf_issues *is, const char *kw,
    const struct nutconf_value *v, enum nutconf_path_state st)
{
	const char *marker = !strcmp(kw, "CERTFILE") ? path_certfile :
	    path_certpath;
	char *s;

	nutc_issue_del_directive(is, path_certpath);
	nutc_issue_del_directive(is, path_certfile);
	if (!path_bad(st) || !v->set)
		return;
	s = nutc_shown_value(v->raw);
	nutc_issue_addf(is, v->line, marker, "line %d: %s '%s' %s on the host",
	    v->line, kw, s, st == NUTCONF_PATH_MISSING ? "does not exist" :
	    "is not readable by the nut user");
	free(s);
}

void
nutconf_upsmon_set_certpath_state(struct nutconf_upsmon *a,
    enum nutconf_path_state st)
{
	a->certpath_state = st;
	nutc_path_reason(&a->reasons, "CERTPATH", &a->certpath, st);
	upsmon_verdict(a);
}

void
nutconf_upsmon_release(struct nutconf_upsmon *a)
{
	size_t i;

	nutc_value_release(&a->certpath);
	nutc_value_release(&a->certverify);
	nutc_value_release(&a->forcessl);
	free(a->certident.name);
	free(a->certident.password);
	for (i = 0; i < a->nr_monitors; i++) {
		struct nutconf_monitor *m = &a->monitors[i];

		free(m->system);
		free(m->upsname);
		free(m->host);
		free(m->powervalue);
		free(m->user);
		free(m->password);
		free(m->role);
	}
	free(a->monitors);
	for (i = 0; i < a->nr_certhosts; i++) {
		free(a->certhosts[i].host);
		free(a->certhosts[i].name);
		free(a->certhosts[i].verify_raw);
		free(a->certhosts[i].force_raw);
	}
	free(a->certhosts);
	nutc_bad_release(a->bad, a->nr_bad);
	nutc_issues_release(&a->reasons);
	nutc_issues_release(&a->notes);
	memset(a, 0, sizeof(*a));
}

/* ------------------------------------------------------------------ */
