/*
 * rfsftp.h - private to remotefile.c: its SFTP fast path (rfsftp.c).
 *
 * Both functions return 0 when done, RF_SHELL when the caller must run its
 * command instead (nothing was changed), or TERR_UNREACHABLE (ctx->msg
 * set) when a write's rename was sent and its answer lost.
 */
#ifndef MEND_RFSFTP_H
#define MEND_RFSFTP_H

#include "runner/core/remotefile.h"

#define RF_SHELL 1

enum rf_what { RF_META, RF_CONTENT, RF_SHA256 };

/* 1 when mode is octal digits (remotefile.c; rf_mode_valid() has already
 * checked the value). */
int rf_mode_octal(const char *mode);

/* The SFTP session for ctx's user (become included), or NULL: commands.
 * Host variable mend_sftp: false turns SFTP off.  (modctx.c) */
struct sftpc *mod_sftp(struct modctx *ctx);

/* rf_probe()/rf_read(): p filled as the probe command would; with
 * RF_CONTENT the bytes of a regular file into content, with RF_SHA256 its
 * digest into p->sha256. */
int rf_sftp_probe(struct modctx *ctx, const char *path, enum rf_what what,
    struct strbuf *content, struct file_probe *p);

/* The write of mod_write_file_opts() (not in check mode): *after is the
 * file as written, *backup the backup's path or NULL. */
int rf_sftp_write(struct modctx *ctx, const char *path, const void *data,
    size_t len, const struct write_opts *o, int has_validate,
    struct file_probe *after, char **backup);

#endif
