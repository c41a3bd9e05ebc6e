/* acctdb.c - journaling the account databases; see acctdb.h. */
#include <string.h>

#include "modules/generic/acctdb.h"
#include "runner/util/banned.h"

int
acctdb_before(struct modctx *ctx, struct acctdb *db,
    const char *const *paths)
{
	size_t i;
	int ret = 0;

	memset(db, 0, sizeof(*db));
	for (i = 0; ret == 0 && paths[i] != NULL && db->n < ACCTDB_MAX; i++) {
		strbuf_init(&db->f[db->n].old, 0);
		db->f[db->n].path = paths[i];
		ret = mod_read_file(ctx, paths[i], &db->f[db->n].old,
		    &db->f[db->n].meta);
		db->n++;
	}
	for (i = 0; ret == 0 && !ctx->check && i < db->n; i++) {
		if (!db->f[i].meta.exists)
			continue;
		/* the new bytes are not known yet: named as the old ones, so
		 * that a later intent of the same run for this file (another
		 * task) still ends with the bytes the file holds */
		db->f[i].seq = mod_journal_intent(ctx, db->f[i].path,
		    &db->f[i].meta, db->f[i].old.buf, db->f[i].old.len,
		    db->f[i].old.buf, db->f[i].old.len, NULL);
		if (db->f[i].seq < 0) {
			mod_fail(ctx, "cannot write the journal entry for '%s': "
			    "not changing it", db->f[i].path);
			ret = -1;
		}
	}
	return ret;
}

/* One file after the command: a second intent with the new bytes when
 * they differ, then done. */
static int
after_one(struct modctx *ctx, struct acctdb *db, size_t i)
{
	struct strbuf now = STRBUF_INIT;
	struct file_meta m;
	long seq = db->f[i].seq;
	int ret;

	ret = mod_read_file(ctx, db->f[i].path, &now, &m);
	if (ret == 0 && m.exists && (now.len != db->f[i].old.len ||
	    memcmp(now.buf, db->f[i].old.buf, now.len) != 0)) {
		seq = mod_journal_intent(ctx, db->f[i].path, &db->f[i].meta,
		    db->f[i].old.buf, db->f[i].old.len, now.buf, now.len, NULL);
		mod_journal_done(ctx, seq, now.buf, now.len, &m);
	}
	if (ret == 0)
		mod_journal_done(ctx, db->f[i].seq, now.buf, now.len, &m);
	strbuf_release(&now);
	file_meta_release(&m);
	return ret;
}

int
acctdb_after(struct modctx *ctx, struct acctdb *db)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < db->n; i++)
		if (db->f[i].seq > 0)
			ret = after_one(ctx, db, i);
	return ret;
}

void
acctdb_release(struct acctdb *db)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		strbuf_release(&db->f[i].old);
		file_meta_release(&db->f[i].meta);
	}
	db->n = 0;
}
