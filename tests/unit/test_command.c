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

#include "modules/generic/cmdexec.h"
#include "runner/util/shellcmd.h"
#include "runner/util/shlex.h"
#include "runner/core/args.h"
#include "runner/core/executor.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

extern const struct module mod_command, mod_shell;

/* ---- splitting ---- */

static void
expect_split(const char *s, const char *const *want, size_t nwant)
{
	char **v = (char **)1;
	size_t n = 99, i;
	const char *why = NULL;

	assert_int_equal(shlex_split(s, &v, &n, &why), 0);
	assert_null(why);
	assert_int_equal(n, nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(v[i], want[i]);
	assert_null(v[n]);
	shlex_free(v);
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
	assert_int_equal(shlex_split("", &v, &n, &why), 0);
	assert_int_equal(n, 0);
	assert_non_null(v);
	assert_null(v[0]);
	shlex_free(v);
	assert_int_equal(shlex_split(" \t\r\n ", &v, &n, &why), 0);
	assert_int_equal(n, 0);
	shlex_free(v);
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

	assert_int_equal(shlex_split(s, &v, &n, &why), -1);
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
	shellcmd_nonce(a, sizeof(a));
	shellcmd_nonce(b, sizeof(b));
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_not_equal(a, b);
	shellcmd_nonce(small, sizeof(small));
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

/* mod_call: through the registry, with the callee's argument table and
 * flags: an unknown module and bad arguments fail the task, a module that
 * changes the host without check mode support does not run in check mode,
 * and a call that runs reports into the caller's context. */
static void
call_through_registry(void **state)
{
	struct modctx ctx;
	struct val *a = val_map();

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	strbuf_init(&ctx.msg, 0);
	strbuf_init(&ctx.diffs, 0);
	assert_int_equal(mod_call(&ctx, "no_such", a), MOD_FAILED);
	assert_string_equal(ctx.msg.buf, "no module 'no_such'");
	ctx.failed = 0;
	val_map_set(a, "nope", val_str("x"));
	assert_int_equal(mod_call(&ctx, "debug", a), MOD_FAILED);
	assert_non_null(strstr(ctx.msg.buf, "'nope'"));
	ctx.failed = 0;
	val_free(a);
	a = val_map();
	val_map_set(a, "cmd", val_str("touch /nonexistent"));
	ctx.check = 1;
	assert_int_equal(mod_call(&ctx, "command", a), MOD_SKIPPED);
	assert_false(ctx.failed);
	ctx.check = 0;
	val_free(a);
	a = val_map();
	val_map_set(a, "msg", val_str("hello"));
	assert_int_equal(mod_call(&ctx, "debug", a), MOD_OK);
	assert_false(ctx.failed);
	assert_non_null(strstr(ctx.msg.buf, "hello"));
	val_free(a);
	strbuf_release(&ctx.msg);
	strbuf_release(&ctx.diffs);
	val_free(ctx.data);
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
	assert_int_equal(mod_command.run(&ctx, a), MOD_FAILED);
	assert_true(ctx.failed);
	assert_string_equal(ctx.msg.buf,
	    "cannot split the command line: no closing quotation");
	val_free(a);
	ctx.failed = 0;
	a = args_of("cmd", "   ", NULL, NULL);
	assert_int_equal(mod_command.run(&ctx, a), MOD_FAILED);
	assert_true(ctx.failed);
	assert_string_equal(ctx.msg.buf, "no command given");
	val_free(a);
	ctx.failed = 0;
	a = args_of("cmd", " \n", NULL, NULL);
	assert_int_equal(mod_shell.run(&ctx, a), MOD_FAILED);
	assert_true(ctx.failed);
	assert_string_equal(ctx.msg.buf, "no command given");
	val_free(a);
	strbuf_release(&ctx.msg);
	strbuf_release(&ctx.diffs);
	val_free(ctx.data);
}


/* ---- whole modules through the local transport (ansible_connection=local)
 * with the runner's own argument handling ---- */

static int task_timeout;   /* ctx->timeout of the next run_mod() */

struct run {
	struct run_opts opts;
	struct hostctx host;
	struct modctx ctx;
	struct val *vars;
	enum mod_result ret;
};

static const struct val *
data(const struct run *r, const char *key)
{
	assert_non_null(r->ctx.data);
	return val_map_get(r->ctx.data, key);
}

static const char *
data_str(const struct run *r, const char *key)
{
	const struct val *v = data(r, key);

	assert_non_null(v);
	assert_int_equal(v->type, V_STR);
	return v->u.str.s;
}

/* Parse args (YAML) as the runner does, then run the module; returns -1
 * (and nothing ran) when validation failed, with the message in *why. */
static int
run_mod(struct run *r, const char *mod, const char *yaml, const char *vars,
    int check, char **why)
{
	const struct module *m = module_find(mod);
	struct val *raw = NULL, *args = NULL;
	struct conn_params cp;
	struct err e = ERR_INIT;
	struct pos p = { "test", 1, 1 };

	assert_non_null(m);
	memset(r, 0, sizeof(*r));
	assert_int_equal(yaml_load_string("args", yaml, strlen(yaml), &raw,
	    &e), 0);
	if (raw->type == V_STR) {      /* free form: `command: ls -l` */
		struct val *map = NULL;

		assert_int_equal(args_from_string(m, raw, &map, &e), 0);
		val_free(raw);
		raw = map;
	}
	r->vars = val_map();
	if (vars != NULL) {
		val_free(r->vars);
		assert_int_equal(yaml_load_string("vars", vars, strlen(vars),
		    &r->vars, &e), 0);
	}
	if (args_normalize(m, raw, &e) < 0 ||
	    args_coerce(m, raw, &p, &args, &e) < 0) {
		strbuf_rtrim(&e.msg);
		*why = strbuf_detach(&e.msg, NULL);
		val_free(raw);
		val_free(r->vars);
		return -1;
	}
	r->host.opts = &r->opts;
	r->host.name = "local";
	strbuf_init(&r->host.out, 0);
	memset(&cp, 0, sizeof(cp));
	cp.name = cp.host = "localhost";
	cp.local = 1;
	assert_int_equal(conn_open(&r->host.conn, &cp, &e), 0);
	r->ctx.host = &r->host;
	r->ctx.host_name = "local";
	r->ctx.task_name = mod;
	r->ctx.vars = r->vars;
	r->ctx.check = check;
	r->ctx.timeout = task_timeout;
	r->ctx.rc = -1;
	strbuf_init(&r->ctx.msg, 0);
	strbuf_init(&r->ctx.diffs, 0);
	r->ret = m->run(&r->ctx, args);
	val_free(raw);
	val_free(args);
	err_release(&e);
	return 0;
}

static void
run_free(struct run *r)
{
	conn_close(r->host.conn);
	strbuf_release(&r->host.out);
	strbuf_release(&r->ctx.msg);
	strbuf_release(&r->ctx.diffs);
	val_free(r->ctx.data);
	val_free(r->vars);
}

/* A task's result matches what the module recorded; a module run on the
 * local connection never makes the host unreachable. */
static void
assert_result(const struct run *r)
{
	assert_true(r->ret == MOD_OK || r->ret == MOD_CHANGED ||
	    r->ret == MOD_FAILED || r->ret == MOD_SKIPPED);
	assert_int_equal(r->ret == MOD_FAILED, r->ctx.failed != 0);
	if (r->ret != MOD_FAILED)
		assert_int_equal(r->ret == MOD_CHANGED, r->ctx.changed != 0);
}

#define RUN(r, mod, yaml, vars, check) do { \
	char *why_ = NULL; \
	if (run_mod((r), (mod), (yaml), (vars), (check), &why_) < 0) \
		fail_msg("validation failed: %s", why_); \
	assert_result((r)); \
} while (0)

static void
expect_invalid(const char *mod, const char *yaml, const char *want)
{
	struct run r;
	char *why = NULL;

	assert_int_equal(run_mod(&r, mod, yaml, NULL, 0, &why), -1);
	assert_non_null(strstr(why, want));
	free(why);
}

static void
mod_command_runs(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "command", "echo $(id) '`id`' \"a  b\" ';'", NULL, 0);
	assert_false(r.ctx.failed);
	assert_true(r.ctx.changed);
	assert_int_equal(r.ctx.rc, 0);
	assert_string_equal(data_str(&r, "stdout"), "$(id) `id` a  b ;");
	assert_int_equal(data(&r, "stdout_lines")->u.list.n, 1);
	assert_int_equal(data(&r, "cmd")->u.list.n, 5);
	assert_non_null(data(&r, "delta"));
	run_free(&r);

	RUN(&r, "command", "{argv: [sh, -c, 'echo out; echo err >&2; exit 3']}",
	    NULL, 0);
	assert_true(r.ctx.failed);
	assert_int_equal(r.ctx.rc, 3);
	assert_string_equal(r.ctx.msg.buf, "non-zero return code");
	assert_string_equal(data_str(&r, "stdout"), "out");
	assert_string_equal(data_str(&r, "stderr"), "err");
	run_free(&r);

	RUN(&r, "command", "{cmd: cat, stdin: hello}", NULL, 0);
	assert_string_equal(data_str(&r, "stdout"), "hello");
	run_free(&r);

	RUN(&r, "command", "{cmd: printf 'a\\n\\n', strip_empty_ends: no}",
	    NULL, 0);
	assert_string_equal(data_str(&r, "stdout"), "a\n\n");
	run_free(&r);
}

