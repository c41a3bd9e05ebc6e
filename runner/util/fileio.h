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

#endif
