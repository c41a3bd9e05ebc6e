# become as a non-root lab user through sudo
. "$TOP/tests/e2e/lib.sh"
sed 's/ansible_user=root/ansible_user=mendlab/' "$LAB/inventory.ini" >"$T/inv.ini"
grep -q 'ansible_user=mendlab' "$T/inv.ini" || fail "could not make a mendlab inventory"
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - command: id -un
      register: plain
    - command: id -un
      become: true
      register: root
    - assert:
        that:
          - plain.stdout == "mendlab"
          - root.stdout == "root"
    - name: write a root-owned file under become
      become: true
      copy: dest=/etc/nut/mend-become.conf content=ok mode=0640
P
mend_run run "$T/pb.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state"
expect_rc 0
[ "$(lab_sh 1 stat -c '%U %a' /etc/nut/mend-become.conf)" = "root 640" ] || fail "become copy"

# become_method: sudo (the only method mend has) is accepted at every level;
# a host's ansible_become_method other than sudo fails the tasks of that host
# that use become (not the others), naming the method; --become-method su is
# a usage error
cat >"$T/bm.yml" <<'P'
- hosts: h1
  gather_facts: false
  become_method: sudo
  tasks:
    - command: id -un
      become: true
      become_method: sudo
      register: r
    - assert: {that: [r.stdout == "root"]}
P
mend_run run "$T/bm.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state" --become-method sudo
expect_rc 0
sed 's/ansible_user=mendlab/ansible_user=mendlab ansible_become_method=su/' "$T/inv.ini" >"$T/inv-su.ini"
cat >"$T/su.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - command: id -un
    - command: id -un
      become: true
P
mend_run run "$T/su.yml" -i "$T/inv-su.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state"
expect_rc 2
expect_out "ansible_become_method 'su' is not supported by mend \\(it escalates with sudo only\\)"
[ "$(recap h1 ok)" = 1 ] && [ "$(recap h1 failed)" = 1 ] || fail "su host: recap"
mend_run run "$T/bm.yml" -i "$T/inv.ini" --become-method su
expect_rc 1
expect_out "--become-method 'su' is not supported: mend escalates with sudo only"
