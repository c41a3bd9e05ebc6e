/*
 * nut_audit.c - NUT's rules for mend audit and mend scan (the probe is in
 * nut_scan.c): upsmon.conf and upsd.conf read with nutconf.h's tokenizer
 * and analysis (the ones nut_facts uses), patched for --diff with
 * nutconf.h's patchers (the ones nut_tls uses).
 *
 * Options (mend audit --set KEY=VALUE):
 *   nut_backend        nss | openssl | unknown (default: unknown, the
 *                      analysis assumes the worst of both builds)
 *   nut_certpath       CERTPATH the upsmon fix writes when the file has
 *                      none (default /etc/nut/cert, as the playbook)
 *   nut_server_db      upsd CERTPATH (NSS) the fix writes when missing
 *                      (default /etc/nut/cert-upsd)
 *   nut_server_identity  upsd CERTIDENT name (NSS) when missing
 *   nut_server_certfile  upsd CERTFILE (OpenSSL; default /etc/nut/upsd.pem)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/audit/audit.h"
#include "modules/nut/nut_audit.h"
#include "modules/nut/nutconf.h"
#include "modules/nut/nutproto.h"
#include "runner/util/banned.h"


static const struct audit_rule nut_rules[] = {
	[R_IGNORED] = { "NUT001", "nut-ignored-tls-line", SEV_HIGH,
	    "a TLS directive NUT ignores (lowercase, '=', misspelled, parse "
	    "error), e.g. the common advice 'certverify = yes'",
	    "NUT keywords are case-sensitive UPPERCASE words without '=': "
	    "upsmon logs 'invalid directive' and keeps its default (0, off), "
	    "so the line only looks like it protects the connection",
	    "write the directive as NUT reads it ('CERTVERIFY 1', 'FORCESSL "
	    "1'); mend's fix (playbooks/nut-upsmon-tls.yml) replaces the line "
	    "and leaves a comment naming it", "nut-upsmon, nut-upsd" },
	[R_MISREAD] = { "NUT002", "nut-misread-tls-line", SEV_HIGH,
	    "a TLS directive NUT accepts but reads differently than written "
	    "(e.g. 'CERTVERIFY yes' or 'CERTVERIFY = 1')",
	    "numbers are read with atoi(): 'yes' is 0 and '=' is taken as the "
	    "value, so the setting is off although it reads as on",
	    "write exactly 1 ('CERTVERIFY 1'); mend's fix rewrites the line in "
	    "place", "nut-upsmon, nut-upsd" },
	[R_CERTVERIFY] = { "NUT003", "nut-certverify-off", SEV_HIGH,
	    "upsmon does not verify the server certificate (CERTVERIFY is not "
	    "1)", "without verification any host that answers on port 3493 "
	    "can impersonate upsd after STARTTLS and send a forged shutdown "
	    "or hide a power failure; only exactly 1 turns it on",
	    "CERTVERIFY 1 with CERTPATH naming a trust store that holds the "
	    "CA (mend: playbooks/nut-upsmon-tls.yml)", "nut-upsmon" },
	[R_FORCESSL] = { "NUT004", "nut-forcessl-off", SEV_HIGH,
	    "upsmon falls back to plaintext when STARTTLS fails (FORCESSL is "
	    "not 1)", "an attacker on the path can strip STARTTLS and read the "
	    "upsmon password and UPS state in cleartext",
	    "FORCESSL 1 (mend: playbooks/nut-upsmon-tls.yml)", "nut-upsmon" },
	[R_CERTPATH] = { "NUT005", "nut-certpath-missing", SEV_HIGH,
	    "upsmon has no trust store (CERTPATH missing or empty)",
	    "without CERTPATH there is no CA to verify against; with "
	    "CERTVERIFY 1 upsmon then drops every connection ('CERTVERIFY is "
	    "set, but CERTPATH isn't') and stops monitoring",
	    "CERTPATH naming the NSS database (Debian) or hashed CA directory "
	    "(OpenSSL builds) with the CA (mend: nut_ca + nut_tls)",
	    "nut-upsmon" },
	[R_CERTHOST] = { "NUT006", "nut-certhost-override", SEV_HIGH,
	    "a CERTHOST line switches verification or forced TLS off for a "
	    "MONITOR host (NSS builds)",
	    "CERTHOST <host> <name> <verify> <force> overrides CERTVERIFY and "
	    "FORCESSL for that host: '0 0' undoes the global settings exactly "
	    "where they matter", "CERTHOST <host> \"<cert name>\" 1 1 (mend's "
	    "fix repairs every CERTHOST to 1 1)", "nut-upsmon" },
	[R_UPSD_CERT] = { "NUT007", "nut-upsd-no-certificate", SEV_HIGH,
	    "upsd has no server certificate configured, so it cannot offer "
	    "STARTTLS", "clients can only talk to it in cleartext (passwords "
	    "and UPS state readable and forgeable on the network); clients "
	    "with FORCESSL 1 cannot connect at all",
	    "NSS builds (Debian): CERTPATH (database) and CERTIDENT; OpenSSL "
	    "builds: CERTFILE (mend: playbooks/nut-upsd-tls.yml)", "nut-upsd" },
	[R_UPSD_WEAK] = { "NUT008", "nut-upsd-weak-tls", SEV_MEDIUM,
	    "upsd accepts TLS 1.0 and 1.1 (DISABLE_WEAK_SSL not true)",
	    "TLS 1.0/1.1 are deprecated (RFC 8996) and allow downgrade and "
	    "weak-cipher attacks", "DISABLE_WEAK_SSL true (mend: "
	    "playbooks/nut-upsd-tls.yml)", "nut-upsd" },
	[R_SCAN_PLAIN] = { "NUT101", "nut-scan-cleartext", SEV_MEDIUM,
	    "upsd answers NUT commands in cleartext on port 3493",
	    "upsd 2.8.0 cannot refuse plaintext clients: every client that "
	    "does not set FORCESSL 1 sends its password in cleartext",
	    "offer STARTTLS (NUT007) and set FORCESSL 1 and CERTVERIFY 1 on "
	    "every client (NUT003, NUT004)", "scan" },
	[R_SCAN_NOTLS] = { "NUT102", "nut-scan-no-starttls", SEV_HIGH,
	    "upsd does not offer STARTTLS", "every client connection is "
	    "cleartext: passwords and UPS state readable and forgeable",
	    "configure a server certificate (NUT007)", "scan" },
	[R_SCAN_CERT] = { "NUT103", "nut-scan-certificate", SEV_HIGH,
	    "the certificate upsd presents after STARTTLS does not verify "
	    "against the given CA, or is expired",
	    "clients with CERTVERIFY 1 refuse it (monitoring stops); clients "
	    "without it accept any certificate",
	    "serve a certificate from the CA the clients trust, valid and "
	    "naming the host (mend: playbooks/nut-upsd-tls.yml)", "scan" },
	[R_SCAN_WEAKTLS] = { "NUT104", "nut-scan-weak-tls", SEV_MEDIUM,
	    "upsd completes a TLS 1.0 or 1.1 handshake",
	    "TLS 1.0/1.1 are deprecated (RFC 8996)", "DISABLE_WEAK_SSL true "
	    "(NUT008)", "scan" },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL },
};

/* ------------------------------------------------------------ types */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int
upsmon_name(const char *path)
{
	return strcmp(base_name(path), "upsmon.conf") == 0;
}

