# shellcheck shell=bash disable=SC2046
# NUT cases 2, 3, 4, 5 and 7 with playbooks/nut-upsmon-tls.yml on three
# real NUT hosts at once:
#   h1  upsd with a lab-CA certificate, upsmon.conf with the seed's lines
#       -> fixed: exact bytes, owner/mode kept, backup, upsmon logs SSL +
#          SUCCESS, probe passes, second run changed=0        (cases 2, 3)
#   h2  upsd whose certificate comes from ANOTHER CA
#       -> the probe fails with the verification error, h2 fails,
#          unchanged, while h1 succeeds                        (case 4)
#   h3  upsd without TLS
#       -> the pre-flight stops h3 before any change, upsmon.conf unchanged,
#          upsmon still monitoring                              (case 5)
# and first of all a --check --diff run that reports the change and
# leaves every byte alone                                      (case 7).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
need_hosts 3
PB=$TOP/playbooks/nut-upsmon-tls.yml

nut_up 1 --tls nss --upsmon-log --no-client-db
lab_sh 1 sh -c 'printf "certverify = yes\nforcssl = yes\n" >>/etc/nut/upsmon.conf && service nut-client restart' >/dev/null
nut_up 2 --tls nss --upsmon-log --no-client-db
nut_up 3 --tls none --upsmon-log

# h2's upsd gets a certificate signed by another CA
other=$T/other-ca
addr2=$(awk '$1 == "h2" {print $2}' "$LAB/hosts")
"$TOP/tests/lab/mkca" "$other" --cn "some other CA" >/dev/null
"$TOP/tests/lab/mkcert" "$other" h2 "$other" localhost 127.0.0.1 "$addr2" >/dev/null
rm -rf "$LAB/h2/fs/etc/nut/cert-upsd"
"$TOP/tests/lab/mknssdb" "$LAB/h2/fs/etc/nut/cert-upsd" --password mendlab-nss \
	--p12 "$other/h2.p12" --owner root:nut >/dev/null
lab_sh 2 sh -c 'service nut-server stop; sleep 0.5; service nut-server start' >/dev/null 2>&1
for _ in $(seq 50); do
	rc=0; "$TOP/tests/lab/nut-probe" 2 >/dev/null 2>&1 || rc=$?
	[ "$rc" = 4 ] && break
	sleep 0.2
done
[ "$rc" = 4 ] || fail "h2: upsd with the other CA's certificate is not up (nut-probe exit $rc)"

conf=/etc/nut/upsmon.conf
sum1=$(fsum 1 $conf) sum2=$(fsum 2 $conf) sum3=$(fsum 3 $conf)
log1=$(upsmon_lines 1) log3=$(upsmon_lines 3)
lab_sh 1 cat $conf >"$T/before"

# ---- case 7: check mode reports the change, changes no byte ---------------
nut_play "$PB" --check --diff
expect_rc 2
expect_out '^\+CERTVERIFY 1$'
expect_out "^-certverify = yes$"
expect_task h1 "CERTPATH, CERTVERIFY 1, FORCESSL 1" "changed"
[ "$(recap h1 failed)" = 0 ] || fail "check mode: h1 failed"
[ "$(recap h1 changed)" -ge 3 ] || fail "check mode: h1 reports no change"
[ "$(fsum 1 $conf) $(fsum 2 $conf) $(fsum 3 $conf)" = "$sum1 $sum2 $sum3" ] ||
	fail "check mode changed $conf"
lab_sh 1 test -e /etc/nut/cert && fail "check mode created /etc/nut/cert on h1"
cp "$T/out" "$T/out.check"

# ---- the run ---------------------------------------------------------------
nut_play "$PB" --diff
expect_rc 2
cp "$T/out" "$T/out.run"
run_id=$(sed -n 's/^run \([^ ]*\) (journal.*/\1/p' "$T/out" | head -1)
[ -n "$run_id" ] || fail "no run id in the output"

# case 4: other CA -> the verification error; h2 fails, unchanged
expect_task h2 "pre-flight" "FAILED: 127.0.0.1:3493: TLS handshake failed: certificate verify failed: (unable to get local issuer certificate|self-signed certificate in certificate chain)"
[ "$(recap h2 changed)" = 0 ] || fail "h2 changed something"
[ "$(fsum 2 $conf)" = "$sum2" ] || fail "h2:$conf changed"
lab_sh 2 test -e /etc/nut/cert && fail "h2: CA store created although the pre-flight failed"

