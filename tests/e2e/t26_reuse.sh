# include_tasks with a loop (items, loop_var, a templated file name per
# item, when per item, an empty loop), then import_role and include_role,
# then `apply` and keywords on includes, differential against ansible-core:
# one playbook, two local hosts, run by ansible-playbook and by mend; each
# task that runs appends a line to a file per host: the files must be
# identical, and the recaps.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
py=/usr/bin/python3
mkdir -p "$T/ans" "$T/mend" "$T/pb"
cat >"$T/inv.ini" <<EOF2
[web]
l1 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock1
l2 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock2
EOF2
cat >"$T/pb/step.yml" <<'P'
- lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: "step {{ item }} {{ x | default('-') }} {{ ansible_loop_var | default('no loop var') }}", create: true, mode: "0600"}
P
for n in one two; do
	printf -- '- lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: "%s {{ f }}"}\n' "$n" >"$T/pb/$n.yml"
done
cat >"$T/pb/pb.yml" <<'P'
- hosts: web
  gather_facts: false
  tasks:
    - include_tasks: step.yml
      loop: [a, b]
      vars: {x: v}
    - include_tasks: "{{ f }}.yml"
      loop: [one, two]
      loop_control: {loop_var: f}
    - include_tasks: step.yml
      with_items: [c, d]
      when: item != 'c' and inventory_hostname == 'l1'
    - include_tasks: step.yml
      loop: "{{ [] }}"
P
for who in ans mend; do
	if [ $who = ans ]; then
		ansible-playbook -i "$T/inv.ini" "$T/pb/pb.yml" -e out="$T/$who" >"$T/ans.out" 2>&1 ||
			{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
	else
		mend_run run -i "$T/inv.ini" "$T/pb/pb.yml" -e out="$T/$who" --state-dir "$T/state"
		expect_rc 0
	fi
done
for f in l1 l2; do
	diff "$T/ans/$f" "$T/mend/$f" >&2 || fail "$f: mend's tasks differ from ansible's"
done
grep -E '^l[12] +:' "$T/ans.out" | tr -s ' ' | sed 's/ *$//' >"$T/a-recap"
grep -E '^l[12] +:' "$T/out" | tr -s ' ' | sed 's/ *$//' >"$T/m-recap"
diff "$T/a-recap" "$T/m-recap" >&2 || fail "recaps differ"

# import_role and include_role: tasks_from, vars as parameters, when once,
# the role's handlers, defaults and vars (import_role's play-wide,
# include_role's private to its tasks), role vars over play vars
mkdir -p "$T/pb/roles/r/tasks" "$T/pb/roles/r/defaults" "$T/pb/roles/r/vars" \
    "$T/pb/roles/r/handlers" "$T/pb/roles/q/defaults" "$T/pb/roles/q/tasks"
cat >"$T/pb/roles/r/tasks/main.yml" <<'P'
- lineinfile: {path: "{{ out }}/{{ inventory_hostname }}-r", line: "main {{ rd }} {{ rv }} {{ p | default('nop') }} {{ pv }}", create: true, mode: "0600"}
  notify: rh
P
cat >"$T/pb/roles/r/tasks/other.yml" <<'P'
- lineinfile: {path: "{{ out }}/{{ inventory_hostname }}-r", line: "other {{ rd }}", create: true, mode: "0600"}
P
printf 'rd: def\npv: role-default\n' >"$T/pb/roles/r/defaults/main.yml"
printf 'rv: var\npv: role-var\n' >"$T/pb/roles/r/vars/main.yml"
printf -- "- {name: rh, lineinfile: {path: '{{ out }}/{{ inventory_hostname }}-r', line: handler}}\n" >"$T/pb/roles/r/handlers/main.yml"
printf 'qd: qdef\nqo: qdef\n' >"$T/pb/roles/q/defaults/main.yml"
cat >"$T/pb/roles/q/tasks/main.yml" <<'P'
- lineinfile: {path: "{{ out }}/{{ inventory_hostname }}-r", line: "q {{ qd }} {{ qo }}", create: true, mode: "0600"}
P
cat >"$T/pb/roles.yml" <<'P'
- hosts: web
  gather_facts: false
  vars: {pv: play, qo: play}
  tasks:
    - import_role: {name: r}
      vars: {p: imp}
    - include_role: {name: r, tasks_from: other}
    - include_role: {name: q}
      when: inventory_hostname == 'l2'
    - include_role: {name: q}
      vars: {qd: inc}
    - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}-r", line: "after {{ rd | default('private') }} {{ qd | default('private') }}"}
