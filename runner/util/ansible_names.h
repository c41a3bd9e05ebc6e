/*
 * ansible_names.h - Ansible's own module names (ansible-core 2.14's
 * ansible.builtin modules, and the short names it routes to widely used
 * collections such as community.general), so that mend can say "'ufw' is
 * an Ansible module that mend does not have" instead of suggesting a
 * mend module that merely looks alike.
 */
#ifndef MEND_ANSIBLE_NAMES_H
#define MEND_ANSIBLE_NAMES_H

/* Is name (optionally ansible.builtin./ansible.legacy.-prefixed) an
 * Ansible module?  1: an ansible.builtin module of 2.14, or of a later
 * release that roles use (deb822_repository) (*full = its short name);
 * 2: a collection's module, by a short name Ansible routes
 * ("ufw" -> *full = "community.general.ufw") or by its FQCN
 * (ns.coll.module, *full = name); 0: neither. */
int ansible_module_lookup(const char *name, const char **full);

#endif
