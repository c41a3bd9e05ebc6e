/*
 * test_transport.c - the transport without an SSH server: become and
 * timeout wrapping (run through the local /bin/sh to prove the quoting),
 * signal names, the local connection (exec, stdin, caps, timeouts, kills,
 * sudo when available), TCP streams, and the SSH error paths that need no
 * sshd (refused port, a peer that hangs up, a peer that says nothing, a
 * peer that is not SSH, bad parameters).  The SSH happy paths are covered
 * by tests/e2e/transport_smoke.sh against a throwaway sshd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "runner/transport/transport_impl.h"
#include "runner/util/banned.h"

static double
now_s(void)
{
	return mono_ms() / 1000.0;
}

/* ---- wrapping ---- */

static void
wrap_become_modes(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	tr_wrap_become(&sb, "echo hi", "root", BECOME_NONE);
	assert_string_equal(sb.buf, "echo hi");
	strbuf_reset(&sb);
	tr_wrap_become(&sb, "echo 'a b'", "root", BECOME_NOPASS);
	assert_string_equal(sb.buf,
	    "sudo -n -u 'root' -- /bin/sh -c 'echo '\\''a b'\\'''");
	strbuf_reset(&sb);
	tr_wrap_become(&sb, "id", "we'ird", BECOME_PASS);
	assert_string_equal(sb.buf,
	    "sudo -k -S -p '' -u 'we'\\''ird' -- /bin/sh -c 'id'");
	strbuf_release(&sb);
}

static void
wrap_timeout_text(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	tr_wrap_timeout(&sb, "true", 0);
	assert_string_equal(sb.buf, "true");
	strbuf_reset(&sb);
	tr_wrap_timeout(&sb, "true", -5);
	assert_string_equal(sb.buf, "true");
	strbuf_reset(&sb);
	tr_wrap_timeout(&sb, "sleep 1", 30);
	assert_non_null(strstr(sb.buf, "timeout -k 2 31 /bin/sh -c"));
	assert_non_null(strstr(sb.buf, "__mend_cmd='sleep 1'"));
	strbuf_release(&sb);
}

/* Run a wrapped line with the local /bin/sh: quoting must survive. */
static void
wrap_timeout_runs(void **state)
{
	const char *cmd = "printf '%s|' \"$0\" 'a b' \"c'd\" '$HOME' \\\\; "
	    "echo; exit 7";
	struct conn_params p = { .local = 1 };
	struct strbuf line = STRBUF_INIT, plain = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct exec_res r, r2;
	struct conn *c;

	(void)state;
	assert_int_equal(conn_open(&c, &p, &e), 0);
	exec_res_init(&r);
	exec_res_init(&r2);
	tr_wrap_timeout(&line, cmd, 10);
	assert_int_equal(conn_exec(c, line.buf, NULL, &r, &e), 0);
	tr_wrap_become(&plain, cmd, "x", BECOME_NONE);
	assert_int_equal(conn_exec(c, plain.buf, NULL, &r2, &e), 0);
	assert_int_equal(r.rc, 7);
	assert_int_equal(r2.rc, 7);
	assert_string_equal(r.out.buf, "/bin/sh|a b|c'd|$HOME|\\|\n");
	assert_string_equal(r.out.buf, r2.out.buf);
	/* a host without timeout(1): the plain fallback */
	strbuf_reset(&plain);
	strbuf_addstr(&plain, "PATH=/nonexistent; ");
	strbuf_addbuf(&plain, &line);
	assert_int_equal(conn_exec(c, plain.buf, NULL, &r2, &e), 0);
	assert_int_equal(r2.rc, 7);
	assert_string_equal(r.out.buf, r2.out.buf);
	exec_res_release(&r);
	exec_res_release(&r2);
	strbuf_release(&line);
	strbuf_release(&plain);
	conn_close(c);
}

static void
signal_names(void **state)
{
	(void)state;
	assert_int_equal(tr_signum("KILL"), SIGKILL);
	assert_int_equal(tr_signum("SIGTERM"), SIGTERM);
	assert_int_equal(tr_signum("HUP"), 1);
	assert_int_equal(tr_signum("SEGV"), SIGSEGV);
	assert_int_equal(tr_signum("NOPE"), 0);
	assert_int_equal(tr_signum(""), 0);
	assert_int_equal(tr_signum(NULL), 0);
}

static void
deadlines(void **state)
{
	(void)state;
	assert_int_equal(tr_left_ms(0), -1);
	assert_int_equal(tr_left_ms(mono_ms() - 5), 0);
	assert_true(tr_left_ms(mono_ms() + 10000) > 9000);
	assert_true(tr_left_ms(mono_ms() + 10000) <= 10000);
}

