/*
 * wait_for.c - wait, on the host, until a TCP port opens or closes or a file
 * appears (optionally with a line matching a regex) or disappears
 * (Ansible's ansible.builtin.wait_for).
 *
 * The whole wait is ONE remote POSIX sh script that polls until the
 * condition holds or the timeout passes; the controller does not poll.
 * Values reach the script only as single-quoted variable assignments at its
 * top; the script body is fixed text.
 *
 * How a port is tested on the host, first available wins:
 *   1. timeout + bash:  timeout CT bash -c 'exec 3<>/dev/tcp/HOST/PORT'
 *      (bash's /dev/tcp, with coreutils/busybox `timeout` bounding the
 *      connect)
 *   2. nc:              nc -z -w CT HOST PORT
 *   3. bash alone:      as 1, without a bound on a connect that hangs
 *   4. /proc/net/tcp*:  a LISTEN socket on the port; only for a local host
 *                       (127.*, localhost, 0.0.0.0, ::1)
 * otherwise the task fails with "no way to test a TCP port on the host".
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char probe_detect[] =
	"if command -v timeout >/dev/null 2>&1 && "
	"command -v bash >/dev/null 2>&1; then\n"
	"  tool=bash\n"
	"  probe() { timeout \"$ct\" bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' "
	"\"$h\" \"$p\" </dev/null >/dev/null 2>&1; }\n"
	"elif command -v nc >/dev/null 2>&1; then\n"
	"  tool=nc\n"
	"  probe() { nc -z -w \"$ct\" \"$h\" \"$p\" </dev/null >/dev/null 2>&1; }\n"
	"elif command -v bash >/dev/null 2>&1; then\n"
	"  tool=bash-no-timeout\n"
	"  probe() { bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' \"$h\" \"$p\" "
	"</dev/null >/dev/null 2>&1; }\n"
	"elif [ -r /proc/net/tcp ] && case $h in 127.*|localhost|0.0.0.0|::1) "
	"true;; *) false;; esac; then\n"
	"  tool=proc\n"
	"  probe() { x=$(printf '%04X' \"$p\"); cat /proc/net/tcp "
	"/proc/net/tcp6 2>/dev/null | awk -v p=\"$x\" "
	"'{ n = split($2, a, \":\"); if (a[n] == p && $4 == \"0A\") f = 1 } "
	"END { exit !f }'; }\n"
	"else\n"
	"  echo 'no way to test a TCP port on the host (need bash or nc)' >&2\n"
	"  exit 3\n"
	"fi\n";

static const char cond_port_open[] = "cond() { probe; }\n";
static const char cond_port_closed[] = "cond() { ! probe; }\n";
static const char cond_file[] =
	"cond() { [ -e \"$f\" ] && { [ -z \"$re\" ] || "
	"grep -E -q -e \"$re\" -- \"$f\" 2>/dev/null; }; }\n";
static const char cond_no_file[] = "cond() { [ ! -e \"$f\" ]; }\n";
static const char cond_none[] = "cond() { sleep \"$to\"; }\n";

static const char wait_loop[] =
	"now() { date +%s; }\n"
	"start=$(now)\n"
	"[ \"$dl\" -gt 0 ] && sleep \"$dl\"\n"
	"if [ -z \"$p\" ] && [ -z \"$f\" ]; then cond; "
	"echo \"$(($(now) - start)) $tool\"; exit 0; fi\n"
	"end=$((start + to))\n"
	"while [ \"$(now)\" -lt \"$end\" ]; do\n"
	"  if cond; then echo \"$(($(now) - start)) $tool\"; exit 0; fi\n"
	"  sleep \"$sl\"\n"
	"done\n"
	"echo \"$(($(now) - start)) $tool\"\n"
	"exit 1\n";

struct wait_spec {
	const char *host, *path, *regex, *state;
	int port;                  /* 0 = none */
	int timeout, delay, sleep, connect_timeout;
};

static int
is_stop_state(const char *state)
{
	return strcmp(state, "stopped") == 0 || strcmp(state, "absent") == 0;
}

static const char *
pick_cond(const struct wait_spec *w)
{
	if (w->port > 0)
		return is_stop_state(w->state) ? cond_port_closed
		    : cond_port_open;
	if (w->path != NULL)
		return is_stop_state(w->state) ? cond_no_file : cond_file;
	return cond_none;
}

