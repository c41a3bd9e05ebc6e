/* audit.c - findings, rules, options, suppressions, exit status; see audit.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/audit/audit.h"
#include "runner/util/banned.h"

static const char *const sev_names[] = {
	"info", "low", "medium", "high", "critical",
};

const char *
audit_sev_name(enum audit_sev s)
{
	return (size_t)s < ARRAY_SIZE(sev_names) ? sev_names[s] : "?";
}

int
audit_sev_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sev_names); i++)
		if (strcmp(s, sev_names[i]) == 0)
			return (int)i;
	return -1;
}

void
audit_run_init(struct audit_run *r,
    const struct audit_product *const *products, const char *command)
{
	memset(r, 0, sizeof(*r));
	r->products = products;
	r->command = command;
	strbuf_init(&r->warnings, 0);
}

static void
input_free(struct audit_input *in)
{
	free(in->path);
	free(in->buf);
	free(in->group);
	free(in->shown);
	free(in);
}

void
audit_run_release(struct audit_run *r)
{
	size_t i;

	for (i = 0; i < r->nin; i++)
		input_free(r->in[i]);
	for (i = 0; i < r->nf; i++) {
		free(r->f[i].path);
		free(r->f[i].text);
		free(r->f[i].msg);
		free(r->f[i].supp_reason);
	}
	for (i = 0; i < r->nfix; i++) {
		free(r->fixes[i].path);
		free(r->fixes[i].before);
		free(r->fixes[i].after);
		free(r->fixes[i].why);
	}
	for (i = 0; i < r->nierr; i++) {
		free(r->ierr[i].path);
		free(r->ierr[i].msg);
	}
	for (i = 0; i < r->nopts; i++) {
		free(r->opts[i].key);
		free(r->opts[i].value);
	}
	free(r->in);
	free(r->f);
	free(r->fixes);
	free(r->ierr);
	free(r->opts);
	strbuf_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

const struct audit_rule *
audit_rule_find(const struct audit_run *r, const char *id,
    const struct audit_product **product)
{
	const struct audit_rule *ru;
	size_t i;

	for (i = 0; r->products[i]; i++)
		for (ru = r->products[i]->rules; ru->id; ru++)
			if (strcasecmp(ru->id, id) == 0 ||
			    strcmp(ru->name, id) == 0) {
				if (product)
					*product = r->products[i];
				return ru;
			}
	return NULL;
}

const struct audit_type *
audit_type_find(const struct audit_run *r, const char *id,
    const struct audit_product **product)
{
	const struct audit_type *t;
	size_t i;

	for (i = 0; r->products[i]; i++)
		for (t = r->products[i]->types; t && t->id; t++)
			if (strcmp(t->id, id) == 0) {
				if (product)
					*product = r->products[i];
				return t;
			}
	return NULL;
}

int
audit_set_opt(struct audit_run *r, const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (eq == NULL || eq == kv)
		return -1;
	ALLOC_GROW(r->opts, r->nopts + 1, r->opts_alloc);
	r->opts[r->nopts].key = xstrndup(kv, (size_t)(eq - kv));
	r->opts[r->nopts].value = xstrdup(eq + 1);
	r->nopts++;
	return 0;
}

const char *
audit_opt(const struct audit_run *r, const char *key, const char *def)
{
	size_t i;

	for (i = r->nopts; i-- > 0;)
		if (strcmp(r->opts[i].key, key) == 0)
			return r->opts[i].value;
	return def;
}

/* ------------------------------------------------------------ reporting */

/* The bytes of physical line `line` (1-based) of buf, without its ending. */
static const char *
line_span(const char *buf, size_t len, int line, size_t *n)
{
	size_t i = 0, e;
	int l = 1;

	while (l < line && i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);

		if (nl == NULL)
			return NULL;
		i = (size_t)(nl - buf) + 1;
		l++;
	}
	if (l != line || (i >= len && line > 1 && buf[len - 1] == '\n'))
		return NULL;
	for (e = i; e < len && buf[e] != '\n'; e++)
		;
	if (e > i && buf[e - 1] == '\r')
		e--;
	*n = e - i;
	return buf + i;
}

