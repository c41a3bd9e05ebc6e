/*
 * template_exec.c - run the statements of a parsed template
 * (template_stmt.c) into a string, as Jinja2 renders them.
 *
 * Scopes: the template has one scope (top-level `set`); each iteration of
 * a `for` has its own, holding the loop targets, `loop` and the `set`s of
 * its body, so nothing set inside a loop is seen after it (Jinja2's
 * rule); `if` opens no scope.  Values stored in a scope are copies marked
 * literal: they were templated already and are never templated again.
 *
 * Text is output with its newlines (\r\n, \r, \n) written as the
 * template's newline_sequence, as Jinja2 does.  Limits: TMPL_MAX_ITERS
 * loop iterations and TMPL_MAX_SIZE bytes of output per render (errors).
 */
#include <stdlib.h>
#include <string.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

const struct val *
tmpl_scope_get(const struct ectx *cx, const char *name)
{
	const struct scope *s;
	const struct val *v;

	for (s = cx->sc; s != NULL; s = s->up)
		if ((v = val_map_get(s->vars, name)) != NULL)
			return v;
	return NULL;
}

static void
scope_set(struct ectx *cx, const char *name, struct val *v)
{
	val_mark_literal(v);
	val_map_set(cx->sc->vars, name, v);
}

static int
out_cap(struct ectx *cx, size_t at, const struct strbuf *sb)
{
	if (sb->len > TMPL_MAX_SIZE)
		return terr_set(cx->err, at, "template expansion too large "
		    "(more than %u MiB rendered)", TMPL_MAX_SIZE >> 20);
	return 0;
}

static void
put_text(const struct ectx *cx, const char *s, size_t n, struct strbuf *sb)
{
	const char *nl = cx->opt != NULL ? cx->opt->newline : "\n";
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\n')
			continue;
		strbuf_add(sb, s + from, i - from);
		strbuf_addstr(sb, nl);
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
		from = i + 1;
	}
	strbuf_add(sb, s + from, n - from);
}

static int
eval_defined(struct ectx *cx, const struct node *n, struct res *r)
{
	if (tmpl_eval_node(cx, n, r) < 0)
		return -1;
	if (r->v == NULL)
		return tmpl_undef_error(cx, r, n);
	return 0;
}

static int
exec_expr(struct ectx *cx, const struct stmt *s, struct strbuf *sb)
{
	struct res r;

	if (tmpl_eval_node(cx, s->n, &r) < 0)
		return -1;
	/* Jinja2's inline if without else gives a lenient Undefined: '' */
	if (r.v == NULL && r.undef != NULL && r.undef->kind == N_COND)
		return 0;
	if (r.v == NULL)
		return tmpl_undef_error(cx, &r, s->n);
	if (!r.owned && tmpl_charge(cx, s->n->off, r.v) < 0) {
		res_free(&r);
		return -1;
	}
	tmpl_print(r.v, sb);
	res_free(&r);
	return out_cap(cx, s->off, sb);
}

static int
exec_if(struct ectx *cx, const struct tmpl *t, const struct stmt *s,
    struct strbuf *sb)
{
	struct res r;
	int yes;

	if (eval_defined(cx, s->n, &r) < 0)
		return -1;
	yes = val_truthy(r.v);
	res_free(&r);
	return tmpl_exec(cx, t, yes ? &s->body : &s->alt, sb);
}

static int
exec_set(struct ectx *cx, const struct tmpl *t, const struct stmt *s,
    struct strbuf *sb)
{
	struct strbuf blk = STRBUF_INIT;
	struct scope tmp;
	struct res r;
	int ret;

	(void)sb;
	if (s->kind == S_SET) {
		if (eval_defined(cx, s->n, &r) < 0)
			return -1;
		scope_set(cx, s->names[0], res_take(&r));
		return 0;
	}
	if (tmpl_exec(cx, t, &s->body, &blk) < 0) {
		strbuf_release(&blk);
		return -1;
	}
	tmp.vars = val_map();
	tmp.up = cx->sc;
	val_map_set(tmp.vars, "(block)", val_strn(blk.buf, blk.len));
	strbuf_release(&blk);
	cx->sc = &tmp;
	ret = eval_defined(cx, s->n, &r);
	cx->sc = tmp.up;
	if (ret == 0)
		scope_set(cx, s->names[0], res_take(&r));
	val_free(tmp.vars);
	return ret;
}

/* ---- for ---- */

struct loopseq {
	struct val **items;        /* borrowed from seq, or made (chars) */
	size_t n;
	struct val *made;          /* list owning made items */
};

/* Python iteration: list items, mapping keys, string characters. */
static int
loop_items(struct ectx *cx, const struct stmt *s, const struct val *v,
    struct loopseq *q)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	if (v->type == V_LIST) {
		q->items = xcalloc(v->u.list.n + 1, sizeof(*q->items));
		for (i = 0; i < v->u.list.n; i++)
			q->items[q->n++] = v->u.list.items[i];
		return 0;
	}
	if (v->type != V_MAP && v->type != V_STR)
		return terr_set(cx->err, s->n->off, "'%s' object is not "
		    "iterable", v->type == V_INT ? "int" : v->type == V_BOOL ?
		    "bool" : v->type == V_FLOAT ? "float" : "NoneType");
	q->made = tmpl_iter_list(v);
	q->items = xcalloc(q->made->u.list.n + 1, sizeof(*q->items));
	for (i = 0; i < q->made->u.list.n; i++)
		q->items[q->n++] = q->made->u.list.items[i];
	return 0;
}

