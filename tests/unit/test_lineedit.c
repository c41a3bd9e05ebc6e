/* test_lineedit.c - lineinfile semantics (modules/files/lineedit.c): inline cases
 * for each rule, error paths, the regexp translation, idempotence, and
 * fixtures under tests/unit/fixtures/lineinfile/ whose LF cases were
 * produced by ansible-core 2.14's lineinfile itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/lineedit.h"

/* ------------------------------------------------------------- helpers */

struct res {
	struct strbuf out;
	struct lineedit_res r;
	int ret;
	struct strbuf err;
};

static void
run(const struct lineedit *o, const char *in, size_t inlen, struct res *x)
{
	strbuf_init(&x->out, 0);
	strbuf_init(&x->err, 0);
	x->ret = lineedit_apply(o, in, inlen, &x->out, &x->r, &x->err);
}

static void
res_release(struct res *x)
{
	strbuf_release(&x->out);
	strbuf_release(&x->err);
}

/* Apply o to in, expect out and msg; with `again`, apply o again to the
 * result and expect no change (idempotence). */
static void
expect_run(const struct lineedit *o, const char *in, const char *want,
    const char *msg, int again)
{
	struct res x, y;

	run(o, in, strlen(in), &x);
	if (x.ret != 0)
		fail_msg("unexpected error: %s", x.err.buf);
	assert_string_equal(x.out.buf, want);
	assert_int_equal(x.out.len, strlen(want));
	assert_int_equal(x.r.changed, strcmp(in, want) != 0);
	assert_string_equal(x.r.msg, msg);
	if (again) {
		run(o, x.out.buf, x.out.len, &y);
		assert_int_equal(y.ret, 0);
		assert_int_equal(y.r.changed, 0);
		assert_string_equal(y.out.buf, x.out.buf);
		assert_string_equal(y.r.msg, "");
		res_release(&y);
	}
	res_release(&x);
}

static void
expect(const struct lineedit *o, const char *in, const char *want,
    const char *msg)
{
	expect_run(o, in, want, msg, 1);
}

/* For edits that are not idempotent by nature (Ansible's too): a regexp
 * that does not match the line it writes, backrefs growing the line. */
static void
expect_once(const struct lineedit *o, const char *in, const char *want,
    const char *msg)
{
	expect_run(o, in, want, msg, 0);
}

static void
expect_error(const struct lineedit *o, const char *in, const char *part)
{
	struct res x;

	run(o, in, strlen(in), &x);
	assert_int_equal(x.ret, -1);
	if (strstr(x.err.buf, part) == NULL)
		fail_msg("error '%s' lacks '%s'", x.err.buf, part);
	assert_int_equal(x.out.len, 0);
	res_release(&x);
}

#define LE(...) ((struct lineedit){ __VA_ARGS__ })

/* --------------------------------------------------------------- present */

static void
test_regexp_replaces_last_match(void **state)
{
	(void)state;
	expect(&LE(.regexp = "^a=", .line = "a=3"), "a=1\nb\na=2\nc\n",
	    "a=1\nb\na=3\nc\n", "line replaced");
	expect(&LE(.regexp = "^a=", .line = "a=3", .firstmatch = 1),
	    "a=1\nb\na=2\nc\n", "a=3\nb\na=2\nc\n", "line replaced");
	/* already right: no change */
	expect(&LE(.regexp = "^a=", .line = "a=2"), "a=1\na=2\n", "a=1\na=2\n",
	    "");
	/* unanchored: search anywhere in the line */
	expect(&LE(.regexp = "mid", .line = "X"), "a\nxmidx\nb\n", "a\nX\nb\n",
	    "line replaced");
}

static void
test_no_match_appends(void **state)
{
	(void)state;
	expect(&LE(.regexp = "^zz", .line = "new"), "a\nb\n", "a\nb\nnew\n",
	    "line added");
	expect(&LE(.line = "new"), "a\nb\n", "a\nb\nnew\n", "line added");
	expect(&LE(.line = "new"), "", "new\n", "line added");
	/* an equal line anywhere counts, even when regexp does not match */
	expect(&LE(.regexp = "^zz", .line = "b"), "a\nb\nc\n", "a\nb\nc\n", "");
}

