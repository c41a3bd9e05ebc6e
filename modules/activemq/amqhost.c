/*
 * amqhost.c - the ActiveMQ host: instance, activemq.xml, stores
 * (amqhost.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/activemq/amqhost.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define MAX_XML (4 << 20)

/* Everything the modules need from the host in one command; lines
 * "NONCE key value". */
static const char detect_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"for d in \"$cd\"/instances-enabled/*; do [ -e \"$d\" ] && "
	"echo \"$x en ${d##*/}\"; done\n"
	"for d in \"$cd\"/instances-available/*; do [ -d \"$d\" ] && "
	"echo \"$x av ${d##*/}\"; done\n"
	"debian=0\n"
	"if [ -n \"$path\" ]; then xml=$path; [ -n \"$conf\" ] || "
	"conf=${path%/*}\n"
	"elif [ -n \"$conf\" ]; then xml=$conf/activemq.xml\n"
	"else\n"
	"  debian=1\n"
	"  if [ -z \"$inst\" ]; then for d in \"$cd\"/instances-enabled/*; do "
	"[ -e \"$d\" ] && { inst=${d##*/}; break; }; done; fi\n"
	"  if [ -z \"$inst\" ]; then for d in \"$cd\"/instances-available/*; "
	"do [ -d \"$d\" ] && { inst=${d##*/}; break; }; done; fi\n"
	"  if [ -e \"$cd/instances-enabled/$inst\" ]; then "
	"conf=$cd/instances-enabled/$inst; else "
	"conf=$cd/instances-available/$inst; fi\n"
	"  xml=$conf/activemq.xml\n"
	"fi\n"
	"[ -n \"$base\" ] || base=/var/lib/activemq${inst:+/$inst}\n"
	"if [ $debian = 1 ]; then data=/var/lib/activemq/data; "
	"else data=$base/data; fi\n"
	"pidf=/run/activemq/${inst:-activemq}.pid\n"
	"out=$(INSTANCE=$inst; ACTIVEMQ_OUT=; "
	"[ -r /usr/share/activemq/activemq-options ] && "
	". /usr/share/activemq/activemq-options; "
	"[ -r \"$conf/options\" ] && . \"$conf/options\"; "
	"printf %s \"$ACTIVEMQ_OUT\") 2>/dev/null\n"
	"v=\n"
	"for f in \"$home\"/lib/activemq-broker-[0-9]*.jar "
	"/usr/share/java/activemq-broker-[0-9]*.jar; do\n"
	"  [ -e \"$f\" ] || continue\n"
	"  f=${f##*/activemq-broker-}; v=${f%.jar}; break\n"
	"done\n"
	"m=$(ls \"$home/lib\" \"$base/lib\" 2>/dev/null | grep '\\.jar$' | "
	"tr '\\n' ' ')\n"
	"run=0; p=$(cat \"$pidf\" 2>/dev/null) && [ -n \"$p\" ] && "
	"kill -0 \"$p\" 2>/dev/null && run=1\n"
	"for k in inst xml conf base data pidf out v m run p; do "
	"eval \"echo \\\"\\$x k_$k \\$$k\\\"\"; done\n";

struct det {
	struct amq_host *h;
	struct val *en, *av;
};

static void
det_set(struct amq_host *h, const char *k, const char *v)
{
	static const char *const keys[] = { "inst", "xml", "conf", "base",
	    "data", "pidf", "out", "v", "m" };
	char **slots[] = { &h->instance, &h->xml, &h->conf, &h->base,
	    &h->data, &h->pid_file, &h->out_log, &h->version, &h->modules };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(k, keys[i]) == 0) {
			free(*slots[i]);
			*slots[i] = xstrdup(v);
			return;
		}
	if (strcmp(k, "run") == 0)
		h->running = atoi(v);
	else if (strcmp(k, "p") == 0)
		h->pid = atol(v);
}

