/* setup.c - Ansible's facts of a host, from one remote command (no Python
 * needed on the host): the script below prints sections, factsparse.c
 * turns them into facts. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/generic/factsparse.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg setup_args[] = {
	{ "gather_subset", ARG_LIST, 0, NULL, NULL,
	  "subsets to gather: all, min, hardware, network or a "
	  "collector (platform, distribution, lsb, user, env, service_mgr, "
	  "pkg_mgr, python, date_time); '!name' excludes", NULL },
	{ "filter", ARG_LIST, 0, NULL, NULL,
	  "only facts whose ansible_ name matches one of these shell "
	  "patterns (ansible_eth*)", NULL },
	{ "gather_timeout", ARG_INT, 0, NULL, NULL,
	  "seconds for the gathering command (default: the task timeout)",
	  NULL },
	{ "fact_path", ARG_STR, 0, NULL, NULL,
	  "local facts (*.fact files): not supported, an error when set",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

/* ---- the remote script, one part per collector ---- */

#define SH_HEAD \
	"n=$1\n" \
	"s() { printf '\\n@@%s:%s\\n' \"$n\" \"$1\"; }\n" \
	"P0=$PATH; PATH=$PATH:/sbin:/usr/sbin:/usr/local/sbin\n"

static const struct part {
	const char *name;       /* collector */
	unsigned group;         /* min / hardware / network */
	const char *sh;
} parts[] = {
#define G_MIN 1u
#define G_HW 2u
#define G_NET 4u
	{ "platform", G_MIN,
	  "s uname; uname -s; uname -r; uname -v; uname -m; uname -n\n"
	  "s machine_id; cat /var/lib/dbus/machine-id 2>/dev/null ||"
	  " cat /etc/machine-id 2>/dev/null\n"
	  "s fqdn; a=$(getent hosts \"$(uname -n)\" | head -n 1);"
	  " a=${a%%[ \t]*}; [ -n \"$a\" ] && getent hosts \"$a\" | head -n 1\n" },
	{ "distribution", G_MIN,
	  "s osrelease; cat /etc/os-release 2>/dev/null ||"
	  " cat /usr/lib/os-release 2>/dev/null\n"
	  "s debian_version; cat /etc/debian_version 2>/dev/null\n"
	  /* Ansible uses the host's python3-distro when it is 1.6 or newer
	   * (its module_utils/distro), and that one reads debian_version */
	  "s distro_best; [ -x /usr/bin/python3 ] && /usr/bin/python3 -c '"
	  "import distro\n"
	  "v = tuple(int(x) for x in distro.__version__.split(\".\")[:2])\n"
	  "print(distro.version(best=True) if v >= (1, 6) else \"\")'"
	  " 2>/dev/null\n" },
	{ "lsb", G_MIN,
	  "s lsb_release; command -v lsb_release >/dev/null 2>&1 &&"
	  " lsb_release -a 2>/dev/null\n"
	  "s lsb_file; cat /etc/lsb-release 2>/dev/null\n" },
	{ "user", G_MIN,
	  "s user; echo \"$(id -u) $(id -g) $(id -ru) $(id -rg)\";"
	  " u=${LOGNAME:-${USER:-$(id -un)}}; echo \"$u\";"
	  " getent passwd \"$u\"\n" },
	{ "env", G_MIN, "s env; PATH=$P0 env -0\n" },
	{ "service_mgr", G_MIN,
	  "s service_mgr; p=$(cat /proc/1/comm 2>/dev/null) ||"
	  " p=$(ps -p 1 -o comm= 2>/dev/null)\n"
	  "[ -z \"$p\" ] && [ -L /sbin/init ] && p=$(readlink /sbin/init)\n"
	  "p=${p##*/}; case $p in init|*sh) p= ;; esac\n"
	  "sd() { command -v systemctl >/dev/null 2>&1; }\n"
	  "if [ -n \"$p\" ]; then case $p in procd) echo openwrt_init ;;"
	  " runit-init) echo runit ;; svscan) echo svc ;;"
	  " openrc-init) echo openrc ;; *) echo \"$p\" ;; esac\n"
	  "elif sd && { [ -e /run/systemd/system/ ] || [ -e /dev/.run/systemd/ ]"
	  " || [ -e /dev/.systemd/ ]; }; then echo systemd\n"
	  "elif command -v initctl >/dev/null 2>&1 && [ -e /etc/init/ ];"
	  " then echo upstart\n"
	  "elif [ -e /sbin/openrc ]; then echo openrc\n"
	  "elif sd && [ -L /sbin/init ] &&"
	  " [ \"$(basename \"$(readlink /sbin/init)\")\" = systemd ];"
	  " then echo systemd\n"
	  "elif [ -e /etc/init.d/ ]; then echo sysvinit\n"
	  "else echo service; fi\n" },
	{ "pkg_mgr", G_MIN,
	  "s pkg_mgr; for f in /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf"
	  " /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi /usr/bin/pacman"
	  " /bin/opkg /usr/pkg/bin/pkgin /opt/local/bin/pkgin"
	  " /opt/tools/bin/pkgin /opt/local/bin/port /usr/local/bin/brew"
	  " /opt/homebrew/bin/brew /sbin/apk /usr/sbin/pkg /usr/sbin/swlist"
	  " /usr/bin/emerge /usr/sbin/pkgadd /usr/bin/pkg /usr/bin/xbps-install"
	  " /usr/local/sbin/pkg /usr/bin/swupd /usr/sbin/sorcery"
	  " /usr/bin/installp; do [ -e \"$f\" ] && echo \"$f\"; done\n"
	  "[ -e /usr/bin/rpm ] && /usr/bin/rpm -q --whatprovides"
	  " /usr/bin/apt-get >/dev/null 2>&1 && echo apt_rpm\n" },
	{ "python", G_MIN,
	  "for py in /usr/bin/python3 /usr/bin/python; do [ -x \"$py\" ] &&"
	  " break; py=; done\n"
	  "[ -n \"$py\" ] && { s python; \"$py\" -c 'import sys\n"
	  "v = sys.version_info\n"
	  "try:\n    import ssl; c = hasattr(ssl, \"SSLContext\")\n"
	  "except Exception:\n    c = False\n"
	  "print(sys.executable); print(\"%d %d %d %s %d\" % tuple(v[:5]))\n"
	  "print(sys.implementation.name); print(1 if c else 0)' 2>/dev/null; }\n" },
	{ "date_time", G_MIN,
	  "s date; date '+%Y|%m|%d|%H|%M|%S|%s|%N|%Z|%z|%A|%w|%W'\n"
	  "y=$(date +%Y); echo \"$(date -d \"$y-01-15 12:00\" '+%Z|%z')|"
	  "$(date -d \"$y-07-15 12:00\" '+%Z|%z')\"\n" },
	{ "hardware", G_HW,
	  "s meminfo; cat /proc/meminfo 2>/dev/null\n"
	  "s cpuinfo; cat /proc/cpuinfo 2>/dev/null\n"
	  "s nproc; nproc 2>/dev/null\n"
	  "s uptime; cat /proc/uptime 2>/dev/null\n" },
	{ "network", G_NET,
	  "s netdev; for d in $(ls -U /sys/class/net 2>/dev/null); do"
	  " p=/sys/class/net/$d; [ -d \"$p\" ] || continue; echo \"D $d\"\n"
	  " for k in address mtu operstate type flags speed; do"
	  " [ -e \"$p/$k\" ] && echo \"$k $(cat \"$p/$k\" 2>/dev/null)\"; done\n"
	  " [ -e \"$p/device\" ] && echo \"pciid $(basename \"$(readlink"
	  " \"$p/device\")\")\"\n"
	  " if [ -e \"$p/bridge\" ]; then echo bridge; for b in $(ls -U"
	  " \"$p/brif\" 2>/dev/null); do echo \"brif $b\"; done\n"
	  "  [ -e \"$p/bridge/bridge_id\" ] && echo \"bridge_id $(cat"
	  " \"$p/bridge/bridge_id\")\"\n"
	  "  [ -e \"$p/bridge/stp_state\" ] && echo \"stp_state $(cat"
	  " \"$p/bridge/stp_state\")\"; fi\n"
	  " if [ -e \"$p/bonding\" ]; then echo bonding; for b in $(cat"
	  " \"$p/bonding/slaves\" 2>/dev/null); do echo \"slave $b\"; done\n"
	  "  for k in mode miimon lacp_rate primary; do echo \"$k $(cat"
	  " \"$p/bonding/$k\" 2>/dev/null)\"; done; fi\n"
	  "done\n"
	  "s ipaddr; ip addr show primary 2>/dev/null || ip addr show"
	  " 2>/dev/null\n"
	  "s ipaddr2; ip addr show secondary 2>/dev/null\n"
	  "s route4; ip -4 route get 8.8.8.8 2>/dev/null\n"
	  "s route6; ip -6 route get 2404:6800:400a:800::1012 2>/dev/null\n" },
};

