/* test_diff.c - unified diff: byte-exact fixtures (made with GNU diff -u),
 * context sizes, edge cases, and a property test: patching a with the
 * diff gives b. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/util/diff.h"

/* ------------------------------------------------------------- helpers */

static char *
slurp(const char *name, const char *file, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "diff/%s/%s", name, file);
	return tu_read_fixture(rel, len);
}

static int
count_hunks(const char *s, size_t len)
{
	int n = 0;
	size_t i;

	for (i = 0; i + 2 < len; i++)
		if ((i == 0 || s[i - 1] == '\n') && strncmp(s + i, "@@ ", 3) == 0)
			n++;
	return n;
}

/* Next line of [*p, end) with its '\n'; NULL at the end. */
static const char *
next_line(const char **p, const char *end, size_t *len)
{
	const char *l = *p, *nl;

	if (l >= end)
		return NULL;
	nl = memchr(l, '\n', (size_t)(end - l));
	*len = nl ? (size_t)(nl - l) + 1 : (size_t)(end - l);
	*p = l + *len;
	return l;
}

/* "-start[,count]": count defaults to 1. */
static void
parse_range(const char *s, unsigned long *start, unsigned long *count)
{
	char *e;

	*start = strtoul(s, &e, 10);
	*count = *e == ',' ? strtoul(e + 1, NULL, 10) : 1;
}

/* Minimal patch(1): apply unified diff d to a; NULL if it does not apply. */
static char *
apply(const char *a, size_t alen, const char *d, size_t dlen, size_t *olen)
{
	struct strbuf out = STRBUF_INIT;
	const char *ap = a, *aend = a + alen, *p = d, *end = d + dlen;
	const char *l, *al;
	unsigned long start, count, line = 1;
	size_t ll, all;

	next_line(&p, end, &ll);                 /* --- */
	next_line(&p, end, &ll);                 /* +++ */
	while ((l = next_line(&p, end, &ll)) != NULL) {
		if (l[0] == '@') {
			parse_range(l + 4, &start, &count);
			if (count == 0)
				start++;                 /* insert after start */
			for (; line < start; line++) {
				if ((al = next_line(&ap, aend, &all)) == NULL)
					goto bad;
				strbuf_add(&out, al, all);
			}
			continue;
		}
		if (p < end && *p == '\\') {             /* no newline after l */
			ll--;
			next_line(&p, end, &all);
		}
		if (l[0] == ' ' || l[0] == '-') {
			al = next_line(&ap, aend, &all);
			if (al == NULL || all != ll - 1 || memcmp(al, l + 1, all))
				goto bad;
			line++;
		}
		if (l[0] == ' ' || l[0] == '+')
			strbuf_add(&out, l + 1, ll - 1);
	}
	strbuf_add(&out, ap, (size_t)(aend - ap));
	return strbuf_detach(&out, olen);
bad:
	strbuf_release(&out);
	return NULL;
}

static void
check_applies(const char *a, size_t alen, const char *b, size_t blen)
{
	struct strbuf d = STRBUF_INIT;
	char *got;
	size_t glen;

	diff_unified(&d, a, alen, b, blen, "a", "b", DIFF_CONTEXT);
	if (alen == blen && memcmp(a, b, alen) == 0) {
		assert_int_equal(d.len, 0);
		strbuf_release(&d);
		return;
	}
	got = apply(a, alen, d.buf, d.len, &glen);
	if (got == NULL || glen != blen || memcmp(got, b, blen) != 0)
		fail_msg("diff does not turn a into b:\n%s", d.buf);
	free(got);
	strbuf_release(&d);
}

/* --------------------------------------------------------------- tests */

