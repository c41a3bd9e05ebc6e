# shellcheck shell=bash disable=SC2046
# tests/e2e/nut-lib.sh - helpers for the NUT end-to-end tests (t2*_nut_*.sh),
# sourced after lib.sh.  The hosts run Debian's real nut-server/nut-client
# (tests/lab/nut-up: dummy-ups driver, upsd, upsmon via the init scripts).

# nut_up N ARGS...: (re)configure and (re)start NUT on lab host N.
nut_up() {
	"$TOP/tests/lab/nut-up" "$@" >>"$T/nut-up.log" 2>&1 ||
		{ tail -20 "$T/nut-up.log" >&2; fail "nut-up $*"; }
}
need_hosts() {
	[ "$(nhosts)" -ge "$1" ] || fail "needs $1 lab hosts (E2E_HOSTS >= $1)"
}
# nut_play PLAYBOOK ARGS...: the playbook against the lab with the lab CA
# and the lab's upsmon log (nut-up --upsmon-log).
nut_play() {
	local pb=$1
	shift
	mend_run run "$pb" $(lab_args) -e nut_ca_file="$LAB/pki/ca.pem" \
		-e nut_upsmon_log=/var/log/mend-lab/upsmon.log "$@"
}
# fsum N PATH: "sha256 mode owner group" of a file inside host N.
fsum() {
	lab_sh "$1" sh -c 'printf "%s %s\n" "$(sha256sum <"$1" | cut -d" " -f1)" "$(stat -c "%a %U %G" "$1")"' sh "$2"
}
# task_result HOST TASK-SUBSTRING: the result line of a task for a host.
task_result() {
	grep -F "$1 | " "$T/out" | grep -F "$2" | head -1
}
# expect_task HOST TASK-SUBSTRING REGEX: that line matches REGEX.
expect_task() {
	local l
	l=$(task_result "$1" "$2")
	printf '%s\n' "$l" | grep -qE -- "$3" ||
		{ cat "$T/out" >&2; fail "$1: task '$2': got '$l', expected /$3/"; }
}
# upsmon_log N: host N's upsmon stderr (nut-up --upsmon-log).
upsmon_log() { cat "$LAB/h$1/fs/var/log/mend-lab/upsmon.log" 2>/dev/null; }
# upsmon_since N LINES: the upsmon log of host N after its first LINES lines.
upsmon_since() { upsmon_log "$1" | tail -n +"$(($2 + 1))"; }
upsmon_lines() { upsmon_log "$1" | wc -l; }
# wait_log N REGEX SECONDS [SKIP]: wait until host N's upsmon log (after
# SKIP lines) has a line matching REGEX.
wait_log() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		upsmon_since "$1" "${4:-0}" | grep -qE -- "$2" && return 0
		sleep 0.2
	done
	upsmon_log "$1" | tail -20 >&2
	fail "h$1: upsmon log has no /$2/ within $3 s"
}
# upsmon_running N: upsmon's pid alive inside host N.
upsmon_running() {
	lab_sh "$1" sh -c '[ -s /run/nut/upsmon.pid ] && kill -0 "$(cat /run/nut/upsmon.pid)"'
}