/* A command that outlives its timeout is a failed task on a live
 * connection (Ansible fails it and goes on), never a lost host: the result
 * is MOD_FAILED and the same connection runs the next command. */
static void
mod_command_timeout(void **state)
{
	struct exec_res er;
	struct err e = ERR_INIT;
	struct run r;

	(void)state;
	task_timeout = 1;
	RUN(&r, "command", "sleep 5", NULL, 0);
	task_timeout = 0;
	assert_int_equal(r.ret, MOD_FAILED);
	assert_non_null(strstr(r.ctx.msg.buf, "timed out after 1 s"));
	exec_res_init(&er);
	assert_int_equal(conn_exec(r.host.conn, "echo alive", NULL, &er, &e),
	    0);
	assert_string_equal(er.out.buf, "alive\n");
	exec_res_release(&er);
	err_release(&e);
	run_free(&r);
}

static void
mod_command_prechecks(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "command", "touch /nonexistent/x creates=/etc/pass*", NULL, 0);
	assert_false(r.ctx.failed);
	assert_false(r.ctx.changed);
	assert_string_equal(r.ctx.msg.buf,
	    "Did not run command since '/etc/pass*' exists");
	run_free(&r);

	RUN(&r, "command", "{cmd: touch /nonexistent/x, removes: /nonexist*}",
	    NULL, 0);
	assert_false(r.ctx.failed);
	assert_false(r.ctx.changed);
	assert_non_null(strstr(r.ctx.msg.buf, "does not exist"));
	run_free(&r);

	RUN(&r, "command", "{cmd: pwd, chdir: /etc}", NULL, 0);
	assert_string_equal(data_str(&r, "stdout"), "/etc");
	run_free(&r);

	RUN(&r, "command", "{cmd: pwd, chdir: /nonexistent/dir}", NULL, 0);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf,
	    "unable to change directory before execution"));
	run_free(&r);

	expect_invalid("command", "{chdir: /tmp}", "no command given");
	expect_invalid("command", "{cmd: ls, argv: [ls]}", "only once");
}

