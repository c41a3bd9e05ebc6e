/*
 * cmdexec.c - what the command and shell modules share: building the one
 * remote command, reading the pre-checks' markers, recording the result as
 * Ansible does (cmdexec.h).  Not a module: it exports no mod_ entry.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "modules/generic/cmdexec.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

/* ---- building the remote command ---- */

struct builder {
	struct strbuf pre;      /* variable set-up lines, run first */
	struct strbuf main;
	int nvar;
};

static void
add_span(struct strbuf *sb, const char *s, size_t len)
{
	char *tmp;

	if (len == 0)
		return;
	tmp = xstrndup(s, len);
	shellcmd_build(sb, "%q", tmp);
	free(tmp);
}

static int
is_ident(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < len; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* p at '$': length of a reference as Python's expandvars sees it
 * ($name or ${...}), 0 if none; the name in *name, *nlen. */
static size_t
var_ref(const char *p, const char **name, size_t *nlen)
{
	size_t n = 0;

	if (p[1] == '{') {
		const char *end = strchr(p + 2, '}');

		if (end == NULL)
			return 0;
		*name = p + 2;
		*nlen = (size_t)(end - p - 2);
		return *nlen + 3;
	}
	while (is_ident(p + 1 + n, 1) || (p[1 + n] >= '0' && p[1 + n] <= '9'))
		n++;
	*name = p + 1;
	*nlen = n;
	return n == 0 ? 0 : n + 1;
}

/* A reference to a variable: "$__mend_vN", set up in b->pre to the
 * variable's value when it is set, else to the reference's own text.  The
 * name is pasted raw: callers checked it with is_ident(). */
static void
add_var(struct builder *b, struct strbuf *sb, const char *name, size_t nlen,
    const char *ref, size_t reflen)
{
	char *n = xstrndup(name, nlen), *r = xstrndup(ref, reflen);
	char num[16];

	snprintf(num, sizeof(num), "%d", ++b->nvar);
	shellcmd_build(&b->pre, "if [ -n \"${%s+x}\" ]; then __mend_v%s=$%s; "
	    "else __mend_v%s=%q; fi\n", n, num, n, num, r);
	shellcmd_build(sb, "\"$__mend_v%s\"", num);
	free(n);
	free(r);
}

/* Leading ~ or ~user as Python's expanduser: emitted unquoted so the
 * remote shell expands it.  Returns where the rest of the word starts. */
static const char *
add_tilde(struct strbuf *sb, const char *w)
{
	size_t end = strcspn(w, "/"), i;

	if (w[0] != '~')
		return w;
	for (i = 1; i < end; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' &&
		    w[i] <= 'Z') || (w[i] >= '0' && w[i] <= '9') ||
		    w[i] == '_' || w[i] == '.' || (w[i] == '-' && i > 1)))
			return w;
	strbuf_add(sb, w, end + (w[end] == '/'));
	return w + end + (w[end] == '/');
}

/* One word; with expand, ~ and $VAR/${VAR} are expanded on the host the
 * way Ansible's command module does (unset variables stay as written). */
static void
add_word(struct builder *b, struct strbuf *sb, const char *w, int expand)
{
	size_t start = sb->len, reflen, nlen;
	const char *p, *lit, *name;

	if (!expand) {
		shellcmd_build(sb, "%q", w);
		return;
	}
	p = lit = add_tilde(sb, w);
	while (*p != '\0') {
		if (*p != '$' || (reflen = var_ref(p, &name, &nlen)) == 0) {
			p++;
			continue;
		}
		if (is_ident(name, nlen)) {
			add_span(sb, lit, (size_t)(p - lit));
			add_var(b, sb, name, nlen, p, reflen);
			lit = p + reflen;
		}
		p += reflen;
	}
	add_span(sb, lit, (size_t)(p - lit));
	if (sb->len == start)
		strbuf_addstr(sb, "''");
}

static void
add_marker(struct strbuf *sb, const char *nonce, const char *what)
{
	char *m = xasprintf("%s %s", nonce, what);

	shellcmd_build(sb, "echo %q", m);
	free(m);
}

