/*
 * nut_tls.c - enforce verified TLS in upsmon.conf (client mode) or make
 * upsd offer STARTTLS (server mode), keeping every other byte of the file.
 *
 * The edit is modules/nut/nutconf.h's patcher (NUT's own tokenizer rules; pure
 * and unit-tested); this file reads the file in one round trip, checks on
 * the host what the new file will point NUT at, and writes it atomically
 * with mod_write_file (mode and owner kept, journaled, check and diff
 * modes) only when the bytes change.
 *
 * Client mode: CERTPATH, CERTVERIFY 1, FORCESSL 1, CERTHOST lines when
 * asked, every CERTHOST repaired to "1 1", ineffective and duplicate lines
 * replaced (with a "# mend: replaced ..." comment).  It REFUSES, changing
 * nothing, when the CERTPATH the file would name is not usable: missing,
 * not readable by the nut user, or holding no CA (NSS: no certificate with
 * SSL trust "C" in `certutil -L`; OpenSSL: no hash-named file): with
 * CERTVERIFY 1 upsmon would then drop every connection.  In check mode that
 * check is reported (certpath_ready: false) but does not fail the task, as
 * an earlier task (nut_ca) that would create the store did not run either.
 *
 * Server mode: NSS -> CERTPATH + CERTIDENT "<name>" "<password>"; OpenSSL
 * -> CERTFILE; DISABLE_WEAK_SSL true.  Refused when the store does not hold
 * what upsd needs: NSS: the CERTIDENT certificate with its private key (and
 * the password opens the database); OpenSSL: a PEM with certificate and key.
 *
 * Secrets: the CERTIDENT password and MONITOR passwords are masked
 * ("********") in the diff this module produces; they never appear in a
 * message, a result or a command line (the password check feeds it on
 * stdin).
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/nut/nutconf.h"
#include "modules/nut/nutproto.h"
#include "runner/core/remotefile.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

struct ntls {
	struct modctx *ctx;
	const struct val *args;
	int server;
	enum nutconf_backend be;
	char *path;
	struct strbuf old, new;
	struct file_meta meta;
	struct val *certhosts;       /* kept alive for the fix's pointers */
};

