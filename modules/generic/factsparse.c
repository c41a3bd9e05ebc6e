/* factsparse.c - the setup module's sections into Ansible's facts; see
 * factsparse.h.  Each fact follows ansible-core 2.14's collector of the
 * same name (module_utils/facts/...), cited where the rule is not
 * obvious. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/generic/factsparse.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

struct sect {
	const char *name;
	size_t nlen;
	const char *body;
	size_t len;
};

struct sects {
	struct sect *s;
	size_t n, alloc;
};

/* ---- sections and lines ---- */

static void
split_sections(const char *buf, size_t len, const char *nonce,
    struct sects *out)
{
	size_t mlen = strlen(nonce) + 3, i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (end - i > mlen && buf[i] == '@' && buf[i + 1] == '@' &&
		    memcmp(buf + i + 2, nonce, mlen - 3) == 0 &&
		    buf[i + mlen - 1] == ':') {
			struct sect *s;

			if (out->n > 0) {
				s = &out->s[out->n - 1];
				s->len = i - (size_t)(s->body - buf);
				if (s->len > 0 && s->body[s->len - 1] == '\n')
					s->len--;   /* the marker's own newline */
			}
			ALLOC_GROW(out->s, out->n + 1, out->alloc);
			s = &out->s[out->n++];
			s->name = buf + i + mlen;
			s->nlen = end - i - mlen;
			s->body = nl ? nl + 1 : buf + len;
			s->len = len - (size_t)(s->body - buf);
		}
		i = end + 1;
	}
}

/* The section's text as a NUL-terminated copy (NULL when absent). */
static char *
sect_get(const struct sects *ss, const char *name)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (ss->s[i].nlen == strlen(name) &&
		    memcmp(ss->s[i].name, name, ss->s[i].nlen) == 0)
			return xstrndup(ss->s[i].body, ss->s[i].len);
	return NULL;
}

/* Line n (0-based) of s, trimmed, malloc'ed; NULL past the end. */
static char *
line_at(const char *s, size_t n)
{
	const char *e;

	while (s != NULL && n-- > 0) {
		s = strchr(s, '\n');
		if (s != NULL)
			s++;
	}
	if (s == NULL || *s == '\0')
		return NULL;
	e = strchr(s, '\n');
	if (e == NULL)
		e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	while (s < e && isspace((unsigned char)*s))
		s++;
	return xstrndup(s, (size_t)(e - s));
}

static void
set_str(struct val *m, const char *k, const char *v)
{
	if (v != NULL)
		val_map_set(m, k, val_str(v));
}

static void
set_take(struct val *m, const char *k, char *v)
{
	if (v != NULL)
		val_map_set(m, k, val_str_take(v));
}

/* KEY=value of an os-release / lsb-release file (quotes removed). */
static char *
kv_get(const char *text, const char *key)
{
	size_t kl = strlen(key), n;
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *e = strchr(v, '\n');

			n = e ? (size_t)(e - v) : strlen(v);
			while (n > 0 && isspace((unsigned char)v[n - 1]))
				n--;
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') &&
			    v[n - 1] == v[0]) {
				v++;
				n -= 2;
			}
			return xstrndup(v, n);
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

/* ---- platform, distribution, lsb ---- */

static void
platform_facts(const struct sects *ss, struct val *f)
{
	char *u = sect_get(ss, "uname"), *node, *dot, *mid;

	if (u == NULL)
		return;
	set_take(f, "system", line_at(u, 0));
	set_take(f, "kernel", line_at(u, 1));
	set_take(f, "kernel_version", line_at(u, 2));
	set_take(f, "machine", line_at(u, 3));
	set_take(f, "architecture", line_at(u, 3));
	node = line_at(u, 4);
	if (node != NULL) {
		set_str(f, "nodename", node);
		dot = strchr(node, '.');
		set_take(f, "hostname", xstrndup(node, dot ? (size_t)(dot -
		    node) : strlen(node)));
		free(node);
	}
	free(u);
	mid = sect_get(ss, "machine_id");
	if (mid != NULL) {
		set_take(f, "machine_id", line_at(mid, 0));
		free(mid);
	}
}

/* socket.getfqdn(): the first of the address's names holding a dot, else
 * its first name, else the node name. */
