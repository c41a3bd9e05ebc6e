/*
 * rmqconf_int.h - what the rmqconf*.c files share: private to them (the
 * contract for everyone else is rmqconf.h).
 */
#ifndef MEND_RMQCONF_INT_H
#define MEND_RMQCONF_INT_H

#include <stddef.h>

#include "modules/rabbitmq/rmqconf.h"

#define IS_WS(c) ((c) == ' ' || (c) == '\t')

struct eterm {       /* a tiny Erlang-term scanner */
	const char *s;
	size_t len, i;
	int line;
	size_t line_start;
};

/* Atom at t->i: plain (lowercase start) or 'quoted'.  Returns length of
 * the name or 0; *start set. */
size_t rmqc_et_atom(struct eterm *t, size_t *start);

/* Skip blanks, newlines (counted) and %-comments. */
void rmqc_et_skip(struct eterm *t);

/* Is key ns itself or under it ("ns.x...")? */
int rmqc_in_namespace(const char *key, const char *ns);

/* [A-Za-z0-9_-]: a character of a key segment. */
int rmqc_is_word_char(int c);

/* The key table (rmqconf_keys.c) and its length. */
const char *const *rmqc_key_table_get(size_t *n);

/* "PORT" or "IP:PORT" as the [integer, ip] datatype; addr may be NULL. */
int rmqc_parse_listener(const char *v, char *addr, size_t addrsz, int *port);

/* Decimal port 0..65535 (leading zeros allowed, as the broker does). */
int rmqc_parse_port(const char *s, size_t n, int *port);

/* Does key match pattern ("$x" segments match any one segment)? */
int rmqc_pattern_match(const char *pat, const char *key);

/* Offset of the first byte that is not well-formed UTF-8, or n. */
size_t rmqc_utf8_bad(const char *s, size_t n);

#endif