static int
as_error(int mod_fail_ret)
{
	(void)mod_fail_ret;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Secrets out of diffs                                                */

/* mod_write_file without its own diff, then the masked diff. */
static int
write_masked(struct ntls *t)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct write_opts o;
	int diff = t->ctx->diff, ret;

	memset(&o, 0, sizeof(o));
	o.before = &t->meta;        /* the journal: mode and owner to restore */
	t->ctx->diff = 0;
	ret = mod_write_file_opts(t->ctx, t->path, &t->old, t->new.buf,
	    t->new.len, &o);
	t->ctx->diff = diff;
	if (ret == 0 && diff && arg_bool(t->args, "show_diff")) {
		nutproto_mask_secrets(t->old.buf, t->old.len, &a);
		nutproto_mask_secrets(t->new.buf, t->new.len, &b);
		mod_add_diff(t->ctx, t->path, a.buf, a.len, b.buf, b.len);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Host checks                                                         */

static int
store_check(struct ntls *t, enum nutproto_store_kind kind, const char *path,
    struct nutproto_store *st)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	int ret;

	nutproto_store_cmd(&cmd, kind, path, arg_str(t->args, "nut_user"));
	exec_res_init(&r);
	ret = mod_exec(t->ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && nutproto_store_parse(r.out.buf, st) < 0)
		ret = as_error(mod_fail(t->ctx, "cannot check %s on the host: "
		    "%s", path, r.err.len ? r.err.buf : "unexpected output"));
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* Client: is CERTPATH a usable trust store?  0 = yes; 1 = no (why in
 * sb); else an error/TERR code. */
static int
client_store(struct ntls *t, const char *certpath, struct strbuf *why)
{
	struct nutproto_store st;
	enum nutproto_store_kind kind = t->be == NUTCONF_BACKEND_OPENSSL ?
	    NUTPROTO_STORE_CADIR : NUTPROTO_STORE_NSS;
	int ret;

	memset(&st, 0, sizeof(st));
	if ((ret = store_check(t, kind, certpath, &st)) == 0)
		ret = nutproto_store_ca_problem(&st, kind, certpath, why) < 0;
	nutproto_store_release(&st);
	return ret;
}

/* The effective CERTPATH of a (patched) upsmon.conf, or NULL. */
static char *
effective_certpath(const struct strbuf *buf, enum nutconf_backend be,
    int *enforced)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	char *cp = NULL;

	nutconf_parse(&f, buf->buf, buf->len);
	nutconf_upsmon_analyze(&a, &f, be);
	if (a.certpath.set)
		cp = xstrdup(a.certpath.raw);
	*enforced = a.tls_enforced;
	nutconf_upsmon_release(&a);
	nutconf_file_release(&f);
	return cp;
}

static const char ident_script[] =
	"umask 077; LC_ALL=C; export LC_ALL\n"
	"t=$(mktemp -d) || exit 3; trap 'rm -rf \"$t\"' EXIT\n"
	"cat > \"$t/pw\"\n"
	"if [ -s \"$t/pw\" ]; then certutil -K -d \"sql:$d\" -f \"$t/pw\" "
	"</dev/null\n"
	"else certutil -K -d \"sql:$d\" </dev/null; fi\n";

/* NSS server: does the password open the DB, and is there a key for the
 * CERTIDENT nickname?  0 yes, 1 no (why), else error. */
static int
server_key(struct ntls *t, const char *db, const char *name, const char *pw,
    struct strbuf *why)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char *needle = xasprintf(" %s\n", name);
	int ret;

	shellcmd_build(&cmd, "d=%q\n", db);
	strbuf_addstr(&cmd, ident_script);
	exec_res_init(&r);
	ret = mod_exec(t->ctx, cmd.buf, pw, strlen(pw), &r);
	strbuf_addch(&r.out, '\n');
	if (ret == 0 && r.rc != 0) {
		strbuf_addf(why, "the CERTIDENT password does not open the NSS "
		    "database %s (certutil -K failed)", db);
		ret = 1;
	} else if (ret == 0 && strstr(r.out.buf, needle) == NULL) {
		strbuf_addf(why, "the NSS database %s has no private key for "
		    "'%s'", db, name);
		ret = 1;
	}
	free(needle);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* Server: can upsd use what the new file names?  0/1/error as above. */
static int
server_store(struct ntls *t, const struct nutconf_upsd *a, struct strbuf *why)
{
	struct nutproto_store st;
	int nss = t->be == NUTCONF_BACKEND_NSS, ret;
	const char *p = nss ? a->certpath.raw : a->certfile.raw;
	const char *name = a->certident.name;

	memset(&st, 0, sizeof(st));
	ret = store_check(t, nss ? NUTPROTO_STORE_NSS : NUTPROTO_STORE_FILE, p,
	    &st);
	if (ret != 0)
		goto out;
	ret = 1;
	if (!st.exists)
		strbuf_addf(why, "%s %s does not exist", nss ? "CERTPATH" :
		    "CERTFILE", p);
	else if (st.readable == 0)
		strbuf_addf(why, "%s %s is not readable by the NUT user",
		    nss ? "CERTPATH" : "CERTFILE", p);
	else if (!nss && (!st.pem_cert || !st.pem_key))
		strbuf_addf(why, "CERTFILE %s does not hold a certificate and "
		    "its private key", p);
	else if (nss && !st.has_db)
		strbuf_addf(why, "CERTPATH %s holds no NSS database", p);
	else if (nss && nutproto_find_trusted(st.certs, st.ncerts,
	    nutproto_trust_has_key) == NULL)
		strbuf_addf(why, "CERTPATH %s holds no certificate with its "
		    "private key", p);
	else if (nss)
		ret = server_key(t, p, name, a->certident.password ?
		    a->certident.password : "", why);
	else
		ret = 0;
out:
	nutproto_store_release(&st);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The edits                                                           */

static struct val *
issues_list(const struct nutconf_issues *is)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < is->nr; i++)
		val_list_push(l, val_str(is->v[i].text));
	return l;
}