static void
fqdn_facts(const struct sects *ss, struct val *f)
{
	char *s = sect_get(ss, "fqdn"), *line = NULL, *tok, *save = NULL;
	const char *fq = val_map_str(f, "nodename", NULL), *first = NULL;
	const char *dot;
	char *pick = NULL;

	if (s != NULL)
		line = line_at(s, 0);
	/* words after the address: canonical name then aliases */
	tok = line ? strtok_r(line, " \t", &save) : NULL;
	while (tok != NULL && (tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (first == NULL)
			first = tok;
		if (strchr(tok, '.') != NULL) {
			pick = xstrdup(tok);
			break;
		}
	}
	if (pick == NULL && (first != NULL || fq != NULL))
		pick = xstrdup(first ? first : fq);
	if (pick != NULL) {
		dot = strchr(pick, '.');
		set_str(f, "domain", dot ? dot + 1 : "");
		set_take(f, "fqdn", pick);
	}
	free(line);
	free(s);
}

static const char *const family_map[][2] = {
	{ "Debian", "Debian" }, { "Ubuntu", "Debian" },
	{ "Raspbian", "Debian" }, { "Neon", "Debian" },
	{ "KDE neon", "Debian" }, { "Linux Mint", "Debian" },
	{ "SteamOS", "Debian" }, { "Devuan", "Debian" }, { "Kali", "Debian" },
	{ "Cumulus Linux", "Debian" }, { "Pop!_OS", "Debian" },
	{ "Parrot", "Debian" }, { "Pardus GNU/Linux", "Debian" },
	{ "Uos", "Debian" }, { "Deepin", "Debian" }, { "OSMC", "Debian" },
	{ "RedHat", "RedHat" }, { "RHEL", "RedHat" }, { "Fedora", "RedHat" },
	{ "CentOS", "RedHat" }, { "Scientific", "RedHat" },
	{ "OracleLinux", "RedHat" }, { "Amazon", "RedHat" },
	{ "Rocky", "RedHat" }, { "AlmaLinux", "RedHat" },
	{ "Alibaba", "RedHat" }, { "Virtuozzo", "RedHat" },
	{ "XenServer", "RedHat" }, { "OVS", "RedHat" }, { "OEL", "RedHat" },
	{ "EulerOS", "RedHat" }, { "openEuler", "RedHat" },
	{ "SLES", "Suse" }, { "SLED", "Suse" }, { "openSUSE", "Suse" },
	{ "openSUSE Leap", "Suse" }, { "openSUSE Tumbleweed", "Suse" },
	{ "SuSE", "Suse" }, { "SLES_SAP", "Suse" }, { "SUSE_LINUX", "Suse" },
	{ "Archlinux", "Archlinux" }, { "Manjaro", "Archlinux" },
	{ "Alpine", "Alpine" }, { "Gentoo", "Gentoo" },
};

const char *
facts_os_family(const char *d)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(family_map); i++)
		if (strcmp(family_map[i][0], d) == 0)
			return family_map[i][1];
	return d;
}

/* distro.id().capitalize() as ansible's get_distribution(). */
static char *
distro_name(const char *id)
{
	char *d;
	size_t i;

	if (id == NULL || *id == '\0')
		return xstrdup("OtherLinux");
	if (strcmp(id, "amzn") == 0)
		return xstrdup("Amazon");
	if (strcmp(id, "rhel") == 0)
		return xstrdup("Redhat");
	d = xstrdup(id);
	for (i = 0; d[i] != '\0'; i++)
		d[i] = (char)(i ? tolower((unsigned char)d[i]) :
		    toupper((unsigned char)d[i]));
	return d;
}

/* The release in PRETTY_NAME="Debian GNU/Linux 12 (bookworm)". */
static char *
pretty_release(const char *pretty)
{
	const char *o = pretty ? strchr(pretty, '(') : NULL, *c;

	if (o == NULL || o == pretty || o[-1] != ' ' ||
	    (c = strchr(o, ')')) == NULL || c == o + 1)
		return NULL;
	return xstrndup(o + 1, (size_t)(c - o - 1));
}

/* distribution_minor_version: /etc/debian_version's "(\d+)\.(\d+)". */
static char *
debian_minor(const char *dv)
{
	const char *p;

	for (p = dv; p != NULL && *p != '\0'; p++) {
		const char *q = p;

		if (!isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q == '.' && isdigit((unsigned char)q[1])) {
			const char *r = q + 1;

			while (isdigit((unsigned char)*r))
				r++;
			return xstrndup(q + 1, (size_t)(r - q - 1));
		}
		p = q - 1;
	}
	return NULL;
}

static void
debian_specific(const struct sects *ss, const char *osr, struct val *f)
{
	char *pretty, *rel, *dv;

	if (strstr(osr, "Debian") == NULL && strstr(osr, "Raspbian") == NULL) {
		if (strstr(osr, "Ubuntu") != NULL)
			set_str(f, "distribution", "Ubuntu");
		return;
	}
	set_str(f, "distribution", "Debian");
	pretty = kv_get(osr, "PRETTY_NAME");
	rel = pretty_release(pretty);
	set_take(f, "distribution_release", rel);
	free(pretty);
	dv = sect_get(ss, "debian_version");
	if (dv != NULL)
		set_take(f, "distribution_minor_version", debian_minor(dv));
	free(dv);
}

static void
distribution_facts(const struct sects *ss, struct val *f)
{
	char *osr = sect_get(ss, "osrelease"), *id, *ver, *code, *dot;
	char *best, *line;
	const char *d;

	if (osr == NULL || val_map_get(f, "system") == NULL ||
	    strcmp(val_map_str(f, "system", ""), "Linux") != 0) {
		free(osr);
		return;
	}
	id = kv_get(osr, "ID");
	set_take(f, "distribution", distro_name(id));
	ver = kv_get(osr, "VERSION_ID");
	best = sect_get(ss, "distro_best");
	if (best != NULL && id != NULL && (strcmp(id, "debian") == 0 ||
	    strcmp(id, "centos") == 0) && (line = line_at(best, 0)) != NULL) {
		/* sys_info.py get_distribution_version(): debian takes the
		 * best version, centos its first two parts */
		if (strcmp(id, "centos") == 0 && (dot = strchr(line, '.')) &&
		    (dot = strchr(dot + 1, '.')) != NULL)
			*dot = '\0';
		free(ver);
		ver = line;
	}
	free(best);
	set_str(f, "distribution_version", ver ? ver : "");
	dot = ver ? strchr(ver, '.') : NULL;
	set_take(f, "distribution_major_version", ver ? xstrndup(ver,
	    dot ? (size_t)(dot - ver) : strlen(ver)) : xstrdup(""));
	code = kv_get(osr, "VERSION_CODENAME");
	if (code == NULL)
		code = kv_get(osr, "UBUNTU_CODENAME");
	set_str(f, "distribution_release", code ? code : "NA");
	debian_specific(ss, osr, f);
	d = val_map_str(f, "distribution", "");
	set_str(f, "os_family", facts_os_family(d));
	free(id);
	free(ver);
	free(code);
	free(osr);
}