static void
test_fixture(const char *name)
{
	size_t alen, blen, elen;
	char *a = slurp(name, "a", &alen);
	char *b = slurp(name, "b", &blen);
	char *exp = slurp(name, "expected", &elen);
	struct strbuf out = STRBUF_INIT;
	int hunks;

	hunks = diff_unified(&out, a, alen, b, blen, "before", "after",
	    DIFF_CONTEXT);
	if (out.len != elen || memcmp(out.buf, exp, elen) != 0)
		fail_msg("fixture %s: got\n%s\nexpected\n%s", name, out.buf,
		    exp);
	assert_int_equal(hunks, count_hunks(exp, elen));
	check_applies(a, alen, b, blen);
	strbuf_release(&out);
	free(a);
	free(b);
	free(exp);
}

static void
test_fixtures(void **state)
{
	static const char *const names[] = {
		"identical", "empty_to_one", "one_to_empty", "replace_middle",
		"add_newline_at_eof", "remove_newline_at_eof",
		"both_no_newline", "crlf_to_lf", "two_hunks", "merged_hunks",
		"split_hunks", "insert_at_start", "append_at_end",
		"delete_first_last", "duplicate_blank_lines", "all_different",
		"comment_lines", "repeated_lines_shift",
		"delete_one_of_repeated",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		test_fixture(names[i]);
}

static void
expect_diff(const char *a, const char *b, int ctx, const char *want,
    int want_hunks)
{
	struct strbuf out = STRBUF_INIT;
	int hunks = diff_unified(&out, a, strlen(a), b, strlen(b), "x", "y",
	    ctx);

	assert_string_equal(out.buf, want);
	assert_int_equal(hunks, want_hunks);
	strbuf_release(&out);
}

static void
test_context_sizes(void **state)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n";
	const char *b = "1\n2\n3\nX\n5\n6\n7\n";

	(void)state;
	expect_diff(a, b, 0, "--- x\n+++ y\n@@ -4 +4 @@\n-4\n+X\n", 1);
	expect_diff(a, b, 1, "--- x\n+++ y\n@@ -3,3 +3,3 @@\n 3\n-4\n+X\n 5\n",
	    1);
	expect_diff(a, b, 10, "--- x\n+++ y\n@@ -1,7 +1,7 @@\n 1\n 2\n 3\n"
	    "-4\n+X\n 5\n 6\n 7\n", 1);
	/* negative context is treated as 0 */
	expect_diff(a, b, -5, "--- x\n+++ y\n@@ -4 +4 @@\n-4\n+X\n", 1);
	/* with context 0, a pure insertion names the line before it */
	expect_diff("a\nb\n", "a\nnew\nb\n", 0,
	    "--- x\n+++ y\n@@ -1,0 +2 @@\n+new\n", 1);
	expect_diff("a\nb\n", "new\na\nb\n", 0,
	    "--- x\n+++ y\n@@ -0,0 +1 @@\n+new\n", 1);
}

static void
test_identical_appends_nothing(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&out, "keep");
	assert_int_equal(diff_unified(&out, "a\n", 2, "a\n", 2, "x", "y", 3), 0);
	assert_int_equal(diff_unified(&out, "", 0, "", 0, "x", "y", 3), 0);
	assert_int_equal(diff_unified(&out, NULL, 0, NULL, 0, "x", "y", 3), 0);
	assert_string_equal(out.buf, "keep");
	/* a diff is appended, not replacing */
	assert_int_equal(diff_unified(&out, "a\n", 2, "b\n", 2, "x", "y", 3), 1);
	assert_string_equal(out.buf, "keep--- x\n+++ y\n@@ -1 +1 @@\n-a\n+b\n");
	strbuf_release(&out);
}

static void
test_nul_bytes(void **state)
{
	static const char a[] = "x\0y\nsame\n", b[] = "x\0z\nsame\n";
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(diff_unified(&out, a, sizeof(a) - 1, b, sizeof(b) - 1,
	    "x", "y", 3), 1);
	assert_int_equal(out.len, strlen("--- x\n+++ y\n@@ -1,2 +1,2 @@\n") +
	    5 + 5 + 6);
	assert_memory_equal(out.buf + out.len - 16, "-x\0y\n+x\0z\n same\n", 16);
	strbuf_release(&out);
}

