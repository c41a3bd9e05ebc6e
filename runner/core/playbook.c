/* playbook.c - parse and validate playbooks; see playbook.h. */
#include <dirent.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/core/localplug.h"
#include "runner/core/loop.h"
#include "runner/core/playbook.h"
#include "runner/core/window.h"
#include "runner/util/ansible_names.h"
#include "runner/util/suggest.h"
#include "runner/template/template.h"
#include "runner/util/yamlload.h"
#include "runner/util/kvparse.h"
#include "runner/util/banned.h"

static const char *const task_keys[] = {
	"name", "args", "when", "register", "notify", "changed_when",
	"failed_when", "ignore_errors", "tags", "no_log", "become",
	"become_user", "become_method", "check_mode", "timeout", "listen",
	"vars", "environment",
	"loop", "loop_control", "until", "retries", "delay", "run_once",
	"delegate_to", "delegate_facts", NULL
};
/* What a block may carry besides block/rescue/always (inherited). */
static const char *const block_keys[] = {
	"name", "when", "tags", "become", "become_user", "become_method",
	"vars", "ignore_errors", "no_log", "check_mode", "timeout",
	"environment", "run_once", "delegate_to", "delegate_facts", "notify",
	"block", "rescue", "always", NULL
};
/* Ansible keywords mend knowingly does not support. */
static const char *const unsupported_keys[] = {
	"with_lines", "with_random_choice",
	"local_action", "action", "async", "poll", "vars_prompt", "connection",
	"strategy", "collections", "module_defaults", "throttle", "order",
	"diff", "debugger", "any_errors_fatal_task",
	"become_flags", "port", "ignore_unreachable",
	"fact_path", NULL
};

struct pctx {
	struct err *e;
	const char *dir;        /* playbook directory, for vars_files */
	const struct val *cur;  /* the play mapping being parsed */
	const char *tdir;       /* directory of the file being parsed */
	int depth;              /* nesting of imported/included files */
	int dynamic;            /* > 0: inside a dynamically included file */
	const char *rdir;       /* the role whose file is parsed, or NULL */
	int rhfile;             /* ... its handlers/ (not tasks/) file */
	size_t *loads;          /* files loaded for this playbook so far */
	struct play *play;      /* the play being parsed (NULL: a task file
	                         * included when it runs) */
	struct task *rhandlers; /* import/include_role's handlers, appended
	                         * to the play's when it is parsed */
	size_t nrhandlers, rhalloc;
	struct task *cur_task;  /* the import/include_role being parsed */
	char **incroles;        /* roles import/include_role has loaded (this
	                         * play): their handlers are there once */
	size_t nincroles, incalloc;
	struct strbuf *warn;    /* the playbook's warnings, or NULL */
	const struct val *ivars; /* import_playbook vars over each play's
	                          * vars (below vars_files), or NULL */
};

#define INCLUDE_DEPTH_MAX 32
#define LOADS_MAX 2000          /* files one playbook may pull in: imports
                                 * that import twice each other grow
                                 * exponentially, depth alone is no bound */

/* Count one more file loaded; an error past LOADS_MAX. */
static int
count_load(struct pctx *c, const struct pos *pos)
{
	if (c->loads == NULL || ++*c->loads <= LOADS_MAX)
		return 0;
	if (*c->loads == LOADS_MAX + 1)
		err_setpos(c->e, pos, "more than %d files imported by one "
		    "playbook (an import loop?)", LOADS_MAX);
	return -1;
}

static int
is_in(const char *w, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(w, list[i]) == 0)
			return 1;
	return 0;
}

static int
bad_key(struct pctx *c, const char *what, const char *key,
    const struct pos *pos, const char *const *known)
{
	const char *s;

	if (is_in(key, unsupported_keys))
		return err_setpos(c->e, pos, "%s keyword '%s' is not "
		    "supported by mend", what, key);
	s = suggest(key, known);
	if (s != NULL)
		return err_setpos(c->e, pos, "unknown %s keyword '%s' "
		    "(did you mean '%s'?)", what, key, s);
	return err_setpos(c->e, pos, "unknown %s keyword '%s'", what, key);
}

static char *
get_str(struct pctx *c, const char *key, const struct val *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (v->type == V_LIST || v->type == V_MAP || v->type == V_NULL) {
		err_setpos(c->e, &v->pos, "'%s' must be a string, got %s",
		    key, val_type_name(v->type));
		return NULL;
	}
	val_to_str(v, &sb);
	if (tmpl_check(sb.buf, &v->pos, c->e) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static int
get_bool(struct pctx *c, const char *key, const struct val *v, int *out)
{
	int b = val_to_bool(v);

	if (b < 0 || v->type == V_NULL)
		return err_setpos(c->e, &v->pos, "'%s' must be a boolean",
		    key);
	*out = b;
	return 0;
}

/* A keyword Ansible templates: a template string is kept in *expr
 * (checked here, evaluated per host), anything else must be literal. */
static int
get_tbool(struct pctx *c, const char *key, const struct val *v, int *out,
    char **expr)
{
	if (v->type == V_STR && tmpl_has(v->u.str.s)) {
		if (tmpl_check_val(v, c->e) < 0)   /* quoted columns right */
			return -1;
		*expr = xstrdup(v->u.str.s);
		return 0;
	}
	return get_bool(c, key, v, out);
}

/* become_method: mend escalates with sudo only (transport.h), so the
 * literal "sudo" is accepted (as Ansible's default it changes nothing);
 * any other method, or a template, is refused here, by name. */
static int
get_become_method(struct pctx *c, const struct val *v)
{
	if (v->type == V_STR && strcmp(v->u.str.s, "sudo") == 0)
		return 0;
	if (v->type == V_STR && tmpl_has(v->u.str.s))
		return err_setpos(c->e, &v->pos, "a templated become_method "
		    "is not supported by mend (it escalates with sudo only: "
		    "write 'become_method: sudo' or leave it out)");
	if (v->type == V_STR)
		return err_setpos(c->e, &v->pos, "become_method '%s' is not "
		    "supported by mend (it escalates with sudo only)",
		    v->u.str.s);
	return err_setpos(c->e, &v->pos, "'become_method' must be a string, "
	    "got %s", val_type_name(v->type));
}

/* environment: a mapping, or a template that renders to one */
static int
get_env(struct pctx *c, const struct val *v, struct val **out)
{
	if (v->type == V_NULL)
		return 0;
	if (v->type != V_MAP && !(v->type == V_STR && tmpl_has(v->u.str.s)))
		return err_setpos(c->e, &v->pos, "'environment' must be a "
		    "mapping (or a template giving one), got %s",
		    val_type_name(v->type));
	if (tmpl_check_val(v, c->e) < 0)
		return -1;
	val_free(*out);
	*out = val_copy(v);
	return 0;
}

static int
get_int(struct pctx *c, const char *key, const struct val *v, int min,
    int max, int *out)
{
	int64_t n;

	if (v->type == V_BOOL || val_to_int(v, &n) < 0 || n < min || n > max)
		return err_setpos(c->e, &v->pos, "'%s' must be an integer "
		    "from %d to %d", key, min, max);
	*out = (int)n;
	return 0;
}

/* A list of strings from a string ("a, b" or "a") or a list. */
static int
get_strlist(struct pctx *c, const char *key, const struct val *v,
    char ***out, size_t *n)
{
	size_t i, alloc = 0;

	*out = NULL;
	*n = 0;
	if (v->type == V_LIST) {
		for (i = 0; i < v->u.list.n; i++) {
			char *s = get_str(c, key, v->u.list.items[i]);

			if (s == NULL)
				return -1;
			ALLOC_GROW(*out, *n + 1, alloc);
			(*out)[(*n)++] = s;
		}
		return 0;
	}
	if (v->type == V_STR && strchr(v->u.str.s, ',') != NULL &&
	    strcmp(key, "tags") == 0) {     /* "a, b": Ansible splits tags only */
		const char *p = v->u.str.s;

		while (*p) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);

			while (len && *p == ' ') {
				p++;
				len--;
			}
			while (len && p[len - 1] == ' ')
				len--;
			if (len) {
				ALLOC_GROW(*out, *n + 1, alloc);
				(*out)[(*n)++] = xstrndup(p, len);
			}
			p = comma ? comma + 1 : p + strlen(p);
		}
		return 0;
	}
	{
		char *s = get_str(c, key, v);

		if (s == NULL)
			return -1;
		*out = xmalloc(sizeof(char *));
		(*out)[0] = s;
		*n = 1;
	}
	return 0;
}

static int
get_cond(struct pctx *c, const char *key, const struct val *v,
    struct cond *cd)
{
	size_t i;

	cd->set = 1;
	cd->pos = v->pos;
	if (v->type == V_BOOL) {
		cd->literal = 1;
		cd->value = v->u.b;
		return 0;
	}
	if (get_strlist(c, "when", v, &cd->exprs, &cd->nexprs) < 0)
		return -1;
	(void)key;
	for (i = 0; i < cd->nexprs; i++) {
		const struct val *item = v->type == V_LIST
		    ? v->u.list.items[i] : v;

		if (tmpl_check_expr(cd->exprs[i], &item->pos, c->e) < 0)
			return -1;
	}
	return 0;
}