/* lsb: `lsb_release -a` when it exists, else /etc/lsb-release, else {}. */
static void
lsb_facts(const struct sects *ss, struct val *f)
{
	static const char *const cmd[][2] = {
		{ "Distributor ID:", "id" }, { "Description:", "description" },
		{ "Release:", "release" }, { "Codename:", "codename" },
	};
	static const char *const file[][2] = {
		{ "DISTRIB_ID", "id" }, { "DISTRIB_RELEASE", "release" },
		{ "DISTRIB_DESCRIPTION", "description" },
		{ "DISTRIB_CODENAME", "codename" },
	};
	char *c = sect_get(ss, "lsb_release"), *fl = sect_get(ss, "lsb_file");
	struct val *lsb;
	const char *rel;
	int use_cmd = c != NULL && *c != '\0';
	size_t i;

	if (c == NULL && fl == NULL)
		return;
	lsb = val_map();
	for (i = 0; i < 4 && use_cmd; i++) {
		const char *p = strstr(c, cmd[i][0]);

		if (p != NULL)
			set_take(lsb, cmd[i][1], line_at(p + strlen(cmd[i][0]),
			    0));
	}
	for (i = 0; i < 4 && !use_cmd && fl != NULL; i++)
		set_take(lsb, file[i][1], kv_get(fl, file[i][0]));
	rel = val_map_str(lsb, "release", NULL);
	if (rel != NULL)
		set_take(lsb, "major_release", xstrndup(rel,
		    strcspn(rel, ".")));
	val_map_set(f, "lsb", lsb);
	free(c);
	free(fl);
}

/* ---- user, env, managers, python ---- */

static struct val *
int_or_str(const char *s)
{
	char *end;
	long long n;

	if (s == NULL || *s == '\0')
		return val_str("");
	n = strtoll(s, &end, 10);
	return *end == '\0' ? val_int(n) : val_str(s);
}

static void
user_facts(const struct sects *ss, struct val *f)
{
	static const char *const ids[] = { "effective_user_id",
	    "effective_group_id", "real_user_id", "real_group_id" };
	static const char *const pw[] = { NULL, NULL, "user_uid",
	    "user_gid", "user_gecos", "user_dir", "user_shell" };
	char *u = sect_get(ss, "user"), *l0, *pwl, *tok, *save = NULL;
	size_t i;

	if (u == NULL)
		return;
	l0 = line_at(u, 0);
	tok = l0 ? strtok_r(l0, " ", &save) : NULL;
	for (i = 0; i < 4 && tok != NULL; i++) {
		val_map_set(f, ids[i], int_or_str(tok));
		tok = strtok_r(NULL, " ", &save);
	}
	free(l0);
	set_take(f, "user_id", line_at(u, 1));
	pwl = line_at(u, 2);
	for (i = 0, tok = pwl; tok != NULL && i < ARRAY_SIZE(pw); i++) {
		char *colon = strchr(tok, ':');

		if (colon != NULL)
			*colon = '\0';
		if (pw[i] != NULL)
			val_map_set(f, pw[i], i == 2 || i == 3 ?
			    int_or_str(tok) : val_str(tok));
		tok = colon ? colon + 1 : NULL;
	}
	free(pwl);
	free(u);
}

static void
env_facts(const struct sects *ss, struct val *f)
{
	size_t i;
	struct val *env;
	const struct sect *s = NULL;

	for (i = 0; i < ss->n; i++)
		if (ss->s[i].nlen == 3 && memcmp(ss->s[i].name, "env", 3) == 0)
			s = &ss->s[i];
	if (s == NULL)
		return;
	env = val_map();
	for (i = 0; i < s->len; ) {
		const char *e = memchr(s->body + i, '\0', s->len - i);
		size_t end = e ? (size_t)(e - s->body) : s->len;
		const char *eq = memchr(s->body + i, '=', end - i);

		if (eq != NULL && eq > s->body + i) {
			char *k = xstrndup(s->body + i, (size_t)(eq -
			    (s->body + i)));

			val_map_set(env, k, val_strn(eq + 1, (size_t)(
			    s->body + end - eq - 1)));
			free(k);
		}
		i = end + 1;
	}
	val_map_set(f, "env", env);
}

