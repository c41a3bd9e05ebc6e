/* confirm.c - confirm-or-revert jobs on the host; see confirm.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/confirm.h"
#include "runner/core/initsys.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define DEFAULT_BASE "/run/mend/confirm"

static const char job_head[] =
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	"export PATH\n"
	"log() { echo \"$(date +%Y-%m-%dT%H:%M:%S%z) [$g] $*\"; }\n"
	"end=$(( $(date +%s) + t ))\n"
	"echo \"$$ $end\" >\"$d/job.$g.tmp\" && "
	"mv -f \"$d/job.$g.tmp\" \"$d/job.$g\"\n"
	"log \"armed (pid $$): reverting at $end unless $d/token.$g is "
	"removed\"\n"
	"while [ -e \"$d/token.$g\" ] && [ ! -e \"$d/now.$g\" ] && "
	"[ \"$(date +%s)\" -lt \"$end\" ]; do sleep 1; done\n"
	"if ! mv \"$d/token.$g\" \"$d/reverting.$g\" 2>/dev/null; then\n"
	"  log confirmed; rm -f \"$d/job.$g\"; exit 0\n"
	"fi\n"
	"log 'not confirmed: reverting'\n"
	"ok=1\n"
	"put() {\n"
	"  tmp=$(dirname -- \"$2\")/.mend-revert.$$\n"
	"  m=$3; o=$4\n"                  /* unknown: keep the current ones */
	"  [ \"$m\" != - ] || m=$(stat -c %a -- \"$2\" 2>/dev/null) || m=-\n"
	"  [ \"$o\" != - ] || o=$(stat -c %u:%g -- \"$2\" 2>/dev/null) || o=-\n"
	"  if cp -- \"$d/obj/$1\" \"$tmp\" &&\n"
	"     { [ \"$m\" = - ] || chmod \"$m\" \"$tmp\"; } &&\n"
	"     { [ \"$o\" = - ] || chown \"$o\" \"$tmp\"; } &&\n"
	"     mv -f -- \"$tmp\" \"$2\"; then log \"restored $2\"\n"
	"  else rm -f -- \"$tmp\"; ok=0; log \"FAILED to restore $2\"; fi\n"
	"}\n"
	"gone() {\n"
	"  if rm -f -- \"$1\"; then log \"removed $1\"; "
	"else ok=0; log \"FAILED to remove $1\"; fi\n"
	"}\n";

/* restart $1; without systemd: stop, wait until stopped, start (init
 * scripts such as Debian's nut-client do not wait in their restart) */
static const char default_svc[] =
	"  if [ $kind = systemd ]; then systemctl restart -- \"$1\"; return; fi\n"
	"  initsys_svc \"$1\" stop\n"
	"  i=0; while initsys_svc \"$1\" status >/dev/null 2>&1 && "
	"[ $i -lt 50 ]; do sleep 0.2 2>/dev/null || sleep 1; i=$((i + 1)); "
	"done\n"
	"  initsys_svc \"$1\" start || return 1\n"
	"  i=0; until initsys_svc \"$1\" status >/dev/null 2>&1 || "
	"[ $i -ge 50 ]; do sleep 0.2 2>/dev/null || sleep 1; i=$((i + 1)); "
	"done\n"
	"  initsys_svc \"$1\" status >/dev/null 2>&1\n";

static const char job_tail[] =
	"if [ $ok = 1 ]; then st=reverted; else st=failed; fi\n"
	"rm -rf -- \"$d/obj\" \"$d/job.$g\"\n"
	"log \"done: $st\"\n"
	"echo $st >\"$d/state.$g.tmp\" && mv -f \"$d/state.$g.tmp\" "
	"\"$d/state.$g\"\n";

/* Under systemd the job runs as a transient service (systemd-run): not in
 * the SSH session's scope or sshd's cgroup, so neither the end of the
 * session, logind (KillUserProcesses=yes) nor a restart of ssh.service can
 * take it down, and `systemctl status mend-confirm-...` shows it.  Without
 * systemd (or when systemd-run refuses): setsid nohup, as before. */
