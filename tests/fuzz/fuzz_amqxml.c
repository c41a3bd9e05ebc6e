/*
 * fuzz_amqxml.c - libFuzzer harness for the activemq.xml tokenizer and
 * patch (modules/activemq/amqxml.c, amqconf.c, amqpatch.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       -o /tmp/fuzz_amqxml tests/fuzz/fuzz_amqxml.c modules/activemq/amqxml.c \
 *       modules/activemq/amqconf.c modules/activemq/amqpatch.c \
 *       runner/util/*.c $(pkg-config --libs libssh yaml-0.1 openssl)
 *   mkdir -p /tmp/fuzz_amqxml_corpus
 *   cp tests/unit/fixtures/activemq/*.xml /tmp/fuzz_amqxml_corpus/
 *   /tmp/fuzz_amqxml -max_total_time=60 /tmp/fuzz_amqxml_corpus
 *
 * Besides memory errors it checks the contracts: the tokens cover the input
 * exactly and in order, positions are >= 1, every START has its END with
 * the same name, attribute spans lie inside their tag; when the input is a
 * broker configuration the patch is idempotent (patching the output changes
 * nothing more), the output parses again, has no cleartext connector left,
 * and the key store password never appears in the list of changes (unless
 * the input holds it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/activemq/amqconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_tokens(const struct ax_doc *d)
{
	size_t i, p = 0;

	for (i = 0; i < d->ntoks; i++) {
		const struct ax_tok *t = &d->toks[i];

		if (t->off != p || t->line < 1 || t->col < 1)
			abort();
		p += t->len;
		if (t->kind == AX_START) {
			const struct ax_tok *c;

			if (t->close < 0 || (size_t)t->close >= d->ntoks)
				abort();
			c = &d->toks[t->close];
			if (c->kind != AX_END || c->name_len != t->name_len ||
			    memcmp(d->buf + c->name_off, d->buf + t->name_off,
			    t->name_len) != 0)
				abort();
		}
		for (size_t a = t->attr0; a < t->attr0 + t->nattrs; a++)
			if (d->attrs[a].val_off < t->off || d->attrs[a].val_off +
			    d->attrs[a].val_len > t->off + t->len)
				abort();
	}
	if (p != d->len)
		abort();
}

static void
patch_twice(const struct amq_conf *c, int secret_in_input)
{
	struct amq_patch_opts o;
	struct amq_conf c2;
	struct err e = ERR_INIT;
	struct strbuf out = STRBUF_INIT, ch = STRBUF_INIT, out2 = STRBUF_INIT;

	memset(&o, 0, sizeof(o));
	o.key_store = "/k.p12";
	o.key_store_password = "SECRETPW";
	o.protocols = "TLSv1.2,TLSv1.3";
	o.remove = c->nconns % 2;
	if (amq_patch(c, &o, &out, &ch, &e) == 0) {
		if (!secret_in_input && strstr(ch.buf, "SECRETPW") != NULL)
			abort();
		if (amq_conf_parse(&c2, "out", out.buf, out.len, NULL, &e) < 0)
			abort();
		for (size_t i = 0; i < c2.nconns; i++)
			if (c2.conns[i].cleartext)
				abort();
		strbuf_reset(&ch);
		if (amq_patch(&c2, &o, &out2, &ch, &e) < 0 || ch.len != 0 ||
		    out2.len != out.len || memcmp(out.buf, out2.buf, out.len))
			abort();
		amq_conf_release(&c2);
	}
	strbuf_release(&out);
	strbuf_release(&out2);
	strbuf_release(&ch);
	err_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amq_conf c;
	struct err e = ERR_INIT;
	struct strbuf m = STRBUF_INIT;

	amq_mask((const char *)data, size, &m);
	strbuf_release(&m);
	if (amq_conf_parse(&c, "fuzz", (const char *)data, size, NULL,
	    &e) == 0) {
		check_tokens(&c.doc);
		patch_twice(&c, memmem(data, size, "SECRETPW", 8) != NULL);
	} else if (c.doc.toks != NULL && e.count == 0) {
		abort();
	}
	amq_conf_release(&c);
	err_release(&e);
	return 0;
}
