/* test_run.c - the engine API (runner/core/run.h) alone, no argv: check,
 * run and roll back a playbook on two ansible_connection=local hosts in a
 * scratch directory; per-host outcomes, exit classes, the journal (read
 * back with runs.h), rollback by id, by "last" and on failure, and a
 * relative state dir (issue 19). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/core/run.h"
#include "runner/core/runs.h"

static char dir[64];
static char inv_path[128], pb_path[128], bad_path[128];
static FILE *out;

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
read_host_file(const char *host)
{
	char path[160], buf[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s.txt", dir, host);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strdup(buf);
}

static void
assert_host_file(const char *host, const char *want)
{
	char *got = read_host_file(host);

	assert_string_equal(got, want);
	free(got);
}

/* hosts a and b: each its own file and lock directory; on b the second
 * task fails */
static int
setup(void **state)
{
	char text[1024];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_run.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(inv_path, sizeof(inv_path), "%s/inv.ini", dir);
	snprintf(text, sizeof(text), "[local]\n"
	    "a ansible_connection=local mend_lock_dir=%s/lock-a\n"
	    "b ansible_connection=local mend_lock_dir=%s/lock-b\n", dir, dir);
	write_file(inv_path, text);
	snprintf(pb_path, sizeof(pb_path), "%s/pb.yml", dir);
	snprintf(text, sizeof(text), "- hosts: local\n  gather_facts: false\n"
	    "  tasks:\n"
	    "    - lineinfile: {path: \"%s/{{ inventory_hostname }}.txt\", "
	    "line: fixed}\n"
	    "    - command: test {{ inventory_hostname }} != b\n", dir);
	write_file(pb_path, text);
	snprintf(bad_path, sizeof(bad_path), "%s/bad.yml", dir);
	write_file(bad_path, "- hosts: local\n  tasks:\n    - lineinfil: "
	    "{path: /x, line: y}\n");
	out = tmpfile();
	assert_non_null(out);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	fclose(out);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Both hosts' files as the run found them. */
static void
reset_files(void)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/a.txt", dir);
	write_file(path, "a\n");
	snprintf(path, sizeof(path), "%s/b.txt", dir);
	write_file(path, "b\n");
}

static void
request(struct mend_request *req, const char *const *pbs,
    const char *const *invs, const char *state_dir)
{
	memset(req, 0, sizeof(*req));
	req->playbooks = pbs;
	req->nplaybooks = pbs ? 1 : 0;
	req->inventories = invs;
	req->ninventories = 1;
	req->state_dir = state_dir;
	req->opts.forks = 2;
	req->opts.connect_timeout = 10;
	req->opts.out = out;
}

static const struct host_result *
host(const struct mend_result *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->nhosts; i++)
		if (strcmp(res->hosts[i].name, name) == 0)
			return &res->hosts[i];
	fail_msg("host '%s' not in the result", name);
	return NULL;
}

static char *
state_dir(const char *name)
{
	char *s = malloc(160);

	assert_non_null(s);
	snprintf(s, 160, "%s/%s", dir, name);
	return s;
}

/* ------------------------------------------------------------- tests */

static void
test_check(void **state)
{
	const char *invs[] = { inv_path }, *pbs[] = { pb_path },
	    *bad[] = { bad_path };
	struct mend_request req;
	struct mend_result res;
	char want[256];

	(void)state;
	request(&req, pbs, invs, NULL);
	mend_result_init(&res);
	assert_int_equal(mend_check(&req, &res), EXIT_OK);
	assert_int_equal(res.inventory_hosts, 2);
	assert_null(res.run_id);
	mend_result_release(&res);
	/* invalid: nothing runs, the error at file:line:col */
	request(&req, bad, invs, NULL);
	assert_int_equal(mend_run(&req, &res), EXIT_INVALID);
	snprintf(want, sizeof(want), "%s:3:7: error: unknown module "
	    "'lineinfil'", bad_path);
	assert_non_null(strstr(res.errors.msg.buf, want));
	assert_null(res.run_id);
	assert_int_equal(res.nhosts, 0);
	mend_result_release(&res);
	/* an inventory that does not load */
	invs[0] = "/nonexistent/inv.ini";
	request(&req, pbs, invs, NULL);
	assert_int_equal(mend_check(&req, &res), EXIT_INVALID);
	assert_non_null(strstr(res.errors.msg.buf, "/nonexistent/inv.ini"));
	mend_result_release(&res);
}

/* A run: per-host outcomes, exit class, the journal; then its rollback
 * through mend_rollback, by id. */
