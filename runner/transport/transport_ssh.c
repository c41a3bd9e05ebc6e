/*
 * transport_ssh.c - SSH connections with libssh 0.10.
 *
 * Opening: options from the ssh config (~/.ssh/config and
 * /etc/ssh/ssh_config, or conn_params.ssh_config alone, like ssh -F), then
 * the explicit conn_params on top.  We make the TCP connection ourselves
 * (non-blocking connect bounded by connect_timeout, TCP_NODELAY, keepalive,
 * precise "connection refused"/"no route to host" messages) and hand the
 * socket to libssh; with a ProxyCommand or ProxyJump (which libssh 0.10
 * turns into ProxyCommand "ssh -W '[%h]:%p' JUMP") libssh runs the proxy
 * command instead.  Key exchange, host key and authentication run in
 * blocking mode with libssh's timeout set to what is left of connect_timeout
 * (libssh's default algorithm order already prefers curve25519-sha256 and
 * ssh-ed25519).  Then the session switches to non-blocking mode for good:
 * every command gets its own channel, driven by an ssh_event poll loop with
 * channel callbacks (stdout, stderr, exit status/signal, close) and an
 * absolute deadline, so there is no busy waiting and no sleeping.
 *
 * Host keys: known_hosts reads take a shared lock, the accept-new append an
 * exclusive one (and re-checks first), so 200 threads can connect at once.
 *
 * Authentication: first the explicit key (conn_params.identity), signed
 * straight away: one round trip instead of the usual two (offer the public
 * key, then sign), which also spares the server an authorized_keys lookup.
 * If that is refused or cannot be loaded (an encrypted key), then
 * ssh_userauth_publickey_auto(): ssh-agent (when SSH_AUTH_SOCK is set), the
 * IdentityFile entries of the ssh config, the default keys (~/.ssh/id_ed25519,
 * id_ecdsa, id_rsa).  Encrypted keys are usable through the agent only.
 * (Trying the explicit key before the agent keys also keeps a big agent
 * from exhausting the server's MaxAuthTries before the right key.)
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>    /* ssh_send_keepalive (any session) */

#include "runner/transport/knownhosts.h"
#include "runner/transport/transport_impl.h"
#include "runner/util/input.h"
#include "runner/util/banned.h"

#define CONNECT_TIMEOUT_DEFAULT 10
#define ALIVE_INTERVAL_DEFAULT 15   /* transport.h: liveness */
#define ALIVE_COUNT_DEFAULT 3
#define WRITE_CHUNK (256u << 10)

struct ssh_conn {
	ssh_session s;
	ssh_event ev;
	int fd;             /* our socket (SSH_OPTIONS_FD), -1 with a proxy */
	dev_t fd_dev;       /* ... and its identity, see close_socket() */
	ino_t fd_ino;
	char *lost;         /* why the connection broke, once it did */
	ssh_channel spare;  /* the next command's channel, see prepare_spare() */
	int no_spare;       /* the server refused one: don't */
	char *host;         /* after ssh config (HostName) */
	int port;
	int alive_ms;       /* keepalive interval (0: no liveness check) */
	int alive_count;
	int64_t probed;     /* mono_ms() of the last keepalive sent */
};

static pthread_rwlock_t known_hosts_lock = PTHREAD_RWLOCK_INITIALIZER;

static void quickack(struct ssh_conn *sc);
static void prepare_spare(struct conn *c);

/* Passphrases are never asked for (encrypted keys go through the agent):
 * without this callback libssh lets OpenSSL prompt on the terminal for
 * an encrypted PEM key. */
static int
no_passphrase(const char *prompt, char *buf, size_t len, int echo,
    int verify, void *userdata)
{
	(void)prompt, (void)buf, (void)len, (void)echo, (void)verify;
	(void)userdata;
	return -1;
}

static struct ssh_callbacks_struct session_callbacks = {
	.size = sizeof(struct ssh_callbacks_struct),
	.auth_function = no_passphrase,
};

/* ---- opening ----------------------------------------------------------- */

static int
parse_config(ssh_session s, const struct conn_params *p, struct err *e)
{
	if (p->ssh_config != NULL && access(p->ssh_config, R_OK) < 0)
		return err_set(e, "cannot read ssh config '%s': %s",
		    p->ssh_config, strerror(errno)), TERR_UNREACHABLE;
	if (ssh_options_parse_config(s, p->ssh_config) < 0)
		return err_set(e, "bad ssh config%s%s%s: %s",
		    p->ssh_config ? " '" : "", p->ssh_config ? p->ssh_config : "",
		    p->ssh_config ? "'" : "", ssh_get_error(s)), TERR_UNREACHABLE;
	return 0;
}

static int
set_option(ssh_session s, enum ssh_options_e opt, const void *val,
    const char *what, struct err *e)
{
	if (ssh_options_set(s, opt, val) == SSH_OK)
		return 0;
	err_set(e, "bad %s: %s", what, ssh_get_error(s));
	return TERR_UNREACHABLE;
}

