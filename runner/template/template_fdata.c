/*
 * template_fdata.c - filters on lists and mappings (Jinja2's and
 * Ansible's, same results as ansible-core 2.14):
 *   list  sort(reverse, case_sensitive, attribute)  reverse  unique
 *   union intersect difference symmetric_difference  flatten(levels,
 *   skip_nulls)  zip  min max  sum(attribute, start)
 *   subelements(keys, skip_missing)  combine(dicts..., recursive,
 *   list_merge=replace|keep|append|prepend)  dict2items items2dict
 *   (key_name, value_name)  dict (from pairs)  items  dictsort
 *   select reject
 *   selectattr rejectattr  map(filter | attribute=, default=)
 *   ternary(a, b, none_val)  mandatory(msg)  extract(container)
 *   batch(n, fill)
 * select/reject/selectattr/rejectattr and map call the tests and filters
 * of this engine by name.
 */
#include <stdlib.h>
#include <string.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

/* Jinja2's make_attrgetter: a dotted path, a part of digits indexing a
 * list; NULL when a part is missing. */
static const struct val *
attr_get(const struct val *v, const char *path)
{
	const char *s, *d;

	for (s = path; v != NULL; s = d + 1) {
		size_t len;
		char *key;

		d = strchrnul(s, '.');
		len = (size_t)(d - s);
		if (v->type == V_LIST && len > 0 && len < 10 &&
		    strspn(s, "0123456789") >= len) {
			size_t i = (size_t)strtoul(s, NULL, 10);

			v = i < v->u.list.n ? v->u.list.items[i] : NULL;
		} else if (v->type == V_MAP) {
			key = xstrndup(s, len);
			v = val_map_get(v, key);
			free(key);
		} else {
			v = NULL;
		}
		if (*d == '\0')
			break;
	}
	return v;
}

static int
need_iter(struct ectx *cx, const struct node *n, const struct val *v,
    struct val **items)
{
	*items = tmpl_iter_list(v);
	if (*items != NULL)
		return 0;
	return terr_set(cx->err, n->off, "'%s' filter needs a list, not %s",
	    n->name, val_type_name(v->type));
}

static int
f_list(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *l;

	(void)fa;
	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	res_set(out, l);
	return 0;
}

/* Python ordering for sort/min/max: numbers, strings, lists. */
static int
py_cmp(const struct val *a, const struct val *b, int fold, int *bad)
{
	size_t m;
	int r;

	if ((a->type == V_INT || a->type == V_BOOL) &&
	    (b->type == V_INT || b->type == V_BOOL)) {
		int64_t x = a->type == V_INT ? a->u.i : a->u.b;
		int64_t y = b->type == V_INT ? b->u.i : b->u.b;

		return x < y ? -1 : x > y;
	}
	if (a->type == V_STR && b->type == V_STR) {
		m = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
		r = fold ? strncasecmp(a->u.str.s, b->u.str.s, m) :
		    memcmp(a->u.str.s, b->u.str.s, m);
		if (r == 0)
			r = a->u.str.len < b->u.str.len ? -1 :
			    a->u.str.len > b->u.str.len;
		return r < 0 ? -1 : r > 0;
	}
	*bad = 1;
	return 0;
}

struct sortctx {
	const char *attr;
	int fold, rev, bad;
};

static const struct val *
sort_key(const struct val *v, const char *attr)
{
	const struct val *k;

	if (attr == NULL)
		return v;
	if (v->type == V_LIST && v->u.list.n == 2 && (attr[0] == '0' ||
	    attr[0] == '1') && attr[1] == '\0')
		return v->u.list.items[attr[0] - '0'];      /* dictsort pairs */
	k = v->type == V_MAP ? val_map_getpath(v, attr) : NULL;
	return k != NULL ? k : v;
}

/* Stable insertion sort (lists in templates are short). */
static void
sort_items(struct val **it, size_t n, struct sortctx *sc)
{
	size_t i, j;
	struct val *t;
	int c;

	for (i = 1; i < n; i++) {
		t = it[i];
		for (j = i; j > 0; j--) {
			c = py_cmp(sort_key(it[j - 1], sc->attr),
			    sort_key(t, sc->attr), sc->fold, &sc->bad);
			if ((sc->rev ? -c : c) <= 0)
				break;
			it[j] = it[j - 1];
		}
		it[j] = t;
	}
}

