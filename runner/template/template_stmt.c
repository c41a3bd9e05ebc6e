/*
 * template_stmt.c - the template scanner and the `{% %}` statement parser
 * (Jinja2's lexer rules for text, `{{ }}`, `{% %}`, `{# #}` and raw blocks,
 * with Ansible's environment: trim_blocks on, lstrip_blocks off, "\n").
 *
 * Whitespace, as Jinja2 3.x: `{%-` `{{-` `{#-` strip every whitespace
 * character before the tag, `-%}` `-}}` `-#}` every one after it.
 * trim_blocks removes the one newline right after `%}` or `#}` (not after
 * `}}`, not after `+%}`); lstrip_blocks removes the spaces and tabs between
 * the start of a line and a `{%` or `{#` (not `{%+`).  As Jinja2 with
 * keep_trailing_newline off, one newline at the very end of the template is
 * not part of it (Ansible adds trailing newlines back, template_exec.c).
 * A `#jinja2:` first line sets trim_blocks, lstrip_blocks,
 * newline_sequence and keep_trailing_newline for the template (Ansible's
 * header overrides); the line itself is not output.
 *
 * Statements: if/elif/else/endif, for NAME[, NAME] in EXPR [if EXPR]
 * / else / endfor, set NAME = EXPR, set NAME [| filters] ... endset, raw
 * ... endraw.  Others (macro, call, include, import, block, ...) are
 * errors naming the statement: never passed through.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

static int parse_body(struct parser *ps, struct body *b,
    const char *const *ends, const char **found, size_t *found_off);

void
body_release(struct body *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct stmt *s = &b->items[i];

		node_free(s->n);
		node_free(s->cond);
		free(s->names[0]);
		free(s->names[1]);
		body_release(&s->body);
		body_release(&s->alt);
	}
	free(b->items);
	memset(b, 0, sizeof(*b));
}

void
tmpl_release(struct tmpl *t)
{
	body_release(&t->top);
}

static struct stmt *
add_stmt(struct body *b, enum skind k, size_t off)
{
	struct stmt *s;

	ALLOC_GROW(b->items, b->n + 1, b->alloc);
	s = &b->items[b->n++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->off = off;
	return s;
}

/* ---- text and whitespace ---- */

static void
add_text(struct parser *ps, struct body *b, size_t from, size_t to)
{
	const char *src = ps->t->src;
	struct stmt *s;
	int ls = from == ps->t->body_start || src[from - 1] == '\n';

	if (ps->strip_next)
		while (from < to && isspace((unsigned char)src[from]))
			from++;
	else if (ps->trim_next && from < to && src[from] == '\n')
		from++;
	else if (ps->trim_next && from + 1 < to && src[from] == '\r' &&
	    src[from + 1] == '\n')
		from += 2;
	if (ps->strip_next || ps->trim_next)
		ls = from == ps->t->body_start || src[from - 1] == '\n';
	ps->strip_next = ps->trim_next = 0;
	if (from >= to)
		return;
	s = add_stmt(b, S_TEXT, from);
	s->len = to - from;
	s->linestart = ls;
}

static int
all_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The text right before the tag at `at`, if any. */
static struct stmt *
text_before(struct body *b, size_t at)
{
	struct stmt *s = b->n > 0 ? &b->items[b->n - 1] : NULL;

	return s != NULL && s->kind == S_TEXT && s->off + s->len == at ? s :
	    NULL;
}

/* `{%-` (sign '-') or lstrip_blocks before `{%`/`{#` (sign not '+'). */
static void
strip_before(struct parser *ps, struct body *b, size_t at, int stmt)
{
	const char *src = ps->t->src;
	struct stmt *s = text_before(b, at);
	char sign = at + 2 < ps->t->len ? src[at + 2] : 0;
	size_t l;

	if (s == NULL)
		return;
	if (sign == '-') {
		while (s->len > 0 && isspace((unsigned char)src[s->off +
		    s->len - 1]))
			s->len--;
	} else if (sign != '+' && stmt && ps->t->opt.lstrip_blocks) {
		for (l = s->len; l > 0 && src[s->off + l - 1] != '\n'; l--)
			;
		if ((l > 0 || s->linestart) && l < s->len &&
		    all_space(src + s->off + l, s->len - l))
			s->len = l;
	}
	if (s->len == 0)
		b->n--;
}

