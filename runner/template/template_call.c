/*
 * template_call.c - calls: functions (range, lookup, query/q) and the
 * Python methods templates use on strings, lists and mappings, with
 * Python's semantics:
 *   str:  lower upper capitalize title strip lstrip rstrip split rsplit
 *         splitlines startswith endswith replace join format find count
 *         isdigit isalpha isalnum isspace islower isupper zfill
 *   list: index count
 *   dict: get keys values items (keys/values/items give lists; items
 *         gives [key, value] pairs, for `for k, v in d.items()`)
 *   loop: cycle(a, b, ...)
 * Unknown methods are errors naming the type, as Python's AttributeError.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

#define MAX_ARGS 8

struct call {
	const struct node *n;
	struct res obj;                 /* v NULL: a function */
	struct res a[MAX_ARGS];         /* positional */
	size_t na;
	struct res kv[MAX_ARGS];        /* keyword values */
	const char *kn[MAX_ARGS];       /* keyword names */
	size_t nk;
};

struct val *
tmpl_iter_list(const struct val *v)
{
	struct val *l;
	size_t i, k;

	if (v->type == V_LIST)
		return val_copy(v);
	if (v->type != V_MAP && v->type != V_STR)
		return NULL;
	l = val_list();
	for (i = 0; v->type == V_MAP && i < v->u.map.n; i++)
		val_list_push(l, val_str(v->u.map.items[i].key));
	for (i = 0; v->type == V_STR && i < v->u.str.len; i += k) {
		for (k = 1; i + k < v->u.str.len &&
		    ((unsigned char)v->u.str.s[i + k] & 0xC0) == 0x80; k++)
			;
		val_list_push(l, val_strn(v->u.str.s + i, k));
	}
	return l;
}

static void
call_free(struct call *c)
{
	size_t i;

	res_free(&c->obj);
	for (i = 0; i < c->na; i++)
		res_free(&c->a[i]);
	for (i = 0; i < c->nk; i++)
		res_free(&c->kv[i]);
}

static int
eval_args(struct ectx *cx, const struct node *n, struct call *c)
{
	size_t i;
	struct res *r;

	for (i = 1; i < n->nkids; i++) {
		if ((n->kw[i] == NULL ? c->na : c->nk) >= MAX_ARGS)
			return terr_set(cx->err, n->kids[i]->off, "too many "
			    "arguments (at most %d)", MAX_ARGS);
		if (n->kw[i] == NULL) {
			r = &c->a[c->na++];
		} else {
			c->kn[c->nk] = n->kw[i];
			r = &c->kv[c->nk++];
		}
		if (tmpl_eval_node(cx, n->kids[i], r) < 0)
			return -1;
		if (r->v == NULL)
			return tmpl_undef_error(cx, r, n->kids[i]);
	}
	return 0;
}

static const struct val *
kwarg(const struct call *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nk; i++)
		if (strcmp(c->kn[i], name) == 0)
			return c->kv[i].v;
	return NULL;
}

/* Argument i (positional) or keyword name; NULL when not given. */
static const struct val *
arg(const struct call *c, size_t i, const char *name)
{
	if (i < c->na)
		return c->a[i].v;
	return name != NULL ? kwarg(c, name) : NULL;
}

static int
nargs_err(struct ectx *cx, const struct call *c, size_t lo, size_t hi)
{
	if (c->na + c->nk >= lo && c->na + c->nk <= hi)
		return 0;
	return terr_set(cx->err, c->n->off, "'%s' takes %zu to %zu "
	    "arguments (%zu given)", c->n->name, lo, hi, c->na + c->nk);
}

static int
want_str(struct ectx *cx, const struct call *c, const struct val *v)
{
	if (v != NULL && v->type == V_STR)
		return 0;
	return terr_set(cx->err, c->n->off, "'%s': argument must be a string, "
	    "not %s", c->n->name, v == NULL ? "nothing" :
	    val_type_name(v->type));
}

static int
want_int(struct ectx *cx, const struct call *c, const struct val *v,
    int64_t *out)
{
	if (v != NULL && (v->type == V_INT || v->type == V_BOOL)) {
		*out = v->type == V_INT ? v->u.i : v->u.b;
		return 0;
	}
	return terr_set(cx->err, c->n->off, "'%s': argument must be an "
	    "integer", c->n->name);
}

/* ---- str methods ---- */

static int
is_ws(char ch, const struct val *chars)
{
	if (chars == NULL || chars->type == V_NULL)
		return isspace((unsigned char)ch);
	return memchr(chars->u.str.s, ch, chars->u.str.len) != NULL;
}

