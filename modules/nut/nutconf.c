/*
 * nutconf.c - NUT configuration tokenizer, TLS analysis and patchers.
 * See nutconf.h for the contract and the NUT facts relied on.
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
#include "runner/util/suggest.h"
#include "runner/util/banned.h"

#define NUT_PORT 3493
#define SHOWN_MAX 80

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

	l->w = xrealloc(l->w, (l->nr + 1) * sizeof(*l->w));
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
static int
plain_int(const char *s)
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
/* Classification of TLS lines                                         */

enum prog { P_UPSMON, P_UPSD };

enum dkind {
	D_NONE, D_CERTPATH, D_CERTVERIFY, D_FORCESSL, D_CERTIDENT, D_CERTHOST,
	D_CERTFILE, D_WEAKSSL, D_NKINDS
};

static const struct dspec {
	const char *kw;
	size_t minargs;          /* words NUT needs, keyword included */
} dspec[D_NKINDS] = {
	[D_NONE] = { "", 0 },
	[D_CERTPATH] = { "CERTPATH", 2 },
	[D_CERTVERIFY] = { "CERTVERIFY", 2 },
	[D_FORCESSL] = { "FORCESSL", 2 },
	[D_CERTIDENT] = { "CERTIDENT", 3 },
	[D_CERTHOST] = { "CERTHOST", 5 },
	[D_CERTFILE] = { "CERTFILE", 2 },
	[D_WEAKSSL] = { "DISABLE_WEAK_SSL", 2 },
};

static const enum dkind upsmon_kinds[] = {
	D_CERTPATH, D_CERTVERIFY, D_FORCESSL, D_CERTIDENT, D_CERTHOST, D_NONE
};
static const enum dkind upsd_kinds[] = {
	D_CERTPATH, D_CERTIDENT, D_CERTFILE, D_WEAKSSL, D_NONE
};

static const char *const prog_name[] = { "upsmon", "upsd" };

/* The keywords NUT 2.8.0 knows (strings of /lib/nut/upsmon and upsd,
 * plus the other backend's and a few from neighbouring releases). */
static const char *const upsmon_keywords[] = {
	"CERTHOST", "CERTIDENT", "CERTPATH", "CERTVERIFY", "DEADTIME",
	"FINALDELAY", "FORCESSL", "HOSTSYNC", "MINSUPPLIES", "MONITOR",
	"NOCOMMWARNTIME", "NOTIFYCMD", "NOTIFYFLAG", "NOTIFYMSG", "POLLFREQ",
	"POLLFREQALERT", "POWERDOWNFLAG", "RBWARNTIME", "RUN_AS_USER",
	"SHUTDOWNCMD", "OFFDURATION", "SHUTDOWNEXIT", "POLLFAIL_LOG_THROTTLE_MAX",
	NULL
};
static const char *const upsd_keywords[] = {
	"ACCEPT", "ACL", "ALLOW_NO_DEVICE", "ALLOW_NOT_ALL_LISTENERS",
	"CERTFILE", "CERTIDENT", "CERTPATH", "CERTREQUEST", "DATAPATH",
	"DISABLE_WEAK_SSL", "LISTEN", "MAXAGE", "MAXCONN", "REJECT",
	"STATEPATH", "TRACKINGDELAY", NULL
};

static int
known_keyword(enum prog prog, const char *kw)
{
	const char *const *k = prog == P_UPSMON ? upsmon_keywords :
	    upsd_keywords;

	for (; *k != NULL; k++)
		if (!strcmp(kw, *k))
			return 1;
	return !strcasecmp(kw, "DEBUG_MIN");
}


struct cls {
	enum dkind kind;
	unsigned exact : 1;      /* keyword spelled right, right case */
	unsigned misspelled : 1; /* e.g. FORCSSL */
	unsigned has_eq : 1;     /* a bare '=' word among the values */
	unsigned missing : 1;    /* too few values (not counting '=') */
	unsigned bad_value : 1;  /* value NUT reads differently than written */
	unsigned wrong_backend : 1;
	unsigned accepted : 1;   /* NUT uses the line */
	unsigned wellformed : 1; /* ... and reads it as written */
};

static int
misspelling(const char *kw, const char *canon)
{
	char up[64];
	size_t i, n = strlen(kw), m = strlen(canon);

	/* the distance is at least the difference in length */
	if (n >= sizeof(up) || m < 6 || n + 1 < m || n > m + 1)
		return 0;
	for (i = 0; i <= n; i++)
		up[i] = kw[i] >= 'a' && kw[i] <= 'z' ? (char)(kw[i] - 32) : kw[i];
	return edit_distance(up, canon) == 1;
}

static enum dkind
find_kind(enum prog prog, const char *kw, struct cls *c)
{
	const enum dkind *k = prog == P_UPSMON ? upsmon_kinds : upsd_kinds;
	size_t i;

	for (i = 0; k[i] != D_NONE; i++)
		if (!strcasecmp(kw, dspec[k[i]].kw)) {
			c->exact = strcmp(kw, dspec[k[i]].kw) == 0;
			return k[i];
		}
	if (known_keyword(prog, kw))       /* another directive, spelled right */
		return D_NONE;
	for (i = 0; k[i] != D_NONE; i++)
		if (misspelling(kw, dspec[k[i]].kw)) {
			c->misspelled = 1;
			return k[i];
		}
	return D_NONE;
}

static int
wrong_backend(enum prog prog, enum nutconf_backend be, enum dkind k)
{
	if (prog != P_UPSD)
		return 0;
	if (be == NUTCONF_BACKEND_NSS)
		return k == D_CERTFILE;
	if (be == NUTCONF_BACKEND_OPENSSL)
		return k == D_CERTPATH || k == D_CERTIDENT;
	return 0;
}

static int
bad_number(const char *s, int want_one)
{
	if (plain_int(s))
		return 0;
	return want_one ? nutconf_atoi(s) != 1 : nutconf_atoi(s) == 0;
}

static int
bad_value(const struct nutconf_line *r, enum dkind k)
{
	switch (k) {
	case D_CERTVERIFY:
	case D_FORCESSL:
		return bad_number(r->w[1].val, 1);
	case D_CERTHOST:
		return bad_number(r->w[3].val, 0) || bad_number(r->w[4].val, 0);
	case D_WEAKSSL:
		return nutconf_boolean(r->w[1].val) < 0;
	default:
		return 0;
	}
}

static int
bare_eq(const struct nutconf_word *w)
{
	return !w->quoted && !strcmp(w->val, "=");
}

static size_t
count_eq(const struct nutconf_line *r)
{
	size_t i, n = 0;

	for (i = 1; i < r->nr; i++)
		n += bare_eq(&r->w[i]);
	return n;
}

static void
classify(enum prog prog, enum nutconf_backend be,
    const struct nutconf_line *r, struct cls *c)
{
	size_t nargs, neq;

	memset(c, 0, sizeof(*c));
	if (r->nr == 0)
		return;
	c->kind = find_kind(prog, r->w[0].val, c);
	if (c->kind == D_NONE)
		return;
	neq = count_eq(r);
	c->has_eq = neq > 0;
	nargs = r->nr - 1 - neq;
	c->missing = nargs + 1 < dspec[c->kind].minargs;
	c->wrong_backend = wrong_backend(prog, be, c->kind);
	if (r->nr >= dspec[c->kind].minargs)
		c->bad_value = bad_value(r, c->kind);
	c->accepted = !r->parse_error && !r->eof_lost && c->exact &&
	    r->nr >= dspec[c->kind].minargs && !c->wrong_backend &&
	    !(c->kind == D_WEAKSSL && c->bad_value);
	c->wellformed = c->accepted && !c->has_eq && !c->bad_value;
}

