/*
 * sftpc.c - SFTP version 3 client over a tstream; see sftpc.h.
 *
 * Packets: uint32 length, byte type, uint32 request id, payload.  Requests
 * go out one at a time and wait for their reply, except reads and writes,
 * which keep several requests in flight (OpenSSH's sftp-server answers in
 * order; a reply out of order is a protocol error here).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/transport/sftpc.h"
#include "runner/transport/transport_impl.h"
#include "runner/util/banned.h"

enum {
	FXP_INIT = 1, FXP_VERSION = 2, FXP_OPEN = 3, FXP_CLOSE = 4,
	FXP_READ = 5, FXP_WRITE = 6, FXP_LSTAT = 7, FXP_FSTAT = 8,
	FXP_FSETSTAT = 10, FXP_REMOVE = 13, FXP_MKDIR = 14, FXP_RMDIR = 15,
	FXP_REALPATH = 16, FXP_STAT = 17, FXP_STATUS = 101, FXP_HANDLE = 102,
	FXP_DATA = 103, FXP_NAME = 104, FXP_ATTRS = 105, FXP_EXTENDED = 200,
	FXP_EXTENDED_REPLY = 201,
};

#define MAX_PACKET (512u << 10)   /* OpenSSH's sftp-server: 256 KiB */
#define CHUNK      (64u << 10)    /* read/write request size */
#define WINDOW     8              /* requests in flight */
#define TRIM_OVER  (4u << 10)     /* see trim() */

static const char *const needed_ext[] = {
	"posix-rename@openssh.com", "fsync@openssh.com",
	"users-groups-by-id@openssh.com",
};

struct idname {
	uint32_t id;
	char *name;
};

struct sftpc {
	struct tstream *s;
	int timeout_ms;
	uint32_t next_id;
	int dead;                 /* TERR_* once the session broke, else 0 */
	char *dead_why;
	struct strbuf msg;        /* last status message */
	struct strbuf in;         /* bytes received, not yet a whole packet */
	struct strbuf pkt;        /* the current reply: type, id, payload */
	struct idname *users, *groups;
	size_t nusers, ngroups, ausers, agroups;
};

/* ---- encoding ---- */

static void
put_u32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	strbuf_add(sb, b, 4);
}

static void
put_u64(struct strbuf *sb, uint64_t v)
{
	put_u32(sb, (uint32_t)(v >> 32));
	put_u32(sb, (uint32_t)v);
}

static void
put_str(struct strbuf *sb, const void *data, size_t len)
{
	put_u32(sb, (uint32_t)len);
	strbuf_add(sb, data, len);
}

static void
put_cstr(struct strbuf *sb, const char *s)
{
	put_str(sb, s, strlen(s));
}

void
sf_put_attr(struct strbuf *sb, const struct sf_attr *a)
{
	uint32_t f = a != NULL ? a->flags & (SF_A_SIZE | SF_A_UIDGID |
	    SF_A_PERM | SF_A_TIME) : 0;

	put_u32(sb, f);
	if (f & SF_A_SIZE)
		put_u64(sb, a->size);
	if (f & SF_A_UIDGID) {
		put_u32(sb, a->uid);
		put_u32(sb, a->gid);
	}
	if (f & SF_A_PERM)
		put_u32(sb, a->perm);
	if (f & SF_A_TIME) {
		put_u32(sb, a->atime);
		put_u32(sb, a->mtime);
	}
}

/* ---- decoding: each returns -1 when the input is too short ---- */

