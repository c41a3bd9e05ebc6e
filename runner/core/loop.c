/* loop.c - the items of a loop, as Ansible's lookups build them; see
 * loop.h. */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner/core/loop.h"
#include "runner/util/banned.h"

#define SEQ_MAX 100000   /* items of one sequence or product (Ansible: no
                          * limit; a typo like end=1e9 must not eat the
                          * controller) */

typedef int (*lookup_fn)(const struct val *v, const char *basedir,
    struct val *out, struct strbuf *msg);

static void
push_flat(struct val *out, const struct val *v)
{
	size_t i;

	if (v->type != V_LIST) {
		val_list_push(out, val_copy(v));
		return;
	}
	for (i = 0; i < v->u.list.n; i++)
		val_list_push(out, val_copy(v->u.list.items[i]));
}

static int
lk_loop(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	struct strbuf s = STRBUF_INIT;

	(void)basedir;
	if (v->type != V_LIST) {
		val_to_str_py(v, &s);
		strbuf_addf(msg, "Invalid data passed to 'loop', it requires a "
		    "list, got this instead: %s", s.buf);
		strbuf_release(&s);
		return -1;
	}
	push_flat(out, v);
	return 0;
}

static int
lk_items(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	size_t i;

	(void)basedir;
	(void)msg;
	if (v->type != V_LIST) {
		if (v->type != V_NULL)
			val_list_push(out, val_copy(v));
		return 0;
	}
	for (i = 0; i < v->u.list.n; i++)
		push_flat(out, v->u.list.items[i]);
	return 0;
}

static int
lk_list(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	(void)basedir;
	(void)msg;
	push_flat(out, v);
	return 0;
}

static int
lk_indexed(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	struct val *flat = val_list();
	size_t i;

	lk_items(v, basedir, flat, msg);
	for (i = 0; i < flat->u.list.n; i++) {
		struct val *pair = val_list();

		val_list_push(pair, val_int((int64_t)i));
		val_list_push(pair, val_copy(flat->u.list.items[i]));
		val_list_push(out, pair);
	}
	val_free(flat);
	return 0;
}

static int
lk_dict(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	size_t i;

	(void)basedir;
	if (v->type != V_MAP) {
		strbuf_addf(msg, "with_dict expects a dict, got %s",
		    val_type_name(v->type));
		return -1;
	}
	for (i = 0; i < v->u.map.n; i++) {
		struct val *kv = val_map();

		val_map_set(kv, "key", val_str(v->u.map.items[i].key));
		val_map_set(kv, "value", val_copy(v->u.map.items[i].v));
		val_list_push(out, kv);
	}
	return 0;
}

/* The lists of with_together/with_nested: a scalar element is [scalar]. */
static int
sublists(const char *what, const struct val *v, struct strbuf *msg)
{
	if (v->type != V_LIST || v->u.list.n == 0) {
		strbuf_addf(msg, "with_%s requires at least one element in the "
		    "nested list", what);
		return -1;
	}
	return 0;
}

static const struct val *
elem(const struct val *l, size_t i, size_t *n)
{
	const struct val *e = l->u.list.items[i];

	*n = e->type == V_LIST ? e->u.list.n : 1;
	return e;
}

static int
lk_together(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	size_t i, j, n, longest = 0;

	(void)basedir;
	if (sublists("together", v, msg) < 0)
		return -1;
	for (i = 0; i < v->u.list.n; i++)
		if (elem(v, i, &n) && n > longest)
			longest = n;
	for (j = 0; j < longest; j++) {
		struct val *row = val_list();

		for (i = 0; i < v->u.list.n; i++) {
			const struct val *e = elem(v, i, &n);

			val_list_push(row, j >= n ? val_null() : e->type ==
			    V_LIST ? val_copy(e->u.list.items[j]) : val_copy(e));
		}
		val_list_push(out, row);
	}
	return 0;
}

