/*
 * transport_smoke.c - manual end-to-end check of the transport against a
 * throwaway sshd; run through tests/e2e/transport_smoke.sh, which sets
 * SMOKE_* and builds this file against libmend.a (not built by make).
 *
 *   transport_smoke              all checks (as root), then timings
 *   transport_smoke proxyjump    the ProxyJump check (run as SMOKE_NP)
 *   transport_smoke unreachable  198.51.100.250 timing out (in a netns)
 *   transport_smoke agent        authentication through ssh-agent
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "runner/transport/transport.h"

static int npass, nfail;
static const char *dir, *np_user, *pw_user, *password;
static int port;

#define CHECK(cond, ...) check(!!(cond), #cond, __VA_ARGS__)

static void __attribute__((format(printf, 3, 4)))
check(int ok, const char *expr, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf("  [%s]", expr);
	printf("\n");
	fflush(stdout);
	ok ? npass++ : nfail++;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static struct conn_params
params(const char *user)
{
	struct conn_params p;

	memset(&p, 0, sizeof(p));
	p.name = "smoke";
	p.host = "127.0.0.1";
	p.port = port;
	p.user = user;
	p.identity = path("id_ed25519");
	p.known_hosts = path("known_hosts");
	p.ssh_config = path("empty_config");
	p.policy = HK_STRICT;
	p.connect_timeout = 5;
	return p;
}

static void
free_params(struct conn_params *p)
{
	free((char *)p->identity);
	free((char *)p->known_hosts);
	free((char *)p->ssh_config);
}

static int
try_open(struct conn_params *p, struct conn **c, struct err *e)
{
	err_release(e);
	return conn_open(c, p, e);
}

static int
run(struct conn *c, const char *cmd, const struct exec_opts *o,
    struct exec_res *r, struct err *e)
{
	err_release(e);
	return conn_exec(c, cmd, o, r, e);
}

static void
write_file(const char *name, const char *text)
{
	char *f = path(name);
	FILE *fp = fopen(f, "w");

	if (fp == NULL)
		fatal("cannot write %s", f);
	fputs(text, fp);
	fclose(fp);
	free(f);
}

static char *
read_pub(const char *name)
{
	char *f = path(name), buf[1024];
	FILE *fp = fopen(f, "r");

	if (fp == NULL || fgets(buf, sizeof(buf), fp) == NULL)
		fatal("cannot read %s", f);
	fclose(fp);
	free(f);
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

/* ---- host keys ---------------------------------------------------------- */

static void
test_hostkeys(void)
{
	struct conn_params p = params("root");
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	char *other, *line;
	int rc;

	write_file("empty_config", "");
	unlink(p.known_hosts);
	rc = try_open(&p, &c, &e);
	CHECK(rc == TERR_UNREACHABLE && strstr(e.msg.buf, "SHA256:") &&
	    strstr(e.msg.buf, "accept-new") && strstr(e.msg.buf, "ssh-keyscan"),
	    "unknown host key refused: %s", e.msg.buf);
	CHECK(access(p.known_hosts, F_OK) < 0, "strict wrote nothing");

	p.policy = HK_OFF;
	rc = try_open(&p, &c, &e);
	CHECK(rc == 0, "policy off accepts an unknown key %s", e.msg.buf);
	conn_close(c);
	CHECK(access(p.known_hosts, F_OK) < 0, "policy off wrote nothing");

	p.policy = HK_ACCEPT_NEW;
	rc = try_open(&p, &c, &e);
	CHECK(rc == 0, "accept-new connects %s", e.msg.buf);
	conn_close(c);
	CHECK(access(p.known_hosts, R_OK) == 0, "accept-new recorded the key");

	p.policy = HK_STRICT;
	rc = try_open(&p, &c, &e);
	CHECK(rc == 0, "strict accepts the recorded key %s", e.msg.buf);
	conn_close(c);

	/* a different key for the same name: changed */
	other = read_pub("host2_ed25519.pub");
	*strrchr(other, ' ') = '\0';
	line = xasprintf("[127.0.0.1]:%d %s\n", port, other);
	write_file("known_hosts_changed", line);
	free((char *)p.known_hosts);
	p.known_hosts = path("known_hosts_changed");
	for (int pol = HK_STRICT; pol <= HK_OFF; pol++) {
		p.policy = pol;
		rc = try_open(&p, &c, &e);
		CHECK(rc == TERR_UNREACHABLE && strstr(e.msg.buf, "CHANGED") &&
		    strstr(e.msg.buf, "SHA256:"),
		    "changed key refused with policy %d: %s", pol, e.msg.buf);
	}
	free(line);
	free(other);
	err_release(&e);
	free_params(&p);
}

