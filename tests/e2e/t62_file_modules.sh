# replace, blockinfile, lineinfile's messages, slurp, fetch and find on a
# lab host over SSH: check mode changes nothing
# and shows the diff; the edits (backrefs, after/before, a named group,
# blockinfile with custom markers, insertafter/insertbefore, removal, create
# with mode); a second run changes only the registered-values file;
# refused arguments are named at load time with file:line:col; a backup is
# no more readable than its original; rollback puts back every byte and
# mode; and the same tasks run by ansible-playbook over the same SSH on twin
# directories leave the same tree and the same registered values; then
# slurp, fetch (to the controller) and find on those twins give the same
# registered values (find's files in the same order) and fetched files
. "$TOP/tests/e2e/lib.sh"
B=/etc/nut/e2e-edit
tree() { # tree N DIR: kind, mode, owner and sha256 of each entry
	lab_sh "$1" sh -c "cd '$2' && find . -printf '%P %y %m %u %g %l\n' | sort && find . -type f -exec sha256sum {} + | sort"
}
setup() { # setup DIR
	lab_sh 1 sh -c "rm -rf '$1' && mkdir -p '$1' && printf 'port 80\n# listen on all\nListen 0.0.0.0:80\n[main]\nkey = a\nkey = b\n[other]\nkey = c\n' >'$1/app.conf' && chmod 0640 '$1/app.conf' && printf '127.0.0.1 localhost\n' >'$1/hosts' && printf 'a\n# BEGIN MEND x\nold\n# END MEND x\nz' >'$1/blk' && chmod 0600 '$1/blk' && mkdir -p '$1/sub/deep' '$1/.hid' && printf 'key = b\n' >'$1/sub/y.conf' && printf 'k\n' >'$1/sub/deep/z.conf' && touch '$1/.hid/h.conf' && ln -s app.conf '$1/lnk' && ln -s sub '$1/dirlnk' && chmod 2750 '$1/sub'"
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
    - blockinfile: {path: "{{ b }}/new/sub/file", create: true, mode: "0600", block: "x=1", insertafter: "nothing"}
      register: r8
    - blockinfile: {path: "{{ b }}/app.conf", insertafter: '^\[main\]', block: "# section", marker: "; {mark}"}
      register: r9
    - lineinfile: {path: "{{ b }}/hosts", regexp: '^127', line: '127.0.0.1 localhost h1', mode: "0600", unsafe_writes: true}
      register: r10
    - lineinfile: {path: "{{ b }}/nope", line: x}
      register: r11
      ignore_errors: true
    - copy:
        dest: "{{ b }}.regs"
        content: |
          {% for r in [r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11] %}
          {{ loop.index }} changed={{ r.changed }} failed={{ r.failed | default(false) }} rc={{ r.rc | default('-') }} backup={{ r.backup | default('-') }} msg={{ (r.msg | default('')) | replace(b, 'B') }}
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
[ "$(recap h1 changed)" = 10 ] || { cat "$T/out"; fail "10 changes expected"; }
lab_sh 1 cat $B/app.conf >"$T/app.conf"
printf 'port 880\n# listen on all\nListen 0.0.0.0:80\n[main]\n; BEGIN\n# section\n; END\nkey = aa\nkey = bb\n[other]\nkey = c\n' | cmp - "$T/app.conf" || fail "app.conf: $(cat "$T/app.conf")"
[ "$(lab_sh 1 stat -c %a $B/new/sub/file)" = 600 ] || fail "created file mode"
mend_run run "$T/pb.yml" $(lab_args) -e b=$B
# second run: the regs file, and blk: state=absent without markers ends
# its last line with a newline (as Ansible's blockinfile does)
[ "$(recap h1 changed)" = 2 ] || { cat "$T/out"; fail "second run: only regs and blk should change"; }
runs=$(ls "$T/state/runs" | sort -r)
# refused arguments are named, before any host is contacted
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - replace: {path: /x, regexp: a, attributes: +i}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
[ "$rc" -ne 0 ] || fail "attributes accepted"
expect_out "bad.yml:4:.*module 'replace': argument 'attributes' is not supported by mend"
# setype on a host without SELinux is ignored, as Ansible (the task runs)
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - replace: {path: /x, regexp: a, setype: etc_t}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
expect_out "replace \\| FAILED: Path /x does not exist !"
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
# the directories blockinfile's create: true made (new/, new/sub/) are
# journaled: rollback removes them
lab_sh 1 test ! -e "$B/new" || fail "rollback left the directories that create: true made"
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
# the read-only modules on the twins, by both tools
cat >"$T/ro.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - slurp: {src: "{{ b }}/app.conf"}
      register: s1
    - slurp: {path: "{{ b }}/nope"}
      register: s2
      ignore_errors: true
    - slurp: {src: "{{ b }}"}
      register: s3
      ignore_errors: true
    - fetch: {src: "{{ b }}/app.conf", dest: "{{ f }}"}
      register: f1
    - fetch: {src: "{{ b }}/app.conf", dest: "{{ f }}"}
      register: f2
    - fetch: {src: "{{ b }}/hosts", dest: "{{ f }}/flat/", flat: true}
      register: f3
    - fetch: {src: "{{ b }}/nope", dest: "{{ f }}", fail_on_missing: false}
      register: f4
    - fetch: {src: "{{ b }}/nope", dest: "{{ f }}"}
      register: f5
      ignore_errors: true
    - fetch: {src: "{{ b }}", dest: "{{ f }}", fail_on_missing: false}
      register: f6
    - fetch: {src: "{{ b }}/hosts", dest: "{{ f }}/flat", flat: true}
      register: f7
      ignore_errors: true
    - find: {paths: "{{ b }}"}
      register: n1
    - find: {paths: "{{ b }}", recurse: true, file_type: any, hidden: true}
      register: n2
    - find: {paths: "{{ b }},{{ b }}/nope", patterns: "*.conf,h*", recurse: true}
      register: n3
    - find: {paths: ["{{ b }}"], patterns: ['^[a-z]+\.conf$'], use_regex: true, contains: 'key = [ab]', recurse: true, get_checksum: true}
      register: n4
    - find: {paths: "{{ b }}", file_type: directory, recurse: true, depth: 1, excludes: "sub*"}
      register: n5
    - find: {paths: "{{ b }}", size: "-10", age: "-1d", file_type: link, recurse: true}
      register: n6
    - find: {paths: "{{ b }}", contains: 'lab1', read_whole_file: true, recurse: true}
      register: n7
    - copy:
        dest: "{{ b }}.ro"
        content: |
          {% for r in [s1, s2, s3] %}
          {{ loop.index }} changed={{ r.changed }} failed={{ r.failed | default(false) }} content={{ r.content | default('') | b64decode }} src={{ r.source | default('-') | replace(b, 'B') }} enc={{ r.encoding | default('-') }} msg={{ (r.msg | default('')) | replace(b, 'B') }}
          {% endfor %}
          {% for r in [f1, f2, f3, f4, f5, f6, f7] %}
          {{ loop.index }} changed={{ r.changed | default('-') }} failed={{ r.failed | default(false) }} {% for k in ['dest', 'file', 'checksum', 'remote_checksum', 'md5sum', 'remote_md5sum'] %}{{ k }}={{ r[k] | default('-') | replace(b, 'B') | replace(f, 'F') }} {% endfor %}msg={{ (r.msg | default('')) | replace(b, 'B') }}
          {% endfor %}
          {% for r in [n1, n2, n3, n4, n5, n6, n7] %}
          {{ loop.index }} changed={{ r.changed }} matched={{ r.matched }} examined={{ r.examined }} msg={{ r.msg }} skipped={{ r.skipped_paths | dictsort | map('first') | map('replace', b, 'B') | list }}
          {% for f in r.files %}
            {% for k in ['path','mode','isdir','isreg','islnk','uid','gid','size','nlink','pw_name','gr_name','xusr','roth','isgid','checksum'] %}{{ k }}={{ f[k] | default('-') | replace(b, 'B') }} {% endfor %}

          {% endfor %}
          {% endfor %}
P
mend_run run "$T/ro.yml" $(lab_args) -e b=$B-mend -e f="$T/f-mend" --check
expect_rc 0
[ "$(recap h1 skipped)" = 7 ] || { cat "$T/out"; fail "check mode: the 7 fetch tasks should be skipped"; }
[ ! -e "$T/f-mend" ] || fail "check mode fetched files"
ansible-playbook -i "$LAB/inventory.ini" "$T/ro.yml" -e b=$B-ans -e f="$T/f-ans" -e ansible_python_interpreter=/usr/bin/python3 >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed (read-only modules)"; }
mend_run run "$T/ro.yml" $(lab_args) -e b=$B-mend -e f="$T/f-mend"
expect_rc 0
for k in ok changed failed ignored; do
	[ "$(sed -n "s/^h1 *: .*$k=\([0-9]*\).*/\1/p" "$T/ans.out")" = "$(recap h1 $k)" ] || fail "$k count differs from ansible's"
done
ftree() { (cd "$1" && find . -printf '%P %y %m\n' | sed "s/-$2//g" | sort && find . -type f -exec sha256sum {} + | sed "s/-$2//g" | sort); }
[ "$(ftree "$T/f-ans" ans)" = "$(ftree "$T/f-mend" mend)" ] || { diff <(ftree "$T/f-ans" ans) <(ftree "$T/f-mend" mend) >&2; fail "fetched files differ from ansible's"; }
lab_sh 1 cat $B-ans.ro >"$T/a.ro"
lab_sh 1 cat $B-mend.ro >"$T/m.ro"
diff "$T/a.ro" "$T/m.ro" >&2 || fail "registered values of slurp/fetch/find differ from ansible's"
lab_sh 1 rm -rf $B $B-ans $B-mend $B.regs $B-ans.regs $B-mend.regs $B-ans.ro $B-mend.ro /tmp/.ansible-e2e
