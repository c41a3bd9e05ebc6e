/*
 * amqp_probe.c - does an AMQP 0-9-1 listener accept cleartext, or verified
 * TLS?  Detection before a fix, smoke test and readiness wait after it.
 *
 * From the controller, through the host's SSH connection (a libssh
 * direct-tcpip channel to host:port as the HOST resolves it, default
 * 127.0.0.1; a plain socket for local connections), or with
 * from: controller straight from the controller to the given address:
 *
 *   plaintext  send "AMQP\0\0\x09\x01" and classify the reply
 *              (modules/rabbitmq/amqp.h): Connection.Start = cleartext accepted
 *              (server product and version reported); connection refused,
 *              closed, our header sent back or a TLS alert = refused.
 *   tls        OpenSSL handshake verified against ca_file (a CONTROLLER
 *              file) and the expected name, with an optional client
 *              certificate (mTLS), then the same header inside TLS must
 *              get Connection.Start.  A server that rejects us (an alert
 *              during or right after the handshake, e.g. TLS 1.3's
 *              "certificate required" when we sent no certificate) =
 *              refused; a server WE reject (verification) = error.
 *
 * expect: accepted | refused | any fails the task when the outcome is not
 * the expected one (an error always fails).  wait: N keeps trying every
 * 2 s for N seconds until the expectation holds: the readiness check after
 * a restart.  While waiting for `accepted`, boot_log files on the host
 * (Debian: /var/log/rabbitmq/startup_log and startup_err, rewritten at
 * each start; only files modified at or after boot_log_since, an epoch
 * second of the host, count) are read between attempts: "BOOT FAILED"
 * ends the wait at once, and "Starting broker... completed" with the port
 * still not answering ends it after `grace` seconds; the broker's own
 * error lines are returned as boot_errors.  Under systemd a boot_log item
 * may name the unit instead ({unit, since}, as rabbitmq_service returns
 * it): its state is read each time (systemctl show: ActiveState, SubState,
 * Result, NRestarts) with its journal since `since`: a failed unit, or one
 * that systemd is restarting after a failure (Debian's unit has
 * Restart=on-failure: a refused configuration loops "auto-restart"
 * instead of staying failed), ends the wait at once; an active unit (its
 * Type=notify start said READY) counts as "completed".  Read-only: runs
 * in check mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modules/module.h"
#include "modules/rabbitmq/amqp.h"
#include "modules/rabbitmq/rmqhost.h"
#include "modules/svcprobe.h"
#include "runner/util/shellcmd.h"
#include "runner/transport/tls.h"
#include "runner/util/clock.h"
#include "runner/util/banned.h"

#define RETRY_MS 2000
#define READ_CAP 16384
#define BOOT_LINES 20
#define GONE_MS 10000                /* not alive this long = dead */

struct probe {
	struct modctx *ctx;
	const struct val *args;
	struct svcp_target t;        /* host, port, mode, TLS files */
	enum svcp_expect expect;
	struct conn *local;          /* from: controller (owned) */
};

struct attempt {
	struct svcp_attempt s;       /* outcome, detail, TLS (svcprobe.h) */
	struct amqp_reply reply;
	int have_reply;
};

struct boot {
	int checked, failed, completed;
	long long completed_at;      /* ms, when "completed" was first seen */
	int alive;                   /* the booting broker runs: 1, 0, -1 ? */
	int ever_alive, dead, extended;
	long long t0;                /* ms, the wait began */
	long long bytes;             /* boot log bytes read last time */
	long long progress_at;       /* ms, when the logs last grew */
	long long gone_at;           /* ms, since when it is not alive */
	struct strbuf lines;
	struct strbuf files;         /* files that were read, ", "-joined */
};

/* ------------------------------------------------------------------ */
/* One attempt                                                         */

static void
classify(struct attempt *a, int tls)
{
	const struct amqp_reply *r = &a->reply;

	switch (r->kind) {
	case AMQP_CONNECTION_START:
		svcp_setf(&a->s, SVCP_ACCEPTED, "Connection.Start (AMQP %u-%u) from %s %s",
		    r->version_major, r->version_minor,
		    r->product[0] ? r->product : "an unnamed server",
		    r->version);
		break;
	case AMQP_PROTOCOL_HEADER:
		svcp_setf(&a->s, SVCP_REFUSED, "the server sent its protocol header "
		    "AMQP %u-%u-%u-%u back and closed: it does not take AMQP "
		    "0-9-1 here", r->header[0], r->header[1], r->header[2],
		    r->header[3]);
		break;
	case AMQP_TLS_ALERT:
		svcp_setf(&a->s, tls ? SVCP_ERROR : SVCP_REFUSED, "the server answered "
		    "with a TLS alert: a TLS listener, cleartext AMQP is not "
		    "accepted");
		break;
	default:
		svcp_setf(&a->s, SVCP_ERROR, "not an AMQP 0-9-1 reply: %s at byte %zu",
		    r->why ? r->why : "unexpected bytes", r->where);
		break;
	}
}

