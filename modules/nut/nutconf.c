/*
 * nutconf.c - NUT configuration tokenizer and values.  See nutconf.h
 * for the contract and the NUT facts relied on; the TLS line vocabulary
 * is in nutconf_lines.c, the analyses in nutconf_upsmon.c and
 * nutconf_upsd.c, the patchers in nutconf_patch.c.
 *
 * The tokenizer is a transcription of the state machine in NUT's
 * common/parseconf.c (findwordstart, collect, quotecollect, ...) that also
 * records where each word and each logical line lies in the raw bytes, so
 * the patchers can rewrite whole physical lines and copy everything else.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "modules/nut/nutconf.h"
#include "modules/nut/nutconf_int.h"
#include "runner/util/suggest.h"
#include "runner/util/banned.h"

/* ------------------------------------------------------------------ */
/* Tokenizer                                                           */

enum tstate {
	S_FINDWORDSTART, S_FINDEOL, S_QUOTECOLLECT, S_QC_LITERAL,
	S_COLLECT, S_COLLECTLITERAL, S_ENDOFLINE, S_PARSEERR,
};

struct tok {
	struct nutconf_file *f;
	enum tstate state;
	int open;                /* a logical line is being read */
	struct strbuf word;      /* NUT's wordbuf */
	size_t word_off;         /* raw start of the word being collected */
	int word_line, word_col, word_quoted;
	int line;                /* current physical line */
	size_t line_start;       /* its start offset */
	int nut_line;
};

static int
nut_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

static struct nutconf_line *
cur_line(struct tok *t)
{
	return &t->f->lines[t->f->nr - 1];
}

/* NUT's addchar(): printable ASCII only, at most 512 bytes. */
static void
addchar(struct tok *t, int c)
{
	if (c < 0x20 || c > 0x7f)
		return;
	if (t->word.len >= NUTCONF_MAX_WORDLEN)
		return;
	strbuf_addch(&t->word, c);
}

static void
word_begin(struct tok *t, size_t i, int quoted)
{
	t->word_off = i;
	t->word_line = t->line;
	t->word_col = (int)(i - t->line_start) + 1;
	t->word_quoted = quoted;
}

static void
push_word(struct nutconf_line *l, const struct tok *t, size_t end)
{
	struct nutconf_word *w;

	ALLOC_GROW(l->w, l->nr + 1, l->alloc);
	w = &l->w[l->nr++];
	w->val = xstrndup(t->word.buf, t->word.len);
	w->off = t->word_off;
	w->end = end;
	w->line = t->word_line;
	w->col = t->word_col;
	w->quoted = t->word_quoted ? 1 : 0;
}

/* NUT's endofword(): words past the 32nd are dropped. */
static void
endofword(struct tok *t, size_t end)
{
	struct nutconf_line *l = cur_line(t);

	if (l->nr >= NUTCONF_MAX_WORDS)
		l->dropped++;
	else
		push_word(l, t, end);
	strbuf_reset(&t->word);
}

static enum tstate
st_findwordstart(struct tok *t, int c, size_t i)
{
	if (c == '\n')
		return S_ENDOFLINE;
	if (c == '#')
		return S_FINDEOL;
	if (nut_isspace(c))
		return S_FINDWORDSTART;
	word_begin(t, i, c == '"');
	if (c == '\\')
		return S_COLLECTLITERAL;
	if (c == '"')
		return S_QUOTECOLLECT;
	addchar(t, c);
	if (c == '=') {
		endofword(t, i + 1);
		return S_FINDWORDSTART;
	}
	return S_COLLECT;
}

static enum tstate
st_collect(struct tok *t, int c, size_t i)
{
	if (c == '#') {
		endofword(t, i);
		return S_FINDEOL;
	}
	if (c == '\n') {
		endofword(t, i);
		return S_ENDOFLINE;
	}
	if (nut_isspace(c)) {
		endofword(t, i);
		return S_FINDWORDSTART;
	}
	if (c == '=') {
		endofword(t, i);
		st_findwordstart(t, c, i);
		return S_FINDWORDSTART;
	}
	if (c == '\\')
		return S_COLLECTLITERAL;
	addchar(t, c);
	return S_COLLECT;
}

static enum tstate
st_quotecollect(struct tok *t, int c, size_t i)
{
	if (c == '#') {
		endofword(t, i);
		return S_PARSEERR;
	}
	if (c == '"') {
		endofword(t, i + 1);
		return S_FINDWORDSTART;
	}
	if (c == '\\')
		return S_QC_LITERAL;
	addchar(t, c);
	return S_QUOTECOLLECT;
}

static enum tstate
parse_char(struct tok *t, int c, size_t i)
{
	switch (t->state) {
	case S_FINDWORDSTART:
		return st_findwordstart(t, c, i);
	case S_FINDEOL:
		return c == '\n' ? S_ENDOFLINE : S_FINDEOL;
	case S_QUOTECOLLECT:
		return st_quotecollect(t, c, i);
	case S_QC_LITERAL:
		if (c != '\n')
			addchar(t, c);
		return S_QUOTECOLLECT;
	case S_COLLECT:
		return st_collect(t, c, i);
	case S_COLLECTLITERAL:
		if (c != '\n')
			addchar(t, c);
		return S_COLLECT;
	default:
		return t->state;
	}
}

