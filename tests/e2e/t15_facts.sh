# facts, differential against ansible-core (tests/install-deps installs
# it): the same playbook, without gather_facts (Ansible's default: gather),
# run by ansible-playbook and by mend on two local hosts writes the facts
# real playbooks read into a file per host: the files must be identical,
# and so must the recaps (Gathering Facts counts as ok).  Then what mend
# does on its own: gather_facts: false leaves the facts undefined (an
# error naming the variable), the facts of play 1 stay for play 2 (the
# run's cache), gather_subset and setup's filter, a bad subset refused.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
py=/usr/bin/python3
cat >"$T/inv.ini" <<EOF2
[web]
l1 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock1
l2.example.org ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock2
EOF2
cat >"$T/pb.yml" <<'P'
- name: facts as real playbooks read them
  hosts: web
  tasks:
    - name: write the facts
      copy:
        dest: "{{ out }}/{{ inventory_hostname }}.txt"
        mode: "0600"
        content: |
          {{ ansible_distribution }}|{{ ansible_distribution_release }}|{{ ansible_distribution_version }}|{{ ansible_distribution_major_version }}|{{ ansible_os_family }}
          {{ ansible_facts.distribution }}|{{ ansible_facts['os_family'] }}|{{ ansible_facts.distribution_major_version }}
          {{ ansible_system }}|{{ ansible_kernel }}|{{ ansible_kernel_version }}|{{ ansible_architecture }}|{{ ansible_machine }}|{{ ansible_machine_id }}
          {{ ansible_hostname }}|{{ ansible_nodename }}|{{ ansible_fqdn }}|{{ ansible_domain }}
          {{ ansible_user_id }}|{{ ansible_user_uid }}|{{ ansible_user_gid }}|{{ ansible_user_dir }}|{{ ansible_user_shell }}|{{ ansible_env.HOME }}
          {{ ansible_service_mgr }}|{{ ansible_pkg_mgr }}|{{ ansible_lsb }}
          {{ ansible_python.executable }}|{{ ansible_python_version }}|{{ ansible_python.version.major }}|{{ ansible_python.type }}
          {{ ansible_memtotal_mb }}|{{ ansible_swaptotal_mb }}|{{ ansible_processor_vcpus }}|{{ ansible_processor_count }}|{{ ansible_processor_cores }}|{{ ansible_processor_nproc }}
          {{ ansible_all_ipv4_addresses | length }}|{{ ansible_interfaces | length }}|{{ ansible_lo.ipv4.address }}|{{ ansible_lo.mtu }}|{{ ansible_lo.type }}
          {{ ansible_default_ipv4.address | default('none') }}|{{ ansible_default_ipv4.interface | default('none') }}|{{ ansible_default_ipv4.gateway | default('none') }}
          {{ ansible_date_time.tz }}|{{ ansible_date_time.tz_offset }}|{{ ansible_date_time.epoch | length }}
          {{ hostvars['l1'].ansible_hostname }}|{{ hostvars['l2.example.org']['ansible_facts']['system'] }}
          {{ ansible_play_hosts }}|{{ ansible_play_batch }}|{{ inventory_hostname_short }}|{{ group_names }}
- name: the facts stay for the run
  hosts: web
  gather_facts: false
  tasks:
    - name: facts of play 1
      copy:
        dest: "{{ out }}/{{ inventory_hostname }}-2.txt"
        content: "{{ ansible_os_family }} {{ ansible_facts.kernel }}\n"
        mode: "0600"
P
for who in ans mend; do mkdir -p "$T/$who"; done
ansible-playbook -i "$T/inv.ini" "$T/pb.yml" -e out="$T/ans" >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
mend_run run -i "$T/inv.ini" "$T/pb.yml" -e out="$T/mend" --state-dir "$T/state"
expect_rc 0
expect_out "l1 \| Gathering Facts \| ok"
for f in l1.txt l2.example.org.txt l1-2.txt l2.example.org-2.txt; do
	diff "$T/ans/$f" "$T/mend/$f" >&2 || fail "$f: mend's facts differ from ansible's"
done
grep -E '^(l1|l2\.example\.org) +:' "$T/ans.out" | tr -s ' ' | sed 's/ *$//' >"$T/a-recap"
grep -E '^(l1|l2\.example\.org) +:' "$T/out" | tr -s ' ' | sed 's/ *$//' >"$T/m-recap"
diff "$T/a-recap" "$T/m-recap" >&2 || fail "recaps differ"

# gather_facts: false: no facts, an error naming the variable
cat >"$T/nofacts.yml" <<'P'
- hosts: l1
  gather_facts: false
  tasks:
    - debug: msg="{{ ansible_os_family }}"
P
mend_run run -i "$T/inv.ini" "$T/nofacts.yml" --state-dir "$T/state"
expect_rc 2
expect_out "'ansible_os_family' is undefined"
expect_no_out "Gathering Facts"
# gather_subset: network only (with min): no hardware facts
cat >"$T/subset.yml" <<'P'
- hosts: l1
  gather_subset: ["!all", "network"]
  tasks:
    - debug: msg="{{ ansible_lo.mtu }} {{ ansible_os_family }} {{ ansible_memtotal_mb is defined }}"
    - setup:
        filter: ["ansible_distribution*"]
      register: f
    - assert:
        that:
          - f.ansible_facts.ansible_distribution == ansible_distribution
          - f.ansible_facts.ansible_kernel is not defined
    - setup:
        gather_subset: [selinux]
P
mend_run run -i "$T/inv.ini" "$T/subset.yml" --state-dir "$T/state"
expect_rc 2
expect_out "debug \| ok: 65536 Debian False"
expect_out "l1 \| assert \| ok"
expect_out "gather_subset 'selinux': mend does not gather these facts"
