/*
 * nut_ca.c - put a CA certificate (and, for upsd, a server certificate
 * with its key) where the host's NUT build reads it.  Idempotent.
 *
 *   backend nss      an NSS database in `dest` (sql: format, created with
 *                    certutil -N when missing): the CA imported with
 *                    certutil -A -t "CT,," under `nickname`; with `pkcs12`
 *                    also the server key + certificate (pk12util), the
 *                    nickname being the PKCS#12 friendlyName (what upsd's
 *                    CERTIDENT names).
 *   backend openssl  a hashed CA directory in `dest`: <nickname>.pem and
 *                    <subject hash>.N (a copy, not a symlink, so that both
 *                    are ordinary journaled file writes).
 * Ownership: `owner`:`group` (root:nut), directory 0750, files 0640: NUT
 * reads them after dropping privileges to the nut user.
 *
 * Files come from the CONTROLLER and travel on the command's stdin (never on
 * a command line); passwords too (files in a 0700 temp directory on the
 * host, removed on exit).  Nothing changes when the certificates already
 * there are the same DER bytes with the right trust and the modes and
 * owners are right (changed=false).
 *
 * Journal: NSS databases are changed by certutil/pk12util, not by
 * mod_write_file, so this module journals them itself: before the change it
 * reads cert9.db, key4.db and pkcs11.txt and records an intent with their
 * bytes (or "did not exist"); after the change it reads them again and
 * records what was written (an intent with the new bytes, then done).
 * `mend rollback` can therefore put the three files back byte for byte, or
 * remove them when this run created the database; it does NOT remove a
 * directory it created (left empty) nor undo the directory's mode/owner.
 * The OpenSSL files are written with mod_write_file (journaled as usual).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "modules/module.h"
#include "runner/util/hash.h"
#include "modules/nut/nutproto.h"
#include "runner/core/remotefile.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char *const db_files[] = { "cert9.db", "key4.db", "pkcs11.txt" };

/* What is on the host (NSS). */
struct nss_state {
	int dir, db;
	unsigned dmode;
	char downer[64], dgroup[64];
	int files_ok;             /* every DB file has the right mode/owner */
	int ca_same, ca_other;    /* nickname holds our CA / something else */
	int ca_trusted;           /* our CA has "C" in the SSL trust field */
	int id_same, id_other;    /* identity nickname: our cert / another */
	int id_key;               /* identity has its private key ("u") */
};

/* A database file as it was before the change (journal). */
struct dbsnap {
	struct strbuf data;
	struct file_meta meta;
	long seq;
};

/* The run. */
struct nca {
	struct modctx *ctx;
	const struct val *args;
	const char *dest, *nick, *owner, *group;
	struct strbuf ca_pem;     /* the CA as read on the controller */
	unsigned char *ca_der;
	int ca_derlen;
	unsigned long ca_hash;    /* X509_subject_name_hash */
	char fp[65];              /* sha256 of the DER */
	struct strbuf p12;        /* PKCS#12 bytes, or empty */
	char *ident;              /* its friendlyName */
	unsigned char *id_der;
	int id_derlen;
	struct nss_state st;
	struct dbsnap snap[3];    /* db_files before the change */
	char *list;               /* certutil -L output (NSS) */
	char *alias;              /* the CA is there under this nickname */
	struct val *actions;
};

