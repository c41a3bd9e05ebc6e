# set_fact, include_vars, variable precedence and the magic variables,
# differential against ansible-core: one playbook, two local hosts, run by
# ansible-playbook and by mend, writes what each variable ended as into a
# file per host and play: the files must be identical (and the recaps).
# Play three: scoped variables (block and task vars, role and include
# parameters, a loop variable) against set_fact, register and -e, set_fact
# accumulating over a loop.
# Then mend's own errors: a bad set_fact name at check time, include_vars
# of a missing file, merge refused.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
py=/usr/bin/python3
mkdir -p "$T/pb/vars/d/sub" "$T/ans" "$T/mend"
cat >"$T/inv.ini" <<EOF2
[web]
l1 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock1 inv=inventory
l2.example.org ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock2 inv=inventory
[db]
l2.example.org
EOF2
printf 'common: from-file\nincl: include_vars\nlist: [1, 2]\nover: included\n' >"$T/pb/vars/common.yml"
printf 'd1: one\norder: a\n' >"$T/pb/vars/d/a.yml"
printf 'd2: two\norder: b\n' >"$T/pb/vars/d/b.yaml"
printf 'd3: three\norder: sub\n' >"$T/pb/vars/d/sub/c.yml"
printf 'ignored: true\n' >"$T/pb/vars/d/notes.txt"
cat >"$T/pb/pb.yml" <<'P'
- name: one
  hosts: web
  gather_facts: false
  vars:
    pv: play
    over: play
    setme: play
    ex: play
  tasks:
    - set_fact: kv=1 flag=yes
    - set_fact:
        n: "{{ kv | int + 1 }}"
        l: [1, "two"]
        no_str: "No"
        setme: "set_fact"
        ex: "set_fact"
        who: "{{ inventory_hostname_short }}"
    - set_fact:
        cached: "{{ who ~ '-c' }}"
        cacheable: true
    - include_vars: common.yml
    - include_vars:
        file: vars/common.yml
        name: scoped
    - include_vars:
        dir: vars/d
        ignore_unknown_extensions: true
      register: iv
    - name: echo
      command: echo hello
      register: reg
    - copy:
        dest: "{{ out }}/{{ inventory_hostname }}-1.txt"
        mode: "0600"
        content: |
          {{ kv }} {{ kv is string }} {{ flag }} {{ n }} {{ l }} {{ no_str }} {{ who }}
          {{ pv }} {{ over }} {{ setme }} {{ ex }} {{ inv }} {{ common }} {{ scoped.common }} {{ scoped.list | length }}
          {{ d1 }} {{ d2 }} {{ d3 }} {{ order }} {{ ignored | default('not loaded') }} {{ iv.ansible_included_var_files | length }}
          {{ ansible_facts.cached | default('none') }} {{ ansible_facts.who | default('not a fact') }} {{ cached }}
          {{ reg.stdout }} {{ reg.rc }} {{ reg.changed }}
          {{ inventory_hostname }} {{ inventory_hostname_short }} {{ group_names }} {{ groups['web'] }} {{ groups.db }}
          {{ ansible_play_hosts }} {{ ansible_play_hosts_all }} {{ ansible_play_batch }} {{ play_hosts }}
          {{ ansible_check_mode }} {{ ansible_diff_mode }} {{ ansible_version.full }} {{ ansible_version.major }}.{{ ansible_version.minor }}
          {{ ansible_play_name }} {{ playbook_dir == pbdir }} {{ hostvars['l1'].inv }} {{ hostvars['l2.example.org']['inventory_hostname_short'] }}
- name: two
  hosts: web
  gather_facts: false
  tasks:
    - copy:
        dest: "{{ out }}/{{ inventory_hostname }}-2.txt"
        mode: "0600"
        content: |
          {{ kv }} {{ n }} {{ who }} {{ common }} {{ d1 }} {{ reg.stdout }} {{ pv | default('play vars are per play') }}
          {{ hostvars['l1'].who }} {{ hostvars['l1'].n }} {{ hostvars['l2.example.org'].common }} {{ hostvars['l1'].reg.rc }}
