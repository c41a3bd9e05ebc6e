/*
 * nut_facts.c - what a host's Network UPS Tools installation looks like,
 * and whether its monitoring is exposed to the "TLS not enforced/verified"
 * finding.  Read-only.
 *
 * Remote commands (each one round trip, every value quoted):
 *   1. detect: existing configuration directories (/etc/nut, /etc/ups,
 *      /usr/local/ups/etc, and the seed's /etc/networkupstools), systemd,
 *      the NUT user, the real upsmon/upsd binaries and libupsclient, their
 *      `ldd` output (-> SSL backend, modules/nut/nutproto.h), `upsd -V`, and
 *      whether upsmon/upsd run (pid files);
 *   2. nut.conf, upsmon.conf and upsd.conf of the chosen directory
 *      (mod_read_file; missing files are reported, not an error);
 *   3. a store check (nutproto_store_cmd) of upsmon's CERTPATH and of
 *      upsd's CERTPATH (NSS) or CERTFILE (OpenSSL), as the NUT user.
 * The files are analysed with modules/nut/nutconf.h (NUT's own tokenizer
 * rules).  MONITOR and CERTIDENT passwords never reach the results.
 *
 * Overall `vulnerable` is about the finding, i.e. the client side: upsmon
 * monitors some UPS and does not enforce verified TLS for it.  The server
 * side (upsd can offer STARTTLS, DISABLE_WEAK_SSL) is in upsd.vulnerable
 * and upsd.reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/nut/nutconf.h"
#include "modules/nut/nutproto.h"
#include "runner/core/initsys.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char *const conf_dirs[] = {
	"/etc/nut", "/etc/ups", "/usr/local/ups/etc", "/etc/networkupstools",
};
#define SEED_DIR "/etc/networkupstools"

static const char detect_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"for c in /etc/nut /etc/ups /usr/local/ups/etc /etc/networkupstools; "
	"do [ -d \"$c\" ] && echo \"cand=$c\"; done\n"
	INITSYS_KIND_SH
	"if [ $kind = systemd ]; then echo systemd=1; else echo systemd=0; fi\n"
	"if id -u \"$u\" >/dev/null 2>&1; then echo user=1; "
	"else echo user=0; fi\n"
	"found() {\n"
	"  for p in \"$@\"; do\n"
	"    if [ -f \"$p\" ] && ldd \"$p\" >/dev/null 2>&1; then "
	"echo \"$p\"; return 0; fi\n"
	"  done\n"
	"  return 1\n"
	"}\n"
	"dirs='/lib/nut /usr/lib/nut /usr/libexec/nut /usr/local/ups/sbin "
	"/usr/local/ups/bin /usr/sbin /sbin /usr/bin'\n"
	"m=$(for d in $dirs; do echo \"$d/upsmon\"; done)\n"
	"m=$(found $m)\n"
	"d=$(for x in $dirs; do echo \"$x/upsd\"; done)\n"
	"d=$(found $d)\n"
	"l=$(ldconfig -p 2>/dev/null | sed -n 's/.*libupsclient\\.so.* => //p' "
	"| head -n 1)\n"
	"[ -n \"$l\" ] || l=$(found /lib/*/libupsclient.so.* "
	"/usr/lib*/libupsclient.so.* /usr/local/ups/lib/libupsclient.so.*)\n"
	"for x in \"upsmon:$m\" \"upsd:$d\" \"libupsclient:$l\"; do\n"
	"  n=${x%%:*}; p=${x#*:}; [ -n \"$p\" ] || continue\n"
	"  echo \"bin_$n=$p\"; ldd \"$p\" 2>&1 | sed \"s/^/ldd_$n /\"\n"
	"done\n"
	"for p in \"$d\" \"$m\"; do\n"
	"  [ -n \"$p\" ] || continue\n"
	"  v=$(\"$p\" -V 2>&1 </dev/null | head -n 1)\n"
	"  if [ -n \"$v\" ]; then echo \"ver=$v\"; break; fi\n"
	"done\n"
	"for n in upsmon upsd; do\n"
	"  r=0\n"
	"  for f in /run/nut/$n.pid /var/run/nut/$n.pid /var/state/ups/$n.pid; "
	"do\n"
	"    if [ -s \"$f\" ] && kill -0 \"$(cat \"$f\")\" 2>/dev/null; then "
	"r=1; fi\n"
	"  done\n"
	"  echo \"run_$n=$r\"\n"
	"done\n";

