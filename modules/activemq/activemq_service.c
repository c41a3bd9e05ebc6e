/*
 * activemq_service.c - stop, start or restart an ActiveMQ broker the way
 * Debian's package does (service activemq ..., i.e. /etc/init.d/activemq),
 * without trusting the init script for the outcome.
 *
 * Measured on Debian 12 (activemq 5.17.2): `/etc/init.d/activemq start`
 * returns 0 after sleeping STARTTIME (5 s) even when the broker refused
 * its configuration and the JVM exited; a broker takes 7-16 s to open its
 * listeners on 2 shared cores.  So, in one remote script:
 *   stop     `service NAME stop` (synchronous: start-stop-daemon, then
 *            kill), then up to stop_wait seconds until the pid file's
 *            process is gone;
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
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char svc_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"if command -v service >/dev/null 2>&1; then svc() { service \"$n\" "
	"\"$1\"; }\n"
	"elif [ -x \"/etc/init.d/$n\" ]; then svc() { \"/etc/init.d/$n\" "
	"\"$1\"; }\n"
	"else echo \"no service $n on the host\" >&2; exit 3; fi\n"
	"up() { p=$(cat \"$pidf\" 2>/dev/null) && [ -n \"$p\" ] && "
	"kill -0 \"$p\" 2>/dev/null; }\n"
	"if up; then run=1; else run=0; fi\n"
	"echo \"$x was_running=$run\"\n"
	"case $act in\n"
	"start) [ $run = 1 ] && exit 0 ;;\n"
	"stop) [ $run = 0 ] && exit 0 ;;\n"
	"esac\n"
	"[ \"$check\" = 1 ] && exit 0\n"
	"if [ $act != start ]; then\n"
	"  old=$(cat \"$pidf\" 2>/dev/null)\n"
	"  svc stop </dev/null >/dev/null 2>&1; echo \"$x stop_rc=$?\"\n"
	"  end=$(($(date +%s) + w))\n"
	"  while [ -n \"$old\" ] && kill -0 \"$old\" 2>/dev/null && "
	"[ \"$(date +%s)\" -lt \"$end\" ]; do sleep 1; done\n"
	"  if [ -n \"$old\" ] && kill -0 \"$old\" 2>/dev/null; then "
	"echo \"$x stopped=0\"; exit 0; fi\n"
	"  echo \"$x stopped=1\"\n"
	"fi\n"
	"[ $act = stop ] && exit 0\n"
	"rm -f -- \"$pidf\"\n"
	"s=0; [ -n \"$log\" ] && [ -f \"$log\" ] && s=$(stat -c %s -- "
	"\"$log\")\n"
	"echo \"$x log_offset=$s\"; echo \"$x started_at=$(date +%s)\"\n"
	"if command -v setsid >/dev/null 2>&1; then d=setsid; else d=nohup; "
	"fi\n"
	"$d sh -c 'svc() { if command -v service >/dev/null 2>&1; then "
	"service \"$0\" \"$1\"; else \"/etc/init.d/$0\" \"$1\"; fi; }; "
	"svc start' \"$n\" </dev/null >/dev/null 2>&1 &\n"
	"echo \"$x launched=1\"\n";

struct svc {
	int was_running, stop_rc, stopped, launched;
	long long started_at, log_offset;
};

static void
svc_line(struct svc *s, const char *v)
{
	static const char *const keys[] = { "was_running=", "stop_rc=",
	    "stopped=", "launched=", "started_at=", "log_offset=" };
	long long *ll[] = { NULL, NULL, NULL, NULL, &s->started_at,
	    &s->log_offset };
	int *in[] = { &s->was_running, &s->stop_rc, &s->stopped,
	    &s->launched, NULL, NULL };
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		k = strlen(keys[i]);
		if (strncmp(v, keys[i], k) != 0)
			continue;
		if (in[i])
			*in[i] = atoi(v + k);
		else
			*ll[i] = atoll(v + k);
	}
}

static int
svc_exec(struct modctx *ctx, const struct val *args, const char *act,
    struct svc *s)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char nonce[17];
	const char *o;
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "n=%q; act=%q; x=%q; pidf=%q; log=%q; w=%d; "
	    "check=%d\n", arg_str(args, "name"), act, nonce,
	    arg_str(args, "pid_file"), arg_str(args, "log") ?
	    arg_str(args, "log") : "", (int)arg_int(args, "stop_wait", 30),
	    ctx->check);
	strbuf_addstr(&cmd, svc_script);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		strbuf_rtrim(&r.err);
		mod_fail(ctx, "cannot control the broker: %s", r.err.len ?
		    r.err.buf : "the service script failed");
	}
	for (o = r.out.buf; ret == 0 && *o != '\0'; ) {
		size_t n = strcspn(o, "\n"), k = strlen(nonce);

		if (n > k && memcmp(o, nonce, k) == 0 && o[k] == ' ') {
			char *v = xstrndup(o + k + 1, n - k - 1);

			svc_line(s, v);
			free(v);
		}
		o += n + (o[n] == '\n');
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

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
judge(struct modctx *ctx, const struct val *args, const struct svc *s,
    const char *act)
{
	const char *name = arg_str(args, "name");

	mod_set(ctx, "name", val_str(name));
	mod_set(ctx, "was_running", val_bool(s->was_running));
	mod_set(ctx, "action", act ? val_str(act) : val_null());
	mod_set(ctx, "pid_file", val_str(arg_str(args, "pid_file")));
	mod_set(ctx, "log", val_str(arg_str(args, "log") ?
	    arg_str(args, "log") : ""));
	mod_set(ctx, "log_offset", val_int(s->log_offset));
	mod_set(ctx, "started_at", val_int(s->started_at));
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
		mod_fail(ctx, "%s did not stop within %lld s (stop exit %d)",
		    name, arg_int(args, "stop_wait", 30), s->stop_rc);
	else if (strcmp(act, "stop") != 0 && !s->launched)
		mod_fail(ctx, "cannot start %s", name);
	else
		mod_msg(ctx, "%s: %s%s", name, act, strcmp(act, "stop") ?
		    " launched (not waited for: activemq_probe with wait, "
		    "pid_file and boot_log judges it)" : "ped");
}

static enum mod_result
activemq_service_run(struct modctx *ctx, const struct val *args)
{
	struct svc s;
	const char *state = arg_str(args, "state");
	int ret;

	memset(&s, 0, sizeof(s));
	ret = svc_exec(ctx, args, plan(state, strcmp(state, "stopped") == 0),
	    &s);
	if (ret == 0 && !ctx->failed)
		judge(ctx, args, &s, plan(state, s.was_running));
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
	{ "stop_wait", ARG_INT, 0, "30", NULL,
	  "seconds to wait for the process to be gone after stop", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_activemq_service = {
	.name = "activemq_service",
	.summary = "stop, start or restart ActiveMQ through its init script, "
	    "start detached (readiness: activemq_probe)",
	.doc = "Debian's init script says 0 even when the broker exits at "
	    "once on a refused configuration.  This module stops the broker "
	    "(service NAME stop, then waits until the pid file's process is "
	    "gone), removes the stale pid file, records the size of the "
	    "console log, and launches the start detached.  Returns "
	    "was_running, action, pid_file, log, log_offset, started_at: "
	    "give pid_file, boot_log and boot_log_offset to activemq_probe "
	    "with wait.",
	.args = activemq_service_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.run = activemq_service_run,
};
