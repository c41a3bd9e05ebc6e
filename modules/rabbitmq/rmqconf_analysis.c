/*
 * rmqconf_analysis.c - what a host's configuration opens: every listener
 * (AMQP and the plugins'), the effective ssl_options, settings that stop
 * the broker; see rmqconf.h "analysis".
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

/* ============================================================= analysis */

static void
note_add(struct rmq_note **v, size_t *n, size_t *alloc, const char *file,
	 int line, int col, char *msg)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[*n].file = file;
	(*v)[*n].line = line;
	(*v)[*n].col = col;
	(*v)[*n].msg = msg;
	(*n)++;
}

#define REASON(a, f, l, c, ...) \
	note_add(&(a)->reasons, &(a)->nreasons, &(a)->reasons_alloc, \
		 (f), (l), (c), xasprintf(__VA_ARGS__))
#define NOTE(a, f, l, c, ...) \
	note_add(&(a)->notes, &(a)->nnotes, &(a)->notes_alloc, \
		 (f), (l), (c), xasprintf(__VA_ARGS__))

const char *
rmq_proto_name(enum rmq_proto p, int tls)
{
	static const char *const names[][2] = {
		{ "AMQP", "AMQP/TLS" }, { "management HTTP", "management HTTPS" },
		{ "STOMP", "STOMP/TLS" }, { "MQTT", "MQTT/TLS" },
		{ "stream", "stream/TLS" }, { "Web STOMP HTTP", "Web STOMP HTTPS" },
		{ "Web MQTT HTTP", "Web MQTT HTTPS" },
		{ "Prometheus HTTP", "Prometheus HTTPS" },
	};

	if ((size_t)p >= ARRAY_SIZE(names))
		return "?";
	return names[p][tls ? 1 : 0];
}

/* Is en the effective (last) occurrence of its key among the inputs? */
static int
is_effective(const struct rmq_input *in, size_t ci, const struct rmq_entry *en)
{
	size_t i;

	if (rmq_conf_get(in->confs[ci], en->key) != en)
		return 0;
	for (i = ci + 1; i < in->nconfs; i++)
		if (rmq_conf_get(in->confs[i], en->key))
			return 0;
	return 1;
}

static const struct rmq_entry *
eff_get(const struct rmq_input *in, const char *key, const char **file)
{
	const struct rmq_entry *en;
	size_t i;

	for (i = in->nconfs; i-- > 0;) {
		en = rmq_conf_get(in->confs[i], key);
		if (en) {
			if (file)
				*file = in->confs[i]->file;
			return en;
		}
	}
	return NULL;
}

static const char *
eff_value(const struct rmq_input *in, const char *key)
{
	const struct rmq_entry *en = eff_get(in, key, NULL);

	return en ? en->value : NULL;
}

/* Any effective key under ns ("management.tcp")? */
static int
eff_any_under(const struct rmq_input *in, const char *ns)
{
	size_t ci, i;

	for (ci = 0; ci < in->nconfs; ci++)
		for (i = 0; i < in->confs[ci]->n; i++)
			if (!in->confs[ci]->entries[i].include &&
			    rmqc_in_namespace(in->confs[ci]->entries[i].key,
			    ns) && strcmp(in->confs[ci]->entries[i].key, ns) != 0)
				return 1;
	return 0;
}

static void
add_listener(struct rmq_analysis *a, enum rmq_proto p, int tls,
	     const char *addr, int port, const char *file, int line)
{
	struct rmq_listener *l;
	size_t n = addr ? strlen(addr) : 0;

	ALLOC_GROW(a->listeners, a->nlisteners + 1, a->listeners_alloc);
	l = &a->listeners[a->nlisteners++];
	memset(l, 0, sizeof(*l));
	l->proto = p;
	l->tls = tls;
	if (n >= sizeof(l->addr))
		n = sizeof(l->addr) - 1;
	if (n)
		memcpy(l->addr, addr, n);
	l->addr[n] = '\0';
	l->port = port;
	l->file = file;
	l->line = line;
}

/*
 * Listeners of "<prefix> = none" / "<prefix>.$name = PORT|IP:PORT" keys
 * (listeners.tcp, stomp.listeners.ssl, ...); defport > 0 is used when no
 * such key is set.
 */
