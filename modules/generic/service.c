/*
 * service.c - start, stop, restart or reload a service, and enable or
 * disable it at boot (Ansible's ansible.builtin.service, for Linux).
 *
 * Two remote commands at most:
 *   1. the probe detects the init system ONCE and reports, one key=value a
 *      line: kind (systemd when /run/systemd/system exists and systemctl is
 *      there; else `service` when that command exists; else initd, i.e.
 *      /etc/init.d/NAME), unit (the name the host knows: nut-client and
 *      nut-monitor stand for each other when only the other exists),
 *      exists, active (systemctl is-active / `status` exit 0), enabled
 *      (systemctl is-enabled; else S links in /etc/rc[2-5].d).
 *   2. the action (skipped when nothing is to be done, and in check mode)
 *      gets the detected kind, runs enable/disable, then the state action
 *      (restart without systemd: stop, wait until the status says stopped,
 *      start -- Debian's nut-client script restarts without waiting),
 *      then polls the status once a second for up to `wait` seconds until
 *      the service runs (after start/restart/reload) or no longer runs
 *      (after stop): init scripts such as NUT's return before the daemon
 *      is up.  Under systemd a started unit must also stay active for
 *      `settle` seconds without an automatic restart (Type=simple units
 *      are "active" once forked); when it does not, the unit's state and
 *      its journal lines since the action are the task's error.  The action's output goes to a temporary file, not to the
 *      SSH channel, so a daemon that keeps its stdout open cannot hold the
 *      command open.  Results come back on stdout lines that start with a
 *      per-task random nonce.
 * pid_file (mend's own option) names the daemon (upsmon.pid: `upsmon`):
 * before a stop or restart every process of that name is tracked (the
 * file's PID, and any whose pid file was lost: the init script cannot see
 * those and says "already stopped"); when the service's own stop leaves
 * one running, it gets SIGTERM by PID (its name checked again), then
 * `wait` s, and the task fails naming it if it still runs; the result
 * says when the SIGTERM was needed (terminated).  Under systemd a restart
 * with pid_file is a stop and a start, so that the old process can be
 * checked between.
 * sleep (Ansible's): a restart without systemd sleeps that many seconds
 * between its stop and its start; ignored under systemd, as Ansible's
 * service action ignores it there.
 * use (Ansible's): auto and service detect as above; systemd runs the
 * systemd module, as Ansible's service action does; sysvinit forces the
 * /etc/init.d script; openwrt_init is refused; any other name detects,
 * as ansible-core falls back to its service module for a manager it has
 * no module for.
 * Enabling: systemctl enable/disable; without systemd update-rc.d
 * (defaults + enable / disable), else chkconfig on/off, else rc-update
 * add/del; none of them: the task fails.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modules/module.h"
#include "modules/generic/unitstate.h"
#include "runner/core/initsys.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char probe_script[] =
	"case $n in\n"             /* names that differ between init systems */
	"nut-client) alt=nut-monitor ;;\n"
	"nut-monitor) alt=nut-client ;;\n"
	"*) alt= ;;\n"
	"esac\n"
	"en_sysv() {\n"
	"  for f in /etc/rc[2345].d/S[0-9][0-9]\"$n\" "
	"/etc/rc.d/rc[2345].d/S[0-9][0-9]\"$n\"; do\n"
	"    if [ -e \"$f\" ]; then echo enabled=1; return; fi\n"
	"  done\n"
	"  echo enabled=0\n"
	"}\n"
	INITSYS_KIND_SH
	"if [ -n \"$force\" ]; then kind=$force; fi\n"  /* use: sysvinit */
	INITSYS_SVC_SH
	"echo \"kind=$kind\"\n"
	"if [ $kind = systemd ]; then\n"
	"  known() { case $(systemctl show -p LoadState -- \"$1\" 2>/dev/null) "
	"in LoadState=not-found|'') return 1 ;; esac; }\n"
	"  if ! known \"$n\" && [ -n \"$alt\" ] && known \"$alt\"; then "
	"n=$alt; fi\n"
	"  echo \"unit=$n\"\n"
	"  if known \"$n\"; then echo exists=1; else echo exists=0; exit 0; fi\n"
	"  if systemctl is-active --quiet -- \"$n\" 2>/dev/null; then "
	"echo active=1; else echo active=0; fi\n"
	"  e=$(systemctl is-enabled -- \"$n\" 2>/dev/null); r=$?\n"
	"  if [ \"$e\" = generated ]; then en_sysv\n"
	"  elif [ $r -eq 0 ]; then echo enabled=1; else echo enabled=0; fi\n"
	"  exit 0\n"
	"fi\n"
	"known() { [ -x \"/etc/init.d/$1\" ] || [ -e \"/etc/init/$1.conf\" ]; }\n"
	"if ! known \"$n\" && [ -n \"$alt\" ] && known \"$alt\"; then "
	"n=$alt; fi\n"
	"echo \"unit=$n\"\n"
	"if known \"$n\"; then echo exists=1; else echo exists=0; exit 0; fi\n"
	"if initsys_svc \"$n\" status </dev/null >/dev/null 2>&1; then "
	"echo active=1; else echo active=0; fi\n"
	"en_sysv\n";

