/* test_hostlock.c - the per-host run lock: parsing the lock script's
 * answer, the stale rule, the messages, and the real scripts run through
 * the local transport on a lock directory in a temporary dir (take, refuse,
 * break a dead run's lock, refuse to break another controller's old lock,
 * release only our own). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner/core/hostlock.h"

static int alive_answer;

static int
fake_alive(long pid)
{
	(void)pid;
	return alive_answer;
}

static void
owner(struct hostlock_owner *ow, const char *run, const char *ctl, long pid,
    long long since, long long now)
{
	memset(ow, 0, sizeof(*ow));
	snprintf(ow->state, sizeof(ow->state), "held");
	snprintf(ow->path, sizeof(ow->path), "/run/lock/mend");
	snprintf(ow->run, sizeof(ow->run), "%s", run);
	snprintf(ow->controller, sizeof(ow->controller), "%s", ctl);
	ow->pid = pid;
	ow->since = since;
	ow->now = now;
}

static void
test_parse(void **state)
{
	struct hostlock_owner ow;

	(void)state;
	hostlock_parse("path=/run/lock/mend\nnow=1000\nlock=held\nmtime=990\n"
	    "owner.run=20261122T120000Z-abcdef\nowner.controller=ctl1\n"
	    "owner.pid=4242\nowner.since=995\njunk\n=x\n", &ow);
	assert_string_equal(ow.state, "held");
	assert_string_equal(ow.path, "/run/lock/mend");
	assert_string_equal(ow.run, "20261122T120000Z-abcdef");
	assert_string_equal(ow.controller, "ctl1");
	assert_int_equal(ow.pid, 4242);
	assert_int_equal(ow.since, 995);
	assert_int_equal(ow.now, 1000);
	assert_int_equal(ow.mtime, 990);
	hostlock_parse("path=/x\nlock=taken", &ow);   /* no final newline */
	assert_string_equal(ow.state, "taken");
	assert_int_equal(ow.pid, -1);
	assert_int_equal(ow.since, -1);
	hostlock_parse("error=cannot create /x/y: No such file or directory\n",
	    &ow);
	assert_string_equal(ow.state, "");
	assert_string_equal(ow.error,
	    "cannot create /x/y: No such file or directory");
	/* over-long values are cut, never overflow */
	{
		char big[2000];

		memset(big, 'a', sizeof(big));
		memcpy(big, "owner.run=", 10);
		big[sizeof(big) - 1] = '\0';
		hostlock_parse(big, &ow);
		assert_int_equal(strlen(ow.run), sizeof(ow.run) - 1);
	}
}

static void
test_judge(void **state)
{
	struct hostlock_owner ow;

	(void)state;
	owner(&ow, "R1", "ctl", 999999, 1000, 1100);
	alive_answer = 1;
	assert_int_equal(hostlock_judge(&ow, "R2", "ctl", fake_alive),
	    HL_HELD);
	assert_int_equal(hostlock_judge(&ow, "R1", "ctl", fake_alive),
	    HL_OURS);
	alive_answer = 0;
	assert_int_equal(hostlock_judge(&ow, "R2", "ctl", fake_alive),
	    HL_STALE_DEAD);
	/* another controller: its pid means nothing here */
	assert_int_equal(hostlock_judge(&ow, "R2", "other", fake_alive),
	    HL_HELD);
	ow.now = ow.since + HOSTLOCK_MAX_AGE;
	assert_int_equal(hostlock_judge(&ow, "R2", "other", fake_alive),
	    HL_HELD);
	ow.now = ow.since + HOSTLOCK_MAX_AGE + 1;
	assert_int_equal(hostlock_judge(&ow, "R2", "other", fake_alive),
	    HL_STALE_OLD);
	/* our own process, an earlier run (pid reused by us) */
	alive_answer = 1;
	owner(&ow, "R1", "ctl", (long)getpid(), 1000, 1100);
	assert_int_equal(hostlock_judge(&ow, "R2", "ctl", fake_alive),
	    HL_STALE_DEAD);
	/* no owner file: judged by the directory's age only */
	owner(&ow, "", "", -1, -1, 1100);
	ow.mtime = 1090;
	assert_int_equal(hostlock_judge(&ow, "R2", "ctl", fake_alive),
	    HL_HELD);
	ow.mtime = 1100 - HOSTLOCK_MAX_AGE - 1;
	assert_int_equal(hostlock_judge(&ow, "R2", "ctl", fake_alive),
	    HL_STALE_OLD);
	/* pid unknown: never judged dead */
	alive_answer = 0;
	owner(&ow, "R1", "ctl", -1, 1000, 1100);
	assert_int_equal(hostlock_judge(&ow, "R2", "ctl", fake_alive),
	    HL_HELD);
}

