/*
 * rabbitmq_service.c - stop, start or restart the RabbitMQ broker WITHOUT
 * waiting on its init script, stopping the real broker, and say where its
 * boot will be logged.
 *
 * Why not the service module: Debian's /etc/init.d/rabbitmq-server start
 * runs `rabbitmqctl wait --timeout 600 PIDFILE`; when the broker refuses
 * its configuration it never writes the pid file, so `service
 * rabbitmq-server restart` hangs for 10 minutes (measured in the lab), and
 * its exit code says nothing anyway.  Its stop says "already stopped" when
 * the pid file is missing, e.g. while a broker is still booting, and
 * leaves that broker running.  So (modules/svcctl.h, one remote script):
 *
 *   track    the broker's PIDs before the stop: the pid file's beam.smp,
 *            the unit's MainPID, and the beam.smp of the node (its command
 *            line holds "-s rabbit boot"; rabbitmqctl's own beam does not)
 *   stop     `service NAME stop` (systemctl stop), then up to stop_wait s
 *            until every tracked process is gone; SIGTERM to those left
 *            (by PID), stop_wait s more; a broker still alive fails the
 *            task, named.  The result says when SIGTERM was needed.
 *   start    the size of each boot log is recorded, then the start is
 *            launched DETACHED: `setsid service NAME start` in the
 *            background (systemd: systemctl start --no-block), and the
 *            module returns at once with started_at (epoch seconds of the
 *            host) and boot_logs: SysV's rabbitmq-server wrapper rewrites
 *            /var/log/rabbitmq/startup_log and startup_err (emptied just
 *            before the start, as the wrapper itself does, so a BOOT FAILED
 *            left by an earlier boot in the same second is never read as
 *            this one's; offset 0; only once modified since started_at);
 *            the node's log rabbit@HOST.log and systemd's
 *            rabbitmq-server.log and rabbitmq-server.error.log are read
 *            from offset = their size; {unit, since} under systemd; and
 *            {proc: beam.smp, match, since}: is the booting broker alive?
 *
 * Readiness is the next task's business: amqp_probe with wait, boot_log:
 * "{{ restart.boot_logs }}" (the port answers, BOOT FAILED, or the broker
 * died; while it lives and its log grows, the wait may go on to wait_max).
 * started: only when not running; restarted: always (stop + start);
 * stopped: only when running.  Check mode reports what it would do.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/svcctl.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define RMQ_PROC "beam.smp"
#define RMQ_MATCH "-s rabbit boot"   /* the server node, not a CLI node */

/* prestart(): "log OFFSET SINCE PATH" for each boot log, "unit SINCE NAME"
 * under systemd. */
static const char prestart_script[] =
	"prestart() {\n"
	"  now=$(date +%s)\n"
	"  nl=$ld/rabbit@$(hostname -s 2>/dev/null || hostname).log\n"
	"  for f in \"$nl\" \"$ld/rabbitmq-server.log\" "
	"\"$ld/rabbitmq-server.error.log\"; do\n"
	"    [ $kind = systemd ] || [ \"$f\" = \"$nl\" ] || continue\n"
	"    s=$(stat -c %s -- \"$f\" 2>/dev/null) || s=0; "
	"echo \"$x log $s 0 $f\"\n"
	"  done\n"
	"  if [ $kind != systemd ]; then\n"
	"    for f in \"$ld/startup_log\" \"$ld/startup_err\"; do\n"
	"      [ -f \"$f\" ] && : > \"$f\"; echo \"$x log 0 $now $f\"\n"
	"    done\n"
	"  else echo \"$x unit $now $n\"; fi\n"
	"}\n";

/* "OFFSET SINCE PATH": where the boot of this start will be logged. */
static void
log_line(struct val *logs, const char *v)
{
	const char *a = strchr(v, ' '), *b = a ? strchr(a + 1, ' ') : NULL;
	struct val *m;

	if (b == NULL)
		return;
	m = val_map();
	val_map_set(m, "path", val_str(b + 1));
	val_map_set(m, "offset", val_int(atoll(v)));
	val_map_set(m, "since", val_int(atoll(a + 1)));
	val_list_push(logs, m);
}

/* "SINCE UNIT": under systemd the unit's state and journal are a boot log
 * too (amqp_probe reads {unit, since}). */
static void
unit_line(struct val *logs, const char *v)
{
	const char *a = strchr(v, ' ');
	struct val *m;

	if (a == NULL)
		return;
	m = val_map();
	val_map_set(m, "unit", val_str(a + 1));
	val_map_set(m, "since", val_int(atoll(v)));
	val_list_push(logs, m);
}

