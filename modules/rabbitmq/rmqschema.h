/*
 * rmqschema.h - which rabbitmq.conf keys the broker ON THE HOST accepts,
 * read from its own cuttlefish schema files.
 *
 * RabbitMQ validates rabbitmq.conf against the `{mapping, "KEY", ...}`
 * entries of the schema files it ships (rabbit's priv/schema/rabbit.schema
 * and every plugin's priv/schema/NAME.schema, enabled or not); one key
 * matching none stops the node at boot ("there is no setting with that
 * name", BOOT FAILED).  The set differs between releases (3.8.9 on
 * Debian 11, 3.10.8 on Debian 12, 4.0.5 on Debian 13), so a key written
 * for one release is checked against the schema of the broker it is
 * written for.  A mapping name is dot-separated; a segment starting with
 * `$` ("listeners.ssl.$name") matches any one segment of a key.
 *
 * RabbitMQ 3.8 (Debian 11) ships its plugins as .ez (zip) archives: the
 * schemas inside are read with the broker's own Erlang (erl, zip:extract).
 *
 * rmq_schema_cmd() is the host script; rmq_schema_parse() reads its output
 * (pure, unit-tested); rmq_schema_accepts() matches a key.
 */
#ifndef MEND_RMQSCHEMA_H
#define MEND_RMQSCHEMA_H

#include <stddef.h>

#include "runner/util/strbuf.h"

struct rmq_schema {
	size_t nfiles;          /* schema files read on the host */
	size_t nez;             /* plugin archives (.ez) whose schemas were
	                         * not read */
	char **keys;            /* mapping names, as written */
	size_t n, alloc;
};

#define RMQ_SCHEMA_INIT { 0, 0, NULL, 0, 0 }

/* The script: prints "NONCE files N", "NONCE ez N" and one
 * "NONCE key NAME" line per mapping of the broker's schema files under
 * libdir (Debian: /usr/lib/rabbitmq/lib). */
void rmq_schema_cmd(struct strbuf *cmd, const char *nonce, const char *libdir);
/* Parse the script's output (other lines are ignored). */
void rmq_schema_parse(struct rmq_schema *s, const char *out, const char *nonce);
/* 1 when some mapping matches key, else 0. */
int rmq_schema_accepts(const struct rmq_schema *s, const char *key);
void rmq_schema_release(struct rmq_schema *s);

#endif
