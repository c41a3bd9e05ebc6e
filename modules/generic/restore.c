/*
 * restore.c - put files back as they were before a run (used by
 * `mend rollback`, which passes the plan it read from the run journal).
 *
 * For each file, comparing the host's current bytes with the journal:
 *   current == original                    nothing to do
 *   current == what the run wrote (sha_new) restore the original bytes,
 *                                          mode and owner, atomically
 *   anything else                          drift: someone changed it since;
 *                                          refused (the task fails, the
 *                                          other files are still restored)
 *                                          unless force
 * A file the run created is removed (only if it still holds what the run
 * wrote, or with force); a file the run removed is written back.  The
 * file module's changes (journal kind dir, attrs, link, tree) are undone by one
 * command each: a directory the run made is removed when empty (rmdir;
 * force: rm -rf), a directory's mode and owner are put back, a link is
 * removed or re-pointed when it still points where the run left it, a
 * removed directory is unpacked from its archive when nothing is in its
 * place, a package (apt) the run installed is removed, one it removed or
 * upgraded is installed again at its old version (when the host's
 * sources still have it), a systemd unit the run enabled, disabled,
 * masked or unmasked (kind unit) gets its old state back with systemctl
 * when it is still as the run left it, a home directory the user module
 * made (kind home) is removed while its owner is still the uid the run
 * gave it, a home it moved (kind homemove) is moved back.  Entries are undone newest first (inner directories before the
 * ones the run made around them).  Then each service the run restarted is
 * restarted again and checked to be running (the service module, waiting
 * up to RESTORE_SERVICE_WAIT seconds), or, when the run journaled the
 * modules for it ({name, via, prove}), restarted through `via`
 * (rabbitmq_service: the real broker stopped) and proven to run the
 * restored configuration by `prove` (rabbitmq_live: its listeners are the
 * file's, waiting up to RESTORE_PROVE_WAIT s); a failure names the
 * service.  A service the run found serving another configuration than
 * its files ({mismatch: true}) is restarted and proven even when every
 * file already holds its old bytes.
 * The original bytes come from the controller's journal objects, so a
 * deleted backup directory on the host does not matter.  The temp files
 * (.mend.XXXXXX) that a SIGKILLed run left beside the plan's files are
 * removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/hash.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"


#define RESTORE_SERVICE_WAIT 120   /* seconds for a service to run again */
#define RESTORE_PROVE_WAIT 600     /* seconds for its old configuration to
                                    * answer (a slow broker boot) */