static struct val *
m_strip(const char *name, const struct val *s, const struct val *chars)
{
	size_t b = 0, e = s->u.str.len;

	if (name[0] != 'r')
		while (b < e && is_ws(s->u.str.s[b], chars))
			b++;
	if (name[0] != 'l')
		while (e > b && is_ws(s->u.str.s[e - 1], chars))
			e--;
	return val_strn(s->u.str.s + b, e - b);
}

/* Python's split: sep NULL splits on runs of whitespace. */
static struct val *
m_split(const struct val *s, const struct val *sep, int64_t max, int right)
{
	const char *p = s->u.str.s, *end = p + s->u.str.len, *q;
	struct val *l = val_list();
	size_t sl;

	if (sep == NULL || sep->type == V_NULL) {
		while (p < end) {
			while (p < end && isspace((unsigned char)*p))
				p++;
			if (p >= end)
				break;
			q = p;
			while (q < end && (max == 0 || !isspace((unsigned char)*q)))
				q++;
			if (max > 0)
				max--;
			while (max == 0 && q > p && isspace((unsigned char)q[-1]))
				q--;
			val_list_push(l, val_strn(p, (size_t)(q - p)));
			p = q;
		}
		return l;
	}
	(void)right;
	sl = sep->u.str.len;
	while (max != 0 && (q = memmem(p, (size_t)(end - p), sep->u.str.s,
	    sl)) != NULL) {
		val_list_push(l, val_strn(p, (size_t)(q - p)));
		p = q + sl;
		if (max > 0)
			max--;
	}
	val_list_push(l, val_strn(p, (size_t)(end - p)));
	return l;
}

static struct val *
m_splitlines(const struct val *s)
{
	const char *p = s->u.str.s, *end = p + s->u.str.len, *q;
	struct val *l = val_list();

	while (p < end) {
		for (q = p; q < end && *q != '\n' && *q != '\r'; q++)
			;
		val_list_push(l, val_strn(p, (size_t)(q - p)));
		if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
			q++;
		p = q + 1;
	}
	return l;
}

static int
affix(const struct val *s, const struct val *x, int end)
{
	size_t n;

	if (x->type != V_STR)
		return 0;
	n = x->u.str.len;
	if (n > s->u.str.len)
		return 0;
	return memcmp(s->u.str.s + (end ? s->u.str.len - n : 0), x->u.str.s,
	    n) == 0;
}

static int
m_affix(struct ectx *cx, struct call *c, const struct val *s, int end,
    struct res *r)
{
	const struct val *x = arg(c, 0, NULL);
	size_t i;
	int yes = 0;

	if (nargs_err(cx, c, 1, 1) < 0)
		return -1;
	if (x->type == V_LIST)
		for (i = 0; i < x->u.list.n && !yes; i++)
			yes = affix(s, x->u.list.items[i], end);
	else if (want_str(cx, c, x) < 0)
		return -1;
	else
		yes = affix(s, x, end);
	res_set(r, val_bool(yes));
	return 0;
}