static int
as_error(int mod_fail_ret)
{
	(void)mod_fail_ret;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Controller side                                                     */

static int
read_local(struct modctx *ctx, const char *arg, struct strbuf *sb)
{
	char *path = mod_local_path(ctx, arg);
	int ret = 0;

	if (strbuf_read_file(sb, path) < 0)
		ret = as_error(mod_fail(ctx, "cannot read '%s' on the "
		    "controller: %m", path));
	free(path);
	return ret;
}

static void
der_of(X509 *x, unsigned char **der, int *len)
{
	unsigned char *p;

	*len = i2d_X509(x, NULL);
	if (*len <= 0)
		fatal("i2d_X509 failed");
	*der = xmalloc((size_t)*len);
	p = *der;
	i2d_X509(x, &p);
}

static int
load_ca(struct nca *c)
{
	BIO *b;
	X509 *x;

	if (read_local(c->ctx, arg_str(c->args, "ca_file"), &c->ca_pem) < 0)
		return -1;
	b = BIO_new_mem_buf(c->ca_pem.buf, (int)c->ca_pem.len);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (x == NULL)
		return as_error(mod_fail(c->ctx, "ca_file '%s' holds no PEM "
		    "certificate", arg_str(c->args, "ca_file")));
	der_of(x, &c->ca_der, &c->ca_derlen);
	c->ca_hash = X509_subject_name_hash(x);
	sha256_hex(c->ca_der, (size_t)c->ca_derlen, c->fp);
	if (X509_check_ca(x) == 0)
		mod_log(c->ctx, 1, "ca_file is not a CA certificate "
		    "(no basicConstraints CA:TRUE): trusting it anyway");
	X509_free(x);
	return 0;
}

/* The PKCS#12: its certificate and friendlyName (the NSS nickname). */
static int
load_p12(struct nca *c)
{
	const char *pw = arg_str(c->args, "pkcs12_password");
	const unsigned char *p;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	PKCS12 *p12;
	int alen = 0, ret = -1;
	unsigned char *alias;

	if (read_local(c->ctx, arg_str(c->args, "pkcs12"), &c->p12) < 0)
		return -1;
	p = (const unsigned char *)c->p12.buf;
	p12 = d2i_PKCS12(NULL, &p, (long)c->p12.len);
	if (p12 == NULL || PKCS12_parse(p12, pw ? pw : "", &key, &x, NULL) != 1
	    || x == NULL || key == NULL) {
		mod_fail(c->ctx, "pkcs12 '%s': cannot read it (wrong "
		    "pkcs12_password, or no key and certificate in it)",
		    arg_str(c->args, "pkcs12"));
		goto out;
	}
	alias = X509_alias_get0(x, &alen);
	if (arg_str(c->args, "identity") != NULL)
		c->ident = xstrdup(arg_str(c->args, "identity"));
	else if (alias != NULL && alen > 0)
		c->ident = xstrndup((const char *)alias, (size_t)alen);
	if (c->ident == NULL) {
		mod_fail(c->ctx, "pkcs12 '%s' has no friendlyName: set identity "
		    "(the nickname pk12util will give it)",
		    arg_str(c->args, "pkcs12"));
		goto out;
	}
	der_of(x, &c->id_der, &c->id_derlen);
	ret = 0;
out:
	EVP_PKEY_free(key);
	X509_free(x);
	PKCS12_free(p12);
	ERR_clear_error();
	return ret;
}

/* Does PEM text hold a certificate with exactly these DER bytes? */
static int
pem_has(const char *pem, size_t len, const unsigned char *der, int derlen)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x;
	int found = 0;

	while (!found && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		unsigned char *d;
		int n;

		der_of(x, &d, &n);
		found = n == derlen && memcmp(d, der, (size_t)n) == 0;
		free(d);
		X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
	return found;
}

/* ------------------------------------------------------------------ */
/* NSS: what is there                                                  */

static const char nss_state_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"if [ ! -d \"$d\" ]; then echo dir=0; exit 0; fi\n"
	"echo dir=1\n"
	"stat -c 'dmode=%a' -- \"$d\"; stat -c 'downer=%U' -- \"$d\"\n"
	"stat -c 'dgroup=%G' -- \"$d\"\n"
	"for f in cert9.db key4.db pkcs11.txt; do\n"
	"  if [ -e \"$d/$f\" ]; then\n"
	"    [ \"$(stat -c '%a %U %G' -- \"$d/$f\")\" = \"640 $o $g\" ] || "
	"echo files_bad=1\n"
	"  fi\n"
	"done\n"
	"if [ -e \"$d/cert9.db\" ]; then echo db=1; else echo db=0; exit 0; fi\n"
	"echo @@mend:list@@; certutil -L -d \"sql:$d\" 2>&1\n"
	"echo @@mend:ca@@; certutil -L -d \"sql:$d\" -n \"$n\" -a 2>/dev/null\n"
	"if [ -n \"$i\" ]; then\n"
	"  echo @@mend:ident@@\n"
	"  certutil -L -d \"sql:$d\" -n \"$i\" -a 2>/dev/null\n"
	"fi\n"
	"echo @@mend:end@@\n";

/* Text between the marker line "@@mend:NAME@@" and the next marker. */
static const char *
section(const char *out, const char *marker, size_t *len)
{
	char *m = xasprintf("\n@@mend:%s@@\n", marker);
	const char *p = strstr(out, m), *end;

	if (p != NULL) {
		p += strlen(m);
		end = strstr(p, "\n@@mend:");
		*len = end ? (size_t)(end - p + 1) : strlen(p);
	}
	free(m);
	return p;
}

/* The trust of nickname in a certutil -L listing, or NULL. */
static char *
trust_of(const char *list, size_t len, const char *nick)
{
	char *copy = xstrndup(list, len), *t = NULL;
	struct nutproto_cert *certs;
	int n = nutproto_certutil_list(copy, &certs), i;

	for (i = 0; i < n && t == NULL; i++)
		if (strcmp(certs[i].nick, nick) == 0)
			t = xstrdup(certs[i].trust);
	if (n > 0)
		nutproto_certs_free(certs, n);
	free(copy);
	return t;
}

static void
nss_parse(struct nca *c, const char *out)
{
	struct nss_state *st = &c->st;
	const char *list, *sec;
	size_t llen = 0, len = 0;
	char *trust;

	memset(st, 0, sizeof(*st));
	st->dir = strstr(out, "dir=1\n") == out;
	st->db = strstr(out, "\ndb=1\n") != NULL;
	st->files_ok = strstr(out, "files_bad=1") == NULL;
	sec = strstr(out, "dmode=");
	if (sec != NULL)
		st->dmode = (unsigned)strtoul(sec + 6, NULL, 8);
	sec = strstr(out, "downer=");
	if (sec != NULL)
		snprintf(st->downer, sizeof(st->downer), "%.*s",
		    (int)strcspn(sec + 7, "\n"), sec + 7);
	sec = strstr(out, "dgroup=");
	if (sec != NULL)
		snprintf(st->dgroup, sizeof(st->dgroup), "%.*s",
		    (int)strcspn(sec + 7, "\n"), sec + 7);
	if (!st->db || (list = section(out, "list", &llen)) == NULL)
		return;
	c->list = xstrndup(list, llen);
	if ((sec = section(out, "ca", &len)) != NULL && len > 1) {
		st->ca_same = pem_has(sec, len, c->ca_der, c->ca_derlen);
		st->ca_other = !st->ca_same;
	}
	trust = trust_of(list, llen, c->nick);
	st->ca_trusted = trust != NULL && nutproto_trust_ssl_ca(trust);
	free(trust);
	if (c->ident == NULL || (sec = section(out, "ident", &len)) == NULL ||
	    len <= 1)
		return;
	st->id_same = pem_has(sec, len, c->id_der, c->id_derlen);
	st->id_other = !st->id_same;
	trust = trust_of(list, llen, c->ident);
	st->id_key = trust != NULL && nutproto_trust_has_key(trust);
	free(trust);
}

/* The CA may already be in the database under another nickname (NSS
 * keeps one nickname per certificate: adding it again under ours would
 * fail).  Look at every other certificate's bytes. */
static int
nss_find_alias(struct nca *c)
{
	struct strbuf cmd = STRBUF_INIT;
	struct nutproto_cert *certs = NULL;
	struct exec_res r;
	int n = nutproto_certutil_list(c->list, &certs), i, ret = 0;
	char *mark, *trust;
	const char *sec;
	size_t len;

	shellcmd_build(&cmd, "d=%q\n", c->dest);
	for (i = 0; i < n; i++) {
		mark = xasprintf("@@mend:c%d@@", i);
		shellcmd_build(&cmd, "echo; echo %q; certutil -L -d \"sql:$d\" "
		    "-n %q -a 2>/dev/null\n", mark, certs[i].nick);
		free(mark);
	}
	strbuf_addstr(&cmd, "echo; echo @@mend:end@@\n");
	exec_res_init(&r);
	if (n > 0)
		ret = mod_exec(c->ctx, cmd.buf, NULL, 0, &r);
	for (i = 0; ret == 0 && i < n && c->alias == NULL; i++) {
		mark = xasprintf("c%d", i);
		sec = section(r.out.buf, mark, &len);
		if (sec != NULL && pem_has(sec, len, c->ca_der, c->ca_derlen))
			c->alias = xstrdup(certs[i].nick);
		free(mark);
	}
	if (c->alias != NULL) {
		c->nick = c->alias;
		c->st.ca_same = 1;
		c->st.ca_other = 0;
		trust = trust_of(c->list, strlen(c->list), c->alias);
		c->st.ca_trusted = trust != NULL && nutproto_trust_ssl_ca(trust);
		free(trust);
	}
	if (n > 0)
		nutproto_certs_free(certs, n);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

static int
nss_probe(struct nca *c)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	int ret;

	shellcmd_build(&cmd, "d=%q; n=%q; i=%q; o=%q; g=%q\n", c->dest,
	    c->nick, c->ident ? c->ident : "", c->owner, c->group);
	strbuf_addstr(&cmd, nss_state_script);
	exec_res_init(&r);
	ret = mod_exec(c->ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0)
		ret = as_error(mod_fail(c->ctx, "cannot inspect %s: %s", c->dest,
		    r.err.buf));
	else if (ret == 0)
		nss_parse(c, r.out.buf);
	if (ret == 0 && c->st.db && !c->st.ca_same && c->list != NULL)
		ret = nss_find_alias(c);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* NSS: the change                                                     */

struct nss_plan {
	int mk, delca, addca, modca, delid, p12, attrs;
};

static void
action(struct nca *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
action(struct nca *c, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	val_list_push(c->actions, val_str(sb.buf));
	strbuf_release(&sb);
}

static int
nss_plan(struct nca *c, struct nss_plan *p)
{
	const struct nss_state *st = &c->st;

	memset(p, 0, sizeof(*p));
	p->mk = !st->dir || !st->db;
	p->delca = st->ca_other;
	p->addca = !st->ca_same;
	p->modca = st->ca_same && !st->ca_trusted;
	p->delid = st->id_other || (st->id_same && !st->id_key);
	p->p12 = c->ident != NULL && (!st->id_same || !st->id_key);
	p->attrs = !st->dir || st->dmode != 0750 || !st->files_ok ||
	    strcmp(st->downer, c->owner) != 0 ||
	    strcmp(st->dgroup, c->group) != 0;
	if (p->mk)
		action(c, "create the NSS database %s", c->dest);
	if (p->delca)
		action(c, "replace the certificate named '%s' (another one)",
		    c->nick);
	if (p->addca)
		action(c, "import the CA as '%s' with trust CT,,", c->nick);
	if (p->modca)
		action(c, "set trust CT,, on '%s'", c->nick);
	if (p->delid)
		action(c, "remove the old certificate '%s'", c->ident);
	if (p->p12)
		action(c, "import the server key and certificate '%s' "
		    "(PKCS#12)", c->ident);
	if (p->attrs && !p->mk)
		action(c, "set %s:%s, directory 0750, files 0640", c->owner,
		    c->group);
	return p->mk || p->delca || p->addca || p->modca || p->delid ||
	    p->p12 || p->attrs;
}

static const char nss_apply_script[] =
	"set -e; umask 077; LC_ALL=C; export LC_ALL\n"
	"t=$(mktemp -d); trap 'rm -rf \"$t\"' EXIT\n"
	"cat > \"$t/blob\"\n"
	"off=0\n"
	"part() { tail -c +$((off + 1)) \"$t/blob\" | head -c \"$2\" "
	"> \"$t/$1\"; off=$((off + $2)); }\n"
	"part ca.pem \"$s_ca\"; part srv.p12 \"$s_p12\"; "
	"part p12pw \"$s_ppw\"; part dbpw \"$s_dpw\"\n"
	"cu() { if [ -s \"$t/dbpw\" ]; then certutil \"$@\" -f \"$t/dbpw\"; "
	"else certutil \"$@\"; fi; }\n"
	"if [ \"$mk\" = 1 ]; then\n"
	"  mkdir -p -- \"$d\"; chown -- \"$o:$g\" \"$d\"; chmod 0750 \"$d\"\n"
	"  if [ -s \"$t/dbpw\" ]; then certutil -N -d \"sql:$d\" -f \"$t/dbpw\"\n"
	"  else certutil -N -d \"sql:$d\" --empty-password; fi\n"
	"fi\n"
	"[ \"$delca\" = 1 ] && cu -D -d \"sql:$d\" -n \"$n\" </dev/null\n"
	"[ \"$addca\" = 1 ] && cu -A -d \"sql:$d\" -n \"$n\" "
	"-t CT,, -a -i \"$t/ca.pem\" </dev/null\n"
	"[ \"$modca\" = 1 ] && cu -M -d \"sql:$d\" -n \"$n\" -t CT,, </dev/null\n"
	"[ \"$delid\" = 1 ] && cu -D -d \"sql:$d\" -n \"$i\" </dev/null\n"
	"if [ \"$p12\" = 1 ]; then\n"
	"  set -- -i \"$t/srv.p12\" -d \"sql:$d\"\n"
	"  if [ -s \"$t/p12pw\" ]; then set -- \"$@\" -w \"$t/p12pw\"; "
	"else set -- \"$@\" -W ''; fi\n"
	"  if [ -s \"$t/dbpw\" ]; then set -- \"$@\" -k \"$t/dbpw\"; "
	"else set -- \"$@\" -K ''; fi\n"
	"  pk12util \"$@\"\n"
	"fi\n"
	"chown -- \"$o:$g\" \"$d\"; chmod 0750 \"$d\"\n"
	"for f in cert9.db key4.db pkcs11.txt; do\n"
	"  if [ -e \"$d/$f\" ]; then chown -- \"$o:$g\" \"$d/$f\"; "
	"chmod 0640 \"$d/$f\"; fi\n"
	"done\n"
	"echo applied\n";

static void
nss_apply_cmd(struct nca *c, const struct nss_plan *p, size_t ppw,
    size_t dpw, struct strbuf *cmd)
{
	char n[4][24];

	snprintf(n[0], sizeof(n[0]), "%zu", c->ca_pem.len);
	snprintf(n[1], sizeof(n[1]), "%zu", c->p12.len);
	snprintf(n[2], sizeof(n[2]), "%zu", ppw);
	snprintf(n[3], sizeof(n[3]), "%zu", dpw);
	shellcmd_build(cmd, "d=%q; n=%q; i=%q; o=%q; g=%q\n", c->dest, c->nick,
	    c->ident ? c->ident : "", c->owner, c->group);
	shellcmd_build(cmd, "s_ca=%q; s_p12=%q; s_ppw=%q; s_dpw=%q\n", n[0],
	    n[1], n[2], n[3]);
	shellcmd_build(cmd, "mk=%d; delca=%d; addca=%d; modca=%d; delid=%d; "
	    "p12=%d\n", p->mk, p->delca, p->addca, p->modca, p->delid,
	    p->p12);
	strbuf_addstr(cmd, nss_apply_script);
}

/* Journal, before the change: an intent per DB file with its bytes (or
 * "did not exist").  sha_new is not known yet: the intent carries the old
 * bytes as "new" (rollback then treats an interrupted change as drift if
 * the file changed, nothing to do if it did not). */
static int
journal_before(struct nca *c)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(db_files) && ret == 0; i++) {
		struct dbsnap *s = &c->snap[i];
		char *path = xasprintf("%s/%s", c->dest, db_files[i]);

		ret = mod_read_file(c->ctx, path, &s->data, &s->meta);
		if (ret == 0)
			s->seq = mod_journal_intent(c->ctx, path, &s->meta,
			    s->data.buf, s->data.len, s->meta.exists ?
			    s->data.buf : NULL, s->data.len, NULL);
		if (ret == 0 && s->seq < 0)
			ret = as_error(mod_fail(c->ctx, "cannot write the run "
			    "journal: nothing changed"));
		free(path);
	}
	return ret;
}

/* Journal, after the change: what certutil/pk12util wrote, as an intent
 * with the new bytes (same path: the journal reader keeps the first
 * intent's "before" and takes this one's "new") and its done. */
static int
journal_after(struct nca *c, const char *failmsg)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(db_files) && ret == 0; i++) {
		const struct dbsnap *s = &c->snap[i];
		char *path = xasprintf("%s/%s", c->dest, db_files[i]);
		struct strbuf data = STRBUF_INIT;
		struct file_meta m;
		long seq;

		memset(&m, 0, sizeof(m));
		if (failmsg != NULL)
			mod_journal_fail(c->ctx, s->seq, failmsg);
		else if ((ret = mod_read_file(c->ctx, path, &data, &m)) == 0 &&
		    m.exists) {
			seq = mod_journal_intent(c->ctx, path, &s->meta,
			    s->data.buf, s->data.len, data.buf, data.len, NULL);
			mod_journal_done(c->ctx, seq, data.buf, data.len, &m);
		}
		file_meta_release(&m);
		strbuf_release(&data);
		free(path);
	}
	return ret;
}

