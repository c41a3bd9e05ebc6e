# rollback of the RabbitMQ fix (playbooks/rabbitmq-tls.yml) on a real
# broker: after `mend rollback` rabbitmq.conf is byte-identical (mode and
# owner too), the broker was restarted and answers cleartext AMQP on its old
# listener again, and the TLS listener the fix opened is gone
# shellcheck disable=SC2046  # $(lab_args) is meant to split
. "$TOP/tests/e2e/rabbitmq-lib.sh"
[ -f "$PB" ] || fail "$PB is missing"
rmq_up 1
stamp "broker up"
C=/etc/rabbitmq/rabbitmq.conf
meta() { lab_sh 1 stat -c '%a %U:%G' $C; }
orig=$(conf_sha 1); orig_meta=$(meta)
[ "$(probe 1)" = 0 ] || fail "no cleartext AMQP before the fix"
mend_run run "$PB" $(lab_args) -l h1 -e rmq_ca_local="$CA"
expect_rc 0
run=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
[ "$(conf_sha 1)" != "$orig" ] || fail "the fix did not change $C"
[ "$(probe 1)" != 0 ] || fail "cleartext still accepted after the fix"
[ "$(probe 1 --tls)" = 0 ] || fail "no TLS after the fix: $(cat "$T/probe.out")"
stamp "fixed"
pid_fixed=$(broker_pid 1)
mend_run rollback "$run" $(lab_args)
expect_rc 0
stamp "rolled back"
[ "$(conf_sha 1)" = "$orig" ] || fail "$C not restored byte-identical"
[ "$(meta)" = "$orig_meta" ] || fail "mode/owner not restored: $(meta) vs $orig_meta"
[ "$(broker_pid 1)" != "$pid_fixed" ] || fail "the broker was not restarted by the rollback"
ok=
for _ in $(seq 60); do
	[ "$(probe 1)" = 0 ] && { ok=1; break; }
	sleep 1
done
[ -n "$ok" ] || fail "the broker does not answer cleartext on its old listener after the rollback: $(cat "$T/probe.out")"
[ "$(probe 1 --tls)" != 0 ] || fail "the TLS listener is still open after the rollback"
