/*
 * amqpatch.c - the TLS patch of activemq.xml (amqconf.h amq_patch): byte
 * splices over the tokens of amqxml.h, nothing else of the file moves.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modules/activemq/amqconf.h"
#include "runner/util/banned.h"

struct pt {
	const struct amq_conf *c;
	const struct ax_doc *d;
	const struct amq_patch_opts *o;
	struct ax_edits ed;
	struct strbuf *changes;
	struct err *e;
	const char *nl;
};

static int
refuse(struct pt *t, long tok, const char *fmt, const char *a, const char *b)
{
	struct pos p;

	p.file = t->d->file;
	p.line = t->d->toks[tok].line;
	p.col = t->d->toks[tok].col;
	return err_setpos(t->e, &p, fmt, a, b);
}

/* ------------------------------------------------------------------ */
/* URIs                                                                */

/* uri with query option key=val set (replaced or appended). */
static char *
set_opt(const char *uri, const char *key, const char *val)
{
	struct strbuf o = STRBUF_INIT;
	const char *q = strchr(uri, '?'), *s;
	size_t kl = strlen(key);
	int done = 0, first = 1;

	if (q == NULL)
		return xasprintf("%s?%s=%s", uri, key, val);
	strbuf_add(&o, uri, (size_t)(q - uri) + 1);
	for (s = q + 1; ; ) {
		size_t n = strcspn(s, "&");

		if (n > 0 || s[n] == '&') {
			strbuf_addstr(&o, first ? "" : "&");
			first = 0;
			if (n >= kl && strncmp(s, key, kl) == 0 &&
			    (n == kl || s[kl] == '=')) {
				strbuf_addf(&o, "%s=%s", key, val);
				done = 1;
			} else {
				strbuf_add(&o, s, n);
			}
		}
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	if (!done)
		strbuf_addf(&o, "%s%s=%s", first ? "" : "&", key, val);
	return strbuf_detach(&o, NULL);
}

static int
web_scheme(const struct amq_scheme *s)
{
	return strcmp(s->proto, "WebSocket") == 0 ||
	    strcmp(s->proto, "HTTP") == 0;
}

/* The connector's new URI (malloc'ed), or NULL to comment it out. */
static char *
new_uri(struct pt *t, const struct amq_conn *k, const char *sep)
{
	const struct amq_scheme *s = k->sch;
	char *u, *v;

	if (k->cleartext && t->o->remove)
		return NULL;
	u = k->cleartext ? xasprintf("%s%s", s->tls_form, sep) :
	    xstrdup(k->uri);
	if (web_scheme(s))
		return u;       /* Jetty's options differ: left as they are */
	if (t->o->protocols != NULL) {
		v = set_opt(u, "transport.enabledProtocols", t->o->protocols);
		free(u);
		u = v;
	}
	if (t->o->need_client_auth) {
		v = set_opt(u, "transport.needClientAuth", "true");
		free(u);
		u = v;
	}
	return u;
}

/* The whole element of token i: [off, end). */
static void
element_span(const struct ax_doc *d, long i, size_t *off, size_t *end)
{
	const struct ax_tok *t = &d->toks[i];

	*off = t->off;
	if (t->kind == AX_START && t->close >= 0)
		*end = d->toks[t->close].off + d->toks[t->close].len;
	else
		*end = t->off + t->len;
}

static void
comment_out(struct pt *t, const struct amq_conn *k)
{
	struct strbuf o = STRBUF_INIT;
	size_t off, end, i;

	element_span(t->d, k->tok, &off, &end);
	strbuf_addf(&o, "<!-- mend: removed (cleartext %s): ", k->sch->proto);
	for (i = off; i < end; i++) {
		strbuf_addch(&o, t->d->buf[i]);
		if (t->d->buf[i] == '-' && i + 1 < end && t->d->buf[i + 1] == '-')
			strbuf_addch(&o, ' ');
	}
	strbuf_addstr(&o, " -->");
	ax_edit_add(&t->ed, off, end - off, strbuf_detach(&o, NULL));
	strbuf_addf(t->changes, "removed the cleartext %s connector '%s' "
	    "(%s) at line %d\n", k->sch->proto, k->name, k->uri, k->line);
}

static void
set_attr_value(struct pt *t, const struct ax_attr *a, const char *v)
{
	struct strbuf o = STRBUF_INIT;

	ax_escape_attr(&o, v, a->quote);
	ax_edit_add(&t->ed, a->val_off, a->val_len, strbuf_detach(&o, NULL));
}

static int
conn_edit(struct pt *t, const struct amq_conn *k)
{
	const char *sep = strstr(k->uri, "://");
	char *u;

	if (k->sch == NULL && k->problem == NULL)
		return 0;                      /* vm:// */
	if (k->problem != NULL)
		return refuse(t, k->tok, "connector '%s': %s: cannot tell "
		    "whether it is cleartext", k->name, k->problem);
	if (sep == NULL || memmem(k->uri, (size_t)(sep - k->uri), "${", 2))
		return refuse(t, k->tok, "connector '%s': the scheme of '%s' "
		    "is not written out: cannot change it", k->name, k->uri);
	if (k->cleartext && !t->o->remove && k->sch->tls_form == NULL)
		return refuse(t, k->tok, "connector '%s' (%s) has no TLS "
		    "form: remove it (cleartext: remove)", k->name, k->uri);
	u = new_uri(t, k, sep);
	if (u == NULL) {
		comment_out(t, k);
		return 0;
	}
	if (strcmp(u, k->uri) != 0) {
		set_attr_value(t, &t->d->attrs[k->attr], u);
		strbuf_addf(t->changes, "connector '%s' at line %d: %s -> %s\n",
		    k->name, k->line, k->uri, u);
	}
	free(u);
	return 0;
}

/* ------------------------------------------------------------------ */
/* sslContext                                                          */

struct want {
	const char *name, *value;
	int secret;
};

static size_t
wanted(const struct amq_patch_opts *o, struct want *w)
{
	size_t n = 0;

	w[n++] = (struct want){ "keyStore", o->key_store, 0 };
	w[n++] = (struct want){ "keyStorePassword", o->key_store_password, 1 };
	if (o->key_store_type)
		w[n++] = (struct want){ "keyStoreType", o->key_store_type, 0 };
	if (o->trust_store) {
		w[n++] = (struct want){ "trustStore", o->trust_store, 0 };
		w[n++] = (struct want){ "trustStorePassword",
		    o->trust_store_password, 1 };
		if (o->trust_store_type)
			w[n++] = (struct want){ "trustStoreType",
			    o->trust_store_type, 0 };
	}
	return n;
}

static void
attrs_text(struct strbuf *o, const struct want *w, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (w[i].value == NULL)
			continue;
		strbuf_addf(o, "%s%s=\"", i ? sep : "", w[i].name);
		ax_escape_attr(o, w[i].value, '"');
		strbuf_addch(o, '"');
	}
}