/* What the detect script found. */
struct detect {
	struct val *cands;           /* existing candidate directories */
	int systemd, user;
	char *bin[3];                /* upsmon, upsd, libupsclient */
	struct strbuf ldd[3];
	char *ver;
	int running[2];              /* upsmon, upsd */
};

static const char *const bin_names[] = { "upsmon", "upsd", "libupsclient" };

/* The facts being gathered. */
struct facts {
	struct modctx *ctx;
	const struct val *args;
	const char *user;
	struct detect d;
	char *dir;
	enum nutconf_backend be;
	int be_known;                /* some binary was found and examined */
	struct strbuf nutconf, upsmon, upsd;
	int have_nutconf, have_upsmon, have_upsd;
	struct val *reasons;         /* top-level (client side) reasons */
};

/* Does the line p[0..len) start with prefix? */
static int
starts(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(p, prefix, n) == 0;
}

static void
detect_kv(struct detect *d, const char *p, size_t len, const char *v)
{
	char key[32];
	size_t i;

	if (starts(p, len, "cand="))
		val_list_push(d->cands, val_str(v));
	else if (starts(p, len, "systemd="))
		d->systemd = atoi(v);
	else if (starts(p, len, "user="))
		d->user = atoi(v);
	else if (starts(p, len, "ver=") && d->ver == NULL)
		d->ver = xstrdup(v);
	else if (starts(p, len, "run_upsmon="))
		d->running[0] = atoi(v);
	else if (starts(p, len, "run_upsd="))
		d->running[1] = atoi(v);
	for (i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "bin_%s=", bin_names[i]);
		if (starts(p, len, key) && d->bin[i] == NULL)
			d->bin[i] = xstrdup(v);
	}
}

static void
detect_line(struct detect *d, const char *p, size_t len)
{
	char key[32];
	const char *eq;
	char *v;
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = (size_t)snprintf(key, sizeof(key), "ldd_%s ", bin_names[i]);
		if (starts(p, len, key)) {
			strbuf_add(&d->ldd[i], p + n, len - n);
			strbuf_addch(&d->ldd[i], '\n');
			return;
		}
	}
	eq = memchr(p, '=', len);
	if (eq == NULL)
		return;
	v = xstrndup(eq + 1, len - (size_t)(eq + 1 - p));
	detect_kv(d, p, len, v);
	free(v);
}

