/*
 * rmqconf.h - RabbitMQ 3.10+ configuration: rabbitmq.conf parser, setting
 * validation, listener analysis and a TLS-only patcher.
 *
 * Everything here is pure: bytes in, structures or bytes out, no I/O.  The
 * caller reads /etc/rabbitmq/rabbitmq.conf (+ conf.d/NAME.conf),
 * enabled_plugins, rabbitmq.config and advanced.config from the host.
 *
 * rabbitmq.conf syntax (cuttlefish 3.0.1, the parser of RabbitMQ 3.10.8,
 * checked against its conf_parse on Debian 12):
 *  - a line is a setting, an include, a comment or blank; it ends at "\n",
 *    a "\r" right before the "\n" belongs to the line ending; a lone "\r"
 *    elsewhere is an ordinary byte (part of a value).
 *  - setting: [ \t]* key [ \t]* "=" [ \t]* value [ \t]* ["#" comment]
 *    key: word ("." word)*, word: one or more of [A-Za-z0-9_-] or "\." (an
 *    escaped dot stays inside the segment).  Keys are case-sensitive.
 *  - value: everything up to "#" (a "#" ALWAYS starts a comment, even with
 *    no space before it: "a = x#y" is "x") or the end of the line; [ \t]
 *    before the line ending or the comment is stripped, but NOT before the
 *    end of a file that lacks a final newline ("a = none  " at EOF has the
 *    value "none  ").  Quotes are not special in 3.0.1 ("a = 'x'" is the
 *    three characters 'x'; later cuttlefish strips single quotes).  An
 *    empty value is a syntax error.
 *  - "#" as first non-blank character: comment line.  "include PATH" with
 *    PATH of [A-Za-z0-9_.*\/-] (blanks in between optional, a trailing
 *    blank is an error unless a comment follows): include line.
 *  - Anything else (no "=", empty key, "a b = c", "a..b = c", non-ASCII
 *    key, invalid UTF-8 anywhere, even in a comment, a UTF-8 byte order
 *    mark) stops the broker at boot: "Syntax error in FILE after line N
 *    column 1" (invalid UTF-8 crashes the parser).  mend also rejects a
 *    NUL byte in a value, which cuttlefish would accept.
 *  Checked by differential testing against cuttlefish 3.0.1's conf_parse
 *  on 24,000 generated files: same entries, same first bad line.
 *  - Duplicate keys: the last one wins (also across files, in load order).
 */
#ifndef MEND_RMQCONF_H
#define MEND_RMQCONF_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"

/* ---------------------------------------------------------------- parse */

enum rmq_line_kind { RMQ_BLANK, RMQ_COMMENT, RMQ_SETTING, RMQ_INCLUDE, RMQ_BAD };

struct rmq_line {
	enum rmq_line_kind kind;
	size_t off, len;     /* line bytes in rmq_conf.buf, without the ending */
	size_t eol;          /* 0 (last line, no newline), 1 ("\n"), 2 ("\r\n") */
	int entry;           /* RMQ_SETTING/RMQ_INCLUDE: index in entries */
};

struct rmq_entry {
	char *key;           /* as written, NUL-terminated ("a\.b" kept) */
	char *value;         /* value as the broker sees it (include: path) */
	int line;            /* 1-based */
	int col;             /* 1-based byte column of the key */
	int value_col;       /* 1-based byte column of the value */
	size_t val_off, val_len;  /* value bytes in rmq_conf.buf */
	int include;         /* 1: an "include PATH" line, key is "include" */
};

struct rmq_syntax_error {
	int line, col;
	char *msg;
};

struct rmq_conf {
	const char *file;    /* interned name used in messages (may be NULL) */
	char *buf;           /* private copy of the input */
	size_t len;
	struct rmq_line *lines;
	size_t nlines, lines_alloc;
	struct rmq_entry *entries;
	size_t n, alloc;
	struct rmq_syntax_error *errors;  /* also reported through struct err */
	size_t nerrors, errors_alloc;
	int crlf;            /* first line ending in the file is "\r\n" */
};

#define RMQ_CONF_INIT { 0 }

/*
 * Parse len bytes of rabbitmq.conf.  file names the input in messages.
 * Returns 0, or -1 after recording one positioned error per bad line in e
 * (parsing goes on, so c holds every good line and every error).  c must
 * be released with rmq_conf_release() in both cases.
 */
int rmq_conf_parse(struct rmq_conf *c, const char *file, const char *buf,
		   size_t len, struct err *e);
void rmq_conf_release(struct rmq_conf *c);
/* Last entry for key (the effective one), or NULL. */
const struct rmq_entry *rmq_conf_get(const struct rmq_conf *c, const char *key);

/* ------------------------------------------------------------- validate */

enum rmq_key_class {
	RMQ_KEY_VALID,       /* a setting of RabbitMQ 3.10.8 or a later release */
	RMQ_KEY_INVALID,     /* in a namespace modelled completely (listeners.*,
			      * ssl_options.*, management.tcp|ssl|listener.*,
			      * stomp|mqtt|stream.listeners.*): the broker
			      * refuses to boot */
	RMQ_KEY_UNVERIFIED,  /* not in the table, outside those namespaces:
			      * maybe a third-party plugin's or a newer
			      * release's setting, maybe a typo */
};

