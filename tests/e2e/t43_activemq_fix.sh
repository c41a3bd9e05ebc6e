# ActiveMQ on Debian's real broker (issue 16), one lab host h1 started by
# its init script (tests/lab/activemq-up: OpenWire 61616, STOMP 61613, MQTT
# 1883, all cleartext):
# 1. cleartext detected: activemq_facts (3 reasons) and each listener's
#    own hello in clear (WireFormatInfo, CONNECTED, CONNACK);
# 2. a wrong key store password is refused before any change;
# 3. --check changes nothing;
# 4. the fix, key store built from PEM: only TLS answers, verified against
#    the lab CA, with each protocol's hello; cleartext refused; a client
#    trusting another CA refuses the broker; passwords never shown; an
#    independent openssl s_client gets STOMP CONNECTED over TLS;
# 5. a second run changes nothing;
# 6. mend rollback puts the exact bytes back (and removes the built store);
# 7. a broker that does not come back (an unknown TLS protocol name, which
#    only the JVM rejects) is restored by the playbook and answers again.
# shellcheck disable=SC2046  # $(lab_args) is meant to split
. "$TOP/tests/e2e/lib.sh"
set -o pipefail
PB=$TOP/playbooks/activemq-tls.yml
CA=$LAB/pki/ca.pem
XML=/etc/activemq/instances-available/main/activemq.xml
TLSD=/etc/activemq/instances-available/main/tls
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
jdata() {
	jq -r --arg h "$2" --arg t "$3" \
	    "[.results[] | select(.host == \$h and .task == \$t)][0] | $4" "$1"
}
recap_of() { jq -r --arg h "$2" ".recap[\$h].$3" "$1"; }
xml_sha() { lab_sh 1 sha256sum "$XML" | cut -d' ' -f1; }
broker_pid() { lab_sh 1 sh -c 'cat /run/activemq/main.pid 2>/dev/null' || true; }
a1=$(awk '$1 == "h1" { print $2 }' "$LAB/hosts")
PW=s3cret-Store-pw
common=(-l h1 -e amq_ca_local="$CA" -e amq_verify_name=127.0.0.1)
build=(-e amq_key_store_password="$PW" -e "amq_cert_pem=$TLSD/broker.pem"
	-e "amq_key_pem=$TLSD/broker.key" -e "amq_ca_pem=$TLSD/ca.pem")

"$TOP/tests/lab/activemq-up" 1 --certs || fail "activemq-up"
stamp "broker up"

# ------------------------------------------------------------ 1. detect
cat >"$T/detect.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: facts
      activemq_facts:
      register: amq
    - name: probe
      activemq_probe:
        connectors: "{{ amq.connectors }}"
        mode: plaintext
        expect: accepted
        wait: 120
P
mend_run run "$T/detect.yml" $(lab_args) -l h1 --json "$T/detect.json"
expect_rc 0
[ "$(jdata "$T/detect.json" h1 facts .data.vulnerable)" = true ] || fail "facts: not vulnerable"
[ "$(jdata "$T/detect.json" h1 facts '.data.reasons | length')" = 3 ] || fail "facts: reasons"
jdata "$T/detect.json" h1 facts '.data.reasons[]' | grep -q "cleartext MQTT listener 'mqtt' on 0.0.0.0:1883" || fail "facts: mqtt reason"
[ "$(jdata "$T/detect.json" h1 facts .data.version)" = 5.17.2 ] || fail "facts: version"
[ "$(jdata "$T/detect.json" h1 facts .data.will_not_boot)" = false ] || fail "facts: will_not_boot"
jdata "$T/detect.json" h1 probe '.data.listeners[] | "\(.protocol) \(.outcome) \(.detail)"' >"$T/hellos"
grep -q '^openwire accepted openwire WireFormatInfo' "$T/hellos" || fail "openwire hello: $(cat "$T/hellos")"
grep -q '^stomp accepted stomp CONNECTED (STOMP 1.2, server ActiveMQ/5.17.2)' "$T/hellos" || fail "stomp hello: $(cat "$T/hellos")"
grep -q '^mqtt accepted mqtt CONNACK (return code 0' "$T/hellos" || fail "mqtt hello: $(cat "$T/hellos")"
stamp "1. cleartext detected"

# ------------------------------------------------- 2. wrong store password
sha0=$(xml_sha) pid0=$(broker_pid)
orig=$(lab_sh 1 cat "$XML")
mend_run run "$PB" $(lab_args) "${common[@]}" -e amq_key_store=$TLSD/lab.p12 \
	-e amq_key_store_password=wrong-pw --json "$T/wrong.json"
expect_rc 2
expect_out 'pre-flight .*FAILED: refusing to change .*key store /etc/activemq/instances-available/main/tls/lab.p12 does not open with the given password'
[ "$(recap_of "$T/wrong.json" h1 changed)" = 0 ] || fail "wrong password: something changed"
if [ "$(xml_sha)" != "$sha0" ] || [ "$(broker_pid)" != "$pid0" ]; then fail "wrong password: file or broker touched"; fi
expect_no_out 'wrong-pw'
stamp "2. wrong password refused"

# ------------------------------------------------------------ 3. --check
mend_run run "$PB" $(lab_args) "${common[@]}" "${build[@]}" --check --diff
expect_rc 0
expect_out 'h1 \| report \(check mode\) \| ok: would patch'
expect_out '^\+ *<transportConnector name="stomp" uri="stomp\+ssl://0.0.0.0:61613\?transport.enabledProtocols=TLSv1.2,TLSv1.3"/>'
expect_no_out "$PW"
if [ "$(xml_sha)" != "$sha0" ] || [ "$(broker_pid)" != "$pid0" ]; then fail "--check touched the host"; fi
! lab_sh 1 test -e $TLSD/broker.p12 || fail "--check built the store"
stamp "3. --check ok"

