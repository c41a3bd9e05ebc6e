/*
 * journal.h - the run journal: what a run changed, written before it changes.
 *
 * Every `mend run` outside check mode gets an id (UTC timestamp plus a short
 * random part, so ids sort by start time: 20261122T124501Z-1f4a3c: the
 * second, then its milliseconds (3 hex digits) and 12 random bits) and a
 * directory  STATE/runs/<id>/  (mode 0700), where STATE is --state-dir or
 * $XDG_STATE_HOME/mend or ~/.local/state/mend.  It holds:
 *
 *   meta.json       run id, playbooks, inventory sources, start time, pid
 *   journal.jsonl   append-only, one JSON object per line (fdatasync'd with
 *                   group commit; see "Consistency")
 *   objects/<sha256>  the original bytes of every file before the run changed
 *                   it (0600, written and fsync'd BEFORE the intent record)
 *
 * Records (field "t"):
 *   start   {run, playbooks, started}
 *   intent  {seq, host, task, path, existed, sha_before, mode, owner, group,
 *            backup, no_log (only when set)}   written BEFORE the change is
 *            attempted
 *           the file and apt modules' changes add kind ("dir", "link",
 *           "tree", "package": see mod_journal_fs() in modules/module.h),
 *           was and now; for "tree" sha_before names a tar archive
 *   done    {seq, sha_after, mode, owner, group}   after it succeeded
 *   fail    {seq, msg}        the change was attempted and did not happen
 *   service {host, task, name, action, via, prove}   a service restart
 *            (after it ran), or action "mismatch": the running service
 *            does not serve its files; via/prove (optional) name the
 *            modules that restart it and prove its configuration
 *   backup  {host, task, path, backup, sha}  a backup copy made on the host
 *   end     {status, ok, changed, failed, unreachable, finished}
 *
 * Consistency: a record is one write(2) of a whole line; start, intent,
 * service, confirm and end are fdatasync'd before journal_append() returns
 * (one sync covers every record written before it: see journal.c), the
 * outcome records (done, fail, backup, lock) ride on the next sync,
 * so a SIGKILL at any moment leaves a journal whose every complete line is
 * valid; a torn last line (no '\n') is ignored by readers.  An intent with no
 * done/fail means "may or may not have happened": rollback treats it by
 * comparing the file's current hash with sha_before.
 *
 * All functions are thread-safe (one mutex per journal).
 */
#ifndef MEND_JOURNAL_H
#define MEND_JOURNAL_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/value.h"

struct journal;

/* Resolve the state directory (opt may be NULL), always as an absolute
 * path: a relative opt is taken from the current directory now, so the
 * journal, its objects and any rollback keep naming the same directory.
 * Malloc'ed. */
char *journal_state_dir(const char *opt);
/* Create a new run directory and write meta.json and the start record. */
int journal_open(struct journal **out, const char *state_dir,
    const struct val *meta, struct err *e);
const char *journal_run_id(const struct journal *j);
const char *journal_dir(const struct journal *j);

/* Store bytes under objects/<sha256>; writes the hex digest (65 bytes). */
int journal_store(struct journal *j, const void *data, size_t len,
    char sha_hex[65]);

/* Append a record (a map; "t" and "time" are added). Returns the record's
 * seq number (>= 1) or -1 on I/O error. */
long journal_append(struct journal *j, const char *type, struct val *rec);

/* Finish the run: end record, then close. */
void journal_close(struct journal *j, const struct val *summary);

#endif
