/*
 * transport_psh.c - the persistent remote shell: one exec channel per host
 * (one login shell) that runs every command of the run.  Wire format and
 * the loop: pshframe.h.  Contracts: transport_impl.h.
 *
 * Why: sshd starts the user's login shell for every exec request and
 * every subsystem, and bash reads ~/.bashrc for them; on hosts whose
 * ~/.bashrc or /etc/bash.bashrc is heavy (pyenv, conda, nvm) that cost
 * was paid once per task.  Now: once for the shell, once for sftp-server.
 *
 * Timeouts: the command line already runs under the host's timeout(1)
 * set 1 s after our deadline (transport.c), which stops the command's
 * whole process group (and KILLs it 2 s later).  When our deadline
 * passes we wait PSH_GRACE_MS more for that reply, so that the shell
 * stays in step and usable; if none comes (no timeout(1) there, or the
 * command ignores it) the shell is closed and the next command starts a
 * new one.  Either way the command reports TERR_TIMEOUT.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "runner/transport/pshframe.h"
#include "runner/transport/transport_impl.h"
#include "runner/util/banned.h"

#define PSH_START_MS 30000    /* login shell + loop ready */
#define PSH_GRACE_MS 4000     /* after our deadline: timeout(1) +1 s, -k 2 */
#define PSH_READ_BUF 16384

struct psh {
	struct tstream *s;
	char nonce[PSH_NONCE_LEN + 1];
	unsigned long seq;
	int ok;               /* in step: the next request may follow */
};

static void
make_nonce(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[PSH_NONCE_LEN / 2];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		fatal("cannot get random bytes for a nonce");
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[PSH_NONCE_LEN] = '\0';
}

static const char *
peer(const struct psh *p)
{
	return p->s->c != NULL ? conn_describe(p->s->c) : "the host";
}

/* The stream failed or ended: TERR_UNREACHABLE when the SSH connection
 * itself is gone (e set), else 0. */
static int
stream_gone(struct psh *p, struct err *e)
{
	p->ok = 0;
	if (p->s->c != NULL && !p->s->c->local)
		return tr_ssh_check(p->s->c, e);
	return 0;
}

/*
 * Read the stream into f until the frame is complete or the deadline
 * (0: none).  Returns 0 (PF_DONE), 1 (the shell ended first), TERR_TIMEOUT
 * (e not set), TERR_INTERNAL (garbled, e set) or TERR_UNREACHABLE.
 */
static int
read_frame(struct psh *p, struct psh_frame *f, struct strbuf *out,
    struct strbuf *err, int64_t deadline, struct err *e)
{
	char buf[PSH_READ_BUF];
	ssize_t n;
	size_t used;

	for (;;) {
		n = tstream_read(p->s, buf, sizeof(buf), tr_left_ms(deadline));
		if (n == TERR_TIMEOUT)
			return TERR_TIMEOUT;
		if (n <= 0) {
			int rc = stream_gone(p, e);

			return rc < 0 ? rc : 1;
		}
		used = psh_frame_feed(f, buf, (size_t)n, out, err);
		if (f->state == PF_BAD) {
			p->ok = 0;
			return err_set(e, "persistent shell on '%s': %s",
			    peer(p), f->why), TERR_INTERNAL;
		}
		if (f->state == PF_DONE) {
			if (used < (size_t)n)
				p->ok = 0;      /* more than asked for: out of step */
			return 0;
		}
	}
}

int
psh_start(struct tstream *s, int timeout_ms, struct psh **out,
    struct err *e)
{
	struct psh *p = xcalloc(1, sizeof(*p));
	struct strbuf sb = STRBUF_INIT, junk = STRBUF_INIT;
	struct psh_frame f;
	int rc = -1;

	*out = NULL;
	p->s = s;
	p->ok = 1;
	make_nonce(p->nonce);
	psh_script(&sb, p->nonce);
	s->timeout_ms = timeout_ms;
	if (tstream_write(s, sb.buf, sb.len) == (ssize_t)sb.len) {
		psh_frame_init(&f, p->nonce, 0);
		junk.cap = 1;
		rc = read_frame(p, &f, &junk, &junk, mono_ms() + timeout_ms, e);
	} else if ((rc = stream_gone(p, e)) == 0) {
		rc = 1;
	}
	if (rc == 0 && p->ok)
		*out = p;
	else if (rc == 1 || rc == TERR_TIMEOUT || rc == 0)
		err_set(e, "%s", rc == TERR_TIMEOUT ? "not ready in time" :
		    "the shell ended before it was ready");
	strbuf_release(&sb);
	strbuf_release(&junk);
	if (*out == NULL)
		free(p);
	return *out != NULL ? 0 : rc == TERR_UNREACHABLE ? rc : -1;
}

/* The request: header and command, then stdin (not copied: it may hold
 * a password). */
