/*
 * pattern.c - host patterns (`hosts:`, -l) as Ansible's InventoryManager
 * reads them: split_host_pattern(), order_patterns(), _match_one_pattern()
 * with subscripts, @file; see inventory.h.  Selections are byte maps indexed
 * by inv_host.index, so every operator is linear in the number of hosts.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/inventory/inventory.h"
#include "runner/inventory/inventory_int.h"
#include "runner/util/input.h"
#include "runner/util/banned.h"

struct subscript {
	int kind;              /* 0 none, 1 single index, 2 range */
	long start, end;       /* end -1: to the last */
};

struct matcher {
	char *expr;            /* pattern without prefix and subscript */
	int regex, glob;
	regex_t re;
	struct subscript sub;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static void
push_nonempty(struct strlist *out, char *s)
{
	if (*s != '\0')
		strlist_push(out, s);
	else
		free(s);
}

/* Colon-separated list: re.findall(r'(?:[^\s:\[\]]|\[[^\]]*\])+'). */
static void
split_colons(const char *s, struct strlist *out)
{
	while (*s != '\0') {
		const char *start = s;

		for (;;) {
			const char *close;

			if (*s != '\0' && !is_space(*s) && *s != ':' &&
			    *s != '[' && *s != ']')
				s++;
			else if (*s == '[' && (close = strchr(s, ']')) != NULL)
				s = close + 1;
			else
				break;
		}
		if (s == start)
			s++;
		else
			strlist_push(out, xstrndup(start, (size_t)(s - start)));
	}
}

/* Ansible's split_host_pattern(). */
static void
split_pattern(const char *pattern, struct strlist *out)
{
	char *whole = trimmed(pattern, strlen(pattern));
	size_t hoff, hlen;
	long port;

	if (strchr(whole, ',') != NULL) {
		const char *s = whole;

		for (;;) {
			size_t n = strcspn(s, ",");

			push_nonempty(out, trimmed(s, n));
			if (s[n] == '\0')
				break;
			s += n + 1;
		}
	} else if (inv_parse_address(whole, 1, &hoff, &hlen, &port) == 0) {
		strlist_push(out, xstrdup(whole));
	} else {
		split_colons(whole, out);
	}
	free(whole);
}

/* Push the non-empty lines of text. */
static void
push_lines(struct strlist *out, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		push_nonempty(out, trimmed(text, n));
		text += n + (text[n] == '\n');
	}
}

/* Replace every @file by the lines of file (input.h: regular files, size
 * capped). */
static int
expand_files(struct strlist *pats, const struct pos *p, struct err *e)
{
	struct strlist out = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; i < pats->n; i++) {
		struct strbuf sb = STRBUF_INIT;
		struct err fe = ERR_INIT;

		if (pats->v[i][0] != '@') {
			strlist_push(&out, pats->v[i]);
			pats->v[i] = NULL;
			continue;
		}
		if (input_read_file(pats->v[i] + 1, "host pattern file", &sb,
		    &fe) < 0)
			ret = err_setpos(e, p, "%s", err_text(&fe, ""));
		else
			push_lines(&out, sb.buf);
		err_release(&fe);
		strbuf_release(&sb);
	}
	strlist_clear(pats);
	*pats = out;
	return ret;
}

/* PATTERN_WITH_SUBSCRIPT: "(.+)[(-?N)|(N)[:-](N*)]". */
static void
split_subscript(struct matcher *m)
{
	size_t n = strlen(m->expr);
	char *open, *s, *end;

	if (m->regex || n < 4 || m->expr[n - 1] != ']' ||
	    (open = strrchr(m->expr, '[')) == NULL || open == m->expr)
		return;
	s = open + 1;
	if (!isdigit((unsigned char)s[*s == '-']))
		return;
	errno = 0;
	m->sub.start = strtol(s, &end, 10);
	if (errno != 0)
		return;
	if (*end == ']' && end[1] == '\0') {
		m->sub.kind = 1;
	} else if ((*end == ':' || *end == '-') && *s != '-') {
		s = end + 1;
		if (*s != ']' && !isdigit((unsigned char)*s))
			return;
		m->sub.end = *s == ']' ? -1 : strtol(s, &end, 10);
		if (*s == ']')
			end = s;
		if (errno != 0)
			return;
		if (*end != ']' || end[1] != '\0')
			return;
		/* Ansible: an end of 0 means a single index */
		m->sub.kind = m->sub.end == 0 ? 1 : 2;
	} else {
		return;
	}
	*open = '\0';
}