static void
test_only_newline_differs(void **state)
{
	(void)state;
	expect_diff("a", "a\n", 3, "--- x\n+++ y\n@@ -1 +1 @@\n-a\n"
	    "\\ No newline at end of file\n+a\n", 1);
	expect_diff("\n", "", 3, "--- x\n+++ y\n@@ -1 +0,0 @@\n-\n", 1);
}

/* Deterministic pseudo-random files over a small alphabet: many equal
 * lines make alignments ambiguous. */
static unsigned long rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static void
random_file(struct strbuf *sb, unsigned maxlines, unsigned alpha)
{
	unsigned i, n = rnd(maxlines + 1);

	strbuf_reset(sb);
	for (i = 0; i < n; i++) {
		strbuf_addch(sb, (char)('a' + rnd(alpha)));
		if (rnd(10) == 0)
			strbuf_addch(sb, '\r');
		strbuf_addch(sb, '\n');
	}
	if (sb->len > 0 && rnd(4) == 0)
		strbuf_setlen(sb, sb->len - 1);     /* no final newline */
}

static void
test_random_property(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		random_file(&a, 25, 1 + rnd(5));
		random_file(&b, 25, 1 + rnd(5));
		check_applies(a.buf, a.len, b.buf, b.len);
	}
	strbuf_release(&a);
	strbuf_release(&b);
}

/* More than DIFF_MAX_D differences: the fallback (one replaced block)
 * must still be a correct diff. */
static void
test_huge_difference(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, d = STRBUF_INIT;
	int i, hunks;

	(void)state;
	strbuf_addstr(&a, "head\n");
	strbuf_addstr(&b, "head\n");
	for (i = 0; i < 2 * DIFF_MAX_D; i++) {
		strbuf_addf(&a, "a%d\n", i);
		strbuf_addf(&b, "b%d\n", i);
	}
	strbuf_addstr(&a, "tail\n");
	strbuf_addstr(&b, "tail\n");
	hunks = diff_unified(&d, a.buf, a.len, b.buf, b.len, "x", "y", 3);
	assert_int_equal(hunks, 1);
	check_applies(a.buf, a.len, b.buf, b.len);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&d);
}

/* A file as mend shows it: a binary side (NUL, invalid UTF-8) is
 * summarised by size and sha256, never printed. */
static void
test_diff_file_binary(void **state)
{
	struct strbuf d = STRBUF_INIT;

	(void)state;
	assert_false(diff_is_binary("caf\xc3\xa9\n", 6));
	assert_false(diff_is_binary("", 0));
	assert_true(diff_is_binary("a\0b", 3));
	assert_true(diff_is_binary("\xff", 1));
	assert_true(diff_is_binary("\xc3", 1));          /* cut short */
	assert_true(diff_is_binary("\xed\xa0\x80", 3));  /* a surrogate */
	assert_true(diff_is_binary("\xc0\xaf", 2));      /* overlong */
	diff_file(&d, "/etc/nut/cert9.db", "SQLite\0x", 8, "abc", 3);
	assert_string_equal(d.buf, "Binary file /etc/nut/cert9.db: before 8 "
	    "bytes (sha256 7b86fdf8a0371eaf85a65178007ae0ca51c9bf4d78e0f8b7"
	    "1acf95c92bec8389), after 3 bytes (sha256 ba7816bf8f01cfea414140"
	    "de5dae2223b00361a396177a9cb410ff61f20015ad)\n");
	strbuf_reset(&d);
	diff_file(&d, "/x", "a\0", 2, "a\0", 2);             /* identical */
	assert_int_equal(d.len, 0);
	diff_file(&d, "/x", "a\n", 2, "b\n", 2);
	assert_string_equal(d.buf, "--- before: /x\n+++ after: /x\n"
	    "@@ -1 +1 @@\n-a\n+b\n");
	strbuf_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_diff_file_binary),
		cmocka_unit_test(test_context_sizes),
		cmocka_unit_test(test_identical_appends_nothing),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_only_newline_differs),
		cmocka_unit_test(test_random_property),
		cmocka_unit_test(test_huge_difference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
