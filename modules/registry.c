/*
 * registry.c - the one list of built-in modules.
 *
 * To add a module: write modules/<name>.c exporting
 *     const struct module mod_<name> = { ... };
 * (see module.h), add `extern const struct module mod_<name>;` and
 * `&mod_<name>,` below, keeping both lists in alphabetical order.
 * tests/unit/test_registry.c checks every entry (name, args table, flags).
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/suggest.h"
#include "runner/util/banned.h"

/* extern declarations: one line per module, alphabetical */
extern const struct module mod_activemq_facts;
extern const struct module mod_activemq_probe;
extern const struct module mod_activemq_service;
extern const struct module mod_activemq_tls;
extern const struct module mod_amqp_probe;
extern const struct module mod_apt;
extern const struct module mod_assert;
extern const struct module mod_backup;
extern const struct module mod_blockinfile;
extern const struct module mod_command;
extern const struct module mod_copy;
extern const struct module mod_debug;
extern const struct module mod_fail_module;   /* "fail" (mod_fail is taken) */
extern const struct module mod_fetch;
extern const struct module mod_file;
extern const struct module mod_find;
extern const struct module mod_grep;
extern const struct module mod_group;
extern const struct module mod_include_vars;
extern const struct module mod_lineinfile;
extern const struct module mod_nut_ca;
extern const struct module mod_nut_facts;
extern const struct module mod_nut_live;
extern const struct module mod_nut_probe;
extern const struct module mod_nut_service;
extern const struct module mod_nut_tls;
extern const struct module mod_package;
extern const struct module mod_ping;
extern const struct module mod_rabbitmq_facts;
extern const struct module mod_rabbitmq_live;
extern const struct module mod_rabbitmq_service;
extern const struct module mod_rabbitmq_tls;
extern const struct module mod_replace;
extern const struct module mod_restore;
extern const struct module mod_service;
extern const struct module mod_set_fact;
extern const struct module mod_setup;
extern const struct module mod_shell;
extern const struct module mod_slurp;
extern const struct module mod_stat;
extern const struct module mod_systemd;
extern const struct module mod_template;
extern const struct module mod_user;
extern const struct module mod_wait_for;

const struct module *const module_table[] = {
	&mod_activemq_facts,
	&mod_activemq_probe,
	&mod_activemq_service,
	&mod_activemq_tls,
	&mod_amqp_probe,
	&mod_apt,
	&mod_assert,
	&mod_backup,
	&mod_blockinfile,
	&mod_command,
	&mod_copy,
	&mod_debug,
	&mod_fail_module,
	&mod_fetch,
	&mod_file,
	&mod_find,
	&mod_grep,
	&mod_group,
	&mod_include_vars,
	&mod_lineinfile,
	&mod_nut_ca,
	&mod_nut_facts,
	&mod_nut_live,
	&mod_nut_probe,
	&mod_nut_service,
	&mod_nut_tls,
	&mod_package,
	&mod_ping,
	&mod_rabbitmq_facts,
	&mod_rabbitmq_live,
	&mod_rabbitmq_service,
	&mod_rabbitmq_tls,
	&mod_replace,
	&mod_restore,
	&mod_service,
	&mod_set_fact,
	&mod_setup,
	&mod_shell,
	&mod_slurp,
	&mod_stat,
	&mod_systemd,
	&mod_template,
	&mod_user,
	&mod_wait_for,
	NULL
};

const struct module *
module_find(const char *name)
{
	/* other names Ansible gives the same module */
	static const char *const aliases[][2] = {
		{ "systemd_service", "systemd" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (strcmp(aliases[i][0], name) == 0)
			name = aliases[i][1];
	for (i = 0; module_table[i] != NULL; i++)
		if (strcmp(module_table[i]->name, name) == 0)
			return module_table[i];
	return NULL;
}

const char *
module_suggest(const char *name)
{
	const char *names[128];
	size_t i;

	for (i = 0; module_table[i] != NULL && i + 1 < ARRAY_SIZE(names); i++)
		names[i] = module_table[i]->name;
	names[i] = NULL;
	return suggest(name, names);
}

/* The products' secret maskers (struct secret_masker), alphabetical. */
extern const struct secret_masker masker_activemq;
extern const struct secret_masker masker_nut;

static const struct secret_masker *const maskers[] = {
	&masker_activemq,
	&masker_nut,
};

void
mod_mask_secrets(const char *path, const char *buf, size_t len,
    struct strbuf *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(maskers); i++)
		if (maskers[i]->applies(path)) {
			maskers[i]->mask(buf, len, out);
			return;
		}
	strbuf_add(out, buf, len);
}