static void
mod_shell_runs(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "shell", "echo $((40 + 2)) | tr 4 X; exit 0", NULL, 0);
	assert_string_equal(data_str(&r, "stdout"), "X2");
	assert_string_equal(data_str(&r, "cmd"),
	    "echo $((40 + 2)) | tr 4 X; exit 0");
	assert_true(r.ctx.changed);
	run_free(&r);

	RUN(&r, "shell", "{cmd: 'echo $0; exit 4', executable: /bin/bash}",
	    NULL, 0);
	assert_true(r.ctx.failed);
	assert_int_equal(r.ctx.rc, 4);
	assert_string_equal(data_str(&r, "stdout"), "/bin/bash");
	run_free(&r);
}

static void
mod_grep_runs(void **state)
{
	struct run r;
	const struct val *m;

	(void)state;
	RUN(&r, "grep", "{path: /etc/passwd, regexp: '^root:'}", NULL, 1);
	assert_false(r.ctx.failed);
	assert_false(r.ctx.changed);
	assert_int_equal(data(&r, "count")->u.i, 1);
	m = val_list_get(data(&r, "matches"), 0);
	assert_int_equal(val_map_get(m, "line")->u.i, 1);
	assert_memory_equal(val_map_str(m, "text", ""), "root:x:0:0:", 11);
	run_free(&r);

	RUN(&r, "grep", "{path: /etc/passwd, regexp: '^no such user:'}", NULL,
	    0);
	assert_true(r.ctx.failed);
	assert_string_equal(r.ctx.msg.buf,
	    "no line matches '^no such user:' in /etc/passwd");
	run_free(&r);

	RUN(&r, "grep", "{path: /etc/passwd, regexp: '^root:', present: no}",
	    NULL, 0);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "1 line matches '^root:' in "
	    "/etc/passwd: 1: root:"));
	run_free(&r);

	RUN(&r, "grep", "{path: /nonexistent, regexp: x}", NULL, 0);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "No such file"));
	run_free(&r);

	RUN(&r, "grep", "{path: /etc/passwd, regexp: '('}", NULL, 0);
	assert_true(r.ctx.failed);
	run_free(&r);

	expect_invalid("grep", "{path: etc/passwd, regexp: x}",
	    "must be an absolute path");
}

