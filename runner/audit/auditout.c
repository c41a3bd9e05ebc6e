/* auditout.c - text, JSON and JUnit output, the rule catalogue; see auditout.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/audit/auditout.h"
#include "runner/util/diff.h"
#include "runner/util/banned.h"

#define C_RESET "\033[0m"
#define C_BOLD  "\033[1m"
#define C_RED   "\033[1;31m"
#define C_YEL   "\033[33m"
#define C_CYAN  "\033[36m"
#define C_DIM   "\033[2m"

static const char *
sev_color(enum audit_sev s)
{
	return s >= SEV_HIGH ? C_RED : s == SEV_MEDIUM ? C_YEL : C_CYAN;
}

static void
col(struct strbuf *out, int on, const char *c, const char *s)
{
	if (on)
		strbuf_addf(out, "%s%s%s", c, s, C_RESET);
	else
		strbuf_addstr(out, s);
}

const char *
audit_baseline_state(const struct audit_run *r, const struct audit_finding *f)
{
	if (!r->have_baseline)
		return NULL;
	return f->baseline ? "unchanged" : "new";
}

void
audit_fix_diff(const struct audit_fixfile *x, struct strbuf *out)
{
	char *a, *b;

	if (x->after == NULL)
		return;
	a = xasprintf("a/%s", x->path);
	b = xasprintf("b/%s", x->path);
	diff_unified(out, x->before, x->before_len, x->after, x->after_len, a, b,
	    DIFF_CONTEXT);
	free(a);
	free(b);
}

/* s after first, wrapped at about 76 columns, continued with ind. */
static void
add_wrapped(struct strbuf *out, const char *first, const char *ind,
    const char *s)
{
	size_t w = strlen(first), n, start = w;

	strbuf_addstr(out, first);
	while (*s) {
		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n == 0)
			break;
		if (w > start && w + 1 + n > 76) {
			strbuf_addf(out, "\n%s", ind);
			w = start = strlen(ind);
		} else if (w > start) {
			strbuf_addch(out, ' ');
			w++;
		}
		strbuf_add(out, s, n);
		w += n;
		s += n;
	}
	strbuf_addch(out, '\n');
}

static void
text_finding(const struct audit_finding *f, const struct audit_outopts *o,
    int explain, struct strbuf *out)
{
	int c = o->color, k;

	if (f->line > 0)
		strbuf_addf(out, "%s:%d:%d: ", f->path, f->line, f->col);
	else
		strbuf_addf(out, "%s: ", f->path);
	col(out, c, sev_color(f->rule->sev), audit_sev_name(f->rule->sev));
	strbuf_addch(out, ' ');
	col(out, c, C_BOLD, f->rule->id);
	strbuf_addf(out, " %s: %s\n", f->rule->name, f->msg);
	if (f->text) {
		strbuf_addf(out, "  %5d | %s\n        | ", f->line, f->text);
		for (k = 1; k < f->col; k++)
			strbuf_addch(out, f->text[k - 1] == '\t' ? '\t' : ' ');
		col(out, c, C_BOLD, "^");
		strbuf_addch(out, '\n');
	}
	if (!explain)
		return;
	add_wrapped(out, "  why: ", "       ", f->rule->why);
	add_wrapped(out, "  fix: ", "       ", f->rule->fix);
}

/* Why and fix are printed with a rule's first finding only. */
static int
first_of_rule(const struct audit_run *r, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (r->f[j].rule == r->f[i].rule && !r->f[j].suppressed &&
		    !r->f[j].baseline)
			return 0;
	return 1;
}

static void
text_fixes(const struct audit_run *r, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < r->nfix; i++) {
		if (r->fixes[i].after == NULL)
			strbuf_addf(out, "mend: no patch for '%s': %s\n",
			    r->fixes[i].path, r->fixes[i].why);
		else
			audit_fix_diff(&r->fixes[i], out);
	}
}

static void
summary_counts(const struct audit_run *r, const struct audit_outopts *o,
    size_t *shown, size_t *supp, size_t *unch, size_t *failing)
{
	size_t i;

	*shown = *supp = *unch = *failing = 0;
	for (i = 0; i < r->nf; i++) {
		if (r->f[i].suppressed)
			(*supp)++;
		else if (r->f[i].baseline)
			(*unch)++;
		else
			(*shown)++;
		*failing += (size_t)audit_counts(&r->f[i], o->fail_on);
	}
}

