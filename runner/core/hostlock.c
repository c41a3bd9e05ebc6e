/* hostlock.c - one mend run per host at a time; see hostlock.h. */
#include <errno.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/core/hostlock.h"
#include "runner/transport/sftpc.h"
#include "runner/util/shellcmd.h"
#include "runner/core/window.h"
#include "runner/util/banned.h"

/* The lock directory is made whole beside it ($L.new.PID, with its owner
 * file) and renamed in: $L never exists without an owner file, whenever
 * the controller dies (mkdir $L then writing the owner left an ownerless
 * $L, which no run breaks, after a kill between the two).  mv -T does
 * not replace a non-empty $L; an existing $L is not replaced at all.
 * Returns 1 when $L exists (or the directory cannot be made: $e); prints
 * lock=taken.  Needs L, run, ctl, pid. */
static const char take_fn[] =
	"take() {\n"
	"  T=\"$L.new.$$\"; rm -rf -- \"$T\"\n"
	"  e=$(mkdir -m 0755 -- \"$T\" 2>&1) || return 1\n"
	"  if ! printf 'run=%s\\ncontroller=%s\\npid=%s\\nsince=%s\\n' "
	"\"$run\" \"$ctl\" \"$pid\" \"$(date +%s)\" >\"$T/owner\"; then\n"
	"    rm -rf -- \"$T\"; echo \"error=cannot write $T/owner\"; return 0\n"
	"  fi\n"
	"  if [ ! -e \"$L\" ] && e=$(mv -T -- \"$T\" \"$L\" 2>&1); then\n"
	"    echo lock=taken; return 0\n"
	"  fi\n"
	"  rm -rf -- \"$T\"; return 1\n"
	"}\n";

static const char acquire_script[] =
	"if [ -z \"$L\" ]; then\n"
	"  if [ -d /run/lock ]; then L=/run/lock/mend; "
	"else L=/var/lock/mend; fi\n"
	"fi\n"
	"echo \"path=$L\"\n"
	"echo \"now=$(date +%s)\"\n"
	"take && exit 0\n"
	"if [ ! -d \"$L\" ]; then echo \"error=cannot create $L: $e\"; "
	"exit 0; fi\n"
	"echo lock=held\n"
	"echo \"mtime=$(stat -c %Y -- \"$L\" 2>/dev/null)\"\n"
	"if [ -f \"$L/owner\" ]; then sed 's/^/owner./' \"$L/owner\"; fi\n";

/*
 * Breaking is serialised by the directory $L.break, which never exists
 * without its owner file (made as $L.break.PID, then renamed: rename(2)
 * fails on a non-empty directory).  The script ignores SIGHUP/SIGPIPE, so
 * a controller killed mid-way does not stop it between taking the mutex
 * and removing it.  A mutex left by a breaker whose controller process is
 * gone is removed when the controller names it in $clear (exact owner
 * text); any mutex older than 60 s is removed.  Needs L, run, ctl, pid,
 * want, clear.
 */
static const char break_script[] =
	"trap '' HUP INT TERM PIPE\n"
	"B=\"$L.break\"; T=\"$B.$$\"\n"
	"if [ -n \"$clear\" ] && [ \"$(cat -- \"$B/owner\" 2>/dev/null)\" = "
	"\"$clear\" ]; then rm -rf -- \"$B\"; fi\n"
	"if [ -d \"$B\" ] && [ $(( $(date +%s) - $(stat -c %Y -- \"$B\" "
	"2>/dev/null || date +%s) )) -gt 60 ]; then rm -rf -- \"$B\"; fi\n"
	"if ! { mkdir -- \"$T\" && printf 'run=%s\\ncontroller=%s\\npid=%s\\n' "
	"\"$run\" \"$ctl\" \"$pid\" >\"$T/owner\"; }; then\n"
	"  rm -rf -- \"$T\"; echo \"error=cannot create $T\"; exit 0\n"
	"fi\n"
	"if ! mv -T -- \"$T\" \"$B\" 2>/dev/null; then\n"
	"  rm -rf -- \"$T\"; echo lock=busy\n"
	"  sed 's/^/breaker./' \"$B/owner\" 2>/dev/null\n"
	"  exit 0\n"
	"fi\n"
	"if [ \"$(cat -- \"$L/owner\" 2>/dev/null)\" = \"$want\" ]; then\n"
	"  rm -rf -- \"$L\"\n"
	"  take || echo lock=changed\n"
	"else\n"
	"  echo lock=changed\n"
	"fi\n"
	"[ -f \"$L/owner\" ] && sed 's/^/owner./' \"$L/owner\"\n"
	"rm -rf -- \"$B\"\n";

