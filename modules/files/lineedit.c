/* lineedit.c - lineinfile semantics on a byte buffer; see lineedit.h. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/lineedit.h"
#include "runner/util/banned.h"

#define LE_MAXGROUP 99

/* ---- Python-style regexp -> POSIX ERE ---- */

struct tr {
	const char *py, *p;
	struct strbuf *ere, *err;
	int *map;
	size_t nmap;
	int pygroups, groups;
};

static int
tr_fail(struct tr *t, const char *what)
{
	strbuf_addf(t->err, "%s in regexp '%s' (mend uses POSIX extended "
	    "regular expressions)", what, t->py);
	return -1;
}

/* A backslash escape outside brackets; t->p points after the backslash. */
static int
tr_escape(struct tr *t)
{
	static const char lit[] = "<>'`";
	char c = *t->p++;

	switch (c) {
	case '\0': t->p--; return tr_fail(t, "trailing backslash");
	case 'd': strbuf_addstr(t->ere, "[0-9]"); break;
	case 'D': strbuf_addstr(t->ere, "[^0-9]"); break;
	case 't': strbuf_addch(t->ere, '\t'); break;
	case 'n': strbuf_addch(t->ere, '\n'); break;
	case 'r': strbuf_addch(t->ere, '\r'); break;
	case 'f': strbuf_addch(t->ere, '\f'); break;
	case 'v': strbuf_addch(t->ere, '\v'); break;
	case 'A': strbuf_addch(t->ere, '^'); break;
	case 'Z': strbuf_addch(t->ere, '$'); break;
	default:
		if (strchr(lit, c) != NULL) {
			strbuf_addch(t->ere, c);    /* GNU anchors; literal in re */
			break;
		}
		strbuf_addch(t->ere, '\\');
		strbuf_addch(t->ere, c);
	}
	return 0;
}

struct bracket {
	struct strbuf items;
	int rbracket, dash, caret;
};

/* One escape inside [...]; t->p points after the backslash. */
static int
tr_bracket_escape(struct tr *t, struct bracket *b)
{
	char c = *t->p++;

	switch (c) {
	case '\0': t->p--; return tr_fail(t, "unterminated [");
	case 'd': strbuf_addstr(&b->items, "0-9"); break;
	case 's': strbuf_addstr(&b->items, "[:space:]"); break;
	case 'w': strbuf_addstr(&b->items, "[:alnum:]_"); break;
	case 't': strbuf_addch(&b->items, '\t'); break;
	case 'n': strbuf_addch(&b->items, '\n'); break;
	case 'r': strbuf_addch(&b->items, '\r'); break;
	case 'f': strbuf_addch(&b->items, '\f'); break;
	case 'v': strbuf_addch(&b->items, '\v'); break;
	case ']': b->rbracket = 1; break;
	case '-': b->dash = 1; break;
	case '^': b->caret = 1; break;
	case 'D': case 'S': case 'W':
		return tr_fail(t, "unsupported '\\D', '\\S' or '\\W' inside []");
	default: strbuf_addch(&b->items, c);
	}
	return 0;
}

static void
tr_bracket_emit(struct tr *t, const struct bracket *b, int neg)
{
	if (!neg && !b->rbracket && b->items.len == 0 && b->caret &&
	    !b->dash) {
		strbuf_addstr(t->ere, "\\^");   /* [\^] alone */
		return;
	}
	strbuf_addstr(t->ere, neg ? "[^" : "[");
	if (b->rbracket)
		strbuf_addch(t->ere, ']');
	if (b->dash && b->items.len == 0 && !b->rbracket)
		strbuf_addch(t->ere, '-');      /* [-^] */
	strbuf_addbuf(t->ere, &b->items);
	if (b->caret)
		strbuf_addch(t->ere, '^');
	if (b->dash && (b->items.len != 0 || b->rbracket))
		strbuf_addch(t->ere, '-');
	strbuf_addch(t->ere, ']');
}

/* End (after ":]") of a "[:class:]", "[.x.]" or "[=x=]" at p, or NULL. */
static const char *
class_end(const char *p)
{
	char close[3] = { p[1], ']', '\0' };
	const char *e = strstr(p + 2, close);

	return e != NULL ? e + 2 : NULL;
}