/* ---- connecting and authenticating --------------------------------------- */

static void
test_connect_errors(void)
{
	struct conn_params p = params("root");
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	int rc;

	p.port = port + 1;
	rc = try_open(&p, &c, &e);
	CHECK(rc == TERR_UNREACHABLE && strstr(e.msg.buf, "connection refused"),
	    "closed port: %s", e.msg.buf);

	p.port = port;
	p.host = "no-such-host.invalid";
	rc = try_open(&p, &c, &e);
	CHECK(rc == TERR_UNREACHABLE && strstr(e.msg.buf, "cannot resolve"),
	    "unknown name: %s", e.msg.buf);

	p.host = "127.0.0.1";
	free((char *)p.identity);
	p.identity = path("id_other");
	rc = try_open(&p, &c, &e);
	CHECK(rc == TERR_UNREACHABLE && strstr(e.msg.buf, "permission denied"),
	    "unauthorized key: %s", e.msg.buf);

	free((char *)p.identity);
	p.identity = path("id_enc");
	rc = try_open(&p, &c, &e);
	CHECK(rc == TERR_UNREACHABLE && strstr(e.msg.buf, "ssh-agent"),
	    "encrypted key without an agent: %s", e.msg.buf);

	free((char *)p.identity);
	p.identity = path("no_such_key");
	rc = try_open(&p, &c, &e);
	CHECK(rc == TERR_UNREACHABLE && strstr(e.msg.buf, "not readable"),
	    "missing key file: %s", e.msg.buf);

	free((char *)p.identity);
	p.identity = NULL;
	free((char *)p.ssh_config);
	p.ssh_config = path("config_with_identity");
	{
		char *id = path("id_ed25519");
		char *cfg = xasprintf("Host smokealias\n  HostName 127.0.0.1\n"
		    "  Port %d\n  User root\n  IdentityFile %s\n", port, id);

		write_file("config_with_identity", cfg);
		free(cfg);
		free(id);
	}
	p.host = "smokealias";
	p.port = 0;
	p.user = NULL;
	rc = try_open(&p, &c, &e);
	{
		char *want = xasprintf("root@127.0.0.1:%d", port);

		CHECK(rc == 0 && strcmp(conn_describe(c), want) == 0,
		    "ssh config Host/HostName/Port/User/IdentityFile: %s %s",
		    rc == 0 ? conn_describe(c) : "", e.msg.buf);
		free(want);
	}
	conn_close(c);
	err_release(&e);
	free_params(&p);
}

/* ---- commands ------------------------------------------------------------ */

