/*
 * amqconf.c - activemq.xml semantics and the TLS patch (amqconf.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modules/activemq/amqconf.h"
#include "modules/module.h"
#include "runner/util/banned.h"

#define MAX_NEST 8
#define MASK "********"

static const struct amq_scheme schemes[] = {
	{ "tcp", "OpenWire", 0, "ssl", "" },
	{ "nio", "OpenWire", 0, "nio+ssl", "" },
	{ "ssl", "OpenWire", 1, NULL, "" },
	{ "nio+ssl", "OpenWire", 1, NULL, "" },
	{ "stomp", "STOMP", 0, "stomp+ssl", "activemq-stomp" },
	{ "stomp+nio", "STOMP", 0, "stomp+nio+ssl", "activemq-stomp" },
	{ "stomp+ssl", "STOMP", 1, NULL, "activemq-stomp" },
	{ "stomp+nio+ssl", "STOMP", 1, NULL, "activemq-stomp" },
	{ "mqtt", "MQTT", 0, "mqtt+ssl", "activemq-mqtt" },
	{ "mqtt+nio", "MQTT", 0, "mqtt+nio+ssl", "activemq-mqtt" },
	{ "mqtt+ssl", "MQTT", 1, NULL, "activemq-mqtt" },
	{ "mqtt+nio+ssl", "MQTT", 1, NULL, "activemq-mqtt" },
	{ "amqp", "AMQP", 0, "amqp+ssl", "activemq-amqp" },
	{ "amqp+nio", "AMQP", 0, "amqp+nio+ssl", "activemq-amqp" },
	{ "amqp+ssl", "AMQP", 1, NULL, "activemq-amqp" },
	{ "amqp+nio+ssl", "AMQP", 1, NULL, "activemq-amqp" },
	{ "auto", "auto", 0, "auto+ssl", "" },
	{ "auto+nio", "auto", 0, "auto+nio+ssl", "" },
	{ "auto+ssl", "auto", 1, NULL, "" },
	{ "auto+nio+ssl", "auto", 1, NULL, "" },
	{ "ws", "WebSocket", 0, "wss", "activemq-http" },
	{ "wss", "WebSocket", 1, NULL, "activemq-http" },
	{ "http", "HTTP", 0, "https", "activemq-http" },
	{ "https", "HTTP", 1, NULL, "activemq-http" },
	{ "udp", "OpenWire/UDP", 0, NULL, "" },
};

const struct amq_scheme *
amq_scheme_find(const char *scheme)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schemes); i++)
		if (strcasecmp(schemes[i].scheme, scheme) == 0)
			return &schemes[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Properties                                                          */

