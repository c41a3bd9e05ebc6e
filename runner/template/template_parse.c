/*
 * template_parse.c - lexer and recursive-descent parser of the Jinja2
 * subset (see template.h for the language, template_int.h for the AST).
 *
 * Precedence, lowest first, as Jinja2's parser.py:
 *     a if c else b  <  or  <  and  <  not  <  comparisons (== != < <= > >=
 *     in, not in; chained like Python)  <  + -  <  ~  <  * // %  <
 *     unary - +  <  postfix .attr [idx] and then filters | and tests `is`
 * so `not x | bool` is `not (x | bool)` and `-x | f` is `(-x) | f`.
 * Recursion is bounded (TMPL_MAX_NEST) and so is the AST depth
 * (TMPL_MAX_DEPTH), which bounds the evaluator's recursion.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"


int
terr_set(struct terr *te, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (te->set)
		return -1;
	te->set = 1;
	te->off = off;
	strbuf_reset(&te->msg);
	va_start(ap, fmt);
	strbuf_vaddf(&te->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
terr_release(struct terr *te)
{
	strbuf_release(&te->msg);
	te->set = 0;
	te->resolved = 0;
}

/* ---- lexer ---- */

static int
lex_string(struct lexer *lx)
{
	char q = lx->src[lx->pos++];
	static const char from[] = "ntr0\\'\"", to[] = "\n\t\r\0\\'\"";

	strbuf_reset(&lx->s);
	while (lx->pos < lx->len && lx->src[lx->pos] != q) {
		char c = lx->src[lx->pos++];
		const char *e;

		if (c == '\\' && lx->pos < lx->len) {
			c = lx->src[lx->pos++];
			e = c ? strchr(from, c) : NULL;
			if (e == NULL)
				strbuf_addch(&lx->s, '\\');
			else
				c = to[e - from];
		}
		strbuf_addch(&lx->s, c);
	}
	if (lx->pos >= lx->len)
		return terr_set(lx->err, lx->off, "unterminated string");
	lx->pos++;
	lx->t = T_STR;
	return 0;
}

static int
lex_int(struct lexer *lx, int attr)
{
	const char *s = lx->src;
	int64_t v = 0;

	while (lx->pos < lx->len && (isdigit((unsigned char)s[lx->pos]) ||
	    (s[lx->pos] == '_' && lx->pos + 1 < lx->len &&
	    isdigit((unsigned char)s[lx->pos + 1]) && !attr))) {
		if (s[lx->pos] != '_') {
			if (v > (INT64_MAX - (s[lx->pos] - '0')) / 10)
				return terr_set(lx->err, lx->off,
				    "integer literal too large");
			v = v * 10 + (s[lx->pos] - '0');
		}
		lx->pos++;
	}
	if (!attr && lx->pos < lx->len && (s[lx->pos] == '.' ||
	    s[lx->pos] == 'e' || s[lx->pos] == 'E') && lx->pos + 1 < lx->len &&
	    isdigit((unsigned char)s[lx->pos + 1]))
		return terr_set(lx->err, lx->off,
		    "floating point numbers are not supported");
	lx->ival = v;
	lx->t = T_INT;
	return 0;
}

static int
lex_name(struct lexer *lx)
{
	while (lx->pos < lx->len && (isalnum((unsigned char)lx->src[lx->pos]) ||
	    lx->src[lx->pos] == '_'))
		lx->pos++;
	strbuf_reset(&lx->s);
	strbuf_add(&lx->s, lx->src + lx->off, lx->pos - lx->off);
	lx->t = T_NAME;
	return 0;
}

static const struct { const char *op; enum tok t; } ops[] = {
	{ "//", T_FLOORDIV }, { "**", T_POW }, { "==", T_EQ }, { "!=", T_NE },
	{ "<=", T_LE }, { ">=", T_GE }, { "(", T_LPAREN }, { ")", T_RPAREN },
	{ "[", T_LBRACK }, { "]", T_RBRACK }, { ",", T_COMMA }, { ".", T_DOT },
	{ ":", T_COLON }, { "|", T_PIPE }, { "~", T_TILDE }, { "+", T_PLUS },
	{ "-", T_MINUS }, { "*", T_MUL }, { "/", T_DIV }, { "%", T_MOD },
	{ "<", T_LT }, { ">", T_GT }, { "=", T_ASSIGN },
};

static int
lex_brace(struct lexer *lx)
{
	const char *p = lx->src + lx->pos;
	size_t left = lx->len - lx->pos;

	if (p[0] == '{') {
		if (left > 1 && p[1] == '{')
			return terr_set(lx->err, lx->off, lx->block ?
			    "unexpected '{{' inside a tag" :
			    "templating delimiters '{{' are not allowed in a "
			    "bare expression (write the expression without "
			    "'{{ }}')");
		lx->braces++;
		lx->t = T_LBRACE;
		lx->pos++;
		return 0;
	}
	if (lx->block == LB_VAR && lx->braces == 0 && left > 1 &&
	    p[1] == '}') {
		lx->t = T_END;
		lx->pos += 2;
		return 0;
	}
	if (lx->braces > 0)
		lx->braces--;
	lx->t = T_RBRACE;
	lx->pos++;
	return 0;
}