static void
add_glob_test(struct builder *b, const char *pat, const char *nonce,
    int creates)
{
	strbuf_addstr(&b->main, "__mend_p=");
	add_word(b, &b->main, pat, 1);
	strbuf_addstr(&b->main, "; __mend_m=; for __mend_f in $__mend_p; do "
	    "if [ -e \"$__mend_f\" ] || [ -L \"$__mend_f\" ]; then "
	    "__mend_m=1; break; fi; done; ");
	strbuf_addstr(&b->main, creates ? "if [ -n \"$__mend_m\" ]; then "
	    : "if [ -z \"$__mend_m\" ]; then ");
	add_marker(&b->main, nonce, creates ? "creates" : "removes");
	strbuf_addstr(&b->main, "; exit 0; fi\n");
}

static void
build_prefix(struct builder *b, const char *chdir, const char *creates,
    const char *removes, const char *nonce)
{
	if (chdir != NULL) {
		strbuf_addstr(&b->main, "cd -- ");
		add_word(b, &b->main, chdir, 1);
		strbuf_addstr(&b->main, " >/dev/null || { ");
		add_marker(&b->main, nonce, "chdir");
		strbuf_addstr(&b->main, "; exit 1; }\n");
	}
	if (creates == NULL && removes == NULL)
		return;
	/* IFS empty: $__mend_p gets pathname expansion, no splitting */
	strbuf_addstr(&b->main, "IFS=\n");
	if (creates != NULL)
		add_glob_test(b, creates, nonce, 1);
	if (removes != NULL)
		add_glob_test(b, removes, nonce, 0);
	strbuf_addstr(&b->main, "unset IFS\n");
}

void
cmd_build(struct strbuf *out, const struct cmd_spec *spec)
{
	struct builder b = { STRBUF_INIT, STRBUF_INIT, 0 };
	size_t i;

	build_prefix(&b, spec->chdir, spec->creates, spec->removes,
	    spec->nonce ? spec->nonce : "0");
	if (spec->script != NULL) {
		shellcmd_build(&b.main, "exec %q -c %q",
		    spec->shell_exe ? spec->shell_exe : "/bin/sh", spec->script);
	} else {
		strbuf_addstr(&b.main, "exec");
		for (i = 0; i < spec->argc; i++) {
			strbuf_addch(&b.main, ' ');
			add_word(&b, &b.main, spec->argv[i], spec->expand);
		}
	}
	strbuf_addbuf(out, &b.pre);
	strbuf_addbuf(out, &b.main);
	strbuf_release(&b.pre);
	strbuf_release(&b.main);
}

enum cmd_outcome
cmd_outcome(const char *out, size_t len, const char *nonce)
{
	static const struct { const char *w; enum cmd_outcome o; } words[] = {
		{ "chdir\n", CMD_NO_CHDIR },
		{ "creates\n", CMD_SKIP_CREATES },
		{ "removes\n", CMD_SKIP_REMOVES },
	};
	size_t n = strlen(nonce), i;

	if (n == 0 || len < n + 1 || memcmp(out, nonce, n) != 0 ||
	    out[n] != ' ')
		return CMD_RAN;
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (len == n + 1 + strlen(words[i].w) &&
		    memcmp(out + n + 1, words[i].w, strlen(words[i].w)) == 0)
			return words[i].o;
	return CMD_RAN;
}

struct val *
cmd_lines(const char *s, size_t len)
{
	struct val *l = val_list();
	size_t i = 0, start = 0;

	while (i < len) {
		if (s[i] != '\n' && s[i] != '\r') {
			i++;
			continue;
		}
		val_list_push(l, val_strn(s + start, i - start));
		i += (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
		start = i;
	}
	if (start < len)
		val_list_push(l, val_strn(s + start, len - start));
	return l;
}

/* ---- running it and recording the result ---- */

static void
add_time(struct strbuf *sb, const struct timeval *tv)
{
	struct tm tm;
	char buf[32];
	time_t t = tv->tv_sec;

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	strbuf_addf(sb, "%s.%06ld", buf, (long)tv->tv_usec);
}

static void
set_times(struct modctx *ctx, const struct timeval *t0,
    const struct timeval *t1)
{
	struct strbuf sb = STRBUF_INIT;
	long long us = (long long)(t1->tv_sec - t0->tv_sec) * 1000000 +
	    (t1->tv_usec - t0->tv_usec);

	if (us < 0)
		us = 0;
	add_time(&sb, t0);
	mod_set(ctx, "start", val_str(sb.buf));
	strbuf_reset(&sb);
	add_time(&sb, t1);
	mod_set(ctx, "end", val_str(sb.buf));
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%lld:%02lld:%02lld.%06lld", us / 3600000000LL,
	    us / 60000000LL % 60, us / 1000000 % 60, us % 1000000);
	mod_set(ctx, "delta", val_str(sb.buf));
	strbuf_release(&sb);
}

