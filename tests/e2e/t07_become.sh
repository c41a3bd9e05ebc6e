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