/* svcprobe's parser: a complete AMQP 0-9-1 reply, classified. */
static int
parse(void *arg, struct svcp_attempt *s, const unsigned char *in, size_t len,
    int tls)
{
	struct attempt *a = arg;

	(void)s;
	amqp_parse_reply(in, len, &a->reply);
	if (a->reply.kind == AMQP_INCOMPLETE)
		return 0;
	a->have_reply = 1;
	classify(a, tls);
	return 1;
}

static void
attempt_run(struct probe *p, struct attempt *a, long long deadline)
{
	struct svcp_proto pr = { "AMQP 0-9-1",
	    (const unsigned char *)AMQP_HEADER_091,
	    AMQP_HEADER_LEN, READ_CAP, parse, a };

	memset(&a->reply, 0, sizeof(a->reply));
	a->have_reply = 0;
	svcp_attempt_run(&p->t, &pr, &a->s, deadline);
}

static int
met(const struct probe *p, const struct attempt *a)
{
	return svcp_met(p->expect, &a->s);
}

/* ------------------------------------------------------------------ */
/* Boot logs                                                           */

/* Value of "key=" in the space-separated k=v list s (n bytes), or "". */
static void
kv_word(const char *s, size_t n, const char *key, char *out, size_t size)
{
	size_t k = strlen(key), i = 0;

	out[0] = '\0';
	while (i < n) {
		size_t w = i;

		while (w < n && s[w] != ' ')
			w++;
		if (w - i > k && memcmp(s + i, key, k) == 0 && s[i + k] == '=' &&
		    w - i - k - 1 < size) {
			memcpy(out, s + i + k + 1, w - i - k - 1);
			out[w - i - k - 1] = '\0';
			return;
		}
		i = w + 1;
	}
}

/* "NONCE unit NAME ActiveState=.. SubState=.. Result=.. NRestarts=..":
 * failed, or being restarted after a failure = the boot failed; active =
 * the unit said READY (completed). */
static void
unit_parse(struct boot *b, const char *out, const char *nonce, int *completed)
{
	char *head = xasprintf("%s unit ", nonce);
	const char *p = out, *q;

	while ((q = strstr(p, head)) != NULL) {
		const char *name = q + strlen(head);
		size_t n = strcspn(name, "\n"), nl = strcspn(name, " \n");
		char st[32], sub[32], res[32], nr[16];

		kv_word(name, n, "ActiveState", st, sizeof(st));
		kv_word(name, n, "SubState", sub, sizeof(sub));
		kv_word(name, n, "Result", res, sizeof(res));
		kv_word(name, n, "NRestarts", nr, sizeof(nr));
		if (strcmp(st, "failed") == 0 || strcmp(sub, "auto-restart") == 0 ||
		    atoi(nr) > 0) {
			b->failed = 1;
			strbuf_addf(&b->lines, "unit %.*s %s (%s, result %s, "
			    "%s automatic restarts)\n",
			    (int)nl, name, strcmp(st, "failed") == 0 ?
			    "failed" : "is being restarted after a failure",
			    sub, res, nr[0] ? nr : "0");
		} else if (strcmp(st, "active") == 0) {
			*completed = 1;
		}
		if (b->alive != 1)
			b->alive = strcmp(st, "activating") == 0 ||
			    strcmp(st, "active") == 0 ||
			    strcmp(st, "reloading") == 0;
		p = name + n;
	}
	free(head);
}

/* "NONCE proc COUNT NAME": the booting broker's processes. */
static void
proc_parse(struct boot *b, const char *out, const char *nonce)
{
	char *head = xasprintf("%s proc ", nonce);
	const char *p = out, *q;

	while ((q = strstr(p, head)) != NULL) {
		q += strlen(head);
		if (b->alive != 1)
			b->alive = atoi(q) > 0;
		p = q;
	}
	free(head);
}

