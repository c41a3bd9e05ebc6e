/*
 * report.h - what a run tells its user: per-task lines, the recap, --json.
 *
 * Task lines are written into the host's own buffer (hostctx.out) and
 * printed as one block when the host finishes, so lines never interleave:
 *     h1 | set CERTVERIFY | changed
 *     h1 | verify | FAILED: no line matches '^CERTVERIFY 1' in /etc/nut/upsmon.conf
 * The recap follows Ansible's:
 *     h1 : ok=5 changed=2 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0
 * Colour only when opts->color (a terminal, NO_COLOR unset).  Values from a
 * no_log task are replaced by NO_LOG_TEXT everywhere.
 */
#ifndef MEND_REPORT_H
#define MEND_REPORT_H

#include "runner/core/executor.h"

#define NO_LOG_TEXT "the output has been hidden due to the fact that " \
	"'no_log: true' was specified for this result"

enum task_status { TS_OK, TS_CHANGED, TS_FAILED, TS_SKIPPED, TS_UNREACHABLE,
	TS_IGNORED };

/* Append the line(s) for one task result to hc->out. */
void report_task(struct hostctx *hc, const char *task, enum task_status st,
    const char *msg, const char *diff, const struct val *data, int no_log,
    int show_msg);
/* Print a host's buffered block (thread-safe) and clear it. */
void report_flush_host(struct hostctx *hc);
/* Play header line. */
void report_play(const struct run_opts *o, const char *name, size_t nhosts);
/* Live progress on stderr (terminal only); done == total clears it. */
void report_progress(const struct run_opts *o, size_t done, size_t total,
    size_t failed, size_t unreachable);
void report_recap(const struct run_opts *o, struct hostctx **hosts, size_t n);
/* Write the --json document. Returns 0 or -1 (message on stderr). */
int report_json(const struct run_opts *o, struct hostctx **hosts, size_t n,
    const char *started, double seconds, int exit_code);

#endif
