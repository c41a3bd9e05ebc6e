/*
 * test_command.c - the pure parts of the command and shell modules:
 * shlex-style splitting (expected values checked against Python's
 * shlex.split), and the remote command line, which is run here with the
 * local /bin/sh (exactly what conn_exec does on a host) to prove that every
 * word reaches the program unchanged, hostile or not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../modules/command.h"
#include "../../runner/banned.h"

extern const struct module mod_command, mod_shell;

/* ---- splitting ---- */

static void
expect_split(const char *s, const char *const *want, size_t nwant)
{
	char **v = (char **)1;
	size_t n = 99, i;
	const char *why = NULL;

	assert_int_equal(cmd_split(s, &v, &n, &why), 0);
	assert_null(why);
	assert_int_equal(n, nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(v[i], want[i]);
	assert_null(v[n]);
	cmd_argv_free(v);
}

#define SPLIT(s, ...) do { \
	static const char *const w_[] = { __VA_ARGS__ }; \
	expect_split((s), w_, ARRAY_SIZE(w_)); \
} while (0)

static void
split_plain(void **state)
{
	(void)state;
	SPLIT("echo hello world", "echo", "hello", "world");
	SPLIT("  echo   a\tb\nc  ", "echo", "a", "b", "c");
	SPLIT("x", "x");
	SPLIT("a#b #c", "a#b", "#c");   /* no comments, as shlex.split */
}

static void
split_empty(void **state)
{
	char **v = NULL;
	size_t n = 99;
	const char *why = NULL;

	(void)state;
	assert_int_equal(cmd_split("", &v, &n, &why), 0);
	assert_int_equal(n, 0);
	assert_non_null(v);
	assert_null(v[0]);
	cmd_argv_free(v);
	assert_int_equal(cmd_split(" \t\r\n ", &v, &n, &why), 0);
	assert_int_equal(n, 0);
	cmd_argv_free(v);
}

static void
split_quotes(void **state)
{
	(void)state;
	SPLIT("echo 'a b' \"c d\"", "echo", "a b", "c d");
	SPLIT("echo a\"b c\"d", "echo", "ab cd");
	SPLIT("echo ''", "echo", "");
	SPLIT("echo \"\" x", "echo", "", "x");
	SPLIT("''", "");
	SPLIT("echo 'it'\\''s'", "echo", "it's");
	SPLIT("echo '\"' \"'\"", "echo", "\"", "'");
	SPLIT("echo 'a\nb'", "echo", "a\nb");
	/* in "...", a backslash escapes only " and \ */
	SPLIT("\"a\\\"b\" \"a\\\\b\" \"a\\$b\" \"a\\nb\"",
	    "a\"b", "a\\b", "a\\$b", "a\\nb");
	/* in '...', nothing is special */
	SPLIT("'a\\b'", "a\\b");
}

static void
split_backslash(void **state)
{
	(void)state;
	SPLIT("a\\ b a\\\\b a\\\"b \\$x", "a b", "a\\b", "a\"b", "$x");
	SPLIT("a\\\nb", "a\nb");
}

static void
split_hostile(void **state)
{
	(void)state;
	SPLIT("echo $(id) `id` ; * | > &&", "echo", "$(id)", "`id`", ";",
	    "*", "|", ">", "&&");
	SPLIT("rm -rf /tmp/x;reboot", "rm", "-rf", "/tmp/x;reboot");
	SPLIT("echo \"$(touch /tmp/pwned)\"", "echo", "$(touch /tmp/pwned)");
}

static void
expect_split_error(const char *s, const char *why_want)
{
	char **v = (char **)1;
	size_t n = 99;
	const char *why = NULL;

	assert_int_equal(cmd_split(s, &v, &n, &why), -1);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_non_null(why);
	assert_string_equal(why, why_want);
}

static void
split_errors(void **state)
{
	(void)state;
	expect_split_error("echo 'x", "no closing quotation");
	expect_split_error("echo \"x", "no closing quotation");
	expect_split_error("echo a b 'c d", "no closing quotation");
	expect_split_error("echo x\\", "no escaped character");
	expect_split_error("echo \"x\\", "no escaped character");
	expect_split_error("'", "no closing quotation");
}

