# shellcheck shell=bash disable=SC2046
# NUT restarts that stop the real upsmon (issue 11 item 2) on systemd hosts
# of every release at once, with playbooks/nut-upsmon-tls.yml (service
# pid_file): on each host nut-monitor.service is stopped and upsmon runs
# OUTSIDE its unit (started by hand, as after a debugging session):
# `systemctl stop` sees nothing to stop, and the unit's upsmon would find the
# old one running.
#  - h1, h3: the old upsmon is tracked by name, SIGTERM by PID ends it (said
#    in the result); the new upsmon runs inside nut-monitor.service and
#    verified upsd (its own journal lines); no old upsmon left;
#  - h2: the outside upsmon is hung (SIGSTOP): the restart fails naming it,
#    the host fails, the run exits 2; continued, `mend rollback last` puts
#    upsmon.conf back byte-identical on every host with nut-monitor active
#    and upsmon inside it.
#  - nut_live proves the new upsmon runs the patched file (CERTPATH's
#    database open, connected, verified in its journal); upsmon.conf put
#    back by hand (cp -p) on h1/h3 is named as a mismatch, and `mend
#    rollback last` restarts upsmon and proves the old file live.
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
PB=$TOP/playbooks/nut-upsmon-tls.yml
LIVE='verify: the running upsmon runs this upsmon.conf (nut_live)'
conf=/etc/nut/upsmon.conf
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true
for n in $(hosts_n); do lab_sh "$n" rm -rf /etc/nut/cert-upsd /etc/nut/cert /etc/nut/cert-evil; done
each "$TOP/tests/lab/nut-up" {} --tls nss --no-client-db || fail "nut-up"
# upsmons N: the PIDs of every upsmon inside host N
upsmons() { lab_sh "$1" sh -c 'for d in /proc/[0-9]*; do [ "$(cat $d/comm 2>/dev/null)" = upsmon ] && echo ${d#/proc/}; done' | sort -n | tr '\n' ' '; }
declare -A sum old
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'systemctl stop nut-monitor && setsid /usr/sbin/upsmon </dev/null >/dev/null 2>&1' ||
		fail "h$n: upsmon by hand"
	for _ in $(seq 50); do [ -n "$(upsmons "$n")" ] && break; sleep 0.2; done
	old[$n]=$(upsmons "$n")
	[ -n "${old[$n]}" ] || fail "h$n: upsmon started by hand does not run"
	active "$n" nut-monitor && fail "h$n: nut-monitor is active"
	sum[$n]=$(fsum "$n" $conf)
done
H=2
[ "$(nhosts)" -ge 2 ] || H=0
# shellcheck disable=SC2086  # the PIDs
[ "$H" = 0 ] || lab_sh $H kill -STOP ${old[$H]}
stamp "upsmon outside nut-monitor.service on every host (hung on h$H; 0: none)"

