/* test_confirm.c - confirm-or-revert: the job script (quoting, contents),
 * and the real job run through the local transport in a temporary
 * directory with a fake service command: it reverts at the deadline (bytes,
 * mode, created files removed, service restarted), survives the command
 * that started it, is cancelled by a confirmation over a new connection,
 * reverts at once on request, and re-arming retires the old generation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner/core/confirm.h"
#include "runner/core/journal.h"
#include "runner/util/hash.h"

struct fix {
	struct conn *c;
	struct conn_params cp;
	char dir[64];
	char conf[128], created[128], svclog[128];
	struct confirm cf;
	char *svc;
	char sha[65];
};

static const char orig[] = "old contents\nwith 'quotes' and $dollars\n";

static void
put_file(const char *path, const char *data, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(data, f);
	fclose(f);
	chmod(path, mode);
}

static char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct err e = ERR_INIT;

	if (f == NULL)
		return -1;
	f->cp.name = "local";
	f->cp.host = "localhost";
	f->cp.local = 1;
	if (conn_open(&f->c, &f->cp, &e) != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_confirm.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->conf, sizeof(f->conf), "%s/my app.conf", f->dir);
	snprintf(f->created, sizeof(f->created), "%s/new.conf", f->dir);
	snprintf(f->svclog, sizeof(f->svclog), "%s/svc.log", f->dir);
	f->cf.base = strdup(f->dir);
	if (asprintf(&f->svc, "  echo \"restart $1\" >>'%s'", f->svclog) < 0)
		return -1;
	f->cf.svc_cmd = f->svc;
	sha256_hex(orig, strlen(orig), f->sha);
	/* the run changed the file and created another */
	put_file(f->conf, "NEW contents\n", 0644);
	put_file(f->created, "created by the run\n", 0644);
	*state = f;
	return 0;
}

