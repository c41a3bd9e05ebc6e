/* test_shardrun.c - a sharded run through the engine (runner/core/run.h)
 * and finding its shards again (runner/cli/cli_int.h: cli_find_runs):
 * 8 ansible_connection=local hosts, three shards (--shard K/3, one run id)
 * each journaled in its own state directory; every host is changed by
 * exactly one shard and the shards' hosts are the ones shard_of names;
 * each meta.json records shard and run_id; the run id finds the 3 shards
 * across the directories (and 1 in one directory), a journal id the one
 * directory that has it, 'last' across directories is refused; rolling
 * back each shard found puts every file back, and those rollbacks (which
 * record rollback_of_run_id) are not taken for shards. */
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

#include "runner/cli/cli_int.h"
#include "runner/core/run.h"
#include "runner/core/runs.h"
#include "runner/core/shard.h"

#define NHOSTS 8

static char dir[64];
static char inv_path[128], pb_path[128];
static char *sdirs[3];
static FILE *out;

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
host_file(int i, char *path, size_t len)
{
	snprintf(path, len, "%s/h%d.txt", dir, i);
}

static void
reset_files(void)
{
	char path[160];
	int i;

	for (i = 0; i < NHOSTS; i++) {
		host_file(i, path, sizeof(path));
		write_file(path, "old\n");
	}
}

/* How many host files hold "new" */
static int
count_new(void)
{
	char path[160], buf[16];
	int i, n = 0;

	for (i = 0; i < NHOSTS; i++) {
		FILE *f;
		size_t got;

		host_file(i, path, sizeof(path));
		f = fopen(path, "r");
		assert_non_null(f);
		got = fread(buf, 1, sizeof(buf) - 1, f);
		buf[got] = '\0';
		fclose(f);
		n += strcmp(buf, "new\n") == 0;
	}
	return n;
}