static int
lk_nested(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	struct val *acc = val_list(), *next;
	size_t i, j, k, n;

	(void)basedir;
	if (sublists("nested", v, msg) < 0) {
		val_free(acc);
		return -1;
	}
	val_list_push(acc, val_list());
	for (i = 0; i < v->u.list.n; i++) {
		const struct val *e = elem(v, i, &n);

		if (n > 0 && acc->u.list.n > SEQ_MAX / n) {
			strbuf_addf(msg, "with_nested: more than %d items "
			    "(mend's limit)", SEQ_MAX);
			val_free(acc);
			return -1;
		}
		next = val_list();
		for (j = 0; j < acc->u.list.n; j++)
			for (k = 0; k < n; k++) {
				struct val *row = val_copy(acc->u.list.items[j]);

				val_list_push(row, val_copy(e->type == V_LIST ?
				    e->u.list.items[k] : e));
				val_list_push(next, row);
			}
		val_free(acc);
		acc = next;
	}
	for (j = 0; j < acc->u.list.n; j++)
		val_list_push(out, val_copy(acc->u.list.items[j]));
	val_free(acc);
	return 0;
}

/* ---- with_sequence ---- */

struct seq {
	long long start, end, stride, count;
	int have_end, have_count;
	const char *fmt;           /* points into the spec copy */
};

static int
seq_num(const char *s, long long *out)
{
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	else if (s[0] == '0' && s[1] == 'o')
		s += 2, base = 8;
	errno = 0;
	*out = strtoll(s, &end, base);
	return (*s == '\0' || *end != '\0' || errno != 0) ? -1 : 0;
}

static int
seq_kv(struct seq *q, char *word, struct strbuf *msg)
{
	char *eq = strchr(word, '=');
	long long n = 0;

	*eq = '\0';
	if (strcmp(word, "format") == 0) {
		q->fmt = eq + 1;
		return 0;
	}
	if (seq_num(eq + 1, &n) < 0) {
		strbuf_addf(msg, "can't parse %s=%s as integer", word, eq + 1);
		return -1;
	}
	if (strcmp(word, "start") == 0)
		q->start = n;
	else if (strcmp(word, "end") == 0)
		q->end = n, q->have_end = 1;
	else if (strcmp(word, "stride") == 0)
		q->stride = n;
	else if (strcmp(word, "count") == 0)
		q->count = n, q->have_count = 1;
	else {
		strbuf_addf(msg, "unrecognized arguments to with_sequence: "
		    "['%s']", word);
		return -1;
	}
	return 0;
}

static int
seq_part(const char *what, const char *s, long long *out,
    struct strbuf *msg)
{
	if (seq_num(s, out) == 0)
		return 0;
	strbuf_addf(msg, "can't parse %s=%s as integer", what, s);
	return -1;
}

/* "[start-]end[/stride][:format]" */
static int
seq_shortcut(struct seq *q, char *s, struct strbuf *msg)
{
	char *colon = strchr(s, ':'), *slash, *dash;

	if (colon != NULL) {
		*colon = '\0';
		q->fmt = colon + 1;
	}
	if ((slash = strchr(s, '/')) != NULL) {
		*slash = '\0';
		if (seq_part("stride", slash + 1, &q->stride, msg) < 0)
			return -1;
	}
	if (s[0] != '\0' && (dash = strchr(s + 1, '-')) != NULL) {
		*dash = '\0';
		if (seq_part("start", s, &q->start, msg) < 0)
			return -1;
		s = dash + 1;
	}
	q->have_end = 1;
	return seq_part("end", s, &q->end, msg);
}

/* The one conversion of a format: literal text, %[0-][width](d|i|u|s|o|x|X)
 * (Python's % of an integer; a format has exactly one '%', as Ansible). */
static int
seq_format(const char *fmt, long long n, struct strbuf *out,
    struct strbuf *msg)
{
	const char *p;
	int conv = 0;

