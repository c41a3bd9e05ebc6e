/* svcctl.c - tracked stop, detached start; see svcctl.h. */
#include <stdlib.h>
#include <string.h>

#include "modules/svcctl.h"
#include "runner/core/initsys.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char head_script[] =
	"LC_ALL=C; export LC_ALL\n"
	INITSYS_KIND_SH
	"if [ \"$sd\" != 1 ] && [ $kind = systemd ]; then\n"
	"  if command -v service >/dev/null 2>&1; then kind=service; "
	"else kind=initd; fi\n"
	"fi\n"
	"if [ $kind != systemd ] && [ ! -x \"/etc/init.d/$n\" ]; then\n"
	"  echo \"no init script /etc/init.d/$n on the host\" >&2; exit 3\n"
	"fi\n"
	"echo \"$x kind=$kind\"\n"
	INITSYS_SVC_SH
	"svc() { initsys_svc \"$n\" \"$1\"; }\n"
	"prestart() { :; }\n";

/* live PID COMM: PID runs (not a zombie) under that command name */
static const char body_script[] =
	"live() {\n"
	"  [ \"$(cat \"/proc/$1/comm\" 2>/dev/null)\" = \"$2\" ] && "
	"! grep -q '^State:[[:space:]]*Z' \"/proc/$1/status\" 2>/dev/null\n"
	"}\n"
	"comm() { cat \"/proc/$1/comm\" 2>/dev/null; }\n"
	"running() { [ -d \"/proc/$1\" ] && "
	"! grep -q '^State:[[:space:]]*Z' \"/proc/$1/status\" 2>/dev/null; }\n"
	/* below PID: every process under PID (from /proc/N/stat's ppid) */
	"below() {\n"
	"  for d in /proc/[0-9]*; do\n"
	"    s=$(sed 's/^.*) [A-Za-z] \\([0-9]*\\) .*/\\1/' \"$d/stat\" "
	"2>/dev/null) && echo \"${d#/proc/} $s\"\n"
	"  done | awk -v r=\"$1\" '{ p[$1] = $2 } END { for (i in p) { "
	"j = p[i]; while (j != r && (j in p) && j > 1) j = p[j]; "
	"if (j == r) print i } }'\n"
	"}\n"
	"daemon() {\n"
	"  p=$(cat \"$pidf\" 2>/dev/null) || p=\n"
	"  case $p in ''|*[!0-9]*) ;; *) c=$(comm \"$p\")\n"
	"    if [ -n \"$c\" ] && { [ -z \"$proc\" ] || [ \"$c\" = \"$proc\" ]; }; "
	"then echo \"$p $c\"; fi ;; esac\n"
	"  if [ $kind = systemd ]; then\n"
	"    m=$(systemctl show -p MainPID --value -- \"$n\" 2>/dev/null)\n"
	"    case $m in ''|0|*[!0-9]*) ;; *) c=$(comm \"$m\"); "
	"[ -n \"$c\" ] && echo \"$m $c\" ;; esac\n"
	"  fi\n"
	"  [ -n \"$proc\" ] || return 0\n"
	"  for d in /proc/[0-9]*; do\n"
	"    [ \"$(cat \"$d/comm\" 2>/dev/null)\" = \"$proc\" ] || continue\n"
	"    if [ -n \"$pm\" ]; then tr '\\0' ' ' <\"$d/cmdline\" 2>/dev/null | "
	"grep -qF -- \"$pm\" || continue; fi\n"
	"    echo \"${d#/proc/} $proc\"\n"
	"  done\n"
	"}\n"
	/* freeze PID: SIGSTOP PID and everything under it until the tree no
	 * longer grows (a stopped process forks nothing), print it: killing
	 * a live tree races with its forks (measured: the init script,
	 * killed while its `rabbitmqctl status` returned, had already started
	 * an orphan `rabbitmqctl stop`) */
	"freeze() {\n"
	"  all=\" $1 \"; kill -STOP \"$1\" 2>/dev/null\n"
	"  while :; do\n"
	"    new=\n"
	"    for k in $(below \"$1\"); do case $all in *\" $k \"*) ;; "
	"*) new=\"$new $k\"; all=\"$all$k \" ;; esac; done\n"
	"    [ -z \"$new\" ] && break\n"
	"    kill -STOP $new 2>/dev/null\n"
	"  done\n"
	"  echo $all\n"
	"}\n"
	"tracked=$(daemon | sort -u -n -k1,1)\n"
	"alive() { echo \"$tracked\" | while read -r p c; do "
	"[ -n \"$p\" ] && live \"$p\" \"$c\" && echo \"$p $c\"; done; }\n"
	"unit_up() { [ $kind = systemd ] && systemctl is-active --quiet -- "
	"\"$n\"; }\n"
	"gone() { [ -z \"$(alive)\" ] && ! unit_up; }\n"
	"echo \"$tracked\" | while read -r p c; do [ -n \"$p\" ] && "
	"echo \"$x pid $p $c\"; done\n"
	"if gone; then run=0; else run=1; fi\n"
	"echo \"$x was_running=$run\"\n"
	"case $act in\n"
	"'') exit 0 ;;\n"
	"start) [ $run = 1 ] && exit 0 ;;\n"
	"stop) [ $run = 0 ] && exit 0 ;;\n"
	"esac\n"
	"[ \"$check\" = 1 ] && exit 0\n"
	"until_gone() {\n"
	"  end=$(($(date +%s) + w))\n"
	"  until gone || [ \"$(date +%s)\" -ge \"$end\" ]; do sleep 1; done\n"
	"}\n"
	"if [ $act != start ]; then\n"
	"  o=$(mktemp 2>/dev/null) || o=/tmp/mend-svcctl.$$\n"
	/* bounded: with its pid file gone, `rabbitmqctl stop PIDFILE` waits
	 * for ever, and its CLI node, in a session of its own (su), would
	 * outlive timeout(1) and stop the NEXT broker when it comes up
	 * (measured): after stop_wait s the stop command and every process
	 * below it get TERM, then KILL, by PID */
	"  ( case $kind in\n"
	"    systemd) exec systemctl stop -- \"$n\" ;;\n"
	"    service) exec service \"$n\" stop ;;\n"
	"    *) exec \"/etc/init.d/$n\" stop ;;\n"
	"    esac ) </dev/null >\"$o\" 2>&1 &\n"
	"  sp=$!; end=$(($(date +%s) + w))\n"
	"  while running $sp && [ \"$(date +%s)\" -lt \"$end\" ]; do "
	"sleep 1; done\n"
	"  if running $sp; then\n"
	"    echo \"$x stop_hung=1\"; kill -KILL $(freeze $sp) 2>/dev/null\n"
	"    wait $sp; r=124\n"
	"  else wait $sp; r=$?; fi\n"
	"  sed \"s/^/$x out /\" \"$o\"; echo; rm -f \"$o\"\n"
	"  echo \"$x stop_rc=$r\"\n"
	"  until_gone\n"
	"  if ! gone; then\n"
	"    for p in $(alive | cut -d' ' -f1); do c=$(comm \"$p\")\n"
	"      live \"$p\" \"$c\" && echo \"$x term $p $c\" && "
	"kill -TERM \"$p\" 2>/dev/null\n"
	"    done\n"
	"    until_gone\n"
	"  fi\n"
	"  alive | while read -r p c; do echo \"$x left $p $c\"; done\n"
	"  if gone; then echo \"$x stopped=1\"; "
	"else echo \"$x stopped=0\"; exit 0; fi\n"
	"fi\n"
	"[ $act = stop ] && exit 0\n"
	"prestart\n"
	"echo \"$x started_at=$(date +%s)\"\n"
	"if [ $kind = systemd ]; then systemctl start --no-block -- \"$n\" "
	"</dev/null; r=$?\n"
	"else\n"
	"  if command -v setsid >/dev/null 2>&1; then d=setsid; else d=nohup; "
	"fi\n"
	"  $d sh -c 'if command -v service >/dev/null 2>&1; then exec service "
	"\"$0\" start; else exec \"/etc/init.d/$0\" start; fi' \"$n\" "
	"</dev/null >/dev/null 2>&1 &\n"
	"  r=0\n"
	"fi\n"
	"echo \"$x start_rc=$r\"\n";