/*
 * Classify key.  The table holds every mapping of the schemas shipped
 * with RabbitMQ 3.10.8 (core and all bundled plugins, 828 patterns;
 * "$name" segments match any one segment) plus the few later additions in
 * the modelled namespaces.  *pattern (when pattern is not NULL) is set to
 * the matching pattern or NULL.
 */
enum rmq_key_class rmq_key_classify(const char *key, const char **pattern);
const char *rmq_key_class_name(enum rmq_key_class k);

/*
 * Check value for key.  Only keys whose values mend writes or reads are
 * checked (listeners of the core and of management/STOMP/MQTT/stream,
 * ssl_options.verify|fail_if_no_peer_cert|versions.*|*file and the same in
 * management.ssl.*, a few TLS booleans); other keys always pass.
 * Returns 0 when acceptable, -1 with *why (static text) otherwise.
 * Listener values: "none" where the key allows it, a port 1..65535, or
 * IP:PORT with a numeric IPv4/IPv6 address WITHOUT brackets
 * ("::1:5671" is right, "[::1]:5671" stops the broker).
 */
int rmq_value_check(const char *key, const char *value, const char **why);

/* ------------------------------------------------------ enabled_plugins */

struct rmq_plugins {
	char **names;
	size_t n, alloc;
};

#define RMQ_PLUGINS_INIT { NULL, 0, 0 }

/*
 * Parse an enabled_plugins file: one Erlang list of atoms followed by a
 * dot, e.g. "[rabbitmq_management,rabbitmq_stomp].", quoted atoms and
 * %-comments allowed.  An empty or blank file means no plugin.  Returns 0
 * or -1 with a positioned error.  Release with rmq_plugins_release().
 */
int rmq_plugins_parse(struct rmq_plugins *p, const char *file,
		      const char *buf, size_t len, struct err *e);
void rmq_plugins_release(struct rmq_plugins *p);
/* 1 if name is enabled directly or as a dependency of an enabled plugin
 * (rabbitmq_web_stomp starts rabbitmq_stomp, rabbitmq_stream_management
 * starts rabbitmq_management and rabbitmq_stream, ...).  p may be NULL. */
int rmq_plugins_enabled(const struct rmq_plugins *p, const char *name);

/* ------------------------------------------- legacy Erlang-term configs */

#define RMQ_LEGACY_MAX_PORTS 16

struct rmq_legacy_listeners {
	int present;         /* {tcp_listeners, ...} found */
	int line;            /* of the atom */
	int empty;           /* the list is [] */
	int ports[RMQ_LEGACY_MAX_PORTS];
	size_t nports;       /* ports found (5672, {"0.0.0.0", 5672}, ...) */
};

struct rmq_legacy {
	int has_term;        /* anything besides blanks and %-comments */
	struct rmq_legacy_listeners tcp, ssl;
	int ssl_options;     /* {ssl_options, ...} found */
	int ssl_options_line;
};

/*
 * Scan a legacy rabbitmq.config or an advanced.config (Erlang terms).
 * Not an Erlang parser: it skips %-comments, "strings" and 'atoms', finds
 * the atoms tcp_listeners, ssl_listeners and ssl_options used as the
 * first element of a tuple ({tcp_listeners, [...]}) anywhere in the file,
 * and reads the port numbers of the list that follows (an integer element,
 * or the last integer of a {Ip, Port} tuple).  It does not check which
 * application ({rabbit, [...]}) the tuple belongs to.
 */
void rmq_legacy_scan(const char *buf, size_t len, struct rmq_legacy *out);

/* ------------------------------------------------------------- analysis */

enum rmq_proto {
	RMQ_P_AMQP, RMQ_P_MGMT, RMQ_P_STOMP, RMQ_P_MQTT, RMQ_P_STREAM,
	RMQ_P_WEB_STOMP, RMQ_P_WEB_MQTT, RMQ_P_PROMETHEUS,
};

struct rmq_listener {
	enum rmq_proto proto;
	int tls;
	char addr[64];       /* "" = all interfaces */
	int port;
	const char *file;    /* where configured; NULL = built-in default */
	int line;            /* 0 = built-in default */
};

struct rmq_note {
	const char *file;
	int line, col;       /* 0 = not tied to a line */
	char *msg;
};

struct rmq_input {
	const struct rmq_conf *const *confs;  /* rabbitmq.conf, then conf.d files */
	size_t nconfs;                        /* in load order; later wins */
	const struct rmq_plugins *plugins;    /* NULL: none enabled */
	const struct rmq_legacy *legacy;      /* rabbitmq.config, NULL if absent */
	const struct rmq_legacy *advanced;    /* advanced.config, NULL if absent */
};