static int
f_sort(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct sortctx sc = { NULL, 1, 0, 0 };
	struct val *l;

	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	sc.rev = fa->set[0] && val_truthy(fa->a[0].v);
	sc.fold = !(fa->set[1] && val_truthy(fa->a[1].v));
	if (fa->set[2] && fa->a[2].v->type == V_STR)
		sc.attr = fa->a[2].v->u.str.s;
	sort_items(l->u.list.items, l->u.list.n, &sc);
	if (sc.bad) {
		val_free(l);
		return terr_set(cx->err, n->off, "'sort' filter: items of "
		    "different types cannot be ordered");
	}
	res_set(out, l);
	return 0;
}

static int
f_reverse(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *l, *t;
	size_t i, k;

	(void)fa;
	if (in->v->type == V_STR) {
		struct strbuf sb = STRBUF_INIT;

		for (i = in->v->u.str.len; i > 0; i = k) {
			for (k = i - 1; k > 0 && ((unsigned char)
			    in->v->u.str.s[k] & 0xC0) == 0x80; k--)
				;
			strbuf_add(&sb, in->v->u.str.s + k, i - k);
		}
		res_set(out, val_strn(sb.buf, sb.len));
		strbuf_release(&sb);
		return 0;
	}
	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	for (i = 0; i < l->u.list.n / 2; i++) {
		t = l->u.list.items[i];
		l->u.list.items[i] = l->u.list.items[l->u.list.n - 1 - i];
		l->u.list.items[l->u.list.n - 1 - i] = t;
	}
	res_set(out, l);
	return 0;
}

/* Jinja2's unique compares strings case-insensitively unless told. */
static int
same(const struct val *a, const struct val *b, int fold)
{
	if (fold && a->type == V_STR && b->type == V_STR)
		return a->u.str.len == b->u.str.len &&
		    strncasecmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	return val_equal(a, b);
}

static int
has_item(const struct val *l, const struct val *x, int fold)
{
	size_t i;

	for (i = 0; i < l->u.list.n; i++)
		if (same(l->u.list.items[i], x, fold))
			return 1;
	return 0;
}

/*
 * As ansible-core 2.14: unique and union drop repeats with Jinja2's
 * case-insensitive unique (unique(case_sensitive=true) does not fold);
 * intersect/difference keep a's order, case-sensitively;
 * symmetric_difference is union minus intersect.
 */
static int
f_set(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const char *op = n->filter->name;
	struct val *a = NULL, *b = NULL, *r = val_list(), *isect = val_list();
	int uniq = strcmp(op, "unique") == 0, uni = strcmp(op, "union") == 0;
	int fold = uniq ? !(fa->set[0] && val_truthy(fa->a[0].v)) : uni;
	size_t i;
	int ret = -1;

	if (need_iter(cx, n, in->v, &a) < 0)
		goto out;
	if (!uniq && !fa->set[0]) {
		terr_set(cx->err, n->off, "'%s' filter needs a list argument",
		    op);
		goto out;
	}
	if (!uniq && need_iter(cx, n, fa->a[0].v, &b) < 0)
		goto out;
	for (i = 0; b != NULL && i < a->u.list.n; i++)
		if (has_item(b, a->u.list.items[i], 0) &&
		    !has_item(isect, a->u.list.items[i], 0))
			val_list_push(isect, val_copy(a->u.list.items[i]));
	for (i = 0; i < a->u.list.n + (b != NULL && (uni || op[0] == 's') ?
	    b->u.list.n : 0); i++) {
		const struct val *x = i < a->u.list.n ? a->u.list.items[i] :
		    b->u.list.items[i - a->u.list.n];
		int keep = uniq || uni || (op[0] == 'i' ? has_item(isect, x, 0) :
		    op[0] == 'd' ? !has_item(b, x, 0) : !has_item(isect, x, 0));

		if (keep && !has_item(r, x, fold || op[0] == 's'))
			val_list_push(r, val_copy(x));
	}
	res_set(out, r);
	r = NULL;
	ret = 0;
out:
	val_free(a);
	val_free(b);
	val_free(r);
	val_free(isect);
	return ret;
}

