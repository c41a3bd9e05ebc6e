/*
 * nutconf.h - Network UPS Tools 2.8.0 configuration files: a tokenizer that
 * reads them exactly as NUT does, TLS analysis of upsmon.conf and upsd.conf,
 * and patchers that enforce verified TLS while keeping every other byte.
 *
 * Everything here is pure: no I/O, no host access, no global state.  The
 * modules read the files, check paths on the host (CERTPATH, CERTFILE) and
 * write the results; this file only computes.
 *
 * NUT facts this code relies on (common/parseconf.c, clients/upsmon.c,
 * clients/upsclient.c, server/conf.c at v2.8.0, checked against Debian 12's
 * /lib/nut/upsmon which prints what it parsed):
 *
 *  - Words are split on whitespace (space, \t, \n, \v, \f, \r: so CRLF files
 *    parse like LF files).  `#` outside quotes starts a comment, also in the
 *    middle of a word (`a#b` is the word `a`).  A word starting with `"`
 *    runs to the next unescaped `"` and may span lines; a quote elsewhere is
 *    an ordinary character.  `\` takes the next byte literally, in and out of
 *    quotes; `\` + newline joins lines (`\` + CR LF does not: the CR is
 *    dropped and the LF ends the line).  `=` outside quotes is a word of its
 *    own: `certverify = yes` and `certverify=yes` are the three words
 *    `certverify`, `=`, `yes`.  A line-joining `\` at the start of a word
 *    makes an empty word.  `""` is an empty word.
 *  - Bytes outside 0x20..0x7f are dropped from words (CVE-2012-2944); a word
 *    keeps at most 512 bytes; a line keeps at most 32 words.
 *  - An unescaped `#` inside quotes is a parse error: NUT ignores what it has
 *    read of that line and starts a NEW line right after the `#`, so the rest
 *    of the physical line is parsed as a directive of its own and NUT's line
 *    numbers drift from the editor's from there on.
 *  - A file's last line without a newline is dropped if it is one word.
 *  - Keywords are case-sensitive and UPPERCASE; unknown or short lines are
 *    logged ("invalid directive") and ignored; a repeated directive: the last
 *    one wins.  Numbers are read with atoi(): `yes` is 0.
 *  - upsmon: CERTVERIFY and FORCESSL default to 0 and only exactly 1 turns
 *    them on.  CERTHOST <host> <cert name> <verify> <force> (NSS builds only;
 *    OpenSSL builds accept and ignore it) overrides both for the MONITOR host
 *    spelled exactly <host>; a non-zero flag is on; with several CERTHOST
 *    lines for one host the last one wins.  CERTVERIFY 1 without CERTPATH
 *    makes upsmon drop every connection.
 *  - upsmon's CERTPATH is its trust store (NSS: certificate database;
 *    OpenSSL: directory of hashed CA files).  upsd's CERTPATH (NSS only) is
 *    the database holding the server key, CERTIDENT (NSS only) names the
 *    certificate and the database password, CERTFILE (OpenSSL only) is a PEM
 *    with chain and key: on the other backend each is an invalid directive.
 *    DISABLE_WEAK_SSL takes true/on/yes/1 or false/off/no/0 (any case).
 *
 * Secrets: MONITOR passwords and CERTIDENT passwords are stored in the
 * analysis structs (fields marked SECRET) but never appear in any string this
 * API builds for display (reasons, notes, error messages, or the comments
 * the patchers write).
 */
#ifndef MEND_NUTCONF_H
#define MEND_NUTCONF_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"

#define NUTCONF_MAX_WORDS   32    /* PCONF_DEFAULT_ARG_LIMIT */
#define NUTCONF_MAX_WORDLEN 512   /* PCONF_DEFAULT_WORDLEN_LIMIT */

/* The SSL library NUT was built against (detected on the host with ldd). */
enum nutconf_backend {
	NUTCONF_BACKEND_UNKNOWN = 0,   /* analysis assumes the worst of both */
	NUTCONF_BACKEND_NSS,           /* Debian, Ubuntu */
	NUTCONF_BACKEND_OPENSSL,       /* Fedora >= 33, source builds */
};

/* ------------------------------------------------------------------ */
/* Tokenizer                                                           */

