/*
 * nut_scan.c - mend scan's NUT probe (port 3493), from the controller:
 *   VER          does upsd answer in cleartext (and which version)?
 *   STARTTLS     offered ("OK STARTTLS") or refused (ERR FEATURE-...)?
 *   handshake    certificate subject, issuer, names, expiry, and whether
 *                it verifies against --ca (and the target's name)
 *   versions     one STARTTLS + pinned handshake per TLS version
 * Nothing else is sent: no LOGIN, no USERNAME/PASSWORD, no INSTCMD.
 * Replies are read with nutproto.h (the one nut_probe uses).
 */
#include <string.h>

#include "modules/nut/nut_audit.h"
#include "modules/nut/nutproto.h"
#include "runner/util/banned.h"

static const int nut_ports[] = { 3493, 0 };

static int
has_line(const char *buf, size_t len)
{
	return memchr(buf, '\n', len) != NULL;
}

/* Send cmd, read one reply line into line; its kind, or -1 (no reply). */
static int
ask(struct scan_job *j, struct tstream *s, const char *cmd,
    struct strbuf *line, char *code, size_t codesz)
{
	struct strbuf in = STRBUF_INIT;
	int kind = -1;

	scan_plain_xfer(j, s, cmd, strlen(cmd), &in, NUTPROTO_MAX_LINE, has_line);
	if (nutproto_take_line(&in, line) == 1)
		kind = (int)nutproto_classify(line->buf, code, codesz);
	strbuf_release(&in);
	return kind;
}

/* For scan_tls_versions: STARTTLS on a fresh connection. */
static int
starttls_pre(struct scan_job *j, struct tstream *s)
{
	struct strbuf line = STRBUF_INIT;
	char code[64];
	int kind = ask(j, s, "STARTTLS\n", &line, code, sizeof(code));

	strbuf_release(&line);
	return kind == NUTPROTO_OK ? 0 : -1;
}

static void
handshake(struct scan_job *j, struct tstream *s)
{
	struct tls_info info;
	struct tls_conn *t;
	struct err e = ERR_INIT;

	t = scan_tls(j, s, 0, &info, &e);
	if (t) {
		scan_tls_facts(j, &info);
		tls_close(t);
	} else {
		snprintf(j->svc->error, sizeof(j->svc->error), "after STARTTLS: %s",
		    err_text(&e, "TLS handshake failed"));
	}
	err_release(&e);
}

static void
first_contact(struct scan_job *j, struct tstream *s)
{
	struct strbuf line = STRBUF_INIT;
	char code[64];
	const char *why;
	int kind;

	kind = ask(j, s, "VER\n", &line, code, sizeof(code));
	if (kind < 0) {
		snprintf(j->svc->error, sizeof(j->svc->error), "no NUT reply to VER");
		strbuf_release(&line);
		return;
	}
	j->svc->cleartext = 1;
	snprintf(j->svc->product, sizeof(j->svc->product), "%s", line.buf);
	kind = ask(j, s, "STARTTLS\n", &line, code, sizeof(code));
	j->svc->starttls = kind == NUTPROTO_OK;
	snprintf(j->svc->starttls_reply, sizeof(j->svc->starttls_reply), "%s",
	    kind < 0 ? "no reply" : line.buf);
	if (kind == NUTPROTO_OK) {
		handshake(j, s);
	} else {
		why = kind == NUTPROTO_ERR ? nutproto_err_text(code) : NULL;
		scan_finding(j, &audit_nut.rules[R_SCAN_NOTLS], "STARTTLS "
		    "refused: %s%s%s%s", line.len ? line.buf : "no reply",
		    why ? " (" : "", why ? why : "", why ? ")" : "");
	}
	strbuf_release(&line);
}

static void
nut_findings(struct scan_job *j)
{
	const struct scan_service *v = j->svc;
	char vs[64];

	if (v->cleartext)
		scan_finding(j, &audit_nut.rules[R_SCAN_PLAIN], "upsd answers "
		    "VER in cleartext: '%s'", v->product);
	if (v->tls && v->verified == 0)
		scan_finding(j, &audit_nut.rules[R_SCAN_CERT], "certificate "
		    "'%s' (issuer '%s') does not verify: %s", v->cert.subject,
		    v->cert.issuer, v->cert.verify_error);
	else if (v->tls && v->cert.days_left < 0)
		scan_finding(j, &audit_nut.rules[R_SCAN_CERT], "certificate "
		    "'%s' expired on %s", v->cert.subject, v->cert.not_after);
	if (v->versions & 3u) {
		scan_versions_str(v->versions & 3u, vs, sizeof(vs));
		scan_finding(j, &audit_nut.rules[R_SCAN_WEAKTLS], "upsd "
		    "completes a %s handshake", vs);
	}
}

static void
nut_probe(struct scan_job *j)
{
	struct tstream *s;

	if (scan_connect(j, &s) < 0)
		return;
	first_contact(j, s);
	tstream_close(s);
	if (j->svc->starttls == 1)
		scan_tls_versions(j, starttls_pre);
	nut_findings(j);
}

const struct scan_probe scan_nut = {
	.name = "nut",
	.ports = nut_ports,
	.probe = nut_probe,
};
