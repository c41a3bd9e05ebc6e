/*
 * activemq_facts.c - what an Apache ActiveMQ "Classic" broker listens on,
 * from its activemq.xml as the broker reads it (modules/activemq/amqhost.h,
 * amqconf.h): every transport connector with its scheme, protocol,
 * address, port and whether it is cleartext; the sslContext and its key
 * and trust stores (exist? readable by the broker's user? does the
 * configured password open them?); the version, the transport modules
 * present (Debian 12 has no AMQP), whether it runs and where it logs.
 * vulnerable: one reason per cleartext listener.  will_not_boot: a
 * connector whose module is missing, or a file that does not parse.
 * Read-only.
 */
#include <string.h>

#include "modules/activemq/amqhost.h"
#include "runner/util/banned.h"

static struct val *
check_val(const struct amq_store_check *c)
{
	struct val *m = val_map();

	val_map_set(m, "exists", val_bool(c->exists));
	val_map_set(m, "readable_by_broker", val_bool(c->readable));
	val_map_set(m, "opened", c->opened < 0 ? val_null() :
	    val_bool(c->opened));
	val_map_set(m, "private_keys", c->private_keys < 0 ? val_null() :
	    val_int(c->private_keys));
	val_map_set(m, "trusted_certs", c->trusted < 0 ? val_null() :
	    val_int(c->trusted));
	val_map_set(m, "tool", val_str(c->tool));
	if (c->why[0] != '\0')
		val_map_set(m, "error", val_str(c->why));
	return m;
}

/* ssl_context.key_store.check and trust_store.check. */
static int
check_stores(struct modctx *ctx, const struct amq_host *h)
{
	const struct amq_store *s[2] = { &h->conf_x.key, &h->conf_x.trust };
	const char *names[2] = { "key_store", "trust_store" };
	struct val *sc = val_map_get(ctx->data, "ssl_context");
	size_t i;
	int ret = 0;

	for (i = 0; i < 2 && ret == 0 && sc && sc->type == V_MAP; i++) {
		struct amq_store_check c;
		struct val *st = val_map_get(sc, names[i]);

		if (s[i]->path == NULL || s[i]->path[0] != '/' || st == NULL)
			continue;
		ret = amq_store_check(ctx, h->user, s[i]->path, s[i]->type,
		    s[i]->password, &c);
		if (ret == 0)
			val_map_set(st, "check", check_val(&c));
	}
	return ret;
}

static void
summary(struct modctx *ctx, const struct amq_host *h)
{
	const struct val *rs = val_map_get(ctx->data, "reasons");
	const struct val *nb = val_map_get(ctx->data, "boot_problems");

	if (!h->conf_ok)
		mod_msg(ctx, "%s: %s", h->xml, h->parse_error.buf);
	else if (rs->u.list.n > 0)
		mod_msg(ctx, "%s: %zu cleartext listener%s: %s%s", h->xml,
		    rs->u.list.n, rs->u.list.n == 1 ? "" : "s",
		    rs->u.list.items[0]->u.str.s, rs->u.list.n > 1 ? ", ..." :
		    "");
	else
		mod_msg(ctx, "%s: no cleartext listener (%zu connector%s)",
		    h->xml, h->conf_x.nconns, h->conf_x.nconns == 1 ? "" : "s");
	if (nb->u.list.n > 0)
		mod_msg(ctx, "; the broker would not start: %s",
		    nb->u.list.items[0]->u.str.s);
}

static enum mod_result
activemq_facts_run(struct modctx *ctx, const struct val *args)
{
	struct amq_host h;
	int ret;

	ret = amq_host_gather(ctx, args, &h);
	if (ret == 0 && !ctx->failed) {
		amq_host_report(ctx, &h);
		if (h.conf_ok && arg_bool(args, "check_stores"))
			ret = check_stores(ctx, &h);
		if (ret == 0)
			summary(ctx, &h);
	}
	amq_host_release(&h);
	return mod_done(ctx, ret);
}

static const struct module_arg activemq_facts_args[] = {
	{ "path", ARG_PATH, 0, NULL, NULL,
	  "the activemq.xml (default: the Debian instance's)", NULL },
	{ "instance", ARG_STR, 0, NULL, NULL,
	  "Debian instance name (default: the first enabled, else the first "
	  "available)", NULL },
	{ "conf", ARG_PATH, 0, NULL, NULL,
	  "ACTIVEMQ_CONF: the directory holding activemq.xml", NULL },
	{ "base", ARG_PATH, 0, NULL, NULL,
	  "ACTIVEMQ_BASE (default /var/lib/activemq/INSTANCE)", NULL },
	{ "conf_dir", ARG_PATH, 0, "/etc/activemq", NULL,
	  "Debian's directory of instances-available/ and "
	  "instances-enabled/", NULL },
	{ "activemq_home", ARG_PATH, 0, "/usr/share/activemq", NULL,
	  "ACTIVEMQ_HOME (lib/ holds the transport modules)", NULL },
	{ "activemq_user", ARG_STR, 0, "activemq", NULL,
	  "the user the broker runs as (store readability)", NULL },
	{ "check_stores", ARG_BOOL, 0, "true", NULL,
	  "open the sslContext's stores with their passwords on the host "
	  "(keytool, else openssl)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_activemq_facts = {
	.name = "activemq_facts",
	.summary = "ActiveMQ's transport connectors from activemq.xml: which "
	    "are cleartext, the sslContext and its stores",
	.doc = "Finds the instance (Debian: /etc/activemq/instances-enabled/"
	    "NAME, else instances-available/NAME; or conf/base/path), reads "
	    "activemq.xml and parses it as the broker does (Spring XML, "
	    "${...} placeholders from the placeholder configurer's property "
	    "files and activemq.base/conf/data/home, comments, CDATA, "
	    "entities).  Returns instance, instances, path, conf, base, "
	    "version, modules, running, pid_file, log, broker_name, "
	    "connectors [{name, uri, scheme, protocol, address, port, tls, "
	    "cleartext, tls_form, line, module_present}], ssl_context "
	    "{present, key_store, trust_store: {path, type, password_set, "
	    "check {exists, readable_by_broker, opened, private_keys, "
	    "trusted_certs, tool}}} (passwords never returned), vulnerable, "
	    "reasons (one per cleartext listener), will_not_boot, "
	    "boot_problems (a connector whose transport module is missing: "
	    "Debian's broker has no AMQP), notes.  Read-only.",
	.args = activemq_facts_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = activemq_facts_run,
};
