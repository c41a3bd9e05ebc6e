/*
 * transport_impl.h - private to runner/transport/transport*.c (and the unit test).
 *
 * transport.c holds what both kinds of connection share (become wrapping,
 * the sudo password probe, exec_res, dispatch); transport_ssh.c the libssh
 * connection; transport_local.c the local one (fork/exec, plain sockets).
 */
#ifndef MEND_TRANSPORT_IMPL_H
#define MEND_TRANSPORT_IMPL_H

#include <stdint.h>

#include "runner/transport/transport.h"
#include "runner/util/clock.h"

#define OUT_CAP_DEFAULT (16u << 20)

struct ssh_conn;            /* transport_ssh.c */
struct sftpc;               /* sftpc.c */

struct conn {
	int local;
	char *desc;             /* "user@host:port" or "local" */
	char *user;             /* login user on the host */
	/* sudo password probe, cached for one become user */
	char *probe_user;       /* NULL = not probed */
	int probe_nopass;       /* sudo -n works for probe_user */
	struct ssh_conn *ssh;   /* NULL for local */
	/* SFTP sessions (conn_sftp): [0] as the login user, [1] as
	 * sftp_user through sudo; sftp_off[i] = not available there */
	struct sftpc *sftp[2];
	char *sftp_user;
	int sftp_off[2];
};

struct tstream {
	int fd;                 /* local: the socket; -1 for ssh */
	void *ch;               /* ssh: the direct-tcpip ssh_channel */
	struct conn *c;
	int timeout_ms;         /* for writes */
};

/* The monotonic clock is runner/util/clock.h. */
/* Milliseconds left until deadline (0 = none: returns -1, "infinite"),
 * clamped to >= 0. */
int tr_left_ms(int64_t deadline);

/*
 * Become wrapping.  mode: BECOME_NONE runs cmd as is, BECOME_NOPASS wraps in
 * `sudo -n -u USER -- /bin/sh -c 'CMD'`, BECOME_PASS in
 * `sudo -k -S -p '' -u USER -- /bin/sh -c 'CMD'` (the password goes first on
 * stdin; see transport.c for why -k).
 */
enum become_mode { BECOME_NONE, BECOME_NOPASS, BECOME_PASS };
void tr_wrap_become(struct strbuf *sb, const char *cmd, const char *user,
    enum become_mode mode);
/* For remote commands with a timeout (seconds, > 0): run cmd under
 * timeout(1) set to timeout + 1 s, if the host has it (see transport.c).
 * timeout <= 0 copies cmd as is. */
void tr_wrap_timeout(struct strbuf *sb, const char *cmd, int timeout);
/* Signal name from an SSH exit-signal ("KILL") to its number, 0 if unknown. */
int tr_signum(const char *name);

/* Plain TCP connect with a timeout; returns the fd (non-blocking, close on
 * exec, TCP_NODELAY, keepalive) or TERR_UNREACHABLE with e set ("cannot
 * connect to 'h:p': connection refused"). */
int tr_tcp_connect(const char *host, int port, int timeout_ms, struct err *e);
/* tstream over a plain socket (s->fd). */
ssize_t tr_fd_read(struct tstream *s, void *buf, size_t len, int timeout_ms);
ssize_t tr_fd_write(struct tstream *s, const void *buf, size_t len);
void tr_fd_close(struct tstream *s);

/* Back ends.  exec: cmd is final (already wrapped); r's caps are set. */
int tr_ssh_open(struct conn *c, const struct conn_params *p, struct err *e);
void tr_ssh_close(struct conn *c);
int tr_ssh_exec(struct conn *c, const char *cmd, const void *in, size_t inlen,
    int timeout, struct exec_res *r, struct err *e);
int tr_ssh_tcp_open(struct conn *c, const char *host, int port, int timeout,
    struct tstream *s, struct err *e);
/* A session channel running `subsystem` (or, when NULL, `cmd`) as a
 * stream; s->timeout_ms bounds the start. */
int tr_ssh_session_open(struct conn *c, const char *subsystem,
    const char *cmd, struct tstream *s, struct err *e);
ssize_t tr_ssh_read(struct tstream *s, void *buf, size_t len, int timeout_ms);
ssize_t tr_ssh_write(struct tstream *s, const void *buf, size_t len);
void tr_ssh_stream_close(struct tstream *s);

/* Why an established session broke, from libssh's error text: its
 * "Socket error: <strerror(errno)>" after the peer closed the socket
 * carries whatever errno was left ("No such file or directory"), so
 * anything but a real network error reads "connection closed by the
 * host". */
const char *tr_ssh_lost_why(const char *libssh_error);

int tr_local_open(struct conn *c, struct err *e);
int tr_local_exec(struct conn *c, const char *cmd, const void *in,
    size_t inlen, int timeout, struct exec_res *r, struct err *e);

#endif
