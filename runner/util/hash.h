/*
 * hash.h - content digests.
 *
 * SHA-256 (OpenSSL EVP) names the journal's objects/<sha256>, the
 * confirmation bundle's obj/<sha256> and compares files without reading
 * them twice (copy, restore).  Hex is lowercase, as sha256sum prints it.
 */
#ifndef MEND_HASH_H
#define MEND_HASH_H

#include <stddef.h>

/* SHA-256 of len bytes as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
