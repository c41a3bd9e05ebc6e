# RabbitMQ on real brokers, issue 4 cases 1, 2, 3 and 6:
#   h1  plaintext broker;
#   h2  plaintext broker whose rabbitmq.conf got the seed's keys AFTER it
#       started (it runs on the old file; at its next boot it would refuse).
# 1. baseline: cleartext detected by rabbitmq_facts and amqp_probe;
# 2. the playbook: 5672 refused, 5671 verified TLS with Connection.Start, the
#    diff is exactly the intended keys, a second run changes nothing;
# 3. h2: the seed's keys reported, removed, the broker boots;
# 6. mTLS: fail_if_no_peer_cert = true; no client certificate -> refused,
#    a CA-signed client certificate -> Connection.Start.
# shellcheck disable=SC2046  # $(lab_args) is meant to split
. "$TOP/tests/e2e/rabbitmq-lib.sh"
set -o pipefail
rmq_up 1 2
stamp "brokers up"
lab_sh 2 sh -c 'printf "listeners.tcp.ssl_options.enabled = true\nlisteners.tcp.ssl_options.certfile = /etc/rabbitmq/tls/server.pem\n" >>/etc/rabbitmq/rabbitmq.conf'
a1=$(addr 1)

# ------------------------------------------------------------ 1. baseline
cat >"$T/detect.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: facts
      rabbitmq_facts:
      register: rmq
    - name: probe
      amqp_probe:
        host: "{{ rmq.probe.host }}"
        port: "{{ rmq.probe.port }}"
        expect: accepted
P
mend_run run "$T/detect.yml" $(lab_args) -l h1,h2 --json "$T/detect.json"
expect_rc 0
for h in h1 h2; do
	[ "$(jdata "$T/detect.json" $h facts .data.vulnerable)" = true ] || fail "$h: facts not vulnerable"
	[ "$(jdata "$T/detect.json" $h facts .data.plaintext_amqp)" = true ] || fail "$h: no plaintext listener found"
	jdata "$T/detect.json" $h facts '.data.reasons[]' | grep -q 'plaintext AMQP listener on 127.0.0.1:5672' || fail "$h: reasons"
	[ "$(jdata "$T/detect.json" $h probe .data.outcome)" = accepted ] || fail "$h: probe did not get Connection.Start"
	[ "$(jdata "$T/detect.json" $h probe '.data.server.product + " " + .data.server.version')" = "RabbitMQ 3.10.8" ] || fail "$h: server"
done
jdata "$T/detect.json" h1 facts '.data.listeners[] | "\(.protocol) \(.tls) \(.address):\(.port)"' | grep -qx "AMQP false $a1:5672" || fail "h1: lab address listener not listed"
[ "$(jdata "$T/detect.json" h1 facts '.data.invalid_keys | length')" = 0 ] || fail "h1: invalid keys"
[ "$(jdata "$T/detect.json" h2 facts '[.data.invalid_keys[].key] | join(" ")')" = "listeners.tcp.ssl_options.enabled listeners.tcp.ssl_options.certfile" ] || fail "h2: invalid keys not reported"
[ "$(jdata "$T/detect.json" h2 facts .data.will_not_boot)" = true ] || fail "h2: will_not_boot"
[ "$(probe 1)" = 0 ] || fail "lab probe: h1 does not take cleartext before the fix"
stamp "case 1 ok"