static int
nss_apply(struct nca *c, const struct nss_plan *p)
{
	const char *ppw = arg_str(c->args, "pkcs12_password");
	const char *dpw = arg_str(c->args, "db_password");
	struct strbuf cmd = STRBUF_INIT, in = STRBUF_INIT;
	struct exec_res r;
	int ret;

	ppw = ppw ? ppw : "";
	dpw = dpw ? dpw : "";
	nss_apply_cmd(c, p, strlen(ppw), strlen(dpw), &cmd);
	strbuf_addbuf(&in, &c->ca_pem);
	strbuf_addbuf(&in, &c->p12);
	strbuf_addstr(&in, ppw);
	strbuf_addstr(&in, dpw);
	exec_res_init(&r);
	if ((ret = journal_before(c)) != 0)
		goto out;
	ret = mod_exec(c->ctx, cmd.buf, in.buf, in.len, &r);
	if (ret == 0 && (r.rc != 0 || strstr(r.out.buf, "applied") == NULL)) {
		strbuf_rtrim(&r.err);
		mod_fail(c->ctx, "changing %s failed: %s", c->dest,
		    r.err.len ? r.err.buf : "remote command failed");
		journal_after(c, c->ctx->msg.buf);
		ret = -1;
	} else if (ret == 0) {
		ret = journal_after(c, NULL);
	}
out:
	memset(in.buf, 0, in.len);
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&in);
	return ret;
}