/* Released by one rename ($L.old.PID is removed after): a controller
 * killed mid-way never leaves $L without its owner file. */
static const char release_script[] =
	"if [ \"$(sed -n 's/^run=//p' \"$L/owner\" 2>/dev/null)\" = "
	"\"$run\" ]; then\n"
	"  R=\"$L.old.$$\"; rm -rf -- \"$R\"\n"
	"  mv -T -- \"$L\" \"$R\" || exit 1\n"
	"  rm -rf -- \"$R\"; echo lock=released\n"
	"else\n"
	"  echo lock=notours\n"
	"fi\n";

/* ---- parsing and judging ---- */

static void
copy_field(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void
parse_line(const char *p, size_t len, struct hostlock_owner *ow)
{
	const char *eq = memchr(p, '=', len);
	size_t k, vlen;
	char num[32];

	if (eq == NULL)
		return;
	k = (size_t)(eq - p);
	vlen = len - k - 1;
	copy_field(num, sizeof(num), eq + 1, vlen);
#define KEY(s) (k == strlen(s) && memcmp(p, s, k) == 0)
	if (KEY("lock"))
		copy_field(ow->state, sizeof(ow->state), eq + 1, vlen);
	else if (KEY("path"))
		copy_field(ow->path, sizeof(ow->path), eq + 1, vlen);
	else if (KEY("error"))
		copy_field(ow->error, sizeof(ow->error), eq + 1, vlen);
	else if (KEY("now"))
		ow->now = strtoll(num, NULL, 10);
	else if (KEY("mtime"))
		ow->mtime = strtoll(num, NULL, 10);
	else if (KEY("owner.run"))
		copy_field(ow->run, sizeof(ow->run), eq + 1, vlen);
	else if (KEY("owner.controller"))
		copy_field(ow->controller, sizeof(ow->controller), eq + 1, vlen);
	else if (KEY("owner.pid"))
		ow->pid = strtol(num, NULL, 10);
	else if (KEY("owner.since"))
		ow->since = strtoll(num, NULL, 10);
	else if (KEY("breaker.run"))
		copy_field(ow->breaker_run, sizeof(ow->breaker_run), eq + 1,
		    vlen);
	else if (KEY("breaker.controller"))
		copy_field(ow->breaker_ctl, sizeof(ow->breaker_ctl), eq + 1,
		    vlen);
	else if (KEY("breaker.pid"))
		ow->breaker_pid = strtol(num, NULL, 10);
#undef KEY
}

void
hostlock_parse(const char *out, struct hostlock_owner *ow)
{
	const char *p = out, *nl;

	memset(ow, 0, sizeof(*ow));
	ow->pid = -1;
	ow->since = -1;
	for (; *p != '\0'; p = nl + (*nl != '\0')) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		parse_line(p, (size_t)(nl - p), ow);
	}
}

enum hostlock_verdict
hostlock_judge(const struct hostlock_owner *ow, const char *run_id,
    const char *controller, int (*alive)(long pid))
{
	long long age;

	if (ow->since < 0) {
		age = ow->now - ow->mtime;
		return age > HOSTLOCK_MAX_AGE ? HL_STALE_OLD : HL_HELD;
	}
	if (strcmp(ow->run, run_id) == 0)
		return HL_OURS;
	if (strcmp(ow->controller, controller) == 0 && ow->pid > 0 &&
	    (ow->pid == (long)getpid() || !alive(ow->pid)))
		return HL_STALE_DEAD;
	age = ow->now - ow->since;
	return age > HOSTLOCK_MAX_AGE ? HL_STALE_OLD : HL_HELD;
}

