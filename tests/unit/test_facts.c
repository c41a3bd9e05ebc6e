/*
 * test_facts.c - the setup module's parser (modules/generic/factsparse.h)
 * on what its script printed on a real Debian 12 host of the fleet lab
 * (tests/unit/fixtures/facts/bookworm.out), against the values
 * ansible-core 2.14.18's setup module gave on that host (ansible -m setup,
 * 2026-12-06), and on hand-made sections for the paths the lab host does
 * not take (default route, aliases, IPv6, bonding, Ubuntu, lsb_release).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "modules/generic/factsparse.h"
#include "runner/util/strbuf.h"
#include "tests/unit/testutil.h"

static struct val *
parse_fixture(const char *rel)
{
	size_t len;
	char *buf = tu_read_fixture(rel, &len);
	struct val *f = facts_parse(buf, len, "FIXTURE");

	free(buf);
	return f;
}

/* val_to_json's layout without its newlines and the space after ':' */
static void
compact(struct strbuf *sb)
{
	size_t i, j = 0;

	for (i = 0; i < sb->len; i++) {
		if (sb->buf[i] == '\n')
			continue;
		if (sb->buf[i] == ' ' && j > 1 && sb->buf[j - 1] == ':' &&
		    sb->buf[j - 2] == '"')
			continue;
		sb->buf[j++] = sb->buf[i];
	}
	strbuf_setlen(sb, j);
}

static void
expect_json(const struct val *f, const char *path, const char *json)
{
	struct strbuf sb = STRBUF_INIT;
	const struct val *v = val_map_getpath(f, path);

	if (v == NULL)
		fail_msg("%s: missing", path);
	val_to_json(v, &sb, 0);
	compact(&sb);
	if (strcmp(sb.buf, json) != 0)
		fail_msg("%s: got %s, want %s", path, sb.buf, json);
	strbuf_release(&sb);
}

/* Every value below is what Ansible's setup module printed for h2. */
static void
test_bookworm_as_ansible(void **state)
{
	struct val *f = parse_fixture("facts/bookworm.out");

	(void)state;
	expect_json(f, "distribution", "\"Debian\"");
	expect_json(f, "distribution_release", "\"bookworm\"");
	expect_json(f, "distribution_version", "\"12\"");
	expect_json(f, "distribution_major_version", "\"12\"");
	expect_json(f, "distribution_minor_version", "\"15\"");
	expect_json(f, "os_family", "\"Debian\"");
	expect_json(f, "system", "\"Linux\"");
	expect_json(f, "kernel", "\"6.18.44-fc-v1272\"");
	expect_json(f, "kernel_version", "\"#1 SMP PREEMPT_DYNAMIC @0\"");
	expect_json(f, "architecture", "\"x86_64\"");
	expect_json(f, "hostname", "\"h2\"");
	expect_json(f, "nodename", "\"h2\"");
	expect_json(f, "fqdn", "\"h2\"");
	expect_json(f, "domain", "\"\"");
	expect_json(f, "lsb", "{}");
	expect_json(f, "user_id", "\"root\"");
	expect_json(f, "user_uid", "0");
	expect_json(f, "user_dir", "\"/root\"");
	expect_json(f, "user_shell", "\"/bin/bash\"");
	expect_json(f, "user_gecos", "\"root\"");
	expect_json(f, "effective_user_id", "0");
	expect_json(f, "service_mgr", "\"systemd\"");
	expect_json(f, "pkg_mgr", "\"apt\"");
	expect_json(f, "python_version", "\"3.11.2\"");
	expect_json(f, "python.version_info", "[3,11,2,\"final\",0]");
	expect_json(f, "python.type", "\"cpython\"");
	expect_json(f, "python.has_sslcontext", "true");
	expect_json(f, "memtotal_mb", "24105");
	expect_json(f, "memory_mb.real.total", "24105");
	expect_json(f, "swaptotal_mb", "0");
	expect_json(f, "processor_count", "1");
	expect_json(f, "processor_cores", "2");
	expect_json(f, "processor_threads_per_core", "1");
	expect_json(f, "processor_vcpus", "2");
	expect_json(f, "processor_nproc", "2");
	expect_json(f, "processor", "[\"0\",\"AuthenticAMD\",\"AMD EPYC\","
	    "\"1\",\"AuthenticAMD\",\"AMD EPYC\"]");
	expect_json(f, "default_ipv4", "{}");
	expect_json(f, "default_ipv6", "{}");
	expect_json(f, "all_ipv4_addresses", "[\"198.51.100.32\"]");
	expect_json(f, "all_ipv6_addresses", "[]");
	expect_json(f, "eth0.ipv4", "{\"address\":\"198.51.100.32\","
	    "\"broadcast\":\"\",\"netmask\":\"255.255.255.0\","
	    "\"network\":\"198.51.100.0\",\"prefix\":\"24\"}");
	expect_json(f, "eth0.mtu", "1400");
	expect_json(f, "eth0.macaddress", "\"02:fc:00:00:00:01\"");
	expect_json(f, "eth0.type", "\"ether\"");
	expect_json(f, "eth0.active", "true");
	expect_json(f, "eth0.pciid", "\"virtio2\"");
	expect_json(f, "eth0.speed", "-1");
	expect_json(f, "lo.ipv6", "[{\"address\":\"::1\",\"prefix\":\"128\","
	    "\"scope\":\"host\"}]");
	expect_json(f, "lo.type", "\"loopback\"");
	expect_json(f, "mendlab0.type", "\"bridge\"");
	expect_json(f, "mendlab0.stp", "false");
	expect_json(f, "mendlab_v1.promisc", "true");
	expect_json(f, "ifb0.active", "false");
	expect_json(f, "env.HOME", "\"/root\"");
	expect_json(f, "date_time.tz", "\"UTC\"");
	expect_json(f, "date_time.tz_dst", "\"UTC\"");
	expect_json(f, "date_time.weekday", "\"Monday\"");
	expect_json(f, "date_time.weeknumber", "\"49\"");
	expect_json(f, "date_time.iso8601", "\"2026-12-07T00:05:39Z\"");
	expect_json(f, "date_time.iso8601_micro",
	    "\"2026-12-07T00:05:39.939097Z\"");
	expect_json(f, "date_time.epoch", "\"1796601939\"");
	assert_int_equal(val_map_getpath(f, "interfaces")->u.list.n, 13);
	val_free(f);
}