/* After a tag's end: `-` strips what follows, else trim_blocks. */
static void
after_tag(struct parser *ps, int block)
{
	ps->i = ps->lx.pos;
	if (ps->lx.strip)
		ps->strip_next = 1;
	else if (block && !ps->lx.plus)
		ps->trim_next = ps->t->opt.trim_blocks;
}

/* ---- comments, expressions, raw ---- */

static int
do_comment(struct parser *ps, struct body *b, size_t at)
{
	const char *src = ps->t->src, *e;
	size_t from = at + 2;

	strip_before(ps, b, at, 1);
	e = from < ps->t->len ? memmem(src + from, ps->t->len - from, "#}",
	    2) : NULL;
	if (e == NULL)
		return terr_set(ps->err, at, "unterminated comment '{#'");
	ps->i = (size_t)(e - src) + 2;
	if (e > src + from && e[-1] == '-')
		ps->strip_next = 1;
	else
		ps->trim_next = ps->t->opt.trim_blocks;
	return 0;
}

/* Start lexing the tag at `at`: {{ (LB_VAR) or {% (LB_STMT). */
static int
tag_begin(struct parser *ps, size_t at, enum lblock kind)
{
	size_t start = at + 2;

	if (start < ps->t->len && (ps->t->src[start] == '-' ||
	    (kind == LB_STMT && ps->t->src[start] == '+')))
		start++;
	ps->lx.pos = start;
	ps->lx.block = kind;
	ps->lx.block_off = at;
	ps->lx.braces = 0;
	ps->lx.strip = ps->lx.plus = 0;
	return tp_next(ps);
}

/* The current token must end the tag. */
static int
tag_end(struct parser *ps, int block)
{
	if (!tp_is_end(ps))
		return tp_unexpected(ps, block ? "'%}'" : NULL);
	after_tag(ps, block);
	return 0;
}

static int
do_expr(struct parser *ps, struct body *b, size_t at)
{
	struct node *n;
	struct stmt *s;

	strip_before(ps, b, at, 0);
	if (tag_begin(ps, at, LB_VAR) < 0)
		return -1;
	if (tp_is_end(ps))
		return terr_set(ps->err, ps->lx.off, "empty expression");
	if ((n = tp_expr(ps)) == NULL)
		return -1;
	s = add_stmt(b, S_EXPR, at);
	s->n = n;
	return tag_end(ps, 0);
}

/* Match `{%[-+]? endraw [-+]?%}` at p; its length, or 0. */
static size_t
match_endraw(const char *p, size_t left)
{
	size_t i = 2;

	if (left < 2 || p[0] != '{' || p[1] != '%')
		return 0;
	if (i < left && (p[i] == '-' || p[i] == '+'))
		i++;
	while (i < left && isspace((unsigned char)p[i]))
		i++;
	if (left - i < 6 || memcmp(p + i, "endraw", 6) != 0)
		return 0;
	for (i += 6; i < left && isspace((unsigned char)p[i]); i++)
		;
	if (i < left && (p[i] == '-' || p[i] == '+'))
		i++;
	return i + 1 < left && p[i] == '%' && p[i + 1] == '}' ? i + 2 : 0;
}

/* After `{% raw %}`: the text up to `{% endraw %}`, verbatim. */
static int
do_raw(struct parser *ps, struct body *b, size_t at)
{
	const char *src = ps->t->src;
	size_t i, n = 0;

	if (tag_end(ps, 0) < 0)
		return -1;
	for (i = ps->i; i < ps->t->len; i++)
		if ((n = match_endraw(src + i, ps->t->len - i)) > 0)
			break;
	if (n == 0)
		return terr_set(ps->err, at, "unclosed '{%% raw %%}' (missing "
		    "'{%% endraw %%}')");
	add_text(ps, b, ps->i, i);
	strip_before(ps, b, i, 1);
	ps->lx.strip = src[i + n - 3] == '-';
	ps->lx.plus = src[i + n - 3] == '+';
	ps->lx.pos = i + n;
	after_tag(ps, 1);
	return 0;
}

/* ---- statements ---- */

static int
unclosed(struct parser *ps, size_t at, const char *kw, const char *end)
{
	return terr_set(ps->err, at, "unclosed '{%% %s %%}' (missing "
	    "'{%% %s %%}')", kw, end);
}