static void
free_strlist(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void
cond_free(struct cond *cd)
{
	free_strlist(cd->exprs, cd->nexprs);
}

static void task_free(struct task *t);

void
tasks_free(struct task *ts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		task_free(&ts[i]);
	free(ts);
}

static void
task_free(struct task *t)
{
	free(t->name);
	val_free(t->args);
	cond_free(&t->when);
	cond_free(&t->changed_when);
	cond_free(&t->failed_when);
	cond_free(&t->until);
	free(t->loop.lookup);
	val_free(t->loop.items);
	free(t->loop.var);
	free(t->loop.index_var);
	free(t->loop.label);
	val_free(t->vars);
	free(t->register_);
	free_strlist(t->notify, t->nnotify);
	free_strlist(t->listen, t->nlisten);
	free_strlist(t->tags, t->ntags);
	free(t->become_user);
	tasks_free(t->block, t->nblock);
	tasks_free(t->rescue, t->nrescue);
	tasks_free(t->always, t->nalways);
	free(t->include);
	free(t->include_dir);
	free(t->include_rdir);
	free(t->meta);
	free(t->role_task);
	if (t->apply != NULL)
		task_free(t->apply);
	free(t->apply);
	val_free(t->role_defaults);
	val_free(t->role_vars);
	free(t->role);
	free(t->ignore_errors_expr);
	free(t->run_once_expr);
	free(t->retries_expr);
	free(t->delay_expr);
	free(t->delegate_to);
	free(t->no_log_expr);
	free(t->become_expr);
	free(t->timeout_expr);
	val_free(t->environment);
}

/* Check template syntax in every string of an argument tree (each error at
 * its own scalar's position, quoted scalars included). */
static int
check_templates(struct pctx *c, const struct val *v)
{
	return tmpl_check_val(v, c->e);
}

static const char *
strip_fqcn(const char *name)
{
	static const char *const prefixes[] = { "ansible.builtin.",
	    "ansible.legacy.", NULL };
	size_t i;

	for (i = 0; prefixes[i] != NULL; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return name + strlen(prefixes[i]);
	return name;
}

/* "'X' is an Ansible module (FQCN) that mend does not have", or NULL
 * when name is not an Ansible module. */
static char *
ansible_only_msg(const char *name)
{
	const char *full;
	int kind = ansible_module_lookup(name, &full);
	char *cite, *msg;
	int same;

	if (kind == 0)
		return NULL;
	cite = xasprintf("%s%s", kind == 1 ? "ansible.builtin." : "", full);
	same = strcmp(cite, name) == 0;
	msg = xasprintf("'%s' is an Ansible module%s%s%s that mend does not "
	    "have", name, same ? "" : " (", same ? "" : cite,
	    same ? "" : ")");
	free(cite);
	return msg;
}

static void
warn_at(struct pctx *c, const struct pos *pos, const char *msg)
{
	if (c->warn == NULL)
		return;
	if (pos != NULL && pos->file != NULL)
		strbuf_addf(c->warn, "%s:%d:%d: ", pos->file, pos->line,
		    pos->col);
	strbuf_addf(c->warn, "warning: %s\n", msg);
}

/* A task of an Ansible module mend lacks (often one for another OS, under
 * a `when:`) validates with a warning and fails, with that message, on
 * any host that runs it: the `fail` module with the message, named as
 * the module when the task has no name.  Its arguments are not checked,
 * beyond their templates' syntax. */
static int
ansible_only_task(struct pctx *c, struct task *t, const char *key,
    const struct val *v, const struct pos *kpos, char *msg)
{
	char *w = xasprintf("%s: the task fails on any host that runs it",
	    msg);

	warn_at(c, kpos, w);
	free(w);
	t->mod = module_find("fail");
	if (t->name == NULL)
		t->name = xstrdup(key);
	t->args = val_map();
	t->args->pos = *kpos;
	val_map_set(t->args, "msg", val_str(msg));
	free(msg);
	return t->mod == NULL ? err_setpos(c->e, kpos, "internal error: no "
	    "'fail' module") : check_templates(c, v);
}

/* A module in library/ of the role being parsed, beside the playbook or
 * in the role's project (localplug.h): mend cannot run it. */
static char *
local_module_msg(struct pctx *c, const char *name)
{
	char *path = local_module_find(c->dir, c->tdir, name), *msg;

	if (path == NULL)
		return NULL;
	msg = xasprintf("'%s' is a local module (%s) that mend cannot run",
	    name, path);
	free(path);
	return msg;
}

static int
unknown_module(struct pctx *c, const char *name, const struct pos *pos)
{
	const char *s = module_suggest(name);

	if (s != NULL)
		return err_setpos(c->e, pos, "unknown module '%s' (did "
		    "you mean '%s'?)", name, s);
	return err_setpos(c->e, pos, "unknown module '%s' (see 'mend "
	    "modules')", name);
}

static int
task_module(struct pctx *c, struct task *t, const char *key,
    const struct val *v, const struct pos *kpos, const struct val *extra)
{
	const struct module *m = module_find(strip_fqcn(key));
	struct val *args = NULL;
	char *msg;

	if (m == NULL && (msg = ansible_only_msg(key)) != NULL)
		return ansible_only_task(c, t, key, v, kpos, msg);
	if (m == NULL && (msg = local_module_msg(c, strip_fqcn(key))) != NULL)
		return ansible_only_task(c, t, key, v, kpos, msg);
	if (m == NULL)
		return unknown_module(c, key, kpos);
	t->mod = m;
	if (v->type == V_STR) {
		if (args_from_string(m, v, &args, c->e) < 0)
			return -1;
	} else if (v->type == V_MAP) {
		args = val_copy(v);
	} else if (v->type == V_NULL) {
		args = val_map();
		args->pos = v->pos;
	} else {
		return err_setpos(c->e, &v->pos, "arguments of module '%s' "
		    "must be a mapping or a string, got %s", m->name,
		    val_type_name(v->type));
	}
	if (extra != NULL)
		val_map_merge(args, extra);
	t->args = args;
	if (check_templates(c, args) < 0)
		return -1;
	return args_normalize(m, args, c->e);
}

static int
task_vars(struct pctx *c, struct task *t, const struct val *v)
{
	if (v->type == V_NULL)
		return 0;
	if (v->type != V_MAP)
		return err_setpos(c->e, &v->pos, "'vars' must be a mapping");
	if (check_templates(c, v) < 0)
		return -1;
	t->vars = val_copy(v);
	return 0;
}

/* loop: or with_<lookup>: (one per task; the value is rendered per host) */
static int
task_loop(struct pctx *c, struct task *t, const char *k, const struct val *v,
    const struct pos *kpos)
{
	const char *lookup = strcmp(k, "loop") == 0 ? k : k + 5;

	if (strcmp(k, "loop") == 0 && v->type == V_NULL)
		return 0;       /* `loop:` left empty: 2.14 runs the task once */
	if (v->type == V_NULL)
		return err_setpos(c->e, kpos, "you must specify a value when "
		    "using %s (as ansible-core 2.14 says)", k);
	if (!loop_lookup_known(lookup) && strcmp(lookup, "first_found") != 0)
		return err_setpos(c->e, kpos, "task keyword '%s' is not "
		    "supported by mend (lookup '%s')", k, lookup);
	if (t->loop.set)
		return err_setpos(c->e, kpos, "a task has one loop: '%s' and "
		    "'%s%s'", k, strcmp(t->loop.lookup, "loop") ? "with_" :
		    "", t->loop.lookup);
	if (strcmp(k, "loop") == 0 && (v->type == V_MAP ||
	    (v->type != V_LIST && !(v->type == V_STR &&
	    tmpl_has(v->u.str.s)))))
		return err_setpos(c->e, &v->pos, "'loop' requires a list (or "
		    "a template that gives one), got %s", val_type_name(v->type));
	if (check_templates(c, v) < 0)
		return -1;
	t->loop.set = 1;
	t->loop.lookup = xstrdup(lookup);
	t->loop.items = val_copy(v);
	t->loop.pos = *kpos;
	return 0;
}

static int
loop_control_key(struct pctx *c, struct task *t, const char *k,
    const struct val *v, const struct pos *kpos)
{
	struct loop_spec *l = &t->loop;
	int n;

	if (strcmp(k, "loop_var") == 0 || strcmp(k, "index_var") == 0) {
		char **dst = k[0] == 'l' ? &l->var : &l->index_var;

		if (v->type != V_STR || tmpl_has(v->u.str.s) ||
		    v->u.str.len == 0)
			return err_setpos(c->e, &v->pos, "loop_control: '%s' "
			    "must be a variable name", k);
		free(*dst);
		*dst = xstrdup(v->u.str.s);
		return 0;
	}
	if (strcmp(k, "label") == 0)
		return (l->label = get_str(c, k, v)) ? 0 : -1;
	if (strcmp(k, "extended") == 0)
		return get_bool(c, k, v, &l->extended);
	if (strcmp(k, "pause") == 0) {
		double f = -1;
		char *end = NULL;

		if (v->type == V_FLOAT)
			f = v->u.f;
		else if (v->type == V_STR && !v->quoted)
			f = strtod(v->u.str.s, &end);
		if (f >= 0 && f <= 3600 && (end == NULL || *end == '\0')) {
			l->pause_ms = (int)(f * 1000);
			return 0;
		}
		if (get_int(c, "loop_control: pause", v, 0, 3600, &n) < 0)
			return -1;
		l->pause_ms = n * 1000;
		return 0;
	}
	{
		static const char *const lc_keys[] = { "loop_var", "index_var",
		    "label", "pause", "extended", NULL };
		const char *s = suggest(k, lc_keys);

		return err_setpos(c->e, kpos, "loop_control: unknown key "
		    "'%s'%s%s%s", k, s ? " (did you mean '" : "", s ? s : "",
		    s ? "'?)" : "");
	}
}

static int
loop_control(struct pctx *c, struct task *t, const struct val *v)
{
	size_t i;
	int ret = 0;

	if (v->type != V_MAP)
		return err_setpos(c->e, &v->pos, "'loop_control' must be a "
		    "mapping");
	for (i = 0; i < v->u.map.n; i++)
		if (loop_control_key(c, t, v->u.map.items[i].key,
		    v->u.map.items[i].v, val_map_keypos(v,
		    v->u.map.items[i].key)) < 0)
			ret = -1;
	return ret;
}

/* delegate_facts: false (Ansible's default) only: true would put the
 * facts on another host while it runs its own tasks. */
static int
get_delegate_facts(struct pctx *c, const struct val *v)
{
	int b = 0;

	if (get_bool(c, "delegate_facts", v, &b) < 0)
		return -1;
	if (b)
		return err_setpos(c->e, &v->pos, "'delegate_facts: true' is "
		    "not supported by mend (the facts stay with the task's "
		    "host)");
	return 0;
}

static int
task_key(struct pctx *c, struct task *t, const char *k, const struct val *v,
    const struct pos *kpos, int handler)
{
	if (strcmp(k, "name") == 0 && v->type == V_NULL)
		return 0;       /* `- name:` left empty: 2.14 runs it unnamed */
	if (strcmp(k, "name") == 0)
		return (t->name = get_str(c, k, v)) ? 0 : -1;
	if (strcmp(k, "when") == 0)
		return get_cond(c, k, v, &t->when);
	if (strcmp(k, "changed_when") == 0)
		return get_cond(c, k, v, &t->changed_when);
	if (strcmp(k, "failed_when") == 0)
		return get_cond(c, k, v, &t->failed_when);
	if (strcmp(k, "register") == 0)
		return (t->register_ = get_str(c, k, v)) ? 0 : -1;
	if (strcmp(k, "notify") == 0)
		return get_strlist(c, k, v, &t->notify, &t->nnotify);
	if (strcmp(k, "listen") == 0 && handler)
		return get_strlist(c, k, v, &t->listen, &t->nlisten);
	if (strcmp(k, "tags") == 0)
		return get_strlist(c, k, v, &t->tags, &t->ntags);
	if (strcmp(k, "ignore_errors") == 0)
		return get_tbool(c, k, v, &t->ignore_errors,
		    &t->ignore_errors_expr);
	if (strcmp(k, "no_log") == 0)
		return get_tbool(c, k, v, &t->no_log, &t->no_log_expr);
	if (strcmp(k, "become") == 0)
		return get_tbool(c, k, v, &t->become, &t->become_expr);
	if (strcmp(k, "environment") == 0)
		return get_env(c, v, &t->environment);
	if (strcmp(k, "become_user") == 0)
		return (t->become_user = get_str(c, k, v)) ? 0 : -1;
	if (strcmp(k, "become_method") == 0)
		return get_become_method(c, v);
	if (strcmp(k, "check_mode") == 0)
		return get_bool(c, k, v, &t->check_mode);
	if (strcmp(k, "timeout") == 0 && v->type == V_STR &&
	    tmpl_has(v->u.str.s))
		return (t->timeout_expr = get_str(c, k, v)) ? 0 : -1;
	if (strcmp(k, "timeout") == 0)
		return get_int(c, k, v, 1, 86400, &t->timeout);
	if (strcmp(k, "vars") == 0)
		return task_vars(c, t, v);
	if (strcmp(k, "until") == 0)
		return get_cond(c, k, v, &t->until);
	if ((strcmp(k, "retries") == 0 || strcmp(k, "delay") == 0) &&
	    v->type == V_STR && tmpl_has(v->u.str.s))
		return ((k[0] == 'r' ? (t->retries_expr = get_str(c, k, v)) :
		    (t->delay_expr = get_str(c, k, v))) != NULL) ? 0 : -1;
	if (strcmp(k, "retries") == 0)
		return get_int(c, k, v, 0, 100000, &t->retries);
	if (strcmp(k, "delay") == 0)
		return get_int(c, k, v, 0, 86400, &t->delay);
	if (strcmp(k, "loop") == 0 || strncmp(k, "with_", 5) == 0)
		return task_loop(c, t, k, v, kpos);
	if (strcmp(k, "loop_control") == 0)
		return loop_control(c, t, v);
	if (strcmp(k, "run_once") == 0)
		return get_tbool(c, k, v, &t->run_once, &t->run_once_expr);
	if (strcmp(k, "delegate_to") == 0)
		return v->type == V_NULL ? 0 :
		    (t->delegate_to = get_str(c, k, v)) ? 0 : -1;
	if (strcmp(k, "delegate_facts") == 0)
		return get_delegate_facts(c, v);
	return bad_key(c, handler ? "handler" : "task", k, kpos, task_keys);
}

static int parse_tasks(struct pctx *c, const struct val *v,
    struct task **out, size_t *n, int handler);

static int
is_block(const struct val *tv)
{
	return val_map_get(tv, "block") || val_map_get(tv, "rescue") ||
	    val_map_get(tv, "always");
}

static void
set_parent(struct task *ts, size_t n, const struct task *parent)
{
	size_t i;

	for (i = 0; i < n; i++)
		ts[i].parent = parent;
}

static int
block_section(struct pctx *c, struct task *t, const char *k,
    const struct val *v)
{
	struct task **dst = k[0] == 'b' ? &t->block : k[0] == 'r' ?
	    &t->rescue : &t->always;
	size_t *n = k[0] == 'b' ? &t->nblock : k[0] == 'r' ? &t->nrescue :
	    &t->nalways;
	int ret;

	if (v->type != V_LIST && v->type != V_NULL)
		return err_setpos(c->e, &v->pos, "'%s' must be a list of "
		    "tasks", k);
	ret = parse_tasks(c, v, dst, n, 0);
	set_parent(*dst, *n, t);
	return ret;
}

/* block/rescue/always and the keywords its tasks inherit */
static int
parse_block(struct pctx *c, const struct val *tv, struct task *t)
{
	size_t i;
	int ret = 0;

	t->kind = TASK_BLOCK;
	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = tv->u.map.items[i].key;
		const struct val *v = tv->u.map.items[i].v;
		const struct pos *kp = val_map_keypos(tv, k);

		if (strcmp(k, "block") == 0 || strcmp(k, "rescue") == 0 ||
		    strcmp(k, "always") == 0)
			ret |= block_section(c, t, k, v);
		else if (is_in(k, block_keys))
			ret |= task_key(c, t, k, v, kp, 0);
		else if (module_find(strip_fqcn(k)) != NULL ||
		    is_in(k, task_keys))
			ret = err_setpos(c->e, kp, "'%s' is not allowed on a "
			    "block (a block runs the tasks under 'block:')", k);
		else
			ret = bad_key(c, "block", k, kp, block_keys);
	}
	if (val_map_get(tv, "block") == NULL && ret == 0)
		ret = err_setpos(c->e, &tv->pos, "'rescue' and 'always' need "
		    "a 'block'");
	return ret ? -1 : 0;
}

/* ---- import_tasks / include_tasks ---- */

static const char *const include_keys[] = {
	"name", "when", "tags", "become", "become_user", "become_method",
	"vars",
	"ignore_errors", "no_log", "check_mode", "timeout", NULL
};

static void task_defaults(struct task *t, const struct val *tv);

/* include_tasks' and include_role's `apply`: keywords for the included
 * tasks, as a block between them and the include (which is not
 * inherited from). */
static const char *const apply_keys[] = {
	"when", "tags", "become", "become_user", "vars", "ignore_errors",
	"no_log", "check_mode", "timeout", "environment", NULL
};

static int
parse_apply(struct pctx *c, struct task *t, const char *act,
    const struct val *v)
{
	size_t i;
	int ret = 0;

	if (v->type != V_MAP)
		return err_setpos(c->e, &v->pos, "%s: 'apply' must be a "
		    "mapping of keywords", act);
	t->apply = xcalloc(1, sizeof(*t->apply));
	task_defaults(t->apply, v);
	t->apply->kind = TASK_BLOCK;
	t->apply->parent = t;
	for (i = 0; i < v->u.map.n; i++) {
		const char *k = v->u.map.items[i].key;
		const struct pos *kp = val_map_keypos(v, k);

		if (is_in(k, apply_keys))
			ret |= task_key(c, t->apply, k, v->u.map.items[i].v, kp,
			    0);
		else
			ret = err_setpos(c->e, kp, "%s: '%s' in 'apply' is not "
			    "supported by mend", act, k);
	}
	return ret ? -1 : 0;
}

static const char *
include_action(const struct val *tv)
{
	size_t i;

	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = strip_fqcn(tv->u.map.items[i].key);

		if (strcmp(k, "import_tasks") == 0 ||
		    strcmp(k, "include_tasks") == 0 ||
		    strcmp(k, "include") == 0)
			return tv->u.map.items[i].key;
	}
	return NULL;
}

