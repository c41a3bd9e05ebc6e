/*
 * nutconf_lines.c - the TLS directives of upsmon.conf and upsd.conf: which
 * line is which (exact, misspelled, wrong backend, ineffective), how a
 * line is shown (never a secret), and the issue list.
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

/* Classification of TLS lines                                         */



const struct dspec nutc_dspec[D_NKINDS] = {
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

const char *const nutc_prog_name[] = { "upsmon", "upsd" };

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

int
nutc_known_keyword(enum prog prog, const char *kw)
{
	const char *const *k = prog == P_UPSMON ? upsmon_keywords :
	    upsd_keywords;

	for (; *k != NULL; k++)
		if (!strcmp(kw, *k))
			return 1;
	return !strcasecmp(kw, "DEBUG_MIN");
}



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
	return edit_distance_max(up, canon, 1) == 1;
}

static enum dkind
find_kind(enum prog prog, const char *kw, struct cls *c)
{
	const enum dkind *k = prog == P_UPSMON ? upsmon_kinds : upsd_kinds;
	size_t i;

	for (i = 0; k[i] != D_NONE; i++)
		if (!strcasecmp(kw, nutc_dspec[k[i]].kw)) {
			c->exact = strcmp(kw, nutc_dspec[k[i]].kw) == 0;
			return k[i];
		}
	if (nutc_known_keyword(prog,
	    kw))       /* another directive, spelled right */
		return D_NONE;
	for (i = 0; k[i] != D_NONE; i++)
		if (misspelling(kw, nutc_dspec[k[i]].kw)) {
			c->misspelled = 1;
			return k[i];
		}
	return D_NONE;
}

int
nutc_wrong_backend(enum prog prog, enum nutconf_backend be, enum dkind k)
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
	if (nutc_plain_int(s))
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

void
nutc_classify(enum prog prog, enum nutconf_backend be,
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
	c->missing = nargs + 1 < nutc_dspec[c->kind].minargs;
	c->wrong_backend = nutc_wrong_backend(prog, be, c->kind);
	if (r->nr >= nutc_dspec[c->kind].minargs)
		c->bad_value = bad_value(r, c->kind);
	c->accepted = !r->parse_error && !r->eof_lost && c->exact &&
	    r->nr >= nutc_dspec[c->kind].minargs && !c->wrong_backend &&
	    !(c->kind == D_WEAKSSL && c->bad_value);
	c->wellformed = c->accepted && !c->has_eq && !c->bad_value;
}

/* A line the patchers may rewrite in place: NUT reads its words as they
 * stand, only a value may be wrong. */
int
nutc_candidate(const struct cls *c)
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

char *
nutc_shown_line(const struct nutconf_file *f, const struct nutconf_line *r)
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
char *
nutc_shown_value(const char *s)
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
		s = nutc_shown_value(r->w[1].val);
		strbuf_addf(sb, "'%s' is not a boolean: use true", s);
		free(s);
		return;
	}
	v = r->w[1].val;
	if (k == D_CERTHOST)
		v = bad_number(r->w[3].val, 0) ? r->w[3].val : r->w[4].val;
	s = nutc_shown_value(v);
	strbuf_addf(sb, "%s are numbers: '%s' is read as %d",
	    k == D_CERTHOST ? "flags" : "values", s, nutconf_atoi(v));
	free(s);
}

static void
why_keyword(struct strbuf *sb, const struct cls *c)
{
	if (c->misspelled)
		strbuf_addf(sb, "misspelled, the keyword is '%s'",
		    nutc_dspec[c->kind].kw);
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
	else if (c->missing || r->nr < nutc_dspec[c->kind].minargs) {
		if (c->has_eq)
			strbuf_addstr(&sb, "keywords take no '='; ");
		why_missing(&sb, c->kind);
	} else if (c->has_eq)
		strbuf_addf(&sb, "keywords take no '=': %s reads '=' as a "
		    "value", nutc_prog_name[prog]);
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
void
nutc_issue_addf(struct nutconf_issues *is, int line, const char *directive,
    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	issue_add(is, line, directive, strbuf_detach(&sb, NULL));
}

void
nutc_issues_release(struct nutconf_issues *is)
{
	size_t i;

	for (i = 0; i < is->nr; i++)
		free(is->v[i].text);
	free(is->v);
	memset(is, 0, sizeof(*is));
}

void
nutc_issue_del_directive(struct nutconf_issues *is, const char *directive)
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

/* Record line r (classified c) among the lines NUT ignores or misreads. */
static void
bad_add(struct nutconf_bad_line **v, size_t *nr, size_t *alloc,
    const struct nutconf_file *f, const struct nutconf_line *r,
    const struct cls *c, enum prog prog)
{
	struct nutconf_bad_line *b;

	ALLOC_GROW(*v, *nr + 1, *alloc);
	b = &(*v)[(*nr)++];
	b->line = r->line;
	b->directive = nutc_dspec[c->kind].kw;
	b->accepted = c->accepted;
	b->shown = nutc_shown_line(f, r);
	b->why = why_text(c, r, prog);
}

void
nutc_bad_release(struct nutconf_bad_line *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].shown);
		free(v[i].why);
	}
	free(v);
}