static void
build_script(struct strbuf *sb, const struct wait_spec *w)
{
	char port[16] = "";

	if (w->port > 0)
		snprintf(port, sizeof(port), "%d", w->port);
	shellcmd_build(sb, "h=%q; p=%q; f=%q; re=%q; to=%d; dl=%d; sl=%d; "
	    "ct=%d; tool=none\n", w->host, port, w->path ? w->path : "",
	    w->regex ? w->regex : "", w->timeout, w->delay, w->sleep,
	    w->connect_timeout);
	if (w->port > 0)
		strbuf_addstr(sb, probe_detect);
	strbuf_addstr(sb, pick_cond(w));
	strbuf_addstr(sb, wait_loop);
}

static void
timeout_msg(struct modctx *ctx, const struct wait_spec *w, const char *msg)
{
	if (msg != NULL)
		mod_fail(ctx, "%s", msg);
	else if (w->port > 0 && is_stop_state(w->state))
		mod_fail(ctx, "Timeout when waiting for %s:%d to stop.",
		    w->host, w->port);
	else if (w->port > 0)
		mod_fail(ctx, "Timeout when waiting for %s:%d", w->host,
		    w->port);
	else if (is_stop_state(w->state))
		mod_fail(ctx, "Timeout when waiting for %s to be absent.",
		    w->path);
	else if (w->regex != NULL)
		mod_fail(ctx, "Timeout when waiting for search string %s in %s",
		    w->regex, w->path);
	else
		mod_fail(ctx, "Timeout when waiting for file %s", w->path);
}

static int
read_spec(struct modctx *ctx, const struct val *args, struct wait_spec *w)
{
	long long port = arg_int(args, "port", 0);

	memset(w, 0, sizeof(*w));
	w->host = arg_str(args, "host");
	w->path = arg_str(args, "path");
	w->regex = arg_str(args, "search_regex");
	w->state = arg_str(args, "state");
	w->timeout = (int)arg_int(args, "timeout", 300);
	w->delay = (int)arg_int(args, "delay", 0);
	w->sleep = (int)arg_int(args, "sleep", 1);
	w->connect_timeout = (int)arg_int(args, "connect_timeout", 5);
	if (w->host == NULL)
		w->host = "127.0.0.1";
	if (w->state == NULL)
		w->state = "started";
	if (arg_get(args, "port") != NULL && (port < 1 || port > 65535)) {
		mod_fail(ctx, "port must be 1-65535, got %lld", port);
		return -1;
	}
	w->port = (int)port;
	if (w->timeout < 0 || w->delay < 0 || w->sleep < 0 ||
	    w->connect_timeout < 1 || w->timeout > 86400 ||
	    w->delay > 86400) {
		mod_fail(ctx, "timeout, delay and sleep must be >= 0 (at most "
		    "a day), connect_timeout >= 1");
		return -1;
	}
	return 0;
}

static void
record(struct modctx *ctx, const struct wait_spec *w, struct exec_res *r,
    const char *msg)
{
	char *tool = strchr(r->out.buf, ' ');

	mod_set(ctx, "elapsed", val_int(strtol(r->out.buf, NULL, 10)));
	mod_set(ctx, "state", val_str(w->state));
	if (w->port > 0)
		mod_set(ctx, "port", val_int(w->port));
	if (w->path != NULL)
		mod_set(ctx, "path", val_str(w->path));
	if (w->regex != NULL)
		mod_set(ctx, "search_regex", val_str(w->regex));
	if (tool != NULL) {
		strbuf_rtrim(&r->out);
		mod_log(ctx, 2, "wait_for: port probe: %s", tool + 1);
	}
	strbuf_rtrim(&r->err);
	if (r->rc == 1)
		timeout_msg(ctx, w, msg);
	else if (r->rc != 0)
		mod_fail(ctx, "%s", r->err.len ? r->err.buf
		    : "the wait script failed on the host");
}

/* A command that outlives the task timeout is killed and the host counted
 * unreachable: end the wait (as a plain timeout) a little before. */
