/*
 * rabbitmq_tls.c - make RabbitMQ's AMQP listeners TLS-only in rabbitmq.conf
 * with keys the broker accepts, after checking on the host that it will
 * boot with them; or put the file back (state: restored).
 *
 * state: patched (default), in this order, changing nothing until the end:
 *  1. gather the configuration as rabbitmq_facts does (rmqgather.h);
 *  2. refuse when the legacy rabbitmq.config exists: the broker loads it
 *     INSTEAD of rabbitmq.conf, so the fix would be silently ignored
 *     (rewriting an operator's Erlang terms is their decision), or when
 *     `path` is not the file the broker loads;
 *  3. the patch (modules/rabbitmq/rmqconf.h rmq_patch): listeners.tcp = none,
 *     listeners.ssl.*, ssl_options.cacertfile/certfile/keyfile/verify/
 *     fail_if_no_peer_cert/versions.N, only keys valid for RabbitMQ 3.10+;
 *     invalid keys such as the seed's listeners.tcp.ssl_options.* are
 *     commented out and reported; comments and other keys kept;
 *     plaintext_plugins: close also closes the STOMP/MQTT/stream
 *     plaintext listeners and moves management to HTTPS (enabled plugins
 *     only);
 *  4. the patched file is analysed again TOGETHER with conf.d/ *.conf
 *     (loaded after it: they win): refused unless the broker would boot
 *     with no plaintext AMQP listener, a TLS one, and exactly our
 *     certificate files;
 *  4b. every key the patch writes must be in the schema files of the
 *     broker installed on the host (modules/rabbitmq/rmqschema.h): what
 *     3.8, 3.10 and 4.0 accept differs, and the release on the host
 *     decides; a key it does not accept refuses the change;
 *  5. pre-flight on the host (modules/rabbitmq/rmqhost.h): the CA, certificate and
 *     key exist, are readable by the broker's user, parse, the key
 *     matches the certificate, the certificate is valid now; any problem
 *     refuses the change (check mode: reported, not failed);
 *  6. atomic write keeping mode and owner (new file: 0640
 *     root:<rabbitmq_user>), journaled, check and diff modes, only when
 *     the bytes change.
 * The broker is not restarted here (rabbitmq_service, then amqp_probe).
 * state: preflight runs steps 1-5 and writes nothing: would_change tells
 * whether a backup and the patch are needed (a playbook runs it first, so
 * that a refusal leaves the host untouched and a second run makes no
 * backup).
 *
 * state: restored: put backup_file's bytes (the backup module's copy)
 * back at path with the backup's mode and owner; without backup_file the
 * file did not exist before: remove it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqgather.h"
#include "modules/rabbitmq/rmqschema.h"
#include "modules/tlsfix.h"
#include "runner/core/remotefile.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define MAX_LIST 16

struct rtls {
	struct modctx *ctx;
	const struct val *args;
	struct rmq_host h;
	struct rmq_patch_opts o;
	const char *versions[MAX_LIST], *listeners[MAX_LIST];
	char *vbuf[MAX_LIST], *lbuf[MAX_LIST];
	struct strbuf new, changes;
	struct rmq_conf newconf;
	int newparsed;
};

/* ------------------------------------------------------------------ */
/* Options                                                             */

/* A list argument of scalars into out (strings kept in bufs). */
static int
list_arg(struct rtls *t, const char *name, const char **out, char **bufs,
    size_t *n)
{
	const struct val *l = arg_get(t->args, name);
	size_t i;

	*n = 0;
	if (l == NULL)
		return 0;
	if (l->u.list.n > MAX_LIST)
		return mod_fail(t->ctx, "%s: at most %d entries", name,
		    MAX_LIST) - 1;
	for (i = 0; i < l->u.list.n; i++) {
		struct strbuf sb = STRBUF_INIT;

		val_to_str(l->u.list.items[i], &sb);
		bufs[i] = strbuf_detach(&sb, NULL);
		out[i] = bufs[i];
	}
	*n = l->u.list.n;
	return 0;
}

