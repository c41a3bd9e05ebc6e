/*
 * pyre.h - Python's re on PCRE2, for what Ansible's modules and filters do
 * with it: compile with re.I/re.M/re.S, search, and re.subn() with
 * Python's replacement templates.
 *
 * PCRE2 matches the same patterns as Python's re for what playbooks use
 * (leftmost-first alternation, lazy quantifiers, lookarounds, (?P<name>),
 * (?P=name), \A \b \d \s \w); differences: \Z is PCRE's \z, \d \w \s are
 * ASCII only, Python's (?aiLmsux) inline flags in the middle of a pattern
 * are accepted by PCRE as scoped flags.  Subjects need not be valid UTF-8
 * (PCRE2_MATCH_INVALID_UTF: a bad byte never matches a character class).
 * With re.MULTILINE, ^ also matches after a final newline, as in Python
 * (PCRE2_ALT_CIRCUMFLEX).
 *
 * re.subn() as Python 3.7+: an empty match next to the previous match is
 * replaced too ('x*' on "abxd" gives "-a-b--d-").  The template: \1..\99,
 * \g<N>, \g<name>, \n \t \r \f \v \a \b \\ as their characters, another
 * backslash before an ASCII letter or digit is an error ("bad escape \q"),
 * before anything else it stays; an unmatched group expands to "".
 */
#ifndef MEND_PYRE_H
#define MEND_PYRE_H

#include <stddef.h>

#include "runner/util/strbuf.h"

#define PYRE_I  0x1   /* re.IGNORECASE */
#define PYRE_M  0x2   /* re.MULTILINE: ^ and $ at every line */
#define PYRE_S  0x4   /* re.DOTALL: . matches a newline */

struct pyre;

/* Compile pattern (NUL-terminated) with PYRE_* flags.  NULL with the
 * reason in err ("bad regular expression 'x(' at offset 2: ..."). */
struct pyre *pyre_compile(const char *pattern, unsigned flags,
    struct strbuf *err);
void pyre_free(struct pyre *r);

/* Search s[start, len) (the subject is s[0, len): ^ and lookbehinds see
 * what precedes start).  Returns 1 and sets [*so, *eo) of the whole match,
 * 0 when nothing matches, -1 on a matching error (err set). */
int pyre_search(struct pyre *r, const char *s, size_t len, size_t start,
    size_t *so, size_t *eo, struct strbuf *err);

/* After a successful pyre_search(): the span of the named group of that
 * match.  1 when the group took part in it, else 0. */
int pyre_group(struct pyre *r, const char *name, size_t *so, size_t *eo);

/* 1 when the pattern starts with inline flags that hold 'm' ("(?m)",
 * "(?im)"): Python then reports re.MULTILINE in its flags. */
int pyre_inline_multiline(const char *pattern);

/* re.subn(r, repl, s[0, len), count) (count 0 = all): the result is
 * appended to out; returns the number of replacements, or -1 with err set
 * (a bad template, a group that does not exist). */
long pyre_subn(struct pyre *r, const char *repl, const char *s, size_t len,
    long count, struct strbuf *out, struct strbuf *err);

#endif