void
nutc_bad_reason(struct nutconf_issues *is, const struct nutconf_bad_line *b,
    enum prog prog)
{
	nutc_issue_addf(is, b->line, b->directive,
	    "line %d: '%s' is %s by %s (%s)",
	    b->line, b->shown, b->accepted ? "misread" : "ignored",
	    nutc_prog_name[prog], b->why);
}

void
nutc_value_set(struct nutconf_value *v, const struct nutconf_line *r, int num)
{
	free(v->raw);
	v->set = 1;
	v->line = r->line;
	v->raw = xstrdup(r->w[1].val);
	v->num = num;
}

void
nutc_value_release(struct nutconf_value *v)
{
	free(v->raw);
	memset(v, 0, sizeof(*v));
}

void
nutc_ident_set(char **name, char **pw, int *set, int *line,
    const struct nutconf_line *r)
{
	free(*name);
	free(*pw);
	*name = xstrdup(r->w[1].val);
	*pw = xstrdup(r->w[2].val);
	*set = 1;
	*line = r->line;
}

/* The note for a line NUT cannot parse. */
static void
parse_error_note(struct nutconf_issues *notes,
    const struct nutconf_line *r,
    enum prog prog)
{
	nutc_issue_addf(notes, r->line, NULL,
	    "line %d: parse error (unescaped '#' "
	    "inside quotes): %s ignores this line and reads the rest of it as "
	    "a new line", r->line, nutc_prog_name[prog]);
}

/* The note for a line whose keyword prog does not know (it is
 * ignored). */
static void
unknown_note(struct nutconf_issues *notes, const struct nutconf_file *f,
    const struct nutconf_line *r, enum prog prog)
{
	char *s;

	if (nutc_known_keyword(prog, r->w[0].val) || !starts_line(f, r))
		return;
	s = nutc_shown_value(r->w[0].val);
	nutc_issue_addf(notes, r->line, NULL,
	    "line %d: %s has no directive '%s' "
	    "(the line is ignored)", r->line, nutc_prog_name[prog], s);
	free(s);
}

static void
wrong_backend_note(const struct nutc_sink *s, const struct nutconf_line *r,
    enum dkind k)
{
	nutc_issue_addf(s->notes, r->line, nutc_dspec[k].kw,
	    "line %d: %s is not valid "
	    "on %s builds (upsd ignores it)", r->line, nutc_dspec[k].kw,
	    s->backend == NUTCONF_BACKEND_NSS ? "NSS" : "OpenSSL");
}

enum nutc_take
nutc_take_line(const struct nutc_sink *s, const struct nutconf_file *f,
    const struct nutconf_line *r, struct cls *c)
{
	nutc_classify(s->prog, s->backend, r, c);
	if (c->kind == D_NONE) {
		if (r->parse_error)
			parse_error_note(s->notes, r, s->prog);
		else if (!r->eof_lost) {
			unknown_note(s->notes, f, r, s->prog);
			return NUTC_TAKE_OTHER;
		}
		return NUTC_TAKE_DONE;
	}
	if (c->wrong_backend)
		wrong_backend_note(s, r, c->kind);
	else if (!c->wellformed)
		bad_add(s->bad, s->nr_bad, s->alloc_bad, f, r, c, s->prog);
	return c->accepted ? NUTC_TAKE_APPLY : NUTC_TAKE_DONE;
}

/* ------------------------------------------------------------------ */
