/*
 * template_int.h - internals of the Jinja2 subset, shared by
 * template_parse.c (lexer, parser -> AST), template_eval.c (evaluator),
 * template_filter.c (filters and tests) and template.c (the public API of
 * template.h: block scanning, rendering, error positions).
 *
 * Errors inside the engine are a byte offset into the template being
 * processed plus a message (struct terr); template.c turns the offset into
 * file:line:col.  An error raised while rendering a variable's own value
 * (lazy templating of `a: "{{ b }}"`) is "resolved": it already carries the
 * final position (the variable's definition) and outer layers keep it.
 */
#ifndef MEND_TEMPLATE_INT_H
#define MEND_TEMPLATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"
#include "runner/util/value.h"

#define TMPL_MAX_NEST  64      /* parser recursion: ( [ { not - nesting */
#define TMPL_MAX_DEPTH 256     /* AST depth (evaluator recursion) */
#define TMPL_MAX_LAZY  16      /* nested renders of variable values */
#define TMPL_MAX_RENDERS 10000 /* variable renders per top-level call */
#define TMPL_MAX_SIZE (16u << 20) /* bytes rendered per budget (template.h) */

struct terr {
	int set;
	size_t off;            /* byte offset in the current template */
	int resolved;          /* pos is final (error inside another string) */
	struct pos pos;
	struct strbuf msg;
};