static void
test_run_and_rollback(void **state)
{
	const char *invs[] = { inv_path }, *pbs[] = { pb_path };
	char *sd = state_dir("state1");
	struct mend_request req;
	struct mend_result res, rb;
	struct run_info *r = NULL;
	struct err e = ERR_INIT;
	char *id, temp[160];

	(void)state;
	reset_files();
	request(&req, pbs, invs, sd);
	mend_result_init(&res);
	assert_int_equal(mend_run(&req, &res), EXIT_HOST_FAILED);
	assert_int_equal(res.nhosts, 2);
	/* (command reports changed, as in Ansible) */
	assert_int_equal(host(&res, "a")->st.changed, 2);
	assert_int_equal(host(&res, "a")->st.failed, 0);
	assert_int_equal(host(&res, "a")->st.ok, 2);
	assert_int_equal(host(&res, "b")->st.changed, 1);
	assert_int_equal(host(&res, "b")->st.failed, 1);
	assert_non_null(res.run_id);
	assert_non_null(res.run_dir);
	assert_true(res.run_dir[0] == '/');
	assert_null(res.rollback_run);
	assert_host_file("a", "a\nfixed\n");
	assert_host_file("b", "b\nfixed\n");
	/* the journal: both writes, done; the run failed */
	assert_int_equal(run_load(sd, res.run_id, &r, &e), 0);
	assert_string_equal(r->status, "failed");
	assert_int_equal(r->nfiles, 2);
	assert_true(r->files[0].done && r->files[1].done);
	assert_non_null(r->files[0].sha_before);
	run_info_free(r);
	/* rollback by id: both files back; a new journaled run.  A temp
	 * file beside them (another host's write in progress in this shared
	 * directory) stays: both writes finished, nothing to sweep */
	snprintf(temp, sizeof(temp), "%s/.mend.AbC123", dir);
	write_file(temp, "in flight\n");
	id = strdup(res.run_id);
	request(&req, NULL, invs, sd);
	mend_result_init(&rb);
	assert_int_equal(mend_rollback(&req, id, &rb), EXIT_OK);
	assert_string_equal(rb.rollback_of, id);
	assert_non_null(rb.run_id);
	assert_string_not_equal(rb.run_id, id);
	assert_int_equal(rb.nhosts, 2);
	assert_int_equal(host(&rb, "a")->st.changed, 1);
	assert_host_file("a", "a\n");
	assert_host_file("b", "b\n");
	assert_int_equal(access(temp, F_OK), 0);
	assert_int_equal(unlink(temp), 0);
	assert_int_equal(run_load(sd, rb.run_id, &r, &e), 0);
	assert_string_equal(r->status, "ok");
	assert_string_equal(val_map_str(r->meta, "rollback_of", ""), id);
	run_info_free(r);
	mend_result_release(&rb);
	mend_result_release(&res);
	err_release(&e);
	free(id);
	free(sd);
}

/* Check mode: no journal, nothing changed, the outcome still counted. */
static void
test_check_mode(void **state)
{
	const char *invs[] = { inv_path }, *pbs[] = { pb_path };
	char *sd = state_dir("state2");
	struct mend_request req;
	struct mend_result res;
	struct stat st;

	(void)state;
	reset_files();
	request(&req, pbs, invs, sd);
	req.opts.check = 1;
	mend_result_init(&res);
	mend_run(&req, &res);
	assert_null(res.run_id);
	assert_int_equal(host(&res, "a")->st.changed, 1);
	assert_host_file("a", "a\n");
	assert_int_not_equal(stat(sd, &st), 0);    /* no state dir made */
	mend_result_release(&res);
	free(sd);
}

/* Issue 19: a relative state dir; rollback_on_failure rolls the failed
 * host back (the restore module needs the journal objects' absolute
 * path); a failed rollback never becomes "last". */
static void
test_relative_state_dir(void **state)
{
	const char *invs[] = { inv_path }, *pbs[] = { pb_path };
	struct mend_request req;
	struct mend_result res, rb;
	char *cwd = getcwd(NULL, 0), path[160], want[256];

	(void)state;
	assert_int_equal(chdir(dir), 0);
	reset_files();
	request(&req, pbs, invs, "rel-state");
	req.opts.rollback_on_failure = ROLLBACK_HOST;
	mend_result_init(&res);
	assert_int_equal(mend_run(&req, &res), EXIT_HOST_FAILED);
	snprintf(want, sizeof(want), "%s/rel-state/runs/", dir);
	assert_true(strncmp(res.run_dir, want, strlen(want)) == 0);
	assert_non_null(res.rollback_run);
	assert_int_equal(res.rollback_exit, EXIT_OK);
	assert_host_file("a", "a\nfixed\n");   /* scope host: only b */
	assert_host_file("b", "b\n");
	/* drift on a: the rollback of the run fails ... */
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	write_file(path, "a\nfixed\nby hand\n");
	request(&req, NULL, invs, "rel-state");
	mend_result_init(&rb);
	assert_int_equal(mend_rollback(&req, "last", &rb), EXIT_HOST_FAILED);
	assert_string_equal(rb.rollback_of, res.run_id);
	mend_result_release(&rb);
	/* ... and is passed over by the next "last"; --force restores */
	req.force = 1;
	assert_int_equal(mend_rollback(&req, "last", &rb), EXIT_OK);
	assert_string_equal(rb.rollback_of, res.run_id);
	assert_host_file("a", "a\n");
	mend_result_release(&rb);
	mend_result_release(&res);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
}