static void
flatten_into(struct val *dst, const struct val *l, int64_t levels,
    int skip_nulls)
{
	size_t i;
	const struct val *x;

	for (i = 0; i < l->u.list.n; i++) {
		x = l->u.list.items[i];
		if (skip_nulls && (x->type == V_NULL || (x->type == V_STR &&
		    (strcmp(x->u.str.s, "None") == 0 ||
		    strcmp(x->u.str.s, "null") == 0))))
			continue;
		if (x->type == V_LIST && levels != 0)
			flatten_into(dst, x, levels > 0 ? levels - 1 : -1,
			    skip_nulls);
		else
			val_list_push(dst, val_copy(x));
	}
}

static int
f_flatten(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *r;
	int64_t levels = -1;

	if (in->v->type != V_LIST)
		return terr_set(cx->err, n->off, "'flatten' filter needs a "
		    "list");
	if (fa->set[0] && fa->a[0].v->type == V_INT)
		levels = fa->a[0].v->u.i;
	r = val_list();
	flatten_into(r, in->v, levels, !fa->set[1] ||
	    val_truthy(fa->a[1].v));
	res_set(out, r);
	return 0;
}

static int
f_zip(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *ls[1 + TMPL_MAX_PARAMS] = { NULL }, *r, *t;
	size_t k, nl = 1, i, min = (size_t)-1;
	int ret = -1;

	if (need_iter(cx, n, in->v, &ls[0]) < 0)
		return -1;
	for (k = 0; k < TMPL_MAX_PARAMS && fa->set[k]; k++)
		if (need_iter(cx, n, fa->a[k].v, &ls[nl++]) < 0)
			goto out;
	for (k = 0; k < nl; k++)
		if (ls[k]->u.list.n < min)
			min = ls[k]->u.list.n;
	r = val_list();
	for (i = 0; i < min; i++) {
		t = val_list();
		t->tuple = 1;
		for (k = 0; k < nl; k++)
			val_list_push(t, val_copy(ls[k]->u.list.items[i]));
		val_list_push(r, t);
	}
	res_set(out, r);
	ret = 0;
out:
	for (k = 0; k < nl; k++)
		val_free(ls[k]);
	return ret;
}

static int
f_minmax(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *l;
	const struct val *best = NULL;
	size_t i;
	int bad = 0, mx = n->filter->name[1] == 'a';

	(void)fa;
	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	for (i = 0; i < l->u.list.n; i++) {
		const struct val *x = l->u.list.items[i];

		if (best == NULL || py_cmp(x, best, 0, &bad) == (mx ? 1 : -1))
			best = x;
	}
	if (bad || best == NULL) {
		val_free(l);
		return terr_set(cx->err, n->off, "'%s' filter: %s", n->name,
		    bad ? "items cannot be compared" : "empty sequence");
	}
	res_set(out, val_copy(best));
	val_free(l);
	return 0;
}

/* sum(attribute=None, start=0): Python's sum over the items (or their
 * attribute, a dotted path as Jinja2's make_attrgetter): integers add,
 * lists concatenate (start=[] flattens one level). */
static int
sum_add(struct val **acc, const struct val *x)
{
	size_t i;

	if (((*acc)->type == V_INT || (*acc)->type == V_BOOL) &&
	    (x->type == V_INT || x->type == V_BOOL)) {
		int64_t a = (*acc)->type == V_INT ? (*acc)->u.i : (*acc)->u.b;

		val_free(*acc);
		*acc = val_int(a + (x->type == V_INT ? x->u.i : x->u.b));
		return 0;
	}
	if ((*acc)->type != V_LIST || x->type != V_LIST)
		return -1;
	for (i = 0; i < x->u.list.n; i++)
		val_list_push(*acc, val_copy(x->u.list.items[i]));
	return 0;
}

