# shellcheck shell=bash disable=SC2046
# mend scan and mend audit against the lab's real ActiveMQ (Debian's
# 5.17.2 on h1, tests/lab/activemq-up: OpenWire 61616, STOMP 61613, MQTT
# 1883 in cleartext), before and after playbooks/activemq-tls.yml:
#   before: OpenWire and STOMP answer their hello in cleartext (AMQ101,
#           high), exit 1; /etc/activemq copied from h1: AMQ001 at the
#           connector lines;
#   after:  the same ports speak only TLS: the hello inside TLS, the
#           certificate verified against the lab CA, no TLS 1.0/1.1; exit 0;
#           the copied configuration has no cleartext connector left.
. "$TOP/tests/e2e/lib.sh"
set -o pipefail
PB=$TOP/playbooks/activemq-tls.yml
CA=$LAB/pki/ca.pem
TLSD=/etc/activemq/instances-available/main/tls
PY=/usr/bin/python3
a1=$(awk '$1 == "h1" { print $2 }' "$LAB/hosts")
case "$a1" in 198.51.100.*) ;; *) fail "h1 is not a lab address: $a1" ;; esac
common=(-l h1 -e amq_ca_local="$CA" -e amq_verify_name=127.0.0.1)
build=(-e amq_key_store_password=s3cret-Store-pw -e "amq_cert_pem=$TLSD/broker.pem"
	-e "amq_key_pem=$TLSD/broker.key" -e "amq_ca_pem=$TLSD/ca.pem")
P=61616/openwire,61613/stomp,61616/openwire+ssl,61613/stomp+ssl
scan() { mend_run scan "$a1" -p "$P" --ca "$CA" --timeout 3000 "$@"; }
svc() { jq -r --arg p "$2" --argjson n "$3" ".services[] | select(.probe == \$p and .port == \$n) | $4" "$1"; }
copy_etc() {
	mkdir -p "$1" && lab_sh 1 tar -C /etc -cf - activemq | tar -C "$1" -xf - ||
		fail "cannot copy /etc/activemq from h1"
}

"$TOP/tests/lab/activemq-up" 1 --certs || fail "activemq-up"
# the JVM opens its connectors a moment after the init script returns
for _ in $(seq 60); do
	scan --format json -o "$T/before.json"
	[ "$(svc "$T/before.json" stomp 61613 .cleartext)" = true ] &&
		[ "$(svc "$T/before.json" openwire 61616 .cleartext)" = true ] && break
	sleep 2
done
expect_rc 1
J=$T/before.json
svc "$J" openwire 61616 .product | grep -q 'WireFormatInfo' || fail "OpenWire: $(svc "$J" openwire 61616 .product)"
svc "$J" stomp 61613 .product | grep -q 'ActiveMQ/5\.' || fail "STOMP: $(svc "$J" stomp 61613 .product)"
for p in 61616 61613; do
	jq -e --arg w "$a1:$p" '.findings[] | select(.rule == "AMQ101" and .path == $w)' "$J" >/dev/null ||
		fail "no AMQ101 for $p"
done
[ "$(svc "$J" openwire+ssl 61616 .tls)" = null ] || fail "TLS on 61616 before the fix"
scan --format sarif -o "$T/before.sarif"
"$PY" "$TOP/tests/audit/check-sarif.py" "$T/before.sarif" || fail "SARIF"
scan
save "$T/out" scan-activemq-before.txt
copy_etc "$T/amq-before"
cd "$T" || fail "cd"
mend_run audit amq-before
expect_rc 1
expect_out 'activemq.xml:[0-9]+:[0-9]+: high AMQ001 activemq-cleartext-connector: cleartext OpenWire connector .openwire.: tcp://0.0.0.0:61616'
expect_out 'AMQ001 .*stomp://0.0.0.0:61613'
save "$T/out" audit-activemq-before.txt

mend_run run "$PB" $(lab_args) "${common[@]}" "${build[@]}"
expect_rc 0

scan --format json -o "$T/after.json"
expect_rc 0
J=$T/after.json
for p in 61616 61613; do
	[ "$(svc "$J" "$( [ $p = 61616 ] && echo openwire || echo stomp)+ssl" $p .tls.verified)" = true ] ||
		fail "$p: not verified TLS after the fix"
	[ "$(svc "$J" "$( [ $p = 61616 ] && echo openwire || echo stomp)" $p .cleartext)" = false ] ||
		fail "$p: still cleartext"
done
svc "$J" stomp+ssl 61613 .product | grep -q 'CONNECTED' || fail "no STOMP CONNECTED inside TLS"
v=$(svc "$J" openwire+ssl 61616 .tls_versions)
case " $v " in *" TLSv1.2 "*) ;; *) fail "TLS 1.2 not accepted ($v)" ;; esac
case " $v " in *" TLSv1 "*|*" TLSv1.1 "*) fail "TLS 1.0/1.1 accepted ($v)" ;; esac
[ "$(jq '.findings | length' "$J")" = 0 ] || { jq .findings "$J" >&2; fail "findings after the fix"; }
scan
save "$T/out" scan-activemq-after.txt
copy_etc "$T/amq-after"
mend_run audit amq-after
expect_no_out 'AMQ001'
exit 0