static void
test_no_trailing_newline(void **state)
{
	(void)state;
	expect(&LE(.line = "c"), "a\nb", "a\nb\nc\n", "line added");
	/* a replaced last line gains the newline (as in Ansible) */
	expect(&LE(.regexp = "^b", .line = "B"), "a\nb", "a\nB\n",
	    "line replaced");
	expect(&LE(.line = "b"), "a\nb", "a\nb\n", "line replaced");
	/* insertafter the unterminated last line: no gluing */
	expect(&LE(.line = "bar", .insertafter = "foo"), "a\nfoo",
	    "a\nfoo\nbar\n", "line added");
	/* a lone CR at the end gets its LF (Ansible would glue "b\rc") */
	expect(&LE(.line = "c"), "a\nb\r", "a\nb\r\nc\n", "line added");
}

static void
test_crlf(void **state)
{
	(void)state;
	expect(&LE(.line = "c"), "a\r\nb\r\n", "a\r\nb\r\nc\r\n", "line added");
	expect(&LE(.line = "c"), "a\r\nb", "a\r\nb\r\nc\r\n", "line added");
	/* $ matches before CR too; the replaced line keeps its CRLF */
	expect(&LE(.regexp = "^b$", .line = "B"), "a\r\nb\r\nc\r\n",
	    "a\r\nB\r\nc\r\n", "line replaced");
	/* equal line with CRLF: no change (Ansible would rewrite it as LF) */
	expect(&LE(.line = "b"), "a\r\nb\r\n", "a\r\nb\r\n", "");
	/* dominant ending: 2 CRLF vs 1 LF */
	expect(&LE(.line = "z"), "a\r\nb\nc\r\n", "a\r\nb\nc\r\nz\r\n",
	    "line added");
	/* tie: LF wins */
	expect(&LE(.line = "z"), "a\r\nb\n", "a\r\nb\nz\n", "line added");
	/* a replaced LF line in a CRLF file keeps its own LF */
	expect(&LE(.regexp = "^b", .line = "B"), "a\r\nb\nc\r\n",
	    "a\r\nB\nc\r\n", "line replaced");
	expect(&LE(.line = "0", .insertbefore = "BOF"), "a\r\n", "0\r\na\r\n",
	    "line added");
	expect(&LE(.regexp = "^b", .absent = 1), "a\r\nb\r\nc\r\n",
	    "a\r\nc\r\n", "1 line(s) removed");
}

static void
test_duplicates(void **state)
{
	(void)state;
	expect(&LE(.line = "x"), "x\nx\n", "x\nx\n", "");
	expect_once(&LE(.regexp = "^x", .line = "y"), "x\nx\n", "x\ny\n",
	    "line replaced");
	expect(&LE(.line = "x", .absent = 1), "x\na\nx\n", "a\n",
	    "2 line(s) removed");
}

static void
test_insertafter(void **state)
{
	(void)state;
	/* last match of insertafter, or the first with firstmatch */
	expect(&LE(.line = "N", .insertafter = "^s"), "s1\na\ns2\nb\n",
	    "s1\na\ns2\nN\nb\n", "line added");
	expect(&LE(.line = "N", .insertafter = "^s", .firstmatch = 1),
	    "s1\na\ns2\nb\n", "s1\nN\na\ns2\nb\n", "line added");
	/* no match: at the end */
	expect(&LE(.line = "N", .insertafter = "^zz"), "a\n", "a\nN\n",
	    "line added");
	expect(&LE(.line = "N", .insertafter = "EOF"), "a\n", "a\nN\n",
	    "line added");
	expect(&LE(.line = "N", .insertafter = "BOF"), "a\n", "N\na\n",
	    "line added");
	expect(&LE(.line = "N", .insertafter = "^a"), "a\n", "a\nN\n",
	    "line added");
	/* regexp wins over insertafter when it matches */
	expect(&LE(.regexp = "^b", .line = "B", .insertafter = "^a"),
	    "a\nb\n", "a\nB\n", "line replaced");
	expect(&LE(.regexp = "^q", .line = "Q", .insertafter = "^a"),
	    "a\nb\n", "a\nQ\nb\n", "line added");
}

