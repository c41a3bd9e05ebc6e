/*
 * fileio.h - writing local files (the journal, the JSON report).
 *
 * Reading a whole local file is strbuf_read_file() (strbuf.h).
 */
#ifndef MEND_FILEIO_H
#define MEND_FILEIO_H

#include <stddef.h>

/* Write all len bytes to fd, retrying short writes and EINTR.  Returns 0,
 * or -1 with errno set (some bytes may have been written). */
int write_all(int fd, const void *buf, size_t len);

/* Replace (or create) the local file `path` with buf[0, len) so that a
 * reader sees the old bytes or the new ones, never a part: a temp file
 * <path>.XXXXXX in the same directory (0600 while written), given the mode
 * of the file it replaces (a new file: create_mode & ~umask, as open(2)
 * with that mode would), fsync'd, renamed over path, the directory
 * fsync'd.  Returns 0, or -1 with errno set and no temp file left. */
int replace_file_atomic(const char *path, const void *buf, size_t len,
    unsigned create_mode);

#endif
