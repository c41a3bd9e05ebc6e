/* test_inventory.c - INI and YAML inventories, ranges, group_vars/host_vars,
 * directories, several sources, variable precedence, magic variables, and
 * every parse error with its file:line:col.  Run from the repository root
 * (fixtures in tests/unit/fixtures/inventory, or $MEND_FIXTURES). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner/inventory/inventory.h"
#include "runner/inventory/inventory_int.h"
#include "runner/util/banned.h"

static char tmpdir[64];

/* ------------------------------------------------------------- helpers */

static const char *
fixture(const char *name)
{
	static char buf[4][512];
	static int k;
	const char *dir = getenv("MEND_FIXTURES");

	if (dir == NULL)
		dir = "tests/unit/fixtures";
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/inventory/%s", dir, name);
	return buf[k];
}

static const char *
tmp(const char *name)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

/* Write tmpdir/name (creating directories). */
static void
put(const char *name, const char *content)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	for (slash = strchr(path + strlen(tmpdir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* e's messages with every "tmpdir/" removed. */
static char *
messages(const struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = e->msg.buf, *hit;
	size_t n = strlen(tmpdir);

	while ((hit = strstr(p, tmpdir)) != NULL) {
		strbuf_add(&sb, p, (size_t)(hit - p));
		p = hit + n + (hit[n] == '/');
	}
	strbuf_addstr(&sb, p);
	return strbuf_detach(&sb, NULL);
}

static struct inventory *
load_path(const char *path)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;

	if (inventory_load(inv, path, &e) < 0) {
		err_print(&e, stderr);
		fail_msg("cannot load %s", path);
	}
	err_release(&e);
	return inv;
}

/* Load `content` saved as tmpdir/name; it must succeed. */
static struct inventory *
load_str(const char *name, const char *content)
{
	put(name, content);
	return load_path(tmp(name));
}

/* Loading `content` as tmpdir/name must fail with exactly `expected`. */
static void
expect_errors(const char *name, const char *content, const char *expected)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;
	char *got;

	put(name, content);
	assert_int_equal(inventory_load(inv, tmp(name), &e), -1);
	got = messages(&e);
	if (strcmp(got, expected) != 0)
		fprintf(stderr, "expected:\n%sgot:\n%s", expected, got);
	assert_string_equal(got, expected);
	free(got);
	err_release(&e);
	inventory_free(inv);
}

/* JSON of variable `key` of host (after precedence), or "undefined". */
static void
assert_var(const struct inventory *inv, const char *host, const char *key,
    const char *json)
{
	const struct inv_host *h = inventory_find_host(inv, host);
	struct strbuf sb = STRBUF_INIT;
	struct val *vars, *v;

	if (h == NULL)
		fail_msg("no host '%s'", host);
	vars = inventory_host_vars(inv, h);
	v = val_map_get(vars, key);
	if (v == NULL)
		strbuf_addstr(&sb, "undefined");
	else
		val_to_json(v, &sb, -1);
	if (strcmp(sb.buf, json) != 0)
		fprintf(stderr, "%s: %s: expected %s, got %s\n", host, key,
		    json, sb.buf);
	assert_string_equal(sb.buf, json);
	strbuf_release(&sb);
	val_free(vars);
}

/* Space-separated names of the hosts a pattern selects. */
static void
assert_select(const struct inventory *inv, const char *pattern,
    const char *names)
{
	struct strbuf sb = STRBUF_INIT;
	struct inv_host **sel;
	struct err e = ERR_INIT;
	size_t n, i;

	if (inventory_select(inv, pattern, NULL, &sel, &n, &e) < 0) {
		err_print(&e, stderr);
		fail_msg("pattern '%s' failed", pattern);
	}
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", sel[i]->name);
	if (strcmp(sb.buf, names) != 0)
		fprintf(stderr, "pattern %s: expected '%s', got '%s'\n",
		    pattern, names, sb.buf);
	assert_string_equal(sb.buf, names);
	free(sel);
	strbuf_release(&sb);
	err_release(&e);
}

static void
assert_host_groups(const struct inventory *inv, const char *host,
    const char *names)
{
	struct strbuf sb = STRBUF_INIT;
	const char **g;
	size_t n, i;

	g = inventory_host_groups(inv, inventory_find_host(inv, host), &n);
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", g[i]);
	assert_string_equal(sb.buf, names);
	free(g);
	strbuf_release(&sb);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mend-inv-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------- INI */

static void
test_ini_groups(void **state)
{
	struct inventory *inv;
	struct inv_group *g;

	(void)state;
	inv = load_str("groups.ini",
	    "# comment\n"
	    "; another comment\n"
	    "lone\n"
	    "\n"
	    "[web]  # trailing comment\n"
	    "w1\n"
	    "  w2   \n"
	    "[db]\n"
	    "d1\n"
	    "w1\n"
	    "[ungrouped]\n"
	    "u1\n"
	    "[all]\n"
	    "a1\n");
	assert_int_equal(inv->nhosts, 6);
	assert_select(inv, "all", "a1 lone u1 w1 w2 d1");  /* ansible 2.14 */
	assert_select(inv, "ungrouped", "lone u1 a1");
	assert_select(inv, "web", "w1 w2");
	assert_select(inv, "db", "d1 w1");
	g = inventory_find_group(inv, "web");
	assert_non_null(g);
	assert_int_equal(g->nhosts, 2);
	assert_int_equal(g->depth, 1);
	assert_int_equal(g->pos.line, 5);
	assert_int_equal(g->pos.col, 2);
	assert_int_equal(inventory_find_host(inv, "w2")->pos.line, 7);
	assert_int_equal(inventory_find_host(inv, "w2")->pos.col, 3);
	assert_int_equal(inventory_find_host(inv, "d1")->index, 3);
	assert_null(inventory_find_host(inv, "web"));
	assert_null(inventory_find_group(inv, "w1"));
	assert_host_groups(inv, "w1", "db web");
	assert_host_groups(inv, "lone", "");
	assert_var(inv, "lone", "group_names", "[\"ungrouped\"]");
	assert_var(inv, "a1", "group_names", "[\"ungrouped\"]");
	assert_var(inv, "w1", "group_names", "[\"db\",\"web\"]");
	inventory_free(inv);
}

static void
test_ini_values(void **state)
{
	struct inventory *inv;

	(void)state;
	inv = load_str("values.ini",
	    "h1 i=22 neg=-5 hex=0x1F under=1_000 t=True f=False n=None "
	    "lower=true FALSE=FALSE s=\"a b\" q='\"22\"' unq='22' "
	    "l=\"[1, 'x', (2,)]\" d=\"{'a': 1, 2: [True]}\" fl=1.5 "
	    "oct=010 esc=\"'a\\\\tb'\" e=\"\" eq=a=b big=99999999999999999999 "
	    "str=\"'it''s'\" hash=\"'#x'\" bad=[1,\n"
	    "h2 x=1 # comment=ignored\n"
	    "h3 x=a#b y=c\n"
	    "[g:vars]\n"
	    "port = 8080 # a comment after a literal goes\n"
	    "text=bar # but stays after a string\n"
	    "list=[1, 2]\n"
	    "spaced =  a b  \n"
	    "empty=\n"
	    "quoted='True'\n"
	    "[g]\n"
	    "h2\n");
	assert_var(inv, "h1", "i", "22");
	assert_var(inv, "h1", "neg", "-5");
	assert_var(inv, "h1", "hex", "31");
	assert_var(inv, "h1", "under", "1000");
	assert_var(inv, "h1", "t", "true");
	assert_var(inv, "h1", "f", "false");
	assert_var(inv, "h1", "n", "null");
	assert_var(inv, "h1", "lower", "\"true\"");
	assert_var(inv, "h1", "FALSE", "\"FALSE\"");
	assert_var(inv, "h1", "s", "\"a b\"");
	assert_var(inv, "h1", "q", "\"22\"");
	assert_var(inv, "h1", "unq", "22");       /* shlex ate the quotes */
	assert_var(inv, "h1", "l", "[1,\"x\",[2]]");
	assert_var(inv, "h1", "d", "{\"a\":1,\"2\":[true]}");
	assert_var(inv, "h1", "fl", "1.5");      /* a float, as Ansible */
	assert_var(inv, "h1", "oct", "\"010\"");
	assert_var(inv, "h1", "esc", "\"a\\tb\"");
	assert_var(inv, "h1", "e", "\"\"");
	assert_var(inv, "h1", "eq", "\"a=b\"");
	assert_var(inv, "h1", "big", "\"99999999999999999999\"");
	assert_var(inv, "h1", "str", "\"its\"");
	assert_var(inv, "h1", "hash", "\"#x\"");
	assert_var(inv, "h1", "bad", "\"[1,\"");
	assert_var(inv, "h2", "x", "1");
	assert_var(inv, "h2", "comment", "undefined");
	assert_var(inv, "h3", "x", "\"a\"");        /* shlex: # ends the line */
	assert_var(inv, "h3", "y", "undefined");
	assert_var(inv, "h2", "port", "8080");
	assert_var(inv, "h2", "text", "\"bar # but stays after a string\"");
	assert_var(inv, "h2", "list", "[1,2]");
	assert_var(inv, "h2", "spaced", "\"a b\"");
	assert_var(inv, "h2", "empty", "\"\"");
	assert_var(inv, "h2", "quoted", "\"True\"");
	inventory_free(inv);
}

static void
test_pylit(void **state)
{
	static const struct { const char *in, *json; } ok[] = {
		{ "0", "0" }, { "00", "0" }, { "-0x10", "-16" },
		{ "0o17", "15" }, { "0b101", "5" }, { "+7", "7" },
		{ "- 3", "-3" }, { "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "-9223372036854775808" },
		{ "'a' \"b\"", "\"ab\"" }, { "r'a\\n'", "\"a\\\\n\"" },
		{ "'\\x41\\u00e9\\101'", "\"A\xc3\xa9" "A\"" }, { "b'x'", "\"x\"" },
		{ "'''tri'''", "\"tri\"" }, { "()", "[]" }, { "(1)", "1" },
		{ "{}", "{}" }, { "{1, 2}", "[1,2]" }, { "[1, [2, [3]],]", "[1,[2,[3]]]" },
		{ "{'k': None, True: 1}", "{\"k\":null,\"True\":1}" },
		{ "...", "\"...\"" }, { " 5 # c", "5" },
	};
	static const char *bad[] = {
		"", "012", "1.5j", "1e", "1j", "--1", "-True", "1_", "0x",
		"9223372036854775808", "'abc", "f'x'", "true", "[1", "{1: }",
		"{[1]: 2}", "1 2", "x", "'\\N{DASH}'", "'\\xZ1'", "(1, 2",
		"[" "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]" "]",
	};
	struct pos p = { "x.ini", 3, 4 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct val *v = NULL;

		if (inv_pylit(ok[i].in, &p, &v) < 0)
			fail_msg("'%s' is a Python literal", ok[i].in);
		val_to_json(v, &sb, -1);
		if (strcmp(sb.buf, ok[i].json) != 0)
			fail_msg("'%s': expected %s, got %s", ok[i].in,
			    ok[i].json, sb.buf);
		assert_int_equal(v->pos.line, 3);
		assert_int_equal(v->pos.col, 4);
		strbuf_release(&sb);
		val_free(v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct val *v = NULL;

		if (inv_pylit(bad[i], &p, &v) == 0)
			fail_msg("'%s' is not a Python literal", bad[i]);
		assert_null(v);
	}
}

static void
test_ini_ranges(void **state)
{
	struct inventory *inv;

	(void)state;
	inv = load_str("ranges.ini",
	    "[r]\n"
	    "web[01:03] v=1\n"
	    "odd[1:7:3]\n"
	    "db-[a:c]-x\n"
	    "up[y:B]\n"
	    "n[8:10]\n"
	    "z[:1]\n"
	    "m[1:2]-[a:b]\n"
	    "10.0.[1:2].[9:10]\n"
	    "al[a:e:2]\n");
	assert_select(inv, "r",
	    "web01 web02 web03 odd1 odd4 odd7 db-a-x db-b-x db-c-x upy upz upA upB "
	    "n8 n9 n10 z0 z1 m1-a m1-b m2-a m2-b 10.0.1.9 10.0.1.10 "
	    "10.0.2.9 10.0.2.10 ala alc ale");
	assert_null(inventory_find_host(inv, "upa"));
	assert_null(inventory_find_host(inv, "upC"));
	assert_var(inv, "web02", "v", "1");
	inventory_free(inv);
}

static void
test_ini_ports_ipv6(void **state)
{
	struct inventory *inv;

	(void)state;
	inv = load_str("ports.ini",
	    "[p]\n"
	    "h1:2222\n"
	    "h2:2222 ansible_port=22\n"
	    "w[1:2].example.com:2200\n"
	    "192.0.2.10:23\n"
	    "fe80::1\n"
	    "2001:db8::[a:c]\n"
	    "[::1]:2201\n"
	    "[2001:db8::5]:2202 ansible_user=x\n");
	assert_select(inv, "p",
	    "h1 h2 w1.example.com w2.example.com 192.0.2.10 fe80::1 "
	    "2001:db8::a 2001:db8::b 2001:db8::c ::1 2001:db8::5");
	assert_var(inv, "h1", "ansible_port", "2222");
	assert_var(inv, "h2", "ansible_port", "22");
	assert_var(inv, "w2.example.com", "ansible_port", "2200");
	assert_var(inv, "192.0.2.10", "ansible_port", "23");
	assert_var(inv, "fe80::1", "ansible_port", "undefined");
	assert_var(inv, "::1", "ansible_port", "2201");
	assert_var(inv, "2001:db8::5", "ansible_port", "2202");
	assert_var(inv, "2001:db8::5", "ansible_user", "\"x\"");
	assert_var(inv, "192.0.2.10", "inventory_hostname_short",
	    "\"192.0.2.10\"");
	assert_var(inv, "fe80::1", "inventory_hostname_short", "\"fe80::1\"");
	assert_var(inv, "w1.example.com", "inventory_hostname_short",
	    "\"w1\"");
	inventory_free(inv);
}

static void
test_ini_children(void **state)
{
	struct inventory *inv;

	(void)state;
	inv = load_str("children.ini",
	    "[prod:children]\n"
	    "web\n"
	    "db   # comment\n"
	    "[web]\n"
	    "w1\n"
	    "[db]\n"
	    "d1\n"
	    "[dc:children]\n"
	    "prod\n"
	    "[web:children]\n"
	    "front\n"
	    "[front]\n"
	    "f1\n"
	    "[db:vars]\n"
	    "v=1\n"
	    "[p:children]\n"         /* linked when defined, in that order */
	    "b\n"
	    "a\n"
	    "[a]\n"
	    "h1\n"
	    "[b]\n"
	    "h2\n");
	assert_select(inv, "prod", "w1 d1 f1");
	assert_select(inv, "dc", "w1 d1 f1");
	assert_select(inv, "p", "h1 h2");      /* ansible 2.14 */
	assert_int_equal(inventory_find_group(inv, "dc")->depth, 1);
	assert_int_equal(inventory_find_group(inv, "prod")->depth, 2);
	assert_int_equal(inventory_find_group(inv, "web")->depth, 3);
	assert_int_equal(inventory_find_group(inv, "front")->depth, 4);
	assert_host_groups(inv, "f1", "dc front prod web");
	assert_host_groups(inv, "d1", "db dc prod");
	assert_var(inv, "d1", "v", "1");
	assert_var(inv, "w1", "v", "undefined");
	inventory_free(inv);
}

static void
test_ini_errors(void **state)
{
	(void)state;
	expect_errors("e1.ini", "web[1:x]\n",
	    "e1.ini:1:7: error: invalid end 'x' in range '[1:x]'\n");
	expect_errors("e2.ini",
	    "[ok]\n"
	    "  web[3:1]\n"
	    "web[01:100]\n"
	    "web[1:5:0]\n"
	    "web[]\n"
	    "web[1]\n"
	    "web[1:]\n"
	    "web[1:3\n"
	    "web[x:3]\n"
	    "web[1:2:-1]\n"
	    "web[0:999]x[0:999]\n"
	    "web[0:999999]\n",
	    "e2.ini:2:6: error: range '[3:1]' goes backwards\n"
	    "e2.ini:3:5: error: start and end of range '[01:100]' must have "
	    "the same width\n"
	    "e2.ini:4:9: error: invalid step '0' in range '[1:5:0]'\n"
	    "e2.ini:5:4: error: invalid range '[]': expected [start:end] or "
	    "[start:end:step]\n"
	    "e2.ini:6:4: error: invalid range '[1]': expected [start:end] or "
	    "[start:end:step]\n"
	    "e2.ini:7:4: error: range '[1:]' has no end\n"
	    "e2.ini:8:4: error: unterminated range in 'web[1:3'\n"
	    "e2.ini:9:5: error: invalid start 'x' in range '[x:3]'\n"
	    "e2.ini:10:9: error: invalid step '-1' in range '[1:2:-1]'\n"
	    "e2.ini:11:1: error: 'web[0:999]x[0:999]' expands to more "
	    "than 100000 hosts\n"
	    "e2.ini:12:4: error: range '[0:999999]' is too large\n");
	expect_errors("e3.ini",
	    "[web\n"
	    "[web servers]\n"
	    "[g:unknown]\n"
	    "[]\n"
	    "[:vars]\n"
	    "[g:]\n"
	    "[g] x\n"
	    "[g:vars:x]\n"
	    "[g]\n"
	    "h1\n",
	    "e3.ini:1:1: error: unterminated section header '[web'\n"
	    "e3.ini:2:5: error: invalid character ' ' in section header "
	    "'[web servers]'\n"
	    "e3.ini:3:4: error: unknown section type 'unknown' in "
	    "'[g:unknown]' (expected 'vars' or 'children')\n"
	    "e3.ini:4:2: error: missing group name in section header '[]'\n"
	    "e3.ini:5:2: error: missing group name in section header "
	    "'[:vars]'\n"
	    "e3.ini:6:4: error: missing section type after ':' in '[g:]'\n"
	    "e3.ini:7:5: error: unexpected text after section header '[g]'\n"
	    "e3.ini:8:8: error: invalid character ':' in section header "
	    "'[g:vars:x]'\n");
	expect_errors("e4.ini",
	    "h1 novalue\n"
	    "h2 =x\n"
	    "h3 a='unterminated\n"
	    "h4 a=\\\n"
	    "h5:\n"
	    "h6:0\n"
	    "h7:65536\n"
	    "---\n"
	    "h8 \"a\"b=1 c\n"
	    "\"bad[1:x]\"\n",
	    "e4.ini:1:4: error: expected 'key=value' after host 'h1', got "
	    "'novalue'\n"
	    "e4.ini:2:4: error: missing variable name before '=' in '=x'\n"
	    "e4.ini:3:6: error: missing closing quote (')\n"
	    "e4.ini:4:6: error: nothing after '\\' at the end of the line\n"
	    "e4.ini:5:3: error: invalid host 'h5:': a final ':' must be "
	    "followed by a port\n"
	    "e4.ini:6:4: error: invalid port '0'\n"
	    "e4.ini:7:4: error: invalid port '65536'\n"
	    "e4.ini:8:1: error: '---' is not a host name (a YAML inventory "
	    "needs a .yml or .yaml name)\n"
	    "e4.ini:9:11: error: expected 'key=value' after host 'h8', got "
	    "'c'\n"
	    "e4.ini:10:1: error: invalid end 'x' in range '[1:x]'\n");
	expect_errors("e5.ini",
	    "[g]\n"
	    "h1\n"
	    "[g:vars]\n"
	    "novalue\n"
	    "=1\n"
	    "a b=1\n"
	    "ansible_group_priority=high\n"
	    "ok=1\n",
	    "e5.ini:4:1: error: expected 'key=value' in section '[g:vars]', "
	    "got 'novalue'\n"
	    "e5.ini:5:1: error: invalid variable name '' in section "
	    "'[g:vars]'\n"
	    "e5.ini:6:1: error: invalid variable name 'a b' in section "
	    "'[g:vars]'\n"
	    "e5.ini:7:24: error: 'ansible_group_priority' of group 'g' must "
	    "be an integer\n");
	expect_errors("e6.ini",
	    "[g]\n"
	    "h1\n"
	    "[p:children]\n"
	    "bad name\n"
	    "x:y\n"
	    "p\n"
	    "all\n"
	    "h1\n"
	    "h9\n"
	    "[q:children]\n"
	    "p\n"
	    "[p:children]\n"
	    "q\n"
	    "[ghost:vars]\n"
	    "a=1\n"
	    "[later]\n"
	    "h9\n",
	    "e6.ini:4:5: error: expected a group name in section "
	    "'[p:children]', got 'bad name'\n"
	    "e6.ini:5:2: error: expected a group name in section "
	    "'[p:children]', got 'x:y'\n"
	    "e6.ini:6:1: error: group 'p' cannot be its own child\n"
	    "e6.ini:7:1: error: group 'all' cannot be a child of 'p'\n"
	    "e6.ini:13:1: error: group 'q' cannot be a child of 'p': 'p' is "
	    "already a descendant of 'q'\n"
	    "e6.ini:14:2: error: section '[ghost:vars]' is for an undefined "
	    "group (add a '[ghost]' section)\n"
	    "e6.ini:8:1: error: child 'h1' of group 'p' is a host, not a "
	    "group\n"
	    "e6.ini:9:1: error: child 'h9' of group 'p' is a host, not a "
	    "group\n");
}

/* INI floats: the JSON is ansible-inventory 2.14's for the same line. */
static void
test_ini_floats(void **state)
{
	static const char *const want[][2] = {
		{ "fl", "1.5" }, { "e", "1000.0" }, { "neg", "-2.5" },
		{ "dot", "0.5" }, { "trail", "5.0" }, { "big", "Infinity" },
		{ "x", "\"1.2.3\"" }, { "u", "10.25" }, { "tiny", "1e-05" },
		{ "h", "1e+16" }, { "z", "0.0001" }, { "lz", "1.5" },
		{ "m", "-0.0" }, { "third", "0.3333333333333333" },
		{ "nodig", "\"1e\"" }, { "cplx", "\"1.5j\"" },
	};
	struct inventory *inv;
	size_t i;

	(void)state;
	inv = load_str("floats.ini",
	    "h1 fl=1.5 e=1e3 neg=-2.5 dot=.5 trail=5. big=1e400 x=1.2.3 "
	    "u=1_0.2_5 tiny=1e-5 h=1e16 z=0.0001 lz=01.5 m=-0.0 "
	    "third=0.3333333333333333 nodig=1e cplx=1.5j\n");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_var(inv, "h1", want[i][0], want[i][1]);
	inventory_free(inv);
}

/* A child never defined, [x:vars] of a group that is only a child:
 * Ansible refuses the file. */
static void
test_ini_undefined_child(void **state)
{
	(void)state;
	expect_errors("u1.ini",
	    "[prod:children]\n"
	    "web\n"
	    "ghost\n"
	    "[web]\n"
	    "w1\n"
	    "[late:vars]\n"
	    "lv=1\n"
	    "[x:children]\n"
	    "late\n",
	    "u1.ini:6:2: error: section '[late:vars]' is for an undefined "
	    "group (add a '[late]' section)\n"
	    "u1.ini:3:1: error: section '[prod:children]' includes undefined "
	    "group 'ghost' (add a '[ghost]' section)\n");
}

/* After a bad section header its lines are skipped, not misfiled. */
static void
test_ini_error_recovery(void **state)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;

	(void)state;
	put("rec.ini", "[bad group]\nh1 x\n[good]\nh2\n");
	assert_int_equal(inventory_load(inv, tmp("rec.ini"), &e), -1);
	assert_int_equal(e.count, 1);
	assert_null(inventory_find_host(inv, "h1"));
	assert_non_null(inventory_find_host(inv, "h2"));
	err_release(&e);
	inventory_free(inv);
}

/* ------------------------------------------------------------- YAML */

static void
test_yaml(void **state)
{
	struct inventory *inv;

	(void)state;
	inv = load_str("inv.yml",
	    "all:\n"
	    "  vars:\n"
	    "    av: 1\n"
	    "  hosts:\n"
	    "    lone:\n"
	    "  children:\n"
	    "    web:\n"
	    "      hosts:\n"
	    "        web[1:2].example.com:\n"
	    "          ansible_port: 2222\n"
	    "        \"[2001:db8::1]:2200\":\n"
	    "        w3:2201: {tag: x}\n"
	    "      vars:\n"
	    "        wv: [1, {a: b}]\n"
	    "        ansible_group_priority: 3\n"
	    "      children:\n"
	    "        front:\n"
	    "          hosts:\n"
	    "            web1.example.com: {front: yes}\n"
	    "          children:\n"
	    "            deep:\n"
	    "              hosts: d1\n"
	    "        empty:\n"
	    "    db:\n"
	    "      hosts:\n"
	    "        db[a:b]:\n"
	    "      children: other\n"
	    "other:\n"
	    "  hosts:\n"
	    "    o1:\n");
	assert_select(inv, "all",                /* ansible 2.14 */
	    "lone web1.example.com web2.example.com 2001:db8::1 w3 dba dbb "
	    "o1 d1");
	assert_select(inv, "web",
	    "web1.example.com web2.example.com 2001:db8::1 w3 d1");
	assert_select(inv, "ungrouped", "lone");
	assert_select(inv, "db", "dba dbb o1");
	assert_int_equal(inventory_find_group(inv, "deep")->depth, 3);
	assert_int_equal(inventory_find_group(inv, "web")->priority, 3);
	assert_int_equal(inventory_find_group(inv, "other")->depth, 2);
	assert_non_null(inventory_find_group(inv, "empty"));
	assert_var(inv, "web2.example.com", "ansible_port", "2222");
	assert_var(inv, "2001:db8::1", "ansible_port", "2200");
	assert_var(inv, "w3", "ansible_port", "2201");
	assert_var(inv, "w3", "tag", "\"x\"");
	assert_var(inv, "web1.example.com", "front", "true");
	assert_var(inv, "d1", "wv", "[1,{\"a\":\"b\"}]");
	assert_var(inv, "d1", "av", "1");
	assert_var(inv, "d1", "ansible_group_priority", "undefined");
	assert_var(inv, "lone", "wv", "undefined");
	assert_host_groups(inv, "d1", "deep front web");
	assert_int_equal(inventory_find_host(inv, "w3")->pos.line, 12);
	assert_int_equal(inventory_find_host(inv, "w3")->pos.col, 9);
	assert_int_equal(inventory_find_group(inv, "front")->pos.line, 17);
	assert_int_equal(inventory_find_group(inv, "front")->pos.col, 9);
	inventory_free(inv);
}

/* YAML by content without an extension, JSON, and INI by content. */
static void
test_format_detection(void **state)
{
	struct inventory *inv;

	(void)state;
	inv = load_str("noext-yaml", "web:\n  hosts:\n    y1:\n");
	assert_select(inv, "web", "y1");
	inventory_free(inv);
	inv = load_str("inv.json",
	    "{\"web\": {\"hosts\": {\"j1\": {\"p\": 1}}}}\n");
	assert_var(inv, "j1", "p", "1");
	inventory_free(inv);
	inv = load_str("noext-ini", "# hosts\ni1 a=1\ni2\n");
	assert_select(inv, "all", "i1 i2");
	inventory_free(inv);
	inv = load_str("noext-ini2", "[web]\ni3\n");
	assert_select(inv, "web", "i3");
	inventory_free(inv);
	expect_errors("yaml.ini", "web:\n", "yaml.ini:1:4: error: invalid "
	    "host 'web:': a final ':' must be followed by a port\n");
	inv = load_str("bom", "\xef\xbb\xbf[web]\nb1\n");
	assert_select(inv, "web", "b1");
	inventory_free(inv);
	inv = load_str("crlf.ini", "[web]\r\nc1 a=1\r\n[web:vars]\r\nv=2\r\n");
	assert_var(inv, "c1", "a", "1");
	assert_var(inv, "c1", "v", "2");
	inventory_free(inv);
	inv = load_str("empty", "");
	assert_int_equal(inv->nhosts, 0);
	inventory_free(inv);
	inv = load_str("empty.yml", "# nothing\n");
	assert_int_equal(inv->nhosts, 0);
	inventory_free(inv);
}

static void
test_yaml_errors(void **state)
{
	(void)state;
	expect_errors("y1.yml",
	    "all:\n"
	    "  hosts:\n"
	    "    - a\n"
	    "  children:\n"
	    "    web:\n"
	    "      host:\n"
	    "        x:\n"
	    "    db: [1]\n"
	    "    g2:\n"
	    "      vars: 3\n"
	    "      hosts:\n"
	    "        ok: [1]\n"
	    "        \"r[1:x]\":\n"
	    "        \"p:0\": {}\n"
	    "    g3:\n"
	    "      children:\n"
	    "        - a\n"
	    "    g4:\n"
	    "      children:\n"
	    "        all:\n"
	    "bad:\n"
	    "  children:\n"
	    "    bad:\n",
	    "y1.yml:3:5: error: 'hosts' of group 'all' must be a mapping of "
	    "host names, not a list (write 'name:', not '- name')\n"
	    "y1.yml:6:7: error: unexpected key 'host' in group 'web' (expected "
	    "'hosts', 'children' or 'vars')\n"
	    "y1.yml:8:9: error: group 'db' must be a mapping of 'hosts', "
	    "'children' and 'vars', not a list\n"
	    "y1.yml:10:13: error: 'vars' of group 'g2' must be a mapping, not "
	    "an integer\n"
	    "y1.yml:12:13: error: variables of host 'ok' must be a mapping, "
	    "not a list\n"
	    "y1.yml:13:9: error: invalid end 'x' in range '[1:x]'\n"
	    "y1.yml:14:9: error: invalid port '0'\n"
	    "y1.yml:17:9: error: 'children' of group 'g3' must be a mapping "
	    "of group names, not a list\n"
	    "y1.yml:20:9: error: group 'all' cannot be a child of 'g4'\n"
	    "y1.yml:23:5: error: group 'bad' cannot be its own child\n");
	expect_errors("y2.yml", "plugin: aws_ec2\n",
	    "y2.yml:1:9: error: inventory plugins are not supported (only INI "
	    "and YAML inventories)\n");
	expect_errors("y3.yml", "- a\n- b\n",
	    "y3.yml:1:1: error: a YAML inventory must be a mapping of groups, "
	    "not a list\n");
	expect_errors("y4.yaml", "all:\n  hosts: [\n",
	    "y4.yaml:3:1: error: did not find expected node content while "
	    "parsing a flow node\n");
	expect_errors("y5.yml",
	    "all:\n"
	    "  hosts:\n"
	    "    h1:\n"
	    "  children:\n"
	    "    g:\n"
	    "      children:\n"
	    "        h1:\n",
	    "y5.yml:7:9: error: child 'h1' of group 'g' is a host, not a "
	    "group\n");
	expect_errors("y6.yml",
	    "a:\n  children:\n    b:\nb:\n  children:\n    a:\n",
	    "y6.yml:6:5: error: group 'a' cannot be a child of 'b': 'b' is "
	    "already a descendant of 'a'\n");
	expect_errors("y7.yml", "g:\n  vars:\n    ansible_group_priority: x\n",
	    "y7.yml:3:29: error: 'ansible_group_priority' of group 'g' must "
	    "be an integer\n");
}

/* ------------------------------------------------------------- vars */

static void
test_precedence(void **state)
{
	struct inventory *inv = load_path(fixture("prec/hosts.ini"));

	(void)state;
	assert_var(inv, "h1", "depth", "\"web\"");         /* deeper wins */
	assert_var(inv, "h1", "name_order", "\"web\"");    /* then by name */
	assert_var(inv, "h1", "prio", "\"p_hi\"");         /* priority first */
	assert_var(inv, "h1", "x", "\"gv_all\"");  /* group_vars/all > inv */
	assert_var(inv, "h1", "g", "\"web\"");     /* group_vars by depth */
	assert_var(inv, "h1", "d", "\"b\"");       /* dir: files in order */
	assert_var(inv, "h1", "d2", "\"c\"");      /* ... recursively */
	assert_var(inv, "h1", "d3", "undefined");  /* hidden */
	assert_var(inv, "h1", "d4", "undefined");  /* backup~ */
	assert_var(inv, "h1", "d5", "undefined");  /* .txt */
	assert_var(inv, "h1", "f", "\"noext\"");   /* NAME before NAME.yml */
	assert_var(inv, "h1", "only_yml", "undefined");
	assert_var(inv, "h1", "hv", "\"inv_host\"");  /* host > group_vars */
	assert_var(inv, "h1", "hf", "\"json\"");      /* host_vars > host */
	assert_var(inv, "h1", "n", "3");
	assert_var(inv, "h1", "inventory_hostname", "\"h1\"");
	assert_var(inv, "h1", "group_names",
	    "[\"db\",\"front\",\"p_hi\",\"p_lo\",\"prod\",\"web\"]");
	assert_var(inv, "h2", "hf", "\"yaml\"");
	assert_var(inv, "h2", "depth", "\"web\"");
	assert_var(inv, "h2", "prio", "undefined");
	assert_var(inv, "h2", "groups",
	    "{\"all\":[\"h1\",\"h2\"],\"ungrouped\":[],\"web\":[\"h1\",\"h2\"],"
	    "\"front\":[\"h1\"],\"db\":[\"h1\",\"h2\"],\"prod\":[\"h1\",\"h2\"],"
	    "\"p_hi\":[\"h1\"],\"p_lo\":[\"h1\"]}");
	assert_int_equal(inventory_find_group(inv, "p_hi")->priority, 5);
	inventory_free(inv);
}

static void
test_host_vars_fields(void **state)
{
	struct inventory *inv = load_path(fixture("prec/hosts.ini"));
	const struct inv_host *h = inventory_find_host(inv, "h1");
	const struct inv_group *g = inventory_find_group(inv, "web");
	const char *dir, *file;
	struct val *v;

	(void)state;
	assert_string_equal(val_map_str(h->vars, "hf", ""), "json");
	assert_string_equal(val_map_str(h->file_vars, "hf", ""), "inv");
	assert_string_equal(val_map_str(g->vars, "g", ""), "web");
	assert_string_equal(val_map_str(g->vars, "x", ""), "inv_web");
	assert_null(val_map_get(g->file_vars, "g"));
	v = inventory_host_vars_nogroups(inv, h);
	assert_null(val_map_get(v, "groups"));
	assert_non_null(val_map_get(v, "group_names"));
	val_free(v);
	assert_non_null(val_map_get(inventory_groups_var(inv), "p_lo"));
	dir = val_map_str(h->vars, "inventory_dir", "");
	file = val_map_str(h->vars, "inventory_file", "");
	assert_int_equal(dir[0], '/');                /* absolute */
	assert_int_equal(strncmp(file, dir, strlen(dir)), 0);
	assert_string_equal(file + strlen(dir), "/hosts.ini");
	assert_non_null(strstr(dir, "/inventory/prec"));
	inventory_free(inv);
}

static void
test_directory_source(void **state)
{
	struct inventory *inv = load_path(fixture("dir"));

	(void)state;
	assert_select(inv, "all", "d1 d2 d3 d4 d5");
	assert_select(inv, "web", "d1 d2 d3");
	assert_select(inv, "deep", "d5");
	assert_var(inv, "d5", "from_dir_all", "true");
	assert_var(inv, "d1", "from_dir_host", "\"d1\"");
	assert_var(inv, "d2", "from_dir_host", "undefined");
	assert_non_null(strstr(val_map_str(inventory_find_host(inv,
	    "d5")->vars, "inventory_file", ""), "dir/sub/03-deep"));
	inventory_free(inv);
}

static void
test_several_sources(void **state)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;

	(void)state;
	assert_int_equal(inventory_load(inv, fixture("multi/a/hosts.ini"), &e),
	    0);
	assert_int_equal(inventory_load(inv, fixture("multi/b/hosts.yml"), &e),
	    0);
	assert_select(inv, "g", "m1 m2 m3");
	assert_var(inv, "m1", "src", "\"b\"");      /* later source wins */
	assert_var(inv, "m1", "only_a", "1");
	assert_var(inv, "m1", "gv", "\"b\"");       /* later group_vars win */
	assert_var(inv, "m1", "gv_a", "1");
	assert_var(inv, "m3", "gv_g", "\"a\"");     /* a's group_vars, b's host */
	assert_var(inv, "m1", "hv", "\"a\"");
	assert_non_null(strstr(val_map_str(inventory_find_host(inv,
	    "m1")->vars, "inventory_file", ""), "multi/a/hosts.ini"));
	inventory_free(inv);
	inv = inventory_new();
	assert_int_equal(inventory_load(inv, fixture("multi/b/hosts.yml"), &e),
	    0);
	assert_int_equal(inventory_load(inv, fixture("multi/a/hosts.ini"), &e),
	    0);
	assert_select(inv, "g", "m1 m3 m2");
	assert_var(inv, "m1", "src", "\"a\"");
	assert_var(inv, "m1", "gv", "\"a\"");
	assert_int_equal(e.count, 0);
	inventory_free(inv);
}

static void
test_bad_vars_files(void **state)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;
	const char *path = fixture("badvars/hosts.ini");
	char *want;

	(void)state;
	assert_int_equal(inventory_load(inv, path, &e), -1);
	want = xasprintf("%.*sgroup_vars/web.yml:1:1: error: variables file "
	    "must hold a mapping, not a list\n"
	    "%.*shost_vars/h1.yml:2:1: error: did not find expected ',' or "
	    "']' while parsing a flow sequence\n",
	    (int)(strlen(path) - 9), path, (int)(strlen(path) - 9), path);
	assert_string_equal(e.msg.buf, want);
	free(want);
	err_release(&e);
	inventory_free(inv);
}

static void
test_missing_source(void **state)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;

	(void)state;
	assert_int_equal(inventory_load(inv, tmp("nope"), &e), -1);
	assert_non_null(strstr(e.msg.buf, "cannot read inventory"));
	assert_non_null(strstr(e.msg.buf, "No such file or directory"));
	err_release(&e);
	inventory_free(inv);
}