static void
test_describe(void **state)
{
	struct hostlock_owner ow;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	setenv("TZ", "UTC", 1);
	owner(&ow, "20261122T120000Z-abcdef", "ctl1", 4242, 1764367200, 0);
	hostlock_describe(&ow, &sb);
	assert_string_equal(sb.buf, "locked by run 20261122T120000Z-abcdef "
	    "(controller ctl1, pid 4242, since Fri 2025-11-28 22:00 UTC)");
	strbuf_reset(&sb);
	owner(&ow, "", "", -1, -1, 0);
	ow.mtime = 1764367200;
	hostlock_describe(&ow, &sb);
	assert_string_equal(sb.buf, "locked: /run/lock/mend exists without an "
	    "owner file (created Fri 2025-11-28 22:00 UTC)");
	strbuf_release(&sb);
	unsetenv("TZ");
}

/* ---- the scripts, through the local transport ---- */

struct fix {
	struct conn *c;
	char dir[64];
	char lock[128];
	char ctl[256];
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct conn_params p;
	struct err e = ERR_INIT;

	memset(&p, 0, sizeof(p));
	p.name = "local";
	p.host = "localhost";
	p.local = 1;
	if (f == NULL || conn_open(&f->c, &p, &e) != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_hostlock.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->lock, sizeof(f->lock), "%s/mend", f->dir);
	gethostname(f->ctl, sizeof(f->ctl));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd = NULL;

	if (asprintf(&cmd, "rm -rf '%s'", f->dir) > 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	conn_close(f->c);
	free(f);
	return 0;
}

static void
write_owner(const struct fix *f, const char *run, const char *ctl, long pid,
    long long since)
{
	char path[256];
	FILE *fp;

	mkdir(f->lock, 0755);
	snprintf(path, sizeof(path), "%s/owner", f->lock);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "run=%s\ncontroller=%s\npid=%ld\nsince=%lld\n", run, ctl,
	    pid, since);
	fclose(fp);
}

static char *
read_owner(const struct fix *f)
{
	static char buf[1024];
	char path[256];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/owner", f->lock);
	fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static long
dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (long)pid;
}

static void
test_take_release(void **state)
{
	struct fix *f = *state;
	struct hostlock hl = { NULL, NULL }, hl2 = { NULL, NULL };
	struct strbuf msg = STRBUF_INIT;
	char want[512];

	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    0);
	assert_string_equal(msg.buf, "");
	assert_string_equal(hl.path, f->lock);
	snprintf(want, sizeof(want), "run=R1\ncontroller=%s\npid=%ld\n",
	    f->ctl, (long)getpid());
	assert_non_null(read_owner(f));
	assert_memory_equal(read_owner(f), want, strlen(want));
	/* taking it again for the same run is fine */
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl2, &msg),
	    0);
	hostlock_clear(&hl2);
	/* release only what is ours */
	write_owner(f, "OTHER", "elsewhere", 1, time(NULL));
	assert_int_equal(hostlock_release(f->c, NULL, &hl), 0);
	assert_null(hl.path);
	assert_non_null(read_owner(f));                 /* still there */
	write_owner(f, "R1", f->ctl, (long)getpid(), time(NULL));
	hl.path = strdup(f->lock);
	hl.run = strdup("R1");
	assert_int_equal(hostlock_release(f->c, NULL, &hl), 0);
	assert_null(read_owner(f));
	assert_int_equal(access(f->lock, F_OK), -1);
	strbuf_release(&msg);
}

static void
test_refused_live(void **state)
{
	struct fix *f = *state;
	struct hostlock hl = { NULL, NULL };
	struct strbuf msg = STRBUF_INIT;

	/* a live holder: pid 1 of another controller, and pid 1 of ours */
	write_owner(f, "R0", "elsewhere", 1, time(NULL) - 60);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    1);
	assert_non_null(strstr(msg.buf, "locked by run R0 (controller "
	    "elsewhere, pid 1, since "));
	assert_null(strstr(msg.buf, "stale"));
	assert_null(hl.path);
	strbuf_reset(&msg);
	write_owner(f, "R0", f->ctl, 1, time(NULL) - 60);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    1);
	assert_non_null(strstr(msg.buf, "locked by run R0"));
	assert_non_null(strstr(read_owner(f), "run=R0\n"));
	strbuf_release(&msg);
}

static void
test_stale_dead_broken(void **state)
{
	struct fix *f = *state;
	struct hostlock hl = { NULL, NULL };
	struct strbuf msg = STRBUF_INIT;
	long dead = dead_pid();

	write_owner(f, "R0", f->ctl, dead, time(NULL) - 60);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    0);
	assert_non_null(strstr(msg.buf, "broke the stale lock"));
	assert_non_null(strstr(msg.buf, "run R0"));
	assert_non_null(strstr(msg.buf, "controller process is gone"));
	assert_non_null(strstr(read_owner(f), "run=R1\n"));
	assert_int_equal(access("/dev/null", F_OK), 0);
	hostlock_clear(&hl);
	strbuf_release(&msg);
}

