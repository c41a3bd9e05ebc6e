/*
 * template.c - render a Jinja2 template on the controller and install it on
 * the host, like ansible.builtin.template: the rendered text goes through
 * the copy module (same checks, atomic write, journal, backup, validate,
 * mode/owner/group, check mode and diff).
 *
 * src is searched as Ansible does: absolute as given; else
 * role_path/templates, role_path, playbook_dir/templates, playbook_dir,
 * then the current directory.  The template sees the host's variables
 * plus Ansible's template_* variables (template_path, template_fullpath,
 * template_destpath, template_host, template_uid, template_mtime,
 * template_run_date) and ansible_managed ("Ansible managed").
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modules/seargs.h"
#include "modules/module.h"
#include "runner/core/remotefile.h"
#include "runner/template/template.h"
#include "runner/util/banned.h"

static const struct module_arg template_args[] = {
	{ "src", ARG_STR, 1, NULL, NULL,
	  "template file on the controller (relative: role templates/, "
	  "playbook_dir/templates, playbook_dir)", NULL },
	{ "dest", ARG_PATH, 1, NULL, NULL, "file to write on the host", NULL },
	{ "mode", ARG_STR, 0, NULL, NULL,
	  "permissions of dest: octal, symbolic, or preserve (the template "
	  "file's permissions on the controller)", NULL },
	{ "owner", ARG_STR, 0, NULL, NULL, "owner of dest", NULL },
	{ "group", ARG_STR, 0, NULL, NULL, "group of dest", NULL },
	{ "backup", ARG_BOOL, 0, "false", NULL,
	  "keep a copy of the file it replaces", NULL },
	{ "validate", ARG_STR, 0, NULL, NULL,
	  "command run on the rendered temp file before it replaces dest, "
	  "%s standing for its path", NULL },
	{ "force", ARG_BOOL, 0, "true", NULL,
	  "replace dest when it differs; false: only create it", NULL },
	{ "newline_sequence", ARG_STR, 0, "\\n", NULL,
	  "newline sequence of the rendered file: \\n, \\r or \\r\\n "
	  "(escaped or not)", NULL },
	{ "trim_blocks", ARG_BOOL, 0, "true", NULL,
	  "remove the first newline after a block tag", NULL },
	{ "lstrip_blocks", ARG_BOOL, 0, "false", NULL,
	  "strip spaces and tabs before a block tag at the start of a line",
	  NULL },
	{ "output_encoding", ARG_STR, 0, "utf-8", "utf-8|utf8",
	  "encoding of dest (mend writes UTF-8 only)", NULL },
	SEARGS_ARGS,
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
template_validate(const struct val *args, struct err *e)
{
	const struct val *v = val_map_get(args, "validate");

	if (v != NULL && v->type == V_STR && strstr(v->u.str.s, "%s") == NULL)
		return err_setpos(e, &v->pos, "module 'template': validate "
		    "must contain %%s: %s", v->u.str.s);
	v = val_map_get(args, "mode");
	if (v != NULL && v->type == V_STR && strstr(v->u.str.s, "{{") == NULL
	    && strcmp(v->u.str.s, "preserve") != 0 &&
	    !rf_mode_valid(v->u.str.s))
		return err_setpos(e, &v->pos, "module 'template': argument "
		    "'mode' must be a file mode (octal or symbolic) or "
		    "preserve, got '%s'", v->u.str.s);
	return 0;
}

static int
found(char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The template file on the controller, or NULL. */
static char *
find_template(struct modctx *ctx, const char *src)
{
	const char *bases[2] = {
		ctx->vars ? val_map_str(ctx->vars, "role_path", NULL) : NULL,
		ctx->vars ? val_map_str(ctx->vars, "playbook_dir", NULL) : NULL,
	};
	char *p;
	int i, k;

	if (src[0] == '/')
		return found((char *)src) ? xstrdup(src) : NULL;
	for (i = 0; i < 2; i++)
		for (k = 0; bases[i] != NULL && k < 2; k++) {
			p = xasprintf(k == 0 ? "%s/templates/%s" : "%s/%s",
			    bases[i], src);
			if (found(p))
				return p;
			free(p);
		}
	return found((char *)src) ? xstrdup(src) : NULL;
}

