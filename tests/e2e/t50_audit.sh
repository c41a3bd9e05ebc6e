# shellcheck shell=bash disable=SC2046
# mend audit in a pipeline, on NUT configuration copied from a real lab host
# before and after mend's fix (playbooks/nut-upsmon-tls.yml):
#   - before: the seed's 'certverify = yes' / 'forcssl = yes' found at their
#     line:col, exit 1; --diff is the patch the fix then really writes;
#   - after: upsmon.conf clean, exit 0;
#   - SARIF validates against the SARIF 2.1.0 schema, JUnit reads back;
#   - --write-baseline / --baseline: only new findings fail the pipeline;
#     an inline '# mend: ignore' suppresses one; unparsable input exits 3.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
need_hosts 1
PY=/usr/bin/python3
CHK=$TOP/tests/audit
PB=$TOP/playbooks/nut-upsmon-tls.yml

nut_up 1 --tls nss --upsmon-log --no-client-db
lab_sh 1 sh -c 'printf "certverify = yes\nforcssl = yes\n" >>/etc/nut/upsmon.conf && service nut-client restart' >/dev/null
# copy_etc DIR: the host's /etc/nut as a repository of configuration
copy_etc() {
	mkdir -p "$1/h1/etc" && lab_sh 1 tar -C /etc -cf - nut | tar -C "$1/h1/etc" -xf - ||
		fail "cannot copy /etc/nut from h1"
}
copy_etc "$T/before"
cl=$(grep -n '^certverify = yes$' "$T/before/h1/etc/nut/upsmon.conf" | cut -d: -f1)
[ -n "$cl" ] || fail "seed line not in the copied upsmon.conf"

# ---- before the fix (run where a pipeline runs: in the checkout) -------------
cd "$T/before" || fail "cd"
mend_run audit . --diff
expect_rc 1
expect_out "^h1/etc/nut/upsmon.conf:$cl:1: high NUT001 nut-ignored-tls-line: 'certverify = yes' is ignored by upsmon"
expect_out "^h1/etc/nut/upsmon.conf:$((cl + 1)):1: high NUT001 .*'forcssl = yes'"
expect_out "^h1/etc/nut/upsmon.conf: high NUT003 nut-certverify-off"
expect_out '^\+CERTVERIFY 1$'
expect_no_out 'mendlab-mon-pw'          # the MONITOR password is masked
save "$T/out" audit-before.txt
# the patch for the file the fix changes (other NUT-like files that earlier
# tests leave in the host's /etc/nut have findings and patches of their own)
mend_run audit h1/etc/nut/upsmon.conf --diff
expect_rc 1
grep -E '^[-+][^-+]' "$T/out" | grep -v '^-' >"$T/audit.plus"
grep -E '^-[^-]' "$T/out" >"$T/audit.minus"

mend_run audit . --format sarif -o "$T/before.sarif"
expect_rc 1
"$PY" "$CHK/check-sarif.py" "$T/before.sarif" || fail "SARIF invalid"
mend_run audit . --format junit -o "$T/before.xml"
expect_rc 1
"$PY" "$CHK/check-junit.py" "$T/before.xml" --errors 0 || fail "JUnit"
nf=$(grep -c '<failure' "$T/before.xml")
[ "$nf" -ge 3 ] || fail "JUnit: $nf failures"
mend_run audit . --format json -o "$T/before.json"
expect_rc 1
[ "$(jq -r '.summary.exit' "$T/before.json")" = 1 ] || fail "json summary.exit"
jq -e --argjson l "$cl" '.findings[] | select(.rule == "NUT001" and .line == $l and .col == 1 and .text == "certverify = yes")' \
	"$T/before.json" >/dev/null || fail "json: NUT001 at line $cl"

# ---- a pipeline with a baseline fails on new findings only -------------------
mend_run audit . --write-baseline "$T/baseline.json" --format sarif -o "$T/b0.sarif"
expect_rc 1
mend_run audit . --baseline "$T/baseline.json" --format sarif -o "$T/b1.sarif"
expect_rc 0
"$PY" "$CHK/check-sarif.py" "$T/b1.sarif" --new 0 || fail "baseline: findings are new"
cp -r "$T/before" "$T/changed"
cd "$T/changed" || fail "cd"
# a line added at the top moves every finding; one new finding at the end
sed -i '1i # reviewed' "$T/changed/h1/etc/nut/upsmon.conf"
echo 'CERTHOST 127.0.0.1 "h1" 0 0' >>"$T/changed/h1/etc/nut/upsmon.conf"
mend_run audit . --baseline "$T/baseline.json" --format sarif -o "$T/b2.sarif"
expect_rc 1
"$PY" "$CHK/check-sarif.py" "$T/b2.sarif" --new 1 || fail "baseline: not exactly one new finding"
mend_run audit . --baseline "$T/baseline.json"
save "$T/out" audit-baseline.txt
jq -e '.runs[0].results[] | select(.baselineState == "new" and .ruleId == "NUT006")' "$T/b2.sarif" >/dev/null ||
	fail "the new finding is not the CERTHOST override"
# ... and an inline suppression (with a reason) takes it out
sed -i '$i # mend: ignore NUT006 lab host, checked by hand' "$T/changed/h1/etc/nut/upsmon.conf"
mend_run audit . --baseline "$T/baseline.json" --format sarif -o "$T/b3.sarif"
expect_rc 0
"$PY" "$CHK/check-sarif.py" "$T/b3.sarif" --new 1 --suppressed 1 || fail "suppression"

# ---- the fix on the host, then the copy again --------------------------------
nut_play "$PB" -l h1 --diff
expect_rc 0
grep -E '^\+[^+]' "$T/out" >"$T/run.plus"
grep -E '^-[^-]' "$T/out" >"$T/run.minus"
diff -u "$T/run.plus" "$T/audit.plus" || fail "audit --diff adds other lines than the fix"
diff -u "$T/run.minus" "$T/audit.minus" || fail "audit --diff removes other lines than the fix"
copy_etc "$T/after"
cd "$T/after" || fail "cd"
mend_run audit h1/etc/nut/upsmon.conf
expect_rc 0
expect_out '^mend audit: 1 file, 0 findings; 0 at or above high$'
save "$T/out" audit-after.txt
mend_run audit . --baseline "$T/baseline.json" --format junit -o "$T/after.xml"
expect_rc 0
"$PY" "$CHK/check-junit.py" "$T/after.xml" --failures 0 || fail "JUnit after"

# ---- input errors: exit 3 with the position ------------------------------------
mkdir -p "$T/bad/rabbitmq"
printf 'listeners.tcp = none\nthis is not a setting\n' >"$T/bad/rabbitmq/rabbitmq.conf"
cd "$T" || fail "cd"
mend_run audit bad after
expect_rc 3
expect_out '^bad/rabbitmq/rabbitmq.conf:2:6: error: syntax error: '
expect_out ', 1 unreadable or unparsable; '

mend_run audit nonexistent
expect_rc 3
mend_run audit --format yaml after
expect_rc 2
exit 0
