# keywords Ansible templates, and environment, differential against
# ansible-core: serial "{{ n }}", ignore_errors "{{ ... }}", when lists,
# environment on the play and the task (a mapping or a template giving
# one, the task's over the play's), timeout "{{ ... }}": the same files
# and recaps from ansible-playbook and mend on two local hosts.  Then
# mend's own: no_log "{{ true }}" hides the value, a template that is not
# a boolean fails the task, an environment name that is not one fails it.
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
EOF2
cat >"$T/pb.yml" <<'P'
- hosts: web
  gather_facts: false
  serial: "{{ n }}"
  vars:
    n: 1
    ie: "{{ inventory_hostname == 'l1' }}"
    proxy_env: {TASKVAR: "from-template {{ inventory_hostname }}"}
  environment:
    PLAYVAR: "play value"
    BOTH: play
  tasks:
    - name: fails, ignored on l1 only
      command: /bin/false
      ignore_errors: "{{ ie }}"
      when: inventory_hostname == 'l1'
    - name: env
      shell: 'printf "%s|%s|%s|%s\n" "$PLAYVAR" "$BOTH" "$TASKVAR" "$NOPE" > {{ out }}/{{ inventory_hostname }}-env.txt'
      environment:
        BOTH: task
        TASKVAR: direct
    - name: env from a template
      shell: 'printf "%s|%s\n" "$TASKVAR" "$PLAYVAR" > {{ out }}/{{ inventory_hostname }}-env2.txt'
      environment: "{{ proxy_env }}"
      timeout: "{{ 5 + 5 }}"
    - name: batch
      copy:
        dest: "{{ out }}/{{ inventory_hostname }}-batch.txt"
        content: "batch={{ ansible_play_batch }}\n"
        mode: "0600"
      when:
        - n == 1
        - inventory_hostname is defined
P
ansible-playbook -i "$T/inv.ini" "$T/pb.yml" -e out="$T/ans" >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
mend_run run -i "$T/inv.ini" "$T/pb.yml" -e out="$T/mend" --state-dir "$T/state"
expect_rc 0
for f in l1-env.txt l2-env.txt l1-env2.txt l2-env2.txt l1-batch.txt l2-batch.txt; do
	diff "$T/ans/$f" "$T/mend/$f" >&2 || fail "$f differs from ansible's"
done
grep -E '^l[12] +:' "$T/ans.out" | tr -s ' ' | sed 's/ *$//' >"$T/a-recap"
grep -E '^l[12] +:' "$T/out" | tr -s ' ' | sed 's/ *$//' >"$T/m-recap"
diff "$T/a-recap" "$T/m-recap" >&2 || fail "recaps differ"

cat >"$T/own.yml" <<'P'
- hosts: l1
  gather_facts: false
  vars:
    secret: hunter2-xyz
    hide: true
  tasks:
    - debug: msg="{{ secret }}"
      no_log: "{{ hide }}"
    - command: "true"
      environment: {"BAD-NAME": x}
      ignore_errors: true
    - ping:
      ignore_errors: "{{ 'maybe' }}"
P
mend_run run -i "$T/inv.ini" "$T/own.yml" --state-dir "$T/state"
expect_rc 2
expect_no_out "hunter2-xyz"
expect_out "ignore_errors: 'maybe' is not a boolean"
expect_out "environment: 'BAD-NAME' is not a valid variable name"
