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

enum tok {
	T_EOF, T_END, T_NAME, T_INT, T_STR,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_LBRACE, T_RBRACE,
	T_COMMA, T_DOT, T_COLON, T_PIPE, T_TILDE, T_PLUS, T_MINUS, T_MUL,
	T_DIV, T_FLOORDIV, T_MOD, T_POW, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_ASSIGN,
};

struct lexer {
	const char *src;
	size_t len, pos;
	int block;              /* inside {{ }}: `}}` ends the expression */
	size_t block_off;       /* offset of the `{{` */
	int braces;             /* open `{` of dict literals */
	enum tok t;
	size_t off, end;        /* current token span */
	int64_t ival;
	struct strbuf s;        /* name, or decoded string literal */
	int strip;              /* T_END was `-}}` */
	struct terr *err;
};

struct parser {
	struct lexer lx;
	struct terr *err;
	int nest;
};

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
			    "unexpected '{{' inside '{{ }}'" :
			    "templating delimiters '{{' are not allowed in a "
			    "bare expression (write the expression without "
			    "'{{ }}')");
		lx->braces++;
		lx->t = T_LBRACE;
		lx->pos++;
		return 0;
	}
	if (lx->block && lx->braces == 0 && left > 1 && p[1] == '}') {
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

static int
lex_op(struct lexer *lx)
{
	const char *p = lx->src + lx->pos;
	size_t left = lx->len - lx->pos, i, n;
	unsigned char c = (unsigned char)*p;

	if (c == '{' || c == '}')
		return lex_brace(lx);
	if (c == '-' && lx->block && lx->braces == 0 && left > 2 &&
	    p[1] == '}' && p[2] == '}') {
		lx->t = T_END;
		lx->strip = 1;
		lx->pos += 3;
		return 0;
	}
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
			    "unterminated '{{'");
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
		strbuf_addstr(sb, "'}}'");
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
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
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
		if (expect(ps, T_COMMA, dict ? "',' or '}'" : "',' or ']'") < 0)
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

static struct node *
parse_paren(struct parser *ps)
{
	size_t off = ps->lx.off;
	struct node *n;

	if (next(ps) < 0)
		return NULL;
	if (ps->lx.t == T_RPAREN) {
		terr_set(ps->err, off, "tuples are not supported");
		return NULL;
	}
	n = parse_expr(ps);
	if (n != NULL && ps->lx.t == T_COMMA) {
		terr_set(ps->err, off, "tuples are not supported");
		goto fail;
	}
	if (n != NULL && expect(ps, T_RPAREN, "')'") < 0)
		goto fail;
	return n;
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

static struct node *
parse_index(struct parser *ps, struct node *obj)
{
	struct node *n = mk(N_INDEX, obj->off, obj->end);

	n = attach(ps, n, obj);
	if (n == NULL || next(ps) < 0)
		goto fail;
	if (ps->lx.t == T_COLON) {
		terr_set(ps->err, ps->lx.off, "slices are not supported");
		goto fail;
	}
	n = attach(ps, n, parse_expr(ps));
	if (n == NULL)
		return NULL;
	if (ps->lx.t == T_COLON) {
		terr_set(ps->err, ps->lx.off, "slices are not supported");
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

static int
call_error(struct parser *ps, const struct node *callee)
{
	if (callee->kind == N_NAME || callee->kind == N_ATTR)
		return terr_set(ps->err, ps->lx.off,
		    "function and method calls are not supported ('%s')",
		    callee->name);
	return terr_set(ps->err, ps->lx.off,
	    "function and method calls are not supported");
}

static struct node *
parse_postfix(struct parser *ps, struct node *n)
{
	while (n != NULL) {
		if (ps->lx.t == T_DOT)
			n = parse_attr(ps, n);
		else if (ps->lx.t == T_LBRACK)
			n = parse_index(ps, n);
		else if (ps->lx.t == T_LPAREN) {
			call_error(ps, n);
			node_free(n);
			return NULL;
		} else
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

static int
unknown_plugin(struct parser *ps, size_t off, const char *kind,
    const char *name, const char *guess)
{
	if (guess != NULL)
		return terr_set(ps->err, off,
		    "unknown %s '%s' (did you mean '%s'?)", kind, name, guess);
	return terr_set(ps->err, off, "unknown %s '%s'", kind, name);
}

static int
param_index(struct parser *ps, const struct filter *f, const char *kw,
    size_t *npos)
{
	int i, max = 0;

	while (max < TMPL_MAX_PARAMS && f->params[max] != NULL)
		max++;
	if (kw == NULL) {
		if ((int)*npos >= max)
			return terr_set(ps->err, ps->lx.off,
			    "filter '%s' takes at most %d argument%s", f->name,
			    max, max == 1 ? "" : "s");
		return (int)(*npos)++;
	}
	for (i = 0; i < max; i++)
		if (strcmp(f->params[i], kw) == 0)
			return i;
	return terr_set(ps->err, ps->lx.off,
	    "filter '%s' has no argument named '%s'", f->name, kw);
}

/* One argument of a filter call: [name=]expr into its parameter slot. */
static int
parse_arg(struct parser *ps, struct node *n, size_t *npos, int *kwseen)
{
	int i, kw = ps->lx.t == T_NAME && lex_peek_assign(&ps->lx);

	if (!kw && *kwseen)
		return terr_set(ps->err, ps->lx.off,
		    "positional argument follows keyword argument");
	*kwseen |= kw;
	i = param_index(ps, n->filter, kw ? ps->lx.s.buf : NULL, npos);
	if (i >= 0 && n->kids[1 + i] != NULL)
		i = terr_set(ps->err, ps->lx.off, "filter '%s' got argument "
		    "'%s' twice", n->filter->name, n->filter->params[i]);
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
	if (f == NULL) {
		unknown_plugin(ps, off, "filter", name.buf,
		    tmpl_suggest_filter(name.buf));
		goto fail;
	}
	n = mk(N_FILTER, off, in->end);
	n->name = strbuf_detach(&name, NULL);
	n->filter = f;
	n->kids = xcalloc(1 + TMPL_MAX_PARAMS, sizeof(*n->kids));
	n->nkids = n->kids_alloc = 1 + TMPL_MAX_PARAMS;
	n->kids[0] = in;
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
	if (ps->lx.t == T_LPAREN) {
		terr_set(ps->err, ps->lx.off, "test '%s' takes no arguments",
		    name.buf);
		goto fail;
	}
	n = mk(N_TEST, off, in->end);
	n->name = strbuf_detach(&name, NULL);
	n->test = t;
	n->neg = neg;
	return attach(ps, n, in);
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
		else if (ps->lx.t == T_LPAREN) {
			call_error(ps, n);
			node_free(n);
			return NULL;
		} else
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

/* ---- templates ---- */

static void
add_part(struct tmpl *t, int expr, size_t off, size_t len, struct node *n)
{
	struct tpart *p;

	if (!expr && len == 0)
		return;
	ALLOC_GROW(t->parts, t->nparts + 1, t->alloc);
	p = &t->parts[t->nparts++];
	p->expr = expr;
	p->off = off;
	p->len = len;
	p->n = n;
}

/* Parse one expression up to `end` (T_END or T_EOF). */
static struct node *
parse_one(struct parser *ps, enum tok end)
{
	struct node *n;

	if (next(ps) < 0)
		return NULL;
	if (ps->lx.t == end) {
		terr_set(ps->err, ps->lx.off, "empty expression");
		return NULL;
	}
	n = parse_expr(ps);
	if (n != NULL && ps->lx.t != end) {
		unexpected(ps, NULL);
		node_free(n);
		return NULL;
	}
	return n;
}

static void
lexer_init(struct parser *ps, const char *src, size_t len, struct terr *te)
{
	memset(ps, 0, sizeof(*ps));
	ps->lx.src = src;
	ps->lx.len = len;
	ps->lx.err = te;
	ps->err = te;
	strbuf_init(&ps->lx.s, 0);
}

static void
tmpl_init(struct tmpl *t, const char *src, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->src = src;
	t->len = len;
}

/* Parse the `{{ ... }}` at src[at]; returns the offset after it. */
static int
parse_block(struct parser *ps, struct tmpl *t, size_t at, size_t *after)
{
	struct node *n;
	size_t start = at + 2;

	if (start < t->len && t->src[start] == '-') {
		start++;
		while (t->nparts > 0 && !t->parts[t->nparts - 1].expr &&
		    t->parts[t->nparts - 1].len > 0 &&
		    isspace((unsigned char)t->src[t->parts[t->nparts - 1].off +
		    t->parts[t->nparts - 1].len - 1]))
			t->parts[t->nparts - 1].len--;
	}
	ps->lx.pos = start;
	ps->lx.block = 1;
	ps->lx.block_off = at;
	ps->lx.braces = 0;
	ps->lx.strip = 0;
	n = parse_one(ps, T_END);
	if (n == NULL)
		return -1;
	add_part(t, 1, at, 0, n);
	*after = ps->lx.pos;
	if (ps->lx.strip)
		while (*after < t->len && isspace((unsigned char)t->src[*after]))
			(*after)++;
	return 0;
}

static void
set_native(struct tmpl *t)
{
	size_t i, j, nexpr = 0;

	for (i = 0; i < t->nparts; i++) {
		if (t->parts[i].expr) {
			nexpr++;
			continue;
		}
		for (j = 0; j < t->parts[i].len; j++)
			if (!isspace((unsigned char)t->src[t->parts[i].off + j]))
				return;
	}
	t->native = nexpr == 1;
}

int
tmpl_parse(struct tmpl *t, const char *src, size_t len, struct terr *te)
{
	struct parser ps;
	size_t i = 0, text = 0;
	int ret = -1;

	tmpl_init(t, src, len);
	lexer_init(&ps, src, len, te);
	while (i + 1 < len) {
		if (src[i] != '{' || !strchr("{%#", src[i + 1]) ||
		    src[i + 1] == '\0') {
			i++;
			continue;
		}
		if (src[i + 1] != '{') {
			terr_set(te, i, "unsupported template syntax '{%c' "
			    "(only '{{ expression }}' is supported)", src[i + 1]);
			goto out;
		}
		add_part(t, 0, text, i - text, NULL);
		if (parse_block(&ps, t, i, &i) < 0)
			goto out;
		text = i;
	}
	add_part(t, 0, text, len - text, NULL);
	set_native(t);
	ret = 0;
out:
	strbuf_release(&ps.lx.s);
	if (ret < 0)
		tmpl_release(t);
	return ret;
}

int
tmpl_parse_expr(struct tmpl *t, const char *src, size_t len, struct terr *te)
{
	struct parser ps;
	struct node *n;

	tmpl_init(t, src, len);
	lexer_init(&ps, src, len, te);
	n = parse_one(&ps, T_EOF);
	strbuf_release(&ps.lx.s);
	if (n == NULL)
		return -1;
	add_part(t, 1, 0, 0, n);
	t->native = 1;
	return 0;
}

void
tmpl_release(struct tmpl *t)
{
	size_t i;

	for (i = 0; i < t->nparts; i++)
		node_free(t->parts[i].n);
	free(t->parts);
	t->parts = NULL;
	t->nparts = t->alloc = 0;
}