static void
test_host_list(void **state)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;

	(void)state;
	assert_int_equal(inventory_add_list(inv, " h1, h2:2222 ,,[::1]:2200,"
	    "h1,web[1:2],", &e), 0);
	assert_select(inv, "all", "h1 h2 ::1 web[1:2]");
	assert_select(inv, "ungrouped", "h1 h2 ::1 web[1:2]");
	assert_var(inv, "h2", "ansible_port", "2222");
	assert_var(inv, "::1", "ansible_port", "2200");
	assert_var(inv, "h1", "inventory_file", "null");
	assert_int_equal(inventory_add_list(inv, ",", &e), 0);
	assert_int_equal(inv->nhosts, 4);
	inventory_free(inv);
}

/* Hosts first listed ungrouped then put in a group leave ungrouped. */
static void
test_ungrouped_across_sources(void **state)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;

	(void)state;
	put("u1.ini", "h1\nh2\n");
	put("u2.ini", "[g]\nh1\n");
	assert_int_equal(inventory_load(inv, tmp("u1.ini"), &e), 0);
	assert_select(inv, "ungrouped", "h1 h2");
	assert_int_equal(inventory_load(inv, tmp("u2.ini"), &e), 0);
	assert_select(inv, "ungrouped", "h2");
	assert_var(inv, "h1", "group_names", "[\"g\"]");
	inventory_free(inv);
}

