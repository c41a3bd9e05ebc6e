/*
 * apt.c - Debian packages, like ansible.builtin.apt: state present
 * (installed), absent (removed; purge), latest; update_cache with
 * cache_valid_time, install_recommends, autoremove, dpkg_options,
 * default_release, lock_timeout (apt's DPkg::Lock::Timeout: the dpkg lock
 * is waited for).  Everything runs as apt-get with DEBIAN_FRONTEND=
 * noninteractive; what is installed comes from dpkg-query.  Check mode
 * runs apt-get -s (the same resolution, nothing installed).
 *
 * Each package the task installs, removes or upgrades is journaled (kind
 * "package", its version before and after) before apt-get runs, so `mend
 * rollback` removes what the run installed and installs again, at the old
 * version, what it removed or upgraded (when the sources still have it).
 *
 * clean runs apt-get clean first (never "changed", as Ansible; skipped in
 * check mode, where Ansible runs it); autoclean without names runs
 * apt-get autoclean (changed when it deletes a file) and nothing after
 * it, as Ansible's cleanup() exits there.
 *
 * policy_rc_d: /usr/sbin/policy-rc.d exits with it while apt-get installs
 * or removes (put back or removed after), as Ansible's PolicyRcD.
 *
 * deb: .deb files on the host (comma-separated, as Ansible): each whose
 * Package (Package:Architecture on a multiarch host, unless
 * Architecture is all) is installed at its Version (dpkg
 * --compare-versions eq, as Ansible's version_compare == 0) is skipped;
 * the others go to one `apt-get install FILE...`, which installs their
 * missing dependencies from the sources too (Ansible: apt for the
 * dependencies, then dpkg -i); check mode simulates it.  A URL is refused
 * (mend does not download: get_url first).
 *
 * Refused by name: upgrade, only_upgrade, allow_downgrade, force,
 * fail_on_autoremove, state build-dep/fixed, and wildcards
 * in names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg apt_args[] = {
	{ "name", ARG_LIST, 0, NULL, NULL,
	  "packages (NAME or NAME=VERSION)", "package|pkg" },
	{ "state", ARG_STR, 0, "present",
	  "present|absent|latest|installed|removed|build-dep|fixed",
	  "present (installed), absent (removed), latest", NULL },
	{ "update_cache", ARG_BOOL, 0, "false", NULL,
	  "apt-get update first", "update-cache" },
	{ "cache_valid_time", ARG_INT, 0, "0", NULL,
	  "skip the update when the cache is younger (seconds)", NULL },
	{ "install_recommends", ARG_BOOL, 0, NULL, NULL,
	  "install recommended packages (unset: apt's default)",
	  "install-recommends" },
	{ "purge", ARG_BOOL, 0, "false", NULL,
	  "absent: remove configuration files too", NULL },
	{ "autoremove", ARG_BOOL, 0, "false", NULL,
	  "remove packages nothing needs any more", NULL },
	{ "dpkg_options", ARG_STR, 0, "force-confdef,force-confold", NULL,
	  "dpkg options, comma-separated", NULL },
	{ "default_release", ARG_STR, 0, NULL, NULL,
	  "apt-get -t RELEASE", "default-release" },
	{ "lock_timeout", ARG_INT, 0, "60", NULL,
	  "seconds to wait for the dpkg lock", NULL },
	{ "allow_unauthenticated", ARG_BOOL, 0, "false", NULL,
	  "install packages that cannot be authenticated",
	  "allow-unauthenticated" },
	{ "deb", ARG_STR, 0, NULL, NULL,
	  "path of a .deb file on the host (comma-separated: several) to "
	  "install unless that version is installed; state must be present; "
	  "URLs are refused", NULL },
	{ "upgrade", ARG_STR, 0, NULL, NULL, "refused", NULL },
	{ "only_upgrade", ARG_BOOL, 0, NULL, NULL, "refused when true", NULL },
	{ "allow_downgrade", ARG_BOOL, 0, NULL, NULL, "refused when true",
	  "allow-downgrade|allow_downgrades|allow-downgrades" },
	{ "force", ARG_BOOL, 0, NULL, NULL, "refused when true", NULL },
	{ "autoclean", ARG_BOOL, 0, "false", NULL,
	  "without name: apt-get autoclean (changed when it deletes a "
	  "file), and nothing else (autoremove not run), as Ansible; "
	  "ignored with name", NULL },
	{ "clean", ARG_BOOL, 0, "false", NULL,
	  "apt-get clean first (never 'changed', as Ansible; not run in "
	  "check mode, where Ansible runs it)", NULL },
	{ "policy_rc_d", ARG_INT, 0, NULL, NULL,
	  "while apt-get installs or removes: /usr/sbin/policy-rc.d exits "
	  "with this code (101: no service started), the file put back "
	  "or removed after, as Ansible (not written in check mode)", NULL },
	{ "fail_on_autoremove", ARG_BOOL, 0, NULL, NULL, "refused when true",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
refused(const struct val *args, const char *name, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const struct val *v = val_map_get(args, name);
	int ret;

	val_to_str(v, &sb);
	ret = err_setpos(e, &v->pos, "module 'apt': argument '%s' is not "
	    "supported by mend (%s: %s)", name, name, sb.buf);
	strbuf_release(&sb);
	return ret;
}

/* deb: not with name (Ansible: mutually exclusive deb|package|upgrade),
 * only state=present, no URL. */
