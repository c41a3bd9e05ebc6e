# shellcheck shell=bash disable=SC2046
# group module on every release, against ansible-core: the same playbook
# (add with gid, add a system group, change a gid, idempotence, remove, a
# missing group removed, non_unique gid) run by ansible-playbook on groups
# mendg-a* and by mend on mendg-m* of each host registers the same values
# (changed, failed, name, state, gid, system, msg) and leaves the groups
# in the same state; check mode changes nothing; local: true is refused by
# name; rollback of mend's run puts /etc/group and /etc/gshadow back byte
# for byte (each host's own account databases: systemd hosts)
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp" ANSIBLE_HOME="$T/ans-home" ANSIBLE_REMOTE_TEMP=/tmp/.ansible-f52
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - group: {name: "{{ g }}1", gid: "{{ base }}"}
      register: r1
    - group: {name: "{{ g }}2", system: true}
      register: r2
    - group: {name: "{{ g }}1", gid: "{{ base + 1 }}"}
      register: r3
    - group: {name: "{{ g }}1", gid: "{{ base + 1 }}"}
      register: r4
    - group: {name: "{{ g }}3", gid: "{{ base + 1 }}", non_unique: true}
      register: r5
    - group: {name: "{{ g }}2", state: absent}
      register: r6
    - group: {name: "{{ g }}9", state: absent}
      register: r7
    - group: {name: "{{ g }}4", gid: "{{ base + 1 }}"}
      register: r8
      ignore_errors: true
    - copy:
        dest: "/tmp/{{ g }}.regs"
        content: |
          {% for r in [r1, r2, r3, r4, r5, r6, r7, r8] %}
          {{ loop.index }} changed={{ r.changed }} failed={{ r.failed | default(false) }} {% for k in ['name','state','system'] %}{{ k }}={{ r[k] | default('-') | replace(g, 'G') }} {% endfor %}gid={{ '-' if r.gid is not defined else (r.gid - base) if r.gid >= base else 'sys' }} msg={{ r.msg | default('') | replace(g, 'G') | replace((base + 1) | string, 'B1') }}
          {% endfor %}
P
groups_of() { lab_sh "$1" sh -c "getent group | grep '^$2' | cut -d: -f1 | sed 's/^$2//' | sort"; }
dbs() { lab_sh "$1" sh -c 'sha256sum /etc/group /etc/gshadow; stat -c "%a %U %G" /etc/group /etc/gshadow'; }
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'for g in $(getent group | cut -d: -f1 | grep "^mendg-"); do groupdel "$g"; done; rm -f /tmp/mendg-*.regs' >/dev/null 2>&1
	dbs "$n" >"$T/db$n"
done
mend_run run "$T/pb.yml" $(lab_args) -e g=mendg-m -e '{"base": 4100}' --check
expect_rc 0
for n in $(hosts_n); do dbs "$n" | cmp -s - "$T/db$n" || fail "h$n: check mode changed the account databases"; done
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - group: {name: x, local: true}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
[ "$rc" -ne 0 ] || fail "local: true accepted"
expect_out "bad.yml:4:.*argument 'local' is not supported by mend \\(local: true\\)"
stamp "check mode, refusal"
# rollback of a run puts the account databases back byte for byte
mend_run run "$T/pb.yml" $(lab_args) -e g=mendg-r -e '{"base": 4100}'
expect_rc 0
[ -n "$(lab_sh 1 sh -c 'getent group mendg-r1')" ] || fail "mendg-r1 not added"
mend_run rollback "$(ls "$T/state/runs" | sort | tail -1)" $(lab_args)
expect_rc 0
for n in $(hosts_n); do
	dbs "$n" | cmp -s - "$T/db$n" || { dbs "$n"; cat "$T/db$n"; cat "$T/out"; fail "h$n: rollback did not put /etc/group, /etc/gshadow back"; } >&2
	[ -z "$(lab_sh "$n" sh -c 'getent group | grep "^mendg-"')" ] || fail "h$n: groups left after rollback"
done
stamp "rollback"
ansible-playbook -i "$LAB/inventory.ini" "$T/pb.yml" -e g=mendg-a -e '{"base": 4200}' -e ansible_python_interpreter=/usr/bin/python3 >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
mend_run run "$T/pb.yml" $(lab_args) -e g=mendg-m -e '{"base": 4300}'
expect_rc 0
for n in $(hosts_n); do
	lab_sh "$n" cat /tmp/mendg-a.regs >"$T/a$n"
	lab_sh "$n" cat /tmp/mendg-m.regs >"$T/m$n"
	diff "$T/a$n" "$T/m$n" >&2 || fail "h$n ($(os_of "$n")): registered values differ from ansible's"
	[ "$(groups_of "$n" mendg-a)" = "$(groups_of "$n" mendg-m)" ] || { groups_of "$n" mendg-a; groups_of "$n" mendg-m; fail "h$n: groups differ"; } >&2
done
stamp "differential against ansible-playbook"
for n in $(hosts_n); do lab_sh "$n" sh -c 'for g in $(getent group | cut -d: -f1 | grep "^mendg-"); do groupdel "$g"; done; rm -rf /tmp/mendg-*.regs /tmp/.ansible-f52'; done