	for (p = fmt; *p; p++) {
		char flag = 0, type;
		int width = 0;
		struct strbuf num = STRBUF_INIT;

		if (*p != '%') {
			strbuf_addch(out, *p);
			continue;
		}
		p++;
		if (*p == '0' || *p == '-')
			flag = *p++;
		while (isdigit((unsigned char)*p) && width < 1000)
			width = width * 10 + (*p++ - '0');
		type = *p;
		if (conv++ || !type || !strchr("diuoxXs", type)) {
			strbuf_addf(msg, "bad formatting string: %s", fmt);
			return -1;
		}
		if (type == 'd' || type == 'i' || type == 'u' || type == 's')
			strbuf_addf(&num, "%lld", n);
		else
			strbuf_addf(&num, type == 'o' ? "%llo" : type == 'x' ?
			    "%llx" : "%llX", (unsigned long long)n);
		while (flag != '-' && (int)num.len < width) {
			strbuf_addch(out, flag == '0' ? '0' : ' ');
			width--;
		}
		strbuf_addbuf(out, &num);
		while ((int)num.len < width--)
			strbuf_addch(out, ' ');
		strbuf_release(&num);
	}
	return 0;
}

static int
seq_bounds(struct seq *q, struct strbuf *msg)
{
	if (q->have_count && q->have_end) {
		strbuf_addstr(msg, "can't specify both count and end in "
		    "with_sequence");
		return -1;
	}
	if (!q->have_count && !q->have_end) {
		strbuf_addstr(msg, "must specify count or end in with_sequence");
		return -1;
	}
	if (q->have_count) {
		if (q->count < 0 || q->count > SEQ_MAX) {
			strbuf_addf(msg, "with_sequence: count must be from 0 "
			    "to %d", SEQ_MAX);
			return -1;
		}
		if (q->count == 0)
			q->start = q->end = q->stride = 0;
		else   /* Ansible's arithmetic, also for a negative stride */
			q->end = q->start + q->count * q->stride - 1;
	}
	if ((q->stride > 0 && q->end < q->start) ||
	    (q->stride < 0 && q->end > q->start)) {
		strbuf_addstr(msg, q->stride > 0 ? "to count backwards make "
		    "stride negative" : "to count forward don't make stride "
		    "negative");
		return -1;
	}
	if (strchr(q->fmt, '%') == NULL || strchr(q->fmt, '%') !=
	    strrchr(q->fmt, '%')) {
		strbuf_addf(msg, "bad formatting string: %s", q->fmt);
		return -1;
	}
	if (q->stride != 0 &&
	    llabs((q->end - q->start) / q->stride) >= SEQ_MAX) {
		strbuf_addf(msg, "with_sequence: more than %d items (mend's "
		    "limit)", SEQ_MAX);
		return -1;
	}
	return 0;
}

static int
seq_parse(struct seq *q, char *s, struct strbuf *msg)
{
	char *w;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;      /* as Ansible: must specify count or end */
	if (strchr(s, '=') == NULL)
		return seq_shortcut(q, s, msg);
	while (*s) {
		w = s;
		s += strcspn(s, " ,");
		if (*s)
			*s++ = '\0';
		if (*w == '\0')
			continue;
		if (strchr(w, '=') == NULL) {
			strbuf_addf(msg, "can't parse arg '%s' of with_sequence "
			    "(key=value expected)", w);
			return -1;
		}
		if (seq_kv(q, w, msg) < 0)
			return -1;
	}
	return 0;
}

int
loop_sequence(const char *spec, struct val *out, struct strbuf *msg)
{
	struct seq q = { .start = 1, .stride = 1, .fmt = "%d" };
	char *s = xstrdup(spec);
	long long i;
	int ret = -1;

	if (seq_parse(&q, s, msg) < 0 || seq_bounds(&q, msg) < 0)
		goto out;
	if (q.stride == 0) {      /* Ansible: no items */
		ret = 0;
		goto out;
	}
	for (i = q.start; q.stride > 0 ? i <= q.end : i >= q.end;
	    i += q.stride) {
		struct strbuf item = STRBUF_INIT;

		if (seq_format(q.fmt, i, &item, msg) < 0) {
			strbuf_release(&item);
			goto out;
		}
		val_list_push(out, val_str_take(strbuf_detach(&item, NULL)));
	}
	ret = 0;
out:
	free(s);
	return ret;
}

