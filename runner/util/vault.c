/* vault.c - ansible-vault 1.1/1.2 AES256 envelopes; see vault.h. */
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "runner/util/vault.h"
#include "runner/util/banned.h"

struct secret {
	char *id;
	unsigned char *pw;
	size_t len;
};

static struct secret *secrets;
static size_t nsecrets, secrets_alloc;
static struct strbuf *noted;          /* plaintexts to mask */
static size_t nnoted, noted_alloc;
static pthread_mutex_t noted_lock = PTHREAD_MUTEX_INITIALIZER;

int
vault_is_encrypted(const char *s, size_t n)
{
	size_t h = strlen(VAULT_HEADER);

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	return n >= h && memcmp(s, VAULT_HEADER, h) == 0;
}

void
vault_add_secret(const char *id, const char *pw, size_t len)
{
	ALLOC_GROW(secrets, nsecrets + 1, secrets_alloc);
	secrets[nsecrets].id = xstrdup(id ? id : "default");
	secrets[nsecrets].pw = xmalloc(len + 1);
	memcpy(secrets[nsecrets].pw, pw, len);
	secrets[nsecrets].len = len;
	nsecrets++;
}

int
vault_add_secret_file(const char *id, const char *path, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	struct stat st;
	size_t n, off = 0;
	FILE *f;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
		return err_set(e, "vault password file '%s' is executable: "
		    "password scripts are not supported", path);
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, "could not read vault password file '%s': %s",
		    path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	explicit_bzero(buf, sizeof(buf));
	while (off < sb.len && strchr(" \t\r\n\v\f", sb.buf[off]))
		off++;
	while (sb.len > off && strchr(" \t\r\n\v\f", sb.buf[sb.len - 1]))
		sb.len--;
	if (sb.len == off) {
		strbuf_release(&sb);
		return err_set(e, "invalid vault password was provided from "
		    "file '%s' (empty)", path);
	}
	vault_add_secret(id, sb.buf + off, sb.len - off);
	explicit_bzero(sb.buf, sb.alloc);
	strbuf_release(&sb);
	return 0;
}

int
vault_have_secrets(void)
{
	return nsecrets > 0;
}

void
vault_clear(void)
{
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		explicit_bzero(secrets[i].pw, secrets[i].len);
		free(secrets[i].pw);
		free(secrets[i].id);
	}
	free(secrets);
	secrets = NULL;
	nsecrets = secrets_alloc = 0;
	for (i = 0; i < nnoted; i++) {
		explicit_bzero(noted[i].buf, noted[i].len);
		strbuf_release(&noted[i]);
	}
	free(noted);
	noted = NULL;
	nnoted = noted_alloc = 0;
}

static int
unhex(const char *s, size_t n, struct strbuf *out)
{
	size_t i;

	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		int hi = OPENSSL_hexchar2int((unsigned char)s[i]);
		int lo = OPENSSL_hexchar2int((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		strbuf_addch(out, hi * 16 + lo);
	}
	return 0;
}

#define H11 (sizeof(VAULT_HEADER "1.1;AES256") - 1)
#define H12 (sizeof(VAULT_HEADER "1.2;AES256;") - 1)

struct envelope {
	char id[128];               /* 1.2 vault id, "" for 1.1 */
	struct strbuf salt, hmac, ct;
};

/* Header line and hex body into env; -1 on a malformed envelope. */
static int
parse_envelope(const char *s, size_t n, struct envelope *env, struct err *e)
{
	struct strbuf hex = STRBUF_INIT, inner = STRBUF_INIT;
	const char *nl = memchr(s, '\n', n), *p, *f[3];
	size_t hl = nl ? (size_t)(nl - s) : n, i;
	int ret = -1;

	if (hl > 0 && s[hl - 1] == '\r')
		hl--;
	if (!(hl == H11 && memcmp(s, VAULT_HEADER "1.1;AES256", H11) == 0) &&
	    !(hl > H12 && hl - H12 < sizeof(env->id) &&
	    memcmp(s, VAULT_HEADER "1.2;AES256;", H12) == 0))
		return err_set(e, "unsupported vault header '%.*s' (expected "
		    "$ANSIBLE_VAULT;1.1;AES256 or 1.2;AES256;ID)",
		    (int)(hl > 60 ? 60 : hl), s);
	if (hl > H12)
		memcpy(env->id, s + H12, hl - H12);
	for (p = nl ? nl + 1 : s + n; p < s + n; p++)
		if (!strchr(" \t\r\n", *p))
			strbuf_addch(&hex, *p);
	if (unhex(hex.buf, hex.len, &inner) < 0)
		goto bad;
	f[0] = inner.buf;
	if ((f[1] = memchr(f[0], '\n', inner.len)) == NULL ||
	    (f[2] = memchr(f[1] + 1, '\n', inner.len - (size_t)(f[1] + 1 -
	    inner.buf))) == NULL)
		goto bad;
	f[1]++;
	f[2]++;
	i = inner.len - (size_t)(f[2] - inner.buf);
	if (unhex(f[0], (size_t)(f[1] - 1 - f[0]), &env->salt) < 0 ||
	    unhex(f[1], (size_t)(f[2] - 1 - f[1]), &env->hmac) < 0 ||
	    unhex(f[2], i, &env->ct) < 0 || env->hmac.len != 32 ||
	    env->ct.len == 0 || env->ct.len % 16 != 0)
		goto bad;
	ret = 0;
bad:
	if (ret < 0)
		err_set(e, "vault format error: the encrypted data is not "
		    "valid hex of salt, HMAC and ciphertext");
	strbuf_release(&hex);
	strbuf_release(&inner);
	return ret;
}

/* One secret against env: 0 and the plaintext, 1 on an HMAC mismatch. */
static int
try_secret(const struct secret *sec, const struct envelope *env,
    struct strbuf *out)
{
	unsigned char key[80], mac[32], *buf;
	unsigned int maclen = 0;
	EVP_CIPHER_CTX *ctx;
	int len = 0, fin = 0, ok;
	size_t n, pad;

	if (!PKCS5_PBKDF2_HMAC((const char *)sec->pw, (int)sec->len,
	    (const unsigned char *)env->salt.buf, (int)env->salt.len, 10000,
	    EVP_sha256(), sizeof(key), key))
		fatal("PBKDF2 failed");
	HMAC(EVP_sha256(), key + 32, 32, (const unsigned char *)env->ct.buf,
	    env->ct.len, mac, &maclen);
	if (maclen != 32 || CRYPTO_memcmp(mac, env->hmac.buf, 32) != 0) {
		OPENSSL_cleanse(key, sizeof(key));
		return 1;
	}
	buf = xmalloc(env->ct.len + 16);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		fatal("out of memory");
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, key, key + 64) &&
	    EVP_DecryptUpdate(ctx, buf, &len, (const unsigned char *)
	    env->ct.buf, (int)env->ct.len) &&
	    EVP_DecryptFinal_ex(ctx, buf + len, &fin);
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok)
		fatal("AES-256-CTR failed");
	n = (size_t)(len + fin);
	pad = buf[n - 1];
	if (pad == 0 || pad > 16 || pad > n)
		pad = 0;                      /* bad padding: keep it all */
	strbuf_add(out, buf, n - pad);
	OPENSSL_cleanse(buf, env->ct.len + 16);
	free(buf);
	return 0;
}