static int
deb_validate(const struct val *args, const char *state, struct err *e)
{
	const struct val *d = val_map_get(args, "deb");

	if (d == NULL)
		return 0;
	if (val_map_get(args, "name") != NULL)
		return err_setpos(e, &d->pos, "module 'apt': parameters are "
		    "mutually exclusive: deb|package|upgrade");
	if (strstr(state, "{{") == NULL && strcmp(state, "present") != 0 &&
	    strcmp(state, "installed") != 0)
		return err_setpos(e, &d->pos, "module 'apt': deb only "
		    "supports state=present");
	if (d->type == V_STR && strstr(d->u.str.s, "://") != NULL)
		return err_setpos(e, &d->pos, "module 'apt': deb '%s' is a "
		    "URL: mend does not download (get_url it to the host "
		    "first)", d->u.str.s);
	return 0;
}

static int
apt_validate(const struct val *args, struct err *e)
{
	static const char *const always[] = { "upgrade" };
	static const char *const when_true[] = { "only_upgrade",
	    "allow_downgrade", "force", "fail_on_autoremove" };
	const char *state = val_map_str(args, "state", "present");
	const struct val *v, *n = val_map_get(args, "name");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(always); i++)
		if ((v = val_map_get(args, always[i])) != NULL &&
		    !(v->type == V_STR && !strcmp(always[i], "upgrade") &&
		    !strcmp(v->u.str.s, "no")))
			return refused(args, always[i], e);
	for (i = 0; i < ARRAY_SIZE(when_true); i++)
		if ((v = val_map_get(args, when_true[i])) != NULL &&
		    val_to_bool(v) == 1)
			return refused(args, when_true[i], e);
	if (!strcmp(state, "build-dep") || !strcmp(state, "fixed"))
		return refused(args, "state", e);
	if (deb_validate(args, state, e) != 0)
		return -1;
	for (i = 0; n != NULL && n->type == V_LIST && i < n->u.list.n; i++) {
		v = n->u.list.items[i];
		if (v->type == V_STR && strpbrk(v->u.str.s, "*?[") != NULL &&
		    strstr(v->u.str.s, "{{") == NULL)
			return err_setpos(e, &v->pos, "module 'apt': package "
			    "name '%s': wildcards are not supported by mend",
			    v->u.str.s);
	}
	if (n == NULL && val_map_get(args, "deb") == NULL &&
	    !val_truthy(val_map_get(args, "update_cache")) &&
	    !val_truthy(val_map_get(args, "update-cache")) &&
	    !val_truthy(val_map_get(args, "autoremove")) &&
	    !val_truthy(val_map_get(args, "autoclean")) &&
	    !val_truthy(val_map_get(args, "clean")))
		return err_setpos(e, &args->pos, "module 'apt': one of the "
		    "following is required: name, deb, update_cache, "
		    "autoremove, autoclean, clean");
	return 0;
}

/* One requested package and what the host has. */
struct pkg {
	char *file;          /* deb: the .deb file on the host, else NULL */
	char *name;          /* without =VERSION */
	char *want;          /* VERSION of NAME=VERSION, or NULL */
	char *have;          /* installed version (status ii), or NULL */
	int conf;            /* removed, configuration files left (rc) */
};

