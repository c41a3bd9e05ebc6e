/*
 * test_registry.c - every registered module against the module contract
 * (modules/module.h), like git's t0012-help running -h for every builtin:
 * names, docs, argument tables, defaults, choices, aliases, flags, and
 * module_find()/module_suggest().  Problems are collected and printed all
 * at once, each naming its module.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/core/homepath.h"
#include "runner/util/yamlload.h"
#include "runner/util/suggest.h"
#include "runner/util/banned.h"

static struct strbuf problems = STRBUF_INIT;

__attribute__((format(printf, 2, 3)))
static void
problem(const struct module *m, const char *fmt, ...)
{
	va_list ap;

	strbuf_addf(&problems, "module '%s': ", m && m->name ? m->name : "?");
	va_start(ap, fmt);
	strbuf_vaddf(&problems, fmt, ap);
	va_end(ap);
	strbuf_addch(&problems, '\n');
}

static void
assert_no_problems(void)
{
	if (problems.len == 0)
		return;
	print_error("%s", problems.buf);
	strbuf_release(&problems);
	fail();
}

static int
all_in(const char *s, const char *set)
{
	return *s != '\0' && s[strspn(s, set)] == '\0';
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define IDENT LOWER "_0123456789"

/* Is `word` one of the |-separated items of list? */
static int
in_bar_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p != NULL) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* "a|b|c": non-empty items, no duplicates, each passing ok(). */
static int
bar_list_ok(const char *list, int (*ok)(const char *))
{
	char *copy = xstrdup(list), *p = copy, *bar;
	int good = *list != '\0';

	for (; good && p != NULL; p = bar ? bar + 1 : NULL) {
		bar = strchr(p, '|');
		if (bar != NULL)
			*bar = '\0';
		good = *p != '\0' && ok(p) && (bar == NULL ||
		    !in_bar_list(bar + 1, p));
	}
	free(copy);
	return good;
}

static int
any_word(const char *w)
{
	return strpbrk(w, " \t\n") == NULL;
}

static int
arg_name_ok(const char *w)
{
	return all_in(w, IDENT) && w[0] >= 'a' && w[0] <= 'z';
}

/* Aliases may also have '-' (Ansible's stat: mime-type). */
static int
alias_ok(const char *w)
{
	return all_in(w, IDENT "-") && w[0] >= 'a' && w[0] <= 'z';
}

/* ---- names and docs ---- */

static void
check_names(const struct module *m)
{
	if (m->name == NULL || !all_in(m->name, LOWER "_"))
		problem(m, "name must be [a-z_]+");
	if (m->summary == NULL || m->summary[0] == '\0' ||
	    strchr(m->summary, '\n') != NULL)
		problem(m, "summary must be one non-empty line");
	else if (m->summary[strlen(m->summary) - 1] == '.')
		problem(m, "summary must not end with a full stop");
	if (m->doc == NULL || strlen(m->doc) < 20)
		problem(m, "doc is missing or too short");
	if (m->run == NULL)
		problem(m, "run is NULL");
	if (m->args == NULL)
		problem(m, "args is NULL (use an empty table)");
}

static void
registry_names_docs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; module_table[i] != NULL; i++)
		check_names(module_table[i]);
	assert_no_problems();
}

/* ---- argument tables ---- */

static int
name_taken(const struct module *m, size_t upto, const char *w)
{
	size_t j;

	for (j = 0; j < upto; j++)
		if (strcmp(m->args[j].name, w) == 0 || (m->args[j].aliases &&
		    in_bar_list(m->args[j].aliases, w)))
			return 1;
	return 0;
}

/* How many names and aliases of the whole table are w. */
static size_t
name_uses(const struct module *m, const char *w)
{
	size_t j, n = 0;

	for (j = 0; m->args[j].name != NULL; j++)
		n += (strcmp(m->args[j].name, w) == 0) + (m->args[j].aliases &&
		    in_bar_list(m->args[j].aliases, w));
	return n;
}

