/* diff.c - unified diff (Myers' O(ND) algorithm); see diff.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "runner/util/diff.h"
#include "runner/util/vault.h"
#include "runner/util/banned.h"

struct line {
	const char *p;
	size_t len;          /* with the '\n' if there is one */
	uint64_t h;
};

struct file {
	struct line *l;
	size_t n;
	unsigned char *flags;
	unsigned char *chg;  /* chg[i]: line i deleted (a) / inserted (b);
	                      * chg[-1] and chg[n] exist and stay 0 */
};

struct change {
	size_t a0, a1, b0, b1;   /* a[a0,a1) replaced by b[b0,b1) */
};

static uint64_t
hash_bytes(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */

	while (len-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ULL;
	}
	return h;
}

static void
file_split(struct file *f, const char *buf, size_t len)
{
	size_t alloc = 0, i = 0;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;

		ALLOC_GROW(f->l, f->n + 1, alloc);
		f->l[f->n].p = buf + i;
		f->l[f->n].len = ll;
		f->l[f->n].h = hash_bytes(buf + i, ll);
		f->n++;
		i += ll;
	}
	f->flags = xcalloc(f->n + 2, 1);
	f->chg = f->flags + 1;
}

static void
file_release(struct file *f)
{
	free(f->l);
	free(f->flags);
}

static int
line_eq(const struct line *x, const struct line *y)
{
	return x->h == y->h && x->len == y->len &&
	    memcmp(x->p, y->p, x->len) == 0;
}

/* The Myers search state: saved V arrays, one per d, for backtracking. */
struct myers {
	const struct line *a, *b;
	long n, m;
	long *v;                 /* current V, indexed k + off */
	long off;
	long **trace;
	long ntrace;
};

/* Forward greedy search; returns D, or -1 when D would exceed DIFF_MAX_D. */
static long
myers_search(struct myers *s)
{
	long d, k, x, y, max = s->n + s->m;

	if (max > DIFF_MAX_D)
		max = DIFF_MAX_D;
	s->off = max + 1;
	s->v = xcalloc(2 * (size_t)max + 3, sizeof(long));
	s->trace = xcalloc((size_t)max + 1, sizeof(long *));
	for (d = 0; d <= max; d++) {
		s->trace[d] = xmalloc((2 * (size_t)d + 1) * sizeof(long));
		memcpy(s->trace[d], s->v + s->off - d,
		    (2 * (size_t)d + 1) * sizeof(long));
		s->ntrace = d + 1;
		for (k = -d; k <= d; k += 2) {
			long *v = s->v + s->off;

			if (k == -d || (k != d && v[k - 1] < v[k + 1]))
				x = v[k + 1];
			else
				x = v[k - 1] + 1;
			y = x - k;
			while (x < s->n && y < s->m && line_eq(&s->a[x], &s->b[y]))
				x++, y++;
			v[k] = x;
			if (x >= s->n && y >= s->m)
				return d;
		}
	}
	return -1;
}

