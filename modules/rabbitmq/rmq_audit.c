/*
 * rmq_audit.c - RabbitMQ's rules for mend audit: rabbitmq.conf (and
 * conf.d/ *.conf), the legacy rabbitmq.config, advanced.config and
 * enabled_plugins of one configuration directory, read with rmqconf.h's
 * parser and analysis (the ones rabbitmq_facts uses) and patched for
 * --diff with rmq_patch() (the one rabbitmq_tls uses).
 *
 * Options (mend audit --set KEY=VALUE), as the playbook's variables:
 *   rmq_cacertfile  (default /etc/rabbitmq/tls/ca.pem)
 *   rmq_certfile    (default /etc/rabbitmq/tls/server.pem)
 *   rmq_keyfile     (default /etc/rabbitmq/tls/server.key)
 * An ssl_options.* file the configuration already names is kept.
 */
#include <stdlib.h>
#include <string.h>

#include "runner/audit/audit.h"
#include "modules/rabbitmq/rmq_audit.h"
#include "modules/rabbitmq/rmqconf.h"
#include "runner/util/banned.h"


static const struct audit_rule rmq_rules[] = {
	[R_PLAIN_AMQP] = { "RMQ001", "rabbitmq-plaintext-amqp", SEV_HIGH,
	    "the broker opens a plaintext AMQP 0-9-1 listener (5672 unless "
	    "listeners.tcp = none)",
	    "AMQP 0-9-1 has no STARTTLS: every client on a plaintext listener "
	    "sends its credentials and messages in cleartext",
	    "listeners.tcp = none and a TLS listener (listeners.ssl.default = "
	    "5671 with ssl_options.*) (mend: playbooks/rabbitmq-tls.yml)",
	    "rabbitmq-conf, rabbitmq-config, rabbitmq-advanced" },
	[R_INVALID_KEY] = { "RMQ002", "rabbitmq-invalid-key", SEV_CRITICAL,
	    "a key RabbitMQ does not have, in a namespace it checks (e.g. the "
	    "common advice listeners.tcp.ssl_options.enabled)",
	    "the broker refuses to boot with an unknown key: the next restart "
	    "takes the service down", "remove the line; TLS is ssl_options.* "
	    "with listeners.ssl.* (mend's fix comments it out with the reason)",
	    "rabbitmq-conf" },
	[R_INVALID_VALUE] = { "RMQ003", "rabbitmq-invalid-value", SEV_CRITICAL,
	    "a value the broker rejects (e.g. a listener '[::1]:5671', a port "
	    "out of range, an unknown ssl_options.verify)",
	    "the broker refuses to boot: the next restart takes the service "
	    "down", "write the value as the schema wants it (listeners: PORT "
	    "or IP:PORT without brackets)", "rabbitmq-conf" },
	[R_PLAIN_MGMT] = { "RMQ004", "rabbitmq-plaintext-management",
	    SEV_MEDIUM, "the management plugin serves HTTP without TLS "
	    "(15672)", "the management UI and API take the administrator's "
	    "password in cleartext (HTTP basic authentication)",
	    "management.ssl.port = 15671 with management.ssl.cacertfile/"
	    "certfile/keyfile, and no management.tcp.* (mend: rabbitmq_tls "
	    "close_plugins: [management])", "rabbitmq-conf, rabbitmq-plugins" },
	[R_PLAIN_PLUGIN] = { "RMQ005", "rabbitmq-plaintext-plugin", SEV_MEDIUM,
	    "a plugin listener without TLS (STOMP, MQTT, stream, Web STOMP, "
	    "Web MQTT, Prometheus)", "clients of that protocol send "
	    "credentials and messages in cleartext",
	    "<proto>.listeners.tcp = none and a <proto>.listeners.ssl "
	    "listener (mend: rabbitmq_tls close_plugins)",
	    "rabbitmq-conf, rabbitmq-plugins" },
	[R_WEAK_TLS] = { "RMQ006", "rabbitmq-weak-tls-version", SEV_MEDIUM,
	    "ssl_options.versions allows TLS 1.0 or 1.1",
	    "TLS 1.0/1.1 are deprecated (RFC 8996) and allow downgrade and "
	    "weak-cipher attacks", "ssl_options.versions.1 = tlsv1.3, "
	    "ssl_options.versions.2 = tlsv1.2 (what mend's fix writes)",
	    "rabbitmq-conf" },
	[R_CONF_IGNORED] = { "RMQ007", "rabbitmq-conf-ignored", SEV_HIGH,
	    "a legacy rabbitmq.config sits beside rabbitmq.conf: the broker "
	    "reads only rabbitmq.config", "every setting in rabbitmq.conf, "
	    "TLS included, is silently not in effect",
	    "move the settings into one file: rabbitmq.conf, or "
	    "advanced.config for what needs Erlang terms, and remove "
	    "rabbitmq.config (mend's fix refuses to patch around it)",
	    "rabbitmq-conf, rabbitmq-config" },
	[R_TLS_NO_CERT] = { "RMQ008", "rabbitmq-tls-without-certificate",
	    SEV_HIGH, "a TLS listener is configured but ssl_options.certfile "
	    "or ssl_options.keyfile is not", "every TLS handshake fails: "
	    "clients cannot connect over TLS (and fall back to plaintext "
	    "where it is open)", "ssl_options.cacertfile, certfile and keyfile "
	    "(mend: playbooks/rabbitmq-tls.yml)", "rabbitmq-conf" },
	[R_UNVERIFIED] = { "RMQ009", "rabbitmq-unverified-key", SEV_INFO,
	    "a key that is not a setting of RabbitMQ 3.10.8 or its bundled "
	    "plugins", "the broker refuses to boot unless a third-party "
	    "plugin or a newer release defines it: perhaps a typo",
	    "check the key's spelling against the plugin's schema",
	    "rabbitmq-conf" },
	[R_SCAN_AMQP] = { "RMQ101", "amqp-scan-cleartext", SEV_HIGH,
	    "the broker answers the AMQP 0-9-1 header with Connection.Start "
	    "in cleartext", "credentials and messages of every client on this "
	    "port travel in cleartext", "close the plaintext listener (RMQ001; "
	    "mend: playbooks/rabbitmq-tls.yml)", "scan" },
	[R_SCAN_MGMT] = { "RMQ102", "rabbitmq-scan-management-http",
	    SEV_MEDIUM, "the RabbitMQ management API answers over plain HTTP",
	    "the administrator's password travels in cleartext",
	    "serve management over HTTPS only (RMQ004)", "scan" },
	[R_SCAN_TLS] = { "RMQ103", "amqp-scan-certificate", SEV_HIGH,
	    "the broker's TLS certificate does not verify against the given "
	    "CA, or is expired", "clients that verify refuse it; clients that "
	    "do not are open to impersonation", "serve a valid certificate "
	    "from the CA the clients trust", "scan" },
	[R_SCAN_WEAKTLS] = { "RMQ104", "amqp-scan-weak-tls", SEV_MEDIUM,
	    "the broker completes a TLS 1.0 or 1.1 handshake",
	    "TLS 1.0/1.1 are deprecated (RFC 8996)",
	    "ssl_options.versions.1 = tlsv1.3, ssl_options.versions.2 = "
	    "tlsv1.2 (RMQ006)", "scan" },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL },
};