static int
run_nss(struct nca *c)
{
	struct nss_plan p;
	int ret;

	if ((ret = nss_probe(c)) != 0)
		return ret;
	if (!nss_plan(c, &p))
		return 0;
	mod_changed(c->ctx);
	if (c->ctx->check)
		return 0;
	return nss_apply(c, &p);
}

/* ------------------------------------------------------------------ */
/* OpenSSL: a hashed CA directory                                      */

static int
cadir_dir(struct nca *c)
{
	struct file_probe fp;
	char *cmd, *og;
	struct exec_res r;
	int ret, ok;

	memset(&fp, 0, sizeof(fp));
	if ((ret = rf_probe(c->ctx, c->dest, 0, &fp)) != 0)
		goto out;
	ok = fp.type == S_IFDIR && (fp.meta.mode & 07777) == 0750 &&
	    fp.meta.owner && strcmp(fp.meta.owner, c->owner) == 0 &&
	    fp.meta.group && strcmp(fp.meta.group, c->group) == 0;
	if (fp.meta.exists && fp.type != S_IFDIR) {
		ret = as_error(mod_fail(c->ctx, "%s exists and is not a "
		    "directory", c->dest));
		goto out;
	}
	if (ok)
		goto out;
	action(c, "%s directory %s (%s:%s 0750)", fp.meta.exists ? "fix" :
	    "create", c->dest, c->owner, c->group);
	mod_changed(c->ctx);
	if (c->ctx->check)
		goto out;
	og = xasprintf("%s:%s", c->owner, c->group);
	cmd = shellcmd("mkdir -p -- %q && chown -- %q %q && chmod 0750 %q",
	    c->dest, og, c->dest, c->dest);
	free(og);
	exec_res_init(&r);
	ret = mod_exec(c->ctx, cmd, NULL, 0, &r);
	if (ret == 0 && r.rc != 0)
		ret = as_error(mod_fail(c->ctx, "cannot create %s: %s", c->dest,
		    r.err.buf));
	exec_res_release(&r);
	free(cmd);
out:
	file_probe_release(&fp);
	return ret;
}