static void
test_insertbefore(void **state)
{
	(void)state;
	expect(&LE(.line = "N", .insertbefore = "^s"), "s1\na\ns2\n",
	    "s1\na\nN\ns2\n", "line added");
	expect(&LE(.line = "N", .insertbefore = "^s", .firstmatch = 1),
	    "s1\na\ns2\n", "N\ns1\na\ns2\n", "line added");
	expect(&LE(.line = "N", .insertbefore = "BOF"), "a\n", "N\na\n",
	    "line added");
	expect(&LE(.line = "N", .insertbefore = "BOF"), "", "N\n", "line added");
	/* no match: at the end */
	expect(&LE(.line = "N", .insertbefore = "^zz"), "a\n", "a\nN\n",
	    "line added");
	/* "EOF" is an ordinary regexp for insertbefore */
	expect(&LE(.line = "N", .insertbefore = "EOF"), "a\nEOF\n",
	    "a\nN\nEOF\n", "line added");
}

static void
test_backrefs(void **state)
{
	(void)state;
	expect_once(&LE(.regexp = "^(port)=([0-9]+)", .line = "\\1=\\g<2>0",
	    .backrefs = 1), "a\nport=22\n", "a\nport=220\n", "line replaced");
	/* no match: nothing changes, nothing added */
	expect(&LE(.regexp = "^nope(.*)", .line = "\\1", .backrefs = 1),
	    "a\n", "a\n", "");
	/* (?:...) does not count as a group, Python-style */
	expect(&LE(.regexp = "^(?:x|y)=(.*)$", .line = "v=\\1",
	    .backrefs = 1), "y=5\n", "v=5\n", "line replaced");
	/* escapes in the template; an unmatched optional group is empty */
	expect_once(&LE(.regexp = "^k(a)?=(.*)", .line = "[\\1]\\t\\\\\\2",
	    .backrefs = 1), "k=v\n", "[]\t\\v\n", "line replaced");
	/* without backrefs, \1 is literal */
	expect(&LE(.regexp = "^k=", .line = "k=\\1"), "k=v\n", "k=\\1\n",
	    "line replaced");
}

static void
test_backrefs_bad_group(void **state)
{
	(void)state;
	expect_error(&LE(.regexp = "^(a)", .line = "\\2", .backrefs = 1),
	    "a\n", "invalid group reference 2");
	expect_error(&LE(.regexp = "^(?:a)", .line = "\\g<1>", .backrefs = 1),
	    "a\n", "invalid group reference 1");
}

static void
test_search_string(void **state)
{
	(void)state;
	expect(&LE(.search_string = "a.b", .line = "X"), "axb\na.b=1\n",
	    "axb\nX\n", "line replaced");
	expect(&LE(.search_string = "a.b", .absent = 1), "axb\na.b\n", "axb\n",
	    "1 line(s) removed");
}

/* ---------------------------------------------------------------- absent */

static void
test_absent(void **state)
{
	(void)state;
	expect(&LE(.regexp = "^#", .absent = 1), "#a\nb\n#c\n", "b\n",
	    "2 line(s) removed");
	expect(&LE(.regexp = "^#", .absent = 1), "b\n", "b\n", "");
	/* line is compared without its ending */
	expect(&LE(.line = "b", .absent = 1), "a\nb\r\nbb\nb", "a\nbb\n",
	    "2 line(s) removed");
	expect(&LE(.line = "x", .absent = 1), "", "", "");
	/* regexp takes precedence over line */
	expect(&LE(.regexp = "^a", .line = "b", .absent = 1), "a\nb\n", "b\n",
	    "1 line(s) removed");
}

static void
test_absent_found_count(void **state)
{
	struct res x;

	(void)state;
	run(&LE(.regexp = "z", .absent = 1), "z\nz\nz\na", 7, &x);
	assert_int_equal(x.ret, 0);
	assert_int_equal(x.r.found, 3);
	assert_string_equal(x.out.buf, "a");
	assert_string_equal(x.r.msg, "3 line(s) removed");
	res_release(&x);
}

/* ----------------------------------------------------------------- bytes */