/* Write LOCK.break as a breaker would have left it (owner NULL: an empty
 * directory, as earlier versions made it). */
static void
rm_rf_break(const char *b)
{
	char o[240];

	snprintf(o, sizeof(o), "%s/owner", b);
	unlink(o);
	assert_int_equal(rmdir(b), 0);
}

static void
write_breaker(const struct fix *f, const char *owner)
{
	char b[200], o[240];
	FILE *fp;

	snprintf(b, sizeof(b), "%s.break", f->lock);
	assert_int_equal(mkdir(b, 0755), 0);
	if (owner == NULL)
		return;
	snprintf(o, sizeof(o), "%s/owner", b);
	fp = fopen(o, "w");
	assert_non_null(fp);
	fputs(owner, fp);
	fclose(fp);
}

/* Breaking is safe to interrupt: the break mutex a SIGKILLed controller
 * left behind does not fail the next run, and "busy" names the breaker
 * (a run that is there), never a guessed "another run". */
static void
test_break_interrupted(void **state)
{
	struct fix *f = *state;
	struct hostlock hl = { NULL, NULL };
	struct strbuf msg = STRBUF_INIT, ow = STRBUF_INIT;
	char b[200];
	long dead = dead_pid();

	snprintf(b, sizeof(b), "%s.break", f->lock);
	/* a dead breaker of this controller: cleared, the lock taken */
	write_owner(f, "R0", f->ctl, dead, time(NULL) - 60);
	strbuf_addf(&ow, "run=R9\ncontroller=%s\npid=%ld\n", f->ctl, dead);
	write_breaker(f, ow.buf);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    0);
	assert_non_null(strstr(msg.buf, "broke the stale lock"));
	assert_non_null(strstr(read_owner(f), "run=R1\n"));
	assert_int_equal(access(b, F_OK), -1);          /* mutex gone */
	hostlock_clear(&hl);
	/* an empty mutex (an older mend killed mid-break): replaced */
	strbuf_reset(&msg);
	write_owner(f, "R0", f->ctl, dead, time(NULL) - 60);
	write_breaker(f, NULL);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    0);
	assert_int_equal(access(b, F_OK), -1);
	hostlock_clear(&hl);
	/* a live breaker (this process): busy, and the message names it */
	strbuf_reset(&msg);
	strbuf_reset(&ow);
	write_owner(f, "R0", f->ctl, dead, time(NULL) - 60);
	strbuf_addf(&ow, "run=R7\ncontroller=%s\npid=%ld\n", f->ctl,
	    (long)getpid());
	write_breaker(f, ow.buf);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    1);
	assert_non_null(strstr(msg.buf, "is being broken right now by run R7"));
	assert_null(strstr(msg.buf, "another run"));
	assert_non_null(strstr(read_owner(f), "run=R0\n"));   /* untouched */
	assert_int_equal(access(b, F_OK), 0);           /* not ours to take */
	rm_rf_break(b);
	strbuf_release(&ow);
	strbuf_release(&msg);
}

static void
test_stale_old_reported(void **state)
{
	struct fix *f = *state;
	struct hostlock hl = { NULL, NULL };
	struct strbuf msg = STRBUF_INIT;

	write_owner(f, "R0", "elsewhere", 77, time(NULL) - HOSTLOCK_MAX_AGE -
	    3600);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", f->lock, &hl, &msg),
	    1);
	assert_non_null(strstr(msg.buf, "locked by run R0"));
	assert_non_null(strstr(msg.buf, "possibly stale: held for 7 h, "
	    "longer than 6 h (not broken: if that run is dead, remove"));
	assert_non_null(strstr(msg.buf, f->lock));
	assert_non_null(strstr(read_owner(f), "run=R0\n"));   /* untouched */
	strbuf_release(&msg);
}

static void
test_cannot_create(void **state)
{
	struct fix *f = *state;
	struct hostlock hl = { NULL, NULL };
	struct strbuf msg = STRBUF_INIT;
	char bad[160];

	snprintf(bad, sizeof(bad), "%s/missing/mend", f->dir);
	assert_int_equal(hostlock_take(f->c, NULL, "R1", bad, &hl, &msg), 1);
	assert_non_null(strstr(msg.buf, "cannot lock the host: cannot "
	    "create"));
	assert_null(hl.path);
	/* releasing a lock never taken is a no-op */
	assert_int_equal(hostlock_release(f->c, NULL, &hl), 0);
	strbuf_release(&msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_describe),
		cmocka_unit_test_setup_teardown(test_take_release, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused_live, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_break_interrupted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale_dead_broken, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale_old_reported, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cannot_create, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