static void
mod_wait_for_runs(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "wait_for", "{port: 1, timeout: 1}", NULL, 0);
	assert_true(r.ctx.failed);
	assert_string_equal(r.ctx.msg.buf,
	    "Timeout when waiting for 127.0.0.1:1");
	assert_true(data(&r, "elapsed")->u.i >= 1);
	run_free(&r);

	RUN(&r, "wait_for", "{port: 1, state: stopped, timeout: 30}", NULL,
	    0);
	assert_false(r.ctx.failed);
	/* at once, not after the timeout (a loaded machine under ASan may
	 * take a second or two to run the probe: no tighter bound) */
	assert_true(data(&r, "elapsed")->u.i < 30);
	run_free(&r);

	RUN(&r, "wait_for", "{path: /etc/passwd, search_regex: '^root:'}",
	    NULL, 0);
	assert_false(r.ctx.failed);
	run_free(&r);

	RUN(&r, "wait_for", "{path: /etc/passwd, search_regex: '^nope:', "
	    "timeout: 1, msg: custom}", NULL, 0);
	assert_true(r.ctx.failed);
	assert_string_equal(r.ctx.msg.buf, "custom");
	run_free(&r);

	RUN(&r, "wait_for", "{path: /nonexistent, state: absent}", NULL, 0);
	assert_false(r.ctx.failed);
	run_free(&r);

	RUN(&r, "wait_for", "{path: /etc/passwd, state: absent, timeout: 1}",
	    NULL, 0);
	assert_string_equal(r.ctx.msg.buf,
	    "Timeout when waiting for /etc/passwd to be absent.");
	run_free(&r);

	/* a 300 s wait under a 4 s task timeout ends as a timeout in ~1 s
	 * (4 - connect_timeout 1 - 2), not as a killed command */
	task_timeout = 4;
	RUN(&r, "wait_for", "{port: 1, connect_timeout: 1}", NULL, 0);
	task_timeout = 0;
	assert_true(r.ctx.failed);
	assert_string_equal(r.ctx.msg.buf,
	    "Timeout when waiting for 127.0.0.1:1");
	assert_true(data(&r, "elapsed")->u.i <= 2);
	run_free(&r);

	RUN(&r, "wait_for", "{port: 70000, timeout: 1}", NULL, 0);
	assert_true(r.ctx.failed);
	run_free(&r);

	expect_invalid("wait_for", "{port: 1, path: /x}", "can not both");
	expect_invalid("wait_for", "{path: /x, state: stopped}",
	    "only be used for checking a port");
	expect_invalid("wait_for", "{port: 1, state: drained}", "must be one");
}

