/* test_template.c - the Jinja2 subset: syntax, semantics, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template.h"
#include "runner/util/value.h"
#include "runner/util/yamlload.h"

static const char vars_yaml[] =
	"s: hello\n"
	"n: 42\n"
	"neg: -3\n"
	"zero: 0\n"
	"t: true\n"
	"f: false\n"
	"nul: null\n"
	"empty: ''\n"
	"lst: [a, 1, true]\n"
	"nums: [3, 1, 2]\n"
	"nolist: []\n"
	"m: {k: v, '0': zero, nested: {deep: 1}}\n"
	"yes_str: 'yes'\n"
	"on_str: 'On'\n"
	"y_str: 'y'\n"
	"one_str: '1'\n"
	"num_str: \" 12 \"\n"
	"float_str: '42.7'\n"
	"hex_str: '0x1f'\n"
	"under_str: '1_000'\n"
	"big_str: '99999999999999999999'\n"
	"quote_me: \"it's\"\n"
	"safe_word: 'abc-1.2/x@%+=:,_'\n"
	"res_changed: {changed: true, failed: false, rc: 0}\n"
	"res_failed: {changed: false, failed: true, rc: 2}\n"
	"res_skipped: {skipped: true, changed: false}\n"
	"res_plain: {rc: 0}\n"
	"lazy: '{{ s }} world'\n"
	"lazy_list: '{{ lst }}'\n"
	"lazy_map: {inner: '{{ n + 1 }}', plain: x}\n"
	"lazy2: '{{ lazy }}!'\n"
	"selfref: '{{ selfref }}'\n"
	"bad_lazy: '{{ nope_inner }}'\n"
	"utf: 'h\xc3\xa9llo'\n"
	"flag_false: 'False'\n"
	"flag_true: 'TRUE'\n"
	"spaced: \"  x y \"\n"
	"secret: hunter2\n"
	"creds: {user: bob, pass: pw}\n"
	"leak: 'x{{ secret }}'\n"
	"hostname: web1\n";

static struct val *vars;
static struct pos P;

static int
setup(void **state)
{
	struct err e = ERR_INIT;

	(void)state;
	if (yaml_load_string("vars.yml", vars_yaml, strlen(vars_yaml), &vars,
	    &e) < 0) {
		err_print(&e, stderr);
		err_release(&e);
		return -1;
	}
	val_mark_unsafe(val_map_get(vars, "secret"));
	val_mark_unsafe(val_map_getpath(vars, "creds.pass"));
	P.file = pos_intern("t.yml");
	P.line = 3;
	P.col = 10;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	val_free(vars);
	return 0;
}

/* Render tmpl as text; on error the text is "ERR " + the message. */
static char *
render(const char *tmpl)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (tmpl_render(tmpl, vars, &P, &sb, &e) < 0) {
		assert_int_equal(sb.len, 0);
		strbuf_addstr(&sb, "ERR ");
		strbuf_addbuf(&sb, &e.msg);
		strbuf_rtrim(&sb);
	}
	err_release(&e);
	return strbuf_detach(&sb, NULL);
}

static void
expect_render(const char *tmpl, const char *want)
{
	char *got = render(tmpl);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "template: %s\n  got:  %s\n  want: %s\n", tmpl,
		    got, want);
		free(got);
		fail();
	}
	free(got);
}

/* Evaluate a bare expression; result as compact JSON plus the type. */
static char *
eval(const char *expr)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *v = NULL;

	if (tmpl_eval(expr, vars, &P, &v, &e) < 0) {
		assert_null(v);
		strbuf_addstr(&sb, "ERR ");
		strbuf_addbuf(&sb, &e.msg);
		strbuf_rtrim(&sb);
	} else {
		strbuf_addf(&sb, "%s ", val_type_name(v->type));
		val_to_json(v, &sb, -1);
	}
	val_free(v);
	err_release(&e);
	return strbuf_detach(&sb, NULL);
}

static void
expect_eval(const char *expr, const char *want)
{
	char *got = eval(expr);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "expression: %.100s\n  got:  %s\n  want: %s\n", expr,
		    got, want);
		free(got);
		fail();
	}
	free(got);
}

/* Syntax check: "" when fine, else the message. */
static void
expect_syntax(const char *tmpl, int expr, const char *want)
{
	struct err e = ERR_INIT;
	int r = expr ? tmpl_check_expr(tmpl, &P, &e) : tmpl_check(tmpl, &P, &e);

	strbuf_rtrim(&e.msg);
	if ((r == 0) != (*want == '\0') || strcmp(e.msg.buf, want) != 0) {
		fprintf(stderr, "check: %.100s\n  got:  %d %s\n  want: %s\n", tmpl,
		    r, e.msg.buf, want);
		err_release(&e);
		fail();
	}
	err_release(&e);
}

static void
test_has(void **state)
{
	(void)state;
	assert_true(tmpl_has("a {{ b }}"));
	assert_true(tmpl_has("{% if %}"));
	assert_true(tmpl_has("x{#"));
	assert_false(tmpl_has("a { b } }} {"));
	assert_false(tmpl_has(""));
	assert_false(tmpl_has(NULL));
	assert_false(tmpl_has("${HOME}"));
}

static void
test_literals(void **state)
{
	(void)state;
	expect_eval("42", "int 42");
	expect_eval("1_000", "int 1000");
	expect_eval("-7", "int -7");
	expect_eval("9223372036854775807", "int 9223372036854775807");
	expect_eval("'a\\'b\\n\\t\\\\\\x'", "string \"a'b\\n\\t\\\\\\\\x\"");
	expect_eval("\"dq 'x'\"", "string \"dq 'x'\"");
	expect_eval("true", "bool true");
	expect_eval("True", "bool true");
	expect_eval("false", "bool false");
	expect_eval("False", "bool false");
	expect_eval("none", "null null");
	expect_eval("None", "null null");
	expect_eval("[]", "list []");
	expect_eval("[1, 'a', [true],]", "list [1,\"a\",[true]]");
	expect_eval("{}", "mapping {}");
	expect_eval("{'a': 1, \"b\": [2], 'a': 3}", "mapping {\"a\":3,\"b\":[2]}");
	expect_eval("((1))", "int 1");
}

static void
test_access(void **state)
{
	(void)state;
	expect_eval("s", "string \"hello\"");
	expect_eval("m.k", "string \"v\"");
	expect_eval("m['k']", "string \"v\"");
	expect_eval("m[\"nested\"].deep", "int 1");
	expect_eval("m.nested['deep']", "int 1");
	expect_eval("m.0", "string \"zero\"");
	expect_eval("m[0]", "string \"zero\"");
	expect_eval("m['0']", "string \"zero\"");
	expect_eval("lst[0]", "string \"a\"");
	expect_eval("lst.1", "int 1");
	expect_eval("lst[-1]", "bool true");
	expect_eval("lst[-3]", "string \"a\"");
	expect_eval("lst[1 + 1]", "bool true");
	expect_eval("s[0]", "string \"h\"");
	expect_eval("s[-1]", "string \"o\"");
	expect_eval("utf[1]", "string \"\xc3\xa9\"");
	expect_eval("[10, 20][1]", "int 20");
	expect_eval("{'a': {'b': 5}}.a.b", "int 5");
	expect_eval("res_changed.rc", "int 0");
	/* out of range, wrong type: undefined, an error when used */
	expect_eval("lst[3]", "ERR t.yml:3:10: error: 'lst[3]' is undefined");
	expect_eval("lst[-4]", "ERR t.yml:3:10: error: 'lst[-4]' is undefined");
	expect_eval("lst['0']", "ERR t.yml:3:10: error: 'lst['0']' is undefined");
	expect_eval("n.x", "ERR t.yml:3:10: error: 'n.x' is undefined");
	expect_eval("m.nope.deeper",
	    "ERR t.yml:3:10: error: 'm.nope' is undefined");
	expect_eval("  nope.a.b",
	    "ERR t.yml:3:12: error: 'nope' is undefined");
	expect_eval("lst[nope]", "ERR t.yml:3:14: error: 'nope' is undefined");
	expect_eval("hostnme",
	    "ERR t.yml:3:10: error: 'hostnme' is undefined "
	    "(did you mean 'hostname'?)");
	expect_eval("m.nope | default('d')", "string \"d\"");
	expect_eval("nope.a.b | default('d')", "string \"d\"");
}

