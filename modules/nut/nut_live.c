/*
 * nut_live.c - does the RUNNING upsmon or upsd serve the configuration its
 * file says?  The proof after every NUT restart, and the rollback's.
 *
 * One remote script (repeated every 2 s while they differ, up to `wait`)
 * reports the file (found in conf_dir, else /etc/nut, /etc/ups,
 * /usr/local/ups/etc), its mtime, and every process of the daemon: PID,
 * uid, start time (from /proc: start jiffies against /proc/uptime), the
 * NSS certificate database files it holds open, the TCP connections it
 * holds ESTABLISHED (its sockets in /proc/PID/net/tcp*), and, for upsmon,
 * its log since it started (the journal of its unit under systemd, or a
 * log file read from log_offset).  What was verified on the real daemons
 * (NUT 2.8.0, NSS build): an upsmon with CERTPATH keeps CERTPATH/cert9.db
 * and key4.db open, one without CERTPATH has none open; it logs "Intend to
 * authenticate server H : SUCCESS" and "Connected to NUT server H in SSL"
 * when it verified the server ("Do not intend to authenticate server H"
 * and "Certificate verification is disabled" without CERTVERIFY).
 *
 * The file says, and the running daemon must show:
 *   both     every process of the daemon started after the file was last
 *            written (one started before runs an earlier version of it:
 *            a reload with SIGHUP is not seen, and counts as a mismatch);
 *   upsmon   NSS builds: CERTPATH set <=> its database there is open;
 *            every MONITOR server: a connection from upsmon to its port
 *            (and address, for an IP literal); with verification and
 *            FORCESSL on for that server (CERTHOST overrides applied), when
 *            the log is read: "Connected to [NUT server ]H in SSL" and
 *            "Intend to authenticate server H : SUCCESS" since it started;
 *   upsd     every LISTEN address (as the host reaches it; none: 127.0.0.1
 *            3493): TLS configured (NSS: CERTPATH + CERTIDENT; OpenSSL:
 *            CERTFILE) <=> STARTTLS answers "OK STARTTLS", and then the
 *            certificate it serves is the one the file names (SHA-256 of
 *            `certutil -L -n NICK -a`, or CERTFILE's first certificate).
 * A difference that remains fails the task naming each point, and is
 * journaled as a "mismatch" of `service` (via nut_service, prove
 * nut_live), so that `mend rollback` restarts the daemon even when the
 * restored bytes were already in place, and proves it with this module.
 * No daemon for 10 s, a server port that refuses for 10 s, or a process
 * older than its file fail at once: waiting cannot change them.
 * Read-only; runs in check mode.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/module.h"
#include "modules/nut/nutconf.h"
#include "modules/nut/nutproto.h"
#include "runner/transport/tls.h"
#include "runner/util/clock.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define NL_MAXP 16
#define NL_MAXC 32
#define NL_DEAD_MS 10000   /* no daemon / a refusing port: definitive */

