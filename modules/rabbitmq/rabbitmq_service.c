/*
 * rabbitmq_service.c - stop, start or restart the RabbitMQ broker WITHOUT
 * waiting on its init script, and say where its boot will be logged.
 *
 * Why not the service module: Debian's /etc/init.d/rabbitmq-server start
 * runs `rabbitmqctl wait --timeout 600 PIDFILE`; when the broker refuses
 * its configuration it never writes the pid file, so `service
 * rabbitmq-server restart` hangs for 10 minutes (measured in the lab), and
 * its exit code says nothing anyway.  So, in one remote script:
 *
 *   stop     `service NAME stop` (systemctl stop), synchronous: it returns
 *            when the node is down; then up to stop_wait seconds until
 *            the pid file's process (systemd: is-active) is gone.
 *   start    the size of each boot log is recorded, then the start is
 *            launched DETACHED: `setsid service NAME start` in the
 *            background (systemd: systemctl start --no-block), and the
 *            module returns at once with started_at (epoch seconds of the
 *            host) and boot_logs [{path, offset, since}]: SysV's
 *            rabbitmq-server wrapper rewrites /var/log/rabbitmq/startup_log
 *            and startup_err (emptied just before the start, as the
 *            wrapper itself does, so a BOOT FAILED left by an earlier
 *            boot in the same second is never read as this one's;
 *            offset 0; only once modified since
 *            started_at); systemd's unit appends to rabbitmq-server.log
 *            and rabbitmq-server.error.log (from offset = their size).
 *
 * Readiness is the next task's business: amqp_probe with wait, boot_log:
 * "{{ restart.boot_logs }}" (the port answers, or BOOT FAILED).
 * started: only when not running; restarted: always (stop + start);
 * stopped: only when running.  Check mode reports what it would do.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/core/initsys.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char svc_script[] =
	"LC_ALL=C; export LC_ALL\n"
	INITSYS_KIND_SH
	"if [ $kind != systemd ] && [ ! -x \"/etc/init.d/$n\" ]; then\n"
	"  echo \"no init script /etc/init.d/$n on the host\" >&2; exit 3\n"
	"fi\n"
	"echo \"$x kind=$kind\"\n"
	INITSYS_SVC_SH
	"svc() { initsys_svc \"$n\" \"$1\"; }\n"
	"up() {\n"
	"  if [ $kind = systemd ]; then systemctl is-active --quiet -- \"$n\"; "
	"return; fi\n"
	"  p=$(cat \"$pidf\" 2>/dev/null) && [ -n \"$p\" ] && "
	"kill -0 \"$p\" 2>/dev/null\n"
	"}\n"
	"if up; then run=1; else run=0; fi\n"
	"echo \"$x was_running=$run\"\n"
	"case $act in\n"
	"start) if [ $run = 1 ]; then exit 0; fi ;;\n"
	"stop) if [ $run = 0 ]; then exit 0; fi ;;\n"
	"esac\n"
	"[ \"$check\" = 1 ] && exit 0\n"
	"if [ $act != start ]; then\n"
	"  o=$(mktemp 2>/dev/null) || o=/tmp/mend-rabbitmq-stop.$$\n"
	"  svc stop </dev/null >\"$o\" 2>&1; r=$?\n"
	"  sed \"s/^/$x out /\" \"$o\"; rm -f \"$o\"\n"
	"  echo \"$x stop_rc=$r\"\n"
	"  end=$(($(date +%s) + w))\n"
	"  while up && [ \"$(date +%s)\" -lt \"$end\" ]; do sleep 1; done\n"
	"  if up; then echo \"$x stopped=0\"; exit 0; fi\n"
	"  echo \"$x stopped=1\"\n"
	"fi\n"
	"[ $act = stop ] && exit 0\n"
	"if [ $kind = systemd ]; then l1=$ld/rabbitmq-server.log; "
	"l2=$ld/rabbitmq-server.error.log\n"
	"else l1=$ld/startup_log; l2=$ld/startup_err; fi\n"
	"now=$(date +%s)\n"
	"for f in \"$l1\" \"$l2\"; do\n"
	"  if [ $kind = systemd ]; then\n"
	"    s=$(stat -c %s -- \"$f\" 2>/dev/null) || s=0; echo \"$x log $s 0 $f\"\n"
	"  else [ -f \"$f\" ] && : > \"$f\"; echo \"$x log 0 $now $f\"; fi\n"
	"done\n"
	"[ $kind = systemd ] && echo \"$x unit $now $n\"\n"
	"echo \"$x started_at=$now\"\n"
	"if [ $kind = systemd ]; then systemctl start --no-block -- \"$n\" "
	"</dev/null; r=$?\n"
	"else\n"
	"  if command -v setsid >/dev/null 2>&1; then d=setsid; else d=nohup; "
	"fi\n"
	"  if [ $kind = service ]; then\n"
	"    $d service \"$n\" start </dev/null >/dev/null 2>&1 &\n"
	"  else\n"
	"    $d \"/etc/init.d/$n\" start </dev/null >/dev/null 2>&1 &\n"
	"  fi\n"
	"  r=0\n"
	"fi\n"
	"echo \"$x start_rc=$r\"\n";

struct svc {
	char kind[16];
	int was_running, stop_rc, stopped, start_rc;
	long long started_at;
	struct strbuf out;           /* the stop command's output */
	struct val *logs;            /* [{path, offset}] */
};

