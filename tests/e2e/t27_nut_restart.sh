# shellcheck shell=bash disable=SC2046
# NUT restarts that stop the real upsmon (issue 11 item 2), with
# playbooks/nut-upsmon-tls.yml (service pid_file) on two real NUT hosts:
#   h1  upsmon's pid file was lost: Debian's init script says nothing is
#       running (start-stop-daemon -p) and would start a SECOND upsmon next
#       to the old, unverified one -> the old upsmon is tracked by name, its
#       own stop leaves it, SIGTERM by PID ends it (said in the result); only
#       the new upsmon runs, it verified upsd (": SUCCESS")
#   h2  upsmon is hung (SIGSTOP): nothing ends it -> the restart fails
#       naming it, the host fails, exit 2; once it is continued, `mend
#       rollback last` puts every byte back and upsmon runs again on both.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
need_hosts 2
PB=$TOP/playbooks/nut-upsmon-tls.yml
conf=/etc/nut/upsmon.conf
nut_up 1 --tls nss --upsmon-log --no-client-db
nut_up 2 --tls nss --upsmon-log --no-client-db
# upsmons N: the PIDs of every upsmon inside host N, one line
upsmons() { lab_sh "$1" sh -c 'for d in /proc/[0-9]*; do [ "$(cat $d/comm 2>/dev/null)" = upsmon ] && echo ${d#/proc/}; done' | sort -n | tr '\n' ' '; }
sum1=$(fsum 1 $conf) sum2=$(fsum 2 $conf)
old1=$(upsmons 1) old2=$(upsmons 2)
[ -n "$old1" ] && [ -n "$old2" ] || fail "upsmon is not running: h1 '$old1', h2 '$old2'"
log1=$(upsmon_lines 1)
lab_sh 1 rm /run/nut/upsmon.pid
# shellcheck disable=SC2086  # the PIDs
lab_sh 2 kill -STOP $old2

nut_play "$PB" -l h1,h2 --json "$T/run.json"
cat "$T/out"
expect_rc 2
# h1: the lost upsmon ended by SIGTERM, the new one verified the server
expect_task h1 "restart upsmon" "changed"
jq -r '.results[] | select(.host == "h1" and .task == "restart upsmon") | .message' "$T/run.json" |
	grep -qE "its own stop left upsmon \(pid [0-9,]+\) running: ended by SIGTERM to that PID" ||
	fail "h1: the restart does not say the lost upsmon needed SIGTERM"
[ "$(recap h1 failed)" = 0 ] || fail "h1 failed"
expect_task h1 "upsmon connected to every server in SSL" "ok"
new1=$(upsmons 1)
for p in $old1; do
	case " $new1 " in *" $p "*) fail "h1: the old upsmon (pid $p) still runs next to the new one ($new1)" ;; esac
done
[ -n "$new1" ] || fail "h1: no upsmon after the restart"
upsmon_since 1 "$log1" | grep -q "Intend to authenticate server 127.0.0.1 : SUCCESS" ||
	fail "h1: the new upsmon did not verify upsd"
# h2: the hung upsmon is named, the host fails
expect_task h2 "restart upsmon" "FAILED: service 'nut-client' did not stop: its own stop left upsmon \(pid [0-9,]+\) running, and SIGTERM to that PID did not end it within 10 s"
[ "$(recap h2 failed)" = 1 ] || fail "h2 did not fail"
[ "$(upsmons 2)" = "$old2" ] || fail "h2: the hung upsmon is not the one left"

# the operator continues h2's upsmon (its pending SIGTERM ends it), and
# rolls back: every byte back, upsmon running on both hosts
# shellcheck disable=SC2086
lab_sh 2 kill -CONT $old2
mend_run rollback last $(lab_args)
cat "$T/out"
expect_rc 0
[ "$(fsum 1 $conf)" = "$sum1" ] || fail "h1: $conf not restored"
[ "$(fsum 2 $conf)" = "$sum2" ] || fail "h2: $conf not restored"
for n in 1 2; do
	for _ in $(seq 50); do upsmon_running $n && break; sleep 0.2; done
	upsmon_running $n || fail "h$n: upsmon does not run after the rollback"
done
for p in $old2; do
	case " $(upsmons 2) " in *" $p "*) fail "h2: the hung upsmon (pid $p) still runs" ;; esac
done
exit 0
