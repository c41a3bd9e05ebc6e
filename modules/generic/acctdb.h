/*
 * acctdb.h - journal the account databases (/etc/passwd, /etc/shadow,
 * /etc/group, /etc/gshadow, /etc/subuid, /etc/subgid) around a command
 * that changes them (groupadd, useradd...), so that `mend rollback` puts
 * their bytes, modes and owners back like any file a run wrote.
 *
 * acctdb_before() reads each file that exists and writes an intent with
 * its bytes (what the command will write is not known yet: the intent
 * names the old bytes as the new ones); after the command, acctdb_after()
 * reads them again and, for each file whose bytes changed, writes a
 * second intent naming the new bytes, then the done records (a file left
 * as it was gets its done record only).  A crash between the command and
 * acctdb_after() leaves intents without the new bytes: rollback then
 * reports drift for those files (--force restores them).  Nothing in
 * check mode or without a journal.
 */
#ifndef MEND_ACCTDB_H
#define MEND_ACCTDB_H

#include "modules/module.h"

#define ACCTDB_MAX 6

struct acctdb {
	size_t n;
	struct {
		const char *path;
		struct strbuf old;
		struct file_meta meta;
		long seq;
	} f[ACCTDB_MAX];
};

/* paths: NULL-terminated.  Returns 0, a TERR_* code, or -1 (failed,
 * recorded: the journal could not be written; change nothing). */
int acctdb_before(struct modctx *ctx, struct acctdb *db,
    const char *const *paths);
/* After the command, whether it succeeded or not (the journal records
 * what the files hold then). */
int acctdb_after(struct modctx *ctx, struct acctdb *db);
void acctdb_release(struct acctdb *db);

#endif
