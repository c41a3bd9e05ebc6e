/*
 * inventory_range.c - host entries of inventory sources: addresses with an
 * optional port (Ansible's parsing/utils/addresses.py) and [x:y:z] ranges
 * (Ansible's expand_hostname_range); see inventory_int.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runner/inventory/inventory_int.h"
#include "runner/util/banned.h"

#define MAX_EXPANDED 100000       /* hosts one entry may expand to */

enum range_kind { R_ALNUM, R_HEX, R_NUM };

static int
is_word(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static size_t
span(const char *s, size_t n, int (*ok)(int))
{
	size_t i = 0;

	while (i < n && ok((unsigned char)s[i]))
		i++;
	return i;
}

static int is_dig(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return isxdigit(c); }

/* Length of a range "[a:b]" or "[a:b:step]" at s of the given kind, or 0. */
static size_t
range_len(const char *s, size_t n, enum range_kind kind)
{
	int (*ok)(int) = kind == R_HEX ? is_hex : is_dig;
	size_t i = 1, a, b;

	if (n < 5 || s[0] != '[')
		return 0;
	if (kind == R_ALNUM && n >= 5 && isalpha((unsigned char)s[1]) &&
	    s[2] == ':' && isalpha((unsigned char)s[3])) {
		i = 4;
	} else {
		a = span(s + i, n - i, ok);
		if (a == 0 || i + a >= n || s[i + a] != ':')
			return 0;
		i += a + 1;
		b = span(s + i, n - i, ok);
		if (b == 0)
			return 0;
		i += b;
	}
	if (i < n && s[i] == ':') {
		b = span(s + i + 1, n - i - 1, is_dig);
		if (b == 0)
			return 0;
		i += b + 1;
	}
	return i < n && s[i] == ']' ? i + 1 : 0;
}

/* One label: (word|range)(word|-|_|range)*, not ending in - or _. */
static size_t
label_len(const char *s, size_t n, int ranges)
{
	size_t i = 0, r;
	char last = 0;

	while (i < n && s[i] != '.') {
		if (ranges && (r = range_len(s + i, n - i, R_ALNUM)) > 0) {
			i += r;
			last = ']';
			continue;
		}
		if (!is_word((unsigned char)s[i]) &&
		    (i == 0 || (s[i] != '-' && s[i] != '_')))
			return 0;
		last = s[i++];
	}
	return (i == 0 || last == '-' || last == '_') ? 0 : i;
}

static int
is_hostname(const char *s, size_t n, int ranges)
{
	size_t i = 0, l;

	for (;;) {
		l = label_len(s + i, n - i, ranges);
		if (l == 0)
			return 0;
		i += l;
		if (i == n)
			return 1;
		i++;                    /* the dot */
	}
}

/* IPv6, possibly with hexadecimal ranges: hex groups, "::", an optional
 * dotted IPv4 tail. */
static int
is_ipv6(const char *s, size_t n, int ranges)
{
	char buf[64], addr[sizeof(struct in6_addr)];
	size_t i = 0, colons = 0, r;
	int dcolon = 0;

	if (memchr(s, '[', n) == NULL) {
		if (n >= sizeof(buf))
			return 0;
		memcpy(buf, s, n);
		buf[n] = '\0';
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	if (!ranges)
		return 0;
	while (i < n) {
		if (s[i] == ':') {
			colons++;
			dcolon |= i + 1 < n && s[i + 1] == ':';
			i++;
		} else if ((r = range_len(s + i, n - i, R_HEX)) > 0) {
			i += r;
		} else if (isxdigit((unsigned char)s[i]) || s[i] == '.') {
			i++;
		} else {
			return 0;
		}
	}
	return colons >= 2 && colons <= 7 && (dcolon || colons == 7);
}

static int
all_digits(const char *s)
{
	return *s != '\0' && s[strspn(s, "0123456789")] == '\0';
}

static long
port_value(const char *digits)
{
	return strlen(digits) > 6 ? 999999 : strtol(digits, NULL, 10);
}

int
inv_parse_address(const char *s, int ranges, size_t *hoff, size_t *hlen,
    long *port)
{
	const char *colon = strrchr(s, ':');
	size_t i = 0, n = strlen(s);

	*hoff = 0;
	*port = -1;
	if (s[0] == '[' && colon != NULL && colon > s + 2 &&
	    colon[-1] == ']' && all_digits(colon + 1)) {
		*hoff = 1;
		n = (size_t)(colon - 1 - (s + 1));
		*port = port_value(colon + 1);
	} else {
		while (s[i] != '\0' && s[i] != ':' && s[i] != ']') {
			const char *close = strchr(s + i, ']');

			if (s[i] == '[' && close == NULL)
				break;
			i = s[i] == '[' ? (size_t)(close - s) + 1 : i + 1;
		}
		if (s[i] == ':' && all_digits(s + i + 1)) {
			n = i;
			*port = port_value(s + i + 1);
		}
	}
	*hlen = n;
	if (n == 0 || (!is_ipv6(s + *hoff, n, ranges) &&
	    !is_hostname(s + *hoff, n, ranges)))
		return -1;
	if (!ranges && memchr(s + *hoff, '[', n) != NULL)
		return -1;
	return 0;
}

/* ---- ranges ---- */

static int
range_error(char **why, size_t *off, size_t at, const char *fmt,
    const char *a, const char *b)
{
	*why = xasprintf(fmt, a, b);
	*off = at;
	return -1;
}

static int
alpha_index(char c)
{
	static const char letters[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *p = strchr(letters, c);

	return c != '\0' && p != NULL ? (int)(p - letters) : -1;
}

struct range {
	const char *text;      /* "[..]" in the entry */
	size_t len;            /* including the brackets */
	size_t off;            /* of '[' in the entry */
	struct strlist vals;
};

static int
range_alpha(struct range *r, const char *beg, const char *end,
    unsigned long step, char **why, size_t *off)
{
	int b = alpha_index(beg[0]), e = alpha_index(end[0]), i;
	char c[2] = { 0, 0 };

	if (b > e)
		return range_error(why, off, r->off, "range '%s' goes "
		    "backwards%s", r->text, "");
	for (i = b; i <= e; i += (int)step) {
		c[0] = i < 26 ? (char)('a' + i) : (char)('A' + i - 26);
		strlist_push(&r->vals, xstrdup(c));
	}
	return 0;
}

static int
range_numeric(struct range *r, const char *beg, const char *end,
    unsigned long step, char **why, size_t *off)
{
	size_t bo = r->off + 1, eo = bo + strlen(beg) + 1, width = 0;
	unsigned long long b, e, i;

	if (!all_digits(beg) || strlen(beg) > 18)
		return range_error(why, off, bo, "invalid start '%s' in range "
		    "'%s'", beg, r->text);
	if (!all_digits(end) || strlen(end) > 18)
		return range_error(why, off, eo, "invalid end '%s' in range "
		    "'%s'", end, r->text);
	if (beg[0] == '0' && beg[1] != '\0') {
		width = strlen(beg);
		if (strlen(end) != width)
			return range_error(why, off, bo, "start and end of "
			    "range '%s' must have the same width%s", r->text,
			    "");
	}
	b = strtoull(beg, NULL, 10);
	e = strtoull(end, NULL, 10);
	if (b > e)
		return range_error(why, off, r->off, "range '%s' goes "
		    "backwards%s", r->text, "");
	if ((e - b) / step >= MAX_EXPANDED)
		return range_error(why, off, r->off, "range '%s' is too "
		    "large%s", r->text, "");
	for (i = b; i <= e; i += step)
		strlist_push(&r->vals, width ? xasprintf("%0*llu", (int)width,
		    i) : xasprintf("%llu", i));
	return 0;
}

/* Parse r->text ("[beg:end]" or "[beg:end:step]") into r->vals. */
static int
range_parse(struct range *r, char **why, size_t *off)
{
	char *in = xstrndup(r->text + 1, r->len - 2), *parts[4] = { 0 };
	char *p = in, *colon;
	size_t n = 0;
	unsigned long step = 1;
	int ret = -1;

	while (n < 4) {
		parts[n++] = p;
		if ((colon = strchr(p, ':')) == NULL)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	if (n < 2 || n > 3) {
		range_error(why, off, r->off, "invalid range '%s': expected "
		    "[start:end] or [start:end:step]%s", r->text, "");
		goto out;
	}
	if (parts[1][0] == '\0') {
		range_error(why, off, r->off, "range '%s' has no end%s",
		    r->text, "");
		goto out;
	}
	if (n == 3 && (!all_digits(parts[2]) || strlen(parts[2]) > 9 ||
	    (step = strtoul(parts[2], NULL, 10)) == 0)) {
		range_error(why, off, r->off + (size_t)(parts[2] - in) + 1,
		    "invalid step '%s' in range '%s'", parts[2], r->text);
		goto out;
	}
	if (alpha_index(parts[0][0]) >= 0 && parts[0][1] == '\0' &&
	    alpha_index(parts[1][0]) >= 0 && parts[1][1] == '\0')
		ret = range_alpha(r, parts[0], parts[1], step, why, off);
	else
		ret = range_numeric(r, parts[0][0] ? parts[0] : "0", parts[1],
		    step, why, off);
out:
	free(in);
	return ret;
}

static void
ranges_free(struct range *rs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)rs[i].text);
		strlist_clear(&rs[i].vals);
	}
	free(rs);
}

/* The ranges of host[0..n) (at offset base of the entry), parsed. */
static int
parse_ranges(const char *host, size_t n, size_t base, struct range **out,
    size_t *nr, char **why, size_t *off)
{
	const char *p = host, *end = host + n, *close;
	size_t alloc = 0, total = 1;

	while ((p = memchr(p, '[', (size_t)(end - p))) != NULL) {
		if ((close = memchr(p, ']', (size_t)(end - p))) == NULL) {
			*why = xasprintf("unterminated range in '%.*s'",
			    (int)n, host);
			*off = base + (size_t)(p - host);
			return -1;
		}
		ALLOC_GROW(*out, *nr + 1, alloc);
		memset(&(*out)[*nr], 0, sizeof(**out));
		(*out)[*nr].len = (size_t)(close - p) + 1;
		(*out)[*nr].text = xstrndup(p, (*out)[*nr].len);
		(*out)[*nr].off = base + (size_t)(p - host);
		if (range_parse(&(*out)[(*nr)++], why, off) < 0)
			return -1;
		total *= (*out)[*nr - 1].vals.n;
		if (total > MAX_EXPANDED) {
			*why = xasprintf("'%.*s' expands to more than %d "
			    "hosts", (int)n, host, MAX_EXPANDED);
			*off = base;
			return -1;
		}
		p = close + 1;
	}
	return 0;
}

/* Expand host[0..n) (at offset base of the entry) into out, the first
 * range varying slowest (as Ansible's recursion). */
static int
expand(const char *host, size_t n, size_t base, struct strlist *out,
    char **why, size_t *off)
{
	struct range *rs = NULL;
	size_t nr = 0, i, total = 1, k;
	int ret = parse_ranges(host, n, base, &rs, &nr, why, off);

	for (i = 0; ret == 0 && i < nr; i++)
		total *= rs[i].vals.n;
	for (k = 0; ret == 0 && k < total; k++) {
		struct strbuf sb = STRBUF_INIT;
		size_t stride = total;
		const char *p = host;

		for (i = 0; i < nr; i++) {
			stride /= rs[i].vals.n;
			strbuf_add(&sb, p, rs[i].off - base -
			    (size_t)(p - host));
			strbuf_addstr(&sb, rs[i].vals.v[(k / stride) %
			    rs[i].vals.n]);
			p = host + (rs[i].off - base) + rs[i].len;
		}
		strbuf_add(&sb, p, n - (size_t)(p - host));
		strlist_push(out, strbuf_detach(&sb, NULL));
	}
	ranges_free(rs, nr);
	return ret;
}

int
inv_expand_hosts(const char *s, struct strlist *out, long *port, char **why,
    size_t *off)
{
	size_t hoff, hlen;

	*why = NULL;
	if (*s == '\0') {
		*why = xstrdup("empty host name");
		*off = 0;
		return -1;
	}
	if (inv_parse_address(s, 1, &hoff, &hlen, port) < 0) {
		hoff = 0;
		hlen = strlen(s);
		*port = -1;
	}
	if (*port == 0 || *port > 65535) {
		*why = xasprintf("invalid port '%s'", strrchr(s, ':') + 1);
		*off = (size_t)(strrchr(s, ':') + 1 - s);
		return -1;
	}
	if (*port < 0 && s[hlen - 1] == ':') {
		*why = xasprintf("invalid host '%s': a final ':' must be "
		    "followed by a port", s);
		*off = hlen - 1;
		return -1;
	}
	return expand(s + hoff, hlen, hoff, out, why, off);
}
