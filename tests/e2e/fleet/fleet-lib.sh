# shellcheck shell=bash disable=SC2046,SC2034
# tests/e2e/fleet/fleet-lib.sh - helpers for the cases on systemd hosts
# (sourced by tests/e2e/fleet/f*.sh after tests/e2e/lib.sh).  Host N runs
# the release named in $LAB/hN/os; every case runs mend against all hosts
# at once (the releases side by side, as in a mixed fleet).
. "$TOP/tests/e2e/lib.sh"
set -o pipefail
CA=$LAB/pki/ca.pem
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
hosts_n() { seq 1 "$(nhosts)"; }
os_of() { cat "$LAB/h$1/os"; }
addr() { awk -v h="h$1" '$1 == h { print $2 }' "$LAB/hosts"; }
# expected package versions per release (the mirror's, facts/fleet.md)
nut_version() { case $(os_of "$1") in bullseye) echo 2.7.4 ;; bookworm) echo 2.8.0 ;; trixie) echo 2.8.1 ;; esac; }
rmq_version() { case $(os_of "$1") in bullseye) echo 3.8.9 ;; bookworm) echo 3.10.8 ;; trixie) echo 4.0.5 ;; esac; }
# jdata FILE HOST TASK FILTER: jq FILTER on HOST's result of TASK
jdata() {
	jq -r --arg h "$2" --arg t "$3" \
		"[.results[] | select(.host == \$h and .task == \$t)][0] | $4" "$1"
}
# each N CMD...: CMD for every host in parallel ("{}" = N); all must pass
each() {
	local n p rc=0 pids=()
	for n in $(hosts_n); do
		"${@//\{\}/$n}" >"$T/each-$n.log" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	cat "$T"/each-*.log
	[ "$rc" -eq 0 ]
}
# active N UNIT: the unit is active on host N
active() { lab_sh "$1" systemctl is-active --quiet "$2"; }
# inside_unit N COMM UNIT: every process COMM of host N runs in UNIT's
# cgroup (none outside it: not in an SSH session's scope), and one exists
inside_unit() {
	local pids p
	pids=$(lab_sh "$1" ps -o pid= -C "$2" | tr -d ' ') || true
	[ -n "$pids" ] || fail "h$1: no $2 process"
	for p in $pids; do
		lab_sh "$1" cat "/proc/$p/cgroup" | grep -q "/system.slice/$3\$" ||
			fail "h$1: $2 (pid $p) runs outside $3: $(lab_sh "$1" cat "/proc/$p/cgroup" | tr '\n' ' ')"
	done
}
# journal N UNIT SINCE: the unit's journal since epoch SINCE
journal() { lab_sh "$1" journalctl -q -o cat -u "$2" --since "@$3"; }
host_now() { lab_sh "$1" date +%s; }
# fsum N PATH: "sha256 mode owner group" of a file inside host N
fsum() {
	lab_sh "$1" sh -c 'printf "%s %s\n" "$(sha256sum <"$1" | cut -d" " -f1)" "$(stat -c "%a %U %G" "$1")"' sh "$2"
}
task_line() { grep -F "$1 | " "$T/out" | grep -F "$2" | head -1; }
expect_task() {
	local l
	l=$(task_line "$1" "$2")
	printf '%s\n' "$l" | grep -qE -- "$3" ||
		{ cat "$T/out" >&2; fail "$1: task '$2': got '$l', expected /$3/"; }
}
# host_root N: host N's root directory seen from here (its PID 1's root)
host_root() { echo "/proc/$(cut -d' ' -f1 "$LAB/h$1/init.pid")/root"; }