# ------------------------------------------------------------ 2+3. the fix
orig1=$(lab_sh 1 cat /etc/rabbitmq/rabbitmq.conf)
sha1=$(conf_sha 1) sha2=$(conf_sha 2) pid1=$(broker_pid 1)
# --check first: what would change, nothing changed
mend_run run "$PB" $(lab_args) -l h1,h2 -e rmq_ca_local="$CA" --check --diff
expect_rc 0
expect_out 'h1 \| report \(check mode\) \| ok: would patch /etc/rabbitmq/rabbitmq.conf and restart the broker'
expect_out '^\+listeners.tcp = none'
{ [ "$(conf_sha 1)" = "$sha1" ] && [ "$(conf_sha 2)" = "$sha2" ]; } || fail "--check changed a file"
[ "$(broker_pid 1)" = "$pid1" ] || fail "--check restarted the broker"
[ "$(probe 1)" = 0 ] || fail "--check: the broker does not answer as before"
mend_run run "$PB" $(lab_args) -l h1,h2 -e rmq_ca_local="$CA" --diff --json "$T/fix.json"
cat "$T/out"
expect_rc 0
for h in h1 h2; do
	[ "$(recap_of "$T/fix.json" $h failed)" = 0 ] || fail "$h: failed"
	[ "$(recap_of "$T/fix.json" $h changed)" -ge 3 ] || fail "$h: changed=$(recap_of "$T/fix.json" $h changed)"
	[ "$(jdata "$T/fix.json" $h 'detect - does the broker accept cleartext AMQP?' .data.outcome)" = accepted ] || fail "$h: detection"
	[ "$(jdata "$T/fix.json" $h 'wait until the broker answers on TLS (or says BOOT FAILED)' .failed)" = false ] || fail "$h: not ready"
done
stamp "fix run done"
# the diff: exactly the two plaintext listeners out, exactly our keys in
jdata "$T/fix.json" h1 'patch rabbitmq.conf' .diff >"$T/diff1"
grep '^-[^-]' "$T/diff1" >"$T/minus" || true
printf -- '-listeners.tcp.1 = 127.0.0.1:5672\n-listeners.tcp.2 = %s:5672\n' "$a1" | diff - "$T/minus" || fail "removed lines"
grep '^+[^+#]' "$T/diff1" | sort >"$T/plus" || true
sort >"$T/want" <<W
+listeners.tcp = none
+listeners.ssl.default = 5671
+ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem
+ssl_options.certfile = /etc/rabbitmq/tls/server.pem
+ssl_options.keyfile = /etc/rabbitmq/tls/server.key
+ssl_options.verify = verify_peer
+ssl_options.fail_if_no_peer_cert = false
+ssl_options.versions.1 = tlsv1.3
+ssl_options.versions.2 = tlsv1.2
W
diff "$T/want" "$T/plus" || fail "added settings differ"
[ "$(grep -c '^+#' "$T/diff1")" = 3 ] || fail "added comments: $(grep '^+#' "$T/diff1")"
grep -q "^ # mend lab: written by tests/lab/rabbitmq-up" "$T/diff1" || fail "first comment not kept"
[ "$(lab_sh 1 stat -c '%a %U %G' /etc/rabbitmq/rabbitmq.conf)" = "644 rabbitmq rabbitmq" ] || fail "mode/owner changed"
bk=$(jdata "$T/fix.json" h1 backup .data.backup_file)
[ "$(lab_sh 1 cat "$bk")" = "$orig1" ] || fail "backup $bk differs from the original"
# the broker, seen by the lab's own probe: plaintext refused, TLS verified
for n in 1 2; do
	[ "$(probe $n)" = 1 ] || fail "h$n: 127.0.0.1:5672 still answers: $(cat "$T/probe.out")"
	[ "$(probe $n --outside --port 5672)" = 1 ] || fail "h$n: lab address :5672 still answers"
	[ "$(probe $n --tls --name 127.0.0.1)" = 0 ] || fail "h$n: TLS 5671: $(cat "$T/probe.out")"
	[ "$(probe $n --tls --outside)" = 0 ] || fail "h$n: TLS 5671 from outside: $(cat "$T/probe.out")"
done
grep -q 'Connection.Start' "$T/probe.out" || fail "lab probe output: $(cat "$T/probe.out")"
expect_out 'h1 \| report \| ok: AMQP is TLS-only on h1: cleartext 127.0.0.1:5672 refused'
# 3. the seed's keys: reported by the patch, commented out, broker booted
[ "$(jdata "$T/fix.json" h2 'patch rabbitmq.conf' '.data.invalid_removed | join(" ")')" = "listeners.tcp.ssl_options.enabled listeners.tcp.ssl_options.certfile" ] || fail "h2: invalid_removed"
[ "$(lab_sh 2 grep -c '^# mend: removed (not a RabbitMQ setting, the broker refuses to boot with it): listeners.tcp.ssl_options' /etc/rabbitmq/rabbitmq.conf)" = 2 ] || fail "h2: seed keys not commented out"
! lab_sh 2 grep -q 'BOOT FAILED' /var/log/rabbitmq/startup_log || fail "h2: BOOT FAILED"
lab_sh 2 grep -q 'Starting broker... completed' /var/log/rabbitmq/startup_log || fail "h2: broker did not complete its boot"
stamp "cases 2, 3 ok"