/* A line the patchers may rewrite in place: NUT reads its words as they
 * stand, only a value may be wrong. */
static int
candidate(const struct cls *c)
{
	return c->accepted && !c->has_eq;
}

/* ------------------------------------------------------------------ */
/* Display text (never secrets)                                        */

static void
show_word(struct strbuf *sb, const char *s, int quoted)
{
	const char *p;

	if (nutconf_quote(sb, s, quoted) == 0)
		return;
	strbuf_addch(sb, '"');
	for (p = s; *p; p++)
		strbuf_addch(sb, (unsigned char)*p >= 0x20 &&
		    (unsigned char)*p < 0x7f ? *p : '?');
	strbuf_addch(sb, '"');
}

/* Does r start a physical line?  Lines that begin after a parse error
 * are the tail of another line (maybe of a password): never shown. */
static int
starts_line(const struct nutconf_file *f, const struct nutconf_line *r)
{
	return r->line >= 1 && (size_t)r->line <= f->nr_phys &&
	    f->phys[r->line - 1] == r->off;
}

/* Index (counting values, '=' words skipped) of the first secret value. */
static size_t
secret_from(const char *kw)
{
	if (!strcasecmp(kw, "MONITOR"))
		return 4;
	if (!strcasecmp(kw, "CERTIDENT") || misspelling(kw, "CERTIDENT"))
		return 2;
	return (size_t)-1;
}

static char *
shown_line(const struct nutconf_file *f, const struct nutconf_line *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, nval = 0, secret = r->nr ? secret_from(r->w[0].val) : 0;

	if (!starts_line(f, r))
		return xstrdup("(the rest of a line after a parse error)");

	for (i = 0; i < r->nr; i++) {
		const char *v = r->w[i].val;

		if (i)
			strbuf_addch(&sb, ' ');
		if (i && bare_eq(&r->w[i])) {
			strbuf_addch(&sb, '=');
			continue;
		}
		if (i && ++nval >= secret)
			strbuf_addstr(&sb, "***");
		else
			show_word(&sb, v, r->w[i].quoted);
	}
	if (r->parse_error)
		strbuf_addstr(&sb, " ...");
	if (sb.len > SHOWN_MAX) {
		strbuf_setlen(&sb, SHOWN_MAX - 3);
		strbuf_addstr(&sb, "...");
	}
	return strbuf_detach(&sb, NULL);
}

/* One value for display inside '...': printable, cut when long. */
static char *
shown_value(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = s; *p && sb.len < SHOWN_MAX; p++)
		strbuf_addch(&sb, (unsigned char)*p >= 0x20 &&
		    (unsigned char)*p < 0x7f ? *p : '?');
	if (*p) {
		strbuf_setlen(&sb, SHOWN_MAX - 3);
		strbuf_addstr(&sb, "...");
	}
	return strbuf_detach(&sb, NULL);
}

static void
why_missing(struct strbuf *sb, enum dkind k)
{
	if (k == D_CERTHOST)
		strbuf_addstr(sb, "CERTHOST needs a host, a certificate name "
		    "and two flags");
	else if (k == D_CERTIDENT)
		strbuf_addstr(sb, "CERTIDENT needs a certificate name and a "
		    "password");
	else
		strbuf_addstr(sb, "missing value");
}

static void
why_bad_value(struct strbuf *sb, const struct nutconf_line *r, enum dkind k)
{
	const char *v;
	char *s;

	if (k == D_WEAKSSL) {
		s = shown_value(r->w[1].val);
		strbuf_addf(sb, "'%s' is not a boolean: use true", s);
		free(s);
		return;
	}
	v = r->w[1].val;
	if (k == D_CERTHOST)
		v = bad_number(r->w[3].val, 0) ? r->w[3].val : r->w[4].val;
	s = shown_value(v);
	strbuf_addf(sb, "%s are numbers: '%s' is read as %d",
	    k == D_CERTHOST ? "flags" : "values", s, nutconf_atoi(v));
	free(s);
}

static void
why_keyword(struct strbuf *sb, const struct cls *c)
{
	if (c->misspelled)
		strbuf_addf(sb, "misspelled, the keyword is '%s'",
		    dspec[c->kind].kw);
	else
		strbuf_addstr(sb, "keywords are uppercase");
	if (c->has_eq)
		strbuf_addstr(sb, c->misspelled ? "; keywords take no '='" :
		    " and take no '='");
	if (c->missing)
		strbuf_addstr(sb, "; missing value");
}

static char *
why_text(const struct cls *c, const struct nutconf_line *r, enum prog prog)
{
	struct strbuf sb = STRBUF_INIT;

	if (r->parse_error)
		strbuf_addstr(&sb, "parse error: unescaped '#' inside quotes");
	else if (r->eof_lost)
		strbuf_addstr(&sb, "missing value");
	else if (!c->exact)
		why_keyword(&sb, c);
	else if (c->missing || r->nr < dspec[c->kind].minargs) {
		if (c->has_eq)
			strbuf_addstr(&sb, "keywords take no '='; ");
		why_missing(&sb, c->kind);
	} else if (c->has_eq)
		strbuf_addf(&sb, "keywords take no '=': %s reads '=' as a "
		    "value", prog_name[prog]);
	else if (c->bad_value)
		why_bad_value(&sb, r, c->kind);
	return strbuf_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* Issues                                                              */

static void
issue_add(struct nutconf_issues *is, int line, const char *directive,
    char *text)
{
	struct nutconf_issue *i;

	ALLOC_GROW(is->v, is->nr + 1, is->alloc);
	i = &is->v[is->nr++];
	i->line = line;
	i->directive = directive;
	i->text = text;
}

__attribute__((format(printf, 4, 5)))
static void
issue_addf(struct nutconf_issues *is, int line, const char *directive,
    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	issue_add(is, line, directive, strbuf_detach(&sb, NULL));
}

static void
issues_release(struct nutconf_issues *is)
{
	size_t i;

	for (i = 0; i < is->nr; i++)
		free(is->v[i].text);
	free(is->v);
	memset(is, 0, sizeof(*is));
}

static void
issue_del_directive(struct nutconf_issues *is, const char *directive)
{
	size_t i, j = 0;

	for (i = 0; i < is->nr; i++) {
		if (is->v[i].directive == directive) {
			free(is->v[i].text);
			continue;
		}
		is->v[j++] = is->v[i];
	}
	is->nr = j;
}

static void
bad_add(struct nutconf_bad_line **v, size_t *nr, size_t *alloc,
    const struct nutconf_file *f, const struct nutconf_line *r,
    const struct cls *c, enum prog prog)
{
	struct nutconf_bad_line *b;

	ALLOC_GROW(*v, *nr + 1, *alloc);
	b = &(*v)[(*nr)++];
	b->line = r->line;
	b->directive = dspec[c->kind].kw;
	b->accepted = c->accepted;
	b->shown = shown_line(f, r);
	b->why = why_text(c, r, prog);
}

static void
bad_release(struct nutconf_bad_line *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].shown);
		free(v[i].why);
	}
	free(v);
}

