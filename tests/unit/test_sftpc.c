/* test_sftpc.c - the SFTP client: attribute encoding (round trip, every
 * truncation refused), and every operation against the real OpenSSH
 * sftp-server of this machine over a socketpair: create/EXCL, pipelined
 * multi-chunk writes and reads, fsync, fsetstat, posix-rename over an
 * existing file, stat vs lstat, realpath, names, mkdir/rmdir/remove,
 * status codes; a server without the needed extensions and one that sends
 * garbage or dies are refused, and a dead session stays dead. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/transport/sftpc.h"
#include "runner/transport/transport_impl.h"

#define SFTP_SERVER "/usr/lib/openssh/sftp-server"

struct srv {
	pid_t pid;
	struct sftpc *sf;
	char dir[64];
};

static struct tstream *
stream_on(int fd)
{
	struct tstream *s = xcalloc(1, sizeof(*s));

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	s->fd = fd;
	s->timeout_ms = 5000;
	return s;
}

static int
setup(void **state)
{
	struct srv *v = xcalloc(1, sizeof(*v));
	struct err e = ERR_INIT;
	int sp[2];

	if (access(SFTP_SERVER, X_OK) != 0) {
		fprintf(stderr, "no %s (openssh-sftp-server)\n", SFTP_SERVER);
		return -1;
	}
	strcpy(v->dir, "/tmp/mend-test-sftp.XXXXXX");
	assert_non_null(mkdtemp(v->dir));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	v->pid = fork();
	assert_true(v->pid >= 0);
	if (v->pid == 0) {
		dup2(sp[1], 0);
		dup2(sp[1], 1);
		close(sp[0]);
		close(sp[1]);
		execl(SFTP_SERVER, "sftp-server", (char *)NULL);
		_exit(127);
	}
	close(sp[1]);
	if (sf_start(stream_on(sp[0]), 5000, &v->sf, &e) != 0) {
		fprintf(stderr, "sf_start: %s\n", e.msg.buf);
		return -1;
	}
	*state = v;
	return 0;
}

static int
teardown(void **state)
{
	struct srv *v = *state;
	char *cmd = xasprintf("rm -rf '%s'", v->dir);
	int st;

	sf_end(v->sf);                 /* EOF: the server exits */
	if (v->pid > 0)
		waitpid(v->pid, &st, 0);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", v->dir);
	free(cmd);
	free(v);
	return 0;
}

static char *
path_in(struct srv *v, const char *name)
{
	return xasprintf("%s/%s", v->dir, name);
}

static void
test_attr_roundtrip(void **state)
{
	struct sf_attr a = { SF_A_SIZE | SF_A_UIDGID | SF_A_PERM | SF_A_TIME,
	    0x123456789aULL, 1000, 100, 0100640, 11, 22 }, b;
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p;
	size_t left, n;

	(void)state;
	sf_put_attr(&sb, &a);
	assert_int_equal(sb.len, 4 + 8 + 8 + 4 + 8);
	p = (const unsigned char *)sb.buf;
	left = sb.len;
	assert_int_equal(sf_get_attr(&p, &left, &b), 0);
	assert_int_equal(left, 0);
	assert_int_equal(b.flags, a.flags);
	assert_true(b.size == a.size);
	assert_int_equal(b.uid, a.uid);
	assert_int_equal(b.gid, a.gid);
	assert_int_equal(b.perm, a.perm);
	assert_int_equal(b.atime, a.atime);
	assert_int_equal(b.mtime, a.mtime);
	for (n = 0; n < sb.len; n++) {        /* every truncation refused */
		p = (const unsigned char *)sb.buf;
		left = n;
		assert_int_equal(sf_get_attr(&p, &left, &b), -1);
	}
	/* only the flagged fields are sent */
	strbuf_reset(&sb);
	a.flags = SF_A_PERM;
	sf_put_attr(&sb, &a);
	assert_int_equal(sb.len, 8);
	strbuf_reset(&sb);
	sf_put_attr(&sb, NULL);
	assert_int_equal(sb.len, 4);
	strbuf_release(&sb);
}