static void
test_nul_bytes(void **state)
{
	static const char in[] = "k\0=1\nother\n";
	static const char want[] = "k\0=1\nother\nnew\n";
	struct res x;

	(void)state;
	run(&LE(.line = "new"), in, sizeof(in) - 1, &x);
	assert_int_equal(x.ret, 0);
	assert_int_equal(x.out.len, sizeof(want) - 1);
	assert_memory_equal(x.out.buf, want, sizeof(want) - 1);
	res_release(&x);
	/* the regexp sees the bytes after the NUL (REG_STARTEND) */
	run(&LE(.regexp = "=1$", .line = "k=2"), in, sizeof(in) - 1, &x);
	assert_int_equal(x.ret, 0);
	assert_string_equal(x.out.buf, "k=2\nother\n");
	res_release(&x);
}

/* ---------------------------------------------------------------- errors */

static void
test_option_errors(void **state)
{
	(void)state;
	expect_error(&LE(.regexp = "a"), "", "line is required with "
	    "state=present");
	expect_error(&LE(.line = "x", .backrefs = 1), "", "regexp is "
	    "required with backrefs=true");
	expect_error(&LE(.absent = 1), "", "one of line, search_string, or "
	    "regexp is required");
	expect_error(&LE(.line = "x", .insertafter = "a", .insertbefore = "b"),
	    "", "mutually exclusive: insertbefore|insertafter");
	expect_error(&LE(.line = "x", .regexp = "a", .search_string = "b"),
	    "", "mutually exclusive: regexp|search_string");
	expect_error(&LE(.line = "x", .backrefs = 1, .search_string = "b"),
	    "", "mutually exclusive: backrefs|search_string");
}

static void
test_regexp_errors(void **state)
{
	(void)state;
	expect_error(&LE(.regexp = "(", .line = "x"), "a\n", "invalid regexp "
	    "'('");
	expect_error(&LE(.regexp = "a(?=b)", .line = "x"), "a\n",
	    "unsupported '(?' construct");
	expect_error(&LE(.regexp = "a\\", .line = "x"), "a\n",
	    "trailing backslash");
	expect_error(&LE(.regexp = "[ab", .line = "x"), "a\n", "unterminated [");
	expect_error(&LE(.line = "x", .insertafter = "(?P<n>a)"), "a\n",
	    "unsupported");
	expect_error(&LE(.regexp = "a(?i)", .line = "x"), "a\n",
	    "unsupported '(?' construct");
	expect_error(&LE(.line = "x", .insertbefore = "*a"), "a\n",
	    "invalid regexp");
	expect_error(&LE(.regexp = "[\\S]", .line = "x"), "a\n",
	    "unsupported '\\D', '\\S' or '\\W' inside []");
}

/* ----------------------------------------------------- regexp translation */

static void
expect_ere(const char *py, const char *ere, int icase)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int map[10], ic = -1;

	assert_int_equal(lineedit_regex_translate(py, &out, map, 10, &ic, &err),
	    0);
	assert_string_equal(out.buf, ere);
	assert_int_equal(ic, icase);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
test_translate(void **state)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int map[5], ic;

	(void)state;
	expect_ere("^\\s*Port\\s+\\d+$", "^\\s*Port\\s+[0-9]+$", 0);
	expect_ere("\\D\\t\\.", "[^0-9]\t\\.", 0);
	expect_ere("(?i)^foo", "^foo", 1);
	expect_ere("[\\d\\s]", "[0-9[:space:]]", 0);
	expect_ere("[ \\t]+", "[ \t]+", 0);
	expect_ere("[\\]x]", "[]x]", 0);
	expect_ere("[a\\-]", "[a-]", 0);
	expect_ere("[\\-]", "[-]", 0);
	expect_ere("[\\^a]", "[a^]", 0);
	expect_ere("[\\^]", "\\^", 0);
	expect_ere("[^\\]]", "[^]]", 0);
	expect_ere("[[:space:]]x", "[[:space:]]x", 0);
	expect_ere("\\<a\\>", "<a>", 0);
	expect_ere("\\Aa\\Z", "^a$", 0);
	expect_ere("[\\\\]", "[\\]", 0);
	/* group numbering: Python counts capturing groups only */
	assert_int_equal(lineedit_regex_translate("(?:a)(b)((?:c)d)", &out,
	    map, 5, &ic, &err), 0);
	assert_string_equal(out.buf, "(a)(b)((c)d)");
	assert_int_equal(map[0], -1);
	assert_int_equal(map[1], 2);
	assert_int_equal(map[2], 3);
	assert_int_equal(map[3], -1);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
