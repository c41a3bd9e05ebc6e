#ifndef MEND_LOCALPLUG_H
#define MEND_LOCALPLUG_H
/*
 * localplug.h - project-local Ansible plugins, Python files mend cannot
 * run.  Ansible finds a task's module in library/ of the task's role and
 * of the playbook's directory, and filters in filter_plugins/ of the same
 * places.  mend looks there too, and, for a role, also beside the roles/
 * directory that holds it (its project, where the playbooks that use it
 * live: a role checked on its own still finds them), so that a task or
 * a template using one validates with a warning and fails on the host
 * that runs it, instead of being an unknown name.
 */

/* The file library/NAME or library/NAME.<ext> (as Ansible's module
 * loader finds it) of the role of tdir (local_role_dir), the playbook
 * directory pbdir, or the role's project; NULL if none.  Caller frees. */
char *local_module_find(const char *pbdir, const char *tdir,
    const char *name);
/* The role directory of tdir: the parent of its last component named
 * tasks or handlers; NULL if none.  Caller frees. */
char *local_role_dir(const char *tdir);
/* The project of role directory rdir: the parent of .../roles/NAME, or
 * NULL.  Caller frees. */
char *local_role_project(const char *rdir);
/* Register with the template engine (tmpl_local_filter_add) the filters
 * of every DIR/filter_plugins/ *.py (dir: a role's or the playbook's). */
void local_filters_scan(const char *dir);
/* Same for a directory of filter plugins itself (ansible.cfg's
 * filter_plugins entries). */
void local_filters_scan_plugin_dir(const char *pdir);
/* The names a filter plugin's source defines: the quoted keys of the
 * dict literal its filters() method returns.  Returns how many (names[]
 * filled, each new), or -1 when filters() returns something else (a
 * computed table); 0 when the file has no filters() method. */
int local_filter_names(const char *src, char ***names);
#endif