static int
upsd_name(const char *path)
{
	return strcmp(base_name(path), "upsd.conf") == 0;
}

static int
in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(w, *list) == 0)
			return 1;
	return 0;
}

/*
 * Most directive lines start with one of kw (any case: the seed's
 * 'certverify = yes' is still an upsmon.conf), one starts with must
 * exactly, and at most a third are something else.
 */
static int
sniff(const char *buf, size_t len, const char *const *kw, const char *must)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	size_t i, known = 0, other = 0;
	int seen = 0;

	nutconf_parse(&f, buf, len);
	for (i = 0; i < f.nr; i++) {
		if (f.lines[i].nr == 0)
			continue;
		if (in_list(f.lines[i].w[0].val, kw)) {
			known++;
			seen |= strcmp(f.lines[i].w[0].val, must) == 0;
		} else {
			other++;
		}
	}
	nutconf_file_release(&f);
	return seen && known > 0 && other * 2 <= known;
}

static int
upsmon_content(const char *buf, size_t len)
{
	static const char *const kw[] = {
		"MONITOR", "MINSUPPLIES", "SHUTDOWNCMD", "NOTIFYCMD",
		"POLLFREQ", "POLLFREQALERT", "HOSTSYNC", "DEADTIME",
		"POWERDOWNFLAG", "NOTIFYMSG", "NOTIFYFLAG", "RBWARNTIME",
		"NOCOMMWARNTIME", "FINALDELAY", "CERTPATH", "CERTIDENT",
		"CERTHOST", "CERTVERIFY", "FORCESSL", "RUN_AS_USER", NULL,
	};

	return sniff(buf, len, kw, "MONITOR");
}