static const char arm_script[] =
	"umask 077\n"
	"sd=0\n"
	"if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null "
	"2>&1; then sd=1\n"
	"elif ! command -v setsid >/dev/null 2>&1; then "
	"echo 'arm=no setsid(1) on the host'; exit 0; fi\n"
	"mkdir -p -- \"$d/obj\" || { echo \"arm=cannot create $d\"; exit 0; }\n"
	"cat >\"$d/job.$g.sh\" || { echo 'arm=cannot write the job'; exit 0; }\n"
	": >\"$d/token.$g\"\n"
	"u=mend-confirm-$$-$g\n"
	"if [ $sd = 1 ] && systemd-run --quiet --collect --unit=\"$u\" "
	"-p StandardOutput=\"append:$d/log\" -p StandardError=\"append:$d/log\" "
	"-- sh \"$d/job.$g.sh\" </dev/null >/dev/null 2>&1; then\n"
	"  echo \"unit=$u.service\"\n"
	"elif command -v setsid >/dev/null 2>&1; then\n"
	"  setsid nohup sh \"$d/job.$g.sh\" </dev/null >>\"$d/log\" 2>&1 &\n"
	"else echo 'arm=systemd-run failed and there is no setsid(1)'; exit 0; fi\n"
	"i=0\n"
	"while [ ! -s \"$d/job.$g\" ] && [ $i -lt 100 ]; do "
	"sleep 0.1 2>/dev/null || sleep 1; i=$((i + 1)); done\n"
	"if [ ! -s \"$d/job.$g\" ]; then echo 'arm=the job did not start'; "
	"exit 0; fi\n"
	"echo \"job=$(cat \"$d/job.$g\")\"\n"
	"if [ \"$old\" != 0 ]; then\n"
	"  if mv \"$d/token.$old\" \"$d/confirmed.$old\" 2>/dev/null; then "
	"echo retired=ok; else echo retired=late; fi\n"
	"fi\n"
	"echo arm=ok\n";

static const char confirm_script[] =
	"if mv \"$d/token.$g\" \"$d/confirmed.$g\" 2>/dev/null; then\n"
	"  rm -rf -- \"$d\"; echo confirm=ok\n"
	"else\n"
	"  echo confirm=late\n"
	"  echo \"state=$(cat \"$d/state.$g\" 2>/dev/null || echo reverting)\"\n"
	"  tail -n 20 \"$d/log\" 2>/dev/null | sed 's/^/log=/'\n"
	"fi\n";

static const char now_script[] =
	"[ -e \"$d/token.$g\" ] && : >\"$d/now.$g\"\n"
	"i=0\n"
	"while [ ! -s \"$d/state.$g\" ] && [ $i -lt \"$w\" ]; do sleep 1; "
	"i=$((i + 1)); done\n"
	"echo \"state=$(cat \"$d/state.$g\" 2>/dev/null || echo pending)\"\n"
	"tail -n 20 \"$d/log\" 2>/dev/null | sed 's/^/log=/'\n";

/* ---- the job script ---- */

static void
add_file_line(struct strbuf *sb, const struct confirm_file *f)
{
	char *own = NULL;

	if (!f->existed) {
		shellcmd_build(sb, "gone %q\n", f->path);
		return;
	}
	if (f->owner != NULL)
		own = f->group ? xasprintf("%s:%s", f->owner, f->group)
		    : xstrdup(f->owner);
	else if (f->group != NULL)
		own = xasprintf(":%s", f->group);
	shellcmd_build(sb, "put %q %q %q %q\n", f->sha, f->path,
	    f->mode ? f->mode : "-", own ? own : "-");
	free(own);
}

void
confirm_job_script(const struct confirm *cf, struct strbuf *sb, int timeout,
    const struct confirm_file *files, size_t nfiles, char *const *services,
    size_t nsvcs)
{
	size_t i;

	strbuf_addf(sb, "# mend confirm-or-revert job, generation %d\n",
	    cf->gen);
	shellcmd_build(sb, "d=%q; g=%d; t=%d\n", cf->dir, cf->gen, timeout);
	strbuf_addstr(sb, job_head);
	strbuf_addstr(sb, INITSYS_KIND_SH INITSYS_SVC_SH "svc() {\n");
	strbuf_addstr(sb, cf->svc_cmd ? cf->svc_cmd : default_svc);
	strbuf_addstr(sb, "\n}\n");
	for (i = 0; i < nfiles; i++)
		add_file_line(sb, &files[i]);
	strbuf_addstr(sb, "sync\n");
	for (i = 0; i < nsvcs; i++) {
		char *ok = xasprintf("restarted %s", services[i]);
		char *bad = xasprintf("FAILED to restart %s", services[i]);

		shellcmd_build(sb, "if svc %q </dev/null; then log %q; else "
		    "ok=0; log %q; fi\n", services[i], ok, bad);
		free(ok);
		free(bad);
	}
	strbuf_addstr(sb, job_tail);
}

/* ---- talking to the host ---- */