static int
run_detect(struct facts *f)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	const char *p;
	int ret;

	shellcmd_build(&cmd, "u=%q\n", f->user);
	strbuf_addstr(&cmd, detect_script);
	exec_res_init(&r);
	ret = mod_exec(f->ctx, cmd.buf, NULL, 0, &r);
	for (p = r.out.buf; ret == 0 && *p != '\0';) {
		size_t len = strcspn(p, "\n");

		detect_line(&f->d, p, len);
		p += len + (p[len] == '\n');
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

static int
has_cand(const struct detect *d, const char *dir)
{
	size_t i;

	for (i = 0; i < d->cands->u.list.n; i++)
		if (strcmp(d->cands->u.list.items[i]->u.str.s, dir) == 0)
			return 1;
	return 0;
}

/* conf_dir, else the first existing candidate that is not the seed's. */
static void
choose_dir(struct facts *f)
{
	const char *given = arg_str(f->args, "conf_dir");
	size_t i;

	if (given != NULL) {
		f->dir = xstrdup(given);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(conf_dirs); i++)
		if (has_cand(&f->d, conf_dirs[i])) {
			f->dir = xstrdup(conf_dirs[i]);
			return;
		}
}

/* The backend: the first binary whose ldd names an SSL library. */
static void
choose_backend(struct facts *f, struct val *per)
{
	size_t i;

	f->be = NUTCONF_BACKEND_UNKNOWN;
	for (i = 0; i < 3; i++) {
		enum nutconf_backend be;

		if (f->d.bin[i] == NULL)
			continue;
		f->be_known = 1;
		be = nutproto_ldd_backend(f->d.ldd[i].buf);
		val_map_set(per, bin_names[i], val_str(nutproto_backend_name(be)));
		if (f->be == NUTCONF_BACKEND_UNKNOWN)
			f->be = be;
	}
}

/* Read dir/name into sb; *have = exists. 0, or -1 (failed, recorded), or
 * a TERR_* code. */
static int
read_conf(struct facts *f, const char *name, struct strbuf *sb, int *have)
{
	struct file_meta meta;
	char *path = xasprintf("%s/%s", f->dir, name);
	int ret;

	memset(&meta, 0, sizeof(meta));
	ret = mod_read_file(f->ctx, path, sb, &meta);
	*have = ret == 0 && meta.exists;
	file_meta_release(&meta);
	free(path);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

static struct val *
issues_val(const struct nutconf_issues *is, const char *prefix,
    struct val *also)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < is->nr; i++) {
		val_list_push(l, val_str(is->v[i].text));
		if (also != NULL)
			val_list_push(also, val_str_take(xasprintf("%s%s", prefix,
			    is->v[i].text)));
	}
	return l;
}

static struct val *
value_val(const struct nutconf_value *v)
{
	return v->set ? val_str(v->raw) : val_null();
}

static struct val *
bad_val(const struct nutconf_bad_line *b, size_t n)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < n; i++) {
		struct val *m = val_map();

		val_map_set(m, "line", val_int(b[i].line));
		val_map_set(m, "directive", val_str(b[i].directive));
		val_map_set(m, "text", val_str(b[i].shown));
		val_map_set(m, "why", val_str(b[i].why));
		val_map_set(m, "accepted", val_bool(b[i].accepted));
		val_list_push(l, m);
	}
	return l;
}

static struct val *
monitors_val(const struct nutconf_upsmon *a)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < a->nr_monitors; i++) {
		const struct nutconf_monitor *m = &a->monitors[i];
		struct val *v = val_map();

		val_map_set(v, "line", val_int(m->line));
		val_map_set(v, "system", val_str(m->system));
		val_map_set(v, "ups", val_str(m->upsname));
		val_map_set(v, "host", val_str(m->host));
		val_map_set(v, "port", val_int(m->port));
		val_map_set(v, "powervalue", val_str(m->powervalue));
		val_map_set(v, "user", val_str(m->user));
		val_map_set(v, "password", val_str("********"));
		val_map_set(v, "role", val_str(m->role));
		val_list_push(l, v);
	}
	return l;
}

static struct val *
certhosts_val(const struct nutconf_upsmon *a)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < a->nr_certhosts; i++) {
		const struct nutconf_certhost *h = &a->certhosts[i];
		struct val *v = val_map();

		val_map_set(v, "line", val_int(h->line));
		val_map_set(v, "host", val_str(h->host));
		val_map_set(v, "name", val_str(h->name));
		val_map_set(v, "certverify", val_int(h->certverify));
		val_map_set(v, "forcessl", val_int(h->forcessl));
		val_map_set(v, "effective", val_bool(h->effective));
		val_map_set(v, "monitored", val_bool(h->monitored));
		val_list_push(l, v);
	}
	return l;
}

/* The expected certificate name for host: its effective CERTHOST's. */
static const char *
cert_name(const struct nutconf_upsmon *a, const char *host)
{
	size_t i;

	for (i = 0; i < a->nr_certhosts; i++)
		if (a->certhosts[i].effective &&
		    strcmp(a->certhosts[i].host, host) == 0)
			return a->certhosts[i].name;
	return host;
}

