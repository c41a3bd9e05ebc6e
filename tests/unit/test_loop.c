/* test_loop.c - the items of loop and with_<lookup> (runner/core/loop.c),
 * each as ansible-core 2.14 builds them, and the error paths. */
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

#include "runner/core/firstfound.h"
#include "runner/core/loop.h"
#include "runner/util/yamlload.h"

/* items of lookup over the YAML value `yaml`, as Python's repr of a list */
static char *
items(const char *lookup, const char *yaml, const char *basedir, int *rc)
{
	struct val *v = NULL, *out = NULL;
	struct err e = ERR_INIT;
	struct strbuf msg = STRBUF_INIT, sb = STRBUF_INIT;

	assert_int_equal(yaml_load_string("t.yml", yaml, strlen(yaml), &v,
	    &e), 0);
	*rc = loop_items(lookup, v, basedir, &out, &msg);
	if (*rc == 0) {
		assert_null(msg.buf[0] ? msg.buf : NULL);
		val_to_str_py(out, &sb);
	} else {
		assert_null(out);
		strbuf_addbuf(&sb, &msg);
	}
	val_free(v);
	val_free(out);
	strbuf_release(&msg);
	err_release(&e);
	return strbuf_detach(&sb, NULL);
}

static void
expect(const char *lookup, const char *yaml, const char *want)
{
	int rc;
	char *got = items(lookup, yaml, ".", &rc);

	if (rc != 0 || strcmp(got, want) != 0)
		fail_msg("%s over %s: got '%s' (rc %d), want '%s'", lookup,
		    yaml, got, rc, want);
	free(got);
}

static void
expect_fail(const char *lookup, const char *yaml, const char *want)
{
	int rc;
	char *got = items(lookup, yaml, ".", &rc);

	if (rc == 0 || strstr(got, want) == NULL)
		fail_msg("%s over %s: got '%s' (rc %d), want an error with "
		    "'%s'", lookup, yaml, got, rc, want);
	free(got);
}

static void
test_lists(void **state)
{
	(void)state;
	expect("loop", "[a, 1, [b]]", "['a', 1, ['b']]");
	expect_fail("loop", "abc", "Invalid data passed to 'loop', it "
	    "requires a list, got this instead: abc");
	expect_fail("loop", "{a: 1}", "requires a list");
	expect("items", "[[1, 2], [a, [b]]]", "[1, 2, 'a', ['b']]");
	expect("items", "x", "['x']");
	expect("items", "[]", "[]");
	expect("list", "[[1, 2], 3]", "[[1, 2], 3]");
	expect("list", "x", "['x']");
	expect("indexed_items", "[a, [b, c]]", "[[0, 'a'], [1, 'b'], [2, 'c']]");
	expect("dict", "{a: 1, b: [2]}", "[{'key': 'a', 'value': 1}, "
	    "{'key': 'b', 'value': [2]}]");
	expect_fail("dict", "[1]", "with_dict expects a dict");
	expect("together", "[[1, 2], [a, b, c]]",
	    "[[1, 'a'], [2, 'b'], [None, 'c']]");
	expect("nested", "[[1, 2], [a, b]]",
	    "[[1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']]");
	expect("nested", "[[1], x, [a, b]]", "[[1, 'x', 'a'], [1, 'x', 'b']]");
	expect_fail("nested", "[]", "requires at least one element");
	expect_fail("together", "x", "requires at least one element");
	expect_fail("first_found", "[a]", "with_first_found is not supported");
	expect("flattened", "[1, [2, [3, [4]]], [[a]], [' b ', c]]",
	    "[1, 2, 3, 4, 'a', 'b', 'c']");
	expect("community.general.flattened", "[[a, b], None, c]",
	    "['a', 'b']");
	expect("flattened", "[[a, ['null', x]], y, ~]", "['a', 'y', None]");
	expect("flattened", "x", "['x']");
	expect("ansible.builtin.items", "[[1], 2]", "[1, 2]");
	assert_true(loop_lookup_known("items"));
	assert_false(loop_lookup_known("first_found"));
}

static void
test_sequence(void **state)
{
	(void)state;
	expect("sequence", "start=1 end=3 format=h%02d", "['h01', 'h02', 'h03']");
	expect("sequence", "count=3", "['1', '2', '3']");
	expect("sequence", "start=0 count=0", "[]");
	expect("sequence", "start=10 end=0 stride=-5", "['10', '5', '0']");
	expect("sequence", "4-8/2:n%x", "['n4', 'n6', 'n8']");
	expect("sequence", "3", "['1', '2', '3']");
	expect("sequence", "start=0x0a end=0x0b format=%-3d|", "['10 |', '11 |']");
	expect("sequence", "end=11 start=10 format=%X/s", "['A/s', 'B/s']");
	expect("sequence", "count=3 stride=2", "['1', '3', '5']");
	expect("sequence", "start=10 count=3 stride=-1",
	    "['10', '9', '8', '7', '6']");     /* Ansible's count arithmetic */
	expect("sequence", "start=1 end=3 stride=0", "[]");
	expect("sequence", "[count=1, 'start=5 end=6']", "['1', '5', '6']");
	expect_fail("sequence", "count=2 end=3", "can't specify both count "
	    "and end");
	expect_fail("sequence", "start=1", "must specify count or end");
	expect_fail("sequence", "''", "must specify count or end");
	expect_fail("sequence", "start=5 end=1", "to count backwards make "
	    "stride negative");
	expect_fail("sequence", "end=x", "can't parse end=x as integer");
	expect("sequence", "end=2 format=%s", "['1', '2']");
	expect_fail("sequence", "end=3 format=%d%d", "bad formatting string");
	expect_fail("sequence", "end=3 format=100%%-%d", "bad formatting");
	expect_fail("sequence", "end=3 bogus=1", "unrecognized arguments");
	expect_fail("sequence", "end=100000000", "more than");
	expect_fail("sequence", "a-b", "can't parse start=a as integer");
}