/* ------------------------------------------------------------ types */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int
conf_name(const char *path)
{
	size_t n = strlen(path);

	return strcmp(base_name(path), "rabbitmq.conf") == 0 ||
	    (strstr(path, "rabbitmq/conf.d/") && n > 5 &&
	    strcmp(path + n - 5, ".conf") == 0);
}

/* Every key a RabbitMQ 3.10.8 setting (or one it refuses in a namespace
 * it checks), at least one valid: a rabbitmq.conf under another name. */
static int
conf_content(const char *buf, size_t len)
{
	struct rmq_conf c = RMQ_CONF_INIT;
	struct err e = ERR_INIT;
	size_t i, valid = 0;
	int ok;

	ok = rmq_conf_parse(&c, NULL, buf, len, &e) == 0;
	for (i = 0; ok && i < c.n; i++) {
		enum rmq_key_class k = c.entries[i].include ? RMQ_KEY_VALID :
		    rmq_key_classify(c.entries[i].key, NULL);

		valid += k == RMQ_KEY_VALID;
		ok = k != RMQ_KEY_UNVERIFIED;
	}
	rmq_conf_release(&c);
	err_release(&e);
	return ok && valid > 0;
}

static int
legacy_name(const char *path)
{
	return strcmp(base_name(path), "rabbitmq.config") == 0;
}

