/* kvparse.c - Ansible's split_args() and parse_kv(); see kvparse.h. */
#include <stdlib.h>
#include <string.h>

#include "runner/util/kvparse.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

struct words {
	char **v;
	size_t n, alloc;
};

struct splitstate {
	char quote;                   /* open quote character, 0 if none */
	int print, block, comment;    /* {{ }}, {% %}, {# #} depths */
};

static void
words_push(struct words *w, const char *s, size_t len)
{
	ALLOC_GROW(w->v, w->n + 2, w->alloc);
	w->v[w->n++] = xstrndup(s, len);
	w->v[w->n] = NULL;
}

/* params[-1] += pre + token; -1 when there is no params[-1] (Python's
 * IndexError). */
static int
words_append(struct words *w, const char *pre, const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	if (w->n == 0)
		return -1;
	strbuf_addstr(&sb, w->v[w->n - 1]);
	strbuf_addstr(&sb, pre);
	strbuf_add(&sb, s, len);
	free(w->v[w->n - 1]);
	w->v[w->n - 1] = strbuf_detach(&sb, NULL);
	return 0;
}

/* _get_quote_state() */
static char
quote_state(const char *t, size_t len, char q)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((t[i] == '"' || t[i] == '\'') && (i == 0 || t[i - 1] != '\\')) {
			if (q == 0)
				q = t[i];
			else if (t[i] == q)
				q = 0;
		}
	return q;
}

/* str.count(): non-overlapping occurrences of the 2-byte tok. */
static int
count2(const char *t, size_t len, const char *tok)
{
	size_t i;
	int n = 0;

	for (i = 0; i + 1 < len; i++)
		if (t[i] == tok[0] && t[i + 1] == tok[1]) {
			n++;
			i++;
		}
	return n;
}

/* _count_jinja2_blocks(); returns 1 when the depth changed. */
static int
block_depth(const char *t, size_t len, int *depth, const char *open,
    const char *close)
{
	int o = count2(t, len, open), c = count2(t, len, close), old = *depth;

	if (o != c) {
		*depth += o - c;
		if (*depth < 0)
			*depth = 0;
	}
	return *depth != old;
}

/* One space-separated token of split_args(); -1 on IndexError. */
static int
split_token(struct words *w, struct splitstate *st, const char *t,
    size_t len, size_t idx, size_t ntok)
{
	int was = st->quote != 0, in, appended = 0, inblock;

	inblock = st->print || st->block || st->comment;
	st->quote = quote_state(t, len, st->quote);
	in = st->quote != 0;
	if (in && !was && !inblock) {
		words_push(w, t, len);
		appended = 1;
	} else if (inblock || in || was) {
		const char *pre = idx == 0 && was ? "" : ntok > 1 ?
		    (idx > 0 ? " " : "") : "\n";

		if (words_append(w, pre, t, len) < 0)
			return -1;
		appended = 1;
	}
	if (block_depth(t, len, &st->print, "{{", "}}") && !appended) {
		words_push(w, t, len);
		appended = 1;
	}
	if (block_depth(t, len, &st->block, "{%", "%}") && !appended) {
		words_push(w, t, len);
		appended = 1;
	}
	if (block_depth(t, len, &st->comment, "{#", "#}") && !appended) {
		words_push(w, t, len);
		appended = 1;
	}
	if (!(st->print || st->block || st->comment) && !in && !appended &&
	    len > 0)
		words_push(w, t, len);
	return 0;
}

/* One line (item) of split_args(); -1 on IndexError. */
static int
split_item(struct words *w, struct splitstate *st, const char *item,
    size_t len, int last_item)
{
	size_t ntok = 1, idx = 0, i;
	const char *t = item;
	int cont = 0;

	for (i = 0; i < len; i++)
		ntok += item[i] == ' ';
	for (idx = 0; idx < ntok; idx++) {
		const char *sp = memchr(t, ' ', (size_t)(item + len - t));
		size_t tl = sp ? (size_t)(sp - t) : (size_t)(item + len - t);

		if (tl == 0 && idx != 0) {
			if (words_append(w, " ", "", 0) < 0)
				return -1;
		} else if (tl == 1 && *t == '\\' && st->quote == 0) {
			cont = 1;
		} else if (split_token(w, st, t, tl, idx, ntok) < 0) {
			return -1;
		}
		t += tl + 1;
	}
	if (!last_item && !cont && words_append(w, "\n", "", 0) < 0)
		return -1;
	return 0;
}

void
kv_words_free(char **words)
{
	size_t i;

	for (i = 0; words != NULL && words[i] != NULL; i++)
		free(words[i]);
	free(words);
}

int
kv_split_args(const char *s, char ***out, struct err *e)
{
	struct words w = { NULL, 0, 0 };
	struct splitstate st = { 0, 0, 0, 0 };
	const char *item = s;

	*out = NULL;
	for (;;) {
		const char *nl = strchr(item, '\n');
		size_t len = nl ? (size_t)(nl - item) : strlen(item);

		if (split_item(&w, &st, item, len, nl == NULL) < 0) {
			kv_words_free(w.v);
			return err_set(e, "unable to parse argument string '%s'",
			    s);
		}
		if (nl == NULL)
			break;
		item = nl + 1;
	}
	if (st.quote || st.print || st.block || st.comment) {
		kv_words_free(w.v);
		return err_set(e, "failed at splitting arguments, either an "
		    "unbalanced jinja2 block or quotes: '%s'", s);
	}
	if (w.v == NULL)
		w.v = xcalloc(1, sizeof(*w.v));
	*out = w.v;
	return 0;
}