/* `}}` `-}}` in {{ }}, `%}` `-%}` `+%}` in {% %}: the end of the tag. */
static int
lex_tag_end(struct lexer *lx, const char *p, size_t left)
{
	char close = lx->block == LB_VAR ? '}' : '%';
	size_t k = 0;

	if (lx->block == LB_NONE || lx->braces != 0)
		return 0;
	if (p[0] == '-' || (p[0] == '+' && lx->block == LB_STMT))
		k = 1;
	if (k + 1 >= left || p[k] != close || p[k + 1] != '}')
		return 0;
	lx->t = T_END;
	lx->strip = p[0] == '-';
	lx->plus = p[0] == '+';
	lx->pos += k + 2;
	return 1;
}

static int
lex_op(struct lexer *lx)
{
	const char *p = lx->src + lx->pos;
	size_t left = lx->len - lx->pos, i, n;
	unsigned char c = (unsigned char)*p;

	if (c == '{' || c == '}')
		return lex_brace(lx);
	if (lex_tag_end(lx, p, left))
		return 0;
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		n = strlen(ops[i].op);
		if (n <= left && memcmp(p, ops[i].op, n) == 0) {
			lx->t = ops[i].t;
			lx->pos += n;
			return 0;
		}
	}
	if (isprint(c))
		return terr_set(lx->err, lx->off, "unexpected character '%c'",
		    c);
	return terr_set(lx->err, lx->off, "unexpected byte 0x%02x", c);
}

/* Next token; attr: after '.', digits are an index, never a float. */
static int
lex_next2(struct lexer *lx, int attr)
{
	int r;

	while (lx->pos < lx->len && strchr(" \t\r\n", lx->src[lx->pos]) &&
	    lx->src[lx->pos] != '\0')
		lx->pos++;
	lx->off = lx->pos;
	if (lx->pos >= lx->len) {
		lx->t = T_EOF;
		lx->end = lx->pos;
		if (lx->block)
			return terr_set(lx->err, lx->block_off,
			    lx->block == LB_VAR ? "unterminated '{{'" :
			    "unterminated '{%%'");
		return 0;
	}
	if (isdigit((unsigned char)lx->src[lx->pos]))
		r = lex_int(lx, attr);
	else if (isalpha((unsigned char)lx->src[lx->pos]) ||
	    lx->src[lx->pos] == '_')
		r = lex_name(lx);
	else if (lx->src[lx->pos] == '\'' || lx->src[lx->pos] == '"')
		r = lex_string(lx);
	else
		r = lex_op(lx);
	lx->end = lx->pos;
	return r;
}

static int
lex_next(struct lexer *lx)
{
	return lex_next2(lx, 0);
}

/* After a name: is the next token a single '=' (keyword argument)? */
static int
lex_peek_assign(const struct lexer *lx)
{
	size_t p = lx->pos;

	while (p < lx->len && (lx->src[p] == ' ' || lx->src[p] == '\t' ||
	    lx->src[p] == '\n' || lx->src[p] == '\r'))
		p++;
	return p < lx->len && lx->src[p] == '=' &&
	    (p + 1 >= lx->len || lx->src[p + 1] != '=');
}

/* Describe the current token for "unexpected ..." messages. */
static void
tok_desc(const struct lexer *lx, struct strbuf *sb)
{
	size_t n = lx->end - lx->off;

	if (lx->t == T_EOF) {
		strbuf_addstr(sb, "end of expression");
		return;
	}
	if (lx->t == T_END) {
		strbuf_addstr(sb, lx->block == LB_VAR ? "'}}'" : "'%}'");
		return;
	}
	if (lx->t == T_STR) {
		/* the source text already has its quotes */
		strbuf_addstr(sb, "string ");
		strbuf_add(sb, lx->src + lx->off, n > 40 ? 40 : n);
		if (n > 40)
			strbuf_addstr(sb, "...");
		return;
	}
	strbuf_addch(sb, '\'');
	strbuf_add(sb, lx->src + lx->off, n > 40 ? 40 : n);
	strbuf_addstr(sb, n > 40 ? "...'" : "'");
}

/* ---- AST helpers ---- */

void
node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++) {
		node_free(n->kids[i]);
		if (n->kw != NULL)
			free(n->kw[i]);
	}
	free(n->kw);
	free(n->kids);
	free(n->ops);
	free(n->opoff);
	free(n->name);
	val_free(n->lit);
	free(n);
}

static struct node *
mk(enum nkind k, size_t off, size_t end)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = k;
	n->off = off;
	n->end = end;
	n->depth = 1;
	return n;
}