/* "OFFSET SINCE PATH": where the boot of this start will be logged. */
static void
log_line(struct svc *s, const char *v)
{
	const char *a = strchr(v, ' '), *b = a ? strchr(a + 1, ' ') : NULL;
	struct val *m;

	if (b == NULL)
		return;
	m = val_map();
	val_map_set(m, "path", val_str(b + 1));
	val_map_set(m, "offset", val_int(atoll(v)));
	val_map_set(m, "since", val_int(atoll(a + 1)));
	val_list_push(s->logs, m);
}

/* "SINCE UNIT": under systemd the unit's state and journal are a boot log
 * too (amqp_probe reads {unit, since}). */
static void
unit_line(struct svc *s, const char *v)
{
	const char *a = strchr(v, ' ');
	struct val *m;

	if (a == NULL)
		return;
	m = val_map();
	val_map_set(m, "unit", val_str(a + 1));
	val_map_set(m, "since", val_int(atoll(v)));
	val_list_push(s->logs, m);
}

/* "NONCE key=value" / "NONCE out TEXT" / "NONCE log OFFSET SINCE PATH" /
 * "NONCE unit SINCE NAME" */
static void
svc_line(struct svc *s, const char *p, size_t n)
{
	char *v = xstrndup(p, n);

	if (strncmp(v, "kind=", 5) == 0 && n - 5 < sizeof(s->kind))
		memcpy(s->kind, v + 5, n - 4);
	else if (strncmp(v, "was_running=", 12) == 0)
		s->was_running = atoi(v + 12);
	else if (strncmp(v, "stop_rc=", 8) == 0)
		s->stop_rc = atoi(v + 8);
	else if (strncmp(v, "stopped=", 8) == 0)
		s->stopped = atoi(v + 8);
	else if (strncmp(v, "start_rc=", 9) == 0)
		s->start_rc = atoi(v + 9);
	else if (strncmp(v, "started_at=", 11) == 0)
		s->started_at = atoll(v + 11);
	else if (strncmp(v, "out ", 4) == 0)
		strbuf_addf(&s->out, "%s\n", v + 4);
	else if (strncmp(v, "log ", 4) == 0)
		log_line(s, v + 4);
	else if (strncmp(v, "unit ", 5) == 0)
		unit_line(s, v + 5);
	free(v);
}

static void
svc_parse(struct svc *s, const char *out, const char *nonce)
{
	size_t k = strlen(nonce);

	while (*out != '\0') {
		size_t n = strcspn(out, "\n");

		if (n > k && memcmp(out, nonce, k) == 0 && out[k] == ' ')
			svc_line(s, out + k + 1, n - k - 1);
		out += n + (out[n] == '\n');
	}
	strbuf_rtrim(&s->out);
}