/* Walk the trace back from (n, m), marking deleted and inserted lines. */
static void
myers_backtrack(struct myers *s, long dmax, unsigned char *achg,
    unsigned char *bchg)
{
	long d, x = s->n, y = s->m;

	for (d = dmax; d > 0; d--) {
		const long *v = s->trace[d] + d;   /* v[k], k in [-d, d] */
		long k = x - y, pk, px, py;

		if (k == -d || (k != d && v[k - 1] < v[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = v[pk];
		py = px - pk;
		while (x > px && y > py)
			x--, y--;
		if (pk == k + 1)
			bchg[py] = 1;      /* down: b[py] inserted */
		else
			achg[px] = 1;      /* right: a[px] deleted */
		x = px;
		y = py;
	}
}

static void
myers_release(struct myers *s)
{
	long i;

	for (i = 0; i < s->ntrace; i++)
		free(s->trace[i]);
	free(s->trace);
	free(s->v);
}

static void shift_boundaries(struct file *f, struct file *other);

/* Mark changed lines of a and b: common prefix/suffix, then Myers. */
static void
mark_changes(struct file *a, struct file *b)
{
	size_t pre = 0, suf = 0, i;
	struct myers s;
	long d;

	while (pre < a->n && pre < b->n && line_eq(&a->l[pre], &b->l[pre]))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	    line_eq(&a->l[a->n - 1 - suf], &b->l[b->n - 1 - suf]))
		suf++;
	memset(&s, 0, sizeof(s));
	s.a = a->l + pre;
	s.b = b->l + pre;
	s.n = (long)(a->n - pre - suf);
	s.m = (long)(b->n - pre - suf);
	d = myers_search(&s);
	if (d >= 0) {
		myers_backtrack(&s, d, a->chg + pre, b->chg + pre);
	} else {
		for (i = 0; i < (size_t)s.n; i++)
			a->chg[pre + i] = 1;
		for (i = 0; i < (size_t)s.m; i++)
			b->chg[pre + i] = 1;
	}
	myers_release(&s);
	shift_boundaries(a, b);
	shift_boundaries(b, a);
}

/*
 * Slide runs of changes the way GNU diff's shift_boundaries() does, so the
 * output matches `diff -u` when several alignments are equally short: merge
 * runs that can be merged, move a run as far down as it goes, then back up
 * to line up with a run of changes in the other file.
 */
struct shift {
	const struct line *l;
	unsigned char *chg, *other;
	long n, i, j, start, corresponding;
};

static int
sh_eq(const struct shift *s, long x, long y)
{
	return line_eq(&s->l[x], &s->l[y]);
}

static void
shift_run(struct shift *s)
{
	long runlength;

	do {
		runlength = s->i - s->start;
		while (s->start > 0 && sh_eq(s, s->start - 1, s->i - 1)) {
			s->chg[--s->start] = 1;
			s->chg[--s->i] = 0;
			while (s->chg[s->start - 1])
				s->start--;
			while (s->other[--s->j])
				continue;
		}
		s->corresponding = s->other[s->j - 1] ? s->i : s->n;
		while (s->i != s->n && sh_eq(s, s->start, s->i)) {
			s->chg[s->start++] = 0;
			s->chg[s->i++] = 1;
			while (s->chg[s->i])
				s->i++;
			while (s->other[++s->j])
				s->corresponding = s->i;
		}
	} while (runlength != s->i - s->start);
	while (s->corresponding < s->i) {
		s->chg[--s->start] = 1;
		s->chg[--s->i] = 0;
		while (s->other[--s->j])
			continue;
	}
}

static void
shift_boundaries(struct file *f, struct file *other)
{
	struct shift s = { f->l, f->chg, other->chg, (long)f->n, 0, 0, 0, 0 };

	for (;;) {
		while (s.i < s.n && !s.chg[s.i]) {
			while (s.other[s.j++])
				continue;
			s.i++;
		}
		if (s.i == s.n)
			break;
		s.start = s.i;
		while (s.chg[++s.i])
			continue;
		while (s.other[s.j])
			s.j++;
		shift_run(&s);
	}
}

/* Turn the change flags into a list of change blocks. */
static size_t
collect_changes(const struct file *a, const struct file *b,
    struct change **out)
{
	size_t i = 0, j = 0, n = 0, alloc = 0;
	struct change *c = NULL;

	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && !a->chg[i] && !b->chg[j]) {
			i++, j++;
			continue;
		}
		ALLOC_GROW(c, n + 1, alloc);
		c[n].a0 = i;
		c[n].b0 = j;
		while (i < a->n && a->chg[i])
			i++;
		while (j < b->n && b->chg[j])
			j++;
		c[n].a1 = i;
		c[n].b1 = j;
		n++;
	}
	*out = c;
	return n;
}