static void
add_age(struct strbuf *sb, long long secs)
{
	if (secs >= 2 * 3600)
		strbuf_addf(sb, "%lld h", secs / 3600);
	else if (secs >= 120)
		strbuf_addf(sb, "%lld min", secs / 60);
	else
		strbuf_addf(sb, "%lld s", secs < 0 ? 0 : secs);
}

void
hostlock_describe(const struct hostlock_owner *ow, struct strbuf *sb)
{
	char when[64];

	if (ow->since < 0) {
		time_format((time_t)ow->mtime, NULL, when, sizeof(when));
		strbuf_addf(sb, "locked: %s exists without an owner file "
		    "(created %s)", ow->path, when);
		return;
	}
	time_format((time_t)ow->since, NULL, when, sizeof(when));
	strbuf_addf(sb, "locked by run %s (controller %s, pid %ld, since %s)",
	    ow->run, ow->controller, ow->pid, when);
}

/* ---- running the scripts ---- */

static int
pid_alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static void
controller_name(char *buf, size_t len)
{
	char *p;

	if (gethostname(buf, len) != 0)
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
	for (p = buf; *p; p++)
		if (*p == '\n' || *p == '=')
			*p = '_';
}

static int
run_script(struct conn *c, const struct exec_opts *o, const char *script,
    struct hostlock_owner *ow, struct strbuf *msg)
{
	struct exec_res r;
	struct err e = ERR_INIT;
	int ret;

	exec_res_init(&r);
	ret = conn_exec(c, script, o, &r, &e);
	if (ret != 0) {
		strbuf_rtrim(&e.msg);
		strbuf_addstr(msg, err_text(&e, "lost"));
	} else if (r.rc != 0) {
		strbuf_rtrim(&r.err);
		strbuf_addf(msg, "lock script failed (exit %d): %s", r.rc,
		    r.err.buf);
		ret = 1;
	} else {
		hostlock_parse(r.out.buf, ow);
	}
	exec_res_release(&r);
	err_release(&e);
	return ret;
}

static void
owner_text(const struct hostlock_owner *ow, struct strbuf *sb)
{
	strbuf_addf(sb, "run=%s\ncontroller=%s\npid=%ld\nsince=%lld",
	    ow->run, ow->controller, ow->pid, ow->since);
}

static int
break_once(struct conn *c, const struct exec_opts *o, const char *run_id,
    const char *ctl, const struct hostlock_owner *ow, const char *clear,
    struct hostlock_owner *got, struct strbuf *msg)
{
	struct strbuf cmd = STRBUF_INIT, want = STRBUF_INIT;
	int ret;

	owner_text(ow, &want);
	shellcmd_build(&cmd, "L=%q; run=%q; ctl=%q; pid=%d; want=%q; "
	    "clear=%q\n", ow->path, run_id, ctl, (int)getpid(), want.buf,
	    clear);
	strbuf_addstr(&cmd, take_fn);
	strbuf_addstr(&cmd, break_script);
	ret = run_script(c, o, cmd.buf, got, msg);
	strbuf_release(&cmd);
	strbuf_release(&want);
	return ret;
}

/* Why breaking did not take the lock: who breaks it, or who holds it now
 * (only runs the host names: never a guess). */
static void
not_taken(const struct hostlock_owner *ow, const struct hostlock_owner *got,
    struct strbuf *msg)
{
	struct strbuf now = STRBUF_INIT;

	if (got->error[0] != '\0') {
		strbuf_addstr(msg, got->error);
	} else if (strcmp(got->state, "busy") == 0) {
		strbuf_addf(msg, "the stale lock %s of run %s is being broken "
		    "right now by run %s (controller %s, pid %ld)", ow->path,
		    ow->run, got->breaker_run[0] ? got->breaker_run : "?",
		    got->breaker_ctl[0] ? got->breaker_ctl : "?",
		    got->breaker_pid);
	} else if (got->since >= 0) {
		hostlock_describe(got, &now);
		strbuf_addf(msg, "the stale lock %s of run %s changed while "
		    "breaking it: %s", ow->path, ow->run, now.buf);
	} else {
		strbuf_addf(msg, "the stale lock %s of run %s changed while "
		    "breaking it (%s)", ow->path, ow->run, got->state[0] ?
		    got->state : "no answer");
	}
	strbuf_release(&now);
}

