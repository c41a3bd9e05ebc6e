/*
 * yamlload.h - YAML files and strings to struct val trees (libyaml).
 *
 * Every node gets its position (file:line:col, 1-based, from libyaml's
 * marks).  Malformed YAML is reported at libyaml's position:
 *     inventory/hosts.yml:4:3: error: mapping values are not allowed here
 * Anchors and aliases are resolved (copied).  Duplicate mapping keys are an
 * error (Ansible warns; mend refuses silently-lost data).  Plain scalars are
 * typed per YAML 1.1 as Ansible reads them: null/~/empty -> V_NULL,
 * true/false/yes/no/on/off (any case) -> V_BOOL, decimal integers -> V_INT;
 * everything else and every quoted scalar is V_STR.  Multi-document streams
 * are rejected.  An empty document gives V_NULL.
 */
#ifndef MEND_YAMLLOAD_H
#define MEND_YAMLLOAD_H

#include "runner/util/value.h"

/* Returns 0 and *out (caller frees), or -1 with e filled. */
int yaml_load_file(const char *path, struct val **out, struct err *e);
/* `name` labels positions in errors. */
int yaml_load_string(const char *name, const char *s, size_t len,
    struct val **out, struct err *e);

#endif