/* Alive, dead, progress: what the boot logs say of a boot in progress. */
static void
boot_life(struct boot *b, long long bytes, long long stall_ms)
{
	long long now = mono_ms();

	if (b->progress_at == 0 || bytes != b->bytes)
		b->progress_at = now;
	b->bytes = bytes;
	if (b->alive == 1)
		b->ever_alive = 1;
	if (b->alive != 0)
		b->gone_at = 0;
	else if (b->gone_at == 0)
		b->gone_at = now;
	/* just launched, a broker may not exist yet, and its start passes
	 * through several processes: dead once it was seen and has been gone
	 * for GONE_MS, or when it never showed up */
	b->dead = b->alive == 0 && ((b->ever_alive && now - b->gone_at >=
	    GONE_MS) || now - b->t0 > stall_ms);
}

/* The blocks "NONCE file PATH\n...\nNONCE end\n" of the script's output. */
static void
boot_parse(struct boot *b, const char *out, const char *nonce,
    long long stall_ms)
{
	char *head = xasprintf("%s file ", nonce);
	char *tail = xasprintf("\n%s end", nonce);
	const char *p = out, *q, *nl, *e;
	int completed = 0;
	long long bytes = 0;

	strbuf_reset(&b->lines);
	strbuf_reset(&b->files);
	b->failed = 0;
	b->alive = -1;
	while ((q = strstr(p, head)) != NULL && (nl = strchr(q, '\n')) &&
	    (e = strstr(nl, tail)) != NULL) {
		size_t hl = strlen(head);
		int done = 0;

		strbuf_addf(&b->files, "%s%.*s", b->files.len ? ", " : "",
		    (int)(nl - q - (long)hl), q + hl);
		b->failed |= rmq_boot_scan(nl + 1, (size_t)(e - nl - 1),
		    &b->lines, BOOT_LINES, &done);
		completed |= done;
		bytes += e - nl - 1;
		p = e + 1;
	}
	unit_parse(b, out, nonce, &completed);
	proc_parse(b, out, nonce);
	boot_life(b, bytes, stall_ms);
	b->checked = 1;
	if (completed && !b->completed)
		b->completed_at = mono_ms();
	b->completed = completed;
	free(head);
	free(tail);
}

/* show FILE OFFSET SINCE: the file from OFFSET (from 0 when it is now
 * shorter: rewritten), if modified at or after SINCE (epoch s). */
static const char boot_script[] =
	"show() {\n"
	"  [ -f \"$1\" ] || return 0\n"
	"  m=$(stat -c %Y -- \"$1\" 2>/dev/null) || return 0\n"
	"  [ \"$m\" -ge \"$3\" ] || return 0\n"
	"  z=$(stat -c %s -- \"$1\" 2>/dev/null) || return 0\n"
	"  o=$2; [ \"$z\" -ge \"$o\" ] || o=0\n"
	"  echo \"$n file $1\"\n"
	"  tail -c +$((o + 1)) -- \"$1\" | tail -c 65536; echo; echo \"$n end\"\n"
	"}\n"
	"proc() {\n"
	"  c=0\n"
	"  for d in /proc/[0-9]*; do\n"
	"    [ \"$(cat \"$d/comm\" 2>/dev/null)\" = \"$1\" ] || continue\n"
	"    if [ -n \"$2\" ]; then tr '\\0' ' ' <\"$d/cmdline\" 2>/dev/null | "
	"grep -qF -- \"$2\" || continue; fi\n"
	"    grep -q '^State:[[:space:]]*Z' \"$d/status\" 2>/dev/null && "
	"continue\n"
	"    c=$((c + 1))\n"
	"  done\n"
	"  echo \"$n proc $c $1\"\n"
	"}\n"
	"unit() {\n"
	"  s=$(systemctl show -p ActiveState -p SubState -p Result "
	"-p NRestarts -- \"$1\" 2>/dev/null | tr '\\n' ' ')\n"
	"  echo \"$n unit $1 $s\"\n"
	"  echo \"$n file journal:$1\"\n"
	"  journalctl -q -o cat -u \"$1\" --since \"@$2\" 2>/dev/null | "
	"tail -c 65536; echo; echo \"$n end\"\n"
	"}\n";

/* One boot_log item: "PATH" (whole file, boot_log_since) or {path,
 * offset, since} as rabbitmq_service returns them. */
