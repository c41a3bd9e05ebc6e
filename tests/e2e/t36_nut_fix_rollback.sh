# rollback of the full NUT client fix (playbooks/nut-upsmon-tls.yml) on a
# real upsd with STARTTLS (no client trust store: the fix creates it):
# every file under /etc/nut is byte-identical to
# before, with its mode and owner, and upsmon runs again, restarted after
# the files were put back (so on the old configuration), even with the
# host's backup directory deleted (the originals come from the journal)
. "$TOP/tests/e2e/lib.sh"
[ -f "$TOP/playbooks/nut-upsmon-tls.yml" ] || fail "playbooks/nut-upsmon-tls.yml is missing"
# (nut-up gives upsd 5 s to start; with NSS on a loaded machine it can need
# more: try again)
for try in 1 2 3; do
	"$TOP/tests/lab/nut-up" 1 --tls nss --no-client-db >"$T/nut-up.log" 2>&1 && break
	[ "$try" = 3 ] && { cat "$T/nut-up.log"; fail "nut-up failed"; }
	sleep 3
done
# every file under /etc/nut: path, sha256, mode, owner
snap() { lab_sh 1 sh -c 'find /etc/nut -type f | LC_ALL=C sort | while read -r f; do echo "$f $(sha256sum <"$f" | cut -c1-64) $(stat -c "%a %U:%G" "$f")"; done'; }
upsmon_pid() { lab_sh 1 cat /run/nut/upsmon.pid; }
before=$(snap)
mend_run run "$TOP/playbooks/nut-upsmon-tls.yml" $(lab_args) -l h1 -e nut_ca_file="$LAB/pki/ca.pem"
expect_rc 0
[ "$(recap h1 changed)" -ge 2 ] || fail "the fix changed less than expected"
fixed=$(snap)
[ "$fixed" != "$before" ] || fail "the fix changed no file under /etc/nut"
lab_sh 1 grep -q '^CERTVERIFY 1' /etc/nut/upsmon.conf || fail "the fix is not in upsmon.conf"
run=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
lab_sh 1 rm -rf /var/backups/mend
t0=$(date +%s)
mend_run rollback "$run" $(lab_args)
expect_rc 0
after=$(snap)
[ "$after" = "$before" ] || fail "not restored:
$(diff <(echo "$before") <(echo "$after"))"
p=$(upsmon_pid)
lab_sh 1 kill -0 "$p" || fail "upsmon is not running after the rollback"
started=$(lab_sh 1 sh -c "echo \$(( \$(date +%s) - \$(ps -o etimes= -p $p) ))")
[ "$started" -ge "$((t0 - 1))" ] || fail "upsmon (pid $p) was not restarted by the rollback (started $started, rollback at $t0)"
lab_sh 1 grep -q '^CERTVERIFY' /etc/nut/upsmon.conf && fail "upsmon.conf still has CERTVERIFY"
# rolling back again: nothing left to do
mend_run rollback "$run" $(lab_args) -v
expect_rc 0
expect_out '0 restored, 0 removed'
