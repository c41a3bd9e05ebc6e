/* unitstate.c - journal entries of kind unit; see unitstate.h. */
#include <stdlib.h>
#include <string.h>

#include "modules/generic/unitstate.h"
#include "runner/util/banned.h"

const char *
unitstate_norm(const char *s)
{
	static const char *const off[] = { "disabled", "", "not-found",
	    "bad", "transient" };
	size_t i;

	if (strncmp(s, "masked", 6) == 0)
		return "masked";
	for (i = 0; i < ARRAY_SIZE(off); i++)
		if (strcmp(s, off[i]) == 0)
			return "disabled";
	return "enabled";
}

long
unitstate_journal(struct modctx *ctx, const char *unit, const char *was,
    const char *now)
{
	char *path;
	struct fs_change c;
	long seq;

	if (ctx->check)
		return 0;
	path = xasprintf("unit:%s", unit);
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.kind = "unit";
	c.was = was;
	c.now = now;
	seq = mod_journal_fs(ctx, &c);
	free(path);
	return seq;
}

void
unitstate_done(struct modctx *ctx, long seq, const char *failed)
{
	if (failed != NULL)
		mod_journal_fail(ctx, seq, failed);
	else
		mod_journal_done(ctx, seq, "", 0, NULL);
}