static void
test_write_read_rename(void **state)
{
	struct srv *v = *state;
	struct strbuf h = STRBUF_INIT, back = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct sf_attr a = { SF_A_PERM, 0, 0, 0, 0600, 0, 0 }, st;
	char *tmp = path_in(v, ".t"), *dst = path_in(v, "dst"), *rp = NULL;
	size_t len = 300000, i;      /* 5 chunks: the window and the tail */
	unsigned char *data = xmalloc(len);
	struct stat sb;
	FILE *f;

	for (i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	f = fopen(dst, "w");
	fputs("old\n", f);
	fclose(f);
	assert_int_equal(sf_open(v->sf, tmp, SF_WRITE | SF_CREAT | SF_EXCL, &a,
	    &h, &e), 0);
	assert_int_equal(sf_write_all(v->sf, &h, data, len, &e), 0);
	assert_int_equal(sf_fsync(v->sf, &h, &e), 0);
	assert_int_equal(sf_fstat(v->sf, &h, &st, &e), 0);
	assert_int_equal(st.size, len);
	assert_int_equal(st.perm & 07777, 0600);
	a.perm = 0640;
	assert_int_equal(sf_fsetstat(v->sf, &h, &a, &e), 0);
	assert_int_equal(sf_close(v->sf, &h, &e), 0);
	/* O_EXCL: a second create fails with a status, the session lives */
	assert_true(sf_open(v->sf, tmp, SF_WRITE | SF_CREAT | SF_EXCL, &a, &h,
	    &e) > 0);
	/* atomic replace of an existing file */
	assert_int_equal(sf_rename(v->sf, tmp, dst, &e), 0);
	assert_int_equal(stat(dst, &sb), 0);
	assert_int_equal(sb.st_size, len);
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_int_equal(access(tmp, F_OK), -1);
	/* read it back, whole and capped */
	assert_int_equal(sf_open(v->sf, dst, SF_READ, NULL, &h, &e), 0);
	assert_int_equal(sf_read_all(v->sf, &h, 0, 0, &back, &e), 0);
	assert_int_equal(back.len, len);
	assert_memory_equal(back.buf, data, len);
	assert_int_equal(back.truncated, 0);
	assert_int_equal(sf_close(v->sf, &h, &e), 0);
	strbuf_reset(&back);
	assert_int_equal(sf_open(v->sf, dst, SF_READ, NULL, &h, &e), 0);
	assert_int_equal(sf_read_all(v->sf, &h, len, 1000, &back, &e), 0);
	assert_int_equal(back.truncated, 1);
	assert_int_equal(sf_close(v->sf, &h, &e), 0);
	/* the session still answers in step after the drained reads */
	assert_int_equal(sf_realpath(v->sf, dst, &rp, &e), 0);
	assert_string_equal(rp, dst);
	free(rp);
	strbuf_release(&back);
	strbuf_release(&h);
	free(data);
	free(tmp);
	free(dst);
}

static void
test_small_and_empty_files(void **state)
{
	struct srv *v = *state;
	struct strbuf h = STRBUF_INIT, back = STRBUF_INIT;
	struct err e = ERR_INIT;
	char *p = path_in(v, "small");
	size_t sizes[] = { 0, 1, 65535, 65536, 65537 }, i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		char *d = xmalloc(sizes[i] + 1);

		for (k = 0; k < sizes[i]; k++)
			d[k] = (char)('a' + k % 26);
		assert_int_equal(sf_open(v->sf, p, SF_WRITE | SF_CREAT |
		    SF_TRUNC, NULL, &h, &e), 0);
		assert_int_equal(sf_write_all(v->sf, &h, d, sizes[i], &e), 0);
		assert_int_equal(sf_close(v->sf, &h, &e), 0);
		strbuf_reset(&back);
		assert_int_equal(sf_open(v->sf, p, SF_READ, NULL, &h, &e), 0);
		/* the right hint, none, and a wrong one: same bytes */
		assert_int_equal(sf_read_all(v->sf, &h, sizes[i] * (i % 3),
		    0, &back, &e), 0);
		assert_int_equal(sf_close(v->sf, &h, &e), 0);
		assert_int_equal(back.len, sizes[i]);
		assert_memory_equal(back.buf, d, sizes[i]);
		free(d);
	}
	strbuf_release(&back);
	strbuf_release(&h);
	free(p);
}

