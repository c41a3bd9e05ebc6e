/*
 * nutproto.h - the pure parts of talking to Network UPS Tools hosts: the
 * network protocol's reply lines (TCP 3493, docs/net-protocol.txt of NUT
 * 2.8.0) and the output of the host tools the NUT modules run (ldd,
 * certutil -L, upsd -V, nut.conf).
 *
 * Everything here is pure: no I/O, no global state.  The modules
 * (modules/nut/nut_probe.c, nut_facts.c, nut_ca.c, nut_tls.c) do the I/O and
 * use these functions to read what came back; tests/unit/test_nutproto.c
 * tests them on the exact text the real tools print.
 *
 * Protocol facts used here:
 *  - Requests and replies are lines ending in '\n' (a '\r' before it is
 *    tolerated and dropped).  A reply is `OK ...`, `ERR <CODE> [extra]`, or
 *    data (`VAR ...`, `BEGIN LIST UPS`, `UPS ...`, `END LIST UPS`, the
 *    version text of `VER`).
 *  - Reply words are split on spaces and tabs; a word starting with '"'
 *    runs to the next unescaped '"'; '\' takes the next byte literally (the
 *    server escapes '"' and '\' in values with it).
 *  - STARTTLS -> `OK STARTTLS` (then the TLS handshake at once), or
 *    `ERR FEATURE-NOT-CONFIGURED` (upsd has no usable certificate),
 *    `ERR FEATURE-NOT-SUPPORTED` (built without SSL), `ERR ALREADY-SSL-MODE`.
 */
#ifndef MEND_NUTPROTO_H
#define MEND_NUTPROTO_H

#include <stddef.h>

#include "modules/nut/nutconf.h"
#include "runner/util/strbuf.h"

#define NUTPROTO_MAX_LINE 4096    /* longer reply lines are an error */

/* ------------------------------------------------------------------ */
/* Reply lines                                                         */

/*
 * Take the first complete line from the front of `in` (removing it and its
 * '\n'; a '\r' before the '\n' is dropped too) into `line` (reset first).
 * Returns 1 when a line was taken, 0 when `in` holds no complete line yet,
 * -1 when `in` holds more than NUTPROTO_MAX_LINE bytes without a newline
 * (nothing taken).
 */
int nutproto_take_line(struct strbuf *in, struct strbuf *line);

enum nutproto_kind {
	NUTPROTO_DATA = 0,     /* anything else */
	NUTPROTO_OK,           /* "OK" or "OK <text>" */
	NUTPROTO_ERR,          /* "ERR <CODE> [...]" */
};

/* Classify a reply line.  For ERR, the code ("FEATURE-NOT-CONFIGURED",
 * "" when missing) is copied into code (truncated to codesz - 1). */
enum nutproto_kind nutproto_classify(const char *line, char *code,
    size_t codesz);

/* A short human explanation of an ERR code ("upsd has no usable TLS
 * certificate configured"), or NULL for codes it does not know. */
const char *nutproto_err_text(const char *code);

/* Reply words split as described above.  Returns the number of words
 * (filled into an xmalloc'ed array of xstrdup'ed words), or -1 with
 * nothing allocated when a quote is not closed. */
int nutproto_split(const char *line, char ***words);
void nutproto_words_free(char **words, int n);

/* `UPS <name> "<description>"` (a LIST UPS item): 0 and xstrdup'ed name
 * and desc, or -1 when the line is not one. */
int nutproto_parse_ups(const char *line, char **name, char **desc);

/* `VAR <ups> <var> "<value>"`: 0 and the xstrdup'ed value when ups and
 * var are the ones asked for, else -1. */
int nutproto_parse_var(const char *line, const char *ups, const char *var,
    char **value);

/* A UPS name that is safe to put in a request (`GET VAR <ups> ...`):
 * 1..64 bytes, printable, no space, quote, backslash or '@'. */
int nutproto_upsname_ok(const char *s);

/* The version number in a version text ("Network UPS Tools upsd 2.8.0 -
 * http://www.networkupstools.org/" -> "2.8.0"): the first word that starts
 * with a digit and holds a '.', copied up to the next space (truncated to
 * outsz - 1).  Returns 0, or -1 (out = "") when there is none. */
int nutproto_parse_version(const char *text, char *out, size_t outsz);

/* ------------------------------------------------------------------ */
/* Host tool output                                                    */

/*
 * The SSL library in `ldd` output: NSS when a line names libnss3.so (NSS's
 * own libssl3.so alone is not enough: it is always beside libnss3),
 * OpenSSL when a line names OpenSSL's libssl.so.N (libssl.so.3,
 * libssl.so.1.1).  NSS wins when both appear.  Returns NUTCONF_BACKEND_*,
 * UNKNOWN when neither appears (no SSL support, or no output).
 */