static void
test_exec(struct conn *c, int loops)
{
	struct exec_res r;
	struct exec_opts o;
	struct err e = ERR_INIT;
	unsigned char *big;
	size_t i, n = 1u << 20;
	double t;
	int rc;

	exec_res_init(&r);
	rc = run(c, "echo out; echo err >&2; exit 3", NULL, &r, &e);
	CHECK(rc == 0 && r.rc == 3 && strcmp(r.out.buf, "out\n") == 0 &&
	    strcmp(r.err.buf, "err\n") == 0, "stdout, stderr, rc (%d %d)", rc,
	    r.rc);

	rc = run(c, "kill -9 $$", NULL, &r, &e);
	CHECK(rc == 0 && r.rc == 128 + 9, "killed by signal: rc %d", r.rc);

	memset(&o, 0, sizeof(o));
	big = xmalloc(n);
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 7 + i / 251);
	o.in = big;
	o.inlen = n;
	rc = run(c, "cat", &o, &r, &e);
	CHECK(rc == 0 && r.rc == 0 && r.out.len == n &&
	    memcmp(r.out.buf, big, n) == 0, "1 MiB binary stdin round trip "
	    "(%zu bytes back)", r.out.len);

	rc = run(c, "head -c 10; cat >/dev/null; echo done", &o, &r, &e);
	CHECK(rc == 0 && r.out.len == 15, "partial reader (%zu)", r.out.len);

	rc = run(c, "true", &o, &r, &e);
	CHECK(rc == 0 && r.rc == 0, "command ignoring 1 MiB stdin: %d %s",
	    rc, e.msg.buf);

	o.in = NULL;
	o.inlen = 0;
	o.out_cap = 1000;
	rc = run(c, "head -c 100000 /dev/zero; echo x >&2", &o, &r, &e);
	CHECK(rc == 0 && r.out.len == 1000 && r.out.truncated &&
	    r.err.len == 2 && !r.err.truncated, "output cap (%zu)", r.out.len);

	o.out_cap = 0;
	o.timeout = 1;
	t = now();
	rc = run(c, "echo before; sleep 5.0717; echo after", &o, &r, &e);
	t = now() - t;
	CHECK(rc == TERR_TIMEOUT && t < 1.5 && strstr(e.msg.buf, "timed out"),
	    "timeout after %.2f s: %s", t, e.msg.buf);
	rc = run(c, "echo q; exit 3", &o, &r, &e);
	CHECK(rc == 0 && r.rc == 3 && strcmp(r.out.buf, "q\n") == 0,
	    "exit status through the timeout wrapper: %d", r.rc);
	rc = run(c, "kill -9 $$", &o, &r, &e);
	CHECK(rc == 0 && r.rc == 137, "signal through the timeout wrapper: %d",
	    r.rc);
	o.timeout = 0;
	rc = run(c, "echo still here", &o, &r, &e);
	CHECK(rc == 0 && strcmp(r.out.buf, "still here\n") == 0,
	    "connection usable after a timeout");
	sleep(2);   /* the remote timeout(1) fires 1 s after ours */
	rc = run(c, "pgrep -f 'slee[p] 5.0717' | wc -l", NULL, &r, &e);
	CHECK(rc == 0 && strcmp(r.out.buf, "0\n") == 0,
	    "timed out command was terminated (%s)", r.out.buf);

	for (i = 0; i < (size_t)loops; i++)
		if (run(c, "true", NULL, &r, &e) != 0 || r.rc != 0)
			break;
	CHECK(i == (size_t)loops, "%d commands in a row on one connection "
	    "(%zu) %s", loops, i, e.msg.buf);
	free(big);
	exec_res_release(&r);
	err_release(&e);
}

/* ---- become -------------------------------------------------------------- */

static void
become_case(const char *login, const char *target, const char *pass,
    const char *cmd, int want_rc, const char *want_out, const char *what)
{
	struct conn_params p = params(login);
	struct exec_opts o;
	struct exec_res r;
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	int rc;

	exec_res_init(&r);
	memset(&o, 0, sizeof(o));
	o.become = 1;
	o.become_user = target;
	o.become_pass = pass;
	o.in = "line1\nline2\n";
	o.inlen = 12;
	o.timeout = 20;
	rc = try_open(&p, &c, &e);
	if (rc == 0)
		rc = run(c, cmd, &o, &r, &e);
	CHECK(rc == 0 && r.rc == want_rc && (want_out == NULL ||
	    strcmp(r.out.buf, want_out) == 0) && !strstr(e.msg.buf, "Quote") &&
	    !strstr(r.out.buf, "Quote"), "%s: rc %d/%d out '%s' err '%s' %s",
	    what, rc, r.rc, r.out.buf, r.err.buf, e.msg.buf);
	if (rc == 0 && pass != NULL) {   /* cached probe, second command */
		rc = run(c, cmd, &o, &r, &e);
		CHECK(rc == 0 && r.rc == want_rc, "%s (again): %d", what, r.rc);
	}
	conn_close(c);
	exec_res_release(&r);
	err_release(&e);
	free_params(&p);
}

/* The server allows one session at a time (Match User in sshd_config):
 * the channel opened ahead is refused, every command still runs. */
static void
test_maxsessions1(void)
{
	struct conn_params p = params(pw_user);
	struct exec_res r;
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	int i, ok = 0;

	exec_res_init(&r);
	if (conn_open(&c, &p, &e) != 0)
		fatal("cannot connect: %s", e.msg.buf);
	for (i = 0; i < 30; i++)
		ok += run(c, "echo x", NULL, &r, &e) == 0 && r.rc == 0 &&
		    strcmp(r.out.buf, "x\n") == 0;
	CHECK(ok == 30, "MaxSessions 1: %d of 30 commands %s", ok, e.msg.buf);
	conn_close(c);
	exec_res_release(&r);
	err_release(&e);
	free_params(&p);
}