/* Break a stale lock of a dead run of ours and take it; a break mutex
 * left by a dead breaker of ours is cleared first.  Returns 0 (taken), 1
 * (not taken: msg says why) or TERR_*. */
static int
break_stale(struct conn *c, const struct exec_opts *o, const char *run_id,
    const char *ctl, const struct hostlock_owner *ow, struct strbuf *msg)
{
	struct hostlock_owner got;
	int ret = break_once(c, o, run_id, ctl, ow, "", &got, msg);

	if (ret == 0 && strcmp(got.state, "busy") == 0 &&
	    strcmp(got.breaker_ctl, ctl) == 0 && got.breaker_pid > 0 &&
	    !pid_alive(got.breaker_pid)) {
		struct strbuf clear = STRBUF_INIT;

		strbuf_addf(&clear, "run=%s\ncontroller=%s\npid=%ld",
		    got.breaker_run, got.breaker_ctl, got.breaker_pid);
		ret = break_once(c, o, run_id, ctl, ow, clear.buf, &got, msg);
		strbuf_release(&clear);
	}
	if (ret == 0 && strcmp(got.state, "taken") != 0) {
		not_taken(ow, &got, msg);
		ret = 1;
	}
	return ret;
}

static void
stale_old_hint(const struct hostlock_owner *ow, struct strbuf *msg)
{
	strbuf_addstr(msg, "; possibly stale: held for ");
	add_age(msg, ow->now - (ow->since >= 0 ? ow->since : ow->mtime));
	strbuf_addstr(msg, ", longer than ");
	add_age(msg, HOSTLOCK_MAX_AGE);
	strbuf_addf(msg, " (not broken: if that run is dead, remove %s on the "
	    "host)", ow->path);
}

/* The lock is held: decide.  Returns 0 (now ours), 1 or TERR_*. */
static int
judge_held(struct conn *c, const struct exec_opts *o, const char *run_id,
    const char *ctl, const struct hostlock_owner *ow, struct strbuf *msg)
{
	struct strbuf old = STRBUF_INIT;
	int ret = 1;

	hostlock_describe(ow, &old);
	switch (hostlock_judge(ow, run_id, ctl, pid_alive)) {
	case HL_OURS:
		ret = 0;
		break;
	case HL_STALE_DEAD:
		ret = break_stale(c, o, run_id, ctl, ow, msg);
		if (ret == 0)
			strbuf_addf(msg, "broke the stale lock %s: %s, whose "
			    "controller process is gone", ow->path,
			    old.buf + strlen("locked by "));
		break;
	case HL_STALE_OLD:
		strbuf_addbuf(msg, &old);
		stale_old_hint(ow, msg);
		break;
	case HL_HELD:
		strbuf_addbuf(msg, &old);
		break;
	}
	strbuf_release(&old);
	return ret;
}

/*
 * The SFTP fast path: the usual case (the lock is free; our own release)
 * done with the host's sftp-server, starting no program: the lock made
 * whole as L.new.PID.N (mkdir(2), its owner file) and renamed to L when L
 * does not exist (rename(2) never replaces a non-empty directory), `since`
 * from the new directory's mtime (the host's clock); released by renaming
 * L away first.  Either way L never exists without its owner file, even
 * if the controller is killed between two requests.  Anything else (held,
 * cannot create, no SFTP) returns 1 and the scripts above decide, from
 * scratch, with their messages.
 */

/* Tests only: MEND_TEST_CRASH=mid:lock-take or mid:lock-release kills
 * the controller with SIGKILL after the first request that changes the
 * host's lock directory (t31). */
static void
test_crash_mid(const char *what)
{
	const char *spec = getenv("MEND_TEST_CRASH");

	if (spec != NULL && strncmp(spec, "mid:", 4) == 0 &&
	    strcmp(spec + 4, what) == 0)
		raise(SIGKILL);
}