/* ---- local connection ---- */

struct fx {
	struct conn *c;
	struct exec_res r;
	struct err e;
	struct exec_opts o;
};

static int
fx_setup(void **state)
{
	struct conn_params p = { .local = 1 };
	struct fx *f = xcalloc(1, sizeof(*f));

	strbuf_init(&f->e.msg, 0);
	exec_res_init(&f->r);
	if (conn_open(&f->c, &p, &f->e) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	conn_close(f->c);
	exec_res_release(&f->r);
	err_release(&f->e);
	free(f);
	return 0;
}

static int
fx_run(struct fx *f, const char *cmd)
{
	err_release(&f->e);
	return conn_exec(f->c, cmd, &f->o, &f->r, &f->e);
}

static void
local_describe(void **state)
{
	struct fx *f = *state;

	struct passwd *pw = getpwuid(geteuid());
	char *want = xasprintf("%s@local", pw ? pw->pw_name : "?");

	assert_string_equal(conn_describe(f->c), want);
	assert_string_equal(f->c->user, pw ? pw->pw_name : "?");
	free(want);
}

static void
local_exec_basic(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_run(f, "echo out; echo err >&2; exit 3"), 0);
	assert_int_equal(f->r.rc, 3);
	assert_string_equal(f->r.out.buf, "out\n");
	assert_string_equal(f->r.err.buf, "err\n");
	/* the result is reset by the next call */
	assert_int_equal(fx_run(f, "printf x"), 0);
	assert_int_equal(f->r.rc, 0);
	assert_string_equal(f->r.out.buf, "x");
	assert_int_equal(f->r.err.len, 0);
	/* NULL options */
	err_release(&f->e);
	assert_int_equal(conn_exec(f->c, "exit 0", NULL, &f->r, &f->e), 0);
	assert_int_equal(f->r.rc, 0);
	assert_int_equal(fx_run(f, "no-such-command-here 2>/dev/null"), 0);
	assert_int_equal(f->r.rc, 127);
}

static void
local_exec_signal(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_run(f, "kill -9 $$"), 0);
	assert_int_equal(f->r.rc, 128 + 9);
	assert_int_equal(fx_run(f, "kill -TERM $$"), 0);
	assert_int_equal(f->r.rc, 128 + 15);
	/* SIGPIPE is default in the child even if mend ignores it */
	assert_int_equal(fx_run(f, "kill -PIPE $$; exit 0"), 0);
	assert_int_equal(f->r.rc, 128 + SIGPIPE);
}

static void
local_stdin_binary(void **state)
{
	struct fx *f = *state;
	size_t i, n = 1u << 20;
	unsigned char *big = xmalloc(n);

	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 131 + (i >> 9));
	f->o.in = big;
	f->o.inlen = n;
	assert_int_equal(fx_run(f, "cat"), 0);
	assert_int_equal(f->r.rc, 0);
	assert_int_equal(f->r.out.len, n);
	assert_memory_equal(f->r.out.buf, big, n);
	/* a command that reads nothing: no SIGPIPE death for us */
	assert_int_equal(fx_run(f, "exit 5"), 0);
	assert_int_equal(f->r.rc, 5);
	assert_int_equal(fx_run(f, "head -c 4"), 0);
	assert_int_equal(f->r.out.len, 4);
	assert_memory_equal(f->r.out.buf, big, 4);
	f->o.in = NULL;
	f->o.inlen = 0;
	/* no stdin: EOF at once */
	assert_int_equal(fx_run(f, "wc -c"), 0);
	assert_int_equal(atoi(f->r.out.buf), 0);
	free(big);
}

static void
local_output_cap(void **state)
{
	struct fx *f = *state;

	f->o.out_cap = 100;
	assert_int_equal(fx_run(f, "head -c 5000 /dev/zero; "
	    "head -c 99 /dev/zero >&2"), 0);
	assert_int_equal(f->r.rc, 0);
	assert_int_equal(f->r.out.len, 100);
	assert_true(f->r.out.truncated);
	assert_int_equal(f->r.err.len, 99);
	assert_false(f->r.err.truncated);
	f->o.out_cap = 0;
	assert_int_equal(fx_run(f, "head -c 200 /dev/zero"), 0);
	assert_int_equal(f->r.out.len, 200);
	assert_false(f->r.out.truncated);
}

