/* test_remotefile.c - the pure parts of runner/core/remotefile.c: mode syntax
 * and checksums.  The remote commands themselves are exercised against
 * real hosts (ansible_connection=local and the sshd lab). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "runner/core/remotefile.h"

static void
test_mode_valid(void **state)
{
	static const char *const good[] = {
		"0644", "644", "0", "7777", "04755", "u=rw,g=r,o=", "a+X",
		"go-w", "u+s", "o=", "=r", "+", "u=g", "ug+rw-x", "a=rwx,o-w",
	};
	static const char *const bad[] = {
		"", "8", "0888", "77777", "017777", "u", "u=q", "u+rw,",
		"rw", "a+r;rm", "0644 ", " 0644", "-0644", "u=rw,,g=r",
		"x=r",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!rf_mode_valid(good[i]))
			fail_msg("'%s' should be a valid mode", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rf_mode_valid(bad[i]))
			fail_msg("'%s' should be an invalid mode", bad[i]);
}

static void
test_sha1(void **state)
{
	char hex[41];

	(void)state;
	rf_sha1_hex("", 0, hex);
	assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	rf_sha1_hex("abc", 3, hex);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	rf_sha1_hex("a\0b", 3, hex);
	assert_int_equal(strlen(hex), 40);
	assert_string_not_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_valid),
		cmocka_unit_test(test_sha1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