/* Parse a nested body up to one of ends; *kw the end tag found. */
static int
sub_body(struct parser *ps, struct body *b, const char *const *ends,
    const char *kw, size_t at, const char **found)
{
	const char *endkw = ends[0];
	size_t off;
	int r;

	if (++ps->depth > TMPL_MAX_STMT_DEPTH)
		return terr_set(ps->err, at, "statements nested more than %d "
		    "deep", TMPL_MAX_STMT_DEPTH);
	r = parse_body(ps, b, ends, found, &off);
	ps->depth--;
	if (r < 0)
		return -1;
	if (*found == NULL)
	{
		while (strncmp(endkw, "end", 3) != 0)
			endkw = *++ends;
		return unclosed(ps, at, kw, endkw);
	}
	return 0;
}

/* if / elif: condition, then body, then elif/else/endif. */
static int
do_if(struct parser *ps, struct body *b, size_t at)
{
	static const char *const ends[] = { "elif", "else", "endif", NULL };
	static const char *const end[] = { "endif", NULL };
	struct stmt *s = add_stmt(b, S_IF, at);
	const char *found;

	if ((s->n = tp_expr(ps)) == NULL || tag_end(ps, 1) < 0 ||
	    sub_body(ps, &s->body, ends, "if", at, &found) < 0)
		return -1;
	if (strcmp(found, "elif") == 0)
		return do_if(ps, &s->alt, ps->lx.off);
	if (strcmp(found, "else") == 0 && (tag_end(ps, 1) < 0 ||
	    sub_body(ps, &s->alt, end, "if", at, &found) < 0))
		return -1;
	return tag_end(ps, 1);
}

static int
for_targets(struct parser *ps, struct stmt *s)
{
	while (s->nnames < 2) {
		if (tp_is_name(ps, "in") && s->nnames > 0)
			return 0;
		if (ps->lx.t != T_NAME)
			return tp_unexpected(ps, "a loop variable name");
		s->names[s->nnames++] = xstrdup(ps->lx.s.buf);
		if (tp_next(ps) < 0)
			return -1;
		if (tp_is_name(ps, "in"))
			return 0;
		if (s->nnames == 2 || ps->lx.t != T_COMMA)
			return tp_unexpected(ps, s->nnames == 2 ? "'in'" :
			    "',' or 'in'");
		if (tp_next(ps) < 0)
			return -1;
	}
	return 0;
}

static int
do_for(struct parser *ps, struct body *b, size_t at)
{
	static const char *const ends[] = { "else", "endfor", NULL };
	static const char *const end[] = { "endfor", NULL };
	struct stmt *s = add_stmt(b, S_FOR, at);
	const char *found;

	if (for_targets(ps, s) < 0 || tp_next(ps) < 0 ||
	    (s->n = tp_or(ps)) == NULL)
		return -1;
	if (tp_is_name(ps, "if") && (tp_next(ps) < 0 ||
	    (s->cond = tp_or(ps)) == NULL))
		return -1;
	if (tp_is_name(ps, "recursive"))
		return terr_set(ps->err, ps->lx.off, "recursive loops are not "
		    "supported");
	if (tag_end(ps, 1) < 0 ||
	    sub_body(ps, &s->body, ends, "for", at, &found) < 0)
		return -1;
	if (strcmp(found, "else") == 0 && (tag_end(ps, 1) < 0 ||
	    sub_body(ps, &s->alt, end, "for", at, &found) < 0))
		return -1;
	return tag_end(ps, 1);
}

/* The input of a block set's filters: the rendered body. */
#define BLOCK_VAR "(block)"

static int
do_set(struct parser *ps, struct body *b, size_t at)
{
	static const char *const end[] = { "endset", NULL };
	struct stmt *s = add_stmt(b, S_SET, at);
	struct node *in;
	const char *found;

	if (ps->lx.t != T_NAME)
		return tp_unexpected(ps, "a variable name");
	s->names[0] = xstrdup(ps->lx.s.buf);
	s->nnames = 1;
	if (tp_next(ps) < 0)
		return -1;
	if (ps->lx.t == T_ASSIGN) {
		if (tp_next(ps) < 0 || (s->n = tp_expr(ps)) == NULL)
			return -1;
		return tag_end(ps, 1);
	}
	if (!tp_is_end(ps) && ps->lx.t != T_PIPE)
		return tp_unexpected(ps, "'=' or '%}'");
	s->kind = S_SETBLOCK;
	in = xcalloc(1, sizeof(*in));
	in->kind = N_NAME;
	in->name = xstrdup(BLOCK_VAR);
	in->off = in->end = ps->lx.off;
	in->depth = 1;
	if ((s->n = tp_filters(ps, in)) == NULL || tag_end(ps, 1) < 0 ||
	    sub_body(ps, &s->body, end, "set", at, &found) < 0)
		return -1;
	return tag_end(ps, 1);
}

