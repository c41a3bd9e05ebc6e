/*
 * knownhosts.h - the known_hosts markers libssh 0.10 ignores.
 *
 * libssh reads known_hosts lines as "HOSTS KEYTYPE KEY" and skips a line
 * that starts with a marker, so on its own it would trust a key marked
 * `@revoked` (and know nothing of `@cert-authority`).  mend scans the
 * file for them first, as OpenSSH's sshconnect.c does:
 *   @revoked HOSTS KEYTYPE KEY       the key is never accepted for those
 *                                    hosts, under any host-key policy
 *   @cert-authority HOSTS KEYTYPE KEY  host certificates signed by KEY are
 *                                    trusted for those hosts
 * HOSTS is OpenSSH's list: comma-separated patterns with `*` and `?`,
 * negated with `!` (a matching negation excludes the host), or one hashed
 * name `|1|SALT|HASH` (HMAC-SHA1, base64).  The name matched is "host", or
 * "[host]:port" for a port other than 22, as OpenSSH writes them.
 */
#ifndef MEND_KNOWNHOSTS_H
#define MEND_KNOWNHOSTS_H

#include <stddef.h>

struct kh_markers {
	int revoked_line;    /* line of a @revoked entry for this key, or 0 */
	int ca_line;         /* line of a @cert-authority entry for the
	                      * host, or 0 */
};

/* Scan known_hosts text for marker lines that apply to host `name` (and,
 * for @revoked, to the key KEYTYPE + base64 KEY `keytype`, `b64`). */
void kh_scan_markers(const char *text, size_t len, const char *name,
    const char *keytype, const char *b64, struct kh_markers *out);

/* Does OpenSSH's host list `hosts` (one known_hosts field) match name? */
int kh_hosts_match(const char *hosts, const char *name);

#endif