static void
test_arith(void **state)
{
	(void)state;
	expect_eval("1 + 2", "int 3");
	expect_eval("n - 50", "int -8");
	expect_eval("2 + 3 * 4", "int 14");
	expect_eval("(2 + 3) * 4", "int 20");
	expect_eval("7 // 2", "int 3");
	expect_eval("-7 // 2", "int -4");
	expect_eval("7 // -2", "int -4");
	expect_eval("7 % 3", "int 1");
	expect_eval("-7 % 2", "int 1");
	expect_eval("7 % -2", "int -1");
	expect_eval("-9223372036854775807 - 1 // -1",
	    "int -9223372036854775806");
	expect_eval("-n", "int -42");
	expect_eval("- -n", "int 42");
	expect_eval("+n", "int 42");
	expect_eval("t + 1", "int 2");
	expect_eval("'ab' + 'cd'", "string \"abcd\"");
	expect_eval("[1] + [2, 3]", "list [1,2,3]");
	expect_eval("'ab' * 3", "string \"ababab\"");
	expect_eval("2 * 'x'", "string \"xx\"");
	expect_eval("'ab' * -1", "string \"\"");
	expect_eval("[1] * 2", "list [1,1]");
	expect_eval("9223372036854775807 + 1",
	    "ERR t.yml:3:30: error: integer overflow in '+'");
	expect_eval("0 - 9223372036854775807 - 2",
	    "ERR t.yml:3:34: error: integer overflow in '-'");
	expect_eval("4611686018427387904 * 2",
	    "ERR t.yml:3:30: error: integer overflow in '*'");
	expect_eval("(-9223372036854775807 - 1) // -1",
	    "ERR t.yml:3:37: error: integer overflow in '//'");
	expect_eval("-(-9223372036854775807 - 1)",
	    "ERR t.yml:3:10: error: integer overflow in '-'");
	expect_eval("(-9223372036854775807 - 1) % -1", "int 0");
	expect_eval("1 // 0", "ERR t.yml:3:12: error: division by zero");
	expect_eval("1 % zero", "ERR t.yml:3:12: error: division by zero");
	expect_eval("1 + 'a'", "ERR t.yml:3:12: error: unsupported operand "
	    "types for '+': int and string");
	expect_eval("[1] - [1]", "ERR t.yml:3:14: error: unsupported operand "
	    "types for '-': list and list");
	expect_eval("-s", "ERR t.yml:3:10: error: bad operand type for unary "
	    "'-': string");
	expect_eval("'x' * 99999999", "ERR t.yml:3:14: error: result of '*' "
	    "is too large");
}

static void
test_concat(void **state)
{
	(void)state;
	expect_eval("s ~ '-' ~ n", "string \"hello-42\"");
	expect_eval("t ~ nul ~ lst", "string \"TrueNone['a', 1, True]\"");
	expect_eval("m.nested ~ ''", "string \"{'deep': 1}\"");
	expect_eval("nope ~ 'x'", "ERR t.yml:3:10: error: 'nope' is undefined");
}

static void
test_compare(void **state)
{
	(void)state;
	expect_eval("1 == 1", "bool true");
	expect_eval("n == '42'", "bool false");
	expect_eval("1 == true", "bool true");
	expect_eval("0 == false", "bool true");
	expect_eval("2 == true", "bool false");
	expect_eval("nul == none", "bool true");
	expect_eval("lst == ['a', 1, true]", "bool true");
	expect_eval("m.nested == {'deep': 1}", "bool true");
	expect_eval("s != 'hello'", "bool false");
	expect_eval("1 < 2", "bool true");
	expect_eval("2 <= 2", "bool true");
	expect_eval("3 > 2", "bool true");
	expect_eval("2 >= 3", "bool false");
	expect_eval("'abc' < 'abd'", "bool true");
	expect_eval("'ab' < 'abc'", "bool true");
	expect_eval("'b' > 'abc'", "bool true");
	expect_eval("[1, 2] < [1, 3]", "bool true");
	expect_eval("[1, 2] < [1, 2, 0]", "bool true");
	expect_eval("[2] > [1, 9]", "bool true");
	expect_eval("false < 1", "bool true");
	/* chained like Python: 1 < 2 and 2 == true */
	expect_eval("1 < 2 == true", "bool false");
	expect_eval("1 < n < 100", "bool true");
	expect_eval("1 < n < 10", "bool false");
	expect_eval("3 < 2 < nope", "bool false");
	expect_eval("1 < 'a'", "ERR t.yml:3:12: error: '<' not supported "
	    "between int and string");
	expect_eval("nul >= nul", "ERR t.yml:3:14: error: '>=' not supported "
	    "between null and null");
	expect_eval("[1] < ['a']", "ERR t.yml:3:14: error: '<' not supported "
	    "between int and string");
	expect_eval("nope == 1", "ERR t.yml:3:10: error: 'nope' is undefined");
}

static void
test_in(void **state)
{
	(void)state;
	expect_eval("'ell' in s", "bool true");
	expect_eval("'' in s", "bool true");
	expect_eval("'x' in s", "bool false");
	expect_eval("'x' not in s", "bool true");
	expect_eval("1 in lst", "bool true");
	expect_eval("true in lst", "bool true");
	expect_eval("'1' in lst", "bool false");
	expect_eval("'k' in m", "bool true");
	expect_eval("'v' in m", "bool false");
	expect_eval("0 in m", "bool false");
	expect_eval("'nested' not in m", "bool false");
	expect_eval("1 in s", "ERR t.yml:3:12: error: 'in <string>' needs a "
	    "string on the left, not int");
	expect_eval("1 in n", "ERR t.yml:3:12: error: 'in' needs a string, "
	    "list or mapping on the right, not int");
}

static void
test_logic(void **state)
{
	(void)state;
	expect_eval("t and n", "int 42");
	expect_eval("f and nope", "bool false");
	expect_eval("empty or 'fallback'", "string \"fallback\"");
	expect_eval("s or nope", "string \"hello\"");
	expect_eval("zero or nul", "null null");
	expect_eval("not t", "bool false");
	expect_eval("not empty", "bool true");
	expect_eval("not not lst", "bool true");
	expect_eval("not nope", "ERR t.yml:3:14: error: 'nope' is undefined");
	expect_eval("f or nope", "ERR t.yml:3:15: error: 'nope' is undefined");
	expect_eval("'y' if t else 'n'", "string \"y\"");
	expect_eval("'y' if f else 'n'", "string \"n\"");
	expect_eval("'y' if f else 'n' if t else 'm'", "string \"n\"");
	expect_eval("nope if f else 1", "int 1");
	expect_eval("'y' if f", "ERR t.yml:3:10: error: inline if-expression "
	    "is false and has no else branch, so its value is undefined");
	expect_eval("('y' if f) | default('z')", "string \"z\"");
}

