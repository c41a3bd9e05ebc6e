/*
 * fileio.c - writing local files (fileio.h).
 */
#include <errno.h>
#include <unistd.h>
#include "runner/util/fileio.h"
#include "runner/util/banned.h"

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
