/*
 * transport.h - one connection per host: SSH (libssh) or local.
 *
 * A `struct conn` is opened once per host and reused by every task of the
 * run; each command gets its own channel.  A conn is used by one thread at a
 * time (the executor gives each host to one worker).
 *
 * Errors: functions return 0 on success and a negative TERR_* code on a
 * transport failure, with a human message in `e` ("connection refused",
 * "host key for 198.51.100.11 is unknown ...").  A command that ran and exited
 * non-zero is NOT a transport failure: conn_exec() returns 0 and r->rc != 0.
 * TERR_UNREACHABLE marks the host unreachable (exit code 4 of mend run).
 */
#ifndef MEND_TRANSPORT_H
#define MEND_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"

enum hostkey_policy { HK_STRICT, HK_ACCEPT_NEW, HK_OFF };

#define TERR_UNREACHABLE  (-2)   /* connect/auth/host key failure, or lost */
#define TERR_TIMEOUT      (-3)   /* a command exceeded its timeout */
#define TERR_INTERNAL     (-4)
#define TERR_CONNECT      (-5)   /* conn_tcp_open: the target port refused,
                                  * timed out or does not resolve; the host
                                  * itself is fine */
#define TERR_TOOLONG      (-6)   /* conn_exec: the command line is longer
                                  * than a remote shell takes (nothing was
                                  * sent; the connection is fine) */

/* The longest command line conn_exec() sends, after the timeout and become
 * wrappers: sshd and sudo hand it to `sh -c` as ONE argument, and Linux
 * refuses an argument of 128 KiB or more (MAX_ARG_STRLEN: E2BIG; OpenSSH
 * closes the whole connection on requests near 256 KiB).  Larger data
 * goes through the command's stdin (exec_opts.in) or a file. */
#define CONN_CMD_MAX      (128 * 1024 - 1)

struct conn_params {
	const char *name;         /* inventory name, for messages */
	const char *host;         /* ansible_host or name */
	int port;                 /* 0 = from ssh config or 22 */
	const char *user;         /* NULL = ssh config or current user */
	const char *identity;     /* private key file, or NULL */
	const char *known_hosts;  /* NULL = ~/.ssh/known_hosts */
	const char *ssh_config;   /* NULL = ~/.ssh/config (if present) and
	                           * /etc/ssh/ssh_config; else that file only */
	enum hostkey_policy policy;
	int connect_timeout;      /* seconds, 0 = 10; TCP connect + handshake,
	                           * then again for authentication */
	int local;                /* ansible_connection=local */
	int alive_interval;       /* seconds of silence before a keepalive
	                           * probe: 0 = 15, -1 = no liveness check */
	int alive_count;          /* unanswered probes that mean the host is
	                           * gone: 0 = 3 */
	int no_persistent_shell;  /* one channel per command (see below);
	                           * also MEND_NO_PERSISTENT_SHELL=1 */
	int verbose;              /* -v count: 3 says which path runs */
};

/*
 * Commands over SSH run through one persistent shell per connection: the
 * first conn_exec() opens one exec channel (one login shell on the host)
 * running a small /bin/sh loop, and every command goes through it, run by
 * /bin/sh -c with stdin on a pipe and stdout/stderr in files of a private
 * mktemp -d directory, sent back between markers only the controller
 * knows (runner/transport/pshframe.h).  Results, timeouts, become and
 * liveness are as with a channel per command; the environment is what
 * the login shell exported when it started, once (the commands are not
 * run by the login shell itself: a function or an unexported variable
 * set in ~/.bashrc is not there, and SHLVL is one less).
 * Where the shell cannot start (no mktemp, a restricted login shell,
 * MaxSessions) or it is turned off, each command gets its own channel,
 * as before.  With SFTP a host sees at most 2 login shells per
 * connection (3 with become to another user: its sftp-server).
 */

/*
 * Liveness (as OpenSSH's ServerAliveInterval/ServerAliveCountMax, but on by
 * default): while mend waits on a host (a command, an SFTP reply, a channel
 * to open) and nothing has arrived from it for alive_interval seconds, it
 * sends a keepalive request (keepalive@openssh.com, which sshd answers),
 * again every interval; after alive_count intervals of silence the
 * connection is given up: "connection to 'X' lost: the host stopped
 * answering (no reply to keepalives for 45 s)".  A long command is never
 * cut short while sshd answers.  Needs mend's own socket (TCP_INFO): with a
 * ProxyCommand/ProxyJump there is no liveness check.
 */

/*
 * conn_open() notes.  The ssh config supplies Host/HostName/Port/User/
 * IdentityFile/ProxyCommand/ProxyJump/UserKnownHostsFile...; the explicit
 * params win.  ProxyJump works (libssh 0.10 runs `ssh -W` through the OpenSSH
 * client, which uses its own config and keys for the jump host).  Keys: the
 * explicit identity first, then ssh-agent (SSH_AUTH_SOCK), IdentityFile
 * entries, ~/.ssh/id_{ed25519,ecdsa,rsa}; encrypted keys only via the agent.
 * Host keys: HK_STRICT refuses an unknown key (the message has its SHA256
 * fingerprint and how to accept it), HK_ACCEPT_NEW appends it to the
 * known_hosts file (warning on stderr), HK_OFF accepts it unrecorded (warning
 * on stderr); a CHANGED key is refused under every policy.  All of these are
 * TERR_UNREACHABLE.  conn_describe() is then "user@host:port" (after the ssh
 * config), or "user@local".
 */