/* Ansible's collectors that mend does not gather: a subset naming one is
 * an error, never an empty answer. */
static const char *const not_gathered[] = {
	"apparmor", "caps", "cmdline", "dns", "fips", "local", "selinux",
	"ssh_pub_keys", "facter", "ohai", "virtual", "mounts", "devices",
	"dmi", "fibre_channel_wwn", "iscsi", "nvme", "interfaces", NULL
};

/* The parts a subset name stands for, as a bit set (0: unknown). */
static unsigned
subset_bits(const char *w)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++)
		if (strcmp(w, "all") == 0 || strcmp(w, parts[i].name) == 0 ||
		    (strcmp(w, "min") == 0 && parts[i].group == G_MIN))
			bits |= 1u << i;
	return bits;
}

/* collector.py get_collector_names(): 'min' first, then the list in
 * order; what is named explicitly survives the exclusions; '!unknown'
 * is ignored, 'unknown' an error. */
static int
select_parts(struct modctx *ctx, const struct val *subset, unsigned *want)
{
	unsigned add = subset_bits("min"), exc = 0, expl = 0, b;
	size_t i, j;

	for (i = 0; subset != NULL && i < subset->u.list.n; i++) {
		const struct val *it = subset->u.list.items[i];
		const char *w = it->type == V_STR ? it->u.str.s : "";
		int neg = *w == '!';

		w += neg;
		b = subset_bits(w);
		if (neg) {
			exc |= strcmp(w, "all") == 0 ? b & ~subset_bits("min")
			    : b;
			continue;
		}
		if (b != 0) {
			add |= b;
			if (strcmp(w, "min") != 0 && strcmp(w, "all") != 0)
				expl |= b;
			continue;
		}
		for (j = 0; not_gathered[j] != NULL; j++)
			if (strcmp(not_gathered[j], w) == 0)
				return mod_fail(ctx, "gather_subset '%s': mend "
				    "does not gather these facts", w) - 1;
		return mod_fail(ctx, "bad subset '%s' given to gather_subset "
		    "(all, min, hardware, network, platform, distribution, "
		    "lsb, user, env, service_mgr, pkg_mgr, python, "
		    "date_time)", w) - 1;
	}
	if (subset == NULL || subset->u.list.n == 0)
		add = subset_bits("all");
	*want = add & ~(exc & ~expl);
	return 0;
}

