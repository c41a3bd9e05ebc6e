# tests/e2e/lib.sh - helpers for end-to-end tests (sourced by each t*.sh).
#
# Every test runs the BUILT ./mend binary against the lab's real sshd hosts
# (tests/lab/up).  Environment from tests/e2e/run:
#   MEND      path of the mend binary
#   LAB       lab state dir (inventory.ini, known_hosts, id_ed25519)
#   TOP       repository root
#   T         a fresh scratch directory for this test
# A test prints nothing on success; `fail MSG` reports and exits 1.

set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
# mend_run ARGS...: run mend with the lab's known_hosts and key; output in
# $T/out, exit code in $rc.
mend_run() {
	rc=0
	"$MEND" "$@" >"$T/out" 2>&1 || rc=$?
}
lab_args() { echo "-i $LAB/inventory.ini --known-hosts $LAB/known_hosts --state-dir $T/state"; }
expect_rc() {
	[ "$rc" -eq "$1" ] || { cat "$T/out" >&2; fail "exit code $rc, expected $1"; }
}
expect_out() {
	grep -qE -- "$1" "$T/out" || { cat "$T/out" >&2; fail "output lacks /$1/"; }
}
expect_no_out() {
	! grep -qE -- "$1" "$T/out" || { cat "$T/out" >&2; fail "output has /$1/"; }
}
# lab_sh N CMD...: run a command inside lab host N (its namespaces).
lab_sh() { "$TOP/tests/lab/sh" "$@"; }
# recap HOST FIELD: a number from the PLAY RECAP line of HOST.
recap() {
	sed -n "s/^$1 *: .*$2=\([0-9]*\).*/\1/p" "$T/out" | tail -1
}
nhosts() { grep -c '^h[0-9]' "$LAB/hosts" 2>/dev/null || wc -l <"$LAB/hosts"; }
# save FILE NAME: keep a copy of FILE as $E2E_SAVE/NAME when E2E_SAVE is set
# (real output for the README); nothing otherwise.
save() {
	[ -n "${E2E_SAVE:-}" ] || return 0
	mkdir -p "$E2E_SAVE" && cp "$1" "$E2E_SAVE/$2"
}