int terr_set(struct terr *te, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void terr_release(struct terr *te);

enum nkind {
	N_LIT,      /* constant: lit */
	N_NAME,     /* variable: name */
	N_ATTR,     /* kids[0].name */
	N_INDEX,    /* kids[0][kids[1]] */
	N_SLICE,    /* kids[0][kids[1]:kids[2]:kids[3]], each part NULL when
	             * left out (Python's slice of a list or a string) */
	N_LIST,     /* [kids...] */
	N_DICT,     /* {kids[0]: kids[1], ...} */
	N_NOT,      /* not kids[0] */
	N_NEG,      /* -kids[0] */
	N_POS,      /* +kids[0] */
	N_AND,      /* N_AND, N_OR, N_BIN: off is the operator's */
	N_OR,
	N_CMP,      /* kids[0] ops[0] kids[1] ops[1] kids[2] ... (chained) */
	N_BIN,      /* kids[0] op kids[1]: + - * // % ~ */
	N_FILTER,   /* kids[0] | name(kids[1..]): kids[1 + i] is parameter i
	             * (keywords bound at parse time), NULL when not given */
	N_TEST,     /* kids[0] is [not] name */
	N_COND,     /* kids[0] if kids[1] [else kids[2]] */
	N_CALL,     /* kids[0].name(kids[1..]) (method; kids[0] NULL: a
	             * function such as range/lookup); kw[i] names kids[i]'s
	             * keyword (NULL: positional) */
};

/* Operators (N_CMP ops[], N_BIN op). */
enum {
	OP_EQ = 1, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN,
	OP_ADD, OP_SUB, OP_MUL, OP_FLOORDIV, OP_MOD, OP_CONCAT,
};

struct filter;
struct test;

struct node {
	enum nkind kind;
	int op;
	int neg;                   /* N_TEST: `is not` */
	int top;                   /* last step of a variable access chain */
	int depth;                 /* 1 + deepest child */
	size_t off, end;           /* source span (for messages) */
	char *name;                /* N_NAME, N_ATTR, N_FILTER, N_TEST */
	struct val *lit;           /* N_LIT */
	struct node **kids;
	size_t nkids, kids_alloc;
	int *ops;                  /* N_CMP: operators */
	size_t *opoff;             /* N_CMP: their offsets */
	const struct filter *filter;
	const struct test *test;
	char **kw;                 /* N_CALL: keyword names, NULL entries */
};

void node_free(struct node *n);

/*
 * A parsed template is a body of statements (template_stmt.c): text,
 * `{{ expr }}` and the `{% %}` statements, nested.
 */
enum skind {
	S_TEXT,     /* src[off, off + len) */
	S_EXPR,     /* {{ n }} */
	S_IF,       /* if n: body, else alt (elif: one S_IF inside alt) */
	S_FOR,      /* for names in n [if cond]: body, else alt */
	S_SET,      /* set names[0] = n */
	S_SETBLOCK, /* set names[0] [| filters: n, whose input is N_LIT]
	             * body endset */
};

struct stmt;
struct body {
	struct stmt *items;
	size_t n, alloc;
};

struct stmt {
	enum skind kind;
	size_t off, len;           /* S_TEXT: span; else the tag's offset */
	int linestart;             /* S_TEXT: begins a line (lstrip_blocks) */
	struct node *n, *cond;
	char *names[2];
	size_t nnames;
	struct body body, alt;
};

/* Environment options (Jinja2's; template module and #jinja2: header). */
struct topts {
	int trim_blocks;           /* Ansible's default: 1 */
	int lstrip_blocks;         /* 0 */
	int keep_nl;               /* keep_trailing_newline: 0 */
	const char *newline;       /* newline_sequence: "\n" */
};

void tmpl_default_opts(struct topts *o);

struct tmpl {
	const char *src;           /* borrowed */
	size_t len;                /* without a dropped trailing newline */
	size_t srclen;             /* as given */
	struct body top;
	size_t body_start;         /* after a #jinja2: header line */
	int native;                /* exactly one {{ expr }} (+ whitespace) */
	struct topts opt;
};

/* The expression parser, used by template_stmt.c for `{% %}` tags. */
enum tok {
	T_EOF, T_END, T_NAME, T_INT, T_STR,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_LBRACE, T_RBRACE,
	T_COMMA, T_DOT, T_COLON, T_PIPE, T_TILDE, T_PLUS, T_MINUS, T_MUL,
	T_DIV, T_FLOORDIV, T_MOD, T_POW, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_ASSIGN,
};

enum lblock { LB_NONE, LB_VAR, LB_STMT };

struct lexer {
	const char *src;
	size_t len, pos;
	enum lblock block;      /* {{ }}: `}}` ends; {% %}: `%}` ends */
	size_t block_off;       /* offset of the `{{` / `{%` */
	int braces;             /* open `{` of dict literals */
	enum tok t;
	size_t off, end;        /* current token span */
	int64_t ival;
	struct strbuf s;        /* name, or decoded string literal */
	int strip;              /* T_END was `-}}` / `-%}` */
	int plus;               /* T_END was `+%}` */
	struct terr *err;
};

struct parser {
	struct lexer lx;
	struct terr *err;
	int nest;
	struct tmpl *t;         /* template_stmt.c: the template, scan pos */
	size_t i;
	int strip_next, trim_next;
	int depth;              /* statement nesting */
};

#define TMPL_MAX_STMT_DEPTH 64

void tp_init(struct parser *ps, const char *src, size_t len,
    struct terr *te);
int tp_next(struct parser *ps);
int tp_is_name(const struct parser *ps, const char *kw);
int tp_is_end(const struct parser *ps);     /* current token ends the tag */
int tp_at_eof(const struct parser *ps);
int tp_unexpected(struct parser *ps, const char *what);
struct node *tp_expr(struct parser *ps);
struct node *tp_or(struct parser *ps);      /* no inline if (for ... if) */
/* Filters `| f(args)` applied to `in` (block set). */
struct node *tp_filters(struct parser *ps, struct node *in);

void body_release(struct body *b);

/* Parse a template (Ansible's options, or opt) or a bare expression. */
int tmpl_parse(struct tmpl *t, const char *src, size_t len, struct terr *te);
int tmpl_parse_opts(struct tmpl *t, const char *src, size_t len,
    const struct topts *opt, struct terr *te);
int tmpl_parse_expr(struct tmpl *t, const char *src, size_t len,
    struct terr *te);
void tmpl_release(struct tmpl *t);

/* Evaluation.  Local variables (for targets, loop, set) live in scopes;
 * a name is looked up in them innermost first, then in vars. */
struct scope {
	struct val *vars;          /* owned map */
	struct scope *up;
};

struct res {
	struct val *v;             /* NULL: undefined */
	int owned;                 /* v is ours to free */
	const struct node *undef;  /* what was undefined (for the message) */
	int literal;               /* v is (part of) a val->literal tree */
};

struct ectx {
	const struct val *vars;
	const char *src;           /* the template being evaluated */
	int lazy;                  /* nesting of variable renders */
	int *renders;              /* shared budget counter */
	size_t *spent;             /* bytes built so far (TMPL_MAX_SIZE) */
	int unsafe;                /* an unsafe (no_log) value was used */
	struct terr *err;
	struct scope *sc;          /* innermost local scope, or NULL */
	size_t *iters;             /* shared loop-iteration budget counter */
	const struct topts *opt;
};

#define TMPL_MAX_ITERS 1000000       /* loop iterations per render */

/* Statements (template_exec.c): render body b into sb. */
int tmpl_exec(struct ectx *cx, const struct tmpl *t, const struct body *b,
    struct strbuf *sb);
/* Function and method calls (template_call.c). */
int tmpl_eval_call(struct ectx *cx, const struct node *n, struct res *r);
/* Items of iterating v as Python does (list items, mapping keys, string
 * characters) as a new list; NULL when v is not iterable. */
struct val *tmpl_iter_list(const struct val *v);
/* Python formatting (template_format.c): str.format and `%`. */
int tmpl_str_format(struct ectx *cx, const struct node *n,
    const struct val *fmt, const struct res *a, size_t na,
    const char *const *kn, const struct res *kv, size_t nk, struct res *r);
int tmpl_percent(struct ectx *cx, size_t at, const struct val *fmt,
    const struct val *const *args, size_t na, struct strbuf *sb);
/* Render text (a template file) with cx's variables, as a string. */
int tmpl_render_text(struct ectx *cx, const struct node *at, const char *src,
    size_t len, struct val **out);
/* lookup()/query() (template_lookup.c); wantlist: query. */
int tmpl_lookup(struct ectx *cx, const struct node *n, const struct res *a,
    size_t na, const char *const *kn, const struct res *kv, size_t nk,
    int wantlist, struct res *r);
/* Look a name up in the local scopes (NULL: not local). */
const struct val *tmpl_scope_get(const struct ectx *cx, const char *name);

int tmpl_eval_node(struct ectx *cx, const struct node *n, struct res *r);
/* Render the parsed template: native value or string (*out is new). */
int tmpl_eval_tmpl(struct ectx *cx, const struct tmpl *t, struct val **out);
/* Render one variable's value that holds templates (lazy templating). */
int tmpl_render_var(struct ectx *cx, const struct val *v,
    const struct node *at, struct val **out);

/* Count what building a result from v costs (bytes of its strings, plus
 * 16 per node) against TMPL_MAX_SIZE; -1 with an error at `off` past it. */
int tmpl_charge(struct ectx *cx, size_t off, const struct val *v);

void res_free(struct res *r);
struct val *res_take(struct res *r);
void res_set(struct res *r, struct val *v);     /* owned */
/* Error for an undefined value (names the expression). */
int tmpl_undef_error(struct ectx *cx, const struct res *r,
    const struct node *at);
/* Text of v as Jinja prints it inside a string (None -> ""). */
void tmpl_print(const struct val *v, struct strbuf *sb);

/* Filters and tests (template_filter.c). */
#define TMPL_MAX_PARAMS 6

struct fargs {
	struct res a[TMPL_MAX_PARAMS];  /* parameter values */
	int set[TMPL_MAX_PARAMS];       /* parameter was given */
};

struct filter {
	const char *name;
	int (*fn)(struct ectx *cx, const struct node *n, struct res *in,
	    struct fargs *args, struct res *out);
	const char *params[TMPL_MAX_PARAMS]; /* names, in positional order */
	int takes_undef;           /* input may be undefined (default) */
};

struct test {
	const char *name;
	/* -1 on error; else 0/1 */
	int (*fn)(struct ectx *cx, const struct node *n, const struct res *in,
	    struct fargs *args);
	int takes_undef;
	const char *params[TMPL_MAX_PARAMS];
};

const struct filter *tmpl_find_filter(const char *name);
/* template_flocal.c: the filter standing for a project-local plugin's
 * filter name (NULL: none registered); the first one a parse meets is
 * noted (offset, name) until tmpl_local_seen takes the note, which
 * tmpl_local_warn then reports at `at`, `note` (a multi-line template's
 * " (template line L, column C)") after the name, once per filter. */
const struct filter *tmpl_local_filter_use(const char *name, size_t off);
int tmpl_local_seen(size_t *off);
/* Is f that filter (it takes any arguments, keywords in order)? */
int tmpl_local_is(const struct filter *f);
void tmpl_local_warn(const struct pos *at, const char *note);
/* Append "file:line:col: warning: msg" to the tmpl_set_warnings buffer
 * (nothing when there is none). */
void tmpl_warn_at(const struct pos *at, const char *msg);
/* The filter and test tables of the other files. */
const struct filter *tmpl_data_filters(size_t *n);
const struct filter *tmpl_text_filters(size_t *n);
const struct filter *tmpl_json_filters(size_t *n);
const struct filter *tmpl_random_filters(size_t *n);
const struct test *tmpl_more_tests(size_t *n);
const struct test *tmpl_find_test(const char *name);
/* Closest known name (edit distance <= 2), or NULL. */
const char *tmpl_suggest_filter(const char *name);
const char *tmpl_suggest_test(const char *name);
const char *tmpl_closest(const char *name, const char *const *cands,
    size_t n);

#endif