struct aptjob {
	struct modctx *ctx;
	const struct val *args;
	struct pkg *p;
	size_t n;
	struct strbuf out, err;  /* apt-get's, for stdout/stderr */
};

static void
job_release(struct aptjob *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		free(j->p[i].file);
		free(j->p[i].name);
		free(j->p[i].want);
		free(j->p[i].have);
	}
	free(j->p);
	strbuf_release(&j->out);
	strbuf_release(&j->err);
}

static int
valid_pkg(const char *s)
{
	return s[0] != '\0' && s[0] != '-' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789+-.:~=") ==
	    strlen(s);
}

static int
parse_names(struct aptjob *j)
{
	const struct val *l = arg_get(j->args, "name");
	size_t i;

	j->p = xcalloc(l ? l->u.list.n + 1 : 1, sizeof(*j->p));
	for (i = 0; l != NULL && i < l->u.list.n; i++) {
		struct strbuf sb = STRBUF_INIT;
		char *eq;

		val_to_str(l->u.list.items[i], &sb);
		if (!valid_pkg(sb.buf)) {
			mod_fail(j->ctx, "invalid package name '%s'", sb.buf);
			strbuf_release(&sb);
			return -1;
		}
		eq = strchr(sb.buf, '=');
		j->p[j->n].want = eq ? xstrdup(eq + 1) : NULL;
		if (eq)
			*eq = '\0';
		j->p[j->n++].name = strbuf_detach(&sb, NULL);
	}
	return 0;
}

static struct pkg *
find_pkg(struct aptjob *j, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (strlen(j->p[i].name) == len &&
		    !strncmp(j->p[i].name, name, len))
			return &j->p[i];
	return NULL;
}

/* dpkg-query for every package: installed version or none. */
static int
query(struct aptjob *j)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	const char *s, *e;
	size_t i;
	int ret;

	shellcmd_build(&cmd, "command -v apt-get >/dev/null && command -v "
	    "dpkg-query >/dev/null || { echo 'apt-get or dpkg-query not "
	    "found: the apt module needs Debian or Ubuntu' >&2; exit 2; }\n"
	    "dpkg-query -W -f='${Package}|${db:Status-Abbrev}|${Version}\\n' "
	    "--");
	for (i = 0; i < j->n; i++)
		shellcmd_build(&cmd, " %q", j->p[i].name);
	strbuf_addstr(&cmd, " 2>/dev/null; exit 0");
	exec_res_init(&r);
	ret = mod_exec(j->ctx, cmd.buf, NULL, 0, &r);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0)
		mod_fail(j->ctx, "%s", r.err.buf);
	for (s = r.out.buf; ret == 0 && r.rc == 0 && *s; s = *e ? e + 1 : e) {
		const char *b1 = strchr(s, '|'), *b2;
		struct pkg *p;

		e = strchrnul(s, '\n');
		if (b1 == NULL || b1 > e || (b2 = strchr(b1 + 1, '|')) == NULL ||
		    b2 > e || (p = find_pkg(j, s, (size_t)(b1 - s))) == NULL)
			continue;
		if (!strncmp(b1 + 1, "ii", 2))
			p->have = xstrndup(b2 + 1, (size_t)(e - b2 - 1));
		p->conf = !strncmp(b1 + 1, "rc", 2);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* The start of every apt-get command line. */
static void
apt_get(struct aptjob *j, struct strbuf *cmd, int simulate)
{
	const char *opts = arg_str(j->args, "dpkg_options");
	const char *rel = arg_str(j->args, "default_release");
	const struct val *rec = arg_get(j->args, "install_recommends");
	const char *o, *c;

	shellcmd_build(cmd, "DEBIAN_FRONTEND=noninteractive "
	    "NEEDRESTART_MODE=a apt-get -y -q%s -o DPkg::Lock::Timeout=%d",
	    simulate ? " -s" : "", (int)arg_int(j->args, "lock_timeout", 60));
	for (o = opts; o != NULL && *o; o = *c ? c + 1 : c) {
		char *one;

		c = strchrnul(o, ',');
		one = xasprintf("Dpkg::Options::=--%.*s", (int)(c - o), o);
		if (c > o)
			shellcmd_build(cmd, " -o %q", one);
		free(one);
	}
	if (rec != NULL)
		shellcmd_build(cmd, " -o APT::Install-Recommends=%q",
		    arg_bool(j->args, "install_recommends") ? "true" : "false");
	if (rel != NULL)
		shellcmd_build(cmd, " -t %q", rel);
	if (arg_bool(j->args, "allow_unauthenticated"))
		strbuf_addstr(cmd, " --allow-unauthenticated");
}

static int
run_apt(struct aptjob *j, const char *cmd, const char *what)
{
	struct exec_res r;
	int ret;

	exec_res_init(&r);
	ret = mod_exec(j->ctx, cmd, NULL, 0, &r);
	strbuf_add(&j->out, r.out.buf, r.out.len);
	strbuf_add(&j->err, r.err.buf, r.err.len);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0)
		mod_fail(j->ctx, "'%s' failed: %s", what, r.err.len ? r.err.buf
		    : r.out.buf);
	exec_res_release(&r);
	return ret;
}