static void
test_become(void)
{
	const char *idcat = "id -un; cat";

	become_case(np_user, NULL, NULL, idcat, 0, "root\nline1\nline2\n",
	    "NOPASSWD sudo to root");
	become_case(np_user, NULL, password, idcat, 0, "root\nline1\nline2\n",
	    "NOPASSWD sudo with a password given (not sent)");
	char *want = xasprintf("%s\nline1\nline2\n", pw_user);

	become_case(np_user, pw_user, NULL, idcat, 0, want,
	    "NOPASSWD sudo to another user");
	free(want);
	become_case(pw_user, NULL, password, idcat, 0, "root\nline1\nline2\n",
	    "sudo with a password");
	become_case(pw_user, NULL, "wrong-pass", idcat, 1, NULL,
	    "sudo with a wrong password fails");
	become_case(pw_user, NULL, NULL, idcat, 1, NULL,
	    "sudo needing a password, none given");
	become_case("root", NULL, NULL, "echo \"[$SUDO_USER]\"; cat", 0,
	    "[]\nline1\nline2\n", "root to root skips sudo");
}

/* ---- direct-tcpip -------------------------------------------------------- */

static int
listener(int *lport)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0)
		fatal("listen: %s", strerror(errno));
	getsockname(fd, (struct sockaddr *)&a, &len);
	*lport = ntohs(a.sin_port);
	return fd;
}

static void *
echo_server(void *arg)
{
	int lfd = *(int *)arg, fd;
	char buf[4096];
	ssize_t n;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));     /* "hello" */
	usleep(300 * 1000);                 /* let the client time out once */
	if (n > 0)
		write(fd, buf, (size_t)n);
	close(fd);                          /* EOF */
	return NULL;
}

static void
test_tcp(struct conn *c, const char *what)
{
	struct err e = ERR_INIT;
	struct tstream *s = NULL;
	pthread_t th;
	char buf[64];
	int lfd, lport, rc;
	ssize_t n;

	lfd = listener(&lport);
	pthread_create(&th, NULL, echo_server, &lfd);
	rc = conn_tcp_open(c, "127.0.0.1", lport, 3, &s, &e);
	CHECK(rc == 0, "%s: tcp open %s", what, e.msg.buf);
	if (rc == 0) {
		n = tstream_write(s, "hello", 5);
		CHECK(n == 5, "%s: write", what);
		n = tstream_read(s, buf, sizeof(buf), 100);
		CHECK(n == TERR_TIMEOUT, "%s: read timeout (%zd)", what, n);
		n = tstream_read(s, buf, 2, 2000);
		CHECK(n == 2 && memcmp(buf, "he", 2) == 0, "%s: partial read",
		    what);
		n = tstream_read(s, buf, sizeof(buf), 2000);
		CHECK(n == 3 && memcmp(buf, "llo", 3) == 0, "%s: rest (%zd)",
		    what, n);
		n = tstream_read(s, buf, sizeof(buf), 2000);
		CHECK(n == 0, "%s: EOF (%zd)", what, n);
		tstream_close(s);
	}
	pthread_join(th, NULL);
	close(lfd);
	err_release(&e);
	rc = conn_tcp_open(c, "127.0.0.1", lport, 3, &s, &e);
	CHECK(rc == TERR_CONNECT, "%s: closed port: %d %s", what, rc,
	    e.msg.buf);
	err_release(&e);
}

/* ---- timings and concurrency --------------------------------------------- */

struct worker { int ok; double open_ms; };

static void *
worker(void *arg)
{
	struct worker *w = arg;
	struct conn_params p = params(np_user);
	struct exec_res r;
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	double t = now();
	int i;

	p.policy = HK_ACCEPT_NEW;   /* many threads recording one key at once */
	p.connect_timeout = 30;    /* 200 handshakes on 2 cores take a while */
	exec_res_init(&r);
	if (conn_open(&c, &p, &e) == 0) {
		w->ok = 1;
		for (i = 0; i < 20 && w->ok; i++)
			w->ok = conn_exec(c, "echo $$", NULL, &r, &e) == 0 &&
			    r.rc == 0;
		w->open_ms = (now() - t) * 1000;
		conn_close(c);
	}
	if (!w->ok)
		fprintf(stderr, "worker: %s", e.msg.buf);
	exec_res_release(&r);
	err_release(&e);
	free_params(&p);
	return NULL;
}

