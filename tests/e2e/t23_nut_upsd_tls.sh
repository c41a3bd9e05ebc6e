# shellcheck shell=bash disable=SC2046
# NUT case 8: playbooks/nut-upsd-tls.yml turns a plaintext-only upsd into
# one that answers OK STARTTLS with a certificate that verifies against the
# CA (checked by the lab's own probe, not only by mend's); the NSS database
# password never appears in the output; a second run changes nothing; then
# the client playbook completes the fix on the same host.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
need_hosts 3
lab_sh 3 rm -rf /etc/nut/cert-upsd /etc/nut/cert
nut_up 3 --tls none --upsmon-log
addr3=$(awk '$1 == "h3" {print $2}' "$LAB/hosts")
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true   # the lab CA (kept if there)
"$TOP/tests/lab/mkcert" "$T/pki" h3 "$LAB/pki" localhost 127.0.0.1 "$addr3" \
	--p12-pass p12-pw-7781 >/dev/null
rc=0; "$TOP/tests/lab/nut-probe" 3 >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "h3 should start plaintext-only (nut-probe exit $rc)"

PB=$TOP/playbooks/nut-upsd-tls.yml
args=(-l h3 -e nut_ca_file="$LAB/pki/ca.pem" -e nut_server_pkcs12="$T/pki/h3.p12"
	-e nut_server_pkcs12_password=p12-pw-7781 -e nut_server_db_password=db-pw-4417)
mend_run run "$PB" $(lab_args) "${args[@]}" --diff
expect_rc 0
grep -qE 'db-pw-4417|p12-pw-7781' "$T/out" && fail "a password is in the output"
expect_task h3 "STARTTLS before" "failed \(ignored\): .*ERR FEATURE-NOT-CONFIGURED"
expect_task h3 "NSS: server key and certificate" "changed"
expect_task h3 "NSS: CERTPATH, CERTIDENT" "changed"
expect_task h3 "restart upsd" "changed"
expect_task h3 "verify: OK STARTTLS" "ok"
expect_out '^\+CERTIDENT "h3" "\*\*\*\*\*\*\*\*"$'
expect_out '^\+DISABLE_WEAK_SSL true$'
lab_sh 3 grep -qx 'CERTIDENT "h3" "db-pw-4417"' /etc/nut/upsd.conf || fail "CERTIDENT not written"
lab_sh 3 grep -qx 'CERTPATH /etc/nut/cert-upsd' /etc/nut/upsd.conf || fail "CERTPATH not written"
[ "$(fsum 3 /etc/nut/upsd.conf | cut -d' ' -f2-)" = "640 root nut" ] || fail "upsd.conf mode/owner"
[ "$(lab_sh 3 stat -c '%a %U %G' /etc/nut/cert-upsd)" = "750 root nut" ] || fail "server db mode/owner"
grep -rqE 'db-pw-4417|p12-pw-7781' "$T/state/runs"/*/journal.jsonl && fail "a password is in the journal records"
# independent proof: the lab's probe (python ssl) gets OK STARTTLS and a
# handshake verified against the lab CA, from inside and from outside
"$TOP/tests/lab/nut-probe" 3 >"$T/probe" 2>&1 || { cat "$T/probe" >&2; fail "nut-probe 3 after the fix"; }
"$TOP/tests/lab/nut-probe" 3 --outside >"$T/probe" 2>&1 || { cat "$T/probe" >&2; fail "nut-probe 3 --outside"; }

mend_run run "$PB" $(lab_args) "${args[@]}"
expect_rc 0
[ "$(recap h3 changed)" = 0 ] || fail "second run: changed=$(recap h3 changed)"

# the client side on the same host now works end to end
nut_play "$TOP/playbooks/nut-upsmon-tls.yml" -l h3
expect_rc 0
expect_task h3 "upsmon connected to every server in SSL" "ok"
exit 0
