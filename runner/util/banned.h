/*
 * banned.h - functions that must not be used in mend (after git's banned.h).
 * Use strbuf_addf()/xasprintf() instead of sprintf, strbuf or memcpy with an
 * explicit length instead of strcpy/strcat, and a hand-written scanner instead
 * of strtok.  Every .c file includes it LAST, after system headers (the
 * Makefile's lint target checks this).
 */
#ifndef MEND_BANNED_H
#define MEND_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)

#endif