static void
check_aliases(const struct module *m, const struct module_arg *a)
{
	char *copy, *p, *bar;

	if (a->aliases == NULL)
		return;
	if (!bar_list_ok(a->aliases, alias_ok)) {
		problem(m, "argument '%s': bad aliases '%s'", a->name,
		    a->aliases);
		return;
	}
	copy = xstrdup(a->aliases);
	for (p = copy; p != NULL; p = bar ? bar + 1 : NULL) {
		bar = strchr(p, '|');
		if (bar != NULL)
			*bar = '\0';
		if (name_uses(m, p) != 1)
			problem(m, "alias '%s' clashes with another argument",
			    p);
	}
	free(copy);
}

static void
check_choices(const struct module *m, const struct module_arg *a)
{
	if (a->choices == NULL)
		return;
	if (!bar_list_ok(a->choices, any_word))
		problem(m, "argument '%s': bad choices '%s'", a->name,
		    a->choices);
	if (a->type != ARG_STR)
		problem(m, "argument '%s': choices need type ARG_STR", a->name);
	if (a->def != NULL && !in_bar_list(a->choices, a->def))
		problem(m, "argument '%s': default '%s' is not one of %s",
		    a->name, a->def, a->choices);
}

static void
check_arg(const struct module *m, size_t i)
{
	const struct module_arg *a = &m->args[i];

	if (!arg_name_ok(a->name))
		problem(m, "argument '%s': name must be [a-z][a-z0-9_]*",
		    a->name);
	if (name_taken(m, i, a->name))
		problem(m, "argument '%s' is declared twice", a->name);
	if ((int)a->type < ARG_STR || a->type > ARG_RAW)
		problem(m, "argument '%s': invalid type %d", a->name,
		    (int)a->type);
	if (a->help == NULL || a->help[0] == '\0')
		problem(m, "argument '%s': no help text", a->name);
	if (a->required && a->def != NULL)
		problem(m, "argument '%s': required with a default", a->name);
	if (a->def != NULL && (a->type == ARG_LIST || a->type == ARG_MAP))
		problem(m, "argument '%s': list/map defaults are not supported",
		    a->name);
	check_choices(m, a);
	check_aliases(m, a);
}

static void
registry_args_tables(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; module_table[i] != NULL; i++) {
		const struct module *m = module_table[i];

		for (j = 0; m->args != NULL && m->args[j].name != NULL; j++)
			check_arg(m, j);
	}
	assert_no_problems();
}

/* ---- defaults coerce to their type (through the runner's args_coerce) */

static struct val *
dummy_value(const struct module_arg *a)
{
	struct val *v;
	const char *bar;

	switch (a->type) {
	case ARG_INT: return val_int(1);
	case ARG_BOOL: return val_bool(1);
	case ARG_PATH: return val_str("/tmp/x");
	case ARG_MODE: return val_str("0644");
	case ARG_MAP: return val_map();
	case ARG_LIST:
		v = val_list();
		val_list_push(v, val_str("x"));
		return v;
	default:
		if (a->choices == NULL)
			return val_str("x");
		bar = strchr(a->choices, '|');
		return bar ? val_strn(a->choices, (size_t)(bar - a->choices))
		    : val_str(a->choices);
	}
}

static enum val_type
coerced_type(enum arg_type t)
{
	switch (t) {
	case ARG_INT: return V_INT;
	case ARG_BOOL: return V_BOOL;
	case ARG_LIST: return V_LIST;
	case ARG_MAP: return V_MAP;
	default: return V_STR;
	}
}

static void
check_defaults(const struct module *m)
{
	struct val *in = val_map(), *out = NULL;
	struct pos p = { "test", 1, 1 };
	struct err e = ERR_INIT;
	const struct module_arg *a;

	for (a = m->args; a->name != NULL; a++)
		if (a->required)
			val_map_set(in, a->name, dummy_value(a));
	if (args_coerce(m, in, &p, &out, &e) < 0) {
		strbuf_rtrim(&e.msg);
		problem(m, "defaults do not coerce: %s", e.msg.buf);
		goto out;
	}
	for (a = m->args; a->name != NULL; a++) {
		const struct val *v = val_map_get(out, a->name);

		if (a->def == NULL || a->type == ARG_RAW)
			continue;
		if (v == NULL || v->type != coerced_type(a->type))
			problem(m, "argument '%s': default '%s' does not "
			    "become a %s", a->name, a->def,
			    arg_type_name(a->type));
	}
out:
	val_free(in);
	val_free(out);
	err_release(&e);
}