/* Where a task file include's file is searched, as ansible-core 2.14's
 * DataLoader.path_dwim_relative() (less its lookups in the current
 * directory): next to the including file; in a role, then the role's
 * tasks/ (handlers/ first for its handlers) and the role's root; then the
 * playbook's directory (its tasks/ first when in a role). */
struct incdirs {
	const char *tdir;       /* the including file's directory */
	const char *rdir;       /* the role's directory, or NULL */
	int rhandlers;          /* included from the role's handlers/ */
	const char *pbdir;      /* the playbook's directory */
};

/* The path of file, or NULL. */
static char *
include_path(const struct incdirs *d, const char *file)
{
	char *cand[7];
	char *found = NULL;
	size_t i, n = 0;

	if (file[0] == '/')
		return access(file, R_OK) == 0 ? xstrdup(file) : NULL;
	cand[n++] = xasprintf("%s/%s", d->tdir ? d->tdir : ".", file);
	if (d->rdir != NULL) {
		if (d->rhandlers)
			cand[n++] = xasprintf("%s/handlers/%s", d->rdir, file);
		cand[n++] = xasprintf("%s/tasks/%s", d->rdir, file);
		cand[n++] = xasprintf("%s/%s", d->rdir, file);
		cand[n++] = xasprintf("%s/%s/%s", d->pbdir, d->rhandlers ?
		    "handlers" : "tasks", file);
	}
	cand[n++] = xasprintf("%s/%s", d->pbdir, file);
	for (i = 0; i < n; i++) {
		if (found == NULL && access(cand[i], R_OK) == 0)
			found = cand[i];
		else
			free(cand[i]);
	}
	return found;
}

/* "could not find or access" and where it was searched. */
static int
include_missing(struct err *e, const struct pos *pos, const char *act,
    const struct incdirs *d, const char *file)
{
	if (d->rdir != NULL)
		return err_setpos(e, pos, "%s: could not find or access '%s' "
		    "(next to %s, in the role %s (%s/, the role's root) or "
		    "in %s)", act, file, d->tdir, d->rdir, d->rhandlers ?
		    "handlers/, tasks" : "tasks", d->pbdir);
	return err_setpos(e, pos, "%s: could not find or access '%s' (next "
	    "to %s or in %s)", act, file, d->tdir ? d->tdir : d->pbdir,
	    d->pbdir);
}

static void
incdirs_of(const struct pctx *c, struct incdirs *d)
{
	d->tdir = c->tdir ? c->tdir : c->dir;
	d->rdir = c->rdir;
	d->rhandlers = c->rhfile;
	d->pbdir = c->dir;
}

/* Parse the task file at path into t's block (its tasks parented to t). */
static int
load_task_file(struct pctx *c, struct task *t, const char *path,
    const struct pos *pos)
{
	struct val *root = NULL;
	const char *saved = c->tdir;
	char *dcopy;
	int ret = -1;

	if (c->depth >= INCLUDE_DEPTH_MAX)
		return err_setpos(c->e, pos, "task files nest more than %d "
		    "deep (an include cycle?)", INCLUDE_DEPTH_MAX);
	if (count_load(c, pos) < 0 || yaml_load_file(path, &root, c->e) < 0)
		return -1;
	if (root->type != V_LIST && root->type != V_NULL) {
		err_setpos(c->e, &root->pos, "a task file must be a list of "
		    "tasks, got %s", val_type_name(root->type));
		val_free(root);
		return -1;
	}
	dcopy = xstrdup(path);
	c->tdir = dirname(dcopy);
	c->depth++;
	c->dynamic += t->kind == TASK_INCLUDE;
	ret = parse_tasks(c, root, &t->block, &t->nblock, 0);
	c->dynamic -= t->kind == TASK_INCLUDE;
	c->depth--;
	c->tdir = saved;
	set_parent(t->block, t->nblock, t->apply ? t->apply : t);
	free(dcopy);
	val_free(root);
	return ret;
}

static int
include_file_arg(struct pctx *c, struct task *t, const char *act,
    const struct val *v, const char **file)
{
	const struct val *f = v;

	if (v->type == V_MAP) {
		size_t i;

		for (i = 0; i < v->u.map.n; i++)
			if (strcmp(v->u.map.items[i].key, "apply") == 0 &&
			    t->kind == TASK_INCLUDE) {
				if (parse_apply(c, t, strip_fqcn(act),
				    v->u.map.items[i].v) < 0)
					return -1;
			} else if (strcmp(v->u.map.items[i].key, "file") != 0)
				return err_setpos(c->e, val_map_keypos(v,
				    v->u.map.items[i].key), "%s: '%s' is not "
				    "supported by mend (only 'file')", act,
				    v->u.map.items[i].key);
		f = val_map_get(v, "file");
	}
	if (f == NULL || f->type != V_STR || f->u.str.len == 0)
		return err_setpos(c->e, &v->pos, "%s takes a file name",
		    act);
	if (t->kind == TASK_BLOCK && tmpl_has(f->u.str.s))
		return err_setpos(c->e, &f->pos, "import_tasks: the file name "
		    "cannot be a template in mend (use include_tasks)");
	if (tmpl_check(f->u.str.s, &f->pos, c->e) < 0)
		return -1;
	*file = f->u.str.s;
	return 0;
}

/* `args: {apply: ...}` beside `include_tasks: FILE` (Ansible's older
 * spelling of include_tasks: {file: FILE, apply: ...}). */
static int
include_args(struct pctx *c, struct task *t, const char *act,
    const struct val *fv, const struct val *args)
{
	size_t i;

	if (fv->type == V_MAP && val_map_get(fv, "apply") != NULL)
		return err_setpos(c->e, &args->pos, "%s: 'apply' given twice "
		    "(in 'args' and in the include)", strip_fqcn(act));
	for (i = 0; i < args->u.map.n; i++) {
		const char *k = args->u.map.items[i].key;

		if (strcmp(k, "apply") != 0 || t->kind != TASK_INCLUDE)
			return err_setpos(c->e, val_map_keypos(args, k), "%s: "
			    "'%s' in 'args' is not supported by mend%s",
			    strip_fqcn(act), k, strcmp(k, "apply") == 0 ?
			    " (as in Ansible, import_tasks has no 'apply')" :
			    "");
		if (parse_apply(c, t, strip_fqcn(act),
		    args->u.map.items[i].v) < 0)
			return -1;
	}
	return 0;
}

/* The legacy `include:` as ansible-core 2.14 decides it: static (an
 * import_tasks) when its file is no template, it has no loop and no
 * enclosing task is a dynamic include; else an include_tasks. */
static int
include_is_static(const struct pctx *c, const struct val *tv,
    const struct val *fv)
{
	size_t i;

	if (fv == NULL || fv->type != V_STR || tmpl_has(fv->u.str.s) ||
	    c->play == NULL || c->dynamic > 0)
		return 0;
	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = tv->u.map.items[i].key;

		if (strcmp(k, "loop") == 0 || strncmp(k, "with_", 5) == 0)
			return 0;
	}
	return 1;
}

/* Add one parameter of a legacy include to *params (made on demand). */
static int
include_param(struct pctx *c, struct val **params, const char *k,
    const struct val *v, const struct pos *pos)
{
	if (strcmp(k, "tags") == 0 || strcmp(k, "when") == 0 ||
	    strcmp(k, "apply") == 0)
		return err_setpos(c->e, pos, "include: '%s' as a parameter is "
		    "not supported by mend (write it as the task keyword%s)",
		    k, strcmp(k, "apply") == 0 ? "s of an include_tasks" : "");
	if (*params == NULL)
		*params = val_map();
	val_map_set(*params, k, val_copy(v));
	return 0;
}

/* The legacy `include:` takes parameters that become variables of the
 * included tasks (ansible-core 2.14's TaskInclude.get_vars(), below the
 * task's own `vars:`): `include: F k=v ...`, `include: {file: F, k: v}`
 * and `args: {k: v}`.  Sets *file (a new string value holding the file
 * name, at fv's position) and *params (NULL when there are none). */
static int
legacy_include_split(struct pctx *c, const struct val *fv,
    const struct val *args, struct val **file, struct val **params)
{
	struct val *kv = NULL;
	size_t i;
	int ret = 0;

	*file = NULL;
	*params = NULL;
	if (fv->type == V_STR) {
		struct err ke = ERR_INIT;

		if (kv_parse(fv->u.str.s, &kv, &ke) < 0) {
			err_setpos(c->e, &fv->pos, "include: %s", ke.msg.buf);
			err_release(&ke);
			return -1;
		}
		for (i = 0; i < kv->u.map.n; i++)
			if (strcmp(kv->u.map.items[i].key, "_raw_params") != 0)
				ret |= include_param(c, params,
				    kv->u.map.items[i].key,
				    kv->u.map.items[i].v, &fv->pos);
		*file = val_copy(val_map_get(kv, "_raw_params"));
		val_free(kv);
	} else if (fv->type == V_MAP) {
		for (i = 0; i < fv->u.map.n; i++)
			if (strcmp(fv->u.map.items[i].key, "file") != 0)
				ret |= include_param(c, params,
				    fv->u.map.items[i].key,
				    fv->u.map.items[i].v, val_map_keypos(fv,
				    fv->u.map.items[i].key));
		*file = val_copy(val_map_get(fv, "file"));
	}
	for (i = 0; args != NULL && i < args->u.map.n; i++)
		ret |= include_param(c, params, args->u.map.items[i].key,
		    args->u.map.items[i].v, val_map_keypos(args,
		    args->u.map.items[i].key));
	if (*file == NULL || (*file)->type != V_STR)
		ret = err_setpos(c->e, &fv->pos, "include takes a file name");
	if (*file != NULL)
		(*file)->pos = fv->pos;
	if (ret < 0 || check_templates(c, *params ? *params : fv) < 0) {
		val_free(*file);
		val_free(*params);
		return -1;
	}
	return 0;
}

/* The legacy include's parameters under the task's own vars. */
static void
include_param_vars(struct task *t, struct val *params)
{
	size_t i;

	if (params == NULL)
		return;
	if (t->vars == NULL)
		t->vars = val_map();
	for (i = 0; i < params->u.map.n; i++)
		if (val_map_get(t->vars, params->u.map.items[i].key) == NULL)
			val_map_set(t->vars, params->u.map.items[i].key,
			    val_copy(params->u.map.items[i].v));
	val_free(params);
}

