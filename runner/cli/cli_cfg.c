/* cli_cfg.c - ansible.cfg and ANSIBLE_* settings as ansible-playbook
 * reads them; see cli_int.h (cli_config). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/cli/cli_int.h"
#include "runner/core/localplug.h"
#include "runner/util/value.h"
#include "runner/util/vault.h"
#include "runner/util/banned.h"

/* One `key = value` of the file (section and key as written, the key
 * lowercased as Python's configparser does). */
struct cfg_ent {
	char *section, *key, *value;
	int line;
	int unquoted;               /* value read (ini_value) once */
};

struct cfg {
	char *path;                 /* the file, or NULL: none found */
	char *dir;                  /* its directory (relative paths) */
	struct cfg_ent *ents;
	size_t n, alloc;
};

/* What mend reads: Ansible's ini key and section, its environment
 * variable (which wins over the file), and the type of the value. */
enum cfg_type { CT_STR, CT_BOOL, CT_INT, CT_PATH, CT_PATHLIST, CT_PATHSPEC };

struct cfg_key {
	const char *section, *key, *env;
	enum cfg_type type;
};

static const struct cfg_key cfg_keys[] = {
	{ "defaults", "inventory", "ANSIBLE_INVENTORY", CT_PATHLIST },
	{ "defaults", "forks", "ANSIBLE_FORKS", CT_INT },
	{ "defaults", "remote_user", "ANSIBLE_REMOTE_USER", CT_STR },
	{ "defaults", "host_key_checking", "ANSIBLE_HOST_KEY_CHECKING",
	    CT_BOOL },
	{ "defaults", "roles_path", "ANSIBLE_ROLES_PATH", CT_PATHSPEC },
	{ "defaults", "timeout", "ANSIBLE_TIMEOUT", CT_INT },
	{ "defaults", "private_key_file", "ANSIBLE_PRIVATE_KEY_FILE",
	    CT_PATH },
	{ "defaults", "vault_password_file", "ANSIBLE_VAULT_PASSWORD_FILE",
	    CT_PATH },
	{ "defaults", "ask_vault_pass", "ANSIBLE_ASK_VAULT_PASS", CT_BOOL },
	{ "defaults", "force_handlers", "ANSIBLE_FORCE_HANDLERS", CT_BOOL },
	{ "defaults", "transport", "ANSIBLE_TRANSPORT", CT_STR },
	{ "defaults", "filter_plugins", "ANSIBLE_FILTER_PLUGINS", CT_PATHSPEC },
	{ "privilege_escalation", "become", "ANSIBLE_BECOME", CT_BOOL },
	{ "privilege_escalation", "become_method", "ANSIBLE_BECOME_METHOD",
	    CT_STR },
	{ "privilege_escalation", "become_user", "ANSIBLE_BECOME_USER",
	    CT_STR },
	{ "privilege_escalation", "become_ask_pass", "ANSIBLE_BECOME_ASK_PASS",
	    CT_BOOL },
};

/* Keys whose Ansible meaning mend does not have: a value other than
 * Ansible's default is warned about (the run would differ). */
static const struct cfg_unsup {
	const char *section, *key, *env, *dflt;
} cfg_unsup[] = {
	{ "defaults", "gathering", "ANSIBLE_GATHERING", "implicit" },
	{ "defaults", "hash_behaviour", "ANSIBLE_HASH_BEHAVIOUR", "replace" },
	{ "defaults", "any_errors_fatal", "ANSIBLE_ANY_ERRORS_FATAL", "False" },
	{ "defaults", "strategy", "ANSIBLE_STRATEGY", "linear" },
	{ "defaults", "vault_identity_list", "ANSIBLE_VAULT_IDENTITY_LIST", "" },
	{ "defaults", "error_on_undefined_vars",
	    "ANSIBLE_ERROR_ON_UNDEFINED_VARS", "True" },
};

static void
cfg_release(struct cfg *cf)
{
	size_t i;

	for (i = 0; i < cf->n; i++) {
		free(cf->ents[i].section);
		free(cf->ents[i].key);
		free(cf->ents[i].value);
	}
	free(cf->ents);
	free(cf->path);
	free(cf->dir);
}

static int
readable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && access(path, R_OK) == 0;
}