static const struct module_arg restore_args[] = {
	{ "files", ARG_LIST, 0, NULL, NULL,
	  "list of {path, existed, sha_before, sha_new, mode, owner, group, "
	  "unfinished}", NULL },
	{ "services", ARG_LIST, 0, NULL, NULL,
	  "services to restart after the files are restored: names, or "
	  "{name, via, prove, mismatch}", NULL },
	{ "objects", ARG_PATH, 1, NULL, NULL,
	  "controller directory holding the original bytes by sha256", NULL },
	{ "force", ARG_BOOL, 0, "false", NULL,
	  "restore files even if they changed since the run", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

struct tally {
	int restored, removed, same, drift;
	struct strbuf drifted;
};

static void
note_drift(struct tally *t, const char *path, const char *why)
{
	t->drift++;
	strbuf_addf(&t->drifted, "%s%s (%s)", t->drifted.len ? "; " : "",
	    path, why);
}

static int
restore_bytes(struct modctx *ctx, const struct val *f, const char *objects,
    const char *path, const struct strbuf *cur)
{
	const char *sha = val_map_str(f, "sha_before", "");
	struct strbuf orig = STRBUF_INIT;
	char *obj = xasprintf("%s/%s", objects, sha), got[65];
	int ret = 0;

	if (strbuf_read_file(&orig, obj) < 0) {
		mod_fail(ctx, "original of %s is missing from the journal "
		    "(%s: %s)", path, obj, strerror(errno));
		goto out;
	}
	sha256_hex(orig.buf, orig.len, got);
	if (strcmp(got, sha) != 0) {
		mod_fail(ctx, "journal object %s is corrupt", obj);
		goto out;
	}
	ret = mod_write_file(ctx, path, cur, orig.buf, orig.len,
	    val_map_str(f, "mode", NULL), val_map_str(f, "owner", NULL),
	    val_map_str(f, "group", NULL));
out:
	free(obj);
	strbuf_release(&orig);
	return ret;
}

static int
meta_differs(const struct val *f, const struct file_meta *m)
{
	char mode[16];
	const char *o = val_map_str(f, "owner", NULL);
	const char *g = val_map_str(f, "group", NULL);
	const char *want = val_map_str(f, "mode", NULL);

	snprintf(mode, sizeof(mode), "%04o", m->mode);
	return (want && strcmp(want, mode) != 0) ||
	    (o && m->owner && strcmp(o, m->owner) != 0) ||
	    (g && m->group && strcmp(g, m->group) != 0);
}

/* The script for a journal entry of kind dir, attrs, link or tree.  Prints
 * "same", "restored", "removed" or "drift WHY"; acts only when act. */
static void
fs_script(struct strbuf *cmd, const struct val *f, int act, int force)
{
	const char *kind = val_map_str(f, "kind", "");
	const char *lb = val_map_str(f, "was", NULL);

	shellcmd_build(cmd, "LC_ALL=C; p=%q; a=%d; F=%d; k=%q; e=%d\n"
	    "lb=%q; hb=%d; ln=%q; m=%q; o=%q; g=%q\n"
	    "x() { [ \"$a\" = 1 ] || return 0; \"$@\"; }\n"
	    "there() { [ -e \"$p\" ] || [ -L \"$p\" ]; }\n",
	    val_map_str(f, "path", ""), act, force, kind,
	    val_truthy(val_map_get(f, "existed")), lb ? lb : "", lb != NULL,
	    val_map_str(f, "now", ""), val_map_str(f, "mode", ""),
	    val_map_str(f, "owner", ""), val_map_str(f, "group", ""));
	shellcmd_build(cmd, "%s",
	    "case $k$e in\n"
	    "dir0) if ! there; then echo same\n"
	    "  elif [ -d \"$p\" ] && [ ! -L \"$p\" ] && [ -z \"$(ls -A -- \"$p\")\" ]; then\n"
	    "    x rmdir -- \"$p\" && echo removed\n"
	    "  elif [ \"$F\" = 1 ]; then x rm -rf -- \"$p\" && echo removed\n"
	    "  else echo 'drift not empty since the run, which created it'; fi;;\n"
	    "dir1) if [ ! -d \"$p\" ] || [ -L \"$p\" ]; then echo 'drift no longer a directory'\n"
	    "  elif [ \"$(stat -c '%a %U %G' -- \"$p\")\" = \"$(printf '%o' 0$m) $o $g\" ]; then echo same\n"
	    "  else x chmod -- \"0$m\" \"$p\" && x chown -- \"$o:$g\" \"$p\" && echo restored; fi;;\n"
	    "attrs1) if ! there || [ -L \"$p\" ]; then echo 'drift no longer there'\n"
	    "  elif [ \"$(stat -c '%a %U %G' -- \"$p\")\" = \"$(printf '%o' 0$m) $o $g\" ]; then echo same\n"
	    "  else x chown -- \"$o:$g\" \"$p\" && x chmod -- \"0$m\" \"$p\" && echo restored; fi;;\n"
	    "link*) c=; [ -L \"$p\" ] && c=$(readlink -- \"$p\")\n"
	    "  if [ \"$hb\" = 1 ] && [ -L \"$p\" ] && [ \"$c\" = \"$lb\" ]; then echo same\n"
	    "  elif [ \"$hb\" = 0 ] && ! there; then echo same\n"
	    "  elif there && ! { [ -L \"$p\" ] && { [ \"$c\" = \"$ln\" ] || [ \"$F\" = 1 ]; }; }; then\n"
	    "    echo 'drift changed since the run'\n"
	    "  elif [ \"$hb\" = 0 ]; then x rm -f -- \"$p\" && echo removed\n"
	    "  else x ln -sfn -- \"$lb\" \"$p\" && echo restored; fi;;\n"
	    "tree1) if there && [ \"$F\" = 0 ]; then echo 'drift something is in its place'\n"
	    "  else x rm -rf -- \"$p\" && x mkdir -p -- \"$(dirname -- \"$p\")\" &&\n"
	    "    x tar -xpf - -C \"$(dirname -- \"$p\")\" && echo restored; fi;;\n"
	    "package*) n=${p#package:}; c=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}' -- \"$n\" 2>/dev/null)\n"
	    "  case $c in ii*) cv=${c#*|};; *) cv=;; esac\n"
	    "  if [ \"$cv\" = \"$lb\" ]; then echo same\n"
	    "  elif [ -z \"$lb\" ]; then x env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=120 remove -- \"$n\" >&2 && echo removed\n"
	    "  else x env DEBIAN_FRONTEND=noninteractive apt-get -y -q --allow-downgrades -o DPkg::Lock::Timeout=120 install -- \"$n=$lb\" >&2 && echo restored; fi;;\n"
	    "unit*) n=${p#unit:}; c=$(systemctl is-enabled -- \"$n\" 2>/dev/null)\n"
	    "  case $c in masked*) c=masked;; disabled|''|not-found|bad|transient) c=disabled;; *) c=enabled;; esac\n"
	    "  if [ \"$c\" = \"$lb\" ]; then echo same\n"
	    "  elif [ \"$F\" = 0 ] && [ \"$c\" != \"$ln\" ] && ! { [ \"$ln\" = unmasked ] && [ $c != masked ]; }; then\n"
	    "    echo 'drift changed since the run'\n"
	    "  else { [ $c != masked ] || x systemctl unmask -- \"$n\" >&2; } &&\n"
	    "    case $lb in masked) x systemctl mask -- \"$n\" >&2;; enabled) x systemctl enable -- \"$n\" >&2;;\n"
	    "    *) x systemctl disable -- \"$n\" >&2;; esac && echo restored; fi;;\n"
	    "homemove*) if ! there; then echo same\n"
	    "  elif [ -e \"$lb\" ] || [ -L \"$lb\" ]; then echo 'drift the old home is there again'\n"
	    "  else x mv -- \"$p\" \"$lb\" && echo restored; fi;;\n"
	    "home*) if ! there; then echo same\n"
	    "  elif [ \"$(stat -c %u -- \"$p\")\" = \"$ln\" ] || [ \"$F\" = 1 ]; then x rm -rf -- \"$p\" && echo removed\n"
	    "  else echo 'drift no longer owned by the uid the run gave it'; fi;;\n"
	    "*) echo \"drift unknown journal entry $k\";;\n"
	    "esac\n");
}

/* Undo one change of the file module (kind dir, link, tree). */
static int
restore_fs(struct modctx *ctx, const struct val *f, const char *objects,
    int force, struct tally *t)
{
	const char *path = val_map_str(f, "path", "?");
	const char *sha = val_map_str(f, "sha_before", NULL);
	struct strbuf cmd = STRBUF_INIT, arch = STRBUF_INIT;
	struct exec_res r;
	char *obj = NULL;
	int ret;

	if (sha != NULL) {
		obj = xasprintf("%s/%s", objects, sha);
		if (strbuf_read_file(&arch, obj) < 0) {
			mod_fail(ctx, "archive of %s is missing from the "
			    "journal (%s: %s)", path, obj, strerror(errno));
			free(obj);
			return 0;
		}
	}
	fs_script(&cmd, f, !ctx->check, force);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, arch.buf, arch.len, &r);
	strbuf_rtrim(&r.out);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0)
		mod_fail(ctx, "cannot restore %s: %s", path, r.err.buf);
	else if (ret == 0 && !strcmp(r.out.buf, "same"))
		t->same++;
	else if (ret == 0 && !strcmp(r.out.buf, "removed"))
		t->removed++;
	else if (ret == 0 && !strcmp(r.out.buf, "restored"))
		t->restored++;
	else if (ret == 0)
		note_drift(t, path, strncmp(r.out.buf, "drift ", 6) == 0 ?
		    r.out.buf + 6 : r.out.buf);
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&arch);
	free(obj);
	return ret;
}

