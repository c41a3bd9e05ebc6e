/*
 * rmqconf_patch.c - the TLS-only patcher of rabbitmq.conf: every other byte
 * kept; see rmqconf.h "patcher".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqconf.h"
#include "modules/rabbitmq/rmqconf_int.h"
#include "runner/util/banned.h"

/* ============================================================== patcher */

struct want {
	const char *key;     /* static or owned by keybuf */
	char *keybuf;
	const char *value;   /* borrowed from the options or static */
	int line;            /* index of the line holding its last occurrence, -1 */
};

struct patch {
	const struct rmq_conf *c;
	const struct rmq_patch_opts *o;
	struct want *w;
	size_t nw, walloc;
	const char **remove;   /* per line: removal reason or NULL */
	int *want_of;          /* per line: index in w when the line is set */
	struct err *e;
};

static const char *const default_versions[] = { "tlsv1.3", "tlsv1.2" };

/* Values mend writes: no way to misread them with any cuttlefish. */
static int
safe_value(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && !IS_WS(v[0]) && !IS_WS(v[n - 1]) && v[0] != '\'' &&
	       strpbrk(v, "#\r\n") == NULL && rmqc_utf8_bad(v, n) == n;
}

static int
want_add(struct patch *p, const char *key, char *keybuf, const char *value)
{
	const char *why = NULL;
	struct want *w;

	if (keybuf)
		key = keybuf;
	if (rmq_key_classify(key, NULL) != RMQ_KEY_VALID)
		fatal("BUG: rmq_patch about to write unknown setting '%s'", key);
	if (!safe_value(value) || rmq_value_check(key, value, &why) < 0) {
		err_set(p->e, "invalid value '%s' for '%s'%s%s", value, key,
			why ? ": " : "", why ? why : "");
		free(keybuf);
		return -1;
	}
	ALLOC_GROW(p->w, p->nw + 1, p->walloc);
	w = &p->w[p->nw++];
	w->key = key;
	w->keybuf = keybuf;
	w->value = value;
	w->line = -1;
	return 0;
}

static struct want *
want_find(struct patch *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nw; i++)
		if (strcmp(p->w[i].key, key) == 0)
			return &p->w[i];
	return NULL;
}

/* Line index of entry en. */
static const struct rmq_entry *
line_entry(const struct patch *p, size_t li)
{
	const struct rmq_line *ln = &p->c->lines[li];

	if (ln->kind != RMQ_SETTING)
		return NULL;
	return &p->c->entries[ln->entry];
}

/* Does the file hold a usable "<prefix>.$name" TLS listener? */
static int
has_listener(const struct patch *p, const char *prefix)
{
	char pat[64];
	const char *why;
	size_t i;

	snprintf(pat, sizeof(pat), "%s.$name", prefix);
	for (i = 0; i < p->c->n; i++)
		if (!p->c->entries[i].include &&
		    rmqc_pattern_match(pat, p->c->entries[i].key) &&
		    rmq_value_check(p->c->entries[i].key,
				    p->c->entries[i].value, &why) == 0)
			return 1;
	return 0;
}

static int
wants_amqp(struct patch *p)
{
	const struct rmq_patch_opts *o = p->o;
	const char *const *ver = o->versions ? o->versions : default_versions;
	size_t nver = o->versions ? o->nversions : ARRAY_SIZE(default_versions);
	size_t i;
	int rc = 0;

	rc |= want_add(p, "listeners.tcp", NULL, "none");
	for (i = 0; i < o->nssl_listeners && o->ssl_listeners; i++)
		rc |= want_add(p, "", xasprintf("listeners.ssl.%zu", i + 1),
			       o->ssl_listeners[i]);
	if (!o->ssl_listeners && !has_listener(p, "listeners.ssl"))
		rc |= want_add(p, "listeners.ssl.default", NULL, "5671");
	if (!o->cacertfile || !o->certfile || !o->keyfile)
		return err_set(p->e, "cacertfile, certfile and keyfile are "
			       "required");
	rc |= want_add(p, "ssl_options.cacertfile", NULL, o->cacertfile);
	rc |= want_add(p, "ssl_options.certfile", NULL, o->certfile);
	rc |= want_add(p, "ssl_options.keyfile", NULL, o->keyfile);
	rc |= want_add(p, "ssl_options.verify", NULL,
		       o->verify ? o->verify : "verify_peer");
	rc |= want_add(p, "ssl_options.fail_if_no_peer_cert", NULL,
		       o->fail_if_no_peer_cert ? "true" : "false");
	if (nver == 0)
		return err_set(p->e, "at least one TLS version is required");
	for (i = 0; i < nver; i++)
		rc |= want_add(p, "", xasprintf("ssl_options.versions.%zu", i + 1),
			       ver[i]);
	return rc ? -1 : 0;
}