static const char action_script[] =
	INITSYS_SVC_SH
	"svc() { initsys_svc \"$n\" \"$1\"; }\n"
	"if [ \"$kind\" = systemd ]; then\n"
	"  up() { systemctl is-active --quiet -- \"$n\"; }\n"
	"else up() { svc status </dev/null >/dev/null 2>&1; }; fi\n"
	"enable() {\n"
	"  if [ \"$kind\" = systemd ]; then\n"
	"    if [ \"$en\" = 1 ]; then systemctl enable -- \"$n\"; "
	"else systemctl disable -- \"$n\"; fi\n"
	"  elif command -v update-rc.d >/dev/null 2>&1; then\n"
	"    if [ \"$en\" = 1 ]; then update-rc.d \"$n\" defaults && "
	"update-rc.d \"$n\" enable; else update-rc.d \"$n\" disable; fi\n"
	"  elif command -v chkconfig >/dev/null 2>&1; then\n"
	"    if [ \"$en\" = 1 ]; then chkconfig \"$n\" on; "
	"else chkconfig \"$n\" off; fi\n"
	"  elif command -v rc-update >/dev/null 2>&1; then\n"
	"    if [ \"$en\" = 1 ]; then rc-update add \"$n\"; "
	"else rc-update del \"$n\"; fi\n"
	"  else echo 'no systemctl, update-rc.d, chkconfig or rc-update on "
	"the host' >&2; return 1; fi\n"
	"}\n"
	/* systemd: a unit is "active" as soon as a Type=simple daemon has
	 * forked, and one with Restart= that dies is restarted without ever
	 * being "failed" for long: a start counts when the unit is still
	 * active, with no automatic restart, `settle` s later; otherwise its
	 * state and journal lines since the action are the error */
	"sd_check() {\n"
	"  [ \"$kind\" = systemd ] || return 0\n"
	"  if [ \"$cur\" = 1 ] && [ \"$want\" = 1 ]; then\n"
	"    sleep \"$settle\"\n"
	"    r=$(systemctl show -p NRestarts --value -- \"$n\" 2>/dev/null)\n"
	"    if ! up || [ \"${r:-0}\" -gt 0 ]; then cur=0; fi\n"
	"  fi\n"
	"  [ \"$cur\" = \"$want\" ] && return 0\n"
	"  echo \"unit $n: $(systemctl show -p ActiveState -p SubState "
	"-p Result -p NRestarts -- \"$n\" 2>/dev/null | tr '\\n' ' ')\"\n"
	"  journalctl -q -o cat -u \"$n\" --since \"@$t0\" 2>/dev/null | "
	"tail -n 12\n"
	"}\n"
	/* pid_file: the daemon (named as its pid file: upsmon.pid, upsmon)
	 * is tracked before the action: the file's PID and every other
	 * process of that name (a daemon whose pid file was lost, which the
	 * init script cannot see); a stop that leaves one running gets
	 * SIGTERM by PID (its name checked again: never a reused PID), w s
	 * more, else the task fails naming it */
	"tp=; tc=\n"
	"if [ -n \"$pidf\" ] && [ \"$act\" != start ] && [ \"$act\" != reload ]; "
	"then\n"
	"  b=${pidf##*/}; tc=${b%.pid}\n"
	"  for d in /proc/[0-9]*; do [ \"$(cat \"$d/comm\" 2>/dev/null)\" = "
	"\"$tc\" ] && tp=\"$tp ${d#/proc/}\"; done\n"
	"fi\n"
	"talive() { for p in $tp; do [ \"$(cat \"/proc/$p/comm\" 2>/dev/null)\" "
	"= \"$tc\" ] && ! grep -q '^State:[[:space:]]*Z' \"/proc/$p/status\" "
	"2>/dev/null && echo \"$p\"; done; }\n"
	"tlive() { [ -n \"$(talive)\" ]; }\n"
	"reap() {\n"
	"  l=$(talive); [ -z \"$l\" ] && return 0\n"
	"  echo \"$nonce term=$(echo $l | tr ' ' ,) $tc\"; kill -TERM $l 2>/dev/null\n"
	"  e=$(($(date +%s) + w))\n"
	"  while tlive && [ \"$(date +%s)\" -lt \"$e\" ]; do sleep 1; done\n"
	"  l=$(talive); [ -z \"$l\" ] && return 0\n"
	"  echo \"$nonce left=$(echo $l | tr ' ' ,) $tc\"; return 1\n"
	"}\n"
	"t0=$(date +%s)\n"
	"o=$(mktemp 2>/dev/null) || o=/tmp/mend-service.$$\n"
	"if [ -n \"$en\" ]; then\n"
	"  enable </dev/null >\"$o\" 2>&1; r=$?; cat \"$o\"\n"
	"  echo \"$nonce en_rc=$r\"\n"
	"  if [ $r -ne 0 ]; then rm -f \"$o\"; exit 0; fi\n"
	"fi\n"
	"if [ -n \"$act\" ]; then\n"
	/* init scripts such as Debian's nut-client stop without waiting,
	 * so their restart races with the old daemon: stop, wait, start */
	"  if [ \"$act\" = restart ] && { [ \"$kind\" != systemd ] || "
	"[ -n \"$tp\" ]; }; then\n"
	"    svc stop </dev/null >\"$o\" 2>&1\n"
	"    end=$(($(date +%s) + w))\n"
	"    while { up || tlive; } && [ \"$(date +%s)\" -lt \"$end\" ]; do "
	"sleep 0.2 2>/dev/null || sleep 1; done\n"
	"    if ! reap; then cat \"$o\"; rm -f \"$o\"; exit 0; fi\n"
	"    [ \"$kind\" != systemd ] && [ \"$slp\" -gt 0 ] && sleep \"$slp\"\n"
	"    svc start </dev/null >>\"$o\" 2>&1; r=$?\n"
	"  else svc \"$act\" </dev/null >\"$o\" 2>&1; r=$?; fi\n"
	"  if [ \"$act\" = stop ] && [ $r -eq 0 ]; then\n"
	"    end=$(($(date +%s) + w))\n"
	"    while tlive && [ \"$(date +%s)\" -lt \"$end\" ]; do sleep 1; done\n"
	"    if ! reap; then cat \"$o\"; rm -f \"$o\"; exit 0; fi\n"
	"  fi\n"
	"  cat \"$o\"\n"
	"  echo \"$nonce rc=$r\"\n"
	"  if [ $r -ne 0 ]; then rm -f \"$o\"; exit 0; fi\n"
	"  end=$(($(date +%s) + w))\n"
	"  while :; do\n"
	"    if up; then cur=1; else cur=0; fi\n"
	"    [ \"$cur\" = \"$want\" ] && break\n"
	"    [ \"$(date +%s)\" -ge \"$end\" ] && break\n"
	"    sleep 1\n"
	"  done\n"
	"  sd_check\n"
	"  echo \"$nonce up=$cur\"\n"
	"fi\n"
	"rm -f \"$o\"\n";