static const char *const pkg_paths[][2] = {
	{ "/usr/bin/rpm-ostree", "atomic_container" }, { "/usr/bin/yum", "yum" },
	{ "/usr/bin/dnf", "dnf" }, { "/usr/bin/apt-get", "apt" },
	{ "/usr/bin/zypper", "zypper" }, { "/usr/sbin/urpmi", "urpmi" },
	{ "/usr/bin/pacman", "pacman" }, { "/bin/opkg", "opkg" },
	{ "/usr/pkg/bin/pkgin", "pkgin" }, { "/opt/local/bin/pkgin", "pkgin" },
	{ "/opt/tools/bin/pkgin", "pkgin" }, { "/opt/local/bin/port", "macports" },
	{ "/usr/local/bin/brew", "homebrew" },
	{ "/opt/homebrew/bin/brew", "homebrew" }, { "/sbin/apk", "apk" },
	{ "/usr/sbin/pkg", "pkgng" }, { "/usr/sbin/swlist", "swdepot" },
	{ "/usr/bin/emerge", "portage" }, { "/usr/sbin/pkgadd", "svr4pkg" },
	{ "/usr/bin/pkg", "pkg5" }, { "/usr/bin/xbps-install", "xbps" },
	{ "/usr/local/sbin/pkg", "pkgng" }, { "/usr/bin/swupd", "swupd" },
	{ "/usr/sbin/sorcery", "sorcery" }, { "/usr/bin/installp", "installp" },
};

/* The path names that exist, each as a "\npath\n" probe. */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* pkg_mgr.py: the last listed manager that exists; Debian's family is
 * apt whatever else is installed; RedHat's prefers dnf. */
static void
pkg_mgr_facts(const struct sects *ss, struct val *f)
{
	char *s = sect_get(ss, "pkg_mgr");
	const char *name = "unknown", *fam = val_map_str(f, "os_family", "");
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(pkg_paths); i++)
		if (has_line(s, pkg_paths[i][0]))
			name = pkg_paths[i][1];
	if (strcmp(fam, "Debian") == 0)
		name = "apt";
	else if (strcmp(fam, "RedHat") == 0 && has_line(s, "/usr/bin/dnf"))
		name = "dnf";
	else if (strcmp(fam, "Altlinux") == 0 && strcmp(name, "apt") == 0)
		name = "apt_rpm";
	if (strcmp(name, "apt") == 0 && has_line(s, "apt_rpm"))
		name = "apt_rpm";
	set_str(f, "pkg_mgr", name);
	free(s);
}

static void
service_mgr_facts(const struct sects *ss, struct val *f)
{
	char *s = sect_get(ss, "service_mgr");

	if (s != NULL)
		set_take(f, "service_mgr", line_at(s, 0));
	free(s);
}

static void
python_facts(const struct sects *ss, struct val *f)
{
	char *s = sect_get(ss, "python"), *exe, *ver, *impl, *ssl;
	char rl[32] = "";
	int maj, min, mic, ser, n = 0;
	struct val *py, *v, *vi;

	if (s == NULL)
		return;
	exe = line_at(s, 0);
	ver = line_at(s, 1);
	impl = line_at(s, 2);
	ssl = line_at(s, 3);
	if (exe != NULL && ver != NULL && impl != NULL && ssl != NULL &&
	    sscanf(ver, "%d %d %d %31s %d%n", &maj, &min, &mic, rl, &ser,
	    &n) == 5) {
		py = val_map();
		val_map_set(py, "executable", val_str(exe));
		val_map_set(py, "has_sslcontext", val_bool(strcmp(ssl,
		    "1") == 0));
		val_map_set(py, "type", val_str(impl));
		v = val_map();
		val_map_set(v, "major", val_int(maj));
		val_map_set(v, "micro", val_int(mic));
		val_map_set(v, "minor", val_int(min));
		val_map_set(v, "releaselevel", val_str(rl));
		val_map_set(v, "serial", val_int(ser));
		val_map_set(py, "version", v);
		vi = val_list();
		val_list_push(vi, val_int(maj));
		val_list_push(vi, val_int(min));
		val_list_push(vi, val_int(mic));
		val_list_push(vi, val_str(rl));
		val_list_push(vi, val_int(ser));
		val_map_set(py, "version_info", vi);
		val_map_set(f, "python", py);
		val_map_set(f, "python_version", val_str_take(xasprintf(
		    "%d.%d.%d", maj, min, mic)));
	}
	free(exe);
	free(ver);
	free(impl);
	free(ssl);
	free(s);
}

/* ---- hardware ---- */

static long long
meminfo_mb(const char *mi, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "%s:", key);
	for (p = mi; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, pat, strlen(pat)) == 0)
			return strtoll(p + strlen(pat), NULL, 10) / 1024;
	}
	return -1;
}

static struct val *
mem_pair(long long total, long long free_, long long used, int cached,
    long long cache)
{
	struct val *m = val_map();

	if (cached >= 0)
		val_map_set(m, "cached", val_int(cache));
	val_map_set(m, "free", val_int(free_));
	if (total >= 0)
		val_map_set(m, "total", val_int(total));
	val_map_set(m, "used", val_int(used));
	return m;
}

/* hardware/linux.py get_memory_facts: each meminfo value // 1024 first. */
static void
memory_facts(const struct sects *ss, struct val *f)
{
	char *mi = sect_get(ss, "meminfo");
	long long tot, fr, buf, cac, st, sf, sc;
	struct val *mb;

	if (mi == NULL)
		return;
	tot = meminfo_mb(mi, "MemTotal");
	fr = meminfo_mb(mi, "MemFree");
	buf = meminfo_mb(mi, "Buffers");
	cac = meminfo_mb(mi, "Cached");
	st = meminfo_mb(mi, "SwapTotal");
	sf = meminfo_mb(mi, "SwapFree");
	sc = meminfo_mb(mi, "SwapCached");
	free(mi);
	if (tot < 0 || fr < 0)
		return;
	val_map_set(f, "memtotal_mb", val_int(tot));
	val_map_set(f, "memfree_mb", val_int(fr));
	if (st >= 0) {
		val_map_set(f, "swaptotal_mb", val_int(st));
		val_map_set(f, "swapfree_mb", val_int(sf));
	}
	mb = val_map();
	val_map_set(mb, "nocache", mem_pair(-1, fr + buf + cac,
	    tot - (fr + buf + cac), -1, 0));
	val_map_set(mb, "real", mem_pair(tot, fr, tot - fr, -1, 0));
	val_map_set(mb, "swap", mem_pair(st, sf, st - sf, 0, sc < 0 ? 0 : sc));
	val_map_set(f, "memory_mb", mb);
}

