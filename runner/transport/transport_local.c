/*
 * transport_local.c - ansible_connection=local: commands run through
 * posix_spawn("/bin/sh -c CMD") with three pipes and a poll loop; TCP
 * streams are plain sockets.  Also the TCP connect used by the SSH side.
 *
 * The child gets its own process group so a timeout can signal everything
 * it started; a pidfd tells the poll loop when it exits (no sleeps, no
 * SIGCHLD handler).  SIGPIPE is blocked in the calling thread while we feed
 * stdin, so a command that exits without reading its input does not kill
 * mend; the pending signal is then discarded.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/transport/transport_impl.h"
#include "runner/util/banned.h"

#define KILL_GRACE_MS 1000

extern char **environ;

int
tr_local_open(struct conn *c, struct err *e)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	(void)e;
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL)
		c->user = xstrdup(pw.pw_name);
	else
		c->user = xasprintf("#%u", (unsigned)geteuid());
	c->desc = xasprintf("%s@local", c->user);
	return 0;
}

/* ---- running a command ------------------------------------------------ */

struct child {
	pid_t pid;
	int pidfd;
	int in, out, err;       /* our ends of the pipes, -1 once closed */
	int exited;
	int status;
	int epipe;              /* a write hit EPIPE (SIGPIPE pending) */
};

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int
spawn_attrs(posix_spawnattr_t *at, posix_spawn_file_actions_t *fa,
    const int pin[2], const int pout[2], const int perr[2])
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	if (posix_spawnattr_init(at) != 0)
		return -1;
	posix_spawnattr_setflags(at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(at, 0);
	posix_spawnattr_setsigmask(at, &none);
	posix_spawnattr_setsigdefault(at, &all);
	if (posix_spawn_file_actions_init(fa) != 0) {
		posix_spawnattr_destroy(at);
		return -1;
	}
	posix_spawn_file_actions_adddup2(fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(fa, pout[1], 1);
	posix_spawn_file_actions_adddup2(fa, perr[1], 2);
	posix_spawn_file_actions_addclosefrom_np(fa, 3);
	return 0;
}

/* A pidfd, or -1 (old kernel, valgrind): then we go by the pipes. */
static int
child_pidfd(pid_t pid)
{
	static _Atomic int unsupported;
	int fd;

	if (unsupported)
		return -1;
	fd = pidfd_open(pid, 0);
	if (fd < 0 && errno == ENOSYS)
		unsupported = 1;
	return fd;
}

static int
child_start(struct child *ch, const char *cmd, struct err *e)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL };
	posix_spawnattr_t at;
	posix_spawn_file_actions_t fa;
	int rc = TERR_INTERNAL, err;

	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 ||
	    pipe2(perr, O_CLOEXEC) < 0) {
		err_set(e, "cannot create pipes: %s", strerror(errno));
		goto out;
	}
	if (spawn_attrs(&at, &fa, pin, pout, perr) < 0) {
		err_set(e, "cannot set up posix_spawn");
		goto out;
	}
	err = posix_spawn(&ch->pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (err != 0) {
		err_set(e, "cannot run /bin/sh: %s", strerror(err));
		goto out;
	}
	ch->pidfd = child_pidfd(ch->pid);
	ch->in = pin[1], pin[1] = -1;
	ch->out = pout[0], pout[0] = -1;
	ch->err = perr[0], perr[0] = -1;
	fcntl(ch->in, F_SETFL, O_NONBLOCK);
	rc = 0;
out:
	close_fd(&pin[0]), close_fd(&pin[1]);
	close_fd(&pout[0]), close_fd(&pout[1]);
	close_fd(&perr[0]), close_fd(&perr[1]);
	return rc;
}

static void
child_reap(struct child *ch, int options)
{
	pid_t w;

	if (ch->exited)
		return;
	do
		w = waitpid(ch->pid, &ch->status, options);
	while (w < 0 && errno == EINTR);
	if (w == ch->pid || (w < 0 && errno == ECHILD)) {
		ch->exited = 1;
		close_fd(&ch->pidfd);
	}
}

/* Feed stdin as far as the pipe takes it; close it when done. */
static void
child_feed(struct child *ch, const char *in, size_t inlen, size_t *pos)
{
	while (*pos < inlen) {
		ssize_t n = write(ch->in, in + *pos, inlen - *pos);

		if (n > 0) {
			*pos += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 && errno == EPIPE)
			ch->epipe = 1;
		break;          /* the command stopped reading: drop the rest */
	}
	close_fd(&ch->in);
}

/* Read what is there; at EOF (or an error) close the fd. */
static void
child_drain(int *fd, struct strbuf *sb)
{
	char buf[65536];
	ssize_t n;

	do
		n = read(*fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n > 0)
		strbuf_add(sb, buf, (size_t)n);
	else if (n == 0 || errno != EAGAIN)
		close_fd(fd);
}

static int
child_done(const struct child *ch)
{
	return ch->out < 0 && ch->err < 0 && (ch->exited || ch->pidfd < 0);
}

/* One poll round; returns 0, or TERR_TIMEOUT when the deadline passed. */
static int
child_poll(struct child *ch, const char *in, size_t inlen, size_t *pos,
    int64_t deadline, struct exec_res *r)
{
	struct pollfd p[4] = {
		{ ch->in, POLLOUT, 0 }, { ch->out, POLLIN, 0 },
		{ ch->err, POLLIN, 0 }, { ch->exited ? -1 : ch->pidfd, POLLIN, 0 },
	};
	int ms = tr_left_ms(deadline), n;

	if (deadline != 0 && ms == 0)
		return TERR_TIMEOUT;
	n = poll(p, 4, ms);
	if (n < 0)
		return 0;       /* EINTR: go round again */
	if (p[0].revents)
		child_feed(ch, in, inlen, pos);
	if (p[1].revents)
		child_drain(&ch->out, &r->out);
	if (p[2].revents)
		child_drain(&ch->err, &r->err);
	if (p[3].revents)
		child_reap(ch, WNOHANG);
	return 0;
}

