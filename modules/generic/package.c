/*
 * package.c - the generic package module, like ansible.builtin.package:
 * it finds the host's package manager (Ansible's pkg_mgr fact: apt-get
 * means apt) and runs that module with name and state.  mend has the apt
 * module only: a host with another manager (dnf, yum, zypper, apk,
 * pacman...) fails its task with a message that names it.  As Ansible's,
 * every other argument goes to that module as it is (`update_cache` to
 * apt); one the module lacks (yum's `enablerepo` reaching apt) fails the
 * task there, naming it, as Ansible's "Unsupported parameters".
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/banned.h"

static const struct module_arg package_args[] = {
	{ "name", ARG_LIST, 1, NULL, NULL, "packages", "pkg" },
	{ "state", ARG_STR, 1, NULL, "present|absent|latest|installed|removed",
	  "present, absent or latest", NULL },
	{ "use", ARG_STR, 0, "auto", "auto|apt",
	  "the package manager module (auto: the host's)", NULL },
	{ "update_cache", ARG_BOOL, 0, NULL, NULL,
	  "passed to the package manager's module (apt: apt-get update "
	  "first), as every other argument", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static const char probe[] =
    "for m in apt-get dnf yum zypper apk pacman pkg; do\n"
    "  if command -v $m >/dev/null 2>&1; then echo $m; exit 0; fi\n"
    "done\necho unknown\n";

static enum mod_result
package_run(struct modctx *ctx, const struct val *args)
{
	struct exec_res r;
	struct val *a;
	enum mod_result res = MOD_FAILED;
	int ret;

	exec_res_init(&r);
	ret = mod_exec(ctx, probe, NULL, 0, &r);
	strbuf_rtrim(&r.out);
	if (ret == 0 && strcmp(r.out.buf, "apt-get") != 0) {
		mod_fail(ctx, "the package manager of this host is '%s': mend "
		    "has a module for apt only", r.out.buf);
	} else if (ret == 0) {
		a = val_copy(args);
		val_map_del(a, "use");
		res = mod_call(ctx, "apt", a);
		val_free(a);
	}
	exec_res_release(&r);
	if (ret != 0)
		return mod_done(ctx, ret);
	return res == MOD_UNREACHABLE ? MOD_UNREACHABLE : mod_done(ctx, 0);
}

const struct module mod_package = {
	.name = "package",
	.summary = "install or remove packages with the host's package "
	    "manager",
	.doc = "Ansible's package: finds the host's package manager and runs "
	    "its module with name, state and the other arguments (an "
	    "argument that module lacks fails the task, naming it).  mend has "
	    "apt only: a host with dnf, yum, zypper, apk, pacman or pkg fails "
	    "the task naming it.",
	.args = package_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK | MOD_ANY_ARGS,
	.run = package_run,
};
