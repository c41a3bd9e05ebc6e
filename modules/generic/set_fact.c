/* set_fact.c - set host variables (Ansible's set_fact action): the engine
 * stores the answer's ansible_facts at set_fact precedence for the rest
 * of the run, and as facts too when cacheable (runner/core/executor.c). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "modules/module.h"
#include "runner/util/banned.h"

static const struct module_arg set_fact_args[] = {
	{ "cacheable", ARG_BOOL, 0, "no", NULL,
	  "also store them as facts (kept in ansible_facts for the run; mend "
	  "has no fact cache across runs)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
is_identifier(const char *k)
{
	if (!isalpha((unsigned char)*k) && *k != '_')
		return 0;
	for (k++; *k != '\0'; k++)
		if (!isalnum((unsigned char)*k) && *k != '_')
			return 0;
	return 1;
}

/* set_fact.py: a string "true"/"false"/"yes"/"no" (any case) becomes a
 * boolean (jinja2_native off, Ansible's default). */
static struct val *
fact_value(const struct val *v)
{
	static const char *const words[][2] = { { "true", "1" },
	    { "false", "" }, { "yes", "1" }, { "no", "" } };
	struct val *b;
	size_t i;

	for (i = 0; v->type == V_STR && i < ARRAY_SIZE(words); i++)
		if (strcasecmp(v->u.str.s, words[i][0]) == 0) {
			b = val_bool(words[i][1][0] != '\0');
			b->pos = v->pos;
			b->unsafe = v->unsafe;
			return b;
		}
	return val_copy(v);
}

static int
set_fact_validate(const struct val *args, struct err *e)
{
	size_t i;
	int ret = 0, n = 0;

	for (i = 0; i < args->u.map.n; i++) {
		const char *k = args->u.map.items[i].key;

		if (strcmp(k, "cacheable") == 0)
			continue;
		n++;
		if (!is_identifier(k) && strstr(k, "{{") == NULL)
			ret = err_setpos(e, val_map_keypos(args, k), "set_fact: "
			    "the variable name '%s' is not valid (a letter or "
			    "_, then letters, digits, _)", k);
	}
	if (n == 0)
		return err_setpos(e, &args->pos, "set_fact: no key/value "
		    "pairs provided, at least one is required");
	return ret;
}

static enum mod_result
set_fact_run(struct modctx *ctx, const struct val *args)
{
	struct val *facts = val_map();
	size_t i;

	for (i = 0; i < args->u.map.n; i++) {
		const char *k = args->u.map.items[i].key;

		if (strcmp(k, "cacheable") == 0)
			continue;
		if (!is_identifier(k)) {
			val_free(facts);
			return mod_done(ctx, mod_fail(ctx, "the variable name "
			    "'%s' is not valid", k));
		}
		val_map_set(facts, k, fact_value(args->u.map.items[i].v));
	}
	mod_set(ctx, "ansible_facts", facts);
	mod_set(ctx, "_ansible_facts_cacheable",
	    val_bool(arg_bool(args, "cacheable")));
	return mod_done(ctx, 0);
}

const struct module mod_set_fact = {
	.name = "set_fact",
	.summary = "set variables of the host for the rest of the run",
	.doc = "Each other argument is a variable (name: value; values are "
	    "rendered once, here; the strings true/false/yes/no become "
	    "booleans, as Ansible).  They rank above play vars, vars_files "
	    "and include_vars and below -e; register and set_fact share a "
	    "level (the later wins).  cacheable: also facts (ansible_facts) "
	    "for the run; mend keeps no fact cache between runs.",
	.args = set_fact_args,
	.flags = MOD_NO_HOST | MOD_ANY_ARGS,
	.validate = set_fact_validate,
	.run = set_fact_run,
};