static struct val *
m_replace(const struct val *s, const struct val *a, const struct val *b,
    int64_t count)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = s->u.str.s, *end = p + s->u.str.len, *q;
	struct val *v;

	if (a->u.str.len == 0) {
		strbuf_add(&sb, p, s->u.str.len);
	} else {
		while (count != 0 && (q = memmem(p, (size_t)(end - p),
		    a->u.str.s, a->u.str.len)) != NULL) {
			strbuf_add(&sb, p, (size_t)(q - p));
			strbuf_add(&sb, b->u.str.s, b->u.str.len);
			p = q + a->u.str.len;
			if (count > 0)
				count--;
		}
		strbuf_add(&sb, p, (size_t)(end - p));
	}
	v = val_strn(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

static int
m_join(struct ectx *cx, struct call *c, const struct val *s, struct res *r)
{
	struct strbuf sb = STRBUF_INIT;
	const struct val *l = arg(c, 0, NULL);
	struct val *items;
	size_t i;

	if (nargs_err(cx, c, 1, 1) < 0)
		return -1;
	if ((items = tmpl_iter_list(l)) == NULL)
		return terr_set(cx->err, c->n->off, "'join' needs a list");
	for (i = 0; i < items->u.list.n; i++) {
		if (items->u.list.items[i]->type != V_STR) {
			val_free(items);
			strbuf_release(&sb);
			return terr_set(cx->err, c->n->off, "'join': item %zu "
			    "is %s, not a string", i, val_type_name(
			    items->u.list.items[i]->type));
		}
		if (i)
			strbuf_add(&sb, s->u.str.s, s->u.str.len);
		strbuf_add(&sb, items->u.list.items[i]->u.str.s,
		    items->u.list.items[i]->u.str.len);
	}
	val_free(items);
	res_set(r, val_strn(sb.buf, sb.len));
	strbuf_release(&sb);
	return 0;
}

static struct val *
m_case(const char *name, const struct val *s)
{
	struct val *v = val_strn(s->u.str.s, s->u.str.len);
	char *p = v->u.str.s;
	size_t i;
	int word = 0;

	for (i = 0; i < v->u.str.len; i++) {
		int up = name[0] == 'u' || (name[0] == 'c' && i == 0) ||
		    (name[0] == 't' && !word);

		p[i] = (char)(up ? toupper((unsigned char)p[i]) :
		    tolower((unsigned char)p[i]));
		word = isalpha((unsigned char)p[i]);
	}
	return v;
}

static int
str_pred(const char *name, const struct val *s)
{
	size_t i, alpha = 0, lower = 0, upper = 0;
	int (*fn)(int) = strcmp(name, "isdigit") == 0 ? isdigit :
	    strcmp(name, "isalpha") == 0 ? isalpha :
	    strcmp(name, "isalnum") == 0 ? isalnum : isspace;

	if (s->u.str.len == 0)
		return 0;
	for (i = 0; i < s->u.str.len; i++) {
		unsigned char ch = (unsigned char)s->u.str.s[i];

		alpha += isalpha(ch) != 0;
		lower += islower(ch) != 0;
		upper += isupper(ch) != 0;
		if (name[2] != 'l' && name[2] != 'u' && !fn(ch))
			return 0;
	}
	if (strcmp(name, "islower") == 0)
		return lower > 0 && upper == 0;
	if (strcmp(name, "isupper") == 0)
		return upper > 0 && lower == 0;
	return 1;
}

static int
m_find(struct ectx *cx, struct call *c, const struct val *s, struct res *r)
{
	const struct val *x = arg(c, 0, NULL);
	const char *p = s->u.str.s, *q;
	int64_t n = 0;
	size_t k, cp;

	if (nargs_err(cx, c, 1, 1) < 0 || want_str(cx, c, x) < 0)
		return -1;
	if (strcmp(c->n->name, "count") == 0) {
		while (x->u.str.len > 0 && (q = memmem(p, s->u.str.len -
		    (size_t)(p - s->u.str.s), x->u.str.s, x->u.str.len)) != NULL) {
			n++;
			p = q + x->u.str.len;
		}
		if (x->u.str.len == 0)
			n = (int64_t)s->u.str.len + 1;
		res_set(r, val_int(n));
		return 0;
	}
	q = memmem(p, s->u.str.len, x->u.str.s, x->u.str.len);
	for (k = 0, cp = 0; q != NULL && p + k < q; k++)
		cp += ((unsigned char)p[k] & 0xC0) != 0x80;
	res_set(r, val_int(q == NULL ? -1 : (int64_t)cp));
	return 0;
}

static int
m_zfill(struct ectx *cx, struct call *c, const struct val *s, struct res *r)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t w = 0;
	size_t sign;

	if (nargs_err(cx, c, 1, 1) < 0 || want_int(cx, c, arg(c, 0, NULL),
	    &w) < 0)
		return -1;
	sign = s->u.str.len > 0 && (s->u.str.s[0] == '-' ||
	    s->u.str.s[0] == '+');
	strbuf_add(&sb, s->u.str.s, sign);
	while (w > (int64_t)(s->u.str.len + sb.len - sign) && w < 4096)
		strbuf_addch(&sb, '0');
	strbuf_add(&sb, s->u.str.s + sign, s->u.str.len - sign);
	res_set(r, val_strn(sb.buf, sb.len));
	strbuf_release(&sb);
	return 0;
}

