/*
 * rmqgather.h - what rabbitmq_facts finds on a host, shared with
 * rabbitmq_tls (rmqgather.c, a helper file: modules export only their
 * mod_ entry).
 *
 * rmq_host_gather() reads, through the host's connection:
 *   1. CONF_DIR/rabbitmq-env.conf (CONFIG_FILE, CONFIG_FILES,
 *      ADVANCED_CONFIG_FILE, ENABLED_PLUGINS_FILE, LOG_BASE, NODE_PORT,
 *      NODE_IP_ADDRESS, NODENAME; a value computed by the shell is not
 *      followed and is reported as a note);
 *   2. one detect script: which of BASE, BASE.conf, BASE.config exist
 *      (modules/rabbitmq/rmqhost.h decides the main file), the conf.d files
 *      (CONFIG_FILES, default CONF_DIR/conf.d/ *.conf, byte order as the
 *      broker sorts them), the package version, the init system, whether
 *      the broker runs (a live beam.smp booting rabbit, whatever the pid
 *      file says), the broker's user, rabbitmq-diagnostics and
 *      openssl on the host;
 *   3. rabbitmq.conf, each conf.d file, the legacy rabbitmq.config,
 *      advanced.config and enabled_plugins (missing files are facts, not
 *      errors), parsed with modules/rabbitmq/rmqconf.h.
 */
#ifndef MEND_MODULES_RMQGATHER_H
#define MEND_MODULES_RMQGATHER_H

#include "modules/module.h"
#include "modules/rabbitmq/rmqconf.h"
#include "modules/rabbitmq/rmqhost.h"

struct rmq_file {
	char *path;
	int exists;
	struct strbuf text;
	struct file_meta meta;
	struct rmq_conf conf;        /* sysctl files only */
	int parsed;
};

struct rmq_host {
	char *conf_dir;
	struct rmq_file env_file;
	struct rmq_env env;
	char *base;                  /* RABBITMQ_CONFIG_FILE or default */
	char *log_dir;               /* RABBITMQ_LOG_BASE or /var/log/rabbitmq */
	struct rmq_main main;        /* the file the broker loads */
	struct rmq_file conf;        /* the sysctl main file (BASE.conf) */
	struct rmq_file *confd;      /* conf.d files, load order */
	size_t nconfd;
	struct rmq_file legacy;      /* BASE.config */
	struct rmq_file advanced;
	struct rmq_file plugins_file;
	struct rmq_plugins plugins;
	struct rmq_legacy legacy_scan, advanced_scan;
	/* detect script */
	char *version, *init, *hostname;
	int user_exists, diagnostics, openssl;
	/* running: a live beam.smp booting rabbit (broker_pid), else the
	 * unit is active (systemd) or the pid file names a live beam.smp
	 * (pid_file_pid; without systemd) */
	int running, unit_active;
	long broker_pid, pid_file_pid;
	struct val *notes;           /* list of strings */
};

/*
 * Gather everything above.  conf_path (may be NULL) replaces the main
 * sysctl file (rabbitmq_tls's `path`).  Returns 0, -1 after mod_fail(),
 * or a TERR_* code (host unreachable).  Release with rmq_host_release()
 * in every case.
 */
int rmq_host_gather(struct modctx *ctx, const struct val *args,
    const char *conf_path, struct rmq_host *h);
void rmq_host_release(struct rmq_host *h);

/* Analyse the host's configuration; main (may be NULL) replaces the
 * parsed main sysctl file (rabbitmq_tls: the patched one). */
void rmq_host_analyze(const struct rmq_host *h, const struct rmq_conf *main,
    struct rmq_analysis *a);

/* "file:line: msg" strings of notes (reasons or notes) as a list. */
struct val *rmq_notes_val(const struct rmq_note *n, size_t count);

/* The address the host itself dials to reach a listener bound to addr:
 * 127.0.0.1 for "" and 0.0.0.0, ::1 for ::, else addr. */
const char *rmq_listener_reach(const char *addr);

#endif