static void
change_line(struct pt *t, const struct want *w, const char *what)
{
	strbuf_addf(t->changes, "sslContext %s: %s=%s\n", what, w->name,
	    w->secret ? "********" : w->value);
}

/* Is the attribute's value (resolved) what we want? */
static int
same_value(const struct pt *t, const struct ax_attr *a, const char *want)
{
	char *r = t->c->placeholders ? amq_resolve(a->value, t->c->props,
	    NULL) : xstrdup(a->value);
	int same = strcmp(r, want) == 0 || (strncmp(r, "file:", 5) == 0 &&
	    strcmp(r + 5, want) == 0);

	free(r);
	return same;
}

static void
fix_inner(struct pt *t, const struct want *w, size_t n)
{
	const struct ax_tok *in = &t->d->toks[t->c->ssl_inner];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ax_attr *a = ax_attr(t->d, in, w[i].name);
		struct strbuf o = STRBUF_INIT;
		int blank;

		if (w[i].value == NULL)
			continue;
		if (a != NULL) {
			if (!same_value(t, a, w[i].value)) {
				set_attr_value(t, a, w[i].value);
				change_line(t, &w[i], "set");
			}
			continue;
		}
		blank = t->d->buf[in->end_off - 1] == ' ' ||
		    t->d->buf[in->end_off - 1] == '\t';
		strbuf_addstr(&o, blank ? "" : " ");
		attrs_text(&o, &w[i], 1, "");
		strbuf_addstr(&o, blank ? " " : "");
		ax_edit_add(&t->ed, in->end_off, 0, strbuf_detach(&o, NULL));
		change_line(t, &w[i], "added");
	}
}

/* Leading blanks of the line holding offset off, and whether only blanks
 * precede off on it; *bol = the line's start. */
static char *
indent_of(const struct ax_doc *d, size_t off, size_t *bol, int *alone)
{
	size_t b = off;

	while (b > 0 && d->buf[b - 1] != '\n')
		b--;
	*bol = b;
	*alone = 1;
	for (size_t i = b; i < off; i++)
		if (d->buf[i] != ' ' && d->buf[i] != '\t')
			*alone = 0;
	return xstrndup(d->buf + b, strspn(d->buf + b, " \t") < off - b ?
	    strspn(d->buf + b, " \t") : off - b);
}

