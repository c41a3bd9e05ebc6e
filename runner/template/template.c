/*
 * template.c - the public API of template.h: parse, evaluate, render, and
 * turn engine errors (byte offsets) into file:line:col.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/template/template.h"
#include "runner/template/template_int.h"
#include "runner/util/banned.h"

enum mode { M_TMPL, M_TEXT, M_EXPR };

int
tmpl_has(const char *s)
{
	if (s == NULL)
		return 0;
	for (; (s = strchr(s, '{')) != NULL; s++)
		if (s[1] == '{' || s[1] == '%' || s[1] == '#')
			return 1;
	return 0;
}

static size_t
cps(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/*
 * Where is byte `off` of template src, whose own position is p?  A
 * single-line template: p's column plus the offset in characters (plus one
 * for the opening quote of a quoted scalar).  A multi-line one: p itself,
 * and a note with the line and column inside the template.
 */
static void
locate(const char *src, size_t len, size_t off, const struct pos *p,
    int quoted, struct pos *out, struct strbuf *note)
{
	size_t i, line = 1, bol = 0, add;

	memset(out, 0, sizeof(*out));
	if (p != NULL)
		*out = *p;
	if (off > len)
		off = len;
	if (memchr(src, '\n', len) == NULL) {
		add = cps(src, off) + (quoted ? 1 : 0);
		if (out->line > 0 && out->col > 0 &&
		    add < (size_t)(INT_MAX - out->col))
			out->col += (int)add;
		return;
	}
	for (i = 0; i < off; i++)
		if (src[i] == '\n') {
			line++;
			bol = i + 1;
		}
	strbuf_addf(note, " (template line %zu, column %zu)", line,
	    cps(src + bol, off - bol) + 1);
}

static int
to_err(const struct terr *te, const char *src, size_t len,
    const struct pos *p, int quoted, struct err *e)
{
	struct strbuf note = STRBUF_INIT;
	struct pos at;

	if (te->resolved)
		at = te->pos;
	else
		locate(src, len, te->off, p, quoted, &at, &note);
	err_setpos(e, &at, "%s%s", te->msg.buf, note.buf);
	strbuf_release(&note);
	return -1;
}

static void
terr_init(struct terr *te)
{
	memset(te, 0, sizeof(*te));
	strbuf_init(&te->msg, 0);
}

/* An error inside variable v's value: give it v's position. */
static void
propagate(struct ectx *cx, const struct terr *te, const struct val *v,
    const struct node *at)
{
	struct terr *dst = cx->err;
	size_t n = at->end - at->off;

	if (dst->set)
		return;
	if (te->resolved || v->pos.file != NULL) {
		dst->set = dst->resolved = 1;
		dst->pos = te->pos;
		strbuf_reset(&dst->msg);
		strbuf_addbuf(&dst->msg, &te->msg);
		if (!te->resolved)
			locate(v->u.str.s, v->u.str.len, te->off, &v->pos,
			    v->quoted, &dst->pos, &dst->msg);
		return;
	}
	terr_set(dst, at->off, "%s (in the value of '%.*s')", te->msg.buf,
	    (int)(n > 60 ? 60 : n), cx->src + at->off);
}

int
tmpl_render_var(struct ectx *cx, const struct val *v, const struct node *at,
    struct val **out)
{
	size_t n = at->end - at->off;
	struct ectx sub;
	struct terr te;
	struct tmpl t;
	int ret = -1;

	if (cx->lazy >= TMPL_MAX_LAZY)
		return terr_set(cx->err, at->off, "templates nested more than "
		    "%d deep rendering '%.*s' (does it refer to itself?)",
		    TMPL_MAX_LAZY, (int)(n > 60 ? 60 : n), cx->src + at->off);
	if (++*cx->renders > TMPL_MAX_RENDERS)
		return terr_set(cx->err, at->off, "template expansion too "
		    "large (more than %d variable renders)", TMPL_MAX_RENDERS);
	terr_init(&te);
	if (tmpl_parse(&t, v->u.str.s, v->u.str.len, &te) == 0) {
		sub = *cx;
		sub.src = v->u.str.s;
		sub.lazy++;
		sub.unsafe = 0;
		sub.err = &te;
		sub.sc = NULL;
		sub.opt = NULL;
		ret = tmpl_eval_tmpl(&sub, &t, out);
		cx->unsafe |= sub.unsafe;
		tmpl_release(&t);
	}
	if (ret == 0) {
		(*out)->pos = v->pos;
		if (v->unsafe)
			val_mark_unsafe(*out);
	} else {
		propagate(cx, &te, v, at);
	}
	terr_release(&te);
	return ret;
}

