/*
 * shellcmd.h - the one way mend builds a remote shell command.
 *
 * Every value that reaches a remote shell goes through shellcmd_build():
 * the format string is trusted (written by mend's authors), and each
 * argument is inserted single-quoted.  Never paste a value into a command
 * with strbuf_addf().
 *
 *   %q  next const char * argument, shell-quoted ('a'\''b')
 *   %s  next const char * argument, inserted RAW - only for fragments that
 *       were themselves built by shellcmd_build()
 *   %d  next int
 *   %%  a literal %
 */
#ifndef MEND_SHELLCMD_H
#define MEND_SHELLCMD_H

#include "runner/util/strbuf.h"

void shellcmd_build(struct strbuf *sb, const char *fmt, ...);
char *shellcmd(const char *fmt, ...);   /* malloc'ed result */

/* Fill nonce (size >= 17) with 16 random hex digits (getrandom): a marker
 * for lines a remote script prints, which the commands it runs cannot
 * know and so cannot forge. */
void shellcmd_nonce(char *nonce, size_t size);

#endif