static void
bad_reason(struct nutconf_issues *is, const struct nutconf_bad_line *b,
    enum prog prog)
{
	issue_addf(is, b->line, b->directive, "line %d: '%s' is %s by %s (%s)",
	    b->line, b->shown, b->accepted ? "misread" : "ignored",
	    prog_name[prog], b->why);
}

static void
value_set(struct nutconf_value *v, const struct nutconf_line *r, int num)
{
	free(v->raw);
	v->set = 1;
	v->line = r->line;
	v->raw = xstrdup(r->w[1].val);
	v->num = num;
}

static void
value_release(struct nutconf_value *v)
{
	free(v->raw);
	memset(v, 0, sizeof(*v));
}

static void
ident_set(char **name, char **pw, int *set, int *line,
    const struct nutconf_line *r)
{
	free(*name);
	free(*pw);
	*name = xstrdup(r->w[1].val);
	*pw = xstrdup(r->w[2].val);
	*set = 1;
	*line = r->line;
}

static void
parse_error_note(struct nutconf_issues *notes, const struct nutconf_line *r,
    enum prog prog)
{
	issue_addf(notes, r->line, NULL, "line %d: parse error (unescaped '#' "
	    "inside quotes): %s ignores this line and reads the rest of it as "
	    "a new line", r->line, prog_name[prog]);
}

static void
unknown_note(struct nutconf_issues *notes, const struct nutconf_file *f,
    const struct nutconf_line *r, enum prog prog)
{
	char *s;

	if (known_keyword(prog, r->w[0].val) || !starts_line(f, r))
		return;
	s = shown_value(r->w[0].val);
	issue_addf(notes, r->line, NULL, "line %d: %s has no directive '%s' "
	    "(the line is ignored)", r->line, prog_name[prog], s);
	free(s);
}

/* ------------------------------------------------------------------ */
/* upsmon.conf analysis                                                */

/* upscli_splitaddr(): host[:port] or [host]:port. */
static void
split_addr(const char *s, char **host, int *port)
{
	const char *h = s, *e;

	*port = NUT_PORT;
	if (*s == '[') {
		h = s + 1;
		while (*h == ']')
			h++;
		e = h + strcspn(h, "]");
		*host = xstrndup(h, (size_t)(e - h));
		if (*e == ']' && e[1] == ':')
			*port = (int)strtol(e + 2, NULL, 10);
		return;
	}
	while (*h == ':')
		h++;
	e = h + strcspn(h, ":");
	*host = xstrndup(h, (size_t)(e - h));
	if (strchr(s, ':'))
		*port = (int)strtol(strchr(s, ':') + 1, NULL, 10);
}

/* upscli_splitname(): upsname[@hostname[:port]]. */
static void
split_system(struct nutconf_monitor *m)
{
	const char *s = m->system, *at = strchr(s, '@'), *u = s;

	while (*u == '@')
		u++;
	m->upsname = xstrndup(u, strcspn(u, "@"));
	if (at == NULL) {
		m->host = xstrdup("localhost");
		m->port = NUT_PORT;
		return;
	}
	split_addr(at + 1, &m->host, &m->port);
}

static void
take_monitor(struct nutconf_upsmon *a, const struct nutconf_line *r)
{
	struct nutconf_monitor *m;

	if (r->nr < 1 || strcmp(r->w[0].val, "MONITOR"))
		return;
	if (r->nr == 5) {
		issue_addf(&a->notes, r->line, "MONITOR", "line %d: old-style "
		    "MONITOR line without a user name: upsmon refuses to "
		    "start", r->line);
		return;
	}
	if (r->nr < 6)
		return;
	ALLOC_GROW(a->monitors, a->nr_monitors + 1, a->alloc_monitors);
	m = &a->monitors[a->nr_monitors++];
	memset(m, 0, sizeof(*m));
	m->line = r->line;
	m->system = xstrdup(r->w[1].val);
	m->powervalue = xstrdup(r->w[2].val);
	m->user = xstrdup(r->w[3].val);
	m->password = xstrdup(r->w[4].val);
	m->role = xstrdup(r->w[5].val);
	split_system(m);
}

static void
take_certhost(struct nutconf_upsmon *a, const struct nutconf_line *r)
{
	struct nutconf_certhost *h;

	ALLOC_GROW(a->certhosts, a->nr_certhosts + 1, a->alloc_certhosts);
	h = &a->certhosts[a->nr_certhosts++];
	memset(h, 0, sizeof(*h));
	h->line = r->line;
	h->host = xstrdup(r->w[1].val);
	h->name = xstrdup(r->w[2].val);
	h->verify_raw = xstrdup(r->w[3].val);
	h->force_raw = xstrdup(r->w[4].val);
	h->certverify = nutconf_atoi(h->verify_raw);
	h->forcessl = nutconf_atoi(h->force_raw);
}

static void
upsmon_apply(struct nutconf_upsmon *a, const struct nutconf_line *r,
    enum dkind k)
{
	switch (k) {
	case D_CERTPATH:
		value_set(&a->certpath, r, 0);
		break;
	case D_CERTVERIFY:
		value_set(&a->certverify, r, nutconf_atoi(r->w[1].val));
		break;
	case D_FORCESSL:
		value_set(&a->forcessl, r, nutconf_atoi(r->w[1].val));
		break;
	case D_CERTIDENT:
		ident_set(&a->certident.name, &a->certident.password,
		    &a->certident.set, &a->certident.line, r);
		break;
	case D_CERTHOST:
		take_certhost(a, r);
		break;
	default:
		break;
	}
}

static void
upsmon_line(struct nutconf_upsmon *a, const struct nutconf_file *f,
    const struct nutconf_line *r)
{
	struct cls c;

	classify(P_UPSMON, a->backend, r, &c);
	if (c.kind == D_NONE) {
		if (r->parse_error)
			parse_error_note(&a->notes, r, P_UPSMON);
		else if (!r->eof_lost) {
			unknown_note(&a->notes, f, r, P_UPSMON);
			take_monitor(a, r);
		}
		return;
	}
	if (!c.wellformed)
		bad_add(&a->bad, &a->nr_bad, &a->alloc_bad, f, r, &c,
		    P_UPSMON);
	if (c.accepted)
		upsmon_apply(a, r, c.kind);
}

static int
host_monitored(const struct nutconf_upsmon *a, const char *host)
{
	size_t i;

	for (i = 0; i < a->nr_monitors; i++)
		if (!strcmp(a->monitors[i].host, host))
			return 1;
	return 0;
}

struct hostref {
	const char *host;
	size_t idx;
};