/* Explicit parameters override the ssh config. */
static int
set_params(ssh_session s, const struct conn_params *p, struct err *e)
{
	unsigned int port = (unsigned int)p->port;
	int one = 1, rc = 0;

	if (p->port > 0)
		rc = set_option(s, SSH_OPTIONS_PORT, &port, "port", e);
	if (rc == 0 && p->user != NULL)
		rc = set_option(s, SSH_OPTIONS_USER, p->user, "user", e);
	if (rc == 0 && p->known_hosts != NULL)
		rc = set_option(s, SSH_OPTIONS_KNOWNHOSTS, p->known_hosts,
		    "known_hosts file", e);
	if (rc == 0)
		rc = set_option(s, SSH_OPTIONS_NODELAY, &one, "nodelay", e);
	return rc;
}

static int
setup_session(struct conn *c, const struct conn_params *p, struct err *e)
{
	struct ssh_conn *sc = c->ssh;
	bool no = false;
	char *user = NULL;
	unsigned int port = 22;
	int rc;

	if ((sc->s = ssh_new()) == NULL)
		fatal("out of memory (ssh_new)");
	ssh_set_callbacks(sc->s, &session_callbacks);
	if ((rc = set_option(sc->s, SSH_OPTIONS_HOST, p->host, "host", e)) ||
	    (rc = set_option(sc->s, SSH_OPTIONS_PROCESS_CONFIG, &no, "config",
	    e)) || (rc = parse_config(sc->s, p, e)) ||
	    (rc = set_params(sc->s, p, e)))
		return rc;
	if (ssh_options_get(sc->s, SSH_OPTIONS_HOST, &sc->host) != SSH_OK)
		sc->host = NULL;
	if (ssh_options_get(sc->s, SSH_OPTIONS_USER, &user) != SSH_OK &&
	    (ssh_options_set(sc->s, SSH_OPTIONS_USER, NULL) != SSH_OK ||
	    ssh_options_get(sc->s, SSH_OPTIONS_USER, &user) != SSH_OK))
		return err_set(e, "cannot tell the local user name"),
		    TERR_INTERNAL;
	ssh_options_get_port(sc->s, &port);
	sc->port = (int)port;
	c->user = xstrdup(user);
	ssh_string_free_char(user);
	if (sc->host == NULL)
		return err_set(e, "no host name"), TERR_UNREACHABLE;
	c->desc = xasprintf("%s@%s:%d", c->user, sc->host, sc->port);
	return 0;
}

static void
set_timeout(ssh_session s, int ms)
{
	long sec = ms / 1000, usec = (ms % 1000) * 1000L;

	if (sec == 0 && usec == 0)
		usec = 1000;    /* 0 would mean libssh's default */
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

static int
uses_proxy(ssh_session s)
{
	char *proxy = NULL;
	int yes;

	if (ssh_options_get(s, SSH_OPTIONS_PROXYCOMMAND, &proxy) != SSH_OK)
		return 0;
	yes = proxy != NULL && *proxy != '\0' && strcasecmp(proxy, "none");
	ssh_string_free_char(proxy);
	return yes;
}

static int
do_connect(struct conn *c, int timeout, struct err *e)
{
	struct ssh_conn *sc = c->ssh;
	int64_t deadline = mono_ms() + timeout * 1000LL;
	struct stat st;
	int fd;

	if (!uses_proxy(sc->s)) {
		fd = tr_tcp_connect(sc->host, sc->port, timeout * 1000, e);
		if (fd < 0)
			return fd;
		if (ssh_options_set(sc->s, SSH_OPTIONS_FD, &fd) != SSH_OK) {
			close(fd);
			return err_set(e, "cannot use socket"), TERR_INTERNAL;
		}
		if (fstat(fd, &st) == 0) {
			sc->fd = fd;
			sc->fd_dev = st.st_dev;
			sc->fd_ino = st.st_ino;
		}
	}
	set_timeout(sc->s, tr_left_ms(deadline));
	if (ssh_connect(sc->s) == SSH_OK)
		return 0;
	if (tr_left_ms(deadline) == 0)
		err_set(e, "cannot connect to '%s:%d': connection timed out "
		    "after %d s (ssh handshake)", sc->host, sc->port, timeout);
	else if (strstr(ssh_get_error(sc->s), "Socket error") != NULL)
		err_set(e, "cannot connect to '%s:%d': connection closed by the "
		    "other side before the ssh handshake completed (%s)",
		    sc->host, sc->port, ssh_get_error(sc->s));
	else
		err_set(e, "cannot connect to '%s:%d': ssh handshake failed: %s",
		    sc->host, sc->port, ssh_get_error(sc->s));
	return TERR_UNREACHABLE;
}

/* ---- host key ---------------------------------------------------------- */

struct hostkey {
	char *fp;           /* "SHA256:..." */
	char *b64;          /* the key as known_hosts writes it */
	const char *type;   /* "ssh-ed25519" */
	char *file;         /* the known_hosts file */
	char *kh_name;      /* "host" or "[host]:port" */
};

static int
hostkey_get(struct conn *c, struct hostkey *hk, struct err *e)
{
	struct ssh_conn *sc = c->ssh;
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp;

	if (ssh_get_server_publickey(sc->s, &key) != SSH_OK ||
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) != SSH_OK) {
		ssh_key_free(key);
		return err_set(e, "cannot get the host key of '%s:%d': %s",
		    sc->host, sc->port, ssh_get_error(sc->s)), TERR_UNREACHABLE;
	}
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	hk->fp = xstrdup(fp != NULL ? fp : "?");
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	hk->type = ssh_key_type_to_char(ssh_key_type(key));
	if (ssh_pki_export_pubkey_base64(key, &fp) == SSH_OK) {
		hk->b64 = xstrdup(fp);
		ssh_string_free_char(fp);
	} else {
		hk->b64 = xstrdup("?");
	}
	ssh_key_free(key);
	if (ssh_options_get(sc->s, SSH_OPTIONS_KNOWNHOSTS, &fp) == SSH_OK) {
		hk->file = xstrdup(fp);
		ssh_string_free_char(fp);
	} else {
		hk->file = xstrdup("~/.ssh/known_hosts");
	}
	if (sc->port == 22)
		hk->kh_name = xstrdup(sc->host);
	else
		hk->kh_name = xasprintf("[%s]:%d", sc->host, sc->port);
	return 0;
}