struct cpuacc {
	struct val *proc;
	int i, vendor, model, procs;
	char physid[32], coreid[32];
	struct val *sockets, *cores;   /* maps: id -> int */
};

static void
cpu_line(struct cpuacc *a, const char *key, const char *val)
{
	static const char *const listed[] = { "model name", "Processor",
	    "vendor_id", "cpu", "Vendor", "processor" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(listed); i++)
		if (strcmp(key, listed[i]) == 0)
			break;
	if (i < ARRAY_SIZE(listed)) {
		val_list_push(a->proc, val_str(val));
		a->vendor += strcmp(key, "vendor_id") == 0;
		a->model += strcmp(key, "model name") == 0;
		a->procs += strcmp(key, "processor") == 0;
		a->i++;
	} else if (strcmp(key, "physical id") == 0) {
		snprintf(a->physid, sizeof(a->physid), "%s", val);
		if (val_map_get(a->sockets, val) == NULL)
			val_map_set(a->sockets, val, val_int(1));
	} else if (strcmp(key, "core id") == 0) {
		snprintf(a->coreid, sizeof(a->coreid), "%s", val);
		if (val_map_get(a->sockets, val) == NULL)  /* sic: ansible */
			val_map_set(a->cores, val, val_int(1));
	} else if (strcmp(key, "cpu cores") == 0) {
		val_map_set(a->sockets, a->physid, val_int(atoi(val)));
	} else if (strcmp(key, "siblings") == 0) {
		val_map_set(a->cores, a->coreid, val_int(atoi(val)));
	}
}

static void
cpu_scan(const char *ci, struct cpuacc *a)
{
	const char *p = ci;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '\n'), *colon;
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, n), *k, *v;

		colon = strchr(line, ':');
		k = xstrndup(line, colon ? (size_t)(colon - line) : n);
		v = line_at(colon ? colon + 1 : "", 0);
		free(line);
		line = line_at(k, 0);
		cpu_line(a, line ? line : "", v ? v : "");
		free(line);
		free(k);
		free(v);
		p = e ? e + 1 : NULL;
	}
}

/* hardware/linux.py get_cpu_facts (x86 and the like; no Xen paravirt). */
static void
cpu_facts(const struct sects *ss, struct val *f)
{
	char *ci = sect_get(ss, "cpuinfo"), *np = sect_get(ss, "nproc");
	struct cpuacc a;
	const char *arch = val_map_str(f, "architecture", "");
	int64_t count, cores, tpc;

	memset(&a, 0, sizeof(a));
	if (ci == NULL) {
		free(np);
		return;
	}
	a.proc = val_list();
	a.sockets = val_map();
	a.cores = val_map();
	cpu_scan(ci, &a);
	if (a.vendor > 0 && a.vendor == a.model)
		a.i = a.vendor;
	if (strncmp(arch, "armv", 4) == 0 || strncmp(arch, "aarch", 5) == 0 ||
	    strncmp(arch, "ppc", 3) == 0)
		a.i = a.procs;
	count = a.sockets->u.map.n ? (int64_t)a.sockets->u.map.n : a.i;
	cores = a.sockets->u.map.n && a.sockets->u.map.items[0].v->u.i ?
	    a.sockets->u.map.items[0].v->u.i : 1;
	tpc = a.cores->u.map.n ? a.cores->u.map.items[0].v->u.i / cores :
	    1 / cores;
	val_map_set(f, "processor", a.proc);
	val_map_set(f, "processor_count", val_int(count));
	val_map_set(f, "processor_cores", val_int(cores));
	val_map_set(f, "processor_threads_per_core", val_int(tpc));
	val_map_set(f, "processor_vcpus", val_int(tpc * count * cores));
	val_map_set(f, "processor_nproc", val_int(np ? atoi(np) : a.procs));
	val_free(a.sockets);
	val_free(a.cores);
	free(ci);
	free(np);
}

static void
uptime_facts(const struct sects *ss, struct val *f)
{
	char *s = sect_get(ss, "uptime");

	if (s != NULL && isdigit((unsigned char)*s))
		val_map_set(f, "uptime_seconds", val_int(strtoll(s, NULL, 10)));
	free(s);
}

/* ---- date_time (system/date_time.py) ---- */