static int
hostref_cmp(const void *a, const void *b)
{
	const struct hostref *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The last CERTHOST of each host is the one NUT uses. */
static void
mark_certhosts(struct nutconf_upsmon *a)
{
	struct hostref *v = xcalloc(a->nr_certhosts, sizeof(*v));
	size_t i;

	for (i = 0; i < a->nr_certhosts; i++) {
		v[i].host = a->certhosts[i].host;
		v[i].idx = i;
		a->certhosts[i].monitored = host_monitored(a, v[i].host);
	}
	qsort(v, a->nr_certhosts, sizeof(*v), hostref_cmp);
	for (i = 0; i < a->nr_certhosts; i++)
		a->certhosts[v[i].idx].effective = i + 1 == a->nr_certhosts ||
		    strcmp(v[i].host, v[i + 1].host) != 0;
	free(v);
}

static void
reason_flag(struct nutconf_upsmon *a, const struct nutconf_value *v,
    const char *kw, const char *effect)
{
	char *s;

	if (!v->set) {
		issue_addf(&a->reasons, 0, kw, "%s is not set (default 0): %s",
		    kw, effect);
		return;
	}
	if (v->num == 1)
		return;
	s = shown_value(v->raw);
	if (plain_int(v->raw))
		issue_addf(&a->reasons, v->line, kw, "line %d: %s is %s: %s%s",
		    v->line, kw, s, effect,
		    v->num ? " (only 1 turns it on)" : "");
	else
		issue_addf(&a->reasons, v->line, kw, "line %d: %s is '%s', which "
		    "upsmon reads as %d: %s", v->line, kw, s, v->num, effect);
	free(s);
}

static void
reason_certpath(struct nutconf_upsmon *a)
{
	if (!a->certpath.set && a->certverify.num == 1)
		issue_addf(&a->reasons, 0, "CERTPATH", "CERTVERIFY is 1 but "
		    "CERTPATH is not set: upsmon drops every connection "
		    "('CERTVERIFY is set, but CERTPATH isn't')");
	else if (!a->certpath.set)
		issue_addf(&a->reasons, 0, "CERTPATH", "CERTPATH is not set: "
		    "there is no CA to verify server certificates against");
	else if (a->certpath.raw[0] == '\0')
		issue_addf(&a->reasons, a->certpath.line, "CERTPATH",
		    "line %d: CERTPATH is empty", a->certpath.line);
}

static void
reason_certhost(struct nutconf_upsmon *a, const struct nutconf_certhost *h)
{
	char *host = shown_value(h->host);

	if (!h->certverify && !h->forcessl)
		issue_addf(&a->reasons, h->line, "CERTHOST", "line %d: CERTHOST "
		    "for '%s' disables verification (0 0)", h->line, host);
	else if (!h->certverify)
		issue_addf(&a->reasons, h->line, "CERTHOST", "line %d: CERTHOST "
		    "for '%s' disables verification (certverify 0)", h->line,
		    host);
	else if (!h->forcessl)
		issue_addf(&a->reasons, h->line, "CERTHOST", "line %d: CERTHOST "
		    "for '%s' lets upsmon fall back to plaintext (forcessl 0)",
		    h->line, host);
	free(host);
}

static void
reasons_certhosts(struct nutconf_upsmon *a)
{
	size_t i;

	for (i = 0; i < a->nr_certhosts; i++) {
		const struct nutconf_certhost *h = &a->certhosts[i];

		if (a->backend == NUTCONF_BACKEND_OPENSSL) {
			issue_addf(&a->notes, h->line, "CERTHOST", "line %d: "
			    "CERTHOST is ignored by OpenSSL builds", h->line);
			continue;
		}
		if (h->effective && h->monitored)
			reason_certhost(a, h);
		else if (h->effective && (!h->certverify || !h->forcessl))
			issue_addf(&a->notes, h->line, "CERTHOST", "line %d: "
			    "CERTHOST switches TLS checks off for a host no "
			    "MONITOR line uses", h->line);
	}
}

/* Bad lines become reasons, except the misread effective CERTVERIFY or
 * FORCESSL line that reason_flag() already explains, and CERTIDENT (client
 * certificates are optional: a note). */
static void
reasons_bad(struct nutconf_upsmon *a)
{
	size_t i;

	for (i = 0; i < a->nr_bad; i++) {
		const struct nutconf_bad_line *b = &a->bad[i];

		if (b->accepted && ((b->directive == dspec[D_CERTVERIFY].kw &&
		    b->line == a->certverify.line) ||
		    (b->directive == dspec[D_FORCESSL].kw &&
		    b->line == a->forcessl.line)))
			continue;
		bad_reason(b->directive == dspec[D_CERTIDENT].kw ? &a->notes :
		    &a->reasons, b, P_UPSMON);
	}
}

static int
path_bad(enum nutconf_path_state st)
{
	return st == NUTCONF_PATH_MISSING || st == NUTCONF_PATH_UNREADABLE;
}

static int
hosts_enforced(const struct nutconf_upsmon *a)
{
	size_t i;

	if (a->backend == NUTCONF_BACKEND_OPENSSL)
		return 1;
	for (i = 0; i < a->nr_certhosts; i++) {
		const struct nutconf_certhost *h = &a->certhosts[i];

		if (h->effective && h->monitored &&
		    (!h->certverify || !h->forcessl))
			return 0;
	}
	return 1;
}

static void
upsmon_verdict(struct nutconf_upsmon *a)
{
	a->tls_enforced = a->certverify.num == 1 && a->forcessl.num == 1 &&
	    a->certpath.set && a->certpath.raw[0] != '\0' &&
	    strcmp(a->certpath.raw, "=") != 0 && hosts_enforced(a) &&
	    !path_bad(a->certpath_state);
	a->vulnerable = a->reasons.nr > 0;
}

void
nutconf_upsmon_analyze(struct nutconf_upsmon *a, const struct nutconf_file *f,
    enum nutconf_backend backend)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	a->backend = backend;
	for (i = 0; i < f->nr; i++)
		if (f->lines[i].nr > 0)
			upsmon_line(a, f, &f->lines[i]);
	mark_certhosts(a);
	reason_flag(a, &a->certverify, "CERTVERIFY",
	    "server certificates are not verified");
	reason_flag(a, &a->forcessl, "FORCESSL",
	    "upsmon falls back to plaintext");
	reason_certpath(a);
	reasons_certhosts(a);
	reasons_bad(a);
	upsmon_verdict(a);
}

/* Own objects, so the reason can be found again by pointer. */
static const char path_certpath[] = "CERTPATH";
static const char path_certfile[] = "CERTFILE";

static void
path_reason(struct nutconf_issues *is, const char *kw,
    const struct nutconf_value *v, enum nutconf_path_state st)
{
	const char *marker = !strcmp(kw, "CERTFILE") ? path_certfile :
	    path_certpath;
	char *s;

	issue_del_directive(is, path_certpath);
	issue_del_directive(is, path_certfile);
	if (!path_bad(st) || !v->set)
		return;
	s = shown_value(v->raw);
	issue_addf(is, v->line, marker, "line %d: %s '%s' %s on the host",
	    v->line, kw, s, st == NUTCONF_PATH_MISSING ? "does not exist" :
	    "is not readable by the nut user");
	free(s);
}

void
nutconf_upsmon_set_certpath_state(struct nutconf_upsmon *a,
    enum nutconf_path_state st)
{
	a->certpath_state = st;
	path_reason(&a->reasons, "CERTPATH", &a->certpath, st);
	upsmon_verdict(a);
}

void
nutconf_upsmon_release(struct nutconf_upsmon *a)
{
	size_t i;

	value_release(&a->certpath);
	value_release(&a->certverify);
	value_release(&a->forcessl);
	free(a->certident.name);
	free(a->certident.password);
	for (i = 0; i < a->nr_monitors; i++) {
		struct nutconf_monitor *m = &a->monitors[i];

		free(m->system);
		free(m->upsname);
		free(m->host);
		free(m->powervalue);
		free(m->user);
		free(m->password);
		free(m->role);
	}
	free(a->monitors);
	for (i = 0; i < a->nr_certhosts; i++) {
		free(a->certhosts[i].host);
		free(a->certhosts[i].name);
		free(a->certhosts[i].verify_raw);
		free(a->certhosts[i].force_raw);
	}
	free(a->certhosts);
	bad_release(a->bad, a->nr_bad);
	issues_release(&a->reasons);
	issues_release(&a->notes);
	memset(a, 0, sizeof(*a));
}

