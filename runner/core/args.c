/* args.c - module argument validation and coercion; see args.h. */
#include <stdlib.h>
#include <string.h>

#include "runner/core/args.h"
#include "runner/core/homepath.h"
#include "runner/core/remotefile.h"
#include "runner/util/suggest.h"
#include "runner/template/template.h"
#include "runner/util/banned.h"

const char *
arg_type_name(enum arg_type t)
{
	static const char *names[] = { "string", "integer", "boolean", "list",
	    "mapping", "absolute path", "file mode", "any" };

	return names[t];
}

static const struct module_arg *
find_arg(const struct module *m, const char *name, int *is_alias)
{
	const struct module_arg *a;

	*is_alias = 0;
	for (a = m->args; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	for (a = m->args; a->name != NULL; a++) {
		const char *p = a->aliases;
		size_t n = strlen(name);

		while (p != NULL && *p != '\0') {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);

			if (len == n && strncmp(p, name, n) == 0) {
				*is_alias = 1;
				return a;
			}
			p = bar ? bar + 1 : NULL;
		}
	}
	return NULL;
}

static int
in_choices(const char *choices, const char *s)
{
	size_t n = strlen(s);
	const char *p = choices;

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, s, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

static int
has_template(const struct val *v)
{
	size_t i;

	if (v->type == V_STR)
		return tmpl_has(v->u.str.s);
	if (v->type == V_LIST) {
		for (i = 0; i < v->u.list.n; i++)
			if (has_template(v->u.list.items[i]))
				return 1;
	}
	if (v->type == V_MAP) {
		for (i = 0; i < v->u.map.n; i++)
			if (has_template(v->u.map.items[i].v))
				return 1;
	}
	return 0;
}

static int
is_mode(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 3 || n > 5)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '7')
			return 0;
	return 1;
}

/* Convert v to the argument's type: returns a new val, or NULL with an
 * error recorded at v's position. */
static struct val *
coerce(const struct module *m, const struct module_arg *a,
    const struct val *v, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct val *res = NULL;
	int64_t n;
	int b;

	switch (a->type) {
	case ARG_RAW:
		return val_copy(v);
	case ARG_STR:
	case ARG_PATH:
		if (v->type == V_LIST || v->type == V_MAP)
			break;
		val_to_str(v, &sb);
		if (a->type == ARG_PATH && !homepath_ok(sb.buf)) {
			err_setpos(e, &v->pos, "module '%s': argument '%s' "
			    "must be an absolute path (or start with ~), got "
			    "'%s'", m->name,
			    a->name, sb.buf);
			strbuf_release(&sb);
			return NULL;
		}
		res = val_str_take(strbuf_detach(&sb, NULL));
		break;
	case ARG_INT:
		if (v->type != V_BOOL && val_to_int(v, &n) == 0)
			res = val_int(n);
		break;
	case ARG_BOOL:
		if ((b = val_to_bool(v)) >= 0 && v->type != V_NULL)
			res = val_bool(b);
		break;
	case ARG_MODE:
		if (v->type == V_INT && v->u.i >= 0 && v->u.i <= 07777) {
			/* YAML 1.1 reads 0640 as octal; mend keeps "0640",
			 * so an int here is decimal digits, e.g. 644 */
			strbuf_addf(&sb, "%04lld", (long long)v->u.i);
			if (is_mode(sb.buf))
				res = val_str_take(strbuf_detach(&sb, NULL));
		} else if (v->type == V_STR && rf_mode_valid(v->u.str.s)) {
			res = val_str(v->u.str.s);
		}
		break;
	case ARG_LIST:
		if (v->type == V_LIST) {
			res = val_copy(v);
		} else if (v->type != V_MAP && v->type != V_NULL) {
			res = val_list();
			val_list_push(res, val_copy(v));
		}
		break;
	case ARG_MAP:
		if (v->type == V_MAP)
			res = val_copy(v);
		break;
	}
	strbuf_release(&sb);
	if (res == NULL) {
		err_setpos(e, &v->pos, "module '%s': argument '%s' must be %s"
		    " %s, got %s", m->name, a->name,
		    a->type == ARG_INT ? "an" : "a", arg_type_name(a->type),
		    val_type_name(v->type));
		return NULL;
	}
	if (a->choices != NULL && res->type == V_STR &&
	    !in_choices(a->choices, res->u.str.s)) {
		err_setpos(e, &v->pos, "module '%s': argument '%s' must be one "
		    "of %s, got '%s'", m->name, a->name, a->choices,
		    res->u.str.s);
		val_free(res);
		return NULL;
	}
	res->pos = v->pos;
	res->unsafe = v->unsafe;
	return res;
}

