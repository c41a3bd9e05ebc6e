/* test_pattern.c - host patterns (hosts:, -l): names, groups, globs,
 * regexes, union/intersection/exclusion in Ansible's order, subscripts,
 * @file, address-looking patterns, and every error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/inventory/inventory.h"
#include "runner/util/banned.h"

static char tmpdir[64];
static struct inventory *inv;

static const char inventory_ini[] =
    "lone\n"
    "[web]\n"
    "web1.example.com\n"
    "web2.example.com\n"
    "web3\n"
    "[db]\n"
    "db1\n"
    "web3\n"
    "[prod:children]\n"
    "web\n"
    "db\n"
    "[staging]\n"
    "st1\n"
    "[lone]\n"            /* a group named like a host */
    "st1\n"
    "[ipv6]\n"
    "fe80::1\n"
    "2001:db8::5\n"
    "[empty:children]\n"
    "nothing\n"
    "[nothing]\n";

static char *
tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
put(const char *name, const char *content)
{
	char *path = tmp(name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(path);
}

static int
setup(void **state)
{
	struct err e = ERR_INIT;
	char *path;
	int ret;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mend-pat-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	put("hosts.ini", inventory_ini);
	path = tmp("hosts.ini");
	inv = inventory_new();
	ret = inventory_load(inv, path, &e);
	if (ret < 0)
		err_print(&e, stderr);
	free(path);
	err_release(&e);
	return ret;
}

static int
teardown(void **state)
{
	char *a = tmp("hosts.ini"), *b = tmp("limit");

	(void)state;
	inventory_free(inv);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
	return rmdir(tmpdir);
}

/* Space-separated names selected by pattern. */
static void
sel(const char *pattern, const char *names)
{
	struct strbuf sb = STRBUF_INIT;
	struct inv_host **out;
	struct err e = ERR_INIT;
	size_t n, i;

	if (inventory_select(inv, pattern, NULL, &out, &n, &e) < 0) {
		err_print(&e, stderr);
		fail_msg("pattern '%s' failed", pattern);
	}
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", out[i]->name);
	if (strcmp(sb.buf, names) != 0)
		fprintf(stderr, "pattern '%s': expected '%s', got '%s'\n",
		    pattern, names, sb.buf);
	assert_string_equal(sb.buf, names);
	assert_int_equal(e.count, 0);
	free(out);
	strbuf_release(&sb);
}

/* pattern must fail with exactly `msg` (p = play.yml:3:9). */
static void
sel_error(const char *pattern, const char *msg)
{
	struct pos p = { "play.yml", 3, 9 };
	struct inv_host **out = (struct inv_host **)&out;
	struct err e = ERR_INIT;
	size_t n = 99;

	assert_int_equal(inventory_select(inv, pattern, &p, &out, &n, &e), -1);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_string_equal(e.msg.buf, msg);
	err_release(&e);
}

static void
test_all(void **state)
{
	(void)state;
	sel("all", "lone st1 fe80::1 2001:db8::5 web1.example.com web2.example.com web3 db1");
	sel("*", "lone st1 fe80::1 2001:db8::5 web1.example.com web2.example.com web3 db1");
	sel(" all ", "lone st1 fe80::1 2001:db8::5 web1.example.com web2.example.com web3 db1");
	sel("ungrouped", "lone");
}

static void
test_names(void **state)
{
	(void)state;
	sel("web", "web1.example.com web2.example.com web3");
	sel("prod", "web1.example.com web2.example.com web3 db1");
	sel("db1", "db1");
	sel("web1.example.com", "web1.example.com");
	sel("fe80::1", "fe80::1");             /* an address, not a:b */
	sel("2001:db8::5", "2001:db8::5");
	sel("empty", "");
	sel("nothing", "");
	sel("nosuch", "");                     /* not an error */
	/* a plain name is the host first; & and ! see the group */
	sel("lone", "lone");
	sel("all:&lone", "st1");
	sel("all:!lone", "lone fe80::1 2001:db8::5 web1.example.com web2.example.com web3 db1");
}

static void
test_globs(void **state)
{
	(void)state;
	sel("web*", "web1.example.com web2.example.com web3");
	sel("*.example.com", "web1.example.com web2.example.com");
	sel("db?", "db1");
	sel("[ds]*", "db1 web3 st1");          /* groups db, staging + hosts */
	sel("*1", "db1 st1 fe80::1");
	sel("w?b[!1]*", "web2.example.com web3");
	sel("nosuch*", "");
	sel("lo*", "st1 lone");                /* glob: group lone and host */
}

static void
test_regex(void **state)
{
	(void)state;
	sel("~web[0-9]", "web1.example.com web2.example.com web3");
	sel("~example", "");                   /* anchored at the start */
	sel("~.*example", "web1.example.com web2.example.com");
	sel("~(st|db)", "db1 web3 st1");
	sel("~web3$", "web3");
	sel("~^db", "db1 web3");
	sel_error("~web(", "play.yml:3:9: error: invalid regular expression in "
	    "host pattern '~web(': Unmatched ( or \\(\n");
	sel_error("web,~[", "play.yml:3:9: error: invalid regular expression in "
	    "host pattern '~[': Invalid regular expression\n");
}

static void
test_operators(void **state)
{
	(void)state;
	sel("web:db", "web1.example.com web2.example.com web3 db1");
	sel("db:web", "db1 web3 web1.example.com web2.example.com");
	sel("web,db", "web1.example.com web2.example.com web3 db1");
	sel(" db1 , st1 ,", "db1 st1");
	sel("web3 db1", "web3 db1");           /* blanks separate too */
	sel("prod:&db", "web3 db1");
	sel("web:&db", "web3");
	sel("prod:!db", "web1.example.com web2.example.com");
	sel("prod:!web3:!db1", "web1.example.com web2.example.com");
	/* unions, then intersections, then exclusions, whatever the order */
	sel("!db:prod", "web1.example.com web2.example.com");
	sel("&db:web:staging", "web3");
	sel("web:!web3:st1", "web1.example.com web2.example.com st1");
	sel("web:&prod:&db:!db1", "web3");
	/* only ! or &: against all */
	sel("!web", "lone st1 fe80::1 2001:db8::5 db1");
	sel("&db", "web3 db1");
	sel("!web:!ipv6:!lone", "lone db1");
	/* with a comma, colons do not split (Ansible) */
	sel("web:db,staging", "st1");
	sel("web3:22", "");                    /* host:port names no host */
}

static void
test_subscripts(void **state)
{
	(void)state;
	sel("web[0]", "web1.example.com");
	sel("web[-1]", "web3");
	sel("web[-3]", "web1.example.com");
	sel("web[1:]", "web2.example.com web3");
	sel("web[0:1]", "web1.example.com web2.example.com");
	sel("web[1:9]", "web2.example.com web3");
	sel("web[0-1]", "web1.example.com web2.example.com");
	sel("web[2:0]", "web3");               /* end 0: one host (Ansible) */
	sel("web[5:]", "");
	sel("prod[3]", "db1");
	sel("nosuch[0]", "");
	sel("w*[1]", "web2.example.com");
	sel("prod:!web[0]", "web2.example.com web3 db1");
	sel("prod:&web[1:2]", "web2.example.com web3");
	sel_error("web[3]", "play.yml:3:9: error: no hosts matched the "
	    "subscripted pattern 'web[3]' (only 3 hosts)\n");
	sel_error("web[-4]", "play.yml:3:9: error: no hosts matched the "
	    "subscripted pattern 'web[-4]' (only 3 hosts)\n");
}

static void
test_limit_file(void **state)
{
	char *pat;

	(void)state;
	put("limit", "db1\n\n  web1.example.com  \n!db1\nst1\n");
	pat = xasprintf("@%s/limit", tmpdir);
	sel(pat, "web1.example.com st1");
	free(pat);
	pat = xasprintf("@%s/limit:web3", tmpdir);
	sel(pat, "web1.example.com st1 web3");   /* file lines in place */
	free(pat);
	sel_error("@/nonexistent/limit", "play.yml:3:9: error: cannot open "
	    "host pattern file '/nonexistent/limit': No such file or "
	    "directory\n");
	sel_error("@/dev/zero", "play.yml:3:9: error: host pattern file "
	    "'/dev/zero' is not a regular file (a character device)\n");
}

static void
test_errors(void **state)
{
	struct inv_host **out;
	struct err e = ERR_INIT;
	size_t n;

	(void)state;
	sel_error("", "play.yml:3:9: error: empty host pattern\n");
	sel_error("  ,, ", "play.yml:3:9: error: empty host pattern\n");
	sel_error("web:!", "play.yml:3:9: error: empty host pattern in '!'\n");
	sel_error("&", "play.yml:3:9: error: empty host pattern in '&'\n");
	/* without a position */
	assert_int_equal(inventory_select(inv, "~(", NULL, &out, &n, &e), -1);
	assert_int_equal(strncmp(e.msg.buf, "error: invalid regular", 22), 0);
	err_release(&e);
	/* several errors are all reported */
	assert_int_equal(inventory_select(inv, "~(,~[", NULL, &out, &n, &e),
	    -1);
	assert_int_equal(e.count, 2);
	err_release(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_globs),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_subscripts),
		cmocka_unit_test(test_limit_file),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
