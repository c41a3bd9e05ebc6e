/* test_once.c - run_once across host threads (runner/core/once.c): the
 * first host still in the play runs the task, the others get its result;
 * a host that leaves hands the turn on; occurrences are counted apart. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "runner/core/once.h"

/* the single-threaded walk: host 0 runs, 1 and 2 apply (its value) */
static void
test_first_runs(void **state)
{
	struct once *o = once_new(3);
	const struct once_result *got = NULL;
	struct once_result r;

	(void)state;
	assert_int_equal(once_enter(o, 0, "a.yml:3:7", &got), ONCE_RUN);
	memset(&r, 0, sizeof(r));
	r.reg = val_str("from 0");
	r.ran = 1;
	once_done(o, 0, "a.yml:3:7", &r);
	assert_null(r.reg);                      /* moved into the table */
	assert_int_equal(once_enter(o, 2, "a.yml:3:7", &got), ONCE_APPLY);
	assert_string_equal(got->reg->u.str.s, "from 0");
	assert_int_equal(once_enter(o, 1, "a.yml:3:7", &got), ONCE_APPLY);
	/* the second time the hosts reach the task: a new round */
	assert_int_equal(once_enter(o, 0, "a.yml:3:7", &got), ONCE_RUN);
	memset(&r, 0, sizeof(r));
	r.failed = 1;
	once_done(o, 0, "a.yml:3:7", &r);
	assert_int_equal(once_enter(o, 1, "a.yml:3:7", &got), ONCE_APPLY);
	assert_int_equal(got->failed, 1);
	assert_null(got->reg);
	once_free(o);
}

/* host 0 left the play (failed, or never reaches the task): host 1 runs */
static void
test_turn_passes(void **state)
{
	struct once *o = once_new(3);
	const struct once_result *got = NULL;
	struct once_result r;

	(void)state;
	once_host_done(o, 0);
	assert_int_equal(once_enter(o, 1, "k", &got), ONCE_RUN);
	memset(&r, 0, sizeof(r));
	r.ran = 1;
	once_done(o, 1, "k", &r);
	assert_int_equal(once_enter(o, 2, "k", &got), ONCE_APPLY);
	assert_int_equal(got->ran, 1);
	once_free(o);
}

struct th {
	struct once *o;
	size_t idx;
	int leave_first;          /* leave without reaching the task */
	enum once_role role;
	const char *val;
};

static void *
host_thread(void *arg)
{
	struct th *t = arg;
	const struct once_result *got = NULL;
	struct once_result r;

	if (t->leave_first) {
		usleep(50000);    /* the others are waiting by now */
		once_host_done(t->o, t->idx);
		return NULL;
	}
	t->role = once_enter(t->o, t->idx, "k", &got);
	if (t->role == ONCE_RUN) {
		usleep(20000);
		memset(&r, 0, sizeof(r));
		r.reg = val_str(t->idx == 1 ? "one" : "other");
		r.ran = 1;
		once_done(t->o, t->idx, "k", &r);
		t->val = "one";
	} else {
		t->val = got->reg ? got->reg->u.str.s : NULL;
	}
	once_host_done(t->o, t->idx);
	return NULL;
}

/* four threads, host 0 leaves without the task: host 1 (the first still
 * in) runs it, whoever arrives first; 2 and 3 wait and get "one" */
static void
test_threads(void **state)
{
	struct once *o = once_new(4);
	struct th ts[4];
	pthread_t tid[4];
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		memset(&ts[i], 0, sizeof(ts[i]));
		ts[i].o = o;
		ts[i].idx = i;
		ts[i].leave_first = i == 0;
	}
	for (i = 4; i-- > 0;)         /* the later hosts arrive first */
		assert_int_equal(pthread_create(&tid[i], NULL, host_thread,
		    &ts[i]), 0);
	for (i = 0; i < 4; i++)
		pthread_join(tid[i], NULL);
	assert_int_equal(ts[1].role, ONCE_RUN);
	for (i = 2; i < 4; i++) {
		assert_int_equal(ts[i].role, ONCE_APPLY);
		assert_string_equal(ts[i].val, "one");
	}
	once_free(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_runs),
		cmocka_unit_test(test_turn_passes),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
