/*
 * fuzz_pshframe.c - libFuzzer harness for the persistent shell's reply
 * parser (runner/transport/pshframe.c).
 *
 * Input: byte 0 flags (bits 1-2: the stdout/stderr cap: none, 0, 7,
 * 4096), byte 1 the expected sequence number, byte 2 the chunk size
 * (1-256) the rest is fed in, then the stream.  The nonce is fixed, so
 * the fuzzer can find it in the seeds.
 *
 * Contracts (pshframe.h): every feed uses at most what it was given, and
 * all of it unless the reply ended there (PF_DONE, PF_BAD); once done or
 * bad the state stays and nothing more is used; PF_BAD has a reason; a
 * done reply has rc 0..255; capped buffers hold at most their cap; no
 * more bytes come out than went in; and a stream that is a reply built
 * from the input's bytes (stdout, markers, stderr, status) gives back
 * exactly those bytes and that status, whatever the chunks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/transport/pshframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NONCE "0123456789abcdef0123456789abcdef"

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "contract broken: %s\n", what);
		abort();
	}
}

static size_t
cap_of(uint8_t flags)
{
	static const size_t caps[] = { 0, 0, 7, 4096 };

	return caps[(flags >> 1) & 3];
}

static void
check_end(const struct psh_frame *f, const struct strbuf *out,
    const struct strbuf *err, uint64_t seen)
{
	check(f->state != PF_BAD || f->why != NULL, "PF_BAD without reason");
	if (f->state == PF_DONE)
		check(f->rc >= 0 && f->rc <= 255, "rc out of range");
	check(out->cap == 0 || out->len <= out->cap, "stdout over cap");
	check(err->cap == 0 || err->len <= err->cap, "stderr over cap");
	check(out->len + err->len <= seen, "more bytes than delivered");
}

/* Feed s in chunks; returns the bytes used. */
static uint64_t
feed(struct psh_frame *f, const char *s, size_t size, size_t chunk,
    struct strbuf *out, struct strbuf *err)
{
	size_t pos = 0;
	uint64_t seen = 0;

	while (pos < size) {
		size_t n = size - pos < chunk ? size - pos : chunk;
		int ended = f->state == PF_DONE || f->state == PF_BAD;
		size_t used = psh_frame_feed(f, s + pos, n, out, err);

		check(used <= n, "used more than given");
		check(!ended || used == 0, "used bytes after the end");
		check(used == n || f->state == PF_DONE || f->state == PF_BAD,
		    "stopped early without an end");
		seen += used;
		pos += n;
	}
	return seen;
}

/* The input's bytes as one reply's stdout (first half) and stderr: the
 * parser must give them back exactly (the nonce is not in them unless
 * the fuzzer guessed it: then skip). */
static void
roundtrip(const uint8_t *data, size_t size, unsigned long seq, size_t chunk)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	struct psh_frame f;
	size_t half = size / 2;

	if (memmem(data, size, NONCE, strlen(NONCE)) != NULL)
		return;
	strbuf_add(&in, data, half);
	strbuf_addf(&in, "\036MEND %s %lu o\n", NONCE, seq);
	strbuf_add(&in, data + half, size - half);
	strbuf_addf(&in, "\036MEND %s %lu e %u\n", NONCE, seq,
	    size ? data[0] : 0u);
	psh_frame_init(&f, NONCE, seq);
	feed(&f, in.buf, in.len, chunk, &out, &err);
	check(f.state == PF_DONE, "a well-formed reply not done");
	check(f.rc == (size ? data[0] : 0), "status");
	check(out.len == half && memcmp(out.buf, data, half) == 0, "stdout");
	check(err.len == size - half &&
	    memcmp(err.buf, data + half, size - half) == 0, "stderr");
	strbuf_release(&in);
	strbuf_release(&out);
	strbuf_release(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct psh_frame f;
	size_t chunk;
	uint64_t seen;

	if (size < 3)
		return 0;
	psh_frame_init(&f, NONCE, data[1]);
	out.cap = err.cap = cap_of(data[0]);
	chunk = (size_t)data[2] + 1;
	seen = feed(&f, (const char *)data + 3, size - 3, chunk, &out, &err);
	check_end(&f, &out, &err, seen);
	strbuf_release(&out);
	strbuf_release(&err);
	roundtrip(data + 3, size - 3, data[1], chunk);
	return 0;
}