enum nutconf_backend nutproto_ldd_backend(const char *ldd_out);
/* "nss", "openssl", "none" (for UNKNOWN). */
const char *nutproto_backend_name(enum nutconf_backend be);

/* One certificate in `certutil -L -d DIR` output. */
struct nutproto_cert {
	char *nick;            /* may contain spaces */
	char *trust;           /* "CT,,", "u,u,u", ",,", ... */
};

/*
 * Parse `certutil -L` output:
 *
 *   <blank>
 *   Certificate Nickname                      Trust Attributes
 *                                             SSL,S/MIME,JAR/XPI
 *   <blank>
 *   mend-lab-ca                               CT,,
 *
 * The trust is the last word of an item line, the nickname everything
 * before it with trailing blanks removed.  Returns the number of
 * certificates (an xmalloc'ed array, NULL when none), or -1 when the
 * output does not have the header (nothing allocated).
 */
int nutproto_certutil_list(const char *out, struct nutproto_cert **certs);
void nutproto_certs_free(struct nutproto_cert *certs, int n);

/* Trust flags of the SSL field (before the first ','): 'C' = trusted CA
 * for server certificates (what a client's CERTPATH needs), 'u' = the
 * database holds the private key (what upsd's CERTIDENT needs). */
int nutproto_trust_ssl_ca(const char *trust);
int nutproto_trust_has_key(const char *trust);

/* The nickname of a certificate with trust_fn true in certs, or NULL. */
const char *nutproto_find_trusted(const struct nutproto_cert *certs, int n,
    int (*trust_fn)(const char *trust));

/*
 * MODE from nut.conf (a shell fragment: `MODE=netserver`, `MODE="none"`,
 * `MODE='standalone'`, blanks around, comments).  The last assignment wins.
 * Copies the value (truncated to outsz - 1); returns 0, or -1 (out = "")
 * when there is none.
 */
int nutproto_nut_mode(const char *text, size_t len, char *out, size_t outsz);

/*
 * Append buf to out with every secret word replaced by ******** (in
 * quotes when the word was quoted): MONITOR's password (5th word) and
 * CERTIDENT's password (3rd word), found with NUT's tokenizer rules
 * (nutconf.h), so quoting, escapes and line joins cannot hide one.  Every
 * other byte is kept: for diffs of upsmon.conf and upsd.conf.
 */
void nutproto_mask_secrets(const char *buf, size_t len, struct strbuf *out);

/* ------------------------------------------------------------------ */
/* Certificate stores on the host: one remote script, parsed here      */

enum nutproto_store_kind {
	NUTPROTO_STORE_NSS,    /* NSS database directory (cert9.db/cert8.db) */
	NUTPROTO_STORE_CADIR,  /* OpenSSL CA directory (hash-named files) */
	NUTPROTO_STORE_FILE,   /* PEM file (upsd CERTFILE: chain then key) */
};

/* What the store script found about one path. */
struct nutproto_store {
	int exists;
	int is_dir;
	int readable;          /* by the NUT user: 1, 0, -1 = not checked
	                        * (not root, or no such user) */
	unsigned mode;         /* permission bits, e.g. 0750 */
	char owner[64], group[64];
	int has_db;            /* NSS: cert9.db or cert8.db is there */
	int listed;            /* NSS: certutil -L ran and was understood */
	int list_rc;           /* its exit status (127: no certutil) */
	struct nutproto_cert *certs;   /* NSS: what certutil -L lists */
	int ncerts;
	int nhashed;           /* CADIR: files named like 1a2b3c4d.0 */
	int pem_cert, pem_key; /* FILE: holds a certificate / a private key */
};

/*
 * Append to cmd the remote POSIX sh script that inspects `path` as a store
 * of `kind` for the NUT user `user` (readable = every file NUT opens can
 * be opened by that user, checked with runuser, or su when runuser is
 * missing, as root).  Every value is quoted (shellcmd.h).  The script
 * prints key=value lines and, for NSS, "--certutil--" followed by the
 * output of certutil -L; it always exits 0 unless the shell fails.
 */
void nutproto_store_cmd(struct strbuf *cmd, enum nutproto_store_kind kind,
    const char *path, const char *user);
/* Parse the script's output into st (zeroed first).  Returns 0, or -1 when
 * the output is not the script's (no exists= line). */
int nutproto_store_parse(const char *out, struct nutproto_store *st);
void nutproto_store_release(struct nutproto_store *st);
/* A one-line reason the store is not usable as upsmon's CERTPATH (trust
 * store for server certificates), or NULL when it is; static text plus
 * path, into sb. */
int nutproto_store_ca_problem(const struct nutproto_store *st,
    enum nutproto_store_kind kind, const char *path, struct strbuf *sb);

#endif