/* ---- running built commands with the local /bin/sh ---- */

struct shres {
	int rc;
	struct strbuf out;
};

static void
run_sh(const char *cmd, struct shres *r)
{
	char *quiet = xasprintf("{ %s\n} 2>/dev/null", cmd);
	FILE *f = popen(quiet, "r");
	char buf[4096];
	size_t n;
	int st;

	free(quiet);
	assert_non_null(f);
	strbuf_init(&r->out, 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&r->out, buf, n);
	st = pclose(f);
	r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Run `printf '<%s>\n' words...` through cmd_build and /bin/sh: the output
 * shows each argument the program received. */
static void
expect_args(const char *const *words, size_t n, int expand,
    const char *want)
{
	const char *v[32];
	struct cmd_spec spec;
	struct strbuf cmd = STRBUF_INIT;
	struct shres r;
	size_t i;

	assert_true(n + 2 < ARRAY_SIZE(v));
	v[0] = "printf";
	v[1] = "<%s>\\n";
	for (i = 0; i < n; i++)
		v[i + 2] = words[i];
	memset(&spec, 0, sizeof(spec));
	spec.argv = v;
	spec.argc = n + 2;
	spec.expand = expand;
	spec.nonce = "0123abcd";
	cmd_build(&cmd, &spec);
	run_sh(cmd.buf, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.buf, want);
	strbuf_release(&r.out);
	strbuf_release(&cmd);
}

static void
build_hostile_words(void **state)
{
	static const char *const w[] = {
		"$(touch /tmp/mend-test-pwned)", "`touch /tmp/mend-test-pwned`",
		"a'b", "\"", "\\", "x\ny", ";", "*", "|", "&&", "", " lead",
		"-n", "$", "${", "a$", "$(", "'$HOME'",
	};
	(void)state;
	unlink("/tmp/mend-test-pwned");
	expect_args(w, ARRAY_SIZE(w), 0,
	    "<$(touch /tmp/mend-test-pwned)>\n<`touch /tmp/mend-test-pwned`>\n"
	    "<a'b>\n<\">\n<\\>\n<x\ny>\n<;>\n<*>\n<|>\n<&&>\n<>\n< lead>\n"
	    "<-n>\n<$>\n<${>\n<a$>\n<$(>\n<'$HOME'>\n");
	/* the same with expansion on: none of these is a variable */
	expect_args(w, ARRAY_SIZE(w) - 1, 1,
	    "<$(touch /tmp/mend-test-pwned)>\n<`touch /tmp/mend-test-pwned`>\n"
	    "<a'b>\n<\">\n<\\>\n<x\ny>\n<;>\n<*>\n<|>\n<&&>\n<>\n< lead>\n"
	    "<-n>\n<$>\n<${>\n<a$>\n<$(>\n");
	assert_int_equal(access("/tmp/mend-test-pwned", F_OK), -1);
}

static void
build_every_word_quoted(void **state)
{
	static const char *const w[] = { "echo", "a b", "$(id)", NULL };
	struct cmd_spec spec;
	struct strbuf cmd = STRBUF_INIT;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.argv = w;
	spec.argc = 3;
	cmd_build(&cmd, &spec);
	assert_string_equal(cmd.buf, "exec 'echo' 'a b' '$(id)'");
	strbuf_release(&cmd);
}

static void
build_expand_vars(void **state)
{
	static const char *const w[] = {
		"$MEND_T1", "x${MEND_T1}y", "$MEND_UNSET_VAR", "${MEND_UNSET_VAR}",
		"$MEND_T2", "$1", "${not valid}", "$MEND_T1$MEND_T1",
		"a$MEND_T1.b",
	};
	char want[1024];

	(void)state;
	setenv("MEND_T1", "v 1", 1);
	setenv("MEND_T2", "$(id) `x` '", 1);
	unsetenv("MEND_UNSET_VAR");
	snprintf(want, sizeof(want), "<v 1>\n<xv 1y>\n<$MEND_UNSET_VAR>\n"
	    "<${MEND_UNSET_VAR}>\n<$(id) `x` '>\n<$1>\n<${not valid}>\n"
	    "<v 1v 1>\n<av 1.b>\n");
	expect_args(w, ARRAY_SIZE(w), 1, want);
	/* without expansion everything is literal */
	expect_args(w, 2, 0, "<$MEND_T1>\n<x${MEND_T1}y>\n");
}

static void
build_expand_tilde(void **state)
{
	static const char *const w[] = {
		"~", "~/x y", "a~", "~mend-no-such-user/x", "~root/x", "'~'",
		"~/$MEND_T1",
	};
	const char *home = getenv("HOME");
	char want[2048];

	(void)state;
	assert_non_null(home);
	setenv("MEND_T1", "v", 1);
	snprintf(want, sizeof(want), "<%s>\n<%s/x y>\n<a~>\n"
	    "<~mend-no-such-user/x>\n<%s/x>\n<'~'>\n<%s/v>\n", home, home,
	    "/root", home);
	expect_args(w, ARRAY_SIZE(w), 1, want);
	/* no expansion: ~ is literal */
	expect_args(w, 2, 0, "<~>\n<~/x y>\n");
}

/* ---- chdir / creates / removes ---- */

static char tmpdir[] = "/tmp/mend-test-cmd-XXXXXX";

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char *cmd = xasprintf("rm -rf -- '%s'", tmpdir);
	int rc;

	(void)state;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static enum cmd_outcome
run_spec(const char *chdir, const char *creates, const char *removes,
    struct shres *r)
{
	static const char *const w[] = { "pwd", NULL };
	struct cmd_spec spec;
	struct strbuf cmd = STRBUF_INIT;
	enum cmd_outcome o;

	memset(&spec, 0, sizeof(spec));
	spec.argv = w;
	spec.argc = 1;
	spec.chdir = chdir;
	spec.creates = creates;
	spec.removes = removes;
	spec.nonce = "c0ffee";
	cmd_build(&cmd, &spec);
	run_sh(cmd.buf, r);
	strbuf_release(&cmd);
	o = cmd_outcome(r->out.buf, r->out.len, "c0ffee");
	return o;
}

static void
touch(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fclose(f);
	free(p);
}

static void
prefix_chdir(void **state)
{
	struct shres r;
	char *want = xasprintf("%s\n", tmpdir);
	char *sub = xasprintf("%s/it's a $(dir)", tmpdir);

	(void)state;
	assert_int_equal(run_spec(tmpdir, NULL, NULL, &r), CMD_RAN);
	assert_string_equal(r.out.buf, want);
	strbuf_release(&r.out);
	assert_int_equal(run_spec("/nonexistent/mend", NULL, NULL, &r),
	    CMD_NO_CHDIR);
	assert_int_not_equal(r.rc, 0);
	strbuf_release(&r.out);
	assert_int_equal(mkdir(sub, 0700), 0);
	free(want);
	want = xasprintf("%s\n", sub);
	assert_int_equal(run_spec(sub, NULL, NULL, &r), CMD_RAN);
	assert_string_equal(r.out.buf, want);
	strbuf_release(&r.out);
	free(want);
	free(sub);
}

static void
prefix_creates_removes(void **state)
{
	struct shres r;
	char *glob = xasprintf("%s/*.done", tmpdir);
	char *lit = xasprintf("%s/a b.done", tmpdir);

	(void)state;
	/* nothing matches yet */
	assert_int_equal(run_spec(NULL, glob, NULL, &r), CMD_RAN);
	strbuf_release(&r.out);
	assert_int_equal(run_spec(NULL, NULL, glob, &r), CMD_SKIP_REMOVES);
	assert_int_equal(r.rc, 0);
	strbuf_release(&r.out);
	touch(tmpdir, "a b.done");
	assert_int_equal(run_spec(NULL, glob, NULL, &r), CMD_SKIP_CREATES);
	strbuf_release(&r.out);
	assert_int_equal(run_spec(NULL, lit, NULL, &r), CMD_SKIP_CREATES);
	strbuf_release(&r.out);
	assert_int_equal(run_spec(NULL, NULL, glob, &r), CMD_RAN);
	strbuf_release(&r.out);
	/* relative to chdir, as in Ansible */
	assert_int_equal(run_spec(tmpdir, "*.done", NULL, &r),
	    CMD_SKIP_CREATES);
	strbuf_release(&r.out);
	assert_int_equal(run_spec(tmpdir, NULL, "nope*", &r),
	    CMD_SKIP_REMOVES);
	strbuf_release(&r.out);
	free(glob);
	free(lit);
}

static void
prefix_hostile_patterns(void **state)
{
	static const char *const pats[] = {
		"$(touch /tmp/mend-test-pwned)", "`touch /tmp/mend-test-pwned`",
		"x; touch /tmp/mend-test-pwned", "'; touch /tmp/mend-test-pwned; '",
		"x\ntouch /tmp/mend-test-pwned", "${x:=$(touch /tmp/mend-test-pwned)}",
	};
	struct shres r;
	size_t i;

	(void)state;
	unlink("/tmp/mend-test-pwned");
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		assert_int_equal(run_spec(NULL, pats[i], NULL, &r), CMD_RAN);
		strbuf_release(&r.out);
		assert_int_equal(run_spec(NULL, NULL, pats[i], &r),
		    CMD_SKIP_REMOVES);
		strbuf_release(&r.out);
		assert_int_equal(run_spec(pats[i], NULL, NULL, &r),
		    CMD_NO_CHDIR);
		strbuf_release(&r.out);
	}
	assert_int_equal(access("/tmp/mend-test-pwned", F_OK), -1);
}

