/*
 * activemq_tls.c - make every ActiveMQ listener TLS-only in activemq.xml,
 * after checking on the host that the broker will open its stores; or put
 * the file back (state: restored).
 *
 * state: patched (default), changing nothing until the end:
 *  1. the instance and its activemq.xml as activemq_facts sees them
 *     (modules/activemq/amqhost.h); a file that does not parse is refused;
 *  2. optionally the key store is built from PEM files on the host
 *     (cert_pem, key_pem, ca_pem: openssl pkcs12 -export, password on
 *     stdin) and the trust store from ca_pem (keytool -importcert), each
 *     only when missing, root:<activemq_user> 0640, atomically (temp file
 *     + rename in the same directory), journaled;
 *  3. the patch (modules/activemq/amqconf.h amq_patch): each cleartext
 *     connector becomes its TLS form on the same address and port, or a
 *     comment (cleartext: remove); every TLS connector gets
 *     transport.enabledProtocols (and transport.needClientAuth=true when
 *     asked); the <sslContext> is added or its attributes set.  Every
 *     other byte is kept (comments, order, indentation, CRLF, quoting);
 *  4. the result is analysed again: no cleartext listener may remain and
 *     no connector may need a transport module the broker lacks
 *     (Debian's has no AMQP: amqp+ssl would stop the broker as amqp does;
 *     use cleartext: remove);
 *  5. pre-flight on the host: the key store (and trust store) exist, are
 *     readable by activemq_user, the password opens them (keytool when
 *     present, else openssl for PKCS12; the password goes on stdin), the
 *     key store holds a private key and the trust store a certificate.
 *     Any problem refuses the change.  A store that does not exist yet
 *     but will be built from PEM (state patched) is not a problem in
 *     state preflight;
 *  6. atomic write keeping mode and owner, journaled, only when the bytes
 *     change.  Passwords are secrets: masked in msg, changes and the diff.
 * The broker is not restarted here (activemq_service, then
 * activemq_probe).  state preflight: steps 1-5, no write: would_change.
 * state restored: backup_file's bytes back at path (the backup module's
 * copy), done by rabbitmq_tls's product-neutral restore through the
 * registry.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/activemq/amqhost.h"
#include "modules/tlsfix.h"
#include "runner/util/shellcmd.h"
#include "runner/core/remotefile.h"
#include "runner/util/banned.h"

struct atls {
	struct modctx *ctx;
	const struct val *args;
	struct amq_host h;
	struct amq_patch_opts o;
	struct strbuf new, changes;
	struct val *problems;
};

/* The file refusals name (tlsfix_refuse()). */
static const char *
xml(const struct atls *t)
{
	return t->h.xml ? t->h.xml : "activemq.xml";
}

static const char *
sarg(const struct atls *t, const char *name)
{
	return arg_str(t->args, name);
}

/* ------------------------------------------------------------------ */
/* Stores from PEM                                                     */

/* stdin: the password.  Builds the store into a temp file beside the
 * target (root:GROUP 0640) and prints "NONCE tmp PATH", or "NONCE exists"
 * when the target exists; the caller journals the bytes, then renames. */
static const char build_script[] =
	"set -e; umask 077; LC_ALL=C; export LC_ALL\n"
	"IFS= read -r MEND_PW || :; export MEND_PW\n"
	"if [ -e \"$dst\" ]; then echo \"$x exists\"; exit 0; fi\n"
	"[ \"$check\" = 1 ] && { echo \"$x would\"; exit 0; }\n"
	"tmp=$(mktemp \"${dst%/*}/.mend.XXXXXX\")\n"
	"trap 'rm -f \"$tmp\"' EXIT\n"
	"rm -f \"$tmp\"\n"
	"if [ \"$kind\" = key ]; then\n"
	"  openssl pkcs12 -export -in \"$cert\" -inkey \"$key\" "
	"${ca:+-certfile \"$ca\"} -name broker -passout env:MEND_PW "
	"-out \"$tmp\"\n"
	"else\n"
	"  keytool -importcert -noprompt -alias ca -file \"$ca\" -keystore "
	"\"$tmp\" -storetype pkcs12 -storepass:env MEND_PW >/dev/null\n"
	"fi\n"
	"chown \"root:$grp\" \"$tmp\"; chmod 0640 \"$tmp\"; sync \"$tmp\" "
	"2>/dev/null || :\n"
	"trap - EXIT\n"
	"echo \"$x tmp $tmp\"\n";