#define NONCE "n0"
#define S(name) "\n@@" NONCE ":" name "\n"

static const char routed[] =
	S("uname") "Linux\n5.10.0\n#1 SMP\naarch64\nweb1.example.org\n"
	S("fqdn") "10.0.0.5 web1.example.org web1\n"
	S("osrelease") "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\n"
	"VERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\nID=ubuntu\n"
	"ID_LIKE=debian\nUBUNTU_CODENAME=jammy\n"
	S("lsb_release") "Distributor ID:\tUbuntu\nDescription:\tUbuntu 22.04.4 "
	"LTS\nRelease:\t22.04\nCodename:\tjammy\n"
	S("lsb_file") "DISTRIB_ID=Other\n"
	S("pkg_mgr") "/usr/bin/yum\n/usr/bin/apt-get\n"
	S("date") "2026|07|15|14|00|00|1784116800|5000|CEST|+0200|Wednesday|3|28\n"
	"CET|+0100|CEST|+0200\n"
	S("cpuinfo") "processor\t: 0\nBogoMIPS\t: 50\nprocessor\t: 1\n"
	"processor\t: 2\n"
	S("netdev") "D eth0\naddress 52:54:00:aa:bb:cc\nmtu 1500\n"
	"operstate up\ntype 1\nflags 0x1003\nD bond0\naddress "
	"00:00:00:00:00:00\nmtu 9000\noperstate down\ntype 1\nbonding\n"
	"slave eth1\nslave eth2\nmode active-backup 1\nmiimon 100\n"
	"lacp_rate slow 0\nprimary \n"
	S("ipaddr") "2: eth0: <BROADCAST,UP> mtu 1500\n"
	"    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n"
	"    inet 10.0.0.9/32 scope global eth0:vip\n"
	"    inet6 fe80::1/64 scope link\n"
	S("ipaddr2") "2: eth0: <BROADCAST,UP> mtu 1500\n"
	"    inet 10.0.0.6/24 brd 10.0.0.255 scope global secondary eth0\n"
	S("route4") "8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0\n"
	"    cache\n";

