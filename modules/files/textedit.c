/* textedit.c - replace and blockinfile edits on a byte buffer; see
 * textedit.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/textedit.h"
#include "runner/util/pyre.h"
#include "runner/util/banned.h"

static int
is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* ---- replace ---- */

/* The section pattern of Ansible's replace, or "" (the whole text). */
static void
section_pattern(const struct replace_edit *e, struct strbuf *p)
{
	if (is_set(e->after) && is_set(e->before))
		strbuf_addf(p, "%s(?P<subsection>.*?)%s", e->after, e->before);
	else if (is_set(e->after))
		strbuf_addf(p, "%s(?P<subsection>.*)", e->after);
	else if (is_set(e->before))
		strbuf_addf(p, "(?P<subsection>.*)%s", e->before);
}

/* [*so, *eo) of the section; 1 found, 0 not (msg set), -1 error. */
static int
find_section(const char *pat, const char *in, size_t inlen, size_t *so,
    size_t *eo, struct textedit_res *res, struct strbuf *err)
{
	struct pyre *r = pyre_compile(pat, PYRE_S, err);
	size_t mso, meo;
	int rc;

	if (r == NULL)
		return -1;
	rc = pyre_search(r, in, inlen, 0, &mso, &meo, err);
	if (rc == 1 && !pyre_group(r, "subsection", so, eo))
		rc = 0;
	if (rc == 0)
		snprintf(res->msg, sizeof(res->msg), "Pattern for before/after "
		    "params did not match the given file: %s", pat);
	pyre_free(r);
	return rc;
}

int
replace_apply(const struct replace_edit *e, const char *in, size_t inlen,
    struct strbuf *out, struct textedit_res *res, struct strbuf *err)
{
	struct strbuf pat = STRBUF_INIT, sect = STRBUF_INIT;
	size_t so = 0, eo = inlen;
	struct pyre *r = NULL;
	int rc = 1;

	memset(res, 0, sizeof(*res));
	strbuf_reset(out);
	section_pattern(e, &pat);
	if (pat.len > 0)
		rc = find_section(pat.buf, in, inlen, &so, &eo, res, err);
	if (rc == 1 && (r = pyre_compile(e->regexp, PYRE_M, err)) == NULL)
		rc = -1;
	if (rc == 1)
		res->count = pyre_subn(r, e->replace ? e->replace : "",
		    in + so, eo - so, 0, &sect, err);
	if (rc == 1 && res->count < 0)
		rc = -1;
	if (rc == 1 && res->count > 0 && (sect.len != eo - so ||
	    memcmp(sect.buf, in + so, sect.len) != 0)) {
		res->changed = 1;
		snprintf(res->msg, sizeof(res->msg), "%ld replacements made",
		    res->count);
	}
	strbuf_add(out, in, so);
	strbuf_add(out, res->changed ? sect.buf : in + so,
	    res->changed ? sect.len : eo - so);
	strbuf_add(out, in + eo, inlen - eo);
	pyre_free(r);
	strbuf_release(&pat);
	strbuf_release(&sect);
	return rc < 0 ? -1 : 0;
}

/* ---- blockinfile ---- */

struct span {
	const char *p;
	size_t len;
};

/* Python's bytes.splitlines(True). */
static size_t
split_lines(const char *s, size_t len, struct span **out)
{
	size_t n = 0, alloc = 16, i = 0, start;
	struct span *v = malloc(alloc * sizeof(*v));

	while (v != NULL && i < len) {
		start = i;
		while (i < len && s[i] != '\n' && s[i] != '\r')
			i++;
		if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
			i++;
		if (i < len)
			i++;
		if (n == alloc)
			v = realloc(v, (alloc *= 2) * sizeof(*v));
		if (v != NULL)
			v[n++] = (struct span){ s + start, i - start };
	}
	if (v == NULL)
		abort();
	*out = v;
	return n;
}

/* marker with {mark} replaced by mark (as re.sub), plus "\n". */
static int
make_marker(const char *marker, const char *mark, struct strbuf *out,
    struct strbuf *err)
{
	struct pyre *r = pyre_compile("\\{mark\\}", 0, err);
	long n;

	if (r == NULL)
		return -1;
	n = pyre_subn(r, mark, marker, strlen(marker), 0, out, err);
	pyre_free(r);
	strbuf_addch(out, '\n');
	return n < 0 ? -1 : 0;
}

static int
span_is(const struct span *l, const struct strbuf *s)
{
	return l->len == s->len && memcmp(l->p, s->buf, s->len) == 0;
}

struct blk {
	const struct block_edit *e;
	const char *in;
	size_t inlen;
	struct span *l;
	size_t n;
	struct strbuf m0, m1;
	struct strbuf *err;
};

/* Index of the last line where re searches true, or -1. */
static long
last_line_match(struct blk *b, struct pyre *r)
{
	size_t i, so, eo;
	long hit = -1;
	int rc;

	for (i = 0; i < b->n; i++) {
		rc = pyre_search(r, b->l[i].p, b->l[i].len, 0, &so, &eo,
		    b->err);
		if (rc < 0)
			return -2;
		if (rc == 1)
			hit = (long)i;
	}
	return hit;
}