static const struct plugin_close {
	unsigned bit;
	const char *tcp, *ssl, *ssl_default, *port;
	size_t opt;          /* offset of the listener option */
} plugin_close[] = {
	{ RMQ_CLOSE_STOMP, "stomp.listeners.tcp", "stomp.listeners.ssl",
	  "stomp.listeners.ssl.default", "61614",
	  offsetof(struct rmq_patch_opts, stomp_ssl_listener) },
	{ RMQ_CLOSE_MQTT, "mqtt.listeners.tcp", "mqtt.listeners.ssl",
	  "mqtt.listeners.ssl.default", "8883",
	  offsetof(struct rmq_patch_opts, mqtt_ssl_listener) },
	{ RMQ_CLOSE_STREAM, "stream.listeners.tcp", "stream.listeners.ssl",
	  "stream.listeners.ssl.default", "5551",
	  offsetof(struct rmq_patch_opts, stream_ssl_listener) },
};

static const char *
plugin_listener_opt(const struct rmq_patch_opts *o, const struct plugin_close *pc)
{
	const char *v = *(const char *const *)((const char *)o + pc->opt);

	return v ? v : pc->port;
}

/* management.listener.ssl = true in this file: a legacy TLS listener. */
static int
mgmt_legacy_tls(const struct patch *p)
{
	const struct rmq_entry *en = rmq_conf_get(p->c, "management.listener.ssl");

	return en && strcmp(en->value, "true") == 0;
}

static int
wants_plugins(struct patch *p)
{
	const struct rmq_patch_opts *o = p->o;
	const struct rmq_entry *en;
	const char *why;
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(plugin_close); i++) {
		if (!(o->close_plugins & plugin_close[i].bit))
			continue;
		rc |= want_add(p, plugin_close[i].tcp, NULL, "none");
		if (!has_listener(p, plugin_close[i].ssl))
			rc |= want_add(p, plugin_close[i].ssl_default, NULL,
				       plugin_listener_opt(o, &plugin_close[i]));
	}
	if (!(o->close_plugins & RMQ_CLOSE_MGMT) || mgmt_legacy_tls(p))
		return rc ? -1 : 0;
	en = rmq_conf_get(p->c, "management.ssl.port");
	if (o->mgmt_ssl_port || !en ||
	    rmq_value_check(en->key, en->value, &why) < 0)
		rc |= want_add(p, "management.ssl.port", NULL,
			       o->mgmt_ssl_port ? o->mgmt_ssl_port : "15671");
	if (o->mgmt_ssl_ip)
		rc |= want_add(p, "management.ssl.ip", NULL, o->mgmt_ssl_ip);
	rc |= want_add(p, "management.ssl.cacertfile", NULL, o->cacertfile);
	rc |= want_add(p, "management.ssl.certfile", NULL, o->certfile);
	rc |= want_add(p, "management.ssl.keyfile", NULL, o->keyfile);
	return rc ? -1 : 0;
}

/* Why the line holding en must go, or NULL (wanted keys handled apart). */
static const char *
removal_reason(const struct patch *p, const struct rmq_entry *en)
{
	const char *k = en->key, *why;
	unsigned cl = p->o->close_plugins;
	size_t i;

	if (rmq_key_classify(k, NULL) == RMQ_KEY_INVALID)
		return "not a RabbitMQ setting, the broker refuses to boot with it";
	if (rmqc_pattern_match("listeners.tcp.$name", k))
		return "plaintext AMQP listener";
	if (strcmp(k, "ssl_options") == 0)
		return "'ssl_options = none' discards the TLS options";
	if (rmqc_pattern_match("ssl_options.versions.$v", k))
		return "replaced by mend's TLS version list";
	if (strcmp(k, "listeners.ssl") == 0)
		return "TLS listeners must stay enabled";
	if (rmqc_pattern_match("listeners.ssl.$name", k) && p->o->ssl_listeners)
		return "replaced by mend's TLS listener list";
	if (rmqc_pattern_match("listeners.ssl.$name", k) &&
	    rmq_value_check(k, en->value, &why) < 0)
		return "invalid TLS listener value, the broker refuses to boot with it";
	for (i = 0; i < ARRAY_SIZE(plugin_close); i++) {
		if (!(cl & plugin_close[i].bit))
			continue;
		if (rmqc_in_namespace(k, plugin_close[i].tcp))
			return "plaintext plugin listener";
		if (strcmp(k, plugin_close[i].ssl) == 0)
			return "the plugin's TLS listeners must stay enabled";
	}
	if ((cl & RMQ_CLOSE_MGMT) && rmqc_in_namespace(k, "management.tcp"))
		return "plaintext management (HTTP) listener";
	if ((cl & RMQ_CLOSE_MGMT) &&
	    rmqc_in_namespace(k, "management.listener") && !mgmt_legacy_tls(p))
		return "plaintext legacy management (HTTP) listener";
	return NULL;
}

