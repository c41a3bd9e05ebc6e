/*
 * err.h - positioned error messages.
 *
 * Every parse or validation error carries where it came from:
 *     playbooks/fix.yml:12:7: error: unknown module 'lineinfil' (did you mean 'lineinfile'?)
 * Functions that can fail take a `struct err *` and return -1 after filling
 * it with err_set()/err_setpos(); the caller prints it with err_print().  An
 * err may collect several messages (validation reports all errors it finds,
 * up to ERR_MAX), in the order found.
 *
 * Messages follow git's guidelines: lowercase, no final full stop, the
 * subject quoted with '...'.
 */
#ifndef MEND_ERR_H
#define MEND_ERR_H

#include <stdio.h>

#include "runner/util/strbuf.h"

#define ERR_MAX 50

struct pos {
	const char *file;  /* interned; never freed while the run lives */
	int line;          /* 1-based; 0 = unknown */
	int col;           /* 1-based; 0 = unknown */
};

struct err {
	int count;           /* messages recorded (may exceed ERR_MAX) */
	struct strbuf msg;   /* "file:line:col: error: text\n" per message */
};

#define ERR_INIT { 0, STRBUF_INIT }

void err_release(struct err *e);
/* Record a message with a position (pos may be NULL or have file NULL).
 * Always returns -1 so callers can `return err_setpos(...)`. */
int err_setpos(struct err *e, const struct pos *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The recorded message(s) as text for another message: the trailing
 * newline dropped, and the leading "error: " of a message without a
 * position (file:line:col is kept when there is one); `fallback` when
 * nothing was recorded.  Points into e. */
const char *err_text(struct err *e, const char *fallback);
/* Print all recorded messages to f. */
void err_print(const struct err *e, FILE *f);
/* Intern a file name for use in struct pos (lives until exit). */
const char *pos_intern(const char *file);

#endif
