/*
 * transport.c - what SSH and local connections share: set-up, dispatch,
 * become (sudo) wrapping and the sudo password probe.  See transport.h.
 *
 * Timeouts.  On a timeout the command's channel is closed and the remote
 * command sent SIGTERM (an ssh "signal" request); but OpenSSH refuses
 * signals for root logins (the session then runs without privilege
 * separation) and closing the channel does not stop a command that neither
 * reads stdin nor writes output (`sleep 600`).  So a remote command with a
 * timeout also runs under timeout(1), when the host has it, set one second
 * later than ours (our deadline always fires first and reports TERR_TIMEOUT;
 * the host then cleans up by itself).  Local commands are killed directly.
 *
 * Become with a password.  sudo reads the password from stdin (-S) with an
 * empty prompt (-p ''), so the password never appears on a command line, in
 * an error message or in a log; conn_exec() prepends "PASSWORD\n" to the
 * command's stdin.  That is only safe if sudo really consumes that line,
 * hence two precautions:
 *  - once per connection (and become user) we probe `sudo -n` (no password
 *    allowed): if it works, sudo would not read a password at all (NOPASSWD
 *    rule), so we use `sudo -n` and never send the password;
 *  - otherwise we run `sudo -k -S ...`: -k makes sudo ignore any cached
 *    credentials (timestamp) for this one command and not create new ones,
 *    so it always asks for, and reads, the password line.  Without -k a
 *    cached timestamp would make sudo skip the prompt and the password would
 *    be handed to the command as the first line of its input.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>

#include "runner/transport/sftpc.h"
#include "runner/transport/transport_impl.h"
#include "runner/util/banned.h"

#define PROBE_TIMEOUT 30   /* seconds, when the command has no timeout */

int
transport_init(void)
{
	return ssh_init() == SSH_OK ? 0 : -1;
}

void
transport_shutdown(void)
{
	ssh_finalize();
}

int
tr_left_ms(int64_t deadline)
{
	int64_t left;

	if (deadline == 0)
		return -1;
	left = deadline - mono_ms();
	if (left < 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* SSH connections open now and the most at once (conn_peak_open()). */
static atomic_int conns_open, conns_peak;

static void
count_open(struct conn *c)
{
	int n = atomic_fetch_add(&conns_open, 1) + 1;
	int peak = atomic_load(&conns_peak);

	c->counted = 1;
	while (n > peak && !atomic_compare_exchange_weak(&conns_peak, &peak, n))
		;
}

int
conn_peak_open(void)
{
	return atomic_load(&conns_peak);
}

int
conn_open(struct conn **out, const struct conn_params *p, struct err *e)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	const char *off = getenv("MEND_NO_PERSISTENT_SHELL");
	int rc;

	*out = NULL;
	c->local = p->local;
	c->verbose = p->verbose;
	c->psh_off = p->no_persistent_shell || (off != NULL && *off != '\0' &&
	    strcmp(off, "0") != 0);
	rc = p->local ? tr_local_open(c, e) : tr_ssh_open(c, p, e);
	if (rc < 0) {
		conn_close(c);
		return rc;
	}
	if (!c->local)
		count_open(c);
	if (c->psh_off && !c->local && c->verbose >= 3)
		fprintf(stderr, "%s: no persistent shell, one SSH channel per "
		    "command (turned off)\n", c->desc);
	*out = c;
	return 0;
}

void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	sf_end(c->sftp[0]);
	sf_end(c->sftp[1]);
	free(c->sftp_user);
	tr_psh_close(c);
	if (!c->local)
		tr_ssh_close(c);
	if (c->counted)
		atomic_fetch_sub(&conns_open, 1);
	free(c->desc);
	free(c->user);
	free(c->probe_user);
	free(c);
}

const char *
conn_describe(const struct conn *c)
{
	return c->desc != NULL ? c->desc : "?";
}

void
exec_res_init(struct exec_res *r)
{
	r->rc = -1;
	strbuf_init(&r->out, 0);
	strbuf_init(&r->err, 0);
}

void
exec_res_release(struct exec_res *r)
{
	strbuf_release(&r->out);
	strbuf_release(&r->err);
	r->rc = -1;
}

void
tr_wrap_become(struct strbuf *sb, const char *cmd, const char *user,
    enum become_mode mode)
{
	switch (mode) {
	case BECOME_NONE:
		strbuf_addstr(sb, cmd);
		return;
	case BECOME_NOPASS:
		strbuf_addstr(sb, "sudo -n -u ");
		break;
	case BECOME_PASS:
		strbuf_addstr(sb, "sudo -k -S -p '' -u ");
		break;
	}
	strbuf_addquoted(sb, user);
	strbuf_addstr(sb, " -- /bin/sh -c ");
	strbuf_addquoted(sb, cmd);
}

