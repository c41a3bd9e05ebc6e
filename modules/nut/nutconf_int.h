/*
 * nutconf_int.h - what the nutconf*.c files share: the TLS line
 * vocabulary (classification, display, issues) that the analysers and the
 * patchers both use.  Private to them: the contract is nutconf.h.
 */
#ifndef MEND_NUTCONF_INT_H
#define MEND_NUTCONF_INT_H

#include <stddef.h>

#include "modules/nut/nutconf.h"

#define NUT_PORT 3493

#define SHOWN_MAX 80

enum prog { P_UPSMON, P_UPSD };

enum dkind {
	D_NONE, D_CERTPATH, D_CERTVERIFY, D_FORCESSL, D_CERTIDENT, D_CERTHOST,
	D_CERTFILE, D_WEAKSSL, D_NKINDS
};

/* Each directive's keyword and the words NUT needs (nutconf_lines.c). */
struct dspec {
	const char *kw;
	size_t minargs;          /* words NUT needs, keyword included */
};
extern const struct dspec nutc_dspec[D_NKINDS];

struct cls {
	enum dkind kind;
	unsigned exact : 1;      /* keyword spelled right, right case */
	unsigned misspelled : 1; /* e.g. FORCSSL */
	unsigned has_eq : 1;     /* a bare '=' word among the values */
	unsigned missing : 1;    /* too few values (not counting '=') */
	unsigned bad_value : 1;  /* value NUT reads differently than written */
	unsigned wrong_backend : 1;
	unsigned accepted : 1;   /* NUT uses the line */
	unsigned wellformed : 1; /* ... and reads it as written */
};

/* A host named on a MONITOR line (nutconf_upsmon.c). */
struct hostref {
	const char *host;
	size_t idx;
};

/* The issue that bad line b raises, into is. */
void nutc_bad_reason(struct nutconf_issues *is,
    const struct nutconf_bad_line *b,
    enum prog prog);

/* Free nr bad lines and their texts. */
void nutc_bad_release(struct nutconf_bad_line *v, size_t nr);

/* A line the patchers may rewrite in place: NUT reads its words as they
 * stand, only a value may be wrong. */
int nutc_candidate(const struct cls *c);

/* Which TLS directive line r is for prog, and how NUT reads it. */
void nutc_classify(enum prog prog, enum nutconf_backend be,
    const struct nutconf_line *r, struct cls *c);

/* "KW v1 v2..." with each value quoted as NUT needs; -1 if one cannot be. */
int nutc_directive(struct strbuf *sb, const char *kw, const char *const *vals,
    const int *force);

/* Is host named on a MONITOR line of a? */
int nutc_host_monitored(const struct nutconf_upsmon *a, const char *host);

/* qsort order of struct hostref: by host, then by index. */
int nutc_hostref_cmp(const void *a, const void *b);

/* *name, *pw from line r's two values (replacing earlier ones), *set,
 * *line. */
void nutc_ident_set(char **name, char **pw, int *set, int *line,
    const struct nutconf_line *r);

/* Append an issue (line 0: none) about directive (may be NULL). */
void nutc_issue_addf(struct nutconf_issues *is, int line, const char *directive,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Drop the issues about directive. */
void nutc_issue_del_directive(struct nutconf_issues *is, const char *directive);

void nutc_issues_release(struct nutconf_issues *is);

/* Is kw a keyword prog knows (NUT 2.8.0, either backend)? */
int nutc_known_keyword(enum prog prog, const char *kw);

/* Where an analyser (nutconf_upsd.c, nutconf_upsmon.c) puts what its
 * file's lines say: notes, and the TLS lines NUT ignores or misreads. */
struct nutc_sink {
	enum prog prog;
	enum nutconf_backend backend;
	struct nutconf_issues *notes;
	struct nutconf_bad_line **bad;
	size_t *nr_bad, *alloc_bad;
};

/* What the analyser still has to do with a line after nutc_take_line(). */
enum nutc_take {
	NUTC_TAKE_DONE,          /* nothing */
	NUTC_TAKE_OTHER,         /* a parsed line of no TLS directive (LISTEN,
				  * MONITOR: the analyser's own) */
	NUTC_TAKE_APPLY          /* NUT uses TLS directive c->kind of it */
};

/* Classify line r of f for s->prog into *c and note what it says into s:
 * a line NUT cannot parse, a keyword s->prog does not know, a directive
 * the backend lacks (upsd) as notes; a TLS directive NUT ignores or
 * misreads as a bad line. */
enum nutc_take nutc_take_line(const struct nutc_sink *s,
    const struct nutconf_file *f, const struct nutconf_line *r,
    struct cls *c);

/* The issue for a CERTPATH/CERTFILE value v that is missing or not
 * readable on the host (st); replaces an earlier one. */
void nutc_path_reason(struct nutconf_issues *is, const char *kw,
    const struct nutconf_value *v, enum nutconf_path_state st);

/* "1", "0", "-2", "+3": a number as a human would write it. */
int nutc_plain_int(const char *s);

/* "upsmon", "upsd" by enum prog. */
extern const char *const nutc_prog_name[];

/* Line r as shown in messages, passwords as *** (malloc'ed). */
char *nutc_shown_line(const struct nutconf_file *f,
    const struct nutconf_line *r);

/* One value for display inside '...': printable, cut when long. */
char *nutc_shown_value(const char *s);

void nutc_value_release(struct nutconf_value *v);

/* v from line r's first value, with its number num. */
void nutc_value_set(struct nutconf_value *v, const struct nutconf_line *r,
    int num);

/* Is directive k one that upsd ignores with backend be (CERTFILE on
 * NSS, CERTPATH and CERTIDENT on OpenSSL)? */
int nutc_wrong_backend(enum prog prog, enum nutconf_backend be, enum dkind k);

#endif