static void
shell_script_one_word(void **state)
{
	struct cmd_spec spec;
	struct strbuf cmd = STRBUF_INIT;
	struct shres r;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.script = "x='a b'; echo \"$x\" | tr a-z A-Z; echo it\\'s";
	spec.nonce = "ab";
	cmd_build(&cmd, &spec);
	assert_string_equal(cmd.buf, "exec '/bin/sh' -c 'x='\\''a b'\\''; "
	    "echo \"$x\" | tr a-z A-Z; echo it\\'\\''s'");
	run_sh(cmd.buf, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.buf, "A B\nit's\n");
	strbuf_release(&r.out);
	strbuf_reset(&cmd);
	spec.shell_exe = "/bin/bash";
	spec.script = "exit 7";
	cmd_build(&cmd, &spec);
	assert_string_equal(cmd.buf, "exec '/bin/bash' -c 'exit 7'");
	run_sh(cmd.buf, &r);
	assert_int_equal(r.rc, 7);
	strbuf_release(&r.out);
	strbuf_release(&cmd);
}

/* ---- outcome markers, lines, nonce ---- */

static void
outcome_markers(void **state)
{
	(void)state;
	assert_int_equal(cmd_outcome("ab creates\n", 11, "ab"),
	    CMD_SKIP_CREATES);
	assert_int_equal(cmd_outcome("ab removes\n", 11, "ab"),
	    CMD_SKIP_REMOVES);
	assert_int_equal(cmd_outcome("ab chdir\n", 9, "ab"), CMD_NO_CHDIR);
	assert_int_equal(cmd_outcome("ab creates\nmore", 15, "ab"), CMD_RAN);
	assert_int_equal(cmd_outcome("ab creates", 10, "ab"), CMD_RAN);
	assert_int_equal(cmd_outcome("xx creates\n", 11, "ab"), CMD_RAN);
	assert_int_equal(cmd_outcome("abcreates\n", 10, "ab"), CMD_RAN);
	assert_int_equal(cmd_outcome(" creates\n", 9, ""), CMD_RAN);
	assert_int_equal(cmd_outcome("", 0, "ab"), CMD_RAN);
	assert_int_equal(cmd_outcome("ab other\n", 9, "ab"), CMD_RAN);
}

