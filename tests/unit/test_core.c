/* test_core.c - strbuf (and whole-file reads and writes), shell quoting, values, JSON and the YAML loader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>

#include <sys/stat.h>
#include <unistd.h>

#include "runner/util/err.h"
#include "runner/util/input.h"
#include "runner/util/fileio.h"
#include "runner/util/shellcmd.h"
#include "runner/util/strbuf.h"
#include "runner/util/value.h"
#include "runner/util/yamlload.h"

static void
test_strbuf_basics(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t len;

	(void)state;
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	strbuf_addstr(&sb, "abc");
	strbuf_addch(&sb, 0);
	strbuf_addf(&sb, "%d-%s", 42, "x");
	assert_int_equal(sb.len, 8);
	assert_memory_equal(sb.buf, "abc\0" "42-x", 8);
	strbuf_setlen(&sb, 2);
	assert_string_equal(sb.buf, "ab");
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "ab");
	assert_int_equal(len, 2);
	assert_string_equal(sb.buf, "");
	free(s);
	strbuf_release(&sb);
}

static void
test_strbuf_cap(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	sb.cap = 5;
	strbuf_addstr(&sb, "abc");
	assert_int_equal(sb.truncated, 0);
	strbuf_addstr(&sb, "defgh");
	assert_int_equal(sb.len, 5);
	assert_int_equal(sb.truncated, 1);
	assert_string_equal(sb.buf, "abcde");
	strbuf_release(&sb);
}

/* strbuf_addjson escapes exactly the bytes JSON needs escaped, whatever
 * sits between them (runs of plain bytes are copied in one piece), keeps
 * bytes >= 0x80 as they are, and a NUL inside the length is \u0000. */
static void
test_strbuf_addjson(void **state)
{
	static const char in[] = "a\"b\\c\nd\re\tf\001g\177h\303\251";
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addjson(&sb, in, sizeof(in) - 1);
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g"
	    "\\u007fh\303\251\"");
	strbuf_reset(&sb);
	strbuf_addjson(&sb, "", 0);
	strbuf_addjson(&sb, "\"\"", 2);
	strbuf_addjson(&sb, "x\0y", 3);
	strbuf_addjson(&sb, "plain", 5);
	assert_string_equal(sb.buf, "\"\"\"\\\"\\\"\"\"x\\u0000y\"\"plain\"");
	strbuf_release(&sb);
}

