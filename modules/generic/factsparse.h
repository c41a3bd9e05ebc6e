/*
 * factsparse.h - Ansible's setup facts from what one remote command saw
 * (the setup module's script prints sections; this file turns them into
 * the facts).  Pure: no host, no I/O; unit-tested against values that
 * ansible-core 2.14's setup module gave on the same hosts, and fuzzed.
 *
 * Input: the script's stdout, a sequence of sections, each introduced by a
 * line "@@NONCE:NAME" (NONCE: the per-run marker the script was given, so
 * that no file content can forge a section).  Unknown sections are
 * ignored; a missing section leaves its facts out (never a guess).
 * Sections and what they hold:
 *   uname       5 lines: uname -s, -r, -v, -m, -n
 *   osrelease   /etc/os-release (else /usr/lib/os-release)
 *   debian_version, lsb_release (lsb_release -a), lsb_file (/etc/lsb-release)
 *   distro_best the host's python3-distro version(best=True) when it is
 *               1.6 or newer (Ansible's module_utils then uses it), or ""
 *   fqdn        the names of the host's address (getent hosts), one line
 *   machine_id  /var/lib/dbus/machine-id, else /etc/machine-id
 *   user        "uid gid ruid rgid" then the login name, then its passwd
 *               line (getent passwd)
 *   env         env -0 (NUL-separated NAME=value)
 *   service_mgr one word (the script applies Ansible's rules)
 *   pkg_mgr     the package-manager paths that exist, one a line (and the
 *               word apt_rpm when rpm owns apt-get)
 *   python      executable, then "major minor micro releaselevel serial",
 *               then the implementation name, then 1/0 (ssl.SSLContext)
 *   meminfo, cpuinfo  /proc/meminfo, /proc/cpuinfo; nproc: one number
 *   uptime      /proc/uptime
 *   date        "Y|m|d|H|M|S|epoch|nanoseconds|Z|z|A|w|W" (date, local),
 *               then the %Z%z of 15 January and of 15 July
 *   netdev      per device of /sys/class/net (directory order): "D name",
 *               then "key value" lines (address mtu operstate type flags
 *               speed pciid bridge brif bridge_id stp_state bonding
 *               slaves mode miimon lacp_rate primary)
 *   ipaddr, ipaddr2   `ip addr show primary` and `... secondary`
 *   route4, route6    `ip -4 route get 8.8.8.8`, `ip -6 route get ...`
 *
 * Output: a map of facts without the ansible_ prefix (distribution,
 * os_family, default_ipv4, eth0...), as Ansible stores them under
 * ansible_facts.  Integers are V_INT where Ansible's are ints (mtu,
 * memtotal_mb, processor_count, user_uid...), strings where Ansible's are
 * strings (distribution_major_version, date_time.epoch, ipv4.prefix).
 */
#ifndef MEND_FACTSPARSE_H
#define MEND_FACTSPARSE_H

#include <stddef.h>

#include "runner/util/value.h"

/* Parse buf (len bytes, may hold NULs).  Never fails: returns a new map
 * (possibly empty) that the caller frees. */
struct val *facts_parse(const char *buf, size_t len, const char *nonce);

/* Ansible's os_family for a distribution name (Debian for Ubuntu...), or
 * the name itself. */
const char *facts_os_family(const char *distribution);

#endif