# ------------------------------------------------------------ 4. the fix
mend_run run "$PB" $(lab_args) "${common[@]}" "${build[@]}" --diff --json "$T/fix.json"
cat "$T/out"
expect_rc 0
fixrun=$(sed -n 's/^run \([^ ]*\) (journal.*/\1/p' "$T/out" | head -n 1)
expect_out 'keyStorePassword="\*\*\*\*\*\*\*\*"'
expect_no_out "$PW"
! grep -q -- "$PW" "$T/fix.json" || fail "password in the JSON report"
! grep -rq -- "$PW" "$T"/state/runs/*/journal.jsonl || fail "password in the journal text"
[ "$(lab_sh 1 stat -c '%a %U %G' $TLSD/broker.p12)" = "640 root activemq" ] || fail "store owner/mode"
jdata "$T/fix.json" h1 'verify - every listener answers its hello over verified TLS' '.data.listeners[] | "\(.protocol) \(.mode) \(.outcome) \(.tls.verified) \(.tls.version)"' >"$T/tls"
[ "$(grep -c ' tls accepted true TLSv1.[23]$' "$T/tls")" = 3 ] || fail "TLS listeners: $(cat "$T/tls")"
[ "$(jdata "$T/fix.json" h1 'verify - cleartext is refused on every listener' .data.failed_listeners)" = 0 ] || fail "cleartext not refused"
[ "$(lab_sh 1 grep -c 'transport.enabledProtocols=TLSv1.2,TLSv1.3' "$XML")" = 3 ] || fail "enabledProtocols"
# every other byte kept: the diff only touches the connectors and adds the sslContext
lab_sh 1 cat "$XML" | diff <(printf '%s\n' "$orig") - | grep '^<' | grep -v 'transportConnector' && fail "lines other than connectors changed"
# independently: openssl from the controller to the lab address
out=$( (printf 'CONNECT\naccept-version:1.2\nhost:localhost\n\n\0'; sleep 2) | timeout 15 openssl s_client -connect "$a1:61613" -CAfile "$CA" -verify_return_error -quiet 2>/dev/null | head -c 300 | tr -c '[:print:]\n' '.' || true)
echo "$out" | grep -q '^CONNECTED' || fail "openssl STOMP over TLS: $out"
# a client that trusts another CA refuses the broker
"$TOP/tests/lab/mkca" "$T/other" --cn "other CA" >/dev/null
cat >"$T/other.yml" <<P
- hosts: all
  gather_facts: false
  tasks:
    - name: other CA
      activemq_probe: { protocol: stomp, mode: tls, port: 61613, ca_file: "$T/other/ca.pem", expect: accepted }
P
mend_run run "$T/other.yml" $(lab_args) -l h1
expect_rc 2
expect_out 'we rejected the server: .*certificate verify failed'
stamp "4. fixed"

# ------------------------------------------------------------ 5. second run
pid1=$(broker_pid)
mend_run run "$PB" $(lab_args) "${common[@]}" "${build[@]}" --json "$T/again.json"
expect_rc 0
[ "$(recap_of "$T/again.json" h1 changed)" = 0 ] || fail "second run changed=$(recap_of "$T/again.json" h1 changed)"
[ "$(broker_pid)" = "$pid1" ] || fail "second run restarted the broker"
expect_out 'nothing to change'
stamp "5. second run: nothing to change"

# ------------------------------------------------------------ 6. rollback
[ -n "$fixrun" ] || fail "no run id for the fix"
mend_run rollback "$fixrun" $(lab_args)
cat "$T/out"
expect_rc 0
[ "$(xml_sha)" = "$sha0" ] || fail "rollback: bytes differ"
! lab_sh 1 test -e $TLSD/broker.p12 || fail "rollback left the built store"
mend_run run "$T/detect.yml" $(lab_args) -l h1
expect_rc 0
stamp "6. rolled back, cleartext answers again"

# ------------------------------------------------ 7. forced boot failure
# A JKS store whose private key has its own password: keytool -list opens
# it with the store password (the pre-flight passes), but the broker uses
# the store password for the key too and exits: "Cannot recover key".
lab_sh 1 keytool -importkeystore -noprompt -srckeystore $TLSD/lab.p12 -srcstoretype pkcs12 \
	-srcstorepass mendlab -destkeystore $TLSD/broken.jks -deststoretype jks \
	-deststorepass storepw1 -destkeypass keypw123 >/dev/null 2>&1 || fail "keytool"
lab_sh 1 chgrp activemq $TLSD/broken.jks
lab_sh 1 chmod 0640 $TLSD/broken.jks
mend_run run "$PB" $(lab_args) "${common[@]}" -e amq_key_store=$TLSD/broken.jks -e amq_key_store_type=jks \
	-e amq_key_store_password=storepw1 --json "$T/boom.json"
cat "$T/out"
expect_rc 2
expect_out 'ROLLBACK - report the host as failed with the broker.s errors .*FAILED: ActiveMQ did not come back on TLS, rolled back'
expect_out 'Cannot recover key'
[ "$(jdata "$T/boom.json" h1 'ROLLBACK - wait until the previous listeners answer again' .failed)" = false ] || fail "old listeners not back"
[ "$(xml_sha)" = "$sha0" ] || fail "forced failure: file not restored"
mend_run run "$T/detect.yml" $(lab_args) -l h1
expect_rc 0
stamp "7. boot failure restored"
lab_sh 1 service activemq stop >/dev/null 2>&1 || true