static void
conf_listeners(struct rmq_analysis *a, const struct rmq_input *in,
	       const char *prefix, enum rmq_proto p, int tls, int defport)
{
	const char *v = eff_value(in, prefix);
	char pat[64], addr[64];
	const struct rmq_entry *en;
	size_t ci, i, found = 0;
	int port;

	if (v && strcmp(v, "none") == 0)
		return;
	snprintf(pat, sizeof(pat), "%s.$name", prefix);
	for (ci = 0; ci < in->nconfs; ci++) {
		for (i = 0; i < in->confs[ci]->n; i++) {
			en = &in->confs[ci]->entries[i];
			if (en->include || !rmqc_pattern_match(pat, en->key) ||
			    !is_effective(in, ci, en))
				continue;
			found++;
			if (rmqc_parse_listener(en->value, addr, sizeof(addr),
			    &port) == 0)
				add_listener(a, p, tls, addr, port,
					     in->confs[ci]->file, en->line);
		}
	}
	if (found == 0 && defport > 0)
		add_listener(a, p, tls, "", defport, NULL, 0);
}

static void
legacy_listeners(struct rmq_analysis *a, const struct rmq_legacy_listeners *l,
		 int tls, const char *file)
{
	size_t i;

	for (i = 0; i < l->nports; i++)
		add_listener(a, RMQ_P_AMQP, tls, "", l->ports[i], file, l->line);
}

/* Drop the AMQP listeners of one kind (replaced by advanced.config). */
static void
drop_amqp(struct rmq_analysis *a, int tls)
{
	size_t i, j = 0;

	for (i = 0; i < a->nlisteners; i++)
		if (a->listeners[i].proto != RMQ_P_AMQP || a->listeners[i].tls != tls)
			a->listeners[j++] = a->listeners[i];
	a->nlisteners = j;
}

static void
amqp_listeners(struct rmq_analysis *a, const struct rmq_input *in)
{
	const struct rmq_legacy *lg = in->legacy, *adv = in->advanced;

	if (a->conf_ignored) {
		if (lg->tcp.present)
			legacy_listeners(a, &lg->tcp, 0, "rabbitmq.config");
		else
			add_listener(a, RMQ_P_AMQP, 0, "", 5672, NULL, 0);
		legacy_listeners(a, &lg->ssl, 1, "rabbitmq.config");
	} else {
		conf_listeners(a, in, "listeners.tcp", RMQ_P_AMQP, 0, 5672);
		conf_listeners(a, in, "listeners.ssl", RMQ_P_AMQP, 1, 0);
	}
	if (adv && adv->tcp.present) {
		drop_amqp(a, 0);
		legacy_listeners(a, &adv->tcp, 0, "advanced.config");
	}
	if (adv && adv->ssl.present) {
		drop_amqp(a, 1);
		legacy_listeners(a, &adv->ssl, 1, "advanced.config");
	}
}

static int
eff_port(const struct rmq_input *in, const char *key, int def, const char **file,
	 int *line)
{
	const struct rmq_entry *en = eff_get(in, key, file);
	int port;

	*line = en ? en->line : 0;
	if (en == NULL ||
	    rmqc_parse_port(en->value, strlen(en->value), &port) < 0) {
		*file = NULL;
		*line = 0;
		return def;
	}
	return port;
}

/* One cowboy-style listener (management, prometheus, web_*): ns.port. */
static void
http_listener(struct rmq_analysis *a, const struct rmq_input *in,
	      enum rmq_proto p, int tls, const char *ns, int defport)
{
	char key[64];
	const char *file = NULL, *ip;
	int line, port;

	snprintf(key, sizeof(key), "%s.port", ns);
	port = eff_port(in, key, defport, &file, &line);
	snprintf(key, sizeof(key), "%s.ip", ns);
	ip = eff_value(in, key);
	add_listener(a, p, tls, ip ? ip : "", port, file, line);
}

