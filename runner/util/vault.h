/*
 * vault.h - ansible-vault's format, read with OpenSSL.
 *
 * Envelope (Ansible's VaultLib, format 1.1 and 1.2):
 *     $ANSIBLE_VAULT;1.1;AES256            (1.2: ...;AES256;<vault id>)
 *     <hex lines>
 * The hex lines, joined, decode to "hex(salt)\nhex(hmac)\nhex(ciphertext)".
 * Keys: PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 80 bytes) =
 * AES key (32) | HMAC key (32) | CTR counter (16).  The HMAC-SHA256 of the
 * ciphertext must match (compared in constant time) before anything is
 * decrypted; then AES-256-CTR and PKCS#7 padding removed.
 *
 * Secrets: the process holds a list of (vault id, password) set once by
 * the command line (--vault-password-file, --vault-id [ID@]FILE|prompt,
 * --ask-vault-pass).  As Ansible (vault_id_match false): a 1.2 envelope's
 * id is tried first, then every other secret in the order given.  A wrong
 * password, a changed byte and a malformed envelope are errors; nothing is
 * ever returned unverified.
 *
 * Decrypted text is a secret: vault_note_secret() remembers it so that
 * vault_mask() can replace it (diffs, messages); values from a vault are
 * marked `unsafe` (never printed; "********" in JSON) by the loaders.
 *
 * Threads: set the secrets before starting threads; vault_decrypt() and
 * vault_mask() may then run concurrently.
 */
#ifndef MEND_VAULT_H
#define MEND_VAULT_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"

#define VAULT_HEADER "$ANSIBLE_VAULT;"

/* Does s (n bytes) start with an ansible-vault envelope header? */
int vault_is_encrypted(const char *s, size_t n);

/* Add a secret (copied; id may be NULL: "default"). */
void vault_add_secret(const char *id, const char *pw, size_t len);
/* A password file as Ansible reads it: whitespace stripped, not empty.
 * An executable file (a password script) is refused. */
int vault_add_secret_file(const char *id, const char *path, struct err *e);
/* Are any secrets set? */
int vault_have_secrets(void);
/* Forget (and wipe) every secret and noted plaintext. */
void vault_clear(void);

/* Decrypt the envelope s (n bytes) into out (appended); 0, or -1 with a
 * lowercase reason in e (no position: callers add theirs). */
int vault_decrypt(const char *s, size_t n, struct strbuf *out, struct err *e);

/* Remember a decrypted value (at least 4 bytes) for vault_mask(). */
void vault_note_secret(const char *s, size_t n);
/* Replace every noted secret in sb by "********"; returns how many. */
size_t vault_mask(struct strbuf *sb);

#endif
