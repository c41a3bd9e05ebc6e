/*
 * template_tests.c - tests with arguments (Jinja2's and Ansible's):
 *   version(ver, operator='eq') / version_compare: LooseVersion ordering
 *     (runs of digits compare as numbers, runs of letters as strings; a
 *     number against letters is an error, as in Python 3)
 *   match search regex(pattern, ignorecase, multiline): Python re via
 *     PCRE2 (match anchors at the start)
 *   contains(x) in(seq) subset(l) superset(l) divisibleby(n) even odd
 *   eq equalto == ne != lt < le <= gt > ge >= greaterthan lessthan sameas
 *   exists file directory link abs (controller-side paths) float (always
 *   false: mend has no floating point values)
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

static int
need(struct ectx *cx, const struct node *n, const struct fargs *fa, int i)
{
	if (fa->set[i] && fa->a[i].v != NULL)
		return 0;
	return terr_set(cx->err, n->off, "test '%s' needs an argument",
	    n->name);
}

/* LooseVersion components: numbers as V_INT, letter runs as V_STR. */
static struct val *
loose(const char *s)
{
	struct val *l = val_list();
	const char *p = s, *q;

	while (*p != '\0') {
		if (isdigit((unsigned char)*p)) {
			int64_t x = 0;

			for (q = p; isdigit((unsigned char)*q); q++)
				x = x < INT64_MAX / 10 ? x * 10 + (*q - '0') : x;
			val_list_push(l, val_int(x));
		} else if (*p == '.') {
			q = p + 1;
		} else {
			for (q = p; *q != '\0' && *q != '.' &&
			    !isdigit((unsigned char)*q); q++)
				;
			val_list_push(l, val_strn(p, (size_t)(q - p)));
		}
		p = q;
	}
	return l;
}

static int
loose_cmp(const struct val *a, const struct val *b, int *bad)
{
	size_t i;
	const struct val *x, *y;
	int c;

	for (i = 0; i < a->u.list.n && i < b->u.list.n; i++) {
		x = a->u.list.items[i];
		y = b->u.list.items[i];
		if (x->type != y->type) {
			*bad = 1;
			return 0;
		}
		c = x->type == V_INT ? (x->u.i > y->u.i) - (x->u.i < y->u.i) :
		    strcmp(x->u.str.s, y->u.str.s);
		if (c != 0)
			return c < 0 ? -1 : 1;
	}
	return (a->u.list.n > b->u.list.n) - (a->u.list.n < b->u.list.n);
}

static int
t_version(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	static const struct { const char *op; int lt, eq, gt; } ops[] = {
		{ "==", 0, 1, 0 }, { "=", 0, 1, 0 }, { "eq", 0, 1, 0 },
		{ "<", 1, 0, 0 }, { "lt", 1, 0, 0 }, { "<=", 1, 1, 0 },
		{ "le", 1, 1, 0 }, { ">", 0, 0, 1 }, { "gt", 0, 0, 1 },
		{ ">=", 0, 1, 1 }, { "ge", 0, 1, 1 }, { "!=", 1, 0, 1 },
		{ "<>", 1, 0, 1 }, { "ne", 1, 0, 1 },
	};
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const char *op = fa->set[1] && fa->a[1].v->type == V_STR ?
	    fa->a[1].v->u.str.s : "eq";
	struct val *la, *lb;
	size_t i;
	int c, bad = 0;

	if (need(cx, n, fa, 0) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(ops) && strcmp(ops[i].op, op) != 0; i++)
		;
	if (i == ARRAY_SIZE(ops))
		return terr_set(cx->err, n->off, "invalid operator type (%s)",
		    op);
	val_to_str_py(in->v, &a);
	val_to_str_py(fa->a[0].v, &b);
	la = loose(a.buf);
	lb = loose(b.buf);
	c = loose_cmp(la, lb, &bad);
	val_free(la);
	val_free(lb);
	strbuf_release(&a);
	strbuf_release(&b);
	if (bad)
		return terr_set(cx->err, n->off, "version comparison failed: "
		    "cannot compare a number with letters");
	return c < 0 ? ops[i].lt : c == 0 ? ops[i].eq : ops[i].gt;
}