/* update_cache: apt-get update unless the cache is younger than
 * cache_valid_time (/var/lib/apt/periodic/update-success-stamp or the
 * lists directory, as Ansible looks). */
static int
update_cache(struct aptjob *j)
{
	struct strbuf cmd = STRBUF_INIT, up = STRBUF_INIT;
	struct exec_res r;
	int ret;

	apt_get(j, &up, 0);
	strbuf_addstr(&up, " update");
	shellcmd_build(&cmd, "v=%d; s=/var/lib/apt/periodic/"
	    "update-success-stamp; [ -e \"$s\" ] || s=/var/lib/apt/lists\n"
	    "t=$(stat -c %%Y -- \"$s\" 2>/dev/null || echo 0)\n"
	    "if [ \"$v\" -gt 0 ] && [ $(( $(date +%%s) - t )) -lt \"$v\" ]; "
	    "then echo fresh $t; exit 0; fi\n"
	    "%s >&2 || exit $?\n"
	    "echo updated $(stat -c %%Y -- /var/lib/apt/lists)\n",
	    (int)arg_int(j->args, "cache_valid_time", 0), up.buf);
	exec_res_init(&r);
	ret = mod_exec(j->ctx, cmd.buf, NULL, 0, &r);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0)
		mod_fail(j->ctx, "Failed to update apt cache: %s", r.err.buf);
	else if (ret == 0) {
		mod_set(j->ctx, "cache_updated",
		    val_bool(!strncmp(r.out.buf, "updated", 7)));
		mod_set(j->ctx, "cache_update_time",
		    val_int(strtoll(strchrnul(r.out.buf, ' '), NULL, 10)));
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&up);
	return ret;
}

/* Does package p need the action of state? */
static int
needs(const struct pkg *p, const char *state, int purge)
{
	if (!strcmp(state, "absent"))
		return p->have != NULL || (purge && p->conf);
	if (p->have == NULL)
		return 1;
	return p->want != NULL && strcmp(p->want, p->have) != 0;
}

