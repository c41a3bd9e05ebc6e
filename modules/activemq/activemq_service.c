/*
 * activemq_service.c - stop, start or restart an ActiveMQ broker the way
 * Debian's package does (service activemq ..., i.e. /etc/init.d/activemq),
 * without trusting the init script for the outcome.
 *
 * Measured on Debian 12 (activemq 5.17.2): `/etc/init.d/activemq start`
 * returns 0 after sleeping STARTTIME (5 s) even when the broker refused
 * its configuration and the JVM exited; a broker takes 7-16 s to open its
 * listeners on 2 shared cores.  So, in one remote script (modules/svcctl.h,
 * shared with rabbitmq_service):
 *   track    the broker's PIDs: the pid file's java, and every java whose
 *            command line names the instance (-Dactivemq.base=...);
 *   stop     `service NAME stop` (start-stop-daemon, then kill), then up
 *            to stop_wait seconds until the tracked processes are gone;
 *            SIGTERM by PID to those left, stop_wait s more, else failed;
 *   start    the stale pid file is removed (the readiness probe reads
 *            "pid file's process gone" as "the broker exited"), the size
 *            of the console log (ACTIVEMQ_OUT) is recorded, and the start
 *            is launched DETACHED (setsid service NAME start).
 * Readiness is the next task's: activemq_probe with wait, pid_file and
 * boot_log/boot_log_offset from this module's result.  started: only when
 * not running; restarted: always; stopped: only when running.  Check mode
 * reports what it would do.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/svcctl.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char prestart_script[] =
	"prestart() {\n"
	"  rm -f -- \"$pidf\"\n"
	"  s=0; [ -n \"$log\" ] && [ -f \"$log\" ] && s=$(stat -c %s -- "
	"\"$log\")\n"
	"  echo \"$x log_offset=$s\"\n"
	"}\n";

static void
extra_line(void *arg, const char *v)
{
	if (strncmp(v, "log_offset=", 11) == 0)
		*(long long *)arg = atoll(v + 11);
}

/* "-Dactivemq.base=/var/lib/activemq/INSTANCE " from the pid file's name
 * (Debian: /run/activemq/INSTANCE.pid; ACTIVEMQ_BASE is per instance). */
static char *
default_match(const char *pid_file)
{
	const char *b = strrchr(pid_file, '/');
	size_t n;

	b = b ? b + 1 : pid_file;
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".pid") == 0)
		n -= 4;
	return xasprintf("-Dactivemq.base=/var/lib/activemq/%.*s ", (int)n, b);
}

static void
judge(struct modctx *ctx, const struct val *args,
    const struct svcctl_req *rq, const struct svcctl_res *rs,
    const char *act, long long log_offset)
{
	struct strbuf note = STRBUF_INIT;

	mod_set(ctx, "pid_file", val_str(rq->pid_file));
	mod_set(ctx, "log", val_str(arg_str(args, "log") ?
	    arg_str(args, "log") : ""));
	mod_set(ctx, "log_offset", val_int(log_offset));
	if (!svcctl_judge(ctx, rq, rs, act))
		return;
	svcctl_note(rq, rs, &note);
	mod_msg(ctx, "%s: %s%s%s", rq->name, act, strcmp(act, "stop") ?
	    " launched (not waited for: activemq_probe with wait, "
	    "pid_file and boot_log judges it)" : "ped", note.buf);
	strbuf_release(&note);
}

static enum mod_result
activemq_service_run(struct modctx *ctx, const struct val *args)
{
	const char *state = arg_str(args, "state");
	struct strbuf pre = STRBUF_INIT;
	struct svcctl_req rq;
	struct svcctl_res rs;
	long long log_offset = 0;
	char *match = NULL;
	int ret;

	svcctl_req_init(&rq, args);
	svcctl_res_init(&rs);
	shellcmd_build(&pre, "log=%q\n", arg_str(args, "log") ?
	    arg_str(args, "log") : "");
	strbuf_addstr(&pre, prestart_script);
	rq.proc = "java";
	if (arg_str(args, "match") == NULL)
		match = default_match(rq.pid_file);
	rq.match = match ? match : arg_str(args, "match");
	rq.prestart_sh = pre.buf;
	rq.line = extra_line;
	rq.arg = &log_offset;
	ret = svcctl_run(ctx, &rq, &rs);
	if (ret == 0 && !ctx->failed)
		judge(ctx, args, &rq, &rs, svcctl_plan(state, rs.was_running),
		    log_offset);
	free(match);
	strbuf_release(&pre);
	svcctl_res_release(&rs);
	return mod_done(ctx, ret);
}

static const struct module_arg activemq_service_args[] = {
	{ "name", ARG_STR, 0, "activemq", NULL,
	  "the service (Debian: the init script /etc/init.d/activemq)", NULL },
	{ "state", ARG_STR, 0, "restarted", "restarted|started|stopped",
	  "restarted: stop + detached start; started/stopped: only when "
	  "needed", NULL },
	{ "pid_file", ARG_PATH, 0, "/run/activemq/main.pid", NULL,
	  "the instance's pid file (Debian: /run/activemq/INSTANCE.pid)",
	  NULL },
	{ "log", ARG_PATH, 0, NULL, NULL,
	  "the broker's console log (ACTIVEMQ_OUT; activemq_facts' log): "
	  "its size is returned as log_offset", NULL },
	{ "match", ARG_STR, 0, NULL, NULL,
	  "text in the broker JVM's command line that tells it from other "
	  "java processes (default: -Dactivemq.base=/var/lib/activemq/"
	  "INSTANCE, INSTANCE from pid_file)", NULL },
	{ "stop_wait", ARG_INT, 0, "30", NULL,
	  "seconds to wait for the broker to be gone after its own stop, "
	  "and again after SIGTERM to the PIDs it left", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_activemq_service = {
	.name = "activemq_service",
	.summary = "stop, start or restart ActiveMQ through its init script, "
	    "start detached (readiness: activemq_probe)",
	.doc = "Debian's init script says 0 even when the broker exits at "
	    "once on a refused configuration.  This module stops the broker "
	    "(service NAME stop, then waits until its tracked java processes "
	    "are gone, SIGTERM by PID to those left, fails naming one that "
	    "still runs), removes the stale pid file, records the size of the "
	    "console log, and launches the start detached.  Returns "
	    "was_running, action, pid_file, log, log_offset, started_at: "
	    "give pid_file, boot_log and boot_log_offset to activemq_probe "
	    "with wait.",
	.args = activemq_service_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.run = activemq_service_run,
};