int
tmpl_render_text(struct ectx *cx, const struct node *at, const char *src,
    size_t len, struct val **out)
{
	struct ectx sub;
	struct terr te;
	struct tmpl t;
	int ret = -1;

	if (cx->lazy >= TMPL_MAX_LAZY)
		return terr_set(cx->err, at->off, "templates nested more than "
		    "%d deep", TMPL_MAX_LAZY);
	terr_init(&te);
	if (tmpl_parse(&t, src, len, &te) == 0) {
		t.native = 0;
		sub = *cx;
		sub.src = src;
		sub.lazy++;
		sub.err = &te;
		sub.sc = NULL;
		sub.opt = NULL;
		ret = tmpl_eval_tmpl(&sub, &t, out);
		cx->unsafe |= sub.unsafe;
		tmpl_release(&t);
	}
	if (ret < 0)
		terr_set(cx->err, at->off, "in the template: %s", te.msg.buf);
	terr_release(&te);
	return ret;
}

static int
run(const struct val *vars, const char *src, size_t len, enum mode m,
    const struct pos *p, int quoted, struct val **out, int *unsafe,
    size_t *spent, struct err *e)
{
	struct terr te;
	struct tmpl t;
	struct ectx cx;
	size_t own = 0;
	int renders = 0, ret;
	size_t iters = 0;

	terr_init(&te);
	memset(&cx, 0, sizeof(cx));
	cx.iters = &iters;
	ret = m == M_EXPR ? tmpl_parse_expr(&t, src, len, &te) :
	    tmpl_parse(&t, src, len, &te);
	if (ret == 0) {
		if (m == M_TEXT)
			t.native = 0;
		if (m == M_EXPR)
			t.native = 1;
		cx.vars = vars;
		cx.src = src;
		cx.renders = &renders;
		cx.spent = spent != NULL ? spent : &own;
		cx.err = &te;
		ret = tmpl_eval_tmpl(&cx, &t, out);
		tmpl_release(&t);
	}
	if (ret == 0 && cx.unsafe)
		val_mark_unsafe(*out);
	if (ret == 0 && unsafe != NULL)
		*unsafe = cx.unsafe;
	if (ret < 0)
		to_err(&te, src, len, p, quoted, e);
	terr_release(&te);
	return ret;
}

static int
check(const char *src, size_t len, enum mode m, const struct pos *p,
    int quoted, struct err *e)
{
	struct strbuf note = STRBUF_INIT;
	struct terr te;
	struct tmpl t;
	struct pos at;
	size_t off;
	int ret;

	terr_init(&te);
	tmpl_local_seen(&off);
	ret = m == M_EXPR ? tmpl_parse_expr(&t, src, len, &te) :
	    tmpl_parse(&t, src, len, &te);
	if (ret == 0)
		tmpl_release(&t);
	else
		to_err(&te, src, len, p, quoted, e);
	if (tmpl_local_seen(&off)) {
		locate(src, len, off, p, quoted, &at, &note);
		tmpl_local_warn(&at, note.buf);
	}
	strbuf_release(&note);
	terr_release(&te);
	return ret;
}

int
tmpl_check(const char *s, const struct pos *p, struct err *e)
{
	return check(s, strlen(s), M_TMPL, p, 0, e);
}

/* A condition written with {{ }} or {% %}: ansible-core 2.14 warns, renders
 * it, and evaluates what it rendered (tmpl_eval_cond). */
#define COND_DELIM_WARNING "conditional statements should not include " \
	"jinja2 templating delimiters such as {{ }} or {% %} (Ansible " \
	"renders the template, then evaluates its result as the condition)"

int
tmpl_check_expr(const char *expr, const struct pos *p, struct err *e)
{
	if (tmpl_has(expr)) {
		if (check(expr, strlen(expr), M_TMPL, p, 0, e) < 0)
			return -1;
		tmpl_warn_at(p, COND_DELIM_WARNING);
		return 0;
	}
	return check(expr, strlen(expr), M_EXPR, p, 0, e);
}