static int
get_u32(const unsigned char **p, size_t *left, uint32_t *v)
{
	if (*left < 4)
		return -1;
	*v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	    (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	*left -= 4;
	return 0;
}

static int
get_u64(const unsigned char **p, size_t *left, uint64_t *v)
{
	uint32_t hi, lo;

	if (get_u32(p, left, &hi) < 0 || get_u32(p, left, &lo) < 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int
get_str(const unsigned char **p, size_t *left, const unsigned char **s,
    size_t *len)
{
	uint32_t n;

	if (get_u32(p, left, &n) < 0 || n > *left)
		return -1;
	*s = *p;
	*len = n;
	*p += n;
	*left -= n;
	return 0;
}

int
sf_get_attr(const unsigned char **p, size_t *left, struct sf_attr *a)
{
	uint32_t n, i;

	memset(a, 0, sizeof(*a));
	if (get_u32(p, left, &a->flags) < 0)
		return -1;
	if ((a->flags & SF_A_SIZE) && get_u64(p, left, &a->size) < 0)
		return -1;
	if ((a->flags & SF_A_UIDGID) && (get_u32(p, left, &a->uid) < 0 ||
	    get_u32(p, left, &a->gid) < 0))
		return -1;
	if ((a->flags & SF_A_PERM) && get_u32(p, left, &a->perm) < 0)
		return -1;
	if ((a->flags & SF_A_TIME) && (get_u32(p, left, &a->atime) < 0 ||
	    get_u32(p, left, &a->mtime) < 0))
		return -1;
	if (a->flags & 0x80000000u) {       /* extended pairs: skipped */
		if (get_u32(p, left, &n) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			const unsigned char *s;
			size_t len;

			if (get_str(p, left, &s, &len) < 0 ||
			    get_str(p, left, &s, &len) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- the wire ---- */

static int
die(struct sftpc *sf, int rc, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The session is broken from now on: remember why, for every later call. */
static int
die(struct sftpc *sf, int rc, struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!sf->dead) {
		struct strbuf sb = STRBUF_INIT;

		va_start(ap, fmt);
		strbuf_vaddf(&sb, fmt, ap);
		va_end(ap);
		sf->dead = rc;
		sf->dead_why = strbuf_detach(&sb, NULL);
	}
	err_set(e, "sftp: %s", sf->dead_why);
	return sf->dead;
}

/* After a large reply: give the buffers back (a run keeps hundreds of
 * sessions open until it ends). */
static void
trim(struct sftpc *sf)
{
	if (sf->in.len == 0 && sf->in.alloc > TRIM_OVER)
		strbuf_release(&sf->in);
	if (sf->pkt.alloc > TRIM_OVER)
		strbuf_release(&sf->pkt);
}

static int
check_alive(struct sftpc *sf, struct err *e)
{
	if (sf->dead)
		return die(sf, sf->dead, e, "%s", sf->dead_why);
	return 0;
}

/* Start a request packet: length placeholder, type, id. */
static uint32_t
begin(struct sftpc *sf, struct strbuf *sb, int type)
{
	uint32_t id = ++sf->next_id;

	strbuf_reset(sb);
	put_u32(sb, 0);
	strbuf_addch(sb, type);
	put_u32(sb, id);
	return id;
}

static int
send_packet(struct sftpc *sf, struct strbuf *sb, struct err *e)
{
	uint32_t n = (uint32_t)sb->len - 4;
	unsigned char *b = (unsigned char *)sb->buf;

	b[0] = n >> 24, b[1] = n >> 16, b[2] = n >> 8, b[3] = n;
	if (tstream_write(sf->s, sb->buf, sb->len) != (ssize_t)sb->len)
		return die(sf, TERR_UNREACHABLE, e, "cannot send a request");
	return 0;
}

/* Read one whole reply into sf->pkt (type byte first). */
static int
recv_packet(struct sftpc *sf, struct err *e)
{
	int64_t deadline = mono_ms() + sf->timeout_ms;
	char buf[CHUNK];
	uint32_t n = 0;

	for (;;) {
		const unsigned char *p = (const unsigned char *)sf->in.buf;
		size_t left = sf->in.len;
		ssize_t got;

		if (left >= 4) {
			get_u32(&p, &left, &n);
			if (n == 0 || n > MAX_PACKET)
				return die(sf, TERR_INTERNAL, e, "bad reply "
				    "length %u", n);
			if (left >= n)
				break;
		}
		got = tstream_read(sf->s, buf, sizeof(buf),
		    tr_left_ms(deadline));
		if (got == TERR_TIMEOUT)
			return die(sf, TERR_TIMEOUT, e, "no reply in %d s",
			    sf->timeout_ms / 1000);
		if (got <= 0)
			return die(sf, TERR_UNREACHABLE, e, "the server "
			    "closed the session");
		strbuf_add(&sf->in, buf, (size_t)got);
	}
	strbuf_reset(&sf->pkt);
	strbuf_add(&sf->pkt, sf->in.buf + 4, n);
	memmove(sf->in.buf, sf->in.buf + 4 + n, sf->in.len - 4 - n);
	strbuf_setlen(&sf->in, sf->in.len - 4 - n);
	return 0;
}

/*
 * Receive the reply to request `id`: *type, and p/left at the payload.
 * A STATUS reply is decoded here: returns its code (message in sf->msg),
 * or 0 with *type == FXP_STATUS for SF_OK.
 */
static int
reply(struct sftpc *sf, uint32_t id, int *type, const unsigned char **p,
    size_t *left, struct err *e)
{
	const unsigned char *m;
	uint32_t rid, code;
	size_t mlen;
	int rc;

	if ((rc = recv_packet(sf, e)) < 0)
		return rc;
	*p = (const unsigned char *)sf->pkt.buf + 1;
	*left = sf->pkt.len - 1;
	*type = (unsigned char)sf->pkt.buf[0];
	if (get_u32(p, left, &rid) < 0 || rid != id)
		return die(sf, TERR_INTERNAL, e, "reply to the wrong request");
	if (*type != FXP_STATUS)
		return 0;
	if (get_u32(p, left, &code) < 0)
		return die(sf, TERR_INTERNAL, e, "bad status reply");
	strbuf_reset(&sf->msg);
	if (get_str(p, left, &m, &mlen) == 0)
		strbuf_add(&sf->msg, m, mlen);
	if (code != SF_OK && code < 0x7fffffff)
		return (int)code;
	return 0;
}

/* Send sb (begun with `id`) and expect a STATUS; 0 or the status code. */
static int
call_status(struct sftpc *sf, struct strbuf *sb, uint32_t id, struct err *e)
{
	const unsigned char *p;
	size_t left;
	int rc, type;

	if ((rc = send_packet(sf, sb, e)) < 0)
		return rc;
	if ((rc = reply(sf, id, &type, &p, &left, e)) != 0)
		return rc;
	if (type != FXP_STATUS)
		return die(sf, TERR_INTERNAL, e, "unexpected reply type %d",
		    type);
	return 0;
}

/* Send sb and expect `want` (or a STATUS, returned as its code). */
static int
call(struct sftpc *sf, struct strbuf *sb, uint32_t id, int want,
    const unsigned char **p, size_t *left, struct err *e)
{
	int rc, type;

	if ((rc = send_packet(sf, sb, e)) < 0)
		return rc;
	if ((rc = reply(sf, id, &type, p, left, e)) != 0)
		return rc;
	if (type == FXP_STATUS)     /* OK where data was expected */
		return die(sf, TERR_INTERNAL, e, "empty reply");
	if (type != want)
		return die(sf, TERR_INTERNAL, e, "unexpected reply type %d",
		    type);
	return 0;
}

/* ---- session ---- */

int
sf_start(struct tstream *s, int timeout_ms, struct sftpc **out,
    struct err *e)
{
	struct sftpc *sf = xcalloc(1, sizeof(*sf));
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p, *name, *data;
	size_t left, nlen, dlen, i;
	int have[ARRAY_SIZE(needed_ext)] = { 0 };
	uint32_t version;
	int rc;

	*out = NULL;
	sf->s = s;
	sf->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
	put_u32(&sb, 5);
	strbuf_addch(&sb, FXP_INIT);
	put_u32(&sb, 3);
	rc = send_packet(sf, &sb, e);
	strbuf_release(&sb);
	if (rc == 0)
		rc = recv_packet(sf, e);
	if (rc < 0)
		goto fail;
	p = (const unsigned char *)sf->pkt.buf + 1;
	left = sf->pkt.len - 1;
	if (sf->pkt.buf[0] != FXP_VERSION || get_u32(&p, &left, &version) < 0 ||
	    version != 3) {
		rc = die(sf, TERR_INTERNAL, e, "not an SFTP version 3 server");
		goto fail;
	}
	while (left > 0) {
		if (get_str(&p, &left, &name, &nlen) < 0 ||
		    get_str(&p, &left, &data, &dlen) < 0) {
			rc = die(sf, TERR_INTERNAL, e, "bad version reply");
			goto fail;
		}
		for (i = 0; i < ARRAY_SIZE(needed_ext); i++)
			if (nlen == strlen(needed_ext[i]) &&
			    memcmp(name, needed_ext[i], nlen) == 0)
				have[i] = 1;
	}
	for (i = 0; i < ARRAY_SIZE(needed_ext); i++)
		if (!have[i]) {
			rc = die(sf, TERR_INTERNAL, e, "the server lacks the %s "
			    "extension (OpenSSH >= 9.1 has it)", needed_ext[i]);
			goto fail;
		}
	*out = sf;
	return 0;
fail:
	sf_end(sf);
	return rc;
}

void
sf_end(struct sftpc *sf)
{
	size_t i;

	if (sf == NULL)
		return;
	tstream_close(sf->s);
	for (i = 0; i < sf->nusers; i++)
		free(sf->users[i].name);
	for (i = 0; i < sf->ngroups; i++)
		free(sf->groups[i].name);
	free(sf->users);
	free(sf->groups);
	free(sf->dead_why);
	strbuf_release(&sf->msg);
	strbuf_release(&sf->in);
	strbuf_release(&sf->pkt);
	free(sf);
}

const char *
sf_message(const struct sftpc *sf)
{
	return sf->msg.buf;
}

const char *
sf_strstatus(int status)
{
	switch (status) {
	case SF_OK: return "ok";
	case SF_EOF: return "end of file";
	case SF_NO_SUCH_FILE: return "no such file or directory";
	case SF_PERMISSION_DENIED: return "permission denied";
	case SF_FAILURE: return "failure";
	case SF_BAD_MESSAGE: return "bad message";
	case SF_OP_UNSUPPORTED: return "operation unsupported";
	default: return "error";
	}
}

/* ---- operations ---- */

/* A request whose payload is one path. */
static uint32_t
begin_path(struct sftpc *sf, struct strbuf *sb, int type, const char *path)
{
	uint32_t id = begin(sf, sb, type);

	put_cstr(sb, path);
	return id;
}

static int
get_attrs_reply(struct sftpc *sf, struct strbuf *sb, uint32_t id,
    struct sf_attr *a, struct err *e)
{
	const unsigned char *p;
	size_t left;
	int rc = call(sf, sb, id, FXP_ATTRS, &p, &left, e);

	if (rc == 0 && sf_get_attr(&p, &left, a) < 0)
		rc = die(sf, TERR_INTERNAL, e, "bad attributes reply");
	return rc;
}

int
sf_stat(struct sftpc *sf, const char *path, int follow, struct sf_attr *a,
    struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = check_alive(sf, e)) == 0)
		rc = get_attrs_reply(sf, &sb, begin_path(sf, &sb, follow ?
		    FXP_STAT : FXP_LSTAT, path), a, e);
	strbuf_release(&sb);
	return rc;
}

int
sf_realpath(struct sftpc *sf, const char *path, char **out, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p, *name;
	size_t left, nlen;
	uint32_t count;
	int rc;

	*out = NULL;
	if ((rc = check_alive(sf, e)) == 0)
		rc = call(sf, &sb, begin_path(sf, &sb, FXP_REALPATH, path),
		    FXP_NAME, &p, &left, e);
	if (rc == 0) {
		if (get_u32(&p, &left, &count) < 0 || count != 1 ||
		    get_str(&p, &left, &name, &nlen) < 0 || nlen == 0 ||
		    memchr(name, '\0', nlen) != NULL)
			rc = die(sf, TERR_INTERNAL, e, "bad realpath reply");
		else
			*out = xstrndup((const char *)name, nlen);
	}
	strbuf_release(&sb);
	return rc;
}

static const char *
cached(const struct idname *v, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].id == id)
			return v[i].name;
	return NULL;
}

static void
remember(struct idname **v, size_t *n, size_t *alloc, uint32_t id,
    const unsigned char *name, size_t len)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[*n].id = id;
	(*v)[*n].name = len > 0 && memchr(name, '\0', len) == NULL ?
	    xstrndup((const char *)name, len) : xasprintf("%u", id);
	(*n)++;
}

/* One name out of a names string; -1 if malformed. */
static int
one_name(const unsigned char *s, size_t slen, const unsigned char **name,
    size_t *nlen)
{
	return get_str(&s, &slen, name, nlen);
}

int
sf_names(struct sftpc *sf, uint32_t uid, uint32_t gid, char **user,
    char **group, struct err *e)
{
	struct strbuf sb = STRBUF_INIT, ids = STRBUF_INIT;
	const unsigned char *p, *us, *gs, *un, *gn;
	const char *u = cached(sf->users, sf->nusers, uid);
	const char *g = cached(sf->groups, sf->ngroups, gid);
	size_t left, ul, gl, unl, gnl;
	uint32_t id;
	int rc = 0;

	if ((u == NULL || g == NULL) && (rc = check_alive(sf, e)) == 0) {
		id = begin(sf, &sb, FXP_EXTENDED);
		put_cstr(&sb, "users-groups-by-id@openssh.com");
		put_u32(&ids, uid);
		put_str(&sb, ids.buf, ids.len);
		strbuf_reset(&ids);
		put_u32(&ids, gid);
		put_str(&sb, ids.buf, ids.len);
		rc = call(sf, &sb, id, FXP_EXTENDED_REPLY, &p, &left, e);
		if (rc == 0 && (get_str(&p, &left, &us, &ul) < 0 ||
		    get_str(&p, &left, &gs, &gl) < 0 ||
		    one_name(us, ul, &un, &unl) < 0 ||
		    one_name(gs, gl, &gn, &gnl) < 0))
			rc = die(sf, TERR_INTERNAL, e, "bad names reply");
		if (rc == 0 && u == NULL)
			remember(&sf->users, &sf->nusers, &sf->ausers, uid, un,
			    unl);
		if (rc == 0 && g == NULL)
			remember(&sf->groups, &sf->ngroups, &sf->agroups, gid,
			    gn, gnl);
		u = cached(sf->users, sf->nusers, uid);
		g = cached(sf->groups, sf->ngroups, gid);
	}
	strbuf_release(&sb);
	strbuf_release(&ids);
	if (rc != 0)
		return rc;
	*user = xstrdup(u);
	*group = xstrdup(g);
	return 0;
}

int
sf_open(struct sftpc *sf, const char *path, uint32_t pflags,
    const struct sf_attr *a, struct strbuf *handle, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p, *h;
	size_t left, hlen;
	uint32_t id;
	int rc;

	strbuf_reset(handle);
	if ((rc = check_alive(sf, e)) == 0) {
		id = begin_path(sf, &sb, FXP_OPEN, path);
		put_u32(&sb, pflags);
		sf_put_attr(&sb, a);
		rc = call(sf, &sb, id, FXP_HANDLE, &p, &left, e);
	}
	if (rc == 0) {
		if (get_str(&p, &left, &h, &hlen) < 0 || hlen == 0 ||
		    hlen > 256)
			rc = die(sf, TERR_INTERNAL, e, "bad handle reply");
		else
			strbuf_add(handle, h, hlen);
	}
	strbuf_release(&sb);
	return rc;
}

/* A request whose payload is a handle. */
static uint32_t
begin_handle(struct sftpc *sf, struct strbuf *sb, int type,
    const struct strbuf *handle)
{
	uint32_t id = begin(sf, sb, type);

	put_str(sb, handle->buf, handle->len);
	return id;
}

int
sf_close(struct sftpc *sf, const struct strbuf *handle, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if ((rc = check_alive(sf, e)) == 0)
		rc = call_status(sf, &sb, begin_handle(sf, &sb, FXP_CLOSE,
		    handle), e);
	strbuf_release(&sb);
	return rc;
}

int
sf_fstat(struct sftpc *sf, const struct strbuf *handle, struct sf_attr *a,
    struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = check_alive(sf, e)) == 0)
		rc = get_attrs_reply(sf, &sb, begin_handle(sf, &sb, FXP_FSTAT,
		    handle), a, e);
	strbuf_release(&sb);
	return rc;
}