static int
f_sum(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const char *attr = fa->set[0] && fa->a[0].v->type == V_STR ?
	    fa->a[0].v->u.str.s : NULL;
	struct val *l, *acc;
	size_t i;
	int bad;

	if (fa->set[0] && attr == NULL && fa->a[0].v->type != V_NULL)
		return terr_set(cx->err, n->off, "'sum': attribute must be a "
		    "string");
	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	acc = fa->set[1] ? val_copy(fa->a[1].v) : val_int(0);
	for (i = 0; i < l->u.list.n; i++) {
		const struct val *x = l->u.list.items[i];

		if (attr != NULL)
			x = attr_get(x, attr);
		bad = x == NULL ? 1 : sum_add(&acc, x) < 0 ? 2 : 0;
		if (bad == 1)
			terr_set(cx->err, n->off, "'sum': an item has no "
			    "attribute '%s'", attr);
		else if (bad == 2)
			terr_set(cx->err, n->off, "'sum': unsupported operand "
			    "types for +: %s and %s", val_type_name(acc->type),
			    val_type_name(x->type));
		if (bad) {
			val_free(acc);
			val_free(l);
			return -1;
		}
	}
	val_free(l);
	res_set(out, acc);
	return 0;
}

/* subelements(key or 'a.b' or [a, b], skip_missing=False): Ansible's
 * filter, a [item, subitem] pair for every subitem of every item (a
 * mapping's values for a mapping).  Ansible makes tuples: printed whole
 * they show as (a, b) where mend shows [a, b]; item.0/item.1 and loops
 * are the same. */
static int
sub_path(struct ectx *cx, const struct node *n, const struct val *keys,
    const struct val *el, int skip, const struct val **vals)
{
	const struct val *v = el;
	size_t i;

	for (i = 0; i < keys->u.list.n; i++) {
		const struct val *k = keys->u.list.items[i];
		const struct val *next = v->type == V_MAP && k->type == V_STR ?
		    val_map_get(v, k->u.str.s) : NULL;

		if (v->type != V_MAP)
			return terr_set(cx->err, n->off, "subelements: the key "
			    "%s should point to a dictionary", k->type == V_STR ?
			    k->u.str.s : "?");
		if (next == NULL && skip) {
			*vals = NULL;
			return 0;
		}
		if (next == NULL)
			return terr_set(cx->err, n->off, "could not find '%s' "
			    "key in iterated item", k->type == V_STR ?
			    k->u.str.s : "?");
		v = next;
	}
	if (v->type != V_LIST)
		return terr_set(cx->err, n->off, "subelements: the key should "
		    "point to a list, got %s", val_type_name(v->type));
	*vals = v;
	return 0;
}

static struct val *
sub_keys(const struct val *k)
{
	struct val *l = val_list();
	const char *s, *d;

	if (k->type == V_LIST) {
		val_free(l);
		return val_copy(k);
	}
	for (s = k->u.str.s; ; s = d + 1) {
		d = strchrnul(s, '.');
		val_list_push(l, val_strn(s, (size_t)(d - s)));
		if (*d == '\0')
			break;
	}
	return l;
}

static int
f_subelements(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *o = in->v, *vals = NULL;
	struct val *els, *keys, *r;
	size_t i, j;
	int skip = fa->set[1] && val_truthy(fa->a[1].v), ret = 0;

	if (o->type != V_LIST && o->type != V_MAP)
		return terr_set(cx->err, n->off, "obj must be a list of dicts "
		    "or a nested dict");
	if (!fa->set[0] || (fa->a[0].v->type != V_STR &&
	    fa->a[0].v->type != V_LIST))
		return terr_set(cx->err, n->off, "subelements must be a list "
		    "or a string");
	els = o->type == V_MAP ? val_list() : val_copy(o);
	for (i = 0; o->type == V_MAP && i < o->u.map.n; i++)
		val_list_push(els, val_copy(o->u.map.items[i].v));
	keys = sub_keys(fa->a[0].v);
	r = val_list();
	for (i = 0; i < els->u.list.n && ret == 0; i++) {
		ret = sub_path(cx, n, keys, els->u.list.items[i], skip, &vals);
		for (j = 0; ret == 0 && vals != NULL && j < vals->u.list.n;
		    j++) {
			struct val *pair = val_list();

			val_list_push(pair, val_copy(els->u.list.items[i]));
			val_list_push(pair, val_copy(vals->u.list.items[j]));
			val_list_push(r, pair);
		}
	}
	val_free(els);
	val_free(keys);
	if (ret < 0)
		val_free(r);
	else
		res_set(out, r);
	return ret;
}

/* ---- mappings ---- */

