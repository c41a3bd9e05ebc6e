/* shellcmd.c - see shellcmd.h. */
#include <stdarg.h>
#include <stdlib.h>

#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static void
shellcmd_vbuild(struct strbuf *sb, const char *fmt, va_list ap)
{
	const char *p;

	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			strbuf_addch(sb, *p);
			continue;
		}
		switch (*++p) {
		case 'q':
			strbuf_addquoted(sb, va_arg(ap, const char *));
			break;
		case 's':
			strbuf_addstr(sb, va_arg(ap, const char *));
			break;
		case 'd':
			strbuf_addf(sb, "%d", va_arg(ap, int));
			break;
		case '%':
			strbuf_addch(sb, '%');
			break;
		default:
			fatal("shellcmd: bad format '%%%c'", *p);
		}
	}
}

void
shellcmd_build(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	shellcmd_vbuild(sb, fmt, ap);
	va_end(ap);
}

char *
shellcmd(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	shellcmd_vbuild(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}
