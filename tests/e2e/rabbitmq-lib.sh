# tests/e2e/rabbitmq-lib.sh - helpers for the RabbitMQ end-to-end tests
# (t4*_rabbitmq*.sh; sourced, not run by tests/e2e/run).  Real brokers:
# Debian's rabbitmq-server started by its init script inside lab hosts
# (tests/lab/rabbitmq-up), probed independently by tests/lab/rabbitmq-probe
# and openssl s_client.
# shellcheck disable=SC2034  # PB, CA: used by the tests that source this
. "$TOP/tests/e2e/lib.sh"
PB=$TOP/playbooks/rabbitmq-tls.yml
CA=$LAB/pki/ca.pem
# seconds since the test started, for the log
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
addr() { awk -v h="h$1" '$1 == h { print $2 }' "$LAB/hosts"; }
# rmq_up N...: brokers with plaintext listeners (127.0.0.1:5672 and the lab
# address) and the lab CA + server certificate in /etc/rabbitmq/tls, all
# started at once (15-40 s each on this machine)
rmq_up() {
	local n p rc=0 pids=()
	for n in "$@"; do
		"$TOP/tests/lab/rabbitmq-up" "$n" --certs >"$T/up-$n.log" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	cat "$T"/up-*.log
	[ "$rc" -eq 0 ] || fail "rabbitmq-up failed"
}
# probe N ARGS...: exit code of the lab's own AMQP probe (0 Connection.Start,
# 1 refused, 2 other answer, 4 TLS failed)
probe() {
	local rc=0
	"$TOP/tests/lab/rabbitmq-probe" "$@" >"$T/probe.out" 2>&1 || rc=$?
	echo "$rc"
}
conf_sha() { lab_sh "$1" sha256sum /etc/rabbitmq/rabbitmq.conf | cut -d' ' -f1; }
broker_pid() { lab_sh "$1" sh -c 'cat /run/rabbitmq/pid 2>/dev/null' || true; }
# jdata FILE HOST TASK FILTER: jq FILTER on the data of HOST's result of TASK
jdata() {
	jq -r --arg h "$2" --arg t "$3" \
	    "[.results[] | select(.host == \$h and .task == \$t)][0] | $4" "$1"
}
recap_of() { jq -r --arg h "$2" ".recap[\$h].$3" "$1"; }