static void
det_line(struct det *d, const char *s)
{
	const char *sp = strchr(s, ' ');
	char *k;

	if (strncmp(s, "en ", 3) == 0)
		val_list_push(d->en, val_str(s + 3));
	else if (strncmp(s, "av ", 3) == 0)
		val_list_push(d->av, val_str(s + 3));
	else if (strncmp(s, "k_", 2) == 0 && sp != NULL) {
		k = xstrndup(s + 2, (size_t)(sp - s - 2));
		det_set(d->h, k, sp + 1);
		free(k);
	}
}

static int
listed(const struct val *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->u.list.n; i++)
		if (strcmp(l->u.list.items[i]->u.str.s, name) == 0)
			return 1;
	return 0;
}

static void
instances_val(struct amq_host *h, const struct val *en, const struct val *av)
{
	size_t i;

	h->instances = val_list();
	for (i = 0; i < av->u.list.n; i++) {
		struct val *m = val_map();
		const char *n = av->u.list.items[i]->u.str.s;

		val_map_set(m, "name", val_str(n));
		val_map_set(m, "enabled", val_bool(listed(en, n)));
		val_list_push(h->instances, m);
	}
}

static void
det_parse(struct amq_host *h, const char *out, const char *nonce)
{
	struct det d;
	size_t k = strlen(nonce);

	d.h = h;
	d.en = val_list();
	d.av = val_list();
	while (*out != '\0') {
		size_t n = strcspn(out, "\n");

		if (n > k && memcmp(out, nonce, k) == 0 && out[k] == ' ') {
			char *line = xstrndup(out + k + 1, n - k - 1);

			det_line(&d, line);
			free(line);
		}
		out += n + (out[n] == '\n');
	}
	instances_val(h, d.en, d.av);
	val_free(d.en);
	val_free(d.av);
}

static const char *
opt(const struct val *args, const char *name)
{
	const char *s = arg_str(args, name);

	return s ? s : "";
}

static int
detect(struct modctx *ctx, const struct val *args, struct amq_host *h)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char nonce[17];
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "x=%q; cd=%q; path=%q; inst=%q; conf=%q; "
	    "base=%q; home=%q\n", nonce, opt(args, "conf_dir"),
	    opt(args, "path"), opt(args, "instance"), opt(args, "conf"),
	    opt(args, "base"), opt(args, "activemq_home"));
	strbuf_addstr(&cmd, detect_script);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0)
		det_parse(h, r.out.buf, nonce);
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* ------------------------------------------------------------------ */

static void
base_props(struct amq_host *h)
{
	amq_props_set(&h->props, "activemq.base", h->base);
	amq_props_set(&h->props, "activemq.conf", h->conf);
	amq_props_set(&h->props, "activemq.data", h->data);
	amq_props_set(&h->props, "activemq.home", h->home);
}

static int
parse_xml(struct amq_host *h)
{
	struct err e = ERR_INIT;

	if (h->conf_ok || h->conf_x.parsed)
		amq_conf_release(&h->conf_x);
	h->conf_ok = amq_conf_parse(&h->conf_x, h->xml, h->text.buf,
	    h->text.len, &h->props, &e) == 0;
	strbuf_reset(&h->parse_error);
	if (!h->conf_ok)
		strbuf_addstr(&h->parse_error, err_text(&e, "unknown error"));
	err_release(&e);
	return h->conf_ok;
}

/* The placeholder configurer's property files, then parse again. */
static int
load_locations(struct modctx *ctx, struct amq_host *h)
{
	size_t i, n = h->conf_x.nlocations;
	char **locs = xcalloc(n + 1, sizeof(*locs));
	int ret = 0;

	for (i = 0; i < n; i++)
		locs[i] = xstrdup(h->conf_x.locations[i]);
	for (i = 0; i < n && ret == 0; i++) {
		const char *p = strncmp(locs[i], "file:", 5) == 0 ?
		    locs[i] + 5 : locs[i];
		struct strbuf b = STRBUF_INIT;
		struct file_meta m;

		memset(&m, 0, sizeof(m));
		if (*p == '/' && (ret = mod_read_file(ctx, p, &b, &m)) == 0 &&
		    !ctx->failed && m.exists)
			amq_props_load(&h->props, b.buf, b.len);
		strbuf_release(&b);
		file_meta_release(&m);
	}
	for (i = 0; i < n; i++)
		free(locs[i]);
	free(locs);
	if (ret == 0 && !ctx->failed && n > 0)
		parse_xml(h);
	return ctx->failed ? -1 : ret;
}