static void
local_timeout(void **state)
{
	struct fx *f = *state;
	double t;
	/* a sleep length of this process's own, so that the check at the end
	 * counts only our children, not those of another run of this test on
	 * the same machine */
	char *z = xasprintf("10.%d", (int)getpid());
	char *c1 = xasprintf("echo started; sleep %s", z);
	char *c2 = xasprintf("trap '' TERM; sleep %s; sleep %s", z, z);
	char *c3 = xasprintf("sleep %s & exit 0", z);
	char *c4 = xasprintf("pgrep -fx 'slee[p] %s' | wc -l", z);

	f->o.timeout = 1;
	t = now_s();
	assert_int_equal(fx_run(f, c1), TERR_TIMEOUT);
	t = now_s() - t;
	assert_true(t >= 0.9 && t < 2.5);
	assert_non_null(strstr(f->e.msg.buf, "timed out after 1 s"));
	/* ignores SIGTERM: SIGKILL after the grace period */
	t = now_s();
	assert_int_equal(fx_run(f, c2), TERR_TIMEOUT);
	t = now_s() - t;
	assert_true(t >= 1.9 && t < 3.8);
	/* a background child holding stdout is killed with its group */
	t = now_s();
	assert_int_equal(fx_run(f, c3), TERR_TIMEOUT);
	assert_true(now_s() - t < 2.5);
	/* within the limit: fine */
	assert_int_equal(fx_run(f, "echo quick"), 0);
	assert_string_equal(f->r.out.buf, "quick\n");
	f->o.timeout = 0;
	assert_int_equal(fx_run(f, c4), 0);
	assert_int_equal(atoi(f->r.out.buf), 0);
	free(z); free(c1); free(c2); free(c3); free(c4);
}

static int
have_sudo(void)
{
	return geteuid() == 0 && access("/usr/bin/sudo", X_OK) == 0 &&
	    system("id nobody >/dev/null 2>&1") == 0;
}

static void
local_become(void **state)
{
	struct fx *f = *state;

	if (!have_sudo())
		skip();
	f->o.become = 1;
	/* root to root: no sudo at all */
	assert_int_equal(fx_run(f, "echo \"[${SUDO_USER:-}]\"; id -un"), 0);
	assert_string_equal(f->r.out.buf, "[]\nroot\n");
	f->o.become_user = "nobody";
	f->o.in = "in1\nin2\n";
	f->o.inlen = 8;
	assert_int_equal(fx_run(f, "id -un; cat"), 0);
	assert_int_equal(f->r.rc, 0);
	assert_string_equal(f->r.out.buf, "nobody\nin1\nin2\n");
	/* a password given but not needed: probed, and never sent */
	f->o.become_pass = "secret-pass";
	assert_int_equal(fx_run(f, "id -un; cat"), 0);
	assert_string_equal(f->r.out.buf, "nobody\nin1\nin2\n");
	assert_null(strstr(f->e.msg.buf, "secret"));
	assert_string_equal(f->c->probe_user, "nobody");
	assert_true(f->c->probe_nopass);
	assert_int_equal(fx_run(f, "cat"), 0);   /* cached probe */
	assert_string_equal(f->r.out.buf, "in1\nin2\n");
	f->o.become = 0;
	f->o.become_user = NULL;
	f->o.become_pass = NULL;
	f->o.in = NULL;
	f->o.inlen = 0;
}

/* A probe result saying a password is needed: the password goes first on
 * stdin, to `sudo -k -S`; here `sudo` is faked by a shell function-free
 * PATH entry that echoes what it got. */
static void
local_become_pass_stdin(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/mend-tr-XXXXXX";
	char *fake, *path, *oldpath = getenv("PATH") ? xstrdup(getenv("PATH")) :
	    xstrdup("/usr/bin:/bin");
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	fake = xasprintf("%s/sudo", dir);
	fp = fopen(fake, "w");
	assert_non_null(fp);
	fputs("#!/bin/sh\necho \"args: $*\"; cat\n", fp);
	fclose(fp);
	chmod(fake, 0755);
	path = xasprintf("%s:%s", dir, oldpath);
	setenv("PATH", path, 1);
	free(f->c->probe_user);
	f->c->probe_user = xstrdup("someone");
	f->c->probe_nopass = 0;
	f->o.become = 1;
	f->o.become_user = "someone";
	f->o.become_pass = "pw'1";
	f->o.in = "data";
	f->o.inlen = 4;
	assert_int_equal(fx_run(f, "echo hi"), 0);
	assert_string_equal(f->r.out.buf, "args: -k -S -p  -u someone -- "
	    "/bin/sh -c echo hi\npw'1\ndata");
	setenv("PATH", oldpath, 1);
	unlink(fake);
	rmdir(dir);
	free(fake);
	free(path);
	free(oldpath);
	f->o.become = 0;
	f->o.become_user = NULL;
	f->o.become_pass = NULL;
	f->o.in = NULL;
	f->o.inlen = 0;
}