static const char *const unsupported[] = {
	"macro", "call", "include", "import", "from", "block", "extends",
	"filter", "with", "do", "break", "continue", "autoescape", "trans",
};

static int
do_stmt_kw(struct parser *ps, struct body *b, size_t at, const char *kw)
{
	size_t i;

	if (strcmp(kw, "if") == 0)
		return do_if(ps, b, at);
	if (strcmp(kw, "for") == 0)
		return do_for(ps, b, at);
	if (strcmp(kw, "set") == 0)
		return do_set(ps, b, at);
	if (strcmp(kw, "raw") == 0)
		return do_raw(ps, b, at);
	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (strcmp(kw, unsupported[i]) == 0)
			return terr_set(ps->err, at, "'{%% %s %%}' is not "
			    "supported", kw);
	if (strncmp(kw, "end", 3) == 0 || strcmp(kw, "else") == 0 ||
	    strcmp(kw, "elif") == 0)
		return terr_set(ps->err, at, "unexpected '{%% %s %%}' (no "
		    "open statement it could close)", kw);
	return terr_set(ps->err, at, "unknown statement '%s'", kw);
}

/* A `{%` tag: 1 if it is one of ends (the caller parses the rest). */
static int
do_stmt(struct parser *ps, struct body *b, size_t at,
    const char *const *ends, const char **found, size_t *found_off)
{
	char kw[16];
	size_t i;

	strip_before(ps, b, at, 1);
	if (tag_begin(ps, at, LB_STMT) < 0)
		return -1;
	if (ps->lx.t != T_NAME)
		return tp_unexpected(ps, "a statement name");
	snprintf(kw, sizeof(kw), "%s", ps->lx.s.buf);
	for (i = 0; ends != NULL && ends[i] != NULL; i++)
		if (strcmp(kw, ends[i]) == 0) {
			*found = ends[i];
			*found_off = at;
			return tp_next(ps) < 0 ? -1 : 1;
		}
	if (tp_next(ps) < 0)
		return -1;
	return do_stmt_kw(ps, b, at, kw);
}

static size_t
find_open(const char *src, size_t len, size_t i)
{
	for (; i + 1 < len; i++)
		if (src[i] == '{' && (src[i + 1] == '{' || src[i + 1] == '%' ||
		    src[i + 1] == '#'))
			return i;
	return len;
}

