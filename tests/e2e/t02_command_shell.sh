# command never interprets shell syntax; shell does; failures give exit 2
. "$TOP/tests/e2e/lib.sh"
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: command keeps $(...) literal
      command: echo "$(id -u)" 'a  b' ;
      register: c
    - assert:
        that:
          - c.stdout == "$(id -u) a  b ;"
          - c.rc == 0
          - c is changed
    - name: shell runs a pipeline
      shell: echo $((40 + 2)) | tr 4 X
      register: s
      changed_when: false
    - assert:
        that: s.stdout == "X2"
    - name: argv form (variables expanded as Ansible does)
      command:
        argv: [printf, "%s|", "x y", "$HOME", "$(id)"]
      register: a
    - assert:
        that: a.stdout == "x y|/root|$(id)|"
    - name: chdir and creates
      command: pwd chdir=/etc
      register: p
    - assert:
        that: p.stdout == "/etc"
P
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 0
cat >"$T/fail.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: fails on h1 only
      shell: "test {{ inventory_hostname }} != h1"
    - name: after
      command: "true"
P
mend_run run "$T/fail.yml" $(lab_args)
expect_rc 2
expect_out 'h1 \| fails on h1 only \| FAILED'
[ "$(recap h1 failed)" = 1 ] || fail "h1 failed count"
[ "$(recap h2 failed)" = 0 ] || fail "h2 failed count"
[ "$(recap h2 changed)" = 2 ] || fail "h2 should have run both tasks"