static int
matcher_init(struct matcher *m, const char *pat, const struct pos *p,
    struct err *e)
{
	char buf[256];
	int rc;

	memset(m, 0, sizeof(*m));
	m->expr = xstrdup(pat);
	m->regex = m->expr[0] == '~';
	split_subscript(m);
	m->glob = !m->regex && strpbrk(m->expr, "*?[") != NULL;
	if (m->expr[0] == '\0')
		return err_setpos(e, p, "empty host pattern in '%s'", pat);
	if (!m->regex)
		return 0;
	if ((rc = regcomp(&m->re, m->expr + 1, REG_EXTENDED)) != 0) {
		regerror(rc, &m->re, buf, sizeof(buf));
		m->regex = 0;
		return err_setpos(e, p, "invalid regular expression in host "
		    "pattern '%s': %s", pat, buf);
	}
	return 0;
}

static void
matcher_free(struct matcher *m)
{
	if (m->regex)
		regfree(&m->re);
	free(m->expr);
}

static int
matches(const struct matcher *m, const char *name)
{
	regmatch_t rm;

	if (m->regex)     /* Python's re.match: anchored at the start */
		return regexec(&m->re, name, 1, &rm, 0) == 0 && rm.rm_so == 0;
	if (m->glob)
		return fnmatch(m->expr, name, FNM_NOESCAPE) == 0;
	return strcmp(m->expr, name) == 0;
}

/* A list of host indices (inv_host.index), in order. */
struct hlist {
	size_t *v;
	size_t n, alloc;
};

static void
hl_push(struct hlist *l, size_t i)
{
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = i;
}

/* _enumerate_matches(): hosts of the groups matching m (in group creation
 * order, each in Ansible's group order), then the hosts matching m when no
 * group did, or for globs, regexes and names with a dot.  As Ansible, the
 * list may hold a host twice (a subscript counts it twice). */
static void
enumerate_matches(const struct inventory *inv, const struct matcher *m,
    struct hlist *out, size_t *ngroups)
{
	struct inv_host *h;
	size_t i;

	*ngroups = 0;
	for (i = 0; i < inv->ngroups; i++) {
		size_t n, j, *idx;

		if (!matches(m, inv->groups[i]->name))
			continue;
		idx = inv_group_host_order(inv, inv->groups[i], &n);
		for (j = 0; j < n; j++)
			hl_push(out, idx[j]);
		free(idx);
		(*ngroups)++;
	}
	if (*ngroups > 0 && !m->regex && !m->glob &&
	    strchr(m->expr, '.') == NULL)
		return;
	if (!m->regex && !m->glob) {
		if ((h = inventory_find_host(inv, m->expr)) != NULL)
			hl_push(out, h->index);
		return;
	}
	for (i = 0; i < inv->nhosts; i++)
		if (matches(m, inv->hosts[i]->name))
			hl_push(out, i);
}

/* Keep only the subscripted part of the (ordered) list. */
static int
apply_subscript(const struct subscript *sub, struct hlist *l,
    const char *pat, const struct pos *p, struct err *e)
{
	long n = (long)l->n, from, to, k = 0;

	from = sub->start < 0 ? sub->start + n : sub->start;
	to = sub->kind == 1 ? from : sub->end < 0 ? n - 1 : sub->end;
	if (n > 0 && sub->kind == 1 && (from < 0 || from >= n))
		return err_setpos(e, p, "no hosts matched the subscripted "
		    "pattern '%s' (only %zu hosts)", pat, l->n);
	for (; from <= to && from < n; from++)
		if (from >= 0)
			l->v[k++] = l->v[from];
	l->n = (size_t)k;
	return 0;
}

/* One pattern (prefix already split off) into out; a pattern that matches
 * no group and no host is added to unmatched (when not NULL). */
static int
match_one(const struct inventory *inv, const char *pat, struct hlist *out,
    struct strlist *unmatched, const struct pos *p, struct err *e)
{
	struct matcher m;
	size_t ngroups = 0;
	int ret;

	out->n = 0;
	if ((ret = matcher_init(&m, pat, p, e)) == 0) {
		enumerate_matches(inv, &m, out, &ngroups);
		if (out->n == 0 && ngroups == 0 && strcmp(pat, "all") != 0 &&
		    unmatched != NULL)
			strlist_push(unmatched, xstrdup(pat));
		if (m.sub.kind != 0)
			ret = apply_subscript(&m.sub, out, pat, p, e);
	}
	matcher_free(&m);
	return ret;
}