static void
dt_set(struct val *dt, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
dt_set(struct val *dt, const char *k, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	val_map_set(dt, k, val_str_take(strbuf_detach(&sb, NULL)));
}

/* tz_dst is Python's time.tzname[1]: the zone's summer name, the same as
 * its standard name when it has no DST ("jan|jul" as %Z%z each). */
static void
tz_dst(struct val *dt, const char *l2, const char *zone)
{
	char jz[64] = "", jo[8] = "", sz[64] = "", so[8] = "";

	if (l2 == NULL || sscanf(l2, "%63[^|]|%7[^|]|%63[^|]|%7s", jz, jo,
	    sz, so) != 4) {
		dt_set(dt, "tz_dst", "%s", zone);
		return;
	}
	if (strcmp(jo, so) == 0)
		dt_set(dt, "tz_dst", "%s", jz);
	else
		dt_set(dt, "tz_dst", "%s", atoi(jo) > atoi(so) ? jz : sz);
}

static void
date_facts(const struct sects *ss, struct val *f)
{
	char *s = sect_get(ss, "date"), *l1, *l2;
	char y[8], mo[4], d[4], H[4], M[4], S[4], z[8], A[16], w[4], W[4];
	char Z[64];
	long long ep, ns;
	struct val *dt;
	struct tm tm;
	time_t t;

	if (s == NULL)
		return;
	l1 = line_at(s, 0);
	l2 = line_at(s, 1);
	if (l1 == NULL || sscanf(l1, "%7[^|]|%3[^|]|%3[^|]|%3[^|]|%3[^|]|"
	    "%3[^|]|%lld|%lld|%63[^|]|%7[^|]|%15[^|]|%3[^|]|%3s", y, mo, d,
	    H, M, S, &ep, &ns, Z, z, A, w, W) != 13)
		goto out;
	dt = val_map();
	t = (time_t)ep;
	gmtime_r(&t, &tm);
	dt_set(dt, "date", "%s-%s-%s", y, mo, d);
	dt_set(dt, "day", "%s", d);
	dt_set(dt, "epoch", "%lld", ep);
	dt_set(dt, "epoch_int", "%lld", ep);
	dt_set(dt, "hour", "%s", H);
	dt_set(dt, "iso8601", "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	dt_set(dt, "iso8601_basic", "%s%s%sT%s%s%s%06lld", y, mo, d, H, M, S,
	    ns / 1000);
	dt_set(dt, "iso8601_basic_short", "%s%s%sT%s%s%s", y, mo, d, H, M, S);
	dt_set(dt, "iso8601_micro", "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ns / 1000);
	dt_set(dt, "minute", "%s", M);
	dt_set(dt, "month", "%s", mo);
	dt_set(dt, "second", "%s", S);
	dt_set(dt, "time", "%s:%s:%s", H, M, S);
	dt_set(dt, "tz", "%s", Z);
	tz_dst(dt, l2, Z);
	dt_set(dt, "tz_offset", "%s", z);
	dt_set(dt, "weekday", "%s", A);
	dt_set(dt, "weekday_number", "%s", w);
	dt_set(dt, "weeknumber", "%s", W);
	dt_set(dt, "year", "%s", y);
	val_map_set(f, "date_time", dt);
out:
	free(l1);
	free(l2);
	free(s);
}

/* ---- network (network/linux.py) ---- */

static const char *
iface_type(const char *num)
{
	static const char *const types[][2] = { { "1", "ether" },
	    { "32", "infiniband" }, { "512", "ppp" }, { "772", "loopback" },
	    { "65534", "tunnel" } };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (strcmp(types[i][0], num) == 0)
			return types[i][1];
	return "unknown";
}

static struct val *
first_word(const char *s)
{
	size_t n = strcspn(s, " \t");

	return val_strn(s, n);
}

/* One "key value" line of a device's block. */
static void
netdev_kv(struct val *d, const char *k, const char *v)
{
	struct val *l;

	if (strcmp(k, "address") == 0 && *v && strcmp(v,
	    "00:00:00:00:00:00") != 0)
		val_map_set(d, "macaddress", val_str(v));
	else if (strcmp(k, "mtu") == 0 && *v)
		val_map_set(d, "mtu", int_or_str(v));
	else if (strcmp(k, "operstate") == 0)
		val_map_set(d, "active", val_bool(strcmp(v, "down") != 0));
	else if (strcmp(k, "type") == 0 && val_map_get(d, "type") == NULL)
		val_map_set(d, "type", val_str(iface_type(v)));
	else if (strcmp(k, "bridge") == 0 || strcmp(k, "bonding") == 0) {
		val_map_set(d, "type", val_str(k));
		if (val_map_get(d, *k == 'b' && k[1] == 'r' ? "interfaces" :
		    "slaves") == NULL)
			val_map_set(d, k[1] == 'r' ? "interfaces" : "slaves",
			    val_list());
	} else if (strcmp(k, "brif") == 0 || strcmp(k, "slave") == 0) {
		l = val_map_get(d, k[1] == 'r' ? "interfaces" : "slaves");
		if (l != NULL && *v)
			val_list_push(l, val_str(v));
	} else if (strcmp(k, "bridge_id") == 0)
		val_map_set(d, "id", val_str(v));
	else if (strcmp(k, "stp_state") == 0)
		val_map_set(d, "stp", val_bool(strcmp(v, "1") == 0));
	else if (strcmp(k, "mode") == 0 || strcmp(k, "miimon") == 0 ||
	    strcmp(k, "lacp_rate") == 0)
		val_map_set(d, k, first_word(v));
	else if (strcmp(k, "primary") == 0 && *v)
		val_map_set(d, "primary", val_str(v));
	else if (strcmp(k, "pciid") == 0)
		val_map_set(d, "pciid", val_str(v));
	else if (strcmp(k, "speed") == 0 && *v)
		val_map_set(d, "speed", int_or_str(v));
	else if (strcmp(k, "flags") == 0 && *v)
		val_map_set(d, "promisc", val_bool((strtol(v, NULL, 16) &
		    0x100) != 0));
}

/* Devices in the script's (directory) order: name -> map. */
static struct val *
netdevs(const char *s)
{
	struct val *devs = val_map(), *cur = NULL;
	char *line;
	size_t i;

	for (i = 0; s != NULL && (line = line_at(s, i)) != NULL; i++) {
		char *sp = strchr(line, ' ');
		const char *v = sp ? sp + 1 : "";

		if (sp != NULL)
			*sp = '\0';
		if (strcmp(line, "D") == 0 && *v) {
			cur = val_map();
			val_map_set(cur, "device", val_str(v));
			val_map_set(devs, v, cur);
		} else if (cur != NULL) {
			netdev_kv(cur, line, v);
		}
		free(line);
	}
	return devs;
}

static int
parse_v4(const char *cidr, uint32_t *addr, int *plen)
{
	unsigned a, b, c, d;
	int n = 0;

	*plen = 32;
	if (sscanf(cidr, "%u.%u.%u.%u%n", &a, &b, &c, &d, &n) != 4 ||
	    a > 255 || b > 255 || c > 255 || d > 255)
		return -1;
	if (cidr[n] == '/' && (*plen = atoi(cidr + n + 1)) > 32)
		return -1;
	if (*plen < 0)
		return -1;
	*addr = (uint32_t)a << 24 | b << 16 | c << 8 | d;
	return 0;
}

static struct val *
v4_str(uint32_t a)
{
	return val_str_take(xasprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
	    (a >> 8) & 255, a & 255));
}

struct ipctx {
	struct val *devs, *all4, *all6, *def4, *def6;
	const char *device;
	int secondary;
};

static struct val *
v4_entry(const char *cidr, const char *brd, uint32_t addr, int plen)
{
	struct val *e = val_map();
	uint32_t mask = plen == 0 ? 0 : ~(uint32_t)0 << (32 - plen);
	const char *slash = strchr(cidr, '/');

	val_map_set(e, "address", slash ? val_strn(cidr, (size_t)(slash -
	    cidr)) : val_str(cidr));
	val_map_set(e, "broadcast", val_str(brd));
	val_map_set(e, "netmask", v4_str(mask));
	val_map_set(e, "network", v4_str(addr & mask));
	val_map_set(e, "prefix", val_str_take(xasprintf("%d", plen)));
	return e;
}

static void
push_to(struct val *m, const char *key, struct val *e)
{
	struct val *l = val_map_get(m, key);

	if (l == NULL) {
		l = val_list();
		val_map_set(m, key, l);
	}
	val_list_push(l, e);
}

static void
default_fill(struct ipctx *c, struct val *def, const struct val *e,
    const char *label)
{
	const struct val *dev = val_map_get(c->devs, c->device);
	static const char *const k4[] = { "broadcast", "netmask", "network",
	    "prefix" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(k4) && label != NULL; i++)
		val_map_set(def, k4[i], val_copy(val_map_get(e, k4[i])));
	if (label == NULL)  /* ipv6 */
		for (i = 0; i < 2; i++)
			val_map_set(def, i ? "scope" : "prefix",
			    val_copy(val_map_get(e, i ? "scope" : "prefix")));
	set_str(def, "macaddress", val_map_str(dev, "macaddress", "unknown"));
	if (val_map_get(dev, "mtu") != NULL)
		val_map_set(def, "mtu", val_copy(val_map_get(dev, "mtu")));
	set_str(def, "type", val_map_str(dev, "type", "unknown"));
	if (label != NULL)
		set_str(def, "alias", label);
}

static void
inet_line(struct ipctx *c, char **w, size_t n)
{
	const char *brd = n > 3 && strcmp(w[2], "brd") == 0 ? w[3] : "";
	const char *label = w[n - 1];
	struct val *iface, *e;
	uint32_t addr;
	int plen;

	if (parse_v4(w[1], &addr, &plen) < 0)
		return;
	e = v4_entry(w[1], brd, addr, plen);
	iface = val_map_get(c->devs, label);
	if (iface == NULL || strcmp(label, c->device) != 0) {
		iface = val_map();   /* an alias label: ansible's {} entry */
		val_map_set(c->devs, label, iface);
	}
	if (!c->secondary && val_map_get(iface, "ipv4") == NULL)
		val_map_set(iface, "ipv4", val_copy(e));
	else
		push_to(iface, "ipv4_secondaries", val_copy(e));
	if (c->secondary && strcmp(label, c->device) != 0)
		push_to(val_map_get(c->devs, c->device), "ipv4_secondaries",
		    val_copy(e));
	if (strcmp(val_map_str(c->def4, "address", ""),
	    val_map_str(e, "address", "-")) == 0)
		default_fill(c, c->def4, e, label);
	if (strncmp(val_map_str(e, "address", ""), "127.", 4) != 0)
		val_list_push(c->all4, val_copy(val_map_get(e, "address")));
	val_free(e);
}

static void
inet6_line(struct ipctx *c, char **w, size_t n)
{
	struct val *e = val_map(), *dev = val_map_get(c->devs, c->device);
	int peer = n > 5 && strcmp(w[2], "peer") == 0;
	const char *cidr = peer ? w[3] : w[1], *slash = strchr(cidr, '/');

	if (slash == NULL || dev == NULL || (!peer && n < 4)) {
		val_free(e);
		return;
	}
	val_map_set(e, "address", peer ? val_str(w[1]) :
	    val_strn(cidr, (size_t)(slash - cidr)));
	val_map_set(e, "prefix", val_str(slash + 1));
	val_map_set(e, "scope", val_str(peer ? w[5] : w[3]));
	if (strcmp(val_map_str(c->def6, "address", ""),
	    val_map_str(e, "address", "-")) == 0)
		default_fill(c, c->def6, e, NULL);
	if (strcmp(val_map_str(e, "address", ""), "::1") != 0)
		val_list_push(c->all6, val_copy(val_map_get(e, "address")));
	push_to(dev, "ipv6", e);
}

static size_t
split_ws(char *s, char **w, size_t max)
{
	size_t n = 0;
	char *save = NULL, *t = strtok_r(s, " \t", &save);

	while (t != NULL && n < max) {
		w[n++] = t;
		t = strtok_r(NULL, " \t", &save);
	}
	return n;
}

/* `ip addr show [primary|secondary]`: "N: dev[@peer]: <...>" headers,
 * indented inet/inet6 lines. */
static void
ipaddr_parse(struct ipctx *c, const char *s)
{
	char *line, *w[32], *dev = NULL;
	size_t i, n;

	for (i = 0; s != NULL && (line = line_at(s, i)) != NULL; i++) {
		n = split_ws(line, w, ARRAY_SIZE(w));
		if (n >= 2 && isdigit((unsigned char)w[0][0]) &&
		    w[0][strlen(w[0]) - 1] == ':') {
			free(dev);
			dev = xstrndup(w[1], strcspn(w[1], "@:"));
			c->device = dev;
		} else if (dev != NULL && val_map_get(c->devs, dev) != NULL &&
		    n >= 2 && strcmp(w[0], "inet") == 0) {
			inet_line(c, w, n);
		} else if (dev != NULL && n >= 4 && strcmp(w[0], "inet6") == 0) {
			inet6_line(c, w, n);
		}
		free(line);
	}
	free(dev);
	c->device = NULL;
}

/* `ip -4 route get 8.8.8.8`: "8.8.8.8 via G dev D src A ..." */
static struct val *
route_default(const char *s, const char *target)
{
	struct val *d = val_map();
	char *line = s ? line_at(s, 0) : NULL, *w[32];
	size_t n = line ? split_ws(line, w, ARRAY_SIZE(w)) : 0, i;

	for (i = 0; i + 1 < n; i++) {
		if (strcmp(w[i], "src") == 0)
			val_map_set(d, "address", val_str(w[i + 1]));
		else if (strcmp(w[i], "dev") == 0)
			val_map_set(d, "interface", val_str(w[i + 1]));
		else if (strcmp(w[i], "via") == 0 &&
		    strcmp(w[i + 1], target) != 0)
			val_map_set(d, "gateway", val_str(w[i + 1]));
	}
	free(line);
	return d;
}

static char *
underscored(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p != '\0'; p++)
		if (*p == '-' || *p == ':')
			*p = '_';
	return r;
}