static void
line_begin(struct tok *t, size_t off)
{
	struct nutconf_file *f = t->f;
	struct nutconf_line *l;

	ALLOC_GROW(f->lines, f->nr + 1, f->alloc);
	l = &f->lines[f->nr++];
	memset(l, 0, sizeof(*l));
	l->off = off;
	l->line = t->line;
	l->nut_line = ++t->nut_line;
	t->open = 1;
	t->state = S_FINDWORDSTART;
	strbuf_reset(&t->word);
}

static void
line_end(struct tok *t, size_t end, int parse_error)
{
	struct nutconf_line *l = cur_line(t);

	l->end = end;
	l->last_line = t->line;
	l->parse_error = parse_error ? 1 : 0;
	t->open = 0;
}

/* End of file: what pconf_file_next() does when fgetc() says EOF. */
static void
line_eof(struct tok *t)
{
	struct nutconf_line *l = cur_line(t);

	if (t->word.len > 0) {
		int lost = l->nr == 0;

		endofword(t, t->f->len);
		l = cur_line(t);
		l->eof_lost = lost ? 1 : 0;
	}
	line_end(t, t->f->len, 0);
}

static void
phys_add(struct nutconf_file *f, size_t off)
{
	ALLOC_GROW(f->phys, f->nr_phys + 1, f->phys_alloc);
	f->phys[f->nr_phys++] = off;
}

static void
tokenize(struct tok *t)
{
	struct nutconf_file *f = t->f;
	size_t i;

	for (i = 0; i < f->len; i++) {
		int c = (unsigned char)f->buf[i];

		if (!t->open)
			line_begin(t, i);
		t->state = parse_char(t, c, i);
		if (t->state == S_ENDOFLINE || t->state == S_PARSEERR)
			line_end(t, i + 1, t->state == S_PARSEERR);
		if (c == '\n') {
			t->line++;
			t->line_start = i + 1;
			if (i + 1 < f->len)
				phys_add(f, i + 1);
		}
	}
	/* still open after a newline: a joined line or a quote goes on */
	f->eof_open = t->open && (f->buf[f->len - 1] == '\n' ||
	    t->state == S_QUOTECOLLECT || t->state == S_QC_LITERAL ||
	    t->state == S_COLLECTLITERAL);
	if (t->open)
		line_eof(t);
}

void
nutconf_parse(struct nutconf_file *f, const void *buf, size_t len)
{
	struct tok t;
	const char *nl;

	memset(f, 0, sizeof(*f));
	f->buf = xmalloc(len + 1);
	if (len)
		memcpy(f->buf, buf, len);
	f->buf[len] = '\0';
	f->len = len;
	nl = memchr(f->buf, '\n', len);
	f->eol = nl != NULL && nl > f->buf && nl[-1] == '\r' ? "\r\n" : "\n";
	f->final_newline = len == 0 || f->buf[len - 1] == '\n';
	if (len)
		phys_add(f, 0);

	memset(&t, 0, sizeof(t));
	t.f = f;
	t.line = 1;
	strbuf_init(&t.word, 0);
	tokenize(&t);
	strbuf_release(&t.word);
}

void
nutconf_file_release(struct nutconf_file *f)
{
	size_t i, j;

	for (i = 0; i < f->nr; i++) {
		for (j = 0; j < f->lines[i].nr; j++)
			free(f->lines[i].w[j].val);
		free(f->lines[i].w);
	}
	free(f->lines);
	free(f->phys);
	free(f->buf);
	memset(f, 0, sizeof(*f));
	f->eol = "\n";
	f->final_newline = 1;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

int
nutconf_atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

int
nutconf_boolean(const char *s)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "on") ||
	    !strcasecmp(s, "yes") || !strcasecmp(s, "1"))
		return 1;
	if (!strcasecmp(s, "false") || !strcasecmp(s, "off") ||
	    !strcasecmp(s, "no") || !strcasecmp(s, "0"))
		return 0;
	return -1;
}

/* "1", "0", "-2", "+3": a number as a human would write it. */
int
nutc_plain_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
needs_quotes(const char *s)
{
	if (*s == '\0')
		return 1;
	return strpbrk(s, " \"\\#=") != NULL;
}

int
nutconf_quote(struct strbuf *sb, const char *s, int force_quotes)
{
	const char *p;

	if (strlen(s) > NUTCONF_MAX_WORDLEN)
		return -1;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return -1;
	if (!force_quotes && !needs_quotes(s)) {
		strbuf_addstr(sb, s);
		return 0;
	}
	strbuf_addch(sb, '"');
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '#')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
	return 0;
}

/* ------------------------------------------------------------------ */