/* Ansible's search (config/manager.py find_ini_config_file): ANSIBLE_CONFIG
 * (a directory: its ansible.cfg), ./ansible.cfg unless the current
 * directory is world-writable (then a warning, as Ansible's), then
 * ~/.ansible.cfg, /etc/ansible/ansible.cfg; the first readable one. */
static char *
cfg_find(void)
{
	const char *env = getenv("ANSIBLE_CONFIG"), *home = getenv("HOME");
	char *cand[4] = { NULL, NULL, NULL, NULL }, *found = NULL, cwd[PATH_MAX];
	struct stat st;
	size_t i, n = 0;
	int public_cfg = 0;

	if (env != NULL) {
		cand[n++] = stat(env, &st) == 0 && S_ISDIR(st.st_mode) ?
		    xasprintf("%s/ansible.cfg", env) : xstrdup(env);
	}
	if (getcwd(cwd, sizeof(cwd)) != NULL && stat(cwd, &st) == 0) {
		if (!(st.st_mode & S_IWOTH))
			cand[n++] = xasprintf("%s/ansible.cfg", cwd);
		else
			public_cfg = readable("ansible.cfg");
	}
	if (home != NULL)
		cand[n++] = xasprintf("%s/.ansible.cfg", home);
	cand[n++] = xstrdup("/etc/ansible/ansible.cfg");
	for (i = 0; i < n; i++) {
		if (found == NULL && readable(cand[i]))
			found = realpath(cand[i], NULL);
		free(cand[i]);
	}
	if (public_cfg && (env == NULL || found == NULL ||
	    strcmp(found, env) != 0))
		fprintf(stderr, "mend: warning: running in a world writable "
		    "directory (%s), ignoring its ansible.cfg (as Ansible)\n",
		    cwd);
	return found;
}

static char *
trim(char *s)
{
	char *e = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* configparser's inline comments: ';' after whitespace */
static void
strip_inline(char *v)
{
	char *p;

	for (p = v; *p; p++)
		if (*p == ';' && p > v && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
}

/* Ansible unquotes ini values ("x" or 'x' -> x) and configparser turns
 * %% into % */
static char *
ini_value(const char *v)
{
	size_t len = strlen(v);
	char *out, *o;

	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		v++;
		len -= 2;
	}
	out = o = xstrndup(v, len);
	for (; *v && (size_t)(o - out) < len; o++) {
		*o = *v;
		v += (v[0] == '%' && v[1] == '%') ? 2 : 1;
	}
	*o = '\0';
	return out;
}

static struct cfg_ent *
cfg_ent_find(struct cfg *cf, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < cf->n; i++)
		if (strcmp(cf->ents[i].section, section) == 0 &&
		    strcmp(cf->ents[i].key, key) == 0)
			return &cf->ents[i];
	return NULL;
}

/* One line of the file: a section header, a key, a continuation. */
static int
cfg_line(struct cfg *cf, char *line, int ln, char **section,
    struct cfg_ent **last, struct err *e)
{
	struct pos pos = { pos_intern(cf->path), ln, 0 };
	char *t = trim(line), *d;
	struct cfg_ent *ent;
	size_t i;

	if (*t == '\0' || *t == '#' || *t == ';')
		return 0;
	if ((line[0] == ' ' || line[0] == '\t') && *last != NULL) {
		strip_inline(t);
		d = xasprintf("%s\n%s", (*last)->value, trim(t));
		free((*last)->value);
		(*last)->value = d;
		return 0;
	}
	*last = NULL;
	if (*t == '[') {
		if ((d = strchr(t, ']')) == NULL)
			return err_setpos(e, &pos, "a section header needs ']'");
		free(*section);
		*section = xstrndup(t + 1, (size_t)(d - t - 1));
		return 0;
	}
	if (*section == NULL)
		return err_setpos(e, &pos, "a key before any [section]");
	d = t + strcspn(t, "=:");
	if (*d == '\0')
		return err_setpos(e, &pos, "'%s' has no '=' (configparser "
		    "refuses it, so does Ansible)", t);
	*d = '\0';
	strip_inline(d + 1);
	t = trim(t);
	for (i = 0; t[i]; i++)
		t[i] = (char)tolower((unsigned char)t[i]);
	if (cfg_ent_find(cf, *section, t) != NULL)
		return err_setpos(e, &pos, "'%s' is set twice in [%s] "
		    "(configparser refuses it, so does Ansible)", t, *section);
	ALLOC_GROW(cf->ents, cf->n + 1, cf->alloc);
	ent = &cf->ents[cf->n++];
	ent->section = xstrdup(*section);
	ent->key = xstrdup(t);
	ent->value = xstrdup(trim(d + 1));
	ent->line = ln;
	ent->unquoted = 0;
	*last = ent;
	return 0;
}

