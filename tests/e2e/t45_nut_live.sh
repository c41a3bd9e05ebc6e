# shellcheck shell=bash disable=SC2046,SC2016
# NUT's running configuration proven (issue 11 items 3 and 4), on real
# upsmon/upsd (Debian 12, NSS) started by the init scripts:
#  1. h1: the client fix proves the running upsmon runs the patched file
#     (nut_live: started after the write, CERTPATH's NSS database open,
#     connected to upsd, "Intend to authenticate server 127.0.0.1 : SUCCESS"
#     in its log since the restart)
#  2. h1: upsmon.conf restored by hand (cp -p: old bytes AND old mtime) while
#     the verified upsmon keeps running -> nut_live names the mismatch, the
#     host fails (exit 2); `mend rollback last` (that run changed no byte)
#     restarts upsmon and proves the old configuration live: the new upsmon
#     holds no certificate database and logs "Do not intend to authenticate"
#  3. h1: a rollback that cannot prove (upsd stopped after the fix): exit 2,
#     naming h1 and nut-client
#  4. h2: upsd's pid file is lost: the server fix's restart still stops the
#     real upsd (SIGTERM by PID), and nut_live proves the new upsd serves
#     the certificate upsd.conf names (SHA-256 equal to certutil's)
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
need_hosts 2
PB=$TOP/playbooks/nut-upsmon-tls.yml
conf=/etc/nut/upsmon.conf
jdata() {
	jq -r --arg h "$2" --arg t "$3" \
		"[.results[] | select(.host == \$h and .task == \$t)][0] | $4" "$1"
}
LIVE='verify: the running upsmon runs this upsmon.conf (nut_live)'
# dbs N: the certificate databases open in host N's upsmons
dbs() { lab_sh "$1" sh -c 'for d in /proc/[0-9]*; do [ "$(cat $d/comm 2>/dev/null)" = upsmon ] && ls -l $d/fd/ 2>/dev/null; done' | grep -o '/[^ ]*cert[89]\.db' | sort -u; }
lab_sh 1 rm -rf /etc/nut/cert /etc/nut/cert-upsd /var/backups/mend
nut_up 1 --tls nss --upsmon-log --no-client-db
sum0=$(fsum 1 $conf)

# ------------------------------------------------------------- 1. proven
nut_play "$PB" -l h1 --json "$T/fix.json"
expect_rc 0
run1=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
expect_task h1 "$LIVE" "ok"
[ "$(jdata "$T/fix.json" h1 "$LIVE" .data.matches)" = true ] || fail "not proven"
jdata "$T/fix.json" h1 "$LIVE" '.data.checks[] | "\(.check)=\(.running)"' >"$T/checks"
grep -qx "CERTPATH=/etc/nut/cert/cert9.db" "$T/checks" || fail "CERTPATH not seen open: $(cat "$T/checks")"
grep -qx "127.0.0.1:3493=connected, verified TLS (log)" "$T/checks" || fail "no verified connection: $(cat "$T/checks")"
[ "$(dbs 1)" = /etc/nut/cert/cert9.db ] || fail "upsmon's open databases: $(dbs 1)"
grep -q '"via":"nut_service","prove":"nut_live"' "$T/state/runs/$run1/journal.jsonl" ||
	fail "the restart is not journaled with via/prove"
echo "1. proven: $(tr '\n' ' ' <"$T/checks")"

# ------------------------------------------- 2. hand-restored -> mismatch
bk=$(lab_sh 1 find /var/backups/mend -name upsmon.conf)
lab_sh 1 cp -p "$bk" $conf
[ "$(fsum 1 $conf)" = "$sum0" ] || fail "the hand restore is not the original"
cat >"$T/live.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: upsmon runs its file
      nut_live:
P
mend_run run "$T/live.yml" $(lab_args) -l h1
cat "$T/out"
expect_rc 2
expect_out "h1 \| upsmon runs its file \| FAILED: the running upsmon does not match /etc/nut/upsmon.conf: /etc/nut/upsmon.conf sets no CERTPATH, the running upsmon has the certificate database /etc/nut/cert/cert9.db open"
pid1=$(lab_sh 1 cat /run/nut/upsmon.pid)
lines=$(upsmon_lines 1)
mend_run rollback last $(lab_args)
cat "$T/out"
expect_rc 0
expect_out "h1 \| restore files and services \| changed$"
[ "$(lab_sh 1 cat /run/nut/upsmon.pid)" != "$pid1" ] || fail "the rollback did not restart upsmon"
[ -z "$(dbs 1)" ] || fail "the restarted upsmon still holds $(dbs 1)"
wait_log 1 "Do not intend to authenticate server 127.0.0.1" 10 "$lines"
[ "$(fsum 1 $conf)" = "$sum0" ] || fail "upsmon.conf changed"
mend_run run "$T/live.yml" $(lab_args) -l h1
expect_rc 0
echo "2. mismatch named, rollback restarted and proved the old file"