# case 5: no TLS on the server -> the pre-flight stops h3, unchanged, and
# upsmon keeps monitoring in plaintext
expect_task h3 "pre-flight" "FAILED: 127.0.0.1:3493: STARTTLS refused: ERR FEATURE-NOT-CONFIGURED"
[ "$(recap h3 changed)" = 0 ] || fail "h3 changed something"
[ "$(fsum 3 $conf)" = "$sum3" ] || fail "h3:$conf changed"
upsmon_running 3 || fail "h3: upsmon no longer runs"
lab_sh 3 upsc -c myups@127.0.0.1 2>/dev/null | grep -qx 127.0.0.1 ||
	fail "h3: upsmon is no longer logged into upsd"
upsmon_since 3 "$log3" | grep -q "mend lab: starting" && fail "h3: upsmon was restarted"

# case 3: the fix on h1
[ "$(recap h1 failed)" = 0 ] || { cat "$T/out" >&2; fail "h1 failed"; }
expect_task h1 "restart upsmon" "changed"
expect_task h1 "upsmon connected to every server in SSL" "ok"
expect_task h1 "verify: STARTTLS, verified handshake" "ok"
# case 2 + 3: the diff is exactly the intended lines
{
	head -n 13 "$T/before"
	printf '%s\n' "# mend: replaced 'certverify = yes' (ignored by upsmon)" "CERTVERIFY 1" \
		"# mend: replaced 'forcssl = yes' (ignored by upsmon)" "FORCESSL 1" \
		"# mend: enforce verified TLS" "CERTPATH /etc/nut/cert"
} >"$T/want"
[ "$(tail -n 2 "$T/before")" = "$(printf 'certverify = yes\nforcssl = yes')" ] ||
	fail "unexpected starting file on h1"
lab_sh 1 cat $conf >"$T/after"
cmp -s "$T/want" "$T/after" || { diff -u "$T/want" "$T/after" >&2; fail "h1: patched file differs from the intended one"; }
[ "$(fsum 1 $conf | cut -d' ' -f2-)" = "640 root nut" ] || fail "h1: mode/owner of $conf changed: $(fsum 1 $conf)"
# the CA store NUT reads after dropping privileges
[ "$(lab_sh 1 stat -c '%a %U %G' /etc/nut/cert)" = "750 root nut" ] || fail "h1: /etc/nut/cert mode/owner"
for f in cert9.db key4.db pkcs11.txt; do
	[ "$(lab_sh 1 stat -c '%a %U %G' /etc/nut/cert/$f)" = "640 root nut" ] || fail "h1: $f mode/owner"
done
lab_sh 1 certutil -L -d sql:/etc/nut/cert | grep -qE '^mend-ca +CT,,' || fail "h1: CA not trusted CT,,"
# the backup: same bytes, never more readable than the original
b=/var/backups/mend/$run_id$conf
[ "$(fsum 1 "$b")" = "$sum1" ] || fail "h1: backup $b: $(fsum 1 "$b") vs $sum1"
# the daemons: upsmon verified the server and is connected in SSL
wait_log 1 "Connected to NUT server 127\.0\.0\.1 in SSL" 15 "$log1"
upsmon_since 1 "$log1" | grep -q "Intend to authenticate server 127.0.0.1 : SUCCESS" ||
	fail "h1: upsmon did not verify the server"
upsmon_since 1 "$log1" | grep -q "Certificate verification is disabled" &&
	fail "h1: upsmon still does not verify"
for _ in $(seq 50); do
	grep -q "logged into UPS \[myups\] (SSL)" "$LAB/h1/fs/var/log/mend-lab/syslog" && break
	sleep 0.2
done
grep -q "logged into UPS \[myups\] (SSL)" "$LAB/h1/fs/var/log/mend-lab/syslog" ||
	fail "h1: upsd saw no SSL login"
"$TOP/tests/lab/nut-probe" 1 >"$T/probe" 2>&1 || { cat "$T/probe" >&2; fail "h1: nut-probe after the fix"; }

# case 3: a second run changes nothing
nut_play "$PB" -l h1
expect_rc 0
[ "$(recap h1 changed)" = 0 ] || fail "second run: h1 changed=$(recap h1 changed)"
cmp -s "$T/want" <(lab_sh 1 cat $conf) || fail "second run changed h1:$conf"
exit 0