/* Unique host:port of the MONITOR lines, with their UPS names. */
static struct val *
servers_val(const struct nutconf_upsmon *a, struct val *hosts)
{
	struct val *l = val_list();
	size_t i, j;

	for (i = 0; i < a->nr_monitors; i++) {
		const struct nutconf_monitor *m = &a->monitors[i];
		struct val *s = NULL;

		for (j = 0; j < l->u.list.n && s == NULL; j++)
			if (strcmp(val_map_str(l->u.list.items[j], "host", ""),
			    m->host) == 0 && val_map_get(l->u.list.items[j],
			    "port")->u.i == m->port)
				s = l->u.list.items[j];
		if (s == NULL) {
			s = val_map();
			val_map_set(s, "host", val_str(m->host));
			val_map_set(s, "port", val_int(m->port));
			val_map_set(s, "name", val_str(cert_name(a, m->host)));
			val_map_set(s, "ups", val_list());
			val_list_push(l, s);
		}
		if (nutproto_upsname_ok(m->upsname))
			val_list_push(val_map_get(s, "ups"), val_str(m->upsname));
	}
	for (i = 0; i < l->u.list.n; i++) {
		const char *h = val_map_str(l->u.list.items[i], "host", "");

		for (j = 0; j < hosts->u.list.n; j++)
			if (strcmp(hosts->u.list.items[j]->u.str.s, h) == 0)
				break;
		if (j == hosts->u.list.n)
			val_list_push(hosts, val_str(h));
	}
	return l;
}

static struct val *
store_val(const struct nutproto_store *st, int ran)
{
	struct val *m;
	int i;

	if (!ran)
		return val_null();
	m = val_map();
	val_map_set(m, "exists", val_bool(st->exists));
	val_map_set(m, "readable_by_nut", st->readable < 0 ? val_null() :
	    val_bool(st->readable));
	if (st->exists) {
		val_map_set(m, "mode", val_str_take(xasprintf("%04o",
		    st->mode)));
		val_map_set(m, "owner", val_str(st->owner));
		val_map_set(m, "group", val_str(st->group));
	}
	if (st->listed) {
		struct val *l = val_list();

		for (i = 0; i < st->ncerts; i++) {
			struct val *c = val_map();

			val_map_set(c, "nickname", val_str(st->certs[i].nick));
			val_map_set(c, "trust", val_str(st->certs[i].trust));
			val_list_push(l, c);
		}
		val_map_set(m, "certs", l);
	}
	return m;
}

/* ------------------------------------------------------------------ */
/* Host checks of the stores                                           */

static int
check_store(struct facts *f, enum nutproto_store_kind kind, const char *path,
    struct nutproto_store *st)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	int ret;

	nutproto_store_cmd(&cmd, kind, path, f->user);
	exec_res_init(&r);
	ret = mod_exec(f->ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && nutproto_store_parse(r.out.buf, st) < 0)
		mod_log(f->ctx, 1, "store check of %s: unexpected output", path);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

static enum nutconf_path_state
path_state(const struct nutproto_store *st)
{
	if (!st->exists)
		return NUTCONF_PATH_MISSING;
	if (st->readable == 0)
		return NUTCONF_PATH_UNREADABLE;
	if (st->readable < 0)
		return NUTCONF_PATH_UNCHECKED;
	return NUTCONF_PATH_OK;
}

static const char *
state_name(enum nutconf_path_state st)
{
	static const char *const n[] = { "unchecked", "ok", "missing",
	    "unreadable" };

	return n[st];
}

/* reasons and notes into m (and the top-level reasons); the verdict. */
static struct val *
upsmon_verdict(struct facts *f, const struct nutconf_upsmon *a,
    struct val *m, const char *store_problem)
{
	struct val *reasons = issues_val(&a->reasons, "", NULL);
	struct val *notes = issues_val(&a->notes, "", NULL);
	const char *mode = val_map_str(f->ctx->data, "mode", "");
	size_t i;
	int vuln;

