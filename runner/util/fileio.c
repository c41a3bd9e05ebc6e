/*
 * fileio.c - writing local files (fileio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* The mode a new file would get, or the existing file's. */
static mode_t
mode_for(const char *path, unsigned create_mode)
{
	struct stat st;
	unsigned um = 022;
	char line[128];
	FILE *f;

	if (stat(path, &st) == 0)
		return st.st_mode & 07777;
	/* umask(2) would change it for every thread: read it instead */
	if ((f = fopen("/proc/self/status", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "Umask: %o", &um) == 1)
				break;
		fclose(f);
	}
	return (mode_t)(create_mode & 0777) & ~(mode_t)um;
}

static void
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int
replace_file_atomic(const char *path, const void *buf, size_t len,
    unsigned create_mode)
{
	size_t n = strlen(path) + 8;
	char *tmp = malloc(n);
	int fd, err;

	if (tmp == NULL)
		return -1;
	snprintf(tmp, n, "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		free(tmp);
		return -1;
	}
	if (write_all(fd, buf, len) < 0 || fchmod(fd, mode_for(path, create_mode)) < 0 ||
	    fsync(fd) < 0) {
		err = errno;
		close(fd);
	} else {
		err = close(fd) < 0 ? errno : 0;
	}
	if (err == 0 && rename(tmp, path) < 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		free(tmp);
		errno = err;
		return -1;
	}
	free(tmp);
	sync_dir(path);
	return 0;
}