/* --window through the request: outside it nothing runs (no journal, no
 * host touched); an invalid one is refused before anything runs. */
static void
test_window(void **state)
{
	const char *invs[] = { inv_path }, *pbs[] = { pb_path };
	char *sd = state_dir("state-window");
	struct mend_request req;
	struct mend_result res;
	struct mend_clock clock;
	struct err e = ERR_INIT;

	(void)state;
	reset_files();
	assert_int_equal(mend_clock_init(&clock, "2026-11-28T23:00Z", "UTC",
	    &e), 0);
	request(&req, pbs, invs, sd);
	req.opts.clock = &clock;
	req.opts.tz = "UTC";
	req.opts.window = "Wed 10:00-12:00";     /* 2026-11-28 is a Saturday */
	mend_result_init(&res);
	assert_int_equal(mend_run(&req, &res), EXIT_WINDOW);
	assert_null(res.run_id);
	assert_int_equal(res.nhosts, 0);
	assert_host_file("a", "a\n");
	mend_result_release(&res);
	req.opts.window = "Sat 22:00-Sun 4h";
	assert_int_equal(mend_run(&req, &res), EXIT_INVALID);
	assert_non_null(strstr(res.errors.msg.buf, "Sat 22:00-Sun 4h"));
	mend_result_release(&res);
	err_release(&e);
	free(sd);
}

/* A file lineinfile/blockinfile create with an octal mode has that mode
 * before its rename (a controller killed between the rename and a chmod
 * left it 0644: the torture matrix, issue 18): validate sees the temp
 * file's mode.  Under umask 022 a new file would first be 0644. */
static void
test_created_mode(void **state)
{
	const char *invs[] = { inv_path }, *pbs[] = { NULL };
	char *sd = state_dir("state-mode");
	char path[160], text[1024];
	const char *names[] = { "a-li", "a-bi", "b-li", "b-bi" };
	const char *v = "sh -c 'test $(stat -c %a \\\"$1\\\") = 640' sh %s";
	struct mend_request req;
	struct mend_result res;
	struct stat st;
	mode_t old = umask(022);
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/mode.yml", dir);
	snprintf(text, sizeof(text), "- hosts: local\n  gather_facts: false\n"
	    "  tasks:\n"
	    "    - lineinfile: {path: \"%s/{{ inventory_hostname }}-li\", "
	    "line: x, create: true, mode: \"0640\", validate: \"%s\"}\n"
	    "    - blockinfile: {path: \"%s/{{ inventory_hostname }}-bi\", "
	    "block: x, create: true, mode: \"0640\", validate: \"%s\"}\n",
	    dir, v, dir, v);
	write_file(path, text);
	pbs[0] = path;
	request(&req, pbs, invs, sd);
	mend_result_init(&res);
	assert_int_equal(mend_run(&req, &res), EXIT_OK);
	assert_int_equal(host(&res, "a")->st.changed, 2);
	assert_int_equal(host(&res, "b")->st.failed, 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0640);
	}
	mend_result_release(&res);
	umask(old);
	free(sd);
}

/* "last" when no run changed anything: an error, nothing run. */
static void
test_last_nothing(void **state)
{
	const char *invs[] = { inv_path };
	char *sd = state_dir("state-empty");
	struct mend_request req;
	struct mend_result rb;

	(void)state;
	request(&req, NULL, invs, sd);
	mend_result_init(&rb);
	assert_int_equal(mend_rollback(&req, "last", &rb), EXIT_USAGE);
	assert_true(rb.errors.count > 0);
	assert_null(rb.run_id);
	mend_result_release(&rb);
	free(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_run_and_rollback),
		cmocka_unit_test(test_check_mode),
		cmocka_unit_test(test_relative_state_dir),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_last_nothing),
		cmocka_unit_test(test_created_mode),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
