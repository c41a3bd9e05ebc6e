/*
 * startat.h - --start-at-task NAME: where a run starts, as ansible-playbook.
 *
 * The run starts at the first task, in play order (pre_tasks, roles,
 * tasks, post_tasks; into static blocks, import_tasks and import_role,
 * not into include_tasks/include_role, whose tasks Ansible does not know
 * before they run; a block's rescue is not on the way), whose name, or
 * "role : name" for a role's task (the module name for an unnamed task),
 * is NAME or matches it as a shell pattern (Python's fnmatch: * ? [...],
 * case-sensitive, no escapes).  Ansible's rules: the plays before it run
 * nothing (no facts gathered), its play runs from it (facts gathered as
 * the play says), the later plays run whole.  The task's own when and tags
 * still apply.
 */
#ifndef MEND_STARTAT_H
#define MEND_STARTAT_H

#include "runner/core/playbook.h"

/* Does task t match the pattern? */
int start_at_match(const struct task *t, const char *pattern);
/* The first task of play p the pattern matches, or NULL. */
const struct task *start_at_find(const struct play *p, const char *pattern);

#endif
