/*
 * input.h - reading the files a user names: playbooks, inventories,
 * `-e @file`, vars_files, group_vars/host_vars, `-l @file`.
 *
 * Only regular files are read: a FIFO, a device (/dev/zero), a socket or a
 * directory is refused before anything is read, so mend never blocks on a
 * pipe nor reads without end:
 *     error: 'pipe.yml' is not a regular file (a FIFO)
 * and a file larger than the input limit is refused, not half read:
 *     error: 'big.yml' is larger than the input limit (16 MiB; set
 *     MEND_MAX_INPUT to raise it)
 * The limit is 16 MiB per file unless the environment variable
 * MEND_MAX_INPUT says otherwise: bytes, or a number with K, M or G
 * (binary units); a malformed value is an error naming it.
 */
#ifndef MEND_INPUT_H
#define MEND_INPUT_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"

#define INPUT_MAX_DEFAULT ((size_t)16 << 20)

/* The limit in bytes (MEND_MAX_INPUT or the default); -1 with e filled
 * when MEND_MAX_INPUT is malformed. */
int input_max(size_t *out, struct err *e);

/* Append the contents of `path` to sb.  `what` names the file's role in
 * messages ("inventory" gives "inventory 'x' is not..."; NULL: none).  Returns 0, or -1 with e filled
 * (sb unchanged). */
int input_read_file(const char *path, const char *what, struct strbuf *sb,
    struct err *e);

#endif
