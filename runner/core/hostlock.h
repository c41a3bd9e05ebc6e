/*
 * hostlock.h - one mend run per host at a time.
 *
 * The lock is a directory on the host:
 *   /run/lock/mend   (/var/lock/mend when /run/lock does not exist)
 * holding a file `owner`:
 *   run=<run id>  controller=<controller host name>  pid=<controller pid>
 *   since=<host clock, seconds since the epoch>
 * (one key=value a line).  It is made whole under a private name beside
 * it (mend.new.*) and renamed in only when the lock does not exist, and
 * released by renaming it away (mend.old.*) before removing it: the lock
 * never exists without its owner file, wherever the controller is killed
 * (leftover mend.new.* / mend.old.* block nothing).  It lives on a tmpfs:
 * a reboot, which ends every run, clears it.
 *
 * The executor takes it before a host's first task that touches the host
 * (not in check mode; only runs with a journal) and releases it when the
 * run ends; release removes the directory only if `owner` names this run.
 * A host whose lock is held by another run fails with
 *   locked by run <id> (controller X, pid N, since T)
 *
 * Stale locks, the rule:
 *   - held by a run of THIS controller (same host name) whose pid is no
 *     longer alive here (the controller was killed): the lock is broken
 *     and taken, and the host's output says so ("broke the stale lock of
 *     run ...").  Breaking is serialised by a second mkdir
 *     (<lock>.break) and happens only if `owner` still holds exactly what
 *     was judged stale, so two runs cannot both break it.
 *   - held longer than HOSTLOCK_MAX_AGE (by the host's clock) by any other
 *     controller, or without an owner file: reported as possibly stale,
 *     NOT broken (mend cannot know whether another machine's run is
 *     alive): the message says which directory to remove once the
 *     operator has checked.
 *   - otherwise: held; the host fails.
 */
#ifndef MEND_HOSTLOCK_H
#define MEND_HOSTLOCK_H

#include "runner/util/strbuf.h"
#include "runner/transport/transport.h"

#define HOSTLOCK_MAX_AGE (6 * 3600)

struct hostlock {
	char *path;               /* the lock directory on the host */
	char *run;                /* the run holding it (us) */
};

struct hostlock_owner {
	char state[16];           /* lock=: taken, held, busy, changed,
	                           * released, notours ("" = no answer) */
	char path[256];
	char run[80];
	char controller[256];
	long pid;                 /* -1 = unknown */
	long long since, now;     /* host clock; since -1 = no owner file */
	long long mtime;          /* of the lock directory */
	char error[256];          /* the script could not lock at all */
	char breaker_run[80];     /* busy: who is breaking the lock */
	char breaker_ctl[256];
	long breaker_pid;
};

enum hostlock_verdict {
	HL_HELD,                  /* alive as far as we can tell */
	HL_STALE_DEAD,            /* our controller, pid gone: break it */
	HL_STALE_OLD,             /* older than the max age: report only */
	HL_OURS                   /* our own run already holds it */
};

/* Take the lock over connection c (commands run with o: become...).
 * dir: lock directory, NULL = the default above.  Returns 0 (taken; msg
 * may hold a note about a broken stale lock), 1 (refused: msg says by
 * whom), or a TERR_* code (msg). */
int hostlock_take(struct conn *c, const struct exec_opts *o,
    const char *run_id, const char *dir, struct hostlock *hl,
    struct strbuf *msg);
/* Release (only if it is still ours). Returns 0 or TERR_*. */
int hostlock_release(struct conn *c, const struct exec_opts *o,
    struct hostlock *hl);
void hostlock_clear(struct hostlock *hl);

/* The pieces, for tests. */
void hostlock_parse(const char *out, struct hostlock_owner *ow);
enum hostlock_verdict hostlock_judge(const struct hostlock_owner *ow,
    const char *run_id, const char *controller, int (*alive)(long pid));
void hostlock_describe(const struct hostlock_owner *ow, struct strbuf *sb);

#endif
