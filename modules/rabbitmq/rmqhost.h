/*
 * rmqhost.h - what mend's RabbitMQ modules learn from the host, as pure
 * functions: rabbitmq-env.conf, which main configuration file the broker
 * loads, the TLS pre-flight script and its output, and the broker's own
 * error lines in startup_log / startup_err.  No I/O here: the modules run
 * the scripts and read the files (modules/rabbitmq/rabbitmq_*.c, amqp_probe.c).
 *
 * Facts these rules follow (RabbitMQ 3.10.8 on Debian 12, checked in the
 * lab; see ../shared/facts/rabbitmq.md):
 *  - /etc/rabbitmq/rabbitmq-env.conf is sourced by rabbitmq-env as sh; a
 *    variable may be written with or without its RABBITMQ_ prefix
 *    (CONFIG_FILE=... is RABBITMQ_CONFIG_FILE).
 *  - The main configuration file (rabbit_prelaunch_conf:
 *    find_actual_main_config_file): if RABBITMQ_CONFIG_FILE (default
 *    /etc/rabbitmq/rabbitmq) names an existing regular file, its extension
 *    decides the format (".conf" sysctl, ".config" Erlang terms, other:
 *    Erlang when the content starts with "["); otherwise BASE.config wins
 *    when it exists (BASE.conf is then ignored), else BASE.conf.
 *  - Debian's /usr/sbin/rabbitmq-server rewrites
 *    /var/log/rabbitmq/startup_log (stdout) and startup_err (stderr) at
 *    each start.  A configuration the broker refuses is reported ONLY
 *    there (not in rabbit@NODE.log), e.g.
 *      ... [error] <0.132.0> ssl_options.keyfile invalid, file does not
 *          exist or cannot be read by the node
 *      ... [error] <0.132.0> BOOT FAILED
 *      ... [error] <0.132.0> Error during startup: {error,failed_to_prepare_configuration}
 *    and a successful boot ends with "Starting broker... completed".
 *    The init script then waits up to 600 s for a pid file that never
 *    comes: its exit code and duration say nothing.
 */
#ifndef MEND_RMQHOST_H
#define MEND_RMQHOST_H

#include <stddef.h>

#include "runner/util/strbuf.h"

/* ------------------------------------------------- rabbitmq-env.conf */

struct rmq_env_var {
	char *name;          /* without the RABBITMQ_ prefix: "CONFIG_FILE" */
	char *value;         /* unquoted */
	int line;            /* 1-based */
	int dynamic;         /* the value uses $ or `: not resolved here */
};

struct rmq_env {
	struct rmq_env_var *v;
	size_t n, alloc;
};

#define RMQ_ENV_INIT { NULL, 0, 0 }

/*
 * Parse the assignments of a rabbitmq-env.conf: lines
 *   [export] NAME=VALUE [# comment]
 * with NAME [A-Za-z_][A-Za-z0-9_]* and VALUE a sh word made of unquoted
 * text, '...' and "..." parts (backslash escapes outside single quotes).
 * Other lines (commands, conditionals, functions) are skipped: this is not
 * a shell, and a value computed by one is marked dynamic.  Never fails.
 */
void rmq_env_parse(struct rmq_env *env, const char *buf, size_t len);
void rmq_env_release(struct rmq_env *env);
/* The last assignment of name (with or without "RABBITMQ_"), or NULL. */
const struct rmq_env_var *rmq_env_get(const struct rmq_env *env,
				      const char *name);

/* ----------------------------------------- which main config file */

enum rmq_main_format { RMQ_MAIN_CONF, RMQ_MAIN_LEGACY };

struct rmq_main_probe {
	int base_is_file;    /* BASE exists as a regular file */
	int base_erlang;     /* BASE's first non-blank byte (after %-comment
				lines) is "[" */
	int conf_exists;     /* BASE.conf (BASE without a .conf/.config
				extension) is a regular file */
	int config_exists;   /* BASE.config likewise */
};

struct rmq_main {
	char *path;          /* the file the broker loads (may not exist) */
	enum rmq_main_format format;
	char *ignored;       /* a BASE.conf that exists but is ignored because
				BASE.config wins, or NULL */
};