static int
depth_check(struct parser *ps, struct node *n, const struct node *kid)
{
	if (kid == NULL)
		return 0;
	if (kid->depth + 1 > n->depth)
		n->depth = kid->depth + 1;
	if (kid->end > n->end)
		n->end = kid->end;
	if (n->depth > TMPL_MAX_DEPTH)
		return terr_set(ps->err, n->off,
		    "expression too complex (more than %d levels)",
		    TMPL_MAX_DEPTH);
	return 0;
}

/* Append kid to n.  On error (kid NULL: already reported) free both. */
static struct node *
attach(struct parser *ps, struct node *n, struct node *kid)
{
	if (kid == NULL) {
		node_free(n);
		return NULL;
	}
	ALLOC_GROW(n->kids, n->nkids + 1, n->kids_alloc);
	n->kids[n->nkids++] = kid;
	if (depth_check(ps, n, kid) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

static int
next(struct parser *ps)
{
	return lex_next(&ps->lx);
}

static int
is_name(const struct parser *ps, const char *kw)
{
	return ps->lx.t == T_NAME && strcmp(ps->lx.s.buf, kw) == 0;
}

static int
unexpected(struct parser *ps, const char *what)
{
	struct strbuf sb = STRBUF_INIT;

	tok_desc(&ps->lx, &sb);
	if (what != NULL)
		terr_set(ps->err, ps->lx.off, "expected %s but found %s", what,
		    sb.buf);
	else
		terr_set(ps->err, ps->lx.off, "unexpected %s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

static int
expect(struct parser *ps, enum tok t, const char *what)
{
	if (ps->lx.t != t)
		return unexpected(ps, what);
	return next(ps);
}

static struct node *parse_expr(struct parser *ps);
static struct node *parse_or(struct parser *ps);
static struct node *parse_unary(struct parser *ps, int with_filter);

static int
nest_enter(struct parser *ps)
{
	if (++ps->nest > TMPL_MAX_NEST)
		return terr_set(ps->err, ps->lx.off,
		    "expression nested too deeply (more than %d levels)",
		    TMPL_MAX_NEST);
	return 0;
}

/* ---- primary expressions ---- */

static struct node *
lit(struct parser *ps, struct val *v)
{
	struct node *n = mk(N_LIT, ps->lx.off, ps->lx.end);

	n->lit = v;
	if (next(ps) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct node *
parse_name(struct parser *ps)
{
	const char *s = ps->lx.s.buf;
	struct node *n;

	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0)
		return lit(ps, val_bool(1));
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0)
		return lit(ps, val_bool(0));
	if (strcmp(s, "none") == 0 || strcmp(s, "None") == 0)
		return lit(ps, val_null());
	n = mk(N_NAME, ps->lx.off, ps->lx.end);
	n->name = xstrdup(s);
	if (next(ps) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* Items of a list or dict literal up to `close`. */
static struct node *
parse_items(struct parser *ps, struct node *n, enum tok close, int dict)
{
	while (n != NULL && ps->lx.t != close) {
		n = attach(ps, n, parse_expr(ps));
		if (n != NULL && dict) {
			if (expect(ps, T_COLON, "':'") < 0)
				goto fail;
			n = attach(ps, n, parse_expr(ps));
		}
		if (n == NULL || ps->lx.t == close)
			break;
		if (expect(ps, T_COMMA, dict ? "',' or '}'" : close == T_RPAREN ?
		    "',' or ')'" : "',' or ']'") < 0)
			goto fail;
	}
	if (n == NULL)
		return NULL;
	n->end = ps->lx.end;
	if (next(ps) < 0)
		goto fail;
	return n;
fail:
	node_free(n);
	return NULL;
}

/* (expr), or a tuple (a, b) / (a,) / (): an N_LIST with op 1. */
static struct node *
parse_paren(struct parser *ps)
{
	size_t off = ps->lx.off;
	struct node *n, *t;

	if (next(ps) < 0)
		return NULL;
	if (ps->lx.t == T_RPAREN) {
		t = mk(N_LIST, off, ps->lx.end);
		t->op = 1;
		if (next(ps) == 0)
			return t;
		node_free(t);
		return NULL;
	}
	n = parse_expr(ps);
	if (n != NULL && ps->lx.t == T_COMMA) {
		t = mk(N_LIST, off, n->end);
		t->op = 1;
		t = attach(ps, t, n);
		if (t == NULL || next(ps) < 0)
			goto fail_t;
		return parse_items(ps, t, T_RPAREN, 0);
	}
	if (n != NULL && expect(ps, T_RPAREN, "')'") < 0)
		goto fail;
	return n;
fail_t:
	n = t;
fail:
	node_free(n);
	return NULL;
}

static struct node *
parse_primary(struct parser *ps)
{
	struct node *n;
	int dict;

	switch (ps->lx.t) {
	case T_NAME:
		return parse_name(ps);
	case T_INT:
		return lit(ps, val_int(ps->lx.ival));
	case T_STR:
		return lit(ps, val_strn(ps->lx.s.buf, ps->lx.s.len));
	case T_LPAREN:
		return parse_paren(ps);
	case T_LBRACK:
	case T_LBRACE:
		dict = ps->lx.t == T_LBRACE;
		n = mk(dict ? N_DICT : N_LIST, ps->lx.off, ps->lx.end);
		if (next(ps) < 0) {
			node_free(n);
			return NULL;
		}
		return parse_items(ps, n, dict ? T_RBRACE : T_RBRACK, dict);
	case T_END:
	case T_EOF:
		unexpected(ps, "an expression");
		return NULL;
	default:
		unexpected(ps, NULL);
		return NULL;
	}
}

/* ---- postfix: .attr [index] ---- */

static struct node *
parse_attr(struct parser *ps, struct node *obj)
{
	struct node *n;

	if (lex_next2(&ps->lx, 1) < 0)
		goto fail;
	if (ps->lx.t != T_NAME && ps->lx.t != T_INT) {
		unexpected(ps, "an attribute name");
		goto fail;
	}
	n = mk(N_ATTR, obj->off, ps->lx.end);
	n->name = xstrndup(ps->lx.src + ps->lx.off, ps->lx.end - ps->lx.off);
	n = attach(ps, n, obj);
	if (n != NULL && next(ps) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
fail:
	node_free(obj);
	return NULL;
}

/* A slice's part: NULL (no error) when it is left out, before ':' or ']'. */
static int
slice_part(struct parser *ps, struct node *n)
{
	struct node *e = NULL;

	if (ps->lx.t != T_COLON && ps->lx.t != T_RBRACK) {
		e = parse_expr(ps);
		if (e == NULL)
			return -1;
	}
	ALLOC_GROW(n->kids, n->nkids + 1, n->kids_alloc);
	n->kids[n->nkids++] = e;
	return depth_check(ps, n, e);
}

/* After obj[start: -- the stop and the step, then ']'. */
static int
parse_slice(struct parser *ps, struct node *n)
{
	n->kind = N_SLICE;
	if (next(ps) < 0 || slice_part(ps, n) < 0)
		return -1;
	if (ps->lx.t == T_COLON) {
		if (next(ps) < 0 || slice_part(ps, n) < 0)
			return -1;
	} else {
		ALLOC_GROW(n->kids, n->nkids + 1, n->kids_alloc);
		n->kids[n->nkids++] = NULL;
	}
	n->end = ps->lx.end;
	return expect(ps, T_RBRACK, "']'");
}

/* obj[key] or obj[start:stop:step]. */
static struct node *
parse_index(struct parser *ps, struct node *obj)
{
	struct node *n = mk(N_INDEX, obj->off, obj->end);

	n = attach(ps, n, obj);
	if (n == NULL || next(ps) < 0 || slice_part(ps, n) < 0)
		goto fail;
	if (ps->lx.t == T_COLON) {
		if (parse_slice(ps, n) < 0)
			goto fail;
		return n;
	}
	if (n->kids[1] == NULL) {
		unexpected(ps, "an expression");
		goto fail;
	}
	n->end = ps->lx.end;
	if (expect(ps, T_RBRACK, "']'") < 0)
		goto fail;
	return n;
fail:
	node_free(n);
	return NULL;
}

/* One call argument: [name=]expr; kw names kept in n->kw. */
static int
parse_call_arg(struct parser *ps, struct node *n, int *kwseen)
{
	struct node *e;
	char *kw = NULL;

	if (ps->lx.t == T_NAME && lex_peek_assign(&ps->lx)) {
		kw = xstrdup(ps->lx.s.buf);
		if (next(ps) < 0 || next(ps) < 0) {
			free(kw);
			return -1;
		}
	} else if (*kwseen) {
		return terr_set(ps->err, ps->lx.off,
		    "positional argument follows keyword argument");
	}
	*kwseen |= kw != NULL;
	e = parse_expr(ps);
	if (e == NULL) {
		free(kw);
		return -1;
	}
	n->kw = xrealloc(n->kw, (n->nkids + 1) * sizeof(*n->kw));
	n->kw[n->nkids] = kw;
	return attach(ps, n, e) == NULL ? -2 : 0;
}

/* name(args) or obj.name(args): an N_CALL; callee is consumed. */
static struct node *
parse_call(struct parser *ps, struct node *callee)
{
	struct node *n;
	int kwseen = 0, r;

	if (callee->kind != N_NAME && callee->kind != N_ATTR) {
		terr_set(ps->err, ps->lx.off, "only functions and methods "
		    "can be called");
		node_free(callee);
		return NULL;
	}
	n = mk(N_CALL, callee->off, ps->lx.end);
	n->name = callee->name;
	callee->name = NULL;
	n->kw = xcalloc(1, sizeof(*n->kw));
	ALLOC_GROW(n->kids, 1, n->kids_alloc);
	n->nkids = 1;
	n->kids[0] = NULL;
	if (callee->kind == N_ATTR) {
		n->kids[0] = callee->kids[0];
		callee->nkids = 0;
		depth_check(ps, n, n->kids[0]);
	}
	node_free(callee);
	if (next(ps) < 0)
		goto fail;
	while (ps->lx.t != T_RPAREN) {
		r = parse_call_arg(ps, n, &kwseen);
		if (r == -2)
			return NULL;        /* attach freed n */
		if (r < 0)
			goto fail;
		if (ps->lx.t == T_RPAREN)
			break;
		if (expect(ps, T_COMMA, "',' or ')'") < 0)
			goto fail;
	}
	n->end = ps->lx.end;
	if (next(ps) == 0)
		return n;
fail:
	node_free(n);
	return NULL;
}

static struct node *
parse_postfix(struct parser *ps, struct node *n)
{
	while (n != NULL) {
		if (ps->lx.t == T_DOT)
			n = parse_attr(ps, n);
		else if (ps->lx.t == T_LBRACK)
			n = parse_index(ps, n);
		else if (ps->lx.t == T_LPAREN)
			n = parse_call(ps, n);
		else
			break;
	}
	if (n != NULL && (n->kind == N_NAME || n->kind == N_ATTR ||
	    n->kind == N_INDEX))
		n->top = 1;
	return n;
}

/* ---- filters and tests ---- */

/* A filter or test name, possibly ansible.builtin.NAME. */
static int
parse_plugin_name(struct parser *ps, struct strbuf *name, size_t *off)
{
	if (ps->lx.t != T_NAME)
		return unexpected(ps, "a name");
	*off = ps->lx.off;
	strbuf_addbuf(name, &ps->lx.s);
	if (next(ps) < 0)
		return -1;
	while (ps->lx.t == T_DOT) {
		if (lex_next2(&ps->lx, 1) < 0)
			return -1;
		if (ps->lx.t != T_NAME)
			return unexpected(ps, "a name");
		strbuf_addch(name, '.');
		strbuf_addbuf(name, &ps->lx.s);
		if (next(ps) < 0)
			return -1;
	}
	if (strncmp(name->buf, "ansible.builtin.", 16) == 0 ||
	    strncmp(name->buf, "ansible.legacy.", 15) == 0) {
		const char *s = strrchr(name->buf, '.') + 1;
		size_t n = strlen(s);

		memmove(name->buf, s, n);
		strbuf_setlen(name, n);
	}
	return 0;
}

/* The collection of a filter or test Ansible has outside ansible-core
 * ("community.general.x" -> "community.general"; common short names of
 * ansible.utils/netcommon's), or NULL. */
static const char *
plugin_collection(const char *name, struct strbuf *sb)
{
	static const char *const utils[] = { "ipaddr", "ipv4", "ipv6",
	    "ipwrap", "ipmath", "ipsubnet", "network_in_network",
	    "network_in_usable", "next_nth_usable", "nthhost", "hwaddr",
	    "macaddr", "cidr_merge", NULL };
	const char *d1 = strchr(name, '.'), *d2;
	size_t i;

	if (d1 != NULL && (d2 = strchr(d1 + 1, '.')) != NULL) {
		strbuf_add(sb, name, (size_t)(d2 - name));
		return sb->buf;
	}
	for (i = 0; utils[i] != NULL; i++)
		if (strcmp(name, utils[i]) == 0)
			return "ansible.utils";
	if (strcmp(name, "json_query") == 0)
		return "community.general";
	return NULL;
}

static int
unknown_plugin(struct parser *ps, size_t off, const char *kind,
    const char *name, const char *guess)
{
	struct strbuf sb = STRBUF_INIT;
	const char *coll = plugin_collection(name, &sb);

	if (coll != NULL) {
		terr_set(ps->err, off, "'%s' is a %s of the Ansible collection "
		    "%s, which mend does not have (mend has ansible-core's "
		    "filters and tests)%s", name, kind, coll,
		    strcmp(name, "json_query") == 0 ? "; json_query also "
		    "needs the Python library jmespath on the controller" : "");
		strbuf_release(&sb);
		return -1;
	}
	if (guess != NULL)
		return terr_set(ps->err, off,
		    "unknown %s '%s' (did you mean '%s'?)", kind, name, guess);
	return terr_set(ps->err, off, "unknown %s '%s'", kind, name);
}

/* Parameter names of the filter or test of n, and its kind. */
static const char *const *
plugin_params(const struct node *n, const char **kind, const char **name)
{
	*kind = n->kind == N_FILTER ? "filter" : "test";
	*name = n->kind == N_FILTER ? n->filter->name : n->test->name;
	return n->kind == N_FILTER ? n->filter->params : n->test->params;
}

/* Slot of an argument; a name starting with '*' is positional only. */
static int
param_index(struct parser *ps, const struct node *n, const char *kw,
    size_t *npos)
{
	const char *kind, *name, *const *params = plugin_params(n, &kind,
	    &name);
	int i, max = 0;

	while (max < TMPL_MAX_PARAMS && params[max] != NULL)
		max++;
	if (n->kind == N_FILTER && tmpl_local_is(n->filter))
		return *npos < TMPL_MAX_PARAMS ? (int)(*npos)++ :
		    terr_set(ps->err, ps->lx.off, "too many arguments");
	if (kw == NULL) {
		if ((int)*npos >= max)
			return terr_set(ps->err, ps->lx.off,
			    "%s '%s' takes at most %d argument%s", kind, name,
			    max, max == 1 ? "" : "s");
		return (int)(*npos)++;
	}
	for (i = 0; i < max; i++)
		if (strcmp(params[i], kw) == 0)
			return i;
	return terr_set(ps->err, ps->lx.off,
	    "%s '%s' has no argument named '%s'", kind, name, kw);
}

/* One argument of a filter call: [name=]expr into its parameter slot. */
static int
parse_arg(struct parser *ps, struct node *n, size_t *npos, int *kwseen)
{
	int i, kw = ps->lx.t == T_NAME && lex_peek_assign(&ps->lx);
	const char *kind, *name, *const *params = plugin_params(n, &kind,
	    &name);

	if (!kw && *kwseen)
		return terr_set(ps->err, ps->lx.off,
		    "positional argument follows keyword argument");
	*kwseen |= kw;
	i = param_index(ps, n, kw ? ps->lx.s.buf : NULL, npos);
	if (i >= 0 && n->kids[1 + i] != NULL)
		i = terr_set(ps->err, ps->lx.off, "%s '%s' got argument "
		    "'%s' twice", kind, name, params[i]);
	if (i < 0 || (kw && (next(ps) < 0 || next(ps) < 0)))
		return -1;
	n->kids[1 + i] = parse_expr(ps);
	if (n->kids[1 + i] == NULL)
		return -1;
	return depth_check(ps, n, n->kids[1 + i]);
}

static int
parse_filter_args(struct parser *ps, struct node *n)
{
	size_t npos = 0;
	int kwseen = 0;

	if (next(ps) < 0)
		return -1;
	while (ps->lx.t != T_RPAREN) {
		if (parse_arg(ps, n, &npos, &kwseen) < 0)
			return -1;
		if (ps->lx.t == T_RPAREN)
			break;
		if (expect(ps, T_COMMA, "',' or ')'") < 0)
			return -1;
	}
	n->end = ps->lx.end;
	return next(ps);
}

/* Room for the parameters of a filter or test node. */
static void
param_slots(struct node *n, struct node *in)
{
	n->kids = xcalloc(1 + TMPL_MAX_PARAMS, sizeof(*n->kids));
	n->nkids = n->kids_alloc = 1 + TMPL_MAX_PARAMS;
	n->kids[0] = in;
}

static struct node *
parse_filter(struct parser *ps, struct node *in)
{
	struct strbuf name = STRBUF_INIT;
	const struct filter *f;
	struct node *n = NULL;
	size_t off = ps->lx.off;

	if (next(ps) < 0 || parse_plugin_name(ps, &name, &off) < 0)
		goto fail;
	f = tmpl_find_filter(name.buf);
	if (f == NULL)
		f = tmpl_local_filter_use(name.buf, off);
	if (f == NULL) {
		unknown_plugin(ps, off, "filter", name.buf,
		    tmpl_suggest_filter(name.buf));
		goto fail;
	}
	n = mk(N_FILTER, off, in->end);
	n->name = strbuf_detach(&name, NULL);
	n->filter = f;
	param_slots(n, in);
	in = NULL;
	if (depth_check(ps, n, n->kids[0]) < 0 ||
	    (ps->lx.t == T_LPAREN && parse_filter_args(ps, n) < 0))
		goto fail;
	return n;
fail:
	strbuf_release(&name);
	node_free(in);
	node_free(n);
	return NULL;
}

/* Jinja's `x is test arg`: one argument without parentheses. */
static int
bare_test_arg(const struct parser *ps)
{
	if (ps->lx.t == T_NAME)
		return !is_name(ps, "else") && !is_name(ps, "or") &&
		    !is_name(ps, "and") && !is_name(ps, "if") &&
		    !is_name(ps, "is") && !is_name(ps, "in") &&
		    !is_name(ps, "not");
	return ps->lx.t == T_INT || ps->lx.t == T_STR ||
	    ps->lx.t == T_LBRACK || ps->lx.t == T_LBRACE;
}

static int
parse_test_args(struct parser *ps, struct node *n)
{
	size_t npos = 0;
	int i;

	if (ps->lx.t == T_LPAREN)
		return parse_filter_args(ps, n);
	if (!bare_test_arg(ps))
		return 0;
	if ((i = param_index(ps, n, NULL, &npos)) < 0)
		return -1;
	n->kids[1 + i] = parse_unary(ps, 0);
	if (n->kids[1 + i] == NULL)
		return -1;
	return depth_check(ps, n, n->kids[1 + i]);
}

static struct node *
parse_test(struct parser *ps, struct node *in)
{
	struct strbuf name = STRBUF_INIT;
	const struct test *t;
	struct node *n;
	size_t off;
	int neg = 0;

	if (next(ps) < 0)
		goto fail;
	if (is_name(ps, "not")) {
		neg = 1;
		if (next(ps) < 0)
			goto fail;
	}
	if (parse_plugin_name(ps, &name, &off) < 0)
		goto fail;
	t = tmpl_find_test(name.buf);
	if (t == NULL) {
		unknown_plugin(ps, off, "test", name.buf,
		    tmpl_suggest_test(name.buf));
		goto fail;
	}
	n = mk(N_TEST, off, in->end);
	n->name = strbuf_detach(&name, NULL);
	n->test = t;
	n->neg = neg;
	param_slots(n, in);
	if (depth_check(ps, n, in) < 0 || parse_test_args(ps, n) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
fail:
	strbuf_release(&name);
	node_free(in);
	return NULL;
}

static struct node *
parse_filters(struct parser *ps, struct node *n)
{
	while (n != NULL) {
		if (ps->lx.t == T_PIPE)
			n = parse_filter(ps, n);
		else if (is_name(ps, "is"))
			n = parse_test(ps, n);
		else
			break;
	}
	return n;
}

/* ---- operators ---- */

static struct node *
parse_unary(struct parser *ps, int with_filter)
{
	struct node *n;

	if (ps->lx.t == T_MINUS || ps->lx.t == T_PLUS) {
		n = mk(ps->lx.t == T_MINUS ? N_NEG : N_POS, ps->lx.off,
		    ps->lx.end);
		if (nest_enter(ps) < 0 || next(ps) < 0) {
			node_free(n);
			return NULL;
		}
		n = attach(ps, n, parse_unary(ps, 0));
		ps->nest--;
	} else {
		n = parse_primary(ps);
	}
	n = parse_postfix(ps, n);
	return with_filter ? parse_filters(ps, n) : n;
}

/* Left-associative binary node: l op sub(). */
static struct node *
binary(struct parser *ps, enum nkind k, int op, struct node *l,
    struct node *(*sub)(struct parser *))
{
	struct node *n = mk(k, ps->lx.off, l->end);

	n->op = op;
	n = attach(ps, n, l);
	if (n == NULL)
		return NULL;
	if (next(ps) < 0) {
		node_free(n);
		return NULL;
	}
	return attach(ps, n, sub(ps));
}

static struct node *
parse_unary_f(struct parser *ps)
{
	return parse_unary(ps, 1);
}

static struct node *
parse_math2(struct parser *ps)
{
	struct node *n = parse_unary_f(ps);

	while (n != NULL) {
		if (ps->lx.t == T_DIV || ps->lx.t == T_POW) {
			terr_set(ps->err, ps->lx.off, ps->lx.t == T_DIV ?
			    "operator '/' is not supported (no floating point), "
			    "use '//'" : "operator '**' is not supported");
			node_free(n);
			return NULL;
		}
		if (ps->lx.t == T_MUL)
			n = binary(ps, N_BIN, OP_MUL, n, parse_unary_f);
		else if (ps->lx.t == T_FLOORDIV)
			n = binary(ps, N_BIN, OP_FLOORDIV, n, parse_unary_f);
		else if (ps->lx.t == T_MOD)
			n = binary(ps, N_BIN, OP_MOD, n, parse_unary_f);
		else
			break;
	}
	return n;
}

static struct node *
parse_concat(struct parser *ps)
{
	struct node *n = parse_math2(ps);

	while (n != NULL && ps->lx.t == T_TILDE)
		n = binary(ps, N_BIN, OP_CONCAT, n, parse_math2);
	return n;
}

static struct node *
parse_math1(struct parser *ps)
{
	struct node *n = parse_concat(ps);

	while (n != NULL && (ps->lx.t == T_PLUS || ps->lx.t == T_MINUS))
		n = binary(ps, N_BIN, ps->lx.t == T_PLUS ? OP_ADD : OP_SUB, n,
		    parse_concat);
	return n;
}

static int
cmp_op(const struct parser *ps)
{
	switch (ps->lx.t) {
	case T_EQ: return OP_EQ;
	case T_NE: return OP_NE;
	case T_LT: return OP_LT;
	case T_LE: return OP_LE;
	case T_GT: return OP_GT;
	case T_GE: return OP_GE;
	default: break;
	}
	if (is_name(ps, "in"))
		return OP_IN;
	if (is_name(ps, "not"))
		return OP_NOTIN;
	return 0;
}

/* Consume a comparison operator (`not in` is two tokens). */
static int
cmp_consume(struct parser *ps, int op)
{
	if (next(ps) < 0)
		return -1;
	if (op != OP_NOTIN)
		return 0;
	if (!is_name(ps, "in"))
		return unexpected(ps, "'in' after 'not'");
	return next(ps);
}

static struct node *
parse_compare(struct parser *ps)
{
	struct node *n = parse_math1(ps), *c = NULL;
	int op;

	while (n != NULL && (op = cmp_op(ps)) != 0) {
		if (c == NULL) {
			c = attach(ps, mk(N_CMP, n->off, n->end), n);
			if (c == NULL)
				return NULL;
		}
		c->ops = xrealloc(c->ops, c->nkids * sizeof(*c->ops));
		c->ops[c->nkids - 1] = op;
		c->opoff = xrealloc(c->opoff, c->nkids * sizeof(*c->opoff));
		c->opoff[c->nkids - 1] = ps->lx.off;
		if (cmp_consume(ps, op) < 0) {
			node_free(c);
			return NULL;
		}
		c = attach(ps, c, parse_math1(ps));
		n = c;
	}
	return n;
}

static struct node *
parse_not(struct parser *ps)
{
	struct node *n;

	if (!is_name(ps, "not"))
		return parse_compare(ps);
	n = mk(N_NOT, ps->lx.off, ps->lx.end);
	if (nest_enter(ps) < 0 || next(ps) < 0) {
		node_free(n);
		return NULL;
	}
	n = attach(ps, n, parse_not(ps));
	ps->nest--;
	return n;
}

static struct node *
parse_and(struct parser *ps)
{
	struct node *n = parse_not(ps);

	while (n != NULL && is_name(ps, "and"))
		n = binary(ps, N_AND, 0, n, parse_not);
	return n;
}

static struct node *
parse_or(struct parser *ps)
{
	struct node *n = parse_and(ps);

	while (n != NULL && is_name(ps, "or"))
		n = binary(ps, N_OR, 0, n, parse_and);
	return n;
}

/* a if c [else b] (Jinja's inline if). */
static struct node *
parse_cond(struct parser *ps)
{
	struct node *n = parse_or(ps), *c;

	while (n != NULL && is_name(ps, "if")) {
		c = attach(ps, mk(N_COND, n->off, n->end), n);
		if (c == NULL || next(ps) < 0)
			goto fail;
		c = attach(ps, c, parse_or(ps));
		if (c != NULL && is_name(ps, "else")) {
			if (next(ps) < 0)
				goto fail;
			c = attach(ps, c, parse_expr(ps));
		}
		n = c;
	}
	return n;
fail:
	node_free(c);
	return NULL;
}

static struct node *
parse_expr(struct parser *ps)
{
	struct node *n = NULL;

	if (nest_enter(ps) == 0)
		n = parse_cond(ps);
	ps->nest--;
	return n;
}

/* ---- the interface for template_stmt.c ---- */

void
tp_init(struct parser *ps, const char *src, size_t len, struct terr *te)
{
	memset(ps, 0, sizeof(*ps));
	ps->lx.src = src;
	ps->lx.len = len;
	ps->lx.err = te;
	ps->err = te;
	strbuf_init(&ps->lx.s, 0);
}

int
tp_next(struct parser *ps)
{
	return next(ps);
}

int
tp_is_name(const struct parser *ps, const char *kw)
{
	return is_name(ps, kw);
}

int
tp_is_end(const struct parser *ps)
{
	return ps->lx.t == T_END;
}

int
tp_at_eof(const struct parser *ps)
{
	return ps->lx.t == T_EOF;
}

int
tp_unexpected(struct parser *ps, const char *what)
{
	return unexpected(ps, what);
}

struct node *
tp_expr(struct parser *ps)
{
	return parse_expr(ps);
}

struct node *
tp_or(struct parser *ps)
{
	struct node *n = NULL;

	if (nest_enter(ps) == 0)
		n = parse_or(ps);
	ps->nest--;
	return n;
}

struct node *
tp_filters(struct parser *ps, struct node *in)
{
	return parse_filters(ps, in);
}

/* A bare expression: a template of one S_EXPR. */
int
tmpl_parse_expr(struct tmpl *t, const char *src, size_t len, struct terr *te)
{
	struct parser ps;
	struct node *n = NULL;
	struct stmt *st;

	memset(t, 0, sizeof(*t));
	t->src = src;
	t->len = t->srclen = len;
	tp_init(&ps, src, len, te);
	if (next(&ps) == 0) {
		if (ps.lx.t == T_EOF)
			terr_set(te, ps.lx.off, "empty expression");
		else
			n = parse_expr(&ps);
	}
	if (n != NULL && ps.lx.t != T_EOF) {
		unexpected(&ps, NULL);
		node_free(n);
		n = NULL;
	}
	strbuf_release(&ps.lx.s);
	if (n == NULL)
		return -1;
	ALLOC_GROW(t->top.items, 1, t->top.alloc);
	st = &t->top.items[t->top.n++];
	memset(st, 0, sizeof(*st));
	st->kind = S_EXPR;
	st->n = n;
	t->native = 1;
	return 0;
}
