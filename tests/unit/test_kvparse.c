/* test_kvparse.c - Ansible's split_args()/parse_kv() (runner/util/kvparse.c)
 * and `-e` (runner/core/extravars.c).  Expected values are what
 * ansible-core 2.14's parse_kv() and ansible-playbook -e return for the
 * same input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/core/extravars.h"
#include "runner/util/kvparse.h"
#include "runner/util/banned.h"

/* kv_parse(in) as "k=v|k=v" (map order), or "ERR" */
static char *
kv(const char *in)
{
	struct err e = ERR_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct val *m;
	size_t i;

	if (kv_parse(in, &m, &e) < 0) {
		err_release(&e);
		return xstrdup("ERR");
	}
	for (i = 0; i < m->u.map.n; i++)
		strbuf_addf(&sb, "%s%s=%s", i ? "|" : "", m->u.map.items[i].key,
		    m->u.map.items[i].v->u.str.s);
	val_free(m);
	return strbuf_detach(&sb, NULL);
}

#define KV(in, want) do { char *got_ = kv(in); \
	assert_string_equal(got_, want); free(got_); } while (0)

static void
test_parse_kv(void **state)
{
	(void)state;
	KV("a=1 b=2", "a=1|b=2");
	KV("a=\"x y\" b=2", "a=x y|b=2");
	KV("a='x y'  b=2", "a=x y|b=2");
	KV("a=x\"y\"", "a=x\"y\"");
	KV("k={{ a b }} c=d", "k={{ a b }}|c=d");
	KV("a=\\u00e9\\n", "a=\xc3\xa9");
	KV("foo", "_raw_params=foo");
	KV("a\\=b", "_raw_params=a=b");
	KV("=a=b", "=a=b");
	KV("a=1\nb=2", "a=1|b=2");
	KV("a=\"1\n2\"", "a=1\n2");
	KV(" a=1 ", "a=1");
	KV("a=1  ", "a=1");
	KV("x=a=b", "x=a=b");
	KV("k = v", "_raw_params=k = v");
	KV("a=b\\", "a=b\\");
	KV("a='it''s'", "a=it''s");
	KV("a={% if x %}1{% endif %} b=1", "a={% if x %}1{% endif %}|b=1");
	KV("a=1 \\ b=2", "a=1|b=2");
	KV("a=\\x41\\t", "a=A");
	KV("a='\\'q\\''", "a='q'");
	KV("a=\"b", "ERR");          /* unbalanced quotes */
	KV("a={{ b", "ERR");         /* unbalanced block */
	KV("  a=1", "ERR");          /* Ansible: IndexError */
	KV("a=\\ud800", "ERR");      /* a lone surrogate */
	KV("", "");
}

static void
test_split_args(void **state)
{
	struct err e = ERR_INIT;
	char **w;

	(void)state;
	assert_int_equal(kv_split_args("a=1  b='x y' {{ c }}", &w, &e), 0);
	assert_string_equal(w[0], "a=1 ");
	assert_string_equal(w[1], "b='x y'");
	assert_string_equal(w[2], "{{ c }}");
	assert_null(w[3]);
	kv_words_free(w);
	assert_int_equal(kv_split_args("a\nb", &w, &e), 0);
	assert_string_equal(w[0], "a\n");
	assert_string_equal(w[1], "b");
	kv_words_free(w);
	err_release(&e);
}

/* extravars_add() on a fresh map: the map as JSON-ish text, or the error */
static char *
ev(const char *arg)
{
	struct err e = ERR_INIT;
	struct val *m = val_map();
	struct strbuf sb = STRBUF_INIT;
	char *res;

	if (extravars_add(m, arg, &e) < 0) {
		strbuf_rtrim(&e.msg);
		res = xstrdup(err_text(&e, "?"));
	} else {
		val_to_str(m, &sb);
		res = strbuf_detach(&sb, NULL);
	}
	val_free(m);
	err_release(&e);
	return res;
}

#define EV(in, want) do { char *got_ = ev(in); \
	assert_string_equal(got_, want); free(got_); } while (0)

static void
test_extravars(void **state)
{
	char path[] = "/tmp/mend-ev-XXXXXX";
	int fd = mkstemp(path);
	char *arg = xasprintf("@%s", path), *want;
	struct err e = ERR_INIT;
	struct val *m = val_map();

	(void)state;
	assert_true(fd >= 0);
	EV("a=1 b='two words'", "{\"a\":\"1\",\"b\":\"two words\"}");
	EV("{\"a\": [1, 2], \"b\": {\"c\": true}}",
	    "{\"a\":[1,2],\"b\":{\"c\":true}}");
	EV("", "{}");
	EV("foo", "-e takes KEY=VALUE pairs, YAML/JSON or @FILE: 'foo' has "
	    "text that is not KEY=VALUE");
	EV("[1]", "invalid extra vars data supplied: '[1]' could not be made "
	    "into a mapping");
	EV("./vars.yml", "please prepend extra_vars filename './vars.yml' with "
	    "'@'");
	want = xasprintf("invalid extra vars data supplied: '%s' could not "
	    "be made into a mapping", arg);
	EV(arg, want);                 /* an empty file, as Ansible */
	free(want);
	assert_int_equal(write(fd, "x: 1\ny: [a]\n", 12), 12);
	close(fd);
	EV(arg, "{\"x\":1,\"y\":[\"a\"]}");
	/* later arguments replace earlier keys, top level only */
	assert_int_equal(extravars_add(m, "x=old z=keep", &e), 0);
	assert_int_equal(extravars_add(m, arg, &e), 0);
	assert_int_equal(val_map_get(m, "x")->type, V_INT);
	assert_string_equal(val_map_get(m, "z")->u.str.s, "keep");
	val_free(m);
	err_release(&e);
	unlink(path);
	free(arg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kv),
		cmocka_unit_test(test_split_args),
		cmocka_unit_test(test_extravars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
