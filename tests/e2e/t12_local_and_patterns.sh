# ansible_connection=local runs on the controller; -l and patterns select
. "$TOP/tests/e2e/lib.sh"
printf '[ctl]\nlocalbox ansible_connection=local\n' >"$T/inv.ini"
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