/* Decide and act for one file. Returns 0 or a TERR_* code. */
static int
restore_one(struct modctx *ctx, const struct val *f, const char *objects,
    int force, struct tally *t)
{
	const char *path = val_map_str(f, "path", NULL);
	const char *before = val_map_str(f, "sha_before", NULL);
	const char *wrote = val_map_str(f, "sha_new", NULL);
	int existed = val_truthy(val_map_get(f, "existed"));
	struct strbuf cur = STRBUF_INIT;
	struct file_meta m;
	char sha[65] = "";
	int ret;

	memset(&m, 0, sizeof(m));
	if (path == NULL)
		return mod_fail(ctx, "restore: a file entry has no path");
	if (val_map_get(f, "kind") != NULL)
		return restore_fs(ctx, f, objects, force, t);
	ret = mod_read_file(ctx, path, &cur, &m);
	if (ret != 0 || ctx->failed)
		goto out;
	if (m.exists)
		sha256_hex(cur.buf, cur.len, sha);
	if (!existed && !m.exists) {
		t->same++;
	} else if (!existed && (force || (wrote && !strcmp(sha, wrote)))) {
		if ((ret = mod_remove_file(ctx, path, &cur, &m)) == 0)
			t->removed++;
	} else if (!existed) {
		note_drift(t, path, "changed since the run, which created it");
	} else if (m.exists && before && !strcmp(sha, before) &&
	    !meta_differs(f, &m)) {
		t->same++;
	} else if (!m.exists && wrote == NULL) {     /* the run removed it */
		if ((ret = restore_bytes(ctx, f, objects, path, &cur)) == 0)
			t->restored++;
	} else if (force || (m.exists && ((wrote && !strcmp(sha, wrote)) ||
	    (before && !strcmp(sha, before))))) {
		if ((ret = restore_bytes(ctx, f, objects, path, &cur)) == 0)
			t->restored++;
	} else {
		note_drift(t, path, m.exists ? "changed since the run" :
		    "deleted since the run");
	}
out:
	file_meta_release(&m);
	strbuf_release(&cur);
	return ret;
}

