/*
 * test_jinja.c - the Jinja2 statements, calls, filters and tests of
 * runner/template (expected texts checked against ansible-core 2.14, see
 * tests/template), error positions inside multi-line templates and files,
 * and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runner/template/template.h"
#include "runner/util/strbuf.h"
#include "runner/util/yamlload.h"

static const char vars_yaml[] =
	"users: [carol, alice, bob]\n"
	"n: 3\n"
	"s: Hello World\n"
	"d: {b: two, a: 1}\n"
	"people:\n"
	"  - {name: ann, age: 41, admin: true}\n"
	"  - {name: bo, age: 25, admin: false, nick: b}\n"
	"secret: hunter2\n";

static struct val *vars;
static struct pos P;

static int
setup(void **state)
{
	struct err e = ERR_INIT;

	(void)state;
	if (yaml_load_string("vars.yml", vars_yaml, strlen(vars_yaml), &vars,
	    &e) < 0)
		return -1;
	val_mark_unsafe(val_map_get(vars, "secret"));
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

static char *
render(const char *tmpl)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (tmpl_render(tmpl, vars, &P, &sb, &e) < 0) {
		strbuf_addstr(&sb, "ERR ");
		strbuf_addbuf(&sb, &e.msg);
		strbuf_rtrim(&sb);
	}
	err_release(&e);
	return strbuf_detach(&sb, NULL);
}

#define R(tmpl, want) do { char *g_ = render(tmpl); \
	if (strcmp(g_, want) != 0) \
		fprintf(stderr, "render: %s\n  got:  [%s]\n  want: [%s]\n", \
		    tmpl, g_, want); \
	assert_string_equal(g_, want); free(g_); } while (0)

static void
test_if(void **state)
{
	(void)state;
	R("{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}",
	    "mid");
	R("{% if false %}x{% endif %}", "");
	R("{% if n %}{% if s %}both{% endif %}{% endif %}", "both");
	R("{% if nope is defined %}x{% else %}y{% endif %}", "y");
	R("a{{ 'b' if false }}c", "ac");
}

static void
test_for(void **state)
{
	(void)state;
	R("{% for u in users %}{{ loop.index }}{{ u }}{{ ',' if not loop.last "
	    "}}{% endfor %}", "1carol,2alice,3bob");
	R("{% for u in users if u != 'alice' %}{{ loop.index }}/"
	    "{{ loop.length }}{% endfor %}", "1/22/2");
	R("{% for u in [] %}x{% else %}empty{% endfor %}", "empty");
	R("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
	    "b=two;a=1;");
	R("{% for k in d %}{{ k }}{% endfor %}", "ba");
	R("{% for c in 'ab' %}{{ c }}.{% endfor %}", "a.b.");
	R("{% for i in range(1, 8, 3) %}{{ loop.revindex0 }}{{ loop.first }}"
	    "{{ loop.previtem | default('-') }} {% endfor %}",
	    "2True- 1False1 0False4 ");
	R("{% for u in users %}{{ loop.cycle('x', 'y') }}{% endfor %}", "xyx");
	R("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}", "37");
	R("{% for i in n %}{% endfor %}", "ERR t.yml:3:22: error: 'int' "
	    "object is not iterable");
	R("{% for a, b in [1] %}{% endfor %}", "ERR t.yml:3:10: error: cannot "
	    "unpack int into 'a, b' (need 2 values)");
}

static void
test_set(void **state)
{
	(void)state;
	R("{% set x = n * 2 %}{{ x }}", "6");
	R("{% set x = 1 %}{% for i in range(2) %}{% set x = x + 10 %}{{ x }} "
	    "{% endfor %}{{ x }}", "11 11 1");
	R("{% set b %}in {{ n }}{% endset %}[{{ b }}]", "[in 3]");
	R("{% set b | upper %}up{% endset %}{{ b }}", "UP");
	R("{% set users = ['z'] %}{{ users }}", "['z']");
}

static void
test_whitespace(void **state)
{
	(void)state;
	R("a\n{% if true %}\nb\n{% endif %}\nc\n", "a\nb\nc\n");
	R("a  {%- if true -%}  b  {%- endif -%}  c", "abc");
	R("x {#- c -#} y\n{# c #}\nz\n", "xy\nz\n");
	R("{% for i in range(3) -%}\n{{ i }}\n{%- endfor %}\n", "012\n");
	R("  {% if true %}\n  x\n  {% endif %}\n", "    x\n  \n");
	R("#jinja2: lstrip_blocks: True\n  {% if true %}\n  x\n  {% endif %}\n",
	    "  x\n");
	R("#jinja2: trim_blocks: False\n{% if true %}\nx\n{% endif %}\n",
	    "\nx\n");
	R("#jinja2: lstrip_blocks: True\n  {%+ if true %}x{% endif %}\n",
	    "  x\n");
	R("{% raw %}{{ x }}{% if %}{% endraw %}", "{{ x }}{% if %}");
	R("{% if false %}{% endif %}\n", "\n");
	R("a\r\nb {{ 1 }}\r\n", "a\nb 1\n");
	R("{{ 'x' }}\n\n\n", "x\n\n\n");
	R("#jinja2: foo: 1\nx", "ERR t.yml:3:10: error: unsupported jinja2 "
	    "override 'foo' (mend supports trim_blocks, lstrip_blocks, "
	    "newline_sequence, keep_trailing_newline) (template line 1, "
	    "column 10)");
}

static void
test_methods(void **state)
{
	(void)state;
	R("{{ s.lower() }} {{ s.upper() }} {{ s.title() }} {{ 'ab'.capitalize() "
	    "}}", "hello world HELLO WORLD Hello World Ab");
	R("{{ s.startswith('He') }} {{ s.endswith(('x', 'ld')) }} "
	    "{{ s.replace('l', 'L', 2) }}", "True True HeLLo World");
	R("{{ ' x '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ ' a'.lstrip() }}|"
	    "{{ 'a '.rstrip() }}|", "x|a|a|a|");
	R("{{ 'a,b,,c'.split(',') }} {{ ' a b  c '.split() }} "
	    "{{ 'a=b=c'.split('=', 1) }}",
	    "['a', 'b', '', 'c'] ['a', 'b', 'c'] ['a', 'b=c']");
	R("{{ '-'.join(users) }} {{ s.find('o') }} {{ s.count('l') }} "
	    "{{ '42'.isdigit() }} {{ '7'.zfill(3) }} {{ 'a\\nb'.splitlines() }}",
	    "carol-alice-bob 4 3 True 007 ['a', 'b']");
	R("{{ d.get('a') }} {{ d.get('z', 'dflt') }} {{ d.get('z') }} "
	    "{{ d.keys() | list }} {{ d.values() | list }}",
	    "1 dflt  ['b', 'a'] ['two', 1]");
	R("{{ users.index('bob') }} {{ users.count('x') }}", "2 0");
	R("{{ '{0}-{1}-{0}'.format('a', 'b') }} {{ '{x}!'.format(x=3) }} "
	    "{{ '{:<4}|{:>3}|{:03d}'.format('ab', 'c', 7) }}",
	    "a-b-a 3! ab  |  c|007");
	R("{{ '%s=%05d' % ('k', 42) }} {{ '%-3s|%x' % ('a', 255) }} "
	    "{{ '%s' % n }}", "k=00042 a  |ff 3");
	R("{{ s.nope() }}", "ERR t.yml:3:13: error: a string has no method "
	    "'nope'");
	R("{{ nofunc(1) }}", "ERR t.yml:3:13: error: unknown function "
	    "'nofunc' (mend knows range, lookup, query)");
}

static void
test_filters_data(void **state)
{
	(void)state;
	R("{{ {'a': 1, 'b': {'c': 2}} | combine({'b': {'d': 3}}, "
	    "recursive=true) }}", "{'a': 1, 'b': {'c': 2, 'd': 3}}");
	R("{{ {'a': [1]} | combine({'a': [2]}, list_merge='append') }}",
	    "{'a': [1, 2]}");
	R("{{ d | dict2items }}", "[{'key': 'b', 'value': 'two'}, "
	    "{'key': 'a', 'value': 1}]");
	R("{{ [{'key': 'x', 'value': 1}] | items2dict }}", "{'x': 1}");
	R("{{ people | selectattr('age', 'gt', 30) | map(attribute='name') | "
	    "list }}", "['ann']");
	R("{{ people | map(attribute='nick', default='-') | join(',') }}",
	    "-,b");
	R("{{ [1, 2, 3, 4] | select('even') | list }} {{ [1, 2] | reject('odd')"
	    " | list }}", "[2, 4] [2]");
	R("{{ users | map('upper') | list }}", "['CAROL', 'ALICE', 'BOB']");
	R("{{ ['a', 'A', 'b'] | unique }} {{ [1, 2] | union([2, 3]) }} "
	    "{{ [1, 2, 3] | intersect([2, 3, 4]) }} {{ [1, 2, 3] | "
	    "difference([2]) }} {{ [1, 2] | symmetric_difference([2, 3]) }}",
	    "['a', 'b'] [1, 2, 3] [2, 3] [1, 3] [1, 3]");
	R("{{ [1, [2, [3, [4]]]] | flatten }} {{ [1, [2, [3]]] | flatten(1) }}",
	    "[1, 2, 3, 4] [1, 2, [3]]");
	R("{{ [1, 2] | zip(['a', 'b']) | list }} {{ users | sort }} "
	    "{{ [3, 1, 2] | sort(reverse=true) }} {{ [3, 1] | min }} "
	    "{{ [3, 1] | max }} {{ [3, 1] | sum }}", "[(1, 'a'), (2, 'b')] "
	    "['alice', 'bob', 'carol'] [3, 2, 1] 1 3 4");
	R("{{ true | ternary('y', 'n') }} {{ none | ternary('y', 'n', 'z') }}",
	    "y z");
	R("{{ nope | mandatory }}", "ERR t.yml:3:13: error: 'nope' is "
	    "undefined");
	R("{{ d | dictsort }} {{ [1, 2, 3] | batch(2) | list }}",
	    "[('a', 1), ('b', 'two')] [[1, 2], [3]]");
	R("{{ people | rejectattr('nick') | list }}", "ERR t.yml:3:22: "
	    "error: 'rejectattr': an item has no attribute 'nick'");
}

static void
test_filters_text(void **state)
{
	(void)state;
	R("{{ 'abc123' | regex_replace('[0-9]+', '-') }} {{ 'ab' | "
	    "regex_replace('(a)(b)', '\\\\2\\\\1') }} {{ 'h.x' | regex_replace("
	    "'^(?P<h>[^.]+)\\\\..*$', '\\\\g<h>') }}", "abc- ba h");
	R("{{ 'k=v' | regex_search('(\\\\w+)=(\\\\w+)', '\\\\2', '\\\\1') }} "
	    "{{ 'x' | regex_search('y') }} {{ 'a1b22' | regex_findall('[0-9]+') "
	    "}}", "['v', 'k']  ['1', '22']");
	R("{{ 'a.b' | regex_escape }}", "a\\.b");
	R("{{ '(' | regex_search('(') }}", "ERR t.yml:3:19: error: "
	    "'regex_search': bad regular expression at offset 1: missing "
	    "closing parenthesis");
	R("{{ 'hello' | b64encode }} {{ 'aGVsbG8=' | b64decode }} {{ 'x' | "
	    "hash('md5') }} {{ 'x' | checksum }}", "aGVsbG8= hello "
	    "9dd4e461268c8034f5c8564e155c67a6 "
	    "11f6ad8ec52a2984abaafd7c3b516503785c2072");
	R("{{ 'secret' | password_hash('sha512', 'mysalt') }}",
	    "$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5Y"
	    "UD9/XWtk1JOpVwt/JTsczMJr8sFVML1");
	R("{{ 'x' | password_hash('sha512') }}", "ERR t.yml:3:19: error: "
	    "'password_hash': give a salt (a random one would change the hash "
	    "on every run)");
	R("{{ '/a/b/c.txt' | basename }} {{ '/a/b/c.txt' | dirname }} "
	    "{{ 'c.tar.gz' | splitext }} {{ '/' | dirname }}",
	    "c.txt /a/b ('c.tar', '.gz') /");
	R("{{ 'a b' | replace(' ', '-') }} {{ 'a,b' | split(',') }} "
	    "{{ 'x\\ny' | indent(2) }} {{ 'hello world' | title }} "
	    "{{ '%s+%s' | format(1, 2) }} {{ 'x y' | urlencode }}",
	    "a-b ['a', 'b'] x\n  y Hello World 1+2 x%20y");
}

static void
test_filters_json_yaml(void **state)
{
	(void)state;
	R("{{ d | to_json }} {{ '\xc3\xa9\"' | to_json }}",
	    "{\"b\": \"two\", \"a\": 1} \"\\u00e9\\\"\"");
	R("{{ d | to_nice_json }}", "{\n    \"a\": 1,\n    \"b\": \"two\"\n}");
	R("{{ d | to_yaml }}", "{a: 1, b: two}\n");
	R("{{ {'l': ['yes', '1', '', 'a b'], 'm': {'k': 'x: y'}} | "
	    "to_nice_yaml }}", "l:\n- 'yes'\n- '1'\n- ''\n- a b\nm:\n"
	    "    k: 'x: y'\n");
	R("{{ people | to_nice_yaml(indent=2) }}", "- admin: true\n  age: 41\n"
	    "  name: ann\n- admin: false\n  age: 25\n  name: bo\n  nick: b\n");
	R("{{ '{\"a\": [1, \"x\"]}' | from_json }}", "{'a': [1, 'x']}");
	R("{{ 'a: 1' | from_yaml }}", "{'a': 1}");
	R("{{ 'x\\ny' | to_yaml }}", "ERR t.yml:3:22: error: 'to_yaml': mend "
	    "does not write multi-line, long or control-character strings "
	    "the way PyYAML does, so it refuses them");
}

static void
test_tests(void **state)
{
	(void)state;
	R("{{ '1.10' is version('1.9', '>') }} {{ '2.0.0' is version('2.0', "
	    "'==') }} {{ '1.2' is version_compare('1.3', 'lt') }}",
	    "True False True");
	R("{{ 'abc' is match('a') }} {{ 'abc' is match('b') }} "
	    "{{ 'abc' is search('b') }} {{ 'ABC' is regex('b', ignorecase=true)"
	    " }}", "True False True True");
	R("{{ [1, 2] is subset([1, 2, 3]) }} {{ [1, 2, 3] is superset([2]) }} "
	    "{{ 3 is in([1, 3]) }} {{ 9 is divisibleby 3 }} {{ 4 is even }} "
	    "{{ 'ab' is contains('b') }} {{ 3 is eq 3 }} {{ 2 is lt 1 }}",
	    "True True True True True True True False");
	R("{{ '1.a' is version('1.0', '>') }}", "ERR t.yml:3:22: error: "
	    "version comparison failed: cannot compare a number with letters");
}

static void
test_lookups(void **state)
{
	(void)state;
	setenv("MEND_TEST_ENV", "val", 1);
	R("{{ lookup('env', 'MEND_TEST_ENV') }} {{ lookup('env', "
	    "'MEND_NOPE_ENV', default='d') }} {{ query('env', "
	    "'MEND_TEST_ENV', 'MEND_NOPE_ENV') }}", "val d ['val', '']");
	R("{{ lookup('vars', 'n') }} {{ lookup('pipe', 'echo hi; echo') }}",
	    "3 hi");
	R("{{ lookup('pipe', 'exit 3') }}", "ERR t.yml:3:13: error: lookup "
	    "pipe: 'exit 3' returned 3");
	R("{{ lookup('nope', 'x') }}", "ERR t.yml:3:13: error: unknown lookup "
	    "'nope' (mend has env, file, vars, pipe, template, first_found)");
	R("{{ lookup('first_found', ['/nonexistent/x', '/etc/hostname', "
	    "'/etc/passwd']) }}", "/etc/hostname");
	R("{{ lookup('file', '/etc/hostname') | length > 0 }}", "True");
	R("{{ lookup('vars', 'secret') }}", "hunter2");
}

/* Errors inside multi-line templates: the string's position plus the line
 * and column inside it; template files: file:line:col. */
