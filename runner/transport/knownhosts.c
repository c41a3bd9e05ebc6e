/* knownhosts.c - @revoked and @cert-authority lines of known_hosts; see
 * knownhosts.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "runner/transport/knownhosts.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

/* OpenSSH's match_pattern: `*` any run, `?` one character, case-blind
 * (host names). */
static int
wild_match(const char *s, size_t slen, const char *p, size_t plen)
{
	while (plen > 0) {
		if (*p == '*') {
			size_t i;

			for (i = 0; i <= slen; i++)
				if (wild_match(s + i, slen - i, p + 1, plen - 1))
					return 1;
			return 0;
		}
		if (slen == 0 || (*p != '?' &&
		    strncasecmp(s, p, 1) != 0))
			return 0;
		s++, slen--, p++, plen--;
	}
	return slen == 0;
}

static size_t
b64_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
	int len;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
		return 0;
	len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (len < 0)
		return 0;
	while (n > 0 && s[n - 1] == '=') {   /* DecodeBlock keeps padding */
		n--;
		len--;
	}
	return (size_t)len;
}

/* |1|SALT|HASH: HMAC-SHA1(SALT, name) == HASH. */
static int
hashed_match(const char *h, const char *name)
{
	unsigned char salt[64], want[64], got[EVP_MAX_MD_SIZE];
	const char *bar = strchr(h + 3, '|');
	size_t ns, nw;
	unsigned int ng = 0;

	if (bar == NULL)
		return 0;
	ns = b64_decode(h + 3, (size_t)(bar - h - 3), salt, sizeof(salt));
	nw = b64_decode(bar + 1, strlen(bar + 1), want, sizeof(want));
	if (ns == 0 || nw == 0 || HMAC(EVP_sha1(), salt, (int)ns,
	    (const unsigned char *)name, strlen(name), got, &ng) == NULL)
		return 0;
	return ng == nw && memcmp(got, want, nw) == 0;
}

int
kh_hosts_match(const char *hosts, const char *name)
{
	const char *p = hosts;
	int hit = 0;

	if (strncmp(hosts, "|1|", 3) == 0)
		return hashed_match(hosts, name);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		int neg = *p == '!';

		if (wild_match(name, strlen(name), p + neg, n - neg)) {
			if (neg)
				return 0;     /* a negation wins */
			hit = 1;
		}
		p += n + (p[n] == ',');
	}
	return hit;
}

/* Split a line into at most 5 blank-separated fields (in place). */
static int
fields(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		line += strspn(line, " \t\r");
		if (*line == '\0' || *line == '#')
			break;
		f[n++] = line;
		line += strcspn(line, " \t\r");
		if (*line != '\0')
			*line++ = '\0';
	}
	return n;
}

static void
scan_line(char *line, int lineno, const char *name, const char *keytype,
    const char *b64, struct kh_markers *out)
{
	char *f[5];
	int n = fields(line, f, 5);

	if (n < 4 || f[0][0] != '@' || !kh_hosts_match(f[1], name))
		return;
	(void)keytype;       /* the key blob names its type */
	if (strcmp(f[0], "@revoked") == 0 && strcmp(f[3], b64) == 0 &&
	    out->revoked_line == 0)
		out->revoked_line = lineno;
	if (strcmp(f[0], "@cert-authority") == 0 && out->ca_line == 0)
		out->ca_line = lineno;
}

void
kh_scan_markers(const char *text, size_t len, const char *name,
    const char *keytype, const char *b64, struct kh_markers *out)
{
	size_t off = 0;
	int lineno = 0;

	memset(out, 0, sizeof(*out));
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - text - off) : len - off;
		char *line = xstrndup(text + off, n);

		lineno++;
		scan_line(line, lineno, name, keytype, b64, out);
		free(line);
		off += n + (nl != NULL);
	}
}