void
audit_out_text(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out)
{
	size_t i, n, shown, supp, unch, failing;

	if (r->extra_text)
		r->extra_text(r, o->color, out);
	for (i = 0; i < r->nf; i++)
		if (!r->f[i].suppressed && !r->f[i].baseline)
			text_finding(&r->f[i], o, first_of_rule(r, i), out);
	if (o->diff)
		text_fixes(r, out);
	summary_counts(r, o, &shown, &supp, &unch, &failing);
	n = r->scan ? r->nplaces : r->nin;
	strbuf_addf(out, "mend %s: %zu %s%s, %zu finding%s", r->command,
	    n, r->scan ? "service" : "file", n == 1 ? "" : "s",
	    shown, shown == 1 ? "" : "s");
	if (supp)
		strbuf_addf(out, ", %zu suppressed", supp);
	if (r->have_baseline)
		strbuf_addf(out, ", %zu in the baseline", unch);
	if (r->nierr)
		strbuf_addf(out, r->scan ? ", %zu targets or ports refused" :
		    ", %zu unreadable or unparsable", r->nierr);
	strbuf_addf(out, "; %zu at or above %s\n", failing,
	    audit_sev_name(o->fail_on));
}

/* ---------------------------------------------------------------- JSON */

static void
js(struct strbuf *out, const char *s)
{
	if (s == NULL)
		strbuf_addstr(out, "null");
	else
		strbuf_addjson(out, s, strlen(s));
}

static void
json_finding(const struct audit_run *r, const struct audit_finding *f,
    const struct audit_outopts *o, struct strbuf *out)
{
	strbuf_addf(out, "{\"rule\": \"%s\", \"name\": \"%s\", \"product\": ",
	    f->rule->id, f->rule->name);
	js(out, f->product ? f->product->name : NULL);
	strbuf_addf(out, ", \"severity\": \"%s\", \"path\": ",
	    audit_sev_name(f->rule->sev));
	js(out, f->path);
	strbuf_addf(out, ", \"line\": %d, \"col\": %d, \"text\": ", f->line,
	    f->col);
	js(out, f->text);
	strbuf_addstr(out, ", \"message\": ");
	js(out, f->msg);
	strbuf_addstr(out, ", \"why\": ");
	js(out, f->rule->why);
	strbuf_addstr(out, ", \"fix\": ");
	js(out, f->rule->fix);
	strbuf_addf(out, ", \"fingerprint\": \"%s\", \"suppressed\": ", f->fp);
	if (f->suppressed) {
		strbuf_addstr(out, "{\"kind\": \"inline\", \"reason\": ");
		js(out, f->supp_reason);
		strbuf_addch(out, '}');
	} else {
		strbuf_addstr(out, "null");
	}
	strbuf_addstr(out, ", \"baseline\": ");
	js(out, audit_baseline_state(r, f));
	strbuf_addf(out, ", \"counts\": %s}",
	    audit_counts(f, o->fail_on) ? "true" : "false");
}

