/*
 * fuzz_sftpc.c - libFuzzer harness for the SFTP client's reply decoder
 * (runner/transport/sftpc.c): version reply and extensions, STATUS,
 * HANDLE, DATA (pipelined reads), NAME, ATTRS (with extended pairs),
 * EXTENDED_REPLY (users-groups-by-id), and the packet framing.
 *
 *   make fuzz   (builds every harness with the whole engine; the corpus is
 *                seeded by tests/fuzz/seed with a well-formed session)
 *
 * The client talks over a socketpair to a server thread in this file.  The
 * input is that server's replies, one per request, each
 *     byte  type   (0xff: send the body as raw bytes, no framing)
 *     byte  len    (body length, at most 255)
 *     len   body   (the reply after its type and id)
 * The thread frames each reply with the id of the request it answers (so
 * the fuzzer need not guess ids), and closes the stream when the input is
 * used up.  The client runs one session of every operation mend uses.
 *
 * Besides memory errors it checks the contracts of sftpc.h: an operation
 * returns 0, a status > 0, or < 0 with the error set; once one returned
 * < 0 the session is dead and every later operation returns that same
 * code; a realpath/names result is a string; read_all never returns more
 * than cap + one request's bytes.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runner/transport/sftpc.h"
#include "runner/transport/transport_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* mend ignores SIGPIPE (runner/cli/main.c): a write to a closed stream is
 * an error, not the end of the process */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "contract broken: %s\n", what);
		abort();
	}
}

struct server {
	int fd;
	const uint8_t *data;
	size_t size;
};

static int
read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Skip one request; its type and id (0 for INIT, which has a version). */
static int
next_request(int fd, int *type, uint32_t *id)
{
	unsigned char h[9], skip[4096];
	uint32_t len, left;

	if (read_full(fd, h, 9) < 0)
		return -1;
	len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | h[2] << 8 | h[3];
	*type = h[4];
	*id = (uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 | h[7] << 8 | h[8];
	for (left = len > 5 ? len - 5 : 0; left > 0;) {
		size_t n = left < sizeof(skip) ? left : sizeof(skip);

		if (read_full(fd, skip, n) < 0)
			return -1;
		left -= (uint32_t)n;
	}
	return 0;
}

static void
put_u32(unsigned char *b, uint32_t v)
{
	b[0] = v >> 24, b[1] = v >> 16, b[2] = v >> 8, b[3] = v;
}

static void *
serve(void *arg)
{
	struct server *sv = arg;
	size_t off = 0;

	while (off + 2 <= sv->size) {
		unsigned char kind = sv->data[off], len = sv->data[off + 1];
		unsigned char h[9];
		size_t blen = len <= sv->size - off - 2 ? len : sv->size - off - 2;
		const uint8_t *body = sv->data + off + 2;
		int type, hl;
		uint32_t id;

		off += 2 + blen;
		if (next_request(sv->fd, &type, &id) < 0)
			break;
		if (kind != 0xff) {
			h[4] = kind;
			put_u32(h + 5, id);
			hl = type == 1 ? 5 : 9;     /* INIT: the id is the version */
			put_u32(h, (uint32_t)(hl - 4 + blen));
			if (write(sv->fd, h, (size_t)hl) != hl)
				break;
		}
		if (blen > 0 && write(sv->fd, body, blen) != (ssize_t)blen)
			break;
	}
	shutdown(sv->fd, SHUT_WR);
	return NULL;
}

/* Check one result against the session's state so far. */
static void
result(int rc, int *dead, struct err *e)
{
	if (*dead)
		check(rc == *dead, "a dead session answered differently");
	else if (rc < 0)
		*dead = rc;
	check(rc >= 0 || e->count > 0, "a failure without a message");
	err_release(e);
	*e = (struct err)ERR_INIT;
}

static void
session(struct sftpc *sf)
{
	struct sf_attr a = { SF_A_PERM | SF_A_SIZE, 10, 0, 0, 0100644, 0, 0 };
	struct strbuf h = STRBUF_INIT, out = STRBUF_INIT;
	char *path = NULL, *user = NULL, *group = NULL;
	int dead = 0, rc;
	struct err e = ERR_INIT;

	result(sf_stat(sf, "/etc/x", 1, &a, &e), &dead, &e);
	rc = sf_realpath(sf, "/etc/../etc/x", &path, &e);
	result(rc, &dead, &e);
	check(rc != 0 || path != NULL, "realpath: no path");
	rc = sf_names(sf, 0, 0, &user, &group, &e);
	result(rc, &dead, &e);
	check(rc != 0 || (user != NULL && group != NULL), "names: no name");
	result(sf_open(sf, "/etc/x", SF_READ, NULL, &h, &e), &dead, &e);
	result(sf_read_all(sf, &h, 0, 100, &out, &e), &dead, &e);
	check(out.len <= 100 + (64u << 10), "read_all: past its cap");
	result(sf_fstat(sf, &h, &a, &e), &dead, &e);
	result(sf_close(sf, &h, &e), &dead, &e);
	result(sf_open(sf, "/etc/.x.tmp", SF_WRITE | SF_CREAT | SF_EXCL, &a, &h,
	    &e), &dead, &e);
	result(sf_write_all(sf, &h, "0123456789", 10, &e), &dead, &e);
	result(sf_fsetstat(sf, &h, &a, &e), &dead, &e);
	result(sf_fsync(sf, &h, &e), &dead, &e);
	result(sf_close(sf, &h, &e), &dead, &e);
	result(sf_rename(sf, "/etc/.x.tmp", "/etc/x", &e), &dead, &e);
	result(sf_remove(sf, "/etc/x", &e), &dead, &e);
	result(sf_mkdir(sf, "/etc/d", 0700, &e), &dead, &e);
	result(sf_rmdir(sf, "/etc/d", &e), &dead, &e);
	(void)sf_message(sf);
	free(path);
	free(user);
	free(group);
	strbuf_release(&h);
	strbuf_release(&out);
	err_release(&e);
}

/* How long the client waits for a reply.  An input that leaves the client
 * waiting for a reply while the server waits for a request (a reply
 * skipped, a short frame) ends only by this timeout: at 200 ms such inputs
 * (2% of them) took 85% of the wall time (20,000 runs: 103 s wall, 16 s
 * CPU).  A reply late under load times out as well: the contracts checked
 * (a failure has a message, a dead session stays dead) hold either way. */
#define REPLY_TIMEOUT_MS 20

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server sv = { -1, data, size };
	struct tstream *s = calloc(1, sizeof(*s));
	struct sftpc *sf = NULL;
	struct err e = ERR_INIT;
	pthread_t th;
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
		abort();
	fcntl(fds[0], F_SETFL, O_NONBLOCK);    /* as tstream_tcp_connect's */
	s->fd = fds[0];
	s->timeout_ms = REPLY_TIMEOUT_MS;
	sv.fd = fds[1];
	pthread_create(&th, NULL, serve, &sv);
	if (sf_start(s, REPLY_TIMEOUT_MS, &sf, &e) == 0) {
		check(sf != NULL, "start: no session");
		session(sf);
		sf_end(sf);
	} else {
		check(e.count > 0, "start: a failure without a message");
		check(sf == NULL, "start: a session on failure");
	}
	/* the client closed its end: a server blocked on a request sees EOF */
	pthread_join(th, NULL);
	close(fds[1]);
	err_release(&e);
	return 0;
}