t0=$(date +%s)
mend_run run "$PB" $(lab_args) -e nut_ca_file="$CA" --json "$T/run.json"
stamp "the fix: exit $rc in $(($(date +%s) - t0)) s"
if [ "$H" = 0 ]; then expect_rc 0; else expect_rc 2; fi
for n in $(hosts_n); do
	h=h$n
	if [ "$n" = "$H" ]; then
		expect_task $h "restart upsmon" "FAILED: service 'nut-(monitor|client)' did not stop: its own stop left upsmon \(pid [0-9,]+\) running, and SIGTERM to that PID did not end it within 10 s"
		[ "$(upsmons $n)" = "${old[$n]}" ] || fail "$h: the hung upsmon is not the one left"
		continue
	fi
	[ "$(recap $h failed)" = 0 ] || { cat "$T/out"; fail "$h ($(os_of $n)) failed"; }
	jdata "$T/run.json" $h "restart upsmon" .message |
		grep -qE "its own stop left upsmon \(pid [0-9,]+\) running: ended by SIGTERM to that PID" ||
		fail "$h: the restart does not say the outside upsmon needed SIGTERM"
	expect_task $h "upsmon connected to every server in SSL" "ok"
	for p in ${old[$n]}; do
		case " $(upsmons $n) " in *" $p "*) fail "$h: the old upsmon (pid $p) still runs" ;; esac
	done
	active $n nut-monitor || fail "$h: nut-monitor is not active"
	inside_unit $n upsmon nut-monitor.service
	# nut_live: the running upsmon runs the patched file, read from its
	# journal (NUT 2.7.4 on bullseye, 2.8.0, 2.8.1)
	[ "$(jdata "$T/run.json" $h "$LIVE" .data.matches)" = true ] || fail "$h: not proven"
	[ "$(jdata "$T/run.json" $h "$LIVE" .data.log)" = journal ] || fail "$h: upsmon's journal not read"
	jdata "$T/run.json" $h "$LIVE" '.data.checks[] | "\(.check)=\(.running)"' >"$T/checks"
	grep -qx "CERTPATH=/etc/nut/cert/cert9.db" "$T/checks" || fail "$h: CERTPATH not open: $(cat "$T/checks")"
	grep -qx "127.0.0.1:3493=connected, verified TLS (log)" "$T/checks" || fail "$h: $(cat "$T/checks")"
done
stamp "restarts: old upsmon ended, new one in its unit, verified, proven by nut_live"
run=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")

# shellcheck disable=SC2086
[ "$H" = 0 ] || lab_sh $H kill -CONT ${old[$H]}

# upsmon.conf restored by hand (cp -p) on the proven hosts while the verified
# upsmon runs: nut_live names the mismatch; `mend rollback last` restarts
# upsmon (no byte to restore) and proves the old file live
proven=
for n in $(hosts_n); do [ "$n" = "$H" ] || proven="$proven${proven:+,}h$n"; done
for n in $(hosts_n); do
	[ "$n" = "$H" ] && continue
	lab_sh $n cp -p "/var/backups/mend/$run/etc/nut/upsmon.conf" $conf
	[ "$(fsum "$n" $conf)" = "${sum[$n]}" ] || fail "h$n: the hand restore is not the original"
done
cat >"$T/live.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: upsmon runs its file
      nut_live:
        service: nut-monitor
P
mend_run run "$T/live.yml" $(lab_args) -l "$proven"
cat "$T/out"
expect_rc 2
for n in $(hosts_n); do
	[ "$n" = "$H" ] && continue
	expect_task h$n "upsmon runs its file" "FAILED: the running upsmon does not match /etc/nut/upsmon.conf: /etc/nut/upsmon.conf sets no CERTPATH, the running upsmon has the certificate database /etc/nut/cert/cert9.db open"
done
mend_run rollback last $(lab_args)
cat "$T/out"
expect_rc 0
mend_run run "$T/live.yml" $(lab_args) -l "$proven" --json "$T/live.json"
expect_rc 0
for n in $(hosts_n); do
	[ "$n" = "$H" ] && continue
	jdata "$T/live.json" h$n "upsmon runs its file" '.data.checks[] | "\(.check)=\(.running)"' | grep -qx "CERTPATH=none" ||
		fail "h$n: the restarted upsmon holds a certificate database"
	active $n nut-monitor || fail "h$n: nut-monitor not active after the mismatch rollback"
	inside_unit $n upsmon nut-monitor.service
done
stamp "mismatch named on $proven, rollback restarted upsmon and proved the old file"

mend_run rollback "$run" $(lab_args)
cat "$T/out"
expect_rc 0
for n in $(hosts_n); do
	[ "$(fsum $n $conf)" = "${sum[$n]}" ] || fail "h$n: $conf not restored"
	for _ in $(seq 50); do active $n nut-monitor && break; sleep 0.2; done
	active $n nut-monitor || fail "h$n: nut-monitor not active after the rollback"
	inside_unit $n upsmon nut-monitor.service
done
stamp "rollback: files byte-identical, upsmon in its unit on every host"
exit 0