static void
json_fixes(const struct audit_run *r, struct strbuf *out)
{
	struct strbuf d = STRBUF_INIT;
	size_t i;

	strbuf_addstr(out, "  \"fixes\": [");
	for (i = 0; i < r->nfix; i++) {
		strbuf_reset(&d);
		audit_fix_diff(&r->fixes[i], &d);
		strbuf_addstr(out, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		js(out, r->fixes[i].path);
		strbuf_addstr(out, ", \"diff\": ");
		js(out, r->fixes[i].after ? d.buf : NULL);
		strbuf_addstr(out, ", \"refused\": ");
		js(out, r->fixes[i].why);
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, r->nfix ? "\n  ],\n" : "],\n");
	strbuf_release(&d);
}

static void
json_inputs(const struct audit_run *r, struct strbuf *out)
{
	size_t i;

	strbuf_addstr(out, "  \"inputs\": [");
	for (i = 0; i < r->nin && !r->scan; i++) {
		strbuf_addstr(out, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		js(out, r->in[i]->path);
		strbuf_addf(out, ", \"type\": \"%s\", \"product\": \"%s\"}",
		    r->in[i]->type->id, r->in[i]->product->name);
	}
	strbuf_addstr(out, r->nin && !r->scan ? "\n  ],\n" : "],\n");
	strbuf_addstr(out, "  \"errors\": [");
	for (i = 0; i < r->nierr; i++) {
		strbuf_addstr(out, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		js(out, r->ierr[i].path);
		strbuf_addf(out, ", \"line\": %d, \"col\": %d, \"message\": ",
		    r->ierr[i].line, r->ierr[i].col);
		js(out, r->ierr[i].msg);
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, r->nierr ? "\n  ],\n" : "],\n");
}

static void
json_summary(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out)
{
	size_t by[SEV_CRITICAL + 1] = { 0 }, shown, supp, unch, failing, i;
	int s;

	summary_counts(r, o, &shown, &supp, &unch, &failing);
	for (i = 0; i < r->nf; i++)
		if (!r->f[i].suppressed && !r->f[i].baseline)
			by[r->f[i].rule->sev]++;
	strbuf_addf(out, "  \"summary\": {\"inputs\": %zu, \"findings\": %zu, "
	    "\"by_severity\": {", r->scan ? r->nplaces : r->nin, shown);
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
		strbuf_addf(out, "\"%s\": %zu%s", audit_sev_name(s), by[s],
		    s > SEV_INFO ? ", " : "");
	strbuf_addf(out, "}, \"suppressed\": %zu, \"unchanged\": %zu, "
	    "\"errors\": %zu, \"fail_on\": \"%s\", \"failing\": %zu, "
	    "\"exit\": %d}\n", supp, unch, r->nierr, audit_sev_name(o->fail_on),
	    failing, o->exit_status);
}

void
audit_out_json(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out)
{
	size_t i;

	strbuf_addf(out, "{\n  \"mend\": \"%s\",\n  \"format\": 1,\n"
	    "  \"command\": \"%s\",\n  \"baseline\": %s,\n", MEND_VERSION,
	    r->command, r->have_baseline ? "true" : "false");
	json_inputs(r, out);
	if (r->extra_json)
		r->extra_json(r, out);
	strbuf_addstr(out, "  \"findings\": [");
	for (i = 0; i < r->nf; i++) {
		strbuf_addstr(out, i ? ",\n    " : "\n    ");
		json_finding(r, &r->f[i], o, out);
	}
	strbuf_addstr(out, r->nf ? "\n  ],\n" : "],\n");
	json_fixes(r, out);
	json_summary(r, o, out);
	strbuf_addstr(out, "}\n");
}

/* --------------------------------------------------------------- JUnit */

static void
xml(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			strbuf_addstr(out, "&amp;");
		else if (c == '<')
			strbuf_addstr(out, "&lt;");
		else if (c == '>')
			strbuf_addstr(out, "&gt;");
		else if (c == '"')
			strbuf_addstr(out, "&quot;");
		else if (c < 0x20 && c != '\n' && c != '\t')
			strbuf_addch(out, '?');   /* not allowed in XML 1.0 */
		else
			strbuf_addch(out, (char)c);
	}
}

static void
junit_finding(const struct audit_run *r, const struct audit_finding *f,
    const struct audit_outopts *o, struct strbuf *out)
{
	char *name = f->line > 0 ? xasprintf("%s %s at %s:%d:%d", f->rule->id,
	    f->rule->name, f->path, f->line, f->col) :
	    xasprintf("%s %s at %s", f->rule->id, f->rule->name, f->path);

	strbuf_addstr(out, "    <testcase classname=\"");
	xml(out, f->path);
	strbuf_addstr(out, "\" name=\"");
	xml(out, name);
	strbuf_addstr(out, "\">\n");
	if (audit_counts(f, o->fail_on)) {
		strbuf_addf(out, "      <failure type=\"%s\" message=\"",
		    audit_sev_name(f->rule->sev));
		xml(out, f->msg);
		strbuf_addstr(out, "\">");
		if (f->text) {
			xml(out, f->text);
			strbuf_addch(out, '\n');
		}
		strbuf_addstr(out, "why: ");
		xml(out, f->rule->why);
		strbuf_addstr(out, "\nfix: ");
		xml(out, f->rule->fix);
		strbuf_addstr(out, "</failure>\n");
	} else {
		strbuf_addstr(out, "      <skipped message=\"");
		xml(out, f->suppressed ? "suppressed: " : f->baseline ?
		    "in the baseline: " : "below --fail-on: ");
		xml(out, f->suppressed ? f->supp_reason : f->msg);
		strbuf_addstr(out, "\"/>\n");
	}
	strbuf_addstr(out, "    </testcase>\n");
	free(name);
	(void)r;
}

static int
has_findings(const struct audit_run *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (strcmp(r->f[i].path, path) == 0)
			return 1;
	return 0;
}

static void
junit_others(const struct audit_run *r, struct strbuf *out, size_t *tests)
{
	size_t i;

	for (i = 0; i < r->nin && !r->scan; i++) {
		if (has_findings(r, r->in[i]->path))
			continue;
		(*tests)++;
		strbuf_addstr(out, "    <testcase classname=\"");
		xml(out, r->in[i]->path);
		strbuf_addf(out, "\" name=\"%s: no findings\"/>\n",
		    r->in[i]->type->id);
	}
	for (i = 0; i < r->nierr; i++) {
		(*tests)++;
		strbuf_addstr(out, "    <testcase classname=\"");
		xml(out, r->ierr[i].path);
		strbuf_addstr(out, "\" name=\"read and parse\">\n"
		    "      <error type=\"input\" message=\"");
		xml(out, r->ierr[i].msg);
		strbuf_addf(out, "\">%s:%d:%d</error>\n    </testcase>\n",
		    r->ierr[i].path, r->ierr[i].line, r->ierr[i].col);
	}
}

void
audit_out_junit(const struct audit_run *r, const struct audit_outopts *o,
    struct strbuf *out)
{
	struct strbuf cases = STRBUF_INIT;
	size_t i, tests = r->nf, failures = 0, skipped = 0;

	for (i = 0; i < r->nf; i++) {
		junit_finding(r, &r->f[i], o, &cases);
		if (audit_counts(&r->f[i], o->fail_on))
			failures++;
		else
			skipped++;
	}
	junit_others(r, &cases, &tests);
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(out, "<testsuites name=\"mend %s\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"%zu\">\n", r->command, tests, failures,
	    r->nierr);
	strbuf_addf(out, "  <testsuite name=\"mend %s\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n", r->command,
	    tests, failures, r->nierr, skipped);
	strbuf_addbuf(out, &cases);
	strbuf_addstr(out, "  </testsuite>\n</testsuites>\n");
	strbuf_release(&cases);
}

/* ----------------------------------------------------------- catalogue */

static void
rules_text(const struct audit_run *r, struct strbuf *out)
{
	const struct audit_rule *ru;
	size_t i;

	const struct audit_type *t;

	strbuf_addstr(out, "file types (--type):\n");
	for (i = 0; r->products[i]; i++)
		for (t = r->products[i]->types; t && t->id; t++)
			strbuf_addf(out, "  %-18s %s\n", t->id, t->desc);
	strbuf_addch(out, '\n');
	for (i = 0; r->products[i]; i++) {
		strbuf_addf(out, "== %s ==\n\n", r->products[i]->name);
		for (ru = r->products[i]->rules; ru->id; ru++) {
			strbuf_addf(out, "%s  %s  (%s; %s)\n", ru->id, ru->name,
			    audit_sev_name(ru->sev), ru->scope);
			add_wrapped(out, "    ", "    ", ru->title);
			add_wrapped(out, "    why: ", "         ", ru->why);
			add_wrapped(out, "    fix: ", "         ", ru->fix);
			strbuf_addch(out, '\n');
		}
	}
}

void
audit_out_rules(const struct audit_run *r, int json, struct strbuf *out)
{
	const struct audit_rule *ru;
	size_t i;
	int first = 1;

	if (!json) {
		rules_text(r, out);
		return;
	}
	strbuf_addstr(out, "[");
	for (i = 0; r->products[i]; i++)
		for (ru = r->products[i]->rules; ru->id; ru++) {
			strbuf_addstr(out, first ? "\n  " : ",\n  ");
			first = 0;
			strbuf_addf(out, "{\"id\": \"%s\", \"name\": \"%s\", "
			    "\"product\": \"%s\", \"severity\": \"%s\", "
			    "\"scope\": ", ru->id, ru->name, r->products[i]->name,
			    audit_sev_name(ru->sev));
			js(out, ru->scope);
			strbuf_addstr(out, ", \"title\": ");
			js(out, ru->title);
			strbuf_addstr(out, ", \"why\": ");
			js(out, ru->why);
			strbuf_addstr(out, ", \"fix\": ");
			js(out, ru->fix);
			strbuf_addch(out, '}');
		}
	strbuf_addstr(out, "\n]\n");
}
