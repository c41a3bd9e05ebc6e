# meta: flush_handlers, noop, reset_connection, end_host, end_play, end_batch, differential
# against ansible-core: one playbook, two local hosts, run by
# ansible-playbook and by mend; each task that runs appends a line to a file
# per host: the files must be identical, and the recaps (meta tasks count
# nothing).  Then the refusals, at file:line:col, before any host.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
py=/usr/bin/python3
mkdir -p "$T/ans" "$T/mend"
cat >"$T/inv.ini" <<EOF2
[web]
l1 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock1
l2 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock2
l3 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock3
EOF2
cat >"$T/pb.yml" <<'P'
- name: flush and end_host
  hosts: web
  gather_facts: false
  tasks:
    - command: echo a
      changed_when: true
      notify: [h1, h2]
    - meta: noop
    - meta: reset_connection
    - name: flushed before this
      lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: after-flush, create: true, mode: "0600"}
    - meta: flush_handlers
    - command: echo b
      changed_when: true
      notify: h2
    - meta: end_host
      when: inventory_hostname == 'l2'
    - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: not-l2}
    - block:
        - meta: end_host
          when: inventory_hostname == 'l3'
      always:
        - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: always-not-l3}
    - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: l1-only}
  handlers:
    - name: h1
      lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: h1, create: true, mode: "0600"}
    - name: h2
      lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: h2, create: true, mode: "0600"}
- name: end_play
  hosts: web
  gather_facts: false
  serial: 1
  tasks:
    - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: play2}
      notify: h3
    - meta: end_play
      when: inventory_hostname == 'l1'
    - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: play2-not-l1}
  handlers:
    - name: h3
      lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: h3}
- name: end_batch
  hosts: web
  gather_facts: false
  serial: 1
  tasks:
    - meta: end_batch
      when: inventory_hostname == 'l2'
    - lineinfile: {path: "{{ out }}/{{ inventory_hostname }}", line: play3-not-l2}
P
for who in ans mend; do
	if [ $who = ans ]; then
		ansible-playbook -i "$T/inv.ini" "$T/pb.yml" -e out="$T/$who" >"$T/ans.out" 2>&1 ||
			{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
	else
		mend_run run -i "$T/inv.ini" "$T/pb.yml" -e out="$T/$who" --state-dir "$T/state"
		expect_rc 0
	fi
done
for f in l1 l2 l3; do
	diff "$T/ans/$f" "$T/mend/$f" >&2 || fail "$f: mend's tasks differ from ansible's"
done
grep -E '^l[123] +:' "$T/ans.out" | tr -s ' ' | sed 's/ *$//' >"$T/a-recap"
grep -E '^l[123] +:' "$T/out" | tr -s ' ' | sed 's/ *$//' >"$T/m-recap"
diff "$T/a-recap" "$T/m-recap" >&2 || fail "recaps differ"

# refusals: Ansible's meta actions mend lacks, a typo, when on flush_handlers
cat >"$T/bad.yml" <<'P'
- hosts: l1
  gather_facts: false
  tasks:
    - meta: clear_facts
    - meta: flush_handler
    - meta: flush_handlers
      when: true
    - meta: noop
      become: true
P
mend_run check -i "$T/inv.ini" "$T/bad.yml"
expect_rc 3
expect_out "bad.yml:4:13: error: meta: 'clear_facts' is an Ansible meta action that mend does not have"
expect_out "bad.yml:5:13: error: meta: 'flush_handler' is not a meta action"
expect_out "bad.yml:7:7: error: meta: flush_handlers does not take 'when'"
expect_out "bad.yml:9:7: error: 'become' on meta is not supported by mend"