/* Is pid a job of this fixture (its command line names our dir)? */
static int
job_of(const struct fix *f, long pid)
{
	char path[64], buf[1024];
	FILE *fp;
	size_t n, i;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return strstr(buf, f->dir) != NULL;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd = NULL;

	if (f->cf.job_pid > 0 && job_of(f, f->cf.job_pid))
		kill((pid_t)f->cf.job_pid, SIGKILL);
	if (asprintf(&cmd, "rm -rf '%s'", f->dir) > 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	confirm_release(&f->cf);
	free(f->svc);
	conn_close(f->c);
	free(f);
	return 0;
}

static void
files_of(struct fix *f, struct confirm_file fl[2])
{
	memset(fl, 0, 2 * sizeof(*fl));
	fl[0].path = f->conf;
	fl[0].existed = 1;
	fl[0].sha = f->sha;
	fl[0].data = orig;
	fl[0].len = strlen(orig);
	fl[0].mode = "0640";
	fl[0].owner = "root";
	fl[0].group = "root";
	fl[1].path = f->created;
	fl[1].existed = 0;
}

static int
arm(struct fix *f, int timeout, struct strbuf *msg)
{
	struct confirm_file fl[2];
	char *svcs[] = { (char *)"my-svc" };

	files_of(f, fl);
	return confirm_arm(&f->cf, f->c, NULL, "RUN1", timeout, fl, 2, svcs, 1,
	    msg);
}

static int
wait_file(const char *path, int secs)
{
	int i;

	for (i = 0; i < secs * 10; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* Alive and not a zombie (our PID 1 may reap orphans late). */
static int
pid_alive(long pid)
{
	char path[64], buf[512], *p;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (pid <= 0 || (fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* ---- the script ---- */

static void
test_job_script(void **state)
{
	struct confirm cf;
	struct confirm_file fl[3];
	struct strbuf sb = STRBUF_INIT;
	char *svcs[] = { (char *)"nut-client", (char *)"a'b" };

	(void)state;
	memset(&cf, 0, sizeof(cf));
	memset(fl, 0, sizeof(fl));
	cf.dir = (char *)"/run/mend/confirm/R1";
	cf.gen = 3;
	fl[0].path = "/etc/nut/upsmon.conf";
	fl[0].existed = 1;
	fl[0].sha = "abc";
	fl[0].mode = "0640";
	fl[0].owner = "root";
	fl[0].group = "nut";
	fl[1].path = "/etc/it's here";
	fl[1].existed = 1;
	fl[1].sha = "def";
	fl[2].path = "/etc/created";
	confirm_job_script(&cf, &sb, 90, fl, 3, svcs, 2);
	assert_non_null(strstr(sb.buf, "generation 3\n"));
	assert_non_null(strstr(sb.buf, "d='/run/mend/confirm/R1'; g=3; t=90\n"));
	assert_non_null(strstr(sb.buf, "put 'abc' '/etc/nut/upsmon.conf' "
	    "'0640' 'root:nut'\n"));
	assert_non_null(strstr(sb.buf, "put 'def' '/etc/it'\\''s here' '-' "
	    "'-'\n"));
	assert_non_null(strstr(sb.buf, "gone '/etc/created'\n"));
	assert_non_null(strstr(sb.buf, "if svc 'nut-client' </dev/null; then "
	    "log 'restarted nut-client'"));
	assert_non_null(strstr(sb.buf, "if svc 'a'\\''b'"));
	assert_non_null(strstr(sb.buf, "systemctl restart"));
	/* without systemd: stop, wait for the status to say so, start */
	assert_non_null(strstr(sb.buf, "initsys_svc \"$1\" stop\n"));
	assert_true(strstr(sb.buf, "initsys_svc \"$1\" stop\n") <
	    strstr(sb.buf, "initsys_svc \"$1\" start"));
	/* files come back before the services restart */
	assert_true(strstr(sb.buf, "gone '/etc/created'") <
	    strstr(sb.buf, "if svc 'nut-client'"));
	strbuf_release(&sb);
}

/* ---- the job, for real ---- */

static void
test_reverts_at_deadline(void **state)
{
	struct fix *f = *state;
	struct strbuf msg = STRBUF_INIT;
	struct stat st;
	char path[256];
	time_t t0 = time(NULL);

	assert_int_equal(arm(f, 2, &msg), 0);
	assert_string_equal(msg.buf, "");
	/* the command that started it has returned; the job runs on */
	assert_true(time(NULL) - t0 < 3);
	assert_true(pid_alive(f->cf.job_pid));
	assert_int_equal(f->cf.gen, 1);
	snprintf(path, sizeof(path), "%s/RUN1/token.1", f->dir);
	assert_int_equal(access(path, F_OK), 0);
	/* the job is in its own session */
	assert_int_equal(getsid((pid_t)f->cf.job_pid), (pid_t)f->cf.job_pid);
	assert_string_equal(slurp(f->conf), "NEW contents\n");
	snprintf(path, sizeof(path), "%s/RUN1/state.1", f->dir);
	assert_int_equal(wait_file(path, 10), 0);
	assert_string_equal(slurp(path), "reverted\n");
	assert_string_equal(slurp(f->conf), orig);
	assert_int_equal(stat(f->conf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(access(f->created, F_OK), -1);
	assert_string_equal(slurp(f->svclog), "restart my-svc\n");
	/* originals deleted after the revert; the log stays */
	snprintf(path, sizeof(path), "%s/RUN1/obj", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/RUN1/log", f->dir);
	assert_non_null(strstr(slurp(path), "not confirmed: reverting"));
	/* confirming now is too late */
	strbuf_reset(&msg);
	assert_int_equal(confirm_confirm(&f->cf, &f->cp, NULL, &msg), 1);
	assert_non_null(strstr(msg.buf, "confirmed too late: the host "
	    "reverted itself"));
	assert_non_null(strstr(msg.buf, "restored"));
	strbuf_release(&msg);
}

static void
test_confirmed(void **state)
{
	struct fix *f = *state;
	struct strbuf msg = STRBUF_INIT;
	char path[256];
	long pid;

	assert_int_equal(arm(f, 3, &msg), 0);
	pid = f->cf.job_pid;
	assert_true(pid_alive(pid));
	assert_int_equal(confirm_confirm(&f->cf, &f->cp, NULL, &msg), 0);
	assert_string_equal(msg.buf, "");
	assert_int_equal(f->cf.gen, 0);
	snprintf(path, sizeof(path), "%s/RUN1", f->dir);
	assert_int_equal(access(path, F_OK), -1);      /* originals gone */
	sleep(5);
	assert_false(pid_alive(pid));                  /* the job ended */
	assert_string_equal(slurp(f->conf), "NEW contents\n");
	assert_string_equal(slurp(f->created), "created by the run\n");
	assert_null(slurp(f->svclog));
	/* nothing armed: confirming again is a no-op */
	assert_int_equal(confirm_confirm(&f->cf, &f->cp, NULL, &msg), 0);
	strbuf_release(&msg);
}

static void
test_rearm_retires_old(void **state)
{
	struct fix *f = *state;
	struct strbuf msg = STRBUF_INIT;
	char path[256];
	long pid1;

	assert_int_equal(arm(f, 30, &msg), 0);
	pid1 = f->cf.job_pid;
	assert_int_equal(arm(f, 30, &msg), 0);
	assert_string_equal(msg.buf, "");
	assert_int_equal(f->cf.gen, 2);
	assert_true(f->cf.job_pid != pid1);
	assert_int_equal(f->cf.nuploaded, 1);         /* uploaded once */
	snprintf(path, sizeof(path), "%s/RUN1/confirmed.1", f->dir);
	assert_int_equal(access(path, F_OK), 0);
	sleep(2);
	assert_false(pid_alive(pid1));
	assert_true(pid_alive(f->cf.job_pid));
	assert_int_equal(confirm_confirm(&f->cf, &f->cp, NULL, &msg), 0);
	assert_null(slurp(f->svclog));
	strbuf_release(&msg);
}

static void
test_revert_now(void **state)
{
	struct fix *f = *state;
	struct strbuf msg = STRBUF_INIT;
	time_t t0;

	assert_int_equal(arm(f, 300, &msg), 0);
	t0 = time(NULL);
	assert_int_equal(confirm_revert_now(&f->cf, f->c, NULL, 20, &msg), 0);
	assert_string_equal(msg.buf, "");
	assert_true(time(NULL) - t0 < 10);
	assert_string_equal(slurp(f->conf), orig);
	assert_int_equal(access(f->created, F_OK), -1);
	assert_string_equal(slurp(f->svclog), "restart my-svc\n");
	assert_int_equal(f->cf.gen, 0);
	strbuf_release(&msg);
}

/* Metadata not in the journal: the current file's mode and owner stay. */
static void
test_unknown_meta_kept(void **state)
{
	struct fix *f = *state;
	struct strbuf msg = STRBUF_INIT;
	struct confirm_file fl[2];
	struct stat st;
	char *svcs[] = { (char *)"my-svc" };

	files_of(f, fl);
	fl[0].mode = fl[0].owner = fl[0].group = NULL;
	chmod(f->conf, 0604);
	assert_int_equal(confirm_arm(&f->cf, f->c, NULL, "RUN1", 300, fl, 2,
	    svcs, 1, &msg), 0);
	assert_int_equal(confirm_revert_now(&f->cf, f->c, NULL, 20, &msg), 0);
	assert_string_equal(slurp(f->conf), orig);
	assert_int_equal(stat(f->conf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	strbuf_release(&msg);
}

static void
test_revert_failure_reported(void **state)
{
	struct fix *f = *state;
	struct strbuf msg = STRBUF_INIT;
	char *bad = NULL;

	/* the service command fails: state "failed", reported */
	assert_true(asprintf(&bad, "  echo nope >&2; return 1") > 0);
	f->cf.svc_cmd = bad;
	assert_int_equal(arm(f, 300, &msg), 0);
	assert_int_equal(confirm_revert_now(&f->cf, f->c, NULL, 20, &msg), 1);
	assert_non_null(strstr(msg.buf, "revert failed"));
	assert_non_null(strstr(msg.buf, "FAILED to restart my-svc"));
	assert_string_equal(slurp(f->conf), orig);     /* files still back */
	f->cf.svc_cmd = f->svc;
	free(bad);
	strbuf_release(&msg);
}

static void
test_unreachable_confirm(void **state)
{
	struct fix *f = *state;
	struct strbuf msg = STRBUF_INIT;
	struct conn_params bad;

	assert_int_equal(arm(f, 300, &msg), 0);
	memset(&bad, 0, sizeof(bad));
	bad.name = "gone";
	bad.host = "127.0.0.1";
	bad.port = 1;
	bad.connect_timeout = 1;
	bad.policy = HK_OFF;
	assert_true(confirm_confirm(&f->cf, &bad, NULL, &msg) < 0);
	assert_non_null(strstr(msg.buf, "no new connection to confirm"));
	assert_int_equal(f->cf.gen, 1);               /* still armed */
	assert_true(pid_alive(f->cf.job_pid));
	strbuf_release(&msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_script),
		cmocka_unit_test_setup_teardown(test_reverts_at_deadline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_confirmed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rearm_retires_old, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_revert_now, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_meta_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_revert_failure_reported,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_confirm, setup,
		    teardown),
	};

	if (transport_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