static void
extra_line(void *arg, const char *v)
{
	if (strncmp(v, "log ", 4) == 0)
		log_line(arg, v + 4);
	else if (strncmp(v, "unit ", 5) == 0)
		unit_line(arg, v + 5);
}

/* {proc, match, since}: amqp_probe counts the booting broker's processes */
static struct val *
proc_item(long long since)
{
	struct val *m = val_map();

	val_map_set(m, "proc", val_str(RMQ_PROC));
	val_map_set(m, "match", val_str(RMQ_MATCH));
	val_map_set(m, "since", val_int(since));
	return m;
}

static void
judge(struct modctx *ctx, const struct svcctl_req *rq,
    const struct svcctl_res *rs, const char *act)
{
	struct strbuf note = STRBUF_INIT;

	if (!svcctl_judge(ctx, rq, rs, act))
		return;
	svcctl_note(rq, rs, &note);
	if (strcmp(act, "stop") == 0)
		mod_msg(ctx, "%s stopped%s", rq->name, note.buf);
	else
		mod_msg(ctx, "%s: %s launched (%s; not waited for: check "
		    "readiness with amqp_probe wait + boot_log)%s", rq->name,
		    act, rs->kind, note.buf);
	strbuf_release(&note);
}

static enum mod_result
rabbitmq_service_run(struct modctx *ctx, const struct val *args)
{
	const char *state = arg_str(args, "state");
	struct val *logs = val_list();
	struct strbuf pre = STRBUF_INIT;
	struct svcctl_req rq;
	struct svcctl_res rs;
	const char *act;
	int ret;

	svcctl_req_init(&rq, args);
	svcctl_res_init(&rs);
	shellcmd_build(&pre, "ld=%q\n", arg_str(args, "log_dir"));
	strbuf_addstr(&pre, prestart_script);
	rq.proc = RMQ_PROC;
	rq.match = RMQ_MATCH;
	rq.systemd = 1;
	rq.via = "rabbitmq_service";
	rq.prove = "rabbitmq_live";
	rq.prestart_sh = pre.buf;
	rq.line = extra_line;
	rq.arg = logs;
	ret = svcctl_run(ctx, &rq, &rs);
	if (ret != 0 || ctx->failed)
		goto out;
	act = svcctl_plan(state, rs.was_running);
	if (act != NULL && strcmp(act, "stop") != 0 && !ctx->check)
		val_list_push(logs, proc_item(rs.started_at));
	mod_set(ctx, "boot_logs", logs);
	logs = NULL;
	judge(ctx, &rq, &rs, act);
out:
	val_free(logs);
	strbuf_release(&pre);
	svcctl_res_release(&rs);
	return mod_done(ctx, ret);
}

static const struct module_arg rabbitmq_service_args[] = {
	{ "name", ARG_STR, 0, "rabbitmq-server", NULL,
	  "service (systemd unit or init script)", NULL },
	{ "state", ARG_STR, 0, "restarted", "restarted|started|stopped",
	  "restarted: stop + detached start; started/stopped: only when "
	  "needed", NULL },
	{ "pid_file", ARG_PATH, 0, "/var/run/rabbitmq/pid", NULL,
	  "without systemd: the init script's pid file (is it running?)",
	  NULL },
	{ "log_dir", ARG_PATH, 0, "/var/log/rabbitmq", NULL,
	  "where the boot is logged (startup_log, startup_err; systemd: "
	  "rabbitmq-server.log, rabbitmq-server.error.log)", NULL },
	{ "stop_wait", ARG_INT, 0, "30", NULL,
	  "seconds to wait for the broker to be gone after its own stop, "
	  "and again after SIGTERM to the PIDs it left", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_rabbitmq_service = {
	.name = "rabbitmq_service",
	.summary = "stop, start or restart RabbitMQ without waiting on its "
	    "init script (readiness: amqp_probe)",
	.doc = "Debian's init script waits up to 600 s for a pid file that a "
	    "broker refusing its configuration never writes, its exit code "
	    "says nothing, and its stop says 'already stopped' while a "
	    "booting broker runs.  This module tracks the broker's PIDs (pid "
	    "file, the unit's MainPID, the node's beam.smp), stops it "
	    "(service NAME stop / systemctl stop, then SIGTERM by PID to what "
	    "that left, and fails naming a broker that still runs), records "
	    "the size of the boot logs, and launches the start detached "
	    "(setsid service NAME start; systemctl start --no-block).  "
	    "Returns init, was_running, action, tracked, terminated, "
	    "started_at (host epoch seconds) and boot_logs [{path, offset, "
	    "since}, {unit, since}, {proc, match, since}] for amqp_probe's "
	    "boot_log, which waits until the port answers, the log says BOOT "
	    "FAILED or the broker's process is gone.",
	.args = rabbitmq_service_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.run = rabbitmq_service_run,
};