static void
test_subelements(void **state)
{
	(void)state;
	expect("subelements", "[[{n: a, k: [1, 2]}, {n: b, k: []}], k]",
	    "[[{'n': 'a'}, 1], [{'n': 'a'}, 2]]");
	expect("subelements", "[[{n: a}, {n: b, k: [3]}], k, "
	    "{skip_missing: true}]", "[[{'n': 'b'}, 3]]");
	expect_fail("subelements", "[[{n: a}], k]", "could not find 'k' key");
	expect_fail("subelements", "[[{k: 1}], k]", "should point to a list");
	expect_fail("subelements", "[[1], k]", "list of mappings");
	expect_fail("subelements", "[x]", "expects a list of two or three");
	expect_fail("subelements", "[[], k, {bogus: 1}]", "skip_missing");
}

static void
test_fileglob(void **state)
{
	char dir[] = "/tmp/mend-test-loop.XXXXXX", path[256], *got, want[512];
	int rc;
	FILE *f;
	const char *names[] = { "files/b.conf", "files/a.conf", "top.conf" };
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/files", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/files/sub.conf", dir);
	assert_int_equal(mkdir(path, 0700), 0);     /* a directory: left out */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_non_null(f = fopen(path, "w"));
		fclose(f);
	}
	got = items("fileglob", "'*.conf'", dir, &rc);
	snprintf(want, sizeof(want), "['%s/files/a.conf', '%s/files/b.conf']",
	    dir, dir);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
	got = items("fileglob", "[top.*, nothing*]", dir, &rc);
	snprintf(want, sizeof(want), "['%s/top.conf']", dir);
	assert_string_equal(got, want);
	free(got);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* with_first_found over the YAML terms, vars {fam: Debian}, searched in
 * dirs (subdir "vars"): the result's repr, or the message */
static char *
ff(const char *yaml, const char *const *dirs, int *rc)
{
	struct val *v = NULL, *out = NULL, *vars = NULL;
	struct err e = ERR_INIT;
	struct strbuf msg = STRBUF_INIT, sb = STRBUF_INIT;

	assert_int_equal(yaml_load_string("t.yml", yaml, strlen(yaml), &v,
	    &e), 0);
	assert_int_equal(yaml_load_string("v.yml", "{fam: Debian, t: true}",
	    22, &vars, &e), 0);
	*rc = first_found(v, vars, "vars", dirs, &out, &msg);
	if (*rc == 0)
		val_to_str_py(out, &sb);
	else
		strbuf_addbuf(&sb, &msg);
	val_free(v);
	val_free(vars);
	val_free(out);
	strbuf_release(&msg);
	err_release(&e);
	return strbuf_detach(&sb, NULL);
}

static void
test_first_found(void **state)
{
	char dir[] = "/tmp/mend-ff-XXXXXX", path[512], want[600], *got;
	const char *dirs[3] = { dir, NULL, NULL };
	static const char *const names[] = { "vars/Debian.yml",
	    "vars/default.yml", "top.yml", "other/x.yml" };
	size_t i;
	int rc;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "mkdir -p '%s/vars' '%s/other'", dir, dir);
	assert_int_equal(system(path), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_non_null(f = fopen(path, "w"));
		fclose(f);
	}
	/* an undefined candidate is passed over; DIR/vars/ before DIR/ */
	got = ff("['{{ nope }}.yml', '{{ fam }}.yml', default.yml]", dirs, &rc);
	snprintf(want, sizeof(want), "['%s/vars/Debian.yml']", dir);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
	got = ff("[missing.yml, top.yml]", dirs, &rc);
	snprintf(want, sizeof(want), "['%s/top.yml']", dir);
	assert_string_equal(got, want);
	free(got);
	/* files x paths, paths outer; "a,b" split */
	got = ff("[{files: 'nothere.yml,x.yml', paths: [vars, other]}]", dirs,
	    &rc);
	snprintf(want, sizeof(want), "['%s/other/x.yml']", dir);
	assert_string_equal(got, want);
	free(got);
	/* skip: an empty list; without it, Ansible's error */
	got = ff("[{files: [no.yml], skip: '{{ t }}'}]", dirs, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "[]");
	free(got);
	got = ff("[{files: [no.yml]}]", dirs, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "No file was found when using first_found.");
	free(got);
	/* a mapping with an undefined variable gives nothing, not even
	 * its skip (ansible-core 2.14) */
	got = ff("[{files: ['{{ nope }}', Debian.yml], skip: true}]", dirs,
	    &rc);
	assert_int_equal(rc, -1);
	free(got);
	got = ff("[{files: ['{{ nope }}']}, default.yml]", dirs, &rc);
	snprintf(want, sizeof(want), "['%s/vars/default.yml']", dir);
	assert_string_equal(got, want);
	free(got);
	/* an absolute name as it is; a number is not a term */
	snprintf(path, sizeof(path), "['%s//./top.yml']", dir);
	got = ff(path, dirs, &rc);
	snprintf(want, sizeof(want), "['%s//./top.yml']", dir);
	assert_string_equal(got, want);
	free(got);
	got = ff("[1]", dirs, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(got, "Invalid term supplied"));
	free(got);
	assert_string_equal(first_found_subdir("include_vars"), "vars");
	assert_string_equal(first_found_subdir("template"), "templates");
	assert_string_equal(first_found_subdir("copy"), "files");
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_subelements),
		cmocka_unit_test(test_fileglob),
		cmocka_unit_test(test_first_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