	if (store_problem != NULL)
		val_list_push(reasons, val_str(store_problem));
	if (f->be_known && f->be == NUTCONF_BACKEND_UNKNOWN)
		val_list_push(reasons, val_str("NUT links no SSL library "
		    "(ldd): it was built without SSL, TLS cannot be used"));
	vuln = f->have_upsmon && a->nr_monitors > 0 &&
	    strcmp(mode, "none") != 0 && reasons->u.list.n > 0;
	if (!f->have_upsmon)
		val_list_push(notes, val_str("no upsmon.conf: this host runs "
		    "no UPS monitor"));
	else if (a->nr_monitors == 0)
		val_list_push(notes, val_str("no MONITOR line: upsmon "
		    "monitors nothing"));
	else if (strcmp(mode, "none") == 0)
		val_list_push(notes, val_str("nut.conf MODE=none: NUT is not "
		    "started on this host"));
	for (i = 0; vuln && i < reasons->u.list.n; i++)
		val_list_push(f->reasons, val_str_take(xasprintf(
		    "upsmon.conf: %s", reasons->u.list.items[i]->u.str.s)));
	val_map_set(m, "vulnerable", val_bool(vuln));
	val_map_set(m, "reasons", reasons);
	val_map_set(m, "notes", notes);
	return m;
}

static void
upsmon_map(struct val *m, const struct facts *f, const struct nutconf_upsmon *a)
{
	struct val *hosts = val_list();

	val_map_set(m, "path", val_str_take(xasprintf("%s/upsmon.conf",
	    f->dir)));
	val_map_set(m, "exists", val_bool(f->have_upsmon));
	val_map_set(m, "certpath", value_val(&a->certpath));
	val_map_set(m, "certpath_line", val_int(a->certpath.line));
	val_map_set(m, "certpath_state", val_str(state_name(
	    a->certpath_state)));
	val_map_set(m, "certverify", val_int(a->certverify.num));
	val_map_set(m, "certverify_set", val_bool(a->certverify.set));
	val_map_set(m, "forcessl", val_int(a->forcessl.num));
	val_map_set(m, "forcessl_set", val_bool(a->forcessl.set));
	val_map_set(m, "monitors", monitors_val(a));
	val_map_set(m, "servers", servers_val(a, hosts));
	val_map_set(m, "monitor_hosts", hosts);
	val_map_set(m, "certhosts", certhosts_val(a));
	val_map_set(m, "ineffective", bad_val(a->bad, a->nr_bad));
}

/* upsmon.conf: analysis, CERTPATH check, result map. */
static int
upsmon_facts(struct facts *f, struct val **out)
{
	struct nutconf_file nf = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	struct nutproto_store st;
	struct strbuf why = STRBUF_INIT;
	enum nutproto_store_kind kind = f->be == NUTCONF_BACKEND_OPENSSL ?
	    NUTPROTO_STORE_CADIR : NUTPROTO_STORE_NSS;
	struct val *m = val_map();
	int ret = 0, ran = 0, usable = 0;

	memset(&st, 0, sizeof(st));
	nutconf_parse(&nf, f->upsmon.buf, f->upsmon.len);
	nutconf_upsmon_analyze(&a, &nf, f->be);
	if (a.certpath.set && a.certpath.raw[0] != '\0') {
		ret = check_store(f, kind, a.certpath.raw, &st);
		ran = ret == 0;
		nutconf_upsmon_set_certpath_state(&a, path_state(&st));
		usable = ran && nutproto_store_ca_problem(&st, kind,
		    a.certpath.raw, &why) == 0;
	}
	upsmon_map(m, f, &a);
	val_map_set(m, "certpath_usable", val_bool(usable));
	val_map_set(m, "certpath_store", store_val(&st, ran));
	val_map_set(m, "tls_enforced", val_bool(a.tls_enforced && (usable ||
	    !ran)));
	*out = upsmon_verdict(f, &a, m, ran && !usable && st.exists &&
	    st.readable != 0 ? why.buf : NULL);
	nutproto_store_release(&st);
	nutconf_upsmon_release(&a);
	nutconf_file_release(&nf);
	strbuf_release(&why);
	return ret;
}