static void
merge_lists(struct val *dst, const struct val *src, const char *mode)
{
	size_t i;
	struct val *t;

	if (strcmp(mode, "append") == 0 || strcmp(mode, "append_rp") == 0) {
		for (i = 0; i < src->u.list.n; i++)
			val_list_push(dst, val_copy(src->u.list.items[i]));
	} else if (strcmp(mode, "prepend") == 0 ||
	    strcmp(mode, "prepend_rp") == 0) {
		t = val_copy(src);
		for (i = 0; i < dst->u.list.n; i++)
			val_list_push(t, dst->u.list.items[i]);
		dst->u.list.n = 0;
		for (i = 0; i < t->u.list.n; i++)
			val_list_push(dst, t->u.list.items[i]);
		t->u.list.n = 0;
		val_free(t);
	}
}

static void
combine2(struct val *dst, const struct val *src, int rec, const char *lm)
{
	size_t i;
	struct val *d;
	const struct val *s;

	for (i = 0; i < src->u.map.n; i++) {
		s = src->u.map.items[i].v;
		d = val_map_get(dst, src->u.map.items[i].key);
		if (rec && d != NULL && d->type == V_MAP && s->type == V_MAP) {
			combine2(d, s, rec, lm);
		} else if (d != NULL && d->type == V_LIST &&
		    s->type == V_LIST && strcmp(lm, "replace") != 0) {
			if (strcmp(lm, "keep") != 0)
				merge_lists(d, s, lm);
		} else {
			val_map_set(dst, src->u.map.items[i].key, val_copy(s));
		}
	}
}

static int
f_combine(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const char *lm = "replace";
	struct val *r;
	int rec, k;

	rec = fa->set[4] && val_truthy(fa->a[4].v);
	if (fa->set[5] && fa->a[5].v->type == V_STR)
		lm = fa->a[5].v->u.str.s;
	if (strcmp(lm, "replace") && strcmp(lm, "keep") &&
	    strcmp(lm, "append") && strcmp(lm, "prepend") &&
	    strcmp(lm, "append_rp") && strcmp(lm, "prepend_rp"))
		return terr_set(cx->err, n->off, "'combine': bad list_merge "
		    "'%s'", lm);
	if (in->v->type != V_MAP)
		return terr_set(cx->err, n->off, "'combine' filter needs "
		    "mappings, not %s", val_type_name(in->v->type));
	r = val_copy(in->v);
	for (k = 0; k < 4; k++) {
		if (!fa->set[k])
			continue;
		if (fa->a[k].v->type != V_MAP) {
			val_free(r);
			return terr_set(cx->err, n->off, "'combine' filter "
			    "needs mappings, not %s",
			    val_type_name(fa->a[k].v->type));
		}
		combine2(r, fa->a[k].v, rec, lm);
	}
	res_set(out, r);
	return 0;
}

static const char *
kname(const struct fargs *fa, int i, const char *dflt)
{
	return fa->set[i] && fa->a[i].v->type == V_STR ? fa->a[i].v->u.str.s :
	    dflt;
}

static int
f_dict2items(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *r, *e;
	size_t i;

	if (in->v->type != V_MAP)
		return terr_set(cx->err, n->off, "dict2items requires a "
		    "dictionary, got %s instead", val_type_name(in->v->type));
	r = val_list();
	for (i = 0; i < in->v->u.map.n; i++) {
		e = val_map();
		val_map_set(e, kname(fa, 0, "key"),
		    val_str(in->v->u.map.items[i].key));
		val_map_set(e, kname(fa, 1, "value"),
		    val_copy(in->v->u.map.items[i].v));
		val_list_push(r, e);
	}
	res_set(out, r);
	return 0;
}

static int
f_items2dict(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const char *kn = kname(fa, 0, "key"), *vn = kname(fa, 1, "value");
	const struct val *it, *k, *v;
	struct val *r;
	size_t i;

	if (in->v->type != V_LIST)
		return terr_set(cx->err, n->off, "items2dict requires a list, "
		    "got %s instead", val_type_name(in->v->type));
	r = val_map();
	for (i = 0; i < in->v->u.list.n; i++) {
		it = in->v->u.list.items[i];
		k = it->type == V_MAP ? val_map_get(it, kn) : NULL;
		v = it->type == V_MAP ? val_map_get(it, vn) : NULL;
		if (k == NULL || v == NULL || k->type != V_STR) {
			val_free(r);
			return terr_set(cx->err, n->off, "items2dict: item %zu "
			    "has no string '%s' and '%s'", i, kn, vn);
		}
		val_map_set(r, k->u.str.s, val_copy(v));
	}
	res_set(out, r);
	return 0;
}

