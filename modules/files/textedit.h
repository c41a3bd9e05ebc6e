/*
 * textedit.h - the edits of ansible.builtin.replace and
 * ansible.builtin.blockinfile on a byte buffer (pure, as ansible-core
 * 2.14 does them; regexps through runner/util/pyre.h, i.e. PCRE2).
 *
 * replace: the section is the whole text, or what the Python pattern
 *   AFTER(?P<subsection>.*?)BEFORE (after only: AFTER(?P<subsection>.*),
 *   before only: (?P<subsection>.*)BEFORE), compiled with re.DOTALL,
 *   matches first; when it matches nothing the text is left alone and
 *   msg says "Pattern for before/after params did not match the given
 *   file: PATTERN".  In the section every match of regexp (re.MULTILINE)
 *   is replaced by the Python template `replace` (\1, \g<name>...).  It
 *   changes when at least one match was replaced and the section's text
 *   differs; msg is then "N replacements made".
 *
 * blockinfile: lines are split as Python's bytes.splitlines(True) (at
 *   "\n", "\r\n" and "\r", each line keeping its ending).  The markers are
 *   `marker` with "{mark}" replaced by marker_begin / marker_end, plus
 *   "\n"; a line equal to one (ending included) is that marker, the last
 *   one of each counts.  With both present, the lines from one to the
 *   other (in either order) are removed and the block goes there; else
 *   the block goes after the last line matching insertafter (a regexp; EOF
 *   = the end, also when nothing matched), or before the last line
 *   matching insertbefore (BOF = the start); a pattern starting with an
 *   inline (?m) flag is searched in the whole text as Ansible does.  The
 *   line before the block gets a "\n" when it has none.  The block is
 *   marker0, `block` (ended by "\n" when it is not), marker1; state=absent
 *   or an empty block inserts nothing (the markers and what they held are
 *   removed).  msg: "" (no change), "File created" (no file before),
 *   "Block removed" or "Block inserted".
 *
 * Applying the same edit to the result changes nothing (for replace, as in
 * Ansible, only when the replacement no longer matches the regexp).
 */
#ifndef MEND_TEXTEDIT_H
#define MEND_TEXTEDIT_H

#include <stddef.h>

#include "runner/util/strbuf.h"

struct replace_edit {
	const char *regexp;          /* required */
	const char *replace;         /* template, NULL = "" */
	const char *after, *before;  /* NULL or "" = unset */
};

struct textedit_res {
	int changed;
	long count;                  /* replace: replacements made */
	char msg[512];
};

/* Apply e to in[0, inlen) into out (reset first).  Returns 0, or -1 with
 * the reason in err (a bad regexp or template). */
int replace_apply(const struct replace_edit *e, const char *in, size_t inlen,
    struct strbuf *out, struct textedit_res *res, struct strbuf *err);

struct block_edit {
	int absent;                  /* state=absent */
	const char *block;           /* NULL = "" */
	const char *marker;          /* NULL = "# {mark} ANSIBLE MANAGED BLOCK" */
	const char *marker_begin;    /* NULL = "BEGIN" */
	const char *marker_end;      /* NULL = "END" */
	const char *insertafter;     /* regexp or EOF, NULL */
	const char *insertbefore;    /* regexp or BOF, NULL */
};

/* Apply e to in[0, inlen) (in == NULL: the file does not exist) into out.
 * Returns 0, or -1 with err set (a bad regexp, both insertafter and
 * insertbefore). */
int block_apply(const struct block_edit *e, const char *in, size_t inlen,
    struct strbuf *out, struct textedit_res *res, struct strbuf *err);

#endif