static void
test_precedence(void **state)
{
	(void)state;
	/* filters bind tighter than not: not ('2') vs (not 2) | string */
	expect_eval("not 2 | string", "bool false");
	expect_eval("(not 2) | string", "string \"False\"");
	expect_eval("not 'yes' | bool", "bool false");
	/* unary minus binds tighter than filters: (-n) | string */
	expect_eval("-n | string", "string \"-42\"");
	/* ~ binds tighter than + (Jinja2): ('x' ~ 1) + 'y' */
	expect_eval("'x' ~ 1 + 'y'", "string \"x1y\"");
	expect_eval("1 + 2 ~ 3", "ERR t.yml:3:12: error: unsupported operand "
	    "types for '+': int and string");
	/* * binds tighter than ~ */
	expect_eval("'a' ~ 2 * 3", "string \"a6\"");
	/* comparison below arithmetic, not below comparison */
	expect_eval("not 1 + 1 == 3", "bool true");
	expect_eval("1 + 1 in [2]", "bool true");
	/* and binds tighter than or */
	expect_eval("t or f and nope", "bool true");
	expect_eval("f and t or 'x'", "string \"x\"");
	/* if-else is the lowest */
	expect_eval("'a' if f else 'b' ~ 'c'", "string \"bc\"");
	expect_eval("1 if t or f else 2", "int 1");
	/* tests bind like filters: a ~ (b is defined) */
	expect_eval("'x' ~ nope is defined", "string \"xFalse\"");
	expect_eval("nope | default(1) is defined", "bool true");
	expect_eval("n | string | length", "int 2");
	expect_eval("lst[0] | upper", "string \"A\"");
	expect_eval("m.k | upper ~ s", "string \"Vhello\"");
}

static void
test_filter_default(void **state)
{
	(void)state;
	expect_eval("nope | default", "string \"\"");
	expect_eval("nope | default(5)", "int 5");
	expect_eval("nope | d([1])", "list [1]");
	expect_eval("s | default(5)", "string \"hello\"");
	expect_eval("empty | default('e')", "string \"\"");
	expect_eval("empty | default('e', true)", "string \"e\"");
	expect_eval("empty | default('e', boolean=true)", "string \"e\"");
	expect_eval("zero | d('z', true)", "string \"z\"");
	expect_eval("nul | default('z')", "null null");
	expect_eval("s | default('e', true)", "string \"hello\"");
	expect_eval("nope | default(default_value=3)", "int 3");
	expect_eval("nope | ansible.builtin.default(4)", "int 4");
	expect_eval("nope | default(other)",
	    "ERR t.yml:3:25: error: 'other' is undefined");
	expect_eval("nope | default(other) | default(7)", "int 7");
	expect_eval("s | default(1, nope2)",
	    "ERR t.yml:3:25: error: 'nope2' is undefined");
	expect_eval("nope | default(omit)",
	    "string \"" TMPL_OMIT "\"");
}

static void
test_filter_bool(void **state)
{
	(void)state;
	expect_eval("yes_str | bool", "bool true");
	expect_eval("on_str | bool", "bool true");
	expect_eval("one_str | bool", "bool true");
	expect_eval("'TRUE' | bool", "bool true");
	expect_eval("y_str | bool", "bool false");
	expect_eval("'no' | bool", "bool false");
	expect_eval("'junk' | bool", "bool false");
	expect_eval("' yes' | bool", "bool false");
	expect_eval("1 | bool", "bool true");
	expect_eval("2 | bool", "bool false");
	expect_eval("0 | bool", "bool false");
	expect_eval("t | bool", "bool true");
	expect_eval("f | bool", "bool false");
	expect_eval("nul | bool", "bool false");
	expect_eval("lst | bool", "bool false");
	expect_eval("nope | bool", "ERR t.yml:3:10: error: 'nope' is undefined");
}

static void
test_filter_int(void **state)
{
	(void)state;
	expect_eval("n | int", "int 42");
	expect_eval("num_str | int", "int 12");
	expect_eval("'-5' | int", "int -5");
	expect_eval("'+5' | int", "int 5");
	expect_eval("float_str | int", "int 42");
	expect_eval("'-2.9' | int", "int -2");
	expect_eval("'1e3' | int", "int 1000");
	expect_eval("under_str | int", "int 1000");
	expect_eval("'1__0' | int", "int 0");
	expect_eval("hex_str | int", "int 0");
	expect_eval("hex_str | int(base=16)", "int 31");
	expect_eval("'ff' | int(0, 16)", "int 255");
	expect_eval("'777' | int(base=8)", "int 511");
	expect_eval("'x' | int", "int 0");
	expect_eval("'' | int", "int 0");
	expect_eval("'inf' | int", "int 0");
	expect_eval("'nan' | int", "int 0");
	expect_eval("'x' | int(7)", "int 7");
	expect_eval("'x' | int(default='d')", "string \"d\"");
	expect_eval("t | int", "int 1");
	expect_eval("nul | int", "int 0");
	expect_eval("lst | int", "int 0");
	expect_eval("'9223372036854775807' | int", "int 9223372036854775807");
	expect_eval("'-9223372036854775808' | int",
	    "int -9223372036854775808");
	expect_eval("big_str | int",
	    "ERR t.yml:3:20: error: 'int' filter: value out of range");
	expect_eval("'1e30' | int",
	    "ERR t.yml:3:19: error: 'int' filter: value out of range");
	expect_eval("'1' | int(base=1)", "ERR t.yml:3:16: error: 'int' filter: "
	    "base must be an integer from 2 to 36");
}

static void
test_filter_strings(void **state)
{
	(void)state;
	expect_eval("n | string", "string \"42\"");
	expect_eval("t | string", "string \"True\"");
	expect_eval("nul | string", "string \"None\"");
	expect_eval("lst | string", "string \"['a', 1, True]\"");
	expect_eval("s | string", "string \"hello\"");
	expect_eval("'MiXed' | lower", "string \"mixed\"");
	expect_eval("'MiXed' | upper", "string \"MIXED\"");
	expect_eval("t | lower", "string \"true\"");
	expect_eval("spaced | trim", "string \"x y\"");
	expect_eval("s | quote", "string \"hello\"");
	expect_eval("safe_word | quote", "string \"abc-1.2/x@%+=:,_\"");
	expect_eval("quote_me | quote", "string \"'it'\\\"'\\\"'s'\"");
	expect_eval("'a b' | quote", "string \"'a b'\"");
	expect_eval("'$(rm -rf /)' | quote", "string \"'$(rm -rf /)'\"");
	expect_eval("empty | quote", "string \"''\"");
	expect_eval("nul | quote", "string \"''\"");
	expect_eval("n | quote", "string \"42\"");
	expect_eval("'x' | lower(1)", "ERR t.yml:3:22: error: filter 'lower' "
	    "takes at most 0 arguments");
}

static void
test_filter_seq(void **state)
{
	(void)state;
	expect_eval("s | length", "int 5");
	expect_eval("utf | length", "int 5");
	expect_eval("lst | length", "int 3");
	expect_eval("m | count", "int 3");
	expect_eval("empty | length", "int 0");
	expect_eval("n | length",
	    "ERR t.yml:3:14: error: 'length' filter: int has no length");
	expect_eval("n | count",
	    "ERR t.yml:3:14: error: 'count' filter: int has no length");
	expect_eval("lst | join", "string \"a1True\"");
	expect_eval("lst | join(', ')", "string \"a, 1, True\"");
	expect_eval("lst | join(d='-')", "string \"a-1-True\"");
	expect_eval("nums | join(0)", "string \"30102\"");
	expect_eval("m | join(',')", "string \"k,0,nested\"");
	expect_eval("utf | join('.')", "string \"h.\xc3\xa9.l.l.o\"");
	expect_eval("nolist | join(',')", "string \"\"");
	expect_eval("n | join",
	    "ERR t.yml:3:14: error: 'join' filter needs a list, not int");
	expect_eval("lst | join(',', 'x')", "ERR t.yml:3:26: error: filter "
	    "'join' takes at most 1 argument");
	expect_eval("nums | first", "int 3");
	expect_eval("nums | last", "int 2");
	expect_eval("utf | last", "string \"o\"");
	expect_eval("utf | first", "string \"h\"");
	expect_eval("'\xc3\xa9' | last", "string \"\xc3\xa9\"");
	expect_eval("m | first", "string \"k\"");
	expect_eval("nolist | first", "ERR t.yml:3:19: error: 'first' of an "
	    "empty sequence is undefined");
	expect_eval("nolist | last | default(0)", "int 0");
	expect_eval("n | first", "ERR t.yml:3:14: error: 'first' filter needs "
	    "a sequence, not int");
}