static int
f_dict(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *p;
	struct val *r;
	size_t i;

	(void)fa;
	if (in->v->type == V_MAP) {
		res_set(out, val_copy(in->v));
		return 0;
	}
	if (in->v->type != V_LIST)
		return terr_set(cx->err, n->off, "'dict' filter needs pairs");
	r = val_map();
	for (i = 0; i < in->v->u.list.n; i++) {
		p = in->v->u.list.items[i];
		if (p->type != V_LIST || p->u.list.n != 2 ||
		    p->u.list.items[0]->type != V_STR) {
			val_free(r);
			return terr_set(cx->err, n->off, "'dict' filter: item "
			    "%zu is not a [key, value] pair", i);
		}
		val_map_set(r, p->u.list.items[0]->u.str.s,
		    val_copy(p->u.list.items[1]));
	}
	res_set(out, r);
	return 0;
}

static int
f_items(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *r, *p;
	size_t i;

	(void)fa;
	if (in->v->type != V_MAP)
		return terr_set(cx->err, n->off, "'items' filter needs a "
		    "mapping");
	r = val_list();
	for (i = 0; i < in->v->u.map.n; i++) {
		p = val_list();
		p->tuple = 1;
		val_list_push(p, val_str(in->v->u.map.items[i].key));
		val_list_push(p, val_copy(in->v->u.map.items[i].v));
		val_list_push(r, p);
	}
	res_set(out, r);
	return 0;
}

/* dictsort(case_sensitive=false, by='key', reverse=false): (k, v) tuples */
static int
f_dictsort(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct sortctx sc = { NULL, 1, 0, 0 };
	struct res items;
	int by_value = fa->set[1] && fa->a[1].v->type == V_STR &&
	    strcmp(fa->a[1].v->u.str.s, "value") == 0;
	struct val *l;

	memset(&items, 0, sizeof(items));
	if (f_items(cx, n, in, fa, &items) < 0)
		return -1;
	l = res_take(&items);
	sc.fold = !(fa->set[0] && val_truthy(fa->a[0].v));
	sc.rev = fa->set[2] && val_truthy(fa->a[2].v);
	sc.attr = by_value ? "1" : "0";
	sort_items(l->u.list.items, l->u.list.n, &sc);
	if (sc.bad) {
		val_free(l);
		return terr_set(cx->err, n->off, "'dictsort': values cannot be "
		    "ordered");
	}
	res_set(out, l);
	return 0;
}

/* ---- select, map ---- */

/* Run test `name` on v with the values args[0..na). -1 error, else 0/1 */
static int
run_test(struct ectx *cx, const struct node *n, const char *name,
    const struct val *v, struct res *args, size_t na)
{
	const struct test *t = tmpl_find_test(name);
	struct node tmp = *n;
	struct fargs fa;
	struct res in;
	size_t i;

	if (t == NULL)
		return terr_set(cx->err, n->off, "'%s': unknown test '%s'",
		    n->name, name);
	memset(&fa, 0, sizeof(fa));
	for (i = 0; i < na && i < TMPL_MAX_PARAMS; i++) {
		fa.set[i] = 1;
		fa.a[i] = args[i];
		fa.a[i].owned = 0;
	}
	tmp.test = t;
	tmp.name = (char *)t->name;
	memset(&in, 0, sizeof(in));
	in.v = (struct val *)v;
	return t->fn(cx, &tmp, &in, &fa);
}