struct rmq_analysis {
	struct rmq_listener *listeners;       /* every listener the node opens */
	size_t nlisteners, listeners_alloc;
	int vulnerable;       /* plaintext AMQP listener, or a config the
			       * broker refuses (the fix must not ship it) */
	int plaintext_amqp;   /* at least one plaintext AMQP 0-9-1 listener */
	int will_not_boot;    /* syntax error, invalid key or invalid value */
	int plaintext_plugins;/* a plugin listens without TLS */
	int conf_ignored;     /* rabbitmq.config exists: rabbitmq.conf unused */
	/* effective ssl_options (pointers into the input, NULL if unset) */
	const char *cacertfile, *certfile, *keyfile, *verify, *fail_if_no_peer_cert;
	const char *versions[8];
	size_t nversions;
	struct rmq_note *reasons;  /* why vulnerable, one per finding */
	size_t nreasons, reasons_alloc;
	struct rmq_note *notes;    /* unverified keys, plugin listeners, ... */
	size_t nnotes, notes_alloc;
};

#define RMQ_ANALYSIS_INIT { 0 }

/* Compute the listeners and findings of in.  Always succeeds. */
void rmq_analyze(const struct rmq_input *in, struct rmq_analysis *a);
void rmq_analysis_release(struct rmq_analysis *a);
const char *rmq_proto_name(enum rmq_proto p, int tls);

/* -------------------------------------------------------------- patcher */

#define RMQ_CLOSE_MGMT   0x1u  /* management.ssl.* on 15671, drop management.tcp.* */
#define RMQ_CLOSE_STOMP  0x2u  /* stomp.listeners.tcp = none, TLS on 61614 */
#define RMQ_CLOSE_MQTT   0x4u  /* mqtt.listeners.tcp = none, TLS on 8883 */
#define RMQ_CLOSE_STREAM 0x8u  /* stream.listeners.tcp = none, TLS on 5551 */

struct rmq_patch_opts {
	const char *cacertfile, *certfile, *keyfile;  /* required */
	const char *verify;                 /* NULL: "verify_peer" */
	int fail_if_no_peer_cert;           /* 1: require client certificates */
	const char *const *versions;        /* NULL: tlsv1.3, tlsv1.2 */
	size_t nversions;
	const char *const *ssl_listeners;   /* NULL: see below */
	size_t nssl_listeners;
	unsigned close_plugins;             /* RMQ_CLOSE_* */
	const char *mgmt_ssl_port;          /* NULL: "15671" (an existing valid
					     * management.ssl.port is kept) */
	const char *mgmt_ssl_ip;            /* NULL: management.ssl.ip untouched */
	const char *stomp_ssl_listener;     /* NULL: "61614" */
	const char *mqtt_ssl_listener;      /* NULL: "8883" */
	const char *stream_ssl_listener;    /* NULL: "5551" */
};

/*
 * Rewrite rabbitmq.conf c for TLS-only AMQP; the new file is appended to
 * out, a human-readable line per change to changes (may be NULL).
 *
 *  - listeners.tcp = none; every other listeners.tcp* line is commented
 *    out.
 *  - ssl_listeners given: listeners.ssl.1..N = the values, every other
 *    listeners.ssl* line commented out.  Not given: existing
 *    listeners.ssl.NAME lines with a valid value are kept (invalid ones
 *    commented out); if there is none, listeners.ssl.default = 5671.
 *    "listeners.ssl = none" and "ssl_options = none" are commented out.
 *  - ssl_options.cacertfile/certfile/keyfile/verify/fail_if_no_peer_cert
 *    and ssl_options.versions.1..N set; other ssl_options.versions.* lines
 *    commented out.  Other ssl_options (ciphers, depth, ...) are kept.
 *  - Keys classified RMQ_KEY_INVALID (the seed's listeners.tcp.ssl_options.*)
 *    are commented out with the reason.
 *  - close_plugins: see RMQ_CLOSE_*.  Plugin TLS listeners are added only
 *    when the plugin has none.  Management: management.tcp.* lines and a
 *    plaintext legacy management.listener.* are commented out,
 *    management.ssl.port + cacertfile/certfile/keyfile set (skipped when a
 *    legacy management.listener.ssl = true TLS listener exists).
 *
 * Setting a key rewrites the value bytes of its last occurrence in place
 * (indentation, spacing and trailing comment kept); earlier duplicates
 * are commented out.  Missing keys are appended at the end in one block
 * after a "# mend: ..." header.  Removed lines become
 * "# mend: removed (REASON): ORIGINAL LINE", so an operator can restore
 * them.  Every other byte (comments, other settings, line endings) is
 * copied unchanged; appended lines use the file's line ending (CRLF when
 * its first line ends so).  Patching the output again gives the same bytes.
 *
 * Only keys classified RMQ_KEY_VALID are ever written (checked at run
 * time, a violation is a fatal bug), and every written value passes
 * rmq_value_check().  Values must be non-empty and must not contain "#",
 * a line break, NUL, or leading/trailing blanks, or start with "'".
 *
 * Returns 0 (also when nothing changed: *changed tells), or -1 with an
 * error when c has syntax errors (the file is not touched: the broker
 * could not be running with it) or an option is invalid.
 */
int rmq_patch(const struct rmq_conf *c, const struct rmq_patch_opts *o,
	      struct strbuf *out, struct strbuf *changes, int *changed,
	      struct err *e);

#endif
