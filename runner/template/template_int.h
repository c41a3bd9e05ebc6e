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
};

void node_free(struct node *n);

/* A parsed template: text parts and expression parts. */
struct tpart {
	int expr;                  /* 1: n is set; 0: literal text */
	size_t off, len;           /* text part: src span */
	struct node *n;
};

struct tmpl {
	const char *src;           /* borrowed */
	size_t len;
	struct tpart *parts;
	size_t nparts, alloc;
	int native;                /* exactly one {{ expr }} (+ whitespace) */
};

/* Parse a template ({{ }} blocks in text) or a bare expression. */
int tmpl_parse(struct tmpl *t, const char *src, size_t len, struct terr *te);
int tmpl_parse_expr(struct tmpl *t, const char *src, size_t len,
    struct terr *te);
void tmpl_release(struct tmpl *t);

/* Evaluation. */
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
};

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
#define TMPL_MAX_PARAMS 3

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
	int (*fn)(struct ectx *cx, const struct node *n, const struct res *in);
	int takes_undef;
};

const struct filter *tmpl_find_filter(const char *name);
const struct test *tmpl_find_test(const char *name);
/* Closest known name (edit distance <= 2), or NULL. */
const char *tmpl_suggest_filter(const char *name);
const char *tmpl_suggest_test(const char *name);
const char *tmpl_closest(const char *name, const char *const *cands,
    size_t n);

#endif