static void
set_output(struct modctx *ctx, const char *key, struct strbuf *sb, int strip)
{
	char *lk = xasprintf("%s_lines", key);

	while (strip && sb->len > 0 && (sb->buf[sb->len - 1] == '\n' ||
	    sb->buf[sb->len - 1] == '\r'))
		strbuf_setlen(sb, sb->len - 1);
	mod_set(ctx, key, val_strn(sb->buf, sb->len));
	mod_set(ctx, lk, cmd_lines(sb->buf, sb->len));
	free(lk);
}

static void
set_rc(struct modctx *ctx, int rc)
{
	ctx->rc = rc;
	mod_set(ctx, "rc", val_int(rc));
}

static void
record(struct modctx *ctx, const struct val *args, struct exec_res *r,
    const char *nonce)
{
	enum cmd_outcome o = cmd_outcome(r->out.buf, r->out.len, nonce);
	int strip = arg_bool(args, "strip_empty_ends");

	if (o == CMD_NO_CHDIR) {
		strbuf_rtrim(&r->err);
		set_rc(ctx, r->rc);
		mod_fail(ctx, "unable to change directory before execution: %s",
		    r->err.len ? r->err.buf : arg_str(args, "chdir"));
		return;
	}
	if (o != CMD_RAN) {
		strbuf_reset(&r->out);
		strbuf_reset(&r->err);
		r->rc = 0;
	}
	set_rc(ctx, r->rc);
	set_output(ctx, "stdout", &r->out, strip);
	set_output(ctx, "stderr", &r->err, strip);
	if (o == CMD_SKIP_CREATES)
		mod_msg(ctx, "Did not run command since '%s' exists",
		    arg_str(args, "creates"));
	else if (o == CMD_SKIP_REMOVES)
		mod_msg(ctx, "Did not run command since '%s' does not exist",
		    arg_str(args, "removes"));
	else if (r->rc != 0)
		mod_fail(ctx, "non-zero return code");
	if (o == CMD_RAN)
		mod_changed(ctx);
}

int
cmd_execute(struct modctx *ctx, const struct val *args,
    const struct cmd_spec *spec, struct val *cmdval)
{
	struct strbuf cmd = STRBUF_INIT, in = STRBUF_INIT;
	struct cmd_spec s = *spec;
	const char *stdin_s = arg_str(args, "stdin");
	struct timeval t0, t1;
	struct exec_res r;
	char nonce[17];
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	s.chdir = arg_str(args, "chdir");
	s.creates = arg_str(args, "creates");
	s.removes = arg_str(args, "removes");
	s.nonce = nonce;
	cmd_build(&cmd, &s);
	if (stdin_s != NULL) {
		strbuf_addstr(&in, stdin_s);
		if (arg_bool(args, "stdin_add_newline"))
			strbuf_addch(&in, '\n');
	}
	mod_set(ctx, "cmd", cmdval);
	exec_res_init(&r);
	gettimeofday(&t0, NULL);
	ret = mod_exec(ctx, cmd.buf, stdin_s ? in.buf : NULL, in.len, &r);
	gettimeofday(&t1, NULL);
	if (ret == 0) {
		set_times(ctx, &t0, &t1);
		record(ctx, args, &r, nonce);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&in);
	return ret;
}

/* ---- validation shared by command and shell ---- */

/* Exactly one of the free-form text, cmd and argv (Ansible: "no command
 * given", "only command or argv can be given, not both"). */
int
cmd_validate_one(const char *mod, const struct val *args, int with_argv,
    struct err *e)
{
	int n = (val_map_get(args, "_raw_params") != NULL) +
	    (val_map_get(args, "cmd") != NULL) +
	    (with_argv && val_map_get(args, "argv") != NULL);

	if (n == 0)
		return err_setpos(e, &args->pos, "module '%s': no command "
		    "given (free-form text, 'cmd'%s)", mod,
		    with_argv ? " or 'argv'" : "");
	if (n > 1)
		return err_setpos(e, &args->pos, "module '%s': give the "
		    "command only once (free-form text, 'cmd'%s)", mod,
		    with_argv ? " or 'argv'" : "");
	return 0;
}
