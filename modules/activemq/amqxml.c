/*
 * amqxml.c - byte-preserving XML tokenizer for activemq.xml (amqxml.h).
 */
#include <stdlib.h>
#include <string.h>

#include "modules/activemq/amqxml.h"
#include "runner/util/banned.h"

#define MAX_DEPTH 256

struct lex {
	struct ax_doc *d;
	size_t lc_off, lc_bol;       /* position cache: offsets only grow */
	int lc_line;
	struct err *e;
	size_t p;                    /* current offset */
	long open[MAX_DEPTH];        /* open START tokens */
	int depth;
};

/* ------------------------------------------------------------------ */
/* Positions and errors                                                */

void
ax_pos(const struct ax_doc *d, size_t off, int *line, int *col)
{
	size_t i, bol = 0;
	int l = 1;

	for (i = 0; i < off && i < d->len; i++)
		if (d->buf[i] == '\n') {
			l++;
			bol = i + 1;
		}
	*line = l;
	*col = (int)(off - bol) + 1;
}

/* ax_pos() from the last position asked (offsets mostly grow). */
static void
lex_pos(struct lex *x, size_t off, int *line, int *col)
{
	const char *b = x->d->buf;
	size_t i;

	if (x->lc_line == 0)
		x->lc_line = 1;
	for (i = x->lc_off; i > off; i--)
		if (b[i - 1] == '\n')
			x->lc_line--;
	for (i = x->lc_off; i < off && i < x->d->len; i++)
		if (b[i] == '\n')
			x->lc_line++;
	x->lc_off = off;
	for (x->lc_bol = off; x->lc_bol > 0 && b[x->lc_bol - 1] != '\n';)
		x->lc_bol--;
	*line = x->lc_line;
	*col = (int)(off - x->lc_bol) + 1;
}

