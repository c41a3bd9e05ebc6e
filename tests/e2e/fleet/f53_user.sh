# shellcheck shell=bash disable=SC2046
# user module on every release, against ansible-core: the same playbook
# (groups for it, a user with uid, group, groups, comment, shell and a
# password hash; the same again; groups appended; groups emptied with
# comment and home moved; a system user without home; removals; a missing
# group) run by ansible-playbook on accounts mendu-a* and by mend on
# mendu-m* registers the same values and leaves the same accounts, groups
# and homes; check mode changes nothing; remove: true and generate_ssh_key
# are refused by name; rollback of mend's run puts the six account
# databases back byte for byte and removes the homes it made
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp" ANSIBLE_HOME="$T/ans-home" ANSIBLE_REMOTE_TEMP=/tmp/.ansible-f53
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - group: {name: "{{ u }}g{{ item }}", gid: "{{ base + 10 + item }}"}
      loop: [1, 2, 3]
    - user: {name: "{{ u }}1", uid: "{{ base }}", group: "{{ u }}g1", groups: ["{{ u }}g2"], comment: "Test One", shell: /bin/sh, password: "$6$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g."}
      register: r1
    - user: {name: "{{ u }}1", uid: "{{ base }}", group: "{{ u }}g1", groups: ["{{ u }}g2"], comment: "Test One", shell: /bin/sh}
      register: r2
    - user: {name: "{{ u }}1", groups: "{{ u }}g3", append: true}
      register: r3
    - user: {name: "{{ u }}1", groups: [], comment: Changed, home: "/home/{{ u }}1b", move_home: true}
      register: r4
    - user: {name: "{{ u }}2", system: true, create_home: false}
      register: r5
    - user: {name: "{{ u }}2", state: absent}
      register: r6
    - user: {name: "{{ u }}9", state: absent}
      register: r7
    - user: {name: "{{ u }}3", group: "{{ u }}nosuch"}
      register: r8
      ignore_errors: true
    - copy:
        dest: "/tmp/{{ u }}.regs"
        content: |
          {% for r in [r1, r2, r3, r4, r5, r6, r7, r8] %}
          {{ loop.index }} changed={{ r.changed }} failed={{ r.failed | default(false) }} {% for k in ['name','state','comment','home','shell','groups','system','create_home','append','move_home','force','remove','password'] %}{{ k }}={{ r[k] | default('-') | replace(u, 'U') }} {% endfor %}uid={{ '-' if r.uid is not defined else (r.uid - base) if r.uid >= base else 'sys' }} gid={{ '-' if r.group is not defined else (r.group - base) if r.group >= base else 'sys' }} msg={{ r.msg | default('') | replace(u, 'U') }}
          {% endfor %}
P
accounts() { # accounts N PREFIX: users, groups, memberships, homes (names relative)
	lab_sh "$1" sh -c "getent passwd | grep '^$2' | cut -d: -f1,5,6,7; getent shadow | grep '^$2' | cut -d: -f1,2; getent group | grep '^$2' | cut -d: -f1,4; ls -ld /home/$2* 2>/dev/null | awk '{print \$1, \$3, \$4, \$9}'" | sed "s/$2/P/g"
}
dbs() { lab_sh "$1" sh -c 'cd /etc && sha256sum passwd shadow group gshadow subuid subgid; stat -c "%n %a %U %G" passwd shadow group gshadow subuid subgid; ls -d /home/mendu-* 2>/dev/null; true'; }
cleanup() {
	for n in $(hosts_n); do
		lab_sh "$n" sh -c 'for x in $(getent passwd | cut -d: -f1 | grep "^mendu-"); do userdel "$x"; done; for g in $(getent group | cut -d: -f1 | grep "^mendu-"); do groupdel "$g"; done; rm -rf /home/mendu-* /tmp/mendu-*.regs /tmp/.ansible-f53' >/dev/null 2>&1
	done
}
cleanup
# the account databases as they are once the host stopped changing them
# (a freshly booted host may still be adding its own accounts)
for n in $(hosts_n); do
	dbs "$n" >"$T/db$n"
	for _ in $(seq 15); do sleep 2; dbs "$n" | cmp -s - "$T/db$n" && break; dbs "$n" >"$T/db$n"; done
done
mend_run run "$T/pb.yml" $(lab_args) -e u=mendu-m -e '{"base": 4600}' --check
expect_rc 0
for n in $(hosts_n); do dbs "$n" | cmp -s - "$T/db$n" || fail "h$n: check mode changed the account databases: $(dbs "$n" | diff "$T/db$n" -)"; done
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - user: {name: x, state: absent, remove: true}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
[ "$rc" -ne 0 ] || fail "remove: true accepted"
expect_out "bad.yml:4:.*argument 'remove' is not supported by mend"
stamp "check mode, refusal"
mend_run run "$T/pb.yml" $(lab_args) -e u=mendu-r -e '{"base": 4400}'
expect_rc 0
[ -d "$(host_root 1)/home/mendu-r1b" ] || fail "h1: the moved home is missing"
mend_run rollback "$(ls "$T/state/runs" | sort | tail -1)" $(lab_args)
expect_rc 0
for n in $(hosts_n); do
	dbs "$n" | cmp -s - "$T/db$n" || { dbs "$n" | diff "$T/db$n" -; cat "$T/out"; fail "h$n: rollback did not put the account databases and homes back"; } >&2
done
stamp "rollback"
ansible-playbook -i "$LAB/inventory.ini" "$T/pb.yml" -e u=mendu-a -e '{"base": 4500}' -e ansible_python_interpreter=/usr/bin/python3 >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
mend_run run "$T/pb.yml" $(lab_args) -e u=mendu-m -e '{"base": 4600}'
expect_rc 0
for n in $(hosts_n); do
	lab_sh "$n" cat /tmp/mendu-a.regs >"$T/a$n"
	lab_sh "$n" cat /tmp/mendu-m.regs >"$T/m$n"
	diff "$T/a$n" "$T/m$n" >&2 || fail "h$n ($(os_of "$n")): registered values differ from ansible's"
	[ "$(accounts "$n" mendu-a)" = "$(accounts "$n" mendu-m)" ] || { diff <(accounts "$n" mendu-a) <(accounts "$n" mendu-m); fail "h$n: accounts differ"; } >&2
done
stamp "differential against ansible-playbook"
cleanup