/* A bracket expression; t->p points after the '['. */
static int
tr_bracket(struct tr *t)
{
	struct bracket b = { STRBUF_INIT, 0, 0, 0 };
	int neg = 0, ret = 0;
	const char *end;

	if (*t->p == '^')
		neg = 1, t->p++;
	if (*t->p == ']')
		b.rbracket = 1, t->p++;
	while (ret == 0 && *t->p != ']') {
		if (*t->p == '\0') {
			ret = tr_fail(t, "unterminated [");
		} else if (*t->p == '\\') {
			t->p++;
			ret = tr_bracket_escape(t, &b);
		} else if (t->p[0] == '[' && t->p[1] != '\0' &&
		    strchr(":.=", t->p[1]) != NULL &&
		    (end = class_end(t->p)) != NULL) {
			strbuf_add(&b.items, t->p, (size_t)(end - t->p));
			t->p = end;            /* [:alpha:] and friends */
		} else {
			strbuf_addch(&b.items, *t->p++);
		}
	}
	if (ret == 0) {
		t->p++;
		tr_bracket_emit(t, &b, neg);
	}
	strbuf_release(&b.items);
	return ret;
}

/* '(' outside brackets; t->p points after it. */
static int
tr_group(struct tr *t)
{
	if (*t->p == '?') {
		if (t->p[1] != ':')
			return tr_fail(t, "unsupported '(?' construct");
		t->p += 2;
		t->groups++;                     /* non-capturing in Python */
	} else {
		t->groups++;
		t->pygroups++;
		if ((size_t)t->pygroups < t->nmap)
			t->map[t->pygroups] = t->groups;
	}
	strbuf_addch(t->ere, '(');
	return 0;
}

int
lineedit_regex_translate(const char *py, struct strbuf *ere, int *map,
    size_t nmap, int *icase, struct strbuf *err)
{
	struct tr t = { py, py, ere, err, map, nmap, 0, 0 };
	size_t i;
	int ret = 0;

	for (i = 0; i < nmap; i++)
		map[i] = -1;
	*icase = 0;
	if (strncmp(t.p, "(?i)", 4) == 0) {
		*icase = 1;
		t.p += 4;
	}
	while (ret == 0 && *t.p != '\0') {
		char c = *t.p++;

		if (c == '\\')
			ret = tr_escape(&t);
		else if (c == '[')
			ret = tr_bracket(&t);
		else if (c == '(')
			ret = tr_group(&t);
		else
			strbuf_addch(ere, c);
	}
	return ret;
}

/* ---- compiled regexps ---- */

struct rx {
	regex_t re;
	int map[LE_MAXGROUP + 1];
	int compiled;
};

static int
rx_compile(struct rx *r, const char *py, struct strbuf *err)
{
	struct strbuf ere = STRBUF_INIT;
	int icase, rc;
	char buf[256];

	if (lineedit_regex_translate(py, &ere, r->map, ARRAY_SIZE(r->map),
	    &icase, err) != 0) {
		strbuf_release(&ere);
		return -1;
	}
	rc = regcomp(&r->re, ere.buf, REG_EXTENDED | (icase ? REG_ICASE : 0));
	strbuf_release(&ere);
	if (rc != 0) {
		regerror(rc, &r->re, buf, sizeof(buf));
		strbuf_addf(err, "invalid regexp '%s': %s", py, buf);
		return -1;
	}
	r->compiled = 1;
	return 0;
}

static void
rx_free(struct rx *r)
{
	if (r->compiled)
		regfree(&r->re);
	r->compiled = 0;
}

/* Search s[0, len) (may hold NULs); fills m[0, nm) when nm > 0. */
static int
rx_search(const struct rx *r, const char *s, size_t len, regmatch_t *m,
    size_t nm)
{
	regmatch_t whole[1];

	if (nm == 0) {
		m = whole;
		nm = 1;
	}
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(&r->re, s, nm, m, REG_STARTEND) == 0;
}

/* ---- lines ---- */

struct le_line {
	const char *p;       /* content, without trailing CR/LF */
	size_t len;
	const char *eol;     /* the trailing CR/LF bytes ("" for none) */
	size_t eollen;
};

struct le_file {
	struct le_line *l;
	size_t n, alloc;
	const char *eol;     /* dominant ending: "\n" or "\r\n" */
};