/* certhosts: a list of {host, name} maps into reqs (borrowed strings). */
static int
certhost_reqs(struct ntls *t, struct nutconf_certhost_req **reqs, size_t *n)
{
	const struct val *l = arg_get(t->args, "certhosts");
	size_t i;

	*reqs = NULL;
	*n = 0;
	if (l == NULL)
		return 0;
	*reqs = xcalloc(l->u.list.n + 1, sizeof(**reqs));
	for (i = 0; i < l->u.list.n; i++) {
		const struct val *m = l->u.list.items[i];
		const char *h = val_map_str(m, "host", NULL);
		const char *nm = val_map_str(m, "name", NULL);

		if (m->type != V_MAP || h == NULL || nm == NULL)
			return as_error(mod_fail(t->ctx, "certhosts[%zu]: expected "
			    "a map with host (as in MONITOR) and name (in the "
			    "server certificate)", i));
		(*reqs)[i].host = h;
		(*reqs)[i].name = nm;
		*n = i + 1;
	}
	return 0;
}

static void
before_after(struct ntls *t)
{
	struct nutconf_file f = NUTCONF_FILE_INIT, g = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a, b;
	struct nutconf_upsd c, d;

	nutconf_parse(&f, t->old.buf, t->old.len);
	nutconf_parse(&g, t->new.buf, t->new.len);
	if (t->server) {
		nutconf_upsd_analyze(&c, &f, t->be);
		nutconf_upsd_analyze(&d, &g, t->be);
		mod_set(t->ctx, "reasons_before", issues_list(&c.reasons));
		mod_set(t->ctx, "reasons_after", issues_list(&d.reasons));
		nutconf_upsd_release(&c);
		nutconf_upsd_release(&d);
	} else {
		nutconf_upsmon_analyze(&a, &f, t->be);
		nutconf_upsmon_analyze(&b, &g, t->be);
		mod_set(t->ctx, "reasons_before", issues_list(&a.reasons));
		mod_set(t->ctx, "reasons_after", issues_list(&b.reasons));
		nutconf_upsmon_release(&a);
		nutconf_upsmon_release(&b);
	}
	nutconf_file_release(&f);
	nutconf_file_release(&g);
}

static int
patch_client(struct ntls *t)
{
	struct nutconf_client_fix fix;
	struct nutconf_certhost_req *reqs = NULL;
	struct err e = ERR_INIT;
	int ret;

	memset(&fix, 0, sizeof(fix));
	fix.certpath = arg_str(t->args, "certpath");
	if ((ret = certhost_reqs(t, &reqs, &fix.nr_certhosts)) == 0) {
		fix.certhosts = reqs;
		if (nutconf_patch_upsmon(t->old.buf, t->old.len, &fix, &t->new,
		    &e) < 0) {
			strbuf_rtrim(&e.msg);
			ret = as_error(mod_fail(t->ctx, "%s: %s", t->path,
			    err_text(&e, "cannot patch")));
		}
	}
	free(reqs);
	err_release(&e);
	return ret;
}