/* A private name beside the lock: L.KIND.PID.N */
static char *
side_name(const char *L, const char *kind)
{
	static atomic_uint n;

	return xasprintf("%s.%s.%ld.%u", L, kind, (long)getpid(),
	    atomic_fetch_add(&n, 1));
}
static int
write_small(struct sftpc *sf, const char *path, const char *text,
    struct err *e)
{
	struct strbuf h = STRBUF_INIT;
	struct sf_attr a;
	int rc, rc2;

	memset(&a, 0, sizeof(a));
	a.flags = SF_A_PERM;
	a.perm = 0644;
	rc = sf_open(sf, path, SF_WRITE | SF_CREAT | SF_TRUNC, &a, &h, e);
	if (rc == 0) {
		rc = sf_write_all(sf, &h, text, strlen(text), e);
		rc2 = sf_close(sf, &h, e);
		if (rc == 0)
			rc = rc2;
	}
	strbuf_release(&h);
	return rc;
}

static int
take_sftp(struct conn *c, const struct exec_opts *o, const char *run_id,
    const char *ctl, const char *dir, struct hostlock_owner *ow)
{
	struct err e = ERR_INIT;
	struct sftpc *sf;
	struct sf_attr a;
	char *L, *T, *own, *text;
	int rc;

	if (conn_sftp(c, o, &sf, &e) != 0) {
		err_release(&e);
		return 1;
	}
	if (dir != NULL && *dir != '\0')
		L = xstrdup(dir);
	else if (sf_stat(sf, "/run/lock", 1, &a, &e) == 0 && S_ISDIR(a.perm))
		L = xstrdup("/run/lock/mend");
	else
		L = xstrdup("/var/lock/mend");
	T = side_name(L, "new");
	own = xasprintf("%s/owner", T);
	text = NULL;
	if ((rc = sf_mkdir(sf, T, 0755, &e)) == 0) {
		test_crash_mid("lock-take");
		rc = sf_stat(sf, T, 0, &a, &e);
		if (rc == 0 && !(a.flags & SF_A_TIME))
			rc = SF_FAILURE;
		if (rc == 0) {
			text = xasprintf("run=%s\ncontroller=%s\npid=%d\n"
			    "since=%u\n", run_id, ctl, (int)getpid(), a.mtime);
			rc = write_small(sf, own, text, &e);
		}
		if (rc == 0) {      /* L exists: held (or broken): the scripts */
			rc = sf_stat(sf, L, 0, &a, &e);
			rc = rc == 0 ? SF_FAILURE : rc < 0 ? rc : 0;
		}
		if (rc == 0)
			rc = sf_rename(sf, T, L, &e);
		if (rc > 0) {       /* undo; the scripts will say what is wrong */
			sf_remove(sf, own, &e);
			sf_rmdir(sf, T, &e);
		}
	}
	if (rc == 0) {
		memset(ow, 0, sizeof(*ow));
		snprintf(ow->state, sizeof(ow->state), "taken");
		snprintf(ow->path, sizeof(ow->path), "%s", L);
	}
	if (rc < 0)
		conn_sftp_broken(c, sf);
	err_release(&e);
	free(text);
	free(L);
	free(T);
	free(own);
	return rc == 0 ? 0 : 1;
}

/* The renamed-away lock R: its files, then R.  Only a broken connection
 * is an error: the lock is released already. */
static int
remove_released(struct sftpc *sf, const char *R, struct err *e)
{
	char *own = xasprintf("%s/owner", R), *tmp = xasprintf("%s/owner.tmp",
	    R);
	int rc;

	test_crash_mid("lock-release");
	rc = sf_remove(sf, own, e);
	if (rc >= 0)
		rc = sf_rmdir(sf, R, e);
	if (rc > 0 && sf_remove(sf, tmp, e) >= 0)   /* a taker's leftover */
		rc = sf_rmdir(sf, R, e);
	free(own);
	free(tmp);
	return rc < 0 ? rc : 0;
}