int
amq_host_gather(struct modctx *ctx, const struct val *args,
    struct amq_host *h)
{
	int ret;

	memset(h, 0, sizeof(*h));
	strbuf_init(&h->text, 0);
	strbuf_init(&h->parse_error, 0);
	h->user = xstrdup(opt(args, "activemq_user"));
	h->home = xstrdup(opt(args, "activemq_home"));
	if ((ret = detect(ctx, args, h)) != 0)
		return ret;
	if (h->xml == NULL || *h->xml == '\0' || strcmp(h->xml,
	    "/activemq.xml") == 0)
		return mod_fail(ctx, "no ActiveMQ instance found under %s "
		    "(instances-available/NAME/activemq.xml); give path, conf "
		    "or instance", opt(args, "conf_dir")) - 1;
	if ((ret = mod_read_file(ctx, h->xml, &h->text, &h->meta)) != 0 ||
	    ctx->failed)
		return ctx->failed ? -1 : ret;
	if (!h->meta.exists)
		return mod_fail(ctx, "%s does not exist", h->xml) - 1;
	if (h->text.len > MAX_XML)
		return mod_fail(ctx, "%s is larger than %d bytes", h->xml,
		    MAX_XML) - 1;
	base_props(h);
	if (parse_xml(h))
		return load_locations(ctx, h);
	return 0;
}

void
amq_host_release(struct amq_host *h)
{
	free(h->instance);
	free(h->xml);
	free(h->conf);
	free(h->base);
	free(h->data);
	free(h->home);
	free(h->user);
	free(h->version);
	free(h->modules);
	free(h->out_log);
	free(h->pid_file);
	strbuf_release(&h->text);
	file_meta_release(&h->meta);
	amq_props_release(&h->props);
	if (h->conf_x.parsed)
		amq_conf_release(&h->conf_x);
	strbuf_release(&h->parse_error);
	val_free(h->instances);
	memset(h, 0, sizeof(*h));
}

