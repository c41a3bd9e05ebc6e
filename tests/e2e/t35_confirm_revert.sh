# confirm-or-revert on a real NUT client (upsmon restarted by the service
# module):
#   1. the play succeeds: mend confirms over a new connection; the job and
#      the host's copies are gone; the change stays
#   2. mend is SIGKILLed right after the restart: the host puts upsmon.conf
#      back by itself once the timeout passes (not before), within a small
#      margin, and upsmon runs again, started after the restore (old config)
#   3. the play fails after the restart: mend has the job revert at once
#   4. new logins fail after the change: no confirmation, the host is
#      unreachable (exit 4) and reverts itself
. "$TOP/tests/e2e/lib.sh"
# on failure, show what NUT and the revert jobs logged
trap '[ $? = 0 ] || { echo "--- on failure:"; lab_sh 1 tail -25 /var/log/mend-lab/syslog; lab_sh 1 sh -c "tail -n 20 /run/mend/confirm/*/log"; cat "$T/out"; } >&2' EXIT
# (nut-up gives upsd 5 s to start: on a loaded machine, try again)
for try in 1 2 3; do
	"$TOP/tests/lab/nut-up" 1 >"$T/nut-up.log" 2>&1 && break
	[ "$try" = 3 ] && { cat "$T/nut-up.log"; fail "nut-up failed"; }
	sleep 3
done
C=/etc/nut/upsmon.conf
snap() { lab_sh 1 sh -c "echo \$(sha256sum <$C | cut -c1-64) \$(stat -c '%a %U:%G' $C)"; }
upsmon_pid() { lab_sh 1 cat /run/nut/upsmon.pid 2>/dev/null; }
upsmon_up() { p=$(upsmon_pid) && [ -n "$p" ] && lab_sh 1 kill -0 "$p"; }
orig=$(snap)
upsmon_up || fail "upsmon is not running after nut-up"
write_pb() { # $1 = file, $2 = timeout, $3 = extra task lines
	cat >"$1" <<P
- hosts: h1
  gather_facts: false
  confirm_timeout: $2
  tasks:
    - lineinfile: {path: $C, regexp: "^DEADTIME", line: "DEADTIME 25", mode: "0600"}
    - service: {name: nut-client, state: restarted}
$3
P
}
run_id() { sed -n 's/^run \([^ ]*\) .*/\1/p' "$1" | head -1; }
# reverted_at ID: when the host's job began its revert (epoch, its own log)
reverted_at() {
	local t
	t=$(lab_sh 1 sed -n 's/^\([^ ]*\) \[1\] not confirmed: reverting$/\1/p' "/run/mend/confirm/$1/log")
	[ -n "$t" ] && date -d "$t" +%s
}

# 1. confirmed
write_pb "$T/ok.yml" 30 ""
mend_run run "$T/ok.yml" $(lab_args)
expect_rc 0
expect_out '^h1 \| confirm-or-revert \| ok: armed on the host \(job pid [0-9]+\): unless mend confirms within 30 s, it restores 1 file\(s\) and restarts nut-client'
expect_out '^h1 \| confirm-or-revert \| ok: confirmed over a new connection'
id=$(run_id "$T/out")
lab_sh 1 test ! -e "/run/mend/confirm/$id" || fail "1: the confirm dir is still there"
jp=$(grep '"action":"armed"' "$T/state/runs/$id/journal.jsonl" | sed -n 's/.*"job_pid":\([0-9]*\).*/\1/p')
[ -n "$jp" ] || fail "1: no armed record"
sleep 2
! lab_sh 1 kill -0 "$jp" 2>/dev/null || fail "1: the revert job $jp still runs after the confirmation"
lab_sh 1 grep -qx 'DEADTIME 25' $C || fail "1: the change did not stay"
grep -q '"t":"confirm".*"action":"confirmed"' "$T/state/runs/$id/journal.jsonl" || fail "1: no confirmed record"
mend_run show "$id" --state-dir "$T/state"
expect_out '^h1 \| confirm-or-revert \| armed'
expect_out '^h1 \| confirm-or-revert \| confirmed'
expect_out '^h1 \| lock \| released'
expect_out '^h1 \| service nut-client \| restart' 
# (mend rollback with a service: restores the file, restarts upsmon)
p1=$(upsmon_pid)
mend_run rollback last $(lab_args)
expect_rc 0
[ "$(snap)" = "$orig" ] || fail "1: rollback did not restore $C"
upsmon_up && [ "$(upsmon_pid)" != "$p1" ] || fail "1: upsmon was not restarted by the rollback"