static void
le_split(struct le_file *f, const char *buf, size_t len)
{
	size_t i = 0, crlf = 0, lf = 0;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;
		struct le_line *l;

		ALLOC_GROW(f->l, f->n + 1, f->alloc);
		l = &f->l[f->n++];
		l->p = buf + i;
		l->len = ll;
		while (l->len > 0 && (l->p[l->len - 1] == '\n' ||
		    l->p[l->len - 1] == '\r'))
			l->len--;
		l->eol = l->p + l->len;
		l->eollen = ll - l->len;
		if (l->eollen >= 2 && l->eol[l->eollen - 2] == '\r' && nl)
			crlf++;
		else if (nl)
			lf++;
		i += ll;
	}
	f->eol = crlf > lf ? "\r\n" : "\n";
}

static void
le_join(const struct le_file *f, struct strbuf *out)
{
	size_t i;

	strbuf_reset(out);
	for (i = 0; i < f->n; i++) {
		strbuf_add(out, f->l[i].p, f->l[i].len);
		strbuf_add(out, f->l[i].eol, f->l[i].eollen);
	}
}

static void
le_insert(struct le_file *f, size_t at, const char *p, size_t len)
{
	ALLOC_GROW(f->l, f->n + 1, f->alloc);
	memmove(f->l + at + 1, f->l + at, (f->n - at) * sizeof(*f->l));
	f->l[at].p = p;
	f->l[at].len = len;
	f->l[at].eol = f->eol;
	f->l[at].eollen = strlen(f->eol);
	f->n++;
}

/* End the last line with '\n' if it has none (before appending): "b" gets
 * the dominant ending, "b\r" gets "\r\n". */
static void
le_terminate_last(struct le_file *f)
{
	struct le_line *l = f->n > 0 ? &f->l[f->n - 1] : NULL;

	if (l == NULL || (l->eollen > 0 && l->eol[l->eollen - 1] == '\n'))
		return;
	if (l->eollen == 1 && l->eol[0] == '\r') {
		l->eol = "\r\n";
		l->eollen = 2;
	} else if (l->eollen == 0) {
		l->eol = f->eol;
		l->eollen = strlen(f->eol);
	}
}

static int
le_equals(const struct le_line *l, const char *s)
{
	return l->len == strlen(s) && memcmp(l->p, s, l->len) == 0;
}

static int
le_contains(const struct le_line *l, const char *s)
{
	return memmem(l->p, l->len, s, strlen(s)) != NULL;
}

/* ---- the edit ---- */

struct le_ctx {
	const struct lineedit *o;
	struct le_file f;
	struct rx re, ins;
	char *newtext;       /* expanded backrefs, owned */
	struct lineedit_res *res;
	struct strbuf *err;
};

static int
is_set(const char *s)
{
	return s != NULL && *s != '\0';   /* Python truthiness */
}

/* Append group g of line l (Python numbering) to sb. */
static int
expand_group(struct le_ctx *c, const struct le_line *l, const regmatch_t *m,
    long g, struct strbuf *sb)
{
	int eg = g >= 0 && g <= LE_MAXGROUP ? c->re.map[g] : -1;

	if (g == 0)
		eg = 0;
	if (eg < 0 || (size_t)eg > c->re.re.re_nsub) {
		strbuf_addf(c->err, "invalid group reference %ld in line '%s'",
		    g, c->o->line);
		return -1;
	}
	if (m[eg].rm_so >= 0)
		strbuf_add(sb, l->p + m[eg].rm_so,
		    (size_t)(m[eg].rm_eo - m[eg].rm_so));
	return 0;
}

/* Parse "\N", "\NN" or "\g<N>" at *pp (after the backslash); -1 if not. */
static long
group_ref(const char **pp)
{
	const char *p = *pp;
	char *end;
	long g;

	if (p[0] >= '1' && p[0] <= '9') {
		g = p[0] - '0';
		if (p[1] >= '0' && p[1] <= '9')
			g = g * 10 + (p[1] - '0'), p++;
		*pp = p + 1;
		return g;
	}
	if (p[0] == 'g' && p[1] == '<' && p[2] >= '0' && p[2] <= '9') {
		g = strtol(p + 2, &end, 10);
		if (*end == '>') {
			*pp = end + 1;
			return g;
		}
	}
	return -1;
}