/* Ansible's _evaluate_patterns(): a union appends the hosts not yet in
 * sel, in the pattern's order; `&` and `!` filter sel, keeping its order. */
static void
combine(struct hlist *sel, unsigned char *in, const struct hlist *that,
    unsigned char *mark, char kind)
{
	size_t i, k = 0;

	if (kind == ' ') {
		for (i = 0; i < that->n; i++)
			if (!in[that->v[i]]) {
				in[that->v[i]] = 1;
				hl_push(sel, that->v[i]);
			}
		return;
	}
	for (i = 0; i < that->n; i++)
		mark[that->v[i]] = 1;
	for (i = 0; i < sel->n; i++) {
		int keep = kind == '&' ? mark[sel->v[i]] : !mark[sel->v[i]];

		if (keep)
			sel->v[k++] = sel->v[i];
		else
			in[sel->v[i]] = 0;
	}
	sel->n = k;
	for (i = 0; i < that->n; i++)
		mark[that->v[i]] = 0;
}

struct selection {
	struct hlist sel, tmp;
	unsigned char *in, *mark;
	struct strlist *unmatched;
};

/* Apply pats of one kind (' ' union, '&', '!') to the selection. */
static int
apply_kind(const struct inventory *inv, const struct strlist *pats,
    char kind, struct selection *s, const struct pos *p, struct err *e)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < pats->n; i++) {
		const char *pat = pats->v[i];
		char k = (*pat == '&' || *pat == '!') ? *pat : ' ';
		struct inv_host *h;

		if (k != kind)
			continue;
		if (k != ' ' && pat[1] == '\0') {
			ret = err_setpos(e, p, "empty host pattern in '%s'", pat);
			continue;
		}
		s->tmp.n = 0;
		if (k == ' ' && (h = inventory_find_host(inv, pat)) != NULL)
			hl_push(&s->tmp, h->index);    /* a plain host name */
		else if (match_one(inv, pat + (k != ' '), &s->tmp,
		    s->unmatched, p, e) < 0) {
			ret = -1;
			continue;
		}
		combine(&s->sel, s->in, &s->tmp, s->mark, k);
	}
	return ret;
}

int
inventory_select_ex(const struct inventory *inv, const char *pattern,
    const struct pos *p, struct inv_host ***out, size_t *nout,
    char ***unmatched, struct err *e)
{
	struct strlist pats = { 0 }, um = { 0 };
	struct selection s;
	size_t i, regular = 0;
	int ret = -1;

	*out = NULL;
	*nout = 0;
	memset(&s, 0, sizeof(s));
	s.unmatched = &um;
	split_pattern(pattern ? pattern : "", &pats);
	if (expand_files(&pats, p, e) < 0)
		goto out;
	if (pats.n == 0) {
		err_setpos(e, p, "empty host pattern");
		goto out;
	}
	for (i = 0; i < pats.n; i++)
		regular += pats.v[i][0] != '&' && pats.v[i][0] != '!';
	if (regular == 0)     /* only & and !: they apply to all */
		strlist_push(&pats, xstrdup("all"));
	s.in = xcalloc(inv->nhosts + 1, 1);
	s.mark = xcalloc(inv->nhosts + 1, 1);
	ret = apply_kind(inv, &pats, ' ', &s, p, e);
	ret |= apply_kind(inv, &pats, '&', &s, p, e);
	ret |= apply_kind(inv, &pats, '!', &s, p, e);
	if (ret == 0) {
		*out = xmalloc((s.sel.n + 1) * sizeof(**out));
		for (i = 0; i < s.sel.n; i++)
			(*out)[i] = inv->hosts[s.sel.v[i]];
		*nout = s.sel.n;
	}
out:
	if (unmatched != NULL) {
		strlist_push(&um, NULL);
		*unmatched = um.v;
	} else {
		strlist_clear(&um);
	}
	free(s.sel.v);
	free(s.tmp.v);
	free(s.in);
	free(s.mark);
	strlist_clear(&pats);
	return ret;
}

int
inventory_select(const struct inventory *inv, const char *pattern,
    const struct pos *p, struct inv_host ***out, size_t *nout, struct err *e)
{
	return inventory_select_ex(inv, pattern, p, out, nout, NULL, e);
}