/* inventory/example.ini and inventory/example.yml: the same fleet. */
static void
test_examples(void **state)
{
	struct inventory *ini = load_path("inventory/example.ini");
	struct inventory *yml = load_path("inventory/example.yml");
	size_t i;

	(void)state;
	assert_int_equal(ini->nhosts, 8);
	assert_int_equal(yml->nhosts, ini->nhosts);
	for (i = 0; i < ini->nhosts; i++) {
		struct val *a = inventory_host_vars(ini, ini->hosts[i]);
		struct val *b = inventory_host_vars(yml, yml->hosts[i]);

		assert_string_equal(ini->hosts[i]->name, yml->hosts[i]->name);
		val_map_del(a, "inventory_file");
		val_map_del(b, "inventory_file");
		if (!val_equal(a, b)) {
			struct strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;

			val_to_json(a, &sa, -1);
			val_to_json(b, &sb, -1);
			fail_msg("%s:\n%s\n%s", ini->hosts[i]->name, sa.buf,
			    sb.buf);
		}
		val_free(a);
		val_free(b);
	}
	assert_select(ini, "nut_clients",
	    "web01.example.net web02.example.net web03.example.net "
	    "db01.example.net");
	assert_var(yml, "db01.example.net", "ansible_port", "2222");
	assert_var(yml, "db01.example.net", "nut_certpath",
	    "\"/etc/nut/cert\"");
	assert_var(ini, "mq02.example.net", "rabbitmq_tls_port", "5671");
	assert_var(ini, "ups01.example.net", "group_names",
	    "[\"nut\",\"nut_servers\"]");
	inventory_free(ini);
	inventory_free(yml);
}