static void
template_escape(struct strbuf *sb, const char **pp)
{
	static const char from[] = "ntrfva\\", to[] = "\n\t\r\f\v\a\\";
	const char *hit = **pp ? strchr(from, **pp) : NULL;

	if (hit != NULL) {
		strbuf_addch(sb, to[hit - from]);
		(*pp)++;
	} else {
		strbuf_addch(sb, '\\');       /* kept as is */
	}
}

/* Python's match.expand(line) on line l. */
static int
expand_backrefs(struct le_ctx *c, const struct le_line *l)
{
	regmatch_t m[LE_MAXGROUP + 1];
	struct strbuf sb = STRBUF_INIT;
	const char *p = c->o->line;
	size_t nm = c->re.re.re_nsub + 1;
	long g;

	if (nm > ARRAY_SIZE(m))
		nm = ARRAY_SIZE(m);
	rx_search(&c->re, l->p, l->len, m, nm);
	while (*p != '\0') {
		if (*p != '\\') {
			strbuf_addch(&sb, *p++);
			continue;
		}
		p++;
		if ((g = group_ref(&p)) >= 0) {
			if (expand_group(c, l, m, g, &sb) != 0) {
				strbuf_release(&sb);
				return -1;
			}
		} else {
			template_escape(&sb, &p);
		}
	}
	c->newtext = strbuf_detach(&sb, NULL);
	return 0;
}

static void
set_msg(struct le_ctx *c, const char *msg)
{
	snprintf(c->res->msg, sizeof(c->res->msg), "%s", msg);
}

/* Step 1/2: last (or first) line matching regexp or search_string. */
static long
find_match(struct le_ctx *c)
{
	long idx = -1;
	size_t i;

	for (i = 0; i < c->f.n; i++) {
		const struct le_line *l = &c->f.l[i];
		int hit = c->o->regexp != NULL ?
		    rx_search(&c->re, l->p, l->len, NULL, 0) :
		    c->o->search_string != NULL &&
		    le_contains(l, c->o->search_string);

		if (hit) {
			idx = (long)i;
			if (c->o->firstmatch)
				break;
		}
	}
	return idx;
}

/* Step 3: a line equal to `line` (idx0), or the insertion point (idx1). */
static void
find_insert(struct le_ctx *c, long *idx0, long *idx1)
{
	const struct lineedit *o = c->o;
	size_t i;

	for (i = 0; i < c->f.n; i++) {
		const struct le_line *l = &c->f.l[i];

		if (le_equals(l, o->line)) {
			*idx0 = (long)i;
		} else if (c->ins.compiled &&
		    rx_search(&c->ins, l->p, l->len, NULL, 0)) {
			if (is_set(o->insertafter)) {
				*idx1 = (long)i + 1;
				if (o->firstmatch)
					break;
			}
			if (is_set(o->insertbefore)) {
				*idx1 = (long)i;
				if (o->firstmatch)
					break;
			}
		}
	}
}

static int
do_replace(struct le_ctx *c, long idx, int matched)
{
	struct le_line *l = &c->f.l[idx];
	const char *text = c->o->line;

	if (c->o->backrefs && matched) {
		if (expand_backrefs(c, l) != 0)
			return -1;
		text = c->newtext;
	}
	if (l->len == strlen(text) && memcmp(l->p, text, l->len) == 0 &&
	    l->eollen > 0)
		return 0;
	l->p = text;
	l->len = strlen(text);
	if (l->eollen == 0) {
		l->eol = c->f.eol;
		l->eollen = strlen(c->f.eol);
	}
	set_msg(c, "line replaced");
	return 0;
}

static void
add_line(struct le_ctx *c, size_t at)
{
	if (at == c->f.n)
		le_terminate_last(&c->f);
	le_insert(&c->f, at, c->o->line, strlen(c->o->line));
	set_msg(c, "line added");
}

