/* shard.c - the stable partition of hosts by name; see shard.h. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/shard.h"
#include "runner/util/hash.h"
#include "runner/util/banned.h"

/* Lamping and Veach's jump consistent hash: a bucket in [0, n). */
static int
jump_hash(uint64_t key, int n)
{
	int64_t b = -1, j = 0;

	while (j < n) {
		b = j;
		key = key * 2862933555777941757ULL + 1;
		j = (int64_t)((double)(b + 1) *
		    ((double)(1LL << 31) / (double)((key >> 33) + 1)));
	}
	return (int)b;
}

/* The first 8 bytes of SHA-256(name), big-endian. */
static uint64_t
name_key(const char *name)
{
	char hex[65], part[17];

	sha256_hex(name, strlen(name), hex);
	memcpy(part, hex, 16);
	part[16] = '\0';
	return (uint64_t)strtoull(part, NULL, 16);
}

int
shard_of(const char *name, int n)
{
	return n <= 1 ? 1 : jump_hash(name_key(name), n) + 1;
}

int
shard_has(const struct shard *s, const char *name)
{
	if (s == NULL || s->n <= 0)
		return 1;
	return shard_of(name, s->n) == s->k;
}

/* A decimal number of 1..max, the whole of s[0..len). */
static int
parse_num(const char *s, size_t len, long max, long *out)
{
	char buf[16], *end;

	if (len == 0 || len >= sizeof(buf) || !isdigit((unsigned char)*s))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtol(buf, &end, 10);
	return errno || *end != '\0' || *out < 1 || *out > max ? -1 : 0;
}

int
shard_parse(const char *s, struct shard *out, struct err *e)
{
	const char *slash = strchr(s, '/');
	long k, n;

	if (slash == NULL || parse_num(slash + 1, strlen(slash + 1),
	    SHARD_MAX, &n) < 0 || parse_num(s, (size_t)(slash - s),
	    SHARD_MAX, &k) < 0)
		return err_set(e, "--shard takes K/N with 1 <= K <= N <= %d, "
		    "got '%s'", SHARD_MAX, s);
	if (k > n)
		return err_set(e, "--shard %s: K must be at most N (the shards "
		    "are 1/%ld to %ld/%ld)", s, n, n, n);
	out->k = (int)k;
	out->n = (int)n;
	return 0;
}

int
run_id_check(const char *id, struct err *e)
{
	size_t i, len = strlen(id);

	if (len == 0 || len > RUN_ID_MAX || !isalnum((unsigned char)id[0]) ||
	    strcmp(id, "last") == 0)
		goto bad;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("._:+-", id[i]))
			goto bad;
	return 0;
bad:
	return err_set(e, "--run-id takes 1 to %d of letters, digits and "
	    "'._:+-', starting with a letter or digit, and not 'last'; got "
	    "'%s'", RUN_ID_MAX, id);
}