static void
test_error_positions(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	const char *f = "line 1\n{% for u in users %}\n  {{ u | nofilter }}\n"
	    "{% endfor %}\n";

	(void)state;
	R("a\n{% if x %}\nb", "ERR t.yml:3:10: error: unclosed '{% if %}' "
	    "(missing '{% endif %}') (template line 2, column 1)");
	R("a\n  {{ n | nofilter }}", "ERR t.yml:3:10: error: unknown filter "
	    "'nofilter' (template line 2, column 10)");
	R("x\n{% endfor %}", "ERR t.yml:3:10: error: unexpected "
	    "'{% endfor %}' (no open statement it could close) (template line "
	    "2, column 1)");
	R("x\n{% macro m() %}{% endmacro %}", "ERR t.yml:3:10: error: "
	    "'{% macro %}' is not supported (template line 2, column 1)");
	R("x\n\n   {{ nope }}", "ERR t.yml:3:10: error: 'nope' is undefined "
	    "(template line 3, column 7)");
	R("{% if %}", "ERR t.yml:3:16: error: expected an expression but found "
	    "'%}'");
	R("{% frob %}", "ERR t.yml:3:10: error: unknown statement 'frob'");
	R("{{ 1 }", "ERR t.yml:3:15: error: unexpected '}'");
	assert_int_equal(tmpl_render_file(f, strlen(f), "app.j2", vars, NULL,
	    &sb, &e), -1);
	assert_string_equal(e.msg.buf, "app.j2:3:10: error: unknown filter "
	    "'nofilter'\n");
	err_release(&e);
	strbuf_release(&sb);
}