struct svc_status {
	char kind[16];
	char unit[128];                /* the name the host knows it by */
	int exists, active, enabled;   /* -1 = unknown */
};

struct svc_plan {
	const char *act;      /* start|stop|restart|reload, or NULL */
	int want_up;
	int en;               /* 1 enable, 0 disable, -1 leave */
	int sleep;            /* restart without systemd: s between stop
	                       * and start (Ansible's sleep) */
};

static int
parse_kv(const char *line, size_t len, const char *key, int *out)
{
	size_t k = strlen(key);

	if (len <= k + 1 || memcmp(line, key, k) != 0 || line[k] != '=')
		return 0;
	*out = atoi(line + k + 1);
	return 1;
}

static void
parse_word(const char *line, size_t len, const char *key, char *out,
    size_t size)
{
	size_t k = strlen(key);

	if (len > k + 1 && len - k - 1 < size && memcmp(line, key, k) == 0 &&
	    line[k] == '=') {
		memcpy(out, line + k + 1, len - k - 1);
		out[len - k - 1] = '\0';
	}
}

static void
parse_status(const char *s, struct svc_status *st)
{
	const char *p = s, *nl;

	memset(st, 0, sizeof(*st));
	st->exists = st->active = st->enabled = -1;
	for (; *p != '\0'; p = nl + (*nl != '\0')) {
		size_t len;

		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		parse_word(p, len, "kind", st->kind, sizeof(st->kind));
		parse_word(p, len, "unit", st->unit, sizeof(st->unit));
		parse_kv(p, len, "exists", &st->exists);
		parse_kv(p, len, "active", &st->active);
		parse_kv(p, len, "enabled", &st->enabled);
	}
}

