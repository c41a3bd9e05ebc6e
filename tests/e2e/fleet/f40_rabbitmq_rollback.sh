# shellcheck shell=bash disable=SC2046
# RabbitMQ boot failure and rollback on systemd hosts of every release:
#  1. the pre-flight switched off and a key the broker cannot read: 3.10
#     and 4.0 do not boot (BOOT FAILED; Debian's unit then restarts them in
#     a loop), 3.8.9 boots and refuses every TLS handshake; mend sees it
#     from the unit, the boot log and the port, puts rabbitmq.conf back,
#     restarts the unit and waits until cleartext answers again: the unit
#     is active, beam.smp inside it, the host reported failed;
#  2. `mend rollback RUN` of a successful fix: rabbitmq.conf byte-identical,
#     the broker restarted in its unit on the old (cleartext) listeners.
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
PB=$TOP/playbooks/rabbitmq-tls.yml
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true
each "$TOP/tests/lab/rabbitmq-up" {} --certs --timeout 240 || fail "rabbitmq-up"
declare -A orig
for n in $(hosts_n); do orig[$n]=$(fsum "$n" /etc/rabbitmq/rabbitmq.conf); done
stamp "brokers up (plaintext)"

# ---- 1. boot failure -> restored ---------------------------------------------
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'chown root:root /etc/rabbitmq/tls/server.key && chmod 0600 /etc/rabbitmq/tls/server.key'
done
mend_run run "$PB" $(lab_args) -e rmq_ca_local="$CA" -e rmq_preflight=false -e rmq_start_timeout=240 --json "$T/rb.json"
expect_rc 2
w='wait until the broker answers on TLS (or says BOOT FAILED)'
for n in $(hosts_n); do
	h=h$n
	if [ "$(os_of "$n")" = bullseye ]; then
		# 3.8.9 does not check the key file when it boots: it starts and
		# refuses every TLS handshake; the wait sees a started broker that
		# does not answer, and the host is restored all the same
		[ "$(jdata "$T/rb.json" $h "$w" .data.boot_completed)" = true ] &&
			jdata "$T/rb.json" $h "$w" .message | grep -q "TLS handshake failed" ||
			{ cat "$T/out" >&2; fail "$h (bullseye): the broken TLS listener was not seen"; }
	else
		[ "$(jdata "$T/rb.json" $h "$w" .data.boot_failed)" = true ] || { cat "$T/out" >&2; fail "$h ($(os_of "$n")): the failed boot was not seen"; }
	fi
	[ "$(jdata "$T/rb.json" $h 'ROLLBACK - restore the previous rabbitmq.conf' .changed)" = true ] || fail "$h: not restored"
	[ "$(jdata "$T/rb.json" $h 'ROLLBACK - wait until the previous listener answers again' .data.outcome)" = accepted ] ||
		fail "$h: the old listener is not back"
	expect_task $h "ROLLBACK - report the host as failed" "FAILED: RabbitMQ did not come back on TLS, rolled back"
	[ "$(fsum "$n" /etc/rabbitmq/rabbitmq.conf)" = "${orig[$n]}" ] || fail "$h: rabbitmq.conf not restored"
	active "$n" rabbitmq-server || fail "$h: rabbitmq-server not active after the rollback"
	inside_unit "$n" beam.smp rabbitmq-server.service
	lab_sh "$n" sh -c 'chown root:rabbitmq /etc/rabbitmq/tls/server.key && chmod 0640 /etc/rabbitmq/tls/server.key'
done
stamp "1. boot failure restored"

# ---- 2. mend rollback ------------------------------------------------------------
mend_run run "$PB" $(lab_args) -e rmq_ca_local="$CA" -e rmq_start_timeout=240
expect_rc 0
run=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out" | head -1)
mend_run rollback "$run" $(lab_args)
expect_rc 0
for n in $(hosts_n); do
	[ "$(fsum "$n" /etc/rabbitmq/rabbitmq.conf)" = "${orig[$n]}" ] || fail "h$n: rabbitmq.conf not restored"
	for _ in $(seq 120); do active "$n" rabbitmq-server && break; sleep 1; done
	active "$n" rabbitmq-server || fail "h$n: rabbitmq-server not active after the rollback"
	ok=0
	for _ in $(seq 120); do "$TOP/tests/lab/rabbitmq-probe" "$n" >/dev/null 2>&1 && { ok=1; break; }; sleep 1; done
	[ $ok = 1 ] || fail "h$n: cleartext listener not back after the rollback"
	inside_unit "$n" beam.smp rabbitmq-server.service
done
stamp "2. rollback ok"
exit 0