static void
mod_controller_side(void **state)
{
	static const char vars[] = "{r: {rc: 0, out: abc}, flag: 'false'}";
	struct run r;

	(void)state;
	RUN(&r, "assert", "{that: ['r.rc == 0', \"'b' in r.out\", "
	    "'r.out | length == 3']}", vars, 0);
	assert_false(r.ctx.failed);
	assert_string_equal(r.ctx.msg.buf, "All assertions passed");
	run_free(&r);

	RUN(&r, "assert", "{that: ['r.rc == 0', 'r.rc == 1'], msg: bad}",
	    vars, 0);
	assert_true(r.ctx.failed);
	assert_string_equal(r.ctx.msg.buf, "bad");
	assert_string_equal(data_str(&r, "assertion"), "r.rc == 1");
	run_free(&r);

	RUN(&r, "assert", "{that: \"r.out in ['abc', 'x,y']\"}", vars, 0);
	assert_false(r.ctx.failed);
	run_free(&r);

	RUN(&r, "assert", "{that: [true, 1, '1 == 1']}", vars, 0);
	assert_false(r.ctx.failed);
	run_free(&r);

	RUN(&r, "assert", "{that: 'nope == 1'}", vars, 0);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "'nope' is undefined"));
	run_free(&r);

	expect_invalid("assert", "{that: 'r.rc =='}", "expected");

	RUN(&r, "debug", "{var: r.out}", vars, 0);
	assert_string_equal(r.ctx.msg.buf, "r.out: abc");
	assert_string_equal(data_str(&r, "r.out"), "abc");
	run_free(&r);

	RUN(&r, "debug", "{var: r.nope}", vars, 0);
	assert_string_equal(data_str(&r, "r.nope"), "VARIABLE IS NOT DEFINED!");
	run_free(&r);

	RUN(&r, "debug", "{msg: hi, verbosity: 1}", vars, 0);
	assert_true(r.ctx.skipped);
	run_free(&r);

	RUN(&r, "debug", "{}", vars, 0);
	assert_string_equal(r.ctx.msg.buf, "Hello world!");
	run_free(&r);

	expect_invalid("debug", "{msg: a, var: b}", "mutually exclusive");

	RUN(&r, "fail", "{}", NULL, 0);
	assert_true(r.ctx.failed);
	assert_string_equal(r.ctx.msg.buf, "Failed as requested from task");
	run_free(&r);
}

static void
mod_service_missing(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "service", "{name: mend-no-such-service, state: started}",
	    NULL, 1);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf,
	    "could not find the requested service 'mend-no-such-service'"));
	run_free(&r);

	expect_invalid("service", "{name: x}", "one of 'state' or 'enabled'");
	expect_invalid("service", "{name: ../x, state: started}",
	    "invalid service name");
	expect_invalid("service", "{name: x, state: bogus}", "must be one");
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
		cmocka_unit_test(call_through_registry),
		cmocka_unit_test(run_fails_without_host),
		cmocka_unit_test(mod_command_runs),
		cmocka_unit_test(mod_command_timeout),
		cmocka_unit_test(mod_command_prechecks),
		cmocka_unit_test(mod_shell_runs),
		cmocka_unit_test(mod_grep_runs),
		cmocka_unit_test(mod_wait_for_runs),
		cmocka_unit_test(mod_controller_side),
		cmocka_unit_test(mod_service_missing),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