/* ------------------------------------------------------------------ */
/* upsd.conf analysis                                                  */

static void
take_listen(struct nutconf_upsd *a, const struct nutconf_line *r)
{
	struct nutconf_listen *l;

	if (strcmp(r->w[0].val, "LISTEN") || r->nr < 2)
		return;
	ALLOC_GROW(a->listens, a->nr_listens + 1, a->alloc_listens);
	l = &a->listens[a->nr_listens++];
	l->line = r->line;
	l->addr = xstrdup(r->w[1].val);
	l->port = xstrdup(r->nr >= 3 ? r->w[2].val : "3493");
}

static void
upsd_apply(struct nutconf_upsd *a, const struct nutconf_line *r,
    enum dkind k)
{
	switch (k) {
	case D_CERTPATH:
		value_set(&a->certpath, r, 0);
		break;
	case D_CERTFILE:
		value_set(&a->certfile, r, 0);
		break;
	case D_WEAKSSL:
		value_set(&a->disable_weak_ssl, r,
		    nutconf_boolean(r->w[1].val));
		break;
	case D_CERTIDENT:
		ident_set(&a->certident.name, &a->certident.password,
		    &a->certident.set, &a->certident.line, r);
		break;
	default:
		break;
	}
}

static void
wrong_backend_note(struct nutconf_upsd *a, const struct nutconf_line *r,
    enum dkind k)
{
	issue_addf(&a->notes, r->line, dspec[k].kw, "line %d: %s is not valid "
	    "on %s builds (upsd ignores it)", r->line, dspec[k].kw,
	    a->backend == NUTCONF_BACKEND_NSS ? "NSS" : "OpenSSL");
}

static void
upsd_line(struct nutconf_upsd *a, const struct nutconf_file *f,
    const struct nutconf_line *r)
{
	struct cls c;

	classify(P_UPSD, a->backend, r, &c);
	if (c.kind == D_NONE) {
		if (r->parse_error)
			parse_error_note(&a->notes, r, P_UPSD);
		else if (!r->eof_lost) {
			unknown_note(&a->notes, f, r, P_UPSD);
			take_listen(a, r);
		}
		return;
	}
	if (c.wrong_backend)
		wrong_backend_note(a, r, c.kind);
	else if (!c.wellformed)
		bad_add(&a->bad, &a->nr_bad, &a->alloc_bad, f, r, &c,
		    P_UPSD);
	if (c.accepted)
		upsd_apply(a, r, c.kind);
}

static void
upsd_reasons_tls(struct nutconf_upsd *a)
{
	if (a->tls_ready)
		return;
	if (a->backend == NUTCONF_BACKEND_OPENSSL) {
		issue_addf(&a->reasons, 0, "CERTFILE", "CERTFILE is not set: "
		    "upsd cannot offer STARTTLS");
		return;
	}
	if (a->backend == NUTCONF_BACKEND_UNKNOWN) {
		issue_addf(&a->reasons, 0, "CERTPATH", "no server certificate "
		    "is configured (NSS builds: CERTPATH and CERTIDENT; "
		    "OpenSSL builds: CERTFILE): upsd cannot offer STARTTLS");
		return;
	}
	if (!a->certpath.set)
		issue_addf(&a->reasons, 0, "CERTPATH", "CERTPATH is not set: "
		    "upsd has no certificate database and cannot offer "
		    "STARTTLS");
	if (!a->certident.set)
		issue_addf(&a->reasons, 0, "CERTIDENT", "CERTIDENT is not set: "
		    "upsd does not know which certificate to serve");
}

static void
upsd_reasons(struct nutconf_upsd *a)
{
	size_t i;
	char *s;

	upsd_reasons_tls(a);
	if (!a->disable_weak_ssl.set)
		issue_addf(&a->reasons, 0, "DISABLE_WEAK_SSL", "DISABLE_WEAK_SSL "
		    "is not set (default off): TLS 1.0 and 1.1 are accepted");
	else if (a->disable_weak_ssl.num != 1) {
		s = shown_value(a->disable_weak_ssl.raw);
		issue_addf(&a->reasons, a->disable_weak_ssl.line,
		    "DISABLE_WEAK_SSL", "line %d: DISABLE_WEAK_SSL is '%s': TLS "
		    "1.0 and 1.1 are accepted", a->disable_weak_ssl.line, s);
		free(s);
	}
	for (i = 0; i < a->nr_bad; i++)
		bad_reason(&a->reasons, &a->bad[i], P_UPSD);
}

static void
upsd_notes(struct nutconf_upsd *a)
{
	if (a->nr_listens == 0)
		issue_addf(&a->notes, 0, "LISTEN", "no LISTEN line: upsd listens "
		    "on 127.0.0.1 and ::1 port 3493 only");
	issue_addf(&a->notes, 0, NULL, "upsd 2.8.0 cannot refuse plaintext "
	    "clients: every client must set FORCESSL 1");
}

static void
upsd_verdict(struct nutconf_upsd *a)
{
	a->vulnerable = a->reasons.nr > 0;
}

void
nutconf_upsd_analyze(struct nutconf_upsd *a, const struct nutconf_file *f,
    enum nutconf_backend backend)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	a->backend = backend;
	for (i = 0; i < f->nr; i++)
		if (f->lines[i].nr > 0)
			upsd_line(a, f, &f->lines[i]);
	a->nss_ready = a->certpath.set && a->certident.set;
	a->openssl_ready = a->certfile.set;
	if (backend == NUTCONF_BACKEND_NSS)
		a->tls_ready = a->nss_ready;
	else if (backend == NUTCONF_BACKEND_OPENSSL)
		a->tls_ready = a->openssl_ready;
	else
		a->tls_ready = a->nss_ready || a->openssl_ready;
	upsd_reasons(a);
	upsd_notes(a);
	upsd_verdict(a);
}

void
nutconf_upsd_set_cert_state(struct nutconf_upsd *a, enum nutconf_path_state st)
{
	int nss = a->backend == NUTCONF_BACKEND_NSS ||
	    (a->backend == NUTCONF_BACKEND_UNKNOWN && a->certpath.set);

	a->cert_state = st;
	path_reason(&a->reasons, nss ? "CERTPATH" : "CERTFILE",
	    nss ? &a->certpath : &a->certfile, st);
	upsd_verdict(a);
}

void
nutconf_upsd_release(struct nutconf_upsd *a)
{
	size_t i;

	value_release(&a->certpath);
	value_release(&a->certfile);
	value_release(&a->disable_weak_ssl);
	free(a->certident.name);
	free(a->certident.password);
	for (i = 0; i < a->nr_listens; i++) {
		free(a->listens[i].addr);
		free(a->listens[i].port);
	}
	free(a->listens);
	bad_release(a->bad, a->nr_bad);
	issues_release(&a->reasons);
	issues_release(&a->notes);
	memset(a, 0, sizeof(*a));
}

/* ------------------------------------------------------------------ */
/* Patch engine                                                        */

enum act { A_KEEP, A_REPLACE, A_REMOVE };

/* Whole physical lines holding one logical line, or several when NUT's
 * parse error split a physical line. */
struct block {
	size_t first, last;      /* records in the block */
	size_t off, end;
	int split;               /* several directives, or one that does not
	                          * start the line: only KEEP is safe */
	size_t rec;              /* the record acted on */
	enum act act;
	char *text;              /* A_REPLACE: the directive */
	char *comment;           /* comment line to leave, or NULL */
};

