/*
 * nutconf_patch.c - the patch engine and the upsmon.conf and upsd.conf
 * patchers: verified TLS enforced, every other byte kept (nutconf.h).
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
	    nutc_known_keyword(p->prog, r->w[0].val));
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
		nutc_classify(p->prog, p->backend, &f->lines[i], &p->c[i]);
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
	char *shown = nutc_shown_line(p->f, rec_line(p, rec));
	char *s;

	if (p->c[rec].wellformed)
		s = xasprintf("# mend: %s duplicate '%s'", verb, shown);
	else
		s = xasprintf("# mend: %s '%s' (%s by %s)", verb, shown,
		    p->c[rec].accepted ? "misread" : "ignored",
		    nutc_prog_name[p->prog]);
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
		if (of_kind(p, i, k) && nutc_candidate(&p->c[i]))
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
	    p->f->lines[last->first].line, nutc_prog_name[p->prog]);
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
int
nutc_directive(struct strbuf *sb, const char *kw, const char *const *vals,
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

	if (nutc_directive(&sb, nutc_dspec[k].kw, vals, force) < 0) {
		strbuf_release(&sb);
		return err_set(e, "%s cannot be written to %s.conf: %s", what,
		    nutc_prog_name[p->prog], cannot_write());
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

	return nutc_directive(sb, "CERTHOST", vals, force);
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
		if (of_kind(p, i, D_CERTHOST) && nutc_candidate(&p->c[i])) {
			v[*nr].host = rec_line(p, i)->w[1].val;
			v[(*nr)++].idx = i;
		}
	qsort(v, *nr, sizeof(*v), nutc_hostref_cmp);
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
		if (of_kind(p, i, D_CERTHOST) && !nutc_candidate(&p->c[i]))
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
		if (!nutc_host_monitored(a, q->host))
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

	if (nutc_directive(&sb, "CERTIDENT", vals, force) < 0) {
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