/* The failure a called module recorded, prefixed with the service. */
static void
name_failure(struct modctx *ctx, const char *name, const char *what)
{
	char *was = strbuf_detach(&ctx->msg, NULL);

	strbuf_init(&ctx->msg, 0);
	mod_fail(ctx, "%s: %s: %s", name, what, was);
	free(was);
}

/* Restart one service: through the module the run used (`via`), then
 * prove its configuration is live (`prove`, e.g. rabbitmq_live: the
 * restored listeners answer, waiting while it boots); plain names through
 * the service module, waiting until it runs.  0 or TERR_UNREACHABLE. */
static int
restart_one(struct modctx *ctx, const struct val *item, struct pos pos)
{
	const char *name = item->type == V_MAP ? val_map_str(item, "name", "")
	    : item->u.str.s;
	const char *via = item->type == V_MAP ? val_map_str(item, "via", NULL)
	    : NULL;
	const char *prove = item->type == V_MAP ? val_map_str(item, "prove",
	    NULL) : NULL;
	struct val *a = val_map();
	enum mod_result res;

	a->pos = pos;
	val_map_set(a, "name", val_str(name));
	val_map_set(a, "state", val_str("restarted"));
	/* brokers such as RabbitMQ need 20-60 s to come back */
	if (via == NULL)
		val_map_set(a, "wait", val_int(RESTORE_SERVICE_WAIT));
	res = mod_call(ctx, via ? via : "service", a);
	val_free(a);
	if (res == MOD_FAILED)
		name_failure(ctx, name, "the rollback's restart failed");
	if (res != MOD_FAILED && res != MOD_UNREACHABLE && prove != NULL) {
		a = val_map();
		a->pos = pos;
		val_map_set(a, "service", val_str(name));
		val_map_set(a, "wait", val_int(RESTORE_PROVE_WAIT));
		res = mod_call(ctx, prove, a);
		val_free(a);
		if (res == MOD_FAILED)
			name_failure(ctx, name, "restarted, but the restored "
			    "configuration is not the one it runs");
	}
	if (res == MOD_FAILED)
		ctx->failed = 1;
	return res == MOD_UNREACHABLE ? TERR_UNREACHABLE : 0;
}

/* Every service of the plan (files restored), or only those the run found
 * serving another configuration than their files (nothing restored). */
static int
restart_services(struct modctx *ctx, const struct val *svcs, int all)
{
	size_t i;
	int ret = 0;

	for (i = 0; svcs && i < svcs->u.list.n && !ctx->failed && ret == 0;
	    i++) {
		const struct val *v = svcs->u.list.items[i];

		if (all || (v->type == V_MAP &&
		    val_truthy(val_map_get(v, "mismatch"))))
			ret = restart_one(ctx, v, svcs->pos);
	}
	return ret;
}

