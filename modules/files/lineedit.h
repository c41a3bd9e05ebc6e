/*
 * lineedit.h - Ansible's lineinfile semantics on a byte buffer (pure).
 *
 * lineedit_apply() takes the current content of a file and returns the new
 * content, following ansible.builtin.lineinfile (present()/absent() of
 * ansible-core 2.14):
 *
 *  state=present
 *   - regexp (or search_string) given: every line is searched; the LAST
 *     matching line (the first with firstmatch) is replaced by `line`
 *     (with backrefs, `line` is expanded: \1..\99 and \g<N>).
 *   - otherwise, or when nothing matched: if a line equal to `line` exists
 *     (compared without its line ending) it is left alone; else `line` is
 *     inserted after the last (first with firstmatch) line matching
 *     insertafter, before the last/first line matching insertbefore, at the
 *     beginning for BOF, and at the end for EOF or when the insertafter/
 *     insertbefore regexp matched nothing.  insertafter=EOF is the default.
 *   - backrefs and no match: nothing changes.
 *  state=absent
 *   - every line matching regexp (or containing search_string, or equal to
 *     `line` when neither is given) is removed; res->found counts them.
 *
 * Line endings: lines end at '\n'.  The file's dominant ending (CRLF when
 * more lines end in "\r\n" than in a bare "\n", else LF) is used for every
 * inserted line; a replaced line keeps its own ending (the dominant one if
 * it had none).  Matching and comparing use the line without its trailing
 * CR/LF characters.  A file whose last line has no newline gets one before
 * a line is appended after it.
 *
 * Deliberate differences from Ansible (which uses Python's re and writes
 * os.linesep):
 *   - regexps are POSIX extended regular expressions (regcomp REG_EXTENDED,
 *     glibc: \s \S \w \W \b \B \< \> work).  Python-isms are translated:
 *     \d \D, \t \n \r \f \v, escapes inside [...] ([\d\s\w\t\]\-\\]), a
 *     leading (?i) (case-insensitive) and (?:...) groups (backref numbers
 *     are kept as Python counts them).  Other (?...) constructs (lookahead,
 *     named groups, inline flags elsewhere) are rejected with an error.
 *     Non-greedy *? +? ?? are ERE "optional repeats": whether a line matches
 *     is unchanged, but the span of a backref group may differ.
 *   - `$` matches at the end of the line content, also in CRLF files (in
 *     Ansible `foo$` never matches "foo\r\n").
 *   - CRLF files keep CRLF (Ansible would write "\n" lines into them, and
 *     would replace an identical CRLF line by its LF version).
 *   - insertafter matching the last line of a file without a final newline
 *     appends "\n" first (Ansible glues the two lines together), and a
 *     last line ending in a lone CR gets "\r\n" before a line is appended
 *     (Ansible would produce "b\rline", not idempotent).
 *
 * res->changed is set exactly when the output differs from the input, so
 * applying the same edit twice changes nothing the second time.
 */
#ifndef MEND_LINEEDIT_H
#define MEND_LINEEDIT_H

#include <stddef.h>

#include "runner/util/strbuf.h"

struct lineedit {
	int absent;                 /* state=absent (else present) */
	const char *regexp;         /* see above, or NULL */
	const char *search_string;  /* literal substring, or NULL */
	const char *line;           /* required for present */
	const char *insertafter;    /* regexp, "EOF", "BOF" or NULL */
	const char *insertbefore;   /* regexp, "BOF" or NULL */
	int firstmatch;
	int backrefs;
};

struct lineedit_res {
	int changed;
	int found;                  /* absent: number of lines removed */
	char msg[64];               /* "line added", "line replaced",
	                             * "2 line(s) removed" or "" */
};

/* Apply o to in[0, inlen) and put the result in out (reset first).
 * Returns 0, or -1 with a message in err (invalid regexp, missing line,
 * backrefs without regexp, both insertafter and insertbefore...). */
int lineedit_apply(const struct lineedit *o, const char *in, size_t inlen,
    struct strbuf *out, struct lineedit_res *res, struct strbuf *err);

/* Translate a Python-style regexp into a POSIX ERE (exposed for tests).
 * Fills map[i] = ERE group number of Python group i (i >= 1) for up to
 * nmap groups, *icase for a leading (?i).  Returns 0, or -1 with err set. */
int lineedit_regex_translate(const char *py, struct strbuf *ere, int *map,
    size_t nmap, int *icase, struct strbuf *err);

#endif