static int
send_request(struct psh *p, const char *cmd, const void *in, size_t inlen,
    int timeout, struct err *e)
{
	struct strbuf req = STRBUF_INIT;
	int ok, rc;

	psh_request(&req, ++p->seq, cmd, inlen);
	p->s->timeout_ms = timeout > 0 ? timeout * 1000 : INT_MAX;
	ok = tstream_write(p->s, req.buf, req.len) == (ssize_t)req.len &&
	    (inlen == 0 || tstream_write(p->s, in, inlen) == (ssize_t)inlen);
	strbuf_release(&req);
	if (ok)
		return 0;
	if ((rc = stream_gone(p, e)) < 0)
		return rc;
	return err_set(e, "persistent shell on '%s' stopped taking commands",
	    peer(p)), TERR_INTERNAL;
}

/* Our deadline passed: give the host's timeout(1) PSH_GRACE_MS to stop
 * the command and the shell to reply; the result is TERR_TIMEOUT unless
 * the connection broke. */
static int
after_timeout(struct psh *p, struct psh_frame *f, struct exec_res *r,
    int timeout, struct err *e)
{
	struct err why = ERR_INIT;
	int rc = read_frame(p, f, &r->out, &r->err, mono_ms() + PSH_GRACE_MS,
	    &why);

	if (rc != 0)
		p->ok = 0;
	if (rc == TERR_UNREACHABLE) {
		strbuf_addbuf(&e->msg, &why.msg);
		e->count += why.count;
	} else {
		err_set(e, "command timed out after %d s", timeout);
		rc = TERR_TIMEOUT;
	}
	err_release(&why);
	return rc;
}

int
psh_run(struct psh *p, const char *cmd, const void *in, size_t inlen,
    int timeout, struct exec_res *r, struct err *e)
{
	int64_t deadline = timeout > 0 ? mono_ms() + timeout * 1000LL : 0;
	struct psh_frame f;
	int rc;

	if (!p->ok)
		return err_set(e, "persistent shell on '%s' is out of step",
		    peer(p)), TERR_INTERNAL;
	if ((rc = send_request(p, cmd, in, inlen, timeout, e)) != 0)
		return rc;
	psh_frame_init(&f, p->nonce, p->seq);
	rc = read_frame(p, &f, &r->out, &r->err, deadline, e);
	if (rc == TERR_TIMEOUT)
		return after_timeout(p, &f, r, timeout, e);
	if (rc == 1) {
		r->rc = 255;      /* as a channel closed without exit status */
		return 0;
	}
	if (rc == 0)
		r->rc = f.rc;
	return rc;
}

int
psh_ok(const struct psh *p)
{
	return p != NULL && p->ok;
}

void
psh_end(struct psh *p)
{
	if (p == NULL)
		return;
	tstream_close(p->s);
	free(p);
}

/* ---- the connection's shell ---------------------------------------------- */

static void
say(const struct conn *c, const char *what, const char *why)
{
	if (c->verbose >= 3)
		fprintf(stderr, "%s: %s%s%s%s\n", c->desc, what,
		    why ? " (" : "", why ? why : "", why ? ")" : "");
}

static int
psh_open(struct conn *c, struct err *e)
{
	struct tstream *s = xcalloc(1, sizeof(*s));
	int rc;

	s->fd = -1;
	s->c = c;
	s->timeout_ms = PSH_START_MS;
	rc = tr_ssh_session_open(c, NULL, PSH_BOOT, s, e);
	if (rc < 0) {
		free(s);
		return rc;
	}
	rc = psh_start(s, PSH_START_MS, &c->psh, e);
	if (rc < 0)
		tstream_close(s);
	return rc;
}

/* 0: c->psh is there; 1: none (e untouched); TERR_UNREACHABLE. */
static int
psh_ensure(struct conn *c, struct err *e)
{
	struct err why = ERR_INIT;
	int rc;

	if (c->psh != NULL)
		return 0;
	if (c->psh_off)
		return 1;
	rc = psh_open(c, &why);
	if (rc == TERR_UNREACHABLE) {
		strbuf_addbuf(&e->msg, &why.msg);
		e->count += why.count;
	} else if (rc < 0) {
		strbuf_rtrim(&why.msg);
		c->psh_off = 1;
		say(c, "no persistent shell, one SSH channel per command",
		    err_text(&why, "it did not start"));
		rc = 1;
	} else {
		say(c, "commands run through one persistent shell", NULL);
	}
	err_release(&why);
	return rc;
}

int
tr_psh_exec(struct conn *c, const char *cmd, const void *in, size_t inlen,
    int timeout, struct exec_res *r, struct err *e)
{
	int rc = psh_ensure(c, e);

	if (rc != 0)
		return rc;
	rc = psh_run(c->psh, cmd, in, inlen, timeout, r, e);
	if (!psh_ok(c->psh)) {
		psh_end(c->psh);
		c->psh = NULL;
		say(c, "persistent shell closed, the next command starts "
		    "another", NULL);
	}
	return rc;
}

void
tr_psh_close(struct conn *c)
{
	psh_end(c->psh);
	c->psh = NULL;
}