/* select/reject(test, args...), selectattr/rejectattr(attr, test, args) */
static int
f_select(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	int attr = strstr(n->filter->name, "attr") != NULL;
	int rej = n->filter->name[0] == 'r', t;
	const struct val *x, *a = attr && fa->set[0] ? fa->a[0].v : NULL;
	size_t i, k = attr ? 1 : 0, na = 0;
	struct val *l, *r;

	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	if (attr && (a == NULL || a->type != V_STR)) {
		val_free(l);
		return terr_set(cx->err, n->off, "'%s' needs an attribute "
		    "name", n->name);
	}
	while (k + 1 + na < TMPL_MAX_PARAMS && fa->set[k + 1 + na])
		na++;
	r = val_list();
	for (i = 0; i < l->u.list.n; i++) {
		x = l->u.list.items[i];
		if (attr)
			x = x->type == V_MAP ? val_map_getpath(x, a->u.str.s) :
			    NULL;
		if (x == NULL && (!fa->set[k] || fa->a[k].v->type != V_STR ||
		    (strcmp(fa->a[k].v->u.str.s, "defined") != 0 &&
		    strcmp(fa->a[k].v->u.str.s, "undefined") != 0))) {
			val_free(l);
			val_free(r);
			return terr_set(cx->err, n->off, "'%s': an item has no "
			    "attribute '%s'", n->name, a->u.str.s);
		}
		if (!fa->set[k])
			t = x != NULL && val_truthy(x);
		else if (x == NULL)
			t = strcmp(fa->a[k].v->u.str.s, "undefined") == 0;
		else
			t = run_test(cx, n, fa->a[k].v->type == V_STR ?
			    fa->a[k].v->u.str.s : "", x, &fa->a[k + 1], na);
		if (t < 0) {
			val_free(l);
			val_free(r);
			return -1;
		}
		if (t != rej)
			val_list_push(r, val_copy(l->u.list.items[i]));
	}
	val_free(l);
	res_set(out, r);
	return 0;
}

/* map(attribute='x', default=d) or map('filter', args...) */
static int
f_map(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct filter *f = NULL;
	struct val *l, *r;
	struct node tmp = *n;
	struct fargs sub;
	struct res one, res1;
	size_t i, k;

	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	if (!fa->set[4] && (!fa->set[0] || fa->a[0].v->type != V_STR ||
	    (f = tmpl_find_filter(fa->a[0].v->u.str.s)) == NULL)) {
		val_free(l);
		return terr_set(cx->err, n->off, "'map' needs a filter name or "
		    "attribute=");
	}
	r = val_list();
	for (i = 0; i < l->u.list.n; i++) {
		const struct val *x = l->u.list.items[i], *y;

		if (fa->set[4]) {
			y = fa->a[4].v->type == V_STR ?
			    attr_get(x, fa->a[4].v->u.str.s) : NULL;
			if (y == NULL && !fa->set[5]) {
				val_free(l);
				val_free(r);
				return terr_set(cx->err, n->off, "'map': an item "
				    "has no attribute '%s'", fa->a[4].v->type ==
				    V_STR ? fa->a[4].v->u.str.s : "?");
			}
			val_list_push(r, val_copy(y != NULL ? y : fa->a[5].v));
			continue;
		}
		memset(&sub, 0, sizeof(sub));
		for (k = 1; k < 4 && fa->set[k]; k++) {
			sub.set[k - 1] = 1;
			sub.a[k - 1] = fa->a[k];
			sub.a[k - 1].owned = 0;
		}
		memset(&one, 0, sizeof(one));
		memset(&res1, 0, sizeof(res1));
		one.v = (struct val *)x;
		tmp.filter = f;
		tmp.name = (char *)f->name;
		if (f->fn(cx, &tmp, &one, &sub, &res1) < 0 || res1.v == NULL) {
			res_free(&res1);
			val_free(l);
			val_free(r);
			return res1.v == NULL && !cx->err->set ?
			    terr_set(cx->err, n->off, "'map': undefined "
			    "result") : -1;
		}
		val_list_push(r, res_take(&res1));
	}
	val_free(l);
	res_set(out, r);
	return 0;
}

/* ---- small ones ---- */

static int
f_ternary(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	int i;

	(void)cx; (void)n;
	i = in->v->type == V_NULL && fa->set[2] ? 2 :
	    val_truthy(in->v) ? 0 : 1;
	if (!fa->set[i]) {
		res_set(out, val_null());
		return 0;
	}
	res_set(out, res_take(&fa->a[i]));
	return 0;
}

