/*
 * grep.c - verify that a file on the host has (or has not) a line matching
 * a POSIX extended regex: the verification greps of a remediation as a
 * module.  Read-only.
 *
 * One remote command: grep -n -a -E -e REGEX -- PATH.  grep exits 0 (lines
 * matched), 1 (none) or 2 (error: missing or unreadable file, bad regex),
 * and 2 fails the task with grep's message.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define SHOW_MAX 5      /* matching lines quoted in a failure message */

/* "12:text" lines to a list of {line, text}. */
static struct val *
parse_matches(const char *out, size_t len)
{
	struct val *l = val_list();
	const char *p = out, *end = out + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *colon;
		struct val *m;

		if (nl == NULL)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon != NULL) {
			m = val_map();
			val_map_set(m, "line", val_int(strtoll(p, NULL, 10)));
			val_map_set(m, "text", val_strn(colon + 1,
			    (size_t)(nl - colon - 1)));
			val_list_push(l, m);
		}
		p = nl + 1;
	}
	return l;
}

static void
fail_present(struct modctx *ctx, const char *re, const char *path,
    const struct val *matches)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = matches->u.list.n;

	strbuf_addf(&sb, "%zu line%s match%s '%s' in %s:", n, n == 1 ? "" : "s",
	    n == 1 ? "es" : "", re, path);
	for (i = 0; i < n && i < SHOW_MAX; i++) {
		const struct val *m = matches->u.list.items[i];

		strbuf_addf(&sb, "%s %lld: %s", i ? ";" : "",
		    (long long)val_map_get(m, "line")->u.i,
		    val_map_str(m, "text", ""));
	}
	if (n > SHOW_MAX)
		strbuf_addf(&sb, "; ... (%zu more)", n - SHOW_MAX);
	mod_fail(ctx, "%s", sb.buf);
	strbuf_release(&sb);
}

static void
judge(struct modctx *ctx, const struct val *args, struct exec_res *r)
{
	const char *re = arg_str(args, "regexp"), *path = arg_str(args, "path");
	struct val *matches;
	size_t n;

	if (r->rc != 0 && r->rc != 1) {
		strbuf_rtrim(&r->err);
		mod_fail(ctx, "cannot search %s: %s", path, r->err.len ?
		    r->err.buf : "grep failed");
		return;
	}
	matches = parse_matches(r->out.buf, r->out.len);
	n = matches->u.list.n;
	mod_set(ctx, "count", val_int((int64_t)n));
	if (r->out.truncated)
		mod_set(ctx, "truncated", val_bool(1));
	if (arg_bool(args, "present") && n == 0)
		mod_fail(ctx, "no line matches '%s' in %s", re, path);
	else if (!arg_bool(args, "present") && n > 0)
		fail_present(ctx, re, path, matches);
	else
		mod_msg(ctx, "%zu line%s match%s '%s' in %s", n,
		    n == 1 ? "" : "s", n == 1 ? "es" : "", re, path);
	mod_set(ctx, "matches", matches);
}

static enum mod_result
grep_run(struct modctx *ctx, const struct val *args)
{
	char *cmd = shellcmd("grep -n -a -E -e %q -- %q",
	    arg_str(args, "regexp"), arg_str(args, "path"));
	struct exec_res r;
	int ret;

	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	if (ret == 0)
		judge(ctx, args, &r);
	exec_res_release(&r);
	free(cmd);
	return mod_done(ctx, ret);
}

static const struct module_arg grep_args[] = {
	{ "path", ARG_PATH, 1, NULL, NULL, "the file to search", NULL },
	{ "regexp", ARG_STR, 1, NULL, NULL,
	  "POSIX extended regular expression (grep -E), matched per line",
	  "regex" },
	{ "present", ARG_BOOL, 0, "yes", NULL,
	  "yes: some line must match; no: no line may match", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_grep = {
	.name = "grep",
	.summary = "verify that a file has (or has not) a line matching a "
	    "regex",
	.doc = "Searches 'path' on the host with grep -n -E and returns "
	    "matches (a list of {line, text}) and count.  With present: yes "
	    "(the default) the task fails when no line matches; with present: "
	    "no it fails when some line matches, quoting them.  A missing or "
	    "unreadable file, or a bad regex, fails with grep's message.  "
	    "Never changes anything; runs in check mode.",
	.args = grep_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = grep_run,
};