const char *
amq_props_get(const struct amq_props *p, const char *name)
{
	size_t i;

	for (i = 0; p != NULL && i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return p->values[i];
	return NULL;
}

void
amq_props_set(struct amq_props *p, const char *name, const char *value)
{
	if (amq_props_get(p, name) != NULL)
		return;
	ALLOC_GROW(p->names, p->n + 1, p->alloc);
	p->values = xrealloc(p->values, p->alloc * sizeof(*p->values));
	p->names[p->n] = xstrdup(name);
	p->values[p->n] = xstrdup(value);
	p->n++;
}

void
amq_props_release(struct amq_props *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
	memset(p, 0, sizeof(*p));
}

/* One logical line of a .properties file: continuation lines joined,
 * escapes decoded.  Returns the offset after it. */
static size_t
props_line(const char *b, size_t len, size_t p, struct strbuf *out)
{
	while (p < len && b[p] != '\n' && b[p] != '\r') {
		if (b[p] == '\\' && p + 1 < len) {
			char c = b[++p];

			if (c == '\n' || c == '\r') {
				p += (c == '\r' && p + 1 < len &&
				    b[p + 1] == '\n') ? 2 : 1;
				while (p < len && (b[p] == ' ' || b[p] == '\t'))
					p++;
				continue;
			}
			strbuf_addch(out, c == 't' ? '\t' : c == 'n' ? '\n' :
			    c == 'r' ? '\r' : c);
			p++;
			continue;
		}
		strbuf_addch(out, b[p++]);
	}
	while (p < len && (b[p] == '\n' || b[p] == '\r'))
		p++;
	return p;
}

static void
props_entry(struct amq_props *p, const char *s)
{
	size_t k, v;
	char *key;

	while (*s == ' ' || *s == '\t' || *s == '\f')
		s++;
	if (*s == '\0' || *s == '#' || *s == '!')
		return;
	k = strcspn(s, "=: \t\f");
	v = k;
	while (s[v] == ' ' || s[v] == '\t' || s[v] == '\f')
		v++;
	if (s[v] == '=' || s[v] == ':')
		v++;
	while (s[v] == ' ' || s[v] == '\t' || s[v] == '\f')
		v++;
	key = xstrndup(s, k);
	amq_props_set(p, key, s + v);
	free(key);
}

void
amq_props_load(struct amq_props *p, const char *buf, size_t len)
{
	struct strbuf line = STRBUF_INIT;
	size_t off = 0;

	while (off < len) {
		strbuf_reset(&line);
		off = props_line(buf, len, off, &line);
		props_entry(p, line.buf);
	}
	strbuf_release(&line);
}

/* ------------------------------------------------------------------ */
/* Placeholders                                                        */

/* The "}" that closes the "${" at s (nesting counted), or NULL. */
static const char *
ph_close(const char *s)
{
	int depth = 0;

	for (; *s != '\0'; s++) {
		if (s[0] == '$' && s[1] == '{') {
			depth++;
			s++;
		} else if (*s == '}' && --depth == 0) {
			return s;
		}
	}
	return NULL;
}

static void resolve_into(struct strbuf *out, const char *s,
    const struct amq_props *props, int *unres, int nest);

static void
resolve_one(struct strbuf *out, const char *inner, size_t n,
    const struct amq_props *props, int *unres, int nest)
{
	struct strbuf name = STRBUF_INIT;
	char *raw = xstrndup(inner, n), *colon;
	const char *v;

	resolve_into(&name, raw, props, unres, nest + 1);
	colon = strchr(name.buf, ':');
	if (colon != NULL)
		*colon = '\0';
	v = amq_props_get(props, name.buf);
	if (v != NULL)
		resolve_into(out, v, props, unres, nest + 1);
	else if (colon != NULL)
		strbuf_addstr(out, colon + 1);
	else {
		strbuf_addf(out, "${%s}", raw);
		(*unres)++;
	}
	free(raw);
	strbuf_release(&name);
}

static void
resolve_into(struct strbuf *out, const char *s, const struct amq_props *props,
    int *unres, int nest)
{
	while (*s != '\0') {
		const char *d = strstr(s, "${"), *e;

		if (d == NULL || nest > MAX_NEST || (e = ph_close(d)) == NULL) {
			strbuf_addstr(out, s);
			if (d != NULL)
				(*unres)++;
			return;
		}
		strbuf_add(out, s, (size_t)(d - s));
		resolve_one(out, d + 2, (size_t)(e - d - 2), props, unres, nest);
		s = e + 1;
	}
}

char *
amq_resolve(const char *s, const struct amq_props *props, int *unresolved)
{
	struct strbuf out = STRBUF_INIT;
	int n = 0;

	resolve_into(&out, s, props, &n, 0);
	if (unresolved != NULL)
		*unresolved = n;
	return strbuf_detach(&out, NULL);
}

/* ------------------------------------------------------------------ */
/* Analysis                                                            */

struct an {
	struct amq_conf *c;
	const struct amq_props *props;
};

static void
note(struct amq_conf *c, char *msg)
{
	c->notes = xrealloc(c->notes, (c->nnotes + 1) * sizeof(*c->notes));
	c->notes[c->nnotes++] = msg;
}

static const char *
attr_val(const struct amq_conf *c, long tok, const char *name)
{
	const struct ax_attr *a = ax_attr(&c->doc, &c->doc.toks[tok], name);

	return a ? a->value : NULL;
}

/* Resolve v if placeholders are active, noting what stays unresolved. */
static char *
resolve(struct an *a, const char *v, int line)
{
	int unres = 0;
	char *r;

	if (v == NULL)
		return NULL;
	if (!a->c->placeholders)
		return xstrdup(v);
	r = amq_resolve(v, a->props, &unres);
	if (unres)
		note(a->c, xasprintf("line %d: unresolved placeholder in '%s': "
		    "the broker refuses to start with it", line, v));
	return r;
}

static void
add_location(struct an *a, const char *v, int line)
{
	char *r = resolve(a, v, line);
	char *s = r, *tok;

	while (s != NULL && *s != '\0') {
		size_t n = strcspn(s, ",");

		tok = xstrndup(s, n);
		while (*tok == ' ')
			memmove(tok, tok + 1, strlen(tok));
		a->c->locations = xrealloc(a->c->locations,
		    (a->c->nlocations + 1) * sizeof(*a->c->locations));
		a->c->locations[a->c->nlocations++] = tok;
		s += n + (s[n] == ',');
	}
	free(r);
}

/* <property name="location(s)" value=".."/> or with <value> children. */
static void
configurer_props(struct an *a, long bean)
{
	const struct ax_doc *d = &a->c->doc;
	long p, v;

	for (p = ax_child(d, bean, -1); p >= 0; p = ax_child(d, bean, p)) {
		const char *n = attr_val(a->c, p, "name");

		if (!ax_is(d, &d->toks[p], "property") || n == NULL ||
		    (strcmp(n, "location") && strcmp(n, "locations")))
			continue;
		if (attr_val(a->c, p, "value") != NULL)
			add_location(a, attr_val(a->c, p, "value"),
			    d->toks[p].line);
		if (d->toks[p].kind != AX_START)
			continue;
		for (v = p + 1; v < d->toks[p].close; v++) {
			struct strbuf t = STRBUF_INIT;

			if (!ax_is(d, &d->toks[v], "value") ||
			    d->toks[v].kind != AX_START)
				continue;
			ax_text(d, v, &t);
			add_location(a, t.buf, d->toks[v].line);
			strbuf_release(&t);
		}
	}
}

static void
find_configurer(struct an *a)
{
	const struct ax_doc *d = &a->c->doc;
	size_t i;

	for (i = 0; i < d->ntoks; i++) {
		const struct ax_tok *t = &d->toks[i];
		const char *cls;

		if (ax_is(d, t, "property-placeholder")) {
			a->c->placeholders = 1;
			if (attr_val(a->c, (long)i, "location"))
				add_location(a, attr_val(a->c, (long)i,
				    "location"), t->line);
		} else if (ax_is(d, t, "bean") && (cls = attr_val(a->c,
		    (long)i, "class")) != NULL &&
		    strstr(cls, "PlaceholderConfigurer") != NULL) {
			a->c->placeholders = 1;
			configurer_props(a, (long)i);
		}
	}
}

/* scheme://host:port/path?query of a resolved URI. */
static void
split_uri(struct amq_conn *k)
{
	const char *u = k->resolved, *sep = strstr(u, "://"), *h, *q;
	size_t hn;
	char *colon;

	k->port = -1;
	q = strchr(u, '?');
	k->query = xstrdup(q ? q + 1 : "");
	if (sep == NULL || (q != NULL && q < sep)) {
		k->scheme = xstrndup(u, strcspn(u, ":?"));
		k->host = xstrdup("");
		return;
	}
	k->scheme = xstrndup(u, (size_t)(sep - u));
	for (char *s = k->scheme; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	h = sep + 3;
	hn = strcspn(h, "/?#");
	k->host = xstrndup(h, hn);
	colon = strrchr(k->host, ':');
	if (colon != NULL && strchr(colon, ']') == NULL) {
		k->port = atoi(colon + 1);
		*colon = '\0';
	}
	if (k->host[0] == '[' && k->host[strlen(k->host) - 1] == ']') {
		memmove(k->host, k->host + 1, strlen(k->host));
		k->host[strlen(k->host) - 1] = '\0';
	}
}

static void
judge_conn(struct amq_conn *k)
{
	k->sch = amq_scheme_find(k->scheme);
	if (strstr(k->resolved, "${") != NULL)
		k->problem = xasprintf("the URI has an unresolved placeholder");
	else if (strcmp(k->scheme, "vm") == 0)
		return;                 /* in-process, not a listener */
	else if (k->sch == NULL)
		k->problem = xasprintf("unknown transport scheme '%s'",
		    k->scheme);
	else
		k->cleartext = !k->sch->tls;
}

static void
add_conn(struct an *a, long tok)
{
	struct amq_conf *c = a->c;
	const struct ax_tok *t = &c->doc.toks[tok];
	const struct ax_attr *u = ax_attr(&c->doc, t, "uri");
	struct amq_conn *k;

	c->conns = xrealloc(c->conns, (c->nconns + 1) * sizeof(*c->conns));
	k = &c->conns[c->nconns++];
	memset(k, 0, sizeof(*k));
	k->tok = tok;
	k->line = t->line;
	k->col = t->col;
	k->name = xstrdup(attr_val(c, tok, "name") ?
	    attr_val(c, tok, "name") : "");
	k->attr = u ? (size_t)(u - c->doc.attrs) : (size_t)-1;
	k->uri = xstrdup(u ? u->value : "");
	k->resolved = resolve(a, k->uri, t->line);
	split_uri(k);
	if (u == NULL)
		k->problem = xasprintf("no uri attribute");
	else
		judge_conn(k);
}

static void
store(struct an *a, struct amq_store *s, long tok, const char *what)
{
	char buf[64];
	const char *v = attr_val(a->c, tok, what);
	int line = a->c->doc.toks[tok].line;

	s->raw = v ? xstrdup(v) : NULL;
	s->path = resolve(a, v, line);
	if (s->path != NULL && strncmp(s->path, "file:", 5) == 0)
		memmove(s->path, s->path + 5, strlen(s->path + 5) + 1);
	snprintf(buf, sizeof(buf), "%sPassword", what);
	s->password = resolve(a, attr_val(a->c, tok, buf), line);
	snprintf(buf, sizeof(buf), "%sType", what);
	s->type = resolve(a, attr_val(a->c, tok, buf), line);
}

static void
broker_children(struct an *a)
{
	struct amq_conf *c = a->c;
	const struct ax_doc *d = &c->doc;
	long ch, k;

	for (ch = ax_child(d, c->broker, -1); ch >= 0;
	    ch = ax_child(d, c->broker, ch)) {
		if (ax_is(d, &d->toks[ch], "transportConnectors") &&
		    d->toks[ch].kind == AX_START) {
			c->connectors = ch;
			for (k = ax_child(d, ch, -1); k >= 0;
			    k = ax_child(d, ch, k))
				if (ax_is(d, &d->toks[k], "transportConnector"))
					add_conn(a, k);
		} else if (ax_is(d, &d->toks[ch], "sslContext")) {
			c->ssl_outer = ch;
			if (d->toks[ch].kind == AX_START)
				c->ssl_inner = ax_child(d, ch, -1);
		}
	}
	if (c->ssl_inner >= 0 && ax_is(d, &d->toks[c->ssl_inner],
	    "sslContext")) {
		store(a, &c->key, c->ssl_inner, "keyStore");
		store(a, &c->trust, c->ssl_inner, "trustStore");
	}
}

int
amq_conf_parse(struct amq_conf *c, const char *file, const char *buf,
    size_t len, const struct amq_props *props, struct err *e)
{
	struct an a;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->broker = c->connectors = c->ssl_outer = c->ssl_inner = -1;
	c->parsed = 1;
	c->own = xmalloc(len + 1);
	memcpy(c->own, buf, len);
	c->own[len] = '\0';
	if (ax_parse(&c->doc, file, c->own, len, e) < 0)
		return -1;
	a.c = c;
	a.props = props;
	c->props = props;
	find_configurer(&a);
	for (i = 0; i < c->doc.ntoks && c->broker < 0; i++)
		if (ax_is(&c->doc, &c->doc.toks[i], "broker") &&
		    c->doc.toks[i].kind == AX_START)
			c->broker = (long)i;
	if (c->broker < 0)
		return err_setpos(e, NULL, "%s: no <broker> element", file);
	c->broker_name = resolve(&a, attr_val(c, c->broker, "brokerName"),
	    c->doc.toks[c->broker].line);
	broker_children(&a);
	return 0;
}

static void
store_release(struct amq_store *s)
{
	free(s->raw);
	free(s->path);
	free(s->password);
	free(s->type);
}

void
amq_conf_release(struct amq_conf *c)
{
	size_t i;

	for (i = 0; i < c->nconns; i++) {
		struct amq_conn *k = &c->conns[i];

		free(k->name);
		free(k->uri);
		free(k->resolved);
		free(k->scheme);
		free(k->host);
		free(k->query);
		free(k->problem);
	}
	for (i = 0; i < c->nlocations; i++)
		free(c->locations[i]);
	for (i = 0; i < c->nnotes; i++)
		free(c->notes[i]);
	free(c->locations);
	free(c->notes);
	free(c->conns);
	free(c->broker_name);
	store_release(&c->key);
	store_release(&c->trust);
	if (c->parsed)
		ax_release(&c->doc);
	free(c->own);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* Masking                                                             */

void
amq_mask(const char *buf, size_t len, struct strbuf *out)
{
	size_t p = 0;

	while (p < len) {
		const char *m = memmem(buf + p, len - p, "assword", 7);
		size_t q, v;

		if (m == NULL)
			break;
		q = (size_t)(m - buf) + 7;
		v = q;
		while (v < len && (buf[v] == ' ' || buf[v] == '\t'))
			v++;
		if (v < len && buf[v] == '=') {
			v++;
			while (v < len && (buf[v] == ' ' || buf[v] == '\t'))
				v++;
		}
		if (v >= len || (buf[v] != '"' && buf[v] != '\'')) {
			strbuf_add(out, buf + p, q - p);
			p = q;
			continue;
		}
		{
			const char *e = memchr(buf + v + 1, buf[v], len - v - 1);

			if (e == NULL) {
				strbuf_add(out, buf + p, q - p);
				p = q;
				continue;
			}
			strbuf_add(out, buf + p, v + 1 - p);
			strbuf_addstr(out, MASK);
			p = (size_t)(e - buf);
		}
	}
	strbuf_add(out, buf + p, len - p);
}

/* ActiveMQ's XML configs (activemq.xml, jetty.xml, ...): *Password
 * attributes (for `mend show` and every diff: module.h). */
static int
amq_applies(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && strcmp(path + n - 4, ".xml") == 0;
}

const struct secret_masker masker_activemq = { amq_applies, amq_mask };
