/*
 * tlsfix.h - what the modules that make a broker's listeners TLS-only in
 * its configuration file (activemq_tls, rabbitmq_tls) share: their states
 * and the way they refuse.
 *
 * Both have state patched (the default: the file made TLS-only after
 * every check), preflight (every check of patched, no write:
 * would_change) and restored (backup_file's bytes back at path).  A
 * change they cannot prove safe fails the task with one message form,
 * "refusing to change PATH: WHY", and changes nothing.
 */
#ifndef MEND_TLSFIX_H
#define MEND_TLSFIX_H

#include "modules/module.h"

enum tlsfix_state { TLSFIX_PATCHED, TLSFIX_PREFLIGHT, TLSFIX_RESTORED };

/* The module's state argument (validated against its table's choices). */
enum tlsfix_state tlsfix_state(const struct val *args);

/* Fail the task with "refusing to change PATH: ..."; returns -1. */
int tlsfix_refuse(struct modctx *ctx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* tlsfix_refuse() for a failed pre-flight on the host; problems: what it
 * found, "; "-separated.  Returns -1. */
int tlsfix_refuse_preflight(struct modctx *ctx, const char *path,
    const char *problems);

#endif