/* NSS: is CERTIDENT's certificate in the store, with its key? -1 unknown */
static int
ident_in_store(const struct nutconf_upsd *a, const struct nutproto_store *st)
{
	int i;

	if (!a->certident.set || !st->listed)
		return -1;
	for (i = 0; i < st->ncerts; i++)
		if (strcmp(st->certs[i].nick, a->certident.name) == 0 &&
		    nutproto_trust_has_key(st->certs[i].trust))
			return 1;
	return 0;
}

/* upsd's reasons: nutconf's, plus what the store check found. */
static struct val *
upsd_reasons(const struct nutconf_upsd *a, const struct nutproto_store *st,
    enum nutproto_store_kind kind, int ran)
{
	struct val *reasons = issues_val(&a->reasons, "", NULL);

	if (kind == NUTPROTO_STORE_NSS && ident_in_store(a, st) == 0)
		val_list_push(reasons, val_str_take(xasprintf("CERTIDENT '%s' "
		    "is not in %s with its private key: upsd answers STARTTLS "
		    "with ERR FEATURE-NOT-CONFIGURED", a->certident.name,
		    a->certpath.raw)));
	if (kind == NUTPROTO_STORE_FILE && ran && st->exists &&
	    (!st->pem_cert || !st->pem_key))
		val_list_push(reasons, val_str_take(xasprintf("CERTFILE %s does "
		    "not hold both a certificate and its private key",
		    a->certfile.raw)));
	return reasons;
}

static struct val *
upsd_map(struct facts *f, const struct nutconf_upsd *a,
    const struct nutproto_store *st, enum nutproto_store_kind kind, int ran)
{
	struct val *m = val_map(), *reasons = upsd_reasons(a, st, kind, ran);

	val_map_set(m, "path", val_str_take(xasprintf("%s/upsd.conf", f->dir)));
	val_map_set(m, "exists", val_bool(f->have_upsd));
	val_map_set(m, "certpath", value_val(&a->certpath));
	val_map_set(m, "certident", a->certident.set ?
	    val_str(a->certident.name) : val_null());
	val_map_set(m, "certfile", value_val(&a->certfile));
	val_map_set(m, "disable_weak_ssl", a->disable_weak_ssl.set ?
	    val_bool(a->disable_weak_ssl.num == 1) : val_null());
	val_map_set(m, "cert_state", val_str(state_name(a->cert_state)));
	val_map_set(m, "cert_store", store_val(st, ran));
	val_map_set(m, "ineffective", bad_val(a->bad, a->nr_bad));
	val_map_set(m, "tls_ready", val_bool(a->tls_ready &&
	    (!ran || (st->exists && st->readable != 0 &&
	    ident_in_store(a, st) != 0))));
	val_map_set(m, "vulnerable", val_bool(f->have_upsd &&
	    reasons->u.list.n > 0));
	val_map_set(m, "reasons", reasons);
	val_map_set(m, "notes", issues_val(&a->notes, "", NULL));
	return m;
}