static const char state_sh[] =
	"if [ -z \"$d\" ]; then for c in /etc/nut /etc/ups /usr/local/ups/etc;"
	" do [ -e \"$c/$f\" ] && { d=$c; break; }; done; fi\n"
	"[ -n \"$d\" ] || d=/etc/nut\n"
	"echo \"$n conf $d/$f\"\n"
	"echo \"$n mtime $(date -r \"$d/$f\" +%s.%N 2>/dev/null)\"\n"
	"hz=$(getconf CLK_TCK 2>/dev/null) || hz=100\n"
	"read -r up x </proc/uptime\n"
	"now=$(date +%s.%N); first=\n"
	"for q in /proc/[0-9]*; do\n"
	"  [ \"$(cat \"$q/comm\" 2>/dev/null)\" = \"$p\" ] || continue\n"
	"  grep -q '^State:[[:space:]]*Z' \"$q/status\" 2>/dev/null && continue\n"
	"  i=${q#/proc/}\n"
	"  s=$(sed 's/^.*) //' \"$q/stat\" 2>/dev/null | cut -d' ' -f20)\n"
	"  [ -n \"$s\" ] || continue\n"
	"  uid=$(sed -n 's/^Uid:[[:space:]]*\\([0-9]*\\).*/\\1/p' \"$q/status\")\n"
	"  t=$(awk -v n=\"$now\" -v u=\"$up\" -v s=\"$s\" -v h=\"$hz\" "
	"'BEGIN { printf \"%.3f\", n - u + s / h }')\n"
	"  echo \"$n proc $i $uid $t\"\n"
	"  if [ -z \"$first\" ] || [ \"${t%.*}\" -lt \"$first\" ]; then "
	"first=${t%.*}; fi\n"
	"  grep -q libnss3 \"$q/maps\" 2>/dev/null && echo \"$n nss $i\"\n"
	"  inos=\n"
	"  for fd in \"$q\"/fd/*; do\n"
	"    l=$(readlink \"$fd\" 2>/dev/null) || continue\n"
	"    case $l in\n"
	"    socket:\\[*\\]) l=${l#socket:?}; inos=\"$inos ${l%?} \" ;;\n"
	"    */cert9.db|*/cert8.db) echo \"$n db $i $l\" ;;\n"
	"    esac\n"
	"  done\n"
	"  [ -n \"$inos\" ] && cat \"$q/net/tcp\" \"$q/net/tcp6\" 2>/dev/null | "
	"awk -v s=\"$inos\" -v n=\"$n\" -v i=\"$i\" "
	"'$4 == \"01\" && index(s, \" \" $10 \" \") { print n, \"conn\", i, $3 }'\n"
	"done\n"
	"if [ \"$lg\" = auto ]; then\n"
	"  if [ -d /run/systemd/system ]; then lg=journal; else lg=; fi\n"
	"fi\n"
	"echo \"$n logsrc $lg\"\n"
	"if [ \"$lg\" = journal ] && [ -n \"$first\" ]; then\n"
	"  journalctl -q -o cat -u \"$u1\" -u \"$u2\" --since \"@$first\" "
	"2>/dev/null | sed \"s/^/$n log /\"\n"
	"elif [ -n \"$lg\" ] && [ \"$lg\" != journal ] && [ -n \"$lo\" ]; then\n"
	"  tail -c +\"$((lo + 1))\" -- \"$lg\" 2>/dev/null | "
	"sed \"s/^/$n log /\"\n"
	"fi\n";

struct nl_proc {
	int pid, uid, nss;
	double start;
	char db[256];          /* the certificate database it holds open */
};

struct nl_conn {
	int pid, port;
	char addr[64];
};

/* What one round of the script saw. */
struct nl_state {
	char conf[512], logsrc[256];
	double mtime;
	struct nl_proc p[NL_MAXP];
	size_t np;
	struct nl_conn c[NL_MAXC];
	size_t nc;
	struct strbuf log;
	int log_read;
};

struct nl {
	struct modctx *ctx;
	const struct val *args;
	const char *daemon, *service;
	int upsmon;
	struct nl_state st;
	struct nutconf_file file;
	struct strbuf why;         /* this round's differences, "; " */
	int definitive;            /* waiting cannot change this round's */
	long long dead_since;      /* no daemon, monotonic ms */
	long long refused_since;   /* a port refuses, monotonic ms */
	char want_sha[65];         /* upsd: the certificate the file names */
	struct val *seen;          /* list of what was checked */
};

/* ------------------------------------------------------------------ */
/* The host's state                                                    */

