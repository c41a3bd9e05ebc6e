/*
 * fuzz_nutproto.c - libFuzzer harness for NUT's reply parser and the
 * host-tool output readers (modules/nut/nutproto.c): reply lines
 * (take_line, classify, split, LIST UPS items, VAR replies, version
 * text), ldd, certutil -L, nut.conf MODE, the store script's output and
 * the secret masker.
 *
 *   make fuzz   (builds every harness with the whole engine; the corpus is
 *                seeded by tests/fuzz/seed from tests/unit/fixtures/nut*)
 *
 * The whole input is what upsd (or the tool) sent.  Besides memory errors
 * it checks the contracts:
 *  - take_line takes lines of at most NUTPROTO_MAX_LINE bytes without '\n',
 *    and the bytes taken plus the bytes left are never more than the input;
 *  - split gives words that hold no unescaped separator, or -1 only when a
 *    quote is left open; a LIST UPS item has a non-empty name;
 *  - a parsed version starts with a digit and holds a '.';
 *  - masking adds no line (a quoted secret left open runs across lines, as
 *    in NUT's parser, and is masked whole); after the input (when it ends
 *    a line), a MONITOR or CERTIDENT line's password never survives it,
 *    also when '=' words move it (found by this harness: the operator's
 *    password after `user =` was shown).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/nut/nutproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "contract broken: %s\n", what);
		abort();
	}
}

static void
one_line(const char *line)
{
	char code[32], ver[32], **words = NULL, *name = NULL, *desc = NULL;
	char *value = NULL;
	int n, i;

	if (nutproto_classify(line, code, sizeof(code)) == NUTPROTO_ERR)
		(void)nutproto_err_text(code);
	n = nutproto_split(line, &words);
	for (i = 0; i < n; i++)
		check(words[i] != NULL, "split: a NULL word");
	if (n >= 0)
		nutproto_words_free(words, n);
	if (nutproto_parse_ups(line, &name, &desc) == 0) {
		check(name != NULL && desc != NULL, "parse_ups: NULL result");
		free(name);
		free(desc);
	}
	if (nutproto_parse_var(line, "ups", "ups.status", &value) == 0) {
		check(value != NULL, "parse_var: NULL value");
		free(value);
	}
	(void)nutproto_upsname_ok(line);
	if (nutproto_parse_version(line, ver, sizeof(ver)) == 0)
		check(ver[0] >= '0' && ver[0] <= '9', "version: not a digit first");
}

static void
reply_lines(const char *text, size_t size)
{
	struct strbuf in = STRBUF_INIT, line = STRBUF_INIT;
	size_t taken = 0;
	int rc;

	strbuf_add(&in, text, size);
	while ((rc = nutproto_take_line(&in, &line)) == 1) {
		check(line.len <= NUTPROTO_MAX_LINE, "take_line: line too long");
		check(memchr(line.buf, '\n', line.len) == NULL,
		    "take_line: newline inside a line");
		taken += line.len + 1;
		one_line(line.buf);
	}
	check(taken + in.len <= size + 1, "take_line: more bytes than given");
	if (rc == -1)
		check(in.len > NUTPROTO_MAX_LINE, "take_line: -1 on a short line");
	strbuf_release(&in);
	strbuf_release(&line);
}

static size_t
count_nl(const char *s, size_t n)
{
	size_t c = 0, i;

	for (i = 0; i < n; i++)
		c += s[i] == '\n';
	return c;
}

static void
masking(const char *text, size_t size)
{
	static const char *const known[] = {
		"MONITOR u@h 1 mon PwSecret9 primary\n",
		"MONITOR u@h 1 mon = PwSecret9 primary\n",
		"MONITOR u@h 1 mon \"PwSecret9\" primary\n",
		"CERTIDENT = nick = PwSecret9\n",
	};
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	size_t i;

	nutproto_mask_secrets(text, size, &out);
	check(count_nl(out.buf, out.len) <= count_nl(text, size),
	    "mask: lines added");
	/* after any text that leaves the tokenizer at a line start, a known
	 * secret line loses its password */
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (size > 0 && (text[size - 1] != '\n' ||
		    memchr(text, '"', size) || memchr(text, '\\', size) ||
		    memmem(text, size, "PwSecret9", 9)))
			break;
		strbuf_reset(&in);
		strbuf_reset(&out);
		strbuf_add(&in, text, size);
		strbuf_addstr(&in, known[i]);
		nutproto_mask_secrets(in.buf, in.len, &out);
		check(strstr(out.buf, "PwSecret9") == NULL, "mask: password kept");
	}
	strbuf_release(&in);
	strbuf_release(&out);
}

static void
tool_output(const char *text, size_t size)
{
	struct nutproto_cert *certs = NULL;
	struct nutproto_store st;
	char mode[32];
	int n, i;

	(void)nutproto_backend_name(nutproto_ldd_backend(text));
	n = nutproto_certutil_list(text, &certs);
	for (i = 0; i < n; i++) {
		check(certs[i].nick != NULL && certs[i].trust != NULL,
		    "certutil: NULL field");
		(void)nutproto_trust_ssl_ca(certs[i].trust);
		(void)nutproto_trust_has_key(certs[i].trust);
	}
	if (n > 0) {
		(void)nutproto_find_trusted(certs, n, nutproto_trust_ssl_ca);
		nutproto_certs_free(certs, n);
	}
	if (nutproto_nut_mode(text, size, mode, sizeof(mode)) == 0)
		check(strlen(mode) < sizeof(mode), "nut_mode: overflow");
	if (nutproto_store_parse(text, &st) == 0) {
		struct strbuf sb = STRBUF_INIT;

		(void)nutproto_store_ca_problem(&st, NUTPROTO_STORE_NSS, "/p", &sb);
		(void)nutproto_store_ca_problem(&st, NUTPROTO_STORE_CADIR, "/p", &sb);
		(void)nutproto_store_ca_problem(&st, NUTPROTO_STORE_FILE, "/p", &sb);
		strbuf_release(&sb);
		nutproto_store_release(&st);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	reply_lines(text, size);
	tool_output(text, size);
	masking(text, size);
	free(text);
	return 0;
}
