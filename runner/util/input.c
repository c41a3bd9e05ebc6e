/* input.c - reading user-named input files, regular and bounded; see
 * input.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/util/input.h"
#include "runner/util/banned.h"

int
input_max(size_t *out, struct err *e)
{
	const char *s = getenv("MEND_MAX_INPUT");
	unsigned long long v;
	char *end;
	int shift = 0;

	*out = INPUT_MAX_DEFAULT;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift != 0)
		end++;
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v == 0 ||
	    v > ((unsigned long long)SIZE_MAX >> 1) >> shift)
		return err_set(e, "MEND_MAX_INPUT '%s' is not a size (bytes, "
		    "or a number with K, M or G)", s);
	*out = (size_t)(v << shift);
	return 0;
}

static const char *
kind_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISDIR(m))
		return "a directory";
	return "not a file";
}

static void
say_limit(size_t max, struct strbuf *sb)
{
	if (max % (1u << 20) == 0)
		strbuf_addf(sb, "%zu MiB", max >> 20);
	else if (max % 1024 == 0)
		strbuf_addf(sb, "%zu KiB", max >> 10);
	else
		strbuf_addf(sb, "%zu bytes", max);
}

static int
too_large(const char *label, size_t max, struct err *e)
{
	struct strbuf lim = STRBUF_INIT;

	say_limit(max, &lim);
	err_set(e, "%s is larger than the input limit (%s; set "
	    "MEND_MAX_INPUT to raise it)", label, lim.buf);
	strbuf_release(&lim);
	return -1;
}

/* Read at most max + 1 bytes: one more than allowed says "too large"
 * even if the file grew after fstat. */
static int
read_capped(int fd, size_t max, struct strbuf *sb, size_t *got)
{
	char buf[65536];
	ssize_t n;

	*got = 0;
	while (*got <= max) {
		size_t want = max + 1 - *got;

		n = read(fd, buf, want < sizeof(buf) ? want : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		strbuf_add(sb, buf, (size_t)n);
		*got += (size_t)n;
	}
	return 0;
}

/* The checks and the read, on an open descriptor. */
static int
read_fd(int fd, const char *label, size_t max, struct strbuf *sb,
    struct err *e)
{
	struct stat st;
	size_t got;

	if (fstat(fd, &st) < 0)
		return err_set(e, "cannot read %s: %s", label, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, "%s is not a regular file (%s)", label,
		    kind_name(st.st_mode));
	if ((unsigned long long)st.st_size > max)
		return too_large(label, max, e);
	if (read_capped(fd, max, sb, &got) < 0)
		return err_set(e, "cannot read %s: %s", label, strerror(errno));
	if (got > max)
		return too_large(label, max, e);
	return 0;
}

int
input_read_file(const char *path, const char *what, struct strbuf *sb,
    struct err *e)
{
	size_t max, old = sb->len;
	char *label;
	int fd, ret = -1;

	if (input_max(&max, e) < 0)
		return -1;
	label = what != NULL ? xasprintf("%s '%s'", what, path) :
	    xasprintf("'%s'", path);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err_set(e, "cannot open %s: %s", label, strerror(errno));
	} else {
		ret = read_fd(fd, label, max, sb, e);
		close(fd);
	}
	if (ret < 0)
		strbuf_setlen(sb, old);
	free(label);
	return ret;
}
