# ansible_connection=local runs on the controller; -l and patterns select
. "$TOP/tests/e2e/lib.sh"
printf '[ctl]\nlocalbox ansible_connection=local mend_lock_dir=%s\n' "$T/lock" >"$T/inv.ini"
cat >"$T/pb.yml" <<'P'
- hosts: ctl
  gather_facts: false
  tasks:
    - copy:
        dest: "{{ dir }}/local.txt"
        content: "local\n"
P
mend_run run "$T/pb.yml" -i "$T/inv.ini" -e dir="$T" --state-dir "$T/state"
expect_rc 0
[ "$(cat "$T/local.txt")" = local ] || fail "local copy"
mend_run hosts -i "$LAB/inventory.ini" 'all:!h1'
expect_rc 0
expect_no_out '^h1$'
expect_out '^h2$'
cat >"$T/pb2.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - ping:
P
mend_run run "$T/pb2.yml" $(lab_args) -l 'h2'
expect_rc 0
! grep -q '^h1 *:' "$T/out" || fail "-l did not limit"
[ "$(recap h2 ok)" = 1 ] || fail "h2 not run"
# a limit that leaves no host is an error (exit 1), naming the pattern, and
# nothing is contacted (ansible-playbook: "... leaves us with no hosts")
mend_run run "$T/pb2.yml" $(lab_args) -l 'prdo'
expect_rc 1
expect_out "could not match supplied host pattern, ignoring: 'prdo'"
expect_out "--limit 'prdo' leaves no hosts to target"
expect_no_out 'PLAY RECAP'
# a part that matches nothing is only a warning when others match
mend_run run "$T/pb2.yml" $(lab_args) -l 'prdo:h2'
expect_rc 0
expect_out "ignoring: 'prdo'"
[ "$(recap h2 ok)" = 1 ] || fail "h2 not run with -l prdo:h2"