static const char *const *
arg_names(const struct module *m, const char **buf, size_t n)
{
	size_t i;

	for (i = 0; m->args[i].name != NULL && i + 1 < n; i++)
		buf[i] = m->args[i].name;
	buf[i] = NULL;
	return buf;
}

static int
check_unknown(const struct module *m, const char *key, const struct pos *pos,
    struct err *e)
{
	const char *names[64];
	const char *s;

	if (strcmp(key, "_raw_params") == 0 && (m->flags & MOD_FREE_FORM))
		return 0;
	if (m->flags & MOD_ANY_ARGS)
		return 0;
	s = suggest(key, arg_names(m, names, ARRAY_SIZE(names)));
	if (s != NULL)
		return err_setpos(e, pos, "module '%s' has no argument "
		    "'%s' (did you mean '%s'?)", m->name, key, s);
	return err_setpos(e, pos, "module '%s' has no argument '%s'",
	    m->name, key);
}

int
args_normalize(const struct module *m, struct val *args, struct err *e)
{
	const struct module_arg *a;
	size_t i;
	int ret = 0, alias;

	for (i = 0; i < args->u.map.n; i++) {
		const char *key = args->u.map.items[i].key;
		struct val *v = args->u.map.items[i].v;

		a = find_arg(m, key, &alias);
		if (a == NULL) {
			ret = check_unknown(m, key, val_map_keypos(args, key),
			    e) < 0 ? -1 : ret;
			continue;
		}
		if (alias && val_map_get(args, a->name) != NULL) {
			ret = err_setpos(e, val_map_keypos(args, key),
			    "module '%s': '%s' and its "
			    "alias '%s' are both set", m->name, a->name, key);
			continue;
		}
		if (alias) {
			free(args->u.map.items[i].key);
			args->u.map.items[i].key = xstrdup(a->name);
		}
		if (!has_template(v) && v->type != V_NULL) {
			struct val *c = coerce(m, a, v, e);

			if (c == NULL)
				ret = -1;
			val_free(c);
		}
	}
	for (a = m->args; a->name != NULL; a++)
		if (a->required && val_map_get(args, a->name) == NULL)
			ret = err_setpos(e, &args->pos, "module '%s': missing "
			    "required argument '%s'", m->name, a->name);
	if (ret == 0 && m->validate != NULL)
		ret = m->validate(args, e);
	return ret;
}

int
args_coerce(const struct module *m, const struct val *rendered,
    const struct pos *taskpos, struct val **out, struct err *e)
{
	const struct module_arg *a;
	struct val *res = val_map();
	int ret = 0;
	size_t i;

	res->pos = *taskpos;
	for (a = m->args; a->name != NULL; a++) {
		const struct val *v = val_map_get(rendered, a->name);
		struct val *tmp = NULL, *c;

		if ((v == NULL || v->type == V_NULL) && a->def != NULL) {
			tmp = val_str(a->def);
			tmp->pos = *taskpos;
			v = tmp;
		}
		if (v == NULL || v->type == V_NULL) {
			if (a->required)
				ret = err_setpos(e, taskpos, "module '%s': "
				    "missing required argument '%s'", m->name,
				    a->name);
			continue;
		}
		c = coerce(m, a, v, e);
		val_free(tmp);
		if (c == NULL) {
			ret = -1;
			continue;
		}
		val_map_set(res, a->name, c);
	}
	for (i = 0; (m->flags & MOD_ANY_ARGS) && i < rendered->u.map.n; i++) {
		int alias;

		if (find_arg(m, rendered->u.map.items[i].key, &alias) == NULL)
			val_map_set(res, rendered->u.map.items[i].key,
			    val_copy(rendered->u.map.items[i].v));
	}
	if ((m->flags & MOD_FREE_FORM) &&
	    val_map_get(rendered, "_raw_params") != NULL) {
		const struct val *raw = val_map_get(rendered, "_raw_params");
		struct strbuf sb = STRBUF_INIT;
		struct val *c;

		val_to_str(raw, &sb);
		c = val_str_take(strbuf_detach(&sb, NULL));
		if (raw->unsafe)        /* a vault value: the task is no_log */
			val_mark_unsafe(c);
		val_map_set(res, "_raw_params", c);
	}
	if (ret < 0) {
		val_free(res);
		return -1;
	}
	*out = res;
	return 0;
}