static void
clamp_to_task_timeout(struct modctx *ctx, struct wait_spec *w)
{
	int budget = ctx->timeout - w->delay - w->connect_timeout - 2;

	if (ctx->timeout <= 0 || w->timeout <= budget)
		return;
	w->timeout = budget > 0 ? budget : 0;
	mod_log(ctx, 1, "wait_for: timeout cut to %d s by the task timeout "
	    "(%d s)", w->timeout, ctx->timeout);
}

static enum mod_result
wait_for_run(struct modctx *ctx, const struct val *args)
{
	struct strbuf cmd = STRBUF_INIT;
	struct wait_spec w;
	struct exec_res r;
	int ret;

	if (read_spec(ctx, args, &w) < 0)
		return mod_done(ctx, 0);
	clamp_to_task_timeout(ctx, &w);
	build_script(&cmd, &w);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0)
		record(ctx, &w, &r, arg_str(args, "msg"));
	exec_res_release(&r);
	strbuf_release(&cmd);
	return mod_done(ctx, ret);
}

static int
is_literal(const struct val *v)
{
	return v != NULL && !(v->type == V_STR && strstr(v->u.str.s, "{{"));
}

static int
wait_for_validate(const struct val *args, struct err *e)
{
	const struct val *port = val_map_get(args, "port");
	const struct val *path = val_map_get(args, "path");
	const struct val *state = val_map_get(args, "state");
	const char *st = is_literal(state) && state->type == V_STR ?
	    state->u.str.s : NULL;

	if (port != NULL && path != NULL)
		return err_setpos(e, &port->pos, "module 'wait_for': 'port' "
		    "and 'path' can not both be given");
	if (port != NULL && val_map_get(args, "search_regex") != NULL)
		return err_setpos(e, &port->pos, "module 'wait_for': "
		    "'search_regex' is only supported with 'path'");
	if (path != NULL && st != NULL && strcmp(st, "stopped") == 0)
		return err_setpos(e, &state->pos, "module 'wait_for': "
		    "state=stopped should only be used for checking a port");
	return 0;
}

static const struct module_arg wait_for_args[] = {
	{ "host", ARG_STR, 0, "127.0.0.1", NULL,
	  "host to connect to, as seen FROM THE TARGET", NULL },
	{ "port", ARG_INT, 0, NULL, NULL, "TCP port to wait for", NULL },
	{ "path", ARG_PATH, 0, NULL, NULL, "file to wait for", NULL },
	{ "search_regex", ARG_STR, 0, NULL, NULL,
	  "with path: wait for a line matching this POSIX extended regex",
	  NULL },
	{ "state", ARG_STR, 0, "started", "started|stopped|present|absent",
	  "started/present: port open or file present; stopped/absent: "
	  "port closed or file absent", NULL },
	{ "timeout", ARG_INT, 0, "300", NULL,
	  "seconds to wait in all (without port or path: just sleep this "
	  "long)", NULL },
	{ "delay", ARG_INT, 0, "0", NULL,
	  "seconds to wait before the first check", NULL },
	{ "sleep", ARG_INT, 0, "1", NULL, "seconds between checks", NULL },
	{ "connect_timeout", ARG_INT, 0, "5", NULL,
	  "seconds a single connection attempt may take", NULL },
	{ "msg", ARG_STR, 0, NULL, NULL,
	  "message instead of the default one on timeout", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_wait_for = {
	.name = "wait_for",
	.summary = "wait until a port opens or closes, or a file appears or "
	    "goes, on the host",
	.doc = "Like Ansible's wait_for, judged FROM THE TARGET: one remote "
	    "POSIX sh loop checks every 'sleep' seconds until the condition "
	    "holds or 'timeout' seconds (counted from the start, delay "
	    "included) have passed, then fails with Ansible's message "
	    "('Timeout when waiting for 127.0.0.1:5671').  Ports are tested "
	    "with bash's /dev/tcp under `timeout`, else `nc -z`, else bash "
	    "alone, else (local addresses only) a LISTEN entry in "
	    "/proc/net/tcp.  search_regex is POSIX ERE, matched per line "
	    "(grep -E), and only with path.  state=drained, exclude_hosts and "
	    "active_connection_states are not supported.  With a task "
	    "timeout shorter than the wait, the wait is cut to end (as a "
	    "timeout failure) just before it.  Returns elapsed (seconds).",
	.args = wait_for_args,
	.flags = MOD_SUPPORTS_CHECK,
	.validate = wait_for_validate,
	.run = wait_for_run,
};