/* Is the file at path (already read) our CA? */
static int
same_ca(const struct nca *c, const struct strbuf *data)
{
	return pem_has(data->buf, data->len, c->ca_der, c->ca_derlen);
}

/* Make dest/name hold the CA, 0640 owner:group.  *taken = 1 when the slot
 * holds another certificate (nothing written). */
static int
cadir_file(struct nca *c, const char *name, int *taken)
{
	char *path = xasprintf("%s/%s", c->dest, name);
	struct strbuf data = STRBUF_INIT;
	struct write_opts o;
	struct file_meta m;
	int ret, changed = 0;

	memset(&m, 0, sizeof(m));
	memset(&o, 0, sizeof(o));
	*taken = 0;
	if ((ret = mod_read_file(c->ctx, path, &data, &m)) != 0)
		goto out;
	if (m.exists && !same_ca(c, &data) && taken != NULL &&
	    strcmp(name, c->nick) != 0) {
		*taken = 1;
		goto out;
	}
	if (m.exists && same_ca(c, &data)) {
		ret = rf_set_attrs(c->ctx, path, &m, data.buf, data.len, "0640",
		    c->owner, c->group, &changed);
		if (ret == 0 && changed)
			action(c, "set %s:%s 0640 on %s", c->owner, c->group,
			    path);
		goto out;
	}
	o.mode = "0640";
	o.owner = c->owner;
	o.group = c->group;
	o.before = &m;
	ret = mod_write_file_opts(c->ctx, path, m.exists ? &data : NULL,
	    c->ca_pem.buf, c->ca_pem.len, &o);
	changed = ret == 0;
	if (changed)
		action(c, "write %s", path);
out:
	if (changed)
		mod_changed(c->ctx);
	file_meta_release(&m);
	strbuf_release(&data);
	free(path);
	return ret;
}

