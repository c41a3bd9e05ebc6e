/*
 * kvparse.h - Ansible's `k=v` argument strings, exactly as
 * ansible.parsing.splitter reads them (ansible-core 2.14):
 *
 *   kv_split_args()  split_args(): split on spaces and newlines, but keep
 *                    together what is inside quotes or a Jinja2 block
 *                    ({{ }}, {% %}, {# #}); quotes stay in the words; a
 *                    lone `\` outside quotes continues the line; a run of
 *                    spaces is kept at the end of the word before it.
 *                    Unbalanced quotes or blocks are an error, and so is
 *                    text starting with two spaces (Ansible fails there
 *                    with "unable to parse argument string").
 *   kv_parse()       parse_kv(): per word, \uXXXX \UXXXXXXXX \xXX and
 *                    \\ \' \" \a \b \f \n \r \t \v escapes decoded; split at
 *                    the first `=` not preceded by `\` (a leading `=` does
 *                    not count); key and value stripped of whitespace, and
 *                    the value of one pair of surrounding quotes.  Words
 *                    without such an `=` are free-form: joined (as
 *                    join_args()) into `_raw_params`.  Values are strings.
 *
 * Used for `-e k=v` (Ansible's load_extra_vars()).  Errors: -1 with a
 * lowercase message in e (no position: callers add theirs).
 */
#ifndef MEND_KVPARSE_H
#define MEND_KVPARSE_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/value.h"

/* Words of s as a NULL-terminated malloc'ed array (free with kv_words_free). */
int kv_split_args(const char *s, char ***words, struct err *e);
void kv_words_free(char **words);

/* A new map of s's k=v pairs (and _raw_params), or -1. */
int kv_parse(const char *s, struct val **out, struct err *e);

#endif