static int
legacy_content(const char *buf, size_t len)
{
	struct rmq_legacy l;

	if (memmem(buf, len, "{rabbit,", 8) == NULL &&
	    memmem(buf, len, "{rabbit ,", 9) == NULL)
		return 0;
	rmq_legacy_scan(buf, len, &l);
	return l.tcp.present || l.ssl.present || l.ssl_options;
}

static int
advanced_name(const char *path)
{
	return strcmp(base_name(path), "advanced.config") == 0 &&
	    strstr(path, "rabbitmq") != NULL;
}

static int
plugins_name(const char *path)
{
	return strcmp(base_name(path), "enabled_plugins") == 0;
}

static const struct audit_type rmq_types[] = {
	{ "rabbitmq-conf", "RabbitMQ rabbitmq.conf or conf.d/*.conf",
	    conf_name, conf_content },
	{ "rabbitmq-config", "RabbitMQ legacy rabbitmq.config (Erlang terms)",
	    legacy_name, legacy_content },
	{ "rabbitmq-advanced", "RabbitMQ advanced.config", advanced_name,
	    NULL },
	{ "rabbitmq-plugins", "RabbitMQ enabled_plugins", plugins_name, NULL },
	{ NULL, NULL, NULL, NULL },
};

/* ------------------------------------------------------------ checks */

struct group {
	struct audit_input *main;           /* rabbitmq.conf */
	struct audit_input *confd[64];      /* conf.d files, sorted */
	size_t nconfd;
	struct audit_input *legacy, *advanced, *plugins;
	struct rmq_conf confs[65];
	const struct rmq_conf *cp[65];
	size_t nconfs;
	struct audit_input *cin[65];        /* input of each conf */
	struct rmq_plugins pl;
	struct rmq_legacy lg, adv;
};

static int
is_type(const struct audit_input *in, const char *id)
{
	return strcmp(in->type->id, id) == 0;
}

static void
sort_group(struct group *g, struct audit_input *const *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_type(in[i], "rabbitmq-conf")) {
			if (strcmp(base_name(in[i]->path), "rabbitmq.conf") == 0 &&
			    g->main == NULL)
				g->main = in[i];
			else if (g->nconfd < ARRAY_SIZE(g->confd))
				g->confd[g->nconfd++] = in[i];
		} else if (is_type(in[i], "rabbitmq-config")) {
			g->legacy = in[i];
		} else if (is_type(in[i], "rabbitmq-advanced")) {
			g->advanced = in[i];
		} else {
			g->plugins = in[i];
		}
	}
	/* inputs arrive in path order: conf.d files are already sorted */
}

static void
parse_conf(struct audit_run *r, struct group *g, struct audit_input *in)
{
	struct rmq_conf *c = &g->confs[g->nconfs];
	struct err e = ERR_INIT;
	size_t i;

	if (rmq_conf_parse(c, in->path, in->buf, in->len, &e) < 0)
		for (i = 0; i < c->nerrors; i++)
			audit_input_error(r, in->path, c->errors[i].line,
			    c->errors[i].col, "syntax error: %s (the broker "
			    "refuses to boot)", c->errors[i].msg);
	err_release(&e);
	g->cp[g->nconfs] = c;
	g->cin[g->nconfs++] = in;
}

