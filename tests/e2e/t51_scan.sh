# shellcheck shell=bash disable=SC2046
# mend scan from the controller against the lab's real daemons, before and
# after mend's fixes, and mend audit on h2's /etc/rabbitmq copied before and
# after:
#   h1  upsd plaintext-only: STARTTLS refused (NUT102, high), exit 1; after
#       playbooks/nut-upsd-tls.yml: STARTTLS offered, certificate verified
#       against the lab CA, no TLS 1.0/1.1; only NUT101 (medium: upsd 2.8.0
#       still answers VER in cleartext) stays, exit 0 at --fail-on high
#   h2  RabbitMQ with plaintext listeners: Connection.Start in cleartext on
#       5672 (RMQ101), 5671 closed, exit 1; after playbooks/rabbitmq-tls.yml:
#       5672 closed, 5671 verified TLS with Connection.Start inside, exit 0
# and: the baseline of the first scan; SARIF and JUnit validated; a bad
# target is refused with exit 3; --rate bounds the pace.
. "$TOP/tests/e2e/rabbitmq-lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
need_hosts 2
PY=/usr/bin/python3
CHK=$TOP/tests/audit
a1=$(addr 1) a2=$(addr 2)
case "$a1 $a2" in 198.51.100.*\ 198.51.100.*) ;; *) fail "lab addresses are not 198.51.100.0/24: $a1 $a2" ;; esac

# only upsd on h1 and the broker on h2 (earlier tests may have left others)
lab_sh 1 sh -c 'if [ -s /run/rabbitmq/pid ] && kill -0 "$(cat /run/rabbitmq/pid)"; then service rabbitmq-server stop; fi' >/dev/null 2>&1 || true
lab_sh 2 sh -c 'service nut-client stop; service nut-server stop' >/dev/null 2>&1 || true
lab_sh 1 rm -rf /etc/nut/cert-upsd /etc/nut/cert
nut_up 1 --tls none --client none
rmq_up 2
stamp "daemons up"
# copy_rmq DIR: h2's /etc/rabbitmq, as a repository of configuration
copy_rmq() {
	mkdir -p "$1" && lab_sh 2 tar -C /etc -cf - rabbitmq | tar -C "$1" -xf - ||
		fail "cannot copy /etc/rabbitmq from h2"
}
copy_rmq "$T/rmq-before"

# ---- before ----------------------------------------------------------------
scan() { mend_run scan "$a1" "$a2" -p 3493,5672,5671,15672 --ca "$CA" --timeout 2000 "$@"; }
scan --format json -o "$T/before.json"
expect_rc 1
stamp "scan before"
J=$T/before.json
svc() { jq -r --arg h "$2" --argjson p "$3" ".services[] | select(.host == \$h and .port == \$p) | $4" "$1"; }
[ "$(svc "$J" "$a1" 3493 .state)" = open ] || fail "h1:3493 not open"
[ "$(svc "$J" "$a1" 3493 .starttls)" = false ] || fail "h1: STARTTLS not refused"
[ "$(svc "$J" "$a1" 3493 .cleartext)" = true ] || fail "h1: no cleartext answer"
svc "$J" "$a1" 3493 .product | grep -q '^Network UPS Tools upsd 2\.8' || fail "h1: product"
[ "$(svc "$J" "$a2" 5672 .cleartext)" = true ] || fail "h2:5672 no cleartext Connection.Start"
svc "$J" "$a2" 5672 .product | grep -q '^RabbitMQ 3\.' || fail "h2: product"
[ "$(svc "$J" "$a2" 5671 .state)" = closed ] || fail "h2:5671 should be closed"
has() { jq -e --arg r "$2" --arg p "$3" '.findings[] | select(.rule == $r and .path == $p)' "$1" >/dev/null; }
has "$J" NUT102 "$a1:3493" || fail "no NUT102 for h1"
has "$J" RMQ101 "$a2:5672" || fail "no RMQ101 for h2"
[ "$(jq '.findings | length' "$J")" = 3 ] || { jq . "$J" >&2; fail "expected 3 findings (NUT101, NUT102, RMQ101)"; }
scan --format sarif -o "$T/before.sarif" --write-baseline "$T/scan-baseline.json"
expect_rc 1
"$PY" "$CHK/check-sarif.py" "$T/before.sarif" --results 3 || fail "SARIF before"
scan --format junit -o "$T/before.xml"
expect_rc 1
"$PY" "$CHK/check-junit.py" "$T/before.xml" --failures 2 || fail "JUnit before"
scan --baseline "$T/scan-baseline.json"
expect_rc 0                     # nothing new since the baseline
scan
save "$T/out" scan-before.txt
save "$T/before.sarif" scan-before.sarif

