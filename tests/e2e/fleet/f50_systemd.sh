# shellcheck shell=bash disable=SC2046
# systemd module on every release at once, against ansible-core: the same
# playbook (daemon_reload, started+enabled, the systemd_service name,
# restarted, stopped+masked, unmasked+disabled, daemon_reload alone, a
# unit that does not exist) run by ansible-playbook on unit mendt-a and by
# mend on unit mendt-m of each host leaves the units in the same state and
# registers the same values (changed, failed, name, state, enabled,
# status.ActiveState/LoadState/UnitFileState/SubState, msg); check mode
# changes nothing; started+enabled twice is ok the second time; rollback
# of a mask run and of the enable run puts is-enabled back; scope:
# user is refused by name before any host is contacted
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp" ANSIBLE_HOME="$T/ans-home" ANSIBLE_REMOTE_TEMP=/tmp/.ansible-f50
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - copy:
        dest: "/usr/lib/systemd/system/{{ u }}.service"
        content: |
          [Unit]
          Description=mend test
          [Service]
          ExecStart=/bin/sleep 1000
          [Install]
          WantedBy=multi-user.target
    - systemd: {name: "{{ u }}", state: started, enabled: true, daemon_reload: true}
      register: r1
    - systemd_service: {name: "{{ u }}", state: started, enabled: true}
      register: r2
    - systemd: {name: "{{ u }}", state: restarted}
      register: r3
    - systemd: {name: "{{ u }}", state: stopped, masked: true}
      register: r4
    - systemd: {name: "{{ u }}", masked: false, enabled: false}
      register: r5
    - systemd: {daemon_reload: true}
      register: r6
    - systemd: {name: "nosuch-{{ u }}", state: started}
      register: r7
      ignore_errors: true
    - copy:
        dest: "/tmp/{{ u }}.regs"
        content: |
          {% for r in [r1, r2, r3, r4, r5, r6, r7] %}
          {{ loop.index }} changed={{ r.changed }} failed={{ r.failed | default(false) }} {% for k in ['name','state','enabled'] %}{{ k }}={{ r[k] | default('-') | replace(u, 'U') }} {% endfor %}{% for k in ['ActiveState','LoadState','UnitFileState','SubState'] %}{{ k }}={{ (r.status | default({}))[k] | default('-') }} {% endfor %} msg={{ r.msg | default('') | replace(u, 'U') }}
          {% endfor %}
P
cat >"$T/start.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - systemd: {name: mendt-c, state: started, enabled: true, daemon_reload: true}
P
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'for u in mendt-a mendt-m mendt-c; do systemctl unmask $u; systemctl disable --now $u; rm -f /usr/lib/systemd/system/$u.service /tmp/$u.regs; done; systemctl daemon-reload' >/dev/null 2>&1
done
# check mode: nothing started or enabled
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'printf "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n" >/usr/lib/systemd/system/mendt-c.service && systemctl daemon-reload'
done
mend_run run "$T/start.yml" $(lab_args) --check
expect_rc 0
expect_out 'systemd \| changed'
for n in $(hosts_n); do
	! active "$n" mendt-c || fail "h$n: check mode started the unit"
	[ "$(lab_sh "$n" systemctl is-enabled mendt-c)" = disabled ] || fail "h$n: check mode enabled the unit"
done
mend_run run "$T/start.yml" $(lab_args)
expect_rc 0
for n in $(hosts_n); do
	active "$n" mendt-c || fail "h$n: mendt-c not started"
	[ "$(lab_sh "$n" systemctl is-enabled mendt-c)" = enabled ] || fail "h$n: mendt-c not enabled"
done
mend_run run "$T/start.yml" $(lab_args)
for n in $(hosts_n); do [ "$(recap "h$n" changed)" = 0 ] || { cat "$T/out"; fail "h$n: second run changed"; }; done
# rollback puts the enablement back: the mask run, then the start run
first=$(ls "$T/state/runs" | sort | head -1)
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - systemd: {name: mendt-c, state: stopped, masked: true}\n' >"$T/mask.yml"
mend_run run "$T/mask.yml" $(lab_args)
expect_rc 0
masked=$(ls "$T/state/runs" | sort | tail -1)
for n in $(hosts_n); do [ "$(lab_sh "$n" systemctl is-enabled mendt-c)" = masked ] || fail "h$n: mendt-c not masked"; done
mend_run rollback "$masked" $(lab_args)
expect_rc 0
for n in $(hosts_n); do [ "$(lab_sh "$n" systemctl is-enabled mendt-c)" = enabled ] || { cat "$T/out"; fail "h$n: rollback did not unmask mendt-c"; }; done
mend_run rollback "$first" $(lab_args)
expect_rc 0
for n in $(hosts_n); do [ "$(lab_sh "$n" systemctl is-enabled mendt-c)" = disabled ] || { cat "$T/out"; fail "h$n: rollback did not disable mendt-c"; }; done
stamp "rollback of mask and enable"
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - systemd: {name: x, state: started, scope: user}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
[ "$rc" -ne 0 ] || fail "scope: user accepted"
expect_out "bad.yml:4:.*argument 'scope' is not supported by mend \\(scope: user\\)"
stamp "check mode, start+enable, idempotence, refusal"
ansible-playbook -i "$LAB/inventory.ini" "$T/pb.yml" -e u=mendt-a -e ansible_python_interpreter=/usr/bin/python3 >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
mend_run run "$T/pb.yml" $(lab_args) -e u=mendt-m
expect_rc 0
for n in $(hosts_n); do
	lab_sh "$n" cat /tmp/mendt-a.regs >"$T/a$n"
	lab_sh "$n" cat /tmp/mendt-m.regs >"$T/m$n"
	diff "$T/a$n" "$T/m$n" >&2 || fail "h$n ($(os_of "$n")): registered values differ from ansible's"
	for q in is-active is-enabled; do
		[ "$(lab_sh "$n" systemctl $q mendt-a)" = "$(lab_sh "$n" systemctl $q mendt-m)" ] || fail "h$n: $q differs"
	done
done
stamp "differential against ansible-playbook"
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'for u in mendt-a mendt-m mendt-c; do systemctl disable --now $u; rm -f /usr/lib/systemd/system/$u.service /tmp/$u.regs; done; rm -rf /tmp/.ansible-f50; systemctl daemon-reload' >/dev/null 2>&1
done