void
svcctl_res_init(struct svcctl_res *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->out, 0);
	strbuf_init(&r->tracked, 0);
	strbuf_init(&r->termed, 0);
	strbuf_init(&r->left, 0);
}

void
svcctl_res_release(struct svcctl_res *r)
{
	strbuf_release(&r->out);
	strbuf_release(&r->tracked);
	strbuf_release(&r->termed);
	strbuf_release(&r->left);
}

/* "PID COMM" appended to a ", "-joined list as "COMM (pid PID)". */
static void
add_proc(struct strbuf *sb, const char *v)
{
	const char *sp = strchr(v, ' ');

	if (sp == NULL)
		return;
	strbuf_addf(sb, "%s%s (pid %.*s)", sb->len ? ", " : "", sp + 1,
	    (int)(sp - v), v);
}

static int
kv(const char *v, const char *key, long long *out)
{
	size_t k = strlen(key);

	if (strncmp(v, key, k) != 0 || v[k] != '=')
		return 0;
	*out = atoll(v + k + 1);
	return 1;
}

static void
res_line(const struct svcctl_req *rq, struct svcctl_res *rs, const char *v)
{
	long long n;

	if (strncmp(v, "kind=", 5) == 0 && strlen(v + 5) < sizeof(rs->kind))
		memcpy(rs->kind, v + 5, strlen(v + 5) + 1);
	else if (kv(v, "was_running", &n))
		rs->was_running = (int)n;
	else if (kv(v, "stop_rc", &n))
		rs->stop_rc = (int)n;
	else if (kv(v, "stop_hung", &n))
		rs->stop_hung = (int)n;
	else if (kv(v, "stopped", &n))
		rs->stopped = (int)n;
	else if (kv(v, "start_rc", &n))
		rs->start_rc = (int)n;
	else if (kv(v, "started_at", &n))
		rs->started_at = n;
	else if (strncmp(v, "out ", 4) == 0)
		strbuf_addf(&rs->out, "%s\n", v + 4);
	else if (strncmp(v, "pid ", 4) == 0)
		add_proc(&rs->tracked, v + 4);
	else if (strncmp(v, "term ", 5) == 0)
		add_proc(&rs->termed, v + 5);
	else if (strncmp(v, "left ", 5) == 0)
		add_proc(&rs->left, v + 5);
	else if (rq->line != NULL)
		rq->line(rq->arg, v);
}