/* Journal the built temp file's bytes (a rollback removes exactly what
 * this run created), then rename it over dst. */
static int
commit_built(struct atls *t, const char *tmp, const char *dst)
{
	struct strbuf b = STRBUF_INIT, cmd = STRBUF_INIT;
	struct file_meta m, none;
	struct exec_res r;
	long seq;
	int ret;

	memset(&m, 0, sizeof(m));
	memset(&none, 0, sizeof(none));
	exec_res_init(&r);
	if ((ret = mod_read_file(t->ctx, tmp, &b, &m)) != 0 || t->ctx->failed)
		goto out;
	seq = mod_journal_intent(t->ctx, dst, &none, NULL, 0, b.buf, b.len,
	    NULL);
	shellcmd_build(&cmd, "mv -f -- %q %q && sync 2>/dev/null; :", tmp,
	    dst);
	if ((ret = mod_exec(t->ctx, cmd.buf, NULL, 0, &r)) == 0 && r.rc != 0) {
		mod_journal_fail(t->ctx, seq, "rename failed");
		ret = tlsfix_refuse(t->ctx, xml(t), "cannot put the built "
		    "store at %s", dst);
	} else if (ret == 0) {
		mod_journal_done(t->ctx, seq, b.buf, b.len, &m);
	}
out:
	exec_res_release(&r);
	strbuf_release(&b);
	strbuf_release(&cmd);
	file_meta_release(&m);
	return t->ctx->failed ? -1 : ret;
}

static int
build_store(struct atls *t, const char *kind, const char *dst,
    const char *pw)
{
	struct strbuf cmd = STRBUF_INIT, in = STRBUF_INIT;
	struct exec_res r;
	char nonce[17], *tag, *tmp;
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "x=%q; kind=%q; dst=%q; cert=%q; key=%q; ca=%q; "
	    "grp=%q; check=%d\n", nonce, kind, dst, sarg(t, "cert_pem") ?
	    sarg(t, "cert_pem") : "", sarg(t, "key_pem") ? sarg(t, "key_pem") :
	    "", sarg(t, "ca_pem") ? sarg(t, "ca_pem") : "",
	    sarg(t, "activemq_user"), t->ctx->check);
	strbuf_addstr(&cmd, build_script);
	strbuf_addf(&in, "%s\n", pw);
	exec_res_init(&r);
	ret = mod_exec(t->ctx, cmd.buf, in.buf, in.len, &r);
	tag = xasprintf("%s tmp ", nonce);
	tmp = ret == 0 ? strstr(r.out.buf, tag) : NULL;
	if (ret == 0 && r.rc != 0) {
		strbuf_rtrim(&r.err);
		ret = tlsfix_refuse(t->ctx, xml(t), "cannot build %s from "
		    "PEM: %s", dst, r.err.buf);
	} else if (tmp != NULL) {
		tmp += strlen(tag);
		tmp[strcspn(tmp, "\n")] = '\0';
		if ((ret = commit_built(t, tmp, dst)) == 0) {
			mod_changed(t->ctx);
			strbuf_addf(&t->changes, "built the %s store %s from "
			    "PEM\n", kind, dst);
		}
	} else if (ret == 0 && strstr(r.out.buf, "would") != NULL) {
		mod_changed(t->ctx);
		strbuf_addf(&t->changes, "would build the %s store %s from "
		    "PEM\n", kind, dst);
	}
	free(tag);
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&in);
	return ret;
}