static void
test_strbuf_long_format(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char big[1000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_addf(&sb, "<%s>", big);
	assert_int_equal(sb.len, 1001);
	assert_int_equal(sb.buf[0], '<');
	assert_int_equal(sb.buf[1000], '>');
	strbuf_release(&sb);
}

/* strbuf_read_file appends every byte (NULs, more than one read's worth),
 * and on failure leaves the buffer as it was with errno set: a missing
 * file (open fails) and a directory (open succeeds, read fails). */
static void
test_strbuf_read_file(void **state)
{
	char dir[] = "/tmp/mend-test-rf-XXXXXX", *path;
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = 200000;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	for (i = 0; i < n; i++)
		strbuf_addch(&sb, (int)(i % 251));
	assert_int_equal(write_all(fd, sb.buf, sb.len), 0);
	close(fd);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "head:");
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	assert_int_equal(sb.len, 5 + n);
	for (i = 0; i < n; i++)
		assert_int_equal((unsigned char)sb.buf[5 + i], i % 251);
	strbuf_setlen(&sb, 5);
	errno = 0;
	assert_int_equal(strbuf_read_file(&sb, dir), -1);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(sb.len, 5);
	unlink(path);
	errno = 0;
	assert_int_equal(strbuf_read_file(&sb, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(sb.buf, "head:");
	assert_int_equal(write_all(-1, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	rmdir(dir);
	free(path);
	strbuf_release(&sb);
}

/* Run `sh -c "printf %s <quoted>"` and check the shell saw the exact bytes. */
static void
roundtrip(const char *value)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	char buf[256];
	size_t n;
	FILE *p;

	shellcmd_build(&cmd, "printf '%%s' %q", value);
	p = popen(cmd.buf, "r");
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	assert_int_equal(WEXITSTATUS(pclose(p)), 0);
	assert_int_equal(out.len, strlen(value));
	assert_memory_equal(out.buf, value, out.len);
	strbuf_release(&cmd);
	strbuf_release(&out);
}

static void
test_quoting_hostile(void **state)
{
	static const char *hostile[] = {
		"plain", "", "it's", "''", "a b  c", "$(touch /tmp/mend-canary)",
		"`touch /tmp/mend-canary`", "x; touch /tmp/mend-canary",
		"line1\nline2", "*", "~root", "$HOME", "\\", "\"dq\"",
		"a'b'c'\"'", "-n", "|&<>()", "'; touch /tmp/mend-canary; '",
	};
	size_t i;

	(void)state;
	unlink("/tmp/mend-canary");
	for (i = 0; i < ARRAY_SIZE(hostile); i++)
		roundtrip(hostile[i]);
	assert_int_not_equal(access("/tmp/mend-canary", F_OK), 0);
}

static void
test_shellcmd_format(void **state)
{
	char *s;

	(void)state;
	s = shellcmd("cat -- %q && echo %d%%", "a'b", 7);
	assert_string_equal(s, "cat -- 'a'\\''b' && echo 7%");
	free(s);
}

static struct val *
load(const char *text, struct err *e)
{
	struct val *v = NULL;

	if (yaml_load_string("t.yml", text, strlen(text), &v, e) < 0)
		return NULL;
	return v;
}

static void
test_yaml_types_and_positions(void **state)
{
	struct err e = ERR_INIT;
	struct val *v = load("a: 1\nb: \"1\"\nc: yes\nd: 0640\ne: ~\n"
	    "f: [x, 'y']\ng: {h: -3}\n", &e);
	struct val *x;

	(void)state;
	assert_non_null(v);
	assert_int_equal(v->type, V_MAP);
	x = val_map_get(v, "a");
	assert_int_equal(x->type, V_INT);
	assert_int_equal(x->u.i, 1);
	assert_int_equal(x->pos.line, 1);
	assert_int_equal(x->pos.col, 4);
	assert_int_equal(val_map_get(v, "b")->type, V_STR);
	assert_int_equal(val_map_get(v, "c")->type, V_BOOL);
	assert_int_equal(val_map_get(v, "d")->type, V_STR);
	assert_string_equal(val_map_get(v, "d")->u.str.s, "0640");
	assert_int_equal(val_map_get(v, "e")->type, V_NULL);
	x = val_map_getpath(v, "f.1");
	assert_string_equal(x->u.str.s, "y");
	assert_int_equal(x->pos.line, 6);
	assert_int_equal(x->pos.col, 8);
	assert_int_equal(val_map_getpath(v, "g.h")->u.i, -3);
	assert_string_equal(x->pos.file, "t.yml");
	val_free(v);
	err_release(&e);
}

/* YAML 1.1's booleans and null as PyYAML spells them: lower,
 * Capitalised or UPPER; another mix is a string (yaml.safe_load of
 * "[yEs, YES, Yes, nUll, NULL, tRue, oN, ON]" gives
 * ['yEs', True, True, 'nUll', None, 'tRue', 'oN', True]). */
static void
test_yaml_bool_spellings(void **state)
{
	static const char *const in[] = { "yEs", "YES", "Yes", "nUll", "NULL",
	    "tRue", "oN", "ON", "Off", "fALSE", "no" };
	static const int want[] = { V_STR, V_BOOL, V_BOOL, V_STR, V_NULL,
	    V_STR, V_STR, V_BOOL, V_BOOL, V_STR, V_BOOL };
	struct err e = ERR_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct val *v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(in); i++)
		strbuf_addf(&sb, "k%zu: %s\n", i, in[i]);
	v = load(sb.buf, &e);
	assert_non_null(v);
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%zu", i);
		if ((int)val_map_get(v, k)->type != want[i])
			fail_msg("'%s' loads as %s", in[i],
			    val_type_name(val_map_get(v, k)->type));
	}
	assert_int_equal(val_map_get(v, "k1")->u.b, 1);
	assert_int_equal(val_map_get(v, "k8")->u.b, 0);
	val_free(v);
	strbuf_release(&sb);
	err_release(&e);
}

/* found by fuzz_playbook (2026-12-07): a node that libyaml places at the
 * end of a file without a final newline (an empty document or value after
 * a comment) named a line past the end ("---\n# x": 3:1 of 2 lines; the
 * parse errors' positions were already clamped so): it is now where the
 * file ends. */
static void
test_yaml_eof_pos(void **state)
{
	struct err e = ERR_INIT;
	struct val *v, *x;

	(void)state;
	v = load("---\n# x", &e);
	assert_non_null(v);
	assert_int_equal(v->type, V_NULL);
	assert_int_equal(v->pos.line, 2);
	assert_int_equal(v->pos.col, 4);
	val_free(v);
	v = load("? a\n# \xcc\x8f c", &e);  /* marks count characters */
	assert_non_null(v);
	x = val_map_get(v, "a");
	assert_int_equal(x->type, V_NULL);
	assert_int_equal(x->pos.line, 2);
	assert_int_equal(x->pos.col, 6);
	val_free(v);
	v = load("---\n# x\n", &e);          /* a final newline: line 3 is */
	assert_int_equal(v->pos.line, 3);
	assert_int_equal(v->pos.col, 1);
	val_free(v);
	assert_int_equal(e.count, 0);
	err_release(&e);
}

static void
test_yaml_errors(void **state)
{
	struct err e = ERR_INIT;

	(void)state;
	assert_null(load("a: 1\nb: [1, 2\n", &e));
	assert_non_null(strstr(e.msg.buf, "t.yml:"));
	err_release(&e);
	assert_null(load("a: 1\na: 2\n", &e));
	assert_string_equal(e.msg.buf, "t.yml:2:1: error: duplicate key 'a'\n");
	err_release(&e);
	assert_null(load("a: 1\n---\nb: 2\n", &e));
	assert_non_null(strstr(e.msg.buf, "more than one YAML document"));
	err_release(&e);
	assert_null(load("a: *nope\n", &e));
	assert_non_null(strstr(e.msg.buf, "t.yml:1:4: error: unknown alias"));
	err_release(&e);
	/* found by fuzz_playbook: at the end of a file without a final
	 * newline, libyaml names a line past the end */
	assert_null(load("a: 1\nb: [1", &e));
	assert_string_equal(e.msg.buf, "t.yml:2:6: error: did not find "
	    "expected ',' or ']' while parsing a flow sequence\n");
	err_release(&e);
	/* the same after a 2-byte character (libyaml's marks count
	 * characters, the file has bytes) */
	assert_null(load("a: \xcc\x8f\nb: [1", &e));
	assert_string_equal(e.msg.buf, "t.yml:2:6: error: did not find "
	    "expected ',' or ']' while parsing a flow sequence\n");
	err_release(&e);
	assert_null(load("a: 1\rb: [1", &e));    /* a lone CR breaks too */
	assert_non_null(strstr(e.msg.buf, "t.yml:2:6: error: "));
	err_release(&e);
	assert_null(load("a:\n  b: 1\n c: 2\n", &e));
	assert_true(e.count > 0);
	err_release(&e);
}

static void
test_yaml_anchor_merge(void **state)
{
	struct err e = ERR_INIT;
	struct val *v = load("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
	    &e);

	(void)state;
	assert_non_null(v);
	assert_int_equal(val_map_getpath(v, "d.x")->u.i, 1);
	assert_int_equal(val_map_getpath(v, "d.y")->u.i, 3);
	val_free(v);
	v = load("", &e);
	assert_non_null(v);
	assert_int_equal(v->type, V_NULL);
	val_free(v);
	err_release(&e);
}

static void
test_yaml_deep_nesting_rejected(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < 200; i++)
		strbuf_addch(&sb, ']');
	assert_null(load(sb.buf, &e));
	assert_non_null(strstr(e.msg.buf, "nesting deeper"));
	err_release(&e);
	strbuf_release(&sb);
}