struct patch {
	const struct nutconf_file *f;
	enum prog prog;
	enum nutconf_backend backend;
	struct cls *c;           /* per record */
	size_t *blk;             /* per record: its block */
	struct block *b;
	size_t nr, alloc;
	char **app;              /* directives to append */
	size_t nr_app, alloc_app;
	const char *banner;      /* comment before appended directives */
};

/* Does record i look like a directive NUT may act on? */
static int
directive_like(const struct patch *p, size_t i)
{
	const struct nutconf_line *r = &p->f->lines[i];

	return r->nr > 0 && (p->c[i].kind != D_NONE ||
	    known_keyword(p->prog, r->w[0].val));
}

static void
block_split(struct patch *p, struct block *b)
{
	size_t i, n = 0;

	for (i = b->first; i <= b->last; i++) {
		if (p->c[i].kind != D_NONE && i != b->first)
			b->split = 1;
		n += directive_like(p, i);
	}
	if (n > 1)
		b->split = 1;
}

static void
build_blocks(struct patch *p)
{
	const struct nutconf_file *f = p->f;
	struct block *b = NULL;
	size_t i;

	p->c = xcalloc(f->nr, sizeof(*p->c));
	p->blk = xcalloc(f->nr, sizeof(*p->blk));
	for (i = 0; i < f->nr; i++) {
		classify(p->prog, p->backend, &f->lines[i], &p->c[i]);
		if (i == 0 || !f->lines[i - 1].parse_error) {
			ALLOC_GROW(p->b, p->nr + 1, p->alloc);
			b = &p->b[p->nr++];
			memset(b, 0, sizeof(*b));
			b->first = b->rec = i;
			b->off = f->lines[i].off;
		}
		b->last = i;
		b->end = f->lines[i].end;
		p->blk[i] = p->nr - 1;
	}
	for (i = 0; i < p->nr; i++)
		block_split(p, &p->b[i]);
}

static void
patch_release(struct patch *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		free(p->b[i].text);
		free(p->b[i].comment);
	}
	free(p->b);
	free(p->c);
	free(p->blk);
	for (i = 0; i < p->nr_app; i++)
		free(p->app[i]);
	free(p->app);
}

static const struct nutconf_line *
rec_line(const struct patch *p, size_t rec)
{
	return &p->f->lines[rec];
}

static char *
comment_for(const struct patch *p, size_t rec, const char *verb)
{
	char *shown = shown_line(p->f, rec_line(p, rec));
	char *s;

	if (p->c[rec].wellformed)
		s = xasprintf("# mend: %s duplicate '%s'", verb, shown);
	else
		s = xasprintf("# mend: %s '%s' (%s by %s)", verb, shown,
		    p->c[rec].accepted ? "misread" : "ignored",
		    prog_name[p->prog]);
	free(shown);
	return s;
}

/* Record what becomes of record rec's lines. */
static int
set_act(struct patch *p, size_t rec, enum act act, const char *text,
    int with_comment, struct err *e)
{
	struct block *b = &p->b[p->blk[rec]];

	if (act == A_KEEP)
		return 0;
	if (b->split || b->act != A_KEEP)
		return err_set(e, "line %d: NUT splits this line at a parse "
		    "error (unescaped '#' inside quotes): fix it by hand",
		    rec_line(p, rec)->line);
	b->act = act;
	b->rec = rec;
	if (act == A_REPLACE)
		b->text = xstrdup(text);
	if (with_comment)
		b->comment = comment_for(p, rec, act == A_REPLACE ? "replaced" :
		    "removed");
	return 0;
}

static void
append_line(struct patch *p, const char *text)
{
	ALLOC_GROW(p->app, p->nr_app + 1, p->alloc_app);
	p->app[p->nr_app++] = xstrdup(text);
}

/* Decides whether a candidate line already says what we want. */
typedef int (*right_fn)(const struct nutconf_line *r, const void *arg);

static int
of_kind(const struct patch *p, size_t rec, enum dkind k)
{
	return p->c[rec].kind == k && !p->c[rec].wrong_backend;
}

static ssize_t
first_candidate(const struct patch *p, enum dkind k)
{
	size_t i;

	for (i = 0; i < p->f->nr; i++)
		if (of_kind(p, i, k) && candidate(&p->c[i]))
			return (ssize_t)i;
	return -1;
}

/*
 * The one-directive rule: keep or rewrite the first candidate; with none,
 * replace the first ineffective line; remove the others; else append.
 */
static int
enforce(struct patch *p, enum dkind k, const char *text, right_fn right,
    const void *arg, struct err *e)
{
	ssize_t target = first_candidate(p, k);
	int placed = 0, ret = 0;
	size_t i;

	for (i = 0; i < p->f->nr && ret == 0; i++) {
		const struct cls *c = &p->c[i];

		if (!of_kind(p, i, k))
			continue;
		if ((ssize_t)i == target && c->wellformed &&
		    right(rec_line(p, i), arg))
			ret = set_act(p, i, A_KEEP, NULL, 0, e);
		else if ((ssize_t)i == target || (target < 0 && !placed))
			ret = set_act(p, i, A_REPLACE, text, !c->wellformed, e);
		else
			ret = set_act(p, i, A_REMOVE, NULL, 1, e);
		placed = 1;
	}
	if (ret == 0 && !placed)
		append_line(p, text);
	return ret;
}

/* ---- rendering ---- */

static size_t
term_len(const struct nutconf_file *f, size_t off, size_t end)
{
	if (end > off && f->buf[end - 1] == '\n')
		return end - 1 > off && f->buf[end - 2] == '\r' ? 2 : 1;
	return 0;
}

static int
only_blanks(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Indentation and trailing comment of a one-line directive, kept when it
 * is rewritten. */
static void
render_replace(const struct patch *p, const struct block *b,
    struct strbuf *out, size_t content_end)
{
	const struct nutconf_file *f = p->f;
	const struct nutconf_line *r = rec_line(p, b->rec);
	int simple = b->first == b->last && r->nr > 0 && !r->parse_error &&
	    r->line == r->last_line;
	size_t tail, n, k;

	if (simple && only_blanks(f->buf + b->off, r->w[0].off - b->off))
		strbuf_add(out, f->buf + b->off, r->w[0].off - b->off);
	strbuf_addstr(out, b->text);
	if (!simple)
		return;
	tail = r->w[r->nr - 1].end;
	n = tail < content_end ? content_end - tail : 0;
	for (k = 0; k < n && (f->buf[tail + k] == ' ' ||
	    f->buf[tail + k] == '\t'); k++)
		;
	if (k == n || f->buf[tail + k] == '#')
		strbuf_add(out, f->buf + tail, n);
}

static void
render_block(const struct patch *p, const struct block *b, struct strbuf *out)
{
	const struct nutconf_file *f = p->f;
	size_t tl = term_len(f, b->off, b->end);
	const char *term = f->buf + b->end - tl;

	if (b->act == A_KEEP) {
		strbuf_add(out, f->buf + b->off, b->end - b->off);
		return;
	}
	if (b->comment) {
		strbuf_addstr(out, b->comment);
		if (b->act == A_REPLACE) {
			if (tl)
				strbuf_add(out, term, tl);
			else
				strbuf_addstr(out, f->eol);
		}
	}
	if (b->act == A_REPLACE)
		render_replace(p, b, out, b->end - tl);
	strbuf_add(out, term, tl);
}

/* Appending to a file that ends open would append into its last line. */
static int
check_append(const struct patch *p, struct err *e)
{
	const struct block *last = p->nr ? &p->b[p->nr - 1] : NULL;

	if (p->nr_app == 0 || !p->f->eof_open || last->act != A_KEEP)
		return 0;
	return err_set(e, "line %d: the file ends inside a quoted word or "
	    "with a line-joining backslash: %s would read the lines to "
	    "append as part of it; fix that line first",
	    p->f->lines[last->first].line, prog_name[p->prog]);
}

static void
render(const struct patch *p, struct strbuf *out)
{
	size_t i, start = out->len;

	for (i = 0; i < p->nr; i++)
		render_block(p, &p->b[i], out);
	if (p->nr_app == 0)
		return;
	if (out->len > start && out->buf[out->len - 1] != '\n')
		strbuf_addstr(out, p->f->eol);
	strbuf_addstr(out, p->banner);
	for (i = 0; i < p->nr_app; i++) {
		strbuf_addstr(out, p->f->eol);
		strbuf_addstr(out, p->app[i]);
	}
	if (p->f->final_newline)
		strbuf_addstr(out, p->f->eol);
}

static void
patch_init(struct patch *p, const struct nutconf_file *f, enum prog prog,
    enum nutconf_backend be, const char *banner)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->prog = prog;
	p->backend = be;
	p->banner = banner;
	build_blocks(p);
}