int
sf_fsetstat(struct sftpc *sf, const struct strbuf *handle,
    const struct sf_attr *a, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t id;
	int rc;

	if ((rc = check_alive(sf, e)) == 0) {
		id = begin_handle(sf, &sb, FXP_FSETSTAT, handle);
		sf_put_attr(&sb, a);
		rc = call_status(sf, &sb, id, e);
	}
	strbuf_release(&sb);
	return rc;
}

int
sf_fsync(struct sftpc *sf, const struct strbuf *handle, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t id;
	int rc;

	if ((rc = check_alive(sf, e)) == 0) {
		id = begin(sf, &sb, FXP_EXTENDED);
		put_cstr(&sb, "fsync@openssh.com");
		put_str(&sb, handle->buf, handle->len);
		rc = call_status(sf, &sb, id, e);
	}
	strbuf_release(&sb);
	return rc;
}

/* Send READ for `len` bytes at `off`; the request id. */
static int
send_read(struct sftpc *sf, struct strbuf *sb, const struct strbuf *handle,
    uint64_t off, uint32_t *id, struct err *e)
{
	*id = begin_handle(sf, sb, FXP_READ, handle);
	put_u64(sb, off);
	put_u32(sb, CHUNK);
	return send_packet(sf, sb, e);
}

/*
 * Reads keep WINDOW requests in flight at consecutive offsets.  A short
 * reply (EOF, or a file that shrank) makes the later replies meaningless:
 * they are drained and reading goes on one request at a time from there,
 * until the server says EOF.
 */