static void
test_tests(void **state)
{
	(void)state;
	expect_eval("s is defined", "bool true");
	expect_eval("nope is defined", "bool false");
	expect_eval("nope is not defined", "bool true");
	expect_eval("nope is undefined", "bool true");
	expect_eval("m.nope is undefined", "bool true");
	expect_eval("nul is defined", "bool true");
	expect_eval("res_changed is changed", "bool true");
	expect_eval("res_failed is changed", "bool false");
	expect_eval("res_failed is not changed", "bool true");
	expect_eval("res_failed is failed", "bool true");
	expect_eval("res_changed is failed", "bool false");
	expect_eval("res_plain is failed", "bool false");
	expect_eval("res_skipped is skipped", "bool true");
	expect_eval("res_changed is skipped", "bool false");
	expect_eval("res_changed is succeeded", "bool true");
	expect_eval("res_failed is success", "bool false");
	expect_eval("res_plain is successful", "bool true");
	expect_eval("res_changed is change", "bool true");
	expect_eval("res_failed is failure", "bool true");
	expect_eval("res_skipped is skip", "bool true");
	expect_eval("res_changed is ansible.builtin.changed", "bool true");
	expect_eval("s is changed", "ERR t.yml:3:15: error: test 'changed' "
	    "needs a mapping (a registered result), not string");
	expect_eval("nope is failed",
	    "ERR t.yml:3:10: error: 'nope' is undefined");
	expect_eval("nul is none", "bool true");
	expect_eval("t is true", "bool true");
	expect_eval("1 is true", "bool false");
	expect_eval("f is false", "bool true");
	expect_eval("s is string", "bool true");
	expect_eval("n is number", "bool true");
	expect_eval("t is integer", "bool false");
	expect_eval("t is boolean", "bool true");
	expect_eval("m is mapping", "bool true");
	expect_eval("lst is sequence", "bool true");
	expect_eval("n is iterable", "bool false");
	expect_eval("s is truthy", "bool true");
	expect_eval("empty is falsy", "bool true");
	expect_eval("empty is not falsy", "bool false");
}

static void
test_render_text(void **state)
{
	(void)state;
	expect_render("plain text", "plain text");
	expect_render("", "");
	expect_render("{{ s }} {{ n }}!", "hello 42!");
	expect_render("a { b } }} c", "a { b } }} c");
	expect_render("{{ t }}/{{ f }}", "True/False");
	expect_render("[{{ nul }}]", "[]");
	expect_render("{{ lst }}", "['a', 1, True]");
	expect_render("x{{ m }}", "x{'k': 'v', '0': 'zero', 'nested': "
	    "{'deep': 1}}");
	expect_render("{{ '}}' }}", "}}");
	expect_render("{{ {'a': {'b': 1}}.a.b }}", "1");
	expect_render("{{ {'a':1}}}", "{'a': 1}");
	expect_render("a  {{- s -}}  b", "ahellob");
	expect_render("a\n  {{- s }}\n", "ahello\n");
	expect_render("{{ s -}}\n\n x", "hellox");
	expect_render("{{-1}}", "1");
	expect_render("{{ 5 -}} x", "5x");
	expect_render("{{ s }}{{ s }}", "hellohello");
	expect_render("{{\n s\n }}", "hello");
	expect_render("{{ lazy }}", "hello world");
	expect_render("{{ nope }}", "ERR t.yml:3:13: error: 'nope' is undefined");
}

static struct val *
render_val_str(const char *s, int quoted, char **errmsg)
{
	struct val *in = val_str(s), *out = NULL;
	struct err e = ERR_INIT;

	in->pos = P;
	in->quoted = quoted;
	*errmsg = NULL;
	if (tmpl_render_val(in, vars, &out, &e) < 0) {
		strbuf_rtrim(&e.msg);
		*errmsg = strbuf_detach(&e.msg, NULL);
	}
	err_release(&e);
	val_free(in);
	return out;
}

static void
test_render_native(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct val *v;
	char *msg;

	(void)state;
	v = render_val_str("{{ lst }}", 0, &msg);
	assert_null(msg);
	assert_int_equal(v->type, V_LIST);
	assert_int_equal(v->u.list.n, 3);
	assert_int_equal(v->pos.line, 3);
	val_free(v);
	/* whitespace around: a string, unless a list or mapping follows
	 * (ansible-core 2.14, measured) */
	v = render_val_str("  {{ n + 1 }}\n", 0, &msg);
	assert_int_equal(v->type, V_STR);
	assert_string_equal(v->u.str.s, "  43\n");
	val_free(v);
	v = render_val_str("{{ n }}\n", 0, &msg);
	assert_int_equal(v->type, V_INT);
	val_free(v);
	v = render_val_str("{{ s }}\n", 0, &msg);
	assert_int_equal(v->type, V_STR);
	assert_string_equal(v->u.str.s, "hello\n");
	val_free(v);
	v = render_val_str("{{ lst }} ", 0, &msg);
	assert_int_equal(v->type, V_LIST);
	val_free(v);
	v = render_val_str(" {{ lst }}", 0, &msg);
	assert_int_equal(v->type, V_STR);
	val_free(v);
	v = render_val_str("{{ t }}", 0, &msg);
	assert_int_equal(v->type, V_BOOL);
	val_free(v);
	v = render_val_str("{{ nul }}", 0, &msg);
	assert_int_equal(v->type, V_NULL);
	val_free(v);
	v = render_val_str("{{ n }} ", 0, &msg);
	assert_int_equal(v->type, V_STR);
	assert_string_equal(v->u.str.s, "42 ");
	val_free(v);
	v = render_val_str("x{{ n }}", 0, &msg);
	assert_int_equal(v->type, V_STR);
	assert_string_equal(v->u.str.s, "x42");
	val_free(v);
	v = render_val_str("{{ n }}{{ n }}", 0, &msg);
	assert_int_equal(v->type, V_STR);
	assert_string_equal(v->u.str.s, "4242");
	val_free(v);
	v = render_val_str("{{ lazy_list }}", 0, &msg);
	assert_int_equal(v->type, V_LIST);
	val_free(v);
	v = render_val_str("{{ lazy_map }}", 0, &msg);
	val_to_json(v, &sb, -1);
	assert_string_equal(sb.buf, "{\"inner\":43,\"plain\":\"x\"}");
	strbuf_release(&sb);
	val_free(v);
	v = render_val_str("no template", 0, &msg);
	assert_string_equal(v->u.str.s, "no template");
	val_free(v);
	v = render_val_str("ab {{ nope }}", 1, &msg);
	assert_null(v);
	assert_string_equal(msg, "t.yml:3:17: error: 'nope' is undefined");
	free(msg);
}

static void
test_render_val_tree(void **state)
{
	struct err e = ERR_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct val *in, *out = NULL;
	const char *y = "a: '{{ n }}'\nb: [x, '{{ s }}-{{ n }}', 3]\n"
	    "'{{ k }}': {c: '{{ lst }}'}\n";

	(void)state;
	assert_int_equal(yaml_load_string("args.yml", y, strlen(y), &in, &e),
	    0);
	assert_int_equal(tmpl_render_val(in, vars, &out, &e), 0);
	val_to_json(out, &sb, -1);
	assert_string_equal(sb.buf, "{\"a\":42,\"b\":[\"x\",\"hello-42\",3],"
	    "\"{{ k }}\":{\"c\":[\"a\",1,true]}}");
	assert_int_equal(out->u.map.items[1].v->pos.line, 2);
	val_free(out);
	val_free(in);
	strbuf_release(&sb);
	/* every bad string is reported */
	y = "a: '{{ nope1 }}'\nb: [ok, 'x {{ nope2 }}']\n";
	assert_int_equal(yaml_load_string("args.yml", y, strlen(y), &in, &e),
	    0);
	assert_int_equal(tmpl_render_val(in, vars, &out, &e), -1);
	assert_null(out);
	assert_int_equal(e.count, 2);
	assert_string_equal(e.msg.buf,
	    "args.yml:1:8: error: 'nope1' is undefined\n"
	    "args.yml:2:15: error: 'nope2' is undefined\n");
	val_free(in);
	err_release(&e);
	assert_int_equal(tmpl_render_val(NULL, vars, &out, &e), 0);
	assert_null(out);
}