static void
hostkey_release(struct hostkey *hk)
{
	free(hk->fp);
	free(hk->b64);
	free(hk->file);
	free(hk->kh_name);
}

static enum ssh_known_hosts_e
known_state(ssh_session s)
{
	enum ssh_known_hosts_e st;

	pthread_rwlock_rdlock(&known_hosts_lock);
	st = ssh_session_is_known_server(s);
	pthread_rwlock_unlock(&known_hosts_lock);
	return st;
}

/* accept-new: append the key (unless another thread just did). */
static int
record_key(struct conn *c, const struct hostkey *hk, struct err *e)
{
	enum ssh_known_hosts_e st;
	int rc = 0;

	pthread_rwlock_wrlock(&known_hosts_lock);
	st = ssh_session_is_known_server(c->ssh->s);
	if ((st == SSH_KNOWN_HOSTS_UNKNOWN || st == SSH_KNOWN_HOSTS_NOT_FOUND) &&
	    ssh_session_update_known_hosts(c->ssh->s) != SSH_OK) {
		err_set(e, "cannot record the host key of '%s' in '%s': %s",
		    hk->kh_name, hk->file, ssh_get_error(c->ssh->s));
		rc = TERR_UNREACHABLE;
	}
	pthread_rwlock_unlock(&known_hosts_lock);
	if (rc == 0 && st != SSH_KNOWN_HOSTS_OK)
		fprintf(stderr, "warning: permanently added '%s' (%s %s) to "
		    "'%s'\n", hk->kh_name, hk->type, hk->fp, hk->file);
	return rc;
}

static int
unknown_key(struct conn *c, enum hostkey_policy policy,
    const struct hostkey *hk, struct err *e)
{
	struct ssh_conn *sc = c->ssh;

	switch (policy) {
	case HK_ACCEPT_NEW:
		return record_key(c, hk, e);
	case HK_OFF:
		fprintf(stderr, "warning: host key of '%s' is not known (%s %s); "
		    "accepted unchecked (host key policy off)\n", hk->kh_name,
		    hk->type, hk->fp);
		return 0;
	case HK_STRICT:
		break;
	}
	err_set(e, "host key for '%s' (%s %s) is unknown; to trust it, run "
	    "with --host-key-policy accept-new, or add it: ssh-keyscan -p %d "
	    "%s >> %s", hk->kh_name, hk->type, hk->fp, sc->port, sc->host,
	    hk->file);
	return TERR_UNREACHABLE;
}

/* The markers libssh skips (knownhosts.h), read under the shared lock. */
static void
scan_markers(const struct hostkey *hk, struct kh_markers *mk)
{
	struct strbuf text = STRBUF_INIT;
	const char *home = getenv("HOME");
	char *path = strncmp(hk->file, "~/", 2) == 0 && home != NULL ?
	    xasprintf("%s/%s", home, hk->file + 2) : xstrdup(hk->file);
	struct err e = ERR_INIT;

	pthread_rwlock_rdlock(&known_hosts_lock);
	(void)input_read_file(path, "known_hosts file", &text, &e);
	pthread_rwlock_unlock(&known_hosts_lock);
	kh_scan_markers(text.buf, text.len, hk->kh_name, hk->type, hk->b64,
	    mk);
	err_release(&e);
	strbuf_release(&text);
	free(path);
}

/* OpenSSH: "WARNING: REVOKED HOST KEY DETECTED! The ED25519 host key for
 * HOST is marked as revoked.  This could mean that a stolen key is being
 * used to impersonate this host." - and no policy lets it through. */
static int
revoked(const struct hostkey *hk, const struct kh_markers *mk, struct err *e)
{
	err_set(e, "REVOKED HOST KEY DETECTED for '%s', refusing to connect: "
	    "the %s host key %s is marked as revoked in '%s' line %d; this "
	    "could mean that a stolen key is being used to impersonate this "
	    "host", hk->kh_name, hk->type, hk->fp, hk->file, mk->revoked_line);
	return TERR_UNREACHABLE;
}

/* OpenSSH would ask the host for a certificate signed by the CA; libssh
 * 0.10 cannot check host certificates, so mend refuses rather than trust
 * the plain key on first use behind the operator's back. */
