/*
 * hash.c - content digests (hash.h).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include "runner/util/hash.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	int i;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		fatal("sha256 failed");
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}
