/* sarif.c - SARIF 2.1.0 output; see auditout.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/audit/auditout.h"
#include "runner/util/banned.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static void
js(struct strbuf *out, const char *s)
{
	strbuf_addjson(out, s ? s : "", s ? strlen(s) : 0);
}

static const char *
level(enum audit_sev s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

/* GitHub code scanning reads properties.security-severity (0.0-10.0). */
static const char *
security_severity(enum audit_sev s)
{
	static const char *const v[] = { "0.0", "2.0", "5.0", "7.5", "9.5" };

	return v[s];
}

/* A relative URI reference: unreserved bytes and '/' as they are, every
 * other byte percent-encoded.  "host:port" places (scan) become tcp://. */
static void
uri(struct strbuf *out, const char *path, int scan)
{
	const char *p;

	strbuf_addch(out, '"');
	if (scan)
		strbuf_addstr(out, "tcp://");
	for (p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) ||
		    (scan && (c == ':' || c == '[' || c == ']')))
			strbuf_addch(out, (char)c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
	strbuf_addch(out, '"');
}

static void
sarif_rule(const struct audit_rule *ru, struct strbuf *out)
{
	strbuf_addf(out, "{\"id\": \"%s\", \"name\": \"%s\", "
	    "\"shortDescription\": {\"text\": ", ru->id, ru->name);
	js(out, ru->title);
	strbuf_addstr(out, "}, \"fullDescription\": {\"text\": ");
	js(out, ru->why);
	strbuf_addstr(out, "}, \"help\": {\"text\": ");
	{
		char *h = xasprintf("%s\n\nWhy: %s\n\nFix: %s", ru->title,
		    ru->why, ru->fix);
		js(out, h);
		free(h);
	}
	strbuf_addf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}, "
	    "\"properties\": {\"tags\": [\"security\"], \"precision\": "
	    "\"very-high\", \"security-severity\": \"%s\", \"mend-severity\": "
	    "\"%s\", \"scope\": ", level(ru->sev), security_severity(ru->sev),
	    audit_sev_name(ru->sev));
	js(out, ru->scope);
	strbuf_addstr(out, "}}");
}

/* Index of ru in the driver's rule list (every product's rules in order). */
static int
rule_index(const struct audit_run *r, const struct audit_rule *ru)
{
	const struct audit_rule *x;
	size_t i;
	int n = 0;

	for (i = 0; r->products[i]; i++)
		for (x = r->products[i]->rules; x->id; x++, n++)
			if (x == ru)
				return n;
	return -1;
}

static void
sarif_fix(const struct audit_run *r, const struct audit_fixfile *x,
    struct strbuf *out)
{
	strbuf_addstr(out, ", \"fixes\": [{\"description\": {\"text\": "
	    "\"what mend's fix writes (mend run playbooks/...)\"}, "
	    "\"artifactChanges\": [{\"artifactLocation\": {\"uri\": ");
	uri(out, x->path, 0);
	strbuf_addf(out, "}, \"replacements\": [{\"deletedRegion\": "
	    "{\"byteOffset\": 0, \"byteLength\": %zu}, \"insertedContent\": "
	    "{\"text\": ", x->before_len);
	js(out, x->after);
	strbuf_addstr(out, "}}]}]}]");
	(void)r;
}

static void
sarif_location(const struct audit_run *r, const struct audit_finding *f,
    struct strbuf *out)
{
	strbuf_addstr(out, "\"locations\": [{\"physicalLocation\": "
	    "{\"artifactLocation\": {\"uri\": ");
	uri(out, f->path, r->scan != NULL);
	strbuf_addch(out, '}');
	if (f->line > 0) {
		strbuf_addf(out, ", \"region\": {\"startLine\": %d, "
		    "\"startColumn\": %d", f->line, f->col);
		if (f->text) {
			strbuf_addstr(out, ", \"snippet\": {\"text\": ");
			js(out, f->text);
			strbuf_addch(out, '}');
		}
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, "}}]");
}

static void
sarif_result(const struct audit_run *r, const struct audit_finding *f,
    struct strbuf *out)
{
	const char *bs = audit_baseline_state(r, f);

	strbuf_addf(out, "{\"ruleId\": \"%s\", \"ruleIndex\": %d, "
	    "\"level\": \"%s\", \"message\": {\"text\": ", f->rule->id,
	    rule_index(r, f->rule), level(f->rule->sev));
	js(out, f->msg);
	strbuf_addstr(out, "}, ");
	sarif_location(r, f, out);
	strbuf_addf(out, ", \"partialFingerprints\": {\"mend/v1\": \"%s\"}",
	    f->fp);
	if (bs)
		strbuf_addf(out, ", \"baselineState\": \"%s\"", bs);
	if (f->suppressed) {
		strbuf_addstr(out, ", \"suppressions\": [{\"kind\": \"inSource\", "
		    "\"justification\": ");
		js(out, f->supp_reason);
		strbuf_addstr(out, "}]");
	}
	if (f->fixfile >= 0 && r->fixes[f->fixfile].after &&
	    !r->fixes[f->fixfile].masked)
		sarif_fix(r, &r->fixes[f->fixfile], out);
	strbuf_addstr(out, "}");
}

static void
sarif_invocation(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out)
{
	size_t i;

	strbuf_addf(out, "      \"invocations\": [{\"executionSuccessful\": %s, "
	    "\"exitCode\": %d, \"toolExecutionNotifications\": [",
	    r->nierr ? "false" : "true", o->exit_status);
	for (i = 0; i < r->nierr; i++) {
		strbuf_addstr(out, i ? ", " : "");
		strbuf_addstr(out, "{\"level\": \"error\", \"message\": "
		    "{\"text\": ");
		js(out, r->ierr[i].msg);
		strbuf_addstr(out, "}, \"locations\": [{\"physicalLocation\": "
		    "{\"artifactLocation\": {\"uri\": ");
		uri(out, r->ierr[i].path, r->scan != NULL);
		strbuf_addch(out, '}');
		if (r->ierr[i].line > 0)
			strbuf_addf(out, ", \"region\": {\"startLine\": %d, "
			    "\"startColumn\": %d}", r->ierr[i].line,
			    r->ierr[i].col > 0 ? r->ierr[i].col : 1);
		strbuf_addstr(out, "}}]}");
	}
	strbuf_addstr(out, "]}],\n");
}

void
audit_out_sarif(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out)
{
	const struct audit_rule *ru;
	size_t i;
	int first = 1;

	strbuf_addf(out, "{\n  \"$schema\": \"%s\",\n  \"version\": \"2.1.0\",\n"
	    "  \"runs\": [\n    {\n      \"tool\": {\"driver\": {\"name\": "
	    "\"mend\", \"version\": \"%s\", \"rules\": [", SARIF_SCHEMA,
	    MEND_VERSION);
	for (i = 0; r->products[i]; i++)
		for (ru = r->products[i]->rules; ru->id; ru++) {
			strbuf_addstr(out, first ? "\n        " : ",\n        ");
			first = 0;
			sarif_rule(ru, out);
		}
	strbuf_addstr(out, "\n      ]}},\n");
	sarif_invocation(r, o, out);
	strbuf_addstr(out, "      \"results\": [");
	for (i = 0; i < r->nf; i++) {
		strbuf_addstr(out, i ? ",\n        " : "\n        ");
		sarif_result(r, &r->f[i], out);
	}
	strbuf_addstr(out, r->nf ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n");
}