/* Split "k=v k2='a b'" into words honouring quotes; returns count. */
static size_t
split_words(const char *s, char ***words, size_t **offs)
{
	size_t n = 0, alloc = 0, oalloc = 0;
	const char *p = s;

	*words = NULL;
	*offs = NULL;
	while (*p != '\0') {
		struct strbuf w = STRBUF_INIT;
		char q = 0;
		int depth = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		ALLOC_GROW(*offs, n + 1, oalloc);
		(*offs)[n] = (size_t)(p - s);
		for (; *p != '\0' && (q || depth > 0 || (*p != ' ' &&
		    *p != '\t' && *p != '\n')); p++) {
			if (!q && p[0] == '{' && p[1] == '{') {
				depth++;
				strbuf_add(&w, p++, 2);
				continue;
			}
			if (!q && depth > 0 && p[0] == '}' && p[1] == '}') {
				depth--;
				strbuf_add(&w, p++, 2);
				continue;
			}
			if (depth > 0) {      /* template text is kept as is */
				strbuf_addch(&w, *p);
				continue;
			}
			if (q && *p == q)
				q = 0;
			else if (!q && (*p == '\'' || *p == '"'))
				q = *p;
			else if (*p == '\\' && p[1] != '\0' && q != '\'')
				strbuf_addch(&w, *++p);
			else
				strbuf_addch(&w, *p);
		}
		ALLOC_GROW(*words, n + 1, alloc);
		(*words)[n++] = strbuf_detach(&w, NULL);
	}
	return n;
}

static int
kv_known(const struct module *m, const char *w, char **k, char **v)
{
	const char *eq = strchr(w, '=');
	int alias;

	if (eq == NULL || eq == w)
		return 0;
	*k = xstrndup(w, (size_t)(eq - w));
	if (find_arg(m, *k, &alias) == NULL) {
		free(*k);
		return 0;
	}
	*v = xstrdup(eq + 1);
	return 1;
}

int
args_from_string(const struct module *m, const struct val *s,
    struct val **out, struct err *e)
{
	struct val *res = val_map();
	char **words, *k, *v;
	size_t *offs, n, i, first = 0, last;
	int ret = 0;

	res->pos = s->pos;
	n = split_words(s->u.str.s, &words, &offs);
	last = n;
	if (m->flags & MOD_FREE_FORM) {
		while (first < n && kv_known(m, words[first], &k, &v)) {
			val_map_set(res, k, val_str_take(v));
			val_map_get(res, k)->pos = s->pos;
			free(k);
			first++;
		}
		while (last > first && kv_known(m, words[last - 1], &k, &v)) {
			val_map_set(res, k, val_str_take(v));
			val_map_get(res, k)->pos = s->pos;
			free(k);
			last--;
		}
		if (first < last) {
			size_t end = last < n ? offs[last] : strlen(s->u.str.s);
			struct val *raw = val_strn(s->u.str.s + offs[first],
			    end - offs[first]);

			while (raw->u.str.len > 0 && strchr(" \t\n",
			    raw->u.str.s[raw->u.str.len - 1]))
				raw->u.str.s[--raw->u.str.len] = '\0';
			raw->pos = s->pos;
			val_map_set(res, "_raw_params", raw);
		}
	} else {
		for (i = 0; i < n; i++) {
			const char *eq = strchr(words[i], '=');

			if (eq == NULL || eq == words[i]) {
				ret = err_setpos(e, &s->pos, "module '%s' "
				    "takes key=value arguments, got '%s'",
				    m->name, words[i]);
				continue;
			}
			k = xstrndup(words[i], (size_t)(eq - words[i]));
			val_map_set(res, k, val_str(eq + 1));
			val_map_get(res, k)->pos = s->pos;
			free(k);
		}
	}
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
	free(offs);
	if (ret < 0) {
		val_free(res);
		return -1;
	}
	*out = res;
	return 0;
}