struct nutconf_word {
	char *val;             /* the word as NUT sees it (bytes 0x20..0x7f) */
	size_t off, end;       /* raw bytes [off, end), quotes/escapes included */
	int line, col;         /* 1-based physical position of off */
	unsigned quoted : 1;   /* started with '"' */
};

/*
 * One logical line: what one pconf_file_next() call consumes.  The lines
 * tile the file: lines[0].off == 0, lines[i].end == lines[i + 1].off and the
 * last one ends at the file's length.  A line ends after its '\n', at a parse
 * error (just after the offending '#'), or at the end of the file.
 */
struct nutconf_line {
	size_t off, end;       /* raw span */
	int line, last_line;   /* physical lines of off and of end - 1 */
	int nut_line;          /* the number NUT prints ("line N: invalid ...") */
	unsigned parse_error : 1;  /* NUT ignores this line */
	unsigned eof_lost : 1;     /* last line, one word, no newline: NUT drops it */
	size_t dropped;        /* words beyond NUTCONF_MAX_WORDS (not in w) */
	size_t nr;             /* words in w */
	size_t alloc;          /* room in w (grown geometrically) */
	struct nutconf_word *w;
};

struct nutconf_file {
	char *buf;             /* private copy of the bytes (NUL-terminated) */
	size_t len;
	struct nutconf_line *lines;
	size_t nr, alloc;
	size_t *phys;          /* start offset of each physical line */
	size_t nr_phys, phys_alloc;
	const char *eol;       /* "\r\n" if the first line ends so, else "\n" */
	int final_newline;     /* the file is empty or ends with '\n' */
	int eof_open;          /* the file ends inside a quoted word or after a
	                        * line-joining backslash: NUT would read
	                        * anything appended as part of that line */
};

#define NUTCONF_FILE_INIT { NULL, 0, NULL, 0, 0, NULL, 0, 0, "\n", 1, 0 }

/* Tokenize len bytes (a copy is kept; buf may hold NUL bytes). */
void nutconf_parse(struct nutconf_file *f, const void *buf, size_t len);
void nutconf_file_release(struct nutconf_file *f);

/*
 * Append s to sb as one NUT word that reads back as exactly s: bare when
 * that is safe, else in double quotes with `"`, `\` and `#` escaped by a
 * backslash.  force_quotes quotes even safe words.  Returns -1 (appending
 * nothing) when NUT cannot represent s: a byte outside 0x20..0x7e, or more
 * than NUTCONF_MAX_WORDLEN bytes.
 */
int nutconf_quote(struct strbuf *sb, const char *s, int force_quotes);

/* glibc's atoi() (what NUT uses for numbers); s may be any string. */
int nutconf_atoi(const char *s);
/* upsd's parse_boolean(): 1, 0, or -1 when s is not a boolean. */
int nutconf_boolean(const char *s);

/* ------------------------------------------------------------------ */
/* Analysis                                                            */

/* A display-safe finding: never holds a secret. */
struct nutconf_issue {
	int line;              /* physical line, 0 = about the whole file */
	const char *directive; /* keyword concerned, e.g. "FORCESSL"; NULL for
	                        * notes about other lines (static string) */
	char *text;            /* e.g. "line 6: 'certverify = yes' is ignored ..." */
};

struct nutconf_issues {
	struct nutconf_issue *v;
	size_t nr, alloc;
};

/* A directive's effective value: its last occurrence that NUT accepts. */
struct nutconf_value {
	int set;               /* 0: absent, NUT's default applies */
	int line;              /* physical line of that occurrence */
	char *raw;             /* the value word as NUT reads it */
	int num;               /* nutconf_atoi(raw), or nutconf_boolean(raw) for
	                        * DISABLE_WEAK_SSL; 0 when unset */
};

/*
 * A TLS line that NUT ignores (not uppercase, misspelled like FORCSSL,
 * missing values, parse error) or misreads (`CERTVERIFY = 1` reads '=' as the
 * value, `CERTVERIFY yes` reads 0).
 */
struct nutconf_bad_line {
	int line;              /* physical line */
	const char *directive; /* what it was meant to be, e.g. "FORCESSL" */
	int accepted;          /* NUT accepts it (and misreads it) */
	char *shown;           /* the line re-spelled for display, secrets masked */
	char *why;             /* e.g. "keywords are uppercase and take no '='" */
};