static void
test_render_file(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct tmpl_file_opts o = { 1, 1, "\r\n" };
	const char *f = "{% for u in users %}\n  {% if u %}\n{{ u }}\n  "
	    "{% endif %}\n{% endfor %}\n";

	(void)state;
	assert_int_equal(tmpl_render_file(f, strlen(f), "x.j2", vars, &o, &sb,
	    &e), 0);
	assert_string_equal(sb.buf, "carol\r\nalice\r\nbob\r\n");
	strbuf_release(&sb);
	o.trim_blocks = 0;
	o.lstrip_blocks = 0;
	o.newline = "\n";
	f = "{% if 1 %}\nx\n{% endif %}\n";
	assert_int_equal(tmpl_render_file(f, strlen(f), "x.j2", vars, &o, &sb,
	    &e), 0);
	/* ansible-core 2.14, trim_blocks off: '\nx\n' (Jinja drops the
	 * source's one trailing newline, preserve_trailing_newlines finds
	 * as many at the end of the result as the source has) */
	assert_string_equal(sb.buf, "\nx\n");
	strbuf_release(&sb);
	f = "{{ 1 }}\n\n";	/* two at the source's end: two kept */
	assert_int_equal(tmpl_render_file(f, strlen(f), "x.j2", vars, &o, &sb,
	    &e), 0);
	assert_string_equal(sb.buf, "1\n\n");
	strbuf_release(&sb);
	err_release(&e);
}