/* The "billion laughs": each level a list of 9 aliases of the one
 * before.  Refused at the alias that passes the cap, quickly. */
static void
test_yaml_alias_bomb(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *v;
	int i, j;

	(void)state;
	strbuf_addstr(&sb, "a0: &a0 \"lol\"\n");
	for (i = 1; i <= 9; i++) {
		strbuf_addf(&sb, "a%d: &a%d [", i, i);
		for (j = 0; j < 9; j++)
			strbuf_addf(&sb, "%s*a%d", j ? ", " : "", i - 1);
		strbuf_addstr(&sb, "]\n");
	}
	assert_null(load(sb.buf, &e));
	assert_string_equal(e.msg.buf, "t.yml:7:10: error: aliases expand to "
	    "more than 100000 nodes (at alias 'a5')\n");
	err_release(&e);
	/* ordinary use of aliases is untouched */
	v = load("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n", &e);
	assert_non_null(v);
	assert_int_equal(val_map_getpath(v, "b.2")->u.list.n, 3);
	val_free(v);
	strbuf_release(&sb);
}

/* Bytes libyaml's reader rejects are reported where they are. */
static void
test_yaml_bad_bytes_position(void **state)
{
	static const char nul[] = "a: 1\nb:\n  - x\n  - \"y\0z\"\n";
	struct err e = ERR_INIT;
	struct val *v = NULL;

	(void)state;
	assert_null(load("a: 1\nb: 2\nc: 3\nd: \"\xc3\xa9x\xff\"\n", &e));
	assert_string_equal(e.msg.buf, "t.yml:4:7: error: invalid leading "
	    "UTF-8 octet (byte 0xFF)\n");
	err_release(&e);
	assert_int_equal(yaml_load_string("t.yml", nul, sizeof(nul) - 1, &v,
	    &e), -1);
	assert_string_equal(e.msg.buf, "t.yml:4:7: error: control "
	    "characters are not allowed (a NUL byte)\n");
	err_release(&e);
}