/* Client: the patch, then the refusal check on the host. */
static int
run_client(struct ntls *t)
{
	struct strbuf why = STRBUF_INIT;
	char *cp;
	int ret, enforced = 0;

	if ((ret = patch_client(t)) != 0)
		return ret;
	cp = effective_certpath(&t->new, t->be, &enforced);
	mod_set(t->ctx, "certpath", cp ? val_str(cp) : val_null());
	if (cp == NULL || !enforced) {
		ret = as_error(mod_fail(t->ctx, "%s: the patched file does not "
		    "enforce verified TLS (internal error): nothing written",
		    t->path));
		goto out;
	}
	ret = arg_bool(t->args, "require_ca") ? client_store(t, cp, &why) : 0;
	mod_set(t->ctx, "certpath_ready", val_bool(ret == 0));
	if (ret == 1 && !t->ctx->check) {
		ret = as_error(mod_fail(t->ctx, "refusing to write CERTVERIFY 1 "
		    "to %s: %s (upsmon would drop every connection); put the CA "
		    "there first (nut_ca)", t->path, why.buf));
	} else if (ret == 1) {
		mod_set(t->ctx, "certpath_problem", val_str(why.buf));
		ret = 0;
	}
out:
	free(cp);
	strbuf_release(&why);
	return ret;
}

/* NUT before 2.8 (Debian 11's 2.7.4): upsd has no DISABLE_WEAK_SSL (its
 * binary does not contain the word; it would log "invalid directive" and
 * go on accepting TLS 1.0/1.1): the directive is not written, and the
 * result says why. */
static int
weak_ssl_known(struct ntls *t)
{
	const char *v = arg_str(t->args, "version");
	int maj = 0, min = 0;

	if (v == NULL || sscanf(v, "%d.%d", &maj, &min) != 2 ||
	    maj > 2 || (maj == 2 && min >= 8))
		return 1;
	mod_set(t->ctx, "not_written", val_str_take(xasprintf(
	    "DISABLE_WEAK_SSL: NUT %s's upsd does not know it (added in 2.8.0)"
	    "; upsd keeps accepting TLS 1.0 and 1.1", v)));
	return 0;
}

static int
patch_server(struct ntls *t)
{
	struct nutconf_server_fix fix;
	struct err e = ERR_INIT;
	int ret = 0;

	memset(&fix, 0, sizeof(fix));
	fix.backend = t->be;
	fix.certpath = arg_str(t->args, "certpath");
	fix.certident_name = arg_str(t->args, "certident_name");
	fix.certident_password = arg_str(t->args, "certident_password");
	fix.certfile = arg_str(t->args, "certfile");
	fix.disable_weak_ssl = arg_bool(t->args, "disable_weak_ssl") &&
	    weak_ssl_known(t);
	if (fix.certident_name != NULL && fix.certident_password == NULL)
		fix.certident_password = "";
	if (nutconf_patch_upsd(t->old.buf, t->old.len, &fix, &t->new, &e) < 0) {
		strbuf_rtrim(&e.msg);
		ret = as_error(mod_fail(t->ctx, "%s: %s", t->path,
		    err_text(&e, "cannot patch")));
	}
	err_release(&e);
	return ret;
}

static int
run_server(struct ntls *t)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsd a;
	struct strbuf why = STRBUF_INIT;
	int ret;

	if ((ret = patch_server(t)) != 0)
		return ret;
	nutconf_parse(&f, t->new.buf, t->new.len);
	nutconf_upsd_analyze(&a, &f, t->be);
	if (!a.tls_ready) {
		ret = as_error(mod_fail(t->ctx, "%s: the patched file configures "
		    "no server certificate (internal error): nothing written",
		    t->path));
		goto out;
	}
	mod_set(t->ctx, "certpath", a.certpath.set ? val_str(a.certpath.raw) :
	    val_null());
	mod_set(t->ctx, "certident", a.certident.set ?
	    val_str(a.certident.name) : val_null());
	mod_set(t->ctx, "certfile", a.certfile.set ? val_str(a.certfile.raw) :
	    val_null());
	ret = server_store(t, &a, &why);
	mod_set(t->ctx, "store_ready", val_bool(ret == 0));
	if (ret == 1 && !t->ctx->check)
		ret = as_error(mod_fail(t->ctx, "refusing to change %s: %s "
		    "(upsd would not offer STARTTLS%s)", t->path, why.buf,
		    t->be == NUTCONF_BACKEND_NSS ? " or not start" : ""));
	else if (ret == 1) {
		mod_set(t->ctx, "store_problem", val_str(why.buf));
		ret = 0;
	}
