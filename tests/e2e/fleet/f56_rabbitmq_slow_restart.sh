# shellcheck shell=bash disable=SC2046
# RabbitMQ restarts that never lie (issue 11) under systemd, on one host
# (bookworm when the fleet has one, else h1), its broker the package's
# rabbitmq-server.service holding 105 persistent messages in a durable
# queue:
#  1. a slow boot: the new broker's beam.smp is SIGSTOPped 3/4 of the time
#     (by PID, inside the host) for 25 s; the fix keeps waiting past
#     rmq_start_timeout because the unit is activating and its log grows,
#     proves the running listeners are the file's and exits 0; the unit is
#     active with beam.smp inside it; messages intact;
#  2. the running configuration disagrees with the file (rabbitmq.conf put
#     back by hand): rabbitmq_live names it and journals it; `mend rollback
#     last` restarts the unit although no byte needs restoring and proves
#     the old listener; a plaintext client gets a message of the queue.
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
. "$TOP/tests/e2e/rmq-restart-lib.sh"
PB=$TOP/playbooks/rabbitmq-tls.yml
Q=mend-durable
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true
N=1
for n in $(hosts_n); do [ "$(os_of "$n")" = bookworm ] && N=$n; done
# f40 leaves every broker active in cleartext with the lab's certificates
# (its rollback): reuse it (a broker's bring-up costs about 90 s here)
if active $N rabbitmq-server && lab_sh $N test -s /etc/rabbitmq/tls/server.key &&
	"$TOP/tests/lab/rabbitmq-probe" $N >/dev/null 2>&1; then
	stamp "broker already up in cleartext on h$N ($(os_of $N)): reused"
else
	"$TOP/tests/lab/rabbitmq-up" $N --certs --timeout 240 || fail "rabbitmq-up"
	stamp "broker up on h$N ($(os_of $N))"
fi
u=(--url=amqp://localhost:5672)
rmq_fill_queue

# ---- 1. slow boot ---------------------------------------------------------------
old=$(lab_sh $N systemctl show -p MainPID --value rabbitmq-server)
rmq_throttle_boot "$old" >"$T/throttle.log" 2>&1 &
thr=$!
mend_run run "$PB" $(lab_args) -l h$N -e rmq_ca_local="$CA" -e rmq_start_timeout=10 --json "$T/fix.json"
wait $thr || fail "throttle: $(cat "$T/throttle.log")"
cat "$T/out" "$T/throttle.log"
expect_rc 0
w='wait until the broker answers on TLS (or says BOOT FAILED)'
[ "$(jdata "$T/fix.json" h$N "restart the broker" .data.init)" = systemd ] || fail "not through systemd"
[ "$(jdata "$T/fix.json" h$N "$w" .data.waited_past_wait)" = true ] || fail "the wait did not go past rmq_start_timeout"
jdata "$T/fix.json" h$N "$w" .message | grep -q 'past the wait of 10 s: the broker was alive and its logs grew' ||
	fail "the report does not say the boot was slow"
[ "$(jdata "$T/fix.json" h$N 'prove the broker runs the patched rabbitmq.conf (its listeners)' .data.matches)" = true ] || fail "not proven"
active $N rabbitmq-server || fail "rabbitmq-server is not active"
inside_unit $N beam.smp rabbitmq-server.service
[ "$(messages)" = "105 true" ] || fail "durable queue after the fix: $(messages)"
stamp "1. slow boot: fixed, proven, 105 messages"

# ---- 2. mismatch -> rollback -----------------------------------------------------
rmq_conf_back_by_hand "$T/fix.json"
mend_run run "$T/live.yml" $(lab_args) -l h$N
expect_rc 2
expect_task h$N "the broker runs its file" "FAILED: the running broker does not match /etc/rabbitmq/rabbitmq.conf: 127.0.0.1:5672: .* the broker refuses connections"
mend_run rollback last $(lab_args)
cat "$T/out"
expect_rc 0
active $N rabbitmq-server || fail "rabbitmq-server not active after the rollback"
inside_unit $N beam.smp rabbitmq-server.service
"$TOP/tests/lab/rabbitmq-probe" $N >/dev/null 2>&1 || fail "the old listener does not answer after the rollback"
[ "$(messages)" = "105 true" ] || fail "durable queue after the rollback: $(messages)"
[ "$(lab_sh $N amqp-get "${u[@]}" -q $Q)" = 1 ] || fail "a plaintext client cannot get the first message"
stamp "2. mismatch journaled, rollback restarted and proved"
exit 0