/* Input files: regular files only, capped (MEND_MAX_INPUT). */
static void
test_input_files(void **state)
{
	char dir[] = "/tmp/mend-input-XXXXXX", fifo[64], big[64];
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *v = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/p.yml", dir);
	snprintf(big, sizeof(big), "%s/big.yml", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(yaml_load_file(fifo, &v, &e), -1);   /* no block */
	assert_non_null(strstr(e.msg.buf, "is not a regular file (a FIFO)"));
	err_release(&e);
	assert_int_equal(input_read_file("/dev/zero", "inventory", &sb, &e),
	    -1);
	assert_string_equal(e.msg.buf, "error: inventory '/dev/zero' is not "
	    "a regular file (a character device)\n");
	err_release(&e);
	assert_int_equal(sb.len, 0);
	f = fopen(big, "w");
	assert_non_null(f);
	fputs("a: 12345\n", f);
	fclose(f);
	setenv("MEND_MAX_INPUT", "8", 1);
	assert_int_equal(yaml_load_file(big, &v, &e), -1);
	assert_non_null(strstr(e.msg.buf, "is larger than the input limit "
	    "(8 bytes; set MEND_MAX_INPUT to raise it)"));
	err_release(&e);
	setenv("MEND_MAX_INPUT", "1K", 1);
	assert_int_equal(yaml_load_file(big, &v, &e), 0);
	assert_int_equal(val_map_get(v, "a")->u.i, 12345);
	val_free(v);
	setenv("MEND_MAX_INPUT", "-1", 1);
	assert_int_equal(yaml_load_file(big, &v, &e), -1);
	assert_non_null(strstr(e.msg.buf, "MEND_MAX_INPUT '-1' is not a size"));
	err_release(&e);
	unsetenv("MEND_MAX_INPUT");
	unlink(fifo);
	unlink(big);
	rmdir(dir);
}

static void
test_value_json_and_unsafe(void **state)
{
	struct val *m = val_map(), *l = val_list(), *secret = val_str("hunter2");
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	val_list_push(l, val_int(1));
	val_list_push(l, val_str("a\"b\n"));
	val_list_push(l, val_bool(0));
	val_list_push(l, val_null());
	val_map_set(m, "l", l);
	secret->unsafe = 1;
	val_map_set(m, "pw", secret);
	val_to_json(m, &sb, -1);
	assert_string_equal(sb.buf,
	    "{\"l\":[1,\"a\\\"b\\n\",false,null],\"pw\":\"********\"}");
	assert_null(strstr(sb.buf, "hunter2"));
	strbuf_reset(&sb);
	val_to_str_py(l, &sb);
	assert_string_equal(sb.buf, "[1, 'a\"b\\n', False, None]");
	val_free(m);
	strbuf_release(&sb);
}

static void
test_value_list_of_lines(void **state)
{
	struct val *l = val_list_of_lines("a\n\nbc\nd");

	(void)state;
	assert_int_equal(l->u.list.n, 3);
	assert_string_equal(val_list_get(l, 0)->u.str.s, "a");
	assert_string_equal(val_list_get(l, 1)->u.str.s, "bc");
	assert_string_equal(val_list_get(l, 2)->u.str.s, "d");
	val_free(l);
	l = val_list_of_lines("");
	assert_int_equal(l->u.list.n, 0);
	val_free(l);
}

static void
test_value_conversions(void **state)
{
	struct val *v;
	int64_t n;

	(void)state;
	v = val_str("Yes");
	assert_int_equal(val_to_bool(v), 1);
	val_free(v);
	v = val_str("maybe");
	assert_int_equal(val_to_bool(v), -1);
	assert_int_equal(val_to_int(v, &n), -1);
	val_free(v);
	v = val_str(" 42 ");
	assert_int_equal(val_to_int(v, &n), 0);
	assert_int_equal(n, 42);
	val_free(v);
	v = val_map();
	val_map_set(v, "a", val_int(1));
	val_map_set(v, "b", val_int(2));
	val_map_set(v, "a", val_int(3));
	assert_int_equal(v->u.map.n, 2);
	assert_string_equal(v->u.map.items[0].key, "a");
	assert_int_equal(val_map_get(v, "a")->u.i, 3);
	assert_int_equal(val_map_del(v, "a"), 1);
	assert_int_equal(val_map_del(v, "a"), 0);
	assert_null(val_map_get(v, "a"));
	val_free(v);
}

/* err_text: the message for another message; a position is kept whole
 * (cutting a fixed "error: " off it garbled the file name). */
static void
test_err_text(void **state)
{
	struct err e = ERR_INIT;
	struct pos p = { "/etc/rabbitmq/enabled_plugins", 1, 5 };

	(void)state;
	assert_string_equal(err_text(&e, "fallback"), "fallback");
	err_set(&e, "cannot connect to '%s'", "h1");
	assert_string_equal(err_text(&e, "x"), "cannot connect to 'h1'");
	err_release(&e);
	err_setpos(&e, &p, "malformed enabled_plugins: %s", "no dot");
	assert_string_equal(err_text(&e, "x"), "/etc/rabbitmq/enabled_plugins:"
	    "1:5: error: malformed enabled_plugins: no dot");
	err_release(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_text),
		cmocka_unit_test(test_strbuf_basics),
		cmocka_unit_test(test_strbuf_cap),
		cmocka_unit_test(test_strbuf_long_format),
		cmocka_unit_test(test_strbuf_addjson),
		cmocka_unit_test(test_strbuf_read_file),
		cmocka_unit_test(test_quoting_hostile),
		cmocka_unit_test(test_shellcmd_format),
		cmocka_unit_test(test_yaml_types_and_positions),
		cmocka_unit_test(test_yaml_bool_spellings),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_yaml_eof_pos),
		cmocka_unit_test(test_yaml_anchor_merge),
		cmocka_unit_test(test_yaml_deep_nesting_rejected),
		cmocka_unit_test(test_yaml_alias_bomb),
		cmocka_unit_test(test_yaml_bad_bytes_position),
		cmocka_unit_test(test_input_files),
		cmocka_unit_test(test_value_json_and_unsafe),
		cmocka_unit_test(test_value_list_of_lines),
		cmocka_unit_test(test_value_conversions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