static int
upsd_content(const char *buf, size_t len)
{
	static const char *const kw[] = {
		"LISTEN", "MAXAGE", "MAXCONN", "STATEPATH", "CERTFILE",
		"CERTPATH", "CERTIDENT", "CERTREQUEST", "DISABLE_WEAK_SSL",
		"TRACKINGDELAY", "ALLOW_NO_DEVICE", "ALLOW_NOT_ALL_LISTENERS",
		NULL,
	};

	return sniff(buf, len, kw, "LISTEN");
}

static const struct audit_type nut_types[] = {
	{ "nut-upsmon", "NUT upsmon.conf (client)", upsmon_name,
	    upsmon_content },
	{ "nut-upsd", "NUT upsd.conf (server)", upsd_name, upsd_content },
	{ NULL, NULL, NULL, NULL },
};

/* ------------------------------------------------------------ checks */

static enum nutconf_backend
backend_opt(const struct audit_run *r)
{
	const char *b = audit_opt(r, "nut_backend", "unknown");

	if (strcmp(b, "nss") == 0)
		return NUTCONF_BACKEND_NSS;
	if (strcmp(b, "openssl") == 0)
		return NUTCONF_BACKEND_OPENSSL;
	return NUTCONF_BACKEND_UNKNOWN;
}

/* Byte column of the first word NUT reads on physical line `line`. */
static int
word_col(const struct nutconf_file *f, int line)
{
	size_t i, j;

	for (i = 0; i < f->nr; i++)
		for (j = 0; j < f->lines[i].nr; j++)
			if (f->lines[i].w[j].line == line)
				return f->lines[i].w[j].col;
	return 0;
}

/* The reason's text without its "line N: " prefix (the position says it). */
static const char *
reason_msg(const struct nutconf_issue *is)
{
	const char *s = is->text;

	if (strncmp(s, "line ", 5) == 0 && strstr(s, ": "))
		return strstr(s, ": ") + 2;
	return s;
}

static const struct nutconf_bad_line *
bad_at(const struct nutconf_bad_line *bad, size_t n, const struct nutconf_issue *is)
{
	size_t i;

	for (i = 0; i < n && is->line > 0; i++)
		if (bad[i].line == is->line && is->directive &&
		    strcmp(bad[i].directive, is->directive) == 0)
			return &bad[i];
	return NULL;
}

static int
rule_of(const struct nutconf_issue *is, const struct nutconf_bad_line *b)
{
	static const struct { const char *kw; int rule; } map[] = {
		{ "CERTVERIFY", R_CERTVERIFY }, { "FORCESSL", R_FORCESSL },
		{ "CERTPATH", R_CERTPATH }, { "CERTHOST", R_CERTHOST },
	};
	size_t i;

	if (b)
		return b->accepted ? R_MISREAD : R_IGNORED;
	for (i = 0; i < ARRAY_SIZE(map) && is->directive; i++)
		if (strcmp(is->directive, map[i].kw) == 0)
			return map[i].rule;
	return R_IGNORED;
}