/* Timeout: SIGTERM to the process group, SIGKILL if still there after a
 * grace period, waited for on the pidfd (or, without one, on the output
 * pipes), never slept. */
static void
child_kill(struct child *ch, struct exec_res *r)
{
	int64_t deadline = mono_ms() + KILL_GRACE_MS;
	size_t none = 0;

	kill(-ch->pid, SIGTERM);
	close_fd(&ch->in);
	while (!child_done(ch) && child_poll(ch, NULL, 0, &none, deadline,
	    r) == 0)
		;
	if (!ch->exited)
		child_reap(ch, WNOHANG);
	if (!ch->exited) {
		kill(-ch->pid, SIGKILL);
		kill(ch->pid, SIGKILL);
	}
	child_reap(ch, 0);
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

static void
discard_sigpipe(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
		;
}

static int
child_run(struct child *ch, const void *in, size_t inlen, int timeout,
    struct exec_res *r, struct err *e)
{
	int64_t deadline = timeout > 0 ? mono_ms() + timeout * 1000LL : 0;
	size_t pos = 0;
	int rc = 0;

	if (inlen == 0)
		close_fd(&ch->in);
	else
		child_feed(ch, in, inlen, &pos);
	while (rc == 0 && !child_done(ch))
		rc = child_poll(ch, in, inlen, &pos, deadline, r);
	if (rc == TERR_TIMEOUT) {
		child_kill(ch, r);
		err_set(e, "command timed out after %d s", timeout);
	} else {
		child_reap(ch, 0);
		r->rc = exit_code(ch->status);
	}
	return rc;
}

int
tr_local_exec(struct conn *c, const char *cmd, const void *in,
    size_t inlen, int timeout, struct exec_res *r, struct err *e)
{
	struct child ch = { -1, -1, -1, -1, -1, 0, 0, 0 };
	sigset_t pipe, old;
	int rc;

	(void)c;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	if ((rc = child_start(&ch, cmd, e)) == 0)
		rc = child_run(&ch, in, inlen, timeout, r, e);
	close_fd(&ch.in);
	close_fd(&ch.out);
	close_fd(&ch.err);
	close_fd(&ch.pidfd);
	if (ch.epipe)
		discard_sigpipe();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* ---- TCP --------------------------------------------------------------- */

static void
tune_socket(int fd)
{
	int one = 1, idle = 30, intvl = 10, cnt = 3;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Connect one address; returns the fd or -1 with *err set to an errno. */
static int
try_connect(const struct addrinfo *ai, int64_t deadline, int *err)
{
	struct pollfd p;
	socklen_t len = sizeof(*err);
	int fd, n;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLOUT;
	do
		n = poll(&p, 1, tr_left_ms(deadline));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		*err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) < 0)
		*err = errno;
	if (n > 0 && *err == 0)
		return fd;
	close(fd);
	return -1;
}

static int
connect_failed(const char *host, int port, int err, int timeout_ms,
    struct err *e)
{
	const char *why;

	switch (err) {
	case ETIMEDOUT:
		return err_set(e, "cannot connect to '%s:%d': connection timed "
		    "out after %d s", host, port, (timeout_ms + 999) / 1000),
		    TERR_UNREACHABLE;
	case ECONNREFUSED: why = "connection refused"; break;
	case EHOSTUNREACH: why = "no route to host"; break;
	case ENETUNREACH: why = "network is unreachable"; break;
	default: why = strerror(err); break;
	}
	err_set(e, "cannot connect to '%s:%d': %s", host, port, why);
	return TERR_UNREACHABLE;
}

int
tr_tcp_connect(const char *host, int port, int timeout_ms, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	int64_t deadline = mono_ms() + timeout_ms;
	char service[16];
	int fd = -1, err = ETIMEDOUT, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		err_set(e, "cannot resolve '%s': %s", host,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return TERR_UNREACHABLE;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		if (tr_left_ms(deadline) > 0)
			fd = try_connect(ai, deadline, &err);
	freeaddrinfo(res);
	if (fd < 0)
		return connect_failed(host, port, err, timeout_ms, e);
	tune_socket(fd);
	return fd;
}

ssize_t
tr_fd_read(struct tstream *s, void *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { s->fd, POLLIN, 0 };
	int64_t deadline = timeout_ms > 0 ? mono_ms() + timeout_ms : 0;
	ssize_t n;

	for (;;) {
		n = recv(s->fd, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		if (timeout_ms == 0 || (deadline != 0 && tr_left_ms(deadline) == 0))
			return TERR_TIMEOUT;
		if (poll(&p, 1, timeout_ms < 0 ? -1 : tr_left_ms(deadline)) < 0 &&
		    errno != EINTR)
			return -1;
	}
}

ssize_t
tr_fd_write(struct tstream *s, const void *buf, size_t len)
{
	struct pollfd p = { s->fd, POLLOUT, 0 };
	int64_t deadline = mono_ms() + s->timeout_ms;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(s->fd, (const char *)buf + done, len - done,
		    MSG_NOSIGNAL);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (tr_left_ms(deadline) == 0)
			return -1;
		if (poll(&p, 1, tr_left_ms(deadline)) < 0 && errno != EINTR)
			return -1;
	}
	return (ssize_t)len;
}

void
tr_fd_close(struct tstream *s)
{
	close_fd(&s->fd);
}