/* latest: the packages apt-get -s install would install or upgrade. */
static int
simulate_latest(struct aptjob *j, int *mark)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	size_t i;
	int ret;

	apt_get(j, &cmd, 1);
	strbuf_addstr(&cmd, " install --");
	for (i = 0; i < j->n; i++)
		shellcmd_build(&cmd, " %q", j->p[i].name);
	exec_res_init(&r);
	ret = mod_exec(j->ctx, cmd.buf, NULL, 0, &r);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0)
		mod_fail(j->ctx, "'apt-get install' failed: %s", r.err.buf);
	for (i = 0; ret == 0 && r.rc == 0 && i < j->n; i++) {
		char *pat = xasprintf("\nInst %s ", j->p[i].name);
		char *pat0 = xasprintf("Inst %s ", j->p[i].name);

		mark[i] = strstr(r.out.buf, pat) != NULL ||
		    !strncmp(r.out.buf, pat0, strlen(pat0));
		free(pat);
		free(pat0);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* policy_rc_d: cmd run with /usr/sbin/policy-rc.d exiting that code,
 * the file there before put back after (else removed), as Ansible's
 * PolicyRcD; not in check mode. */
static const char *
policy_wrap(struct aptjob *j, struct strbuf *cmd)
{
	struct strbuf w = STRBUF_INIT;

	if (arg_get(j->args, "policy_rc_d") == NULL || j->ctx->check)
		return cmd->buf;
	shellcmd_build(&w, "p=/usr/sbin/policy-rc.d; b=\n"
	    "if [ -e \"$p\" ]; then b=$(mktemp \"$p.mend.XXXXXX\") && "
	    "cp -p \"$p\" \"$b\" || exit 1; fi\n"
	    "printf '#!/bin/sh\\nexit %%d\\n' %d >\"$p\" && chmod 0755 \"$p\" "
	    "|| exit 1\n"
	    "( %s ); r=$?\n"
	    "if [ -n \"$b\" ]; then mv -f \"$b\" \"$p\"; else rm -f \"$p\"; fi\n"
	    "exit $r\n", (int)arg_int(j->args, "policy_rc_d", 0), cmd->buf);
	strbuf_reset(cmd);
	strbuf_addbuf(cmd, &w);
	strbuf_release(&w);
	return cmd->buf;
}

/* Journal, run apt-get VERB on the marked packages, journal the outcome. */
static int
act(struct aptjob *j, const char *verb, const int *mark)
{
	struct strbuf cmd = STRBUF_INIT;
	long *seq = xcalloc(j->n + 1, sizeof(*seq));
	size_t i;
	int ret = 0;

	apt_get(j, &cmd, j->ctx->check);
	if (arg_bool(j->args, "autoremove"))
		strbuf_addstr(&cmd, " --auto-remove");
	shellcmd_build(&cmd, " %s --", verb);
	for (i = 0; i < j->n && ret == 0; i++) {
		struct fs_change c = { NULL, "package", NULL, j->p[i].have,
		    NULL, NULL, 0 };
		char *path, *spec;

		if (!mark[i])
			continue;
		path = xasprintf("package:%s", j->p[i].name);
		c.path = path;
		if (!j->ctx->check && (seq[i] = mod_journal_fs(j->ctx, &c)) < 0)
			ret = -1 + mod_fail(j->ctx, "cannot write the "
			    "journal entry for '%s': not changing it", path);
		spec = j->p[i].file ? xstrdup(j->p[i].file) : j->p[i].want ?
		    xasprintf("%s=%s", j->p[i].name, j->p[i].want) :
		    xstrdup(j->p[i].name);
		shellcmd_build(&cmd, " %q", spec);
		free(spec);
		free(path);
	}
	if (ret == 0)
		ret = run_apt(j, policy_wrap(j, &cmd), verb);
	for (i = 0; i < j->n && !j->ctx->check; i++) {
		if (!mark[i] || seq[i] <= 0)
			continue;
		if (ret != 0 || j->ctx->failed)
			mod_journal_fail(j->ctx, seq[i], j->ctx->msg.buf);
		else
			mod_journal_done(j->ctx, seq[i], "", 0, NULL);
	}
	free(seq);
	strbuf_release(&cmd);
	return ret;
}

static int
apply_state(struct aptjob *j)
{
	const char *state = arg_str(j->args, "state");
	int purge = arg_bool(j->args, "purge"), any = 0, ret = 0;
	int *mark = xcalloc(j->n + 1, sizeof(*mark));
	size_t i;

	if (!strcmp(state, "installed"))
		state = "present";
	if (!strcmp(state, "removed"))
		state = "absent";
	if (!strcmp(state, "latest"))
		ret = simulate_latest(j, mark);
	else
		for (i = 0; i < j->n; i++)
			mark[i] = needs(&j->p[i], state, purge);
	for (i = 0; i < j->n; i++)
		any |= mark[i];
	if (ret == 0 && !j->ctx->failed && any) {
		mod_changed(j->ctx);
		ret = act(j, !strcmp(state, "absent") ? (purge ? "purge" :
		    "remove") : "install", mark);
	}
	free(mark);
	return ret;
}

/* deb: the files, comma-separated as Ansible splits them. */
static int
parse_debs(struct aptjob *j)
{
	const char *d = arg_str(j->args, "deb"), *c;
	size_t n = 1;

	for (c = d; *c; c++)
		n += *c == ',';
	j->p = xcalloc(n + 1, sizeof(*j->p));
	for (; *d; d = *c ? c + 1 : c) {
		c = strchrnul(d, ',');
		if (d[0] != '/' || strstr(d, "://") != NULL)
			return mod_fail(j->ctx, "deb '%.*s' must be an absolute "
			    "path on the host (mend does not download)",
			    (int)(c - d), d), -1;
		j->p[j->n++].file = xstrndup(d, (size_t)(c - d));
	}
	return 0;
}

/* Per file: "ok|PKG|HAVE" (that version installed), "need|PKG|HAVE" or
 * "bad|MESSAGE", in the order of the arguments. */
static const char deb_probe[] =
	"multi=$(dpkg --print-foreign-architectures 2>/dev/null)\n"
	"for f in \"$@\"; do\n"
	"  if ! p=$(dpkg-deb -f \"$f\" Package 2>&1); then\n"
	"    echo \"bad|$(printf %s \"$p\" | tr '\\n' ' ')\"; continue; fi\n"
	"  v=$(dpkg-deb -f \"$f\" Version); a=$(dpkg-deb -f \"$f\" "
	"Architecture)\n"
	"  k=$p; if [ -n \"$multi\" ] && [ \"$a\" != all ]; then k=$p:$a; fi\n"
	"  h=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}' -- \"$k\" "
	"2>/dev/null)\n"
	"  case $h in ii*) h=${h#*|} ;; *) h= ;; esac\n"
	"  if [ -n \"$h\" ] && dpkg --compare-versions \"$v\" eq \"$h\"; then "
	"s=ok; else s=need; fi\n"
	"  echo \"$s|$p|$h\"\n"
	"done\n";

/* One probe line into package i and mark[i]; -1 after mod_fail(). */
static int
deb_line(struct aptjob *j, size_t i, const char *s, size_t len, int *mark)
{
	const char *b1 = memchr(s, '|', len), *b2;

	if (b1 != NULL && !strncmp(s, "bad|", 4))
		return mod_fail(j->ctx, "Unable to install package: %.*s",
		    (int)(len - 4), s + 4), -1;
	b2 = b1 ? memchr(b1 + 1, '|', len - (size_t)(b1 + 1 - s)) : NULL;
	if (b2 == NULL)
		return mod_fail(j->ctx, "unexpected dpkg-deb output for '%s'",
		    j->p[i].file), -1;
	j->p[i].name = xstrndup(b1 + 1, (size_t)(b2 - b1 - 1));
	if (s + len > b2 + 1)
		j->p[i].have = xstrndup(b2 + 1, (size_t)(s + len - b2 - 1));
	mark[i] = !strncmp(s, "need|", 5);
	return 0;
}

static int
deb_query(struct aptjob *j, int *mark)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	const char *s, *e;
	size_t i;
	int ret;

	strbuf_addstr(&cmd, "set --");
	for (i = 0; i < j->n; i++)
		shellcmd_build(&cmd, " %q", j->p[i].file);
	strbuf_addf(&cmd, "\n%s", deb_probe);
	exec_res_init(&r);
	ret = mod_exec(j->ctx, cmd.buf, NULL, 0, &r);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0)
		mod_fail(j->ctx, "cannot read the .deb files: %s", r.err.buf);
	for (s = r.out.buf, i = 0; ret == 0 && !j->ctx->failed && i < j->n;
	    i++, s = *e ? e + 1 : e) {
		e = strchrnul(s, '\n');
		if (deb_line(j, i, s, (size_t)(e - s), mark) != 0)
			break;
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* deb: apt-get install the files whose version is not installed. */
static int
apply_debs(struct aptjob *j)
{
	int *mark = xcalloc(j->n + 1, sizeof(*mark)), any = 0, ret;
	size_t i;

	ret = deb_query(j, mark);
	for (i = 0; i < j->n; i++)
		any |= mark[i];
	if (ret == 0 && !j->ctx->failed && any) {
		mod_changed(j->ctx);
		ret = act(j, "install", mark);
	}
	free(mark);
	return ret;
}

/* clean: apt-get clean, failing on any stderr as Ansible's aptclean() */
static int
apt_clean(struct aptjob *j)
{
	struct exec_res r;
	int ret;

	exec_res_init(&r);
	ret = mod_exec(j->ctx, "LC_ALL=C apt-get clean", NULL, 0, &r);
	strbuf_rtrim(&r.err);
	if (ret == 0 && (r.rc != 0 || r.err.len > 0))
		mod_fail(j->ctx, "apt-get clean failed%s%s", r.err.len ? ": " :
		    "", r.err.buf);
	exec_res_release(&r);
	return ret;
}

/* autoclean (no names): apt-get autoclean, changed on a "Del " line */
static int
apt_autoclean(struct aptjob *j)
{
	struct strbuf cmd = STRBUF_INIT;
	int ret;

	apt_get(j, &cmd, j->ctx->check);
	strbuf_addstr(&cmd, " autoclean");
	ret = run_apt(j, cmd.buf, "apt-get autoclean");
	if (ret == 0 && !j->ctx->failed && (strncmp(j->out.buf, "Del ", 4) ==
	    0 || strstr(j->out.buf, "\nDel ") != NULL))
		mod_changed(j->ctx);
	strbuf_release(&cmd);
	return ret;
}

static enum mod_result
apt_run(struct modctx *ctx, const struct val *args)
{
	struct aptjob j;
	int ret = 0;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.args = args;
	strbuf_init(&j.out, 0);
	strbuf_init(&j.err, 0);
	if (arg_get(args, "deb") != NULL ? parse_debs(&j) != 0 :
	    parse_names(&j) != 0)
		goto out;
	if (arg_bool(args, "clean") && !ctx->check)
		ret = apt_clean(&j);
	if (ret == 0 && !ctx->failed && arg_bool(args, "update_cache") &&
	    !ctx->check)
		ret = update_cache(&j);
	if (ret == 0 && !ctx->failed && j.n > 0 && j.p[0].file != NULL)
		ret = apply_debs(&j);
	else if (ret == 0 && !ctx->failed && j.n > 0)
		ret = query(&j);
	if (ret == 0 && !ctx->failed && j.n > 0 && j.p[0].file == NULL)
		ret = apply_state(&j);
	if (ret == 0 && !ctx->failed && j.n == 0 &&
	    arg_bool(args, "autoclean")) {
		ret = apt_autoclean(&j);
	} else if (ret == 0 && !ctx->failed && j.n == 0 &&
	    arg_bool(args, "autoremove")) {
		int none = 0;

		ret = act(&j, "autoremove", &none);
		if (ret == 0 && strstr(j.out.buf, "\nRemv ") != NULL)
			mod_changed(ctx);
	}
	if (j.out.len || j.err.len) {
		mod_set(ctx, "stdout", val_strn(j.out.buf, j.out.len));
		mod_set(ctx, "stderr", val_strn(j.err.buf, j.err.len));
	}
out:
	job_release(&j);
	return mod_done(ctx, ret);
}

const struct module mod_apt = {
	.name = "apt",
	.summary = "manage Debian packages with apt-get",
	.doc = "Ansible's apt: name (list; NAME=VERSION pins), state present/"
	    "absent/latest, update_cache with cache_valid_time, purge, "
	    "autoremove, install_recommends, dpkg_options, default_release, "
	    "lock_timeout (the dpkg lock is waited for), allow_unauthenticated, "
	    "clean (apt-get clean first; not in check mode), autoclean (no "
	    "name: apt-get autoclean, changed when it deletes a file, and "
	    "nothing after it, as Ansible), policy_rc_d (policy-rc.d exits "
	    "with it during install/remove, put back after)."
	    "  Noninteractive apt-get; check mode is apt-get -s.  Each package "
	    "changed is journaled with its versions: 'mend rollback' removes "
	    "what was installed and reinstalls the old version of what was "
	    "removed or upgraded.  Returns cache_updated, cache_update_time, "
	    "stdout, stderr.  deb installs .deb files on the host unless "
	    "their version is installed (apt-get install FILE: dependencies "
	    "from the sources).  Refused: deb URLs, upgrade, only_upgrade, "
	    "allow_downgrade, force, "
	    "fail_on_autoremove, state build-dep/fixed, wildcards.",
	.args = apt_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = apt_validate,
	.run = apt_run,
};