void
tr_wrap_timeout(struct strbuf *sb, const char *cmd, int timeout)
{
	if (timeout <= 0) {
		strbuf_addstr(sb, cmd);
		return;
	}
	strbuf_addstr(sb, "__mend_cmd=");
	strbuf_addquoted(sb, cmd);
	strbuf_addf(sb, "; if command -v timeout >/dev/null 2>&1; then exec "
	    "timeout -k 2 %d /bin/sh -c \"$__mend_cmd\"; fi; exec /bin/sh -c "
	    "\"$__mend_cmd\"", timeout + 1);
}

int
tr_signum(const char *name)
{
	static const struct { const char *name; int num; } sigs[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
		{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
		{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
		{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
		{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "SYS", SIGSYS },
	};
	size_t i;

	if (name == NULL)
		return 0;
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (strcmp(sigs[i].name, name) == 0)
			return sigs[i].num;
	return 0;
}

static int
run_raw(struct conn *c, const char *cmd, const void *in, size_t inlen,
    int timeout, struct exec_res *r, struct err *e)
{
	int rc;

	strbuf_reset(&r->out);
	strbuf_reset(&r->err);
	r->out.truncated = r->err.truncated = 0;
	r->rc = -1;
	if (c->local)
		return tr_local_exec(c, cmd, in, inlen, timeout, r, e);
	rc = tr_psh_exec(c, cmd, in, inlen, timeout, r, e);
	if (rc != 1)
		return rc;
	return tr_ssh_exec(c, cmd, in, inlen, timeout, r, e);
}

/* Does `sudo -n` work for user on this connection?  Cached per user. */
static int
probe_sudo(struct conn *c, const char *user, int timeout, struct err *e)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	int rc;

	if (c->probe_user != NULL && strcmp(c->probe_user, user) == 0)
		return 0;
	exec_res_init(&r);
	r.out.cap = r.err.cap = 4096;
	tr_wrap_become(&cmd, "true", user, BECOME_NOPASS);
	rc = run_raw(c, cmd.buf, NULL, 0, timeout > 0 ? timeout : PROBE_TIMEOUT,
	    &r, e);
	if (rc == 0) {
		free(c->probe_user);
		c->probe_user = xstrdup(user);
		c->probe_nopass = r.rc == 0;
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return rc;
}

static int
become_mode(struct conn *c, const struct exec_opts *o, const char *user,
    enum become_mode *mode, struct err *e)
{
	int rc;

	*mode = BECOME_NONE;
	/* Already the target user (root logging in as root): no sudo. */
	if (!o->become || strcmp(user, c->user) == 0)
		return 0;
	*mode = BECOME_NOPASS;
	if (o->become_pass == NULL)
		return 0;
	if ((rc = probe_sudo(c, user, o->timeout, e)) < 0)
		return rc;
	if (!c->probe_nopass)
		*mode = BECOME_PASS;
	return 0;
}

int
conn_exec(struct conn *c, const char *cmd, const struct exec_opts *o,
    struct exec_res *r, struct err *e)
{
	static const struct exec_opts defaults;
	struct strbuf line = STRBUF_INIT, in = STRBUF_INIT, tmo = STRBUF_INIT;
	const char *user;
	enum become_mode mode;
	int rc;

	if (o == NULL)
		o = &defaults;
	user = o->become_user != NULL ? o->become_user : "root";
	if ((rc = become_mode(c, o, user, &mode, e)) < 0)
		goto out;
	tr_wrap_timeout(&tmo, cmd, c->local ? 0 : o->timeout);
	tr_wrap_become(&line, tmo.buf, user, mode);
	if (mode == BECOME_PASS) {
		strbuf_addstr(&in, o->become_pass);
		strbuf_addch(&in, '\n');
		strbuf_add(&in, o->in, o->in != NULL ? o->inlen : 0);
	}
	r->out.cap = r->err.cap = o->out_cap ? o->out_cap : OUT_CAP_DEFAULT;
	if (line.len > CONN_CMD_MAX) {
		err_set(e, "the command is too long for a remote shell "
		    "(%zu bytes, at most %d once quoted): pass large data "
		    "through stdin or a file", line.len, CONN_CMD_MAX);
		rc = TERR_TOOLONG;
		goto out;
	}
	if (mode == BECOME_PASS)
		rc = run_raw(c, line.buf, in.buf, in.len, o->timeout, r, e);
	else
		rc = run_raw(c, line.buf, o->in, o->in != NULL ? o->inlen : 0,
		    o->timeout, r, e);
out:
	if (in.alloc)
		explicit_bzero(in.buf, in.alloc);
	strbuf_release(&in);
	strbuf_release(&line);
	strbuf_release(&tmo);
	return rc;
}

/* ---- SFTP ---- */

#define SFTP_TIMEOUT 60    /* seconds per round trip */

/* For become: the host's sftp-server binary, wherever the system keeps it
 * (Debian/Ubuntu, RHEL/Fedora/SUSE, Arch, BSD). */
static const char sftp_server_sh[] =
    "for p in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server "
    "/usr/lib/ssh/sftp-server /usr/libexec/sftp-server "
    "/usr/lib/misc/sftp-server; do [ -x \"$p\" ] && exec \"$p\"; done; "
    "echo 'no sftp-server' >&2; exit 127";

int
conn_sftp(struct conn *c, const struct exec_opts *o, struct sftpc **out,
    struct err *e)
{
	struct strbuf cmd = STRBUF_INIT;
	struct err why = ERR_INIT;
	struct tstream *s;
	const char *user = "root";
	int slot = 0, rc;

	*out = NULL;
	if (c->local)
		return 1;
	if (o != NULL && o->become) {
		if (o->become_user != NULL)
			user = o->become_user;
		slot = strcmp(user, c->user) != 0;
	}
	if (slot == 1 && o->become_pass != NULL)
		return 1;                 /* sudo -S would share stdin */
	if (slot == 1 && (c->sftp_user == NULL ||
	    strcmp(c->sftp_user, user) != 0)) {
		sf_end(c->sftp[1]);       /* another become user: start over */
		c->sftp[1] = NULL;
		c->sftp_off[1] = 0;
		free(c->sftp_user);
		c->sftp_user = xstrdup(user);
	}
	if (c->sftp[slot] != NULL) {
		*out = c->sftp[slot];
		return 0;
	}
	if (c->sftp_off[slot])
		return 1;
	s = xcalloc(1, sizeof(*s));
	s->fd = -1;
	s->c = c;
	s->timeout_ms = SFTP_TIMEOUT * 1000;
	if (slot == 1)
		tr_wrap_become(&cmd, sftp_server_sh, user, BECOME_NOPASS);
	rc = tr_ssh_session_open(c, slot == 0 ? "sftp" : NULL, cmd.buf, s, e);
	strbuf_release(&cmd);
	if (rc == TERR_UNREACHABLE) {
		free(s);
		return rc;
	}
	if (rc < 0) {
		free(s);
		c->sftp_off[slot] = 1;
		return 1;
	}
	rc = sf_start(s, SFTP_TIMEOUT * 1000, &c->sftp[slot], &why);
	err_release(&why);
	if (rc < 0) {     /* s is closed; a lost connection shows next time */
		c->sftp_off[slot] = 1;
		return 1;
	}
	*out = c->sftp[slot];
	return 0;
}

void
conn_sftp_broken(struct conn *c, struct sftpc *sf)
{
	int i;

	for (i = 0; i < 2; i++)
		if (c->sftp[i] == sf && sf != NULL) {
			sf_end(sf);
			c->sftp[i] = NULL;
			c->sftp_off[i] = 1;
		}
}

int
conn_tcp_open(struct conn *c, const char *host, int port, int timeout,
    struct tstream **out, struct err *e)
{
	struct tstream *s = xcalloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	s->fd = -1;
	s->c = c;
	s->timeout_ms = (timeout > 0 ? timeout : PROBE_TIMEOUT) * 1000;
	if (c->local) {
		rc = tr_tcp_connect(host, port, s->timeout_ms, e);
		if (rc >= 0) {
			s->fd = rc;
			rc = 0;
		} else if (rc == TERR_UNREACHABLE) {
			rc = TERR_CONNECT;
		}
	} else {
		rc = tr_ssh_tcp_open(c, host, port, timeout, s, e);
	}
	if (rc < 0) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int
tstream_tcp_connect(const char *host, int port, int timeout_ms,
    struct tstream **out, struct err *e)
{
	struct tstream *s;
	int fd;

	*out = NULL;
	fd = tr_tcp_connect(host, port, timeout_ms, e);
	if (fd < 0)
		return fd == TERR_UNREACHABLE ? TERR_CONNECT : fd;
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->timeout_ms = timeout_ms;
	*out = s;
	return 0;
}

ssize_t
tstream_read(struct tstream *s, void *buf, size_t len, int timeout_ms)
{
	if (s->fd >= 0)
		return tr_fd_read(s, buf, len, timeout_ms);
	return tr_ssh_read(s, buf, len, timeout_ms);
}

ssize_t
tstream_write(struct tstream *s, const void *buf, size_t len)
{
	if (s->fd >= 0)
		return tr_fd_write(s, buf, len);
	return tr_ssh_write(s, buf, len);
}

void
tstream_close(struct tstream *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		tr_fd_close(s);
	else
		tr_ssh_stream_close(s);
	free(s);
}
