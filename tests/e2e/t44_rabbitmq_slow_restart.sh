# RabbitMQ restarts that never lie (issue 11), on a real broker (h2, started
# by Debian's init script) holding 105 persistent messages in a durable
# queue:
# 1. a stop the init script cannot see and a slow boot: the pid file is
#    hidden (the init script's `rabbitmqctl stop PIDFILE` then waits for
#    ever) and the new broker's beam.smp is SIGSTOPped 3/4 of the time (by
#    PID) for 25 s.  The fix must stop the real broker (SIGTERM to the
#    tracked PID, said in the report), keep waiting past rmq_start_timeout
#    because the broker lives and its log grows (said in the report), prove
#    the running listeners are the file's, and exit 0; messages intact;
#    rabbitmq_facts says the broker runs (its beam.smp) and that the pid
#    file does not name it;
# 2. the running configuration disagrees with the file: rabbitmq.conf is
#    put back by hand (the broker still serves TLS); rabbitmq_live names the
#    mismatch, fails, and journals it; `mend rollback last` restarts the
#    broker although no byte needs restoring and proves the old listener
#    answers; a plaintext client gets a message of the durable queue.
# shellcheck disable=SC2046  # $(lab_args) is meant to split
. "$TOP/tests/e2e/rabbitmq-lib.sh"
. "$TOP/tests/e2e/rmq-restart-lib.sh"
set -o pipefail
N=2 Q=mend-durable
rmq_up $N
stamp "broker up"
rmq_fill_queue
stamp "105 persistent messages in $Q"

# ---------------------------------------------------- 1. hidden stop, slow boot
pid0=$(broker_pid $N)
[ -n "$pid0" ] || fail "no broker pid"
lab_sh $N mv /run/rabbitmq/pid /run/rabbitmq/pid.hidden
# inside h2: wait for the NEW broker's beam.smp, then stop it 0.75 s of
# every second for 25 s, by PID
rmq_throttle_boot "$pid0" >"$T/throttle.log" 2>&1 &
thr=$!
mend_run run "$PB" $(lab_args) -l h$N -e rmq_ca_local="$CA" -e rmq_start_timeout=10 \
	-e rmq_stop_wait=10 --json "$T/fix.json"
wait $thr || fail "throttle: $(cat "$T/throttle.log")"
cat "$T/out" "$T/throttle.log"
expect_rc 0
lab_sh $N rm -f /run/rabbitmq/pid.hidden
r='restart the broker' w='wait until the broker answers on TLS (or says BOOT FAILED)'
# rabbitmq_facts judged "running" by the live beam.smp, not the pid file
[ "$(jdata "$T/fix.json" h$N facts .data.running)" = true ] || fail "facts: the broker without its pid file is not running"
[ "$(jdata "$T/fix.json" h$N facts .data.pid)" = "$pid0" ] || fail "facts: pid is not the broker's $pid0"
jdata "$T/fix.json" h$N facts '.data.notes[]' | grep -q "the broker runs (beam.smp pid $pid0) but /var/run/rabbitmq/pid does not name it: the init script cannot see or stop it" ||
	fail "facts: no note that the pid file does not name the broker"
jdata "$T/fix.json" h$N "$r" .message | grep -q "left beam.smp (pid $pid0) running: ended by SIGTERM to that PID" ||
	fail "the report does not say the hidden broker was stopped by SIGTERM"
[ "$(jdata "$T/fix.json" h$N "$r" .data.terminated)" = "beam.smp (pid $pid0)" ] || fail "terminated"
lab_sh $N test ! -d /proc/"$pid0" || fail "the old broker $pid0 still runs"
[ "$(jdata "$T/fix.json" h$N "$w" .data.waited_past_wait)" = true ] || fail "the wait did not go past rmq_start_timeout"
[ "$(jdata "$T/fix.json" h$N "$w" .data.elapsed)" -gt 10 ] || fail "elapsed"
jdata "$T/fix.json" h$N "$w" .message | grep -q 'past the wait of 10 s: the broker was alive and its logs grew' ||
	fail "the report does not say the boot was slow"
[ "$(jdata "$T/fix.json" h$N 'prove the broker runs the patched rabbitmq.conf (its listeners)' .data.matches)" = true ] || fail "not proven"
[ "$(probe $N)" = 1 ] || fail "cleartext still answers"
[ "$(probe $N --tls --name 127.0.0.1)" = 0 ] || fail "no TLS: $(cat "$T/probe.out")"
[ "$(messages)" = "105 true" ] || fail "durable queue after the fix: $(messages)"
stamp "1. hidden stop + slow boot: fixed, proven, 105 messages"

# ---------------------------------------------------- 2. mismatch -> rollback
rmq_conf_back_by_hand "$T/fix.json"
mend_run run "$T/live.yml" $(lab_args) -l h$N
cat "$T/out"
expect_rc 2
expect_out "h$N \| the broker runs its file \| FAILED: the running broker does not match /etc/rabbitmq/rabbitmq.conf: 127.0.0.1:5672: /etc/rabbitmq/rabbitmq.conf has a plaintext AMQP listener \(/etc/rabbitmq/rabbitmq.conf:[0-9]*\), the broker refuses connections"
expect_out "127.0.0.1:5671: /etc/rabbitmq/rabbitmq.conf opens no listener there, the broker answers TLS"
pid1=$(broker_pid $N)
mend_run rollback last $(lab_args)
cat "$T/out"
expect_rc 0
expect_out "h$N \| restore files and services \| changed"
[ "$(broker_pid $N)" != "$pid1" ] || fail "the rollback did not restart the broker"
[ "$(probe $N)" = 0 ] || fail "the old listener does not answer after the rollback: $(cat "$T/probe.out")"
[ "$(probe $N --tls --name 127.0.0.1)" != 0 ] || fail "TLS still open after the rollback"
[ "$(messages)" = "105 true" ] || fail "durable queue after the rollback: $(messages)"
[ "$(lab_sh $N amqp-get --url=amqp://localhost:5672 -q $Q)" = 1 ] || fail "a plaintext client cannot get the first message"
stamp "2. mismatch journaled, rollback restarted and proved"
