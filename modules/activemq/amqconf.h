/*
 * amqconf.h - Apache ActiveMQ "Classic" (5.x) activemq.xml: transport
 * connectors, <sslContext>, Spring property placeholders, and the TLS
 * patch.  Pure: bytes in, structures or bytes out; the modules read the
 * host (activemq_facts.c, activemq_tls.c).
 *
 * What the broker does (Debian 12's activemq 5.17.2, measured; see
 * modules/activemq/README.md):
 *  - the <broker> element (namespace activemq core; found by its local
 *    name, prefixed or not) holds <transportConnectors> with one
 *    <transportConnector name=".." uri=".."/> per listener, and an
 *    optional <sslContext><sslContext keyStore=.. keyStorePassword=..
 *    trustStore=.. trustStorePassword=.. keyStoreType=..
 *    trustStoreType=../></sslContext>;
 *  - a connector whose scheme has no transport module stops the whole
 *    broker at boot ("Transport scheme NOT recognized: [amqp]" on Debian,
 *    which lacks activemq-amqp): no listener opens at all;
 *  - "${name}" and "${name:default}" in attribute values are Spring
 *    placeholders, resolved only when a PropertyPlaceholderConfigurer
 *    (or <context:property-placeholder/>) is declared: from its
 *    `locations` property files first, then the JVM's system properties
 *    (activemq.base, activemq.conf, activemq.data, activemq.home, set by
 *    /usr/bin/activemq); an unresolvable one then stops the boot;
 *  - transport options in the URI query: "transport.X" goes to the
 *    listener (SSL: enabledProtocols, needClientAuth, wantClientAuth,
 *    enabledCipherSuites), "&amp;" separates them in the XML.
 *
 * Cleartext schemes and their TLS form (same listener class, TLS socket):
 *   tcp -> ssl, nio -> nio+ssl, stomp -> stomp+ssl,
 *   stomp+nio -> stomp+nio+ssl, mqtt -> mqtt+ssl, mqtt+nio -> mqtt+nio+ssl,
 *   amqp -> amqp+ssl, amqp+nio -> amqp+nio+ssl, auto -> auto+ssl,
 *   auto+nio -> auto+nio+ssl, ws -> wss, http -> https;
 *   udp has no TLS form (remove it); vm:// is in-process (not a listener).
 */
#ifndef MEND_AMQCONF_H
#define MEND_AMQCONF_H

#include <stddef.h>

#include "modules/activemq/amqxml.h"
#include "runner/util/err.h"
#include "runner/util/strbuf.h"

struct amq_scheme {
	const char *scheme;
	const char *proto;           /* OpenWire, STOMP, MQTT, AMQP, ... */
	int tls;                     /* 1: a TLS listener */
	const char *tls_form;        /* cleartext: its TLS scheme, or NULL */
	const char *module;          /* jar the broker needs ("" = core) */
};
/* The scheme's entry (case-insensitive), or NULL when unknown. */
const struct amq_scheme *amq_scheme_find(const char *scheme);

/* Properties for placeholders: name=value pairs, later ones lose. */
struct amq_props {
	char **names, **values;
	size_t n, alloc;
};
void amq_props_set(struct amq_props *p, const char *name, const char *value);
const char *amq_props_get(const struct amq_props *p, const char *name);
/* Parse a Java .properties file (key=value, key: value, key value;
 * # and ! comments; backslash line continuation; \uXXXX escapes) into p
 * (keys already present are kept: the first location wins). */
void amq_props_load(struct amq_props *p, const char *buf, size_t len);
void amq_props_release(struct amq_props *p);

struct amq_conn {
	long tok;                    /* the <transportConnector> token */
	size_t attr;                 /* index of its uri attribute */
	int line, col;
	char *name;                  /* name="..." or "" */
	char *uri;                   /* uri as written (decoded XML) */
	char *resolved;              /* placeholders resolved */
	char *scheme;                /* lower case, "" when none */
	char *host;
	int port;                    /* -1 unknown */
	char *query;                 /* after "?", "" when none */
	const struct amq_scheme *sch;   /* NULL: unknown scheme */
	int cleartext;               /* a network listener without TLS */
	char *problem;               /* why it cannot be judged, or NULL */
};

struct amq_store {
	char *raw;                   /* attribute value as written, or NULL */
	char *path;                  /* resolved, "file:" stripped, or NULL */
	char *password;              /* resolved (a secret), or NULL */
	char *type;                  /* resolved, or NULL (broker: jks) */
};

struct amq_conf {
	struct ax_doc doc;           /* over own: a copy of the input */
	char *own;
	int parsed;
	long broker;                 /* START token of <broker>, -1 */
	char *broker_name;
	int placeholders;            /* a placeholder configurer exists */
	char **locations;            /* its property files (resolved) */
	size_t nlocations;
	struct amq_conn *conns;
	size_t nconns;
	long connectors;             /* <transportConnectors> START, -1 */
	long ssl_outer, ssl_inner;   /* <sslContext> tokens, -1 */
	struct amq_store key, trust;
	char **notes;                /* unresolved placeholders, oddities */
	size_t nnotes;
	const struct amq_props *props;   /* as given to amq_conf_parse */
};

/* Parse and analyse.  props: system properties (and, on a second call,
 * what the location files hold); must outlive c.  -1 with e set on an XML error or when
 * there is no <broker> element. */
int amq_conf_parse(struct amq_conf *c, const char *file, const char *buf,
    size_t len, const struct amq_props *props, struct err *e);
void amq_conf_release(struct amq_conf *c);

/* Resolve Spring placeholders in s with props (NULL: none known).
 * Unresolvable ones are left as written and counted in *unresolved. */
char *amq_resolve(const char *s, const struct amq_props *props,
    int *unresolved);

/* ----------------------------------------------------------- the patch */

struct amq_patch_opts {
	int remove;                  /* 1: comment cleartext connectors out
	                              * instead of converting them */
	const char *key_store;       /* path on the host (required) */
	const char *key_store_password;
	const char *key_store_type;  /* "pkcs12" / "jks" / NULL (keep) */
	const char *trust_store;     /* NULL: no trust store */
	const char *trust_store_password;
	const char *trust_store_type;
	const char *protocols;       /* transport.enabledProtocols, NULL: no */
	int need_client_auth;        /* 1: transport.needClientAuth=true */
};

/* The patched file into out, one line per change into changes (secrets
 * masked).  Every cleartext connector becomes its TLS form (same address
 * and port, options kept) or a comment; every TLS connector gets the
 * transport options; the sslContext is added or its attributes set.
 * Refused (-1, e) when a cleartext connector has no TLS form (udp) and
 * remove is 0, when a URI's scheme is a placeholder, or when the
 * sslContext has a shape mend does not know. */
int amq_patch(const struct amq_conf *c, const struct amq_patch_opts *o,
    struct strbuf *out, struct strbuf *changes, struct err *e);

/* Copy buf to out with the values of attributes whose name ends in
 * "Password" (any case) replaced by "********". */
void amq_mask(const char *buf, size_t len, struct strbuf *out);

#endif