int
amq_host_has_module(const struct amq_host *h, const struct amq_scheme *s)
{
	const char *m = h->modules;
	size_t n;

	if (s == NULL || s->module[0] == '\0')
		return 1;
	if (m == NULL || *m == '\0')
		return -1;
	n = strlen(s->module);
	for (; (m = strstr(m, s->module)) != NULL; m += n)
		if ((m == h->modules || m[-1] == ' ') &&
		    (m[n] == '.' || m[n] == '-'))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Stores                                                              */

/* stdin: the password (one line).  As root, readability is tested as the
 * broker's user (setpriv, no PAM session); otherwise as ourselves. */
static const char store_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"IFS= read -r MEND_PW || :; export MEND_PW\n"
	"if [ ! -e \"$p\" ]; then echo \"$x exists 0\"; exit 0; fi\n"
	"echo \"$x exists 1\"\n"
	"if [ \"$(id -u)\" = 0 ] && command -v setpriv >/dev/null 2>&1; then\n"
	"  setpriv --reuid=\"$u\" --regid=\"$u\" --init-groups -- test -r "
	"\"$p\" && r=1 || r=0\n"
	"else test -r \"$p\" && r=1 || r=0; fi\n"
	"echo \"$x readable $r\"\n"
	"if command -v keytool >/dev/null 2>&1; then\n"
	"  echo \"$x tool keytool\"\n"
	"  o=$(keytool -list -keystore \"$p\" ${t:+-storetype \"$t\"} "
	"-storepass:env MEND_PW 2>&1); rc=$?\n"
	"  echo \"$x opened $([ $rc = 0 ] && echo 1 || echo 0)\"\n"
	"  echo \"$x pk $(printf '%s\\n' \"$o\" | grep -c PrivateKeyEntry)\"\n"
	"  echo \"$x tc $(printf '%s\\n' \"$o\" | grep -c trustedCertEntry)\"\n"
	"  [ $rc = 0 ] || echo \"$x why $(printf '%s\\n' \"$o\" | "
	"grep -i -m1 'error\\|exception' | cut -c1-200)\"\n"
	"elif command -v openssl >/dev/null 2>&1; then\n"
	"  echo \"$x tool openssl\"\n"
	"  o=$(openssl pkcs12 -in \"$p\" -nodes -passin env:MEND_PW 2>&1); "
	"rc=$?\n"
	"  echo \"$x opened $([ $rc = 0 ] && echo 1 || echo 0)\"\n"
	"  echo \"$x pk $(printf '%s\\n' \"$o\" | grep -c 'BEGIN .*PRIVATE KEY')\"\n"
	"  [ $rc = 0 ] || echo \"$x why $(printf '%s\\n' \"$o\" | head -n1 | "
	"cut -c1-200)\"\n"
	"fi\n";

static void
store_line(struct amq_store_check *c, const char *s)
{
	if (strncmp(s, "exists ", 7) == 0)
		c->exists = atoi(s + 7);
	else if (strncmp(s, "readable ", 9) == 0)
		c->readable = atoi(s + 9);
	else if (strncmp(s, "opened ", 7) == 0)
		c->opened = atoi(s + 7);
	else if (strncmp(s, "pk ", 3) == 0)
		c->private_keys = atoi(s + 3);
	else if (strncmp(s, "tc ", 3) == 0)
		c->trusted = atoi(s + 3);
	else if (strncmp(s, "tool ", 5) == 0)
		snprintf(c->tool, sizeof(c->tool), "%s", s + 5);
	else if (strncmp(s, "why ", 4) == 0)
		snprintf(c->why, sizeof(c->why), "%s", s + 4);
}

int
amq_store_check(struct modctx *ctx, const char *user, const char *path,
    const char *type, const char *password, struct amq_store_check *c)
{
	struct strbuf cmd = STRBUF_INIT, in = STRBUF_INIT;
	struct exec_res r;
	char nonce[17];
	const char *o;
	int ret;

	memset(c, 0, sizeof(*c));
	c->opened = c->private_keys = c->trusted = -1;
	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "x=%q; p=%q; u=%q; t=%q\n", nonce, path, user,
	    type ? type : "");
	strbuf_addstr(&cmd, store_script);
	strbuf_addf(&in, "%s\n", password ? password : "");
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, in.buf, in.len, &r);
	for (o = r.out.buf; ret == 0 && *o != '\0'; ) {
		size_t n = strcspn(o, "\n"), k = strlen(nonce);

		if (n > k && memcmp(o, nonce, k) == 0 && o[k] == ' ') {
			char *line = xstrndup(o + k + 1, n - k - 1);

			store_line(c, line);
			free(line);
		}
		o += n + (o[n] == '\n');
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	strbuf_release(&in);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Report                                                              */

static struct val *
conn_val(const struct amq_host *h, const struct amq_conn *k)
{
	struct val *m = val_map();

	val_map_set(m, "name", val_str(k->name));
	val_map_set(m, "uri", val_str(k->uri));
	val_map_set(m, "scheme", val_str(k->scheme));
	val_map_set(m, "protocol", val_str(k->sch ? k->sch->proto :
	    strcmp(k->scheme, "vm") == 0 ? "VM (in-process)" : "unknown"));
	val_map_set(m, "address", val_str(k->host));
	val_map_set(m, "port", k->port >= 0 ? val_int(k->port) : val_null());
	val_map_set(m, "tls", val_bool(k->sch && k->sch->tls));
	val_map_set(m, "cleartext", val_bool(k->cleartext));
	val_map_set(m, "tls_form", k->cleartext && k->sch->tls_form ?
	    val_str(k->sch->tls_form) : val_null());
	val_map_set(m, "line", val_int(k->line));
	val_map_set(m, "module_present", k->sch ?
	    (amq_host_has_module(h, k->sch) < 0 ? val_null() :
	    val_bool(amq_host_has_module(h, k->sch))) : val_null());
	if (k->problem)
		val_map_set(m, "problem", val_str(k->problem));
	return m;
}

static struct val *
store_val(const struct amq_store *s)
{
	struct val *m = val_map();

	val_map_set(m, "path", s->path ? val_str(s->path) : val_null());
	val_map_set(m, "type", val_str(s->type ? s->type : "jks"));
	val_map_set(m, "password_set", val_bool(s->password != NULL));
	return m;
}

static struct val *
ssl_val(const struct amq_conf *c)
{
	struct val *m = val_map();

	val_map_set(m, "present", val_bool(c->ssl_outer >= 0));
	val_map_set(m, "key_store", store_val(&c->key));
	val_map_set(m, "trust_store", store_val(&c->trust));
	return m;
}

static void
reasons(const struct amq_host *h, struct val *rs, struct val *nb,
    struct val *notes)
{
	const struct amq_conf *c = &h->conf_x;
	size_t i;

	for (i = 0; i < c->nconns; i++) {
		const struct amq_conn *k = &c->conns[i];

		if (k->cleartext)
			val_list_push(rs, val_str_take(xasprintf("cleartext %s "
			    "listener '%s' on %s:%d (%s, %s line %d)",
			    k->sch->proto, k->name, k->host, k->port, k->uri,
			    h->xml, k->line)));
		if (k->sch && amq_host_has_module(h, k->sch) == 0)
			val_list_push(nb, val_str_take(xasprintf("connector "
			    "'%s' (%s) needs %s, which this broker does not "
			    "have: it refuses to start (\"Transport scheme NOT "
			    "recognized\")", k->name, k->scheme,
			    k->sch->module)));
		if (k->problem)
			val_list_push(notes, val_str_take(xasprintf("connector "
			    "'%s' (line %d): %s", k->name, k->line,
			    k->problem)));
	}
	for (i = 0; i < c->nnotes; i++)
		val_list_push(notes, val_str(c->notes[i]));
}

void
amq_host_report(struct modctx *ctx, const struct amq_host *h)
{
	struct val *conns = val_list(), *rs = val_list(), *nb = val_list();
	struct val *notes = val_list();
	size_t i;

	mod_set(ctx, "instance", val_str(h->instance ? h->instance : ""));
	mod_set(ctx, "instances", val_copy(h->instances));
	mod_set(ctx, "path", val_str(h->xml));
	mod_set(ctx, "conf", val_str(h->conf ? h->conf : ""));
	mod_set(ctx, "base", val_str(h->base ? h->base : ""));
	mod_set(ctx, "version", val_str(h->version ? h->version : ""));
	mod_set(ctx, "modules", val_str(h->modules ? h->modules : ""));
	mod_set(ctx, "running", val_bool(h->running));
	mod_set(ctx, "pid_file", val_str(h->pid_file ? h->pid_file : ""));
	mod_set(ctx, "log", val_str(h->out_log && *h->out_log &&
	    strcmp(h->out_log, "/dev/null") ? h->out_log : ""));
	mod_set(ctx, "parsed", val_bool(h->conf_ok));
	if (!h->conf_ok) {
		mod_set(ctx, "parse_error", val_str(h->parse_error.buf));
		val_list_push(nb, val_str(h->parse_error.buf));
	}
	for (i = 0; h->conf_ok && i < h->conf_x.nconns; i++)
		val_list_push(conns, conn_val(h, &h->conf_x.conns[i]));
	if (h->conf_ok)
		reasons(h, rs, nb, notes);
	mod_set(ctx, "broker_name", val_str(h->conf_ok &&
	    h->conf_x.broker_name ? h->conf_x.broker_name : ""));
	mod_set(ctx, "connectors", conns);
	mod_set(ctx, "ssl_context", h->conf_ok ? ssl_val(&h->conf_x) :
	    val_null());
	mod_set(ctx, "vulnerable", val_bool(rs->u.list.n > 0));
	mod_set(ctx, "reasons", rs);
	mod_set(ctx, "will_not_boot", val_bool(nb->u.list.n > 0));
	mod_set(ctx, "boot_problems", nb);
	mod_set(ctx, "notes", notes);
}