static void
make_plan(const struct val *args, const struct svc_status *st,
    struct svc_plan *pl)
{
	const char *state = arg_str(args, "state");

	memset(pl, 0, sizeof(*pl));
	pl->en = -1;
	pl->sleep = (int)arg_int(args, "sleep", 0);
	if (arg_get(args, "enabled") != NULL &&
	    arg_bool(args, "enabled") != (st->enabled == 1))
		pl->en = arg_bool(args, "enabled");
	if (state == NULL)
		return;
	pl->want_up = strcmp(state, "stopped") != 0;
	if (strcmp(state, "started") == 0 && st->active != 1)
		pl->act = "start";
	else if (strcmp(state, "stopped") == 0 && st->active == 1)
		pl->act = "stop";
	else if (strcmp(state, "restarted") == 0)
		pl->act = "restart";
	else if (strcmp(state, "reloaded") == 0)
		pl->act = st->active == 1 ? "reload" : "start";
}

/* Value of the `NONCE key=N` line in out, or def. */
static int
marker(const char *out, const char *nonce, const char *key, int def)
{
	char *pat = xasprintf("%s %s=", nonce, key);
	const char *p = strstr(out, pat);
	int v = def;

	if (p != NULL && (p == out || p[-1] == '\n'))
		v = atoi(p + strlen(pat));
	free(pat);
	return v;
}

/* The action's own output: out without the marker lines. */
static void
action_output(const char *out, const char *nonce, struct strbuf *sb)
{
	size_t n = strlen(nonce);
	const char *p = out, *nl;

	for (; *p != '\0'; p = nl + (*nl != '\0')) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) > n && memcmp(p, nonce, n) == 0 &&
		    p[n] == ' ')
			continue;
		strbuf_add(sb, p, (size_t)(nl - p) + (*nl != '\0'));
	}
	strbuf_rtrim(sb);
}