int
vault_decrypt(const char *s, size_t n, struct strbuf *out, struct err *e)
{
	struct envelope env;
	size_t i, pass;
	int ret = -1;

	memset(&env, 0, sizeof(env));
	strbuf_init(&env.salt, 0);
	strbuf_init(&env.hmac, 0);
	strbuf_init(&env.ct, 0);
	while (n > 0 && strchr(" \t\r\n", *s))
		s++, n--;
	if (nsecrets == 0) {
		err_set(e, "attempting to decrypt but no vault secrets found "
		    "(--vault-password-file, --vault-id or --ask-vault-pass)");
		goto out;
	}
	if (parse_envelope(s, n, &env, e) < 0)
		goto out;
	for (pass = 0; pass < 2 && ret < 0; pass++)     /* matching id first */
		for (i = 0; i < nsecrets && ret < 0; i++)
			if ((strcmp(secrets[i].id, env.id) == 0) == (pass == 0) &&
			    try_secret(&secrets[i], &env, out) == 0)
				ret = 0;
	if (ret < 0)
		err_set(e, "decryption failed (no vault secret found that "
		    "decrypts%s%s%s)", env.id[0] ? " vault id '" : "",
		    env.id, env.id[0] ? "'" : "");
out:
	strbuf_release(&env.salt);
	strbuf_release(&env.hmac);
	strbuf_release(&env.ct);
	return ret;
}

void
vault_note_secret(const char *s, size_t n)
{
	if (n < 4)
		return;
	pthread_mutex_lock(&noted_lock);
	ALLOC_GROW(noted, nnoted + 1, noted_alloc);
	strbuf_init(&noted[nnoted], n);
	strbuf_add(&noted[nnoted], s, n);
	nnoted++;
	pthread_mutex_unlock(&noted_lock);
}

size_t
vault_mask(struct strbuf *sb)
{
	size_t i, count = 0;

	pthread_mutex_lock(&noted_lock);
	for (i = 0; i < nnoted; i++) {
		const struct strbuf *sec = &noted[i];
		struct strbuf res = STRBUF_INIT;
		const char *p = sb->buf, *end = sb->buf + sb->len, *hit;

		if (memmem(p, sb->len, sec->buf, sec->len) == NULL)
			continue;
		while ((hit = memmem(p, (size_t)(end - p), sec->buf,
		    sec->len)) != NULL) {
			strbuf_add(&res, p, (size_t)(hit - p));
			strbuf_addstr(&res, "********");
			p = hit + sec->len;
			count++;
		}
		strbuf_add(&res, p, (size_t)(end - p));
		strbuf_release(sb);
		*sb = res;
	}
	pthread_mutex_unlock(&noted_lock);
	return count;
}