/* upsd.conf: analysis, certificate store check, result map. */
static int
upsd_facts(struct facts *f, struct val **out)
{
	struct nutconf_file nf = NUTCONF_FILE_INIT;
	struct nutconf_upsd a;
	struct nutproto_store st;
	const struct nutconf_value *v;
	enum nutproto_store_kind kind = NUTPROTO_STORE_NSS;
	int ret = 0, ran = 0;

	memset(&st, 0, sizeof(st));
	nutconf_parse(&nf, f->upsd.buf, f->upsd.len);
	nutconf_upsd_analyze(&a, &nf, f->be);
	v = &a.certpath;
	if (f->be == NUTCONF_BACKEND_OPENSSL) {
		v = &a.certfile;
		kind = NUTPROTO_STORE_FILE;
	}
	if (v->set && v->raw[0] != '\0' && f->be != NUTCONF_BACKEND_UNKNOWN) {
		ret = check_store(f, kind, v->raw, &st);
		ran = ret == 0;
		if (ran)
			nutconf_upsd_set_cert_state(&a, path_state(&st));
	}
	*out = upsd_map(f, &a, &st, kind, ran);
	nutproto_store_release(&st);
	nutconf_upsd_release(&a);
	nutconf_file_release(&nf);
	return ret;
}

/* ------------------------------------------------------------------ */

static void
detect_results(struct facts *f)
{
	struct val *per = val_map(), *bins = val_map(), *svc = val_map();
	char ver[64] = "";
	size_t i;

	choose_backend(f, per);
	for (i = 0; i < 3; i++)
		val_map_set(bins, bin_names[i], f->d.bin[i] ?
		    val_str(f->d.bin[i]) : val_null());
	if (f->d.ver != NULL)
		nutproto_parse_version(f->d.ver, ver, sizeof(ver));
	mod_set(f->ctx, "conf_dir", f->dir ? val_str(f->dir) : val_null());
	mod_set(f->ctx, "conf_dirs", val_copy(f->d.cands));
	mod_set(f->ctx, "seed_dir_exists", val_bool(has_cand(&f->d,
	    SEED_DIR)));
	mod_set(f->ctx, "version", ver[0] ? val_str(ver) : val_null());
	mod_set(f->ctx, "backend", val_str(f->be_known ?
	    nutproto_backend_name(f->be) : "unknown"));
	mod_set(f->ctx, "backends", per);
	mod_set(f->ctx, "binaries", bins);
	mod_set(f->ctx, "systemd", val_bool(f->d.systemd));
	mod_set(f->ctx, "init", val_str(f->d.systemd ? "systemd" : "sysv"));
	val_map_set(svc, "client", val_str(f->d.systemd ? "nut-monitor" :
	    "nut-client"));
	val_map_set(svc, "server", val_str("nut-server"));
	mod_set(f->ctx, "services", svc);
	mod_set(f->ctx, "running", val_map());
	val_map_set(val_map_get(f->ctx->data, "running"), "upsmon",
	    val_bool(f->d.running[0]));
	val_map_set(val_map_get(f->ctx->data, "running"), "upsd",
	    val_bool(f->d.running[1]));
	mod_set(f->ctx, "nut_user", val_str(f->user));
	mod_set(f->ctx, "nut_user_exists", val_bool(f->d.user));
}

static int
read_all(struct facts *f)
{
	char mode[32] = "";
	int ret;

	if ((ret = read_conf(f, "nut.conf", &f->nutconf, &f->have_nutconf)) ||
	    (ret = read_conf(f, "upsmon.conf", &f->upsmon, &f->have_upsmon)) ||
	    (ret = read_conf(f, "upsd.conf", &f->upsd, &f->have_upsd)))
		return ret;
	if (f->have_nutconf)
		nutproto_nut_mode(f->nutconf.buf, f->nutconf.len, mode,
		    sizeof(mode));
	mod_set(f->ctx, "mode", f->have_nutconf && mode[0] ? val_str(mode) :
	    val_null());
	return 0;
}

static void
verdict(struct facts *f)
{
	size_t n = f->reasons->u.list.n;

	mod_set(f->ctx, "vulnerable", val_bool(n > 0));
	mod_set(f->ctx, "reasons", f->reasons);
	f->reasons = NULL;
	if (n > 0)
		mod_msg(f->ctx, "vulnerable: %zu problem%s in %s/upsmon.conf",
		    n, n == 1 ? "" : "s", f->dir);
	else
		mod_msg(f->ctx, "NUT %s (%s) in %s: monitoring is not exposed",
		    val_map_str(f->ctx->data, "version", "?"),
		    val_map_str(f->ctx->data, "backend", "?"), f->dir);
}

