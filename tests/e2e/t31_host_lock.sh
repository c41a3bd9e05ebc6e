# one run per host at a time: a second run while the first holds h1's lock
# fails h1 with "locked by run <id> (controller, pid, since)" and still runs
# the other hosts; the lock is released at the end; a lock left by a killed
# run of this controller is broken (and said so); an old lock of another
# controller is reported as possibly stale and not broken
. "$TOP/tests/e2e/lib.sh"
L=/run/lock/mend
for n in 1 2 3; do lab_sh "$n" rm -rf "$L" "$L.break" /run/t31.go; done
# the slow run holds h1's lock until the test creates /run/t31.go (at most
# 60 s): the second run meets the lock however slow the machine is
cat >"$T/slow.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - command: sh -c 'i=0; while [ ! -e /run/t31.go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done'
P
cat >"$T/quick.yml" <<'P'
- hosts: h1,h2
  gather_facts: false
  tasks:
    - command: "true"
P
"$MEND" run "$T/slow.yml" $(lab_args) >"$T/slow.out" 2>&1 &
slow=$!
for _ in $(seq 50); do lab_sh 1 test -f "$L/owner" && break; sleep 0.2; done
lab_sh 1 test -f "$L/owner" || fail "the first run did not take h1's lock"
id=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/slow.out")
[ -n "$id" ] || fail "no run id from the first run"
lab_sh 1 cat "$L/owner" | grep -qx "run=$id" || fail "owner file does not name run $id"
lab_sh 1 cat "$L/owner" | grep -qx "pid=$slow" || fail "owner file does not name pid $slow"
mend_run run "$T/quick.yml" $(lab_args)
expect_rc 2
expect_out "^h1 \| lock \| FAILED: locked by run $id \(controller $(hostname), pid $slow, since "
[ "$(recap h2 ok)" = 1 ] || fail "h2 should run normally"
[ "$(recap h1 failed)" = 1 ] || fail "h1 should fail"
lab_sh 1 touch /run/t31.go
wait "$slow" || fail "the first run failed: $(cat "$T/slow.out")"
lab_sh 1 test ! -e "$L" || fail "the lock was not released"
mend_run run "$T/quick.yml" $(lab_args)
expect_rc 0
lab_sh 2 test ! -e "$L" || fail "h2's lock was not released"

# a run killed while holding the lock: the next run breaks it, loudly
lab_sh 1 rm -f /run/t31.go
"$MEND" run "$T/slow.yml" $(lab_args) >"$T/slow2.out" 2>&1 &
slow=$!
for _ in $(seq 50); do lab_sh 1 test -f "$L/owner" && break; sleep 0.2; done
lab_sh 1 test -f "$L/owner" || fail "the run did not take h1's lock"
kill -KILL "$slow"
wait "$slow" 2>/dev/null
lab_sh 1 touch /run/t31.go
id=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/slow2.out")
lab_sh 1 test -f "$L/owner" || fail "the killed run's lock vanished"
mend_run run "$T/quick.yml" $(lab_args) -v
expect_rc 0
expect_out "^h1 \| lock \| ok: broke the stale lock $L: run $id \(controller $(hostname), pid $slow, since .*controller process is gone"
lab_sh 1 test ! -e "$L" || fail "the lock was not released after breaking"

# an old lock of another controller: reported, refused, left alone
lab_sh 1 sh -c "mkdir $L && printf 'run=OLD-RUN\ncontroller=elsewhere\npid=42\nsince=%s\n' \$((\$(date +%s) - 30000)) >$L/owner"
mend_run run "$T/quick.yml" $(lab_args)
expect_rc 2
expect_out "^h1 \| lock \| FAILED: locked by run OLD-RUN \(controller elsewhere, pid 42, since .*possibly stale: held for 8 h, longer than 6 h \(not broken: if that run is dead, remove $L on the host\)"
lab_sh 1 grep -qx run=OLD-RUN "$L/owner" || fail "the foreign lock was touched"
lab_sh 1 rm -rf "$L"
# check mode takes no lock
lab_sh 1 sh -c "mkdir $L && printf 'run=X\ncontroller=elsewhere\npid=42\nsince=%s\n' \$(date +%s) >$L/owner"
mend_run run "$T/quick.yml" $(lab_args) --check
expect_rc 0
lab_sh 1 rm -rf "$L"

# a run killed between two SFTP requests that take or release the lock
# (MEND_TEST_CRASH=mid:lock-take|mid:lock-release, after the first request
# that changes the host): no lock directory is left without its owner file
# (no run breaks one: the torture matrix of 2026-12-07 found a kill during
# the release failing h5's rollback), and the next run takes both hosts
for w in take release; do
	for n in 1 2; do lab_sh "$n" rm -rf "$L"; done
	rc=0
	MEND_TEST_CRASH=mid:lock-$w "$MEND" run "$T/quick.yml" $(lab_args) >"$T/mid.out" 2>&1 || rc=$?
	[ "$rc" = 137 ] || { cat "$T/mid.out" >&2; fail "mid:lock-$w: exit $rc, expected 137 (SIGKILL)"; }
	for n in 1 2; do
		lab_sh "$n" sh -c "[ ! -e $L ] || [ -f $L/owner ]" ||
		    fail "mid:lock-$w left h$n's $L without an owner file"
	done
	mend_run run "$T/quick.yml" $(lab_args)
	expect_rc 0
	for n in 1 2; do lab_sh "$n" test ! -e "$L" || fail "mid:lock-$w: h$n's lock not released"; done
done
for n in 1 2; do lab_sh "$n" sh -c "rm -rf $L.new.* $L.old.*"; done