- name: three (scoped variables against the layers)
  hosts: web
  gather_facts: false
  vars:
    sf: play
  pre_tasks:
    - set_fact: sf=setfact
  roles:
    - {role: r1, sf: roleparam, rp: param}
  tasks:
    - set_fact:
        acc: "{{ acc | default([]) + [item] }}"
      loop: [1, 2, 3]
    - command: echo registered
      vars: {r2: taskvar}
      register: r2
    - block:
        - copy:
            dest: "{{ out }}/{{ inventory_hostname }}-3.txt"
            mode: "0600"
            content: |
              {{ sf }} {{ bv }} {{ tv }} {{ acc }} {{ r2.stdout }} {{ rp | default('param gone') }}
          vars: {sf: taskvar, tv: task}
      vars: {sf: blockvar, bv: block}
    - include_tasks: inc3.yml
      vars: {sf: incparam, ip: inc}
    - set_fact: r3=after
      vars: {r3: taskvar}
    - copy:
        dest: "{{ out }}/{{ inventory_hostname }}-3b.txt"
        mode: "0600"
        content: "{{ sf }} {{ ip | default('inc param gone') }} {{ r3 }} {{ item | default('no item') }}\n"
    - copy:
        dest: "{{ out }}/{{ inventory_hostname }}-3c-{{ ex }}.txt"
        mode: "0600"
        content: "{{ ex }} looped\n"
      loop: [looped]
      loop_control: {loop_var: ex}
P
cat >"$T/pb/inc3.yml" <<'P'
- copy:
    dest: "{{ out }}/{{ inventory_hostname }}-3i.txt"
    mode: "0600"
    content: "{{ sf }} {{ ip }}\n"
  vars: {sf: taskvar}
P
mkdir -p "$T/pb/roles/r1/tasks"
cat >"$T/pb/roles/r1/tasks/main.yml" <<'P'
- copy:
    dest: "{{ out }}/{{ inventory_hostname }}-3r.txt"
    mode: "0600"
    content: "{{ sf }} {{ rp }}\n"
P
for who in ans mend; do
	if [ $who = ans ]; then
		ansible-playbook -i "$T/inv.ini" "$T/pb/pb.yml" -e out="$T/$who" -e ex=extra -e pbdir="$T/pb" >"$T/ans.out" 2>&1 ||
			{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
	else
		mend_run run -i "$T/inv.ini" "$T/pb/pb.yml" -e out="$T/$who" -e ex=extra -e pbdir="$T/pb" --state-dir "$T/state"
		expect_rc 0
	fi
done
for f in l1-1.txt l2.example.org-1.txt l1-2.txt l2.example.org-2.txt \
    l1-3.txt l1-3b.txt l1-3i.txt l1-3r.txt l1-3c-looped.txt; do
	diff "$T/ans/$f" "$T/mend/$f" >&2 || fail "$f: mend's variables differ from ansible's"
done
grep -E '^(l1|l2\.example\.org) +:' "$T/ans.out" | tr -s ' ' | sed 's/ *$//' >"$T/a-recap"
grep -E '^(l1|l2\.example\.org) +:' "$T/out" | tr -s ' ' | sed 's/ *$//' >"$T/m-recap"
diff "$T/a-recap" "$T/m-recap" >&2 || fail "recaps differ"

# errors: a bad name before any host; a missing file and merge at run time
printf -- '- hosts: l1\n  gather_facts: false\n  tasks:\n    - set_fact: {"1bad": x}\n' >"$T/bad.yml"
mend_run check -i "$T/inv.ini" "$T/bad.yml"
expect_rc 3
expect_out "bad.yml:4:18: error: set_fact: the variable name '1bad' is not valid"
cat >"$T/miss.yml" <<'P'
- hosts: l1
  gather_facts: false
  tasks:
    - include_vars: nosuch.yml
      ignore_errors: true
    - include_vars: {file: nosuch.yml, hash_behaviour: merge}
P
mend_run run -i "$T/inv.ini" "$T/miss.yml" --state-dir "$T/state"
expect_rc 2
expect_out "could not find or access 'nosuch.yml'"
expect_out "hash_behaviour: merge is not supported"