static unsigned
plugins_to_close(const struct rtls *t)
{
	const struct rmq_plugins *p = t->h.plugins_file.exists ?
	    &t->h.plugins : NULL;
	unsigned m = 0;

	if (strcmp(arg_str(t->args, "plaintext_plugins"), "close") != 0)
		return 0;
	if (rmq_plugins_enabled(p, "rabbitmq_management"))
		m |= RMQ_CLOSE_MGMT;
	if (rmq_plugins_enabled(p, "rabbitmq_stomp"))
		m |= RMQ_CLOSE_STOMP;
	if (rmq_plugins_enabled(p, "rabbitmq_mqtt"))
		m |= RMQ_CLOSE_MQTT;
	if (rmq_plugins_enabled(p, "rabbitmq_stream"))
		m |= RMQ_CLOSE_STREAM;
	return m;
}

static int
make_opts(struct rtls *t)
{
	struct rmq_patch_opts *o = &t->o;

	memset(o, 0, sizeof(*o));
	o->cacertfile = arg_str(t->args, "cacertfile");
	o->certfile = arg_str(t->args, "certfile");
	o->keyfile = arg_str(t->args, "keyfile");
	if (o->cacertfile == NULL || o->certfile == NULL || o->keyfile == NULL)
		return mod_fail(t->ctx, "cacertfile, certfile and keyfile are "
		    "required with state: patched or preflight") - 1;
	o->verify = arg_str(t->args, "verify");
	o->fail_if_no_peer_cert = arg_bool(t->args, "fail_if_no_peer_cert");
	if (list_arg(t, "versions", t->versions, t->vbuf, &o->nversions) < 0 ||
	    list_arg(t, "ssl_listeners", t->listeners, t->lbuf,
	    &o->nssl_listeners) < 0)
		return -1;
	o->versions = o->nversions ? t->versions : NULL;
	o->ssl_listeners = o->nssl_listeners ? t->listeners : NULL;
	o->close_plugins = plugins_to_close(t);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Steps of state: patched                                             */

/* Is the file we patch the one the broker loads? */
static int
check_target(struct rtls *t)
{
	const struct rmq_host *h = &t->h;

	if (h->main.format == RMQ_MAIN_LEGACY)
		return tlsfix_refuse(t->ctx, h->conf.path, "%s exists and "
		    "RabbitMQ loads it INSTEAD of rabbitmq.conf (the legacy "
		    "Erlang-term file wins): TLS settings written to "
		    "rabbitmq.conf would be silently "
		    "ignored.  Move its settings to %s, or set the TLS "
		    "listeners in it yourself ({rabbit, [{tcp_listeners, []}, "
		    "{ssl_listeners, [5671]}, {ssl_options, [{cacertfile, ...}, "
		    "{certfile, ...}, {keyfile, ...}, {verify, verify_peer}]}]}): "
		    "changing it is the operator's decision", h->main.path,
		    h->conf.path);
	if (strcmp(h->conf.path, h->main.path) != 0)
		return tlsfix_refuse(t->ctx, h->conf.path, "the broker loads "
		    "%s (RABBITMQ_CONFIG_FILE in %s), not this file",
		    h->main.path, h->env_file.path);
	return 0;
}

static int
do_patch(struct rtls *t)
{
	struct err e = ERR_INIT, e2 = ERR_INIT;
	int changed = 0, ret = 0;

	if (rmq_patch(&t->h.conf.conf, &t->o, &t->new, &t->changes, &changed,
	    &e) < 0) {
		ret = tlsfix_refuse(t->ctx, t->h.conf.path, "%s",
		    err_text(&e, "unknown error"));
	} else {
		(void)rmq_conf_parse(&t->newconf, pos_intern(t->h.conf.path),
		    t->new.buf, t->new.len, &e2);
		t->newparsed = 1;
	}
	err_release(&e);
	err_release(&e2);
	return ret;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
has_tls_amqp(const struct rmq_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nlisteners; i++)
		if (a->listeners[i].proto == RMQ_P_AMQP && a->listeners[i].tls)
			return 1;
	return 0;
}

static void
join_notes(struct strbuf *sb, const struct rmq_note *n, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		strbuf_addf(sb, "%s%s%s%s", i ? "; " : "", n[i].file ?
		    n[i].file : "", n[i].file ? ": " : "", n[i].msg);
}

/* What would still be wrong with the patched file and conf.d together. */
static void
after_problems(const struct rtls *t, const struct rmq_analysis *a,
    struct strbuf *why)
{
	const struct rmq_patch_opts *o = &t->o;

	if (a->will_not_boot || a->plaintext_amqp)
		join_notes(why, a->reasons, a->nreasons);
	else if (!has_tls_amqp(a))
		strbuf_addstr(why, "no TLS AMQP listener would be open");
	else if (!same(a->certfile, o->certfile) ||
	    !same(a->keyfile, o->keyfile) ||
	    !same(a->cacertfile, o->cacertfile))
		strbuf_addf(why, "a conf.d file overrides the TLS files "
		    "(effective certfile '%s', keyfile '%s', cacertfile '%s')",
		    a->certfile ? a->certfile : "", a->keyfile ? a->keyfile :
		    "", a->cacertfile ? a->cacertfile : "");
	else if (o->close_plugins && a->plaintext_plugins)
		join_notes(why, a->notes, a->nnotes);
}

static int
check_after(struct rtls *t)
{
	struct rmq_analysis a = RMQ_ANALYSIS_INIT;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	rmq_host_analyze(&t->h, &t->newconf, &a);
	mod_set(t->ctx, "reasons_after", rmq_notes_val(a.reasons, a.nreasons));
	mod_set(t->ctx, "notes_after", rmq_notes_val(a.notes, a.nnotes));
	after_problems(t, &a, &why);
	if (why.len)
		ret = tlsfix_refuse(t->ctx, t->h.conf.path, "with the patch "
		    "the broker would still not be TLS-only: %s", why.buf);
	rmq_analysis_release(&a);
	strbuf_release(&why);
	return ret;
}

/* Was this entry in the file before the patch (same key, same value)? */
static int
was_there(const struct rmq_conf *c, const struct rmq_entry *e)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->entries[i].key, e->key) == 0 &&
		    strcmp(c->entries[i].value, e->value) == 0)
			return 1;
	return 0;
}

