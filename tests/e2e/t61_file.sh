# file module on a lab host over SSH: check mode changes nothing and shows
# the diff; directory (with parents, mode, group), symbolic mode, link,
# touch, absent of a link and of a whole directory; a second run changes
# only the touch (as Ansible); refused arguments name themselves; rollback
# puts back every mode, link, byte and removed directory; and the same
# tasks run by ansible-playbook over the same SSH on twin directories leave
# the same tree and the same registered values
. "$TOP/tests/e2e/lib.sh"
B=/etc/nut/e2e-file
tree() { # tree N DIR: kind, mode, owner, link target and sha256 of each entry
	lab_sh "$1" sh -c "cd '$2' && find . -printf '%P %y %m %u %g %l\n' | sort && find . -type f -exec sha256sum {} + | sort"
}
setup() { # setup DIR
	lab_sh 1 sh -c "rm -rf '$1' && mkdir -p '$1/keep/sub' && printf 'x\n' >'$1/f' && chmod 0644 '$1/f' && printf 'k\n' >'$1/keep/sub/k' && chmod 0600 '$1/keep/sub/k' && ln -s f '$1/old'"
}
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - file: {path: "{{ b }}/a/b", state: directory, mode: "0750", group: nut}
      register: r1
    - file: {path: "{{ b }}/f", mode: "u=rw,g=r,o="}
      register: r2
    - file: {path: "{{ b }}/l", state: link, src: f}
      register: r3
    - file: {path: "{{ b }}/t", state: touch, mode: "0600"}
      register: r4
    - file: {path: "{{ b }}/old", state: absent}
      register: r5
    - file: {path: "{{ b }}/keep", state: absent}
      register: r6
    - file: {path: "{{ b }}/nope"}
      register: r7
      ignore_errors: true
    - copy:
        dest: "{{ b }}.regs"
        content: |
          {% for r in [r1, r2, r3, r4, r5, r6, r7] %}
          {{ loop.index }} changed={{ r.changed }} failed={{ r.failed | default(false) }} {% for k in ['path','dest','state','mode','owner','group','uid','gid','src'] %}{{ k }}={{ r[k] | default('-') | replace(b, 'B') }} {% endfor %}msg={{ (r.msg | default('')) | replace(b, 'B') }}
          {% endfor %}
P
setup $B
before=$(tree 1 $B)
mend_run run "$T/pb.yml" $(lab_args) -e b=$B --check --diff
expect_rc 0
expect_out '^\+state: directory'
[ "$(tree 1 $B)" = "$before" ] || fail "check mode changed the tree"
mend_run run "$T/pb.yml" $(lab_args) -e b=$B
expect_rc 0
[ "$(recap h1 changed)" = 7 ] || { cat "$T/out"; fail "7 changes expected"; }
got=$(tree 1 $B)
for want in "a d 750 root nut" "a/b d 750 root nut" "f f 640 root root" "l l 777 root root f" "t f 600 root root"; do
	grep -qx "$want " <<<"$got" || grep -qx "$want" <<<"$got" || { echo "$got" >&2; fail "missing '$want'"; }
done
! grep -q '^keep\|^old' <<<"$got" || fail "keep/old not removed"
mend_run run "$T/pb.yml" $(lab_args) -e b=$B
[ "$(recap h1 changed)" = 2 ] || { cat "$T/out"; fail "second run: only touch (and the regs file) should change"; }
runs=$(ls "$T/state/runs" | sort -r)
# refused arguments are named, before any host is contacted
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - file: {path: /x, state: file, recurse: true}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
[ "$rc" -ne 0 ] || fail "recurse: true with state=file accepted"
expect_out "bad.yml:4:.*recurse option requires state to be 'directory'"
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - file: {path: /x, state: hard, src: /y}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
expect_out "argument 'state' is not supported by mend \\(state: hard\\)"
# rollback of both runs, newest first: the tree is back byte for byte
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
[ "$(tree 1 $B-ans)" = "$(tree 1 $B-mend)" ] || { diff <(tree 1 $B-ans) <(tree 1 $B-mend) >&2; fail "trees differ from ansible's"; }
lab_sh 1 cat $B-ans.regs >"$T/a.regs"
lab_sh 1 cat $B-mend.regs >"$T/m.regs"
diff "$T/a.regs" "$T/m.regs" >&2 || fail "registered values differ from ansible's"
lab_sh 1 rm -rf $B $B-ans $B-mend $B.regs $B-ans.regs $B-mend.regs /tmp/.ansible-e2e