static void
boot_item(struct strbuf *cmd, const struct val *v, long long since)
{
	const struct val *o, *s;
	int64_t off = 0, sn = since;
	char nums[64];

	if (v->type == V_STR) {
		snprintf(nums, sizeof(nums), "0 %lld", (long long)sn);
		shellcmd_build(cmd, "show %q %s\n", v->u.str.s, nums);
		return;
	}
	if (v->type == V_MAP && val_map_str(v, "proc", NULL) != NULL) {
		shellcmd_build(cmd, "proc %q %q\n", val_map_str(v, "proc", ""),
		    val_map_str(v, "match", ""));
		return;
	}
	if (v->type == V_MAP && val_map_str(v, "unit", NULL) != NULL) {
		s = val_map_get(v, "since");
		if (s != NULL && val_to_int(s, &sn) < 0)
			sn = since;
		snprintf(nums, sizeof(nums), "%lld", (long long)sn);
		shellcmd_build(cmd, "unit %q %s\n", val_map_str(v, "unit", ""),
		    nums);
		return;
	}
	if (v->type != V_MAP || val_map_str(v, "path", NULL) == NULL)
		return;
	o = val_map_get(v, "offset");
	s = val_map_get(v, "since");
	if (o != NULL && (val_to_int(o, &off) < 0 || off < 0))
		off = 0;
	if (s != NULL && val_to_int(s, &sn) < 0)
		sn = since;
	/* digits only: safe unquoted */
	snprintf(nums, sizeof(nums), "%lld %lld", (long long)off,
	    (long long)sn);
	shellcmd_build(cmd, "show %q %s\n", val_map_str(v, "path", ""), nums);
}

static int
read_boot_logs(struct probe *p, struct boot *b)
{
	const struct val *l = arg_get(p->args, "boot_log");
	long long since = arg_int(p->args, "boot_log_since", 0);
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char nonce[17];
	size_t i;
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "LC_ALL=C; export LC_ALL; n=%q\n", nonce);
	strbuf_addstr(&cmd, boot_script);
	for (i = 0; l != NULL && i < l->u.list.n; i++)
		boot_item(&cmd, l->u.list.items[i], since);
	exec_res_init(&r);
	ret = mod_exec(p->ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0)
		boot_parse(b, r.out.buf, nonce,
		    arg_int(p->args, "stall", 120) * 1000);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The wait                                                            */

/* Should the boot logs stop the wait?  0 no, 1 yes, else a TERR code. */
static int
boot_says_stop(struct probe *p, struct boot *b)
{
	int ret = read_boot_logs(p, b);

	if (ret != 0)
		return ret;
	if (b->failed || b->dead)
		return 1;
	return b->completed && mono_ms() - b->completed_at >=
	    arg_int(p->args, "grace", 10) * 1000;
}

/* Past `wait`: a broker that is alive and whose logs grew within `stall`
 * seconds is slow, not failed: wait on, up to wait_max (one whose log
 * says it started gets its `grace` from boot_says_stop; one not yet seen,
 * e.g. while the init script's own checks run on a loaded host, gets
 * `stall` seconds to show up). */
static int
still_booting(const struct probe *p, const struct boot *b)
{
	if (b->alive != 1)   /* launched, not there yet (not yet "dead") */
		return !b->ever_alive && !b->dead;
	return b->completed || mono_ms() - b->progress_at <=
	    arg_int(p->args, "stall", 120) * 1000;
}

/* Attempts until the expectation holds, the wait is over or the boot logs
 * say the broker is not coming.  0, or a TERR code (host unreachable). */