/* ---- TCP ---- */

static int
listen_any(int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A port that refuses: bound, then closed. */
static int
closed_port(void)
{
	int port, fd = listen_any(&port);

	close(fd);
	return port;
}

enum peer_mode { PEER_ECHO, PEER_HANGUP, PEER_SILENT, PEER_HTTP };

struct peer {
	int lfd;
	enum peer_mode mode;
};

static void *
peer_main(void *arg)
{
	struct peer *pr = arg;
	struct timeval tv = { 5, 0 };
	char buf[256];
	ssize_t n;
	int fd = accept(pr->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	switch (pr->mode) {
	case PEER_ECHO:
		n = read(fd, buf, sizeof(buf));
		usleep(300 * 1000);
		if (n > 0 && write(fd, buf, (size_t)n) < 0)
			break;
		break;
	case PEER_HANGUP:
		break;
	case PEER_SILENT:
		n = read(fd, buf, sizeof(buf));     /* until the client gives up */
		while (n > 0)
			n = read(fd, buf, sizeof(buf));
		break;
	case PEER_HTTP:
		if (write(fd, "HTTP/1.0 400 Bad Request\r\n\r\n", 28) < 0)
			break;
		usleep(200 * 1000);
		break;
	}
	close(fd);
	return NULL;
}

static void
local_tcp_stream(void **state)
{
	struct fx *f = *state;
	struct peer pr = { -1, PEER_ECHO };
	struct tstream *s = NULL;
	pthread_t th;
	char buf[64];
	int port;

	pr.lfd = listen_any(&port);
	pthread_create(&th, NULL, peer_main, &pr);
	assert_int_equal(conn_tcp_open(f->c, "127.0.0.1", port, 2, &s, &f->e),
	    0);
	assert_int_equal(tstream_write(s, "hello", 5), 5);
	assert_int_equal(tstream_read(s, buf, sizeof(buf), 0), TERR_TIMEOUT);
	assert_int_equal(tstream_read(s, buf, sizeof(buf), 50), TERR_TIMEOUT);
	assert_int_equal(tstream_read(s, buf, 2, 3000), 2);
	assert_memory_equal(buf, "he", 2);
	assert_int_equal(tstream_read(s, buf, sizeof(buf), -1), 3);
	assert_memory_equal(buf, "llo", 3);
	assert_int_equal(tstream_read(s, buf, sizeof(buf), 3000), 0);
	tstream_close(s);
	tstream_close(NULL);
	pthread_join(th, NULL);
	close(pr.lfd);
}

static void
local_tcp_errors(void **state)
{
	struct fx *f = *state;
	struct tstream *s = (struct tstream *)1;

	assert_int_equal(conn_tcp_open(f->c, "127.0.0.1", closed_port(), 2, &s,
	    &f->e), TERR_CONNECT);
	assert_null(s);
	assert_non_null(strstr(f->e.msg.buf, "connection refused"));
	err_release(&f->e);
	assert_int_equal(conn_tcp_open(f->c, "no-such-host.invalid", 80, 2, &s,
	    &f->e), TERR_CONNECT);
	assert_non_null(strstr(f->e.msg.buf, "cannot resolve 'no-such-host"));
}

/* ---- SSH error paths without a server ---- */

static struct conn_params
ssh_params(int port)
{
	struct conn_params p;

	memset(&p, 0, sizeof(p));
	p.name = "t";
	p.host = "127.0.0.1";
	p.port = port;
	p.user = "nobody";
	p.ssh_config = "/dev/null";
	p.known_hosts = "/dev/null";
	p.connect_timeout = 1;
	return p;
}

static void
ssh_refused(void **state)
{
	struct conn_params p = ssh_params(closed_port());
	struct err e = ERR_INIT;
	struct conn *c = (struct conn *)1;

	(void)state;
	assert_int_equal(conn_open(&c, &p, &e), TERR_UNREACHABLE);
	assert_null(c);
	assert_non_null(strstr(e.msg.buf, "connection refused"));
	assert_non_null(strstr(e.msg.buf, "'127.0.0.1:"));
	err_release(&e);
}

static int
count_fds(void)
{
	char path[64];
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

static void
ssh_peer(enum peer_mode mode, const char *want, double max_s)
{
	struct peer pr = { -1, mode };
	struct err e = ERR_INIT;
	struct conn_params p;
	struct conn *c = NULL;
	pthread_t th;
	double t;
	int port, fds;

	pr.lfd = listen_any(&port);
	pthread_create(&th, NULL, peer_main, &pr);
	p = ssh_params(port);
	fds = count_fds();
	t = now_s();
	assert_int_equal(conn_open(&c, &p, &e), TERR_UNREACHABLE);
	t = now_s() - t;
	assert_null(c);
	if (strstr(e.msg.buf, want) == NULL)
		fail_msg("got '%s', want '%s'", e.msg.buf, want);
	assert_true(t < max_s);
	t = now_s();
	pthread_join(th, NULL);     /* the peer sees EOF: our socket is closed */
	assert_true(now_s() - t < 3);  /* not the peer's 5 s */
	assert_int_equal(count_fds(), fds);
	close(pr.lfd);
	err_release(&e);
}

static void
ssh_peer_hangs_up(void **state)
{
	(void)state;
	ssh_peer(PEER_HANGUP, "connection closed by the other side", 2);
}

/* A session killed on the host: libssh says "Socket error: " and a stale
 * errno; mend says what happened. */
static void
ssh_lost_why(void **state)
{
	(void)state;
	assert_string_equal(tr_ssh_lost_why("Socket error: No such file or "
	    "directory"), "connection closed by the host");
	assert_string_equal(tr_ssh_lost_why("Socket error: Success"),
	    "connection closed by the host");
	assert_string_equal(tr_ssh_lost_why("Socket error: disconnected"),
	    "connection closed by the host");
	assert_string_equal(tr_ssh_lost_why("Socket error: Connection reset "
	    "by peer"), "Socket error: Connection reset by peer");
	assert_string_equal(tr_ssh_lost_why("Socket error: Connection timed "
	    "out"), "Socket error: Connection timed out");
	assert_string_equal(tr_ssh_lost_why("Remote channel is closed"),
	    "Remote channel is closed");
}

static void
ssh_peer_silent(void **state)
{
	(void)state;
	ssh_peer(PEER_SILENT, "connection timed out after 1 s", 3);
}

static void
ssh_peer_not_ssh(void **state)
{
	(void)state;
	ssh_peer(PEER_HTTP, "ssh handshake", 3);
}

static void
ssh_bad_params(void **state)
{
	struct conn_params p = ssh_params(22);
	struct err e = ERR_INIT;
	struct conn *c = NULL;

	(void)state;
	p.host = NULL;
	assert_int_equal(conn_open(&c, &p, &e), TERR_UNREACHABLE);
	assert_non_null(strstr(e.msg.buf, "no host"));
	err_release(&e);
	p.host = "";
	assert_int_equal(conn_open(&c, &p, &e), TERR_UNREACHABLE);
	err_release(&e);
	p.host = "127.0.0.1";
	p.ssh_config = "/nonexistent/ssh_config";
	assert_int_equal(conn_open(&c, &p, &e), TERR_UNREACHABLE);
	assert_non_null(strstr(e.msg.buf,
	    "cannot read ssh config '/nonexistent/ssh_config'"));
	err_release(&e);
	p.ssh_config = "/dev/null";
	p.host = "no-such-host.invalid";
	assert_int_equal(conn_open(&c, &p, &e), TERR_UNREACHABLE);
	assert_non_null(strstr(e.msg.buf, "cannot resolve"));
	err_release(&e);
	conn_close(NULL);
}

static int
group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);   /* as mend may; children must not inherit */
	return transport_init();
}

static int
group_teardown(void **state)
{
	(void)state;
	transport_shutdown();
	return 0;
}

#define LOCAL(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wrap_become_modes),
		cmocka_unit_test(wrap_timeout_text),
		cmocka_unit_test(wrap_timeout_runs),
		cmocka_unit_test(signal_names),
		cmocka_unit_test(deadlines),
		LOCAL(local_describe),
		LOCAL(local_exec_basic),
		LOCAL(local_exec_signal),
		LOCAL(local_stdin_binary),
		LOCAL(local_output_cap),
		LOCAL(local_timeout),
		LOCAL(local_become),
		LOCAL(local_become_pass_stdin),
		LOCAL(local_tcp_stream),
		LOCAL(local_tcp_errors),
		cmocka_unit_test(ssh_refused),
		cmocka_unit_test(ssh_peer_hangs_up),
		cmocka_unit_test(ssh_peer_silent),
		cmocka_unit_test(ssh_lost_why),
		cmocka_unit_test(ssh_peer_not_ssh),
		cmocka_unit_test(ssh_bad_params),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