int
sf_read_all(struct sftpc *sf, const struct strbuf *handle, uint64_t hint,
    size_t cap, struct strbuf *out, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t ids[WINDOW];
	uint64_t sent = 0, got = 0;
	size_t head = 0, inflight = 0, window;
	int rc, type, eof = 0;

	/* enough requests for `hint` bytes and the EOF after them: every
	 * request costs the server a read and both sides a packet */
	window = hint / CHUNK + 2 < WINDOW ? (size_t)(hint / CHUNK) + 2 : WINDOW;

	if ((rc = check_alive(sf, e)) != 0)
		return rc;
	while (rc == 0 && (!eof || inflight > 0)) {
		const unsigned char *p, *d;
		size_t left, dlen;
		int stale;

		while (rc == 0 && !eof && inflight < window) {
			if (window == 1)
				sent = got;
			rc = send_read(sf, &sb, handle, sent,
			    &ids[(head + inflight) % WINDOW], e);
			sent += CHUNK;
			inflight++;
		}
		if (rc != 0)
			break;
		stale = eof;       /* after a short read: drain only */
		rc = reply(sf, ids[head], &type, &p, &left, e);
		head = (head + 1) % WINDOW;
		inflight--;
		if (rc == SF_EOF) {
			rc = 0;
			eof = 1;
			continue;
		}
		if (rc != 0 || stale)
			continue;
		if (type != FXP_DATA || get_str(&p, &left, &d, &dlen) < 0 ||
		    dlen > CHUNK) {
			rc = die(sf, TERR_INTERNAL, e, "bad read reply");
			break;
		}
		strbuf_add(out, d, dlen);
		got += dlen;
		if (cap > 0 && out->len > cap) {
			out->truncated = 1;
			eof = 1;
		} else if (dlen < CHUNK) {
			/* short: drain the rest, then go on from `got` */
			while (rc == 0 && inflight > 0) {
				rc = reply(sf, ids[head], &type, &p, &left, e);
				if (rc > 0)
					rc = 0;
				head = (head + 1) % WINDOW;
				inflight--;
			}
			sent = got;
			window = 1;
		}
	}
	/* a failure with requests in flight: their replies would confuse the
	 * next call */
	while (rc != 0 && inflight > 0 && !sf->dead) {
		const unsigned char *p;
		size_t left;
		struct err ignored = ERR_INIT;

		int r2 = reply(sf, ids[head], &type, &p, &left, &ignored);

		err_release(&ignored);
		if (r2 < 0)
			break;
		head = (head + 1) % WINDOW;
		inflight--;
	}
	strbuf_release(&sb);
	trim(sf);
	return rc;
}