static void
registry_defaults_coerce(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; module_table[i] != NULL; i++)
		check_defaults(module_table[i]);
	assert_no_problems();
}

/* A free-form command line rendered from a vault value stays unsafe (the
 * executor makes such a task no_log): found by the secrets test, where
 * `command: "echo {{ vaulted }}"` printed the secret at -vvv and in the
 * JSON report. */
static void
free_form_keeps_unsafe(void **state)
{
	const struct module *m = module_find("command");
	struct val *in = val_map(), *out = NULL, *raw = val_str("echo s3cret");
	struct pos p = { "test", 1, 1 };
	struct err e = ERR_INIT;

	(void)state;
	assert_non_null(m);
	val_mark_unsafe(raw);
	val_map_set(in, "_raw_params", raw);
	assert_int_equal(args_coerce(m, in, &p, &out, &e), 0);
	assert_non_null(val_map_get(out, "_raw_params"));
	assert_true(val_map_get(out, "_raw_params")->unsafe);
	val_free(in);
	val_free(out);
	err_release(&e);
}

/* validate hooks survive the smallest valid-looking input */
static void
registry_validate_hooks(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; module_table[i] != NULL; i++) {
		const struct module *m = module_table[i];
		const struct module_arg *a;
		struct val *in = val_map();
		struct err e = ERR_INIT;

		for (a = m->args; a->name != NULL; a++)
			if (a->required)
				val_map_set(in, a->name, dummy_value(a));
		if (m->validate != NULL) {
			int r = m->validate(in, &e);

			if (r != 0 && r != -1)
				problem(m, "validate returned %d", r);
			if (r == -1 && e.count == 0)
				problem(m, "validate failed without a message");
		}
		val_free(in);
		err_release(&e);
	}
	assert_no_problems();
}

/* ---- issue 14 arguments: checked as the loader checks a task ---- */

/* The loader's verdict on module `name` with YAML args: "" or the error. */
static char *
load_args(const char *name, const char *yaml)
{
	const struct module *m = module_find(name);
	struct val *raw = NULL;
	struct err e = ERR_INIT;
	char *why;

	assert_non_null(m);
	assert_int_equal(yaml_load_string("t", yaml, strlen(yaml), &raw, &e),
	    0);
	if (args_normalize(m, raw, &e) == 0 && m->validate != NULL)
		(void)m->validate(raw, &e);
	strbuf_rtrim(&e.msg);
	why = strbuf_detach(&e.msg, NULL);
	val_free(raw);
	err_release(&e);
	return why;
}

static void
expect_args(const char *name, const char *yaml, const char *err)
{
	char *why = load_args(name, yaml);

	if (err == NULL)
		assert_string_equal(why, "");
	else if (strstr(why, err) == NULL)
		fail_msg("%s %s: '%s' lacks '%s'", name, yaml, why, err);
	free(why);
}

