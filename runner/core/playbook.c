/* playbook.c - parse and validate playbooks; see playbook.h. */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/core/playbook.h"
#include "runner/core/window.h"
#include "runner/util/ansible_names.h"
#include "runner/util/suggest.h"
#include "runner/template/template.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

static const char *const task_keys[] = {
	"name", "args", "when", "register", "notify", "changed_when",
	"failed_when", "ignore_errors", "tags", "no_log", "become",
	"become_user", "check_mode", "timeout", "listen", NULL
};
/* Ansible keywords mend knowingly does not support. */
static const char *const unsupported_keys[] = {
	"loop", "loop_control", "with_items", "with_dict", "with_list",
	"with_fileglob", "with_together", "with_nested", "with_sequence",
	"with_subelements", "with_first_found", "with_lines", "with_random_choice",
	"block", "rescue", "always", "roles", "pre_tasks", "post_tasks",
	"import_tasks", "include_tasks", "import_role", "include_role",
	"import_playbook", "include", "include_vars", "delegate_to",
	"delegate_facts", "local_action", "action", "async", "poll", "until",
	"retries", "delay", "run_once", "environment", "vars_prompt",
	"strategy", "collections", "module_defaults", "throttle", "order",
	"diff", "debugger", "any_errors_fatal_task", "become_method",
	"become_flags", "port", "ignore_unreachable", "force_handlers",
	"fact_path", "gather_subset", "gather_timeout", "set_fact",
	"meta", NULL
};

struct pctx {
	struct err *e;
	const char *dir;        /* playbook directory, for vars_files */
	const struct val *cur;  /* the play mapping being parsed */
};

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

