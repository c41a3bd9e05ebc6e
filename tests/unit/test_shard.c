/* test_shard.c - `--shard K/N` (runner/core/shard.h): K/N and --run-id
 * parsing with their errors; the partition pinned to vectors computed
 * apart (python3: hashlib.sha256 and the published jump consistent hash),
 * so the formula README.md gives stays the one mend runs; every one of
 * 10,000 names in exactly one shard for several N, each shard's size
 * within 5 standard deviations of 10,000/N (as a uniform hash's); going from N to N+1 moves hosts only into shard N+1;
 * a host's shard depends on its name alone. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/shard.h"

#define NAMES 10000

static void
name_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "web%05d.dc1.example.com", i);
}

/* |got - mean| <= 5 sqrt(mean): a balanced hash's binomial spread */
static int
within_5_sigma(long got, long mean)
{
	return (got - mean) * (got - mean) <= 25 * mean;
}

static void
test_parse(void **state)
{
	static const struct { const char *s; int k, n; } ok[] = {
		{ "1/1", 1, 1 }, { "1/3", 1, 3 }, { "3/3", 3, 3 },
		{ "17/100000", 17, 100000 }, { "007/8", 7, 8 },
	};
	static const char *const bad[] = {
		"", "1", "/3", "1/", "0/3", "4/3", "1/0", "-1/3", "+1/3",
		" 1/3", "1/3 ", "1/3x", "a/b", "1/100001", "1//3", "1/3/4",
		"99999999999999999999/3", "1/99999999999999999999",
	};
	struct shard s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct err e = ERR_INIT;

		assert_int_equal(shard_parse(ok[i].s, &s, &e), 0);
		assert_int_equal(s.k, ok[i].k);
		assert_int_equal(s.n, ok[i].n);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = ERR_INIT;

		s.k = s.n = 0;
		assert_int_equal(shard_parse(bad[i], &s, &e), -1);
		assert_int_equal(s.n, 0);       /* untouched */
		assert_non_null(strstr(e.msg.buf, "--shard"));
		assert_non_null(strstr(e.msg.buf, bad[i]));
		err_release(&e);
	}
}

static void
test_run_id(void **state)
{
	static const char *const ok[] = { "r1", "20261207T1630Z-site",
	    "a.b_c:d+e-f", "0", "x234567890123456789012345678901234567890"
	    "123456789012345678901234" };
	static const char *const bad[] = { "", "last", "-r", ".r", "a b",
	    "a/b", "a'b", "a$b", "x2345678901234567890123456789012345678901"
	    "234567890123456789012345" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct err e = ERR_INIT;

		assert_int_equal(run_id_check(ok[i], &e), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = ERR_INIT;

		assert_int_equal(run_id_check(bad[i], &e), -1);
		assert_non_null(strstr(e.msg.buf, "--run-id"));
		err_release(&e);
	}
}

/* Computed with python3 (tests/unit/test_shard.c's formula, README.md):
 * jump(int.from_bytes(sha256(name).digest()[:8], 'big'), n) + 1 */
static void
test_vectors(void **state)
{
	static const struct { const char *name; int n, shard; } v[] = {
		{ "host1", 3, 3 }, { "host2", 3, 1 }, { "host7", 3, 2 },
		{ "h1", 3, 1 }, { "h2", 3, 3 }, { "h3", 3, 3 },
		{ "h1", 2, 1 }, { "h3", 2, 2 }, { "h6", 2, 2 },
		{ "h1", 7, 5 }, { "h3", 7, 7 }, { "h5", 7, 1 },
		{ "h1", 1000, 313 }, { "h3", 1000, 751 },
		{ "web-01.example.com", 1000, 772 },
		{ "anything", 1, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(shard_of(v[i].name, v[i].n), v[i].shard);
}

/* Every name in exactly one shard; shard sizes within 10% of the mean. */
static void
test_partition(void **state)
{
	static const int ns[] = { 1, 2, 3, 7, 16, 100 };
	static int count[101];
	char name[64];
	size_t t;
	int i, k;

	(void)state;
	for (t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		int n = ns[t];

		memset(count, 0, sizeof(count));
		for (i = 0; i < NAMES; i++) {
			int in = 0;

			name_of(i, name, sizeof(name));
			for (k = 1; k <= n; k++) {
				struct shard s = { k, n };

				if (shard_has(&s, name)) {
					in++;
					count[k]++;
				}
			}
			assert_int_equal(in, 1);
		}
		for (k = 1; k <= n; k++)
			assert_true(within_5_sigma(count[k], NAMES / n));
	}
}

/* N -> N+1: a host keeps its shard or moves to the new shard N+1 (about
 * 1/(N+1) of them do). */
static void
test_grow(void **state)
{
	char name[64];
	int n, i;

	(void)state;
	for (n = 1; n <= 12; n++) {
		int moved = 0;

		for (i = 0; i < NAMES; i++) {
			int a, b;

			name_of(i, name, sizeof(name));
			a = shard_of(name, n);
			b = shard_of(name, n + 1);
			if (a != b) {
				assert_int_equal(b, n + 1);
				moved++;
			}
		}
		assert_true(within_5_sigma(moved, NAMES / (n + 1)));
	}
}

/* No shard selection: every host; the shard is the name's alone */
static void
test_unsharded_and_name_only(void **state)
{
	struct shard none = { 0, 0 }, s = { 2, 5 };
	char a[] = "db01", b[] = "db01";

	(void)state;
	assert_true(shard_has(NULL, "x"));
	assert_true(shard_has(&none, "x"));
	assert_int_equal(shard_has(&s, a), shard_has(&s, b));
	assert_int_equal(shard_of("db01", 5), shard_of(b, 5));
	assert_int_not_equal(shard_of("db01", 5), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_run_id),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_unsharded_and_name_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
