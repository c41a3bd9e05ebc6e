/* test_textedit.c - replace and blockinfile edits (modules/files/textedit.c)
 * and Python's re on PCRE2 (runner/util/pyre.c): the fixtures under
 * tests/unit/fixtures/textedit/ were produced by ansible-core 2.14's own
 * replace and blockinfile modules (their `gen` script); inline cases for
 * the template rules, the error paths and idempotence; fspath_normpath
 * (modules/files/fspath.c) against Python's os.path.normpath. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/filetree.h"
#include "modules/files/fspath.h"
#include "modules/files/textedit.h"
#include "runner/util/pyre.h"
#include "runner/util/yamlload.h"

/* ------------------------------------------------------------------ pyre */

static void
expect_subn(const char *re, unsigned fl, const char *repl, const char *s,
    const char *want, long n)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct pyre *r = pyre_compile(re, fl, &err);

	if (r == NULL)
		fail_msg("%s", err.buf);
	assert_int_equal(pyre_subn(r, repl, s, strlen(s), 0, &out, &err), n);
	assert_string_equal(out.buf, want);
	pyre_free(r);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
expect_subn_error(const char *re, const char *repl, const char *msg)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct pyre *r = pyre_compile(re, 0, &err);

	if (r != NULL) {
		assert_int_equal(pyre_subn(r, repl, "abc", 3, 0, &out, &err),
		    -1);
		pyre_free(r);
	}
	if (strstr(err.buf, msg) == NULL)
		fail_msg("error '%s' lacks '%s'", err.buf, msg);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
test_pyre_subn(void **state)
{
	(void)state;
	expect_subn("x*", 0, "-", "abxd", "-a-b--d-", 5);
	expect_subn("(a)(b)?", 0, "[\\2\\1]", "ac", "[a]c", 1);
	expect_subn("(?P<w>\\w+)", 0, "<\\g<w>\\g<0>>", "hi", "<hihi>", 1);
	expect_subn("^", PYRE_M, "> ", "a\nb\n", "> a\n> b\n> ", 3);
	expect_subn("b", 0, "\\n\\t\\\\\\.", "abc", "a\n\t\\\\.c", 1);
	expect_subn("\xc3\xa9?", 0, "-", "\xc3\xa9x", "--x-", 3);
	expect_subn("a", 0, "b", "\xff" "a\xfe", "\xff" "b\xfe", 1);
	expect_subn("A.B", PYRE_S | PYRE_I, "", "xa\nbx", "xx", 1);
}

static void
test_pyre_errors(void **state)
{
	(void)state;
	expect_subn_error("a(", "", "bad regular expression 'a(' at offset 2");
	expect_subn_error("(a)", "\\2", "invalid group reference 2");
	expect_subn_error("(a)", "\\g<nope>", "unknown group name 'nope'");
	expect_subn_error("(a)", "\\q", "bad escape \\q");
	expect_subn_error("(a)", "\\g<1", "bad group reference");
	assert_int_equal(pyre_inline_multiline("(?m)^a"), 1);
	assert_int_equal(pyre_inline_multiline("(?im)^a"), 1);
	assert_int_equal(pyre_inline_multiline("(?i)^a"), 0);
	assert_int_equal(pyre_inline_multiline("a(?m)"), 0);
}

/* ------------------------------------------------------------- fixtures */

static char *
slurp(const char *dir, const char *name, const char *file, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
apply(const struct val *a, const char *mod, const char *in, size_t inlen,
    struct strbuf *out, struct textedit_res *res, struct strbuf *err)
{
	const char *state = val_map_str(a, "state", "present");
	struct replace_edit r = { val_map_str(a, "regexp", NULL),
	    val_map_str(a, "replace", NULL), val_map_str(a, "after", NULL),
	    val_map_str(a, "before", NULL) };
	struct block_edit b = { strcmp(state, "absent") == 0,
	    val_map_str(a, "block", NULL), val_map_str(a, "marker", NULL),
	    val_map_str(a, "marker_begin", NULL),
	    val_map_str(a, "marker_end", NULL),
	    val_map_str(a, "insertafter", NULL),
	    val_map_str(a, "insertbefore", NULL) };

	if (strcmp(mod, "replace\n") == 0)
		return replace_apply(&r, in, inlen, out, res, err);
	return block_apply(&b, in, inlen, out, res, err);
}

static void
run_fixture(const char *dir, const char *name)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	size_t inlen = 0, alen, elen = 0, rlen, mlen;
	char *in = slurp(dir, name, "input", &inlen);
	char *args = slurp(dir, name, "args.json", &alen);
	char *exp = slurp(dir, name, "expected", &elen);
	char *result = slurp(dir, name, "result", &rlen);
	char *mod = slurp(dir, name, "module", &mlen);
	struct err e = ERR_INIT;
	struct textedit_res res;
	struct val *a = NULL;
	char want[1024];

	if (args == NULL || result == NULL || mod == NULL)
		fail_msg("fixture %s is incomplete", name);
	if (yaml_load_string(name, args, alen, &a, &e) != 0)
		fail_msg("fixture %s: bad args.json", name);
	if (apply(a, mod, in, inlen, &out, &res, &err) != 0)
		fail_msg("fixture %s: error %s", name, err.buf);
	if (exp != NULL && (out.len != elen || memcmp(out.buf, exp, elen)))
		fail_msg("fixture %s: got '%s', expected '%s'", name, out.buf,
		    exp);
	snprintf(want, sizeof(want), "changed=%d\nmsg=%s\n", res.changed,
	    res.msg);
	if (strcmp(want, result) != 0)
		fail_msg("fixture %s: got result '%s', expected '%s'", name,
		    want, result);
	if (strcmp(mod, "blockinfile\n") == 0 && exp != NULL) {
		/* idempotence: the same edit on the result changes nothing */
		struct strbuf again = STRBUF_INIT;

		assert_int_equal(apply(a, mod, out.buf, out.len, &again, &res,
		    &err), 0);
		if (res.changed)
			fail_msg("fixture %s: second run changed", name);
		strbuf_release(&again);
	}
	val_free(a);
	strbuf_release(&out);
	strbuf_release(&err);
	free(in), free(args), free(exp), free(result), free(mod);
}