static void
task_free(struct task *t)
{
	free(t->name);
	val_free(t->args);
	cond_free(&t->when);
	cond_free(&t->changed_when);
	cond_free(&t->failed_when);
	free(t->register_);
	free_strlist(t->notify, t->nnotify);
	free_strlist(t->listen, t->nlisten);
	free_strlist(t->tags, t->ntags);
	free(t->become_user);
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

static int
unknown_module(struct pctx *c, const char *name, const struct pos *pos)
{
	const char *s, *full;
	int kind = ansible_module_lookup(name, &full);

	if (kind != 0) {
		char *cite = xasprintf("%s%s", kind == 1 ? "ansible.builtin." :
		    "", full);
		int same = strcmp(cite, name) == 0;

		err_setpos(c->e, pos, "'%s' is an Ansible module%s%s%s that "
		    "mend does not have (see 'mend modules')", name,
		    same ? "" : " (", same ? "" : cite, same ? "" : ")");
		free(cite);
		return -1;
	}
	s = module_suggest(name);

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
task_key(struct pctx *c, struct task *t, const char *k, const struct val *v,
    const struct pos *kpos, int handler)
{
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
		return get_bool(c, k, v, &t->ignore_errors);
	if (strcmp(k, "no_log") == 0)
		return get_bool(c, k, v, &t->no_log);
	if (strcmp(k, "become") == 0)
		return get_bool(c, k, v, &t->become);
	if (strcmp(k, "become_user") == 0)
		return (t->become_user = get_str(c, k, v)) ? 0 : -1;
	if (strcmp(k, "check_mode") == 0)
		return get_bool(c, k, v, &t->check_mode);
	if (strcmp(k, "timeout") == 0)
		return get_int(c, k, v, 1, 86400, &t->timeout);
	return bad_key(c, handler ? "handler" : "task", k, kpos, task_keys);
}

static int
parse_task(struct pctx *c, const struct val *tv, struct task *t, int handler)
{
	const char *modkey = NULL, *full;
	const struct val *modval = NULL, *extra = NULL;
	const struct pos *modpos = NULL;
	size_t i;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->become = -1;
	t->check_mode = -1;
	t->pos = tv->pos;
	if (tv->type != V_MAP)
		return err_setpos(c->e, &tv->pos, "a task must be a mapping, "
		    "got %s", val_type_name(tv->type));
	for (i = 0; i < tv->u.map.n; i++) {
		const char *k = tv->u.map.items[i].key;
		const struct val *v = tv->u.map.items[i].v;
		const struct pos *kp = val_map_keypos(tv, k);

		if (strcmp(k, "args") == 0) {
			if (v->type != V_MAP)
				ret = err_setpos(c->e, &v->pos, "'args' must "
				    "be a mapping");
			extra = v;
		} else if (strcmp(k, "vars") == 0) {
			ret = err_setpos(c->e, kp, "task keyword 'vars' "
			    "is not supported by mend (use play vars)");
		} else if (is_in(k, task_keys) || is_in(k, unsupported_keys)) {
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
	if (handler && t->name == NULL && ret == 0)
		ret = err_setpos(c->e, &tv->pos, "a handler needs a 'name'");
	return ret;
}

static int
parse_tasks(struct pctx *c, const struct val *v, struct task **out,
    size_t *n, int handler)
{
	size_t i;
	int ret = 0;

	if (v->type == V_NULL)
		return 0;
	if (v->type != V_LIST)
		return err_setpos(c->e, &v->pos, "'%s' must be a list",
		    handler ? "handlers" : "tasks");
	*out = xcalloc(v->u.list.n, sizeof(**out));
	for (i = 0; i < v->u.list.n; i++) {
		if (parse_task(c, v->u.list.items[i], &(*out)[i], handler) < 0)
			ret = -1;
		*n = i + 1;
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

static int
parse_serial(struct pctx *c, struct play *p, const struct val *v)
{
	const struct val *items = v;
	size_t i;

	p->serial = val_list();
	if (v->type != V_LIST) {
		p->serial->pos = v->pos;
		items = NULL;
	}
	for (i = 0; items ? i < items->u.list.n : i < 1; i++) {
		const struct val *it = items ? items->u.list.items[i] : v;
		int64_t n;
		size_t len;

		if (it->type == V_INT && it->u.i >= 0) {
			val_list_push(p->serial, val_copy(it));
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
				val_list_push(p->serial, val_copy(it));
				continue;
			}
			free(num);
		} else if (it->type == V_STR && val_to_int(it, &n) == 0 &&
		    n >= 0) {
			val_list_push(p->serial, val_int(n));
			continue;
		}
		return err_setpos(c->e, &it->pos, "'serial' takes an integer, "
		    "a percentage like \"30%%\", or a list of them");
	}
	return 0;
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

static int
pk_gather_facts(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	int b = 0;

	(void)p;
	if (get_bool(c, k, v, &b) < 0)
		return -1;
	if (b)
		return err_setpos(c->e, &v->pos, "gather_facts: true is not "
		    "supported (mend gathers no facts; use 'gather_facts: "
		    "false' and the *_facts modules)");
	return 0;
}

static int
pk_connection(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	(void)p;
	(void)k;
	if (v->type != V_STR || (strcmp(v->u.str.s, "ssh") != 0 &&
	    strcmp(v->u.str.s, "local") != 0))
		return err_setpos(c->e, &v->pos, "'connection' must be "
		    "'ssh' or 'local'");
	return err_setpos(c->e, &v->pos, "play keyword 'connection' is not "
	    "supported; set ansible_connection in the inventory");
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
	return get_int(c, k, v, 0, 100, &p->max_fail_pct);
}

static int
pk_any_errors_fatal(struct pctx *c, struct play *p, const char *k,
    const struct val *v)
{
	return get_bool(c, k, v, &p->any_errors_fatal);
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
	{ "gather_facts", pk_gather_facts },
	{ "serial", pk_serial },
	{ "max_fail_percentage", pk_max_fail },
	{ "any_errors_fatal", pk_any_errors_fatal },
	{ "tags", pk_tags },
	{ "tasks", pk_tasks },
	{ "handlers", pk_handlers },
	{ "remote_user", pk_remote_user },
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

	for (i = 0; i < n; i++)
		for (j = 0; j < ts[i].nnotify; j++)
			if (!handler_exists(p, ts[i].notify[j]))
				ret = err_setpos(c->e, &ts[i].pos, "task "
				    "notifies handler '%s', which this play "
				    "does not define", ts[i].notify[j]);
	return ret;
}

static int
parse_play(struct pctx *c, const struct val *pv, struct play *p)
{
	size_t i;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->become = -1;
	p->max_fail_pct = -1;
	p->window_margin = -1;
	p->vars = val_map();
	p->pos = pv->pos;
	p->playbook_dir = realpath(c->dir, NULL);
	c->cur = pv;
	if (pv->type != V_MAP)
		return err_setpos(c->e, &pv->pos, "a play must be a mapping, "
		    "got %s", val_type_name(pv->type));
	/* vars first, so vars_files (higher precedence) are merged after */
	for (i = 0; i < pv->u.map.n; i++)
		if (strcmp(pv->u.map.items[i].key, "vars") == 0 &&
		    play_key(c, p, "vars", pv->u.map.items[i].v) < 0)
			ret = -1;
	for (i = 0; i < pv->u.map.n; i++) {
		const char *k = pv->u.map.items[i].key;

		if (strcmp(k, "vars") != 0 &&
		    play_key(c, p, k, pv->u.map.items[i].v) < 0)
			ret = -1;
	}
	if (p->hosts == NULL && ret == 0)
		return err_setpos(c->e, &pv->pos, "play has no 'hosts'");
	if (ret == 0) {
		ret |= check_notify(c, p, p->tasks, p->ntasks);
		ret |= check_notify(c, p, p->handlers, p->nhandlers);
	}
	return ret ? -1 : 0;
}

int
playbook_load(const char *path, struct playbook **out, struct err *e)
{
	struct playbook *pb = xcalloc(1, sizeof(*pb));
	struct val *root = NULL;
	struct pctx c;
	char *dcopy = xstrdup(path);
	size_t i;
	int ret = -1;

	c.e = e;
	c.dir = dirname(dcopy);
	pb->path = xstrdup(path);
	*out = NULL;
	if (yaml_load_file(path, &root, e) < 0)
		goto out;
	if (root->type != V_LIST) {
		err_setpos(e, &root->pos, "a playbook must be a list of plays");
		goto out;
	}
	pb->plays = xcalloc(root->u.list.n ? root->u.list.n : 1,
	    sizeof(*pb->plays));
	ret = 0;
	for (i = 0; i < root->u.list.n; i++) {
		if (parse_play(&c, root->u.list.items[i], &pb->plays[i]) < 0)
			ret = -1;
		pb->nplays = i + 1;
	}
	if (root->u.list.n == 0)
		ret = err_setpos(e, &root->pos, "the playbook has no plays");
out:
	val_free(root);
	free(dcopy);
	if (ret < 0)
		playbook_free(pb);
	else
		*out = pb;
	return ret;
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
	free_strlist(p->tags, p->ntags);
	for (i = 0; i < p->ntasks; i++)
		task_free(&p->tasks[i]);
	free(p->tasks);
	for (i = 0; i < p->nhandlers; i++)
		task_free(&p->handlers[i]);
	free(p->handlers);
	free(p->remote_user);
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
	size_t n = 0, i;

	for (i = 0; i < p->ntags && n < ARRAY_SIZE(all); i++)
		all[n++] = p->tags[i];
	for (i = 0; i < t->ntags && n < ARRAY_SIZE(all); i++)
		all[n++] = t->tags[i];
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