static int
lk_sequence(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	struct strbuf s = STRBUF_INIT;
	size_t i, n = v->type == V_LIST ? v->u.list.n : 1;
	int ret = 0;

	(void)basedir;
	for (i = 0; i < n && ret == 0; i++) {
		strbuf_setlen(&s, 0);
		val_to_str(v->type == V_LIST ? v->u.list.items[i] : v, &s);
		ret = loop_sequence(s.buf, out, msg);
	}
	strbuf_release(&s);
	return ret;
}

/* ---- with_fileglob ---- */

static void
glob_into(const char *pattern, struct val *out)
{
	glob_t g;
	size_t i;
	struct stat st;

	memset(&g, 0, sizeof(g));
	if (glob(pattern, 0, NULL, &g) == 0)
		for (i = 0; i < g.gl_pathc; i++)
			if (stat(g.gl_pathv[i], &st) == 0 &&
			    S_ISREG(st.st_mode))
				val_list_push(out, val_str(g.gl_pathv[i]));
	globfree(&g);
}

static int
lk_fileglob(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	struct strbuf s = STRBUF_INIT, p = STRBUF_INIT;
	size_t i, n = v->type == V_LIST ? v->u.list.n : 1, before;

	(void)msg;
	for (i = 0; i < n; i++) {
		strbuf_setlen(&s, 0);
		val_to_str(v->type == V_LIST ? v->u.list.items[i] : v, &s);
		if (s.buf[0] == '/') {
			glob_into(s.buf, out);
			continue;
		}
		before = out->u.list.n;
		strbuf_setlen(&p, 0);
		strbuf_addf(&p, "%s/files/%s", basedir, s.buf);
		glob_into(p.buf, out);
		if (out->u.list.n > before)
			continue;
		strbuf_setlen(&p, 0);
		strbuf_addf(&p, "%s/%s", basedir, s.buf);
		glob_into(p.buf, out);
	}
	strbuf_release(&s);
	strbuf_release(&p);
	return 0;
}

/* ---- with_subelements ---- */

static int
sub_args(const struct val *v, const char **key, int *skip,
    struct strbuf *msg)
{
	const struct val *flags, *sm;

	*skip = 0;
	if (v->type != V_LIST || v->u.list.n < 2 || v->u.list.n > 3 ||
	    v->u.list.items[0]->type != V_LIST ||
	    v->u.list.items[1]->type != V_STR) {
		strbuf_addstr(msg, "subelements lookup expects a list of two "
		    "or three items, a list of mappings and a key name");
		return -1;
	}
	*key = v->u.list.items[1]->u.str.s;
	flags = v->u.list.n == 3 ? v->u.list.items[2] : NULL;
	if (flags != NULL && (flags->type != V_MAP ||
	    (flags->u.map.n == 1 && !val_map_get(flags, "skip_missing")) ||
	    flags->u.map.n > 1)) {
		strbuf_addstr(msg, "the optional third item of subelements "
		    "must be a dictionary with flags skip_missing");
		return -1;
	}
	sm = flags ? val_map_get(flags, "skip_missing") : NULL;
	*skip = sm != NULL && val_truthy(sm);
	return 0;
}