static int
lerr(struct lex *x, size_t off, const char *fmt, const char *arg)
{
	struct pos p;

	p.file = x->d->file;
	ax_pos(x->d, off, &p.line, &p.col);
	return err_setpos(x->e, &p, fmt, arg ? arg : "");
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
name_start(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	    c == ':' || (unsigned char)c >= 0x80;
}

static int
name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static int
at(const struct lex *x, const char *s)
{
	size_t n = strlen(s);

	return x->p + n <= x->d->len && memcmp(x->d->buf + x->p, s, n) == 0;
}

static const char *
find(const struct lex *x, size_t from, const char *s)
{
	const char *b = x->d->buf + from;

	if (from > x->d->len)
		return NULL;
	return memmem(b, x->d->len - from, s, strlen(s));
}

static struct ax_tok *
push_tok(struct lex *x, enum ax_kind k, size_t off, size_t len)
{
	struct ax_doc *d = x->d;
	struct ax_tok *t;

	ALLOC_GROW(d->toks, d->ntoks + 1, d->atoks);
	t = &d->toks[d->ntoks++];
	memset(t, 0, sizeof(*t));
	t->kind = k;
	t->off = off;
	t->len = len;
	lex_pos(x, off, &t->line, &t->col);
	t->parent = x->depth ? x->open[x->depth - 1] : -1;
	t->close = -1;
	t->depth = x->depth;
	return t;
}

/* ------------------------------------------------------------------ */
/* Entities                                                            */

static void
add_utf8(struct strbuf *o, unsigned long c)
{
	if (c < 0x80) {
		strbuf_addch(o, (int)c);
	} else if (c < 0x800) {
		strbuf_addch(o, (int)(0xC0 | (c >> 6)));
		strbuf_addch(o, (int)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		strbuf_addch(o, (int)(0xE0 | (c >> 12)));
		strbuf_addch(o, (int)(0x80 | ((c >> 6) & 0x3F)));
		strbuf_addch(o, (int)(0x80 | (c & 0x3F)));
	} else {
		strbuf_addch(o, (int)(0xF0 | (c >> 18)));
		strbuf_addch(o, (int)(0x80 | ((c >> 12) & 0x3F)));
		strbuf_addch(o, (int)(0x80 | ((c >> 6) & 0x3F)));
		strbuf_addch(o, (int)(0x80 | (c & 0x3F)));
	}
}

static int
char_ref(const char *s, size_t n, unsigned long *c)
{
	int hex = n > 1 && s[1] == 'x';
	size_t i = hex ? 2 : 1;
	unsigned long v = 0;

	if (i >= n)
		return -1;
	for (; i < n; i++) {
		int dg = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
		    hex && s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
		    hex && s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;

		if (dg < 0 || v > 0x10FFFF)
			return -1;
		v = v * (hex ? 16 : 10) + (unsigned long)dg;
	}
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return -1;
	*c = v;
	return 0;
}

/* The entity at buf[off] ('&'): its decoded text into o (if o), its length
 * (with ';') into *len.  -1 when not a valid reference. */
static int
entity(const char *buf, size_t end, size_t off, struct strbuf *o,
    size_t *len)
{
	static const char *const names[] = { "lt", "gt", "amp", "quot",
	    "apos" };
	static const char vals[] = "<>&\"'";
	const char *s = buf + off + 1, *semi;
	size_t n, i;
	unsigned long c;

	semi = memchr(s, ';', end - off - 1 < 12 ? end - off - 1 : 12);
	if (semi == NULL)
		return -1;
	n = (size_t)(semi - s);
	*len = n + 2;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == n && memcmp(s, names[i], n) == 0) {
			if (o)
				strbuf_addch(o, vals[i]);
			return 0;
		}
	if (n < 2 || s[0] != '#' || char_ref(s, n, &c) < 0)
		return -1;
	if (o)
		add_utf8(o, c);
	return 0;
}

/* Decode an attribute value [off, off+n) into a malloc'ed string. */
static char *
decode_attr(const char *buf, size_t off, size_t n)
{
	struct strbuf o = STRBUF_INIT;
	size_t i = off, l;

	while (i < off + n) {
		char c = buf[i];

		if (c == '&' && entity(buf, off + n, i, &o, &l) == 0) {
			i += l;
			continue;
		}
		if (c == '\r' && i + 1 < off + n && buf[i + 1] == '\n')
			i++;
		strbuf_addch(&o, is_blank(c) ? ' ' : c);
		i++;
	}
	return strbuf_detach(&o, NULL);
}

/* Check the entity references in [from, to): -1 with an error. */
static int
check_refs(struct lex *x, size_t from, size_t to)
{
	size_t i, l;

	for (i = from; i < to; i++) {
		if (x->d->buf[i] != '&')
			continue;
		if (entity(x->d->buf, to, i, NULL, &l) < 0)
			return lerr(x, i, "invalid or undefined entity "
			    "reference%s (write '&amp;' for a literal '&')",
			    NULL);
		i += l - 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Markup                                                              */

static int
lex_delimited(struct lex *x, enum ax_kind k, const char *close,
    const char *what)
{
	const char *e = find(x, x->p + 1, close);
	size_t end;

	if (e == NULL)
		return lerr(x, x->p, "unterminated %s", what);
	end = (size_t)(e - x->d->buf) + strlen(close);
	if (k == AX_COMMENT) {
		const char *dd = find(x, x->p + 4, "--");

		if (dd != NULL && dd < e)
			return lerr(x, (size_t)(dd - x->d->buf), "'--' is "
			    "not allowed inside a comment%s", NULL);
	}
	if (k == AX_CDATA && x->depth == 0)
		return lerr(x, x->p, "CDATA section outside the root "
		    "element%s", NULL);
	push_tok(x, k, x->p, end - x->p);
	x->p = end;
	return 0;
}

static int
lex_doctype(struct lex *x)
{
	const char *gt = find(x, x->p, ">"), *br = find(x, x->p, "[");

	if (gt == NULL)
		return lerr(x, x->p, "unterminated DOCTYPE%s", NULL);
	if (br != NULL && br < gt)
		return lerr(x, x->p, "a DOCTYPE with an internal subset is not "
		    "supported (it may declare entities)%s", NULL);
	if (x->d->root >= 0)
		return lerr(x, x->p, "DOCTYPE after the root element%s", NULL);
	push_tok(x, AX_DOCTYPE, x->p, (size_t)(gt - x->d->buf) + 1 - x->p);
	x->p = (size_t)(gt - x->d->buf) + 1;
	return 0;
}

static size_t
skip_blanks(const struct lex *x, size_t p)
{
	while (p < x->d->len && is_blank(x->d->buf[p]))
		p++;
	return p;
}

static size_t
skip_name(const struct lex *x, size_t p)
{
	if (p >= x->d->len || !name_start(x->d->buf[p]))
		return p;
	while (p < x->d->len && name_char(x->d->buf[p]))
		p++;
	return p;
}

static int
dup_attr(struct lex *x, size_t first, const struct ax_attr *a)
{
	size_t i;

	for (i = first; i < x->d->nattrs; i++) {
		const struct ax_attr *b = &x->d->attrs[i];

		if (b->name_len == a->name_len && memcmp(x->d->buf +
		    b->name_off, x->d->buf + a->name_off, a->name_len) == 0)
			return lerr(x, a->name_off, "duplicate attribute%s",
			    NULL);
	}
	return 0;
}

/* One attribute at x->p (a name start).  Appends to d->attrs. */
static int
lex_attr(struct lex *x, size_t first)
{
	struct ax_doc *d = x->d;
	struct ax_attr a;
	const char *q;
	size_t p;

	memset(&a, 0, sizeof(a));
	a.name_off = x->p;
	p = skip_name(x, x->p);
	a.name_len = p - x->p;
	lex_pos(x, a.name_off, &a.line, &a.col);
	p = skip_blanks(x, p);
	if (p >= d->len || d->buf[p] != '=')
		return lerr(x, p, "'=' expected after an attribute name%s",
		    NULL);
	p = skip_blanks(x, p + 1);
	if (p >= d->len || (d->buf[p] != '"' && d->buf[p] != '\''))
		return lerr(x, p, "quoted attribute value expected%s", NULL);
	a.quote = d->buf[p];
	q = memchr(d->buf + p + 1, a.quote, d->len - p - 1);
	if (q == NULL)
		return lerr(x, p, "unterminated attribute value%s", NULL);
	a.val_off = p + 1;
	a.val_len = (size_t)(q - d->buf) - a.val_off;
	if (memchr(d->buf + a.val_off, '<', a.val_len) != NULL)
		return lerr(x, (size_t)((const char *)memchr(d->buf + a.val_off,
		    '<', a.val_len) - d->buf), "'<' is not allowed in an "
		    "attribute value%s", NULL);
	if (dup_attr(x, first, &a) < 0 ||
	    check_refs(x, a.val_off, a.val_off + a.val_len) < 0)
		return -1;
	a.value = decode_attr(d->buf, a.val_off, a.val_len);
	ALLOC_GROW(d->attrs, d->nattrs + 1, d->aattrs);
	d->attrs[d->nattrs++] = a;
	x->p = a.val_off + a.val_len + 1;
	return 0;
}

static int
close_tag(struct lex *x, size_t start)
{
	struct ax_doc *d = x->d;
	size_t p = skip_name(x, start + 2), n = p - start - 2;
	const struct ax_tok *o;
	struct ax_tok *t;

	if (n == 0)
		return lerr(x, start + 2, "element name expected%s", NULL);
	p = skip_blanks(x, p);
	if (p >= d->len || d->buf[p] != '>')
		return lerr(x, p, "'>' expected%s", NULL);
	if (x->depth == 0)
		return lerr(x, start, "end tag without a start tag%s", NULL);
	o = &d->toks[x->open[x->depth - 1]];
	if (o->name_len != n || memcmp(d->buf + o->name_off, d->buf + start +
	    2, n) != 0)
		return lerr(x, start, "end tag does not match the open "
		    "element%s", NULL);
	x->depth--;
	t = push_tok(x, AX_END, start, p + 1 - start);
	t->name_off = start + 2;
	t->name_len = n;
	d->toks[x->open[x->depth]].close = (long)(d->ntoks - 1);
	x->p = p + 1;
	return 0;
}

static int
tag_attrs(struct lex *x, size_t first, int *empty)
{
	struct ax_doc *d = x->d;

	for (;;) {
		size_t b = x->p;

		x->p = skip_blanks(x, x->p);
		if (x->p >= d->len)
			return lerr(x, x->p, "unterminated tag%s", NULL);
		if (d->buf[x->p] == '>' || at(x, "/>")) {
			*empty = d->buf[x->p] == '/';
			return 0;
		}
		if (!name_start(d->buf[x->p]))
			return lerr(x, x->p, "attribute name expected%s",
			    NULL);
		if (x->p == b)
			return lerr(x, x->p, "blank expected between "
			    "attributes%s", NULL);
		if (lex_attr(x, first) < 0)
			return -1;
	}
}

static int
open_tag(struct lex *x, size_t start)
{
	struct ax_doc *d = x->d;
	size_t p = skip_name(x, start + 1), first = d->nattrs;
	struct ax_tok *t;
	int empty = 0;

	if (p == start + 1)
		return lerr(x, start + 1, "element name expected after '<'%s",
		    NULL);
	if (x->depth == 0 && d->root >= 0)
		return lerr(x, start, "a second root element%s", NULL);
	if (x->depth >= MAX_DEPTH)
		return lerr(x, start, "elements nested too deeply%s", NULL);
	x->p = p;
	if (tag_attrs(x, first, &empty) < 0)
		return -1;
	t = push_tok(x, empty ? AX_EMPTY : AX_START, start, x->p +
	    (empty ? 2 : 1) - start);
	t->name_off = start + 1;
	t->name_len = p - start - 1;
	t->attr0 = first;
	t->nattrs = d->nattrs - first;
	t->end_off = x->p;
	if (x->depth == 0)
		d->root = (long)(d->ntoks - 1);
	if (!empty)
		x->open[x->depth++] = (long)(d->ntoks - 1);
	x->p += empty ? 2 : 1;
	return 0;
}

static int
lex_markup(struct lex *x)
{
	if (at(x, "<!--"))
		return lex_delimited(x, AX_COMMENT, "-->", "comment");
	if (at(x, "<![CDATA["))
		return lex_delimited(x, AX_CDATA, "]]>", "CDATA section");
	if (at(x, "<!DOCTYPE"))
		return lex_doctype(x);
	if (at(x, "<?"))
		return lex_delimited(x, AX_PI, "?>", "processing instruction");
	if (at(x, "</"))
		return close_tag(x, x->p);
	if (at(x, "<!"))
		return lerr(x, x->p, "unsupported markup declaration%s", NULL);
	return open_tag(x, x->p);
}

static int
lex_text(struct lex *x)
{
	struct ax_doc *d = x->d;
	const char *lt = memchr(d->buf + x->p, '<', d->len - x->p);
	size_t end = lt ? (size_t)(lt - d->buf) : d->len, i;
	const char *cd;

	if (x->depth == 0)
		for (i = x->p; i < end; i++)
			if (!is_blank(d->buf[i]) && !(i < 3 && x->p == 0 &&
			    (unsigned char)d->buf[i] >= 0xBB))
				return lerr(x, i, "text outside the root "
				    "element%s", NULL);
	cd = memmem(d->buf + x->p, end - x->p, "]]>", 3);
	if (cd != NULL)
		return lerr(x, (size_t)(cd - d->buf), "']]>' is not allowed "
		    "in text%s", NULL);
	if (check_refs(x, x->p, end) < 0)
		return -1;
	push_tok(x, AX_TEXT, x->p, end - x->p);
	x->p = end;
	return 0;
}

int
ax_parse(struct ax_doc *d, const char *file, const char *buf, size_t len,
    struct err *e)
{
	struct lex x;
	const char *nul = memchr(buf, '\0', len);
	const char *nl = memchr(buf, '\n', len);

	memset(d, 0, sizeof(*d));
	d->file = pos_intern(file);
	d->buf = buf;
	d->len = len;
	d->root = -1;
	d->crlf = nl != NULL && nl > buf && nl[-1] == '\r';
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.e = e;
	if (nul != NULL)
		return lerr(&x, (size_t)(nul - buf), "NUL byte in the file%s",
		    NULL);
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) != 0 &&
	    (unsigned char)buf[0] >= 0x80)
		return lerr(&x, 0, "not an XML document%s", NULL);
	while (x.p < len)
		if ((buf[x.p] == '<' ? lex_markup(&x) : lex_text(&x)) < 0)
			return -1;
	if (x.depth > 0)
		return lerr(&x, d->toks[x.open[x.depth - 1]].off, "element "
		    "not closed by the end of the file%s", NULL);
	if (d->root < 0)
		return lerr(&x, len, "no root element%s", NULL);
	return 0;
}

void
ax_release(struct ax_doc *d)
{
	size_t i;

	for (i = 0; i < d->nattrs; i++)
		free(d->attrs[i].value);
	free(d->attrs);
	free(d->toks);
	memset(d, 0, sizeof(*d));
	d->root = -1;
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */

const char *
ax_local(const struct ax_doc *d, const struct ax_tok *t, size_t *n)
{
	const char *s = d->buf + t->name_off;
	const char *c = memchr(s, ':', t->name_len);

	if (c == NULL) {
		*n = t->name_len;
		return s;
	}
	*n = t->name_len - (size_t)(c + 1 - s);
	return c + 1;
}

int
ax_is(const struct ax_doc *d, const struct ax_tok *t, const char *name)
{
	size_t n;
	const char *s;

	if (t->kind != AX_START && t->kind != AX_EMPTY)
		return 0;
	s = ax_local(d, t, &n);
	return n == strlen(name) && memcmp(s, name, n) == 0;
}

const struct ax_attr *
ax_attr(const struct ax_doc *d, const struct ax_tok *t, const char *name)
{
	size_t i, n = strlen(name);

	for (i = t->attr0; i < t->attr0 + t->nattrs; i++)
		if (d->attrs[i].name_len == n && memcmp(d->buf +
		    d->attrs[i].name_off, name, n) == 0)
			return &d->attrs[i];
	return NULL;
}

long
ax_child(const struct ax_doc *d, long parent, long after)
{
	size_t i = after < 0 ? (size_t)parent + 1 : (size_t)after + 1;
	size_t end = d->toks[parent].close >= 0 ?
	    (size_t)d->toks[parent].close : d->ntoks;

	for (; i < end; i++) {
		const struct ax_tok *t = &d->toks[i];

		if (t->parent == parent &&
		    (t->kind == AX_START || t->kind == AX_EMPTY))
			return (long)i;
	}
	return -1;
}

void
ax_text(const struct ax_doc *d, long i, struct strbuf *out)
{
	size_t k;

	for (k = (size_t)i + 1; k < d->ntoks; k++) {
		const struct ax_tok *t = &d->toks[k];
		char *v;

		if (k == (size_t)d->toks[i].close)
			break;
		if (t->parent != i)
			continue;
		if (t->kind == AX_CDATA) {
			strbuf_add(out, d->buf + t->off + 9, t->len - 12);
		} else if (t->kind == AX_TEXT) {
			v = decode_attr(d->buf, t->off, t->len);
			strbuf_addstr(out, v);
			free(v);
		}
	}
}

void
ax_escape_attr(struct strbuf *out, const char *s, char q)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '\t': strbuf_addstr(out, "&#9;"); break;
		case '\n': strbuf_addstr(out, "&#10;"); break;
		case '\r': strbuf_addstr(out, "&#13;"); break;
		default:
			if (*s == q)
				strbuf_addstr(out, q == '"' ? "&quot;" :
				    "&apos;");
			else
				strbuf_addch(out, *s);
		}
}

/* ------------------------------------------------------------------ */
/* Edits                                                               */

void
ax_edit_add(struct ax_edits *ed, size_t off, size_t len, char *text)
{
	size_t i;

	ALLOC_GROW(ed->v, ed->n + 1, ed->alloc);
	for (i = ed->n; i > 0 && ed->v[i - 1].off > off; i--)
		ed->v[i] = ed->v[i - 1];
	ed->v[i].off = off;
	ed->v[i].len = len;
	ed->v[i].text = text;
	ed->n++;
}

int
ax_apply(const struct ax_edits *ed, const char *buf, size_t len,
    struct strbuf *out)
{
	size_t i, p = 0;

	for (i = 0; i < ed->n; i++) {
		const struct ax_edit *e = &ed->v[i];

		if (e->off < p || e->off + e->len > len)
			return -1;
		strbuf_add(out, buf + p, e->off - p);
		strbuf_addstr(out, e->text);
		p = e->off + e->len;
	}
	strbuf_add(out, buf + p, len - p);
	return 0;
}

void
ax_edits_release(struct ax_edits *ed)
{
	size_t i;

	for (i = 0; i < ed->n; i++)
		free(ed->v[i].text);
	free(ed->v);
	memset(ed, 0, sizeof(*ed));
}
