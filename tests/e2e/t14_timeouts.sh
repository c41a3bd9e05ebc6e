# A command timeout is a failed task on a live host, never a lost host
# (issue 10, issue 19 item 6): `timeout:` and --task-timeout fail the task
# (ignore_errors honoured, the next tasks run, exit 2 when not ignored, not
# UNREACHABLE/4); mend's own steps (the host lock) are not bound by the
# user's task timeout; a command line too long for a remote shell is
# refused with a clear error instead of resetting the connection; the host
# lock is released on each of these paths.
. "$TOP/tests/e2e/lib.sh"
L=/run/lock/mend
lab_sh 1 rm -rf "$L" "$L.break"
lock_gone() { lab_sh 1 test ! -e "$L" || fail "h1's lock was left behind ($1)"; }

cat >"$T/tmo.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - name: slow
      command: sleep 5
      timeout: 1
      ignore_errors: true
    - name: after
      command: echo still-here
      register: a
    - assert:
        that: a.stdout == "still-here"
P
mend_run run "$T/tmo.yml" $(lab_args)
expect_rc 0
expect_out '^h1 \| slow \| failed \(ignored\): .*timed out'
expect_no_out 'UNREACHABLE'
[ "$(recap h1 unreachable)" = 0 ] || fail "h1 counted unreachable"
[ "$(recap h1 ignored)" = 1 ] || fail "the timeout should be an ignored failure"
[ "$(recap h1 changed)" = 1 ] || fail "the task after the timeout did not run"
lock_gone "timeout: 1"

cat >"$T/tt.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - name: slow
      command: sleep 6
P
mend_run run "$T/tt.yml" $(lab_args) --task-timeout 2
expect_rc 2
expect_out '^h1 \| slow \| FAILED: .*timed out'
expect_no_out 'UNREACHABLE'
[ "$(recap h1 failed)" = 1 ] || fail "--task-timeout should fail the task"
lock_gone "--task-timeout"

# a 300 KB argument: refused before sending; the host stays reachable
big=$(head -c 300000 /dev/zero | tr '\0' x)
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - name: huge\n      command: echo %s\n      ignore_errors: true\n    - name: after\n      command: "true"\n' "$big" >"$T/big.yml"
mend_run run "$T/big.yml" $(lab_args)
expect_rc 0
expect_out '^h1 \| huge \| failed \(ignored\): the command is too long for a remote shell \([0-9]+ bytes, at most 131071 once quoted\)'
expect_no_out 'UNREACHABLE'
[ "$(recap h1 changed)" = 1 ] || fail "the task after the long command did not run"
lock_gone "too long"

# the lock step is mend's own: a task timeout shorter than it takes (here
# a `date` that needs 2 s, on a local host whose lock script uses it) does
# not fail the host
mkdir -p "$T/slowbin" "$T/lock"
printf '#!/bin/sh\nsleep 2\nexec /bin/date "$@"\n' >"$T/slowbin/date"
chmod +x "$T/slowbin/date"
printf 'me ansible_connection=local mend_lock_dir=%s/lock/mend\n' "$T" >"$T/local.ini"
cat >"$T/local.yml" <<'P'
- hosts: me
  gather_facts: false
  tasks:
    - command: "true"
P
rc=0
PATH="$T/slowbin:$PATH" "$MEND" run "$T/local.yml" -i "$T/local.ini" \
	--state-dir "$T/state" --task-timeout 1 >"$T/out" 2>&1 || rc=$?
expect_rc 0
expect_no_out 'UNREACHABLE'
[ "$(recap me changed)" = 1 ] || fail "the task did not run after the lock"
[ ! -e "$T/lock/mend" ] || fail "the local lock was left behind"
