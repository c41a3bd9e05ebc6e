/* test_journal.c - the run journal under concurrency: many threads append
 * at once (group commit); every append returns a distinct seq, the file
 * holds each record exactly once, complete, in seq order; objects are
 * stored once, 0600; a journal whose fd broke fails every later append
 * instead of claiming durability. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner/core/journal.h"
#include "runner/util/strbuf.h"
#include "runner/util/value.h"

#define THREADS 16
#define PER_THREAD 50

struct worker {
	struct journal *j;
	int id;
	long seqs[PER_THREAD];
};

static void *
append_many(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		struct val *rec = val_map();

		val_map_set(rec, "host", val_str(w->id % 2 ? "odd" : "even"));
		val_map_set(rec, "worker", val_int(w->id));
		val_map_set(rec, "i", val_int(i));
		/* durable and ride-along records mixed */
		w->seqs[i] = journal_append(w->j, i % 2 ? "done" : "intent", rec);
		val_free(rec);
	}
	return NULL;
}

static char *
state_dir(void)
{
	char tmpl[] = "/tmp/mend-test-journal.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void
test_concurrent_appends(void **state)
{
	static struct worker w[THREADS];
	pthread_t th[THREADS];
	struct journal *j;
	struct err e = ERR_INIT;
	struct val *meta = val_map();
	char *sd = state_dir(), *path, line[512];
	static char seen[THREADS * PER_THREAD + 3];
	long last = 0, n = 0;
	FILE *f;
	int i, k;

	(void)state;
	assert_int_equal(journal_open(&j, sd, meta, &e), 0);
	for (i = 0; i < THREADS; i++) {
		w[i].j = j;
		w[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, append_many, &w[i]),
		    0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < THREADS; i++)
		for (k = 0; k < PER_THREAD; k++) {
			long s = w[i].seqs[k];

			assert_true(s >= 1 && s < (long)sizeof(seen));
			assert_int_equal(seen[s], 0);      /* distinct */
			seen[s] = 1;
			if (k > 0)    /* one thread's records keep their order */
				assert_true(s > w[i].seqs[k - 1]);
		}
	path = xasprintf("%s/journal.jsonl", journal_dir(j));
	journal_close(j, NULL);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, "\"seq\":");
		long s;

		assert_non_null(p);
		assert_int_equal(line[strlen(line) - 1], '\n');   /* whole */
		s = strtol(p + 6, NULL, 10);
		assert_int_equal(s, last + 1);                    /* in order */
		last = s;
		n++;
	}
	fclose(f);
	/* every append + end (the executor writes "start") */
	assert_int_equal(n, THREADS * PER_THREAD + 1);
	free(path);
	val_free(meta);
	rm_rf(sd);
	free(sd);
}

static void
test_store_objects(void **state)
{
	struct journal *j;
	struct err e = ERR_INIT;
	struct val *meta = val_map();
	char *sd = state_dir(), *path, hex[65], hex2[65];
	struct stat st;

	(void)state;
	assert_int_equal(journal_open(&j, sd, meta, &e), 0);
	assert_int_equal(journal_store(j, "secret\n", 7, hex), 0);
	assert_string_equal(hex, "b37e50cedcd3e3f1ff64f4afc0422084ae694253cf39"
	    "9326868e07a35f4a45fb");
	assert_int_equal(journal_store(j, "secret\n", 7, hex2), 0);
	assert_string_equal(hex, hex2);
	path = xasprintf("%s/objects/%s", journal_dir(j), hex);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 7);
	free(path);
	journal_close(j, NULL);
	val_free(meta);
	rm_rf(sd);
	free(sd);
}

/* A failed write (here: over RLIMIT_FSIZE) fails that append and every
 * later one, even once writing would work again. */
static void
test_broken_stays_broken(void **state)
{
	struct journal *j;
	struct err e = ERR_INIT;
	struct val *meta = val_map(), *rec = val_map();
	char *sd = state_dir(), *path;
	struct rlimit old, lim;
	struct stat st;

	(void)state;
	assert_int_equal(journal_open(&j, sd, meta, &e), 0);
	assert_true(journal_append(j, "service", rec) > 0);
	path = xasprintf("%s/journal.jsonl", journal_dir(j));
	assert_int_equal(stat(path, &st), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 5;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(journal_append(j, "service", rec), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(journal_append(j, "service", rec), -1);
	journal_close(j, NULL);
	signal(SIGXFSZ, SIG_DFL);
	free(path);
	val_free(rec);
	val_free(meta);
	rm_rf(sd);
	free(sd);
}

/* Runs started within one second still sort in start order ("mend
 * rollback last" picks the newest), and never share a directory. */
static void
test_ids_sort_by_start(void **state)
{
	struct journal *j;
	struct err e = ERR_INIT;
	struct val *meta = val_map();
	char *sd = state_dir(), *prev = NULL;
	struct timespec ms2 = { 0, 2000000 };
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_int_equal(journal_open(&j, sd, meta, &e), 0);
		assert_int_equal(strlen(journal_run_id(j)),
		    strlen("20261122T124501Z-1f4a3c"));
		if (prev != NULL)
			assert_true(strcmp(prev, journal_run_id(j)) < 0);
		free(prev);
		prev = xstrdup(journal_run_id(j));
		journal_close(j, NULL);
		nanosleep(&ms2, NULL);
	}
	free(prev);
	val_free(meta);
	rm_rf(sd);
	free(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_appends),
		cmocka_unit_test(test_store_objects),
		cmocka_unit_test(test_broken_stays_broken),
		cmocka_unit_test(test_ids_sort_by_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