static int
str_method(struct ectx *cx, struct call *c, struct res *r)
{
	const struct val *s = c->obj.v, *a0 = arg(c, 0, NULL);
	const char *m = c->n->name;
	int64_t max = -1;

	if (!strcmp(m, "lower") || !strcmp(m, "upper") ||
	    !strcmp(m, "capitalize") || !strcmp(m, "title"))
		return nargs_err(cx, c, 0, 0) < 0 ? -1 :
		    (res_set(r, m_case(m, s)), 0);
	if (!strcmp(m, "strip") || !strcmp(m, "lstrip") || !strcmp(m, "rstrip")) {
		if (nargs_err(cx, c, 0, 1) < 0 || (a0 != NULL &&
		    a0->type != V_NULL && want_str(cx, c, a0) < 0))
			return -1;
		res_set(r, m_strip(m, s, a0));
		return 0;
	}
	if (!strcmp(m, "split") || !strcmp(m, "rsplit")) {
		a0 = arg(c, 0, "sep");
		if (nargs_err(cx, c, 0, 2) < 0 || (a0 != NULL &&
		    a0->type != V_NULL && want_str(cx, c, a0) < 0) ||
		    (arg(c, 1, "maxsplit") != NULL && want_int(cx, c,
		    arg(c, 1, "maxsplit"), &max) < 0))
			return -1;
		if (a0 != NULL && a0->type == V_STR && a0->u.str.len == 0)
			return terr_set(cx->err, c->n->off, "empty separator");
		if (m[0] == 'r' && max >= 0)
			return terr_set(cx->err, c->n->off, "rsplit with "
			    "maxsplit is not supported");
		res_set(r, m_split(s, a0, max, 0));
		return 0;
	}
	if (!strcmp(m, "splitlines"))
		return nargs_err(cx, c, 0, 0) < 0 ? -1 :
		    (res_set(r, m_splitlines(s)), 0);
	if (!strcmp(m, "startswith") || !strcmp(m, "endswith"))
		return m_affix(cx, c, s, m[0] == 'e', r);
	if (!strcmp(m, "replace")) {
		if (nargs_err(cx, c, 2, 3) < 0 || want_str(cx, c, a0) < 0 ||
		    want_str(cx, c, arg(c, 1, NULL)) < 0 || (c->na > 2 &&
		    want_int(cx, c, arg(c, 2, NULL), &max) < 0))
			return -1;
		res_set(r, m_replace(s, a0, arg(c, 1, NULL), max));
		return 0;
	}
	if (!strcmp(m, "join"))
		return m_join(cx, c, s, r);
	if (!strcmp(m, "format"))
		return tmpl_str_format(cx, c->n, s, c->a, c->na, c->kn, c->kv,
		    c->nk, r);
	if (!strcmp(m, "find") || !strcmp(m, "count"))
		return m_find(cx, c, s, r);
	if (!strcmp(m, "zfill"))
		return m_zfill(cx, c, s, r);
	if (!strncmp(m, "is", 2) && (!strcmp(m + 2, "digit") ||
	    !strcmp(m + 2, "alpha") || !strcmp(m + 2, "alnum") ||
	    !strcmp(m + 2, "space") || !strcmp(m + 2, "lower") ||
	    !strcmp(m + 2, "upper")))
		return nargs_err(cx, c, 0, 0) < 0 ? -1 :
		    (res_set(r, val_bool(str_pred(m, s))), 0);
	return 1;
}

/* ---- list and dict methods ---- */

static int
list_method(struct ectx *cx, struct call *c, struct res *r)
{
	const struct val *l = c->obj.v, *x = arg(c, 0, NULL);
	size_t i;
	int64_t n = 0;

	if (strcmp(c->n->name, "index") != 0 && strcmp(c->n->name, "count"))
		return 1;
	if (nargs_err(cx, c, 1, 1) < 0)
		return -1;
	for (i = 0; i < l->u.list.n; i++) {
		if (!val_equal(l->u.list.items[i], x))
			continue;
		if (c->n->name[0] == 'i') {
			res_set(r, val_int((int64_t)i));
			return 0;
		}
		n++;
	}
	if (c->n->name[0] == 'i')
		return terr_set(cx->err, c->n->off, "value is not in the list");
	res_set(r, val_int(n));
	return 0;
}

static int
dict_method(struct ectx *cx, struct call *c, struct res *r)
{
	const struct val *d = c->obj.v, *k = arg(c, 0, NULL), *v;
	const char *m = c->n->name;
	struct val *l, *pair;
	size_t i;

	if (!strcmp(m, "get")) {
		if (nargs_err(cx, c, 1, 2) < 0)
			return -1;
		v = k->type == V_STR ? val_map_get(d, k->u.str.s) : NULL;
		if (v == NULL)
			v = arg(c, 1, NULL);
		res_set(r, v != NULL ? val_copy(v) : val_null());
		return 0;
	}
	if (strcmp(m, "keys") && strcmp(m, "values") && strcmp(m, "items"))
		return 1;
	if (nargs_err(cx, c, 0, 0) < 0)
		return -1;
	l = val_list();
	for (i = 0; i < d->u.map.n; i++) {
		if (m[0] == 'k') {
			val_list_push(l, val_str(d->u.map.items[i].key));
		} else if (m[0] == 'v') {
			val_list_push(l, val_copy(d->u.map.items[i].v));
		} else {
			pair = val_list();
			val_list_push(pair, val_str(d->u.map.items[i].key));
			val_list_push(pair, val_copy(d->u.map.items[i].v));
			val_list_push(l, pair);
		}
	}
	res_set(r, l);
	return 0;
}