static int
gather(struct facts *f)
{
	struct val *um = NULL, *ud = NULL;
	int ret;

	if ((ret = run_detect(f)) != 0)
		return ret;
	choose_dir(f);
	detect_results(f);
	if (f->dir == NULL)
		return mod_fail(f->ctx, "no NUT configuration directory found "
		    "(looked for /etc/nut, /etc/ups, /usr/local/ups/etc, "
		    "/etc/networkupstools; set conf_dir)");
	if ((ret = read_all(f)) != 0)
		return ret;
	if ((ret = upsmon_facts(f, &um)) == 0)
		ret = upsd_facts(f, &ud);
	mod_set(f->ctx, "upsmon", um ? um : val_null());
	mod_set(f->ctx, "upsd", ud ? ud : val_null());
	if (ret == 0)
		verdict(f);
	return ret;
}

static enum mod_result
nut_facts_run(struct modctx *ctx, const struct val *args)
{
	struct facts f;
	size_t i;
	int ret;

	memset(&f, 0, sizeof(f));
	f.ctx = ctx;
	f.args = args;
	f.user = arg_str(args, "nut_user") ? arg_str(args, "nut_user") : "nut";
	f.d.cands = val_list();
	f.reasons = val_list();
	for (i = 0; i < 3; i++)
		strbuf_init(&f.d.ldd[i], 0);
	strbuf_init(&f.nutconf, 0);
	strbuf_init(&f.upsmon, 0);
	strbuf_init(&f.upsd, 0);
	ret = gather(&f);
	for (i = 0; i < 3; i++) {
		free(f.d.bin[i]);
		strbuf_release(&f.d.ldd[i]);
	}
	free(f.d.ver);
	val_free(f.d.cands);
	val_free(f.reasons);
	free(f.dir);
	strbuf_release(&f.nutconf);
	strbuf_release(&f.upsmon);
	strbuf_release(&f.upsd);
	return mod_done(ctx, ret == -1 ? 0 : ret);
}

static const struct module_arg nut_facts_args[] = {
	{ "conf_dir", ARG_PATH, 0, NULL, NULL,
	  "NUT configuration directory (default: the first of /etc/nut, "
	  "/etc/ups, /usr/local/ups/etc, /etc/networkupstools that exists)",
	  NULL },
	{ "nut_user", ARG_STR, 0, "nut", NULL,
	  "user the NUT daemons run as (CERTPATH must be readable by it)",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_nut_facts = {
	.name = "nut_facts",
	.summary = "detect NUT: configuration, version, SSL backend, TLS state "
	    "of upsmon.conf and upsd.conf",
	.doc = "Finds the configuration directory, the NUT version and the "
	    "SSL backend (nss | openssl | none, from ldd of upsmon, upsd and "
	    "libupsclient), parses nut.conf, upsmon.conf and upsd.conf with "
	    "NUT's own tokenizer rules and checks upsmon's CERTPATH (exists, "
	    "readable by the nut user, holds a CA trusted for servers) and "
	    "upsd's certificate store on the host.  Register it (e.g. as nut) "
	    "and use nut.vulnerable, nut.reasons, nut.backend, nut.version, "
	    "nut.conf_dir, nut.services.client, nut.upsmon.{certpath, "
	    "certpath_usable, certverify, forcessl, monitors, servers, "
	    "monitor_hosts, certhosts, ineffective, tls_enforced, reasons}, "
	    "nut.upsd.{tls_ready, certpath, certident, certfile, "
	    "disable_weak_ssl, vulnerable, reasons}.  'vulnerable' is the "
	    "client-side finding (upsmon monitors a UPS without enforced, "
	    "verified TLS), one reason per problem.  Passwords are never "
	    "returned.  Read-only; runs in check mode.",
	.args = nut_facts_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = nut_facts_run,
};