int
tmpl_check_val(const struct val *v, struct err *e)
{
	size_t i;
	int ret = 0;

	if (v == NULL || v->literal)
		return 0;
	if (v->type == V_STR && tmpl_has(v->u.str.s))
		return check(v->u.str.s, v->u.str.len, M_TMPL, &v->pos,
		    v->quoted, e);
	for (i = 0; v->type == V_LIST && i < v->u.list.n; i++)
		ret |= tmpl_check_val(v->u.list.items[i], e);
	for (i = 0; v->type == V_MAP && i < v->u.map.n; i++)
		ret |= tmpl_check_val(v->u.map.items[i].v, e);
	return ret;
}

int
tmpl_render_ex(const char *s, const struct val *vars, const struct pos *p,
    struct strbuf *out, int *unsafe, struct err *e)
{
	struct val *v;

	if (unsafe != NULL)
		*unsafe = 0;
	if (run(vars, s, strlen(s), M_TEXT, p, 0, &v, unsafe, NULL, e) < 0)
		return -1;
	strbuf_add(out, v->u.str.s, v->u.str.len);
	val_free(v);
	return 0;
}

int
tmpl_render(const char *s, const struct val *vars, const struct pos *p,
    struct strbuf *out, struct err *e)
{
	return tmpl_render_ex(s, vars, p, out, NULL, e);
}

static struct val *
container_like(const struct val *in)
{
	struct val *c = val_new(in->type);

	c->pos = in->pos;
	c->quoted = in->quoted;
	c->unsafe = in->unsafe;
	return c;
}

/* Render the items of a list or mapping; every bad item is reported. */
static int
render_container(const struct val *in, const struct val *vars,
    size_t *spent, struct val **out, struct err *e)
{
	struct val *c = container_like(in), *kid;
	size_t i, n = in->type == V_LIST ? in->u.list.n : in->u.map.n;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (tmpl_render_val_budget(in->type == V_LIST ?
		    in->u.list.items[i] : in->u.map.items[i].v, vars, spent,
		    &kid, e) < 0) {
			ret = -1;
			continue;
		}
		if (in->type == V_LIST)
			val_list_push(c, kid);
		else
			val_map_set(c, in->u.map.items[i].key, kid);
	}
	if (ret == 0)
		*out = c;
	else
		val_free(c);
	return ret;
}

int
tmpl_render_val_budget(const struct val *in, const struct val *vars,
    size_t *spent, struct val **out, struct err *e)
{
	*out = NULL;
	if (in == NULL)
		return 0;
	if (!in->literal && (in->type == V_LIST || in->type == V_MAP))
		return render_container(in, vars, spent, out, e);
	if (in->literal || in->type != V_STR || !tmpl_has(in->u.str.s)) {
		*out = val_copy(in);
		return 0;
	}
	if (run(vars, in->u.str.s, in->u.str.len, M_TMPL, &in->pos,
	    in->quoted, out, NULL, spent, e) < 0)
		return -1;
	(*out)->pos = in->pos;
	if (in->unsafe)
		val_mark_unsafe(*out);
	return 0;
}

int
tmpl_render_val(const struct val *in, const struct val *vars,
    struct val **out, struct err *e)
{
	size_t spent = 0;

	return tmpl_render_val_budget(in, vars, &spent, out, e);
}

int
tmpl_eval(const char *expr, const struct val *vars, const struct pos *p,
    struct val **out, struct err *e)
{
	*out = NULL;
	return run(vars, expr, strlen(expr), M_EXPR, p, 0, out, NULL, NULL, e);
}

/* Truthiness; a bare variable holding the string true/false (any case,
 * as -e flag=false gives) counts as that boolean, as in Ansible <= 2.18. */
static int
cond_value(const struct node *root, const struct val *v)
{
	if (root->kind == N_NAME && v->type == V_STR) {
		if (strcasecmp(v->u.str.s, "false") == 0)
			return 0;
		if (strcasecmp(v->u.str.s, "true") == 0)
			return 1;
	}
	return val_truthy(v);
}