int
sf_read_file(struct sftpc *sf, const char *path, uint64_t hint, size_t cap,
    struct strbuf *out, struct err *e)
{
	struct strbuf h = STRBUF_INIT;
	int rc = sf_open(sf, path, SF_READ, NULL, &h, e), rc2;

	if (rc == 0) {
		rc = sf_read_all(sf, &h, hint, cap, out, e);
		rc2 = sf_close(sf, &h, e);
		if (rc == 0)
			rc = rc2;
	}
	strbuf_release(&h);
	return rc;
}

int
sf_write_all(struct sftpc *sf, const struct strbuf *handle, const void *data,
    size_t len, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t ids[WINDOW];
	size_t off = 0, head = 0, inflight = 0;
	int rc, first = 0, type;

	if ((rc = check_alive(sf, e)) != 0)
		return rc;
	while (rc >= 0 && (off < len || inflight > 0)) {
		const unsigned char *p;
		size_t left;

		while (off < len && inflight < WINDOW) {
			size_t n = len - off > CHUNK ? CHUNK : len - off;
			uint32_t *id = &ids[(head + inflight) % WINDOW];

			*id = begin_handle(sf, &sb, FXP_WRITE, handle);
			put_u64(&sb, off);
			put_str(&sb, (const char *)data + off, n);
			if ((rc = send_packet(sf, &sb, e)) < 0)
				break;
			off += n;
			inflight++;
		}
		if (rc < 0)
			break;
		rc = reply(sf, ids[head], &type, &p, &left, e);
		head = (head + 1) % WINDOW;
		inflight--;
		if (rc == 0 && type != FXP_STATUS)
			rc = die(sf, TERR_INTERNAL, e, "bad write reply");
		if (rc > 0 && first == 0)
			first = rc;     /* keep collecting the other replies */
		if (rc > 0)
			off = len;      /* send no more */
	}
	strbuf_release(&sb);
	return rc < 0 ? rc : first;
}