static int
cfg_parse(struct cfg *cf, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct cfg_ent *last = NULL;
	char *p, *nl, *section = NULL, *slash;
	int ln = 0, ret = 0;

	if (strbuf_read_file(&sb, cf->path) < 0) {
		strbuf_release(&sb);
		return err_set(e, "cannot read '%s': %s", cf->path,
		    strerror(errno));
	}
	for (p = sb.buf; ret == 0 && p < sb.buf + sb.len; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = sb.buf + sb.len;
		*nl = '\0';
		ret = cfg_line(cf, p, ++ln, &section, &last, e);
	}
	free(section);
	strbuf_release(&sb);
	cf->dir = xstrdup(cf->path);
	slash = strrchr(cf->dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else {
		free(cf->dir);
		cf->dir = xstrdup(".");
	}
	return ret;
}

/* ---- applying the settings ---- */

/* A setting's value: the environment's (Ansible: it wins over the file),
 * else the file's; *where says which, for messages ("ANSIBLE_X" or
 * "file:line"); NULL: not set. */
static const char *
cfg_value(struct cfg *cf, const char *section, const char *key,
    const char *env, struct strbuf *where, int *from_file)
{
	const char *v = env ? getenv(env) : NULL;
	struct cfg_ent *ent;

	strbuf_reset(where);
	*from_file = 0;
	if (v != NULL) {
		strbuf_addstr(where, env);
		return v;
	}
	if (cf->path == NULL || (ent = cfg_ent_find(cf, section, key)) == NULL)
		return NULL;
	strbuf_addf(where, "%s:%d", cf->path, ent->line);
	*from_file = 1;
	if (!ent->unquoted) {
		char *u = ini_value(ent->value);

		free(ent->value);
		ent->value = u;
		ent->unquoted = 1;
	}
	return ent->value;
}

/* Ansible's boolean(strict=False): true only for what str_to_bool()
 * reads as true (yes on 1 true y t, any case) */
static int
cfg_bool(const char *v)
{
	return str_to_bool(v) == 1;
}

/* A string the settings keep (c->o points to it) until cli_free(). */
static const char *
keep(struct cli *c, char *s)
{
	ALLOC_GROW(c->cfg_strs, c->ncfg_strs + 1, c->cfg_strs_alloc);
	c->cfg_strs[c->ncfg_strs++] = s;
	return s;
}

/* A path as Ansible resolves it: ~ expanded, relative to the file's
 * directory when it comes from the file (else the current one). */
static char *
cfg_path(struct cli *c, const char *v, const char *dir)
{
	const char *home = getenv("HOME");
	char *p;

	if (v[0] == '~' && (v[1] == '/' || v[1] == '\0') && home != NULL)
		p = xasprintf("%s%s", home, v + 1);
	else if (v[0] != '/' && dir != NULL)
		p = xasprintf("%s/%s", dir, v);
	else
		p = xstrdup(v);
	keep(c, p);
	return p;
}

static int
cfg_error(const struct strbuf *where, const char *key, const char *what,
    const char *v)
{
	fprintf(stderr, "mend: error: %s: %s %s, got '%s'\n", where->buf, key,
	    what, v);
	return -1;
}

static int
cfg_int(const struct strbuf *where, const char *key, const char *v, int min,
    int max, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *v == '\0' || *trim(end) != '\0' || n < min || n > max)
		return cfg_error(where, key, max == 1000 ? "must be a number "
		    "from 1 to 1000" : "must be 1..3600 seconds", v);
	*out = (int)n;
	return 0;
}

