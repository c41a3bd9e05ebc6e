/* shellcmd.c - see shellcmd.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

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

void
shellcmd_nonce(char *nonce, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[8];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)
		    ^ (uint64_t)(uintptr_t)&r;

		memcpy(r, &x, sizeof(r));
	}
	for (i = 0; i < sizeof(r) && 2 * i + 2 < size; i++) {
		nonce[2 * i] = hex[r[i] >> 4];
		nonce[2 * i + 1] = hex[r[i] & 15];
	}
	nonce[2 * i] = '\0';
}
