/*
 * testutil.h - helpers shared by the cmocka unit tests (header-only: each
 * test is one binary).  Include after <cmocka.h>.
 *
 * tu_read_fixture("rabbitmq/seed.conf", &len) reads a file under
 * $MEND_FIXTURES (default tests/unit/fixtures, so tests run from the
 * repository root) and returns it NUL-terminated (free() it; len may be
 * NULL); a missing
 * fixture fails the test.
 */
#ifndef MEND_TESTUTIL_H
#define MEND_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

static inline char *
tu_read_fixture(const char *rel, size_t *len)
{
	const char *dir = getenv("MEND_FIXTURES");
	char path[1024];
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/unit/fixtures",
	    rel);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open fixture %s (run from the repository root)",
		    path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

#endif