static int
parse_include(struct pctx *c, const struct val *tv, struct task *t,
    const char *act, int handler)
{
	const struct val *fv = val_map_get(tv, act);
	const struct val *args = NULL;
	struct val *legacy = NULL, *params = NULL;
	struct pos fpos;
	struct incdirs d;
	const char *file = NULL;
	char *path;
	size_t i;
	int ret = 0;

	if (strcmp(strip_fqcn(act), "include") == 0) {
		const struct val *av = val_map_get(tv, "args");

		if (legacy_include_split(c, fv, av && av->type == V_MAP ? av :
		    NULL, &legacy, &params) < 0)
			return -1;
		fv = legacy;
	}
	t->kind = strcmp(strip_fqcn(act), "import_tasks") == 0 ||
	    (legacy != NULL && include_is_static(c, tv, fv)) ?
	    TASK_BLOCK : TASK_INCLUDE;
	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = tv->u.map.items[i].key;
		const struct val *v = tv->u.map.items[i].v;
		const struct pos *kp = val_map_keypos(tv, k);

		if (strcmp(k, act) == 0)
			continue;
		if (strcmp(k, "args") == 0) {   /* Ansible's old spelling of
						 * the free-form's options */
			if (legacy != NULL && v->type == V_MAP)
				continue;       /* parameters, split above */
			if (v->type != V_MAP)
				ret = err_setpos(c->e, &v->pos, "%s: 'args' "
				    "must be a mapping", strip_fqcn(act));
			else
				args = v;
			continue;
		}
		if (t->kind == TASK_INCLUDE && (strcmp(k, "become") == 0 ||
		    strcmp(k, "become_user") == 0 ||
		    strcmp(k, "check_mode") == 0))
			ret = err_setpos(c->e, kp, "'%s' is not a keyword of "
			    "include_tasks (as in Ansible; 'apply: {%s: ...}' "
			    "gives it to the included tasks)", k, k);
		else if (is_in(k, include_keys) || (t->kind == TASK_INCLUDE &&
		    (strcmp(k, "loop") == 0 || strcmp(k, "loop_control") == 0 ||
		    strncmp(k, "with_", 5) == 0)) ||
		    (handler && strcmp(k, "listen") == 0))
			ret |= task_key(c, t, k, v, kp, handler);
		else
			ret = err_setpos(c->e, kp, "'%s' on %s is not "
			    "supported by mend", k, strip_fqcn(act));
	}
	include_param_vars(t, params);
	if (include_file_arg(c, t, act, fv, &file) < 0 || (args != NULL &&
	    include_args(c, t, act, fv, args) < 0)) {
		val_free(legacy);
		return -1;
	}
	t->include = xstrdup(file);
	fpos = fv->pos;
	val_free(legacy);
	file = t->include;
	t->include_dir = xstrdup(c->tdir ? c->tdir : c->dir);
	t->include_rdir = c->rdir ? xstrdup(c->rdir) : NULL;
	t->include_rhandlers = c->rhfile;
	if (t->name == NULL)
		t->name = xstrdup(strip_fqcn(act));
	if (tmpl_has(file))
		return ret ? -1 : 0;      /* loaded when it runs */
	incdirs_of(c, &d);
	path = include_path(&d, file);
	if (path == NULL)
		return include_missing(c->e, &fpos, strip_fqcn(act), &d, file);
	ret |= load_task_file(c, t, path, &fpos);
	free(path);
	return ret ? -1 : 0;
}

/* include_tasks among handlers (ansible-core 2.14 runs the file's tasks,
 * as tasks, when the handler is notified by its name or a `listen`
 * topic); the legacy include there is refused. */
static int
handler_include(struct pctx *c, const struct val *tv, struct task *t,
    const char *act)
{
	if (strcmp(strip_fqcn(act), "include_tasks") != 0)
		return err_setpos(c->e, val_map_keypos(tv, act), "'%s' among "
		    "handlers is not supported by mend (include_tasks and "
		    "import_tasks are)", act);
	if (parse_include(c, tv, t, act, 1) < 0)
		return -1;
	if (val_map_get(tv, "name") == NULL && t->nlisten == 0)
		return err_setpos(c->e, &tv->pos, "a handler needs a 'name' "
		    "(or 'listen')");
	return 0;
}

/* meta: the actions mend runs; Ansible's others are refused by name. */
static const char *const meta_actions[] = {
	"flush_handlers", "noop", "end_host", "end_play", "end_batch",
	"reset_connection", NULL
};
static const char *const meta_ansible[] = {
	"clear_facts", "clear_host_errors", "refresh_inventory",
	"end_role", "role_complete", NULL
};
static const char *const meta_keys[] = { "name", "when", "tags", NULL };

/* The task's meta: (or ansible.builtin.meta:) value, or NULL. */
static const struct val *
meta_val(const struct val *tv)
{
	size_t i;

	for (i = 0; i < tv->u.map.n; i++)
		if (strcmp(strip_fqcn(tv->u.map.items[i].key), "meta") == 0)
			return tv->u.map.items[i].v;
	return NULL;
}

static int
parse_meta(struct pctx *c, const struct val *tv, struct task *t)
{
	const struct val *a = meta_val(tv);
	size_t i;
	int ret = 0;

	t->kind = TASK_META;
	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = tv->u.map.items[i].key;
		const struct pos *kp = val_map_keypos(tv, k);

		if (strcmp(strip_fqcn(k), "meta") == 0)
			continue;
		if (!is_in(k, meta_keys))
			ret = err_setpos(c->e, kp, "'%s' on meta is not "
			    "supported by mend", k);
		else if (task_key(c, t, k, tv->u.map.items[i].v, kp, 0) < 0)
			ret = -1;
	}
	if (a->type != V_STR || !is_in(a->u.str.s, meta_actions))
		return err_setpos(c->e, &a->pos, "meta: %s'%s'%s", a->type !=
		    V_STR ? "takes an action name, not " : "",
		    a->type == V_STR ? a->u.str.s : val_type_name(a->type),
		    a->type != V_STR ? "" : is_in(a->u.str.s, meta_ansible) ?
		    " is an Ansible meta action that mend does not have" :
		    " is not a meta action (flush_handlers noop end_host "
		    "end_play end_batch reset_connection)");
	if (t->when.set && strcmp(a->u.str.s, "flush_handlers") == 0)
		return err_setpos(c->e, val_map_keypos(tv, "when"), "meta: "
		    "flush_handlers does not take 'when' (Ansible ignores it "
		    "with a warning)");
	t->meta = xstrdup(a->u.str.s);
	return ret;
}

static const char *
role_action(const struct val *tv)
{
	size_t i;

	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = strip_fqcn(tv->u.map.items[i].key);

		if (strcmp(k, "import_role") == 0 ||
		    strcmp(k, "include_role") == 0)
			return tv->u.map.items[i].key;
	}
	return NULL;
}

static int parse_role_task(struct pctx *c, const struct val *tv,
    struct task *t, const char *act);

static void
task_defaults(struct task *t, const struct val *tv)
{
	memset(t, 0, sizeof(*t));
	t->become = -1;
	t->check_mode = -1;
	t->ignore_errors = -1;
	t->no_log = -1;
	t->retries = -1;
	t->delay = -1;
	t->run_once = -1;
	t->pos = tv->pos;
}

static int
task_checks(struct pctx *c, const struct val *tv, struct task *t)
{
	const struct val *lc = val_map_get(tv, "loop_control");

	if (lc != NULL && !t->loop.set)
		return err_setpos(c->e, val_map_keypos(tv, "loop_control"),
		    "'loop_control' without a loop ('loop' or 'with_...')");
	return 0;
}

static int
parse_task(struct pctx *c, const struct val *tv, struct task *t, int handler)
{
	const char *modkey = NULL, *full;
	const struct val *modval = NULL, *extra = NULL;
	const struct pos *modpos = NULL;
	size_t i;
	int ret = 0;

	task_defaults(t, tv);
	if (tv->type != V_MAP)
		return err_setpos(c->e, &tv->pos, "a task must be a mapping, "
		    "got %s", val_type_name(tv->type));
	if (is_block(tv) && handler)
		return err_setpos(c->e, &tv->pos, "a block among handlers is "
		    "not supported by mend");
	if (is_block(tv))
		return parse_block(c, tv, t);
	if (include_action(tv) != NULL && handler)
		return handler_include(c, tv, t, include_action(tv));
	if (include_action(tv) != NULL)
		return parse_include(c, tv, t, include_action(tv), 0);
	if (role_action(tv) != NULL && handler)
		return err_setpos(c->e, &tv->pos, "%s among handlers is not "
		    "supported by mend", role_action(tv));
	if (role_action(tv) != NULL)
		return parse_role_task(c, tv, t, role_action(tv));
	if (meta_val(tv) != NULL && handler)
		return err_setpos(c->e, &tv->pos, "meta among handlers is not "
		    "supported by mend");
	if (meta_val(tv) != NULL)
		return parse_meta(c, tv, t);
	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = tv->u.map.items[i].key;
		const struct val *v = tv->u.map.items[i].v;
		const struct pos *kp = val_map_keypos(tv, k);

		if (strcmp(k, "args") == 0) {
			if (v->type != V_MAP)
				ret = err_setpos(c->e, &v->pos, "'args' must "
				    "be a mapping");
			extra = v;
		} else if (is_in(k, task_keys) || is_in(k, unsupported_keys) ||
		    strncmp(k, "with_", 5) == 0) {
			if (task_key(c, t, k, v, kp, handler) < 0)
				ret = -1;
		} else if (module_find(strip_fqcn(k)) == NULL &&
		    !ansible_module_lookup(k, &full) &&
		    (suggest(k, task_keys) != NULL || modkey != NULL)) {
			ret = bad_key(c, handler ? "handler" : "task", k, kp,
			    task_keys);
		} else if (modkey != NULL) {
			ret = err_setpos(c->e, kp, "conflicting action "
			    "statements: '%s' and '%s' (a task has exactly "
			    "one module)", modkey, k);
		} else {
			modkey = k;
			modval = v;
			modpos = kp;
		}
	}
	if (modkey == NULL && ret == 0)
		return err_setpos(c->e, &tv->pos, "task has no module (one of "
		    "'mend modules' is required)");
	if (modkey != NULL && task_module(c, t, modkey, modval, modpos,
	    extra) < 0)
		ret = -1;
	if (ret == 0)
		ret = task_checks(c, tv, t);
	if (handler && t->name == NULL && ret == 0)
		ret = err_setpos(c->e, &tv->pos, "a handler needs a 'name'");
	return ret;
}

static int parse_tasks(struct pctx *c, const struct val *v,
    struct task **out, size_t *n, int handler);

/* import_tasks among handlers: the file's handlers join the section in
 * its place (Ansible imports them statically, each notifiable by its
 * name); keywords on the import itself are refused. */
static int
handler_import(struct pctx *c, const struct val *tv, const char *act,
    struct task **out, size_t *n, size_t *alloc)
{
	struct task tmp;
	struct incdirs d;
	const char *file = NULL;
	struct val *root = NULL;
	const char *saved = c->tdir;
	char *path, *dcopy;
	struct task *hs = NULL;
	size_t i, nh = 0;
	int ret;

	for (i = 0; i < tv->u.map.n; i++)
		if (strcmp(tv->u.map.items[i].key, act) != 0 &&
		    strcmp(tv->u.map.items[i].key, "name") != 0)
			return err_setpos(c->e, val_map_keypos(tv,
			    tv->u.map.items[i].key), "'%s' on import_tasks "
			    "among handlers is not supported by mend",
			    tv->u.map.items[i].key);
	memset(&tmp, 0, sizeof(tmp));
	tmp.kind = TASK_BLOCK;
	if (include_file_arg(c, &tmp, act, val_map_get(tv, act), &file) < 0)
		return -1;
	incdirs_of(c, &d);
	path = include_path(&d, file);
	if (path == NULL)
		return include_missing(c->e, &tv->pos, "import_tasks", &d,
		    file);
	if (c->depth >= INCLUDE_DEPTH_MAX || count_load(c, &tv->pos) < 0 ||
	    yaml_load_file(path, &root, c->e) < 0) {
		if (c->depth >= INCLUDE_DEPTH_MAX)
			err_setpos(c->e, &tv->pos, "task files nest more "
			    "than %d deep (an include cycle?)",
			    INCLUDE_DEPTH_MAX);
		free(path);
		return -1;
	}
	dcopy = xstrdup(path);
	c->tdir = dirname(dcopy);
	c->depth++;
	ret = parse_tasks(c, root, &hs, &nh, 1);
	c->depth--;
	c->tdir = saved;
	for (i = 0; i < nh; i++) {
		ALLOC_GROW(*out, *n + 1, *alloc);
		(*out)[(*n)++] = hs[i];
	}
	free(hs);
	free(dcopy);
	free(path);
	val_free(root);
	return ret;
}

static int
parse_tasks(struct pctx *c, const struct val *v, struct task **out,
    size_t *n, int handler)
{
	size_t i, alloc = 0;
	int ret = 0;

	if (v->type == V_NULL)
		return 0;
	if (v->type != V_LIST)
		return err_setpos(c->e, &v->pos, "'%s' must be a list",
		    handler ? "handlers" : "tasks");
	/* once: a block's tasks point at it (parent); only handler imports,
	 * which hold no blocks, grow the array later */
	alloc = *n + v->u.list.n;
	*out = xrealloc(*out, (alloc ? alloc : 1) * sizeof(**out));
	for (i = 0; i < v->u.list.n; i++) {
		const struct val *tv = v->u.list.items[i];
		const char *act = tv->type == V_MAP ? include_action(tv) : NULL;

		if (handler && act != NULL &&
		    strcmp(strip_fqcn(act), "import_tasks") == 0) {
			if (handler_import(c, tv, act, out, n, &alloc) < 0)
				ret = -1;
			continue;
		}
		ALLOC_GROW(*out, *n + 1, alloc);
		memset(&(*out)[*n], 0, sizeof(**out));
		if (parse_task(c, tv, &(*out)[*n], handler) < 0)
			ret = -1;
		(*n)++;
	}
	return ret;
}

