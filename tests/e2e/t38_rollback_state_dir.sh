# issue 19: a relative --state-dir; the automatic rollback (rollback_on_failure)
# and `mend rollback` work with it; `rollback last` is the newest run that
# changed something, says which run it picked and why, and never a rollback
# that did not complete
. "$TOP/tests/e2e/lib.sh"
cd "$T" || fail "no scratch dir"
printf '[ctl]\nlocalbox ansible_connection=local mend_lock_dir=%s\n' "$T/lock" >inv.ini
printf 'a\n' >f.txt
cat >rof.yml <<P
- hosts: ctl
  gather_facts: false
  tasks:
    - lineinfile: {path: "$T/f.txt", line: changed}
    - command: "false"
P
cat >ok.yml <<P
- hosts: ctl
  gather_facts: false
  tasks:
    - lineinfile: {path: "$T/f.txt", line: changed-2}
P
# 1. the automatic rollback with --state-dir sta
mend_run run rof.yml -i inv.ini --rollback-on-failure --state-dir sta
expect_rc 2
expect_out "^run [^ ]+ \(journal $T/sta/runs/"
expect_no_out 'DID NOT COMPLETE'
expect_no_out 'must be an absolute path'
[ "$(cat f.txt)" = a ] || fail "1: the automatic rollback did not restore f.txt"
# 2. a run, then a rollback of it that fails (drift): it must not become
# "last"; `rollback last --force` then picks the run and says why
mend_run run ok.yml -i inv.ini --state-dir sta
expect_rc 0
run2=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
[ "$(tail -1 f.txt)" = changed-2 ] || fail "2: the run did not change f.txt"
echo drift >>f.txt
mend_run rollback last --state-dir sta
expect_rc 2
expect_out "^mend: 'last' is run $run2, the newest run that changed something$"
expect_out 'refused to restore 1 file'
failed_rb=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
mend_run rollback last --state-dir sta --force
expect_rc 0
expect_out "^mend: 'last' is run $run2, the newest run that changed something \(passed over: $failed_rb: a rollback that did not complete\)$"
[ "$(cat f.txt)" = a ] || fail "2: rollback last --force did not restore f.txt"
# 3. a run that changes nothing is passed over, by name
mend_run run ok.yml -i inv.ini --state-dir sta
expect_rc 0
run3=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
mend_run run ok.yml -i inv.ini --state-dir sta
expect_rc 0
noop=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
[ "$(recap localbox changed)" = 0 ] || fail "3: the second run changed something"
mend_run rollback last --state-dir sta
expect_rc 0
expect_out "^mend: 'last' is run $run3, the newest run that changed something \(passed over: $noop: changed nothing\)$"
[ "$(cat f.txt)" = a ] || fail "3: rollback last did not restore f.txt"
# 4. `mend rollback RUN` from another directory, the state dir relative to it
mkdir -p sub && cd sub || fail "no sub"
printf 'x\n' >../f.txt
mend_run run ../ok.yml -i ../inv.ini --state-dir ../sta
expect_rc 0
run4=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
mend_run rollback "$run4" --state-dir ../sta
expect_rc 0
[ "$(cat ../f.txt)" = x ] || fail "4: rollback with --state-dir ../sta did not restore"