/* Result of a path check on the host (done by the module). */
enum nutconf_path_state {
	NUTCONF_PATH_UNCHECKED = 0,
	NUTCONF_PATH_OK,
	NUTCONF_PATH_MISSING,
	NUTCONF_PATH_UNREADABLE,   /* e.g. not readable by the nut user */
};

struct nutconf_monitor {
	int line;
	char *system;          /* upsname[@host[:port]] as written */
	char *upsname, *host;  /* split as upscli_splitname() does */
	int port;              /* 3493 by default */
	char *powervalue, *user;
	char *password;        /* SECRET */
	char *role;            /* primary/master/secondary/slave as written */
};

struct nutconf_certhost {
	int line;
	char *host, *name;
	char *verify_raw, *force_raw;
	int certverify, forcessl;  /* atoi() of the flags: non-zero = on */
	unsigned effective : 1;    /* the rule NUT uses for host (last one) */
	unsigned monitored : 1;    /* host is a MONITOR host */
};

struct nutconf_upsmon {
	enum nutconf_backend backend;
	struct nutconf_value certpath, certverify, forcessl;
	struct {
		int set, line;
		char *name;
		char *password;        /* SECRET */
	} certident;
	struct nutconf_monitor *monitors;
	size_t nr_monitors, alloc_monitors;
	struct nutconf_certhost *certhosts;
	size_t nr_certhosts, alloc_certhosts;
	struct nutconf_bad_line *bad;  /* ineffective TLS lines, in file order */
	size_t nr_bad, alloc_bad;
	enum nutconf_path_state certpath_state;
	int tls_enforced;      /* verified, forced TLS for every MONITOR host */
	int vulnerable;        /* reasons.nr > 0: the fix is not (fully) applied */
	struct nutconf_issues reasons;  /* one per problem */
	struct nutconf_issues notes;    /* harmless but worth a look */
};

/*
 * Analyse a tokenized upsmon.conf.  The reasons name, one per problem:
 * CERTVERIFY/FORCESSL not 1, CERTPATH missing, a CERTHOST that switches
 * verification or TLS off for a MONITOR host (not on OpenSSL builds), and
 * every ineffective TLS line.  Release with nutconf_upsmon_release().
 */
void nutconf_upsmon_analyze(struct nutconf_upsmon *a,
    const struct nutconf_file *f, enum nutconf_backend backend);
/* Record the host-side check of the effective CERTPATH; MISSING and
 * UNREADABLE add a reason (calling it again replaces that reason). */
void nutconf_upsmon_set_certpath_state(struct nutconf_upsmon *a,
    enum nutconf_path_state st);
void nutconf_upsmon_release(struct nutconf_upsmon *a);

struct nutconf_listen {
	int line;
	char *addr;
	char *port;            /* "3493" when not given */
};

struct nutconf_upsd {
	enum nutconf_backend backend;
	struct nutconf_value certpath;   /* NSS: server certificate database */
	struct nutconf_value certfile;   /* OpenSSL: PEM, chain then key */
	struct nutconf_value disable_weak_ssl;  /* num: 1 on, 0 off */
	struct {
		int set, line;
		char *name;
		char *password;        /* SECRET */
	} certident;
	struct nutconf_listen *listens;
	size_t nr_listens, alloc_listens;
	struct nutconf_bad_line *bad;
	size_t nr_bad, alloc_bad;
	int nss_ready;         /* CERTPATH and CERTIDENT set (NSS reading) */
	int openssl_ready;     /* CERTFILE set (OpenSSL reading) */
	int tls_ready;         /* ready for the given backend (either if unknown) */
	enum nutconf_path_state cert_state;  /* of CERTPATH (NSS) or CERTFILE */
	int vulnerable;        /* reasons.nr > 0 */
	struct nutconf_issues reasons;
	struct nutconf_issues notes;
};

/*
 * Analyse a tokenized upsd.conf for the backend.  Directives that the
 * backend does not have (CERTFILE on NSS, CERTPATH/CERTIDENT on OpenSSL) are
 * notes, not reasons.  NUT 2.8.0's upsd cannot refuse plaintext clients:
 * that is always a note (enforcement is the clients' FORCESSL).
 */
