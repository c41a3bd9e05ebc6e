/*
 * template.h - Jinja2 as Ansible uses it.
 *
 * Templates: literal text with `{{ expr }}` blocks, `{# comments #}` and
 * the statements of template_stmt.c: if/elif/else, for (loop.index,
 * index0, revindex(0), first, last, length, previtem, nextitem, cycle();
 * `else`; `for x in seq if cond`; `for k, v in d.items()`), set (also
 * block set with filters), raw.  Whitespace as Jinja2 with Ansible's
 * settings: `-` strips, trim_blocks on, lstrip_blocks off (a `#jinja2:`
 * first line changes them), one trailing newline dropped by Jinja2 and as
 * many trailing newlines as the source had added back (Ansible).  macro,
 * call, include, import, block and the other statements are errors.
 *
 * Expressions: variables, dotted and indexed access (`result.rc`,
 * `item[0]`, `x['key']`, `l[-1]`, `l.0`; a string indexes by character),
 * string ('..' or "..", escapes \n \t \r \0 \\ \' \") and decimal integer
 * literals, true/false/True/False/none/None, lists `[a, b]`, mappings
 * `{'k': v}`, parentheses, `a if c else b`, operators
 * `and or not == != < <= > >= in`, `not in`, `~` (concatenation as
 * strings), `+ -` on integers (and `+` on two strings or two lists),
 * `* // %` on integers (Python floor semantics; `'-' * 3`), unary `- +`,
 * `'%s-%d' % (a, b)`, tuples `(a, b)` (lists that print as tuples),
 * calls: range(), lookup()/query()/q() and the methods of
 * template_call.c (.get .items .keys .values .split .startswith .join
 * .format .strip .lower .upper .replace ...).
 * No floats, slices, `/`, `**`: errors.
 * Precedence as Jinja2's parser, lowest first:
 *   if-else < or < and < not < comparisons, in, not in (chained: a < b < c)
 *   < + - < ~ < * // % < unary - + < .attr [idx], then filters and tests
 * so `not x | bool` is `not (x | bool)` and `a ~ b is defined` tests b.
 * Filters `| name` or `| name(args)`, keyword arguments allowed, the
 * `ansible.builtin.` prefix accepted:
 *   default(value='', boolean=false)  d is an alias
 *   bool  int(default=0, base=10)  string  lower  upper  quote
 *   length (count)  join(d='')  trim  first  last
 * (exact semantics in template_filter.c) and Ansible's core list in
 * template_fdata.c, template_ftext.c, template_fjson.c; tests with
 * arguments in template_tests.c.  Tests: `is defined`,
 *   `is undefined`, `is changed`, `is failed`, `is skipped`,
 *   `is succeeded` / `is success` (the last four read the `changed`,
 *   `failed`, `skipped` keys of a result mapping), `is none`, `is true`,
 *   `is false`, `is string`, `is number`, `is integer`, `is boolean`,
 *   `is mapping`, `is sequence`, `is iterable`, `is truthy`, `is falsy`,
 *   and `is not ...` of each.
 * Comparisons are Python's: 1 == '1' is false, 1 == true is true, ordering
 * an int against a string is an error; `in` is substring, list membership
 * or mapping key.
 *
 * Undefined: a missing variable, key, attribute or index (also of an
 * undefined value: `a.b.c` with no `a`) is undefined; using it anywhere
 * but `default` / `is defined` / `is undefined` is an error naming it:
 *     'result.rcx' is undefined
 * `omit`, when not a variable, is the string TMPL_OMIT (the runner drops
 * module arguments equal to it, as Ansible's `default(omit)`).
 *
 * Lazy templating: a variable whose value contains template syntax is
 * rendered when it is used (Ansible's `vars: {a: "{{ b }}"}`), at most 16
 * levels deep (a self-reference is an error) and at most 10000 variable
 * renders per call.  An error inside a variable's value is reported at
 * that value's position.  A value marked `literal` (struct val), and
 * everything under it, is data and never templated: set it on registered
 * results and facts (what a host sent back), as Ansible marks them unsafe.
 * A native result taken from literal data is marked literal too;
 * tmpl_render_val and tmpl_check_val leave literal trees alone.
 *
 * Errors are file:line:col.  Syntax errors, unknown filters or tests (with
 * "did you mean") and wrong filter arguments are found at check time; the
 * rest when evaluating.  Column rule: when the template string is a single
 * line, the column is the string's own column (from its struct pos) plus
 * the offending token's offset in characters, plus one for a quoted YAML
 * scalar when the function knows it (tmpl_check_val, tmpl_render_val use
 * val->quoted; the string-only functions assume a plain scalar).  A
 * multi-line template keeps the string's own position and the message
 * ends with "(template line L, column C)".
 *
 * Values: rendering a string that is exactly one `{{ expr }}` (surrounding
 * whitespace allowed) yields the expression's native value (list, int,
 * bool...), as Ansible does; anything else yields a string in which values
 * print as Jinja2 prints them: True/False, ['a', 1], {'k': 'v'}, and none
 * as the empty string (Ansible's finalize).
 *
 * no_log: if any value used while rendering is marked unsafe (or holds an
 * unsafe part), the result is marked unsafe (val_mark_unsafe).
 *
 * Limits: nesting of parentheses/brackets/not/unary minus 64, expression
 * depth 256 (both errors, never stack exhaustion).  Size: what one call
 * builds (rendered text, copies of variables' values, lists, mappings,
 * `~` `+` `*`, filter results) is at most 16 MiB, an error at the position
 * ("template expansion too large (more than 16 MiB rendered)").
 */