static void
test_check_val(void **state)
{
	struct err e = ERR_INIT;
	struct val *in;
	const char *y;

	(void)state;
	/* a: is plain (col 4), the b item double-quoted (col 16 + 1) */
	y = "a: x {{ x | lowr }}\nb: ['{{ ok }}', \"{{ a b }}\"]\n"
	    "c: plain {{ n | bool }}\n";
	assert_int_equal(yaml_load_string("c.yml", y, strlen(y), &in, &e), 0);
	assert_int_equal(tmpl_check_val(in, &e), -1);
	assert_string_equal(e.msg.buf,
	    "c.yml:1:13: error: unknown filter 'lowr' (did you mean "
	    "'lower'?)\n"
	    "c.yml:2:23: error: unexpected 'b'\n");
	val_free(in);
	err_release(&e);
	assert_int_equal(tmpl_check_val(NULL, &e), 0);
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	expect_syntax("{{ s | lower }} and {{ n }}", 0, "");
	expect_syntax("{{ x", 0, "t.yml:3:10: error: unterminated '{{'");
	expect_syntax("ab {{ x + ", 0, "t.yml:3:13: error: unterminated '{{'");
	expect_syntax("ab {{ x }", 0, "t.yml:3:18: error: unexpected '}'");
	expect_syntax("a {% if x %}", 0, "t.yml:3:12: error: unclosed "
	    "'{% if %}' (missing '{% endif %}')");
	expect_syntax("{# c #}", 0, "");
	expect_syntax("a {# c", 0, "t.yml:3:12: error: unterminated comment "
	    "'{#'");
	expect_syntax("{{ 'abc }}", 0, "t.yml:3:13: error: unterminated string");
	expect_syntax("{{ a $ }}", 0,
	    "t.yml:3:15: error: unexpected character '$'");
	expect_syntax("{{ a \x01 }}", 0,
	    "t.yml:3:15: error: unexpected byte 0x01");
	expect_syntax("{{ }}", 0, "t.yml:3:13: error: empty expression");
	expect_syntax("{{ a b }}", 0, "t.yml:3:15: error: unexpected 'b'");
	expect_syntax("{{ a | nope }}", 0,
	    "t.yml:3:17: error: unknown filter 'nope'");
	expect_syntax("{{ a | defualt }}", 0, "t.yml:3:17: error: unknown "
	    "filter 'defualt' (did you mean 'default'?)");
	expect_syntax("{{ a | x.y.default }}", 0,
	    "t.yml:3:17: error: 'x.y.default' is a filter of the Ansible "
	    "collection x.y, which mend does not have (mend has ansible-core's "
	    "filters and tests)");
	expect_syntax("{{ a is chnged }}", 0, "t.yml:3:18: error: unknown test "
	    "'chnged' (did you mean 'changed'?)");
	expect_syntax("{{ a is not }}", 0,
	    "t.yml:3:22: error: expected a name but found '}}'");
	expect_syntax("{{ a | }}", 0,
	    "t.yml:3:17: error: expected a name but found '}}'");
	expect_syntax("{{ a | lower(1) }}", 0, "t.yml:3:23: error: filter "
	    "'lower' takes at most 0 arguments");
	expect_syntax("{{ a | join(x=1) }}", 0, "t.yml:3:22: error: filter "
	    "'join' has no argument named 'x'");
	expect_syntax("{{ a | default(boolean=true, 1) }}", 0, "t.yml:3:39: "
	    "error: positional argument follows keyword argument");
	expect_syntax("{{ a | default(1, default_value=2) }}", 0, "t.yml:3:28: "
	    "error: filter 'default' got argument 'default_value' twice");
	expect_syntax("{{ a | default(1,) }}", 0, "");
	expect_syntax("{{ a | default(1 }}", 0,
	    "t.yml:3:27: error: expected ',' or ')' but found '}}'");
	expect_syntax("{{ a is defined() }}", 0, "");
	expect_syntax("{{ a is defined(1) }}", 0,
	    "t.yml:3:26: error: test 'defined' takes at most 0 arguments");
	expect_syntax("{{ 1.5 }}", 0,
	    "t.yml:3:13: error: floating point numbers are not supported");
	expect_syntax("{{ 99999999999999999999 }}", 0,
	    "t.yml:3:13: error: integer literal too large");
	expect_syntax("{{ a / 2 }}", 0, "t.yml:3:15: error: operator '/' is "
	    "not supported (no floating point), use '//'");
	expect_syntax("{{ a ** 2 }}", 0,
	    "t.yml:3:15: error: operator '**' is not supported");
	expect_syntax("{{ (1, 2) }}", 0, "");
	expect_syntax("{{ () }}", 0, "");
	expect_syntax("{{ a[1:2] }}", 0, "");
	expect_syntax("{{ a[::-1] }}", 0, "");
	expect_syntax("{{ a[1:2:] }}", 0, "");
	expect_syntax("{{ a[] }}", 0, "t.yml:3:15: error: expected an "
	    "expression but found ']'");
	expect_syntax("{{ a[1:2:3:4] }}", 0, "t.yml:3:20: error: expected ']' "
	    "but found ':'");
	expect_syntax("{{ a[1:2 }}", 0, "t.yml:3:19: error: expected ']' "
	    "but found '}}'");
	expect_eval("lst[1:]", "list [1,true]");
	expect_eval("lst[::-1][0]", "bool true");
	expect_eval("utf[1:3]", "string \"\xc3\xa9l\"");
	expect_eval("utf[::-1]", "string \"oll\xc3\xa9h\"");
	expect_eval("[1, 2, 3][::0]", "ERR t.yml:3:22: error: slice step "
	    "cannot be zero");
	expect_eval("{}[1:]", "ERR t.yml:3:10: error: cannot slice a mapping");
	expect_eval("[1][:'x']", "ERR t.yml:3:15: error: slice indices must be "
	    "integers or None, not string");
	expect_syntax("{{ lookup('env', 'HOME') }}", 0, "");
	expect_syntax("{{ s.upper() }}", 0, "");
	expect_syntax("{{ s | lower() () }}", 0, "t.yml:3:25: error: unexpected "
	    "'('");
	expect_syntax("{{ (a }}", 0,
	    "t.yml:3:16: error: expected ')' but found '}}'");
	expect_syntax("{{ [1, 2 }}", 0,
	    "t.yml:3:19: error: expected ',' or ']' but found '}}'");
	expect_syntax("{{ {'a' 1} }}", 0,
	    "t.yml:3:18: error: expected ':' but found '1'");
	expect_syntax("{{ {'a': 1 2} }}", 0,
	    "t.yml:3:21: error: expected ',' or '}' but found '2'");
	expect_syntax("{{ a[1 }}", 0,
	    "t.yml:3:17: error: expected ']' but found '}}'");
	expect_syntax("{{ a. }}", 0,
	    "t.yml:3:16: error: expected an attribute name but found '}}'");
	expect_syntax("{{ a not b }}", 0,
	    "t.yml:3:19: error: expected 'in' after 'not' but found 'b'");
	expect_syntax("{{ {{ a }} }}", 0,
	    "t.yml:3:13: error: unexpected '{{' inside a tag");
	expect_syntax("{{ a + }}", 0,
	    "t.yml:3:17: error: expected an expression but found '}}'");
	expect_syntax("{{ ) }}", 0, "t.yml:3:13: error: unexpected ')'");
	expect_syntax("{{ a ! b }}", 0,
	    "t.yml:3:15: error: unexpected character '!'");
	expect_syntax("{{ 'a' 'b' }}", 0,
	    "t.yml:3:17: error: unexpected string 'b'");
	expect_syntax("{{ a \"b\" }}", 0,
	    "t.yml:3:15: error: unexpected string \"b\"");
	expect_syntax("{{ a 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }}",
	    0, "t.yml:3:15: error: unexpected string "
	    "'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...");
	expect_syntax("{{ verylongname_verylongname_verylongname_x y }}", 0,
	    "t.yml:3:54: error: unexpected 'y'");
	expect_syntax("{{ a }} {{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
	    "x }}", 0, "t.yml:3:70: error: unexpected 'x'");
	expect_syntax("{{ a if }}", 0,
	    "t.yml:3:18: error: expected an expression but found '}}'");
	/* a multi-line template keeps the string's position */
	expect_syntax("line1\n  {{ a b }}", 0, "t.yml:3:10: error: unexpected "
	    "'b' (template line 2, column 8)");
	/* non-ASCII before the error: columns count characters */
	expect_syntax("\xc3\xa9\xc3\xa9 {{ a b }}", 0,
	    "t.yml:3:18: error: unexpected 'b'");
}