void nutconf_upsd_analyze(struct nutconf_upsd *a,
    const struct nutconf_file *f, enum nutconf_backend backend);
/* Record the host-side check of the certificate store (CERTPATH on NSS,
 * CERTFILE on OpenSSL; with an unknown backend CERTPATH when it is set). */
void nutconf_upsd_set_cert_state(struct nutconf_upsd *a,
    enum nutconf_path_state st);
void nutconf_upsd_release(struct nutconf_upsd *a);

/* ------------------------------------------------------------------ */
/* Patchers                                                            */

/*
 * Both patchers return 0 and put the new file into out (appended; out is
 * not reset), or return -1 with an error in e and out untouched.  Rules:
 *  - Every byte outside the lines they change is kept: comments, order,
 *    blank lines, each line's LF or CRLF, the final newline or its absence.
 *    Commented-out defaults such as Debian's "# CERTVERIFY 1" are comments
 *    and stay as they are.
 *  - For each enforced directive, the first line NUT takes for it (right
 *    keyword and case, enough values, no '=') is kept byte for byte when
 *    already right, else rewritten in place, keeping the indentation and a
 *    trailing comment of a one-line directive.  Every other line for that
 *    directive is removed: duplicates, and ineffective lines (see
 *    nutconf_bad_line); when no line qualifies, the first ineffective one
 *    is replaced instead.  A removed line, and a replaced one NUT ignored
 *    or misread, leaves a comment naming it (secrets masked), e.g.
 *        # mend: replaced 'certverify = yes' (ignored by upsmon)
 *        # mend: removed duplicate 'FORCESSL 0'
 *  - A line NUT only finds after another line's parse error cannot be
 *    rewritten safely: the patch is refused if it must change it.
 *  - Directives still missing are appended at the end after one line
 *        # mend: enforce verified TLS
 *    (refused when the file ends open: see nutconf_file.eof_open).
 *  - Patching a patched file returns identical bytes.
 */

struct nutconf_certhost_req {
	const char *host;      /* as written in MONITOR ups@HOST[:port] */
	const char *name;      /* expected certificate name (CN/SAN) */
};

struct nutconf_client_fix {
	const char *certpath;  /* NULL: keep the file's CERTPATH (refused when
	                        * there is none: CERTVERIFY 1 needs it) */
	const struct nutconf_certhost_req *certhosts;   /* optional, NSS only */
	size_t nr_certhosts;
};

/*
 * upsmon.conf: CERTPATH, CERTVERIFY 1, FORCESSL 1, the requested CERTHOST
 * <host> "<name>" 1 1 lines, and every existing CERTHOST repaired to 1 1
 * (one per host, with the name NUT uses unless another is requested;
 * CERTHOST lines NUT ignores or misreads are removed: the global flags
 * cover those hosts).  CERTIDENT is left alone.
 * Refused: no CERTPATH given nor present; a value NUT cannot represent; a
 * CERTHOST host that no MONITOR line uses, or requested twice.
 */
int nutconf_patch_upsmon(const void *buf, size_t len,
    const struct nutconf_client_fix *fix, struct strbuf *out, struct err *e);

struct nutconf_server_fix {
	enum nutconf_backend backend;  /* NSS or OPENSSL; UNKNOWN is refused */
	const char *certpath;          /* NSS; NULL: keep the file's */
	const char *certident_name;    /* NSS; NULL: keep the file's (then the */
	const char *certident_password;/*  password must be NULL too); SECRET */
	const char *certfile;          /* OpenSSL; NULL: keep the file's */
	int disable_weak_ssl;          /* non-zero: DISABLE_WEAK_SSL true */
};

/*
 * upsd.conf: NSS: CERTPATH, CERTIDENT "<name>" "<password>"; OpenSSL:
 * CERTFILE; both: DISABLE_WEAK_SSL true when asked.  Directives of the other
 * backend are left alone.  Refused: unknown backend, a missing value that
 * the file does not provide either, a value NUT cannot represent.
 */
int nutconf_patch_upsd(const void *buf, size_t len,
    const struct nutconf_server_fix *fix, struct strbuf *out, struct err *e);

#endif
