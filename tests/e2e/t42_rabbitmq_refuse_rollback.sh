# RabbitMQ on a real broker, issue 4 cases 4 and 5 (h3, plaintext broker):
# 4. a missing certificate file, then a key readable only by root: the
#    pre-flight refuses, rabbitmq.conf is untouched, no backup is made, the
#    broker keeps running (same pid) on its old listeners; likewise a legacy
#    rabbitmq.config that would shadow rabbitmq.conf;
# 5. the same root-only key with the pre-flight switched off: the broker
#    refuses to boot (BOOT FAILED); the play restores the old rabbitmq.conf,
#    restarts the broker, waits until it answers cleartext again and fails
#    the host with the broker's own error lines.
# shellcheck disable=SC2046  # $(lab_args) is meant to split
. "$TOP/tests/e2e/rabbitmq-lib.sh"
rmq_up 3
stamp "broker up"
orig=$(conf_sha 3)
pid0=$(broker_pid 3)
# earlier tests in the same lab may have left backups: compare with these
backups() { lab_sh 3 sh -c 'find /var/backups/mend -type f 2>/dev/null | sort'; }
bk0=$(backups)
[ -n "$pid0" ] || fail "no broker pid"
untouched() {
	[ "$(conf_sha 3)" = "$orig" ] || fail "$1: rabbitmq.conf changed"
	[ "$(broker_pid 3)" = "$pid0" ] || fail "$1: the broker was restarted"
	[ "$(probe 3)" = 0 ] || fail "$1: the broker does not answer on its old listener: $(cat "$T/probe.out")"
	[ "$(backups)" = "$bk0" ] || fail "$1: a backup was made: $(backups)"
	[ "$(recap h3 changed)" = 0 ] || fail "$1: changed=$(recap h3 changed)"
	[ "$(recap h3 failed)" = 1 ] || fail "$1: failed=$(recap h3 failed)"
}

# ------------------------------------------------ 4a. missing certificate
mend_run run "$PB" $(lab_args) -l h3 -e rmq_ca_local="$CA" -e rmq_certfile=/etc/rabbitmq/tls/missing.pem
cat "$T/out"
expect_rc 2
expect_out "h3 \| pre-flight \(nothing is changed when this refuses\) \| FAILED: refusing to change /etc/rabbitmq/rabbitmq.conf: the pre-flight check on the host failed"
expect_out "ssl_options.certfile: /etc/rabbitmq/tls/missing.pem does not exist"
untouched "missing certificate"
stamp "case 4a ok"

# ------------------------------------------------ 4b. key readable only by root
lab_sh 3 sh -c 'chown root:root /etc/rabbitmq/tls/server.key && chmod 0600 /etc/rabbitmq/tls/server.key'
mend_run run "$PB" $(lab_args) -l h3 -e rmq_ca_local="$CA"
cat "$T/out"
expect_rc 2
expect_out "ssl_options.keyfile: /etc/rabbitmq/tls/server.key is not readable by user 'rabbitmq' \(mode 600, owner root:root\)"
untouched "root-only key"
stamp "case 4b ok"

# ------------------------------------------------ legacy rabbitmq.config
lab_sh 3 sh -c 'printf "[{rabbit, [{tcp_listeners, [5672]}]}].\n" >/etc/rabbitmq/rabbitmq.config'
mend_run run "$PB" $(lab_args) -l h3 -e rmq_ca_local="$CA"
lab_sh 3 rm -f /etc/rabbitmq/rabbitmq.config
expect_rc 2
expect_out "/etc/rabbitmq/rabbitmq.config exists and RabbitMQ loads it INSTEAD of rabbitmq.conf"
untouched "legacy rabbitmq.config"
stamp "legacy refusal ok"

# ------------------------------------------------ 5. boot fails -> rollback
mend_run run "$PB" $(lab_args) -l h3 -e rmq_ca_local="$CA" -e rmq_preflight=false --json "$T/rb.json"
cat "$T/out"
expect_rc 2
w='wait until the broker answers on TLS (or says BOOT FAILED)'
[ "$(jdata "$T/rb.json" h3 "$w" .data.boot_failed)" = true ] || fail "BOOT FAILED not seen"
[ "$(jdata "$T/rb.json" h3 "$w" .ignored)" = true ] || fail "the wait was not the rolled-back failure"
jdata "$T/rb.json" h3 "$w" '.data.boot_errors[]' | grep -qx "ssl_options.keyfile invalid, file does not exist or cannot be read by the node" || fail "broker error lines"
[ "$(jdata "$T/rb.json" h3 'ROLLBACK - restore the previous rabbitmq.conf' .changed)" = true ] || fail "not restored"
[ "$(jdata "$T/rb.json" h3 'ROLLBACK - wait until the previous listener answers again' .data.outcome)" = accepted ] || fail "old listener not back"
expect_out "h3 \| ROLLBACK - report the host as failed with the broker's errors \| FAILED: RabbitMQ did not come back on TLS, rolled back:"
expect_out "BOOT FAILED"
expect_out "ssl_options.keyfile invalid, file does not exist or cannot be read by the node"
expect_out "restored from /var/backups/mend/"
[ "$(recap h3 failed)" = 1 ] || fail "failed=$(recap h3 failed)"
[ "$(conf_sha 3)" = "$orig" ] || fail "rabbitmq.conf not restored to its original bytes"
[ "$(lab_sh 3 stat -c '%a %U %G' /etc/rabbitmq/rabbitmq.conf)" = "644 rabbitmq rabbitmq" ] || fail "mode/owner not restored"
pid1=$(broker_pid 3)
{ [ -n "$pid1" ] && [ "$pid1" != "$pid0" ]; } || fail "the broker was not restarted (pid $pid0 -> $pid1)"
[ "$(probe 3)" = 0 ] || fail "the broker is not back on 5672: $(cat "$T/probe.out")"
[ "$(probe 3 --outside)" = 0 ] || fail "the broker is not back on its lab address: $(cat "$T/probe.out")"
[ "$(probe 3 --tls --name 127.0.0.1)" != 0 ] || fail "TLS listener still open after the rollback"
stamp "case 5 ok"
lab_sh 3 sh -c 'chown root:rabbitmq /etc/rabbitmq/tls/server.key && chmod 0640 /etc/rabbitmq/tls/server.key'