/* Number of '\n' in in[0, end). */
static long
count_nl(const char *in, size_t end)
{
	long n = 0;
	size_t i;

	for (i = 0; i < end; i++)
		n += in[i] == '\n';
	return n;
}

/* Where the block goes when the markers are not both there; -1 error. */
static long
insert_at(struct blk *b)
{
	const char *ia = b->e->insertafter, *ib = b->e->insertbefore;
	const char *pat = ia != NULL && strcmp(ia, "EOF") != 0 ? ia :
	    ib != NULL && strcmp(ib, "BOF") != 0 ? ib : NULL;
	struct pyre *r;
	size_t so, eo;
	long n0 = -1;
	int rc;

	if (pat == NULL)
		return ia == NULL && ib != NULL ? 0 : (long)b->n;
	if ((r = pyre_compile(pat, 0, b->err)) == NULL)
		return -1;
	if (pyre_inline_multiline(pat)) {
		rc = b->in == NULL ? 0 : pyre_search(r, b->in, b->inlen, 0,
		    &so, &eo, b->err);
		if (rc == 1)
			n0 = count_nl(b->in, pat == ia ? eo : so);
		n0 = rc < 0 ? -2 : n0;
	} else {
		n0 = last_line_match(b, r);
	}
	pyre_free(r);
	if (n0 == -2)
		return -1;
	if (n0 < 0)
		return (long)b->n;
	return pat == ia ? n0 + 1 : n0;
}

/* Find the markers, drop the old block; the index for the new one. */
static long
place_block(struct blk *b)
{
	long n0 = -1, n1 = -1, lo, hi;
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (span_is(&b->l[i], &b->m0))
			n0 = (long)i;
		if (span_is(&b->l[i], &b->m1))
			n1 = (long)i;
	}
	if (n0 < 0 || n1 < 0)
		return insert_at(b);
	lo = n0 < n1 ? n0 : n1;
	hi = n0 < n1 ? n1 : n0;
	memmove(&b->l[lo], &b->l[hi + 1], (b->n - (size_t)hi - 1) *
	    sizeof(*b->l));
	b->n -= (size_t)(hi - lo + 1);
	return lo;
}

static void
emit(struct blk *b, long at, struct strbuf *out)
{
	const char *block = b->e->block ? b->e->block : "";
	size_t i, blen = strlen(block);
	int present = !b->e->absent && blen > 0;

	for (i = 0; i < (size_t)at; i++)
		strbuf_add(out, b->l[i].p, b->l[i].len);
	if (at > 0 && b->l[at - 1].p[b->l[at - 1].len - 1] != '\n')
		strbuf_addch(out, '\n');
	if (present) {
		strbuf_addbuf(out, &b->m0);
		strbuf_add(out, block, blen);
		if (block[blen - 1] != '\n')
			strbuf_addch(out, '\n');
		strbuf_addbuf(out, &b->m1);
	}
	for (i = (size_t)at; i < b->n; i++)
		strbuf_add(out, b->l[i].p, b->l[i].len);
}

static void
block_msg(const struct blk *b, const struct strbuf *out,
    struct textedit_res *res)
{
	const char *msg = "";

	if (b->in != NULL && out->len == b->inlen &&
	    memcmp(out->buf, b->in, out->len) == 0)
		msg = "";
	else if (b->in == NULL)
		msg = "File created";
	else if (b->e->absent || b->e->block == NULL || !*b->e->block)
		msg = "Block removed";
	else
		msg = "Block inserted";
	res->changed = *msg != '\0';
	snprintf(res->msg, sizeof(res->msg), "%s", msg);
}

int
block_apply(const struct block_edit *e, const char *in, size_t inlen,
    struct strbuf *out, struct textedit_res *res, struct strbuf *err)
{
	struct blk b = { e, in, in ? inlen : 0, NULL, 0, STRBUF_INIT,
	    STRBUF_INIT, err };
	long at = -1;

	memset(res, 0, sizeof(*res));
	strbuf_reset(out);
	if (e->insertafter != NULL && e->insertbefore != NULL) {
		strbuf_addstr(err, "parameters are mutually exclusive: "
		    "insertbefore|insertafter");
		return -1;
	}
	b.n = split_lines(in ? in : "", b.inlen, &b.l);
	if (make_marker(e->marker ? e->marker : "# {mark} ANSIBLE MANAGED "
	    "BLOCK", e->marker_begin ? e->marker_begin : "BEGIN", &b.m0,
	    err) == 0 && make_marker(e->marker ? e->marker : "# {mark} "
	    "ANSIBLE MANAGED BLOCK", e->marker_end ? e->marker_end : "END",
	    &b.m1, err) == 0)
		at = place_block(&b);
	if (at >= 0) {
		emit(&b, at, out);
		block_msg(&b, out, res);
	}
	free(b.l);
	strbuf_release(&b.m0);
	strbuf_release(&b.m1);
	return at < 0 ? -1 : 0;
}