static int
load_vars_file(struct pctx *c, struct play *p, const struct val *fv)
{
	struct strbuf path = STRBUF_INIT;
	struct val *vars = NULL;
	int ret = -1;

	if (fv->type != V_STR || tmpl_has(fv->u.str.s)) {
		return err_setpos(c->e, &fv->pos, "vars_files entries must be "
		    "plain file names (templates are not supported)");
	}
	if (fv->u.str.s[0] != '/')
		strbuf_addf(&path, "%s/", c->dir);
	strbuf_addstr(&path, fv->u.str.s);
	if (yaml_load_file(path.buf, &vars, c->e) < 0) {
		if (c->e->count > 0 && strstr(c->e->msg.buf, "cannot open"))
			err_setpos(c->e, &fv->pos, "vars file '%s' could not "
			    "be read", path.buf);
		goto out;
	}
	if (vars->type != V_MAP && vars->type != V_NULL) {
		err_setpos(c->e, &vars->pos, "a vars file must hold a mapping");
		goto out;
	}
	val_map_merge(p->vars, vars);
	ret = 0;
out:
	val_free(vars);
	strbuf_release(&path);
	return ret;
}

struct val *
serial_parse(const struct val *v, struct err *e)
{
	const struct val *items = v;
	struct val *out = val_list();
	size_t i;

	if (v->type != V_LIST) {
		out->pos = v->pos;
		items = NULL;
	}
	for (i = 0; items ? i < items->u.list.n : i < 1; i++) {
		const struct val *it = items ? items->u.list.items[i] : v;
		int64_t n;
		size_t len;

		if (it->type == V_INT && it->u.i >= 0) {
			val_list_push(out, val_copy(it));
			continue;
		}
		len = it->type == V_STR ? it->u.str.len : 0;
		if (len > 1 && it->u.str.s[len - 1] == '%') {
			char *num = xstrndup(it->u.str.s, len - 1);
			struct val tmp = { .type = V_STR };

			tmp.u.str.s = num;
			tmp.u.str.len = len - 1;
			if (val_to_int(&tmp, &n) == 0 && n >= 0 && n <= 100) {
				free(num);
				val_list_push(out, val_copy(it));
				continue;
			}
			free(num);
		} else if (it->type == V_STR && val_to_int(it, &n) == 0 &&
		    n >= 0) {
			val_list_push(out, val_int(n));
			continue;
		}
		err_setpos(e, &it->pos, "'serial' takes an integer, a "
		    "percentage like \"30%%\", or a list of them");
		val_free(out);
		return NULL;
	}
	return out;
}

static int
parse_serial(struct pctx *c, struct play *p, const struct val *v)
{
	if (v->type == V_STR && tmpl_has(v->u.str.s))
		return (p->serial_expr = get_str(c, "serial", v)) ? 0 : -1;
	val_free(p->serial);
	p->serial = serial_parse(v, c->e);
	return p->serial ? 0 : -1;
}

static int
pk_environment(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	(void)k;
	return get_env(c, v, &p->environment);
}

/* ---- roles ---- */

static const char *const role_keys[] = {
	"role", "name", "when", "tags", "become", "become_user",
	"become_method", "vars",
	"ignore_errors", "no_log", "check_mode", "timeout", "environment", NULL
};

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The role search path, as Ansible's default (a name with a '/' is a
 * path, relative to the playbook's directory). */
static void
role_search(struct pctx *c, struct strbuf *path)
{
	const char *env = getenv("ANSIBLE_ROLES_PATH"), *home = getenv("HOME");

	strbuf_addf(path, "%s/roles:%s", c->dir, c->dir);
	if (env != NULL && *env != '\0')
		strbuf_addf(path, ":%s", env);
	if (home != NULL)
		strbuf_addf(path, ":%s/.ansible/roles", home);
	strbuf_addstr(path, ":/usr/share/ansible/roles:/etc/ansible/roles");
}

static char *
role_find(struct pctx *c, const char *name, struct strbuf *searched)
{
	const char *p;
	char *cand;

	if (strchr(name, '/') != NULL) {
		cand = name[0] == '/' ? xstrdup(name) :
		    xasprintf("%s/%s", c->dir, name);
		strbuf_addstr(searched, cand);
		if (is_dir(cand))
			return cand;
		free(cand);
		return NULL;
	}
	role_search(c, searched);
	for (p = searched->buf; *p; p += *p == ':') {
		size_t len = strcspn(p, ":");

		cand = xasprintf("%.*s/%s", (int)len, p, name);
		p += len;
		if (is_dir(cand))
			return cand;
		free(cand);
	}
	return NULL;
}

/* DIR/SUB/NAME.yml (or .yaml, or NAME; NAME NULL: main): its path, or
 * NULL when there is none */