# second run: nothing to change, no backup, no restart; this time also
# rabbitmq-diagnostics must list TLS AMQP listeners only
pid1=$(broker_pid 1)
mend_run run "$PB" $(lab_args) -l h1,h2 -e rmq_ca_local="$CA" -e rmq_verify_diagnostics=true --json "$T/again.json"
expect_rc 0
for h in h1 h2; do
	[ "$(jdata "$T/again.json" $h 'verify - rabbitmq-diagnostics lists TLS AMQP listeners only' .skipped)" = false ] || fail "$h: diagnostics skipped"
	jdata "$T/again.json" $h 'verify - rabbitmq-diagnostics lists TLS AMQP listeners only' .data.stdout | grep -q 'port: 5671, protocol: amqp/ssl' || fail "$h: diagnostics output"
done
for h in h1 h2; do
	[ "$(recap_of "$T/again.json" $h changed)" = 0 ] || { cat "$T/out"; fail "$h: second run changed=$(recap_of "$T/again.json" $h changed)"; }
done
[ "$(broker_pid 1)" = "$pid1" ] || fail "second run restarted the broker"
expect_out 'nothing to change'
stamp "second run ok"

# ------------------------------------------------------------ 6. mTLS
"$TOP/tests/lab/mkcert" "$LAB/pki" mend-client "$LAB/pki" >/dev/null
cc=$LAB/pki/mend-client.pem ck=$LAB/pki/mend-client.key
mend_run run "$PB" $(lab_args) -l h1 -e rmq_ca_local="$CA" -e rmq_fail_if_no_peer_cert=true \
	-e rmq_client_cert="$cc" -e rmq_client_key="$ck" --json "$T/mtls.json"
cat "$T/out"
expect_rc 0
[ "$(lab_sh 1 grep -c '^ssl_options.fail_if_no_peer_cert = true$' /etc/rabbitmq/rabbitmq.conf)" = 1 ] || fail "fail_if_no_peer_cert not set"
[ "$(jdata "$T/mtls.json" h1 'verify - verified TLS with Connection.Start' .data.tls.client_cert)" = true ] || fail "verify did not use the client certificate"
cat >"$T/mtls-probe.yml" <<P
- hosts: all
  gather_facts: false
  tasks:
    - name: without a client certificate
      amqp_probe: { mode: tls, ca_file: "$CA", expect: refused }
      register: nocert
    - name: with a CA-signed client certificate
      amqp_probe: { mode: tls, ca_file: "$CA", cert_file: "$cc", key_file: "$ck", expect: accepted }
    - name: control - without a certificate, expecting accepted, must fail
      amqp_probe: { mode: tls, ca_file: "$CA", expect: accepted }
      ignore_errors: true
      register: control
    - assert:
        that:
          - control is failed
          - nocert.outcome == 'refused'
P
mend_run run "$T/mtls-probe.yml" $(lab_args) -l h1 --json "$T/mtls-probe.json"
cat "$T/out"
expect_rc 0
jdata "$T/mtls-probe.json" h1 'without a client certificate' .data.detail | grep -q 'certificate required' || fail "no-cert refusal reason"
# independently: openssl s_client from the controller
out=$( (printf 'AMQP\0\0\011\001'; sleep 2) | timeout 15 openssl s_client -connect "$a1:5671" -CAfile "$CA" -verify_return_error -quiet 2>&1 | head -c 2000 | tr -c '[:print:]\n' '.' || true)
echo "$out" | grep -q 'alert certificate required' || fail "openssl without a certificate: $out"
out=$( (printf 'AMQP\0\0\011\001'; sleep 2) | timeout 15 openssl s_client -connect "$a1:5671" -CAfile "$CA" -cert "$cc" -key "$ck" -verify_return_error -quiet 2>/dev/null | head -c 600 | tr -c '[:print:]' '.' || true)
echo "$out" | grep -q 'RabbitMQ' || fail "openssl with a client certificate got no Connection.Start: $out"
stamp "case 6 ok"