static void
report_issues(struct audit_run *r, const struct audit_input *in,
    const struct nutconf_file *f, const struct nutconf_issues *is,
    const struct nutconf_bad_line *bad, size_t nbad, int upsd)
{
	const struct nutconf_bad_line *b;
	size_t i;
	int rule;

	for (i = 0; i < is->nr; i++) {
		b = bad_at(bad, nbad, &is->v[i]);
		rule = rule_of(&is->v[i], b);
		if (upsd && !b)
			rule = strcmp(is->v[i].directive, "DISABLE_WEAK_SSL") == 0 ?
			    R_UPSD_WEAK : R_UPSD_CERT;
		audit_report(r, &nut_rules[rule], in, is->v[i].line,
		    word_col(f, is->v[i].line), "%s", reason_msg(&is->v[i]));
	}
}

static void
mask(struct audit_input *in)
{
	struct strbuf sb = STRBUF_INIT;

	nutproto_mask_secrets(in->buf, in->len, &sb);
	if (sb.len != in->len || memcmp(sb.buf, in->buf, in->len) != 0)
		audit_set_shown(in, sb.buf, sb.len);
	strbuf_release(&sb);
}

/* Record the patcher's output (masked like the input) or its refusal. */
static void
record_fix(struct audit_run *r, const struct audit_input *in, int rc,
    const struct strbuf *out, struct err *e)
{
	struct strbuf m = STRBUF_INIT;

	if (rc < 0) {
		audit_fix(r, in, NULL, 0, err_text(e, "refused"));
	} else if (in->shown) {
		nutproto_mask_secrets(out->buf, out->len, &m);
		audit_fix(r, in, m.buf, m.len, NULL);
	} else {
		audit_fix(r, in, out->buf, out->len, NULL);
	}
	strbuf_release(&m);
}

static void
check_upsmon(struct audit_run *r, const struct audit_input *in)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	struct nutconf_client_fix fix = { NULL, NULL, 0 };
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;

	nutconf_parse(&f, in->buf, in->len);
	nutconf_upsmon_analyze(&a, &f, backend_opt(r));
	report_issues(r, in, &f, &a.reasons, a.bad, a.nr_bad, 0);
	if (a.vulnerable) {
		if (!a.certpath.set || a.certpath.raw[0] == '\0')
			fix.certpath = audit_opt(r, "nut_certpath", "/etc/nut/cert");
		record_fix(r, in, nutconf_patch_upsmon(in->buf, in->len, &fix,
		    &out, &e), &out, &e);
	}
	err_release(&e);
	strbuf_release(&out);
	nutconf_upsmon_release(&a);
	nutconf_file_release(&f);
}

static void
check_upsd(struct audit_run *r, const struct audit_input *in)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsd a;
	struct nutconf_server_fix fix;
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;

	nutconf_parse(&f, in->buf, in->len);
	nutconf_upsd_analyze(&a, &f, backend_opt(r));
	report_issues(r, in, &f, &a.reasons, a.bad, a.nr_bad, 1);
	if (a.vulnerable) {
		memset(&fix, 0, sizeof(fix));
		fix.backend = backend_opt(r);
		fix.disable_weak_ssl = 1;
		if (!a.certpath.set)
			fix.certpath = audit_opt(r, "nut_server_db",
			    "/etc/nut/cert-upsd");
		if (!a.certident.set)
			fix.certident_name = audit_opt(r, "nut_server_identity",
			    NULL);
		if (!a.certfile.set)
			fix.certfile = audit_opt(r, "nut_server_certfile",
			    "/etc/nut/upsd.pem");
		record_fix(r, in, fix.backend == NUTCONF_BACKEND_UNKNOWN ?
		    err_set(&e, "the NUT build is not known: say --set "
		    "nut_backend=nss (Debian) or openssl") :
		    nutconf_patch_upsd(in->buf, in->len, &fix, &out, &e), &out, &e);
	}
	err_release(&e);
	strbuf_release(&out);
	nutconf_upsd_release(&a);
	nutconf_file_release(&f);
}

static void
nut_check(struct audit_run *r, struct audit_input *const *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		mask(in[i]);
		if (strcmp(in[i]->type->id, "nut-upsmon") == 0)
			check_upsmon(r, in[i]);
		else
			check_upsd(r, in[i]);
	}
}

static const struct scan_probe *const nut_probes[] = { &scan_nut, NULL };

const struct audit_product audit_nut = {
	.name = "nut",
	.types = nut_types,
	.rules = nut_rules,
	.check = nut_check,
	.probes = nut_probes,
};