static int eval_cond_expr(const char *expr, const struct val *vars,
    const struct pos *p, int *out, struct err *e);

/* 2.14's Conditional: a templated condition is rendered first; a result
 * that is not a string (a lone {{ expr }} gives its value) or is empty
 * is the answer, a string is evaluated as the condition's expression. */
static int
eval_cond_template(const char *expr, const struct val *vars,
    const struct pos *p, int *out, struct err *e)
{
	struct val *v = NULL;
	int ret;

	ret = run(vars, expr, strlen(expr), M_TMPL, p, 0, &v, NULL, NULL, e);
	if (ret == 0 && v->type == V_STR && v->u.str.len > 0)
		ret = eval_cond_expr(v->u.str.s, vars, p, out, e);
	else if (ret == 0)
		*out = val_truthy(v);
	val_free(v);
	return ret;
}

int
tmpl_eval_cond(const char *expr, const struct val *vars,
    const struct pos *p, int *out, struct err *e)
{
	*out = 0;
	if (tmpl_has(expr))
		return eval_cond_template(expr, vars, p, out, e);
	return eval_cond_expr(expr, vars, p, out, e);
}

static int
eval_cond_expr(const char *expr, const struct val *vars,
    const struct pos *p, int *out, struct err *e)
{
	size_t len = strlen(expr);
	struct terr te;
	struct tmpl t;
	struct ectx cx;
	struct res r;
	size_t spent = 0;
	int renders = 0, ret;
	size_t iters = 0;

	terr_init(&te);
	*out = 0;
	ret = tmpl_parse_expr(&t, expr, len, &te);
	if (ret == 0) {
		memset(&cx, 0, sizeof(cx));
		cx.vars = vars;
		cx.src = expr;
		cx.renders = &renders;
		cx.spent = &spent;
		cx.iters = &iters;
		cx.err = &te;
		ret = tmpl_eval_node(&cx, t.top.items[0].n, &r);
		if (ret == 0 && r.v == NULL)
			ret = tmpl_undef_error(&cx, &r, t.top.items[0].n);
		if (ret == 0)
			*out = cond_value(t.top.items[0].n, r.v);
		res_free(&r);
		tmpl_release(&t);
	}
	if (ret < 0)
		to_err(&te, expr, len, p, 0, e);
	terr_release(&te);
	return ret;
}

/* Line and column (in characters) of byte off of src. */
static void
line_col(const char *src, size_t len, size_t off, const char *file,
    struct pos *at)
{
	size_t i, bol = 0;

	memset(at, 0, sizeof(*at));
	at->file = file;
	at->line = 1;
	for (i = 0; i < off && i < len; i++)
		if (src[i] == '\n') {
			at->line++;
			bol = i + 1;
		}
	at->col = (int)cps(src + bol, (off < len ? off : len) - bol) + 1;
}

int
tmpl_render_file(const char *src, size_t len, const char *path,
    const struct val *vars, const struct tmpl_file_opts *o,
    struct strbuf *out, struct err *e)
{
	struct topts opt;
	struct terr te;
	struct tmpl t;
	struct ectx cx;
	struct val *v = NULL;
	struct pos at;
	int renders = 0, ret;
	size_t iters = 0;

	tmpl_default_opts(&opt);
	if (o != NULL) {
		opt.trim_blocks = o->trim_blocks;
		opt.lstrip_blocks = o->lstrip_blocks;
		opt.newline = o->newline != NULL ? o->newline : "\n";
	}
	terr_init(&te);
	memset(&cx, 0, sizeof(cx));
	ret = tmpl_parse_opts(&t, src, len, &opt, &te);
	if (ret == 0) {
		t.native = 0;
		cx.vars = vars;
		cx.src = src;
		cx.renders = &renders;
		cx.iters = &iters;
		cx.err = &te;
		ret = tmpl_eval_tmpl(&cx, &t, &v);
		tmpl_release(&t);
	}
	if (ret == 0) {
		strbuf_add(out, v->u.str.s, v->u.str.len);
		val_free(v);
	} else {
		if (te.resolved)
			at = te.pos;
		else
			line_col(src, len, te.off, path, &at);
		err_setpos(e, &at, "%s", te.msg.buf);
	}
	terr_release(&te);
	return ret;
}
