/*
 * template_eval.c - evaluate the AST of template_parse.c over struct val.
 *
 * Values are borrowed from the variables (or the AST's literals) whenever
 * possible and copied only when a result is built, so looking up
 * `ansible_facts.x` costs no copy of the facts.  A struct res is either a
 * value (owned or borrowed) or undefined; undefined travels up through
 * attribute access, `default` and `is defined` and is an error anywhere
 * else.  Semantics follow Python/Jinja2: `and`/`or` return an operand,
 * comparisons chain, int == str is false, ordering of mixed types is an
 * error.
 *
 * Lazy templating: a variable whose value holds template syntax is rendered
 * when it is used (Ansible's `a: "{{ b }}"`), nested at most TMPL_MAX_LAZY
 * deep and at most TMPL_MAX_RENDERS times per call.
 *
 * Size: every value built from others (a list or mapping literal, `~`,
 * `+`, `*`, a filter's result, the rendered text, a native result copied
 * out of the variables) is charged to cx->spent, at most TMPL_MAX_SIZE per
 * budget, so doubling templates (`t2: "{{ t1 }}{{ t1 }}"`) stop with an
 * error instead of exhausting memory, cached values included.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template.h"
#include "runner/template/template_int.h"
#include "runner/util/banned.h"

/* Weight of v, counting stops once past `limit`. */
static size_t
weight(const struct val *v, size_t limit)
{
	size_t w = 16, i;

	if (v == NULL)
		return 0;
	if (v->type == V_STR)
		w += v->u.str.len;
	for (i = 0; v->type == V_LIST && i < v->u.list.n && w <= limit; i++)
		w += weight(v->u.list.items[i], limit - w);
	for (i = 0; v->type == V_MAP && i < v->u.map.n && w <= limit; i++)
		w += strlen(v->u.map.items[i].key) +
		    weight(v->u.map.items[i].v, limit - w);
	return w;
}

int
tmpl_charge(struct ectx *cx, size_t off, const struct val *v)
{
	size_t left;

	if (cx->spent == NULL)
		return 0;
	left = *cx->spent < TMPL_MAX_SIZE ? TMPL_MAX_SIZE - *cx->spent : 0;
	*cx->spent += weight(v, left);
	if (*cx->spent <= TMPL_MAX_SIZE)
		return 0;
	return terr_set(cx->err, off, "template expansion too large (more "
	    "than %u MiB rendered)", TMPL_MAX_SIZE >> 20);
}

void
res_free(struct res *r)
{
	if (r->owned)
		val_free(r->v);
	r->v = NULL;
	r->owned = 0;
	r->undef = NULL;
	r->literal = 0;
}

struct val *
res_take(struct res *r)
{
	struct val *v = r->owned ? r->v : val_copy(r->v);

	r->v = NULL;
	r->owned = 0;
	r->literal = 0;
	return v;
}

void
res_set(struct res *r, struct val *v)
{
	r->v = v;
	r->owned = 1;
	r->undef = NULL;
	r->literal = 0;
}

static void
res_borrow(struct res *r, const struct val *v)
{
	r->v = (struct val *)v;
	r->owned = 0;
	r->undef = NULL;
	r->literal = v->literal;
}

void
tmpl_print(const struct val *v, struct strbuf *sb)
{
	if (v != NULL && v->type != V_NULL)
		val_to_str_py(v, sb);
}

/* ---- undefined ---- */

static void
add_span(struct strbuf *sb, const char *src, const struct node *n)
{
	size_t len = n->end - n->off;

	strbuf_add(sb, src + n->off, len > 60 ? 60 : len);
	if (len > 60)
		strbuf_addstr(sb, "...");
}

static const char *
suggest_var(const struct ectx *cx, const char *name)
{
	const struct val *m = cx->vars;
	const char **keys;
	const char *best;
	size_t i;

	if (m == NULL || m->type != V_MAP || m->u.map.n == 0)
		return NULL;
	keys = xcalloc(m->u.map.n, sizeof(*keys));
	for (i = 0; i < m->u.map.n; i++)
		keys[i] = m->u.map.items[i].key;
	best = tmpl_closest(name, keys, m->u.map.n);
	free(keys);
	return best;
}