/* rabbit_mgmt_app:get_listeners_config/0. */
static void
mgmt_listeners(struct rmq_analysis *a, const struct rmq_input *in)
{
	int legacy = eff_any_under(in, "management.listener");
	int tcp = eff_any_under(in, "management.tcp");
	int ssl = eff_any_under(in, "management.ssl");
	const char *lssl = eff_value(in, "management.listener.ssl");

	if (legacy && !(tcp && ssl))
		http_listener(a, in, RMQ_P_MGMT,
			      lssl && strcmp(lssl, "true") == 0,
			      "management.listener", 15672);
	if (tcp || (!legacy && !ssl))
		http_listener(a, in, RMQ_P_MGMT, 0, "management.tcp", 15672);
	if (ssl)
		http_listener(a, in, RMQ_P_MGMT, 1, "management.ssl", 15671);
	if (legacy && tcp && ssl)
		NOTE(a, NULL, 0, 0, "management.listener.*, management.tcp.* "
		     "and management.ssl.* are all set: the legacy "
		     "management.listener is ignored");
}

static void
plugin_listeners(struct rmq_analysis *a, const struct rmq_input *in)
{
	const struct rmq_plugins *pl = in->plugins;

	if (rmq_plugins_enabled(pl, "rabbitmq_management"))
		mgmt_listeners(a, in);
	if (rmq_plugins_enabled(pl, "rabbitmq_stomp")) {
		conf_listeners(a, in, "stomp.listeners.tcp", RMQ_P_STOMP, 0, 61613);
		conf_listeners(a, in, "stomp.listeners.ssl", RMQ_P_STOMP, 1, 0);
	}
	if (rmq_plugins_enabled(pl, "rabbitmq_mqtt")) {
		conf_listeners(a, in, "mqtt.listeners.tcp", RMQ_P_MQTT, 0, 1883);
		conf_listeners(a, in, "mqtt.listeners.ssl", RMQ_P_MQTT, 1, 0);
	}
	if (rmq_plugins_enabled(pl, "rabbitmq_stream")) {
		conf_listeners(a, in, "stream.listeners.tcp", RMQ_P_STREAM, 0, 5552);
		conf_listeners(a, in, "stream.listeners.ssl", RMQ_P_STREAM, 1, 0);
	}
	if (rmq_plugins_enabled(pl, "rabbitmq_web_stomp"))
		http_listener(a, in, RMQ_P_WEB_STOMP, 0, "web_stomp.tcp", 15674);
	if (rmq_plugins_enabled(pl, "rabbitmq_web_mqtt"))
		http_listener(a, in, RMQ_P_WEB_MQTT, 0, "web_mqtt.tcp", 15675);
	if (rmq_plugins_enabled(pl, "rabbitmq_prometheus")) {
		if (eff_any_under(in, "prometheus.tcp") ||
		    !eff_any_under(in, "prometheus.ssl"))
			http_listener(a, in, RMQ_P_PROMETHEUS, 0, "prometheus.tcp", 15692);
		if (eff_any_under(in, "prometheus.ssl"))
			http_listener(a, in, RMQ_P_PROMETHEUS, 1, "prometheus.ssl", 15691);
	}
}

static void
fmt_listener(struct strbuf *sb, const struct rmq_listener *l)
{
	if (l->addr[0] && strchr(l->addr, ':'))
		strbuf_addf(sb, "[%s]:%d", l->addr, l->port);
	else if (l->addr[0])
		strbuf_addf(sb, "%s:%d", l->addr, l->port);
	else
		strbuf_addf(sb, "%d", l->port);
}

static void
listener_findings(struct rmq_analysis *a)
{
	struct strbuf sb = STRBUF_INIT;
	const struct rmq_listener *l;
	size_t i;

	for (i = 0; i < a->nlisteners; i++) {
		l = &a->listeners[i];
		if (l->tls)
			continue;
		strbuf_reset(&sb);
		fmt_listener(&sb, l);
		if (l->line == 0)
			strbuf_addstr(&sb, " (built-in default)");
		if (l->proto == RMQ_P_AMQP) {
			a->plaintext_amqp = 1;
			REASON(a, l->file, l->line, 0,
			       "plaintext AMQP listener on %s", sb.buf);
		} else {
			a->plaintext_plugins = 1;
			NOTE(a, l->file, l->line, 0, "plaintext %s listener on %s",
			     rmq_proto_name(l->proto, 0), sb.buf);
		}
	}
	strbuf_release(&sb);
}