/* "0100007F:0DA5" or 32 hex digits ":PORT" from /proc/net/tcp*. */
static int
decode_addr(const char *hex, char *out, size_t outsz, int *port)
{
	unsigned char b[16];
	const char *colon = strchr(hex, ':');
	size_t n = colon ? (size_t)(colon - hex) : 0, i;
	unsigned int w;

	if ((n != 8 && n != 32) || sscanf(colon + 1, "%x", &w) != 1)
		return -1;
	*port = (int)w;
	for (i = 0; i < n / 8; i++) {
		char word[9];

		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		if (sscanf(word, "%x", &w) != 1)
			return -1;
		b[4 * i] = w & 0xff;
		b[4 * i + 1] = (w >> 8) & 0xff;
		b[4 * i + 2] = (w >> 16) & 0xff;
		b[4 * i + 3] = (w >> 24) & 0xff;
	}
	if (n == 8)
		return inet_ntop(AF_INET, b, out, (socklen_t)outsz) ? 0 : -1;
	if (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		return inet_ntop(AF_INET, b + 12, out, (socklen_t)outsz) ? 0 :
		    -1;
	return inet_ntop(AF_INET6, b, out, (socklen_t)outsz) ? 0 : -1;
}

static struct nl_proc *
find_proc(struct nl_state *st, int pid)
{
	size_t i;

	for (i = 0; i < st->np; i++)
		if (st->p[i].pid == pid)
			return &st->p[i];
	return NULL;
}

static void
state_line(struct nl_state *st, const char *key, const char *v)
{
	struct nl_proc *p;
	int pid = 0, n = 0;

	if (strcmp(key, "conf") == 0)
		snprintf(st->conf, sizeof(st->conf), "%s", v);
	else if (strcmp(key, "mtime") == 0)
		st->mtime = *v ? strtod(v, NULL) : -1;
	else if (strcmp(key, "logsrc") == 0)
		snprintf(st->logsrc, sizeof(st->logsrc), "%s", v);
	else if (strcmp(key, "log") == 0)
		strbuf_addf(&st->log, "%s\n", v);
	else if (strcmp(key, "proc") == 0 && st->np < NL_MAXP) {
		p = &st->p[st->np];
		memset(p, 0, sizeof(*p));
		if (sscanf(v, "%d %d %lf", &p->pid, &p->uid, &p->start) == 3)
			st->np++;
	} else if (sscanf(v, "%d %n", &pid, &n) == 1 &&
	    (p = find_proc(st, pid)) != NULL) {
		if (strcmp(key, "nss") == 0)
			p->nss = 1;
		else if (strcmp(key, "db") == 0)
			snprintf(p->db, sizeof(p->db), "%s", v + n);
		else if (strcmp(key, "conn") == 0 && st->nc < NL_MAXC &&
		    decode_addr(v + n, st->c[st->nc].addr,
		    sizeof(st->c[st->nc].addr), &st->c[st->nc].port) == 0)
			st->c[st->nc++].pid = pid;
	}
}

static void
state_parse(struct nl_state *st, const char *out, const char *nonce)
{
	size_t nl = strlen(nonce);
	const char *l = out;

	while (*l) {
		const char *e = strchr(l, '\n'), *sp;
		char *line = e ? xstrndup(l, (size_t)(e - l)) : xstrdup(l);

		if (strncmp(line, nonce, nl) == 0 && line[nl] == ' ' &&
		    (sp = strchr(line + nl + 1, ' ')) != NULL) {
			char *key = xstrndup(line + nl + 1,
			    (size_t)(sp - line - nl - 1));

			state_line(st, key, sp + 1);
			st->log_read |= strcmp(key, "logsrc") == 0 && sp[1];
			free(key);
		}
		free(line);
		l = e ? e + 1 : l + strlen(l);
	}
}

static const char *
alt_unit(const char *s)
{
	if (strcmp(s, "nut-client") == 0)
		return "nut-monitor";
	if (strcmp(s, "nut-monitor") == 0)
		return "nut-client";
	return s;
}

/* One round of the script into nl->st.  0, or a TERR_* code. */
static int
read_state(struct nl *nl)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char nonce[17], lo[32] = "";
	const char *log = arg_str(nl->args, "log");
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	if (arg_get(nl->args, "log_offset") != NULL)
		snprintf(lo, sizeof(lo), "%lld",
		    arg_int(nl->args, "log_offset", 0));
	shellcmd_build(&cmd, "n=%q; d=%q; f=%q; p=%q; lg=%q; lo=%q; u1=%q; "
	    "u2=%q\n%s", nonce, arg_str(nl->args, "conf_dir") ?
	    arg_str(nl->args, "conf_dir") : "", nl->upsmon ? "upsmon.conf" :
	    "upsd.conf", nl->daemon, nl->upsmon && log ? log : "", lo,
	    nl->service, alt_unit(nl->service), state_sh);
	exec_res_init(&r);
	strbuf_release(&nl->st.log);
	memset(&nl->st, 0, sizeof(nl->st));
	strbuf_init(&nl->st.log, 0);
	if ((ret = mod_exec(nl->ctx, cmd.buf, NULL, 0, &r)) == 0)
		state_parse(&nl->st, r.out.buf, nonce);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Differences                                                         */

static void
differ(struct nl *nl, int definitive, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
differ(struct nl *nl, int definitive, const char *fmt, ...)
{
	va_list ap;

	if (nl->why.len)
		strbuf_addstr(&nl->why, "; ");
	va_start(ap, fmt);
	strbuf_vaddf(&nl->why, fmt, ap);
	va_end(ap);
	nl->definitive |= definitive;
}

static void
seen(struct nl *nl, const char *what, const char *file, const char *running)
{
	struct val *m = val_map();

	val_map_set(m, "check", val_str(what));
	val_map_set(m, "file", val_str(file));
	val_map_set(m, "running", val_str(running));
	val_list_push(nl->seen, m);
}

/* Every process started after the file was written; none: for 10 s. */
static int
check_procs(struct nl *nl)
{
	size_t i;

	if (nl->st.np == 0) {
		if (nl->dead_since == 0)
			nl->dead_since = mono_ms();
		differ(nl, mono_ms() - nl->dead_since >= NL_DEAD_MS,
		    "%s does not run", nl->daemon);
		return -1;
	}
	nl->dead_since = 0;
	for (i = 0; i < nl->st.np; i++)
		if (nl->st.mtime > 0 && nl->st.p[i].start + 0.05 <
		    nl->st.mtime)
			differ(nl, 1, "%s (pid %d) started %.1f s before %s was "
			    "last written: it runs an earlier version of the "
			    "file", nl->daemon, nl->st.p[i].pid,
			    nl->st.mtime - nl->st.p[i].start, nl->st.conf);
	seen(nl, "started after the file was written", "yes",
	    nl->why.len ? "no" : "yes");
	return 0;
}

/* The TCP port answers from the host (for the refusal rule). */
static int
port_answers(struct nl *nl, const char *host, int port, int *refused)
{
	struct tstream *s = NULL;
	struct err e = ERR_INIT;
	int ret = conn_tcp_open(mod_conn(nl->ctx), host, port, 5, &s, &e);

	err_release(&e);
	*refused = ret != 0 && ret != TERR_UNREACHABLE;
	if (ret == 0)
		tstream_close(s);
	return ret == TERR_UNREACHABLE ? ret : 0;
}

/* ------------------------------------------------------------------ */
/* upsmon                                                              */

/* host as written in MONITOR is this address ("localhost": either). */
static int
same_host(const char *host, const char *addr)
{
	unsigned char b[16];
	char norm[64];

	if (strcmp(host, "localhost") == 0)
		return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0;
	if (inet_pton(AF_INET, host, b) == 1)
		return inet_ntop(AF_INET, b, norm, sizeof(norm)) &&
		    strcmp(norm, addr) == 0;
	if (inet_pton(AF_INET6, host, b) == 1)
		return inet_ntop(AF_INET6, b, norm, sizeof(norm)) &&
		    strcmp(norm, addr) == 0;
	return 1;                  /* a name: the port decides */
}

/* Verification and FORCESSL for MONITOR i (CERTHOST overrides). */
static void
monitor_tls(const struct nutconf_upsmon *a, size_t i, int *verify,
    int *force)
{
	size_t k;

	*verify = a->certverify.set && a->certverify.num != 0;
	*force = a->forcessl.set && a->forcessl.num != 0;
	for (k = 0; k < a->nr_certhosts; k++) {
		const struct nutconf_certhost *c = &a->certhosts[k];

		if (c->effective &&
		    strcmp(c->host, a->monitors[i].host) == 0) {
			*verify = c->certverify != 0;
			*force = c->forcessl != 0;
		}
	}
}

/* "/etc/nut/cert/cert9.db" lies in CERTPATH "/etc/nut/cert" ("sql:"). */
static int
db_in(const char *db, const char *certpath)
{
	size_t n;

	if (strncmp(certpath, "sql:", 4) == 0)
		certpath += 4;
	n = strlen(certpath);
	while (n > 1 && certpath[n - 1] == '/')
		n--;
	return strncmp(db, certpath, n) == 0 && db[n] == '/' &&
	    strchr(db + n + 1, '/') == NULL;
}

/* NSS builds: CERTPATH set <=> its database is open in upsmon. */
static void
check_certpath(struct nl *nl, const struct nutconf_upsmon *a)
{
	const char *want = a->certpath.set ? a->certpath.raw : NULL;
	const char *open = NULL, *in = NULL;
	int nss = 0;
	size_t i;

	for (i = 0; i < nl->st.np; i++) {
		nss |= nl->st.p[i].nss;
		if (nl->st.p[i].db[0])
			open = nl->st.p[i].db;
		if (want && nl->st.p[i].db[0] && db_in(nl->st.p[i].db, want))
			in = nl->st.p[i].db;
	}
	if (!nss)
		return;                /* OpenSSL: nothing held open to see */
	if (want != NULL && in == NULL)
		differ(nl, 0, "%s sets CERTPATH %s, the running upsmon has "
		    "no certificate database open there (%s)", nl->st.conf,
		    want, open ? open : "none open");
	else if (want == NULL && open != NULL)
		differ(nl, 0, "%s sets no CERTPATH, the running upsmon has "
		    "the certificate database %s open", nl->st.conf, open);
	seen(nl, "CERTPATH", want ? want : "none", in ? in : open ? open :
	    "none");
}

static int
connected(const struct nl *nl, const struct nutconf_monitor *m)
{
	size_t i;

	for (i = 0; i < nl->st.nc; i++)
		if (nl->st.c[i].port == m->port &&
		    same_host(m->host, nl->st.c[i].addr))
			return 1;
	return 0;
}

/* The log since upsmon started shows a verified SSL connection to h. */
static int
log_verified(const struct nl *nl, const char *h)
{
	char *a = xasprintf("Connected to NUT server %s in SSL", h);
	char *b = xasprintf("Connected to %s in SSL", h);
	char *c = xasprintf("Intend to authenticate server %s : SUCCESS", h);
	int ok = (strstr(nl->st.log.buf, a) || strstr(nl->st.log.buf, b)) &&
	    strstr(nl->st.log.buf, c);

	free(a);
	free(b);
	free(c);
	return ok;
}

/* One MONITOR server: connected, and verified when the file says so. */
static int
check_monitor(struct nl *nl, const struct nutconf_upsmon *a, size_t i,
    int *refused)
{
	const struct nutconf_monitor *m = &a->monitors[i];
	int verify, force, ret = 0, ref = 0;
	char *what = xasprintf("%s:%d", m->host, m->port);

	monitor_tls(a, i, &verify, &force);
	if (!connected(nl, m)) {
		if ((ret = port_answers(nl, m->host, m->port, &ref)) == 0 &&
		    ref)
			*refused = 1;
		differ(nl, 0, "upsmon is not connected to %s%s", what, ref ?
		    ": nothing accepts connections there" : "");
	}
	if (verify && force && nl->st.log_read && !log_verified(nl, m->host))
		differ(nl, 0, "%s says verified TLS for %s (CERTVERIFY 1, "
		    "FORCESSL 1), upsmon's log since it started (%s) has no "
		    "'Connected to NUT server %s in SSL' and 'Intend to "
		    "authenticate server %s : SUCCESS'", nl->st.conf, what,
		    nl->st.logsrc, m->host, m->host);
	seen(nl, what, verify && force ? "verified TLS" : force ? "TLS" :
	    "TLS if offered", connected(nl, m) ? (nl->st.log_read ?
	    (log_verified(nl, m->host) ? "connected, verified TLS (log)" :
	    "connected") : "connected (log not read)") : "not connected");
	free(what);
	return ret;
}

/* A server port that keeps refusing for NL_DEAD_MS is definitive: no
 * restart is still coming up. */
static void
note_refused(struct nl *nl, int refused)
{
	if (!refused)
		nl->refused_since = 0;
	else if (nl->refused_since == 0)
		nl->refused_since = mono_ms();
	else if (mono_ms() - nl->refused_since >= NL_DEAD_MS)
		nl->definitive = 1;
}

static int
check_upsmon(struct nl *nl)
{
	struct nutconf_upsmon a;
	size_t i;
	int ret = 0, refused = 0;

	nutconf_upsmon_analyze(&a, &nl->file, NUTCONF_BACKEND_UNKNOWN);
	if (a.nr_monitors == 0)
		differ(nl, 1, "%s has no MONITOR line: nothing to prove",
		    nl->st.conf);
	if (check_procs(nl) == 0) {
		check_certpath(nl, &a);
		for (i = 0; i < a.nr_monitors && ret == 0; i++)
			ret = check_monitor(nl, &a, i, &refused);
	}
	note_refused(nl, refused);
	nutconf_upsmon_release(&a);
	return ret;
}

/* ------------------------------------------------------------------ */
/* upsd                                                                */

/* The certificate the file names, its SHA-256 into nl->want_sha. */
static int
file_cert(struct nl *nl, const struct nutconf_upsd *a, int nss)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	int ret;

	if (nss)
		shellcmd_build(&cmd, "certutil -L -d %q -n %q -a",
		    a->certpath.raw, a->certident.name);
	else
		shellcmd_build(&cmd, "sed -n '/-BEGIN CERTIFICATE-/,"
		    "/-END CERTIFICATE-/p' -- %q", a->certfile.raw);
	exec_res_init(&r);
	ret = mod_exec(nl->ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && (r.rc != 0 || tls_pem_sha256(r.out.buf, r.out.len,
	    nl->want_sha) != 0)) {
		strbuf_rtrim(&r.err);
		differ(nl, 1, "cannot read the certificate %s names (%s): %s",
		    nl->st.conf, nss ? a->certident.name : a->certfile.raw,
		    r.err.len ? r.err.buf : "no certificate there");
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

struct answer {
	int refused;
	char reply[128];
	char sha[65], subject[256];
};

static int
read_reply(struct tstream *s, struct answer *an)
{
	struct strbuf in = STRBUF_INIT, line = STRBUF_INIT;
	char buf[512];
	ssize_t n;
	int got = 0;

	while (!got && (n = tstream_read(s, buf, sizeof(buf), 5000)) > 0) {
		strbuf_add(&in, buf, (size_t)n);
		got = nutproto_take_line(&in, &line) != 0;
	}
	snprintf(an->reply, sizeof(an->reply), "%s", got ? line.buf :
	    "(no reply)");
	got = got && in.len == 0;
	strbuf_release(&in);
	strbuf_release(&line);
	return got;
}

/* STARTTLS to host:port from the host; the certificate when OK. */
static int
starttls(struct nl *nl, const char *host, int port, struct answer *an)
{
	struct tstream *s = NULL;
	struct tls_conn *t = NULL;
	struct tls_opts o;
	struct tls_info ti;
	struct err e = ERR_INIT;
	int ret = conn_tcp_open(mod_conn(nl->ctx), host, port, 5, &s, &e);

	memset(an, 0, sizeof(*an));
	an->refused = ret != 0;
	if (ret == 0 && tstream_write(s, "STARTTLS\n", 9) == 9 &&
	    read_reply(s, an) && strcmp(an->reply, "OK STARTTLS") == 0) {
		memset(&o, 0, sizeof(o));
		o.observe = 1;
		o.timeout_ms = 5000;
		memset(&ti, 0, sizeof(ti));
		if (tls_client_start(s, &o, &t, &ti, &e) == 0)
			tls_close(t);
		snprintf(an->sha, sizeof(an->sha), "%s", ti.sha256);
		snprintf(an->subject, sizeof(an->subject), "%s", ti.subject);
	}
	if (ret == 0)
		tstream_close(s);
	err_release(&e);
	return ret == TERR_UNREACHABLE ? ret : 0;
}

static void
judge_answer(struct nl *nl, const char *what, int tls, const char *how,
    const struct answer *an)
{
	if (an->refused)
		differ(nl, 0, "%s: nothing accepts connections", what);
	else if (tls && strcmp(an->reply, "OK STARTTLS") != 0)
		differ(nl, 0, "%s: %s configures TLS (%s), the running upsd "
		    "answers STARTTLS with '%s'", what, nl->st.conf, how,
		    an->reply);
	else if (tls && strcmp(an->sha, nl->want_sha) != 0)
		differ(nl, 0, "%s: the running upsd serves the certificate "
		    "'%s' (sha256 %.16s...), not the one %s names (%s, sha256 "
		    "%.16s...)", what, an->subject, an->sha[0] ? an->sha :
		    "none", nl->st.conf, how, nl->want_sha);
	else if (!tls && strcmp(an->reply, "OK STARTTLS") == 0)
		differ(nl, 0, "%s: %s configures no TLS, the running upsd "
		    "answers OK STARTTLS (certificate '%s')", what,
		    nl->st.conf, an->subject);
	if (an->refused || strcmp(an->reply, "OK STARTTLS") != 0) {
		seen(nl, what, tls ? how : "no TLS", an->refused ? "refused" :
		    an->reply);
	} else {
		char *r = xasprintf("%s sha256:%s", an->subject, an->sha);

		seen(nl, what, tls ? how : "no TLS", r);
		free(r);
	}
}

/* LISTEN i as the host reaches it (wildcards: loopback). */
static void
listen_target(const struct nutconf_upsd *a, size_t i, char *host,
    size_t hsz, int *port)
{
	const char *h = i < a->nr_listens ? a->listens[i].addr : "127.0.0.1";

	if (strcmp(h, "0.0.0.0") == 0 || strcmp(h, "*") == 0)
		h = "127.0.0.1";
	else if (strcmp(h, "::") == 0)
		h = "::1";
	snprintf(host, hsz, "%s", h);
	*port = i < a->nr_listens ? atoi(a->listens[i].port) : 3493;
}

static int
check_listens(struct nl *nl, const struct nutconf_upsd *a, int tls,
    const char *how)
{
	size_t i, n = a->nr_listens ? a->nr_listens : 1;
	int ret = 0, refused = 0, port;
	char host[256], *what;
	struct answer an;

	for (i = 0; i < n && i < 8 && ret == 0; i++) {
		listen_target(a, i, host, sizeof(host), &port);
		what = xasprintf(strchr(host, ':') ? "[%s]:%d" : "%s:%d", host,
		    port);
		if ((ret = starttls(nl, host, port, &an)) == 0)
			judge_answer(nl, what, tls, how, &an);
		refused |= an.refused;
		free(what);
	}
	note_refused(nl, refused);
	return ret;
}

static int
check_upsd(struct nl *nl)
{
	struct nutconf_upsd a;
	int nss = 0, tls, ret = 0;
	size_t i;
	char *how;

	for (i = 0; i < nl->st.np; i++)
		nss |= nl->st.p[i].nss;
	nutconf_upsd_analyze(&a, &nl->file, nss ? NUTCONF_BACKEND_NSS :
	    NUTCONF_BACKEND_OPENSSL);
	tls = nss ? a.certpath.set && a.certident.set : a.certfile.set;
	how = nss ? xasprintf("CERTIDENT \"%s\" in %s", a.certident.name ?
	    a.certident.name : "", a.certpath.raw ? a.certpath.raw : "") :
	    xasprintf("CERTFILE %s", a.certfile.raw ? a.certfile.raw : "");
	if (check_procs(nl) == 0) {
		if (tls && nl->want_sha[0] == '\0')
			ret = file_cert(nl, &a, nss);
		if (ret == 0 && !nl->definitive)
			ret = check_listens(nl, &a, tls, how);
	}
	free(how);
	nutconf_upsd_release(&a);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The task                                                            */

static struct val *
pids_val(const struct nl_state *st)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < st->np; i++)
		val_list_push(l, val_int(st->p[i].pid));
	return l;
}

/* Rounds until the daemon matches, a definitive difference, or `wait`.
 * 1 = matches, 0 = not, <0 TERR. */
static int
rounds(struct nl *nl)
{
	long long end = mono_ms() + arg_int(nl->args, "wait", 0) * 1000;
	int ret;

	for (;;) {
		strbuf_reset(&nl->why);
		nl->definitive = 0;
		val_free(nl->seen);
		nl->seen = val_list();
		ret = nl->upsmon ? check_upsmon(nl) : check_upsd(nl);
		if (ret != 0)
			return ret;
		if (nl->why.len == 0)
			return 1;
		if (nl->definitive || mono_ms() >= end)
			return 0;
		usleep(2000 * 1000);
		if ((ret = read_state(nl)) != 0)
			return ret;
	}
}

static int
load_file(struct nl *nl)
{
	struct strbuf buf = STRBUF_INIT;
	struct file_meta m;
	int ret;

	memset(&m, 0, sizeof(m));
	ret = mod_read_file(nl->ctx, nl->st.conf, &buf, &m);
	if (ret == 0 && !m.exists)
		ret = mod_fail(nl->ctx, "%s does not exist: nothing to prove",
		    nl->st.conf) - 1;
	if (ret == 0)
		nutconf_parse(&nl->file, buf.buf, buf.len);
	file_meta_release(&m);
	strbuf_release(&buf);
	return ret;
}

static int
prove(struct nl *nl)
{
	long long t0 = mono_ms();
	int ok = rounds(nl);

	if (ok < 0)
		return ok;
	mod_set(nl->ctx, "conf", val_str(nl->st.conf));
	mod_set(nl->ctx, "pids", pids_val(&nl->st));
	mod_set(nl->ctx, "checks", nl->seen);
	nl->seen = NULL;
	mod_set(nl->ctx, "log", val_str(nl->st.log_read ? nl->st.logsrc :
	    "not read"));
	mod_set(nl->ctx, "matches", val_bool(ok));
	mod_set(nl->ctx, "elapsed", val_int((mono_ms() - t0 + 500) / 1000));
	if (ok) {
		mod_msg(nl->ctx, "%s runs what %s says", nl->daemon,
		    nl->st.conf);
		return 0;
	}
	mod_journal_service_via(nl->ctx, nl->service, "mismatch",
	    "nut_service", "nut_live");
	return mod_fail(nl->ctx, "the running %s does not match %s: %s",
	    nl->daemon, nl->st.conf, nl->why.buf);
}

static enum mod_result
nut_live_run(struct modctx *ctx, const struct val *args)
{
	struct nl nl;
	const char *d = arg_str(args, "daemon"), *svc = arg_str(args,
	    "service");
	int ret;

	memset(&nl, 0, sizeof(nl));
	nl.ctx = ctx;
	nl.args = args;
	if (d == NULL && svc != NULL)
		d = strcmp(svc, "nut-server") == 0 ? "upsd" : "upsmon";
	nl.daemon = d ? d : "upsmon";
	nl.upsmon = strcmp(nl.daemon, "upsmon") == 0;
	nl.service = svc ? svc : nl.upsmon ? "nut-client" : "nut-server";
	strbuf_init(&nl.why, 0);
	strbuf_init(&nl.st.log, 0);
	nl.seen = val_list();
	mod_set(ctx, "daemon", val_str(nl.daemon));
	if ((ret = read_state(&nl)) == 0 && (ret = load_file(&nl)) == 0)
		ret = prove(&nl);
	nutconf_file_release(&nl.file);
	strbuf_release(&nl.why);
	strbuf_release(&nl.st.log);
	val_free(nl.seen);
	return mod_done(ctx, ret == -1 ? 0 : ret);
}

static int
nut_live_validate(const struct val *args, struct err *e)
{
	const struct val *d = val_map_get(args, "daemon");

	if (d != NULL && d->type == V_STR && strstr(d->u.str.s, "{{") ==
	    NULL && strcmp(d->u.str.s, "upsmon") != 0 &&
	    strcmp(d->u.str.s, "upsd") != 0)
		return err_setpos(e, &d->pos, "module 'nut_live': daemon must "
		    "be upsmon or upsd, not '%s'", d->u.str.s);
	return 0;
}

static const struct module_arg nut_live_args[] = {
	{ "daemon", ARG_STR, 0, NULL, "upsmon|upsd",
	  "which daemon (default: from service; nut-server = upsd, else "
	  "upsmon)", NULL },
	{ "service", ARG_STR, 0, NULL, NULL,
	  "its service: a mismatch is journaled under this name (mend "
	  "rollback restarts it with nut_service); default nut-client or "
	  "nut-server", NULL },
	{ "conf_dir", ARG_PATH, 0, NULL, NULL,
	  "NUT's configuration directory (default: the first of /etc/nut, "
	  "/etc/ups, /usr/local/ups/etc holding the file)", NULL },
	{ "log", ARG_STR, 0, "auto", NULL,
	  "upsmon: where its stderr (libupsclient's TLS lines) goes: "
	  "journal, a file (read from log_offset), '' = not read; auto = "
	  "journal under systemd, else not read", NULL },
	{ "log_offset", ARG_INT, 0, NULL, NULL,
	  "a log file's size before the restart (without it a file is not "
	  "read)", NULL },
	{ "wait", ARG_INT, 0, "0", NULL,
	  "keep checking every 2 s for this many seconds while they differ",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_nut_live = {
	.name = "nut_live",
	.summary = "prove the running upsmon or upsd serves the "
	    "configuration its file says",
	.doc = "upsmon: every upsmon started after upsmon.conf was last "
	    "written, holds CERTPATH's NSS database open exactly when the "
	    "file sets CERTPATH, is connected to every MONITOR server, and "
	    "(when its log is read) logged a verified SSL connection to each "
	    "server the file wants verified.  upsd: started after upsd.conf "
	    "was written, and on every LISTEN address STARTTLS answers OK "
	    "with the certificate the file names (NSS CERTIDENT, OpenSSL "
	    "CERTFILE) exactly when the file configures TLS.  Fails naming "
	    "every difference, and journals the mismatch so that mend "
	    "rollback restarts the daemon (nut_service) and proves it again.  "
	    "Returns daemon, conf, pids, checks [{check, file, running}], "
	    "log, matches, elapsed.",
	.args = nut_live_args,
	.flags = MOD_SUPPORTS_CHECK,
	.validate = nut_live_validate,
	.run = nut_live_run,
};