static int
wait_loop(struct probe *p, struct attempt *a, struct boot *b, int *attempts)
{
	long long wait = arg_int(p->args, "wait", 0);
	long long max = arg_int(p->args, "wait_max", 0);
	long long deadline = b->t0 + wait * 1000;
	long long hard = b->t0 + (max > wait ? max : wait) * 1000;
	int use_boot = p->expect == SVCP_EXPECT_ACCEPTED &&
	    arg_get(p->args, "boot_log") != NULL;
	int ret = 0;

	for (;;) {
		attempt_run(p, a, b->extended ? hard : deadline);
		(*attempts)++;
		if (a->s.transport_err)
			return a->s.transport_err;
		if (met(p, a) || a->s.fatal)
			break;
		if (!use_boot && mono_ms() >= deadline)
			break;
		if (use_boot && (ret = boot_says_stop(p, b)) != 0)
			break;
		if (use_boot && mono_ms() >= deadline) {
			if (mono_ms() >= hard || !still_booting(p, b))
				break;
			b->extended = 1;
		}
		svcp_pause_until(b->extended ? hard : deadline, RETRY_MS);
	}
	if (ret < 0)
		return ret;
	if (use_boot && !met(p, a) && !b->checked)
		ret = read_boot_logs(p, b);
	return ret < 0 ? ret : 0;
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

static struct val *
server_val(const struct attempt *a)
{
	const struct amqp_reply *r = &a->reply;
	struct val *m;

	if (!a->have_reply || r->kind != AMQP_CONNECTION_START)
		return val_null();
	m = val_map();
	val_map_set(m, "product", val_str(r->product));
	val_map_set(m, "version", val_str(r->version));
	val_map_set(m, "platform", val_str(r->platform));
	val_map_set(m, "cluster_name", val_str(r->cluster_name));
	val_map_set(m, "mechanisms", val_str(r->mechanisms));
	val_map_set(m, "locales", val_str(r->locales));
	val_map_set(m, "amqp", val_str_take(xasprintf("%u-%u",
	    r->version_major, r->version_minor)));
	return m;
}

static void
record(struct probe *p, const struct attempt *a, const struct boot *b,
    int attempts, long long ms)
{
	struct modctx *c = p->ctx;
	const char *e = p->expect == SVCP_EXPECT_ANY ? "any" :
	    p->expect == SVCP_EXPECT_ACCEPTED ? "accepted" : "refused";

	mod_set(c, "host", val_str(p->t.host));
	mod_set(c, "port", val_int(p->t.port));
	mod_set(c, "mode", val_str(p->t.tls ? "tls" : "plaintext"));
	mod_set(c, "from", val_str(p->t.from_controller ? "controller" : "host"));
	mod_set(c, "expect", val_str(e));
	mod_set(c, "outcome", val_str(svcp_outcome_names[a->s.out]));
	mod_set(c, "accepted", val_bool(a->s.out == SVCP_ACCEPTED));
	mod_set(c, "detail", val_str(a->s.detail.buf));
	mod_set(c, "server", server_val(a));
	mod_set(c, "tls", svcp_tls_val(&p->t, &a->s));
	mod_set(c, "attempts", val_int(attempts));
	mod_set(c, "elapsed", val_int((ms + 500) / 1000));
	if (arg_get(p->args, "boot_log") == NULL)
		return;
	mod_set(c, "boot_checked", val_bool(b->checked));
	mod_set(c, "boot_failed", val_bool(b->failed));
	mod_set(c, "boot_completed", val_bool(b->completed));
	mod_set(c, "boot_errors", val_list_of_lines(b->lines.buf));
	mod_set(c, "boot_logs", val_str(b->files.buf));
	mod_set(c, "boot_alive", b->alive < 0 ? val_null() :
	    val_bool(b->alive));
	mod_set(c, "boot_died", val_bool(b->dead));
	mod_set(c, "waited_past_wait", val_bool(b->extended));
}

static void
where(const struct probe *p, struct strbuf *sb)
{
	if (strchr(p->t.host, ':') != NULL)
		strbuf_addf(sb, "[%s]:%d", p->t.host, p->t.port);
	else
		strbuf_addf(sb, "%s:%d", p->t.host, p->t.port);
	if (p->t.from_controller)
		strbuf_addstr(sb, " (from the controller)");
}

static void
success_msg(const struct probe *p, const struct attempt *a, struct strbuf *sb)
{

	where(p, sb);
	strbuf_addstr(sb, ": ");
	if (!p->t.tls) {
		strbuf_addf(sb, "cleartext AMQP %s: %s", a->s.out ==
		    SVCP_ACCEPTED ? "ACCEPTED" : "not accepted", a->s.detail.buf);
	} else if (a->s.out == SVCP_ACCEPTED) {
		svcp_tls_summary(&p->t, &a->s, sb);
		strbuf_addf(sb, "; %s", a->s.detail.buf);
	} else {
		strbuf_addf(sb, "TLS refused: %s", a->s.detail.buf);
	}
}

static void
failure_msg(const struct probe *p, const struct attempt *a,
    const struct boot *b, int attempts, struct strbuf *sb)
{
	const char *s = b->lines.buf;

	where(p, sb);
	if (p->expect == SVCP_EXPECT_ANY || a->s.out == SVCP_ERROR)
		strbuf_addf(sb, ": %s", a->s.detail.buf);
	else
		strbuf_addf(sb, ": expected %s, got %s: %s",
		    p->expect == SVCP_EXPECT_ACCEPTED ? "accepted" : "refused",
		    svcp_outcome_names[a->s.out], a->s.detail.buf);
	if (attempts > 1)
		strbuf_addf(sb, " (%d attempts)", attempts);
	if (b->failed)
		strbuf_addf(sb, "; the broker did not boot (BOOT FAILED in %s)",
		    b->files.buf);
	else if (b->dead)
		strbuf_addf(sb, "; the broker's process is gone: it died "
		    "during its boot (%lld s after the wait began)",
		    (mono_ms() - b->t0 + 500) / 1000);
	else if (b->alive == 1 && !b->completed)
		strbuf_addf(sb, "; the broker is still booting after %lld s "
		    "(alive, its logs last grew %lld s ago; wait %lld s, "
		    "wait_max %lld s, stall %lld s)",
		    (mono_ms() - b->t0 + 500) / 1000,
		    (mono_ms() - b->progress_at + 500) / 1000,
		    arg_int(p->args, "wait", 0), arg_int(p->args, "wait_max", 0),
		    arg_int(p->args, "stall", 120));
	else if (b->completed)
		strbuf_addf(sb, "; the broker started but does not answer here");
	while (b->lines.len && *s != '\0') {
		size_t n = strcspn(s, "\n");

		strbuf_addf(sb, "%s%.*s", s == b->lines.buf ? ": " : " | ",
		    (int)n, s);
		s += n + (s[n] == '\n');
	}
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int
setup(struct probe *p, struct modctx *ctx, const struct val *args)
{
	p->ctx = ctx;
	p->args = args;
	p->t.tls = strcmp(arg_str(args, "mode"), "tls") == 0;
	p->t.host = arg_str(args, "host");
	p->t.port = (int)arg_int(args, "port", p->t.tls ? 5671 : 5672);
	p->t.timeout_s = (int)arg_int(args, "timeout", 10);
	p->expect = svcp_parse_expect(arg_str(args, "expect"), p->t.tls);
	if (p->t.port < 1 || p->t.port > 65535)
		return mod_fail(ctx, "port %d is out of range", p->t.port) - 1;
	if (p->t.tls && arg_str(args, "ca_file") == NULL)
		return mod_fail(ctx, "ca_file is required with mode: tls (the "
		    "CA that must have signed the broker's certificate)") - 1;
	return svcp_target_setup(&p->t, &p->local, ctx, args);
}

static void
probe_release(struct probe *p)
{
	svcp_target_release(&p->t, p->local);
}

static enum mod_result
amqp_probe_run(struct modctx *ctx, const struct val *args)
{
	struct probe p;
	struct attempt a;
	struct boot b;
	struct strbuf msg = STRBUF_INIT;
	long long t0 = mono_ms();
	int ret = 0, attempts = 0;

	memset(&p, 0, sizeof(p));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	strbuf_init(&a.s.detail, 0);
	strbuf_init(&b.lines, 0);
	strbuf_init(&b.files, 0);
	b.alive = -1;
	b.t0 = t0;
	if (setup(&p, ctx, args) < 0)
		goto out;
	ret = wait_loop(&p, &a, &b, &attempts);
	if (ret != 0)
		goto out;
	record(&p, &a, &b, attempts, mono_ms() - t0);
	if (met(&p, &a)) {
		success_msg(&p, &a, &msg);
		if (b.extended)
			strbuf_addf(&msg, "; ready after %lld s, past the wait "
			    "of %lld s: the broker was alive and its logs grew",
			    (mono_ms() - t0 + 500) / 1000,
			    arg_int(args, "wait", 0));
		mod_msg(ctx, "%s", msg.buf);
	} else {
		failure_msg(&p, &a, &b, attempts, &msg);
		mod_fail(ctx, "%s", msg.buf);
	}
out:
	probe_release(&p);
	strbuf_release(&a.s.detail);
	strbuf_release(&b.lines);
	strbuf_release(&b.files);
	strbuf_release(&msg);
	return mod_done(ctx, ret);
}

static const struct module_arg amqp_probe_args[] = {
	{ "mode", ARG_STR, 0, "plaintext", "plaintext|tls",
	  "plaintext: does the listener accept cleartext AMQP?  tls: "
	  "verified handshake, then AMQP inside TLS", NULL },
	{ "host", ARG_STR, 0, "127.0.0.1", NULL,
	  "broker address as the HOST sees it (from: controller: as the "
	  "controller sees it)", NULL },
	{ "port", ARG_INT, 0, NULL, NULL,
	  "default 5672 (plaintext) or 5671 (tls)", NULL },
	{ "from", ARG_STR, 0, "host", "host|controller",
	  "host: through the host's SSH connection (direct-tcpip); "
	  "controller: a socket from the controller", NULL },
	{ "expect", ARG_STR, 0, NULL, "accepted|refused|any",
	  "fail unless the outcome is this (default: accepted for tls, any "
	  "for plaintext); an error always fails", NULL },
	{ "ca_file", ARG_STR, 0, NULL, NULL,
	  "tls: CA certificate(s), PEM, on the CONTROLLER (relative: "
	  "playbook dir/files, playbook dir)", "cafile" },
	{ "verify_name", ARG_STR, 0, NULL, NULL,
	  "tls: name (DNS or IP) the certificate must carry (default: host)",
	  NULL },
	{ "verify_hostname", ARG_BOOL, 0, "true", NULL,
	  "tls: check the name, not only the chain", NULL },
	{ "cert_file", ARG_STR, 0, NULL, NULL,
	  "tls: client certificate (PEM, controller) for mTLS", NULL },
	{ "key_file", ARG_STR, 0, NULL, NULL,
	  "tls: its private key (PEM, controller)", NULL },
	{ "timeout", ARG_INT, 0, "10", NULL,
	  "seconds for one attempt's connect, handshake and reply", NULL },
	{ "wait", ARG_INT, 0, "0", NULL,
	  "keep trying (every 2 s) for this many seconds until the "
	  "expectation holds", NULL },
	{ "boot_log", ARG_LIST, 0, NULL, NULL,
	  "host files to read while waiting for accepted: paths, or "
	  "{path, offset, since} maps (rabbitmq_service's boot_logs); BOOT "
	  "FAILED ends the wait", NULL },
	{ "boot_log_since", ARG_INT, 0, "0", NULL,
	  "ignore boot_log files modified before this epoch second of the "
	  "host (rabbitmq_service returns started_at)", NULL },
	{ "wait_max", ARG_INT, 0, "0", NULL,
	  "with boot_log: past `wait`, keep waiting up to this many seconds "
	  "while the broker's process lives and its logs grow (a slow boot, "
	  "not a failed one)", NULL },
	{ "stall", ARG_INT, 0, "120", NULL,
	  "with boot_log: seconds without boot log growth after which a "
	  "live broker past `wait` counts as stuck", NULL },
	{ "grace", ARG_INT, 0, "10", NULL,
	  "seconds to keep trying after the log says the broker started",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_amqp_probe = {
	.name = "amqp_probe",
	.summary = "does an AMQP 0-9-1 listener accept cleartext, or verified "
	    "TLS?  (detection, smoke test, readiness wait)",
	.doc = "Connects through the host's SSH connection (direct-tcpip to "
	    "host:port as the host sees it) or, with from: controller, from "
	    "the controller.  mode plaintext sends the AMQP 0-9-1 header: a "
	    "Connection.Start frame means cleartext is accepted (product and "
	    "version reported); a refused or closed connection, the server's "
	    "own protocol header or a TLS alert means it is not.  mode tls "
	    "does an OpenSSL handshake verified against ca_file and the "
	    "expected name (optional client certificate: mTLS), then the "
	    "header inside TLS must get Connection.Start; TLS version, "
	    "cipher, certificate subject, issuer and expiry are reported.  "
	    "expect (accepted|refused|any) fails the task on another "
	    "outcome; wait retries until it holds.  While waiting for "
	    "accepted, boot_log files (startup_log, startup_err) modified "
	    "since boot_log_since are read: BOOT FAILED stops the wait and "
	    "the broker's error lines come back in boot_errors.  Returns "
	    "outcome (accepted|refused|error), accepted, detail, server "
	    "{product, version, amqp, ...}, tls {version, cipher, subject, "
	    "issuer, not_after, days_left, verified}, attempts, elapsed, "
	    "boot_failed, boot_completed, boot_errors.  Read-only.",
	.args = amqp_probe_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = amqp_probe_run,
};