static void
test_expr_errors(void **state)
{
	(void)state;
	expect_syntax("a and b", 1, "");
	/* a condition with delimiters: 2.14 warns and renders it first */
	expect_syntax("{{ a }}", 1, "");
	expect_syntax("{{ a }} == 1", 1, "");
	expect_syntax("{{ a b }}", 1, "t.yml:3:15: error: unexpected 'b'");
	expect_syntax("", 1, "t.yml:3:10: error: empty expression");
	expect_syntax("a }}", 1, "t.yml:3:12: error: unexpected '}'");
	expect_syntax("a b", 1, "t.yml:3:12: error: unexpected 'b'");
	expect_syntax("a ==", 1,
	    "t.yml:3:14: error: expected an expression but found end of "
	    "expression");
	expect_syntax("'abc", 1, "t.yml:3:10: error: unterminated string");
	expect_syntax("a | bol", 1,
	    "t.yml:3:14: error: unknown filter 'bol' (did you mean 'bool'?)");
	/* no suggestion for a short name far from everything */
	expect_syntax("a | zz", 1, "t.yml:3:14: error: unknown filter 'zz'");
}

static void
test_nested_errors(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 60; i++)
		strbuf_addch(&sb, '(');
	strbuf_addch(&sb, '1');
	for (i = 0; i < 60; i++)
		strbuf_addch(&sb, ')');
	expect_eval(sb.buf, "int 1");
	strbuf_reset(&sb);
	for (i = 0; i < 100000; i++)
		strbuf_addch(&sb, '[');
	expect_syntax(sb.buf, 1, "t.yml:3:74: error: expression nested too "
	    "deeply (more than 64 levels)");
	strbuf_reset(&sb);
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "not ");
	strbuf_addstr(&sb, "t");
	expect_syntax(sb.buf, 1, "t.yml:3:262: error: expression nested too "
	    "deeply (more than 64 levels)");
	strbuf_reset(&sb);
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "- ");
	strbuf_addstr(&sb, "1");
	expect_syntax(sb.buf, 1, "t.yml:3:136: error: expression nested too "
	    "deeply (more than 64 levels)");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "1");
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "+1");
	expect_syntax(sb.buf, 1, "t.yml:3:521: error: expression too complex "
	    "(more than 256 levels)");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "1");
	for (i = 0; i < 200; i++)
		strbuf_addstr(&sb, "+1");
	expect_eval(sb.buf, "int 201");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "m");
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, ".a");
	expect_syntax(sb.buf, 1, "t.yml:3:10: error: expression too complex "
	    "(more than 256 levels)");
	strbuf_reset(&sb);
	/* a long list is wide, not deep */
	strbuf_addch(&sb, '[');
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "1,");
	strbuf_addstr(&sb, "1] | length");
	expect_eval(sb.buf, "int 100001");
	strbuf_release(&sb);
}

static void
test_lazy(void **state)
{
	char *msg;
	struct val *v;

	(void)state;
	expect_eval("lazy", "string \"hello world\"");
	expect_eval("lazy2", "string \"hello world!\"");
	expect_eval("lazy | upper", "string \"HELLO WORLD\"");
	expect_eval("lazy_list[1]", "int 1");
	expect_eval("lazy_map.inner", "int 43");
	expect_eval("lazy_map", "mapping {\"inner\":43,\"plain\":\"x\"}");
	/* errors point at the variable's own definition */
	expect_eval("bad_lazy", "ERR vars.yml:33:15: error: 'nope_inner' is "
	    "undefined");
	expect_eval("selfref", "ERR vars.yml:32:14: error: templates nested "
	    "more than 16 deep rendering 'selfref' (does it refer to "
	    "itself?)");
	/* a variable without a position: the error names it */
	v = render_val_str("{{ m }}", 0, &msg);
	val_free(v);
	assert_null(msg);
}

static void
test_lazy_nopos(void **state)
{
	struct val *vs = val_map(), *out = NULL;
	struct err e = ERR_INIT;

	(void)state;
	val_map_set(vs, "a", val_str("{{ b }}"));
	val_map_set(vs, "x", val_str("{{ y"));
	assert_int_equal(tmpl_eval("x ~ 1", vs, &P, &out, &e), -1);
	assert_string_equal(e.msg.buf, "t.yml:3:10: error: unterminated '{{' "
	    "(in the value of 'x')\n");
	err_release(&e);
	assert_int_equal(tmpl_eval("1 + a", vs, &P, &out, &e), -1);
	assert_string_equal(e.msg.buf, "t.yml:3:14: error: 'b' is undefined "
	    "(in the value of 'a')\n");
	err_release(&e);
	val_free(vs);
}

static void
test_lazy_explosion(void **state)
{
	struct val *vs = val_map(), *out = NULL;
	struct err e = ERR_INIT;
	char name[16], val[64];
	int i;

	(void)state;
	val_map_set(vs, "a0", val_str("x"));
	for (i = 1; i <= 15; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		snprintf(val, sizeof(val), "{{ a%d }}{{ a%d }}", i - 1, i - 1);
		val_map_set(vs, name, val_str(val));
	}
	assert_int_equal(tmpl_eval("a15", vs, &P, &out, &e), -1);
	assert_non_null(strstr(e.msg.buf, "template expansion too large "
	    "(more than 10000 variable renders)"));
	err_release(&e);
	assert_int_equal(tmpl_eval("a8 | length", vs, &P, &out, &e), 0);
	assert_int_equal(out->u.i, 256);
	val_free(out);
	val_free(vs);
}

/* Doubling values rendered and kept (a play's vars): the shared budget
 * stops them near 16 MiB, whatever operator doubles them. */
static void
doubling(const char *fmt, const char *seed)
{
	struct val *vs = val_map(), *in, *out = NULL;
	struct err e = ERR_INIT;
	char name[16], src[64];
	size_t spent = 0;
	int i, ret = 0;

	val_map_set(vs, "t0", val_str(seed));
	for (i = 1; i <= 40 && ret == 0; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		snprintf(src, sizeof(src), fmt, i - 1, i - 1);
		in = val_str(src);
		in->pos = P;
		ret = tmpl_render_val_budget(in, vs, &spent, &out, &e);
		val_free(in);
		if (ret == 0)
			val_map_set(vs, name, out);
	}
	assert_int_equal(ret, -1);
	assert_true(i <= 25);
	assert_non_null(strstr(e.msg.buf, "t.yml:3:"));
	assert_non_null(strstr(e.msg.buf, "template expansion too large "
	    "(more than 16 MiB rendered)"));
	err_release(&e);
	val_free(vs);
}