out:
	nutconf_upsd_release(&a);
	nutconf_file_release(&f);
	strbuf_release(&why);
	return ret;
}

static char *
conf_path(const struct val *args, int server)
{
	const char *p = arg_str(args, "path");

	if (p != NULL)
		return xstrdup(p);
	return xasprintf("%s/%s", arg_str(args, "conf_dir"),
	    server ? "upsd.conf" : "upsmon.conf");
}

static int
read_conf(struct ntls *t)
{
	int ret = mod_read_file(t->ctx, t->path, &t->old, &t->meta);

	if (ret == 0 && !t->meta.exists)
		ret = as_error(mod_fail(t->ctx, "%s does not exist", t->path));
	return ret;
}

static int
finish(struct ntls *t)
{
	int ret;

	int same = t->new.len == t->old.len &&
	    memcmp(t->new.buf, t->old.buf, t->old.len) == 0;

	before_after(t);
	mod_set(t->ctx, "path", val_str(t->path));
	mod_set(t->ctx, "differs", val_bool(!same));
	if (same) {
		mod_msg(t->ctx, "%s already enforces %s", t->path, t->server ?
		    "STARTTLS with a certificate" : "verified TLS");
		return 0;
	}
	if ((ret = write_masked(t)) == 0) {
		mod_changed(t->ctx);
		mod_msg(t->ctx, "%s%s %s", t->ctx->check ? "would patch " :
		    "patched ", t->path, t->server ? "(upsd TLS)" :
		    "(CERTPATH, CERTVERIFY 1, FORCESSL 1)");
	}
	return ret;
}

static enum mod_result
nut_tls_run(struct modctx *ctx, const struct val *args)
{
	struct ntls t;
	int ret;

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.args = args;
	t.server = strcmp(arg_str(args, "mode"), "server") == 0;
	t.be = strcmp(arg_str(args, "backend"), "nss") == 0 ?
	    NUTCONF_BACKEND_NSS : NUTCONF_BACKEND_OPENSSL;
	t.path = conf_path(args, t.server);
	strbuf_init(&t.old, 0);
	strbuf_init(&t.new, 0);
	if ((ret = read_conf(&t)) == 0)
		ret = t.server ? run_server(&t) : run_client(&t);
	if (ret == 0)
		ret = finish(&t);
	free(t.path);
	strbuf_release(&t.old);
	strbuf_release(&t.new);
	file_meta_release(&t.meta);
	return mod_done(ctx, ret == -1 ? 0 : ret);
}

static int
is_literal(const struct val *v)
{
	return v != NULL && !(v->type == V_STR && strstr(v->u.str.s, "{{"));
}

/* Arguments of the other mode are mistakes (literal mode only). */
static int
nut_tls_validate(const struct val *args, struct err *e)
{
	static const char *const client_only[] = { "certhosts", "require_ca" };
	static const char *const server_only[] = { "certident_name",
	    "certident_password", "certfile", "disable_weak_ssl" };
	const struct val *m = val_map_get(args, "mode");
	int server = is_literal(m) && m->type == V_STR &&
	    strcmp(m->u.str.s, "server") == 0;
	const char *const *bad = server ? client_only : server_only;
	size_t i, n = server ? ARRAY_SIZE(client_only) :
	    ARRAY_SIZE(server_only);

	if (m != NULL && !is_literal(m))
		return 0;
	for (i = 0; i < n; i++) {
		const struct val *v = val_map_get(args, bad[i]);

		if (v != NULL)
			return err_setpos(e, &v->pos, "module 'nut_tls': '%s' "
			    "is for mode %s", bad[i], server ? "client" :
			    "server");
	}
	return 0;
}

