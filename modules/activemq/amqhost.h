/*
 * amqhost.h - what mend's ActiveMQ modules learn from a host: the
 * instance, its activemq.xml parsed with the broker's properties, the
 * broker version and transport modules, whether it runs, where it logs,
 * and whether key/trust stores open for the broker's user.  Used by
 * activemq_facts, activemq_tls and activemq_service.
 *
 * Debian 12 (activemq 5.17.2), measured:
 *  - /etc/init.d/activemq starts every directory in
 *    /etc/activemq/instances-enabled/ (a symlink to
 *    ../instances-available/NAME), as user activemq, with
 *    ACTIVEMQ_CONF = /etc/activemq/instances-enabled/NAME (activemq.xml is
 *    loaded from the class path: xbean:activemq.xml),
 *    ACTIVEMQ_BASE = /var/lib/activemq/NAME, and, because /usr/bin/activemq
 *    computes it before it reads the options, ACTIVEMQ_DATA =
 *    /var/lib/activemq/data; pid file /run/activemq/NAME.pid;
 *    per-instance shell options in instances-enabled/NAME/options replace
 *    /usr/share/activemq/activemq-options;
 *  - the broker logs nothing to a file: log4j 1.2 finds no configuration
 *    (Debian ships log4j2.properties), so the only log is the console
 *    output, sent to ACTIVEMQ_OUT (default /dev/null).  A refused
 *    configuration shows there as "ERROR: ..." and "Caused by: ..." lines
 *    and the JVM exits; success prints nothing after "Loading message
 *    broker from: xbean:activemq.xml";
 *  - jars: /usr/share/activemq/lib (activemq-stomp, activemq-mqtt; no
 *    activemq-amqp, no activemq-http) and ACTIVEMQ_BASE/lib; MQTT also
 *    needs mqtt-client.jar (libmqtt-client-java, not a dependency of the
 *    package): without it the MQTT port accepts connections and never
 *    answers.
 * Other layouts: `conf` (ACTIVEMQ_CONF) and `base` (ACTIVEMQ_BASE) may be
 * given, or `path` (an activemq.xml) directly.
 */
#ifndef MEND_AMQHOST_H
#define MEND_AMQHOST_H

#include "modules/activemq/amqconf.h"
#include "modules/module.h"

struct amq_host {
	char *instance;              /* "main" or "" */
	char *xml;                   /* activemq.xml as named */
	char *conf, *base, *data, *home;
	char *user;                  /* the broker's user */
	char *version;               /* "5.17.2" or "" */
	char *modules;               /* space-separated jars found */
	char *out_log;               /* ACTIVEMQ_OUT ("" or /dev/null: none) */
	char *pid_file;
	int running;                 /* the pid file's process lives */
	long pid;
	struct strbuf text;          /* activemq.xml's bytes */
	struct file_meta meta;
	struct amq_props props;
	struct amq_conf conf_x;      /* parsed (conf_ok) */
	int conf_ok;
	struct strbuf parse_error;
	struct val *instances;       /* [{name, xml, enabled}] */
};

/* Find the instance and read and parse its activemq.xml (args: path,
 * instance, conf, base, conf_dir, activemq_user, activemq_home).  0, a
 * TERR code, or -1 after mod_fail.  A file that does not parse is not a
 * failure here: conf_ok = 0 and parse_error says why. */
int amq_host_gather(struct modctx *ctx, const struct val *args,
    struct amq_host *h);
void amq_host_release(struct amq_host *h);

/* Does the broker's transport module for this scheme exist on the host?
 * 1 yes, 0 no, -1 unknown (no jar list). */
int amq_host_has_module(const struct amq_host *h, const struct amq_scheme *s);

/* A key or trust store as the broker's user sees it. */
struct amq_store_check {
	int exists, readable;        /* readable by the broker's user */
	int opened;                  /* the password opens it (-1 unknown) */
	int private_keys;            /* PrivateKeyEntry count (-1 unknown) */
	int trusted;                 /* trustedCertEntry count (-1 unknown) */
	char tool[16];               /* keytool / openssl / "" */
	char why[256];               /* what the tool said when it failed */
};
/* Check path (type: pkcs12/jks/NULL) with password (sent on stdin, never
 * on a command line).  0 or a TERR code. */
int amq_store_check(struct modctx *ctx, const char *user, const char *path,
    const char *type, const char *password, struct amq_store_check *c);

/* Results for a module: the host, connectors, sslContext (passwords
 * masked), vulnerable + reasons, notes.  Sets them with mod_set. */
void amq_host_report(struct modctx *ctx, const struct amq_host *h);

#endif