static void
test_size_cap(void **state)
{
	struct val *vs = val_map(), *out = NULL;
	struct err e = ERR_INIT;
	struct strbuf big = STRBUF_INIT;
	char *chunk = xmalloc(1u << 20);
	int k;

	(void)state;
	doubling("{{ t%d }}{{ t%d }}", "xxxxxxxxxxxxxxxx");
	doubling("{{ t%d ~ t%d }}", "xxxxxxxxxxxxxxxx");
	doubling("{{ t%d + t%d }}", "xxxxxxxxxxxxxxxx");
	doubling("{{ [t%d, t%d] }}", "xxxxxxxxxxxxxxxx");
	doubling("{{ {'a': t%d, 'b': t%d} }}", "x");
	doubling("{{ t%d * 2 ~ t%d }}", "x");
	/* one call alone: 10 MiB twice is over, once is not */
	memset(chunk, 'b', 1u << 20);
	for (k = 0; k < 10; k++)
		strbuf_add(&big, chunk, 1u << 20);
	free(chunk);
	val_map_set(vs, "big", val_str(big.buf));
	assert_int_equal(tmpl_eval("big ~ big", vs, &P, &out, &e), -1);
	assert_non_null(strstr(e.msg.buf, "more than 16 MiB rendered"));
	err_release(&e);
	assert_int_equal(tmpl_eval("big | length", vs, &P, &out, &e), 0);
	assert_int_equal(out->u.i, 10 << 20);
	val_free(out);
	strbuf_release(&big);
	val_free(vs);
}

static void
test_literal(void **state)
{
	struct val *vs = val_map(), *reg = val_map(), *out = NULL, *in;
	struct err e = ERR_INIT;

	(void)state;
	val_map_set(reg, "stdout", val_str("{{ not rendered"));
	val_map_set(reg, "lines", val_list());
	val_list_push(val_map_get(reg, "lines"), val_str("{{ x }}"));
	reg->literal = 1;
	val_map_set(vs, "r", reg);
	val_map_set(vs, "x", val_str("X"));
	val_map_set(vs, "lazy", val_str("{{ x }}"));
	assert_int_equal(tmpl_eval("r.stdout ~ '!'", vs, &P, &out, &e), 0);
	assert_string_equal(out->u.str.s, "{{ not rendered!");
	val_free(out);
	assert_int_equal(tmpl_eval("r.lines[0][1]", vs, &P, &out, &e), 0);
	assert_string_equal(out->u.str.s, "{");
	val_free(out);
	/* the native copy stays literal, so storing it is safe */
	assert_int_equal(tmpl_eval("r", vs, &P, &out, &e), 0);
	assert_true(out->literal);
	assert_true(val_map_get(out, "stdout")->literal);
	val_map_set(vs, "copy", out);
	assert_int_equal(tmpl_eval("copy.lines", vs, &P, &out, &e), 0);
	assert_string_equal(out->u.list.items[0]->u.str.s, "{{ x }}");
	val_free(out);
	/* non-literal values still render lazily */
	assert_int_equal(tmpl_eval("lazy", vs, &P, &out, &e), 0);
	assert_string_equal(out->u.str.s, "X");
	val_free(out);
	/* render_val / check_val leave literal trees alone */
	in = val_str("{{ x");
	in->literal = 1;
	assert_int_equal(tmpl_check_val(in, &e), 0);
	assert_int_equal(tmpl_render_val(in, vs, &out, &e), 0);
	assert_string_equal(out->u.str.s, "{{ x");
	assert_int_equal(e.count, 0);
	val_free(out);
	val_free(in);
	val_free(vs);
}

static void
test_unsafe(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *v, *in;
	char *msg;
	int unsafe = -1;

	(void)state;
	assert_int_equal(tmpl_render_ex("pw={{ secret }}", vars, &P, &sb,
	    &unsafe, &e), 0);
	assert_string_equal(sb.buf, "pw=hunter2");
	assert_int_equal(unsafe, 1);
	strbuf_reset(&sb);
	assert_int_equal(tmpl_render_ex("{{ s }}", vars, &P, &sb, &unsafe, &e),
	    0);
	assert_int_equal(unsafe, 0);
	strbuf_reset(&sb);
	assert_int_equal(tmpl_render_ex("{{ secret | length }}", vars, &P, &sb,
	    &unsafe, &e), 0);
	assert_int_equal(unsafe, 1);
	strbuf_release(&sb);

	v = render_val_str("x {{ secret | upper }}", 0, &msg);
	assert_true(v->unsafe);
	val_to_json(v, &sb, -1);
	assert_string_equal(sb.buf, "\"********\"");
	strbuf_release(&sb);
	val_free(v);
	v = render_val_str("{{ creds }}", 0, &msg);
	assert_true(v->unsafe);
	assert_true(v->u.map.items[0].v->unsafe);
	val_free(v);
	v = render_val_str("{{ creds.user }}", 0, &msg);
	assert_false(v->unsafe);
	val_free(v);
	v = render_val_str("{{ leak }}", 0, &msg);
	assert_true(v->unsafe);
	assert_string_equal(v->u.str.s, "xhunter2");
	val_free(v);
	v = render_val_str("{{ [s, secret] }}", 0, &msg);
	assert_true(v->unsafe);
	assert_true(v->u.list.items[0]->unsafe);
	val_free(v);
	v = render_val_str("{{ s }}", 0, &msg);
	assert_false(v->unsafe);
	val_free(v);
	/* an unsafe template string stays unsafe */
	in = val_str("{{ s }}");
	in->unsafe = 1;
	assert_int_equal(tmpl_render_val(in, vars, &v, &e), 0);
	assert_true(v->unsafe);
	val_free(v);
	val_free(in);
}

static void
test_cond(void **state)
{
	struct err e = ERR_INIT;
	int r = -1;

	(void)state;
	assert_int_equal(tmpl_eval_cond("n > 40", vars, &P, &r, &e), 0);
	assert_int_equal(r, 1);
	assert_int_equal(tmpl_eval_cond("lst", vars, &P, &r, &e), 0);
	assert_int_equal(r, 1);
	assert_int_equal(tmpl_eval_cond("nolist", vars, &P, &r, &e), 0);
	assert_int_equal(r, 0);
	assert_int_equal(tmpl_eval_cond("s", vars, &P, &r, &e), 0);
	assert_int_equal(r, 1);
	/* bare variable holding "False"/"TRUE" (as from -e) */
	assert_int_equal(tmpl_eval_cond("flag_false", vars, &P, &r, &e), 0);
	assert_int_equal(r, 0);
	assert_int_equal(tmpl_eval_cond("flag_true", vars, &P, &r, &e), 0);
	assert_int_equal(r, 1);
	assert_int_equal(tmpl_eval_cond("flag_false | bool", vars, &P, &r, &e),
	    0);
	assert_int_equal(r, 0);
	/* ... but only a bare name: a string expression is truthy */
	assert_int_equal(tmpl_eval_cond("flag_false ~ ''", vars, &P, &r, &e),
	    0);
	assert_int_equal(r, 1);
	assert_int_equal(tmpl_eval_cond("res_failed is failed and "
	    "res_failed.rc != 0", vars, &P, &r, &e), 0);
	assert_int_equal(r, 1);
	/* delimiters (2.14: render, then a string result is the expression) */
	assert_int_equal(tmpl_eval_cond("{{ n > 40 }}", vars, &P, &r, &e), 0);
	assert_int_equal(r, 1);
	assert_int_equal(tmpl_eval_cond("{{ n }} < 40", vars, &P, &r, &e), 0);
	assert_int_equal(r, 0);
	assert_int_equal(tmpl_eval_cond("{{ lst | length }} == 3", vars, &P, &r,
	    &e), 0);
	assert_int_equal(r, 1);
	assert_int_equal(tmpl_eval_cond("{{ nolist }}", vars, &P, &r, &e), 0);
	assert_int_equal(r, 0);
	assert_int_equal(tmpl_eval_cond("{{ flag_false }}", vars, &P, &r, &e),
	    0);
	assert_int_equal(r, 0);
	assert_int_equal(tmpl_eval_cond("{{ s }}", vars, &P, &r, &e), -1);
	assert_int_equal(r, 0);
	err_release(&e);
	assert_int_equal(tmpl_eval_cond("nope", vars, &P, &r, &e), -1);
	assert_int_equal(r, 0);
	assert_string_equal(e.msg.buf,
	    "t.yml:3:10: error: 'nope' is undefined\n");
	err_release(&e);
	assert_int_equal(tmpl_eval_cond("a ==", vars, &P, &r, &e), -1);
	err_release(&e);
	assert_int_equal(tmpl_eval_cond("n > 'a'", NULL, &P, &r, &e), -1);
	assert_string_equal(e.msg.buf, "t.yml:3:10: error: 'n' is undefined\n");
	err_release(&e);
}