static void
res_parse(const struct svcctl_req *rq, struct svcctl_res *rs, const char *out,
    const char *nonce)
{
	size_t k = strlen(nonce);

	while (*out != '\0') {
		size_t n = strcspn(out, "\n");

		if (n > k && memcmp(out, nonce, k) == 0 && out[k] == ' ') {
			char *v = xstrndup(out + k + 1, n - k - 1);

			res_line(rq, rs, v);
			free(v);
		}
		out += n + (out[n] == '\n');
	}
	strbuf_rtrim(&rs->out);
}

int
svcctl_run(struct modctx *ctx, const struct svcctl_req *rq,
    struct svcctl_res *rs)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char nonce[17];
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "n=%q; act=%q; x=%q; pidf=%q; proc=%q; pm=%q; "
	    "w=%d; sd=%d; check=%d\n", rq->name, rq->act ? rq->act : "",
	    nonce, rq->pid_file ? rq->pid_file : "", rq->proc ? rq->proc :
	    "", rq->match ? rq->match : "", rq->stop_wait, rq->systemd,
	    ctx->check);
	strbuf_addstr(&cmd, head_script);
	if (rq->prestart_sh != NULL)
		strbuf_addstr(&cmd, rq->prestart_sh);
	strbuf_addstr(&cmd, body_script);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		strbuf_rtrim(&r.err);
		mod_fail(ctx, "cannot control %s: %s", rq->name, r.err.len ?
		    r.err.buf : "the service script failed");
	} else if (ret == 0) {
		res_parse(rq, rs, r.out.buf, nonce);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

void
svcctl_req_init(struct svcctl_req *rq, const struct val *args)
{
	const char *state = arg_str(args, "state");

	memset(rq, 0, sizeof(*rq));
	rq->name = arg_str(args, "name");
	rq->pid_file = arg_str(args, "pid_file");
	rq->stop_wait = (int)arg_int(args, "stop_wait", 30);
	rq->act = svcctl_plan(state, strcmp(state, "stopped") == 0);
}

const char *
svcctl_plan(const char *state, int running)
{
	if (strcmp(state, "restarted") == 0)
		return "restart";
	if (strcmp(state, "started") == 0)
		return running ? NULL : "start";
	return running ? "stop" : NULL;
}

static struct val *
text_or_null(const struct strbuf *sb)
{
	return sb->len ? val_str(sb->buf) : val_null();
}

/* "exit 3: Stopping ... already stopped" / "did not return within 30 s" */
static void
own_stop(const struct svcctl_req *rq, const struct svcctl_res *rs,
    struct strbuf *sb)
{
	if (rs->stop_hung)
		strbuf_addf(sb, "did not return within %d s", rq->stop_wait);
	else
		strbuf_addf(sb, "exit %d", rs->stop_rc);
	if (rs->out.len)
		strbuf_addf(sb, ": %s", rs->out.buf);
}

int
svcctl_judge(struct modctx *ctx, const struct svcctl_req *rq,
    const struct svcctl_res *rs, const char *act)
{
	mod_set(ctx, "name", val_str(rq->name));
	mod_set(ctx, "init", val_str(rs->kind));
	mod_set(ctx, "was_running", val_bool(rs->was_running));
	mod_set(ctx, "action", act ? val_str(act) : val_null());
	mod_set(ctx, "tracked", text_or_null(&rs->tracked));
	mod_set(ctx, "terminated", text_or_null(&rs->termed));
	mod_set(ctx, "started_at", val_int(rs->started_at));
	if (rs->out.len)
		mod_set(ctx, "stop_output", val_str(rs->out.buf));
	if (act == NULL) {
		mod_msg(ctx, "%s is %s", rq->name, rs->was_running ?
		    "running" : "stopped");
		return 0;
	}
	if (ctx->check) {
		mod_msg(ctx, "would %s %s", act, rq->name);
		return 0;
	}
	mod_changed(ctx);
	mod_journal_service_via(ctx, rq->name, act, rq->via, rq->prove);
	if (strcmp(act, "start") != 0 && !rs->stopped) {
		struct strbuf own = STRBUF_INIT;

		own_stop(rq, rs, &own);
		mod_fail(ctx, "%s did not stop: its own stop (%s) left %s "
		    "running%s%s%s", rq->name, own.buf, rs->left.len ?
		    rs->left.buf : "the unit active", rs->termed.len ?
		    ", and SIGTERM to " : "", rs->termed.buf, rs->termed.len ?
		    " did not end it in time" : "");
		strbuf_release(&own);
		return 0;
	}
	if (strcmp(act, "stop") != 0 && rs->start_rc != 0)
		return mod_fail(ctx, "cannot start %s (exit %d)", rq->name,
		    rs->start_rc);
	return 1;
}

void
svcctl_note(const struct svcctl_req *rq, const struct svcctl_res *rs,
    struct strbuf *sb)
{
	struct strbuf own = STRBUF_INIT;

	if (rs->termed.len) {
		own_stop(rq, rs, &own);
		strbuf_addf(sb, " (its own stop, %s, left %s running: ended by "
		    "SIGTERM to that PID)", own.buf, rs->termed.buf);
	}
	strbuf_release(&own);
}