static char *
role_file(const char *dir, const char *sub, const char *name)
{
	static const char *const ext[] = { ".yml", ".yaml", "" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		char *p = xasprintf("%s/%s/%s%s", dir, sub, name ? name :
		    "main", ext[i]);

		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

static char *
role_main(const char *dir, const char *sub)
{
	return role_file(dir, sub, NULL);
}

/* import_role/include_role's tasks_from, vars_from, defaults_from,
 * handlers_from (for the role itself, not its dependencies). */
struct role_from {
	const char *name[4];         /* tasks vars defaults handlers */
	const struct pos *pos[4];
};

static const char *const role_subs[] = { "tasks", "vars", "defaults",
	"handlers" };

/* The role's SUB file: main, or the *_from name (missing: an error). */
static int
role_path(struct pctx *c, const struct role_from *rf, const char *dir,
    const char *sub, char **path)
{
	size_t i;

	for (i = 0; rf != NULL && i < ARRAY_SIZE(role_subs); i++)
		if (strcmp(role_subs[i], sub) == 0 && rf->name[i] != NULL)
			break;
	if (rf == NULL || i == ARRAY_SIZE(role_subs)) {
		*path = role_main(dir, sub);
		return 0;
	}
	*path = role_file(dir, sub, rf->name[i]);
	if (*path == NULL)
		return err_setpos(c->e, rf->pos[i], "%s_from: the role has no "
		    "%s/%s(.yml)", sub, sub, rf->name[i]);
	return 0;
}

/* One vars file merged into `into` (a mapping). */
static int
vars_file_merge(struct pctx *c, const char *path, const char *sub,
    struct val **into)
{
	struct val *v = NULL;
	int ret = 0;

	if (yaml_load_file(path, &v, c->e) < 0) {
		ret = -1;
	} else if (v->type != V_MAP && v->type != V_NULL) {
		ret = err_setpos(c->e, &v->pos, "a role's %s file must hold a "
		    "mapping", sub);
	} else if (v->type == V_MAP) {
		if (*into == NULL)
			*into = val_map();
		ret = check_templates(c, v);
		val_map_merge(*into, v);
	}
	val_free(v);
	return ret;
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int vars_dir_merge(struct pctx *c, const char *dir, const char *sub,
    struct val **into, int depth);

/* One entry of a vars directory, as ansible-core 2.14's
 * _get_dir_vars_files takes it: hidden and backup (~) names skipped, a
 * directory without an extension descended into, a file with no
 * extension or .yml/.yaml/.json loaded. */
static int
vars_dir_entry(struct pctx *c, const char *dir, const char *name,
    const char *sub, struct val **into, int depth)
{
	const char *ext = strrchr(name, '.');
	char *p;
	struct stat st;
	int ret = 0;

	if (name[0] == '.' || name[strlen(name) - 1] == '~')
		return 0;
	p = xasprintf("%s/%s", dir, name);
	if (stat(p, &st) < 0)
		;               /* gone since scandir: nothing to load */
	else if (S_ISDIR(st.st_mode) && ext == NULL)
		ret = vars_dir_merge(c, p, sub, into, depth + 1);
	else if (S_ISREG(st.st_mode) && (ext == NULL ||
	    strcmp(ext, ".yml") == 0 || strcmp(ext, ".yaml") == 0 ||
	    strcmp(ext, ".json") == 0))
		ret = vars_file_merge(c, p, sub, into);
	free(p);
	return ret;
}

/* A role's vars or defaults given as a directory (defaults/main/): every
 * file in it, in name order, merged in that order. */
static int
vars_dir_merge(struct pctx *c, const char *dir, const char *sub,
    struct val **into, int depth)
{
	struct dirent **ents = NULL;
	int i, n, ret = 0;

	if (depth > INCLUDE_DEPTH_MAX)
		return err_set(c->e, "%s: vars directories nested too deep",
		    dir);
	n = scandir(dir, &ents, NULL, name_cmp);
	if (n < 0)
		return err_set(c->e, "%s: cannot read the directory", dir);
	for (i = 0; i < n; i++) {
		if (ret == 0)
			ret = vars_dir_entry(c, dir, ents[i]->d_name, sub, into,
			    depth);
		free(ents[i]);
	}
	free(ents);
	return ret;
}

/* A role's defaults or vars (a file, or a directory of files) merged into
 * `into` (a mapping). */
static int
role_vars_file(struct pctx *c, const struct role_from *rf, const char *dir,
    const char *sub, struct val **into)
{
	char *path = NULL;
	struct stat st;
	int ret;

	if (role_path(c, rf, dir, sub, &path) < 0)
		return -1;
	if (path == NULL)
		return 0;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		ret = vars_dir_merge(c, path, sub, into, 0);
	else
		ret = vars_file_merge(c, path, sub, into);
	free(path);
	return ret;
}

/* A role's tasks or handlers file into *out (none: nothing). */
static int
role_tasks_file(struct pctx *c, const struct role_from *rf, const char *dir,
    const char *sub, struct task **out, size_t *n)
{
	char *path = NULL, *sdir;
	const char *saved = c->tdir, *srdir = c->rdir;
	struct val *root = NULL;
	int ret = -1, srh = c->rhfile;

	if (role_path(c, rf, dir, sub, &path) < 0)
		return -1;
	if (path == NULL)
		return 0;
	if (yaml_load_file(path, &root, c->e) < 0)
		goto out;
	if (root->type != V_LIST && root->type != V_NULL) {
		err_setpos(c->e, &root->pos, "a role's %s file must be a list, "
		    "got %s", sub, val_type_name(root->type));
		goto out;
	}
	sdir = xasprintf("%s/%s", dir, sub);
	c->tdir = sdir;
	c->rdir = dir;
	c->rhfile = strcmp(sub, "handlers") == 0;
	c->depth++;
	ret = parse_tasks(c, root, out, n, strcmp(sub, "handlers") == 0);
	c->depth--;
	c->tdir = saved;
	c->rdir = srdir;
	c->rhfile = srh;
	free(sdir);
out:
	val_free(root);
	free(path);
	return ret;
}

struct role_load {
	struct play *p;
	const struct role_from *from;   /* import/include_role's, or NULL */
	size_t alloc;            /* of p->roles */
	struct task *handlers;   /* the roles' handlers, in order */
	size_t nhandlers, halloc;
};

static int load_role(struct pctx *c, struct role_load *rl,
    const struct val *entry, int depth);

static int
role_deps(struct pctx *c, struct role_load *rl, const char *dir, int depth)
{
	char *path = role_main(dir, "meta");
	struct val *m = NULL;
	const struct val *deps;
	size_t i;
	int ret = 0;

	if (path == NULL)
		return 0;
	if (yaml_load_file(path, &m, c->e) < 0) {
		free(path);
		return -1;
	}
	deps = m->type == V_MAP ? val_map_get(m, "dependencies") : NULL;
	if (deps != NULL && deps->type != V_LIST && deps->type != V_NULL)
		ret = err_setpos(c->e, &deps->pos, "meta: 'dependencies' must "
		    "be a list of roles");
	for (i = 0; ret == 0 && deps && deps->type == V_LIST &&
	    i < deps->u.list.n; i++)
		ret = load_role(c, rl, deps->u.list.items[i], depth + 1);
	val_free(m);
	free(path);
	return ret;
}

/* The entry's keywords into the role's block; the rest are parameters. */
static int
role_entry(struct pctx *c, struct task *t, const struct val *entry)
{
	size_t i;
	int ret = 0;

	for (i = 0; entry->type == V_MAP && i < entry->u.map.n; i++) {
		const char *k = entry->u.map.items[i].key;
		const struct val *v = entry->u.map.items[i].v;

		if (strcmp(k, "role") == 0 || (strcmp(k, "name") == 0 &&
		    val_map_get(entry, "role") == NULL))
			continue;
		if (strcmp(k, "vars") == 0 && v->type == V_MAP) {
			ret |= check_templates(c, v);
			val_map_merge(t->vars, v);
		} else if (is_in(k, role_keys)) {
			ret |= task_key(c, t, k, v, val_map_keypos(entry, k), 0);
		} else {
			ret |= check_templates(c, v);
			val_map_set(t->vars, k, val_copy(v));   /* a parameter */
		}
	}
	return ret ? -1 : 0;
}

static const struct val *
role_name_val(const struct val *entry)
{
	const struct val *n;

	if (entry->type != V_MAP)
		return entry;
	n = val_map_get(entry, "role");
	return n ? n : val_map_get(entry, "name");
}

/* Ansible runs a role once per play unless its parameters differ. */
static int
role_seen(const struct play *p, const char *name, const struct val *vars)
{
	size_t i;

	for (i = 0; i < p->nroles; i++) {
		struct val *params;
		int same;

		if (strcmp(p->roles[i].role, name) != 0)
			continue;
		params = val_copy(p->roles[i].vars);
		val_map_del(params, "role_path");
		same = val_equal(params, vars);
		val_free(params);
		if (same)
			return 1;
	}
	return 0;
}

/* The role's handlers see its parameters and role_path, as its tasks. */
static int
role_handlers(struct pctx *c, struct role_load *rl, const char *dir,
    const struct val *role_vars, const struct role_from *rf)
{
	struct task *hs = NULL;
	size_t n = 0, i;
	int ret = role_tasks_file(c, rf, dir, "handlers", &hs, &n);

	for (i = 0; i < n; i++) {
		struct val *own = hs[i].vars;

		hs[i].vars = val_copy(role_vars);
		val_map_merge(hs[i].vars, own);
		val_free(own);
		ALLOC_GROW(rl->handlers, rl->nhandlers + 1, rl->halloc);
		rl->handlers[rl->nhandlers++] = hs[i];
	}
	free(hs);
	return ret;
}

/* The role's filter plugins and its project's (localplug.h). */
static void
local_role_filters(const char *dir)
{
	char *proj = local_role_project(dir);

	local_filters_scan(dir);
	local_filters_scan(proj);
	free(proj);
}

static int
load_role(struct pctx *c, struct role_load *rl, const struct val *entry,
    int depth)
{
	const struct val *nv = role_name_val(entry);
	struct strbuf searched = STRBUF_INIT;
	const struct role_from *rf;
	struct task t;
	char *dir;
	int ret = 0;

	if (nv == NULL || nv->type != V_STR || nv->u.str.len == 0 ||
	    tmpl_has(nv->u.str.s))
		return err_setpos(c->e, &entry->pos, "a role is a name or a "
		    "mapping with 'role: NAME' (not a template)");
	if (depth > INCLUDE_DEPTH_MAX)
		return err_setpos(c->e, &nv->pos, "role dependencies nest "
		    "more than %d deep (a cycle?)", INCLUDE_DEPTH_MAX);
	if (count_load(c, &nv->pos) < 0)
		return -1;
	if ((dir = role_find(c, nv->u.str.s, &searched)) == NULL) {
		ret = err_setpos(c->e, &nv->pos, "the role '%s' was not found "
		    "in %s", nv->u.str.s, searched.buf);
		strbuf_release(&searched);
		return ret;
	}
	strbuf_release(&searched);
	local_role_filters(dir);
	task_defaults(&t, entry);
	t.kind = TASK_BLOCK;
	t.role = xstrdup(nv->u.str.s);
	t.vars = val_map();
	ret |= role_entry(c, &t, entry);
	if (ret == 0 && role_seen(rl->p, t.role, t.vars)) {
		task_free(&t);
		free(dir);
		return 0;
	}
	val_map_set(t.vars, "role_path", val_str(dir));
	ret |= role_deps(c, rl, dir, depth);
	rf = depth == 0 ? rl->from : NULL;
	ret |= role_vars_file(c, rf, dir, "defaults", &rl->p->role_defaults);
	ret |= role_vars_file(c, rf, dir, "vars", &rl->p->role_vars);
	ret |= role_tasks_file(c, rf, dir, "tasks", &t.block, &t.nblock);
	ret |= role_handlers(c, rl, dir, t.vars, rf);
	ALLOC_GROW(rl->p->roles, rl->p->nroles + 1, rl->alloc);
	rl->p->roles[rl->p->nroles++] = t;
	free(dir);
	return ret ? -1 : 0;
}

/* ---- import_role / include_role ---- */

/* include_role's keywords apply to the include only (Ansible's); these
 * are what mend runs with that meaning. */
static const char *const include_role_keys[] = {
	"name", "when", "tags", "vars", NULL
};

/* The role's arguments: name and the *_from files (plain names). */
static int
role_task_args(struct pctx *c, const char *act, const struct val *a,
    struct role_from *rf, const struct val **name)
{
	size_t i, j;

	if (a == NULL || a->type != V_MAP)
		return err_setpos(c->e, a ? &a->pos : &c->cur->pos, "%s takes "
		    "a mapping with 'name'", act);
	*name = val_map_get(a, "name");
	if (*name == NULL)
		*name = val_map_get(a, "role");
	for (i = 0; i < a->u.map.n; i++) {
		const char *k = a->u.map.items[i].key;
		const struct val *v = a->u.map.items[i].v;

		if (strcmp(k, "name") == 0 || strcmp(k, "role") == 0)
			continue;
		if (strcmp(k, "apply") == 0 && strcmp(act, "include_role") == 0) {
			if (parse_apply(c, c->cur_task, act, v) < 0)
				return -1;
			continue;
		}
		for (j = 0; j < ARRAY_SIZE(role_subs); j++)
			if (strncmp(k, role_subs[j], strlen(role_subs[j])) == 0 &&
			    strcmp(k + strlen(role_subs[j]), "_from") == 0)
				break;
		if (j == ARRAY_SIZE(role_subs))
			return err_setpos(c->e, val_map_keypos(a, k), "%s: '%s' "
			    "is not supported by mend", act, k);
		if (v->type != V_STR || v->u.str.len == 0 ||
		    tmpl_has(v->u.str.s) || strstr(v->u.str.s, ".."))
			return err_setpos(c->e, &v->pos, "%s: '%s' takes a "
			    "file name in the role (not a template)", act, k);
		rf->name[j] = v->u.str.s;
		rf->pos[j] = &v->pos;
	}
	if (*name == NULL || (*name)->type != V_STR || tmpl_has(
	    (*name)->u.str.s))
		return err_setpos(c->e, *name ? &(*name)->pos : &a->pos,
		    "%s: 'name' must name a role (not a template)", act);
	return 0;
}

/* The role (dependencies first) as the task's block; its defaults and
 * vars play-wide for import_role, the include's own for include_role
 * (Ansible's public: false); its handlers after the play's. */
static int
role_task_load(struct pctx *c, struct task *t, const struct val *name,
    const struct role_from *rf, int inc)
{
	struct play scratch;
	struct role_load rl;
	struct val *entry = val_map();
	size_t j;
	int ret, dup = 0;

	memset(&scratch, 0, sizeof(scratch));
	memset(&rl, 0, sizeof(rl));
	rl.p = &scratch;
	rl.from = rf;
	val_map_set(entry, "role", val_copy(name));
	entry->pos = name->pos;
	ret = load_role(c, &rl, entry, 0);
	val_free(entry);
	t->block = scratch.roles;
	t->nblock = scratch.nroles;
	for (j = 0; j < t->nblock; j++) {
		t->block[j].name = xstrdup(t->block[j].role);
		set_parent(t->block[j].block, t->block[j].nblock, &t->block[j]);
	}
	set_parent(t->block, t->nblock, t->apply ? t->apply : t);
	if (inc) {
		t->role_defaults = scratch.role_defaults;
		t->role_vars = scratch.role_vars;
	} else {
		val_map_merge(c->play->role_defaults = c->play->role_defaults ?
		    c->play->role_defaults : val_map(), scratch.role_defaults);
		val_map_merge(c->play->role_vars = c->play->role_vars ?
		    c->play->role_vars : val_map(), scratch.role_vars);
		val_free(scratch.role_defaults);
		val_free(scratch.role_vars);
	}
	for (j = 0; j < c->nincroles; j++)
		if (strcmp(c->incroles[j], name->u.str.s) == 0)
			dup = 1;
	if (!dup) {
		ALLOC_GROW(c->incroles, c->nincroles + 1, c->incalloc);
		c->incroles[c->nincroles++] = xstrdup(name->u.str.s);
	}
	for (j = 0; j < rl.nhandlers; j++) {
		if (dup) {       /* one instance of a role's handlers */
			task_free(&rl.handlers[j]);
			continue;
		}
		ALLOC_GROW(c->rhandlers, c->nrhandlers + 1, c->rhalloc);
		c->rhandlers[c->nrhandlers++] = rl.handlers[j];
	}
	free(rl.handlers);
	return ret;
}

/* import_role (static: its keywords reach every task of the role, as a
 * block's) and include_role (when and tags decide once; vars reach the
 * role's tasks); both loaded and validated with the playbook. */
static int
parse_role_task(struct pctx *c, const struct val *tv, struct task *t,
    const char *act)
{
	int inc = strcmp(strip_fqcn(act), "include_role") == 0;
	struct role_from rf;
	const struct val *name = NULL;
	size_t i;
	int ret = 0;

	memset(&rf, 0, sizeof(rf));
	t->kind = inc ? TASK_INCLUDE : TASK_BLOCK;
	if (c->play == NULL)
		return err_setpos(c->e, &tv->pos, "%s in a task file included "
		    "with a templated name is not supported by mend",
		    strip_fqcn(act));
	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = tv->u.map.items[i].key;
		const struct pos *kp = val_map_keypos(tv, k);

		if (strcmp(k, act) == 0)
			continue;
		if (is_in(k, inc ? include_role_keys : include_keys))
			ret |= task_key(c, t, k, tv->u.map.items[i].v, kp, 0);
		else
			ret = err_setpos(c->e, kp, "'%s' on %s is not "
			    "supported by mend%s", k, strip_fqcn(act), inc &&
			    is_in(k, include_keys) ? " (on include_role it "
			    "would apply to the include only; import_role "
			    "applies it to the role's tasks)" : "");
	}
	c->cur_task = t;
	if (role_task_args(c, strip_fqcn(act), val_map_get(tv, act), &rf,
	    &name) < 0)
		return -1;
	t->role_task = xstrdup(name->u.str.s);
	t->include = xstrdup(name->u.str.s);
	if (t->name == NULL)
		t->name = xasprintf("%s : %s", strip_fqcn(act),
		    name->u.str.s);
	c->dynamic += inc;
	ret |= role_task_load(c, t, name, &rf, inc);
	c->dynamic -= inc;
	return ret ? -1 : 0;
}

/* roles: parsed after every other play key (their handlers go before the
 * play's own, as Ansible orders them); the blocks' tasks parented once the
 * array stops moving. */
static int
pk_roles_now(struct pctx *c, struct play *p, const struct val *v)
{
	struct role_load rl = { .p = p };
	size_t i;
	int ret = 0;

	if (v->type != V_LIST)
		return err_setpos(c->e, &v->pos, "'roles' must be a list");
	for (i = 0; i < v->u.list.n; i++)
		ret |= load_role(c, &rl, v->u.list.items[i], 0);
	for (i = 0; i < p->nroles; i++) {
		p->roles[i].name = xstrdup(p->roles[i].role);
		set_parent(p->roles[i].block, p->roles[i].nblock,
		    &p->roles[i]);
	}
	if (rl.nhandlers > 0) {     /* roles' handlers first, as Ansible */
		rl.handlers = xrealloc(rl.handlers, (p->nhandlers +
		    rl.nhandlers) * sizeof(*p->handlers));
		if (p->nhandlers > 0)
			memcpy(rl.handlers + rl.nhandlers, p->handlers,
			    p->nhandlers * sizeof(*p->handlers));
		free(p->handlers);
		p->handlers = rl.handlers;
		p->nhandlers += rl.nhandlers;
		rl.handlers = NULL;
	}
	free(rl.handlers);
	return ret ? -1 : 0;
}

static int
pk_roles(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	(void)c;
	(void)p;
	(void)k;
	(void)v;
	return 0;     /* done by parse_play after the other keys */
}

/* ---- play keywords: one table (name, how it is parsed, where it goes) ---- */

typedef int (*play_key_fn)(struct pctx *c, struct play *p, const char *k,
    const struct val *v);

static int
pk_name(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	return (p->name = get_str(c, k, v)) ? 0 : -1;
}

static int
pk_hosts(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	p->hosts_pos = v->pos;
	if (v->type != V_LIST)
		return (p->hosts = get_str(c, k, v)) ? 0 : -1;
	for (i = 0; i < v->u.list.n; i++) {
		if (i)
			strbuf_addch(&sb, ':');
		val_to_str(v->u.list.items[i], &sb);
	}
	p->hosts = strbuf_detach(&sb, NULL);
	return 0;
}

static int
pk_vars(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	(void)k;
	if (v->type == V_NULL)
		return 0;
	if (v->type != V_MAP)
		return err_setpos(c->e, &v->pos, "'vars' must be a mapping");
	val_map_merge(p->vars, v);
	return 0;
}

static int
pk_vars_files(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	size_t i;

	(void)k;
	if (v->type != V_LIST)
		return load_vars_file(c, p, v);
	for (i = 0; i < v->u.list.n; i++)
		if (load_vars_file(c, p, v->u.list.items[i]) < 0)
			return -1;
	return 0;
}

static int
pk_become(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	return get_bool(c, k, v, &p->become);
}

static int
pk_become_user(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return (p->become_user = get_str(c, k, v)) ? 0 : -1;
}

static int
pk_remote_user(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return (p->remote_user = get_str(c, k, v)) ? 0 : -1;
}

/* user: the play's old name of remote_user (ansible-core 2.14 still maps
 * it, and refuses a play that sets both). */
static int
pk_user(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	if (val_map_get(c->cur, "remote_user") != NULL)
		return err_setpos(c->e, val_map_keypos(c->cur, k), "both "
		    "'user' and 'remote_user' are set for this play ('user' "
		    "is the deprecated name of 'remote_user': remove it)");
	return pk_remote_user(c, p, "remote_user", v);
}

static int
pk_gather_facts(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return get_bool(c, k, v, &p->gather_facts);
}

/* gather_subset: a list or "a,b" of subset names (the setup module
 * checks them: its argument, rendered on the host) */
static int
pk_gather_subset(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	char **l = NULL;
	size_t n = 0, i;
	struct val tmp;

	if (v->type == V_STR && strchr(v->u.str.s, ',') != NULL) {
		tmp = *v;
		if (get_strlist(c, "tags", &tmp, &l, &n) < 0)
			return -1;
	} else if (get_strlist(c, k, v, &l, &n) < 0) {
		return -1;
	}
	val_free(p->gather_subset);
	p->gather_subset = val_list();
	for (i = 0; i < n; i++)
		val_list_push(p->gather_subset, val_str_take(l[i]));
	free(l);
	return 0;
}

static int
pk_gather_timeout(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return get_int(c, k, v, 1, 86400, &p->gather_timeout);
}

static int
pk_become_method(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	(void)p;
	(void)k;
	return get_become_method(c, v);
}

static int
pk_connection(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	(void)k;
	if (v->type != V_STR || (strcmp(v->u.str.s, "ssh") != 0 &&
	    strcmp(v->u.str.s, "local") != 0))
		return err_setpos(c->e, &v->pos, "'connection' must be "
		    "'ssh' or 'local' (the connections mend has)");
	free(p->connection);
	p->connection = xstrdup(v->u.str.s);
	return 0;
}

static int
pk_serial(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	(void)k;
	return parse_serial(c, p, v);
}

static int
pk_max_fail(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	if (v->type == V_STR && tmpl_has(v->u.str.s))
		return (p->max_fail_expr = get_str(c, k, v)) ? 0 : -1;
	return get_int(c, k, v, 0, 100, &p->max_fail_pct);
}

static int
pk_force_handlers(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return get_tbool(c, k, v, &p->force_handlers, &p->force_handlers_expr);
}

static int
pk_any_errors_fatal(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	if (v->type == V_STR && tmpl_has(v->u.str.s)) {
		/* ansible-core 2.14 does not template it: the string is
		 * true, whatever it would render to (measured) */
		if (tmpl_check_val(v, c->e) < 0)
			return -1;
		warn_at(c, &v->pos, "any_errors_fatal of a play is not "
		    "templated by Ansible: a template there is true whatever "
		    "it renders to (mend does the same)");
		p->any_errors_fatal = 1;
		return 0;
	}
	return get_bool(c, k, v, &p->any_errors_fatal);
}

static int
pk_run_once(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return get_bool(c, k, v, &p->run_once);
}

static int
pk_tags(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	return get_strlist(c, k, v, &p->tags, &p->ntags);
}

static int
pk_tasks(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	(void)k;
	return parse_tasks(c, v, &p->tasks, &p->ntasks, 0);
}

static int
pk_pre_tasks(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	(void)k;
	return parse_tasks(c, v, &p->pre_tasks, &p->npre_tasks, 0);
}

static int
pk_post_tasks(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	(void)k;
	return parse_tasks(c, v, &p->post_tasks, &p->npost_tasks, 0);
}

static int
pk_handlers(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	(void)k;
	return parse_tasks(c, v, &p->handlers, &p->nhandlers, 1);
}

/* window: the spec is kept for messages, the parsed form for the run */
static int
pk_window(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	struct err we = ERR_INIT;
	int ret = 0;

	p->window_pos = v->pos;
	if ((p->window = get_str(c, k, v)) == NULL)
		return -1;
	if (window_parse(p->window, &p->win, &we) < 0) {
		strbuf_rtrim(&we.msg);
		ret = err_setpos(c->e, &v->pos, "%s",
		    err_text(&we, "invalid window"));
		free(p->window);
		p->window = NULL;
	}
	err_release(&we);
	return ret;
}

static int
pk_window_margin(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return get_int(c, k, v, 0, 1440, &p->window_margin);
}

static int
rollback_map(struct pctx *c, struct play *p, const struct val *v)
{
	const struct val *s;
	size_t i;

	for (i = 0; i < v->u.map.n; i++)
		if (strcmp(v->u.map.items[i].key, "scope") != 0)
			return err_setpos(c->e, val_map_keypos(v,
			    v->u.map.items[i].key), "rollback_on_failure: "
			    "unknown key '%s' (only 'scope')",
			    v->u.map.items[i].key);
	s = val_map_get(v, "scope");
	if (s == NULL || s->type != V_STR || (strcmp(s->u.str.s, "host") &&
	    strcmp(s->u.str.s, "run")))
		return err_setpos(c->e, s ? &s->pos : &v->pos,
		    "rollback_on_failure: scope must be 'host' or 'run'");
	p->rollback_scope = strcmp(s->u.str.s, "run") == 0 ? ROLLBACK_RUN
	    : ROLLBACK_HOST;
	return 0;
}

/* rollback_on_failure: a boolean, or {scope: host|run} */
static int
pk_rollback(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	int b;

	(void)k;
	p->rollback_scope = ROLLBACK_NONE;
	if (v->type == V_NULL)
		return 0;
	if (v->type == V_MAP)
		return rollback_map(c, p, v);
	if ((b = val_to_bool(v)) < 0)
		return err_setpos(c->e, &v->pos, "rollback_on_failure must be "
		    "a boolean or {scope: host|run}");
	p->rollback_scope = b ? ROLLBACK_HOST : ROLLBACK_NONE;
	return 0;
}

static int
pk_confirm_timeout(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return get_int(c, k, v, 1, 86400, &p->confirm_timeout);
}

/* The play keywords mend supports (playbook.h lists them for readers). */
static const struct play_kw {
	const char *name;
	play_key_fn parse;
} play_kws[] = {
	{ "name", pk_name },
	{ "hosts", pk_hosts },
	{ "vars", pk_vars },
	{ "vars_files", pk_vars_files },
	{ "become", pk_become },
	{ "become_user", pk_become_user },
	{ "become_method", pk_become_method },
	{ "gather_facts", pk_gather_facts },
	{ "gather_subset", pk_gather_subset },
	{ "gather_timeout", pk_gather_timeout },
	{ "environment", pk_environment },
	{ "serial", pk_serial },
	{ "max_fail_percentage", pk_max_fail },
	{ "any_errors_fatal", pk_any_errors_fatal },
	{ "force_handlers", pk_force_handlers },
	{ "run_once", pk_run_once },
	{ "tags", pk_tags },
	{ "pre_tasks", pk_pre_tasks },
	{ "roles", pk_roles },
	{ "tasks", pk_tasks },
	{ "post_tasks", pk_post_tasks },
	{ "handlers", pk_handlers },
	{ "remote_user", pk_remote_user },
	{ "user", pk_user },
	{ "connection", pk_connection },
	{ "window", pk_window },
	{ "window_margin", pk_window_margin },
	{ "rollback_on_failure", pk_rollback },
	{ "confirm_timeout", pk_confirm_timeout },
};

static int
play_key(struct pctx *c, struct play *p, const char *k, const struct val *v)
{
	const char *names[ARRAY_SIZE(play_kws) + 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(play_kws); i++) {
		if (strcmp(k, play_kws[i].name) == 0)
			return play_kws[i].parse(c, p, k, v);
		names[i] = play_kws[i].name;
	}
	names[i] = NULL;
	if (strcmp(strip_fqcn(k), "include") == 0)      /* 2.14 says so too */
		return err_setpos(c->e, val_map_keypos(c->cur, k), "'include' "
		    "is not a play keyword (ansible-core 2.14 refuses it "
		    "there too): a playbook is imported with import_playbook");
	return bad_key(c, "play", k, val_map_keypos(c->cur, k), names);
}

static int
handler_exists(const struct play *p, const char *name)
{
	size_t i, j;

	for (i = 0; i < p->nhandlers; i++) {
		if (p->handlers[i].name &&
		    strcmp(p->handlers[i].name, name) == 0)
			return 1;
		for (j = 0; j < p->handlers[i].nlisten; j++)
			if (strcmp(p->handlers[i].listen[j], name) == 0)
				return 1;
	}
	return 0;
}

static int
check_notify(struct pctx *c, const struct play *p, const struct task *ts,
    size_t n)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < ts[i].nnotify; j++)
			if (!handler_exists(p, ts[i].notify[j]))
				ret = err_setpos(c->e, &ts[i].pos, "task "
				    "notifies handler '%s', which this play "
				    "does not define", ts[i].notify[j]);
		ret |= check_notify(c, p, ts[i].block, ts[i].nblock);
		ret |= check_notify(c, p, ts[i].rescue, ts[i].nrescue);
		ret |= check_notify(c, p, ts[i].always, ts[i].nalways);
	}
	return ret;
}