/* 0 = status in *st; 1 = the task failed (recorded); TERR_* from mod_exec. */
static int
run_probe(struct modctx *ctx, const char *name, const char *force,
    struct svc_status *st)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	int ret;

	shellcmd_build(&cmd, "n=%q; force=%q\n", name, force);
	strbuf_addstr(&cmd, probe_script);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		strbuf_rtrim(&r.err);
		mod_fail(ctx, "cannot query service '%s': %s", name, r.err.buf);
		ret = 1;
	} else if (ret == 0) {
		parse_status(r.out.buf, st);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* "NONCE key=PID COMM" as "COMM (pid PID)" into sb; 0 when absent. */
static int
proc_marker(const char *out, const char *nonce, const char *key,
    struct strbuf *sb)
{
	char *pat = xasprintf("%s %s=", nonce, key);
	const char *p = strstr(out, pat), *v, *sp;
	size_t n;

	if (p != NULL && (p == out || p[-1] == '\n')) {
		v = p + strlen(pat);
		n = strcspn(v, "\n");
		sp = memchr(v, ' ', n);
		if (sp != NULL)
			strbuf_addf(sb, "%.*s (pid %.*s)", (int)(v + n - sp - 1),
			    sp + 1, (int)(sp - v), v);
	}
	free(pat);
	return sb->len > 0;
}

/* The stop left the pid file's daemon running: SIGTERM ended it (said in
 * the result), or did not (the task fails). 1 = failed. */
static int
check_reap(struct modctx *ctx, const char *name, const char *out,
    const char *nonce, int wait)
{
	struct strbuf t = STRBUF_INIT, l = STRBUF_INIT;
	int failed = 0;

	if (proc_marker(out, nonce, "term", &t))
		mod_set(ctx, "terminated", val_str(t.buf));
	if (proc_marker(out, nonce, "left", &l)) {
		mod_fail(ctx, "service '%s' did not stop: its own stop left %s "
		    "running, and SIGTERM to that PID did not end it within "
		    "%d s", name, l.buf, wait);
		failed = 1;
	} else if (t.len) {
		mod_msg(ctx, "its own stop left %s running: ended by SIGTERM "
		    "to that PID", t.buf);
	}
	strbuf_release(&t);
	strbuf_release(&l);
	return failed;
}

static void
check_action(struct modctx *ctx, const char *name, const struct svc_plan *pl,
    const char *out, const char *nonce, int wait)
{
	struct strbuf msg = STRBUF_INIT;
	int en_rc = marker(out, nonce, "en_rc", 0);
	int rc = marker(out, nonce, "rc", 0);
	int up = marker(out, nonce, "up", -1);

	action_output(out, nonce, &msg);
	if (check_reap(ctx, name, out, nonce, wait))
		;
	else if (en_rc != 0)
		mod_fail(ctx, "unable to %s service '%s': %s", pl->en ?
		    "enable" : "disable", name, msg.buf);
	else if (pl->act != NULL && rc != 0)
		mod_fail(ctx, "unable to %s service '%s' (exit %d): %s",
		    pl->act, name, rc, msg.buf);
	else if (pl->act != NULL && up != pl->want_up)
		mod_fail(ctx, "service '%s' is %s %d s after '%s'%s%s", name,
		    pl->want_up ? "not running" : "still running", wait,
		    pl->act, msg.len ? ": " : "", msg.buf);
	strbuf_release(&msg);
}

/* A systemd unit's enable/disable is journaled (rollback undoes it). */
static long
journal_unit(struct modctx *ctx, const char *name,
    const struct svc_status *st, const struct svc_plan *pl)
{
	if (pl->en < 0 || strcmp(st->kind, "systemd") != 0)
		return 0;
	return unitstate_journal(ctx, st->unit[0] ? st->unit : name,
	    st->enabled == 1 ? "enabled" : "disabled",
	    pl->en ? "enabled" : "disabled");
}

static int
run_action(struct modctx *ctx, const char *name, const struct svc_status *st,
    const struct svc_plan *pl, int wait, int settle, const char *pidf)
{
	struct strbuf cmd = STRBUF_INIT;
	char nonce[17], en[2] = "";
	struct exec_res r;
	long seq;
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	if (pl->en >= 0)
		en[0] = pl->en ? '1' : '0';
	shellcmd_build(&cmd, "n=%q; kind=%q; act=%q; en=%q; want=%d; w=%d; "
	    "settle=%d; nonce=%q; pidf=%q; slp=%d\n", name, st->kind,
	    pl->act ? pl->act : "", en, pl->want_up, wait, settle, nonce,
	    pidf ? pidf : "", pl->sleep);
	strbuf_addstr(&cmd, action_script);
	if ((seq = journal_unit(ctx, name, st, pl)) < 0) {
		strbuf_release(&cmd);
		return mod_fail(ctx, "cannot write the journal entry for unit "
		    "'%s': not changing it", name), -1;
	}
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		strbuf_rtrim(&r.err);
		mod_fail(ctx, "service script failed (exit %d): %s", r.rc,
		    r.err.buf);
	} else if (ret == 0) {
		check_action(ctx, name, pl, r.out.buf, nonce, wait);
	}
	if (ret == 0 && seq > 0)
		unitstate_done(ctx, seq, ctx->failed ? ctx->msg.buf : NULL);
	if (ret == 0 && pl->en >= 0)
		mod_journal_service(ctx, name, pl->en ? "enable" : "disable");
	if (ret == 0 && pl->act != NULL)
		mod_journal_service(ctx, name, pl->act);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

static void
report(struct modctx *ctx, const char *name, const struct svc_status *st,
    const struct svc_plan *pl)
{
	int up = pl->act ? pl->want_up : st->active == 1;
	int en = pl->en >= 0 ? pl->en : st->enabled;

	mod_set(ctx, "name", val_str(name));
	mod_set(ctx, "state", val_str(up ? "started" : "stopped"));
	if (en >= 0)
		mod_set(ctx, "enabled", val_bool(en));
	mod_set(ctx, "init", val_str(st->kind));
	if (st->unit[0] != '\0' && strcmp(st->unit, name) != 0)
		mod_set(ctx, "unit", val_str(st->unit));
	if (pl->act != NULL || pl->en >= 0) {
		mod_changed(ctx);
		if (ctx->check)
			mod_msg(ctx, "would %s%s%s", pl->act ? pl->act : "",
			    pl->act && pl->en >= 0 ? " and " : "",
			    pl->en < 0 ? "" : pl->en ? "enable" : "disable");
	}
}

static int
valid_name(const char *s)
{
	return s[0] != '\0' && s[0] != '-' && s[0] != '.' &&
	    strpbrk(s, "/ \t\r\n") == NULL;
}

/* use=systemd: Ansible's service action runs the systemd module, with
 * the arguments systemd does not take dropped (sleep; mend's settle). */
static enum mod_result
via_systemd(struct modctx *ctx, const struct val *args)
{
	enum mod_result res;
	struct val *a;

	if (arg_get(args, "pid_file") != NULL)
		return mod_done(ctx, mod_fail(ctx, "pid_file is mend's service "
		    "option: it cannot be used with use=systemd"));
	a = val_copy(args);
	val_map_del(a, "use");
	val_map_del(a, "sleep");
	val_map_del(a, "settle");
	res = mod_call(ctx, "systemd", a);
	val_free(a);
	return res == MOD_UNREACHABLE ? res : mod_done(ctx, 0);
}

/* The init system `use` asks for: "" (detect: auto, service and every
 * name ansible-core has no module for), "systemd", "initd" (sysvinit),
 * or NULL after a failure (openwrt_init). */
static const char *
use_backend(struct modctx *ctx, const struct val *args)
{
	const char *use = arg_str(args, "use");

	if (use == NULL)
		return "";
	if (!strcasecmp(use, "systemd"))
		return "systemd";
	if (!strcasecmp(use, "sysvinit"))
		return "initd";
	if (!strcasecmp(use, "openwrt_init")) {
		mod_fail(ctx, "use=openwrt_init: mend has no openwrt_init "
		    "backend (auto, service, systemd and sysvinit are "
		    "supported)");
		return NULL;
	}
	return "";
}

static enum mod_result
service_run(struct modctx *ctx, const struct val *args)
{
	const char *name = arg_str(args, "name");
	const char *force = use_backend(ctx, args);
	int wait = (int)arg_int(args, "wait", 10);
	struct svc_status st;
	struct svc_plan pl;
	int ret;

	if (force == NULL)
		return mod_done(ctx, -1);
	if (!strcmp(force, "systemd"))
		return via_systemd(ctx, args);

	if (name == NULL || !valid_name(name))
		return mod_done(ctx, mod_fail(ctx, "invalid service name '%s'",
		    name ? name : ""));
	if (wait < 0 || arg_int(args, "settle", 2) < 0)
		return mod_done(ctx, mod_fail(ctx, "wait and settle must be "
		    ">= 0"));
	if ((ret = run_probe(ctx, name, force, &st)) != 0)
		return mod_done(ctx, ret);
	if (st.exists != 1 || st.kind[0] == '\0')
		return mod_done(ctx, mod_fail(ctx, "could not find the "
		    "requested service '%s' (init: %s)", name,
		    st.kind[0] ? st.kind : "unknown"));
	make_plan(args, &st, &pl);
	report(ctx, name, &st, &pl);
	if (ctx->check || (pl.act == NULL && pl.en < 0))
		return mod_done(ctx, 0);
	/* act on the name the host knows (nut-client may be nut-monitor) */
	return mod_done(ctx, run_action(ctx, valid_name(st.unit) ? st.unit :
	    name, &st, &pl, wait, (int)arg_int(args, "settle", 2),
	    arg_str(args, "pid_file")));
}

static int
service_validate(const struct val *args, struct err *e)
{
	const struct val *name = val_map_get(args, "name");
	const struct val *use = val_map_get(args, "use");

	if (use != NULL && use->type == V_STR &&
	    !strcasecmp(use->u.str.s, "openwrt_init"))
		return err_setpos(e, &use->pos, "module 'service': "
		    "use=openwrt_init: mend has no openwrt_init backend");
	if (val_map_get(args, "state") == NULL &&
	    val_map_get(args, "enabled") == NULL)
		return err_setpos(e, &args->pos, "module 'service': one of "
		    "'state' or 'enabled' is required");
	if (name != NULL && name->type == V_STR &&
	    strstr(name->u.str.s, "{{") == NULL && !valid_name(name->u.str.s))
		return err_setpos(e, &name->pos, "module 'service': invalid "
		    "service name '%s'", name->u.str.s);
	return 0;
}

static const struct module_arg service_args[] = {
	{ "name", ARG_STR, 1, NULL, NULL,
	  "service name (systemd unit or init script)", NULL },
	{ "state", ARG_STR, 0, NULL, "started|stopped|restarted|reloaded",
	  "started/stopped act only when needed; restarted and reloaded "
	  "always act (reloaded starts a stopped service)", NULL },
	{ "enabled", ARG_BOOL, 0, NULL, NULL,
	  "start at boot (systemctl, update-rc.d, chkconfig or rc-update)",
	  NULL },
	{ "wait", ARG_INT, 0, "10", NULL,
	  "seconds to wait, after acting, for the service to run (or stop)",
	  NULL },
	{ "pid_file", ARG_PATH, 0, NULL, NULL,
	  "mend: the daemon's pid file, naming it (/run/nut/upsmon.pid: "
	  "every 'upsmon' is tracked, also one whose pid file was lost); "
	  "when stop/restart leaves one running, it gets SIGTERM by PID, "
	  "and the task fails if it "
	  "still runs `wait` s later (Ansible has no such option)", NULL },
	{ "sleep", ARG_INT, 0, NULL, NULL,
	  "restarted without systemd: seconds between the stop and the "
	  "start (under systemd ignored, as Ansible's service does there)",
	  NULL },
	{ "use", ARG_STR, 0, "auto", NULL,
	  "the service manager, as Ansible's: auto and service detect it "
	  "(systemd, else the service command, else /etc/init.d), systemd "
	  "runs the systemd module (sleep dropped), sysvinit runs "
	  "/etc/init.d/NAME; openwrt_init is refused; another name is "
	  "auto, as ansible-core falls back to service for a manager it has "
	  "no module for", NULL },
	{ "settle", ARG_INT, 0, "2", NULL,
	  "systemd: seconds the unit must stay active, without an automatic "
	  "restart, after a (re)start (a daemon that dies right after "
	  "forking is a failed start)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_service = {
	.name = "service",
	.summary = "start, stop, restart or reload a service; enable it at "
	    "boot",
	.doc = "Like Ansible's service module on Linux.  Detects the init "
	    "system once per task: systemd (when /run/systemd/system exists), "
	    "else the `service` command, else /etc/init.d/NAME.  "
	    "state=started/stopped change nothing when the service already "
	    "runs/is stopped (status: systemctl is-active, or `status` exit "
	    "0).  After acting it waits up to 'wait' seconds for the status "
	    "to confirm, and fails otherwise: many init scripts return before "
	    "the daemon is up.  enabled uses systemctl enable/disable, or "
	    "update-rc.d, chkconfig or rc-update.  use=systemd runs the "
	    "systemd module, use=sysvinit the init script.  In check mode it reports "
	    "what it would do.  Returns name, state, enabled, init.",
	.args = service_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = service_validate,
	.run = service_run,
};