/* Value of "key=" lines (the first), or NULL. Malloc'ed. */
static char *
out_value(const char *out, const char *key)
{
	size_t k = strlen(key);
	const char *p = out, *nl;

	for (; *p != '\0'; p = nl + (*nl != '\0')) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) > k && memcmp(p, key, k) == 0 &&
		    p[k] == '=')
			return xstrndup(p + k + 1, (size_t)(nl - p) - k - 1);
	}
	return NULL;
}

/* The log= lines, as "; "-joined text. */
static void
out_log(const char *out, struct strbuf *sb)
{
	const char *p = out, *nl;

	for (; *p != '\0'; p = nl + (*nl != '\0')) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (nl - p > 4 && memcmp(p, "log=", 4) == 0)
			strbuf_addf(sb, "\n    %.*s", (int)(nl - p - 4), p + 4);
	}
}

static int
run(struct conn *c, const struct exec_opts *o, const char *cmd,
    const void *in, size_t inlen, struct exec_res *r, struct strbuf *msg)
{
	struct exec_opts eo;
	struct err e = ERR_INIT;
	int ret;

	if (o != NULL)
		eo = *o;
	else
		memset(&eo, 0, sizeof(eo));
	eo.in = in;
	eo.inlen = inlen;
	if (eo.timeout < 120)
		eo.timeout = 120;
	ret = conn_exec(c, cmd, &eo, r, &e);
	if (ret != 0) {
		strbuf_rtrim(&e.msg);
		strbuf_addstr(msg, err_text(&e, "lost"));
	} else if (r->rc != 0) {
		strbuf_rtrim(&r->err);
		strbuf_addf(msg, "confirm script failed (exit %d): %s", r->rc,
		    r->err.buf);
		ret = 1;
	}
	return ret;
}

/* DIR/obj is gone (confirmed or reverted): upload again next time. */
static void
forget_uploads(struct confirm *cf)
{
	size_t i;

	for (i = 0; i < cf->nuploaded; i++)
		free(cf->uploaded[i]);
	cf->nuploaded = 0;
	cf->gen = 0;
}

static int
uploaded(const struct confirm *cf, const char *sha)
{
	size_t i;

	for (i = 0; i < cf->nuploaded; i++)
		if (strcmp(cf->uploaded[i], sha) == 0)
			return 1;
	return 0;
}

static int
upload(struct confirm *cf, struct conn *c, const struct exec_opts *o,
    const struct confirm_file *f, struct strbuf *msg)
{
	struct exec_res r;
	char *cmd;
	int ret;

	if (!f->existed || uploaded(cf, f->sha))
		return 0;
	cmd = shellcmd("umask 077; d=%q; s=%q\n"
	    "mkdir -p -- \"$d/obj\" && cat >\"$d/obj/$s.tmp\" &&\n"
	    "if command -v sha256sum >/dev/null 2>&1; then\n"
	    "  [ \"$(sha256sum <\"$d/obj/$s.tmp\" | cut -c1-64)\" = \"$s\" ] ||"
	    " { echo 'copy corrupted' >&2; exit 1; }\n"
	    "fi && mv -f \"$d/obj/$s.tmp\" \"$d/obj/$s\"", cf->dir, f->sha);
	exec_res_init(&r);
	ret = run(c, o, cmd, f->data, f->len, &r, msg);
	if (ret == 0) {
		ALLOC_GROW(cf->uploaded, cf->nuploaded + 1, cf->up_alloc);
		cf->uploaded[cf->nuploaded++] = xstrdup(f->sha);
	} else if (ret == 1) {
		strbuf_addf(msg, " (copying the original of %s)", f->path);
	}
	exec_res_release(&r);
	free(cmd);
	return ret;
}

static int
start_job(struct confirm *cf, struct conn *c, const struct exec_opts *o,
    const struct strbuf *job, int old, struct strbuf *msg)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char *arm, *jobv, *retired, *unit;
	int ret;

	shellcmd_build(&cmd, "d=%q; g=%d; old=%d\n", cf->dir, cf->gen, old);
	strbuf_addstr(&cmd, arm_script);
	exec_res_init(&r);
	ret = run(c, o, cmd.buf, job->buf, job->len, &r, msg);
	arm = ret == 0 ? out_value(r.out.buf, "arm") : NULL;
	jobv = ret == 0 ? out_value(r.out.buf, "job") : NULL;
	retired = ret == 0 ? out_value(r.out.buf, "retired") : NULL;
	unit = ret == 0 ? out_value(r.out.buf, "unit") : NULL;
	snprintf(cf->job_unit, sizeof(cf->job_unit), "%s", unit ? unit : "");
	free(unit);
	if (ret == 0 && (arm == NULL || strcmp(arm, "ok") != 0)) {
		strbuf_addf(msg, "cannot arm the revert job: %s",
		    arm ? arm : "no answer");
		ret = 1;
	} else if (ret == 0 && retired && strcmp(retired, "late") == 0) {
		strbuf_addf(msg, "the revert job of generation %d already "
		    "started reverting (confirm_timeout too short?)", old);
		ret = 1;
	}
	if (jobv != NULL && sscanf(jobv, "%ld %lld", &cf->job_pid,
	    &cf->deadline) != 2)
		cf->job_pid = -1;
	free(arm);
	free(jobv);
	free(retired);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