static int
run_cadir(struct nca *c)
{
	char *name;
	int ret, taken, i;

	if ((ret = cadir_dir(c)) != 0)
		return ret;
	name = xasprintf("%s.pem", c->nick);
	ret = cadir_file(c, name, &taken);
	free(name);
	for (i = 0; ret == 0 && i < 10; i++) {
		name = xasprintf("%08lx.%d", c->ca_hash, i);
		ret = cadir_file(c, name, &taken);
		free(name);
		if (!taken)
			break;
	}
	if (ret == 0 && i == 10)
		ret = as_error(mod_fail(c->ctx, "%s: %08lx.0 to .9 all hold other "
		    "certificates", c->dest, c->ca_hash));
	return ret;
}

/* ------------------------------------------------------------------ */

static int
nut_ca_setup(struct nca *c)
{
	int nss = strcmp(arg_str(c->args, "backend"), "nss") == 0;

	if (load_ca(c) < 0)
		return -1;
	if (arg_str(c->args, "pkcs12") == NULL)
		return 0;
	if (!nss)
		return as_error(mod_fail(c->ctx, "pkcs12 is for NSS builds; "
		    "OpenSSL builds read the server certificate and key from "
		    "upsd.conf's CERTFILE (a PEM file: copy it there)"));
	return load_p12(c);
}