/* The keys the patch writes that the broker on the host does not accept
 * (its schema files), ", "-joined into bad. */
static void
unaccepted(const struct rtls *t, const struct rmq_schema *sc,
    struct strbuf *bad)
{
	size_t i;

	for (i = 0; i < t->newconf.n; i++) {
		const struct rmq_entry *e = &t->newconf.entries[i];

		if (e->include || was_there(&t->h.conf.conf, e) ||
		    rmq_schema_accepts(sc, e->key))
			continue;
		strbuf_addf(bad, "%s'%s' (line %d)", bad->len ? ", " : "",
		    e->key, e->line);
	}
}

/* Every key the patch writes must be one the broker ON THE HOST accepts:
 * the release decides (3.8, 3.10, 4.0 differ), and one unknown key stops
 * it at boot.  No schema files found (another layout): the built-in table
 * of keys valid since 3.8 stands, and the result says so. */
static int
check_schema(struct rtls *t)
{
	struct rmq_schema sc = RMQ_SCHEMA_INIT;
	struct strbuf cmd = STRBUF_INIT, bad = STRBUF_INIT;
	struct exec_res r;
	/* every output line is the script's own (keys come out of grep -o
	 * and sed): a fixed marker cannot be forged by a schema file */
	const char *nonce = "mend-schema";
	int ret;

	rmq_schema_cmd(&cmd, nonce, arg_str(t->args, "lib_dir"));
	exec_res_init(&r);
	if ((ret = mod_exec(t->ctx, cmd.buf, NULL, 0, &r)) != 0)
		goto out;
	rmq_schema_parse(&sc, r.out.buf, nonce);
	mod_set(t->ctx, "schema_files", val_int((int64_t)sc.nfiles));
	if (sc.n == 0)
		goto out;
	unaccepted(t, &sc, &bad);
	if (bad.len)
		ret = tlsfix_refuse(t->ctx, t->h.conf.path, "RabbitMQ %s on "
		    "this host does not accept %s (not in its own schema "
		    "files, %zu read): the broker would not boot with %s", t->h.version ? t->h.version :
		    "(version unknown)", bad.buf, sc.nfiles, strchr(bad.buf,
		    ',') ? "them" : "it");
out:
	rmq_schema_release(&sc);
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&bad);
	return ret;
}

