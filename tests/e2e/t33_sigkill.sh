# the journal survives SIGKILL of the controller at several points: the run
# is listed as interrupted and `mend rollback` restores every file byte-
# identical, whether or not the write after the last intent record happened
#   1. killed during a slow task (after two completed writes)
#   2. killed right after an intent record (the write never happened)
#   3. killed after the write, before its done record
#   4. killed before the first intent (nothing to roll back)
. "$TOP/tests/e2e/lib.sh"
D=/etc/nut
files="$D/e2e-k1.conf $D/e2e-k2.conf $D/e2e-k3.conf"
setup() {
	lab_sh 1 sh -c "printf 'one\n' >$D/e2e-k1.conf; printf 'two\n' >$D/e2e-k2.conf
chmod 0640 $D/e2e-k1.conf; chown root:nut $D/e2e-k1.conf; rm -f $D/e2e-k3.conf"
}
state() { lab_sh 1 sh -c "for f in $files; do if [ -e \$f ]; then echo \$f \$(sha256sum <\$f | cut -c1-64) \$(stat -c '%a %U:%G' \$f); else echo \$f absent; fi; done"; }
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - lineinfile: {path: /etc/nut/e2e-k1.conf, line: changed-1}
    - lineinfile: {path: /etc/nut/e2e-k2.conf, line: changed-2, mode: "0600"}
    - command: sleep 120
    - lineinfile: {path: /etc/nut/e2e-k3.conf, line: created, create: true}
P
last_run() { ls "$T/state/runs" | tail -1; }
check_rollback() { # $1 = label, $2 = state before
	mend_run runs --state-dir "$T/state"
	grep -q "^$(last_run) *interrupted" "$T/out" || { cat "$T/out"; fail "$1: run not listed as interrupted"; }
	mend_run rollback last $(lab_args)
	expect_rc 0
	[ "$(state)" = "$2" ] || fail "$1: not restored:
$(state)
expected
$2"
}

# 1. during the slow task
setup; s0=$(state)
"$MEND" run "$T/pb.yml" $(lab_args) >"$T/run.out" 2>&1 &
pid=$!
# wait (by the clock: a loaded machine makes each poll slow) until both
# writes are done (2 done records, 3 with k2's mode change: on an idle
# machine the count passes 2 within milliseconds); the slow task then holds
# the run for 120 s
seen=0 t_end=$(( $(date +%s) + 100 ))
while [ "$(date +%s)" -lt "$t_end" ]; do
	j=$(ls "$T"/state/runs/*/journal.jsonl 2>/dev/null | tail -1)
	[ -n "$j" ] && [ "$(grep -c '"t":"done"' "$j")" -ge 2 ] && { seen=1; break; }
	sleep 0.1
done
[ "$seen" = 1 ] || { kill -KILL "$pid"; mend_run rollback last $(lab_args); fail "1: the run did not reach its slow task within 100 s"; }
sleep 0.5
kill -KILL "$pid"; wait "$pid" 2>/dev/null
[ "$(state)" != "$s0" ] || fail "1: the run changed nothing before the kill"
check_rollback "killed in a slow task" "$s0"
expect_out "broke the stale lock /run/lock/mend: run "

# 2. right after the second intent record: k2 never written
setup; s0=$(state)
MEND_TEST_CRASH=after:intent:2 mend_run run "$T/pb.yml" $(lab_args)
[ "$rc" = 137 ] || fail "2: expected SIGKILL (137), got $rc"
j=$(ls "$T"/state/runs/*/journal.jsonl | tail -1)
tail -1 "$j" | grep -q '"t":"intent"' || fail "2: the journal does not end with the intent"
lab_sh 1 grep -qx changed-1 $D/e2e-k1.conf || fail "2: k1 should have been written"
lab_sh 1 grep -qx two $D/e2e-k2.conf || fail "2: k2 should be untouched"
check_rollback "killed after an intent" "$s0"

# 3. after k2 was written, before its done record
setup; s0=$(state)
MEND_TEST_CRASH=before:done:2 mend_run run "$T/pb.yml" $(lab_args)
[ "$rc" = 137 ] || fail "3: expected SIGKILL (137), got $rc"
lab_sh 1 grep -qx changed-2 $D/e2e-k2.conf || fail "3: k2 should have been written"
mend_run show last --state-dir "$T/state"
expect_out "e2e-k2.conf \| changed, outcome unknown \(interrupted\)"
check_rollback "killed before a done" "$s0"

# 4. before the first intent: nothing happened, nothing to do
setup; s0=$(state)
MEND_TEST_CRASH=before:intent:1 mend_run run "$T/pb.yml" $(lab_args)
[ "$rc" = 137 ] || fail "4: expected SIGKILL (137), got $rc"
[ "$(state)" = "$s0" ] || fail "4: something changed"
# (by id: `rollback last` passes over a run that changed nothing)
mend_run rollback "$(last_run)" $(lab_args)
expect_rc 0
expect_out 'changed nothing: nothing to roll back'
lab_sh 1 test -f /run/lock/mend/owner || fail "4: the killed run should have left its lock"
lab_sh 1 rm -rf $files /run/lock/mend