/* The handlers' array has stopped moving: the tasks of an include_tasks
 * handler (and its apply) point at it now. */
static void
handler_parents(struct play *p)
{
	size_t i;

	for (i = 0; i < p->nhandlers; i++) {
		struct task *h = &p->handlers[i];

		if (h->kind != TASK_INCLUDE)
			continue;
		if (h->apply != NULL)
			h->apply->parent = h;
		set_parent(h->block, h->nblock, h->apply ? h->apply : h);
	}
}

static int
parse_play(struct pctx *c, const struct val *pv, struct play *p)
{
	size_t i;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->become = -1;
	p->max_fail_pct = -1;
	p->force_handlers = -1;
	p->window_margin = -1;
	p->gather_facts = 1;      /* Ansible's default (gathering=implicit) */
	p->vars = val_map();
	p->pos = pv->pos;
	p->playbook_dir = realpath(c->dir, NULL);
	c->cur = pv;
	c->play = p;
	if (pv->type != V_MAP)
		return err_setpos(c->e, &pv->pos, "a play must be a mapping, "
		    "got %s", val_type_name(pv->type));
	/* vars first, so vars_files (higher precedence) are merged after */
	for (i = 0; i < pv->u.map.n; i++)
		if (strcmp(pv->u.map.items[i].key, "vars") == 0 &&
		    play_key(c, p, "vars", pv->u.map.items[i].v) < 0)
			ret = -1;
	if (c->ivars != NULL) {         /* import_playbook's, over them */
		if (p->vars == NULL)
			p->vars = val_map();
		val_map_merge(p->vars, c->ivars);
	}
	for (i = 0; i < pv->u.map.n; i++) {
		const char *k = pv->u.map.items[i].key;

		if (strcmp(k, "vars") != 0 &&
		    play_key(c, p, k, pv->u.map.items[i].v) < 0)
			ret = -1;
	}
	if (val_map_get(pv, "roles") != NULL &&
	    pk_roles_now(c, p, val_map_get(pv, "roles")) < 0)
		ret = -1;
	if (c->nrhandlers > 0) {    /* import/include_role's, after */
		p->handlers = xrealloc(p->handlers, (p->nhandlers +
		    c->nrhandlers) * sizeof(*p->handlers));
		memcpy(p->handlers + p->nhandlers, c->rhandlers,
		    c->nrhandlers * sizeof(*p->handlers));
		p->nhandlers += c->nrhandlers;
	}
	free(c->rhandlers);
	c->rhandlers = NULL;
	c->nrhandlers = c->rhalloc = 0;
	handler_parents(p);
	free_strlist(c->incroles, c->nincroles);
	c->incroles = NULL;
	c->nincroles = c->incalloc = 0;
	c->play = NULL;
	if (p->hosts == NULL && ret == 0)
		return err_setpos(c->e, &pv->pos, "play has no 'hosts'");
	if (ret == 0) {
		ret |= check_notify(c, p, p->roles, p->nroles);
		ret |= check_notify(c, p, p->pre_tasks, p->npre_tasks);
		ret |= check_notify(c, p, p->tasks, p->ntasks);
		ret |= check_notify(c, p, p->post_tasks, p->npost_tasks);
		ret |= check_notify(c, p, p->handlers, p->nhandlers);
	}
	return ret ? -1 : 0;
}

static int load_plays(struct playbook *pb, size_t *alloc, const char *path,
    int depth, size_t *loads, const struct val *ivars, struct err *e);

/* import_playbook's tags: added to each imported play's (Ansible's
 * union; a tag the play has already is not repeated). */
static void
import_tags(struct play *plays, size_t n, char **tags, size_t ntags)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		struct play *p = &plays[i];

		for (j = 0; j < ntags; j++) {
			for (k = 0; k < p->ntags; k++)
				if (strcmp(p->tags[k], tags[j]) == 0)
					break;
			if (k < p->ntags)
				continue;
			p->tags = xrealloc(p->tags, (p->ntags + 1) *
			    sizeof(*p->tags));
			p->tags[p->ntags++] = xstrdup(tags[j]);
		}
	}
}