/*
 * Apply RabbitMQ's rule to base (RABBITMQ_CONFIG_FILE, default
 * "/etc/rabbitmq/rabbitmq") and what the host reported about it.  A base
 * that ends in ".conf" or ".config" but does not exist is taken without
 * that extension.  Release with rmq_main_release().
 */
void rmq_main_resolve(const char *base, const struct rmq_main_probe *pr,
		      struct rmq_main *out);
void rmq_main_release(struct rmq_main *m);
/* base without a trailing ".conf"/".config" (malloc'ed). */
char *rmq_main_stem(const char *base);

/* ------------------------------------------------ TLS pre-flight */

struct rmq_pf_file {
	int exists;
	int regular;         /* a regular file (after symlinks) */
	int readable;        /* by the broker's user: 1, 0, -1 unknown */
	char mode[8], owner[64], group[64];
};

struct rmq_preflight {
	int complete;        /* the script ran to its end marker */
	int user_exists;
	int as_root;         /* checks ran as root (readability is known) */
	struct rmq_pf_file ca, cert, key;
	int openssl;         /* openssl(1) found on the host */
	int ca_ok;           /* CA file holds a PEM certificate: 1/0/-1 */
	int cert_ok;         /* certificate parses: 1/0/-1 */
	int key_ok;          /* key parses without a passphrase: 1/0/-1 */
	int key_match;       /* public keys of cert and key equal: 1/0/-1 */
	int expired;         /* certificate past notAfter: 1/0/-1 */
	int not_yet_valid;   /* before notBefore: 1/0/-1 */
	long days_left;      /* whole days until notAfter (valid if expired
				is 0 or 1 and have_days) */
	int have_days;
	int chain_ok;        /* cert verifies against the CA file: 1/0/-1 */
	char subject[256], not_after[64], chain_error[256];
};

/*
 * The pre-flight script for user (the broker's user, e.g. "rabbitmq") and
 * the three files, appended to cmd (every value quoted).  It checks, on
 * the host: each file exists, is a regular file, is readable by user (as
 * root: runuser, else su), and with openssl(1): the CA and the
 * certificate parse, the key parses without a passphrase and its public
 * key equals the certificate's, the certificate's validity dates, and
 * `openssl verify -CAfile CA CERT`.  Output: key=value lines, "end=1" last.
 */
void rmq_preflight_cmd(struct strbuf *cmd, const char *user, const char *ca,
		       const char *cert, const char *key);
/* Parse the script's output.  Returns 0, or -1 when the end marker is
 * missing (the fields parsed so far are still filled). */
int rmq_preflight_parse(const char *out, struct rmq_preflight *p);

/*
 * The reasons the broker would not boot or not serve TLS with these
 * files, one line each ("\n"-terminated) appended to problems; returns
 * their number.  Refusals: a missing, non-regular or (known) unreadable
 * file, no openssl on the host, a CA or certificate that does not parse,
 * a key that does not parse without a passphrase, a key that does not
 * match the certificate, an expired or not yet valid certificate.
 * notes (may be NULL) gets what does not block: readability unknown (not
 * root), a certificate that does not verify against this CA file (the CA
 * file is for CLIENT certificates; clients may trust another CA).
 */
size_t rmq_preflight_problems(const struct rmq_preflight *p, const char *user,
			      const char *ca, const char *cert, const char *key,
			      struct strbuf *problems, struct strbuf *notes);

/* ------------------------------------------------ boot logs */

/*
 * Scan the text of a startup_log or startup_err.  Returns 1 when it shows
 * a failed boot ("BOOT FAILED" on a line of its own, with or without the
 * log prefix "DATE TIME [error] <PID> "), else 0.  The broker's own error
 * messages are appended to lines, one per line, without the log prefix,
 * skipping crash-report detail, "Did you mean" suggestions, "====" rules
 * and lines already in lines; at most max lines in lines in all.
 * *completed is set to 1 when the text has "Starting broker... completed"
 * (a boot that went through; completed may be NULL).
 */
int rmq_boot_scan(const char *buf, size_t len, struct strbuf *lines,
		  size_t max, int *completed);

#endif