static void
network_facts(const struct sects *ss, struct val *f)
{
	char *nd = sect_get(ss, "netdev"), *a1 = sect_get(ss, "ipaddr");
	char *a2 = sect_get(ss, "ipaddr2"), *r4 = sect_get(ss, "route4");
	char *r6 = sect_get(ss, "route6");
	struct ipctx c;
	struct val *names;
	size_t i;

	if (nd == NULL)
		goto out;
	memset(&c, 0, sizeof(c));
	c.devs = netdevs(nd);
	c.all4 = val_list();
	c.all6 = val_list();
	c.def4 = route_default(r4, "8.8.8.8");
	c.def6 = route_default(r6, "2404:6800:400a:800::1012");
	ipaddr_parse(&c, a1);
	c.secondary = 1;
	ipaddr_parse(&c, a2);
	names = val_list();
	for (i = 0; i < c.devs->u.map.n; i++) {
		char *k = underscored(c.devs->u.map.items[i].key);

		val_list_push(names, val_str(c.devs->u.map.items[i].key));
		val_map_set(f, k, val_copy(c.devs->u.map.items[i].v));
		free(k);
	}
	val_map_set(f, "interfaces", names);
	val_map_set(f, "default_ipv4", c.def4);
	val_map_set(f, "default_ipv6", c.def6);
	val_map_set(f, "all_ipv4_addresses", c.all4);
	val_map_set(f, "all_ipv6_addresses", c.all6);
	val_free(c.devs);
out:
	free(nd);
	free(a1);
	free(a2);
	free(r4);
	free(r6);
}

struct val *
facts_parse(const char *buf, size_t len, const char *nonce)
{
	struct sects ss = { NULL, 0, 0 };
	struct val *f = val_map();

	split_sections(buf, len, nonce, &ss);
	platform_facts(&ss, f);
	fqdn_facts(&ss, f);
	distribution_facts(&ss, f);
	lsb_facts(&ss, f);
	user_facts(&ss, f);
	env_facts(&ss, f);
	service_mgr_facts(&ss, f);
	pkg_mgr_facts(&ss, f);
	python_facts(&ss, f);
	memory_facts(&ss, f);
	cpu_facts(&ss, f);
	uptime_facts(&ss, f);
	date_facts(&ss, f);
	network_facts(&ss, f);
	free(ss.s);
	return f;
}
