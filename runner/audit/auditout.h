/*
 * auditout.h - the output formats of mend audit and mend scan, all from one
 * struct audit_run after audit_finish() (and the baseline, if any):
 *
 *   text    one block per finding: "path:line:col: SEVERITY ID name:
 *           message", the line with a caret under the column, why it
 *           matters and the fix; the patches (--diff); a summary line.
 *           Colour when asked (the front end decides: a TTY, NO_COLOR).
 *   json    one document, schema in README ("mend audit --format json").
 *   sarif   SARIF 2.1.0: every rule of every product as
 *           tool.driver.rules (id, name, descriptions, help, default
 *           level, security-severity), one result per finding with its
 *           region and snippet, partialFingerprints, baselineState (when
 *           a baseline was given), inline suppressions, and the fix as a
 *           whole-file replacement; input errors as tool execution
 *           notifications.  Checked against the OASIS schema in
 *           tests/audit/sarif-schema-2.1.0.json.
 *   junit   JUnit XML: a test case per finding (failure when it counts
 *           for the exit status, skipped otherwise), a passing one per
 *           clean input, an error one per input error.
 *
 * Everything is appended to out; nothing is printed here.
 */
#ifndef MEND_AUDITOUT_H
#define MEND_AUDITOUT_H

#include "runner/audit/audit.h"
#include "runner/util/strbuf.h"

struct audit_outopts {
	enum audit_sev fail_on;
	int color;               /* ANSI colours (text) */
	int diff;                /* text: the patches of the fixes */
	int exit_status;         /* recorded in json/sarif/junit */
};

void audit_out_text(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out);
void audit_out_json(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out);
void audit_out_sarif(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out);
void audit_out_junit(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out);
/* The rule catalogue (mend audit --rules): text, or JSON when json. */
void audit_out_rules(const struct audit_run *r, int json, struct strbuf *out);

/* Helpers shared by the formats (auditout.c). */
/* The unified diff of a fix ("" when the fix changes nothing). */
void audit_fix_diff(const struct audit_fixfile *x, struct strbuf *out);
/* "new", "unchanged", or NULL without a baseline. */
const char *audit_baseline_state(const struct audit_run *r,
    const struct audit_finding *f);

#endif