static int
svc_exec(struct modctx *ctx, const struct val *args, const char *act,
    struct svc *s)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char nonce[17];
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "n=%q; act=%q; x=%q; pidf=%q; ld=%q; w=%d; "
	    "check=%d\n", arg_str(args, "name"), act, nonce,
	    arg_str(args, "pid_file"), arg_str(args, "log_dir"),
	    (int)arg_int(args, "stop_wait", 30), ctx->check);
	strbuf_addstr(&cmd, svc_script);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		strbuf_rtrim(&r.err);
		mod_fail(ctx, "cannot control the broker: %s", r.err.len ?
		    r.err.buf : "the service script failed");
	} else if (ret == 0) {
		svc_parse(s, r.out.buf, nonce);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* What the state asks for, given whether the broker runs: NULL = nothing. */
static const char *
plan(const char *state, int running)
{
	if (strcmp(state, "restarted") == 0)
		return "restart";
	if (strcmp(state, "started") == 0)
		return running ? NULL : "start";
	return running ? "stop" : NULL;
}

static void
results(struct modctx *ctx, const struct val *args, struct svc *s,
    const char *act)
{
	mod_set(ctx, "name", val_str(arg_str(args, "name")));
	mod_set(ctx, "init", val_str(s->kind));
	mod_set(ctx, "was_running", val_bool(s->was_running));
	mod_set(ctx, "action", act ? val_str(act) : val_null());
	mod_set(ctx, "started_at", val_int(s->started_at));
	mod_set(ctx, "boot_logs", s->logs);
	s->logs = NULL;
	if (s->out.len)
		mod_set(ctx, "stop_output", val_str(s->out.buf));
}

static void
judge(struct modctx *ctx, const struct val *args, struct svc *s,
    const char *act)
{
	const char *name = arg_str(args, "name");

	if (act == NULL) {
		mod_msg(ctx, "%s is %s", name, s->was_running ? "running" :
		    "stopped");
		return;
	}
	mod_changed(ctx);
	if (ctx->check) {
		mod_msg(ctx, "would %s %s", act, name);
		return;
	}
	mod_journal_service(ctx, name, act);
	if (strcmp(act, "start") != 0 && !s->stopped)
		mod_fail(ctx, "%s did not stop within %lld s (stop exit %d)%s%s",
		    name, arg_int(args, "stop_wait", 30), s->stop_rc,
		    s->out.len ? ": " : "", s->out.buf);
	else if (strcmp(act, "stop") != 0 && s->start_rc != 0)
		mod_fail(ctx, "cannot start %s (exit %d)", name, s->start_rc);
	else if (strcmp(act, "stop") == 0)
		mod_msg(ctx, "%s stopped", name);
	else
		mod_msg(ctx, "%s: %s launched (%s; not waited for: check "
		    "readiness with amqp_probe wait + boot_log)", name, act,
		    s->kind);
}

static enum mod_result
rabbitmq_service_run(struct modctx *ctx, const struct val *args)
{
	struct svc s;
	const char *act;
	int ret;

	memset(&s, 0, sizeof(s));
	strbuf_init(&s.out, 0);
	s.logs = val_list();
	/* the script skips start/stop when the broker already is so */
	act = plan(arg_str(args, "state"), strcmp(arg_str(args, "state"),
	    "stopped") == 0);
	ret = svc_exec(ctx, args, act, &s);
	if (ret != 0 || ctx->failed)
		goto out;
	act = plan(arg_str(args, "state"), s.was_running);
	results(ctx, args, &s, act);
	judge(ctx, args, &s, act);
out:
	val_free(s.logs);
	strbuf_release(&s.out);
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
	  "seconds to wait for the node to be gone after stop", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_rabbitmq_service = {
	.name = "rabbitmq_service",
	.summary = "stop, start or restart RabbitMQ without waiting on its "
	    "init script (readiness: amqp_probe)",
	.doc = "Debian's init script waits up to 600 s for a pid file that a "
	    "broker refusing its configuration never writes, and its exit "
	    "code says nothing.  This module stops the broker synchronously "
	    "(service NAME stop / systemctl stop, then waits until the "
	    "process is gone), records the size of the boot logs, and "
	    "launches the start detached (setsid service NAME start; "
	    "systemctl start --no-block).  Returns init, was_running, action, "
	    "started_at (host epoch seconds) and boot_logs [{path, offset, "
	    "since}] "
	    "for amqp_probe's boot_log, which waits until the port answers "
	    "or the log says BOOT FAILED.",
	.args = rabbitmq_service_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.run = rabbitmq_service_run,
};
