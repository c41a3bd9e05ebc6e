/*
 * strbuf.h - growable, always NUL-terminated byte buffer (after git's strbuf).
 *
 * Rules:
 *  - sb->buf is never NULL: after strbuf_init() it points at a static "".
 *    Always initialise with STRBUF_INIT or strbuf_init() before use.
 *  - sb->len bytes are valid; sb->buf[sb->len] == '\0' always.  The buffer
 *    may hold NUL bytes (file contents), so use len, not strlen().
 *  - strbuf_release() frees and re-initialises; strbuf_detach() hands the
 *    malloc'ed string to the caller (never NULL) and re-initialises.
 *  - sb->cap, when non-zero, caps growth (remote output, after curl's
 *    dynbuf): appends past the cap are dropped and sb->truncated is set.
 *  - Allocation failure is fatal (xmalloc), never returned.
 */
#ifndef MEND_STRBUF_H
#define MEND_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

extern char strbuf_slopbuf[];

struct strbuf {
	size_t alloc;
	size_t len;
	size_t cap;       /* 0 = unlimited */
	int truncated;    /* set once an append hit cap */
	char *buf;
};

#define STRBUF_INIT { 0, 0, 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Append the whole content of the local file at path.  Returns 0, or -1
 * with errno set (open or read failed) and sb as it was before the call.
 * Reads until end of file: callers that accept untrusted paths check the
 * file's type and size first. */
int strbuf_read_file(struct strbuf *sb, const char *path);

/* Remove trailing whitespace (space, tab, CR, LF). */
void strbuf_rtrim(struct strbuf *sb);

/* Append s as a POSIX shell single-quoted word: abc -> 'abc', a'b -> 'a'\''b'. */
void strbuf_addquoted(struct strbuf *sb, const char *s);

/* Append s as a JSON string literal (with the quotes). */
void strbuf_addjson(struct strbuf *sb, const char *s, size_t len);

/* Fatal-on-failure allocation helpers (tmux xmalloc.c). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* Grow array p (of *nr used, *alloc allocated) to hold at least n items. */
#define ALLOC_GROW(p, n, alloc) do { \
	if ((size_t)(n) > (alloc)) { \
		(alloc) = (alloc) ? (alloc) * 2 : 8; \
		if ((alloc) < (size_t)(n)) (alloc) = (n); \
		(p) = xrealloc((p), (alloc) * sizeof(*(p))); \
	} } while (0)

#endif