static int
le_present(struct le_ctx *c)
{
	const struct lineedit *o = c->o;
	long idx0 = -1, idx1 = -1;
	int matched;

	idx0 = find_match(c);
	matched = idx0 >= 0;
	if (!matched)
		find_insert(c, &idx0, &idx1);
	if (idx0 >= 0)
		return do_replace(c, idx0, matched);
	if (o->backrefs)
		return 0;
	if ((o->insertbefore && strcmp(o->insertbefore, "BOF") == 0) ||
	    (o->insertafter && strcmp(o->insertafter, "BOF") == 0))
		add_line(c, 0);
	else if ((o->insertafter && strcmp(o->insertafter, "EOF") == 0) ||
	    idx1 == -1)
		add_line(c, c->f.n);
	else if (is_set(o->insertafter) && (size_t)idx1 == c->f.n) {
		if (!le_equals(&c->f.l[idx1 - 1], o->line))
			add_line(c, c->f.n);
	} else if (is_set(o->insertafter)) {
		if (!le_equals(&c->f.l[idx1], o->line))
			add_line(c, (size_t)idx1);
	} else {
		add_line(c, (size_t)idx1);
	}
	return 0;
}

static int
le_absent(struct le_ctx *c)
{
	const struct lineedit *o = c->o;
	size_t i, keep = 0;

	for (i = 0; i < c->f.n; i++) {
		const struct le_line *l = &c->f.l[i];
		int hit;

		if (o->regexp != NULL)
			hit = rx_search(&c->re, l->p, l->len, NULL, 0);
		else if (o->search_string != NULL)
			hit = le_contains(l, o->search_string);
		else
			hit = le_equals(l, o->line);
		if (hit)
			c->res->found++;
		else
			c->f.l[keep++] = *l;
	}
	c->f.n = keep;
	if (c->res->found > 0)
		snprintf(c->res->msg, sizeof(c->res->msg), "%d line(s) removed",
		    c->res->found);
	return 0;
}

static int
check_opts(const struct lineedit *o, struct strbuf *err)
{
	const char *why = NULL;

	if (o->insertafter != NULL && o->insertbefore != NULL)
		why = "parameters are mutually exclusive: insertbefore|insertafter";
	else if (o->regexp != NULL && o->search_string != NULL)
		why = "parameters are mutually exclusive: regexp|search_string";
	else if (o->backrefs && o->search_string != NULL)
		why = "parameters are mutually exclusive: backrefs|search_string";
	else if (!o->absent && o->backrefs && o->regexp == NULL)
		why = "regexp is required with backrefs=true";
	else if (!o->absent && o->line == NULL)
		why = "line is required with state=present";
	else if (o->absent && o->regexp == NULL && o->search_string == NULL &&
	    o->line == NULL)
		why = "one of line, search_string, or regexp is required with "
		    "state=absent";
	if (why != NULL)
		strbuf_addstr(err, why);
	return why != NULL ? -1 : 0;
}

static int
compile_all(struct le_ctx *c)
{
	const struct lineedit *o = c->o;
	const char *ins = NULL;

	if (o->regexp != NULL && rx_compile(&c->re, o->regexp, c->err) != 0)
		return -1;
	if (o->absent)
		return 0;
	if (o->insertafter != NULL && strcmp(o->insertafter, "BOF") != 0 &&
	    strcmp(o->insertafter, "EOF") != 0)
		ins = o->insertafter;
	else if (o->insertbefore != NULL && strcmp(o->insertbefore, "BOF") != 0)
		ins = o->insertbefore;
	if (ins != NULL && rx_compile(&c->ins, ins, c->err) != 0)
		return -1;
	return 0;
}

int
lineedit_apply(const struct lineedit *o, const char *in, size_t inlen,
    struct strbuf *out, struct lineedit_res *res, struct strbuf *err)
{
	struct le_ctx c;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.o = o;
	c.res = res;
	c.err = err;
	strbuf_reset(out);
	if (check_opts(o, err) != 0 || compile_all(&c) != 0)
		goto out;
	le_split(&c.f, in, inlen);
	if ((o->absent ? le_absent(&c) : le_present(&c)) != 0)
		goto out;
	le_join(&c.f, out);
	res->changed = out->len != inlen ||
	    (inlen > 0 && memcmp(out->buf, in, inlen) != 0);
	if (!res->changed)
		res->msg[0] = '\0';
	ret = 0;
out:
	rx_free(&c.re);
	rx_free(&c.ins);
	free(c.newtext);
	free(c.f.l);
	return ret;
}