#define X16 "xxxxxxxxxxxxxxxx"
#define X64 X16 X16 X16 X16

static void
test_limits_and_unsafe(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	int unsafe = 0;

	(void)state;
	R("{% for i in range(2000000) %}{% endfor %}", "ERR t.yml:3:22: "
	    "error: range() of more than 1000000 items");
	R("{% for i in range(1000000) %}{% for j in range(2) %}{% endfor %}"
	    "{% endfor %}", "ERR t.yml:3:39: error: template loops run more "
	    "than 1000000 times");
	R("{% for i in range(1000) %}{{ 'x' * 20000 }}{% endfor %}",
	    "ERR t.yml:3:43: error: template expansion too large (more than "
	    "16 MiB rendered)");
	R("{% for i in range(70000) %}{% raw %}" X64 X64 X64 X64
	    "{% endraw %}{% endfor %}", "ERR t.yml:3:46: error: template "
	    "expansion too large (more than 16 MiB rendered)");
	assert_int_equal(tmpl_render_ex("{% for c in [secret] %}{{ c }}"
	    "{% endfor %}", vars, &P, &sb, &unsafe, &e), 0);
	assert_true(unsafe);
	strbuf_release(&sb);
	err_release(&e);
}

/* issue 14 filters: sum(attribute, start), truncate, subelements,
 * to_nice_yaml/to_yaml arguments, json_query refused by name */