/* import_playbook's keywords besides the file: `name` (shown by nothing,
 * as in Ansible) and `tags`; Ansible's `vars` and `when` there are
 * refused.  Returns the file's value, or NULL after an error. */
/* import_playbook's vars (2.14: a mapping; given to every imported play
 * over its own vars, an outer import's over an inner's).  *out: a new
 * map of them. */
static int
import_vars(struct pctx *c, const struct val *v, struct val **out)
{
	if (v->type != V_MAP)
		return err_setpos(c->e, &v->pos, "vars for import_playbook "
		    "statements must be specified as a dictionary");
	if (val_map_get(v, "tags") != NULL)
		return err_setpos(c->e, val_map_keypos(v, "tags"), "import_"
		    "playbook: 'tags' in its vars is not supported by mend "
		    "(use the keyword)");
	if (check_templates(c, v) < 0)
		return -1;
	val_free(*out);
	*out = val_copy(v);
	return 0;
}

static const struct val *
import_keys(struct pctx *c, const struct val *pv, char ***tags,
    size_t *ntags, struct val **vars)
{
	const struct val *f = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < pv->u.map.n; i++) {
		const char *k = pv->u.map.items[i].key;
		const struct val *v = pv->u.map.items[i].v;

		if (strcmp(strip_fqcn(k), "import_playbook") == 0)
			f = v;
		else if (strcmp(k, "tags") == 0)
			ret |= get_strlist(c, k, v, tags, ntags);
		else if (strcmp(k, "name") == 0)
			ret |= v->type == V_STR ? 0 : err_setpos(c->e, &v->pos,
			    "'name' must be a string");
		else if (strcmp(k, "vars") == 0)
			ret |= import_vars(c, v, vars);
		else
			ret = err_setpos(c->e, val_map_keypos(pv, k), "'%s' on "
			    "import_playbook is not supported by mend", k);
	}
	return ret ? NULL : f;
}

/* - import_playbook: other.yml  (its plays, here, in order) */
static int
import_playbook(struct playbook *pb, size_t *alloc, const struct val *pv,
    struct pctx *c, int depth)
{
	struct err *e = c->e;
	char **tags = NULL;
	size_t ntags = 0, first = pb->nplays;
	struct val *vars = NULL;
	const struct val *f = import_keys(c, pv, &tags, &ntags, &vars);
	char *path;
	int ret;

	if (f == NULL)
		ret = -1;
	else if (f->type != V_STR || f->u.str.len == 0 || tmpl_has(f->u.str.s))
		ret = err_setpos(e, &f->pos, "import_playbook takes a file "
		    "name (not a template)");
	else if (depth >= INCLUDE_DEPTH_MAX)
		ret = err_setpos(e, &f->pos, "playbooks import each other "
		    "more than %d deep (an import cycle?)", INCLUDE_DEPTH_MAX);
	else
		ret = 0;
	if (ret < 0) {
		free_strlist(tags, ntags);
		val_free(vars);
		return -1;
	}
	if (c->ivars != NULL) {         /* the enclosing imports' win */
		if (vars == NULL)
			vars = val_map();
		val_map_merge(vars, c->ivars);
	}
	path = f->u.str.s[0] == '/' ? xstrdup(f->u.str.s) :
	    xasprintf("%s/%s", c->dir, f->u.str.s);
	if (access(path, R_OK) != 0)
		ret = err_setpos(e, &f->pos, "import_playbook: could not find "
		    "or access '%s'", path);
	else if (count_load(c, &f->pos) < 0)
		ret = -1;
	else
		ret = load_plays(pb, alloc, path, depth + 1, c->loads, vars, e);
	if (ret == 0)
		import_tags(pb->plays + first, pb->nplays - first, tags, ntags);
	free_strlist(tags, ntags);
	val_free(vars);
	free(path);
	return ret;
}

static int
is_import_playbook(const struct val *pv)
{
	size_t i;

	for (i = 0; pv->type == V_MAP && i < pv->u.map.n; i++)
		if (strcmp(strip_fqcn(pv->u.map.items[i].key),
		    "import_playbook") == 0)
			return 1;
	return 0;
}

static int
load_plays(struct playbook *pb, size_t *alloc, const char *path, int depth,
    size_t *loads, const struct val *ivars, struct err *e)
{
	struct val *root = NULL;
	struct pctx c;
	char *dcopy = xstrdup(path);
	size_t i;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.e = e;
	c.dir = c.tdir = dirname(dcopy);
	c.loads = loads;
	c.warn = &pb->warnings;
	c.ivars = ivars;
	local_filters_scan(c.dir);
	if (yaml_load_file(path, &root, e) < 0)
		goto out;
	if (root->type != V_LIST) {
		err_setpos(e, &root->pos, "a playbook must be a list of plays");
		goto out;
	}
	ret = 0;
	for (i = 0; i < root->u.list.n; i++) {
		const struct val *pv = root->u.list.items[i];

		if (is_import_playbook(pv)) {
			ret |= import_playbook(pb, alloc, pv, &c, depth);
			continue;
		}
		ALLOC_GROW(pb->plays, pb->nplays + 1, *alloc);
		ret |= parse_play(&c, pv, &pb->plays[pb->nplays++]);
	}
	if (root->u.list.n == 0)
		ret = err_setpos(e, &root->pos, "the playbook has no plays");
out:
	val_free(root);
	free(dcopy);
	return ret ? -1 : 0;
}

int
playbook_load(const char *path, struct playbook **out, struct err *e)
{
	struct playbook *pb = xcalloc(1, sizeof(*pb));
	size_t alloc = 0, loads = 0;
	int ret;

	pb->path = xstrdup(path);
	strbuf_init(&pb->warnings, 0);
	*out = NULL;
	tmpl_set_warnings(&pb->warnings);
	ret = load_plays(pb, &alloc, path, 0, &loads, NULL, e);
	tmpl_set_warnings(NULL);
	if (ret < 0)
		playbook_free(pb);
	else
		*out = pb;
	return ret;
}

int
playbook_load_include(const struct play *p, const struct task *inc,
    const char *file, struct task **out, size_t *n, struct err *e)
{
	struct pctx c;
	struct task tmp;
	struct incdirs d;
	size_t loads = 0;
	char *path;
	int ret;

	memset(&c, 0, sizeof(c));
	memset(&tmp, 0, sizeof(tmp));
	c.loads = &loads;
	c.e = e;
	c.dir = p->playbook_dir;
	c.tdir = inc->include_dir;
	c.depth = 1;
	*out = NULL;
	*n = 0;
	c.rdir = inc->include_rdir;
	c.rhfile = inc->include_rhandlers;
	incdirs_of(&c, &d);
	path = include_path(&d, file);
	if (path == NULL)
		return include_missing(e, &inc->pos, "include_tasks", &d, file);
	ret = load_task_file(&c, &tmp, path, &inc->pos);
	if (ret == 0)
		ret = check_notify(&c, p, tmp.block, tmp.nblock);
	set_parent(tmp.block, tmp.nblock, inc->apply ? inc->apply : inc);
	free(path);
	if (ret < 0) {
		tasks_free(tmp.block, tmp.nblock);
		return -1;
	}
	*out = tmp.block;
	*n = tmp.nblock;
	return 0;
}

static void
play_free(struct play *p)
{
	size_t i;

	free(p->name);
	free(p->hosts);
	val_free(p->vars);
	free(p->become_user);
	val_free(p->serial);
	val_free(p->gather_subset);
	free(p->serial_expr);
	free(p->max_fail_expr);
	free(p->force_handlers_expr);
	val_free(p->environment);
	free_strlist(p->tags, p->ntags);
	tasks_free(p->pre_tasks, p->npre_tasks);
	tasks_free(p->roles, p->nroles);
	val_free(p->role_defaults);
	val_free(p->role_vars);
	tasks_free(p->tasks, p->ntasks);
	tasks_free(p->post_tasks, p->npost_tasks);
	for (i = 0; i < p->nhandlers; i++)
		task_free(&p->handlers[i]);
	free(p->handlers);
	free(p->remote_user);
	free(p->connection);
	free(p->window);
	free(p->playbook_dir);
}

void
playbook_free(struct playbook *pb)
{
	size_t i;

	if (pb == NULL)
		return;
	for (i = 0; i < pb->nplays; i++)
		play_free(&pb->plays[i]);
	free(pb->plays);
	free(pb->path);
	strbuf_release(&pb->warnings);
	free(pb);
}

static size_t
serial_value(const struct val *v, size_t total)
{
	int64_t n = 0;

	if (v->type == V_INT)
		return (size_t)v->u.i;
	if (v->type == V_STR) {
		char *num = xstrndup(v->u.str.s, v->u.str.len - 1);

		n = strtoll(num, NULL, 10);
		free(num);
		n = (int64_t)((double)n / 100.0 * (double)total);
		return n < 1 ? 1 : (size_t)n;
	}
	return 0;
}

size_t *
play_batches(const struct play *p, size_t n, size_t *nbatches)
{
	size_t *res = NULL, alloc = 0, done = 0, idx = 0;

	*nbatches = 0;
	while (done < n) {
		size_t sz = n - done;

		if (p->serial != NULL && p->serial->u.list.n > 0) {
			size_t s = serial_value(p->serial->u.list.items[idx],
			    n);

			if (s > 0 && s < sz)
				sz = s;
			if (idx + 1 < p->serial->u.list.n)
				idx++;
		}
		ALLOC_GROW(res, *nbatches + 1, alloc);
		res[(*nbatches)++] = sz;
		done += sz;
	}
	return res;
}

static int
has_tag(char *const *tags, size_t n, const char *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tags[i], t) == 0)
			return 1;
	return 0;
}

static int
list_has(char *const *list, const char *t)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], t) == 0)
			return 1;
	return 0;
}

int
task_tags_match(const struct play *p, const struct task *t,
    char *const *tags, char *const *skip_tags)
{
	char *all[256];
	const struct task *a;
	size_t n = 0, i;

	for (i = 0; i < p->ntags && n < ARRAY_SIZE(all); i++)
		all[n++] = p->tags[i];
	for (a = t; a != NULL; a = a->parent)    /* include_tasks: its tags */
		for (i = 0; (a == t || a->kind != TASK_INCLUDE) &&  /* are its */
		    i < a->ntags && n < ARRAY_SIZE(all); i++)      /* own */
			all[n++] = a->tags[i];
	for (i = 0; i < n; i++)
		if (list_has(skip_tags, all[i]))
			return 0;
	if (skip_tags != NULL && list_has(skip_tags, "tagged") && n > 0)
		return 0;
	if (skip_tags != NULL && list_has(skip_tags, "untagged") && n == 0)
		return 0;
	if (has_tag(all, n, "always"))
		return 1;
	if (tags == NULL || tags[0] == NULL)
		return !has_tag(all, n, "never");
	for (i = 0; i < n; i++)
		if (list_has(tags, all[i]))
			return 1;
	if (has_tag(all, n, "never"))
		return 0;
	if (list_has(tags, "all"))
		return 1;
	if (list_has(tags, "tagged") && n > 0)
		return 1;
	if (list_has(tags, "untagged") && n == 0)
		return 1;
	return 0;
}

/* ---- inherited keywords: the task's own, else the nearest block's ---- */

const struct task *
task_inh_parent(const struct task *t)
{
	for (t = t->parent; t != NULL && t->kind == TASK_INCLUDE; t = t->parent)
		;
	return t;
}

int
task_eff_ignore_errors(const struct task *t)
{
	for (; t != NULL; t = task_inh_parent(t))
		if (t->ignore_errors >= 0)
			return t->ignore_errors;
	return 0;
}

int
task_eff_no_log(const struct task *t)
{
	for (; t != NULL; t = task_inh_parent(t))
		if (t->no_log >= 0)
			return t->no_log;
	return 0;
}

int
task_eff_become(const struct task *t)
{
	for (; t != NULL; t = task_inh_parent(t))
		if (t->become >= 0)
			return t->become;
	return -1;
}

const char *
task_eff_become_user(const struct task *t)
{
	for (; t != NULL; t = task_inh_parent(t))
		if (t->become_user != NULL)
			return t->become_user;
	return NULL;
}

int
task_eff_check_mode(const struct task *t)
{
	for (; t != NULL; t = task_inh_parent(t))
		if (t->check_mode >= 0)
			return t->check_mode;
	return -1;
}

const char *
task_eff_delegate_to(const struct task *t)
{
	for (; t != NULL; t = task_inh_parent(t))
		if (t->delegate_to != NULL)
			return t->delegate_to;
	return NULL;
}

const struct task *
task_eff_notify(const struct task *t)
{
	const struct task *a;

	for (a = t; a != NULL; a = task_inh_parent(a))
		if (a->nnotify > 0)
			return a;
	return t;
}

int
task_eff_timeout(const struct task *t)
{
	for (; t != NULL; t = task_inh_parent(t))
		if (t->timeout > 0)
			return t->timeout;
	return 0;
}
