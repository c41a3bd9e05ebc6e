/*
 * svcctl.h - stop a product's daemon for real, then start it detached:
 * what rabbitmq_service and activemq_service share (one remote script).
 *
 * Why not trust the init script: Debian's rabbitmq-server script says
 * "already stopped" when its pid file is missing, e.g. while a broker is
 * still booting, and leaves that broker running; its start waits up to
 * 600 s for a pid file a refused configuration never writes; ActiveMQ's
 * start says 0 when the JVM exits at once.  So svcctl_run():
 *
 *   track    before anything, the daemon's PIDs: the pid file's process
 *            (only when its command name is `proc`: a stale pid file never
 *            names a stranger), the unit's MainPID (systemd), and every
 *            process named `proc` whose command line holds `match` (the
 *            broker's beam.smp for `-s rabbit boot`).  was_running = one
 *            of them lives (systemd: or the unit is active).
 *   stop     the service's own stop (service NAME stop / systemctl stop),
 *            itself bounded: after stop_wait s the stop command and every
 *            process under it are frozen (SIGSTOP until the tree stops
 *            growing) and killed (a hung `rabbitmqctl stop` would stop the
 *            next broker when it comes up); then up to
 *            stop_wait s until every tracked process is gone;
 *            those still alive get SIGTERM, by PID (their command name
 *            checked again first: never a reused PID), and up to stop_wait
 *            s more; then, if any still lives, the stop failed: `left`
 *            names them.  "already stopped" from the script counts for
 *            nothing while a tracked process runs.
 *   start    the module's prestart() shell function runs (it records where
 *            the boot will be logged), then the start is launched
 *            DETACHED: systemctl start --no-block, else setsid service
 *            NAME start in the background.  Readiness is the caller's.
 *
 * Lines the script prints start with a per-call nonce; lines svcctl does
 * not know ("log ...", "unit ...") go to req->line for the module.
 */
#ifndef MEND_SVCCTL_H
#define MEND_SVCCTL_H

#include "modules/module.h"

struct svcctl_req {
	const char *name;        /* init script / unit */
	const char *act;         /* start, stop, restart, or NULL: look only */
	const char *pid_file;    /* the init script's pid file, or NULL */
	const char *proc;        /* the daemon's command name (comm) */
	const char *match;       /* its command line holds this (or NULL) */
	int stop_wait;           /* seconds, for the own stop and for TERM */
	int systemd;             /* 1: use systemctl on systemd hosts */
	const char *prestart_sh; /* defines prestart(); may print lines
	                          * "$x WORDS" for req->line */
	void (*line)(void *arg, const char *v);
	void *arg;
	const char *via, *prove; /* journaled with the action (mend rollback
	                          * restarts and proves through them) */
};

struct svcctl_res {
	char kind[16];           /* systemd, service, initd */
	int was_running, stop_rc, stop_hung, stopped, start_rc;
	long long started_at;
	struct strbuf out;       /* the own stop's output */
	struct strbuf tracked;   /* "PID COMM" tracked before the stop, ", " */
	struct strbuf termed;    /* those that needed SIGTERM */
	struct strbuf left;      /* those alive after all */
};

/* rq zeroed, then what every *_service module takes from its arguments
 * of these names: name, pid_file, stop_wait (default 30), and act from
 * state (svcctl_plan() as if the daemon ran for stopped and not for
 * started: the script skips a start or stop that is not needed). */
void svcctl_req_init(struct svcctl_req *rq, const struct val *args);

void svcctl_res_init(struct svcctl_res *r);
void svcctl_res_release(struct svcctl_res *r);

/* Run the script (ctx->check: look only).  0, or a TERR_* code; a script
 * that cannot run (no init script) is a recorded failure. */
int svcctl_run(struct modctx *ctx, const struct svcctl_req *rq,
    struct svcctl_res *rs);

/* What the state asks for, given whether the daemon runs (NULL: nothing):
 * restarted always, started/stopped only when needed. */
const char *svcctl_plan(const char *state, int running);

/* Sets was_running, action, init, tracked_pids, terminated_pids,
 * started_at, stop_output; journals the action; records the stop's or
 * start's failure (named processes, exit codes).  Nothing to do ("NAME is
 * running"), or check mode ("would ACT NAME"): the message is set, 0.
 * Returns 1 when the action went through (the caller words the message). */
int svcctl_judge(struct modctx *ctx, const struct svcctl_req *rq,
    const struct svcctl_res *rs, const char *act);

/* " (its own stop left X running: ended by SIGTERM ...)" when the stop
 * needed the escalation, else nothing: for the caller's message. */
void svcctl_note(const struct svcctl_req *rq, const struct svcctl_res *rs,
    struct strbuf *sb);

#endif