int
tmpl_undef_error(struct ectx *cx, const struct res *r, const struct node *at)
{
	const struct node *u = r->undef != NULL ? r->undef : at;
	struct strbuf sb = STRBUF_INIT;
	const char *guess = NULL;

	if (u->kind == N_COND) {
		strbuf_addstr(&sb, "inline if-expression is false and has no "
		    "else branch, so its value is undefined");
	} else if (u->kind == N_FILTER) {
		strbuf_addf(&sb, "'%s' of an empty sequence is undefined",
		    u->name);
	} else {
		strbuf_addch(&sb, '\'');
		add_span(&sb, cx->src, u);
		strbuf_addstr(&sb, "' is undefined");
		if (u->kind == N_NAME)
			guess = suggest_var(cx, u->name);
		if (guess != NULL)
			strbuf_addf(&sb, " (did you mean '%s'?)", guess);
	}
	terr_set(cx->err, u->off, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* Evaluate n; an undefined result is an error. */
static int
eval_def(struct ectx *cx, const struct node *n, struct res *r)
{
	if (tmpl_eval_node(cx, n, r) < 0)
		return -1;
	if (r->v == NULL)
		return tmpl_undef_error(cx, r, n);
	return 0;
}

static int
truth(struct ectx *cx, const struct node *n, int *out)
{
	struct res r;

	if (eval_def(cx, n, &r) < 0)
		return -1;
	*out = val_truthy(r.v);
	res_free(&r);
	return 0;
}

/* ---- variables, lazy templating ---- */

static int
has_tmpl_str(const struct val *v)
{
	return v->type == V_STR && tmpl_has(v->u.str.s);
}

/* Does the tree hold an unsafe node (*unsafe) or a template (*tmpl)?
 * Nothing under a literal node is a template. */
static void
scan(const struct val *v, int lit, int *unsafe, int *tmpl)
{
	size_t i;

	lit |= v->literal;
	if (v->unsafe)
		*unsafe = 1;
	if (!lit && has_tmpl_str(v))
		*tmpl = 1;
	if (*unsafe && (*tmpl || lit))
		return;
	if (v->type == V_LIST)
		for (i = 0; i < v->u.list.n; i++)
			scan(v->u.list.items[i], lit, unsafe, tmpl);
	if (v->type == V_MAP)
		for (i = 0; i < v->u.map.n; i++)
			scan(v->u.map.items[i].v, lit, unsafe, tmpl);
}

/* Copy v rendering every string that holds templates. */
static int
render_tree(struct ectx *cx, const struct val *v, const struct node *at,
    struct val **out)
{
	struct val *c, *kid;
	size_t i, n;

	if (!v->literal && has_tmpl_str(v))
		return tmpl_render_var(cx, v, at, out);
	if (v->literal || (v->type != V_LIST && v->type != V_MAP)) {
		*out = val_copy(v);
		return 0;
	}
	c = v->type == V_LIST ? val_list() : val_map();
	c->pos = v->pos;
	c->unsafe = v->unsafe;
	n = v->type == V_LIST ? v->u.list.n : v->u.map.n;
	for (i = 0; i < n; i++) {
		const struct val *src = v->type == V_LIST ? v->u.list.items[i] :
		    v->u.map.items[i].v;

		if (render_tree(cx, src, at, &kid) < 0) {
			val_free(c);
			return -1;
		}
		if (v->type == V_LIST)
			val_list_push(c, kid);
		else
			val_map_set(c, v->u.map.items[i].key, kid);
	}
	*out = c;
	return 0;
}

/* A step of a variable access produced r->v: taint, lazy render. */
static int
step_done(struct ectx *cx, const struct node *n, struct res *r)
{
	int unsafe = 0, tmpl = 0;
	struct val *out;

	if (r->v->unsafe)
		cx->unsafe = 1;
	if (n->top)
		scan(r->v, r->literal, &unsafe, &tmpl);
	else
		tmpl = !r->literal && has_tmpl_str(r->v);
	if (unsafe)
		cx->unsafe = 1;
	if (!tmpl)
		return 0;
	if (render_tree(cx, r->v, n, &out) < 0)
		return -1;
	res_free(r);
	res_set(r, out);
	return 0;
}

static int
eval_name(struct ectx *cx, const struct node *n, struct res *r)
{
	const struct val *v = tmpl_scope_get(cx, n->name);
	int unsafe = 0, tmpl = 0;

	if (v != NULL) {
		res_borrow(r, v);
		scan(v, 1, &unsafe, &tmpl);
		cx->unsafe |= unsafe;
		return 0;
	}
	if (cx->vars != NULL && cx->vars->type == V_MAP)
		v = val_map_get(cx->vars, n->name);
	if (v == NULL && strcmp(n->name, "omit") == 0) {
		res_set(r, val_str(TMPL_OMIT));
		return 0;
	}
	if (v == NULL) {
		r->undef = n;
		return 0;
	}
	res_borrow(r, v);
	return step_done(cx, n, r);
}

/* Parse a list index from an attribute name ("0", "12"). */
static int
attr_index(const char *s, int64_t *i)
{
	int64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*i = v;
	return 0;
}

static size_t
utf8_len(const char *s, size_t n)
{
	size_t i, cp = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cp++;
	return cp;
}

/* Byte span of code point i (0-based) of s. */
static void
utf8_at(const char *s, size_t n, size_t i, size_t *off, size_t *len)
{
	size_t b = 0, cp = 0;

	while (b < n && cp < i) {
		b++;
		while (b < n && ((unsigned char)s[b] & 0xC0) == 0x80)
			b++;
		cp++;
	}
	*off = b;
	*len = 0;
	if (b < n)
		(*len)++;
	while (b + *len < n && ((unsigned char)s[b + *len] & 0xC0) == 0x80)
		(*len)++;
}

/* Python index: negative counts from the end; -1 when out of range. */
static int
py_index(int64_t i, size_t n, size_t *out)
{
	if (i < 0)
		i += (int64_t)n;
	if (i < 0 || (uint64_t)i >= n)
		return -1;
	*out = (size_t)i;
	return 0;
}

/* obj[key] or obj.key; NULL when missing.  *made: a new string. */
static const struct val *
lookup(const struct val *obj, const char *name, const struct val *key,
    struct val **made)
{
	char buf[32];
	int64_t i;
	size_t at, off, len;

	if (key != NULL && key->type == V_STR)
		name = key->u.str.s;
	if (obj->type == V_MAP && key != NULL && key->type == V_INT) {
		snprintf(buf, sizeof(buf), "%" PRId64, key->u.i);
		name = buf;
	}
	if (obj->type == V_MAP)
		return name != NULL ? val_map_get(obj, name) : NULL;
	if (key != NULL && key->type == V_INT)
		i = key->u.i;
	else if (key != NULL || name == NULL || attr_index(name, &i) < 0)
		return NULL;
	if (obj->type == V_LIST)
		return py_index(i, obj->u.list.n, &at) < 0 ? NULL :
		    obj->u.list.items[at];
	if (obj->type != V_STR ||
	    py_index(i, utf8_len(obj->u.str.s, obj->u.str.len), &at) < 0)
		return NULL;
	utf8_at(obj->u.str.s, obj->u.str.len, at, &off, &len);
	*made = val_strn(obj->u.str.s + off, len);
	return *made;
}

/* Make r hold child, a part of in (which r may alias). */
static void
res_child(struct res *r, struct res *in, const struct val *child)
{
	struct val *c = in->owned ? val_copy(child) : (struct val *)child;
	int owned = in->owned, lit = in->literal || child->literal;

	res_free(in);
	r->v = c;
	r->owned = owned;
	r->undef = NULL;
	r->literal = lit;
}

static int
eval_access(struct ectx *cx, const struct node *n, struct res *r)
{
	struct res obj, key;
	const struct val *child;
	struct val *made = NULL;

	memset(&key, 0, sizeof(key));
	if (tmpl_eval_node(cx, n->kids[0], &obj) < 0)
		return -1;
	if (obj.v == NULL) {
		*r = obj;
		return 0;
	}
	if (n->kind == N_INDEX && eval_def(cx, n->kids[1], &key) < 0) {
		res_free(&obj);
		return -1;
	}
	child = lookup(obj.v, n->name, key.v, &made);
	res_free(&key);
	if (child == NULL) {
		res_free(&obj);
		r->undef = n;
		return 0;
	}
	if (made != NULL) {
		int lit = obj.literal;

		res_free(&obj);
		res_set(r, made);
		r->literal = lit;
	} else {
		res_child(r, &obj, child);
	}
	return step_done(cx, n, r);
}

/* ---- slices: Python's obj[start:stop:step] ---- */

/* A slice bound: left out or none keeps *out; else an integer. */
static int
slice_bound(struct ectx *cx, const struct node *n, int64_t *out, int *given)
{
	struct res b;
	int ret = 0;

	*given = 0;
	if (n == NULL)
		return 0;
	if (eval_def(cx, n, &b) < 0)
		return -1;
	if (b.v->type == V_INT) {
		*out = b.v->u.i;
		*given = 1;
	} else if (b.v->type != V_NULL) {
		ret = terr_set(cx->err, n->off, "slice indices must be integers "
		    "or None, not %s", val_type_name(b.v->type));
	}
	res_free(&b);
	return ret;
}

/* One bound, Python's PySlice_AdjustIndices. */
static int64_t
slice_clamp(int64_t i, int64_t len, int64_t step)
{
	if (i < 0) {
		i += len;
		if (i < 0)
			i = step < 0 ? -1 : 0;
	} else if (i >= len) {
		i = step < 0 ? len - 1 : len;
	}
	return i;
}

/* What a slice counts in: a list's items, or a UTF-8 string's code
 * points (o[i] the byte offset of the i-th, o[len] its end). */
struct seq {
	const struct val *v;
	size_t *o;
	int64_t len;
};

static void
seq_init(struct seq *q, const struct val *v)
{
	size_t i, n = 0;

	q->v = v;
	q->o = NULL;
	if (v->type == V_LIST) {
		q->len = (int64_t)v->u.list.n;
		return;
	}
	q->o = xcalloc(v->u.str.len + 1, sizeof(*q->o));
	for (i = 0; i < v->u.str.len; i++)
		if (((unsigned char)v->u.str.s[i] & 0xC0) != 0x80)
			q->o[n++] = i;
	q->o[n] = v->u.str.len;
	q->len = (int64_t)n;
}

/* The items (or code points) a, a + step, ... before b. */
static struct val *
slice_take(const struct seq *q, int64_t a, int64_t b, int64_t step)
{
	struct strbuf sb = STRBUF_INIT;
	struct val *l;
	int64_t i;

	if (q->o == NULL) {
		l = val_list();
		for (i = a; step > 0 ? i < b : i > b; i += step)
			val_list_push(l, val_copy(q->v->u.list.items[i]));
		l->tuple = q->v->tuple;
		return l;
	}
	for (i = a; step > 0 ? i < b : i > b; i += step)
		strbuf_add(&sb, q->v->u.str.s + q->o[i], q->o[i + 1] - q->o[i]);
	return val_str_take(strbuf_detach(&sb, NULL));
}

static int
eval_slice(struct ectx *cx, const struct node *n, struct res *r)
{
	int64_t a = 0, b = 0, step = 1;
	int ga, gb, gs, lit;
	struct res obj;
	struct seq q;

	if (eval_def(cx, n->kids[0], &obj) < 0)
		return -1;
	if (obj.v->type != V_LIST && obj.v->type != V_STR) {
		terr_set(cx->err, n->off, "cannot slice a %s",
		    val_type_name(obj.v->type));
		res_free(&obj);
		return -1;
	}
	if (slice_bound(cx, n->kids[3], &step, &gs) < 0 ||
	    slice_bound(cx, n->kids[1], &a, &ga) < 0 ||
	    slice_bound(cx, n->kids[2], &b, &gb) < 0 ||
	    (step == 0 && terr_set(cx->err, n->kids[3]->off,
	    "slice step cannot be zero") < 0)) {
		res_free(&obj);
		return -1;
	}
	seq_init(&q, obj.v);
	a = ga ? slice_clamp(a, q.len, step) : step < 0 ? q.len - 1 : 0;
	b = gb ? slice_clamp(b, q.len, step) : step < 0 ? -1 : q.len;
	lit = obj.literal;
	res_set(r, slice_take(&q, a, b, step));
	r->literal = lit;
	free(q.o);
	res_free(&obj);
	return tmpl_charge(cx, n->off, r->v);
}

/* ---- literals ---- */

static int
eval_list(struct ectx *cx, const struct node *n, struct res *r)
{
	struct val *l = val_list();
	struct res it;
	size_t i;

	for (i = 0; i < n->nkids; i++) {
		if (eval_def(cx, n->kids[i], &it) < 0) {
			val_free(l);
			return -1;
		}
		if (tmpl_charge(cx, n->kids[i]->off, it.v) < 0) {
			res_free(&it);
			val_free(l);
			return -1;
		}
		val_list_push(l, res_take(&it));
	}
	l->tuple = n->op == 1;
	res_set(r, l);
	return 0;
}

static int
eval_dict(struct ectx *cx, const struct node *n, struct res *r)
{
	struct val *m = val_map();
	struct res k, v;
	size_t i;

	for (i = 0; i + 1 < n->nkids; i += 2) {
		if (eval_def(cx, n->kids[i], &k) < 0)
			goto fail;
		if (k.v->type != V_STR) {
			terr_set(cx->err, n->kids[i]->off,
			    "mapping keys must be strings, not %s",
			    val_type_name(k.v->type));
			res_free(&k);
			goto fail;
		}
		if (eval_def(cx, n->kids[i + 1], &v) < 0) {
			res_free(&k);
			goto fail;
		}
		if (tmpl_charge(cx, n->kids[i + 1]->off, v.v) < 0) {
			res_free(&k);
			res_free(&v);
			goto fail;
		}
		val_map_set(m, k.v->u.str.s, res_take(&v));
		res_free(&k);
	}
	res_set(r, m);
	return 0;
fail:
	val_free(m);
	return -1;
}

/* ---- operators ---- */

static int
isnum(const struct val *v)
{
	return v->type == V_INT || v->type == V_BOOL;
}

static int64_t
num(const struct val *v)
{
	return v->type == V_INT ? v->u.i : v->u.b;
}

static const char *
op_name(int op)
{
	static const char *names[] = { "?", "==", "!=", "<", "<=", ">", ">=",
	    "in", "not in", "+", "-", "*", "//", "%", "~" };

	return names[op];
}

/* Python ordering of a and b into *c (-1, 0, 1). */
static int
order(struct ectx *cx, size_t at, int op, const struct val *a,
    const struct val *b, int *c)
{
	size_t i, m;
	int r;

	if (isnum(a) && isnum(b)) {
		*c = num(a) < num(b) ? -1 : num(a) > num(b);
		return 0;
	}
	if (a->type == V_STR && b->type == V_STR) {
		m = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
		r = memcmp(a->u.str.s, b->u.str.s, m);
		if (r == 0)
			r = a->u.str.len < b->u.str.len ? -1 :
			    a->u.str.len > b->u.str.len;
		*c = r < 0 ? -1 : r > 0;
		return 0;
	}
	if (a->type == V_LIST && b->type == V_LIST) {
		for (i = 0; i < a->u.list.n && i < b->u.list.n; i++)
			if (!val_equal(a->u.list.items[i], b->u.list.items[i]))
				return order(cx, at, op, a->u.list.items[i],
				    b->u.list.items[i], c);
		*c = a->u.list.n < b->u.list.n ? -1 : a->u.list.n > b->u.list.n;
		return 0;
	}
	return terr_set(cx->err, at, "'%s' not supported between %s and %s",
	    op_name(op), val_type_name(a->type), val_type_name(b->type));
}

static int
contains(struct ectx *cx, size_t at, const struct val *a,
    const struct val *b, int *out)
{
	size_t i;

	*out = 0;
	if (b->type == V_STR) {
		if (a->type != V_STR)
			return terr_set(cx->err, at, "'in <string>' needs a "
			    "string on the left, not %s",
			    val_type_name(a->type));
		*out = memmem(b->u.str.s, b->u.str.len, a->u.str.s,
		    a->u.str.len) != NULL;
		return 0;
	}
	if (b->type == V_LIST) {
		for (i = 0; i < b->u.list.n && !*out; i++)
			*out = val_equal(a, b->u.list.items[i]);
		return 0;
	}
	if (b->type == V_MAP) {
		*out = a->type == V_STR && val_map_get(b, a->u.str.s) != NULL;
		return 0;
	}
	return terr_set(cx->err, at, "'in' needs a string, list or "
	    "mapping on the right, not %s", val_type_name(b->type));
}

static int
compare(struct ectx *cx, size_t at, int op, const struct val *a,
    const struct val *b, int *out)
{
	int c = 0;

	switch (op) {
	case OP_EQ: *out = val_equal(a, b); return 0;
	case OP_NE: *out = !val_equal(a, b); return 0;
	case OP_IN: return contains(cx, at, a, b, out);
	case OP_NOTIN:
		if (contains(cx, at, a, b, out) < 0)
			return -1;
		*out = !*out;
		return 0;
	default:
		break;
	}
	if (order(cx, at, op, a, b, &c) < 0)
		return -1;
	*out = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 :
	    op == OP_GT ? c > 0 : c >= 0;
	return 0;
}

static int
eval_cmp(struct ectx *cx, const struct node *n, struct res *r)
{
	struct res a, b;
	size_t i;
	int ok = 1;

	if (eval_def(cx, n->kids[0], &a) < 0)
		return -1;
	for (i = 1; i < n->nkids && ok; i++) {
		if (eval_def(cx, n->kids[i], &b) < 0 ||
		    compare(cx, n->opoff[i - 1], n->ops[i - 1], a.v, b.v,
		    &ok) < 0) {
			res_free(&a);
			res_free(&b);
			return -1;
		}
		res_free(&a);
		a = b;
	}
	res_free(&a);
	res_set(r, val_bool(ok));
	return 0;
}

static int
arith(struct ectx *cx, const struct node *n, int64_t a, int64_t b,
    int64_t *out)
{
	int bad = 0;

	switch (n->op) {
	case OP_ADD: bad = __builtin_add_overflow(a, b, out); break;
	case OP_SUB: bad = __builtin_sub_overflow(a, b, out); break;
	case OP_MUL: bad = __builtin_mul_overflow(a, b, out); break;
	default:
		if (b == 0)
			return terr_set(cx->err, n->off, "division by zero");
		if (b == -1) {
			bad = n->op == OP_FLOORDIV && a == INT64_MIN;
			*out = n->op == OP_FLOORDIV && !bad ? -a : 0;
			break;
		}
		*out = n->op == OP_FLOORDIV ? a / b : a % b;
		if (a % b != 0 && (a % b < 0) != (b < 0))
			*out += n->op == OP_FLOORDIV ? -1 : b;
		break;
	}
	if (bad)
		return terr_set(cx->err, n->off, "integer overflow in '%s'",
		    op_name(n->op));
	return 0;
}

#define MAX_REPEAT (16u << 20)

/* 'ab' * 3, [1] * 2 */
static int
repeat(struct ectx *cx, const struct node *n, const struct val *s,
    int64_t times, struct res *r)
{
	size_t unit = s->type == V_STR ? s->u.str.len : s->u.list.n, i, j;
	struct strbuf sb = STRBUF_INIT;
	struct val *l;

	if (times < 0)
		times = 0;
	if (unit != 0 && (uint64_t)times > MAX_REPEAT / unit)
		return terr_set(cx->err, n->off, "result of '*' is too large");
	for (i = 0; i < (size_t)times; i++)
		if (tmpl_charge(cx, n->off, s) < 0)
			return -1;
	if (s->type == V_STR) {
		for (i = 0; i < (size_t)times; i++)
			strbuf_add(&sb, s->u.str.s, s->u.str.len);
		res_set(r, val_strn(sb.buf, sb.len));
		strbuf_release(&sb);
		return 0;
	}
	l = val_list();
	for (i = 0; i < (size_t)times; i++)
		for (j = 0; j < unit; j++)
			val_list_push(l, val_copy(s->u.list.items[j]));
	res_set(r, l);
	return 0;
}

static struct val *
join2(const struct val *a, const struct val *b)
{
	struct strbuf sb = STRBUF_INIT;
	struct val *v;
	size_t i;

	if (a->type == V_LIST) {
		v = val_copy(a);
		for (i = 0; i < b->u.list.n; i++)
			val_list_push(v, val_copy(b->u.list.items[i]));
		return v;
	}
	if (a->type == V_STR && b->type == V_STR) {
		strbuf_add(&sb, a->u.str.s, a->u.str.len);
		strbuf_add(&sb, b->u.str.s, b->u.str.len);
	} else {
		val_to_str_py(a, &sb);
		val_to_str_py(b, &sb);
	}
	v = val_strn(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

/* 'fmt' % x, 'fmt' % (a, b): a tuple literal gives the arguments */
static int
percent(struct ectx *cx, const struct node *n, const struct val *fmt,
    const struct val *b, struct res *r)
{
	struct strbuf sb = STRBUF_INIT;
	const struct val *one = b;
	int ret;

	ret = n->kids[1]->kind == N_LIST && n->kids[1]->op == 1 ? tmpl_percent(cx, n->off, fmt,
	    (const struct val *const *)b->u.list.items, b->u.list.n, &sb) :
	    tmpl_percent(cx, n->off, fmt, &one, 1, &sb);
	if (ret == 0)
		res_set(r, val_strn(sb.buf, sb.len));
	strbuf_release(&sb);
	return ret;
}

static int
binop(struct ectx *cx, const struct node *n, const struct val *a,
    const struct val *b, struct res *r)
{
	int64_t x = 0;

	if ((n->op == OP_CONCAT || n->op == OP_ADD) &&
	    (tmpl_charge(cx, n->off, a) < 0 || tmpl_charge(cx, n->off, b) < 0))
		return -1;
	if (n->op == OP_CONCAT) {
		res_set(r, join2(a, b));
		return 0;
	}
	if (isnum(a) && isnum(b)) {
		if (arith(cx, n, num(a), num(b), &x) < 0)
			return -1;
		res_set(r, val_int(x));
		return 0;
	}
	if (n->op == OP_ADD && a->type == b->type &&
	    (a->type == V_STR || a->type == V_LIST)) {
		res_set(r, join2(a, b));
		return 0;
	}
	if (n->op == OP_MUL && (a->type == V_STR || a->type == V_LIST) &&
	    isnum(b))
		return repeat(cx, n, a, num(b), r);
	if (n->op == OP_MOD && a->type == V_STR)
		return percent(cx, n, a, b, r);
	if (n->op == OP_MUL && (b->type == V_STR || b->type == V_LIST) &&
	    isnum(a))
		return repeat(cx, n, b, num(a), r);
	return terr_set(cx->err, n->off, "unsupported operand types for "
	    "'%s': %s and %s", op_name(n->op), val_type_name(a->type),
	    val_type_name(b->type));
}

static int
eval_bin(struct ectx *cx, const struct node *n, struct res *r)
{
	struct res a, b;
	int ret;

	if (eval_def(cx, n->kids[0], &a) < 0)
		return -1;
	if (eval_def(cx, n->kids[1], &b) < 0) {
		res_free(&a);
		return -1;
	}
	ret = binop(cx, n, a.v, b.v, r);
	res_free(&a);
	res_free(&b);
	return ret;
}

static int
eval_unary(struct ectx *cx, const struct node *n, struct res *r)
{
	struct res a;
	int64_t x = 0;
	int t;

	if (n->kind == N_NOT) {
		if (truth(cx, n->kids[0], &t) < 0)
			return -1;
		res_set(r, val_bool(!t));
		return 0;
	}
	if (eval_def(cx, n->kids[0], &a) < 0)
		return -1;
	if (!isnum(a.v)) {
		terr_set(cx->err, n->off, "bad operand type for unary '%c': %s",
		    n->kind == N_NEG ? '-' : '+', val_type_name(a.v->type));
		res_free(&a);
		return -1;
	}
	x = num(a.v);
	res_free(&a);
	if (n->kind == N_NEG && x == INT64_MIN)
		return terr_set(cx->err, n->off, "integer overflow in '-'");
	res_set(r, val_int(n->kind == N_NEG ? -x : x));
	return 0;
}

static int
eval_logic(struct ectx *cx, const struct node *n, struct res *r)
{
	int t;

	if (eval_def(cx, n->kids[0], r) < 0)
		return -1;
	t = val_truthy(r->v);
	if ((n->kind == N_AND && !t) || (n->kind == N_OR && t))
		return 0;
	res_free(r);
	return tmpl_eval_node(cx, n->kids[1], r);
}

static int
eval_cond(struct ectx *cx, const struct node *n, struct res *r)
{
	int t;

	if (truth(cx, n->kids[1], &t) < 0)
		return -1;
	if (t)
		return tmpl_eval_node(cx, n->kids[0], r);
	if (n->nkids > 2)
		return tmpl_eval_node(cx, n->kids[2], r);
	r->undef = n;
	return 0;
}

/* ---- filters and tests ---- */

static void
fargs_free(struct fargs *fa)
{
	size_t i;

	for (i = 0; i < TMPL_MAX_PARAMS; i++)
		res_free(&fa->a[i]);
}

static int
eval_filter(struct ectx *cx, const struct node *n, struct res *r)
{
	const struct filter *f = n->filter;
	struct fargs fa;
	struct res in;
	size_t i;
	int ret = -1;

	memset(&fa, 0, sizeof(fa));
	if (tmpl_eval_node(cx, n->kids[0], &in) < 0)
		return -1;
	if (in.v == NULL && !f->takes_undef) {
		tmpl_undef_error(cx, &in, n->kids[0]);
		goto out;
	}
	for (i = 0; i < TMPL_MAX_PARAMS; i++) {
		if (n->kids[1 + i] == NULL)
			continue;
		fa.set[i] = 1;
		if ((f->takes_undef ? tmpl_eval_node(cx, n->kids[1 + i],
		    &fa.a[i]) : eval_def(cx, n->kids[1 + i], &fa.a[i])) < 0)
			goto out;
	}
	ret = f->fn(cx, n, &in, &fa, r);
	if (ret == 0 && r->owned)
		ret = tmpl_charge(cx, n->off, r->v);
out:
	res_free(&in);
	fargs_free(&fa);
	return ret;
}

static int
eval_test(struct ectx *cx, const struct node *n, struct res *r)
{
	struct fargs fa;
	struct res in;
	size_t i;
	int t = -1;

	memset(&fa, 0, sizeof(fa));
	if (tmpl_eval_node(cx, n->kids[0], &in) < 0)
		return -1;
	if (in.v == NULL && !n->test->takes_undef) {
		tmpl_undef_error(cx, &in, n->kids[0]);
		goto out;
	}
	for (i = 0; i < TMPL_MAX_PARAMS; i++) {
		if (n->kids[1 + i] == NULL)
			continue;
		fa.set[i] = 1;
		if (eval_def(cx, n->kids[1 + i], &fa.a[i]) < 0)
			goto out;
	}
	t = n->test->fn(cx, n, &in, &fa);
out:
	res_free(&in);
	fargs_free(&fa);
	if (t < 0)
		return -1;
	res_set(r, val_bool(n->neg ? !t : t));
	return 0;
}

int
tmpl_eval_node(struct ectx *cx, const struct node *n, struct res *r)
{
	memset(r, 0, sizeof(*r));
	switch (n->kind) {
	case N_LIT: res_borrow(r, n->lit); return 0;
	case N_NAME: return eval_name(cx, n, r);
	case N_ATTR:
	case N_INDEX: return eval_access(cx, n, r);
	case N_SLICE: return eval_slice(cx, n, r);
	case N_LIST: return eval_list(cx, n, r);
	case N_DICT: return eval_dict(cx, n, r);
	case N_NOT:
	case N_NEG:
	case N_POS: return eval_unary(cx, n, r);
	case N_AND:
	case N_OR: return eval_logic(cx, n, r);
	case N_CMP: return eval_cmp(cx, n, r);
	case N_BIN: return eval_bin(cx, n, r);
	case N_FILTER: return eval_filter(cx, n, r);
	case N_TEST: return eval_test(cx, n, r);
	case N_COND: return eval_cond(cx, n, r);
	case N_CALL: return tmpl_eval_call(cx, n, r);
	}
	return terr_set(cx->err, n->off, "internal error: bad node");
}

/* ---- whole templates ---- */

static void
mark_literal(struct val *v)
{
	size_t i;

	v->literal = 1;
	for (i = 0; v->type == V_LIST && i < v->u.list.n; i++)
		mark_literal(v->u.list.items[i]);
	for (i = 0; v->type == V_MAP && i < v->u.map.n; i++)
		mark_literal(v->u.map.items[i].v);
}

/* Ansible's do_template: as many trailing newlines as the source had. */
static void
keep_newlines(const struct ectx *cx, const char *src, size_t len,
    struct strbuf *sb)
{
	size_t want = 0, have = 0;

	while (want < len && src[len - 1 - want] == '\n')
		want++;
	while (have < sb->len && sb->buf[sb->len - 1 - have] == '\n')
		have++;
	for (; have < want; have++)
		strbuf_addstr(sb, cx->opt != NULL ? cx->opt->newline : "\n");
}

/* A lone {{ expr }}'s value stays what it is when nothing is around it,
 * or (after Jinja dropped a trailing newline) when it is not a string, or
 * when it is a list or mapping (whitespace after it: Ansible's
 * literal_eval of "[...] " gives it back).  Otherwise the template is
 * text: "{{ s }}\n" is s + "\n", "{{ n }} " is "42 " (ansible-core
 * 2.14). */
static int
native_kept(const struct tmpl *t, const struct val *v)
{
	size_t i;

	if (v->type == V_LIST || v->type == V_MAP)
		return 1;
	for (i = 0; i < t->top.n; i++)
		if (t->top.items[i].kind == S_TEXT && t->top.items[i].len > 0)
			return 0;
	return t->len == t->srclen || v->type != V_STR;
}

static const struct stmt *
lone_expr(const struct tmpl *t)
{
	size_t i;

	for (i = 0; i < t->top.n; i++)
		if (t->top.items[i].kind == S_EXPR)
			return &t->top.items[i];
	return NULL;
}

int
tmpl_eval_tmpl(struct ectx *cx, const struct tmpl *t, struct val **out)
{
	struct strbuf sb = STRBUF_INIT;
	struct scope top = { NULL, NULL };
	const struct topts *saved = cx->opt;
	struct scope *up = cx->sc;
	struct res r;
	int ret, lit;

	if (t->native) {
		if (eval_def(cx, lone_expr(t)->n, &r) < 0 || (!r.owned &&
		    tmpl_charge(cx, lone_expr(t)->n->off, r.v) < 0)) {
			res_free(&r);
			return -1;
		}
		lit = r.literal;
		*out = res_take(&r);
		if (lit)
			mark_literal(*out);
		if (native_kept(t, *out))
			return 0;
		val_free(*out);
		*out = NULL;
	}
	top.vars = val_map();
	top.up = cx->sc;
	cx->sc = &top;
	cx->opt = &t->opt;
	ret = tmpl_exec(cx, t, &t->top, &sb);
	if (ret == 0)
		keep_newlines(cx, t->src, t->srclen, &sb);
	cx->sc = up;
	cx->opt = saved;
	val_free(top.vars);
	if (ret == 0) {
		*out = val_strn(sb.buf, sb.len);
		(*out)->quoted = 1;
	}
	strbuf_release(&sb);
	return ret;
}