static struct audit_finding *
new_finding(struct audit_run *r, const struct audit_rule *rule,
    const char *path, const char *fmt, va_list ap)
{
	struct audit_finding *f;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	ALLOC_GROW(r->f, r->nf + 1, r->f_alloc);
	f = &r->f[r->nf++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->fixfile = -1;
	for (i = 0; r->products[i] && !f->product; i++)
		if (rule >= r->products[i]->rules) {
			const struct audit_rule *ru = r->products[i]->rules;

			while (ru->id && ru != rule)
				ru++;
			if (ru == rule)
				f->product = r->products[i];
		}
	f->path = xstrdup(path);
	strbuf_vaddf(&sb, fmt, ap);
	f->msg = strbuf_detach(&sb, NULL);
	return f;
}

struct audit_finding *
audit_report(struct audit_run *r, const struct audit_rule *rule,
    const struct audit_input *in, int line, int col, const char *fmt, ...)
{
	struct audit_finding *f;
	const char *s;
	va_list ap;
	size_t n = 0, k = 0;

	va_start(ap, fmt);
	f = new_finding(r, rule, in->path, fmt, ap);
	va_end(ap);
	s = line > 0 ? line_span(in->shown ? in->shown : in->buf,
	    in->shown ? in->shown_len : in->len, line, &n) : NULL;
	if (s == NULL)
		line = col = 0;
	f->line = line;
	if (s) {
		f->text = xstrndup(s, n);
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		f->col = col > 0 ? col : (int)k + 1;
	}
	return f;
}

struct audit_finding *
audit_report_at(struct audit_run *r, const struct audit_rule *rule,
    const char *where, const char *fmt, ...)
{
	struct audit_finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = new_finding(r, rule, where, fmt, ap);
	va_end(ap);
	return f;
}

void
audit_input_error(struct audit_run *r, const char *path, int line, int col,
    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(r->ierr, r->nierr + 1, r->ierr_alloc);
	r->ierr[r->nierr].path = xstrdup(path);
	r->ierr[r->nierr].line = line;
	r->ierr[r->nierr].col = col;
	r->ierr[r->nierr].msg = strbuf_detach(&sb, NULL);
	r->nierr++;
}

void
audit_warn(struct audit_run *r, const char *path, int line, const char *fmt,
    ...)
{
	va_list ap;

	if (line > 0)
		strbuf_addf(&r->warnings, "%s:%d: warning: ", path, line);
	else
		strbuf_addf(&r->warnings, "%s: warning: ", path);
	va_start(ap, fmt);
	strbuf_vaddf(&r->warnings, fmt, ap);
	va_end(ap);
	strbuf_addch(&r->warnings, '\n');
}

void
audit_fix(struct audit_run *r, const struct audit_input *in,
    const char *after, size_t len, const char *why)
{
	struct audit_fixfile *x;

	ALLOC_GROW(r->fixes, r->nfix + 1, r->fix_alloc);
	x = &r->fixes[r->nfix++];
	memset(x, 0, sizeof(*x));
	x->path = xstrdup(in->path);
	x->masked = in->shown != NULL;
	x->before_len = in->shown ? in->shown_len : in->len;
	x->before = xmalloc(x->before_len + 1);
	memcpy(x->before, in->shown ? in->shown : in->buf, x->before_len);
	x->before[x->before_len] = '\0';
	if (after) {
		x->after = xmalloc(len + 1);
		memcpy(x->after, after, len);
		x->after[len] = '\0';
		x->after_len = len;
	} else {
		x->why = xstrdup(why ? why : "refused");
	}
}

void
audit_set_shown(struct audit_input *in, const char *buf, size_t len)
{
	free(in->shown);
	in->shown = xmalloc(len + 1);
	memcpy(in->shown, buf, len);
	in->shown[len] = '\0';
	in->shown_len = len;
}

/* ----------------------------------------------------------- finishing */

static int
finding_cmp(const void *pa, const void *pb)
{
	const struct audit_finding *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	c = strcmp(a->rule->id, b->rule->id);
	return c ? c : strcmp(a->msg, b->msg);
}

static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Key of a finding without its position: rule, path, squeezed text. */
static void
finding_key(const struct audit_finding *f, struct strbuf *sb)
{
	const char *s;
	int blank = 0;

	strbuf_reset(sb);
	strbuf_addf(sb, "%s%c%s%c", f->rule->id, 0, f->path, 0);
	for (s = f->text ? f->text : ""; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			blank = 1;
			continue;
		}
		if (blank && sb->len && sb->buf[sb->len - 1] != '\0')
			strbuf_addch(sb, ' ');
		blank = 0;
		strbuf_addch(sb, *s);
	}
}

static void
fingerprint(struct audit_run *r)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	size_t i, j, occ;
	uint64_t h;

	for (i = 0; i < r->nf; i++) {
		finding_key(&r->f[i], &a);
		for (occ = 0, j = 0; j < i; j++) {
			finding_key(&r->f[j], &b);
			occ += a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0;
		}
		strbuf_addf(&a, "%c%zu", 0, occ);
		h = fnv(14695981039346656037ULL, a.buf, a.len);
		snprintf(r->f[i].fp, sizeof(r->f[i].fp), "%016llx",
		    (unsigned long long)h);
	}
	strbuf_release(&a);
	strbuf_release(&b);
}

/* ---- inline suppressions ---- */

