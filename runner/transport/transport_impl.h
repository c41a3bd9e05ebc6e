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
struct psh;                 /* transport_psh.c */

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
	/* the persistent shell (tr_psh_exec): NULL until the first command;
	 * psh_off = none (turned off, or it could not start) */
	struct psh *psh;
	int psh_off;
	int verbose;            /* conn_params.verbose */
	int counted;            /* in conn_peak_open()'s count */
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

/* The SSH connection is still up: 0, or TERR_UNREACHABLE with e set
 * ("connection to 'X' lost: ..."). */
int tr_ssh_check(struct conn *c, struct err *e);

/*
 * The persistent shell (transport_psh.c; wire format and loop in
 * pshframe.h), over any tstream whose far end runs PSH_BOOT.
 * psh_start(): sends the loop script and waits up to timeout_ms for the
 * ready frame: 0 with *out (which owns s from then on), TERR_UNREACHABLE
 * (the SSH connection broke), or -1 (no shell: e says why; s is still
 * the caller's).
 * psh_run(): cmd is final (wrapped), as tr_ssh_exec(): 0 with r->rc (255
 * when the shell ended before replying), TERR_TIMEOUT, TERR_UNREACHABLE
 * or TERR_INTERNAL (e set).  Afterwards psh_ok() says whether the shell
 * is still in step; when it is not, psh_end() it (a later psh_run()
 * would only fail).  psh_end() closes the stream: the loop then ends
 * and removes its directory.
 */
int psh_start(struct tstream *s, int timeout_ms, struct psh **out,
    struct err *e);
int psh_run(struct psh *p, const char *cmd, const void *in, size_t inlen,
    int timeout, struct exec_res *r, struct err *e);
int psh_ok(const struct psh *p);
void psh_end(struct psh *p);

/* Run cmd through c's persistent shell (SSH only), starting it on first
 * use (and after one was closed, out of step or timed out): as
 * tr_ssh_exec(), or 1 when there is none (c->psh_off, or it could not
 * start: nothing ran, run the command on its own channel).  -vvv says on
 * stderr which path a host's commands take. */
int tr_psh_exec(struct conn *c, const char *cmd, const void *in,
    size_t inlen, int timeout, struct exec_res *r, struct err *e);
void tr_psh_close(struct conn *c);

int tr_local_open(struct conn *c, struct err *e);
int tr_local_exec(struct conn *c, const char *cmd, const void *in,
    size_t inlen, int timeout, struct exec_res *r, struct err *e);

#endif