static void
margs_accepted_and_refused(void **state)
{
	(void)state;
	expect_args("copy", "{src: /a, dest: /b, remote_src: true, "
	    "mode: preserve}", NULL);
	expect_args("copy", "{src: a, dest: /b, mode: 'u=rw,g=r'}", NULL);
	expect_args("copy", "{src: a, dest: /b, mode: keep}",
	    "argument 'mode' must be a file mode (octal or symbolic) or "
	    "preserve, got 'keep'");
	expect_args("template", "{src: a, dest: '~/.my.cnf', mode: preserve}",
	    NULL);
	expect_args("template", "{src: a, dest: '~root/x'}", NULL);
	expect_args("template", "{src: a, dest: 'x/y'}",
	    "must be an absolute path (or start with ~), got 'x/y'");
	expect_args("template", "{src: a, dest: '~a b/y'}",
	    "must be an absolute path");
	expect_args("template", "{src: a, dest: /x, mode: nope}",
	    "got 'nope'");
	expect_args("service", "{name: x, state: started, use: service}",
	    NULL);
	expect_args("service", "{name: x, state: started, use: sysvinit}",
	    NULL);
	expect_args("service", "{name: x, state: started, use: openwrt_init}",
	    "use=openwrt_init: mend has no openwrt_init backend");
	expect_args("apt", "{deb: /tmp/x.deb}", NULL);
	expect_args("apt", "{deb: /tmp/x.deb, name: x}",
	    "parameters are mutually exclusive: deb|package|upgrade");
	expect_args("apt", "{deb: /tmp/x.deb, state: absent}",
	    "deb only supports state=present");
	expect_args("apt", "{deb: 'https://h/x.deb'}", "is a URL");
	expect_args("package", "{name: x, state: present, update_cache: true}",
	    NULL);
	expect_args("file", "{path: /x, state: directory, follow: false}",
	    NULL);
}

static void
homepath_forms(void **state)
{
	char user[16];
	const char *rest = NULL;

	(void)state;
	assert_true(homepath_split("~", user, sizeof(user), &rest));
	assert_string_equal(user, "");
	assert_string_equal(rest, "");
	assert_true(homepath_split("~/.my.cnf", user, sizeof(user), &rest));
	assert_string_equal(user, "");
	assert_string_equal(rest, "/.my.cnf");
	assert_true(homepath_split("~www-data/a/b", user, sizeof(user),
	    &rest));
	assert_string_equal(user, "www-data");
	assert_string_equal(rest, "/a/b");
	assert_false(homepath_split("/abs", user, sizeof(user), &rest));
	assert_false(homepath_split("~-x/a", user, sizeof(user), &rest));
	assert_false(homepath_split("~a$(id)/a", user, sizeof(user), &rest));
	assert_false(homepath_split("~averyveryverylongname/a", user,
	    sizeof(user), &rest));
	assert_true(homepath_ok("/x"));
	assert_true(homepath_ok("~/x"));
	assert_false(homepath_ok("x/~"));
	assert_false(homepath_ok(""));
}

/* ---- flags ---- */

static void
check_flags(const struct module *m)
{
	unsigned known = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK |
	    MOD_FREE_FORM | MOD_NO_HOST | MOD_ANY_ARGS;

	if (m->flags & ~known)
		problem(m, "unknown flag bits 0x%x", m->flags & ~known);
	if ((m->flags & MOD_NO_HOST) && (m->flags & MOD_CHANGES_HOST))
		problem(m, "MOD_NO_HOST with MOD_CHANGES_HOST");
	if ((m->flags & MOD_NO_HOST) && (m->flags & MOD_SUPPORTS_CHECK))
		problem(m, "MOD_SUPPORTS_CHECK is meaningless with MOD_NO_HOST");
}

static void
registry_flags(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; module_table[i] != NULL; i++)
		check_flags(module_table[i]);
	assert_no_problems();
}

/* Modules everybody relies on keep their flags. */
static void
registry_known_flags(void **state)
{
	static const struct { const char *name; unsigned flags; } want[] = {
		{ "assert", MOD_NO_HOST },
		{ "command", MOD_CHANGES_HOST | MOD_FREE_FORM },
		{ "debug", MOD_NO_HOST },
		{ "fail", MOD_NO_HOST },
		{ "grep", MOD_SUPPORTS_CHECK },
		{ "service", MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK },
		{ "shell", MOD_CHANGES_HOST | MOD_FREE_FORM },
		{ "wait_for", MOD_SUPPORTS_CHECK },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct module *m = module_find(want[i].name);

		assert_non_null(m);
		assert_int_equal(m->flags, want[i].flags);
	}
}

/* ---- the table and lookups ---- */