static int
path_status(struct sftpc *sf, int type, const char *path,
    const struct sf_attr *a, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t id;
	int rc;

	if ((rc = check_alive(sf, e)) == 0) {
		id = begin_path(sf, &sb, type, path);
		if (type == FXP_MKDIR)
			sf_put_attr(&sb, a);
		rc = call_status(sf, &sb, id, e);
	}
	strbuf_release(&sb);
	return rc;
}

int
sf_rename(struct sftpc *sf, const char *from, const char *to, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t id;
	int rc;

	if ((rc = check_alive(sf, e)) == 0) {
		id = begin(sf, &sb, FXP_EXTENDED);
		put_cstr(&sb, "posix-rename@openssh.com");
		put_cstr(&sb, from);
		put_cstr(&sb, to);
		rc = call_status(sf, &sb, id, e);
	}
	strbuf_release(&sb);
	return rc;
}

int
sf_remove(struct sftpc *sf, const char *path, struct err *e)
{
	return path_status(sf, FXP_REMOVE, path, NULL, e);
}

int
sf_mkdir(struct sftpc *sf, const char *path, uint32_t perm, struct err *e)
{
	struct sf_attr a;

	memset(&a, 0, sizeof(a));
	a.flags = SF_A_PERM;
	a.perm = perm;
	return path_status(sf, FXP_MKDIR, path, &a, e);
}

int
sf_rmdir(struct sftpc *sf, const char *path, struct err *e)
{
	return path_status(sf, FXP_RMDIR, path, NULL, e);
}
