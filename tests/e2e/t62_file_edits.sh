# replace and blockinfile on a lab host over SSH: check mode changes nothing
# and shows the diff; the edits (backrefs, after/before, a named group,
# blockinfile with custom markers, insertafter/insertbefore, removal, create
# with mode); a second run changes only the registered-values file;
# refused arguments are named at load time with file:line:col; a backup is
# no more readable than its original; rollback puts back every byte and
# mode; and the same tasks run by ansible-playbook over the same SSH on twin
# directories leave the same tree and the same registered values
. "$TOP/tests/e2e/lib.sh"
B=/etc/nut/e2e-edit
tree() { # tree N DIR: kind, mode, owner and sha256 of each entry
	lab_sh "$1" sh -c "cd '$2' && find . -printf '%P %y %m %u %g %l\n' | sort && find . -type f -exec sha256sum {} + | sort"
}
setup() { # setup DIR
	lab_sh 1 sh -c "rm -rf '$1' && mkdir -p '$1' && printf 'port 80\n# listen on all\nListen 0.0.0.0:80\n[main]\nkey = a\nkey = b\n[other]\nkey = c\n' >'$1/app.conf' && chmod 0640 '$1/app.conf' && printf '127.0.0.1 localhost\n' >'$1/hosts' && printf 'a\n# BEGIN MEND x\nold\n# END MEND x\nz' >'$1/blk' && chmod 0600 '$1/blk'"
}
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - replace: {path: "{{ b }}/app.conf", regexp: '^port (80)$', replace: 'port 8\1'}
      register: r1
    - replace: {path: "{{ b }}/app.conf", regexp: '^key = (?P<v>\w)$', replace: 'key = \g<v>\g<v>', after: '\[main\]', before: '\[other\]'}
      register: r2
    - replace: {path: "{{ b }}/app.conf", regexp: 'nothing', replace: 'x', mode: "0644"}
      register: r3
    - replace: {path: "{{ b }}/missing", regexp: 'a'}
      register: r4
      ignore_errors: true
    - blockinfile:
        path: "{{ b }}/hosts"
        block: |
          198.51.100.1 lab1
          198.51.100.2 lab2
      register: r5
    - blockinfile: {path: "{{ b }}/hosts", insertbefore: BOF, marker: "## {mark} top", block: "# managed"}
      register: r6
    - blockinfile: {path: "{{ b }}/blk", marker: "# {mark} MEND x", state: absent}
      register: r7
    - blockinfile: {path: "{{ b }}/new/file", create: true, mode: "0600", block: "x=1", insertafter: "nothing"}
      register: r8
    - blockinfile: {path: "{{ b }}/app.conf", insertafter: '^\[main\]', block: "# section", marker: "; {mark}"}
      register: r9
    - copy:
        dest: "{{ b }}.regs"
        content: |
          {% for r in [r1, r2, r3, r4, r5, r6, r7, r8, r9] %}
          {{ loop.index }} changed={{ r.changed }} failed={{ r.failed | default(false) }} rc={{ r.rc | default('-') }} msg={{ (r.msg | default('')) | replace(b, 'B') }}
          {% endfor %}
P
setup $B
before=$(tree 1 $B)
mend_run run "$T/pb.yml" $(lab_args) -e b=$B --check --diff
expect_rc 0
expect_out '^\+port 880'
expect_out '^\+198\.51\.100\.1 lab1'
[ "$(tree 1 $B)" = "$before" ] || fail "check mode changed the tree"
mend_run run "$T/pb.yml" $(lab_args) -e b=$B
expect_rc 0
[ "$(recap h1 changed)" = 9 ] || { cat "$T/out"; fail "9 changes expected"; }
lab_sh 1 cat $B/app.conf >"$T/app.conf"
printf 'port 880\n# listen on all\nListen 0.0.0.0:80\n[main]\n; BEGIN\n# section\n; END\nkey = aa\nkey = bb\n[other]\nkey = c\n' | cmp - "$T/app.conf" || fail "app.conf: $(cat "$T/app.conf")"
[ "$(lab_sh 1 stat -c %a $B/new/file)" = 600 ] || fail "created file mode"
mend_run run "$T/pb.yml" $(lab_args) -e b=$B
# second run: the regs file, and blk: state=absent without markers ends
# its last line with a newline (as Ansible's blockinfile does)
[ "$(recap h1 changed)" = 2 ] || { cat "$T/out"; fail "second run: only regs and blk should change"; }
runs=$(ls "$T/state/runs" | sort -r)
# refused arguments are named, before any host is contacted
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - replace: {path: /x, regexp: a, setype: etc_t}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
[ "$rc" -ne 0 ] || fail "setype accepted"
expect_out "bad.yml:4:.*module 'replace': argument 'setype' is not supported by mend"
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - blockinfile: {path: /x, block: a, insertafter: EOF, insertbefore: BOF}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
expect_out "bad.yml:4:.*mutually exclusive: insertbefore\|insertafter"
# a backup is made with the original's mode (0600), not more readable
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - replace: {path: "%s/blk", regexp: a, replace: b, backup: true}\n' $B >"$T/bk.yml"
mend_run run "$T/bk.yml" $(lab_args)
expect_rc 0
[ "$(lab_sh 1 sh -c "stat -c %a $B/blk.*~")" = 600 ] || fail "backup mode differs from the original's"
runs="$(ls "$T/state/runs" | sort -r)"
lab_sh 1 sh -c "rm -f $B/blk.*~"
# rollback of every run, newest first: the tree is back byte for byte
for run in $runs; do
	mend_run rollback "$run" $(lab_args)
	expect_rc 0
done
after=$(tree 1 $B)
[ "$after" = "$before" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "rollback did not restore the tree"; }
# the same tasks by ansible-playbook over the same SSH, on twin directories
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp" ANSIBLE_HOME="$T/ans-home" ANSIBLE_REMOTE_TEMP=/tmp/.ansible-e2e
for who in ans mend; do setup $B-$who; done
ansible-playbook -i "$LAB/inventory.ini" "$T/pb.yml" -e b=$B-ans -e ansible_python_interpreter=/usr/bin/python3 >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
mend_run run "$T/pb.yml" $(lab_args) -e b=$B-mend
expect_rc 0
[ "$(sed -n 's/^h1 *: .*changed=\([0-9]*\).*/\1/p' "$T/ans.out")" = "$(recap h1 changed)" ] || fail "changed count differs from ansible's"
[ "$(tree 1 $B-ans)" = "$(tree 1 $B-mend)" ] || { diff <(tree 1 $B-ans) <(tree 1 $B-mend) >&2; fail "trees differ from ansible's"; }
lab_sh 1 cat $B-ans.regs >"$T/a.regs"
lab_sh 1 cat $B-mend.regs >"$T/m.regs"
diff "$T/a.regs" "$T/m.regs" >&2 || fail "registered values differ from ansible's"
lab_sh 1 rm -rf $B $B-ans $B-mend $B.regs $B-ans.regs $B-mend.regs /tmp/.ansible-e2e