# 2. controller killed right after the restart
write_pb "$T/kill.yml" 10 "    - command: sleep 40"
"$MEND" run "$T/kill.yml" $(lab_args) >"$T/kill.out" 2>&1 &
pid=$!
for _ in $(seq 300); do
	id=$(run_id "$T/kill.out")
	j="$T/state/runs/$id/journal.jsonl"
	[ -n "$id" ] && grep -q '"t":"service"' "$j" 2>/dev/null && break
	sleep 0.1
done
grep -q '"t":"service"' "$j" || fail "2: the restart did not happen"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
killed=$(date +%s)
armed=$(grep '"action":"armed"' "$j" | sed -n 's/.*"deadline":\([0-9]*\).*/\1/p')
[ -n "$armed" ] || fail "2: no armed record with a deadline"
# still changed right after the kill, unless a loaded machine took the test
# past the deadline already (when the revert happened is checked below)
if [ "$(date +%s)" -lt "$armed" ]; then
	lab_sh 1 grep -qx 'DEADTIME 25' $C || fail "2: the change should be in place right after the kill"
fi
new_pid=$(upsmon_pid)
restored=
for _ in $(seq 300); do
	if [ "$(snap)" = "$orig" ]; then restored=$(date +%s); break; fi
	sleep 0.1
done
[ -n "$restored" ] || fail "2: the host did not restore $C within 30 s: $(lab_sh 1 cat /run/mend/confirm/$id/log)"
restored=$(reverted_at "$id") || fail "2: no revert in the job's log: $(lab_sh 1 cat /run/mend/confirm/$id/log)"
[ "$restored" -ge "$armed" ] || fail "2: restored before the deadline ($restored < $armed)"
[ "$restored" -le $((armed + 5)) ] || fail "2: restored too late ($restored > deadline $armed + 5)"
for _ in $(seq 100); do lab_sh 1 test -s "/run/mend/confirm/$id/state.1" && break; sleep 0.1; done
[ "$(lab_sh 1 cat /run/mend/confirm/$id/state.1)" = reverted ] || fail "2: state is not 'reverted': $(lab_sh 1 cat /run/mend/confirm/$id/log)"
lab_sh 1 grep -q "restored $C" "/run/mend/confirm/$id/log" || fail "2: log lacks the restore"
lab_sh 1 grep -q 'restarted nut-client' "/run/mend/confirm/$id/log" || fail "2: log lacks the restart"
upsmon_up || fail "2: upsmon is not running after the revert"
[ "$(upsmon_pid)" != "$new_pid" ] || fail "2: upsmon was not restarted on the old config"
lab_sh 1 test ! -e "/run/mend/confirm/$id/obj" || fail "2: the originals were left on the host"
echo "killed at $killed, deadline $armed, restored at $restored" >&2

# 3. the play fails after the restart: reverted at once
write_pb "$T/fail.yml" 300 "    - fail: {msg: verification failed}"
mend_run run "$T/fail.yml" $(lab_args)
expect_rc 2
expect_out '^h1 \| confirm-or-revert \| changed: the play failed: the revert job put the host back now'
[ "$(snap)" = "$orig" ] || fail "3: not reverted at once"
upsmon_up || fail "3: upsmon not running after the revert"
mend_run rollback last $(lab_args)
expect_rc 0                     # nothing left to do: already as before

# 4. logins fail after the change: the confirmation cannot connect
write_pb "$T/lock.yml" 8 "    - shell: mv /run/mend-lab/authorized_keys /run/mend-lab/authorized_keys.off"
mend_run run "$T/lock.yml" $(lab_args)
lab_sh 1 mv /run/mend-lab/authorized_keys.off /run/mend-lab/authorized_keys
expect_rc 4
expect_out '^h1 \| confirm-or-revert \| UNREACHABLE: no new connection to confirm: .*the host reverts itself'
for _ in $(seq 150); do [ "$(snap)" = "$orig" ] && break; sleep 0.1; done
[ "$(snap)" = "$orig" ] || fail "4: the host did not revert itself"
# not before its deadline: judged from the job's own log, not from how soon
# after the run this test looks (a loaded machine can take the run past it)
id=$(run_id "$T/out")
deadline=$(grep '"action":"armed"' "$T/state/runs/$id/journal.jsonl" | sed -n 's/.*"deadline":\([0-9]*\).*/\1/p')
reverted=$(reverted_at "$id") || fail "4: no revert in the job's log: $(lab_sh 1 cat "/run/mend/confirm/$id/log")"
[ -n "$deadline" ] && [ "$reverted" -ge "$deadline" ] || fail "4: reverted at $reverted, before the deadline '$deadline'"
upsmon_up || fail "4: upsmon not running after the revert"
