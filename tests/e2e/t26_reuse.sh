# include_tasks with a loop (items, loop_var, a templated file name per
# item, when per item, an empty loop), differential against ansible-core:
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

# import_tasks takes no loop (Ansible: use include_tasks)
printf -- '- hosts: l1\n  gather_facts: false\n  tasks:\n    - import_tasks: step.yml\n      loop: [a]\n' >"$T/pb/bad.yml"
mend_run check -i "$T/inv.ini" "$T/pb/bad.yml"
expect_rc 3
expect_out "bad.yml:5:7: error: 'loop' on import_tasks is not supported by mend"