static void
nut_ca_results(struct nca *c)
{
	size_t n = c->actions->u.list.n, i;
	struct strbuf sb = STRBUF_INIT;

	mod_set(c->ctx, "dest", val_str(c->dest));
	mod_set(c->ctx, "backend", val_str(arg_str(c->args, "backend")));
	mod_set(c->ctx, "nickname", val_str(c->nick));
	mod_set(c->ctx, "fingerprint_sha256", val_str(c->fp));
	mod_set(c->ctx, "identity", c->ident ? val_str(c->ident) : val_null());
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? "; " : "",
		    c->actions->u.list.items[i]->u.str.s);
	mod_set(c->ctx, "actions", c->actions);
	c->actions = NULL;
	if (c->ctx->failed)
		;
	else if (n == 0)
		mod_msg(c->ctx, "%s already holds the CA%s", c->dest,
		    c->ident ? " and the server certificate" : "");
	else
		mod_msg(c->ctx, "%s%s", c->ctx->check ? "would " : "", sb.buf);
	strbuf_release(&sb);
}

static enum mod_result
nut_ca_run(struct modctx *ctx, const struct val *args)
{
	struct nca c;
	size_t i;
	int ret;

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.args = args;
	c.dest = arg_str(args, "dest");
	c.nick = arg_str(args, "nickname");
	c.owner = arg_str(args, "owner");
	c.group = arg_str(args, "group");
	c.actions = val_list();
	for (i = 0; i < ARRAY_SIZE(c.snap); i++)
		strbuf_init(&c.snap[i].data, 0);
	strbuf_init(&c.ca_pem, 0);
	strbuf_init(&c.p12, 0);
	ret = nut_ca_setup(&c);
	if (ret == 0)
		ret = strcmp(arg_str(args, "backend"), "nss") == 0 ?
		    run_nss(&c) : run_cadir(&c);
	nut_ca_results(&c);
	for (i = 0; i < ARRAY_SIZE(c.snap); i++) {
		strbuf_release(&c.snap[i].data);
		file_meta_release(&c.snap[i].meta);
	}
	val_free(c.actions);
	free(c.list);
	free(c.alias);
	free(c.ca_der);
	free(c.id_der);
	free(c.ident);
	strbuf_release(&c.ca_pem);
	memset(c.p12.buf, 0, c.p12.len);
	strbuf_release(&c.p12);
	return mod_done(ctx, ret == -1 ? 0 : ret);
}