static int
setup(void **state)
{
	struct strbuf inv = STRBUF_INIT;
	char text[512];
	int i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_shardrun.XXXXXX");
	assert_non_null(mkdtemp(dir));
	strbuf_addstr(&inv, "[local]\n");
	for (i = 0; i < NHOSTS; i++)
		strbuf_addf(&inv, "h%d ansible_connection=local "
		    "mend_lock_dir=%s/lock-%d\n", i, dir, i);
	snprintf(inv_path, sizeof(inv_path), "%s/inv.ini", dir);
	write_file(inv_path, inv.buf);
	strbuf_release(&inv);
	snprintf(pb_path, sizeof(pb_path), "%s/pb.yml", dir);
	snprintf(text, sizeof(text), "- hosts: local\n  gather_facts: false\n"
	    "  tasks:\n    - copy: {dest: \"%s/{{ inventory_hostname }}.txt\", "
	    "content: \"new\\n\"}\n", dir);
	write_file(pb_path, text);
	for (i = 0; i < 3; i++) {
		sdirs[i] = malloc(160);
		snprintf(sdirs[i], 160, "%s/state-%d", dir, i + 1);
	}
	out = tmpfile();
	assert_non_null(out);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	int i;

	(void)state;
	fclose(out);
	for (i = 0; i < 3; i++)
		free(sdirs[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
request(struct mend_request *req, const char *const *pbs,
    const char *const *invs, const char *sd)
{
	memset(req, 0, sizeof(*req));
	req->playbooks = pbs;
	req->nplaybooks = pbs ? 1 : 0;
	req->inventories = invs;
	req->ninventories = 1;
	req->state_dir = sd;
	req->opts.forks = 4;
	req->opts.connect_timeout = 10;
	req->opts.out = out;
}

/* Shard k of 3: its hosts are shard_of's; returns how many. */
static size_t
run_shard(int k, char **id)
{
	const char *invs[] = { inv_path }, *pbs[] = { pb_path };
	struct mend_request req;
	struct mend_result res;
	struct val *m;
	size_t i, n;

	request(&req, pbs, invs, sdirs[k - 1]);
	req.opts.shard.k = k;
	req.opts.shard.n = 3;
	req.opts.run_id = "t-run";
	mend_result_init(&res);
	assert_int_equal(mend_run(&req, &res), EXIT_OK);
	for (i = 0; i < res.nhosts; i++)
		assert_int_equal(shard_of(res.hosts[i].name, 3), k);
	n = res.nhosts;
	*id = strdup(res.run_id);
	m = run_meta_load(sdirs[k - 1], *id);
	assert_string_equal(val_map_str(m, "run_id", ""), "t-run");
	assert_int_equal(val_map_str(m, "shard", "")[0], '0' + k);
	val_free(m);
	mend_result_release(&res);
	return n;
}

static void
test_shards_and_rollback(void **state)
{
	struct run_refs rs;
	struct err e = ERR_INIT;
	char *ids[3];
	size_t total = 0, i;
	int k;

	(void)state;
	reset_files();
	for (k = 1; k <= 3; k++)
		total += run_shard(k, &ids[k - 1]);
	assert_int_equal(total, NHOSTS);      /* each host in one shard */
	assert_int_equal(count_new(), NHOSTS);
	/* the run id: the 3 shards across the directories, 1 in one */
	assert_int_equal(cli_find_runs(sdirs, 3, "t-run", &rs, &e), 0);
	assert_int_equal(rs.n, 3);
	assert_true(rs.group);
	for (i = 0; i < 3; i++) {
		assert_string_equal(rs.refs[i].dir, sdirs[i]);
		assert_string_equal(rs.refs[i].id, ids[i]);
	}
	run_refs_release(&rs);
	assert_int_equal(cli_find_runs(sdirs + 1, 1, "t-run", &rs, &e), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.refs[0].id, ids[1]);
	run_refs_release(&rs);
	/* a journal id: the one directory that has it; 'last' refused */
	assert_int_equal(cli_find_runs(sdirs, 3, ids[2], &rs, &e), 0);
	assert_false(rs.group);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.refs[0].dir, sdirs[2]);
	run_refs_release(&rs);
	assert_int_equal(cli_find_runs(sdirs, 3, "last", &rs, &e), -1);
	assert_non_null(strstr(e.msg.buf, "'last'"));
	run_refs_release(&rs);
	err_release(&e);
	assert_int_equal(cli_find_runs(sdirs, 3, "nope", &rs, &e), -1);
	assert_non_null(strstr(e.msg.buf, "no run 'nope'"));
	run_refs_release(&rs);
	err_release(&e);
	/* roll each shard back in its directory: every file is old again */
	assert_int_equal(cli_find_runs(sdirs, 3, "t-run", &rs, &e), 0);
	for (i = 0; i < rs.n; i++) {
		const char *invs[] = { inv_path };
		struct mend_request req;
		struct mend_result res;

		request(&req, NULL, invs, rs.refs[i].dir);
		req.ninventories = 0;         /* the run's own */
		mend_result_init(&res);
		assert_int_equal(mend_rollback(&req, rs.refs[i].id, &res),
		    EXIT_OK);
		mend_result_release(&res);
	}
	run_refs_release(&rs);
	assert_int_equal(count_new(), 0);
	/* the rollbacks record the run id they reversed, and are no shards */
	assert_int_equal(cli_find_runs(sdirs, 3, "t-run", &rs, &e), 0);
	assert_int_equal(rs.n, 3);
	run_refs_release(&rs);
	{
		char **l;
		size_t n;
		struct val *m;

		assert_int_equal(runs_ids(sdirs[0], &l, &n, &e), 0);
		assert_int_equal(n, 2);
		m = run_meta_load(sdirs[0], l[1]);
		assert_string_equal(val_map_str(m, "rollback_of_run_id", ""),
		    "t-run");
		assert_string_equal(val_map_str(m, "rollback_of", ""), ids[0]);
		val_free(m);
		runs_ids_free(l, n);
	}
	for (i = 0; i < 3; i++)
		free(ids[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shards_and_rollback),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