/* inventory = a, b (Ansible's pathlist): when no -i was given */
static void
cfg_inventory(struct cli *c, const char *v, const char *dir)
{
	char *l = xstrdup(v), *tok, *save = NULL;

	for (tok = strtok_r(l, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *t = trim(tok);

		if (*t == '\0')
			continue;
		ALLOC_GROW(c->inventories, c->ninv + 1, c->inv_alloc);
		c->inventories[c->ninv++] = cfg_path(c, t, dir);
	}
	free(l);
}

/* A pathspec (':'-separated) with each entry resolved as cfg_path()
 * does, joined again. */
static void
cfg_pathspec(const char *v, const char *dir, struct strbuf *sb)
{
	char *l = xstrdup(v), *tok, *save = NULL;
	const char *home = getenv("HOME");

	for (tok = strtok_r(l, ":", &save); tok != NULL;
	    tok = strtok_r(NULL, ":", &save)) {
		if (sb->len)
			strbuf_addch(sb, ':');
		while (tok[0] == '.' && tok[1] == '/')
			tok += 2;
		if (tok[0] == '~' && home != NULL)
			strbuf_addf(sb, "%s%s", home, tok + 1);
		else if (tok[0] != '/' && dir != NULL)
			strbuf_addf(sb, "%s/%s", dir, tok);
		else
			strbuf_addstr(sb, tok);
	}
	free(l);
}

/* filter_plugins: the filters of those directories are project-local
 * plugins (runner/core/localplug.h: a warning at check, a failure where
 * evaluated), not unknown filters */
static void
cfg_filter_plugins(const char *v, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *tok, *save = NULL;

	cfg_pathspec(v, dir, &sb);
	for (tok = strtok_r(sb.buf, ":", &save); tok != NULL;
	    tok = strtok_r(NULL, ":", &save))
		local_filters_scan_plugin_dir(tok);
	strbuf_release(&sb);
}

/* roles_path (pathspec, ':'): handed on as ANSIBLE_ROLES_PATH, which the
 * role search reads (runner/core/playbook.c) */
static void
cfg_roles_path(const char *v, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;

	cfg_pathspec(v, dir, &sb);
	setenv("ANSIBLE_ROLES_PATH", sb.buf, 1);
	strbuf_release(&sb);
}

static int
cfg_vault_file(const char *path)
{
	struct err e = ERR_INIT;
	int ret;

	if ((ret = vault_add_secret_file(NULL, path, &e)) < 0) {
		strbuf_rtrim(&e.msg);
		fprintf(stderr, "mend: error: vault_password_file: %s\n",
		    err_text(&e, "bad vault password file"));
	}
	err_release(&e);
	return ret;
}

static int
cfg_become_method(const struct strbuf *where, const char *v)
{
	if (strcmp(v, "sudo") == 0)
		return 0;
	fprintf(stderr, "mend: error: %s: become_method '%s' is not supported "
	    "by mend (it escalates with sudo only)\n", where->buf, v);
	return -1;
}

static int
cfg_transport(struct cli *c, const struct strbuf *where, const char *v)
{
	if (strcmp(v, "ssh") != 0 && strcmp(v, "smart") != 0 &&
	    strcmp(v, "local") != 0) {
		fprintf(stderr, "mend: error: %s: transport '%s' is not "
		    "supported: mend has ssh (libssh, also for 'smart') and "
		    "local\n", where->buf, v);
		return -1;
	}
	c->o.connection = v;
	return 0;
}

/* One supported setting with its value v (dir: the file's directory when
 * it comes from the file); what the command line set wins. */
static int
cfg_apply(struct cli *c, const struct cfg_key *k, const char *v,
    const char *dir, const struct strbuf *where, int *ask_pass)
{
	const char *key = k->key;

	if (strcmp(key, "inventory") == 0 && c->ninv == 0)
		cfg_inventory(c, v, dir);
	else if (strcmp(key, "forks") == 0 && c->o.forks == 0)
		return cfg_int(where, key, v, 1, 1000, &c->o.forks);
	else if (strcmp(key, "remote_user") == 0 && c->o.user == NULL)
		c->o.user = v;
	else if (strcmp(key, "host_key_checking") == 0 && !c->policy_set &&
	    !cfg_bool(v))
		c->o.policy = HK_OFF;
	else if (strcmp(key, "roles_path") == 0 && dir != NULL)
		cfg_roles_path(v, dir);
	else if (strcmp(key, "timeout") == 0 && c->o.connect_timeout == 0)
		return cfg_int(where, key, v, 1, 3600, &c->o.connect_timeout);
	else if (strcmp(key, "private_key_file") == 0 &&
	    c->o.private_key == NULL)
		c->o.private_key = cfg_path(c, v, dir);
	else if (strcmp(key, "vault_password_file") == 0)
		return cfg_vault_file(cfg_path(c, v, dir));
	else if (strcmp(key, "ask_vault_pass") == 0)
		c->ask_vault_pass |= cfg_bool(v);
	else if (strcmp(key, "force_handlers") == 0)
		c->o.force_handlers |= cfg_bool(v);
	else if (strcmp(key, "transport") == 0 && c->o.connection == NULL)
		return cfg_transport(c, where, v);
	else if (strcmp(key, "filter_plugins") == 0)
		cfg_filter_plugins(v, dir);
	else if (strcmp(key, "become") == 0)
		c->o.become |= cfg_bool(v);
	else if (strcmp(key, "become_method") == 0 && !c->become_method_set)
		return cfg_become_method(where, v);
	else if (strcmp(key, "become_user") == 0 && c->o.become_user == NULL)
		c->o.become_user = v;
	else if (strcmp(key, "become_ask_pass") == 0)
		*ask_pass |= cfg_bool(v);
	return 0;
}

static int
is_known(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++)
		if (strcmp(cfg_keys[i].section, section) == 0 &&
		    strcmp(cfg_keys[i].key, key) == 0)
			return 1;
	for (i = 0; i < ARRAY_SIZE(cfg_unsup); i++)
		if (strcmp(cfg_unsup[i].section, section) == 0 &&
		    strcmp(cfg_unsup[i].key, key) == 0)
			return 1;
	return 0;
}