#ifndef MEND_TEMPLATE_H
#define MEND_TEMPLATE_H

#include "runner/util/err.h"
#include "runner/util/value.h"

/* Placeholder value of `omit` (see above). */
#define TMPL_OMIT "__omit_place_holder__mend__"

/* Does s contain template syntax at all ("{{", "{%" or "{#")? */
int tmpl_has(const char *s);

/* Syntax check only (unknown filters/tests, bad syntax): no variables. */
int tmpl_check(const char *s, const struct pos *p, struct err *e);
/* Same for a bare expression (when/changed_when/failed_when/assert that). */
int tmpl_check_expr(const char *expr, const struct pos *p, struct err *e);
/* Check every string of a value tree (keys are not templates), with each
 * string's own position; reports every bad string, -1 if any. */
int tmpl_check_val(const struct val *v, struct err *e);

/* Render to a string (appended to out; a lone {{ expr }} prints too). */
int tmpl_render(const char *s, const struct val *vars, const struct pos *p,
    struct strbuf *out, struct err *e);
/* Same, and *unsafe (may be NULL) says whether an unsafe value was used. */
int tmpl_render_ex(const char *s, const struct val *vars,
    const struct pos *p, struct strbuf *out, int *unsafe, struct err *e);
/* Render a value tree: strings are rendered (native value for a lone
 * {{ expr }}), lists and maps recursively (keys are not templated).
 * Every bad string is reported (then *out is NULL). *out is new (caller
 * frees); rendered nodes keep the input node's pos, unsafe marks stay. */
int tmpl_render_val(const struct val *in, const struct val *vars,
    struct val **out, struct err *e);
/* Same, charging what it builds to *spent (start it at 0): several calls
 * that share one budget (a play's variables, rendered and kept) build at
 * most 16 MiB together (see Limits). */
int tmpl_render_val_budget(const struct val *in, const struct val *vars,
    size_t *spent, struct val **out, struct err *e);
/* Evaluate a bare expression (as in `when:`) to a value. */
int tmpl_eval(const char *expr, const struct val *vars, const struct pos *p,
    struct val **out, struct err *e);
/* Evaluate a condition: the expression's truthiness. A bool value from YAML
 * (`when: true`) is handled by the caller.  As Ansible <= 2.18 did, a bare
 * variable name whose value is the string "true"/"false" (any case, e.g.
 * from -e flag=false) counts as that boolean. */
int tmpl_eval_cond(const char *expr, const struct val *vars,
    const struct pos *p, int *out, struct err *e);

/*
 * A template file, as Ansible's template module renders it: the whole
 * Jinja2 language of template_stmt.c (statements, comments, whitespace
 * control, a `#jinja2:` header), with trim_blocks/lstrip_blocks and the
 * newline sequence ("\n", "\r\n" or "\r") of o (NULL: Ansible's defaults
 * trim_blocks on, lstrip_blocks off, "\n"); trailing newlines are kept
 * as Ansible keeps them.  Errors name the file itself: path:line:col.
 */
struct tmpl_file_opts {
	int trim_blocks;
	int lstrip_blocks;
	const char *newline;
};
/*
 * Project-local filter plugins (template_flocal.c).  Ansible loads filters
 * from Python files (filter_plugins/ beside the playbook, in roles, and
 * where ansible.cfg says); mend cannot run them.  tmpl_local_filter_add
 * registers filter `name` as defined by the plugin file `path` (name NULL:
 * the file computes its filter table, so any name mend lacks may be its).
 * The registry is process-wide (the playbook loader fills it; reset
 * empties it).  A template using a registered name that mend does not
 * have parses (the arguments are not checked) and fails where it is
 * evaluated: "filter 'X' is defined by the project-local filter plugin
 * PATH, which mend cannot run".  The tmpl_check* functions then append a
 * warning "file:line:col: warning: filter 'X' is defined by ..." to the
 * buffer given to tmpl_set_warnings (NULL: none), once per filter.
 */
void tmpl_local_filter_add(const char *name, const char *path);
void tmpl_local_filters_reset(void);
void tmpl_set_warnings(struct strbuf *sb);

int tmpl_render_file(const char *src, size_t len, const char *path,
    const struct val *vars, const struct tmpl_file_opts *o,
    struct strbuf *out, struct err *e);

#endif