static int
bind_targets(struct ectx *cx, const struct stmt *s, const struct val *item)
{
	if (s->nnames == 1) {
		scope_set(cx, s->names[0], val_copy(item));
		return 0;
	}
	if (item->type != V_LIST || item->u.list.n != 2)
		return terr_set(cx->err, s->off, "cannot unpack %s into "
		    "'%s, %s' (need 2 values)", item->type == V_LIST ?
		    "a list of another length" : val_type_name(item->type),
		    s->names[0], s->names[1]);
	scope_set(cx, s->names[0], val_copy(item->u.list.items[0]));
	scope_set(cx, s->names[1], val_copy(item->u.list.items[1]));
	return 0;
}

/* Keep the items for which the loop's `if` holds. */
static int
loop_filter(struct ectx *cx, const struct stmt *s, struct loopseq *q)
{
	struct scope sc = { NULL, cx->sc };
	size_t i, k = 0;
	struct res r;
	int ret = 0, yes;

	for (i = 0; i < q->n && ret == 0; i++) {
		sc.vars = val_map();
		cx->sc = &sc;
		ret = bind_targets(cx, s, q->items[i]);
		if (ret == 0)
			ret = eval_defined(cx, s->cond, &r);
		cx->sc = sc.up;
		val_free(sc.vars);
		if (ret < 0)
			break;
		yes = val_truthy(r.v);
		res_free(&r);
		if (yes)
			q->items[k++] = q->items[i];
	}
	q->n = k;
	return ret;
}

static struct val *
loop_var(const struct loopseq *q, size_t i)
{
	struct val *l = val_map();
	int64_t n = (int64_t)q->n, k = (int64_t)i;

	val_map_set(l, "index", val_int(k + 1));
	val_map_set(l, "index0", val_int(k));
	val_map_set(l, "revindex", val_int(n - k));
	val_map_set(l, "revindex0", val_int(n - k - 1));
	val_map_set(l, "first", val_bool(i == 0));
	val_map_set(l, "last", val_bool(i + 1 == q->n));
	val_map_set(l, "length", val_int(n));
	val_map_set(l, "depth", val_int(1));
	val_map_set(l, "depth0", val_int(0));
	if (i > 0)
		val_map_set(l, "previtem", val_copy(q->items[i - 1]));
	if (i + 1 < q->n)
		val_map_set(l, "nextitem", val_copy(q->items[i + 1]));
	return l;
}

static int
loop_run(struct ectx *cx, const struct tmpl *t, const struct stmt *s,
    struct loopseq *q, struct strbuf *sb)
{
	struct scope sc = { NULL, cx->sc };
	size_t i;
	int ret = 0;

	for (i = 0; i < q->n && ret == 0; i++) {
		if (++*cx->iters > TMPL_MAX_ITERS)
			return terr_set(cx->err, s->off, "template loops run "
			    "more than %d times", TMPL_MAX_ITERS);
		sc.vars = val_map();
		cx->sc = &sc;
		scope_set(cx, "loop", loop_var(q, i));
		ret = bind_targets(cx, s, q->items[i]);
		if (ret == 0)
			ret = tmpl_exec(cx, t, &s->body, sb);
		cx->sc = sc.up;
		val_free(sc.vars);
	}
	return ret;
}

static int
exec_for(struct ectx *cx, const struct tmpl *t, const struct stmt *s,
    struct strbuf *sb)
{
	struct loopseq q;
	struct res r;
	int ret;

	if (eval_defined(cx, s->n, &r) < 0)
		return -1;
	ret = loop_items(cx, s, r.v, &q);
	if (ret == 0 && s->cond != NULL)
		ret = loop_filter(cx, s, &q);
	if (ret == 0 && q.n == 0)
		ret = tmpl_exec(cx, t, &s->alt, sb);
	else if (ret == 0)
		ret = loop_run(cx, t, s, &q, sb);
	free(q.items);
	val_free(q.made);
	res_free(&r);
	return ret;
}

int
tmpl_exec(struct ectx *cx, const struct tmpl *t, const struct body *b,
    struct strbuf *sb)
{
	const struct stmt *s;
	size_t i;
	int ret = 0;

	for (i = 0; i < b->n && ret == 0; i++) {
		s = &b->items[i];
		switch (s->kind) {
		case S_TEXT:
			put_text(cx, t->src + s->off, s->len, sb);
			ret = out_cap(cx, s->off, sb);
			break;
		case S_EXPR: ret = exec_expr(cx, s, sb); break;
		case S_IF: ret = exec_if(cx, t, s, sb); break;
		case S_FOR: ret = exec_for(cx, t, s, sb); break;
		case S_SET:
		case S_SETBLOCK: ret = exec_set(cx, t, s, sb); break;
		}
	}
	return ret;
}