static void
test_routed_ubuntu(void **state)
{
	struct val *f = facts_parse(routed, sizeof(routed) - 1, NONCE);

	(void)state;
	expect_json(f, "distribution", "\"Ubuntu\"");
	expect_json(f, "distribution_version", "\"22.04\"");
	expect_json(f, "distribution_major_version", "\"22\"");
	expect_json(f, "distribution_release", "\"jammy\"");
	expect_json(f, "os_family", "\"Debian\"");
	expect_json(f, "pkg_mgr", "\"apt\"");
	expect_json(f, "hostname", "\"web1\"");
	expect_json(f, "fqdn", "\"web1.example.org\"");
	expect_json(f, "domain", "\"example.org\"");
	expect_json(f, "lsb", "{\"id\":\"Ubuntu\",\"description\":\"Ubuntu "
	    "22.04.4 LTS\",\"release\":\"22.04\",\"codename\":\"jammy\","
	    "\"major_release\":\"22\"}");
	expect_json(f, "date_time.tz_dst", "\"CEST\"");
	expect_json(f, "date_time.iso8601", "\"2026-07-15T12:00:00Z\"");
	expect_json(f, "date_time.iso8601_basic", "\"20260715T140000000005\"");
	/* aarch64: the count is the processor lines */
	expect_json(f, "processor_count", "3");
	expect_json(f, "processor_vcpus", "3");
	expect_json(f, "default_ipv4", "{\"gateway\":\"10.0.0.1\","
	    "\"interface\":\"eth0\",\"address\":\"10.0.0.5\","
	    "\"broadcast\":\"10.0.0.255\",\"netmask\":\"255.255.255.0\","
	    "\"network\":\"10.0.0.0\",\"prefix\":\"24\","
	    "\"macaddress\":\"52:54:00:aa:bb:cc\",\"mtu\":1500,"
	    "\"type\":\"ether\",\"alias\":\"eth0\"}");
	expect_json(f, "all_ipv4_addresses",
	    "[\"10.0.0.5\",\"10.0.0.9\",\"10.0.0.6\"]");
	expect_json(f, "eth0_vip.ipv4.address", "\"10.0.0.9\"");
	expect_json(f, "eth0.ipv4_secondaries.0.address", "\"10.0.0.6\"");
	expect_json(f, "eth0.ipv6.0.scope", "\"link\"");
	expect_json(f, "eth0.promisc", "false");
	expect_json(f, "bond0.type", "\"bonding\"");
	expect_json(f, "bond0.slaves", "[\"eth1\",\"eth2\"]");
	expect_json(f, "bond0.mode", "\"active-backup\"");
	expect_json(f, "bond0.active", "false");
	assert_null(val_map_get(f, "bond0.macaddress"));
	assert_null(val_map_getpath(f, "bond0.primary"));
	expect_json(f, "interfaces", "[\"eth0\",\"bond0\",\"eth0:vip\"]");
	val_free(f);
}

/* What is missing stays missing; a forged marker (wrong nonce) is text. */
static void
test_missing_and_forged(void **state)
{
	static const char only[] = S("uname") "Linux\n6.1\n#1\nx86_64\nh\n"
	    "@@other:osrelease\nID=debian\n"
	    S("python") "/usr/bin/python3\nnot numbers\ncpython\n1\n";
	struct val *f = facts_parse(only, sizeof(only) - 1, NONCE);

	(void)state;
	expect_json(f, "system", "\"Linux\"");
	expect_json(f, "fqdn", "\"h\"");
	assert_null(val_map_get(f, "distribution"));
	assert_null(val_map_get(f, "os_family"));
	assert_null(val_map_get(f, "python"));
	assert_null(val_map_get(f, "env"));
	assert_null(val_map_get(f, "lsb"));
	assert_null(val_map_get(f, "interfaces"));
	val_free(f);
	f = facts_parse("", 0, NONCE);
	assert_int_equal(f->u.map.n, 0);
	val_free(f);
	assert_string_equal(facts_os_family("Rocky"), "RedHat");
	assert_string_equal(facts_os_family("Plan9"), "Plan9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bookworm_as_ansible),
		cmocka_unit_test(test_routed_ubuntu),
		cmocka_unit_test(test_missing_and_forged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
