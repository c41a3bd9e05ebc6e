/*
 * fuzz_template.c - libFuzzer harness for the template engine
 * (runner/template/template*.c): arbitrary bytes as a template, as a bare
 * expression and as a condition, against a fixed set of variables.  If the
 * input contains a NUL byte, what follows it becomes the value of the
 * variable `v` (so lazy templating of variables is fuzzed too).  The same
 * bytes also go through tmpl_render_file (the template module's path: all
 * statements) with trim_blocks/lstrip_blocks/newline_sequence taken from
 * the first byte.  Inputs naming the `pipe` lookup are skipped: it runs
 * commands on this machine.
 * Build and run: see tests/fuzz/README.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template.h"
#include "runner/util/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct val *
base_vars(void)
{
	struct val *vars = val_map(), *l = val_list(), *m = val_map();
	struct val *secret = val_str("hunter2");

	val_list_push(l, val_str("a"));
	val_list_push(l, val_int(1));
	val_list_push(l, val_bool(1));
	val_map_set(m, "changed", val_bool(1));
	val_map_set(m, "rc", val_int(0));
	val_map_set(m, "stdout", val_str("x {{ y"));
	val_map_set(vars, "s", val_str("hello"));
	val_map_set(vars, "n", val_int(42));
	val_map_set(vars, "t", val_bool(1));
	val_map_set(vars, "nul", val_null());
	val_map_set(vars, "lst", l);
	val_map_set(vars, "res", m);
	val_map_set(vars, "lazy", val_str("{{ s }} {{ n + 1 }}"));
	val_map_set(vars, "loop", val_str("{{ loop }}"));
	val_map_set(vars, "dbl", val_str("{{ lazy }}{{ lazy }}"));
	val_mark_unsafe(secret);
	val_map_set(vars, "secret", secret);
	m = val_map();
	val_map_set(m, "name", val_str("ann"));
	val_map_set(m, "age", val_int(41));
	l = val_list();
	val_list_push(l, m);
	val_list_push(l, val_str("x"));
	val_map_set(vars, "people", l);
	return vars;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct val *vars;
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct pos p = { "fuzz.yml", 1, 1 };
	struct val *out = NULL, *in;
	char *s = xstrndup((const char *)data, size);
	size_t len = strlen(s);
	int cond;

	static const char *const nls[] = { "\n", "\r\n", "\r" };
	struct tmpl_file_opts o;

	if (memmem(data, size, "pipe", 4) != NULL) {
		free(s);
		return 0;
	}
	if (vars == NULL)
		vars = base_vars();
	if (len < size)
		val_map_set(vars, "v", val_strn((const char *)data + len + 1,
		    size - len - 1));
	tmpl_check(s, &p, &e);
	tmpl_check_expr(s, &p, &e);
	if (tmpl_eval(s, vars, &p, &out, &e) == 0)
		val_free(out);
	tmpl_eval_cond(s, vars, &p, &cond, &e);
	tmpl_render(s, vars, &p, &sb, &e);
	in = val_str(s);
	if (tmpl_render_val(in, vars, &out, &e) == 0)
		val_free(out);
	val_free(in);
	o.trim_blocks = size > 0 && (data[0] & 1);
	o.lstrip_blocks = size > 0 && (data[0] & 2);
	o.newline = nls[size > 0 ? (data[0] >> 2) % 3 : 0];
	strbuf_reset(&sb);
	tmpl_render_file(s, len, "fuzz.j2", vars, &o, &sb, &e);
	val_map_del(vars, "v");
	strbuf_release(&sb);
	err_release(&e);
	free(s);
	return 0;
}
