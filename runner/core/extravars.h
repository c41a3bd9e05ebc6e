/*
 * extravars.h - one `-e` / `--extra-vars` argument, read as Ansible's
 * load_extra_vars() reads it (ansible-core 2.14):
 *   @FILE         a YAML (or JSON) file holding a mapping
 *   {...} / [...] inline YAML or JSON (a list is refused: not a mapping)
 *   /x or .x      refused: "please prepend extra_vars filename ... with '@'"
 *   anything else `k=v` pairs split as Ansible's parse_kv() (kvparse.h):
 *                 `-e "a=1 b='two words'"` sets two string variables
 *   ""            nothing
 * Each argument's mapping replaces the keys it names (hash_behaviour
 * replace); later arguments win.  Where Ansible silently sets a variable
 * named `_raw_params` (`-e foo`, `-e "k = v"`) mend refuses.  An empty
 * @FILE is refused as in Ansible.
 */
#ifndef MEND_EXTRAVARS_H
#define MEND_EXTRAVARS_H

#include "runner/util/err.h"
#include "runner/util/value.h"

/* Merge arg into the map ev; 0, or -1 with the reason in e. */
int extravars_add(struct val *ev, const char *arg, struct err *e);

#endif