static void
preflight_result(struct rtls *t, const struct rmq_preflight *p,
    const struct strbuf *problems, const struct strbuf *notes)
{
	struct val *m = val_map();

	val_map_set(m, "ok", val_bool(problems->len == 0));
	val_map_set(m, "problems", val_list_of_lines(problems->buf));
	val_map_set(m, "notes", val_list_of_lines(notes->buf));
	val_map_set(m, "subject", val_str(p->subject));
	val_map_set(m, "not_after", val_str(p->not_after));
	val_map_set(m, "days_left", p->have_days ? val_int(p->days_left) :
	    val_null());
	val_map_set(m, "key_matches", p->key_match < 0 ? val_null() :
	    val_bool(p->key_match));
	mod_set(t->ctx, "preflight", m);
}

static int
preflight(struct rtls *t)
{
	const char *user = arg_str(t->args, "rabbitmq_user");
	struct strbuf cmd = STRBUF_INIT, pr = STRBUF_INIT, no = STRBUF_INIT;
	struct rmq_preflight p;
	struct exec_res r;
	int ret;

	if (!arg_bool(t->args, "preflight")) {
		mod_set(t->ctx, "preflight", val_str("skipped"));
		return 0;
	}
	rmq_preflight_cmd(&cmd, user, t->o.cacertfile, t->o.certfile,
	    t->o.keyfile);
	exec_res_init(&r);
	if ((ret = mod_exec(t->ctx, cmd.buf, NULL, 0, &r)) != 0)
		goto out;
	(void)rmq_preflight_parse(r.out.buf, &p);
	rmq_preflight_problems(&p, user, t->o.cacertfile, t->o.certfile,
	    t->o.keyfile, &pr, &no);
	preflight_result(t, &p, &pr, &no);
	if (pr.len && !t->ctx->check) {
		size_t i;
		struct strbuf j = STRBUF_INIT;

		strbuf_rtrim(&pr);
		for (i = 0; i < pr.len; i++)
			if (pr.buf[i] == '\n')
				strbuf_addstr(&j, "; ");
			else
				strbuf_addch(&j, pr.buf[i]);
		ret = tlsfix_refuse_preflight(t->ctx, t->h.conf.path, j.buf);
		strbuf_release(&j);
	}
out:
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&pr);
	strbuf_release(&no);
	return ret;
}

static struct val *
invalid_keys(const struct rmq_conf *c)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!c->entries[i].include && rmq_key_classify(c->entries[i].key,
		    NULL) == RMQ_KEY_INVALID)
			val_list_push(l, val_str(c->entries[i].key));
	return l;
}

static void
patch_results(struct rtls *t)
{
	struct rmq_analysis a = RMQ_ANALYSIS_INIT;

	rmq_host_analyze(&t->h, NULL, &a);
	mod_set(t->ctx, "path", val_str(t->h.conf.path));
	mod_set(t->ctx, "existed_before", val_bool(t->h.conf.exists));
	mod_set(t->ctx, "reasons_before", rmq_notes_val(a.reasons,
	    a.nreasons));
	mod_set(t->ctx, "invalid_removed", invalid_keys(&t->h.conf.conf));
	mod_set(t->ctx, "changes", val_list_of_lines(t->changes.buf));
	rmq_analysis_release(&a);
}

