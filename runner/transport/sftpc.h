/*
 * sftpc.h - a small SFTP (version 3) client over any tstream: the file
 * operations of remotefile.c without starting a program per operation.
 *
 * Why our own client and not libssh's sftp_*: libssh 0.10 cannot send the
 * OpenSSH extensions an atomic replace needs (posix-rename@openssh.com:
 * plain SFTP rename refuses an existing target), nor fsync@openssh.com or
 * users-groups-by-id@openssh.com, and it opens its channel itself (no
 * `sudo sftp-server` for become).  The protocol subset is small: see
 * draft-ietf-secsh-filexfer-02 and OpenSSH's PROTOCOL file.
 *
 * A session is usable only when the server has all three extensions
 * (OpenSSH >= 9.1); sf_start() says so, and callers then use the shell
 * path.  One session serves one thread at a time.
 *
 * Return convention of the operations: 0 = done; > 0 = the server's status
 * code (SF_NO_SUCH_FILE, SF_PERMISSION_DENIED, SF_FAILURE, ...; its message
 * in sf_message()); < 0 = TERR_* from transport.h with e set (the stream
 * broke, timed out, or the server sent garbage): the session is dead then,
 * every later call fails the same way.
 */
#ifndef MEND_SFTPC_H
#define MEND_SFTPC_H

#include <stddef.h>
#include <stdint.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"
#include "runner/transport/transport.h"

enum {
	SF_OK = 0, SF_EOF = 1, SF_NO_SUCH_FILE = 2, SF_PERMISSION_DENIED = 3,
	SF_FAILURE = 4, SF_BAD_MESSAGE = 5, SF_OP_UNSUPPORTED = 8,
};

/* open flags */
#define SF_READ   0x01
#define SF_WRITE  0x02
#define SF_CREAT  0x08
#define SF_TRUNC  0x10
#define SF_EXCL   0x20

/* attribute flags */
#define SF_A_SIZE  0x01
#define SF_A_UIDGID 0x02
#define SF_A_PERM  0x04
#define SF_A_TIME  0x08

struct sf_attr {
	uint32_t flags;          /* SF_A_* present */
	uint64_t size;
	uint32_t uid, gid;
	uint32_t perm;           /* st_mode: type bits and 07777 */
	uint32_t atime, mtime;
};

struct sftpc;

/* Speak SFTP over s (which the session then owns and closes).  Fails with
 * TERR_INTERNAL and e set when the server lacks a needed extension. */
int sf_start(struct tstream *s, int timeout_ms, struct sftpc **out,
    struct err *e);
void sf_end(struct sftpc *sf);
/* The server's message for the last status > 0 ("No such file"). */
const char *sf_message(const struct sftpc *sf);
/* A short lowercase reason for a status code ("permission denied"). */
const char *sf_strstatus(int status);

int sf_stat(struct sftpc *sf, const char *path, int follow,
    struct sf_attr *a, struct err *e);
/* The canonical absolute path (symlinks resolved; OpenSSH allows a missing
 * last component).  *out malloc'ed. */
int sf_realpath(struct sftpc *sf, const char *path, char **out,
    struct err *e);
/* Names of a uid and a gid (users-groups-by-id@openssh.com); a number the
 * host cannot name comes back as the number.  Cached per session. */
int sf_names(struct sftpc *sf, uint32_t uid, uint32_t gid, char **user,
    char **group, struct err *e);

/* Files: a handle is the server's opaque string, kept in a strbuf. */
int sf_open(struct sftpc *sf, const char *path, uint32_t pflags,
    const struct sf_attr *a, struct strbuf *handle, struct err *e);
int sf_close(struct sftpc *sf, const struct strbuf *handle, struct err *e);
/* Read from offset 0 to EOF into out (appended); more than cap bytes
 * stops with out->truncated set (0 = no cap).  hint: the size expected
 * (from a stat; 0 = small or unknown), to size the requests in flight. */
int sf_read_all(struct sftpc *sf, const struct strbuf *handle, uint64_t hint,
    size_t cap, struct strbuf *out, struct err *e);
/* open + sf_read_all + close of `path`. */
int sf_read_file(struct sftpc *sf, const char *path, uint64_t hint,
    size_t cap, struct strbuf *out, struct err *e);
/* Write len bytes at offset 0 (pipelined requests). */
int sf_write_all(struct sftpc *sf, const struct strbuf *handle,
    const void *data, size_t len, struct err *e);
int sf_fstat(struct sftpc *sf, const struct strbuf *handle,
    struct sf_attr *a, struct err *e);
int sf_fsetstat(struct sftpc *sf, const struct strbuf *handle,
    const struct sf_attr *a, struct err *e);
int sf_fsync(struct sftpc *sf, const struct strbuf *handle, struct err *e);

/* rename(2): replaces `to` atomically (posix-rename@openssh.com). */
int sf_rename(struct sftpc *sf, const char *from, const char *to,
    struct err *e);
int sf_remove(struct sftpc *sf, const char *path, struct err *e);
int sf_mkdir(struct sftpc *sf, const char *path, uint32_t perm,
    struct err *e);
int sf_rmdir(struct sftpc *sf, const char *path, struct err *e);

/* The pure part, for the unit tests: append an ATTRS block; parse one
 * (advancing *p, decreasing *left); -1 if truncated. */
void sf_put_attr(struct strbuf *sb, const struct sf_attr *a);
int sf_get_attr(const unsigned char **p, size_t *left, struct sf_attr *a);

#endif
