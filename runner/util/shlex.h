/*
 * shlex.h - command-line words, as Ansible splits them.
 *
 * Used by the command module (its free-form text) and by the engine's
 * remote file writes (lineinfile/copy `validate`, which Ansible also
 * splits with shlex).  No shell is involved: the words are quoted again
 * (shellcmd.h) before they reach a remote shell.
 */
#ifndef MEND_SHLEX_H
#define MEND_SHLEX_H

#include <stddef.h>

/* Split s into words exactly as Python's shlex.split(s) does (POSIX mode,
 * no comments), which is what Ansible's command module does: whitespace
 * separates words; '...' is literal; in "..." a backslash escapes only " and
 * \ (otherwise it is kept); outside quotes a backslash escapes any
 * character; quotes may appear inside a word (a"b c"d is one word); an
 * empty quoted string is an empty word.  $, `, ;, *, | are ordinary
 * characters.  Returns 0 and a NULL-terminated malloc'ed vector in *argv
 * (count in *argc), or -1 with *why set to a static message ("no closing
 * quotation", "no escaped character") and *argv NULL. */
int shlex_split(const char *s, char ***argv, size_t *argc, const char **why);
/* Free a vector from shlex_split() (NULL is fine). */
void shlex_free(char **argv);

#endif
