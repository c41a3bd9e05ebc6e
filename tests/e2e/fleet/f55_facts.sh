# shellcheck shell=bash disable=SC2046
# facts on systemd hosts of every release at once, differential against
# ansible-core's setup module on the same hosts (Debian's ansible, over
# SSH with the lab's key): for each host, the facts playbooks read must be
# equal value for value (distribution*, os_family, kernel, architecture,
# hostname/fqdn/domain, machine_id, default_ipv4/6, all addresses, every
# interface's facts, user, service_mgr (systemd), pkg_mgr, python, memory
# total, processors, lsb, the zone fields of date_time, the stable
# environment); the interface list as a set (both read the directory
# order of /sys/class/net).  Then a play without gather_facts uses them
# (Ansible's default), including another host's through hostvars.
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
command -v ansible >/dev/null || fail "ansible missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP="$T/ans-tmp" ANSIBLE_HOME="$T/ans-home"
export ANSIBLE_HOST_KEY_CHECKING=True
ansible -i "$LAB/inventory.ini" all -m setup --tree "$T/ans" >"$T/ans.out" 2>&1 ||
	{ tail -20 "$T/ans.out" >&2; fail "ansible -m setup"; }
stamp "ansible setup done"
cat >"$T/setup.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: setup
      setup:
P
mend_run run $(lab_args) "$T/setup.yml" --json "$T/mend.json"
expect_rc 0
stamp "mend setup done"
python3 - "$T/ans" "$T/mend.json" <<'PY' || fail "facts differ from ansible's"
import json, sys
exact = """distribution distribution_release distribution_version
distribution_major_version distribution_minor_version os_family system
kernel kernel_version architecture machine hostname nodename fqdn domain
machine_id default_ipv4 default_ipv6 all_ipv4_addresses all_ipv6_addresses
user_id user_uid user_gid user_dir user_shell user_gecos effective_user_id
real_user_id effective_group_id real_group_id service_mgr pkg_mgr python
python_version memtotal_mb swaptotal_mb processor processor_count
processor_cores processor_threads_per_core processor_vcpus processor_nproc
lsb""".split()
mend = {r["host"]: r["data"]["ansible_facts"]
        for r in json.load(open(sys.argv[2]))["results"] if r["task"] == "setup"}
bad = 0
for host, mf in sorted(mend.items()):
    af = json.load(open(sys.argv[1] + "/" + host))["ansible_facts"]
    keys = ["ansible_" + k for k in exact]
    keys += ["ansible_" + i.replace("-", "_") for i in af["ansible_interfaces"]]
    for k in keys:
        if af.get(k, "<absent>") != mf.get(k, "<absent>"):
            print(host, k, "ansible:", af.get(k, "<absent>"), "mend:", mf.get(k, "<absent>"))
            bad += 1
    if sorted(af["ansible_interfaces"]) != sorted(mf["ansible_interfaces"]):
        print(host, "interfaces", af["ansible_interfaces"], mf["ansible_interfaces"])
        bad += 1
    for k in ("tz", "tz_dst", "tz_offset"):
        if af["ansible_date_time"][k] != mf["ansible_date_time"][k]:
            print(host, "date_time." + k, af["ansible_date_time"][k], mf["ansible_date_time"][k])
            bad += 1
    for k in ("HOME", "LOGNAME", "USER", "SHELL", "PATH", "PWD"):
        if af["ansible_env"].get(k) != mf["ansible_env"].get(k):
            print(host, "env." + k, af["ansible_env"].get(k), mf["ansible_env"].get(k))
            bad += 1
    print(host, "compared", len(keys) + 10, "facts")
sys.exit(1 if bad else 0)
PY
cat >"$T/use.yml" <<'P'
- hosts: all
  tasks:
    - name: facts in when and templates
      debug:
        msg: "{{ inventory_hostname }} {{ ansible_facts['distribution_release'] }} {{ ansible_service_mgr }} {{ hostvars['h1'].ansible_distribution_major_version }}"
      when: ansible_os_family == 'Debian' and ansible_distribution_major_version | int >= 11
P
mend_run run $(lab_args) "$T/use.yml"
expect_rc 0
for n in $(hosts_n); do
	expect_out "h$n \| facts in when and templates \| ok: h$n $(os_of "$n") systemd 11"
done