P
for who in ans mend; do
	if [ $who = ans ]; then
		ansible-playbook -i "$T/inv.ini" "$T/pb/roles.yml" -e out="$T/$who" >"$T/ans.out" 2>&1 ||
			{ cat "$T/ans.out" >&2; fail "ansible-playbook failed (roles)"; }
	else
		mend_run run -i "$T/inv.ini" "$T/pb/roles.yml" -e out="$T/$who" --state-dir "$T/state"
		expect_rc 0
	fi
done
for f in l1-r l2-r; do
	diff "$T/ans/$f" "$T/mend/$f" >&2 || fail "$f: mend's role tasks differ from ansible's"
done
grep -E '^l[12] +:' "$T/ans.out" | tr -s ' ' | sed 's/ *$//' >"$T/a-recap"
grep -E '^l[12] +:' "$T/out" | tr -s ' ' | sed 's/ *$//' >"$T/m-recap"
diff "$T/a-recap" "$T/m-recap" >&2 || fail "recaps differ (roles)"

# apply: keywords for the included tasks; the include's own keywords
# (ignore_errors here) are not inherited by them, as Ansible's
cat >"$T/pb/fail.yml" <<'P'
- lineinfile: {path: "{{ out }}/{{ inventory_hostname }}-a", line: "{{ av | default('no apply') }}", create: true, mode: "0600"}
- command: "false"
P
cat >"$T/pb/apply.yml" <<'P'
- hosts: web
  gather_facts: false
  tasks:
    - include_tasks:
        file: fail.yml
        apply: {ignore_errors: true, vars: {av: applied}}
    - include_role:
        name: q
        apply: {vars: {qd: applied}}
    - include_tasks: fail.yml
      ignore_errors: true
      when: inventory_hostname == 'l2'
    - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}-a", line: "after"}
P
for who in ans mend; do
	if [ $who = ans ]; then
		ansible-playbook -i "$T/inv.ini" "$T/pb/apply.yml" -e out="$T/$who" >"$T/ans.out" 2>&1
		[ $? = 2 ] || { cat "$T/ans.out" >&2; fail "ansible-playbook: not exit 2 (apply)"; }
	else
		mend_run run -i "$T/inv.ini" "$T/pb/apply.yml" -e out="$T/$who" --state-dir "$T/state"
		expect_rc 2
	fi
done
for f in l1-a l2-a l1-r l2-r; do
	diff "$T/ans/$f" "$T/mend/$f" >&2 || fail "$f: mend's tasks differ from ansible's (apply)"
done
grep -E '^l[12] +:' "$T/ans.out" | tr -s ' ' | sed 's/ *$//' >"$T/a-recap"
grep -E '^l[12] +:' "$T/out" | tr -s ' ' | sed 's/ *$//' >"$T/m-recap"
diff "$T/a-recap" "$T/m-recap" >&2 || fail "recaps differ (apply)"

# import_tasks takes no loop (Ansible: use include_tasks)
printf -- '- hosts: l1\n  gather_facts: false\n  tasks:\n    - import_tasks: step.yml\n      loop: [a]\n' >"$T/pb/bad.yml"
mend_run check -i "$T/inv.ini" "$T/pb/bad.yml"
expect_rc 3
expect_out "bad.yml:5:7: error: 'loop' on import_tasks is not supported by mend"
cat >"$T/pb/bad2.yml" <<'P'
- hosts: l1
  gather_facts: false
  tasks:
    - include_role: {name: r, tasks_from: nosuch}
    - include_role: {name: "{{ x }}"}
    - import_role: {name: r, public: true}
    - include_role: {name: r}
      become: true
    - import_role: {name: nosuch}
    - include_tasks: step.yml
      become: true
    - include_tasks: {file: step.yml, apply: {register: x}}
P
mend_run check -i "$T/inv.ini" "$T/pb/bad2.yml"
expect_rc 3
expect_out "bad2.yml:4:43: error: tasks_from: the role has no tasks/nosuch"
expect_out "bad2.yml:5:28: error: include_role: 'name' must name a role"
expect_out "bad2.yml:6:30: error: import_role: 'public' is not supported by mend"
expect_out "bad2.yml:8:7: error: 'become' on include_role is not supported by mend"
expect_out "bad2.yml:9:27: error: the role 'nosuch' was not found"
expect_out "bad2.yml:11:7: error: 'become' is not a keyword of include_tasks"
expect_out "bad2.yml:12:47: error: include_tasks: 'register' in 'apply' is not supported by mend"
