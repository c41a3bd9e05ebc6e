/* tlsfix.c - states and refusals of the TLS-fix modules; see tlsfix.h. */
#include <stdarg.h>
#include <string.h>

#include "modules/tlsfix.h"
#include "runner/util/banned.h"

enum tlsfix_state
tlsfix_state(const struct val *args)
{
	const char *st = arg_str(args, "state");

	if (strcmp(st, "restored") == 0)
		return TLSFIX_RESTORED;
	if (strcmp(st, "preflight") == 0)
		return TLSFIX_PREFLIGHT;
	return TLSFIX_PATCHED;
}

int
tlsfix_refuse(struct modctx *ctx, const char *path, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	mod_fail(ctx, "refusing to change %s: %s", path, sb.buf);
	strbuf_release(&sb);
	return -1;
}

int
tlsfix_refuse_preflight(struct modctx *ctx, const char *path,
    const char *problems)
{
	return tlsfix_refuse(ctx, path, "the pre-flight check on the host "
	    "failed, nothing was changed and the broker keeps its current "
	    "listeners: %s", problems);
}
