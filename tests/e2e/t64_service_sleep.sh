# shellcheck shell=bash disable=SC2046
# service's sleep (Ansible's: seconds between the stop and the start of a
# restart) on a non-systemd host: Debian's nut-client init script on a NUT
# lab host.  A poller inside the host notes every 0.1 s whether an upsmon
# runs; the longest time without one is the gap between stop and start.
# sleep: 4 leaves a gap of at least 4 s; the same restart with sleep: 0
# (the control, so that the test can fail) a gap well under 4 s.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
nut_up 1
h=$(awk 'NR == 1 {print $1}' "$LAB/hosts")
# gap SLEEP: restart nut-client with that sleep, print the longest gap (s)
gap() {
	printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - service: {name: nut-client, state: restarted, sleep: %s}\n' \
		"$1" >"$T/sleep$1.yml"
	lab_sh 1 rm -f /tmp/t64.stop
	lab_sh 1 sh -c 'end=$(($(date +%s) + 60))
		while [ ! -e /tmp/t64.stop ] && [ "$(date +%s)" -lt "$end" ]; do
			s=down
			for d in /proc/[0-9]*; do
				[ "$(cat "$d/comm" 2>/dev/null)" = upsmon ] && s=up && break
			done
			echo "$(date +%s.%N) $s"; sleep 0.1
		done' >"$T/poll$1" &
	local pid=$!
	sleep 1
	mend_run run "$T/sleep$1.yml" $(lab_args) -l "$h"
	expect_rc 0
	expect_out "changed"
	sleep 1
	lab_sh 1 touch /tmp/t64.stop
	wait "$pid"
	grep -q ' up$' "$T/poll$1" || fail "sleep $1: upsmon never seen running"
	tail -n 1 "$T/poll$1" | grep -q ' up$' || fail "sleep $1: upsmon not running after the restart"
	awk '$2 == "down" && !d { d = $1 } $2 == "up" && d { if ($1 - d > m) m = $1 - d; d = 0 }
		END { printf "%.1f\n", m }' "$T/poll$1"
}
g4=$(gap 4)
g0=$(gap 0)
echo "gap with sleep 4: $g4 s, with sleep 0: $g0 s"
awk -v g="$g4" 'BEGIN { exit !(g >= 4) }' || fail "sleep: 4 left a gap of only $g4 s"
awk -v g="$g0" 'BEGIN { exit !(g < 4) }' || fail "sleep: 0 left a gap of $g0 s (the control)"
lab_sh 1 rm -f /tmp/t64.stop