test_icase(void **state)
{
	(void)state;
	expect(&LE(.regexp = "(?i)^certverify", .line = "CERTVERIFY 1"),
	    "certVerify = yes\n", "CERTVERIFY 1\n", "line replaced");
	expect(&LE(.regexp = "^certverify", .line = "CERTVERIFY 1"),
	    "certVerify = yes\n", "certVerify = yes\nCERTVERIFY 1\n",
	    "line added");
}

/* -------------------------------------------------------------- fixtures */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* "key=value" lines into o (the strings point into args, modified). */
static void
parse_args(char *args, struct lineedit *o)
{
	char *line = args, *nl, *eq;

	memset(o, 0, sizeof(*o));
	for (; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			fail_msg("bad args line '%s'", line);
		*eq++ = '\0';
		if (strcmp(line, "state") == 0)
			o->absent = strcmp(eq, "absent") == 0;
		else if (strcmp(line, "regexp") == 0)
			o->regexp = eq;
		else if (strcmp(line, "search_string") == 0)
			o->search_string = eq;
		else if (strcmp(line, "line") == 0)
			o->line = eq;
		else if (strcmp(line, "insertafter") == 0)
			o->insertafter = eq;
		else if (strcmp(line, "insertbefore") == 0)
			o->insertbefore = eq;
		else if (strcmp(line, "firstmatch") == 0)
			o->firstmatch = strcmp(eq, "true") == 0;
		else if (strcmp(line, "backrefs") == 0)
			o->backrefs = strcmp(eq, "true") == 0;
		else
			fail_msg("unknown fixture argument '%s'", line);
	}
	if (!o->absent && o->insertafter == NULL && o->insertbefore == NULL)
		o->insertafter = "EOF";      /* the module's default */
}

static void
run_fixture(const char *dir, const char *name)
{
	char path[1024];
	size_t inlen, alen, elen, rlen;
	char *in, *args, *exp, *result, want[128];
	struct lineedit o;
	struct res x;

	snprintf(path, sizeof(path), "%s/%s/input", dir, name);
	in = slurp(path, &inlen);
	snprintf(path, sizeof(path), "%s/%s/args", dir, name);
	args = slurp(path, &alen);
	snprintf(path, sizeof(path), "%s/%s/expected", dir, name);
	exp = slurp(path, &elen);
	snprintf(path, sizeof(path), "%s/%s/result", dir, name);
	result = slurp(path, &rlen);
	if (in == NULL || args == NULL || exp == NULL || result == NULL)
		fail_msg("fixture %s is incomplete", name);
	parse_args(args, &o);
	run(&o, in, inlen, &x);
	if (x.ret != 0)
		fail_msg("fixture %s: error %s", name, x.err.buf);
	if (x.out.len != elen || memcmp(x.out.buf, exp, elen) != 0)
		fail_msg("fixture %s: got '%s', expected '%s'", name, x.out.buf,
		    exp);
	snprintf(want, sizeof(want), "changed=%d\nmsg=%s\n", x.r.changed,
	    x.r.msg);
	if (strcmp(want, result) != 0)
		fail_msg("fixture %s: got result '%s', expected '%s'", name,
		    want, result);
	res_release(&x);
	free(in);
	free(args);
	free(exp);
	free(result);
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
	snprintf(dir, sizeof(dir), "%s/lineinfile",
	    base ? base : "tests/unit/fixtures");
	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s (run from the repository root)", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR &&
		    de->d_type != DT_UNKNOWN))
			continue;             /* README.md */
		run_fixture(dir, de->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regexp_replaces_last_match),
		cmocka_unit_test(test_no_match_appends),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_insertafter),
		cmocka_unit_test(test_insertbefore),
		cmocka_unit_test(test_backrefs),
		cmocka_unit_test(test_backrefs_bad_group),
		cmocka_unit_test(test_search_string),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_absent_found_count),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_regexp_errors),
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_icase),
		cmocka_unit_test(test_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