# audit of the copied broker configuration, before
cd "$T" || fail "cd"
mend_run audit rmq-before
expect_rc 1
expect_out 'rabbitmq.conf:[0-9]+:1: high RMQ001 rabbitmq-plaintext-amqp: plaintext AMQP listener on 127.0.0.1:5672'
save "$T/out" audit-rmq-before.txt

# ---- the fixes ----------------------------------------------------------------
"$TOP/tests/lab/mkcert" "$T/pki" h1 "$LAB/pki" localhost 127.0.0.1 "$a1" \
	--p12-pass p12-pw-5150 >/dev/null
mend_run run "$TOP/playbooks/nut-upsd-tls.yml" $(lab_args) -l h1 \
	-e nut_ca_file="$CA" -e nut_server_pkcs12="$T/pki/h1.p12" \
	-e nut_server_pkcs12_password=p12-pw-5150 -e nut_server_db_password=db-pw-5151
expect_rc 0
mend_run run "$PB" $(lab_args) -l h2 -e rmq_ca_local="$CA"
expect_rc 0
stamp "fixed"

# ---- after --------------------------------------------------------------------
scan --format json -o "$T/after.json"
expect_rc 0
J=$T/after.json
[ "$(svc "$J" "$a1" 3493 .starttls)" = true ] || fail "h1: STARTTLS not offered after the fix"
[ "$(svc "$J" "$a1" 3493 .tls.verified)" = true ] || fail "h1: certificate not verified"
svc "$J" "$a1" 3493 .tls.issuer | grep -q 'mend lab' || fail "h1: issuer"
svc "$J" "$a1" 3493 .tls.names | grep -q "IP:$a1" || fail "h1: names"
v=$(svc "$J" "$a1" 3493 .tls_versions)
case " $v " in *" TLSv1.2 "*) ;; *) fail "h1: TLS 1.2 not accepted ($v)" ;; esac
case " $v " in *" TLSv1 "*|*" TLSv1.1 "*) fail "h1: TLS 1.0/1.1 accepted ($v) despite DISABLE_WEAK_SSL true" ;; esac
[ "$(svc "$J" "$a2" 5672 .state)" = closed ] || fail "h2:5672 still open"
[ "$(svc "$J" "$a2" 5671 .tls.verified)" = true ] || fail "h2:5671 not verified TLS"
svc "$J" "$a2" 5671 .product | grep -q '^RabbitMQ 3\.' || fail "h2:5671 no Connection.Start inside TLS"
[ "$(jq -r '[.findings[].rule] | join(" ")' "$J")" = NUT101 ] || { jq .findings "$J" >&2; fail "after: findings"; }
scan --format sarif -o "$T/after.sarif" --baseline "$T/scan-baseline.json"
expect_rc 0
"$PY" "$CHK/check-sarif.py" "$T/after.sarif" --results 1 --new 0 || fail "SARIF after"
scan
save "$T/out" scan-after.txt

copy_rmq "$T/rmq-after"
mend_run audit rmq-after
expect_rc 0
expect_no_out 'RMQ00[1-3]'
save "$T/out" audit-rmq-after.txt

# ---- refusals and pace ------------------------------------------------------
mend_run scan 198.51.100.0/19
expect_rc 3
expect_out 'not an IPv4 CIDR range of at most 4096 addresses'
mend_run scan "$a1" -p 9999
expect_rc 3
expect_out "no probe speaks on port 9999"
start=$(date +%s%N)
mend_run scan 198.51.100.0/29 -p 3493 --rate 10 --concurrency 2 --timeout 300 --no-tls-versions
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -ge 700 ] || fail "8 connections at --rate 10 took only $ms ms"
grep -c ':3493 nut: ' "$T/out" | grep -qx 8 || fail "not 8 services in the /29"
exit 0
