/*
 * svcprobe.c - one attempt at a product's listener (svcprobe.h).
 */
#include <openssl/err.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/module.h"
#include "modules/svcprobe.h"
#include "runner/transport/transport.h"
#include "runner/util/clock.h"
#include "runner/util/err.h"
#include "runner/util/banned.h"

const char *const svcp_outcome_names[] = { "accepted", "refused", "error" };

void
svcp_setf(struct svcp_attempt *a, enum svcp_outcome o, const char *fmt, ...)
{
	va_list ap;

	a->out = o;
	strbuf_reset(&a->detail);
	va_start(ap, fmt);
	strbuf_vaddf(&a->detail, fmt, ap);
	va_end(ap);
}

static int
open_stream(const struct svcp_target *t, struct svcp_attempt *a, int secs,
    struct tstream **s)
{
	struct err e = ERR_INIT;
	int ret = conn_tcp_open(t->conn, t->host, t->port, secs, s, &e);
	const char *why = err_text(&e, "unknown error");

	if (ret == TERR_CONNECT)
		svcp_setf(a, SVCP_REFUSED, "%s", strcasestr(why,
		    "connection refused") ? "connection refused" : why);
	else if (ret != 0)
		svcp_setf(a, SVCP_ERROR, "%s", why);
	if (ret == TERR_UNREACHABLE && !t->from_controller)
		a->transport_err = ret;
	err_release(&e);
	return ret == 0 ? 0 : -1;
}

static void
handshake_failed(struct svcp_attempt *a, const char *why)
{
	if (strncmp(why, "cannot load", 11) == 0) {
		a->fatal = 1;
		svcp_setf(a, SVCP_ERROR, "%s", why);
	} else if (strstr(why, "certificate verify failed") != NULL) {
		svcp_setf(a, SVCP_ERROR, "we rejected the server: %s%s%s%s%s%s",
		    why, a->ti.subject[0] ? " (server certificate '" : "",
		    a->ti.subject, a->ti.issuer[0] ? "', issuer '" : "",
		    a->ti.issuer, a->ti.subject[0] ? "')" : "");
	} else if (strstr(why, "alert") != NULL ||
	    strstr(why, "peer closed") != NULL ||
	    strstr(why, "unexpected eof") != NULL ||
	    strstr(why, "reset") != NULL) {
		svcp_setf(a, SVCP_REFUSED, "the server refused the TLS "
		    "handshake: %s", why);
	} else {
		svcp_setf(a, SVCP_ERROR, "%s", why);
	}
}

static int
handshake(const struct svcp_target *t, struct svcp_attempt *a,
    struct tstream *s, int ms, struct tls_conn **tc)
{
	struct tls_opts o;
	struct err e = ERR_INIT;
	int ret;

	memset(&o, 0, sizeof(o));
	o.cafile = t->cafile;
	o.verify_name = t->verify_name;
	o.certfile = t->certfile;
	o.keyfile = t->keyfile;
	o.timeout_ms = ms;
	ret = tls_client_start(s, &o, tc, &a->ti, &e);
	a->have_tls = a->ti.version[0] != '\0' || a->ti.subject[0] != '\0';
	if (ret == 0)
		a->verified = 1;
	else
		handshake_failed(a, err_text(&e, "unknown error"));
	err_release(&e);
	return ret;
}

/* The reason OpenSSL recorded for a failed read, e.g. "tlsv13 alert
 * certificate required". */
static void
ssl_reason(struct strbuf *sb)
{
	unsigned long code, last = 0;
	const char *r;

	while ((code = ERR_get_error()) != 0)
		last = code;
	r = last ? ERR_reason_error_string(last) : NULL;
	strbuf_addstr(sb, r ? r : "connection reset");
}

static void
read_failed(const struct svcp_target *t, const struct svcp_proto *pr,
    struct svcp_attempt *a, ssize_t n, size_t got)
{
	struct strbuf why = STRBUF_INIT;

	if (n == TERR_TIMEOUT) {
		svcp_setf(a, SVCP_ERROR, "no complete %s reply within %d s "
		    "(%zu bytes received)", pr->name, t->timeout_s, got);
	} else if (n == 0) {
		svcp_setf(a, SVCP_REFUSED, "the server closed the connection "
		    "without a reply%s", t->tls ? " after the TLS handshake" :
		    "");
	} else {
		if (t->tls)
			ssl_reason(&why);
		svcp_setf(a, SVCP_REFUSED, "the server closed the %sconnection"
		    "%s%s", t->tls ? "TLS " : "", why.len ? ": " : "",
		    why.len ? why.buf : "");
	}
	strbuf_release(&why);
}

static void
exchange(const struct svcp_target *t, const struct svcp_proto *pr,
    struct svcp_attempt *a, struct tstream *s, struct tls_conn *tc, int ms)
{
	struct strbuf in = STRBUF_INIT;
	char buf[4096];
	ssize_t n = 0;

	if (pr->hello_len > 0)
		n = tc ? tls_write(tc, pr->hello, pr->hello_len) :
		    tstream_write(s, pr->hello, pr->hello_len);
	if (pr->hello_len > 0 && n != (ssize_t)pr->hello_len) {
		read_failed(t, pr, a, -1, 0);
		goto out;
	}
	for (;;) {
		n = tc ? tls_read(tc, buf, sizeof(buf), ms) :
		    tstream_read(s, buf, sizeof(buf), ms);
		if (n <= 0) {
			read_failed(t, pr, a, n, in.len);
			break;
		}
		strbuf_add(&in, buf, (size_t)n);
		if (pr->parse(pr->arg, a, (const unsigned char *)in.buf,
		    in.len, t->tls))
			break;
		if (in.len > pr->cap) {
			svcp_setf(a, SVCP_ERROR, "no complete %s reply in the "
			    "first %zu bytes", pr->name, in.len);
			break;
		}
	}
out:
	strbuf_release(&in);
}

