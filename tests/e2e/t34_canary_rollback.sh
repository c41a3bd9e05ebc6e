# canary batches with rollback_on_failure: the canary (h1) fails after
# changing its files -> the rollout stops (h2, h3 never start) and h1 is
# rolled back by a new journaled run; with scope run, a failure in the second
# batch rolls back every host the run changed, including the canary
. "$TOP/tests/e2e/lib.sh"
F=/etc/nut/e2e-canary.conf
reset() { for n in 1 2 3; do lab_sh "$n" sh -c "printf 'v=1\n' >$F; chmod 0640 $F"; done; }
sum() { lab_sh "$1" sha256sum "$F" | cut -c1-64; }
reset; orig=$(sum 1)
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  serial: [1, 2]
  max_fail_percentage: 0
  rollback_on_failure: true
  tasks:
    - lineinfile: {path: /etc/nut/e2e-canary.conf, regexp: "^v=", line: "v=2", mode: "0600"}
    - fail: {msg: "{{ inventory_hostname }} does not come back"}
      when: inventory_hostname == (bad | default('h1'))
P
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 2
run1=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out" | head -1)
expect_out "batch 1 of 2 breached max_fail_percentage 0: stopping the rollout; rollback_on_failure \(scope host\) rolls back 1 host\(s\)"
expect_out "rolling back 1 host\(s\) of run $run1"
! grep -q '^h2 |' "$T/out" || fail "h2 started after the canary failed"
[ "$(sum 1)" = "$orig" ] || fail "h1 not rolled back"
[ "$(lab_sh 1 stat -c %a $F)" = 640 ] || fail "h1's mode not restored"
[ "$(sum 2)" = "$orig" ] && [ "$(sum 3)" = "$orig" ] || fail "h2/h3 were touched"
mend_run runs --state-dir "$T/state"
expect_out "rollback of $run1 \(rollback_on_failure\)"
expect_out "^$run1 .*\(rolled back by [0-9TZ]+-[0-9a-f]+\)"
j="$T/state/runs/$run1/journal.jsonl"
tail -1 "$j" | grep -q '"rollback":{.*"scope":"host".*"exit_code":0' || fail "end record lacks the rollback: $(tail -1 "$j")"
rb=$(tail -1 "$j" | sed -n 's/.*"rollback":{[^}]*"run":"\([^"]*\)".*/\1/p')
grep -q '"reason": "rollback_on_failure"' "$T/state/runs/$rb/meta.json" || fail "the rollback run's meta lacks the reason"

# scope run from the command line: the canary passes, h3 fails in batch 2
# (1 of 2 = 50% > 40%): h1, h2 and h3 are all put back
reset
sed -e 's/max_fail_percentage: 0/max_fail_percentage: 40/' -e '/rollback_on_failure/d' "$T/pb.yml" >"$T/pb2.yml"
mend_run run "$T/pb2.yml" $(lab_args) -e bad=h3 --rollback-on-failure=run
expect_rc 2
expect_out "batch 2 of 2 breached max_fail_percentage 40: stopping the rollout; rollback_on_failure \(scope run\) rolls back 3 host\(s\)"
for n in 1 2 3; do
	[ "$(sum $n)" = "$orig" ] || fail "h$n not rolled back (scope run)"
done
# without rollback_on_failure nothing is rolled back
reset
mend_run run "$T/pb2.yml" $(lab_args) -e bad=h1
expect_rc 2
expect_no_out 'rolling back'
[ "$(sum 1)" != "$orig" ] || fail "h1 should stay changed without rollback_on_failure"
# a bad rollback_on_failure is an invalid playbook
sed 's/rollback_on_failure: true/rollback_on_failure: {scope: fleet}/' "$T/pb.yml" >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
expect_rc 3
expect_out "bad.yml:[0-9]+:[0-9]+: error: rollback_on_failure: scope must be 'host' or 'run'"
for n in 1 2 3; do lab_sh "$n" rm -f "$F"; done