/* loop.cycle(a, b, ...): the argument at loop.index0 modulo their count */
static int
loop_cycle(struct ectx *cx, struct call *c, struct res *r)
{
	const struct val *i0 = val_map_get(c->obj.v, "index0");

	if (i0 == NULL || i0->type != V_INT ||
	    val_map_get(c->obj.v, "revindex0") == NULL)
		return 1;
	if (c->na == 0)
		return terr_set(cx->err, c->n->off, "no items for cycling "
		    "given");
	res_set(r, val_copy(c->a[(size_t)i0->u.i % c->na].v));
	return 0;
}

static int
method(struct ectx *cx, struct call *c, struct res *r)
{
	const struct val *o = c->obj.v;
	int ret = 1;

	if (o->type == V_STR)
		ret = str_method(cx, c, r);
	else if (o->type == V_LIST)
		ret = list_method(cx, c, r);
	else if (o->type == V_MAP && strcmp(c->n->name, "cycle") == 0)
		ret = loop_cycle(cx, c, r);
	else if (o->type == V_MAP)
		ret = dict_method(cx, c, r);
	if (ret <= 0)
		return ret;
	return terr_set(cx->err, c->n->off, "%s has no method '%s'",
	    o->type == V_STR ? "a string" : o->type == V_LIST ? "a list" :
	    o->type == V_MAP ? "a mapping" : val_type_name(o->type),
	    c->n->name);
}

/* ---- functions ---- */

static int
f_range(struct ectx *cx, struct call *c, struct res *r)
{
	int64_t a = 0, b = 0, step = 1, i, n;
	struct val *l;

	if (nargs_err(cx, c, 1, 3) < 0)
		return -1;
	if (c->na == 1 && want_int(cx, c, c->a[0].v, &b) < 0)
		return -1;
	if (c->na >= 2 && (want_int(cx, c, c->a[0].v, &a) < 0 ||
	    want_int(cx, c, c->a[1].v, &b) < 0))
		return -1;
	if (c->na == 3 && want_int(cx, c, c->a[2].v, &step) < 0)
		return -1;
	if (step == 0)
		return terr_set(cx->err, c->n->off, "range() step must not be "
		    "zero");
	n = step > 0 ? (b > a ? (b - a + step - 1) / step : 0) :
	    (a > b ? (a - b - step - 1) / -step : 0);
	if (n > TMPL_MAX_ITERS)
		return terr_set(cx->err, c->n->off, "range() of more than %d "
		    "items", TMPL_MAX_ITERS);
	l = val_list();
	for (i = 0; i < n; i++)
		val_list_push(l, val_int(a + i * step));
	res_set(r, l);
	return 0;
}

static int
function(struct ectx *cx, struct call *c, struct res *r)
{
	const char *f = c->n->name;

	if (strcmp(f, "range") == 0)
		return f_range(cx, c, r);
	if (strcmp(f, "lookup") == 0 || strcmp(f, "query") == 0 ||
	    strcmp(f, "q") == 0)
		return tmpl_lookup(cx, c->n, c->a, c->na, c->kn, c->kv, c->nk,
		    f[0] != 'l', r);
	return terr_set(cx->err, c->n->off, "unknown function '%s' (mend "
	    "knows range, lookup, query)", f);
}

int
tmpl_eval_call(struct ectx *cx, const struct node *n, struct res *r)
{
	struct call c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.n = n;
	if (n->kids[0] != NULL) {
		if (tmpl_eval_node(cx, n->kids[0], &c.obj) < 0)
			return -1;
		if (c.obj.v == NULL) {
			ret = tmpl_undef_error(cx, &c.obj, n->kids[0]);
			call_free(&c);
			return ret;
		}
	}
	ret = eval_args(cx, n, &c);
	if (ret == 0)
		ret = n->kids[0] != NULL ? method(cx, &c, r) :
		    function(cx, &c, r);
	call_free(&c);
	return ret;
}