static void
expect_lines(const char *s, const char *const *want, size_t n)
{
	struct val *l = cmd_lines(s, strlen(s));
	size_t i;

	assert_int_equal(l->type, V_LIST);
	assert_int_equal(l->u.list.n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(l->u.list.items[i]->u.str.s, want[i]);
	val_free(l);
}

static void
lines_split(void **state)
{
	static const char *const a[] = { "a", "b" };
	static const char *const b[] = { "" };
	static const char *const c[] = { "a", "", "b", "c" };

	(void)state;
	expect_lines("a\nb\n", a, 2);
	expect_lines("a\nb", a, 2);
	expect_lines("a\r\nb", a, 2);
	expect_lines("", NULL, 0);
	expect_lines("\n", b, 1);
	expect_lines("a\n\nb\rc", c, 4);
}

static void
nonce_random(void **state)
{
	char a[17], b[17], small[5];

	(void)state;
	cmd_nonce(a, sizeof(a));
	cmd_nonce(b, sizeof(b));
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_not_equal(a, b);
	cmd_nonce(small, sizeof(small));
	assert_int_equal(strlen(small), 4);
}

/* ---- validation and the run paths that need no host ---- */

static struct val *
args_of(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct val *m = val_map();

	if (k1 != NULL)
		val_map_set(m, k1, val_str(v1));
	if (k2 != NULL)
		val_map_set(m, k2, val_str(v2));
	return m;
}

static void
validate_one_command(void **state)
{
	struct err e = ERR_INIT;
	struct val *a;

	(void)state;
	a = args_of("_raw_params", "ls", NULL, NULL);
	assert_int_equal(mod_command.validate(a, &e), 0);
	val_free(a);
	a = args_of("argv", "ls", "chdir", "/");
	assert_int_equal(mod_command.validate(a, &e), 0);
	val_free(a);
	assert_int_equal(e.count, 0);
	a = args_of("chdir", "/", NULL, NULL);
	assert_int_equal(mod_command.validate(a, &e), -1);
	assert_non_null(strstr(e.msg.buf, "no command given"));
	val_free(a);
	a = args_of("_raw_params", "ls", "argv", "ls");
	assert_int_equal(mod_command.validate(a, &e), -1);
	assert_non_null(strstr(e.msg.buf, "only once"));
	val_free(a);
	a = args_of("cmd", "ls", "argv", "ls");
	assert_int_equal(mod_shell.validate(a, &e), 0);  /* shell: no argv */
	val_free(a);
	a = args_of("cmd", "ls", "_raw_params", "ls");
	assert_int_equal(mod_shell.validate(a, &e), -1);
	val_free(a);
	err_release(&e);
}

static void
run_fails_without_host(void **state)
{
	struct modctx ctx;
	struct val *a;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	strbuf_init(&ctx.msg, 0);
	strbuf_init(&ctx.diffs, 0);
	a = args_of("_raw_params", "echo 'unclosed", NULL, NULL);
	assert_int_equal(mod_command.run(&ctx, a), 0);
	assert_true(ctx.failed);
	assert_string_equal(ctx.msg.buf,
	    "cannot split the command line: no closing quotation");
	val_free(a);
	ctx.failed = 0;
	a = args_of("cmd", "   ", NULL, NULL);
	assert_int_equal(mod_command.run(&ctx, a), 0);
	assert_true(ctx.failed);
	assert_string_equal(ctx.msg.buf, "no command given");
	val_free(a);
	ctx.failed = 0;
	a = args_of("cmd", " \n", NULL, NULL);
	assert_int_equal(mod_shell.run(&ctx, a), 0);
	assert_true(ctx.failed);
	assert_string_equal(ctx.msg.buf, "no command given");
	val_free(a);
	strbuf_release(&ctx.msg);
	strbuf_release(&ctx.diffs);
	val_free(ctx.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_plain),
		cmocka_unit_test(split_empty),
		cmocka_unit_test(split_quotes),
		cmocka_unit_test(split_backslash),
		cmocka_unit_test(split_hostile),
		cmocka_unit_test(split_errors),
		cmocka_unit_test(build_every_word_quoted),
		cmocka_unit_test(build_hostile_words),
		cmocka_unit_test(build_expand_vars),
		cmocka_unit_test(build_expand_tilde),
		cmocka_unit_test(prefix_chdir),
		cmocka_unit_test(prefix_creates_removes),
		cmocka_unit_test(prefix_hostile_patterns),
		cmocka_unit_test(shell_script_one_word),
		cmocka_unit_test(outcome_markers),
		cmocka_unit_test(lines_split),
		cmocka_unit_test(nonce_random),
		cmocka_unit_test(validate_one_command),
		cmocka_unit_test(run_fails_without_host),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
