/*
 * template.h - the Jinja2 subset mend supports.
 *
 * Templates: literal text with `{{ expr }}` blocks.  `{% ... %}` and `{# #}`
 * are not supported and are errors (never passed through silently).
 *
 * Expressions: variables, dotted and indexed access (`result.rc`,
 * `item[0]`, `x['key']`), string ('..' or "..") and integer literals,
 * true/false/True/False/none/None, lists `[a, b]`, parentheses, operators
 * `and or not == != < <= > >= in`, `not in`, `~` (concatenation),
 * `+ -` on integers, filters `| name` or `| name(args)`:
 *   default(value[, true])   d is an alias
 *   bool  int  string  lower  upper  quote  length (count)  join(sep)
 * tests: `is defined`, `is undefined`, `is changed`, `is failed`,
 *   `is skipped`, `is succeeded` / `is success`, `is not ...`.
 *
 * An undefined variable is an error when rendered (unless guarded by
 * `default` or `is defined`); an unknown filter or test, or a syntax error,
 * is an error at check time with file:line:col (the column of the offending
 * token inside the string, added to the string's own position when the
 * string is a plain single-line YAML scalar).
 *
 * Values: rendering a string that is exactly one `{{ expr }}` (surrounding
 * whitespace allowed) yields the expression's native value (list, int,
 * bool...), as Ansible does; anything else yields a string.
 */
#ifndef MEND_TEMPLATE_H
#define MEND_TEMPLATE_H

#include "err.h"
#include "value.h"

/* Does s contain template syntax at all? */
int tmpl_has(const char *s);

/* Syntax check only (unknown filters/tests, bad syntax): no variables. */
int tmpl_check(const char *s, const struct pos *p, struct err *e);
/* Same for a bare expression (when/changed_when/failed_when/assert that). */
int tmpl_check_expr(const char *expr, const struct pos *p, struct err *e);

/* Render to a string. */
int tmpl_render(const char *s, const struct val *vars, const struct pos *p,
    struct strbuf *out, struct err *e);
/* Render a value tree: strings are rendered (native value for a lone
 * {{ expr }}), lists and maps recursively (keys are not templated).
 * *out is new (caller frees). */
int tmpl_render_val(const struct val *in, const struct val *vars,
    struct val **out, struct err *e);
/* Evaluate a bare expression (as in `when:`) to a value. */
int tmpl_eval(const char *expr, const struct val *vars, const struct pos *p,
    struct val **out, struct err *e);
/* Evaluate a condition: the expression's truthiness. A bool value from YAML
 * (`when: true`) is handled by the caller. */
int tmpl_eval_cond(const char *expr, const struct val *vars,
    const struct pos *p, int *out, struct err *e);

#endif