int
confirm_arm(struct confirm *cf, struct conn *c, const struct exec_opts *o,
    const char *run_id, int timeout, const struct confirm_file *files,
    size_t nfiles, char *const *services, size_t nsvcs, struct strbuf *msg)
{
	struct strbuf job = STRBUF_INIT;
	size_t i;
	int ret = 0, old = cf->gen;

	if (cf->dir == NULL)
		cf->dir = xasprintf("%s/%s", cf->base ? cf->base : DEFAULT_BASE,
		    run_id);
	for (i = 0; i < nfiles && ret == 0; i++)
		ret = upload(cf, c, o, &files[i], msg);
	if (ret != 0)
		goto out;
	cf->gen = old + 1;
	confirm_job_script(cf, &job, timeout, files, nfiles, services, nsvcs);
	ret = start_job(cf, c, o, &job, old, msg);
out:
	strbuf_release(&job);
	return ret;
}

int
confirm_confirm(struct confirm *cf, const struct conn_params *cp,
    const struct exec_opts *o, struct strbuf *msg)
{
	struct conn *c2 = NULL;
	struct err e = ERR_INIT;
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char *v, *st;
	int ret;

	if (cf->gen == 0)
		return 0;
	ret = conn_open(&c2, cp, &e);
	if (ret != 0) {
		strbuf_rtrim(&e.msg);
		strbuf_addf(msg, "no new connection to confirm: %s",
		    err_text(&e, "cannot connect"));
		err_release(&e);
		return ret;
	}
	shellcmd_build(&cmd, "d=%q; g=%d\n", cf->dir, cf->gen);
	strbuf_addstr(&cmd, confirm_script);
	exec_res_init(&r);
	ret = run(c2, o, cmd.buf, NULL, 0, &r, msg);
	strbuf_release(&cmd);
	v = ret == 0 ? out_value(r.out.buf, "confirm") : NULL;
	if (ret == 0 && (v == NULL || strcmp(v, "ok") != 0)) {
		st = out_value(r.out.buf, "state");
		strbuf_addf(msg, "confirmed too late: the host %s itself",
		    st && strcmp(st, "reverting") != 0 ? st : "is reverting");
		out_log(r.out.buf, msg);
		free(st);
		ret = 1;
	}
	if (ret >= 0)
		forget_uploads(cf);
	free(v);
	exec_res_release(&r);
	err_release(&e);
	conn_close(c2);
	return ret;
}

int
confirm_revert_now(struct confirm *cf, struct conn *c,
    const struct exec_opts *o, int wait, struct strbuf *msg)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	struct exec_opts eo;
	char *st = NULL;
	int ret;

	if (cf->gen == 0)
		return 0;
	if (o != NULL)
		eo = *o;
	else
		memset(&eo, 0, sizeof(eo));
	eo.timeout = wait + 30;
	shellcmd_build(&cmd, "d=%q; g=%d; w=%d\n", cf->dir, cf->gen, wait);
	strbuf_addstr(&cmd, now_script);
	exec_res_init(&r);
	ret = run(c, &eo, cmd.buf, NULL, 0, &r, msg);
	st = ret == 0 ? out_value(r.out.buf, "state") : NULL;
	if (ret == 0 && (st == NULL || strcmp(st, "reverted") != 0)) {
		strbuf_addf(msg, "revert %s", st && strcmp(st, "pending") == 0 ?
		    "still running" : "failed");
		out_log(r.out.buf, msg);
		ret = 1;
	}
	if (ret == 0 || (st != NULL && strcmp(st, "failed") == 0))
		forget_uploads(cf);
	free(st);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

void
confirm_release(struct confirm *cf)
{
	size_t i;

	for (i = 0; i < cf->nuploaded; i++)
		free(cf->uploaded[i]);
	free(cf->uploaded);
	free(cf->dir);
	free(cf->base);
	memset(cf, 0, sizeof(*cf));
}