static const struct module_arg nut_tls_args[] = {
	{ "mode", ARG_STR, 0, "client", "client|server",
	  "client: upsmon.conf; server: upsd.conf", NULL },
	{ "backend", ARG_STR, 1, NULL, "nss|openssl",
	  "the host's NUT SSL backend (nut_facts: nut.backend)", NULL },
	{ "conf_dir", ARG_PATH, 0, "/etc/nut", NULL,
	  "NUT configuration directory (nut_facts: nut.conf_dir)", NULL },
	{ "path", ARG_PATH, 0, NULL, NULL,
	  "the file (default: conf_dir/upsmon.conf or conf_dir/upsd.conf)",
	  NULL },
	{ "certpath", ARG_PATH, 0, NULL, NULL,
	  "client: the trust store (NSS database or hashed CA directory); "
	  "server (NSS): the database with upsd's key; default: keep the "
	  "file's", NULL },
	{ "certhosts", ARG_LIST, 0, NULL, NULL,
	  "client, NSS: [{host, name}]: CERTHOST <host> \"<name>\" 1 1 for a "
	  "MONITOR host (name: as in the server certificate)", NULL },
	{ "require_ca", ARG_BOOL, 0, "true", NULL,
	  "client: refuse unless CERTPATH exists, is readable by nut_user "
	  "and holds a CA", NULL },
	{ "certident_name", ARG_STR, 0, NULL, NULL,
	  "server, NSS: nickname of upsd's certificate", NULL },
	{ "certident_password", ARG_STR, 0, NULL, NULL,
	  "server, NSS: the database password (never shown: masked in "
	  "diffs)", NULL },
	{ "certfile", ARG_PATH, 0, NULL, NULL,
	  "server, OpenSSL: PEM with the certificate chain then the key",
	  NULL },
	{ "disable_weak_ssl", ARG_BOOL, 0, "true", NULL,
	  "server: DISABLE_WEAK_SSL true (TLS 1.2 minimum)", NULL },
	{ "version", ARG_STR, 0, NULL, NULL,
	  "the host's NUT version (nut_facts' version): directives that "
	  "version does not know are not written (DISABLE_WEAK_SSL before "
	  "2.8.0), and not_written says so", NULL },
	{ "nut_user", ARG_STR, 0, "nut", NULL,
	  "user NUT runs as (stores must be readable by it)", NULL },
	{ "show_diff", ARG_BOOL, 0, "true", NULL,
	  "in diff mode, show the diff (off for a check-mode pre-run whose "
	  "change the real task shows again)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_nut_tls = {
	.name = "nut_tls",
	.summary = "enforce verified TLS in upsmon.conf, or configure upsd's "
	    "certificate in upsd.conf",
	.doc = "Client mode (upsmon.conf): CERTPATH, CERTVERIFY 1, FORCESSL 1, "
	    "requested CERTHOST lines, CERTHOST '0 0' overrides repaired, "
	    "ineffective lines (certverify = yes, FORCSSL, ...) and duplicates "
	    "replaced with a '# mend: replaced ...' comment.  Refuses, "
	    "changing nothing, when CERTPATH on the host is missing, not "
	    "readable by the nut user or holds no CA (with CERTVERIFY 1 "
	    "upsmon would drop every connection).  Server mode (upsd.conf): "
	    "NSS: CERTPATH + CERTIDENT; OpenSSL: CERTFILE; DISABLE_WEAK_SSL "
	    "true; refuses when the store lacks the key.  Every other byte "
	    "is kept; written atomically, mode and owner kept, only when "
	    "the bytes change; check and diff modes (passwords masked).  "
	    "Returns path, differs (the file needs this change: also in check "
	    "mode), certpath, reasons_before, reasons_after.",
	.args = nut_tls_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = nut_tls_validate,
	.run = nut_tls_run,
};