static int
parse_group(struct audit_run *r, struct group *g, struct rmq_input *ri)
{
	struct err e = ERR_INIT;
	size_t i;
	int ok = 1;

	if (g->main)
		parse_conf(r, g, g->main);
	for (i = 0; i < g->nconfd; i++)
		parse_conf(r, g, g->confd[i]);
	if (g->plugins && rmq_plugins_parse(&g->pl, g->plugins->path,
	    g->plugins->buf, g->plugins->len, &e) < 0) {
		audit_input_error(r, g->plugins->path, 0, 0, "%s",
		    err_text(&e, "unparsable"));
		ok = 0;
	}
	if (g->legacy)
		rmq_legacy_scan(g->legacy->buf, g->legacy->len, &g->lg);
	if (g->advanced)
		rmq_legacy_scan(g->advanced->buf, g->advanced->len, &g->adv);
	memset(ri, 0, sizeof(*ri));
	ri->confs = g->cp;
	ri->nconfs = g->nconfs;
	ri->plugins = g->plugins && ok ? &g->pl : NULL;
	ri->legacy = g->legacy ? &g->lg : NULL;
	ri->advanced = g->advanced ? &g->adv : NULL;
	err_release(&e);
	return ok;
}

/* The input a listener or note names, and the column of its line. */
static struct audit_input *
where(struct group *g, const char *file, int line, int *col)
{
	size_t i, j;

	*col = 0;
	if (file && strcmp(file, "rabbitmq.config") == 0)
		return g->legacy;
	if (file && strcmp(file, "advanced.config") == 0)
		return g->advanced;
	for (i = 0; file && i < g->nconfs; i++) {
		if (strcmp(g->cp[i]->file, file) != 0)
			continue;
		for (j = 0; j < g->cp[i]->n; j++)
			if (g->cp[i]->entries[j].line == line)
				*col = g->cp[i]->entries[j].col;
		return g->cin[i];
	}
	return NULL;
}

/* Where a built-in default is reported: the main file the broker reads. */
static struct audit_input *
default_place(struct group *g, struct audit_input *first)
{
	if (g->legacy && g->lg.has_term)
		return g->legacy;
	return g->main ? g->main : g->nconfd ? g->confd[0] : first;
}

static void
listener_findings(struct audit_run *r, struct group *g,
    const struct rmq_analysis *a, struct audit_input *first)
{
	const struct rmq_listener *l;
	struct audit_input *in;
	size_t i;
	int col, rule;

	for (i = 0; i < a->nlisteners; i++) {
		l = &a->listeners[i];
		if (l->tls)
			continue;
		in = l->line ? where(g, l->file, l->line, &col) : NULL;
		if (in == NULL) {
			in = default_place(g, first);
			col = 0;
		}
		rule = l->proto == RMQ_P_AMQP ? R_PLAIN_AMQP :
		    l->proto == RMQ_P_MGMT ? R_PLAIN_MGMT : R_PLAIN_PLUGIN;
		audit_report(r, &rmq_rules[rule], in, l->line, col,
		    "plaintext %s listener on %s%s%d%s",
		    rmq_proto_name(l->proto, 0), l->addr[0] ? l->addr : "",
		    l->addr[0] ? ":" : "port ", l->port,
		    l->line ? "" : " (built-in default)");
	}
}

static int
weak_version(const char *v)
{
	return strcmp(v, "tlsv1") == 0 || strcmp(v, "tlsv1.1") == 0 ||
	    strcmp(v, "sslv3") == 0;
}

