# shellcheck shell=bash
# tests/e2e/rmq-restart-lib.sh - what the RabbitMQ slow-restart tests share
# (t44 on the local lab, fleet/f56 under systemd; sourced after their own
# lib, which gives lab_sh, jdata, fail).  N: the host, Q: the queue.

# rmq_fill_queue: Q on host N, durable, holding 105 persistent messages
rmq_fill_queue() {
	local u=--url=amqp://localhost:5672
	lab_sh "$N" amqp-delete-queue "$u" -q "$Q" >/dev/null 2>&1 || true
	lab_sh "$N" amqp-declare-queue "$u" -d -q "$Q" >/dev/null || fail "declare $Q"
	seq 105 | lab_sh "$N" amqp-publish "$u" -p -l -r "$Q" || fail "publish"
	[ "$(messages)" = "105 true" ] || fail "durable queue before the fix: $(messages)"
}
# messages: "COUNT DURABLE" of Q on host N
messages() {
	lab_sh "$N" rabbitmqctl -q list_queues name messages durable 2>/dev/null |
		awk -v q="$Q" '$1 == q { print $2 " " $3 }'
}
# rmq_throttle_boot OLDPID: inside host N, wait (up to 900 s) for a
# booting beam.smp that is not OLDPID, then SIGSTOP it 0.75 s of every
# second for 25 s, by PID; prints "throttling beam.smp PID", "throttle done"
rmq_throttle_boot() {
	# shellcheck disable=SC2016  # expanded inside the host
	lab_sh "$N" sh -c 'old=$1; end=$(($(date +%s) + 900)); p=
	while [ "$(date +%s)" -lt $end ]; do
		for d in /proc/[0-9]*; do
			[ "$(cat $d/comm 2>/dev/null)" = beam.smp ] || continue
			tr "\0" " " <$d/cmdline | grep -q -- "-s rabbit boot" || continue
			[ "${d#/proc/}" != "$old" ] && p=${d#/proc/}
		done
		[ -n "$p" ] && break; sleep 0.2
	done
	[ -n "$p" ] || exit 1
	echo "throttling beam.smp $p"
	end=$(($(date +%s) + 25))
	while [ "$(date +%s)" -lt $end ] && kill -STOP $p 2>/dev/null; do
		sleep 0.75; kill -CONT $p; sleep 0.25
	done
	kill -CONT $p 2>/dev/null; echo "throttle done"' sh "$1"
}
# rmq_conf_back_by_hand FIXJSON: host N's rabbitmq.conf put back from the
# backup that run made (the broker keeps the patched listeners); writes
# $T/live.yml, a play whose one task is rabbitmq_live
rmq_conf_back_by_hand() {
	local bk
	bk=$(jdata "$1" "h$N" backup .data.backup_file)
	# shellcheck disable=SC2016  # expanded inside the host
	lab_sh "$N" sh -c 'cp -p "$1" /etc/rabbitmq/rabbitmq.conf' sh "$bk"
	cat >"$T/live.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: the broker runs its file
      rabbitmq_live:
P
}
