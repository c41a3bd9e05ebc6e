# shellcheck shell=bash disable=SC2046
# RabbitMQ on systemd hosts of every release at once (h1 bullseye 3.8.9 /
# Erlang 23, h2 bookworm 3.10.8 / 25, h3 trixie 4.0.5 / 27), each broker
# the package's rabbitmq-server.service (Type=notify):
#  1. facts and detection: version, init=systemd, cleartext AMQP accepted;
#  2. the fix (playbooks/rabbitmq-tls.yml): every key written checked
#     against the host broker's own schema files, restart through the unit,
#     readiness from the unit and the TLS port; afterwards the unit is
#     active, every beam.smp runs inside it, 5672 refused, 5671 verified;
#     a second run changes nothing;
#  3. a real AMQP client (amqp-tools, librabbitmq + OpenSSL, on the host;
#     OpenSSL's s_client on bullseye) declares, publishes and gets a message
#     over verified TLS; the same client refuses the broker when it trusts
#     another CA (the attack the fix closes), and cleartext AMQP is refused.
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
PB=$TOP/playbooks/rabbitmq-tls.yml
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true
each "$TOP/tests/lab/rabbitmq-up" {} --certs --timeout 240 || fail "rabbitmq-up"
stamp "brokers up (plaintext)"

# ---- 1. facts and detection -------------------------------------------------
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
mend_run run "$T/detect.yml" $(lab_args) --json "$T/detect.json"
expect_rc 0
for n in $(hosts_n); do
	h=h$n v=$(rmq_version "$n")
	jdata "$T/detect.json" $h facts .data.version | grep -q "^$v" ||
		fail "$h ($(os_of "$n")): version $(jdata "$T/detect.json" $h facts .data.version), expected $v"
	[ "$(jdata "$T/detect.json" $h facts .data.init)" = systemd ] || fail "$h: init is not systemd"
	[ "$(jdata "$T/detect.json" $h facts .data.running)" = true ] || fail "$h: not running"
	[ "$(jdata "$T/detect.json" $h facts .data.vulnerable)" = true ] || fail "$h: not vulnerable"
	[ "$(jdata "$T/detect.json" $h probe .data.outcome)" = accepted ] || fail "$h: no Connection.Start"
	[ "$(jdata "$T/detect.json" $h probe .data.server.version)" = "$v" ] || fail "$h: server version"
done
stamp "1. facts ok"

# ---- 2. the fix -----------------------------------------------------------------
mend_run run "$PB" $(lab_args) -e rmq_ca_local="$CA" -e rmq_start_timeout=240 --diff --json "$T/fix.json"
expect_rc 0
for n in $(hosts_n); do
	h=h$n
	expect_task $h "restart the broker" "changed"
	expect_task $h "wait until the broker answers on TLS" "ok"
	[ "$(jdata "$T/fix.json" $h "patch rabbitmq.conf" .data.schema_files)" -gt 5 ] ||
		fail "$h: the broker's schema files were not read"
	[ "$(jdata "$T/fix.json" $h "restart the broker" .data.init)" = systemd ] || fail "$h: restart not through systemd"
	active "$n" rabbitmq-server || fail "$h: rabbitmq-server is not active"
	inside_unit "$n" beam.smp rabbitmq-server.service
	rc=0; "$TOP/tests/lab/rabbitmq-probe" "$n" >/dev/null 2>&1 || rc=$?
	[ $rc = 1 ] || fail "$h: cleartext 5672 not refused (probe exit $rc)"
	rc=0; "$TOP/tests/lab/rabbitmq-probe" "$n" --tls --port 5671 --name 127.0.0.1 >"$T/probe" 2>&1 || rc=$?
	[ $rc = 0 ] || { cat "$T/probe" >&2; fail "$h: verified TLS on 5671 (probe exit $rc)"; }
done
mend_run run "$PB" $(lab_args) -e rmq_ca_local="$CA"
expect_rc 0
for n in $(hosts_n); do [ "$(recap h$n changed)" = 0 ] || fail "second run: h$n changed"; done
stamp "2. fix ok"

# ---- 3. a real AMQP client ------------------------------------------------------
# amqp-tools (librabbitmq) on bookworm/trixie; bullseye's librabbitmq 0.10
# fails every TLS connection there ("creating SSL/TLS socket", with the
# right CA too): on bullseye OpenSSL's own s_client, verifying the chain and
# the name, sends the AMQP header and must get the broker's Connection.Start
other=$T/other-ca
"$TOP/tests/lab/mkca" "$other" --cn "some other CA" >/dev/null
# shellcheck disable=SC2016  # expanded inside the host
sclient='{ printf "AMQP\000\000\011\001"; sleep 2; } | openssl s_client -connect localhost:5671 -CAfile "$1" -verify_return_error -verify_hostname localhost -quiet 2>/dev/null | grep -a -c "RabbitMQ"'
for n in $(hosts_n); do
	h=h$n
	cp "$other/ca.pem" "$(host_root "$n")/tmp/other-ca.pem"
	if [ "$(os_of "$n")" = bullseye ]; then
		lab_sh "$n" sh -c "$sclient" sh /etc/rabbitmq/tls/ca.pem >/dev/null ||
			fail "$h: openssl s_client got no Connection.Start over verified TLS"
		lab_sh "$n" sh -c "$sclient" sh /tmp/other-ca.pem >/dev/null &&
			fail "$h: s_client accepted a broker its CA did not sign"
	else
		tls=(--url=amqps://localhost:5671 --cacert=/etc/rabbitmq/tls/ca.pem)
		lab_sh "$n" amqp-declare-queue "${tls[@]}" -q fleet-q >/dev/null ||
			fail "$h: amqp-declare-queue over verified TLS"
		lab_sh "$n" amqp-publish "${tls[@]}" -r fleet-q -b "hello from $h" ||
			fail "$h: amqp-publish over verified TLS"
		got=$(lab_sh "$n" amqp-get "${tls[@]}" -q fleet-q) || fail "$h: amqp-get over TLS"
		[ "$got" = "hello from $h" ] || fail "$h: got '$got'"
		lab_sh "$n" amqp-publish --url=amqps://localhost:5671 --cacert=/tmp/other-ca.pem \
			-r fleet-q -b x 2>"$T/evil" && fail "$h: the client accepted a broker its CA did not sign"
	fi
	lab_sh "$n" amqp-publish --url=amqp://localhost:5672 -r fleet-q -b x 2>/dev/null &&
		fail "$h: cleartext AMQP accepted"
	true
done
stamp "3. real client ok"
exit 0