static void
test_fixtures(void **state)
{
	const char *base = getenv("MEND_FIXTURES");
	char dir[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/textedit",
	    base ? base : "tests/unit/fixtures");
	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s (run from the repository root)", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "gen") == 0)
			continue;
		run_fixture(dir, de->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= 40);
}

/* ------------------------------------------------------------ inline */

static void
test_errors(void **state)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct replace_edit r = { "a(", NULL, NULL, NULL };
	struct block_edit b = { 0, "x", NULL, NULL, NULL, "a", "b" };
	struct textedit_res res;

	(void)state;
	assert_int_equal(replace_apply(&r, "a", 1, &out, &res, &err), -1);
	assert_non_null(strstr(err.buf, "bad regular expression"));
	strbuf_reset(&err);
	r.regexp = "a";
	r.replace = "\\9";
	assert_int_equal(replace_apply(&r, "a", 1, &out, &res, &err), -1);
	assert_non_null(strstr(err.buf, "invalid group reference 9"));
	strbuf_reset(&err);
	assert_int_equal(block_apply(&b, "a\n", 2, &out, &res, &err), -1);
	assert_non_null(strstr(err.buf, "mutually exclusive"));
	strbuf_reset(&err);
	b.insertbefore = NULL;
	b.insertafter = "(x";
	assert_int_equal(block_apply(&b, "a\n", 2, &out, &res, &err), -1);
	assert_non_null(strstr(err.buf, "bad regular expression '(x'"));
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
test_replace_nul_bytes(void **state)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct replace_edit r = { "b", "c", NULL, NULL };
	struct textedit_res res;

	(void)state;
	assert_int_equal(replace_apply(&r, "a\0b\0", 4, &out, &res, &err), 0);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.buf, "a\0c\0", 4);
	assert_int_equal(res.count, 1);
	assert_string_equal(res.msg, "1 replacements made");
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
expect_norm(const char *in, const char *want)
{
	struct strbuf out = STRBUF_INIT;

	fspath_normpath(in, &out);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void
test_normpath(void **state)
{
	(void)state;
	expect_norm("/a//b/./c/", "/a/b/c");
	expect_norm("/a/b/../c", "/a/c");
	expect_norm("/../x", "/x");
	expect_norm("/", "/");
	expect_norm("", ".");
	expect_norm("a/..", ".");
	expect_norm("../../x", "../../x");
	expect_norm("a/../../b", "../b");
	expect_norm("fetched/h1//etc/x", "fetched/h1/etc/x");
}

/* The file module's recurse computes a symbolic mode per entry as
 * Ansible's basic.py _symbolic_mode_to_octal (expected values printed by
 * ansible-core 2.14's own function, umask 022); invalid modes: -1. */
static void
test_filetree_symbolic(void **state)
{
	(void)state;
	assert_int_equal(filetree_symbolic("u=rwX,g=rX,o=", 0644, 0, 022), 0640);
	assert_int_equal(filetree_symbolic("u=rwX,g=rX,o=", 0644, 1, 022), 0750);
	assert_int_equal(filetree_symbolic("u=rwX,g=rX,o=", 0755, 0, 022), 0750);
	assert_int_equal(filetree_symbolic("a-x,u+X", 0755, 0, 022), 0744);
	assert_int_equal(filetree_symbolic("go-w,+t,g+s", 0666, 1, 022), 03644);
	assert_int_equal(filetree_symbolic("=rw", 0777, 0, 022), 0644);
	assert_int_equal(filetree_symbolic("+x", 0600, 0, 022), 0711);
	assert_int_equal(filetree_symbolic("u=g", 0640, 0, 022), 0440);
	assert_int_equal(filetree_symbolic("o=u-w", 0750, 0, 022), 0755);
	assert_int_equal(filetree_symbolic("ug=rwx,o=r", 04755, 0, 022), 0774);
	assert_int_equal(filetree_symbolic("g=u,u-s", 06755, 0, 022), 0775);
	assert_int_equal(filetree_symbolic("", 0644, 0, 022), -1);
	assert_int_equal(filetree_symbolic("u", 0644, 0, 022), -1);
	assert_int_equal(filetree_symbolic("u=rw,,", 0644, 0, 022), -1);
	assert_int_equal(filetree_symbolic("u=rq", 0644, 0, 022), -1);
	assert_int_equal(filetree_symbolic("au=r", 0644, 0, 022), -1);
	assert_int_equal(filetree_symbolic("a=r,uu+w", 0, 0, 022), 0644);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pyre_subn),
		cmocka_unit_test(test_filetree_symbolic),
		cmocka_unit_test(test_pyre_errors),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_replace_nul_bytes),
		cmocka_unit_test(test_normpath),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