static int
cert_authority(const struct hostkey *hk, const struct kh_markers *mk,
    struct err *e)
{
	err_set(e, "host key for '%s' (%s %s) is not known, and '%s' line %d "
	    "trusts a certificate authority (@cert-authority) for this host: "
	    "mend cannot check host certificates, so it refuses; add the "
	    "host's own key to '%s' (ssh-keyscan) to trust it", hk->kh_name,
	    hk->type, hk->fp, hk->file, mk->ca_line, hk->file);
	return TERR_UNREACHABLE;
}

static int
check_host_key(struct conn *c, enum hostkey_policy policy, struct err *e)
{
	struct hostkey hk = { NULL, NULL, NULL, NULL, NULL };
	struct kh_markers mk;
	int rc;

	if ((rc = hostkey_get(c, &hk, e)) < 0)
		return rc;
	scan_markers(&hk, &mk);
	if (mk.revoked_line > 0) {
		rc = revoked(&hk, &mk, e);
		hostkey_release(&hk);
		return rc;
	}
	switch (known_state(c->ssh->s)) {
	case SSH_KNOWN_HOSTS_OK:
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		err_set(e, "HOST KEY FOR '%s' HAS CHANGED, refusing to connect: "
		    "the server now offers %s %s, which does not match '%s' "
		    "(someone may be intercepting the connection, or the host "
		    "was reinstalled; if the change is expected remove the old "
		    "key: ssh-keygen -R '%s' -f %s)", hk.kh_name, hk.type, hk.fp,
		    hk.file, hk.kh_name, hk.file);
		rc = TERR_UNREACHABLE;
		break;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		rc = mk.ca_line > 0 && policy != HK_OFF ?
		    cert_authority(&hk, &mk, e) : unknown_key(c, policy, &hk, e);
		break;
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		err_set(e, "cannot check the host key of '%s' against '%s': %s",
		    hk.kh_name, hk.file, ssh_get_error(c->ssh->s));
		rc = TERR_UNREACHABLE;
		break;
	}
	hostkey_release(&hk);
	return rc;
}

/* ---- authentication ---------------------------------------------------- */

/* The explicit key, without offering it first.  *note says why it could
 * not be used, if it could not. */
static int
auth_identity(ssh_session s, const char *file, const char **note)
{
	ssh_key key = NULL;
	int rc;

	*note = "";
	if (file == NULL)
		return SSH_AUTH_DENIED;
	if (access(file, R_OK) < 0) {
		*note = " (not readable)";
		return SSH_AUTH_DENIED;
	}
	if (ssh_pki_import_privkey_file(file, NULL, no_passphrase, NULL,
	    &key) != SSH_OK) {
		*note = " (cannot load it: encrypted keys work through ssh-agent "
		    "only)";
		return SSH_AUTH_DENIED;
	}
	rc = ssh_userauth_publickey(s, NULL, key);
	ssh_key_free(key);
	return rc;
}

/* "publickey,password" as the server lists them (publickey if unknown). */
static void
auth_methods(ssh_session s, struct strbuf *sb)
{
	int methods = ssh_userauth_list(s, NULL);

	if (methods & SSH_AUTH_METHOD_PUBLICKEY)
		strbuf_addstr(sb, "publickey,");
	if (methods & SSH_AUTH_METHOD_PASSWORD)
		strbuf_addstr(sb, "password,");
	if (methods & SSH_AUTH_METHOD_INTERACTIVE)
		strbuf_addstr(sb, "keyboard-interactive,");
	if (methods & SSH_AUTH_METHOD_GSSAPI_MIC)
		strbuf_addstr(sb, "gssapi-with-mic,");
	if (sb->len == 0)
		strbuf_addstr(sb, "publickey,");
	strbuf_setlen(sb, sb->len - 1);
}

static int
authenticate(struct conn *c, const struct conn_params *p, struct err *e)
{
	struct ssh_conn *sc = c->ssh;
	struct strbuf why = STRBUF_INIT;
	const char *note;
	int rc;

	rc = auth_identity(sc->s, p->identity, &note);
	if (rc == SSH_AUTH_DENIED)
		rc = ssh_userauth_publickey_auto(sc->s, NULL, NULL);
	if (rc == SSH_AUTH_SUCCESS)
		return 0;
	if (rc == SSH_AUTH_ERROR && !ssh_is_connected(sc->s))
		return err_set(e, "connection to '%s' lost during "
		    "authentication: %s", c->desc, ssh_get_error(sc->s)),
		    TERR_UNREACHABLE;
	auth_methods(sc->s, &why);
	if (p->identity != NULL)
		err_set(e, "permission denied (%s) for '%s' with key '%s'%s",
		    why.buf, c->desc, p->identity, note);
	else
		err_set(e, "permission denied (%s) for '%s'", why.buf, c->desc);
	strbuf_release(&why);
	return TERR_UNREACHABLE;
}