static int
build_stores(struct atls *t)
{
	int ret = 0;

	if (sarg(t, "cert_pem") != NULL)
		ret = build_store(t, "key", t->o.key_store,
		    t->o.key_store_password);
	if (ret == 0 && t->o.trust_store && sarg(t, "ca_pem") != NULL)
		ret = build_store(t, "trust", t->o.trust_store,
		    t->o.trust_store_password);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Options, patch, checks                                              */

static int
make_opts(struct atls *t)
{
	struct amq_patch_opts *o = &t->o;

	memset(o, 0, sizeof(*o));
	o->remove = strcmp(sarg(t, "cleartext"), "remove") == 0;
	o->key_store = sarg(t, "key_store");
	o->key_store_password = sarg(t, "key_store_password");
	o->key_store_type = sarg(t, "key_store_type");
	o->trust_store = sarg(t, "trust_store");
	o->trust_store_password = sarg(t, "trust_store_password");
	o->trust_store_type = o->trust_store ? sarg(t, "trust_store_type") :
	    NULL;
	o->protocols = *sarg(t, "protocols") ? sarg(t, "protocols") : NULL;
	o->need_client_auth = arg_bool(t->args, "need_client_auth");
	if (o->key_store == NULL || o->key_store_password == NULL)
		return mod_fail(t->ctx, "key_store and key_store_password are "
		    "required with state: patched or preflight") - 1;
	if (o->trust_store && o->trust_store_password == NULL)
		return mod_fail(t->ctx, "trust_store needs "
		    "trust_store_password") - 1;
	if (o->need_client_auth && o->trust_store == NULL)
		return mod_fail(t->ctx, "need_client_auth needs a trust_store "
		    "(the CA that signs the clients' certificates)") - 1;
	return 0;
}

static int
do_patch(struct atls *t)
{
	struct err e = ERR_INIT;
	int ret = 0;

	if (!t->h.conf_ok)
		return tlsfix_refuse(t->ctx, xml(t), "it does not parse as "
		    "the broker would read it: %s", t->h.parse_error.buf);
	if (amq_patch(&t->h.conf_x, &t->o, &t->new, &t->changes, &e) < 0)
		ret = tlsfix_refuse(t->ctx, xml(t), "%s", err_text(&e,
		    "unknown error"));
	err_release(&e);
	return ret;
}

/* The patched file, read as the broker would: nothing cleartext, no
 * connector whose transport module is missing. */
static int
check_after(struct atls *t)
{
	struct amq_conf c;
	struct err e = ERR_INIT;
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int ret = 0;

	if (amq_conf_parse(&c, t->h.xml, t->new.buf, t->new.len, &t->h.props,
	    &e) < 0) {
		ret = tlsfix_refuse(t->ctx, xml(t), "internal error: the "
		    "patched file does not parse: %s", err_text(&e, ""));
		goto out;
	}
	for (i = 0; i < c.nconns; i++) {
		const struct amq_conn *k = &c.conns[i];

		if (k->cleartext)
			strbuf_addf(&why, "; connector '%s' is still cleartext",
			    k->name);
		else if (k->sch && amq_host_has_module(&t->h, k->sch) == 0)
			strbuf_addf(&why, "; connector '%s' (%s) needs %s, "
			    "which this broker does not have: it would refuse "
			    "to start (\"Transport scheme NOT recognized\"); "
			    "use cleartext: remove, or install the module",
			    k->name, k->uri, k->sch->module);
	}
	if (why.len)
		ret = tlsfix_refuse(t->ctx, xml(t), "with the patch%s",
		    why.buf);
out:
	if (c.parsed)
		amq_conf_release(&c);
	err_release(&e);
	strbuf_release(&why);
	return ret;
}

static void
store_problems(struct atls *t, const char *what, const char *path,
    const struct amq_store_check *c, int want_key)
{
	const char *u = sarg(t, "activemq_user");
	char *p = NULL;

	if (!c->exists)
		p = xasprintf("%s %s does not exist", what, path);
	else if (!c->readable)
		p = xasprintf("%s %s is not readable by the broker's user '%s' "
		    "(owner root:%s, mode 0640 works)", what, path, u, u);
	else if (c->opened == 0)
		p = xasprintf("%s %s does not open with the given password "
		    "(%s: %s)", what, path, c->tool, c->why);
	else if (c->opened < 0)
		p = xasprintf("%s %s cannot be checked: neither keytool nor "
		    "openssl on the host", what, path);
	else if (want_key && c->private_keys == 0)
		p = xasprintf("%s %s holds no private key", what, path);
	else if (!want_key && c->trusted == 0)
		p = xasprintf("%s %s holds no trusted certificate", what, path);
	if (p != NULL)
		val_list_push(t->problems, val_str_take(p));
}

static int
preflight(struct atls *t)
{
	struct amq_store_check c;
	const char *u = sarg(t, "activemq_user");
	struct strbuf j = STRBUF_INIT;
	size_t i;
	int ret;

	if ((ret = amq_store_check(t->ctx, u, t->o.key_store,
	    t->o.key_store_type, t->o.key_store_password, &c)) != 0)
		return ret;
	if (c.exists || sarg(t, "cert_pem") == NULL)
		store_problems(t, "key store", t->o.key_store, &c, 1);
	if (t->o.trust_store && (ret = amq_store_check(t->ctx, u,
	    t->o.trust_store, t->o.trust_store_type,
	    t->o.trust_store_password, &c)) != 0)
		return ret;
	if (t->o.trust_store && (c.exists || sarg(t, "ca_pem") == NULL))
		store_problems(t, "trust store", t->o.trust_store, &c, 0);
	mod_set(t->ctx, "preflight_problems", val_copy(t->problems));
	if (t->problems->u.list.n == 0)
		return 0;
	if (t->ctx->check && t->changes.len && strstr(t->changes.buf,
	    "would build") != NULL)
		return 0;          /* the store does not exist yet: fine */
	for (i = 0; i < t->problems->u.list.n; i++)
		strbuf_addf(&j, "%s%s", i ? "; " : "",
		    t->problems->u.list.items[i]->u.str.s);
	ret = tlsfix_refuse_preflight(t->ctx, xml(t), j.buf);
	strbuf_release(&j);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Write                                                               */

static int
changed_bytes(const struct atls *t)
{
	return t->new.len != t->h.text.len ||
	    memcmp(t->new.buf, t->h.text.buf, t->new.len) != 0;
}

/* mod_write_file without its own diff, then the diff with the passwords
 * masked. */
static int
write_conf(struct atls *t)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct write_opts o;
	int diff = t->ctx->diff, ret;

	memset(&o, 0, sizeof(o));
	o.before = &t->h.meta;
	t->ctx->diff = 0;
	ret = mod_write_file_opts(t->ctx, t->h.xml, &t->h.text, t->new.buf,
	    t->new.len, &o);
	t->ctx->diff = diff;
	if (ret != 0 || t->ctx->failed)
		goto out;
	if (diff) {
		amq_mask(t->h.text.buf, t->h.text.len, &a);
		amq_mask(t->new.buf, t->new.len, &b);
		mod_add_diff(t->ctx, t->h.xml, a.buf, a.len, b.buf, b.len);
	}
	mod_changed(t->ctx);
out:
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

static void
results(struct atls *t)
{
	mod_set(t->ctx, "path", val_str(t->h.xml));
	mod_set(t->ctx, "instance", val_str(t->h.instance ? t->h.instance :
	    ""));
	mod_set(t->ctx, "changes", val_list_of_lines(t->changes.buf));
	mod_set(t->ctx, "would_change", val_bool(changed_bytes(t)));
}

static void
final_msg(struct atls *t, int write)
{
	size_t n = val_map_get(t->ctx->data, "changes")->u.list.n;

	if (!changed_bytes(t))
		mod_msg(t->ctx, "%s already has only TLS listeners (%zu "
		    "connector%s)%s", t->h.xml, t->h.conf_x.nconns,
		    t->h.conf_x.nconns == 1 ? "" : "s", n ? "; stores built" :
		    "");
	else if (!write)
		mod_msg(t->ctx, "pre-flight ok: stores open for %s; %s needs "
		    "the TLS patch (%zu change%s)", sarg(t, "activemq_user"),
		    t->h.xml, n, n == 1 ? "" : "s");
	else
		mod_msg(t->ctx, "%s %s: TLS-only listeners (%zu change%s)",
		    t->ctx->check ? "would patch" : "patched", t->h.xml, n,
		    n == 1 ? "" : "s");
}

static int
run_patch(struct atls *t, int write)
{
	int ret;

	if ((ret = amq_host_gather(t->ctx, t->args, &t->h)) != 0)
		return ret;
	if ((ret = make_opts(t)) != 0)
		return ret;
	if (write && (ret = build_stores(t)) != 0)
		return ret;
	if ((ret = do_patch(t)) != 0)
		return ret;
	results(t);
	if ((ret = check_after(t)) != 0)
		return ret;
	if (arg_bool(t->args, "preflight") && (ret = preflight(t)) != 0)
		return ret;
	if (write && changed_bytes(t) && (ret = write_conf(t)) != 0)
		return ret;
	if (!t->ctx->failed)
		final_msg(t, write);
	return 0;
}

/* state: restored, through the registry (rabbitmq_tls's restore knows no
 * product: backup_file's bytes, mode and owner back at path). */
static int
run_restore(struct atls *t)
{
	struct val *a = val_map();
	enum mod_result res;

	val_map_set(a, "state", val_str("restored"));
	val_map_set(a, "path", val_str(sarg(t, "path")));
	if (sarg(t, "backup_file") != NULL)
		val_map_set(a, "backup_file", val_str(sarg(t, "backup_file")));
	res = mod_call(t->ctx, "rabbitmq_tls", a);
	val_free(a);
	return res == MOD_UNREACHABLE ? TERR_UNREACHABLE : 0;
}

static enum mod_result
activemq_tls_run(struct modctx *ctx, const struct val *args)
{
	struct atls t;
	int ret;

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.args = args;
	strbuf_init(&t.new, 0);
	strbuf_init(&t.changes, 0);
	t.problems = val_list();
	if (tlsfix_state(args) == TLSFIX_RESTORED) {
		if (arg_str(args, "path") == NULL)
			ret = mod_fail(ctx, "path is required with state: "
			    "restored");
		else
			ret = run_restore(&t);
	} else {
		ret = run_patch(&t, tlsfix_state(args) == TLSFIX_PATCHED);
		amq_host_release(&t.h);
	}
	strbuf_release(&t.new);
	strbuf_release(&t.changes);
	val_free(t.problems);
	return mod_done(ctx, ret);
}

static const struct module_arg activemq_tls_args[] = {
	{ "state", ARG_STR, 0, "patched", "patched|preflight|restored",
	  "patched: TLS-only listeners; preflight: every check, no write "
	  "(would_change); restored: put backup_file back at path", NULL },
	{ "path", ARG_PATH, 0, NULL, NULL,
	  "the activemq.xml (default: the Debian instance's)", "dest" },
	{ "instance", ARG_STR, 0, NULL, NULL, "Debian instance name", NULL },
	{ "conf", ARG_PATH, 0, NULL, NULL, "ACTIVEMQ_CONF", NULL },
	{ "base", ARG_PATH, 0, NULL, NULL, "ACTIVEMQ_BASE", NULL },
	{ "conf_dir", ARG_PATH, 0, "/etc/activemq", NULL,
	  "Debian's instances directory", NULL },
	{ "activemq_home", ARG_PATH, 0, "/usr/share/activemq", NULL,
	  "ACTIVEMQ_HOME", NULL },
	{ "activemq_user", ARG_STR, 0, "activemq", NULL,
	  "the broker's user (store readability, store group)", NULL },
	{ "cleartext", ARG_STR, 0, "convert", "convert|remove",
	  "convert: each cleartext connector to its TLS form (same "
	  "address:port); remove: comment it out", NULL },
	{ "key_store", ARG_PATH, 0, NULL, NULL,
	  "the broker's key store on the host (sslContext keyStore)", NULL },
	{ "key_store_password", ARG_STR, 0, NULL, NULL,
	  "its password (a secret: never shown)", NULL },
	{ "key_store_type", ARG_STR, 0, "pkcs12", "pkcs12|jks",
	  "sslContext keyStoreType", NULL },
	{ "trust_store", ARG_PATH, 0, NULL, NULL,
	  "trust store (CA of client certificates; needed for "
	  "need_client_auth)", NULL },
	{ "trust_store_password", ARG_STR, 0, NULL, NULL,
	  "its password (a secret)", NULL },
	{ "trust_store_type", ARG_STR, 0, "pkcs12", "pkcs12|jks",
	  "sslContext trustStoreType", NULL },
	{ "protocols", ARG_STR, 0, "TLSv1.2,TLSv1.3", NULL,
	  "transport.enabledProtocols of every TLS connector ('' = leave)",
	  NULL },
	{ "need_client_auth", ARG_BOOL, 0, "false", NULL,
	  "transport.needClientAuth=true: clients need a certificate", NULL },
	{ "cert_pem", ARG_PATH, 0, NULL, NULL,
	  "build a missing key_store from this certificate (PEM, host) ...",
	  NULL },
	{ "key_pem", ARG_PATH, 0, NULL, NULL,
	  "... and this private key (PEM, host)", NULL },
	{ "ca_pem", ARG_PATH, 0, NULL, NULL,
	  "CA (PEM, host): added to a built key store, and builds a missing "
	  "trust_store (keytool)", NULL },
	{ "preflight", ARG_BOOL, 0, "true", NULL,
	  "check the stores on the host first", NULL },
	{ "backup_file", ARG_PATH, 0, NULL, NULL,
	  "restored: the copy to put back (absent: remove path)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
activemq_tls_validate(const struct val *args, struct err *e)
{
	const struct val *st = val_map_get(args, "state");
	int restored = st != NULL && st->type == V_STR &&
	    strcmp(st->u.str.s, "restored") == 0;

	if (restored && val_map_get(args, "path") == NULL)
		return err_setpos(e, &st->pos, "module 'activemq_tls': state "
		    "restored needs 'path'");
	if (!restored && (st == NULL || st->type != V_STR ||
	    strstr(st->u.str.s, "{{") == NULL) &&
	    (val_map_get(args, "key_store") == NULL ||
	    val_map_get(args, "key_store_password") == NULL))
		return err_setpos(e, st ? &st->pos : &args->pos, "module "
		    "'activemq_tls': 'key_store' and 'key_store_password' are "
		    "required with state patched or preflight");
	if ((val_map_get(args, "cert_pem") == NULL) !=
	    (val_map_get(args, "key_pem") == NULL))
		return err_setpos(e, st ? &st->pos : &args->pos, "module "
		    "'activemq_tls': cert_pem and key_pem go together");
	return 0;
}

const struct module mod_activemq_tls = {
	.name = "activemq_tls",
	.summary = "make every ActiveMQ listener TLS-only in activemq.xml "
	    "(stores checked on the host first), or restore it",
	.doc = "state patched: each cleartext transport connector (tcp, nio, "
	    "stomp, mqtt, amqp, auto, ws, http and their +nio forms) becomes "
	    "its TLS form on the same address and port (ssl, nio+ssl, "
	    "stomp+ssl, ...), or is commented out (cleartext: remove; udp has "
	    "no TLS form); every TLS connector gets transport.enabledProtocols "
	    "(default TLSv1.2,TLSv1.3) and optionally transport."
	    "needClientAuth=true; the <sslContext> is added or fixed.  Every "
	    "other byte of the file is kept (a byte-preserving tokenizer, "
	    "see modules/activemq/README.md).  Refuses, changing nothing, "
	    "when the file does not parse, a connector's scheme is a "
	    "placeholder, a connector would need a transport module the "
	    "broker lacks (Debian: AMQP), or the stores do not exist, are not "
	    "readable by activemq_user or do not open with their passwords "
	    "(keytool, else openssl).  Can build the key store from "
	    "cert_pem/key_pem[/ca_pem] (PKCS12) and the trust store from "
	    "ca_pem when they are missing.  Passwords are masked in msg, "
	    "changes and the diff.  Does not restart the broker "
	    "(activemq_service).  Returns path, instance, changes, "
	    "would_change, preflight_problems.",
	.args = activemq_tls_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = activemq_tls_validate,
	.run = activemq_tls_run,
};
