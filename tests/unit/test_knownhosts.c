/* test_knownhosts.c - the known_hosts markers libssh ignores (@revoked,
 * @cert-authority) and OpenSSH's host lists (patterns, negation, hashed
 * names). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "runner/transport/knownhosts.h"

#define KEY "AAAAC3NzaC1lZDI1NTE5AAAAIOfakekeyfakekeyfakekeyfakekeyfakekey1"
#define OTHER "AAAAC3NzaC1lZDI1NTE5AAAAIOotherotherotherotherotherotherother1"

static void
test_hosts_match(void **state)
{
	(void)state;
	assert_true(kh_hosts_match("h1", "h1"));
	assert_true(kh_hosts_match("a,h1,b", "h1"));
	assert_false(kh_hosts_match("h10", "h1"));
	assert_true(kh_hosts_match("[127.0.0.1]:2460", "[127.0.0.1]:2460"));
	assert_false(kh_hosts_match("[127.0.0.1]:2461", "[127.0.0.1]:2460"));
	assert_true(kh_hosts_match("*", "[127.0.0.1]:2460"));
	assert_true(kh_hosts_match("*.example.com", "DB.example.com"));
	assert_true(kh_hosts_match("h?", "h1"));
	assert_false(kh_hosts_match("h?", "h12"));
	assert_false(kh_hosts_match("*.example.com,!db.example.com",
	    "db.example.com"));
	assert_true(kh_hosts_match("*.example.com,!db.example.com",
	    "web.example.com"));
	/* ssh-keygen -H of "[127.0.0.1]:2460" */
	assert_true(kh_hosts_match("|1|ODyqqB3l0r5S38BzpiK/svI782M=|"
	    "bmat6CKqCew9j0rMjT1k0E7iCO0=", "[127.0.0.1]:2460"));
	assert_false(kh_hosts_match("|1|ODyqqB3l0r5S38BzpiK/svI782M=|"
	    "bmat6CKqCew9j0rMjT1k0E7iCO0=", "[127.0.0.1]:2461"));
	assert_false(kh_hosts_match("|1|garbage", "h1"));
}

static void
scan(const char *text, const char *name, struct kh_markers *mk)
{
	kh_scan_markers(text, strlen(text), name, "ssh-ed25519", KEY, mk);
}

static void
test_markers(void **state)
{
	struct kh_markers mk;

	(void)state;
	scan("# c\n[127.0.0.1]:2460 ssh-ed25519 " KEY "\n"
	    "@revoked [127.0.0.1]:2460 ssh-ed25519 " KEY "\n", "[127.0.0.1]:2460",
	    &mk);
	assert_int_equal(mk.revoked_line, 3);
	assert_int_equal(mk.ca_line, 0);
	scan("@revoked * ssh-ed25519 " KEY " comment\n", "h1", &mk);
	assert_int_equal(mk.revoked_line, 1);
	scan("@revoked\t*  ssh-ed25519 " KEY "\r\n", "h1", &mk);
	assert_int_equal(mk.revoked_line, 1);
	/* another key revoked, another host's key revoked: not this one */
	scan("@revoked * ssh-ed25519 " OTHER "\n@revoked h2 ssh-ed25519 " KEY
	    "\n", "h1", &mk);
	assert_int_equal(mk.revoked_line, 0);
	/* a plain line with the same key is no revocation */
	scan("h1 ssh-ed25519 " KEY "\n", "h1", &mk);
	assert_int_equal(mk.revoked_line, 0);
	scan("h0 a b\n\n  @cert-authority *.lab,h1 ssh-ed25519 " OTHER "\r\n",
	    "h1", &mk);
	assert_int_equal(mk.ca_line, 3);
	assert_int_equal(mk.revoked_line, 0);
	scan("@cert-authority *.lab ssh-ed25519 " OTHER "\n", "h1", &mk);
	assert_int_equal(mk.ca_line, 0);
	scan("@revoked h1\n@revoked\n@\n", "h1", &mk);   /* short lines */
	assert_int_equal(mk.revoked_line, 0);
	scan("", "h1", &mk);
	assert_int_equal(mk.revoked_line + mk.ca_line, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts_match),
		cmocka_unit_test(test_markers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