static int
lk_subelements(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	const char *key;
	size_t i, j;
	int skip;

	(void)basedir;
	if (sub_args(v, &key, &skip, msg) < 0)
		return -1;
	for (i = 0; i < v->u.list.items[0]->u.list.n; i++) {
		const struct val *m = v->u.list.items[0]->u.list.items[i];
		const struct val *sub = m->type == V_MAP ? val_map_get(m, key)
		    : NULL;
		struct val *parent;

		if (m->type != V_MAP) {
			strbuf_addstr(msg, "subelements lookup expects a list "
			    "of mappings");
			return -1;
		}
		if (sub == NULL && skip)
			continue;
		if (sub == NULL || sub->type != V_LIST) {
			strbuf_addf(msg, sub ? "the key %s should point to a "
			    "list, got '%s'" : "could not find '%s' key in "
			    "iterated item", key, sub ? val_type_name(sub->type)
			    : "");
			return -1;
		}
		for (j = 0; j < sub->u.list.n; j++) {
			struct val *row = val_list();

			parent = val_copy(m);
			val_map_del(parent, key);
			val_list_push(row, parent);
			val_list_push(row, val_copy(sub->u.list.items[j]));
			val_list_push(out, row);
		}
	}
	return 0;
}

/* community.general's flattened: a list of one list is its item, the
 * string 'None' or 'null' ends the level, lists flattened at every
 * depth */
static size_t
str_stripped_len(const char *s)
{
	size_t b = strspn(s, " \t\n\r\v\f"), e = strlen(s);

	while (e > b && strchr(" \t\n\r\v\f", s[e - 1]) != NULL)
		e--;
	return e - b;
}

static const struct val *
one_list_item(const struct val *t)
{
	while (t->type == V_LIST && t->u.list.n == 1)
		t = t->u.list.items[0];
	return t;
}

static void
flatten_all(const struct val *l, struct val *out, int depth)
{
	const struct val *t;
	size_t i;

	for (i = 0; i < l->u.list.n; i++) {
		t = one_list_item(l->u.list.items[i]);
		if (t->type == V_STR && (strcmp(t->u.str.s, "None") == 0 ||
		    strcmp(t->u.str.s, "null") == 0))
			break;
		if (t->type == V_LIST && depth < 64)
			flatten_all(t, out, depth + 1);
		else if (t->type == V_STR)   /* listify strips a string */
			val_list_push(out, val_strn(t->u.str.s + strspn(t->u.str.s,
			    " \t\n\r\v\f"), str_stripped_len(t->u.str.s)));
		else
			val_list_push(out, val_copy(t));
	}
}

static int
lk_flattened(const struct val *v, const char *basedir, struct val *out,
    struct strbuf *msg)
{
	struct val *terms = val_list();

	(void)basedir;
	(void)msg;
	val_list_push(terms, val_copy(v));
	if (v->type == V_LIST)
		flatten_all(v, out, 0);
	else
		flatten_all(terms, out, 0);
	val_free(terms);
	return 0;
}

static const struct lookup {
	const char *name;
	lookup_fn fn;
} lookups[] = {
	{ "loop", lk_loop },
	{ "items", lk_items },
	{ "list", lk_list },
	{ "indexed_items", lk_indexed },
	{ "dict", lk_dict },
	{ "together", lk_together },
	{ "nested", lk_nested },
	{ "sequence", lk_sequence },
	{ "fileglob", lk_fileglob },
	{ "subelements", lk_subelements },
	{ "flattened", lk_flattened },
	{ "community.general.flattened", lk_flattened },
};

static const struct lookup *
lookup_find(const char *name)
{
	size_t i;

	if (strncmp(name, "ansible.builtin.", 16) == 0)
		name += 16;
	else if (strncmp(name, "ansible.legacy.", 15) == 0)
		name += 15;
	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
		if (strcmp(lookups[i].name, name) == 0)
			return &lookups[i];
	return NULL;
}

int
loop_lookup_known(const char *lookup)
{
	return lookup_find(lookup) != NULL;
}

int
loop_items(const char *lookup, const struct val *v, const char *basedir,
    struct val **out, struct strbuf *msg)
{
	const struct lookup *l = lookup_find(lookup);

	*out = val_list();
	if (l == NULL) {
		strbuf_addf(msg, "with_%s is not supported by mend", lookup);
	} else if (l->fn(v, basedir ? basedir : ".", *out, msg) == 0) {
		return 0;
	}
	val_free(*out);
	*out = NULL;
	return -1;
}