int
tr_ssh_open(struct conn *c, const struct conn_params *p, struct err *e)
{
	int timeout = p->connect_timeout > 0 ? p->connect_timeout :
	    CONNECT_TIMEOUT_DEFAULT;
	struct ssh_conn *sc;
	int rc;

	c->ssh = sc = xcalloc(1, sizeof(*sc));
	sc->fd = -1;
	sc->alive_ms = p->alive_interval < 0 ? 0 : 1000 * (p->alive_interval ?
	    p->alive_interval : ALIVE_INTERVAL_DEFAULT);
	sc->alive_count = p->alive_count > 0 ? p->alive_count :
	    ALIVE_COUNT_DEFAULT;
	if (p->host == NULL || *p->host == '\0')
		return err_set(e, "no host to connect to for '%s'",
		    p->name ? p->name : "?"), TERR_UNREACHABLE;
	if ((rc = setup_session(c, p, e)) < 0 ||
	    (rc = do_connect(c, timeout, e)) < 0 ||
	    (rc = check_host_key(c, p->policy, e)) < 0)
		return rc;
	set_timeout(sc->s, timeout * 1000);
	if ((rc = authenticate(c, p, e)) < 0)
		return rc;
	quickack(sc);
	ssh_set_blocking(sc->s, 0);
	if ((sc->ev = ssh_event_new()) == NULL ||
	    ssh_event_add_session(sc->ev, sc->s) != SSH_OK)
		return err_set(e, "cannot set up the ssh event loop"),
		    TERR_INTERNAL;
	prepare_spare(c);
	return 0;
}

/*
 * libssh 0.10 does not close a socket given with SSH_OPTIONS_FD when the
 * session ends (ssh_disconnect/ssh_free), only when it hits a socket error.
 * So we close it, but only if the descriptor still is that socket: after
 * libssh closed it, another thread may already own the same number.
 */
static void
close_socket(struct ssh_conn *sc)
{
	struct stat st;

	if (sc->fd >= 0 && fstat(sc->fd, &st) == 0 &&
	    st.st_dev == sc->fd_dev && st.st_ino == sc->fd_ino)
		close(sc->fd);
	sc->fd = -1;
}

void
tr_ssh_close(struct conn *c)
{
	struct ssh_conn *sc = c->ssh;

	if (sc == NULL)
		return;
	if (sc->spare != NULL)
		ssh_channel_free(sc->spare);    /* before ssh_disconnect() */
	if (sc->ev != NULL) {
		ssh_event_remove_session(sc->ev, sc->s);
		ssh_event_free(sc->ev);
	}
	if (sc->s != NULL) {
		ssh_disconnect(sc->s);
		ssh_free(sc->s);
	}
	close_socket(sc);
	ssh_string_free_char(sc->host);
	free(sc->lost);
	free(sc);
	c->ssh = NULL;
}

/* ---- the event loop ---------------------------------------------------- */

const char *
tr_ssh_lost_why(const char *msg)
{
	static const int real[] = { ECONNRESET, ETIMEDOUT, EHOSTUNREACH,
	    ENETUNREACH, ENETDOWN, EHOSTDOWN };
	const char *p = strstr(msg, "Socket error: ");
	size_t i;

	if (strstr(msg, "disconnected") != NULL)
		return "connection closed by the host";
	if (p == NULL)
		return msg;
	for (i = 0; i < ARRAY_SIZE(real); i++)
		if (strcmp(p + 14, strerror(real[i])) == 0)
			return msg;
	return "connection closed by the host";
}

/* The connection broke (now or earlier): say why, the first reason. */
static int
lost(struct conn *c, struct err *e)
{
	struct ssh_conn *sc = c->ssh;

	if (sc->lost == NULL)
		sc->lost = xstrdup(tr_ssh_lost_why(ssh_get_error(sc->s)));
	err_set(e, "connection to '%s' lost: %s", c->desc, sc->lost);
	return TERR_UNREACHABLE;
}

int
tr_ssh_check(struct conn *c, struct err *e)
{
	if (c->ssh->lost != NULL || !ssh_is_connected(c->ssh->s))
		return lost(c, e);
	return 0;
}

/*
 * sshd does not set TCP_NODELAY on non-interactive sessions, so its small
 * replies (channel confirmation, exit status) wait behind any unacknowledged
 * packet, and our kernel delays ACKs by up to 40 ms: the first command after
 * authentication (the server's unsolicited hostkeys-00 and debug packets
 * are unacknowledged then) took 48 ms instead of 3.  Asking for immediate
 * ACKs before each wait removes that stall.  (QUICKACK is not sticky: the
 * kernel falls back to delayed ACKs by itself, hence every time.)
 */