# ------------------------------------------ 3. a rollback that cannot prove
lab_sh 1 rm -rf /etc/nut/cert
nut_play "$PB" -l h1
expect_rc 0
run3=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
lab_sh 1 service nut-server stop >/dev/null
t0=$(date +%s)
mend_run rollback "$run3" $(lab_args)
cat "$T/out"
expect_rc 2
expect_out "h1 \| restore files and services \| FAILED: nut-client: restarted, but the restored configuration is not the one it runs: the running upsmon does not match /etc/nut/upsmon.conf: upsmon is not connected to 127.0.0.1:3493: nothing accepts connections there"
[ "$(($(date +%s) - t0))" -lt 120 ] || fail "the failing proof took $(($(date +%s) - t0)) s"
[ "$(fsum 1 $conf)" = "$sum0" ] || fail "upsmon.conf not restored"
lab_sh 1 service nut-server start >/dev/null
echo "3. unprovable rollback: exit 2 naming h1 and nut-client in $(($(date +%s) - t0)) s"

# ------------------------------------- 4. upsd without its pid file
lab_sh 2 rm -rf /etc/nut/cert-upsd /etc/nut/cert
nut_up 2 --tls none --upsmon-log
addr2=$(awk '$1 == "h2" {print $2}' "$LAB/hosts")
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true
"$TOP/tests/lab/mkcert" "$T/pki" h2 "$LAB/pki" localhost 127.0.0.1 "$addr2" \
	--p12-pass p12-pw-45 >/dev/null
old=$(lab_sh 2 cat /run/nut/upsd.pid)
lab_sh 2 rm /run/nut/upsd.pid
mend_run run "$TOP/playbooks/nut-upsd-tls.yml" $(lab_args) -l h2 -e nut_ca_file="$LAB/pki/ca.pem" \
	-e nut_server_pkcs12="$T/pki/h2.p12" -e nut_server_pkcs12_password=p12-pw-45 --json "$T/upsd.json"
cat "$T/out"
expect_rc 0
ULIVE='verify: the running upsd runs this upsd.conf (nut_live: STARTTLS, the file'"'"'s certificate)'
jdata "$T/upsd.json" h2 "restart upsd" .message |
	grep -qE "its own stop left upsd \(pid $old\) running: ended by SIGTERM to that PID" ||
	fail "h2: the restart does not say the lost upsd needed SIGTERM: $(jdata "$T/upsd.json" h2 "restart upsd" .message)"
lab_sh 2 kill -0 "$old" 2>/dev/null && fail "h2: the old upsd (pid $old) still runs"
[ "$(jdata "$T/upsd.json" h2 "$ULIVE" .data.matches)" = true ] || fail "h2: upsd not proven"
want=$(lab_sh 2 certutil -L -d /etc/nut/cert-upsd -n h2 -a | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
jdata "$T/upsd.json" h2 "$ULIVE" '.data.checks[] | "\(.check)=\(.running)"' >"$T/checks"
[ -n "$want" ] || fail "h2: no certificate in the NSS database"
grep -qx "127.0.0.1:3493=CN=h2,O=mend test lab sha256:$want" "$T/checks" || fail "h2: not certutil's certificate ($want): $(cat "$T/checks")"
grep -qx "$addr2:3493=CN=h2,O=mend test lab sha256:$want" "$T/checks" || fail "h2: $addr2: $(cat "$T/checks")"
echo "4. lost pid file: old upsd $old ended by SIGTERM, new upsd proven on both LISTEN addresses (sha256 $want)"

# the same host with upsd.conf hand-restored (TLS removed) while upsd
# keeps serving TLS: nut_live names it
bk=$(lab_sh 2 find /var/backups/mend -name upsd.conf | head -1)
lab_sh 2 cp "$bk" /etc/nut/upsd.conf
sed -i 's/nut_live:/nut_live:\n        service: nut-server/' "$T/live.yml"
mend_run run "$T/live.yml" $(lab_args) -l h2
cat "$T/out"
expect_rc 2
expect_out "FAILED: the running upsd does not match /etc/nut/upsd.conf: upsd \(pid [0-9]+\) started [0-9.]+ s before /etc/nut/upsd.conf was last written"
mend_run rollback last $(lab_args)
cat "$T/out"
expect_rc 0
mend_run run "$T/live.yml" $(lab_args) -l h2
expect_rc 0
"$TOP/tests/lab/nut-probe" 2 >/dev/null 2>&1 && fail "h2: upsd still offers TLS after the rollback"
exit 0