static int
t_regex(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	struct strbuf s = STRBUF_INIT;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE at;
	pcre2_code *c;
	pcre2_match_data *md;
	uint32_t opt = PCRE2_UTF;
	int ec, rc;

	if (need(cx, n, fa, 0) < 0 || fa->a[0].v->type != V_STR)
		return terr_set(cx->err, n->off, "test '%s' needs a pattern",
		    n->name);
	if (fa->set[1] && val_truthy(fa->a[1].v))
		opt |= PCRE2_CASELESS;
	if (fa->set[2] && val_truthy(fa->a[2].v))
		opt |= PCRE2_MULTILINE;
	if (strcmp(n->test->name, "match") == 0)
		opt |= PCRE2_ANCHORED;
	c = pcre2_compile((PCRE2_SPTR)fa->a[0].v->u.str.s,
	    PCRE2_ZERO_TERMINATED, opt, &ec, &at, NULL);
	if (c == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return terr_set(cx->err, n->off, "test '%s': bad regular "
		    "expression: %s", n->name, (const char *)msg);
	}
	val_to_str_py(in->v, &s);
	md = pcre2_match_data_create_from_pattern(c, NULL);
	rc = pcre2_match(c, (PCRE2_SPTR)s.buf, s.len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	strbuf_release(&s);
	return rc >= 0;
}

static int
contains(const struct val *seq, const struct val *x)
{
	size_t i;

	if (seq->type == V_STR && x->type == V_STR)
		return memmem(seq->u.str.s, seq->u.str.len, x->u.str.s,
		    x->u.str.len) != NULL;
	if (seq->type == V_MAP)
		return x->type == V_STR && val_map_get(seq, x->u.str.s) != NULL;
	for (i = 0; seq->type == V_LIST && i < seq->u.list.n; i++)
		if (val_equal(seq->u.list.items[i], x))
			return 1;
	return 0;
}

static int
t_member(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	const char *t = n->test->name;
	const struct val *a = in->v, *b;
	size_t i;

	if (need(cx, n, fa, 0) < 0)
		return -1;
	b = fa->a[0].v;
	if (strcmp(t, "contains") == 0)
		return contains(a, b);
	if (strcmp(t, "in") == 0)
		return contains(b, a);
	if (a->type != V_LIST || b->type != V_LIST)
		return terr_set(cx->err, n->off, "test '%s' needs two lists",
		    t);
	if (strcmp(t, "superset") == 0) {
		const struct val *tmp = a;

		a = b;
		b = tmp;
	}
	for (i = 0; i < a->u.list.n; i++)
		if (!contains(b, a->u.list.items[i]))
			return 0;
	return 1;
}

static int
num(const struct val *v, int64_t *x)
{
	if (v->type == V_INT || v->type == V_BOOL) {
		*x = v->type == V_INT ? v->u.i : v->u.b;
		return 0;
	}
	return -1;
}

static int
t_compare(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	const char *t = n->test->name;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int64_t x, y;
	int c;

	if (need(cx, n, fa, 0) < 0)
		return -1;
	if (!strcmp(t, "eq") || !strcmp(t, "equalto") || !strcmp(t, "==") ||
	    !strcmp(t, "sameas"))
		return val_equal(in->v, fa->a[0].v);
	if (!strcmp(t, "ne") || !strcmp(t, "!="))
		return !val_equal(in->v, fa->a[0].v);
	if (num(in->v, &x) == 0 && num(fa->a[0].v, &y) == 0) {
		c = (x > y) - (x < y);
	} else if (in->v->type == V_STR && fa->a[0].v->type == V_STR) {
		val_to_str_py(in->v, &a);
		val_to_str_py(fa->a[0].v, &b);
		c = strcmp(a.buf, b.buf);
		c = (c > 0) - (c < 0);
		strbuf_release(&a);
		strbuf_release(&b);
	} else {
		return terr_set(cx->err, n->off, "test '%s': %s and %s cannot "
		    "be ordered", t, val_type_name(in->v->type),
		    val_type_name(fa->a[0].v->type));
	}
	if (!strcmp(t, "lt") || !strcmp(t, "<") || !strcmp(t, "lessthan"))
		return c < 0;
	if (!strcmp(t, "le") || !strcmp(t, "<="))
		return c <= 0;
	if (!strcmp(t, "gt") || !strcmp(t, ">") || !strcmp(t, "greaterthan"))
		return c > 0;
	return c >= 0;
}

static int
t_number(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	const char *t = n->test->name;
	int64_t x, d;

	if (strcmp(t, "float") == 0)
		return 0;
	if (num(in->v, &x) < 0)
		return terr_set(cx->err, n->off, "test '%s' needs a number", t);
	if (t[0] == 'e')
		return x % 2 == 0;
	if (t[0] == 'o')
		return x % 2 != 0;
	if (need(cx, n, fa, 0) < 0 || num(fa->a[0].v, &d) < 0 || d == 0)
		return terr_set(cx->err, n->off, "test 'divisibleby' needs a "
		    "non-zero number");
	return x % d == 0;
}

static int
t_path(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	const char *t = n->test->name;
	struct stat st;

	(void)fa;
	if (in->v->type != V_STR)
		return terr_set(cx->err, n->off, "test '%s' needs a path", t);
	if (strcmp(t, "abs") == 0)
		return in->v->u.str.s[0] == '/';
	if (strcmp(t, "link") == 0)
		return lstat(in->v->u.str.s, &st) == 0 && S_ISLNK(st.st_mode);
	if (stat(in->v->u.str.s, &st) < 0)
		return 0;
	return t[0] == 'e' || (t[0] == 'f' ? S_ISREG(st.st_mode) :
	    S_ISDIR(st.st_mode));
}

#define P1(a) { a }
static const struct test table[] = {
	{ "version", t_version, 0, { "version", "operator", "strict",
	    "version_type" } },
	{ "version_compare", t_version, 0, { "version", "operator", "strict",
	    "version_type" } },
	{ "match", t_regex, 0, { "pattern", "ignorecase", "multiline" } },
	{ "search", t_regex, 0, { "pattern", "ignorecase", "multiline" } },
	{ "regex", t_regex, 0, { "pattern", "ignorecase", "multiline" } },
	{ "contains", t_member, 0, P1("value") },
	{ "in", t_member, 0, P1("seq") },
	{ "subset", t_member, 0, P1("b") },
	{ "superset", t_member, 0, P1("b") },
	{ "eq", t_compare, 0, P1("b") }, { "equalto", t_compare, 0, P1("b") },
	{ "==", t_compare, 0, P1("b") }, { "sameas", t_compare, 0, P1("b") },
	{ "ne", t_compare, 0, P1("b") }, { "!=", t_compare, 0, P1("b") },
	{ "lt", t_compare, 0, P1("b") }, { "lessthan", t_compare, 0, P1("b") },
	{ "le", t_compare, 0, P1("b") }, { "gt", t_compare, 0, P1("b") },
	{ "greaterthan", t_compare, 0, P1("b") },
	{ "ge", t_compare, 0, P1("b") },
	{ "divisibleby", t_number, 0, P1("num") },
	{ "even", t_number, 0, { NULL } }, { "odd", t_number, 0, { NULL } },
	{ "float", t_number, 0, { NULL } },
	{ "exists", t_path, 0, { NULL } }, { "file", t_path, 0, { NULL } },
	{ "directory", t_path, 0, { NULL } }, { "link", t_path, 0, { NULL } },
	{ "abs", t_path, 0, { NULL } },
};

const struct test *
tmpl_more_tests(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}