static int
any_mismatch(const struct val *svcs)
{
	size_t i;

	for (i = 0; svcs && i < svcs->u.list.n; i++)
		if (svcs->u.list.items[i]->type == V_MAP &&
		    val_truthy(val_map_get(svcs->u.list.items[i], "mismatch")))
			return 1;
	return 0;
}

/*
 * A run SIGKILLed while it wrote a file leaves its temp file
 * (.mend.XXXXXX beside the target: remotefile.c, rfsftp.c).  The journal's
 * intent came before the temp file, so the file is in the plan: remove the
 * stale temp files in the directories of the plan's files whose last
 * write never finished ({unfinished: true}: neither done nor failed),
 * through symlinks.  Only those: another host of the inventory may share
 * a directory (local connections, aliases) and be writing there now,
 * which the host lock does not cover.  Best effort: a failure here fails
 * nothing.
 */
static void
remove_stale_temps(struct modctx *ctx, const struct val *files)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	size_t i, n = 0;

	if (ctx->check || files == NULL)
		return;
	strbuf_addstr(&cmd, "for p in");
	for (i = 0; i < files->u.list.n; i++) {
		const struct val *f = files->u.list.items[i];
		const char *path = f->type == V_MAP ?
		    val_map_str(f, "path", NULL) : NULL;

		if (path == NULL || val_map_get(f, "kind") != NULL ||
		    !val_truthy(val_map_get(f, "unfinished")))
			continue;
		shellcmd_build(&cmd, " %q", path);
		n++;
	}
	strbuf_addstr(&cmd, "; do t=$(readlink -f -- \"$p\") || continue; "
	    "rm -f -- \"${t%/*}\"/.mend.??????; done; exit 0");
	if (n > 0) {
		exec_res_init(&r);
		(void)mod_exec(ctx, cmd.buf, NULL, 0, &r);
		exec_res_release(&r);
	}
	strbuf_release(&cmd);
}

static enum mod_result
restore_run(struct modctx *ctx, const struct val *args)
{
	const struct val *files = arg_get(args, "files");
	const char *objects = arg_str(args, "objects");
	int force = arg_bool(args, "force"), ret = 0;
	struct tally t;
	size_t i;

	memset(&t, 0, sizeof(t));
	strbuf_init(&t.drifted, 0);
	for (i = files ? files->u.list.n : 0; i-- > 0 && ret == 0;) {
		if (files->u.list.items[i]->type != V_MAP) {
			mod_fail(ctx, "restore: file entries must be mappings");
			break;
		}
		ret = restore_one(ctx, files->u.list.items[i], objects, force,
		    &t);
		if (ctx->failed)
			break;
	}
	if (ret == 0 && !ctx->failed)
		remove_stale_temps(ctx, files);
	if (ret == 0 && !ctx->failed && (t.restored || t.removed ||
	    any_mismatch(arg_get(args, "services"))))
		ret = restart_services(ctx, arg_get(args, "services"),
		    t.restored || t.removed);
	if (t.restored || t.removed || any_mismatch(arg_get(args, "services")))
		mod_changed(ctx);
	mod_set(ctx, "restored", val_int(t.restored));
	mod_set(ctx, "removed", val_int(t.removed));
	mod_set(ctx, "unchanged", val_int(t.same));
	mod_set(ctx, "drifted", val_int(t.drift));
	if (!ctx->failed && t.drift)
		mod_fail(ctx, "refused to restore %d file(s) that changed "
		    "since the run: %s (use --force to restore them anyway)",
		    t.drift, t.drifted.buf);
	else if (!ctx->failed)
		mod_msg(ctx, "%d restored, %d removed, %d already as before",
		    t.restored, t.removed, t.same);
	strbuf_release(&t.drifted);
	return mod_done(ctx, ret);
}

const struct module mod_restore = {
	.name = "restore",
	.summary = "restore files to their state before a run (mend rollback)",
	.doc = "Used by 'mend rollback' with the plan read from a run "
	    "journal.  Restores each file whose bytes are what the run wrote; "
	    "refuses files changed since (drift) unless force; removes files "
	    "the run created; then restarts the services the run restarted.",
	.args = restore_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.run = restore_run,
};