static void
registry_table_sorted(void **state)
{
	size_t i;

	(void)state;
	assert_non_null(module_table[0]);
	for (i = 1; module_table[i] != NULL; i++)
		if (strcmp(module_table[i - 1]->name, module_table[i]->name)
		    >= 0)
			problem(module_table[i], "table not in alphabetical "
			    "order (after '%s') or duplicate",
			    module_table[i - 1]->name);
	assert_no_problems();
}

static void
registry_find(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; module_table[i] != NULL; i++)
		assert_ptr_equal(module_find(module_table[i]->name),
		    module_table[i]);
	assert_null(module_find(""));
	assert_null(module_find("no_such_module"));
	assert_null(module_find("COMMAND"));
	assert_null(module_find("command "));
	assert_null(module_find("ansible.builtin.nope"));
}

/* A typo (one letter dropped, or changed) suggests a name at least as
 * close as the intended one; the exact name suggests itself. */
static void
registry_suggest(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; module_table[i] != NULL; i++) {
		const char *name = module_table[i]->name, *s;
		char typo[64];

		assert_string_equal(module_suggest(name), name);
		len = strlen(name);
		assert_true(len > 1 && len < sizeof(typo));
		memcpy(typo, name, len - 1);     /* drop the last letter */
		typo[len - 1] = '\0';
		s = module_suggest(typo);
		assert_non_null(s);
		assert_true(edit_distance(typo, s) <= 1);
		memcpy(typo, name, len + 1);
		typo[0] = typo[0] == 'x' ? 'y' : 'x';
		s = module_suggest(typo);
		assert_non_null(s);
		assert_true(edit_distance(typo, s) <= 1);
	}
	assert_string_equal(module_suggest("comand"), "command");
	assert_string_equal(module_suggest("wait-for"), "wait_for");
	assert_null(module_suggest("zzzzzzzzzzzz"));
	assert_null(module_suggest(""));
}

/* The secrets mend knows, by file: masked in every diff and in `mend
 * show` (the NUT analysers know which tokens are passwords). */
static void
registry_masks_secrets(void **state)
{
	static const char nut[] = "MONITOR ups@h 1 mon \"PW-1\" primary\n"
	    "CERTIDENT \"nick\" \"PW-2\"\nFINALDELAY 5\n";
	static const char xml[] = "<sslContext keyStorePassword=\"PW-3\"/>\n";
	struct strbuf out = STRBUF_INIT;

	(void)state;
	mod_mask_secrets("/etc/nut/upsmon.conf", nut, sizeof(nut) - 1, &out);
	assert_string_equal(out.buf, "MONITOR ups@h 1 mon \"********\" "
	    "primary\nCERTIDENT \"nick\" \"********\"\nFINALDELAY 5\n");
	strbuf_reset(&out);
	mod_mask_secrets("/srv/x/upsd.conf", nut, sizeof(nut) - 1, &out);
	assert_null(strstr(out.buf, "PW-"));
	strbuf_reset(&out);
	mod_mask_secrets("/opt/activemq/conf/activemq.xml", xml,
	    sizeof(xml) - 1, &out);
	assert_null(strstr(out.buf, "PW-3"));
	strbuf_reset(&out);
	mod_mask_secrets("/etc/motd", nut, sizeof(nut) - 1, &out);
	assert_string_equal(out.buf, nut);            /* unknown: as is */
	strbuf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registry_names_docs),
		cmocka_unit_test(registry_masks_secrets),
		cmocka_unit_test(registry_args_tables),
		cmocka_unit_test(registry_defaults_coerce),
		cmocka_unit_test(registry_validate_hooks),
		cmocka_unit_test(margs_accepted_and_refused),
		cmocka_unit_test(homepath_forms),
		cmocka_unit_test(registry_flags),
		cmocka_unit_test(registry_known_flags),
		cmocka_unit_test(registry_table_sorted),
		cmocka_unit_test(registry_find),
		cmocka_unit_test(free_form_keeps_unsafe),
		cmocka_unit_test(registry_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