static int
nut_ca_validate(const struct val *args, struct err *e)
{
	const struct val *n = val_map_get(args, "nickname");

	if (n != NULL && n->type == V_STR && (strchr(n->u.str.s, '/') ||
	    n->u.str.s[0] == '\0' || n->u.str.s[0] == '.'))
		return err_setpos(e, &n->pos, "module 'nut_ca': nickname "
		    "'%s' cannot be used as a file name", n->u.str.s);
	return 0;
}

static const struct module_arg nut_ca_args[] = {
	{ "ca_file", ARG_STR, 1, NULL, NULL,
	  "the CA certificate (PEM) on the CONTROLLER (relative: playbook "
	  "dir/files, playbook dir)", "cafile" },
	{ "backend", ARG_STR, 1, NULL, "nss|openssl",
	  "the host's NUT SSL backend (nut_facts: nut.backend)", NULL },
	{ "dest", ARG_PATH, 0, "/etc/nut/cert", NULL,
	  "NSS database directory, or OpenSSL hashed CA directory: what "
	  "CERTPATH will name", "path" },
	{ "nickname", ARG_STR, 0, "mend-ca", NULL,
	  "NSS nickname of the CA (OpenSSL: <nickname>.pem)", NULL },
	{ "pkcs12", ARG_STR, 0, NULL, NULL,
	  "NSS only: a PKCS#12 on the CONTROLLER with upsd's key and "
	  "certificate, imported into dest (upsd CERTPATH/CERTIDENT)", NULL },
	{ "pkcs12_password", ARG_STR, 0, "", NULL,
	  "password of the PKCS#12 (never logged)", NULL },
	{ "identity", ARG_STR, 0, NULL, NULL,
	  "nickname of the imported certificate (default: the PKCS#12 "
	  "friendlyName): what CERTIDENT names", NULL },
	{ "db_password", ARG_STR, 0, "", NULL,
	  "password of the NSS database, used when creating it and "
	  "importing the key; empty = no password (never logged)", NULL },
	{ "owner", ARG_STR, 0, "root", NULL, "owner of the store", NULL },
	{ "group", ARG_STR, 0, "nut", NULL,
	  "group of the store (NUT reads it as this group)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_nut_ca = {
	.name = "nut_ca",
	.summary = "put a CA (and upsd's key and certificate) where the "
	    "host's NUT build reads it",
	.doc = "backend nss: an NSS database in dest (created with certutil "
	    "-N when missing), the CA imported with trust CT,, under "
	    "nickname, and with pkcs12 the server key and certificate "
	    "(pk12util; nickname = the PKCS#12 friendlyName).  backend "
	    "openssl: a hashed CA directory (<nickname>.pem and <hash>.N).  "
	    "Owner root:nut, directory 0750, files 0640.  Idempotent: "
	    "compares the DER bytes and trust already there.  Certificates and "
	    "passwords travel on stdin, never on a command line.  The NSS "
	    "database files are journaled (bytes before, hashes after) so "
	    "rollback restores or removes them; a directory it created stays.  "
	    "Returns dest, fingerprint_sha256, identity, actions.",
	.args = nut_ca_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = nut_ca_validate,
	.run = nut_ca_run,
};