/* "KW v1 v2..." with each value quoted as NUT needs; -1 if one cannot be. */
static int
directive(struct strbuf *sb, const char *kw, const char *const *vals,
    const int *force)
{
	size_t i;

	strbuf_reset(sb);
	strbuf_addstr(sb, kw);
	for (i = 0; vals[i] != NULL; i++) {
		strbuf_addch(sb, ' ');
		if (nutconf_quote(sb, vals[i], force[i]) < 0)
			return -1;
	}
	return 0;
}

static int
right_value(const struct nutconf_line *r, const void *arg)
{
	return !strcmp(r->w[1].val, (const char *)arg);
}

static int
right_one(const struct nutconf_line *r, const void *arg)
{
	(void)arg;
	return nutconf_atoi(r->w[1].val) == 1;
}

static int
right_true(const struct nutconf_line *r, const void *arg)
{
	(void)arg;
	return nutconf_boolean(r->w[1].val) == 1;
}

struct ident {
	const char *name, *pw;
};

static int
right_ident(const struct nutconf_line *r, const void *arg)
{
	const struct ident *id = arg;

	return !strcmp(r->w[1].val, id->name) && !strcmp(r->w[2].val, id->pw);
}

struct hostrule {
	const char *host, *name;
};

static int
right_certhost(const struct nutconf_line *r, const void *arg)
{
	const struct hostrule *h = arg;

	return !strcmp(r->w[2].val, h->name) &&
	    nutconf_atoi(r->w[3].val) != 0 && nutconf_atoi(r->w[4].val) != 0;
}

/* ------------------------------------------------------------------ */
/* upsmon.conf patch                                                   */

static const char *
cannot_write(void)
{
	return "NUT keeps only printable ASCII (0x20-0x7e) and at most 512 "
	    "bytes per word";
}

static int
enforce_value(struct patch *p, enum dkind k, const char *val,
    const char *what, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *vals[2] = { val, NULL };
	const int force[1] = { 0 };
	int ret;

	if (directive(&sb, dspec[k].kw, vals, force) < 0) {
		strbuf_release(&sb);
		return err_set(e, "%s cannot be written to %s.conf: %s", what,
		    prog_name[p->prog], cannot_write());
	}
	ret = enforce(p, k, sb.buf, right_value, val, e);
	strbuf_release(&sb);
	return ret;
}

static int
certhost_line(struct strbuf *sb, const char *host, const char *name)
{
	const char *vals[5] = { host, name, "1", "1", NULL };
	const int force[4] = { 0, 1, 0, 0 };

	return directive(sb, "CERTHOST", vals, force);
}

/* The rules for one host, v[from..to) in file order: the first is kept or
 * rewritten to `name 1 1`, the others removed; none: appended. */
static int
enforce_host(struct patch *p, const struct hostref *v, size_t from,
    size_t to, const char *name, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct hostrule h = { v[from].host, name };
	int ret = 0;
	size_t i;

	if (certhost_line(&sb, h.host, name) < 0)
		ret = err_set(e, "certhost for '%s' cannot be written to "
		    "upsmon.conf: %s", h.host, cannot_write());
	for (i = from; i < to && ret == 0; i++) {
		size_t rec = v[i].idx;

		if (i > from)
			ret = set_act(p, rec, A_REMOVE, NULL, 1, e);
		else if (p->c[rec].wellformed &&
		    right_certhost(rec_line(p, rec), &h))
			ret = set_act(p, rec, A_KEEP, NULL, 0, e);
		else
			ret = set_act(p, rec, A_REPLACE, sb.buf,
			    !p->c[rec].wellformed, e);
	}
	if (ret == 0 && from == to)
		append_line(p, sb.buf);
	strbuf_release(&sb);
	return ret;
}

static const char *
requested_name(const struct nutconf_client_fix *fix, const char *host)
{
	size_t i;

	for (i = 0; i < fix->nr_certhosts; i++)
		if (!strcmp(fix->certhosts[i].host, host))
			return fix->certhosts[i].name;
	return NULL;
}

/* The CERTHOST lines NUT reads as written, sorted by host, file order. */
static struct hostref *
host_rules(const struct patch *p, size_t *nr)
{
	struct hostref *v = xcalloc(p->f->nr, sizeof(*v));
	size_t i;

	*nr = 0;
	for (i = 0; i < p->f->nr; i++)
		if (of_kind(p, i, D_CERTHOST) && candidate(&p->c[i])) {
			v[*nr].host = rec_line(p, i)->w[1].val;
			v[(*nr)++].idx = i;
		}
	qsort(v, *nr, sizeof(*v), hostref_cmp);
	return v;
}

static int
has_rule(const struct hostref *v, size_t nr, const char *host)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].host, host);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Rules in the file (repaired to 1 1, keeping the name NUT uses, the last
 * one's, unless another is requested), then the requested ones that are
 * not there yet. */
static int
enforce_certhosts(struct patch *p, const struct nutconf_client_fix *fix,
    struct err *e)
{
	size_t nr, i, j;
	struct hostref *v = host_rules(p, &nr);
	int ret = 0;

	for (i = 0; i < nr && ret == 0; i = j) {
		const char *name = requested_name(fix, v[i].host);

		for (j = i; j < nr && !strcmp(v[j].host, v[i].host); j++)
			;
		if (name == NULL)
			name = rec_line(p, v[j - 1].idx)->w[2].val;
		ret = enforce_host(p, v, i, j, name, e);
	}
	for (i = 0; i < fix->nr_certhosts && ret == 0; i++) {
		struct hostref one = { fix->certhosts[i].host, 0 };

		if (!has_rule(v, nr, one.host))
			ret = enforce_host(p, &one, 0, 0,
			    fix->certhosts[i].name, e);
	}
	free(v);
	return ret;
}

/* Bad CERTHOST lines (lowercase, '=', too short...) define no rule that
 * NUT reads as written: remove them, the global flags cover the host. */
static int
remove_bad_certhosts(struct patch *p, struct err *e)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < p->f->nr && ret == 0; i++)
		if (of_kind(p, i, D_CERTHOST) && !candidate(&p->c[i]))
			ret = set_act(p, i, A_REMOVE, NULL, 1, e);
	return ret;
}