/* Python's str(datetime): 2024-01-02 03:04:05.678901 */
static struct val *
py_datetime(const struct timespec *ts)
{
	struct tm tm;
	char buf[64];

	localtime_r(&ts->tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	if (ts->tv_nsec / 1000 == 0)
		return val_str(buf);
	return val_str_take(xasprintf("%s.%06ld", buf, ts->tv_nsec / 1000));
}

/* The host's variables plus the template_* ones. */
static struct val *
template_vars(struct modctx *ctx, const struct val *args, const char *path)
{
	struct val *v = ctx->vars ? val_copy(ctx->vars) : val_map();
	struct timespec now;
	struct passwd *pw;
	struct stat st;
	char host[256] = "", *full = realpath(path, NULL);

	gethostname(host, sizeof(host) - 1);
	val_map_set(v, "template_host", val_str(host));
	val_map_set(v, "template_path", val_str(arg_str(args, "src")));
	val_map_set(v, "template_fullpath", full != NULL ? val_str_take(full) :
	    val_str(path));
	val_map_set(v, "template_destpath", val_str(arg_str(args, "dest")));
	if (stat(path, &st) == 0) {
		pw = getpwuid(st.st_uid);
		val_map_set(v, "template_uid", pw != NULL ?
		    val_str(pw->pw_name) : val_str_take(xasprintf("%u",
		    (unsigned)st.st_uid)));
		val_map_set(v, "template_mtime", py_datetime(&st.st_mtim));
	}
	clock_gettime(CLOCK_REALTIME, &now);
	val_map_set(v, "template_run_date", py_datetime(&now));
	val_map_set(v, "ansible_managed", val_str("Ansible managed"));
	return v;
}

/* "\\n" or a real newline, as the template action accepts both. */
static const char *
newline_of(const char *s)
{
	static const char *const forms[][2] = {
		{ "\\n", "\n" }, { "\\r", "\r" }, { "\\r\\n", "\r\n" },
		{ "\n", "\n" }, { "\r", "\r" }, { "\r\n", "\r\n" },
	};
	size_t i;

	for (i = 0; s != NULL && i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(s, forms[i][0]) == 0)
			return forms[i][1];
	return s == NULL ? "\n" : NULL;
}

static int
render(struct modctx *ctx, const struct val *args, const char *path,
    struct strbuf *out)
{
	struct strbuf src = STRBUF_INIT;
	struct tmpl_file_opts o;
	struct err e = ERR_INIT;
	struct val *vars;
	int ret;

	if (strbuf_read_file(&src, path) < 0) {
		strbuf_release(&src);
		mod_fail(ctx, "could not read template '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	o.trim_blocks = arg_bool(args, "trim_blocks");
	o.lstrip_blocks = arg_bool(args, "lstrip_blocks");
	o.newline = newline_of(arg_str(args, "newline_sequence"));
	if (o.newline == NULL) {
		strbuf_release(&src);
		mod_fail(ctx, "newline_sequence needs to be one of: \\n, \\r "
		    "or \\r\\n");
		return -1;
	}
	vars = template_vars(ctx, args, path);
	ret = tmpl_render_file(src.buf, src.len, path, vars, &o, out, &e);
	if (ret < 0) {
		strbuf_rtrim(&e.msg);
		mod_fail(ctx, "%s", e.msg.buf);
	}
	val_free(vars);
	err_release(&e);
	strbuf_release(&src);
	return ret;
}

/* copy's arguments: content and the file options given to template;
 * mode=preserve is the template file's mode, as Ansible's action. */
static struct val *
copy_args_of(const struct val *args, const char *path,
    struct strbuf *content)
{
	const char *mode = arg_str(args, "mode");
	struct stat st;
	static const char *const keep[] = { "dest", "mode", "owner", "group",
	    "backup", "validate", "force", "seuser", "serole", "setype",
	    "selevel" };
	struct val *c = val_map();
	const struct val *v;
	size_t i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if ((v = arg_get(args, keep[i])) != NULL)
			val_map_set(c, keep[i], val_copy(v));
	val_map_set(c, "content", val_strn(content->buf, content->len));
	if (mode != NULL && !strcmp(mode, "preserve") && stat(path, &st) == 0)
		val_map_set(c, "mode", val_str_take(xasprintf("0%03o",
		    (unsigned)(st.st_mode & 07777))));
	return c;
}

static enum mod_result
template_run(struct modctx *ctx, const struct val *args)
{
	struct strbuf out = STRBUF_INIT;
	char *path = find_template(ctx, arg_str(args, "src"));
	enum mod_result res = MOD_FAILED;
	struct val *cargs;

	if (path == NULL) {
		mod_fail(ctx, "could not find template src '%s' (looked in "
		    "role templates/, playbook_dir/templates, playbook_dir)",
		    arg_str(args, "src"));
	} else if (render(ctx, args, path, &out) == 0) {
		cargs = copy_args_of(args, path, &out);
		res = mod_call(ctx, "copy", cargs);
		val_free(cargs);
		if (!ctx->failed)
			mod_set(ctx, "src", val_str(path));
	}
	free(path);
	strbuf_release(&out);
	return mod_done(ctx, res == MOD_UNREACHABLE ? TERR_UNREACHABLE : 0);
}

const struct module mod_template = {
	.name = "template",
	.summary = "render a Jinja2 template on the controller into a file on "
	    "the host",
	.doc = "Ansible's template: src (found in role templates/, "
	    "playbook_dir/templates or playbook_dir) is rendered with the "
	    "host's variables, trim_blocks (default true), lstrip_blocks and "
	    "newline_sequence, then installed as copy does: written only when "
	    "the sha256 differs, atomically, with backup, validate, mode, "
	    "owner and group; check mode and diff supported.  Returns dest, "
	    "src, checksum (sha1), size, state, backup_file.",
	.args = template_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = template_validate,
	.run = template_run,
};
