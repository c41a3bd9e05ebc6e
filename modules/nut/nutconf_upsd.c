/*
 * nutconf_upsd.c - upsd.conf TLS analysis (nutconf.h).
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

/* upsd.conf analysis                                                  */

static void
take_listen(struct nutconf_upsd *a, const struct nutconf_line *r)
{
	struct nutconf_listen *l;

	if (strcmp(r->w[0].val, "LISTEN") || r->nr < 2)
		return;
	ALLOC_GROW(a->listens, a->nr_listens + 1, a->alloc_listens);
	l = &a->listens[a->nr_listens++];
	l->line = r->line;
	l->addr = xstrdup(r->w[1].val);
	l->port = xstrdup(r->nr >= 3 ? r->w[2].val : "3493");
}

static void
upsd_apply(struct nutconf_upsd *a, const struct nutconf_line *r,
    enum dkind k)
{
	switch (k) {
	case D_CERTPATH:
		nutc_value_set(&a->certpath, r, 0);
		break;
	case D_CERTFILE:
		nutc_value_set(&a->certfile, r, 0);
		break;
	case D_WEAKSSL:
		nutc_value_set(&a->disable_weak_ssl, r,
		    nutconf_boolean(r->w[1].val));
		break;
	case D_CERTIDENT:
		nutc_ident_set(&a->certident.name, &a->certident.password,
		    &a->certident.set, &a->certident.line, r);
		break;
	default:
		break;
	}
}

static void
upsd_line(struct nutconf_upsd *a, const struct nutconf_file *f,
    const struct nutconf_line *r)
{
	const struct nutc_sink s = { P_UPSD, a->backend, &a->notes, &a->bad,
	    &a->nr_bad, &a->alloc_bad };
	struct cls c;

	switch (nutc_take_line(&s, f, r, &c)) {
	case NUTC_TAKE_OTHER:
		take_listen(a, r);
		break;
	case NUTC_TAKE_APPLY:
		upsd_apply(a, r, c.kind);
		break;
	case NUTC_TAKE_DONE:
		break;
	}
}

static void
upsd_reasons_tls(struct nutconf_upsd *a)
{
	if (a->tls_ready)
		return;
	if (a->backend == NUTCONF_BACKEND_OPENSSL) {
		nutc_issue_addf(&a->reasons, 0, "CERTFILE",
		    "CERTFILE is not set: "
		    "upsd cannot offer STARTTLS");
		return;
	}
	if (a->backend == NUTCONF_BACKEND_UNKNOWN) {
		nutc_issue_addf(&a->reasons, 0, "CERTPATH",
		    "no server certificate "
		    "is configured (NSS builds: CERTPATH and CERTIDENT; "
		    "OpenSSL builds: CERTFILE): upsd cannot offer STARTTLS");
		return;
	}
	if (!a->certpath.set)
		nutc_issue_addf(&a->reasons, 0, "CERTPATH",
		    "CERTPATH is not set: "
		    "upsd has no certificate database and cannot offer "
		    "STARTTLS");
	if (!a->certident.set)
		nutc_issue_addf(&a->reasons, 0, "CERTIDENT",
		    "CERTIDENT is not set: "
		    "upsd does not know which certificate to serve");
}

static void
upsd_reasons(struct nutconf_upsd *a)
{
	size_t i;
	char *s;

	upsd_reasons_tls(a);
	if (!a->disable_weak_ssl.set)
		nutc_issue_addf(&a->reasons, 0, "DISABLE_WEAK_SSL",
		    "DISABLE_WEAK_SSL "
		    "is not set (default off): TLS 1.0 and 1.1 are accepted");
	else if (a->disable_weak_ssl.num != 1) {
		s = nutc_shown_value(a->disable_weak_ssl.raw);
		nutc_issue_addf(&a->reasons, a->disable_weak_ssl.line,
		    "DISABLE_WEAK_SSL", "line %d: DISABLE_WEAK_SSL is '%s': TLS "
		    "1.0 and 1.1 are accepted", a->disable_weak_ssl.line, s);
		free(s);
	}
	for (i = 0; i < a->nr_bad; i++)
		nutc_bad_reason(&a->reasons, &a->bad[i], P_UPSD);
}

static void
upsd_notes(struct nutconf_upsd *a)
{
	if (a->nr_listens == 0)
		nutc_issue_addf(&a->notes, 0, "LISTEN",
		    "no LISTEN line: upsd listens "
		    "on 127.0.0.1 and ::1 port 3493 only");
	nutc_issue_addf(&a->notes, 0, NULL,
	    "upsd 2.8.0 cannot refuse plaintext "
	    "clients: every client must set FORCESSL 1");
}

static void
upsd_verdict(struct nutconf_upsd *a)
{
	a->vulnerable = a->reasons.nr > 0;
}

void
nutconf_upsd_analyze(struct nutconf_upsd *a, const struct nutconf_file *f,
    enum nutconf_backend backend)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	a->backend = backend;
	for (i = 0; i < f->nr; i++)
		if (f->lines[i].nr > 0)
			upsd_line(a, f, &f->lines[i]);
	a->nss_ready = a->certpath.set && a->certident.set;
	a->openssl_ready = a->certfile.set;
	if (backend == NUTCONF_BACKEND_NSS)
		a->tls_ready = a->nss_ready;
	else if (backend == NUTCONF_BACKEND_OPENSSL)
		a->tls_ready = a->openssl_ready;
	else
		a->tls_ready = a->nss_ready || a->openssl_ready;
	upsd_reasons(a);
	upsd_notes(a);
	upsd_verdict(a);
}

void
nutconf_upsd_set_cert_state(struct nutconf_upsd *a, enum nutconf_path_state st)
{
	int nss = a->backend == NUTCONF_BACKEND_NSS ||
	    (a->backend == NUTCONF_BACKEND_UNKNOWN && a->certpath.set);

	a->cert_state = st;
	nutc_path_reason(&a->reasons, nss ? "CERTPATH" : "CERTFILE",
	    nss ? &a->certpath : &a->certfile, st);
	upsd_verdict(a);
}

void
nutconf_upsd_release(struct nutconf_upsd *a)
{
	size_t i;

	nutc_value_release(&a->certpath);
	nutc_value_release(&a->certfile);
	nutc_value_release(&a->disable_weak_ssl);
	free(a->certident.name);
	free(a->certident.password);
	for (i = 0; i < a->nr_listens; i++) {
		free(a->listens[i].addr);
		free(a->listens[i].port);
	}
	free(a->listens);
	nutc_bad_release(a->bad, a->nr_bad);
	nutc_issues_release(&a->reasons);
	nutc_issues_release(&a->notes);
	memset(a, 0, sizeof(*a));
}

/* ------------------------------------------------------------------ */