static void
test_concurrency(int n)
{
	pthread_t *th = xcalloc((size_t)n, sizeof(*th));
	struct worker *w = xcalloc((size_t)n, sizeof(*w));
	double t = now();
	int i, ok = 0;

	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, &w[i]);
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		ok += w[i].ok;
	}
	CHECK(ok == n, "%d concurrent connections x 20 commands: %d ok in "
	    "%.0f ms", n, ok, (now() - t) * 1000);
	{
		char *kh = path("known_hosts"), line[4096];
		FILE *fp = fopen(kh, "r");
		int lines = 0;

		while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
			lines++;
		if (fp != NULL)
			fclose(fp);
		CHECK(lines == 1, "known_hosts has one line (%d)", lines);
		free(kh);
	}
	free(th);
	free(w);
}

static int
count_fds(void)
{
	char path[64];
	int fd, n = 0;

	for (fd = 0; fd < 4096; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

static void
timings(void)
{
	struct conn_params p = params(np_user);
	struct exec_res r;
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	double t0, t1, t2;
	int i, n = 500;

	int fds = count_fds();

	exec_res_init(&r);
	for (i = 0; i < 5; i++) {
		t0 = now();
		if (conn_open(&c, &p, &e) != 0)
			break;
		t1 = now();
		conn_exec(c, "true", NULL, &r, &e);
		t2 = now();
		printf("time: open %.2f ms, first exec %.2f ms, total %.2f ms\n",
		    (t1 - t0) * 1000, (t2 - t1) * 1000, (t2 - t0) * 1000);
		conn_close(c);
	}
	CHECK(count_fds() == fds, "no descriptor leaked by open/close (%d %d)",
	    fds, count_fds());
	conn_open(&c, &p, &e);
	t0 = now();
	for (i = 0; i < n; i++)
		conn_exec(c, "true", NULL, &r, &e);
	printf("time: exec round trip ('true') %.3f ms average over %d\n",
	    (now() - t0) * 1000 / n, n);
	conn_close(c);
	exec_res_release(&r);
	err_release(&e);
	free_params(&p);
}

/* ---- unreachable (run in a namespace, see the script) ------------------- */

static int
unreachable(void)
{
	struct conn_params p = params("root");
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	double t;
	int rc;

	p.host = "198.51.100.250";
	p.connect_timeout = 2;
	t = now();
	rc = try_open(&p, &c, &e);
	t = now() - t;
	CHECK(rc == TERR_UNREACHABLE && t >= 1.95 && t < 2.2 &&
	    strstr(e.msg.buf, "connection timed out after 2 s"),
	    "unreachable address, 2 s timeout, in %.2f s: %s", t, e.msg.buf);
	p.connect_timeout = 10;
	t = now();
	rc = try_open(&p, &c, &e);
	t = now() - t;
	CHECK(rc == TERR_UNREACHABLE && t < 9 &&
	    strstr(e.msg.buf, "no route to host"),
	    "unreachable address, 10 s timeout, in %.2f s: %s", t, e.msg.buf);
	err_release(&e);
	free_params(&p);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail;
}

/* ---- ssh-agent (run with SSH_AUTH_SOCK set, see the script) ------------- */

static int
agent(void)
{
	struct conn_params p = params(np_user);
	struct exec_res r;
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	int rc;

	free((char *)p.identity);
	p.identity = NULL;
	exec_res_init(&r);
	rc = conn_open(&c, &p, &e);
	if (rc == 0)
		rc = conn_exec(c, "id -un", NULL, &r, &e);
	CHECK(rc == 0 && r.rc == 0, "key from ssh-agent: %s %s", r.out.buf,
	    e.msg.buf);
	conn_close(c);
	/* an explicit key the server refuses, then the agent's */
	p.identity = path("id_other");
	rc = conn_open(&c, &p, &e);
	CHECK(rc == 0, "refused explicit key, then the agent: %s", e.msg.buf);
	conn_close(c);
	exec_res_release(&r);
	err_release(&e);
	free_params(&p);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail;
}

/* ---- a connection that dies ---------------------------------------------- */

static void
test_lost(void)
{
	struct conn_params p = params(np_user);
	struct exec_res r;
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	struct tstream *s = NULL;
	double t;
	int rc;

	exec_res_init(&r);
	if (conn_open(&c, &p, &e) != 0)
		fatal("cannot connect: %s", e.msg.buf);
	t = now();
	rc = run(c, "kill -9 $PPID; sleep 5", NULL, &r, &e);
	CHECK(rc == TERR_UNREACHABLE && now() - t < 2 &&
	    strstr(e.msg.buf, "lost"), "server side killed: %d %s", rc,
	    e.msg.buf);
	rc = run(c, "true", NULL, &r, &e);
	CHECK(rc == TERR_UNREACHABLE, "next command on a lost connection: %d "
	    "%s", rc, e.msg.buf);
	err_release(&e);
	rc = conn_tcp_open(c, "127.0.0.1", port, 2, &s, &e);
	CHECK(rc == TERR_UNREACHABLE, "tcp stream on a lost connection: %d %s",
	    rc, e.msg.buf);
	conn_close(c);
	exec_res_release(&r);
	err_release(&e);
	free_params(&p);
}

/* ---- ProxyJump (run as SMOKE_NP, whose ~/.ssh the script prepared) ------- */

static int
proxyjump(void)
{
	struct conn_params p;
	struct exec_res r;
	struct err e = ERR_INIT;
	struct conn *c = NULL;
	char *cfg = xasprintf("%s/.ssh/config_pj", getenv("HOME"));
	int rc;

	memset(&p, 0, sizeof(p));
	p.name = "pj";
	p.host = "pjtarget";
	p.ssh_config = cfg;
	p.policy = HK_STRICT;
	p.connect_timeout = 10;
	exec_res_init(&r);
	rc = conn_open(&c, &p, &e);
	if (rc == 0)
		rc = conn_exec(c, "echo \"$SSH_CONNECTION\"", NULL, &r, &e);
	CHECK(rc == 0 && r.rc == 0, "ProxyJump: %s %s", r.out.buf, e.msg.buf);
	conn_close(c);
	exec_res_release(&r);
	err_release(&e);
	free(cfg);
	return nfail;
}

int
main(int argc, char **argv)
{
	struct conn_params p;
	struct err e = ERR_INIT;
	struct conn *c = NULL;

	dir = getenv("SMOKE_DIR");
	port = getenv("SMOKE_PORT") ? atoi(getenv("SMOKE_PORT")) : 0;
	np_user = getenv("SMOKE_NP");
	pw_user = getenv("SMOKE_PW");
	password = getenv("SMOKE_PASS");
	if (!dir || !port || !np_user || !pw_user || !password)
		fatal("run me through tests/e2e/transport_smoke.sh");
	transport_init();
	if (argc > 1 && strcmp(argv[1], "proxyjump") == 0)
		{ int f = proxyjump(); printf("%d passed, %d failed\n", npass, nfail); return f ? 1 : 0; }
	if (argc > 1 && strcmp(argv[1], "unreachable") == 0)
		return unreachable() ? 1 : 0;
	if (argc > 1 && strcmp(argv[1], "agent") == 0)
		return agent() ? 1 : 0;
	if (argc > 2 && strcmp(argv[1], "concurrency") == 0) {
		char *kh = path("known_hosts");

		unlink(kh);
		free(kh);
		write_file("empty_config", "");
		test_concurrency(atoi(argv[2]));
		printf("%d passed, %d failed\n", npass, nfail);
		return nfail != 0;
	}

	test_hostkeys();
	test_connect_errors();
	/* root: OpenSSH refuses "signal" requests, timeout(1) must do */
	p = params("root");
	if (conn_open(&c, &p, &e) != 0)
		fatal("cannot connect: %s", e.msg.buf);
	test_exec(c, 20);
	conn_close(c);
	free_params(&p);
	p = params(np_user);
	if (conn_open(&c, &p, &e) != 0)
		fatal("cannot connect: %s", e.msg.buf);
	test_exec(c, 300);
	test_tcp(c, "ssh");
	conn_close(c);
	free_params(&p);
	memset(&p, 0, sizeof(p));
	p.local = 1;
	if (conn_open(&c, &p, &e) != 0)
		fatal("cannot open local: %s", e.msg.buf);
	test_exec(c, 300);
	test_tcp(c, "local");
	conn_close(c);
	test_become();
	test_maxsessions1();
	test_lost();
	test_concurrency(50);
	timings();
	transport_shutdown();
	err_release(&e);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