void
svcp_attempt_run(const struct svcp_target *t, const struct svcp_proto *pr,
    struct svcp_attempt *a, long long deadline)
{
	struct tstream *s = NULL;
	struct tls_conn *tc = NULL;
	long long left = deadline - mono_ms();
	int ms = t->timeout_s * 1000;

	if (left > 0 && left < ms)
		ms = (int)left;
	if (ms < 1000)
		ms = 1000;
	memset(&a->ti, 0, sizeof(a->ti));
	a->have_tls = a->verified = 0;
	ERR_clear_error();
	if (open_stream(t, a, (ms + 999) / 1000, &s) == 0 &&
	    (!t->tls || handshake(t, a, s, ms, &tc) == 0))
		exchange(t, pr, a, s, tc, ms);
	if (tc != NULL)
		tls_close(tc);
	if (s != NULL)
		tstream_close(s);
	ERR_clear_error();
}

int
svcp_met(enum svcp_expect e, const struct svcp_attempt *a)
{
	if (a->out == SVCP_ERROR)
		return 0;
	return e == SVCP_EXPECT_ANY ||
	    (e == SVCP_EXPECT_ACCEPTED) == (a->out == SVCP_ACCEPTED);
}

enum svcp_expect
svcp_parse_expect(const char *s, int tls)
{
	if (s == NULL)
		return tls ? SVCP_EXPECT_ACCEPTED : SVCP_EXPECT_ANY;
	if (strcmp(s, "accepted") == 0)
		return SVCP_EXPECT_ACCEPTED;
	return strcmp(s, "refused") == 0 ? SVCP_EXPECT_REFUSED :
	    SVCP_EXPECT_ANY;
}

struct val *
svcp_tls_val(const struct svcp_target *t, const struct svcp_attempt *a)
{
	const struct tls_info *ti = &a->ti;
	struct val *m;

	if (!t->tls || !a->have_tls)
		return val_null();
	m = val_map();
	val_map_set(m, "version", val_str(ti->version));
	val_map_set(m, "cipher", val_str(ti->cipher));
	val_map_set(m, "subject", val_str(ti->subject));
	val_map_set(m, "issuer", val_str(ti->issuer));
	val_map_set(m, "not_after", val_str(ti->not_after));
	val_map_set(m, "days_left", val_int(ti->days_left));
	val_map_set(m, "verified", val_bool(a->verified));
	val_map_set(m, "verify_name", t->verify_name ?
	    val_str(t->verify_name) : val_null());
	val_map_set(m, "client_cert", val_bool(t->certfile != NULL));
	if (ti->verify_error[0] != '\0')
		val_map_set(m, "verify_error", val_str(ti->verify_error));
	return m;
}

void
svcp_tls_summary(const struct svcp_target *t, const struct svcp_attempt *a,
    struct strbuf *sb)
{
	const struct tls_info *ti = &a->ti;

	strbuf_addf(sb, "%s %s, certificate '%s' verified%s%s, expires %s "
	    "(%ld days)", ti->version, ti->cipher, ti->subject,
	    t->verify_name ? " for " : " (chain only)",
	    t->verify_name ? t->verify_name : "", ti->not_after,
	    ti->days_left);
}

static int
open_local(struct modctx *ctx, struct conn **local)
{
	struct conn_params cp;
	struct err e = ERR_INIT;
	int ret;

	memset(&cp, 0, sizeof(cp));
	cp.name = "controller";
	cp.host = "localhost";
	cp.local = 1;
	ret = conn_open(local, &cp, &e);
	if (ret != 0)
		mod_fail(ctx, "cannot open a local connection: %s",
		    err_text(&e, "unknown error"));
	err_release(&e);
	return ret == 0 ? 0 : -1;
}

void
svcp_pause_until(long long deadline, int retry_ms)
{
	long long ms = deadline - mono_ms();

	if (ms > retry_ms)
		ms = retry_ms;
	if (ms > 0)
		usleep((useconds_t)ms * 1000);
}

int
svcp_target_setup(struct svcp_target *t, struct conn **local,
    struct modctx *ctx, const struct val *args)
{
	const char *vn = arg_str(args, "verify_name");

	if ((arg_str(args, "cert_file") == NULL) !=
	    (arg_str(args, "key_file") == NULL))
		return mod_fail(ctx, "cert_file and key_file go together") - 1;
	t->cafile = mod_local_path(ctx, arg_str(args, "ca_file"));
	t->certfile = mod_local_path(ctx, arg_str(args, "cert_file"));
	t->keyfile = mod_local_path(ctx, arg_str(args, "key_file"));
	if (vn != NULL && *vn != '\0')
		t->verify_name = vn;
	else if (arg_bool(args, "verify_hostname"))
		t->verify_name = t->host;
	t->from_controller = strcmp(arg_str(args, "from"), "controller") == 0;
	if (!t->from_controller) {
		t->conn = mod_conn(ctx);
		return 0;
	}
	if (open_local(ctx, local) < 0)
		return -1;
	t->conn = *local;
	return 0;
}

void
svcp_target_release(struct svcp_target *t, struct conn *local)
{
	if (local != NULL)
		conn_close(local);
	free(t->cafile);
	free(t->certfile);
	free(t->keyfile);
	t->cafile = t->certfile = t->keyfile = NULL;
}