/* Settings whose non-default value mend cannot honour: warned about;
 * with -v, every key mend ignores (as Ansible ignores unknown keys). */
static void
cfg_warn(struct cfg *cf, int verbose)
{
	struct strbuf where = STRBUF_INIT;
	size_t i;
	int ff;

	for (i = 0; i < ARRAY_SIZE(cfg_unsup); i++) {
		const struct cfg_unsup *u = &cfg_unsup[i];
		const char *v = cfg_value(cf, u->section, u->key, u->env,
		    &where, &ff);

		if (v != NULL && strcasecmp(v, u->dflt) != 0 &&
		    !(u->dflt[0] == 'F' && !cfg_bool(v)) &&
		    !(u->dflt[0] == 'T' && cfg_bool(v)))
			fprintf(stderr, "mend: warning: %s: %s = %s is not "
			    "supported by mend (it runs as with %s)\n",
			    where.buf, u->key, v, u->dflt[0] ? u->dflt :
			    "none");
	}
	for (i = 0; verbose && i < cf->n; i++)
		if (!is_known(cf->ents[i].section, cf->ents[i].key))
			fprintf(stderr, "mend: %s:%d: [%s] %s ignored (mend "
			    "does not use it)\n", cf->path, cf->ents[i].line,
			    cf->ents[i].section, cf->ents[i].key);
	strbuf_release(&where);
}

int
cli_config(struct cli *c, int *ask_pass)
{
	struct cfg cf = { NULL, NULL, NULL, 0, 0 };
	struct strbuf where = STRBUF_INIT;
	struct err e = ERR_INIT;
	size_t i;
	int ret = 0, ff;

	if ((cf.path = cfg_find()) != NULL && cfg_parse(&cf, &e) < 0) {
		err_print(&e, stderr);
		ret = -1;
	}
	if (ret == 0 && cf.path != NULL && c->o.verbose)
		fprintf(stderr, "mend: using %s as config file\n", cf.path);
	for (i = 0; ret == 0 && i < ARRAY_SIZE(cfg_keys); i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *v = cfg_value(&cf, k->section, k->key, k->env,
		    &where, &ff);

		if (v != NULL && cfg_apply(c, k, keep(c, xstrdup(v)),
		    ff ? cf.dir : NULL, &where, ask_pass) < 0)
			ret = -1;
	}
	if (ret == 0)
		cfg_warn(&cf, c->o.verbose);
	strbuf_release(&where);
	err_release(&e);
	cfg_release(&cf);
	return ret;
}