/* Release through SFTP: 0 released (or not ours: left alone), 1 = use the
 * script. */
static int
release_sftp(struct conn *c, const struct exec_opts *o,
    const struct hostlock *hl)
{
	struct err e = ERR_INIT;
	struct strbuf text = STRBUF_INIT;
	struct hostlock_owner ow;
	struct sftpc *sf;
	char *own, *R = NULL;
	int rc;

	if (conn_sftp(c, o, &sf, &e) != 0) {
		err_release(&e);
		return 1;
	}
	own = xasprintf("%s/owner", hl->path);
	rc = sf_read_file(sf, own, 0, 4096, &text, &e);
	if (rc == 0) {
		/* the file's lines, as the acquire script shows them */
		struct strbuf shown = STRBUF_INIT;
		const char *p, *nl;

		for (p = text.buf; *p != '\0'; p = nl + (*nl != '\0')) {
			nl = strchrnul(p, '\n');
			strbuf_addstr(&shown, "owner.");
			strbuf_add(&shown, p, (size_t)(nl - p) + (*nl != '\0'));
		}
		hostlock_parse(shown.buf, &ow);
		strbuf_release(&shown);
		if (strcmp(ow.run, hl->run) == 0) {
			R = side_name(hl->path, "old");
			rc = sf_rename(sf, hl->path, R, &e);   /* released */
			if (rc == 0)
				rc = remove_released(sf, R, &e);
		}
	}
	if (rc < 0)
		conn_sftp_broken(c, sf);
	err_release(&e);
	strbuf_release(&text);
	free(own);
	free(R);
	return rc == 0 ? 0 : 1;
}

int
hostlock_take(struct conn *c, const struct exec_opts *o,
    const char *run_id, const char *dir, struct hostlock *hl,
    struct strbuf *msg)
{
	struct strbuf cmd = STRBUF_INIT;
	struct hostlock_owner ow;
	char ctl[256];
	int ret;

	controller_name(ctl, sizeof(ctl));
	if (take_sftp(c, o, run_id, ctl, dir, &ow) == 0) {
		hl->path = xstrdup(ow.path);
		hl->run = xstrdup(run_id);
		return 0;
	}
	shellcmd_build(&cmd, "L=%q; run=%q; ctl=%q; pid=%d\n", dir ? dir : "",
	    run_id, ctl, (int)getpid());
	strbuf_addstr(&cmd, take_fn);
	strbuf_addstr(&cmd, acquire_script);
	ret = run_script(c, o, cmd.buf, &ow, msg);
	if (ret == 0 && ow.error[0] != '\0') {
		strbuf_addf(msg, "cannot lock the host: %s", ow.error);
		ret = 1;
	} else if (ret == 0 && strcmp(ow.state, "held") == 0) {
		ret = judge_held(c, o, run_id, ctl, &ow, msg);
	} else if (ret == 0 && strcmp(ow.state, "taken") != 0) {
		strbuf_addstr(msg, "cannot lock the host: no answer from the "
		    "lock script");
		ret = 1;
	}
	if (ret == 0) {
		hl->path = xstrdup(ow.path);
		hl->run = xstrdup(run_id);
	}
	strbuf_release(&cmd);
	return ret;
}

int
hostlock_release(struct conn *c, const struct exec_opts *o,
    struct hostlock *hl)
{
	struct strbuf cmd = STRBUF_INIT, msg = STRBUF_INIT;
	struct hostlock_owner ow;
	int ret;

	if (hl->path == NULL)
		return 0;
	if (release_sftp(c, o, hl) == 0) {
		hostlock_clear(hl);
		return 0;
	}
	shellcmd_build(&cmd, "L=%q; run=%q\n", hl->path, hl->run);
	strbuf_addstr(&cmd, release_script);
	ret = run_script(c, o, cmd.buf, &ow, &msg);
	if (ret == 0)
		hostlock_clear(hl);
	strbuf_release(&cmd);
	strbuf_release(&msg);
	return ret;
}

void
hostlock_clear(struct hostlock *hl)
{
	free(hl->path);
	free(hl->run);
	hl->path = hl->run = NULL;
}
