/*
 * confirm.h - confirm-or-revert: a dead man's switch on the host.
 *
 * Before a task that restarts a service (confirm_timeout set), mend arms
 * on the host a detached job, plain POSIX sh (no mend on the host), that
 * puts the host back unless mend confirms in time:
 *
 *   DIR = /run/mend/confirm/<run id>      (0700; a tmpfs: see limits)
 *     obj/<sha256>    the original bytes of every file this run changed on
 *                     the host so far (uploaded once each)
 *     job.<g>.sh      the job of generation g (the files and services to
 *                     put back are written into it)
 *     token.<g>       the token: while it exists the job waits
 *     job.<g>         "<pid> <deadline>" once the job runs (host clock)
 *     state.<g>       "reverted" or "failed" after a revert
 *     log             what the jobs did
 *
 * Under systemd the job is a transient service, `systemd-run --collect
 * --unit=mend-confirm-<pid>-<g> sh DIR/job.<g>.sh` (output appended to
 * DIR/log): outside the SSH session's scope and sshd's cgroup, so the end
 * of the session (even with logind's KillUserProcesses=yes) or a restart
 * of ssh.service cannot take it down.  Without systemd it is started with
 * `setsid nohup sh DIR/job.<g>.sh </dev/null >>DIR/log 2>&1 &`: its own
 * session, no terminal, no fd on the SSH channel, so it survives the SSH
 * session and the controller.  It polls
 * once a second; at the deadline (or when DIR/now.<g> appears) it claims
 * the token by renaming it to reverting.<g> and then restores each file
 * (copy to a temp file beside it, chmod, chown, rename over), removes
 * the files the run created, runs sync, restarts the services (systemctl,
 * else service, else /etc/init.d), writes state.<g> and deletes obj/.
 *
 * Confirming renames token.<g> to confirmed.<g> over a NEW connection
 * (which proves the host still accepts logins after the change) and then
 * deletes DIR.  rename(2) decides the race with the job: exactly one of
 * "confirmed" and "reverting" wins.  A later restart in the same run arms
 * generation g+1 (with every file changed so far) before retiring g the
 * same way, so one job is always armed.
 *
 * Limits: the job and DIR live in /run: a reboot before the deadline
 * cancels the revert.  The revert does not compare the files with what
 * the run wrote: it puts back the originals (the run holds the host's lock
 * meanwhile).  Timestamps are the host's clock.
 */
#ifndef MEND_CONFIRM_H
#define MEND_CONFIRM_H

#include <stddef.h>

#include "runner/util/strbuf.h"
#include "runner/transport/transport.h"

struct confirm_file {
	const char *path;
	int existed;                  /* 0: the run created it: remove */
	const char *sha;              /* sha256 of the original (existed) */
	const void *data;             /* the original bytes (existed) */
	size_t len;
	const char *mode, *owner, *group;   /* NULL = leave as is */
};

struct confirm {
	char *base;                   /* NULL = /run/mend/confirm */
	const char *svc_cmd;          /* tests: shell body of svc() ($1 = the
	                               * service); NULL = the real restart */
	char *dir;                    /* set by the first arm */
	int gen;                      /* generation armed, 0 = none */
	long job_pid;
	char job_unit[96];            /* systemd: the job's transient unit */
	long long deadline;           /* host clock */
	char **uploaded;              /* sha256s already in DIR/obj */
	size_t nuploaded, up_alloc;
};

/* Arm (or re-arm) the job for `timeout` seconds.  Returns 0, 1 (not armed:
 * msg says why) or a TERR_* code. */
int confirm_arm(struct confirm *cf, struct conn *c, const struct exec_opts *o,
    const char *run_id, int timeout, const struct confirm_file *files,
    size_t nfiles, char *const *services, size_t nsvcs, struct strbuf *msg);
/* Confirm over a new connection opened with cp.  Returns 0 (confirmed,
 * DIR removed), 1 (too late: the job already reverts; msg has its state
 * and log) or a TERR_* code (no new connection: the host will revert
 * itself at the deadline). */
int confirm_confirm(struct confirm *cf, const struct conn_params *cp,
    const struct exec_opts *o, struct strbuf *msg);
/* Ask the job to revert at once and wait up to `wait` seconds for it.
 * Returns 0 (reverted), 1 (failed or still running: msg) or TERR_*. */
int confirm_revert_now(struct confirm *cf, struct conn *c,
    const struct exec_opts *o, int wait, struct strbuf *msg);
void confirm_release(struct confirm *cf);

/* The job script of generation gen (exposed for tests). */
void confirm_job_script(const struct confirm *cf, struct strbuf *sb,
    int timeout, const struct confirm_file *files, size_t nfiles,
    char *const *services, size_t nsvcs);

#endif