static void
test_stat_realpath_names(void **state)
{
	struct srv *v = *state;
	struct err e = ERR_INIT;
	struct sf_attr a;
	char *f = path_in(v, "f"), *l = path_in(v, "l"), *d = path_in(v, "d");
	char *miss = path_in(v, "d/missing"), *rp = NULL, *u = NULL, *g = NULL;
	FILE *fp = fopen(f, "w");
	struct passwd *pw = getpwuid(getuid());
	struct group *gr = getgrgid(getgid());

	fputs("x", fp);
	fclose(fp);
	assert_int_equal(symlink("f", l), 0);
	assert_int_equal(sf_stat(v->sf, l, 0, &a, &e), 0);
	assert_true(S_ISLNK(a.perm));
	assert_int_equal(sf_stat(v->sf, l, 1, &a, &e), 0);
	assert_true(S_ISREG(a.perm));
	assert_int_equal(a.size, 1);
	assert_int_equal(a.uid, getuid());
	assert_int_equal(sf_realpath(v->sf, l, &rp, &e), 0);
	assert_string_equal(rp, f);                  /* link resolved */
	free(rp);
	assert_int_equal(sf_stat(v->sf, miss, 1, &a, &e), SF_NO_SUCH_FILE);
	assert_string_equal(sf_strstatus(SF_NO_SUCH_FILE),
	    "no such file or directory");
	assert_int_equal(sf_mkdir(v->sf, d, 0700, &e), 0);
	assert_true(sf_mkdir(v->sf, d, 0700, &e) > 0);      /* exists */
	assert_int_equal(sf_stat(v->sf, d, 1, &a, &e), 0);
	assert_true(S_ISDIR(a.perm));
	/* a missing last component is allowed (OpenSSH) */
	assert_int_equal(sf_realpath(v->sf, miss, &rp, &e), 0);
	assert_string_equal(rp, miss);
	free(rp);
	assert_int_equal(sf_rmdir(v->sf, d, &e), 0);
	assert_int_equal(sf_remove(v->sf, l, &e), 0);
	assert_int_equal(sf_remove(v->sf, l, &e), SF_NO_SUCH_FILE);
	assert_int_equal(access(f, F_OK), 0);         /* not the target */
	assert_int_equal(sf_names(v->sf, getuid(), getgid(), &u, &g, &e), 0);
	assert_string_equal(u, pw->pw_name);
	assert_string_equal(g, gr->gr_name);
	free(u);
	free(g);
	/* an id without a name comes back as the number (and is cached) */
	assert_int_equal(sf_names(v->sf, 4000123, 4000124, &u, &g, &e), 0);
	assert_string_equal(u, "4000123");
	assert_string_equal(g, "4000124");
	free(u);
	free(g);
	free(f);
	free(l);
	free(d);
	free(miss);
}

static void
test_dead_server(void **state)
{
	struct srv *v = *state;
	struct err e = ERR_INIT;
	struct sf_attr a;
	int st;

	kill(v->pid, SIGKILL);
	waitpid(v->pid, &st, 0);
	v->pid = -1;
	assert_true(sf_stat(v->sf, "/", 1, &a, &e) < 0);
	assert_true(strstr(e.msg.buf, "closed the session") != NULL ||
	    strstr(e.msg.buf, "cannot send") != NULL);
	err_release(&e);
	assert_true(sf_stat(v->sf, "/", 1, &a, &e) < 0);      /* stays dead */
	err_release(&e);
}

/* Canned server replies written before sf_start() reads them. */
static int
start_with_reply(const void *reply, size_t len, struct err *e)
{
	struct sftpc *sf = NULL;
	int sp[2], rc;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(write(sp[1], reply, len), (ssize_t)len);
	rc = sf_start(stream_on(sp[0]), 2000, &sf, e);
	assert_null(sf);
	close(sp[1]);
	return rc;
}

static void
test_refused_servers(void **state)
{
	/* VERSION 3 with no extensions: an old server */
	static const unsigned char old[] = { 0, 0, 0, 5, 2, 0, 0, 0, 3 };
	static const unsigned char v6[] = { 0, 0, 0, 5, 2, 0, 0, 0, 6 };
	static const unsigned char huge[] = { 0x7f, 0, 0, 0, 2 };
	struct err e = ERR_INIT;

	(void)state;
	assert_int_equal(start_with_reply(old, sizeof(old), &e), TERR_INTERNAL);
	assert_non_null(strstr(e.msg.buf, "posix-rename@openssh.com"));
	err_release(&e);
	assert_int_equal(start_with_reply(v6, sizeof(v6), &e), TERR_INTERNAL);
	assert_non_null(strstr(e.msg.buf, "version 3"));
	err_release(&e);
	assert_int_equal(start_with_reply(huge, sizeof(huge), &e),
	    TERR_INTERNAL);
	assert_non_null(strstr(e.msg.buf, "bad reply length"));
	err_release(&e);
	/* nothing at all: the peer closes */
	assert_true(start_with_reply("", 0, &e) < 0);
	err_release(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attr_roundtrip),
		cmocka_unit_test_setup_teardown(test_write_read_rename, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_small_and_empty_files,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stat_realpath_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dead_server, setup,
		    teardown),
		cmocka_unit_test(test_refused_servers),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