static int
parse_body(struct parser *ps, struct body *b, const char *const *ends,
    const char **found, size_t *found_off)
{
	size_t at;
	int r;

	*found = NULL;
	for (;;) {
		at = find_open(ps->t->src, ps->t->len, ps->i);
		add_text(ps, b, ps->i, at);
		if (at >= ps->t->len)
			return 0;
		if (ps->t->src[at + 1] == '#')
			r = do_comment(ps, b, at);
		else if (ps->t->src[at + 1] == '{')
			r = do_expr(ps, b, at);
		else
			r = do_stmt(ps, b, at, ends, found, found_off);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
}

/* ---- the #jinja2: header ---- */

/* ast.literal_eval of True/False or a quoted newline string. */
static int
header_value(const char *v, size_t n, int *b, const char **nl)
{
	static const struct { const char *lit; const char *nl; } nls[] = {
		{ "'\\n'", "\n" }, { "\"\\n\"", "\n" },
		{ "'\\r\\n'", "\r\n" }, { "\"\\r\\n\"", "\r\n" },
		{ "'\\r'", "\r" }, { "\"\\r\"", "\r" },
	};
	size_t i;

	if (n == 4 && memcmp(v, "True", 4) == 0)
		return *b = 1, 0;
	if (n == 5 && memcmp(v, "False", 5) == 0)
		return *b = 0, 0;
	for (i = 0; nl != NULL && i < ARRAY_SIZE(nls); i++)
		if (strlen(nls[i].lit) == n && memcmp(v, nls[i].lit, n) == 0)
			return *nl = nls[i].nl, 0;
	return -1;
}

static void
trim_span(const char *s, size_t *b, size_t *e)
{
	while (*b < *e && isspace((unsigned char)s[*b]))
		(*b)++;
	while (*e > *b && isspace((unsigned char)s[*e - 1]))
		(*e)--;
}

/* One `key: value` of the header, src[b, e). */
static int
header_pair(struct tmpl *t, size_t b, size_t e, struct terr *te)
{
	const char *s = t->src, *colon = memchr(s + b, ':', e - b);
	size_t kb = b, ke, vb, ve = e;
	int bv = 0, r = -1;

	if (colon == NULL)
		return terr_set(te, b, "failed to parse jinja2 override '%.*s' "
		    "(use ':' between key and value)", (int)(e - b), s + b);
	ke = vb = (size_t)(colon - s);
	vb++;
	trim_span(s, &kb, &ke);
	trim_span(s, &vb, &ve);
#define KEY(k) (ke - kb == strlen(k) && memcmp(s + kb, k, ke - kb) == 0)
	if (KEY("trim_blocks") || KEY("lstrip_blocks") ||
	    KEY("keep_trailing_newline")) {
		r = header_value(s + vb, ve - vb, &bv, NULL);
		if (KEY("trim_blocks"))
			t->opt.trim_blocks = bv;
		else if (KEY("lstrip_blocks"))
			t->opt.lstrip_blocks = bv;
		else
			t->opt.keep_nl = bv;
	} else if (KEY("newline_sequence")) {
		r = header_value(s + vb, ve - vb, &bv, &t->opt.newline);
	} else {
		return terr_set(te, kb, "unsupported jinja2 override '%.*s' "
		    "(mend supports trim_blocks, lstrip_blocks, "
		    "newline_sequence, keep_trailing_newline)",
		    (int)(ke - kb), s + kb);
	}
#undef KEY
	if (r < 0)
		return terr_set(te, vb, "bad value '%.*s' for jinja2 override "
		    "'%.*s'", (int)(ve - vb), s + vb, (int)(ke - kb), s + kb);
	return 0;
}

static int
parse_header(struct tmpl *t, struct terr *te)
{
	const char *eol;
	size_t b = 8, e;

	if (t->len < 8 || memcmp(t->src, "#jinja2:", 8) != 0)
		return 0;
	eol = memchr(t->src, '\n', t->len);
	if (eol == NULL)
		return terr_set(te, 0, "a '#jinja2:' header must end with a "
		    "newline");
	t->body_start = (size_t)(eol - t->src) + 1;
	while (b < t->body_start - 1) {
		const char *c = memchr(t->src + b, ',', t->body_start - 1 - b);

		e = c != NULL ? (size_t)(c - t->src) : t->body_start - 1;
		if (header_pair(t, b, e, te) < 0)
			return -1;
		b = e + 1;
	}
	return 0;
}

/* ---- whole templates ---- */

static void
set_native(struct tmpl *t)
{
	size_t i, j, nexpr = 0;
	const struct stmt *s;

	for (i = 0; i < t->top.n; i++) {
		s = &t->top.items[i];
		if (s->kind == S_EXPR) {
			nexpr++;
			continue;
		}
		if (s->kind != S_TEXT || (nexpr == 0 && s->len > 0))
			return;    /* " {{ x }}" is a string (Ansible) */
		for (j = 0; j < s->len; j++)
			if (!isspace((unsigned char)t->src[s->off + j]))
				return;
	}
	t->native = nexpr == 1;
}

void
tmpl_default_opts(struct topts *o)
{
	o->trim_blocks = 1;
	o->lstrip_blocks = 0;
	o->keep_nl = 0;
	o->newline = "\n";
}

int
tmpl_parse_opts(struct tmpl *t, const char *src, size_t len,
    const struct topts *opt, struct terr *te)
{
	struct parser ps;
	const char *found;
	size_t off;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	t->src = src;
	t->len = t->srclen = len;
	if (opt != NULL)
		t->opt = *opt;
	else
		tmpl_default_opts(&t->opt);
	tp_init(&ps, src, len, te);
	ps.t = t;
	if (parse_header(t, te) == 0) {
		/* Jinja2 drops one trailing newline (keep_trailing_newline) */
		if (!t->opt.keep_nl && t->len > t->body_start &&
		    src[t->len - 1] == '\n')
			t->len -= t->len - 1 > t->body_start &&
			    src[t->len - 2] == '\r' ? 2 : 1;
		else if (!t->opt.keep_nl && t->len > t->body_start &&
		    src[t->len - 1] == '\r')
			t->len--;
		ps.i = t->body_start;
		ret = parse_body(&ps, &t->top, NULL, &found, &off);
	}
	strbuf_release(&ps.lx.s);
	if (ret < 0)
		tmpl_release(t);
	else
		set_native(t);
	return ret;
}

int
tmpl_parse(struct tmpl *t, const char *src, size_t len, struct terr *te)
{
	return tmpl_parse_opts(t, src, len, NULL, te);
}