static void
entry_findings(struct audit_run *r, struct group *g,
    const struct rmq_analysis *a)
{
	const struct rmq_entry *en;
	const char *why;
	size_t ci, i, k;

	for (ci = 0; ci < g->nconfs && !a->conf_ignored; ci++)
		for (i = 0; i < g->cp[ci]->n; i++) {
			en = &g->cp[ci]->entries[i];
			if (en->include)
				continue;
			switch (rmq_key_classify(en->key, NULL)) {
			case RMQ_KEY_INVALID:
				audit_report(r, &rmq_rules[R_INVALID_KEY],
				    g->cin[ci], en->line, en->col, "invalid key "
				    "'%s': the broker will refuse to boot", en->key);
				continue;
			case RMQ_KEY_UNVERIFIED:
				audit_report(r, &rmq_rules[R_UNVERIFIED],
				    g->cin[ci], en->line, en->col, "unverified "
				    "key '%s'", en->key);
				continue;
			case RMQ_KEY_VALID:
				break;
			}
			if (rmq_value_check(en->key, en->value, &why) < 0)
				audit_report(r, &rmq_rules[R_INVALID_VALUE],
				    g->cin[ci], en->line, en->value_col,
				    "invalid value '%s' for '%s' (%s)", en->value,
				    en->key, why);
			for (k = 0; k < a->nversions; k++)
				if (a->versions[k] == en->value &&
				    weak_version(en->value))
					audit_report(r, &rmq_rules[R_WEAK_TLS],
					    g->cin[ci], en->line, en->value_col,
					    "%s = %s", en->key, en->value);
		}
}

static void
global_findings(struct audit_run *r, struct group *g,
    const struct rmq_analysis *a, struct audit_input *first)
{
	size_t i;
	int tls = 0;

	if (a->conf_ignored && (g->main || g->nconfd))
		audit_report(r, &rmq_rules[R_CONF_IGNORED], g->main ? g->main :
		    g->confd[0], 0, 0, "'%s' is used instead: this file is not "
		    "read", g->legacy->path);
	for (i = 0; i < a->nlisteners; i++)
		tls |= a->listeners[i].tls && a->listeners[i].proto == RMQ_P_AMQP;
	if (tls && !a->conf_ignored && (!a->certfile || !a->keyfile))
		audit_report(r, &rmq_rules[R_TLS_NO_CERT], default_place(g, first),
		    0, 0, "a TLS listener without ssl_options.%s",
		    !a->certfile ? "certfile" : "keyfile");
}

static void
fix_main(struct audit_run *r, struct group *g, const struct rmq_analysis *a)
{
	struct rmq_patch_opts o;
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;
	int changed = 0;

	if (g->main == NULL || !a->vulnerable)
		return;
	memset(&o, 0, sizeof(o));
	o.cacertfile = a->cacertfile ? a->cacertfile :
	    audit_opt(r, "rmq_cacertfile", "/etc/rabbitmq/tls/ca.pem");
	o.certfile = a->certfile ? a->certfile :
	    audit_opt(r, "rmq_certfile", "/etc/rabbitmq/tls/server.pem");
	o.keyfile = a->keyfile ? a->keyfile :
	    audit_opt(r, "rmq_keyfile", "/etc/rabbitmq/tls/server.key");
	if (a->conf_ignored)
		audit_fix(r, g->main, NULL, 0, "rabbitmq.config is used instead "
		    "of this file (mend's fix refuses to patch it)");
	else if (rmq_patch(g->cp[0], &o, &out, NULL, &changed, &e) < 0)
		audit_fix(r, g->main, NULL, 0, err_text(&e, "refused"));
	else if (changed)
		audit_fix(r, g->main, out.buf, out.len, NULL);
	strbuf_release(&out);
	err_release(&e);
}

static void
rmq_check(struct audit_run *r, struct audit_input *const *in, size_t n)
{
	struct group *g = xcalloc(1, sizeof(*g));
	struct rmq_analysis a;
	struct rmq_input ri;
	size_t i;

	sort_group(g, in, n);
	parse_group(r, g, &ri);
	rmq_analyze(&ri, &a);
	listener_findings(r, g, &a, in[0]);
	entry_findings(r, g, &a);
	global_findings(r, g, &a, in[0]);
	fix_main(r, g, &a);
	rmq_analysis_release(&a);
	for (i = 0; i < g->nconfs; i++)
		rmq_conf_release(&g->confs[i]);
	rmq_plugins_release(&g->pl);
	free(g);
}

static const struct scan_probe *const rmq_probes[] = {
	&scan_amqp, &scan_amqps, &scan_rabbitmq_mgmt, NULL,
};

const struct audit_product audit_rabbitmq = {
	.name = "rabbitmq",
	.types = rmq_types,
	.rules = rmq_rules,
	.check = rmq_check,
	.probes = rmq_probes,
};