static void
emit_line(struct strbuf *out, char prefix, const struct line *l)
{
	strbuf_addch(out, prefix);
	strbuf_add(out, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		strbuf_addstr(out, "\n\\ No newline at end of file\n");
}

static void
emit_range(struct strbuf *out, size_t start, size_t count)
{
	if (count == 1)
		strbuf_addf(out, "%zu", start + 1);
	else if (count == 0)
		strbuf_addf(out, "%zu,0", start);
	else
		strbuf_addf(out, "%zu,%zu", start + 1, count);
}

/* Print the hunk made of changes c[0..n). */
static void
emit_hunk(struct strbuf *out, const struct file *a, const struct file *b,
    const struct change *c, size_t n, size_t ctx)
{
	size_t a0 = c[0].a0 > ctx ? c[0].a0 - ctx : 0;
	size_t a1 = c[n - 1].a1 + ctx < a->n ? c[n - 1].a1 + ctx : a->n;
	size_t b0 = c[0].b0 - (c[0].a0 - a0);
	size_t b1 = c[n - 1].b1 + (a1 - c[n - 1].a1);
	size_t i, k, pos = a0;

	strbuf_addstr(out, "@@ -");
	emit_range(out, a0, a1 - a0);
	strbuf_addstr(out, " +");
	emit_range(out, b0, b1 - b0);
	strbuf_addstr(out, " @@\n");
	for (k = 0; k < n; k++) {
		for (; pos < c[k].a0; pos++)
			emit_line(out, ' ', &a->l[pos]);
		for (i = c[k].a0; i < c[k].a1; i++)
			emit_line(out, '-', &a->l[i]);
		for (i = c[k].b0; i < c[k].b1; i++)
			emit_line(out, '+', &b->l[i]);
		pos = c[k].a1;
	}
	for (; pos < a1; pos++)
		emit_line(out, ' ', &a->l[pos]);
}

static int
emit_hunks(struct strbuf *out, const struct file *a, const struct file *b,
    const struct change *c, size_t n, size_t ctx)
{
	size_t first = 0, k;
	int hunks = 0;

	for (k = 1; k <= n; k++) {
		if (k < n && c[k].a0 - c[k - 1].a1 <= 2 * ctx)
			continue;
		emit_hunk(out, a, b, c + first, k - first, ctx);
		hunks++;
		first = k;
	}
	return hunks;
}

int
diff_unified(struct strbuf *out, const char *a, size_t alen,
    const char *b, size_t blen, const char *label_a, const char *label_b,
    int context)
{
	struct file fa, fb;
	struct change *c = NULL;
	size_t n;
	int hunks = 0;

	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 0;
	if (context < 0)
		context = 0;
	file_split(&fa, a, alen);
	file_split(&fb, b, blen);
	mark_changes(&fa, &fb);
	n = collect_changes(&fa, &fb, &c);
	if (n > 0) {
		struct strbuf d = STRBUF_INIT;

		strbuf_addf(&d, "--- %s\n+++ %s\n", label_a, label_b);
		hunks = emit_hunks(&d, &fa, &fb, c, n, (size_t)context);
		vault_mask(&d);       /* vault-decrypted values never shown */
		strbuf_addbuf(out, &d);
		strbuf_release(&d);
	}
	free(c);
	file_release(&fa);
	file_release(&fb);
	return hunks;
}

/* ---- files as mend shows them ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

int
diff_is_binary(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	while (i < n) {
		if (u[i] == 0 || (l = utf8_len(u + i, n - i)) == 0)
			return 1;
		i += l;
	}
	return 0;
}

static void
add_sha256(struct strbuf *out, const char *s, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen; i++)
		strbuf_addf(out, "%02x", md[i]);
}

void
diff_file(struct strbuf *out, const char *path, const char *a, size_t alen,
    const char *b, size_t blen)
{
	struct strbuf la = STRBUF_INIT, lb = STRBUF_INIT;

	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return;
	if (diff_is_binary(a, alen) || diff_is_binary(b, blen)) {
		strbuf_addf(out, "Binary file %s: before %zu bytes (sha256 ",
		    path, alen);
		add_sha256(out, a, alen);
		strbuf_addf(out, "), after %zu bytes (sha256 ", blen);
		add_sha256(out, b, blen);
		strbuf_addstr(out, ")\n");
		return;
	}
	strbuf_addf(&la, "before: %s", path);
	strbuf_addf(&lb, "after: %s", path);
	diff_unified(out, a, alen, b, blen, la.buf, lb.buf, DIFF_CONTEXT);
	strbuf_release(&la);
	strbuf_release(&lb);
}