static void
mark_lines(struct patch *p)
{
	const struct rmq_entry *en;
	struct want *w;
	size_t li;

	for (li = 0; li < p->c->nlines; li++) {
		p->want_of[li] = -1;
		en = line_entry(p, li);
		if (en == NULL)
			continue;
		w = want_find(p, en->key);
		if (w && w->line >= 0)
			p->remove[w->line] = "duplicate, overridden by a later line";
		if (w) {
			w->line = (int)li;
			continue;
		}
		p->remove[li] = removal_reason(p, en);
	}
	for (li = 0; li < p->nw; li++)
		if (p->w[li].line >= 0)
			p->want_of[p->w[li].line] = (int)li;
}

static void
emit_eol(struct strbuf *out, int crlf)
{
	strbuf_addstr(out, crlf ? "\r\n" : "\n");
}

static void
emit_line(struct patch *p, size_t li, struct strbuf *out, struct strbuf *ch,
	  int *changed)
{
	const struct rmq_line *ln = &p->c->lines[li];
	const char *s = p->c->buf + ln->off;
	const struct rmq_entry *en = line_entry(p, li);
	const struct want *w = p->want_of[li] >= 0 ? &p->w[p->want_of[li]] : NULL;

	if (p->remove[li]) {
		strbuf_addf(out, "# mend: removed (%s): ", p->remove[li]);
		strbuf_add(out, s, ln->len);
		if (ch)
			strbuf_addf(ch, "line %zu: removed '%.*s' (%s)\n", li + 1,
				    (int)ln->len, s, p->remove[li]);
		*changed = 1;
	} else if (w && strcmp(en->value, w->value) != 0) {
		strbuf_add(out, s, en->val_off - ln->off);
		strbuf_addstr(out, w->value);
		strbuf_add(out, p->c->buf + en->val_off + en->val_len,
			   ln->off + ln->len - en->val_off - en->val_len);
		if (ch)
			strbuf_addf(ch, "line %zu: set '%s' to '%s' (was '%s')\n",
				    li + 1, w->key, w->value, en->value);
		*changed = 1;
	} else {
		strbuf_add(out, s, ln->len);
	}
	strbuf_add(out, p->c->buf + ln->off + ln->len, ln->eol);
}

static void
emit_appended(struct patch *p, struct strbuf *out, struct strbuf *ch,
	      int *changed)
{
	const struct rmq_line *last = p->c->nlines ?
		&p->c->lines[p->c->nlines - 1] : NULL;
	size_t i;
	int header = 0;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i].line >= 0)
			continue;
		if (!header) {
			if (last && last->eol == 0)
				emit_eol(out, p->c->crlf);
			if (last && last->kind != RMQ_BLANK)
				emit_eol(out, p->c->crlf);
			strbuf_addstr(out, "# mend: TLS-only listeners (AMQP 0-9-1 "
				      "has no STARTTLS: plaintext disabled)");
			emit_eol(out, p->c->crlf);
			header = 1;
		}
		strbuf_addf(out, "%s = %s", p->w[i].key, p->w[i].value);
		emit_eol(out, p->c->crlf);
		if (ch)
			strbuf_addf(ch, "added '%s = %s'\n", p->w[i].key,
				    p->w[i].value);
		*changed = 1;
	}
}

static void
patch_release(struct patch *p)
{
	size_t i;

	for (i = 0; i < p->nw; i++)
		free(p->w[i].keybuf);
	free(p->w);
	free(p->remove);
	free(p->want_of);
}

int
rmq_patch(const struct rmq_conf *c, const struct rmq_patch_opts *o,
	  struct strbuf *out, struct strbuf *changes, int *changed,
	  struct err *e)
{
	struct patch p;
	size_t li;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.o = o;
	p.e = e;
	*changed = 0;
	if (c->nerrors > 0) {
		err_set(e, "refusing to patch '%s': %zu syntax error(s), the "
			"first at line %d", c->file ? c->file : "rabbitmq.conf",
			c->nerrors, c->errors[0].line);
		goto out;
	}
	if (wants_amqp(&p) < 0 || wants_plugins(&p) < 0)
		goto out;
	p.remove = xcalloc(c->nlines + 1, sizeof(*p.remove));
	p.want_of = xcalloc(c->nlines + 1, sizeof(*p.want_of));
	mark_lines(&p);
	for (li = 0; li < c->nlines; li++)
		emit_line(&p, li, out, changes, changed);
	emit_appended(&p, out, changes, changed);
	rc = 0;
out:
	patch_release(&p);
	return rc;
}