static void
test_issue14_filters(void **state)
{
	(void)state;
	R("{{ people | sum(attribute='age') }} {{ [1, 2] | sum(start=5) }}",
	    "66 8");
	R("{{ [[1], [2, 3]] | sum(start=[]) }}", "[1, 2, 3]");
	R("{{ people | sum(attribute='nick') }}", "ERR t.yml:3:22: error: "
	    "'sum': an item has no attribute 'nick'");
	R("{{ ['a'] | sum }}", "ERR t.yml:3:21: error: 'sum': unsupported "
	    "operand types for +: int and string");
	R("{{ 'abcdef ghijkl mnopq' | truncate(10, leeway=0) }}", "abcdef...");
	R("{{ 'abcdef ghijkl mnopq' | truncate(10, True, '', 0) }}",
	    "abcdef ghi");
	R("{{ 'abcdef ghijkl' | truncate(10) }}", "abcdef ghijkl");
	R("{{ 'h\u00e9llo w\u00f6rld' | truncate(4, True, '', 0) }}",
	    "h\xc3\xa9ll");
	R("{{ 'abc' | truncate(2) }}", "ERR t.yml:3:21: error: 'truncate': "
	    "expected length >= 3 and leeway >= 0");
	R("{% for p in [{'n': 'a', 'l': [1, 2]}, {'n': 'b'}] | "
	    "subelements('l', skip_missing=True) %}{{ p.0.n }}={{ p.1 }}"
	    "{% endfor %}", "a=1a=2");
	R("{{ [{'a': {'b': [1, 2]}}] | subelements('a.b') | map(attribute='1')"
	    " | list }}", "[1, 2]");
	R("{{ people | subelements('nick') }}", "ERR t.yml:3:22: error: could "
	    "not find 'nick' key in iterated item");
	R("{{ d | to_nice_yaml(sort_keys=False) }}", "b: two\na: 1\n");
	R("{{ d | to_nice_yaml(indent=2) }}", "a: 1\nb: two\n");
	R("{{ {'k': [1]} | to_yaml(default_flow_style=False) }}",
	    "k:\n- 1\n");
	R("{{ d | to_yaml(default_flow_style=True) }}", "ERR t.yml:3:17: "
	    "error: 'to_yaml': default_flow_style=True is not supported by "
	    "mend (None and False are)");
	R("{{ d | json_query('a') }}", "ERR t.yml:3:17: error: 'json_query' is "
	    "a filter of the Ansible collection community.general, which mend "
	    "does not have (mend has ansible-core's filters and tests); "
	    "json_query also needs the Python library jmespath on the "
	    "controller");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_if),
		cmocka_unit_test(test_for),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_filters_data),
		cmocka_unit_test(test_filters_text),
		cmocka_unit_test(test_filters_json_yaml),
		cmocka_unit_test(test_tests),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_error_positions),
		cmocka_unit_test(test_render_file),
		cmocka_unit_test(test_limits_and_unsafe),
		cmocka_unit_test(test_issue14_filters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