static int
hexval(const char *s, size_t n, unsigned long *cp)
{
	size_t i;

	*cp = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
		    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		*cp = *cp * 16 + (unsigned long)d;
	}
	return 0;
}

static int
add_utf8(struct strbuf *sb, unsigned long cp)
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | (cp >> 6)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | (cp >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | (cp >> 18)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
	return 0;
}

/* One escape at s (s[0] == '\\'): bytes consumed, 0 if none matches. */
static size_t
decode_one(const char *s, struct strbuf *sb, struct err *e, int *bad)
{
	static const char single[] = "\\'\"abfnrtv", repl[] = "\\'\"\a\b\f\n\r\t\v";
	size_t n = s[1] == 'U' ? 8 : s[1] == 'u' ? 4 : s[1] == 'x' ? 2 : 0;
	const char *p;
	unsigned long cp;

	if (n > 0 && strnlen(s + 2, n) == n && hexval(s + 2, n, &cp) == 0) {
		if (add_utf8(sb, cp) < 0)
			*bad = err_set(e, "invalid escape '%.*s'", (int)n + 2, s);
		return n + 2;
	}
	if (s[1] == 'N' && s[2] == '{' && s[3] != '}' && s[3] != '\0' &&
	    strchr(s + 3, '}') != NULL) {
		*bad = err_set(e, "'\\N{...}' escapes are not supported");
		return (size_t)(strchr(s + 3, '}') - s) + 1;
	}
	if (s[1] != '\0' && (p = strchr(single, s[1])) != NULL) {
		strbuf_addch(sb, repl[p - single]);
		return 2;
	}
	return 0;
}

/* _decode_escapes() */
static int
decode_escapes(const char *s, struct strbuf *sb, struct err *e)
{
	int bad = 0;

	while (*s != '\0') {
		size_t n = *s == '\\' ? decode_one(s, sb, e, &bad) : 0;

		if (n == 0)
			strbuf_addch(sb, *s++);
		else
			s += n;
	}
	return bad;
}

static int
is_pyspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f' || c == '\x1c' || c == '\x1d' || c == '\x1e' ||
	    c == '\x1f';
}

/* s[0..n) stripped (str.strip()), then unquote()d when unq. */
static char *
strip_unquote(const char *s, size_t n, int unq)
{
	while (n > 0 && is_pyspace(*s))
		s++, n--;
	while (n > 0 && is_pyspace(s[n - 1]))
		n--;
	if (unq && n > 1 && s[0] == s[n - 1] && (s[0] == '"' || s[0] == '\'')
	    && s[n - 2] != '\\')
		return xstrndup(s + 1, n - 2);
	return xstrndup(s, n);
}

/* The first '=' at index >= 1 not preceded by '\\'; NULL if none. */
static const char *
find_eq(const char *x)
{
	const char *p = x + (*x != '\0');

	while ((p = strchr(p, '=')) != NULL && p[-1] == '\\')
		p++;
	return p;
}

/* Free-form word: as Ansible, `\=` becomes `=` only when the word has an
 * '=' but no unescaped one. */
static void
add_raw(struct strbuf *raw, const char *orig, const char *x)
{
	if (raw->len > 0 && raw->buf[raw->len - 1] != '\n')
		strbuf_addch(raw, ' ');
	if (strchr(x, '=') == NULL) {
		strbuf_addstr(raw, orig);
		return;
	}
	for (; *x != '\0'; x++)
		if (!(x[0] == '\\' && x[1] == '='))
			strbuf_addch(raw, *x);
}

int
kv_parse(const char *s, struct val **out, struct err *e)
{
	struct strbuf raw = STRBUF_INIT, x = STRBUF_INIT;
	struct val *res;
	char **words;
	size_t i, nraw = 0;
	int ret = 0;

	*out = NULL;
	if (kv_split_args(s, &words, e) < 0)
		return -1;
	res = val_map();
	for (i = 0; words[i] != NULL; i++) {
		const char *eq;

		strbuf_setlen(&x, 0);
		if (decode_escapes(words[i], &x, e) < 0)
			ret = -1;
		if ((eq = find_eq(x.buf)) == NULL) {
			add_raw(&raw, words[i], x.buf);
			nraw++;
		} else {
			char *k = strip_unquote(x.buf, (size_t)(eq - x.buf), 0);

			val_map_set(res, k, val_str_take(strip_unquote(eq + 1,
			    strlen(eq + 1), 1)));
			free(k);
		}
	}
	if (nraw > 0)
		val_map_set(res, "_raw_params", val_strn(raw.buf, raw.len));
	kv_words_free(words);
	strbuf_release(&raw);
	strbuf_release(&x);
	if (ret < 0) {
		val_free(res);
		return -1;
	}
	*out = res;
	return 0;
}