struct exec_opts {
	const void *in;           /* bytes for the command's stdin, or NULL */
	size_t inlen;
	int timeout;              /* seconds, 0 = none */
	int become;               /* wrap in sudo */
	const char *become_user;  /* NULL = root */
	const char *become_pass;  /* NULL = sudo -n; never logged */
	size_t out_cap;           /* cap on captured stdout/stderr, 0 = 16 MiB */
};

struct exec_res {
	int rc;                   /* exit status; 128+N if killed by signal N */
	struct strbuf out;        /* stdout (capped) */
	struct strbuf err;        /* stderr (capped) */
};

struct conn;
struct tstream;

/* Library set-up/tear-down (ssh_init/ssh_finalize); call once. */
int transport_init(void);
void transport_shutdown(void);

int conn_open(struct conn **out, const struct conn_params *p, struct err *e);
void conn_close(struct conn *c);
/* The most SSH connections (conn_open() to conn_close()) this process
 * had open at once, for the run's -vv summary and its tests. */
int conn_peak_open(void);
/* Human description of the peer ("root@198.51.100.11:22"). */
const char *conn_describe(const struct conn *c);

void exec_res_init(struct exec_res *r);
void exec_res_release(struct exec_res *r);
/* Run `cmd` with /bin/sh -c semantics on the host. `cmd` must already be
 * fully quoted (see shellcmd.h).  o may be NULL (no stdin, no timeout, no
 * become).  r (exec_res_init'ed) is reset first; r->out/r->err get
 * o->out_cap as cap.  With o->become the command runs under sudo (skipped
 * when the login user already is the become user); with o->become_pass
 * the password is fed to sudo on stdin, never on a command line (see
 * transport.c).  A timeout returns TERR_TIMEOUT; the remote command is sent
 * SIGTERM (ssh "signal" request; local: its process group gets SIGTERM, then
 * SIGKILL after 1 s) and its channel closed; the connection stays usable.
 * A command line longer than CONN_CMD_MAX once wrapped is refused before
 * anything is sent: TERR_TOOLONG. */
int conn_exec(struct conn *c, const char *cmd, const struct exec_opts *o,
    struct exec_res *r, struct err *e);

/*
 * The host's SFTP server, as the user conn_exec() with `o` would run
 * commands as (o NULL: the login user): the "sftp" subsystem, or for
 * become `sudo -n -u USER` running the host's sftp-server (found in the
 * usual places).  Opened on first use and kept with the connection.
 * Returns 0 with *out set; 1 when SFTP is not available that way (local
 * connection, no subsystem, sudo wants a password, a server without the
 * OpenSSH extensions sftpc.h needs): callers then use commands; or a
 * TERR_* when the connection itself broke.  After an operation on *out
 * failed with a TERR_* code, call conn_sftp_broken(): the session is
 * closed and not reopened.
 */
struct sftpc;
int conn_sftp(struct conn *c, const struct exec_opts *o, struct sftpc **out,
    struct err *e);
void conn_sftp_broken(struct conn *c, struct sftpc *sf);

/* Open a TCP stream from the host to host:port (libssh direct-tcpip, or a
 * plain socket for local connections).  Used by protocol probes. */
int conn_tcp_open(struct conn *c, const char *host, int port, int timeout,
    struct tstream **out, struct err *e);
/* `timeout` (seconds, 0 = 30) bounds the connect and every later
 * tstream_write().  Failures: TERR_CONNECT (target refused/unreachable),
 * TERR_TIMEOUT, TERR_UNREACHABLE (the SSH connection itself broke).
 * Close every tstream of a conn before conn_close(). */
/* A TCP stream from the controller itself (no conn: mend scan).
 * timeout_ms bounds the connect and every later tstream_write().  Returns
 * 0, or TERR_CONNECT with e set ("cannot connect to 'h:p': connection
 * refused", "... timed out after N s", "cannot resolve 'h': ..."). */
int tstream_tcp_connect(const char *host, int port, int timeout_ms,
    struct tstream **out, struct err *e);
/* Returns bytes read (at most len, as soon as any are there), 0 on EOF, -1 on
 * error, TERR_TIMEOUT on timeout.  timeout_ms < 0 waits forever, 0 only
 * takes what is already there. */
ssize_t tstream_read(struct tstream *s, void *buf, size_t len, int timeout_ms);
/* Writes all len bytes; returns len, or -1 on error or timeout. */
ssize_t tstream_write(struct tstream *s, const void *buf, size_t len);
void tstream_close(struct tstream *s);

#endif
