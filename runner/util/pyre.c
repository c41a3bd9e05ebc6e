/* pyre.c - Python's re on PCRE2; see pyre.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/util/pyre.h"
#include "runner/util/banned.h"

struct pyre {
	pcre2_code *code;
	pcre2_match_data *md;
	char *pattern;
};

struct pyre *
pyre_compile(const char *pattern, unsigned flags, struct strbuf *err)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE at;
	struct pyre *r;
	int ec;
	uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	    (flags & PYRE_I ? PCRE2_CASELESS : 0) |
	    (flags & PYRE_M ? PCRE2_MULTILINE | PCRE2_ALT_CIRCUMFLEX : 0) |
	    (flags & PYRE_S ? PCRE2_DOTALL : 0);
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern,
	    PCRE2_ZERO_TERMINATED, opt, &ec, &at, NULL);

	if (c == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		strbuf_addf(err, "bad regular expression '%s' at offset %zu: "
		    "%s", pattern, (size_t)at, (const char *)msg);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		abort();
	r->code = c;
	r->md = pcre2_match_data_create_from_pattern(c, NULL);
	r->pattern = strdup(pattern);
	if (r->md == NULL || r->pattern == NULL)
		abort();
	return r;
}

void
pyre_free(struct pyre *r)
{
	if (r == NULL)
		return;
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->code);
	free(r->pattern);
	free(r);
}

/* 1 match (ovector in r->md), 0 none, -1 error. */
static int
match_at(struct pyre *r, const char *s, size_t len, size_t start,
    struct strbuf *err)
{
	PCRE2_UCHAR msg[256];
	int rc = pcre2_match(r->code, (PCRE2_SPTR)s, len, start, 0, r->md,
	    NULL);

	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	pcre2_get_error_message(rc, msg, sizeof(msg));
	strbuf_addf(err, "regular expression '%s': %s", r->pattern,
	    (const char *)msg);
	return -1;
}

int
pyre_search(struct pyre *r, const char *s, size_t len, size_t start,
    size_t *so, size_t *eo, struct strbuf *err)
{
	PCRE2_SIZE *ov;
	int rc;

	if (start > len)
		return 0;
	rc = match_at(r, s, len, start, err);
	if (rc == 1) {
		ov = pcre2_get_ovector_pointer(r->md);
		*so = ov[0];
		*eo = ov[1];
	}
	return rc;
}

int
pyre_group(struct pyre *r, const char *name, size_t *so, size_t *eo)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	int g = pcre2_substring_number_from_name(r->code, (PCRE2_SPTR)name);

	if (g < 0 || ov[2 * g] == PCRE2_UNSET)
		return 0;
	*so = ov[2 * g];
	*eo = ov[2 * g + 1];
	return 1;
}

int
pyre_inline_multiline(const char *pattern)
{
	size_t n;

	if (strncmp(pattern, "(?", 2) != 0)
		return 0;
	n = strspn(pattern + 2, "aiLmsux");
	return pattern[2 + n] == ')' && memchr(pattern + 2, 'm', n) != NULL;
}

/* The group number of "\g<...>" at p (after "g<"), *end past the '>'. */
static long
named_group(struct pyre *r, const char *p, const char **end,
    struct strbuf *err)
{
	const char *e = strchr(p, '>');
	char name[64];
	long g;

	if (e == NULL || e == p || e - p >= (long)sizeof(name)) {
		strbuf_addf(err, "bad group reference in replacement '\\g<%s'",
		    p);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(e - p), p);
	*end = e + 1;
	if (isdigit((unsigned char)name[0])) {
		g = strtol(name, NULL, 10);
		return g;
	}
	g = pcre2_substring_number_from_name(r->code, (PCRE2_SPTR)name);
	if (g < 0)
		strbuf_addf(err, "unknown group name '%s' in replacement",
		    name);
	return g < 0 ? -1 : g;
}

/* A character escape (p after the backslash): 1 handled, 0 kept as
 * written, -1 bad escape. */
static int
char_escape(const char *p, struct strbuf *out, struct strbuf *err)
{
	static const char from[] = "ntrfvab\\", to[] = "\n\t\r\f\v\a\b\\";
	const char *hit = strchr(from, *p);

	if (*p != '\0' && hit != NULL) {
		strbuf_addch(out, to[hit - from]);
		return 1;
	}
	if (isalnum((unsigned char)*p) && (unsigned char)*p < 0x80) {
		strbuf_addf(err, "bad escape \\%c in replacement", *p);
		return -1;
	}
	strbuf_addch(out, '\\');
	return 0;
}

/* Append group g of the current match. */
static int
add_group(struct pyre *r, const char *s, long g, struct strbuf *out,
    struct strbuf *err)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	uint32_t ng = 0;

	pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &ng);
	if (g < 0 || g > (long)ng) {
		strbuf_addf(err, "invalid group reference %ld in replacement",
		    g);
		return -1;
	}
	if (ov[2 * g] != PCRE2_UNSET)
		strbuf_add(out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
	return 0;
}

/* Python's match.expand(repl) for the current match of s. */
static int
expand(struct pyre *r, const char *repl, const char *s, struct strbuf *out,
    struct strbuf *err)
{
	const char *p = repl;
	long g;
	int rc;

	while (*p != '\0') {
		if (*p != '\\' || p[1] == '\0') {
			strbuf_addch(out, *p++);
			continue;
		}
		p++;
		if (isdigit((unsigned char)*p) && *p != '0') {
			g = *p++ - '0';
			if (isdigit((unsigned char)*p))
				g = g * 10 + (*p++ - '0');
		} else if (p[0] == 'g' && p[1] == '<') {
			if ((g = named_group(r, p + 2, &p, err)) < 0)
				return -1;
		} else {
			if ((rc = char_escape(p, out, err)) < 0)
				return -1;
			p += rc;
			continue;
		}
		if (add_group(r, s, g, out, err) != 0)
			return -1;
	}
	return 0;
}

/* Bytes of the UTF-8 character at s[i] (1 for a bad byte). */
static size_t
char_len(const char *s, size_t i, size_t len)
{
	unsigned char c = (unsigned char)s[i];
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	return i + n <= len ? n : 1;
}

long
pyre_subn(struct pyre *r, const char *repl, const char *s, size_t len,
    long count, struct strbuf *out, struct strbuf *err)
{
	size_t at = 0, so = 0, eo = 0, n;
	long done = 0;
	int rc;

	while (at <= len && (count <= 0 || done < count)) {
		rc = pyre_search(r, s, len, at, &so, &eo, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		strbuf_add(out, s + at, so - at);
		if (expand(r, repl, s, out, err) != 0)
			return -1;
		done++;
		if (eo > so) {
			at = eo;
			continue;
		}
		n = eo < len ? char_len(s, eo, len) : 1;
		if (eo < len)
			strbuf_add(out, s + eo, n);
		at = eo + n;
	}
	if (at < len)
		strbuf_add(out, s + at, len - at);
	return done;
}
