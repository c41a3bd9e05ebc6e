/*
 * seargs.h - Ansible's SELinux file arguments (seuser, serole, setype,
 * selevel) for the modules that write files (file, copy, template and
 * the line editors).  On a host without SELinux they do nothing, as
 * Ansible's (selinux_enabled() false); on a host with SELinux enabled the
 * task fails before it changes anything: mend does not set contexts.
 */
#ifndef MEND_SEARGS_H
#define MEND_SEARGS_H

#include "modules/module.h"

#define SEARGS_DOC "SELinux context part: ignored on a host " \
	"without SELinux (as Ansible); with SELinux enabled the task fails " \
	"(mend does not set contexts)"
#define SEARGS_ARGS \
	{ "seuser", ARG_STR, 0, NULL, NULL, SEARGS_DOC, NULL }, \
	{ "serole", ARG_STR, 0, NULL, NULL, SEARGS_DOC, NULL }, \
	{ "setype", ARG_STR, 0, NULL, NULL, SEARGS_DOC, NULL }, \
	{ "selevel", ARG_STR, 0, NULL, NULL, SEARGS_DOC, NULL }

/* With any SELinux option set: 0 when the host has no SELinux enabled
 * (no /sys/fs/selinux/enforce: Ansible then ignores them), else the task
 * fails naming the option (-1, recorded) or a TERR_* code.  0 at once
 * without them. */
int seargs_check(struct modctx *ctx, const struct val *args);

#endif