/* 2000+ hosts: hash lookups, no quadratic step. */
static void
test_many_hosts(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct inventory *inv;
	struct timespec t0, t1;
	double ms;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		strbuf_addf(&sb, "[g%d]\nh%d-[001:050] a=%d\n[all:children]\n"
		    "g%d\n", i, i, i, i);
	strbuf_addstr(&sb, "[web]\nweb[0001:1000].example.com\n");
	put("many.ini", sb.buf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	inv = load_path(tmp("many.ini"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(inv->nhosts, 3000);
	assert_int_equal(inventory_find_host(inv, "h39-050")->index, 1999);
	assert_var(inv, "h7-013", "a", "7");
	assert_select(inv, "web[999:]", "web1000.example.com");
	fprintf(stderr, "    3000 hosts loaded in %.1f ms\n", ms);
	assert_true(ms < 1000);     /* a few ms; generous for loaded CI */
	strbuf_release(&sb);
	inventory_free(inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini_groups),
		cmocka_unit_test(test_ini_values),
		cmocka_unit_test(test_pylit),
		cmocka_unit_test(test_ini_ranges),
		cmocka_unit_test(test_ini_ports_ipv6),
		cmocka_unit_test(test_ini_children),
		cmocka_unit_test(test_ini_floats),
		cmocka_unit_test(test_ini_undefined_child),
		cmocka_unit_test(test_ini_errors),
		cmocka_unit_test(test_ini_error_recovery),
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_format_detection),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_host_vars_fields),
		cmocka_unit_test(test_directory_source),
		cmocka_unit_test(test_several_sources),
		cmocka_unit_test(test_bad_vars_files),
		cmocka_unit_test(test_missing_source),
		cmocka_unit_test(test_host_list),
		cmocka_unit_test(test_ungrouped_across_sources),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_many_hosts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