static int
write_conf(struct rtls *t)
{
	const struct rmq_file *f = &t->h.conf;
	const char *user = arg_str(t->args, "rabbitmq_user");
	const struct val *inv = val_map_get(t->ctx->data, "invalid_removed");
	struct write_opts o;
	int ret;

	if (t->new.len == f->text.len &&
	    memcmp(t->new.buf, f->text.buf, f->text.len) == 0) {
		mod_msg(t->ctx, "%s already makes AMQP TLS-only", f->path);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.before = &f->meta;        /* the journal: mode and owner to restore */
	o.mode = f->exists ? NULL : "0640";
	o.owner = f->exists ? NULL : "root";
	o.group = f->exists ? NULL : user;
	ret = mod_write_file_opts(t->ctx, f->path, &f->text, t->new.buf,
	    t->new.len, &o);
	if (ret != 0 || t->ctx->failed)
		return ret;
	mod_changed(t->ctx);
	mod_msg(t->ctx, "%s %s: AMQP TLS-only (%zu change%s%s)",
	    t->ctx->check ? "would patch" : "patched", f->path,
	    val_map_get(t->ctx->data, "changes")->u.list.n,
	    val_map_get(t->ctx->data, "changes")->u.list.n == 1 ? "" : "s",
	    inv && inv->u.list.n ? ", invalid keys removed" : "");
	return 0;
}

/* state preflight: everything but the write. */
static void
plan_msg(struct rtls *t)
{
	const struct rmq_file *f = &t->h.conf;
	const struct val *pf = val_map_get(t->ctx->data, "preflight");
	int change = t->new.len != f->text.len ||
	    memcmp(t->new.buf, f->text.buf, f->text.len) != 0;

	mod_set(t->ctx, "would_change", val_bool(change));
	if (pf != NULL && pf->type == V_MAP)
		mod_msg(t->ctx, "pre-flight ok: certificate '%s' (expires %s), "
		    "key matches, files readable by %s; %s %s",
		    val_map_str(pf, "subject", ""),
		    val_map_str(pf, "not_after", ""),
		    arg_str(t->args, "rabbitmq_user"), f->path, change ?
		    "needs the TLS-only patch" : "is already TLS-only");
	else
		mod_msg(t->ctx, "pre-flight skipped; %s %s", f->path, change ?
		    "needs the TLS-only patch" : "is already TLS-only");
}

static int
run_patch(struct rtls *t, int write)
{
	int ret;

	if ((ret = rmq_host_gather(t->ctx, t->args, arg_str(t->args, "path"),
	    &t->h)) != 0)
		return ret;
	if ((ret = make_opts(t)) != 0)
		return ret;
	patch_results(t);
	if ((ret = check_target(t)) != 0 || (ret = do_patch(t)) != 0)
		return ret;
	mod_set(t->ctx, "changes", val_list_of_lines(t->changes.buf));
	if ((ret = check_after(t)) != 0 || (ret = check_schema(t)) != 0 ||
	    (ret = preflight(t)) != 0)
		return ret;
	if (!write) {
		plan_msg(t);
		return 0;
	}
	return write_conf(t);
}

/* ------------------------------------------------------------------ */
/* state: restored                                                     */

static int
remove_conf(struct modctx *ctx, const char *path, const struct strbuf *cur,
    const struct file_meta *meta)
{
	mod_changed(ctx);
	mod_msg(ctx, "%s %s (it did not exist before)", ctx->check ?
	    "would remove" : "removed", path);
	return mod_remove_file(ctx, path, cur, meta);
}

static int
put_back(struct modctx *ctx, const char *path, const char *bf,
    const struct strbuf *cur)
{
	struct strbuf bk = STRBUF_INIT;
	struct file_meta bm;
	char mode[8];
	int ret;

	memset(&bm, 0, sizeof(bm));
	if ((ret = mod_read_file(ctx, bf, &bk, &bm)) != 0 || ctx->failed)
		goto out;
	if (!bm.exists) {
		mod_fail(ctx, "backup %s does not exist: cannot restore %s", bf,
		    path);
	} else if (bk.len == cur->len && memcmp(bk.buf, cur->buf,
	    cur->len) == 0) {
		mod_msg(ctx, "%s already holds the content of %s", path, bf);
	} else {
		snprintf(mode, sizeof(mode), "%04o", bm.mode);
		ret = mod_write_file(ctx, path, cur, bk.buf, bk.len, mode,
		    bm.owner, bm.group);
		if (ret == 0 && !ctx->failed) {
			mod_changed(ctx);
			mod_msg(ctx, "%s %s from %s", ctx->check ? "would restore"
			    : "restored", path, bf);
		}
	}
out:
	strbuf_release(&bk);
	file_meta_release(&bm);
	return ret;
}

static int
run_restore(struct rtls *t)
{
	const char *path = arg_str(t->args, "path");
	const char *bf = arg_str(t->args, "backup_file");
	struct strbuf cur = STRBUF_INIT;
	struct file_meta meta;
	int ret;

	memset(&meta, 0, sizeof(meta));
	if (path == NULL)
		return mod_fail(t->ctx, "path is required with state: "
		    "restored") - 1;
	mod_set(t->ctx, "path", val_str(path));
	if ((ret = mod_read_file(t->ctx, path, &cur, &meta)) != 0 ||
	    t->ctx->failed)
		goto out;
	if (bf != NULL && *bf != '\0')
		ret = put_back(t->ctx, path, bf, &cur);
	else if (meta.exists)
		ret = remove_conf(t->ctx, path, &cur, &meta);
	else
		mod_msg(t->ctx, "%s does not exist, as before", path);
out:
	strbuf_release(&cur);
	file_meta_release(&meta);
	return ret;
}

/* ------------------------------------------------------------------ */

static void
rtls_release(struct rtls *t)
{
	size_t i;

	rmq_host_release(&t->h);
	for (i = 0; i < MAX_LIST; i++) {
		free(t->vbuf[i]);
		free(t->lbuf[i]);
	}
	strbuf_release(&t->new);
	strbuf_release(&t->changes);
	if (t->newparsed)
		rmq_conf_release(&t->newconf);
}

static enum mod_result
rabbitmq_tls_run(struct modctx *ctx, const struct val *args)
{
	struct rtls t;
	int ret;

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.args = args;
	strbuf_init(&t.new, 0);
	strbuf_init(&t.changes, 0);
	if (tlsfix_state(args) == TLSFIX_RESTORED)
		ret = run_restore(&t);
	else
		ret = run_patch(&t, tlsfix_state(args) == TLSFIX_PATCHED);
	rtls_release(&t);
	return mod_done(ctx, ret == -1 ? 0 : ret);
}

static int
is_literal(const struct val *v)
{
	return v != NULL && !(v->type == V_STR && strstr(v->u.str.s, "{{"));
}

static int
rabbitmq_tls_validate(const struct val *args, struct err *e)
{
	static const char *const need[] = { "cacertfile", "certfile",
	    "keyfile" };
	const struct val *st = val_map_get(args, "state");
	size_t i;

	if (st != NULL && !is_literal(st))
		return 0;
	if (st != NULL && st->type == V_STR &&
	    strcmp(st->u.str.s, "restored") == 0) {
		if (val_map_get(args, "path") == NULL)
			return err_setpos(e, &st->pos, "module 'rabbitmq_tls': "
			    "state restored needs 'path'");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(need); i++)
		if (val_map_get(args, need[i]) == NULL)
			return err_setpos(e, st ? &st->pos : NULL, "module "
			    "'rabbitmq_tls': '%s' is required with state "
			    "patched or preflight", need[i]);
	return 0;
}

static const struct module_arg rabbitmq_tls_args[] = {
	{ "state", ARG_STR, 0, "patched", "patched|preflight|restored",
	  "patched: TLS-only listeners; preflight: every check of patched, "
	  "no write (would_change); restored: put backup_file back", NULL },
	{ "conf_dir", ARG_PATH, 0, "/etc/rabbitmq", NULL,
	  "RabbitMQ's configuration directory", NULL },
	{ "lib_dir", ARG_PATH, 0, "/usr/lib/rabbitmq/lib", NULL,
	  "where the broker's rabbitmq_server-VERSION/plugins are: every key "
	  "written is checked against their schema files", NULL },
	{ "path", ARG_PATH, 0, NULL, NULL,
	  "the rabbitmq.conf to patch or restore (default: the one the "
	  "broker loads)", "dest" },
	{ "cacertfile", ARG_PATH, 0, NULL, NULL,
	  "ssl_options.cacertfile (on the host)", NULL },
	{ "certfile", ARG_PATH, 0, NULL, NULL,
	  "ssl_options.certfile: the broker's certificate (chain)", NULL },
	{ "keyfile", ARG_PATH, 0, NULL, NULL,
	  "ssl_options.keyfile: its private key (no passphrase)", NULL },
	{ "verify", ARG_STR, 0, "verify_peer", "verify_peer|verify_none",
	  "ssl_options.verify", NULL },
	{ "fail_if_no_peer_cert", ARG_BOOL, 0, "false", NULL,
	  "true: clients must present a certificate signed by cacertfile "
	  "(mTLS)", NULL },
	{ "versions", ARG_LIST, 0, NULL, NULL,
	  "ssl_options.versions (default tlsv1.3, tlsv1.2)", NULL },
	{ "ssl_listeners", ARG_LIST, 0, NULL, NULL,
	  "listeners.ssl.1..N: ports or IP:PORT (default: keep existing TLS "
	  "listeners, else listeners.ssl.default = 5671)", NULL },
	{ "plaintext_plugins", ARG_STR, 0, "keep", "keep|close",
	  "close: also STOMP/MQTT/stream TLS-only and management on HTTPS "
	  "(enabled plugins)", NULL },
	{ "preflight", ARG_BOOL, 0, "true", NULL,
	  "check the files on the host first (exist, readable by "
	  "rabbitmq_user, key matches certificate, not expired)", NULL },
	{ "rabbitmq_user", ARG_STR, 0, "rabbitmq", NULL,
	  "user the broker runs as", NULL },
	{ "pid_file", ARG_PATH, 0, "/var/run/rabbitmq/pid", NULL,
	  "without systemd: the init script's pid file", NULL },
	{ "backup_file", ARG_PATH, 0, NULL, NULL,
	  "restored: the copy to put back (backup's backup_file); absent: "
	  "the file did not exist before and is removed", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_rabbitmq_tls = {
	.name = "rabbitmq_tls",
	.summary = "make RabbitMQ's AMQP listeners TLS-only in rabbitmq.conf "
	    "(valid keys only, pre-flight on the host), or restore it",
	.doc = "state patched: listeners.tcp = none, listeners.ssl.*, "
	    "ssl_options.cacertfile/certfile/keyfile/verify/"
	    "fail_if_no_peer_cert/versions, writing only keys valid for "
	    "RabbitMQ 3.10+; invalid keys (the seed's "
	    "listeners.tcp.ssl_options.*) are commented out and reported in "
	    "invalid_removed; comments and other keys are kept.  Refuses, "
	    "changing nothing, when the legacy rabbitmq.config exists (the "
	    "broker would ignore rabbitmq.conf), when conf.d files would "
	    "still leave a plaintext listener or override the certificate "
	    "files, or when the pre-flight on the host fails: CA, certificate "
	    "and key must exist, be readable by rabbitmq_user, parse, the key "
	    "must match the certificate and the certificate must be valid.  "
	    "Atomic write keeping mode and owner; check and diff modes.  "
	    "Does not restart the broker (rabbitmq_service).  state "
	    "preflight: all of that without writing (would_change).  state "
	    "restored: puts backup_file back at path (or removes path when "
	    "there was no file before).  Returns path, existed_before, "
	    "changes, invalid_removed, reasons_before, reasons_after, "
	    "preflight {ok, problems, notes, subject, not_after, days_left}.",
	.args = rabbitmq_tls_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = rabbitmq_tls_validate,
	.run = rabbitmq_tls_run,
};