static int
check_certhost_reqs(const struct nutconf_upsmon *a,
    const struct nutconf_client_fix *fix, struct err *e)
{
	size_t i, j;

	for (i = 0; i < fix->nr_certhosts; i++) {
		const struct nutconf_certhost_req *q = &fix->certhosts[i];

		if (q->host == NULL || q->name == NULL || !*q->host ||
		    !*q->name)
			return err_set(e, "certhost %zu: host and name are "
			    "required", i + 1);
		if (!host_monitored(a, q->host))
			return err_set(e, "certhost '%s' is not a host of any "
			    "MONITOR line", q->host);
		for (j = 0; j < i; j++)
			if (!strcmp(fix->certhosts[j].host, q->host))
				return err_set(e, "certhost '%s' is given twice",
				    q->host);
	}
	return 0;
}

static const char *
client_certpath(const struct nutconf_upsmon *a,
    const struct nutconf_client_fix *fix, struct err *e)
{
	if (fix->certpath != NULL && fix->certpath[0] != '\0')
		return fix->certpath;
	if (fix->certpath == NULL && a->certpath.set &&
	    a->certpath.raw[0] != '\0' && strcmp(a->certpath.raw, "="))
		return a->certpath.raw;
	err_set(e, "refusing to set CERTVERIFY 1 without a CERTPATH: upsmon "
	    "would drop every connection ('CERTVERIFY is set, but CERTPATH "
	    "isn't'); give the path of the CA store");
	return NULL;
}

static int
patch_upsmon(struct patch *p, const struct nutconf_upsmon *a,
    const struct nutconf_client_fix *fix, struct err *e)
{
	const char *certpath = client_certpath(a, fix, e);

	if (certpath == NULL || check_certhost_reqs(a, fix, e) < 0)
		return -1;
	if (enforce_value(p, D_CERTPATH, certpath, "certpath", e) < 0 ||
	    enforce(p, D_CERTVERIFY, "CERTVERIFY 1", right_one, NULL, e) < 0 ||
	    enforce(p, D_FORCESSL, "FORCESSL 1", right_one, NULL, e) < 0 ||
	    remove_bad_certhosts(p, e) < 0 ||
	    enforce_certhosts(p, fix, e) < 0)
		return -1;
	return 0;
}

int
nutconf_patch_upsmon(const void *buf, size_t len,
    const struct nutconf_client_fix *fix, struct strbuf *out, struct err *e)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	struct patch p;
	int ret;

	if (fix == NULL)
		return err_set(e, "no client fix given");
	nutconf_parse(&f, buf, len);
	nutconf_upsmon_analyze(&a, &f, NUTCONF_BACKEND_UNKNOWN);
	patch_init(&p, &f, P_UPSMON, NUTCONF_BACKEND_UNKNOWN,
	    "# mend: enforce verified TLS");
	ret = patch_upsmon(&p, &a, fix, e);
	if (ret == 0)
		ret = check_append(&p, e);
	if (ret == 0)
		render(&p, out);
	patch_release(&p);
	nutconf_upsmon_release(&a);
	nutconf_file_release(&f);
	return ret;
}

/* ------------------------------------------------------------------ */
/* upsd.conf patch                                                     */

static int
enforce_ident(struct patch *p, const struct ident *id, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *vals[3] = { id->name, id->pw, NULL };
	const int force[2] = { 1, 1 };
	int ret;

	if (directive(&sb, "CERTIDENT", vals, force) < 0) {
		strbuf_release(&sb);
		return err_set(e, "certident name or password cannot be "
		    "written to upsd.conf: %s", cannot_write());
	}
	ret = enforce(p, D_CERTIDENT, sb.buf, right_ident, id, e);
	strbuf_release(&sb);
	return ret;
}

static const char *
pick(const char *given, const struct nutconf_value *v)
{
	if (given != NULL)
		return *given ? given : NULL;
	return v->set && v->raw[0] && strcmp(v->raw, "=") ? v->raw : NULL;
}

static int
server_ident(const struct nutconf_upsd *a, const struct nutconf_server_fix *fix,
    struct ident *id, struct err *e)
{
	if ((fix->certident_name == NULL) != (fix->certident_password == NULL))
		return err_set(e, "certident needs both a name and a password");
	if (fix->certident_name != NULL) {
		id->name = fix->certident_name;
		id->pw = fix->certident_password;
	} else if (a->certident.set) {
		id->name = a->certident.name;
		id->pw = a->certident.password;
	} else
		return err_set(e, "no CERTIDENT given nor in upsd.conf: NSS "
		    "builds need the certificate nickname and database "
		    "password");
	if (id->name[0] == '\0')
		return err_set(e, "the CERTIDENT nickname is empty");
	return 0;
}

static int
patch_nss(struct patch *p, const struct nutconf_upsd *a,
    const struct nutconf_server_fix *fix, struct err *e)
{
	const char *certpath = pick(fix->certpath, &a->certpath);
	struct ident id;

	if (certpath == NULL)
		return err_set(e, "no CERTPATH given nor in upsd.conf: NSS "
		    "builds need the certificate database directory");
	if (server_ident(a, fix, &id, e) < 0 ||
	    enforce_value(p, D_CERTPATH, certpath, "certpath", e) < 0 ||
	    enforce_ident(p, &id, e) < 0)
		return -1;
	return 0;
}

static int
patch_upsd(struct patch *p, const struct nutconf_upsd *a,
    const struct nutconf_server_fix *fix, struct err *e)
{
	const char *certfile;

	if (fix->backend == NUTCONF_BACKEND_NSS) {
		if (patch_nss(p, a, fix, e) < 0)
			return -1;
	} else {
		certfile = pick(fix->certfile, &a->certfile);
		if (certfile == NULL)
			return err_set(e, "no CERTFILE given nor in upsd.conf: "
			    "OpenSSL builds need the PEM file (chain, then "
			    "key)");
		if (enforce_value(p, D_CERTFILE, certfile, "certfile", e) < 0)
			return -1;
	}
	if (fix->disable_weak_ssl &&
	    enforce(p, D_WEAKSSL, "DISABLE_WEAK_SSL true", right_true, NULL,
	    e) < 0)
		return -1;
	return 0;
}

int
nutconf_patch_upsd(const void *buf, size_t len,
    const struct nutconf_server_fix *fix, struct strbuf *out, struct err *e)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsd a;
	struct patch p;
	int ret;

	if (fix == NULL)
		return err_set(e, "no server fix given");
	if (fix->backend != NUTCONF_BACKEND_NSS &&
	    fix->backend != NUTCONF_BACKEND_OPENSSL)
		return err_set(e, "the SSL backend must be known (nss or "
		    "openssl): the directives differ");
	nutconf_parse(&f, buf, len);
	nutconf_upsd_analyze(&a, &f, fix->backend);
	patch_init(&p, &f, P_UPSD, fix->backend, "# mend: enable TLS");
	ret = patch_upsd(&p, &a, fix, e);
	if (ret == 0)
		ret = check_append(&p, e);
	if (ret == 0)
		render(&p, out);
	patch_release(&p);
	nutconf_upsd_release(&a);
	nutconf_file_release(&f);
	return ret;
}