/* Does rules (comma-separated ids or names) name f's rule? */
static int
names_rule(const char *rules, size_t n, const struct audit_rule *rule)
{
	const char *p = rules, *end = rules + n, *c;
	size_t k;

	while (p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		k = c ? (size_t)(c - p) : (size_t)(end - p);
		if ((strlen(rule->id) == k && strncasecmp(rule->id, p, k) == 0) ||
		    (strlen(rule->name) == k && strncmp(rule->name, p, k) == 0))
			return 1;
		p += k + 1;
	}
	return 0;
}

/*
 * Parse a "mend: ignore RULES REASON" comment in s[0..n).  Returns 1 with
 * the rules and reason spans, 0 when there is no such comment.
 */
static int
parse_ignore(const char *s, size_t n, const char **rules, size_t *nrules,
    const char **reason, size_t *nreason)
{
	static const char tag[] = "mend: ignore";
	size_t i, j, k;

	for (i = 0; i + sizeof(tag) - 1 <= n; i++)
		if (memcmp(s + i, tag, sizeof(tag) - 1) == 0)
			break;
	if (i + sizeof(tag) - 1 > n)
		return 0;
	if (memchr(s, '#', i) == NULL && memchr(s, '%', i) == NULL)
		return 0;   /* not in a comment */
	j = i + sizeof(tag) - 1;
	if (j >= n || (s[j] != ' ' && s[j] != '\t'))
		return 0;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	for (k = j; k < n && s[k] != ' ' && s[k] != '\t'; k++)
		;
	*rules = s + j;
	*nrules = k - j;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	while (n > k && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	*reason = s + k;
	*nreason = n - k;
	return *nrules > 0;
}

/* Try the comment on physical line `line` of in for f. */
static int
try_suppress(struct audit_run *r, const struct audit_input *in, int line,
    struct audit_finding *f)
{
	const char *s, *rules, *reason;
	size_t n, nr, nreason;

	s = line_span(in->buf, in->len, line, &n);
	if (s == NULL || !parse_ignore(s, n, &rules, &nr, &reason, &nreason) ||
	    !names_rule(rules, nr, f->rule))
		return 0;
	if (nreason == 0) {
		audit_warn(r, in->path, line, "'mend: ignore %.*s' without a "
		    "reason is ignored", (int)nr, rules);
		return 0;
	}
	f->suppressed = 1;
	f->supp_reason = xstrndup(reason, nreason);
	return 1;
}

static const struct audit_input *
input_of(const struct audit_run *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->nin; i++)
		if (strcmp(r->in[i]->path, path) == 0)
			return r->in[i];
	return NULL;
}

static void
suppress(struct audit_run *r)
{
	const struct audit_input *in;
	struct audit_finding *f;
	size_t i;
	int l;

	for (i = 0; i < r->nf; i++) {
		f = &r->f[i];
		in = input_of(r, f->path);
		if (in == NULL)
			continue;
		if (f->line > 0) {
			if (!try_suppress(r, in, f->line, f) && f->line > 1)
				try_suppress(r, in, f->line - 1, f);
			continue;
		}
		for (l = 1; line_span(in->buf, in->len, l, &(size_t){0}); l++)
			if (try_suppress(r, in, l, f))
				break;
	}
}

static void
link_fixes(struct audit_run *r)
{
	size_t i, j;

	for (i = 0; i < r->nf; i++)
		for (j = 0; j < r->nfix; j++)
			if (strcmp(r->f[i].path, r->fixes[j].path) == 0)
				r->f[i].fixfile = (int)j;
}

void
audit_finish(struct audit_run *r)
{
	if (r->nf)
		qsort(r->f, r->nf, sizeof(*r->f), finding_cmp);
	fingerprint(r);
	suppress(r);
	link_fixes(r);
}

int
audit_counts(const struct audit_finding *f, enum audit_sev fail_on)
{
	return !f->suppressed && !f->baseline && f->rule->sev >= fail_on;
}

int
audit_exit_status(const struct audit_run *r, enum audit_sev fail_on)
{
	size_t i;

	if (r->nierr)
		return AUDIT_EXIT_INPUT;
	for (i = 0; i < r->nf; i++)
		if (audit_counts(&r->f[i], fail_on))
			return AUDIT_EXIT_FINDINGS;
	return AUDIT_EXIT_CLEAN;
}

/* ---- checking ---- */

void
audit_check(struct audit_run *r)
{
	struct audit_input **grp = xcalloc(r->nin + 1, sizeof(*grp));
	char *done = xcalloc(r->nin + 1, 1);
	size_t i, j, n;

	for (i = 0; i < r->nin; i++) {
		if (done[i])
			continue;
		for (n = 0, j = i; j < r->nin; j++)
			if (!done[j] && r->in[j]->product == r->in[i]->product &&
			    strcmp(r->in[j]->group, r->in[i]->group) == 0) {
				grp[n++] = r->in[j];
				done[j] = 1;
			}
		if (r->in[i]->product->check)
			r->in[i]->product->check(r, grp, n);
	}
	free(grp);
	free(done);
	audit_finish(r);
}