static void
test_render_api(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *v = NULL;

	(void)state;
	strbuf_addstr(&sb, "pre:");
	assert_int_equal(tmpl_render("{{ lst }}", vars, NULL, &sb, &e), 0);
	assert_string_equal(sb.buf, "pre:['a', 1, True]");
	assert_int_equal(tmpl_render("{{ nope }}", vars, NULL, &sb, &e), -1);
	assert_string_equal(sb.buf, "pre:['a', 1, True]");
	assert_string_equal(e.msg.buf, "error: 'nope' is undefined\n");
	err_release(&e);
	strbuf_release(&sb);
	assert_int_equal(tmpl_eval("nope", vars, NULL, &v, &e), -1);
	assert_null(v);
	err_release(&e);
	assert_int_equal(tmpl_eval("[n, s]", vars, NULL, &v, &e), 0);
	assert_int_equal(v->type, V_LIST);
	val_free(v);
	assert_int_equal(tmpl_eval("omit", NULL, NULL, &v, &e), 0);
	assert_string_equal(v->u.str.s, TMPL_OMIT);
	val_free(v);
	assert_int_equal(tmpl_check("{{ a }}", NULL, &e), 0);
}

/* random with a seed is Python's Random(seed) (values measured with
 * ansible-core 2.14.18); product; type_debug; collection filters. */
static void
test_filter_random(void **state)
{
	(void)state;
	expect_eval("[1,2,3] | random(seed='h1')", "int 3");
	expect_eval("59 | random(seed='h1')", "int 32");
	expect_eval("3600 | random(start=1, seed='host.example.com')",
	    "int 1008");
	expect_eval("100 | random(seed=42)", "int 81");
	expect_eval("'abc' | random(seed='x')", "string \"c\"");
	expect_eval("10 | random(start=2, step=3, seed='s')", "int 5");
	expect_eval("1099511627776 | random(seed='big')", "int 247717398425");
	expect_eval("(5 | random) < 5", "bool true");
	expect_eval("[] | random", "ERR t.yml:3:15: error: "
	    "Cannot choose from an empty sequence");
	expect_eval("[1] | random(step=2)",
	    "ERR t.yml:3:16: error: start and step can only be used with "
	    "integer values");
	expect_eval("0 | random", "ERR t.yml:3:14: error: empty "
	    "range for randrange() (0, 0, 0)");
	expect_eval("{'a': 1} | random", "ERR t.yml:3:21: error: random can only be used on "
	    "sequences and integers (mend: not on a mapping, whose random key "
	    "Python looks up as an index)");
	expect_eval("5 | random(seed=[1])", "ERR t.yml:3:14: error: random: a seed must be an "
	    "integer or a string (of at most 4096 bytes), not list");
	expect_eval("[1, 2] | product(['a']) | list",
	    "list [[1,\"a\"],[2,\"a\"]]");
	expect_eval("[1, 2] | product([]) | list", "list []");
	expect_eval("[1] | type_debug ~ {} | type_debug ~ none | type_debug",
	    "string \"listdictNoneType\"");
	expect_eval("'s' | type_debug", "ERR t.yml:3:16: error: type_debug of a string is not "
	    "supported by mend (Ansible answers str, AnsibleUnicode or "
	    "AnsibleUnsafeText by where the value came from; test it with "
	    "'is string')");
	expect_syntax("{{ a | ansible.utils.ipaddr('address') }}", 0,
	    "t.yml:3:17: error: 'ansible.utils.ipaddr' is a filter of the Ansible "
	    "collection ansible.utils, which mend does not have (mend has "
	    "ansible-core's filters and tests)");
	expect_syntax("{{ a | ipaddr }}", 0, "t.yml:3:17: error: 'ipaddr' is a filter of "
	    "the Ansible collection ansible.utils, which mend does not have "
	    "(mend has ansible-core's filters and tests)");
}

/* Project-local filter plugins: a registered name parses (any arguments),
 * warns once at check with its position, and fails where evaluated; a
 * plugin computing its table stands for any name mend lacks. */
static void
test_local_filters(void **state)
{
	struct strbuf w = STRBUF_INIT;

	(void)state;
	expect_syntax("{{ x | myf }}", 0, "t.yml:3:17: error: unknown filter 'myf' (did you mean 'min'?)");
	tmpl_local_filter_add("myf", "/p/filter_plugins/f.py");
	tmpl_local_filter_add("myf", "/p/filter_plugins/f.py");
	tmpl_set_warnings(&w);
	expect_syntax("{{ x | myf(1, a=2) | upper }}", 0, "");
	expect_syntax("{{ x | myf }}", 0, "");
	assert_string_equal(w.buf, "t.yml:3:17: warning: filter 'myf' is "
	    "defined by the project-local filter plugin /p/filter_plugins/f.py, "
	    "which mend cannot run: a task that evaluates it fails on its host\n");
	expect_syntax("{{ x | upper(1) }}", 0,
	    "t.yml:3:23: error: filter 'upper' takes at most 0 arguments");
	expect_render("{{ 'a' | myf }}", "ERR t.yml:3:19: error: filter 'myf' is "
	    "defined by the project-local filter plugin /p/filter_plugins/f.py, "
	    "which mend cannot run");
	expect_render("{{ 'a' if true else (1 | myf) }}", "a");
	expect_syntax("{{ x | other }}", 0, "t.yml:3:17: error: unknown filter 'other'");
	tmpl_local_filter_add(NULL, "/p/filter_plugins/dyn.py");
	strbuf_reset(&w);
	expect_syntax("{{ x | other }}", 0, "");
	expect_syntax("{{ x | third }}", 0, "");
	assert_string_equal(w.buf, "t.yml:3:17: warning: filter 'other' is not "
	    "one of mend's; the project-local filter plugin "
	    "/p/filter_plugins/dyn.py (which mend cannot run) may define it: a "
	    "task that evaluates it fails on its host (further such filters are "
	    "not reported)\n");
	expect_render("{{ 1 | other }}", "ERR t.yml:3:17: error: unknown filter "
	    "'other': mend does not have it and the project-local filter plugin "
	    "/p/filter_plugins/dyn.py, which mend cannot run, may define it");
	tmpl_set_warnings(NULL);
	tmpl_local_filters_reset();
	expect_syntax("{{ x | myf }}", 0, "t.yml:3:17: error: unknown filter 'myf' (did you mean 'min'?)");
	strbuf_release(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_arith),
		cmocka_unit_test(test_concat),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_in),
		cmocka_unit_test(test_logic),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_filter_default),
		cmocka_unit_test(test_filter_bool),
		cmocka_unit_test(test_filter_int),
		cmocka_unit_test(test_filter_strings),
		cmocka_unit_test(test_filter_seq),
		cmocka_unit_test(test_filter_random),
		cmocka_unit_test(test_tests),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_native),
		cmocka_unit_test(test_render_val_tree),
		cmocka_unit_test(test_check_val),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_expr_errors),
		cmocka_unit_test(test_nested_errors),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_lazy_nopos),
		cmocka_unit_test(test_lazy_explosion),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_unsafe),
		cmocka_unit_test(test_cond),
		cmocka_unit_test(test_render_api),
		cmocka_unit_test(test_local_filters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
