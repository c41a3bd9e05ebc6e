/*
 * fuzz_textedit.c - libFuzzer harness for the replace and blockinfile edits
 * (modules/files/textedit.c) and Python's re on PCRE2 (runner/util/pyre.c).
 * Input: fields separated by NUL bytes: regexp/insert pattern, replacement
 * or block, after, before, then the file's bytes (which may hold NULs);
 * the first byte picks the module and options.  Checks: no crash; an error
 * always has a message; an unchanged result is byte-identical to the input;
 * blockinfile with the default markers (not in the block nor in the
 * file before: a lone BEGIN marker makes Ansible's own run twice, no CR) is
 * idempotent (a second run may still fail: a bad insertafter regexp is
 * only compiled when the markers are missing, as in Ansible).
 * Build and run: `make fuzz` (see tests/fuzz/README).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/textedit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next NUL-terminated field of [*p, end), or "" past the end. */
static char *
field(const char **p, const char *end)
{
	const char *s = *p, *z = memchr(s, '\0', (size_t)(end - s));
	size_t n = z ? (size_t)(z - s) : (size_t)(end - s);
	char *f = malloc(n + 1);

	if (f == NULL)
		abort();
	memcpy(f, s, n);
	f[n] = '\0';
	*p = z ? z + 1 : end;
	return f;
}

static void
check_block(const struct block_edit *b, const char *in, size_t inlen)
{
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT, err = STRBUF_INIT;
	struct textedit_res res;

	if (block_apply(b, in, inlen, &out, &res, &err) != 0) {
		if (err.len == 0)
			abort();
	} else {
		if (!res.changed && in != NULL && (out.len != inlen ||
		    memcmp(out.buf, in, inlen) != 0))
			abort();
		if (b->marker == NULL && strstr(b->block, "ANSIBLE") == NULL &&
		    (in == NULL || memmem(in, inlen, "ANSIBLE", 7) == NULL) &&
		    strchr(b->block, '\r') == NULL &&
		    memchr(out.buf, '\r', out.len) == NULL &&
		    block_apply(b, out.buf, out.len, &again, &res, &err) == 0 &&
		    res.changed)
			abort();
	}
	strbuf_release(&out);
	strbuf_release(&again);
	strbuf_release(&err);
}

static void
check_replace(const struct replace_edit *r, const char *in, size_t inlen)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct textedit_res res;

	if (replace_apply(r, in, inlen, &out, &res, &err) != 0) {
		if (err.len == 0)
			abort();
	} else if (!res.changed && (out.len != inlen ||
	    memcmp(out.buf, in, inlen) != 0)) {
		abort();
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	char *re, *text, *after, *before;
	unsigned op;

	if (size < 1 || size > 4096)
		return 0;
	op = data[0];
	re = field(&p, end);
	text = field(&p, end);
	after = field(&p, end);
	before = field(&p, end);
	if (op & 1) {
		struct replace_edit r = { re, text, after, before };

		check_replace(&r, p, (size_t)(end - p));
	} else {
		struct block_edit b = { (op & 2) != 0, text,
		    op & 4 ? after : NULL, NULL, NULL,
		    op & 8 ? re : NULL, op & 16 ? before : NULL };

		if (b.insertafter == NULL || b.insertbefore == NULL)
			check_block(&b, op & 32 ? NULL : p, (size_t)(end - p));
	}
	free(re), free(text), free(after), free(before);
	return 0;
}
