/* seargs.c - Ansible's SELinux file arguments; see seargs.h. */
#include <string.h>

#include "modules/seargs.h"
#include "runner/util/banned.h"

int
seargs_check(struct modctx *ctx, const struct val *args)
{
	static const char *const se[] = { "seuser", "serole", "setype",
	    "selevel" };
	struct exec_res r;
	const char *set = NULL;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(se) && set == NULL; i++)
		if (arg_str(args, se[i]) != NULL)
			set = se[i];
	if (set == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	strbuf_init(&r.out, 0);
	strbuf_init(&r.err, 0);
	ret = mod_exec(ctx, "test -e /sys/fs/selinux/enforce", NULL, 0, &r);
	if (ret == 0 && r.rc == 0) {
		mod_fail(ctx, "SELinux is enabled on this host and mend does "
		    "not set SELinux contexts ('%s'): set it with "
		    "chcon/semanage, or leave the option out", set);
		ret = -1;
	}
	strbuf_release(&r.out);
	strbuf_release(&r.err);
	return ret;
}
