/*
 * cli_audit.h - the report options mend audit and mend scan share
 * (cli_audit.c, cli_scan.c).
 */
#ifndef MEND_CLI_AUDIT_H
#define MEND_CLI_AUDIT_H

#include "runner/audit/audit.h"

/* getopt values of the long options (report_opt() handles the shared
 * ones: -o and -D are short options) */
enum { O_TYPE = 256, O_FORMAT, O_FAILON, O_BASELINE, O_WBASELINE, O_SET,
	O_COLOR, O_RULES };

struct report_opts {
	const char *format;          /* text json sarif junit */
	const char *output;          /* -o FILE, NULL = stdout */
	enum audit_sev fail_on;      /* SEV_CRITICAL + 1 = none */
	int diff;
	const char *baseline, *write_baseline;
	const char *color;           /* auto always never */
};

void report_opts_init(struct report_opts *o);
/* Handle one of the shared options (getopt value ch, argument arg): 1 when
 * it was one, 0 when not, -1 on a bad value (message printed). */
int report_opt(struct report_opts *o, struct audit_run *r, int ch,
    const char *arg);
/* Load the baseline, print the report and diagnostics, write the new
 * baseline; returns the exit status (0, 1, 3; 2 on a usage or I/O error). */
int report_emit(struct audit_run *r, const struct report_opts *o);

#endif
