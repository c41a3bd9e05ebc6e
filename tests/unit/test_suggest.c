/* test_suggest.c - "did you mean" only for genuine near-misses
 * (runner/util/suggest.c) and Ansible's own module names
 * (runner/util/ansible_names.c), from the misleading suggestions seen on
 * real playbooks: file -> fail, find -> ping, npm -> name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "runner/util/ansible_names.h"
#include "runner/util/suggest.h"
#include "runner/util/banned.h"

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("lien", "line"), 1);   /* a swap */
	assert_int_equal(edit_distance("lineinfil", "lineinfile"), 1);
	assert_int_equal(edit_distance("file", "fail"), 2);
	assert_int_equal(edit_distance("", "abc"), 3);
	assert_int_equal(edit_distance("abc", "abc"), 0);
	assert_int_equal(edit_distance("ab", "ba"), 1);
}

/* edit_distance_max is min(edit_distance, max + 1): at, below and above its
 * bound, and on every pair of short strings over a small alphabet (where
 * swaps, near-diagonal paths and the early exit all occur). */
static void
test_distance_max(void **state)
{
	static const char *const w[] = { "", "a", "ab", "ba", "abc", "acb",
	    "bca", "aabb", "abab", "baba", "abcab", "bacba", "ccabb", "abcabc",
	    "cbacba", "aaaaaaa", NULL };
	size_t i, j, max;

	(void)state;
	assert_int_equal(edit_distance_max("lien", "line", 1), 1);
	assert_int_equal(edit_distance_max("lien", "line", 0), 1);
	assert_int_equal(edit_distance_max("file", "fail", 1), 2);
	assert_int_equal(edit_distance_max("file", "fail", 2), 2);
	assert_int_equal(edit_distance_max("file", "fail", 3), 2);
	assert_int_equal(edit_distance_max("CERTPAT", "CERTPATH", 1), 1);
	assert_int_equal(edit_distance_max("CERTPTAH", "CERTPATH", 1), 1);
	assert_int_equal(edit_distance_max("CERTPTHA", "CERTPATH", 1), 2);
	assert_int_equal(edit_distance_max("XCERTPATH", "CERTPATHX", 1), 2);
	assert_int_equal(edit_distance_max("XCERTPATH", "CERTPATHX", 2), 2);
	assert_int_equal(edit_distance_max("", "abc", 2), 3);
	assert_int_equal(edit_distance_max("", "abc", 3), 3);
	assert_int_equal(edit_distance_max("abc", "abc", 0), 0);
	assert_int_equal(edit_distance_max("abcdefgh", "hgfedcba", 99), 7);
	for (i = 0; w[i] != NULL; i++)
		for (j = 0; w[j] != NULL; j++)
			for (max = 0; max <= 8; max++) {
				size_t d = edit_distance(w[i], w[j]);

				assert_int_equal(edit_distance_max(w[i], w[j],
				    max), d <= max ? d : max + 1);
			}
}

static void
test_suggest(void **state)
{
	static const char *const mods[] = { "fail", "ping", "copy", "lineinfile",
	    "name", "tags", "line", NULL };

	(void)state;
	assert_null(suggest("file", mods));       /* 2 edits, 4 letters */
	assert_null(suggest("find", mods));
	assert_null(suggest("npm", mods));
	assert_string_equal(suggest("lien", mods), "line");
	assert_string_equal(suggest("copyy", mods), "copy");
	assert_string_equal(suggest("lineinfil", mods), "lineinfile");
	assert_string_equal(suggest("lienifile", mods), "lineinfile");
}

static void
test_ansible_names(void **state)
{
	const char *full = NULL;

	(void)state;
	assert_int_equal(ansible_module_lookup("template", &full), 1);
	assert_string_equal(full, "template");
	assert_int_equal(ansible_module_lookup("ansible.builtin.file", &full),
	    1);
	assert_string_equal(full, "file");
	assert_int_equal(ansible_module_lookup("ansible.legacy.apt", &full), 1);
	assert_int_equal(ansible_module_lookup(
	    "ansible.builtin.deb822_repository", &full), 1);
	assert_string_equal(full, "deb822_repository");
	assert_int_equal(ansible_module_lookup("ufw", &full), 2);
	assert_string_equal(full, "community.general.ufw");
	assert_int_equal(ansible_module_lookup("sysctl", &full), 2);
	assert_string_equal(full, "ansible.posix.sysctl");
	assert_int_equal(ansible_module_lookup("my_ns.my_coll.thing", &full),
	    2);
	assert_int_equal(ansible_module_lookup("lineinfil", &full), 0);
	assert_int_equal(ansible_module_lookup("a.b", &full), 0);
	assert_int_equal(ansible_module_lookup("a.b.c.d", &full), 0);
	assert_int_equal(ansible_module_lookup("A.b.c", &full), 0);
	assert_int_equal(ansible_module_lookup("", &full), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_distance_max),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_ansible_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