static void
entry_findings(struct rmq_analysis *a, const struct rmq_conf *c,
	       const struct rmq_entry *en)
{
	enum rmq_key_class k = rmq_key_classify(en->key, NULL);
	const char *why;

	if (en->include) {
		NOTE(a, c->file, en->line, en->col, "include '%s': the included "
		     "file is not analysed", en->value);
	} else if (k == RMQ_KEY_INVALID) {
		a->will_not_boot = 1;
		REASON(a, c->file, en->line, en->col, "invalid key '%s' at line "
		       "%d: the broker will refuse to boot", en->key, en->line);
	} else if (k == RMQ_KEY_UNVERIFIED) {
		NOTE(a, c->file, en->line, en->col, "unverified key '%s' at line "
		     "%d: not a setting of RabbitMQ 3.10.8 or its bundled "
		     "plugins; the broker refuses to boot unless a plugin "
		     "defines it", en->key, en->line);
	} else if (rmq_value_check(en->key, en->value, &why) < 0) {
		a->will_not_boot = 1;
		REASON(a, c->file, en->line, en->value_col, "invalid value '%s' "
		       "for '%s' at line %d (%s): the broker will refuse to boot",
		       en->value, en->key, en->line, why);
	}
}

static void
conf_findings(struct rmq_analysis *a, const struct rmq_conf *c)
{
	size_t i;

	for (i = 0; i < c->nerrors; i++) {
		a->will_not_boot = 1;
		REASON(a, c->file, c->errors[i].line, c->errors[i].col,
		       "syntax error at line %d: %s: the broker will refuse to "
		       "boot", c->errors[i].line, c->errors[i].msg);
	}
	for (i = 0; i < c->n; i++)
		entry_findings(a, c, &c->entries[i]);
}

static void
tls_options(struct rmq_analysis *a, const struct rmq_input *in)
{
	const struct rmq_entry *en;
	size_t ci, i;

	a->cacertfile = eff_value(in, "ssl_options.cacertfile");
	a->certfile = eff_value(in, "ssl_options.certfile");
	a->keyfile = eff_value(in, "ssl_options.keyfile");
	a->verify = eff_value(in, "ssl_options.verify");
	a->fail_if_no_peer_cert = eff_value(in, "ssl_options.fail_if_no_peer_cert");
	for (ci = 0; ci < in->nconfs; ci++) {
		for (i = 0; i < in->confs[ci]->n; i++) {
			en = &in->confs[ci]->entries[i];
			if (!en->include && rmqc_pattern_match(
			    "ssl_options.versions.$v", en->key) &&
			    is_effective(in, ci, en) &&
			    a->nversions < ARRAY_SIZE(a->versions))
				a->versions[a->nversions++] = en->value;
		}
	}
}

static void
tls_findings(struct rmq_analysis *a)
{
	size_t i;
	int tls = 0;

	for (i = 0; i < a->nlisteners; i++)
		tls |= a->listeners[i].tls && a->listeners[i].proto == RMQ_P_AMQP;
	if (tls && !a->conf_ignored && (!a->certfile || !a->keyfile))
		NOTE(a, NULL, 0, 0, "a TLS listener is configured but "
		     "ssl_options.certfile or ssl_options.keyfile is not set: "
		     "TLS handshakes will fail");
	if (tls && a->verify && strcmp(a->verify, "verify_none") == 0)
		NOTE(a, NULL, 0, 0, "ssl_options.verify = verify_none: client "
		     "certificates are not verified");
}

void
rmq_analyze(const struct rmq_input *in, struct rmq_analysis *a)
{
	struct rmq_input none = { NULL, 0, in->plugins, in->legacy, in->advanced };
	size_t i;

	memset(a, 0, sizeof(*a));
	a->conf_ignored = in->legacy && in->legacy->has_term;
	if (a->conf_ignored) {
		NOTE(a, NULL, 0, 0, "rabbitmq.config (Erlang terms) exists and "
		     "is used instead of rabbitmq.conf: settings in "
		     "rabbitmq.conf are ignored");
		in = &none;
	}
	for (i = 0; i < in->nconfs; i++)
		conf_findings(a, in->confs[i]);
	amqp_listeners(a, in);
	plugin_listeners(a, in);
	listener_findings(a);
	tls_options(a, in);
	tls_findings(a);
	a->vulnerable = a->plaintext_amqp || a->will_not_boot;
}

void
rmq_analysis_release(struct rmq_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nreasons; i++)
		free(a->reasons[i].msg);
	for (i = 0; i < a->nnotes; i++)
		free(a->notes[i].msg);
	free(a->reasons);
	free(a->notes);
	free(a->listeners);
	memset(a, 0, sizeof(*a));
}