static void
quickack(struct ssh_conn *sc)
{
	int one = 1;

	if (sc->fd >= 0)
		setsockopt(sc->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* Milliseconds since the host last sent us data (TCP_INFO), -1 unknown. */
static long
silent_ms(const struct ssh_conn *sc)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (sc->fd < 0 || getsockopt(sc->fd, IPPROTO_TCP, TCP_INFO, &ti,
	    &len) < 0)
		return -1;
	return (long)ti.tcpi_last_data_recv;
}

/* Liveness (transport.h): probe after an interval of silence, give up
 * after alive_count of them.  Returns 0 or TERR_UNREACHABLE. */
static int
alive_check(struct conn *c, struct err *e)
{
	struct ssh_conn *sc = c->ssh;
	long quiet = sc->alive_ms > 0 ? silent_ms(sc) : -1;
	int64_t now = mono_ms();

	if (quiet < 0 || quiet < sc->alive_ms)
		return 0;
	if (quiet >= (long)sc->alive_ms * sc->alive_count) {
		free(sc->lost);
		sc->lost = xasprintf("the host stopped answering (no reply to "
		    "keepalives for %ld s)", quiet / 1000);
		return lost(c, e);
	}
	if (now - sc->probed >= sc->alive_ms) {
		/* twice: a call that only collects the previous reply sends
		 * nothing (libssh 0.10's global request states) */
		ssh_send_keepalive(sc->s);
		ssh_send_keepalive(sc->s);
		sc->probed = now;
	}
	return 0;
}

/* How long one wait may block: at most a second while liveness is on. */
static int
slice_ms(const struct ssh_conn *sc, int ms)
{
	if (sc->alive_ms > 0 && sc->fd >= 0 && (ms < 0 || ms > 1000))
		return 1000;
	return ms;
}

/* Wait for and handle traffic, until the deadline (0 = none).  Returns 0,
 * TERR_TIMEOUT (e not set) or TERR_UNREACHABLE. */
static int
pump(struct conn *c, int64_t deadline, struct err *e)
{
	int ms = tr_left_ms(deadline), rc;

	if (deadline != 0 && ms == 0)
		return TERR_TIMEOUT;
	quickack(c->ssh);
	rc = ssh_event_dopoll(c->ssh->ev, slice_ms(c->ssh, ms));
	if (!ssh_is_connected(c->ssh->s))
		return lost(c, e);
	(void)rc;           /* SSH_ERROR while connected: EINTR, go again */
	return alive_check(c, e);
}

/* ---- commands ---------------------------------------------------------- */

struct run {
	struct exec_res *r;
	const char *cmd;
	int started;        /* the server accepted the exec request */
	int status;         /* got exit-status or exit-signal */
	int closed;         /* the server closed the channel */
};

static int
on_data(ssh_session s, ssh_channel ch, void *data, uint32_t len,
    int is_stderr, void *ud)
{
	struct run *st = ud;

	(void)s, (void)ch;
	strbuf_add(is_stderr ? &st->r->err : &st->r->out, data, len);
	return (int)len;
}

static void
on_close(ssh_session s, ssh_channel ch, void *ud)
{
	(void)s, (void)ch;
	((struct run *)ud)->closed = 1;
}

static void
on_exit_status(ssh_session s, ssh_channel ch, int status, void *ud)
{
	struct run *st = ud;

	(void)s, (void)ch;
	st->r->rc = status;
	st->status = 1;
}

static void
on_exit_signal(ssh_session s, ssh_channel ch, const char *sig, int core,
    const char *msg, const char *lang, void *ud)
{
	struct run *st = ud;
	int n = tr_signum(sig);

	(void)s, (void)ch, (void)core, (void)msg, (void)lang;
	st->r->rc = n > 0 ? 128 + n : 255;
	st->status = 1;
}

/* Close (if the connection still can) and free a channel; NULL is fine. */
static void
chan_drop(struct conn *c, ssh_channel ch)
{
	if (ch == NULL)
		return;
	if (ssh_is_connected(c->ssh->s) && ssh_channel_is_open(ch))
		ssh_channel_close(ch);
	ssh_channel_free(ch);
}

static int
chan_failed(struct conn *c, const char *what, struct err *e)
{
	if (!ssh_is_connected(c->ssh->s))
		return lost(c, e);
	err_set(e, "%s on '%s': %s", what, c->desc, ssh_get_error(c->ssh->s));
	return TERR_INTERNAL;
}

/*
 * The next command's channel is opened ahead of time, as soon as the
 * previous command started (or after the authentication): its confirmation
 * arrives while that command runs, and the next conn_exec() finds an open
 * channel, saving a round trip (on a WAN link, a whole RTT per command).
 * A server that refuses it (MaxSessions 1) gets no more (open_channel()).
 */
static void
prepare_spare(struct conn *c)
{
	struct ssh_conn *sc = c->ssh;

	if (sc->spare != NULL || sc->no_spare || sc->lost != NULL ||
	    !ssh_is_connected(sc->s))
		return;
	if ((sc->spare = ssh_channel_new(sc->s)) == NULL)
		return;
	if (ssh_channel_open_session(sc->spare) == SSH_ERROR) {
		ssh_channel_free(sc->spare);
		sc->spare = NULL;
	}
}

/* Wait until ch is open: 0, 1 (refused; e not set) or pump()'s TERR_*. */
static int
open_wait(struct conn *c, ssh_channel ch, int64_t deadline, struct err *e)
{
	int rc;

	while ((rc = ssh_channel_open_session(ch)) == SSH_AGAIN)
		if ((rc = pump(c, deadline, e)) < 0)
			return rc;
	if (rc == SSH_OK)
		return 0;
	return ssh_is_connected(c->ssh->s) ? 1 : lost(c, e);
}

/*
 * A fresh channel.  A server with MaxSessions 1 may refuse it although our
 * previous channel is closed: sshd frees the session slot only when its
 * main loop collects the closed channel, which can come after our next
 * CHANNEL_OPEN.  So a refusal is retried a few times, 10 to 160 ms apart
 * (waiting on the connection, which stays silent).
 */
static int
open_fresh(struct conn *c, ssh_channel *chp, int64_t deadline,
    struct err *e)
{
	int i, rc, ms = 10;

	for (i = 0;; i++, ms *= 2) {
		if ((*chp = ssh_channel_new(c->ssh->s)) == NULL)
			return chan_failed(c, "cannot create a channel", e);
		if ((rc = open_wait(c, *chp, deadline, e)) != 1)
			return rc;
		if (i == 4)
			return chan_failed(c, "cannot open a channel", e);
		ssh_channel_free(*chp);
		*chp = NULL;
		if (deadline != 0 && tr_left_ms(deadline) < ms)
			return TERR_TIMEOUT;
		if ((rc = pump(c, mono_ms() + ms, e)) < 0 &&
		    rc != TERR_TIMEOUT)
			return rc;
	}
}

/* An open session channel in *chp: the spare, else a fresh one.  After
 * the server refused a spare (MaxSessions 1), no more spares. */
static int
open_channel(struct conn *c, ssh_channel *chp, int64_t deadline,
    struct err *e)
{
	int rc;

	*chp = c->ssh->spare;
	c->ssh->spare = NULL;
	if (*chp == NULL)
		return open_fresh(c, chp, deadline, e);
	if ((rc = open_wait(c, *chp, deadline, e)) != 1)
		return rc;
	ssh_channel_free(*chp);
	*chp = NULL;
	c->ssh->no_spare = 1;
	return open_fresh(c, chp, deadline, e);
}

/*
 * Send the exec request, without waiting for the answer: stdin can follow at
 * once (the server handles packets in order) and the answer comes with the
 * command's results; exec_state() picks it up.
 */
static int
start_command(struct conn *c, ssh_channel ch, struct run *st,
    struct ssh_channel_callbacks_struct *cb, struct err *e)
{
	int rc;

	ssh_set_channel_callbacks(ch, cb);
	rc = ssh_channel_request_exec(ch, st->cmd);
	if (rc == SSH_OK)
		st->started = 1;
	else if (rc != SSH_AGAIN)
		return chan_failed(c, "cannot start the command", e);
	return 0;
}

/* Has the server answered the exec request?  0 (yes or not yet) or the
 * error if it refused. */
static int
exec_state(struct conn *c, ssh_channel ch, struct run *st, struct err *e)
{
	int rc;

	if (st->started)
		return 0;
	rc = ssh_channel_request_exec(ch, st->cmd);     /* only polls now */
	if (rc == SSH_OK)
		st->started = 1;
	else if (rc != SSH_AGAIN)
		return chan_failed(c, "cannot start the command", e);
	return 0;
}

/* Send as much stdin as the channel window allows; EOF after the last
 * byte.  A command that stops reading (closed channel) loses the rest. */
static void
feed(ssh_channel ch, const char *in, size_t inlen, size_t *pos, int *eof)
{
	while (*pos < inlen) {
		size_t chunk = inlen - *pos;
		int n;

		if (chunk > WRITE_CHUNK)
			chunk = WRITE_CHUNK;
		n = ssh_channel_write(ch, in + *pos, (uint32_t)chunk);
		if (n == SSH_ERROR) {
			*eof = 1;
			return;
		}
		if (n <= 0)
			return;     /* window full: wait for an adjust */
		*pos += (size_t)n;
	}
	ssh_channel_send_eof(ch);
	*eof = 1;
}

static int
wait_command(struct conn *c, ssh_channel ch, struct run *st, const void *in,
    size_t inlen, int64_t deadline, struct err *e)
{
	size_t pos = 0;
	int eof = 0, rc = 0;

	while (rc == 0 && (rc = exec_state(c, ch, st, e)) == 0) {
		if (!eof)
			feed(ch, in, inlen, &pos, &eof);
		if (st->closed || ssh_channel_is_closed(ch))
			break;
		rc = pump(c, deadline, e);
	}
	if (rc == 0 && !st->started)
		rc = chan_failed(c, "cannot start the command", e);
	if (rc == 0 && !st->status)
		st->r->rc = 255;    /* closed without an exit status */
	return rc;
}

static void
init_callbacks(struct ssh_channel_callbacks_struct *cb, struct run *st)
{
	memset(cb, 0, sizeof(*cb));
	cb->userdata = st;
	cb->channel_data_function = on_data;
	cb->channel_close_function = on_close;
	cb->channel_exit_status_function = on_exit_status;
	cb->channel_exit_signal_function = on_exit_signal;
	ssh_callbacks_init(cb);
}

int
tr_ssh_exec(struct conn *c, const char *cmd, const void *in, size_t inlen,
    int timeout, struct exec_res *r, struct err *e)
{
	struct run st = { r, cmd, 0, 0, 0 };
	struct ssh_channel_callbacks_struct cb;
	int64_t deadline = timeout > 0 ? mono_ms() + timeout * 1000LL : 0;
	ssh_channel ch = NULL;
	int rc;

	init_callbacks(&cb, &st);
	if (c->ssh->lost != NULL)
		return lost(c, e);
	rc = open_channel(c, &ch, deadline, e);
	if (rc == 0)
		rc = start_command(c, ch, &st, &cb, e);
	if (rc == 0) {
		prepare_spare(c);   /* confirmed while this command runs */
		rc = wait_command(c, ch, &st, in, inlen, deadline, e);
	}
	if (rc == TERR_TIMEOUT) {
		err_set(e, "command timed out after %d s", timeout);
		if (ch != NULL && ssh_channel_is_open(ch))
			ssh_channel_request_send_signal(ch, "TERM");
	}
	if (ch != NULL)
		ssh_remove_channel_callbacks(ch, &cb);
	chan_drop(c, ch);
	prepare_spare(c);
	return rc;
}

/* ---- TCP streams (direct-tcpip) ---------------------------------------- */

int
tr_ssh_tcp_open(struct conn *c, const char *host, int port, int timeout,
    struct tstream *s, struct err *e)
{
	int64_t deadline = mono_ms() + s->timeout_ms;
	ssh_channel ch;
	int rc, prc = 0;

	(void)timeout;
	if (c->ssh->lost != NULL)
		return lost(c, e);
	if ((ch = ssh_channel_new(c->ssh->s)) == NULL)
		return chan_failed(c, "cannot create a channel", e);
	while ((rc = ssh_channel_open_forward(ch, host, port, "127.0.0.1",
	    0)) == SSH_AGAIN)
		if ((prc = pump(c, deadline, e)) < 0)
			break;
	if (prc == 0 && rc == SSH_OK) {
		s->ch = ch;
		return 0;
	}
	if (prc == TERR_TIMEOUT) {
		err_set(e, "cannot connect to '%s:%d' from '%s': timed out after "
		    "%d s", host, port, c->desc, s->timeout_ms / 1000);
	} else if (prc == 0 && !ssh_is_connected(c->ssh->s)) {
		prc = lost(c, e);
	} else if (prc == 0) {
		err_set(e, "cannot connect to '%s:%d' from '%s': %s", host, port,
		    c->desc, ssh_get_error(c->ssh->s));
		prc = TERR_CONNECT;
	}
	ssh_channel_free(ch);
	return prc;
}

/* One read, in slices so that liveness is checked (transport.h). */
static int
read_sliced(struct tstream *s, void *buf, uint32_t len, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? 0 : mono_ms() + timeout_ms;
	struct err e = ERR_INIT;
	int n;

	for (;;) {
		int left = tr_left_ms(deadline);

		n = ssh_channel_read_timeout(s->ch, buf, len, 0,
		    slice_ms(s->c->ssh, left));
		if (n != 0 && n != SSH_AGAIN)
			return n;
		if (ssh_channel_is_eof(s->ch) || !ssh_is_connected(s->c->ssh->s)
		    || left == 0)
			return n;
		if (alive_check(s->c, &e) < 0) {
			err_release(&e);
			return SSH_ERROR;
		}
	}
}

ssize_t
tr_ssh_read(struct tstream *s, void *buf, size_t len, int timeout_ms)
{
	ssh_channel ch = s->ch;
	int n;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	n = read_sliced(s, buf, (uint32_t)len, timeout_ms);
	if (n > 0)
		return n;
	if (n == 0 || n == SSH_AGAIN) {
		if (ssh_channel_is_eof(ch))
			return 0;
		return ssh_is_connected(s->c->ssh->s) ? TERR_TIMEOUT : -1;
	}
	return ssh_channel_is_eof(ch) ? 0 : -1;
}

ssize_t
tr_ssh_write(struct tstream *s, const void *buf, size_t len)
{
	int64_t deadline = mono_ms() + s->timeout_ms;
	struct err e = ERR_INIT;
	size_t done = 0;
	int n;

	while (done < len) {
		size_t chunk = len - done > WRITE_CHUNK ? WRITE_CHUNK : len - done;

		n = ssh_channel_write(s->ch, (const char *)buf + done,
		    (uint32_t)chunk);
		if (n == SSH_ERROR)
			break;
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (pump(s->c, deadline, &e) < 0)
			break;
	}
	err_release(&e);
	return done == len ? (ssize_t)len : -1;
}

void
tr_ssh_stream_close(struct tstream *s)
{
	ssh_channel ch = s->ch;

	chan_drop(s->c, ch);
	s->ch = NULL;
}

/* ---- session streams (the sftp subsystem, or a command) ---------------- */

int
tr_ssh_session_open(struct conn *c, const char *subsystem, const char *cmd,
    struct tstream *s, struct err *e)
{
	int64_t deadline = mono_ms() + s->timeout_ms;
	ssh_channel ch = NULL;
	int rc = SSH_ERROR, prc;

	if (c->ssh->lost != NULL)
		return lost(c, e);
	prc = open_channel(c, &ch, deadline, e);
	while (prc == 0 && (rc = subsystem != NULL ?
	    ssh_channel_request_subsystem(ch, subsystem) :
	    ssh_channel_request_exec(ch, cmd)) == SSH_AGAIN)
		prc = pump(c, deadline, e);
	if (prc == 0 && rc == SSH_OK) {
		s->ch = ch;
		prepare_spare(c);
		return 0;
	}
	if (prc == TERR_TIMEOUT)
		err_set(e, "cannot start %s on '%s': timed out",
		    subsystem != NULL ? subsystem : "a command", c->desc);
	else if (prc == 0)
		prc = chan_failed(c, subsystem != NULL ? "the server refused "
		    "the subsystem" : "cannot start the command", e);
	chan_drop(c, ch);
	prepare_spare(c);
	return prc;
}