static int
f_mandatory(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	if (in->v == NULL) {
		if (fa->set[0] && fa->a[0].v != NULL &&
		    fa->a[0].v->type == V_STR)
			return terr_set(cx->err, n->off, "%s",
			    fa->a[0].v->u.str.s);
		return tmpl_undef_error(cx, in, n->kids[0]);
	}
	*out = *in;
	memset(in, 0, sizeof(*in));
	return 0;
}

static int
f_extract(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *c = fa->a[0].v, *k = in->v, *v = NULL;

	if (!fa->set[0])
		return terr_set(cx->err, n->off, "'extract' needs a container");
	if (c->type == V_MAP && k->type == V_STR)
		v = val_map_get(c, k->u.str.s);
	else if (c->type == V_LIST && k->type == V_INT && k->u.i >= 0 &&
	    (size_t)k->u.i < c->u.list.n)
		v = c->u.list.items[k->u.i];
	if (v == NULL) {
		out->undef = n;
		return 0;
	}
	res_set(out, val_copy(v));
	return 0;
}

static int
f_batch(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *l, *r, *cur = NULL;
	size_t i;
	int64_t sz;

	if (!fa->set[0] || fa->a[0].v->type != V_INT ||
	    (sz = fa->a[0].v->u.i) <= 0)
		return terr_set(cx->err, n->off, "'batch' needs a size > 0");
	if (need_iter(cx, n, in->v, &l) < 0)
		return -1;
	r = val_list();
	for (i = 0; i < l->u.list.n; i++) {
		if (cur == NULL || (int64_t)cur->u.list.n == sz) {
			cur = val_list();
			val_list_push(r, cur);
		}
		val_list_push(cur, val_copy(l->u.list.items[i]));
	}
	while (cur != NULL && fa->set[1] && (int64_t)cur->u.list.n < sz)
		val_list_push(cur, val_copy(fa->a[1].v));
	val_free(l);
	res_set(out, r);
	return 0;
}

#define P0 { NULL }
static const struct filter table[] = {
	{ "list", f_list, P0, 0 },
	{ "sort", f_sort, { "reverse", "case_sensitive", "attribute" }, 0 },
	{ "reverse", f_reverse, P0, 0 },
	{ "unique", f_set, { "case_sensitive", "attribute" }, 0 },
	{ "union", f_set, { "b" }, 0 },
	{ "intersect", f_set, { "b" }, 0 },
	{ "difference", f_set, { "b" }, 0 },
	{ "symmetric_difference", f_set, { "b" }, 0 },
	{ "flatten", f_flatten, { "levels", "skip_nulls" }, 0 },
	{ "zip", f_zip, { "*1", "*2", "*3", "*4" }, 0 },
	{ "min", f_minmax, P0, 0 },
	{ "max", f_minmax, P0, 0 },
	{ "sum", f_sum, { "attribute", "start" }, 0 },
	{ "subelements", f_subelements, { "subelements", "skip_missing" }, 0 },
	{ "combine", f_combine, { "*1", "*2", "*3", "*4", "recursive",
	    "list_merge" }, 0 },
	{ "dict2items", f_dict2items, { "key_name", "value_name" }, 0 },
	{ "items2dict", f_items2dict, { "key_name", "value_name" }, 0 },
	{ "dict", f_dict, P0, 0 },
	{ "items", f_items, P0, 0 },
	{ "dictsort", f_dictsort, { "case_sensitive", "by", "reverse" }, 0 },
	{ "select", f_select, { "*1", "*2", "*3", "*4" }, 0 },
	{ "reject", f_select, { "*1", "*2", "*3", "*4" }, 0 },
	{ "selectattr", f_select, { "*1", "*2", "*3", "*4" }, 0 },
	{ "rejectattr", f_select, { "*1", "*2", "*3", "*4" }, 0 },
	{ "map", f_map, { "*1", "*2", "*3", "*4", "attribute", "default" },
	    0 },
	{ "ternary", f_ternary, { "true_val", "false_val", "none_val" }, 0 },
	{ "mandatory", f_mandatory, { "msg" }, 1 },
	{ "extract", f_extract, { "container", "morekeys" }, 0 },
	{ "batch", f_batch, { "linecount", "fill_with" }, 0 },
};

const struct filter *
tmpl_data_filters(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}
