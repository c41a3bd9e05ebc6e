/*
 * fuzz_rmqconf.c - libFuzzer harness for modules/rabbitmq/rmqconf.c
 * (rabbitmq.conf parser, key/value checks, enabled_plugins, legacy scan,
 * listener analysis and the TLS-only patcher).
 *
 *   make fuzz   (builds every harness with the whole engine), or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       -o /tmp/fuzz_rmqconf tests/fuzz/fuzz_rmqconf.c \
 *       modules/rabbitmq/rmqconf*.c runner/util/strbuf.c runner/util/err.c \
 *       runner/util/suggest.c -lpthread
 *   mkdir -p /tmp/fuzz_rmqconf_corpus
 *   cp tests/unit/fixtures/rabbitmq/[a-z]*.conf /tmp/fuzz_rmqconf_corpus/
 *   /tmp/fuzz_rmqconf -max_total_time=60 -max_len=4096 /tmp/fuzz_rmqconf_corpus
 *
 * The input is a rabbitmq.conf (it is also fed, as is, to the
 * enabled_plugins parser and the legacy Erlang-term scanner).  Besides
 * memory errors it checks the contracts:
 *  - lines tile the input in order; entries lie inside their line, with
 *    1-based positions; a parse failure comes with a message;
 *  - rmq_conf_get() returns the last entry of a key;
 *  - the analysis never lists a listener with a port outside 0..65535;
 *  - a successful patch parses back without errors, has
 *    listeners.tcp = none and the requested ssl_options, and patching it
 *    again changes nothing (same bytes, *changed == 0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqconf.h"

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
check_parse(const struct rmq_conf *c, size_t len)
{
	size_t i, at = 0;

	for (i = 0; i < c->nlines; i++) {
		const struct rmq_line *l = &c->lines[i];

		check(l->off == at, "lines tile the input");
		at = l->off + l->len + l->eol;
		check(at <= len, "lines inside the input");
		if (l->kind == RMQ_SETTING || l->kind == RMQ_INCLUDE) {
			const struct rmq_entry *en = &c->entries[l->entry];

			check((size_t)l->entry < c->n, "entry index");
			check(en->line == (int)i + 1, "entry line");
			check(en->col >= 1 && en->value_col >= en->col,
			    "entry columns");
			check(en->val_off >= l->off && en->val_off +
			    en->val_len <= l->off + l->len, "value in its line");
		}
	}
	check(at == len, "lines cover the input");
	for (i = 0; i < c->n; i++)
		check(rmq_conf_get(c, c->entries[i].key) != NULL &&
		    rmq_conf_get(c, c->entries[i].key)->line >=
		    c->entries[i].line, "the last entry wins");
}

static void
analyze(const struct rmq_conf *c, const char *buf, size_t len)
{
	const struct rmq_conf *confs[1] = { c };
	struct rmq_plugins pl = RMQ_PLUGINS_INIT;
	struct rmq_legacy lg;
	struct rmq_analysis a = RMQ_ANALYSIS_INIT;
	struct rmq_input in = { confs, 1, NULL, NULL, NULL };
	struct err e = ERR_INIT;
	size_t i;

	check((rmq_plugins_parse(&pl, "fuzz", buf, len, &e) < 0) ==
	    (e.count > 0), "plugins: failure has a message");
	rmq_legacy_scan(buf, len, &lg);
	check(lg.tcp.nports <= RMQ_LEGACY_MAX_PORTS, "legacy ports bounded");
	in.plugins = &pl;
	in.legacy = lg.has_term ? &lg : NULL;
	rmq_analyze(&in, &a);
	for (i = 0; i < a.nlisteners; i++)
		check(a.listeners[i].port >= 0 && a.listeners[i].port <= 65535,
		    "listener ports");
	rmq_analysis_release(&a);
	rmq_plugins_release(&pl);
	err_release(&e);
}

static void
repatch(const struct strbuf *out, const struct rmq_patch_opts *o)
{
	struct rmq_conf c2 = RMQ_CONF_INIT;
	struct strbuf out2 = STRBUF_INIT;
	struct err e = ERR_INIT;
	const struct rmq_entry *en;
	int changed = 1;

	check(rmq_conf_parse(&c2, "out", out->buf, out->len, &e) == 0,
	    "the patched file parses");
	check_parse(&c2, out->len);
	en = rmq_conf_get(&c2, "listeners.tcp");
	check(en != NULL && strcmp(en->value, "none") == 0,
	    "listeners.tcp = none");
	en = rmq_conf_get(&c2, "ssl_options.certfile");
	check(en != NULL && strcmp(en->value, o->certfile) == 0,
	    "ssl_options.certfile set");
	check(rmq_patch(&c2, o, &out2, NULL, &changed, &e) == 0,
	    "the patched file patches");
	check(!changed && out2.len == out->len &&
	    memcmp(out2.buf, out->buf, out->len) == 0, "patch is idempotent");
	strbuf_release(&out2);
	rmq_conf_release(&c2);
	err_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rmq_conf c = RMQ_CONF_INIT;
	struct rmq_patch_opts o;
	struct strbuf out = STRBUF_INIT, changes = STRBUF_INIT;
	struct err e = ERR_INIT;
	const char *buf = (const char *)data;
	int ret, changed = 0;
	size_t i;

	if (size > 8192)
		return 0;
	ret = rmq_conf_parse(&c, "fuzz", buf, size, &e);
	check((ret < 0) == (e.count > 0), "failure has a message");
	check_parse(&c, size);
	for (i = 0; i < c.n; i++) {
		const char *why = NULL;

		(void)rmq_key_classify(c.entries[i].key, NULL);
		if (rmq_value_check(c.entries[i].key, c.entries[i].value,
		    &why) < 0)
			check(why != NULL && *why != '\0', "value check says why");
	}
	analyze(&c, buf, size);
	memset(&o, 0, sizeof(o));
	o.cacertfile = "/etc/rabbitmq/ca.pem";
	o.certfile = "/etc/rabbitmq/cert.pem";
	o.keyfile = "/etc/rabbitmq/key.pem";
	o.close_plugins = size > 0 ? data[0] & 0xF : 0;
	err_release(&e);
	if (rmq_patch(&c, &o, &out, &changes, &changed, &e) == 0)
		repatch(&out, &o);
	else
		check(e.count > 0, "patch failure has a message");
	strbuf_release(&out);
	strbuf_release(&changes);
	err_release(&e);
	rmq_conf_release(&c);
	return 0;
}