static char *
build_script(unsigned want)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addstr(&sb, SH_HEAD);
	for (i = 0; i < ARRAY_SIZE(parts); i++)
		if (want & (1u << i))
			strbuf_addstr(&sb, parts[i].sh);
	return strbuf_detach(&sb, NULL);
}

static int
filter_match(const struct val *filter, const char *key)
{
	size_t i;

	if (filter == NULL || filter->u.list.n == 0)
		return 1;
	for (i = 0; i < filter->u.list.n; i++) {
		const struct val *p = filter->u.list.items[i];

		if (p->type == V_STR && (*p->u.str.s == '\0' ||
		    fnmatch(p->u.str.s, key, 0) == 0))
			return 1;
	}
	return 0;
}

/* The module's answer: ansible_facts with Ansible's prefixed names. */
static struct val *
answer(struct val *facts, const struct val *filter, const struct val *sub)
{
	struct val *af = val_map();
	size_t i;

	for (i = 0; i < facts->u.map.n; i++) {
		char *k = xasprintf("ansible_%s", facts->u.map.items[i].key);

		if (filter_match(filter, k))
			val_map_set(af, k, val_copy(facts->u.map.items[i].v));
		free(k);
	}
	val_map_set(af, "gather_subset", sub ? val_copy(sub) : val_list());
	val_map_set(af, "module_setup", val_bool(1));
	return af;
}

static enum mod_result
setup_run(struct modctx *ctx, const struct val *args)
{
	const struct val *subset = arg_get(args, "gather_subset");
	unsigned want = 0;
	char nonce[17], *script = NULL, *cmd = NULL;
	struct exec_res r;
	struct val *facts;
	int ret = -1;

	exec_res_init(&r);
	if (arg_str(args, "fact_path") != NULL) {
		mod_fail(ctx, "fact_path (local *.fact files) is not "
		    "supported by mend");
		goto out;
	}
	if (select_parts(ctx, subset, &want) < 0)
		goto out;
	if (arg_get(args, "gather_timeout") != NULL)
		ctx->timeout = (int)arg_int(args, "gather_timeout", 10);
	shellcmd_nonce(nonce, sizeof(nonce));
	script = build_script(want);
	cmd = shellcmd("/bin/sh -c %q sh %q", script, nonce);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	if (ret != 0)
		goto out;
	facts = facts_parse(r.out.buf, r.out.len, nonce);
	mod_set(ctx, "ansible_facts", answer(facts, arg_get(args, "filter"),
	    subset));
	val_free(facts);
out:
	free(script);
	free(cmd);
	exec_res_release(&r);
	return mod_done(ctx, ret);
}

const struct module mod_setup = {
	.name = "setup",
	.summary = "gather Ansible's facts of the host (one remote command)",
	.doc = "Gathers the ansible_* facts real playbooks read (distribution, "
	    "os_family, kernel, architecture, hostname, fqdn, default_ipv4, "
	    "interfaces, env, user_id, service_mgr, pkg_mgr, python, "
	    "memtotal_mb, processor_vcpus, date_time, lsb...) with one shell "
	    "command, following ansible-core 2.14's collectors; the play's "
	    "gather_facts runs it first.  Not gathered (an error when asked "
	    "for by gather_subset): virtualization, mounts, devices, dmi, "
	    "dns, selinux, apparmor, local facts.",
	.args = setup_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = setup_run,
};