/* Before the first child of <broker> that sorts after "sslContext" (the
 * XSD of old brokers wanted its children in alphabetical order), else
 * before </broker>. */
static long
anchor(const struct pt *t)
{
	const struct ax_doc *d = t->d;
	long ch;

	for (ch = ax_child(d, t->c->broker, -1); ch >= 0;
	    ch = ax_child(d, t->c->broker, ch)) {
		size_t n;
		const char *s = ax_local(d, &d->toks[ch], &n);
		char *nm = xstrndup(s, n);
		int after = strcmp(nm, "sslContext") > 0;

		free(nm);
		if (after)
			return ch;
	}
	return d->toks[t->c->broker].close;
}

/* A comment right before token at (only blanks between) describes it:
 * insert before the comment. */
static size_t
anchor_off(const struct ax_doc *d, long at)
{
	long i = at - 1;

	if (i >= 0 && d->toks[i].kind == AX_TEXT &&
	    strspn(d->buf + d->toks[i].off, " \t\r\n") >= d->toks[i].len)
		i--;
	if (i >= 0 && d->toks[i].kind == AX_COMMENT)
		return d->toks[i].off;
	return d->toks[at].off;
}

static void
insert_ssl(struct pt *t, const struct want *w, size_t n)
{
	const struct ax_doc *d = t->d;
	long at = anchor(t);
	size_t aoff = anchor_off(d, at);
	size_t bol, bbol;
	int alone, balone;
	char *ind = indent_of(d, aoff, &bol, &alone);
	char *bind = indent_of(d, d->toks[t->c->broker].off, &bbol, &balone);
	char *unit, *sep;
	struct strbuf o = STRBUF_INIT;

	if (at == d->toks[t->c->broker].close) {
		char *x = xasprintf("%s    ", ind);

		free(ind);
		ind = x;
	}
	unit = strlen(ind) > strlen(bind) ? xstrdup(ind + strlen(bind)) :
	    xstrdup("    ");
	sep = xasprintf("%s%s%s            ", t->nl, ind, unit);
	if (!alone)
		strbuf_addstr(&o, t->nl);
	strbuf_addf(&o, "%s<sslContext>%s%s%s<sslContext ", ind, t->nl, ind,
	    unit);
	attrs_text(&o, w, n, sep);
	strbuf_addf(&o, "/>%s%s</sslContext>%s%s", t->nl, ind, t->nl, t->nl);
	if (!alone)
		strbuf_addstr(&o, at == d->toks[t->c->broker].close ? bind :
		    ind);
	ax_edit_add(&t->ed, alone ? bol : aoff, 0,
	    strbuf_detach(&o, NULL));
	for (size_t i = 0; i < n; i++)
		if (w[i].value != NULL)
			change_line(t, &w[i], "added");
	free(ind);
	free(bind);
	free(unit);
	free(sep);
}

static int
ssl_edit(struct pt *t)
{
	struct want w[8];
	size_t n = wanted(t->o, w);

	if (t->o->key_store == NULL || t->o->key_store_password == NULL)
		return refuse(t, t->c->broker, "a key store "
		    "and its password are needed%s%s", "", "");
	if (t->c->ssl_outer < 0) {
		insert_ssl(t, w, n);
		return 0;
	}
	if (t->c->ssl_inner < 0 || !ax_is(t->d, &t->d->toks[t->c->ssl_inner],
	    "sslContext"))
		return refuse(t, t->c->ssl_outer, "the "
		    "<sslContext> element has a shape mend does not know (it "
		    "needs one <sslContext .../> inside)%s%s", "", "");
	fix_inner(t, w, n);
	return 0;
}

/* ------------------------------------------------------------------ */

int
amq_patch(const struct amq_conf *c, const struct amq_patch_opts *o,
    struct strbuf *out, struct strbuf *changes, struct err *e)
{
	struct pt t;
	size_t i;
	int ret = 0;

	memset(&t, 0, sizeof(t));
	t.c = c;
	t.d = &c->doc;
	t.o = o;
	t.changes = changes;
	t.e = e;
	t.nl = c->doc.crlf ? "\r\n" : "\n";
	for (i = 0; i < c->nconns && ret == 0; i++)
		ret = conn_edit(&t, &c->conns[i]);
	if (ret == 0)
		ret = ssl_edit(&t);
	if (ret == 0 && ax_apply(&t.ed, c->doc.buf, c->doc.len, out) < 0)
		ret = err_set(e, "internal error: overlapping edits");
	ax_edits_release(&t.ed);
	return ret;
}
