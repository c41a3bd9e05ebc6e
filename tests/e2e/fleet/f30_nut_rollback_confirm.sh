# shellcheck shell=bash disable=SC2046
# NUT rollback and confirm-or-revert on systemd hosts of every release:
#  1. `mend rollback RUN` of the upsmon fix: every file under /etc/nut
#     byte-identical with mode and owner, nut-monitor restarted through
#     systemctl afterwards (on the old configuration), active, upsmon in
#     its unit;
#  2. confirm-or-revert: the revert job is a transient systemd unit
#     (mend-confirm-*.service), not a child of the SSH session; mend is
#     SIGKILLed right after the restart (its SSH sessions die with it) and
#     every host puts upsmon.conf back by itself at the deadline and
#     restarts nut-monitor, which is active again afterwards.
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true
each "$TOP/tests/lab/nut-up" {} --tls nss --no-client-db || fail "nut-up"
snap() { lab_sh "$1" sh -c 'find /etc/nut -type f | LC_ALL=C sort | while read -r f; do echo "$f $(sha256sum <"$f" | cut -c1-64) $(stat -c "%a %U:%G" "$f")"; done'; }
declare -A before mpid
for n in $(hosts_n); do before[$n]=$(snap "$n"); done

# ---- 1. mend rollback ----------------------------------------------------------
mend_run run "$TOP/playbooks/nut-upsmon-tls.yml" $(lab_args) -e nut_ca_file="$CA"
expect_rc 0
run=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out" | head -1)
for n in $(hosts_n); do
	lab_sh "$n" grep -q '^CERTVERIFY 1' /etc/nut/upsmon.conf || fail "h$n: not fixed"
	mpid[$n]=$(lab_sh "$n" systemctl show -p MainPID --value nut-monitor)
done
mend_run rollback "$run" $(lab_args)
expect_rc 0
for n in $(hosts_n); do
	after=$(snap "$n")
	[ "$after" = "${before[$n]}" ] || fail "h$n ($(os_of "$n")): not restored:
$(diff <(echo "${before[$n]}") <(echo "$after"))"
	[ "$(lab_sh "$n" systemctl show -p MainPID --value nut-monitor)" != "${mpid[$n]}" ] ||
		fail "h$n: nut-monitor was not restarted by the rollback"
	active "$n" nut-monitor || fail "h$n: nut-monitor not active after the rollback"
	inside_unit "$n" upsmon nut-monitor.service
done
stamp "1. rollback ok"

# ---- 2. confirm-or-revert, mend killed -------------------------------------------
C=/etc/nut/upsmon.conf
cat >"$T/cr.yml" <<P
- hosts: all
  gather_facts: false
  confirm_timeout: 25
  tasks:
    - lineinfile: {path: $C, regexp: "^DEADTIME", line: "DEADTIME 25"}
    - service: {name: nut-monitor, state: restarted}
    - command: sleep 600
P
declare -A sum
for n in $(hosts_n); do sum[$n]=$(fsum "$n" $C); done
"$MEND" run "$T/cr.yml" $(lab_args) >"$T/out" 2>&1 &
mp=$!
# the journal says when every host has restarted (stdout is buffered)
j=
for _ in $(seq 600); do
	id=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out" | head -1)
	j=$T/state/runs/$id/journal.jsonl
	[ -n "$id" ] && [ "$(grep -c '"t":"service"' "$j" 2>/dev/null)" -ge "$(nhosts)" ] && break
	sleep 0.2
done
[ "$(grep -c '"t":"service"' "$j" 2>/dev/null)" -ge "$(nhosts)" ] || { kill -KILL $mp; fail "the restarts did not happen"; }
for n in $(hosts_n); do
	u=$(grep '"action":"armed"' "$j" | grep "\"h$n\"" | sed -n 's/.*"job_unit":"\([^"]*\)".*/\1/p' | tail -1)
	[ -n "$u" ] || { kill -KILL $mp; grep armed "$j" >&2; fail "h$n: the revert job is not a transient unit"; }
	case $u in mend-confirm-*.service) ;; *) fail "h$n: job unit '$u'" ;; esac
	active "$n" "$u" || fail "h$n: the revert job's unit $u is not active"
	lab_sh "$n" grep -qx 'DEADTIME 25' $C || fail "h$n: the change is not there"
	eval "unit_$n=\$u"
done
kill -KILL $mp
wait $mp 2>/dev/null
stamp "mend killed; waiting for the hosts to revert by themselves"
for n in $(hosts_n); do
	u=unit_$n
	for _ in $(seq 90); do [ "$(fsum "$n" $C)" = "${sum[$n]}" ] && break; sleep 1; done
	[ "$(fsum "$n" $C)" = "${sum[$n]}" ] || fail "h$n: $C was not put back"
	for _ in $(seq 30); do active "$n" "${!u}" || break; sleep 1; done
	active "$n" "${!u}" && fail "h$n: the revert job still runs"
	# the unit ran the job (its journal), the job's own log says what it did
	journal "$n" "${!u}" 0 | grep -q "job.1.sh" || fail "h$n: no journal of the job's unit ${!u}"
	lab_sh "$n" cat "/run/mend/confirm/$id/log" | grep -q 'restarted nut-monitor' ||
		{ lab_sh "$n" cat "/run/mend/confirm/$id/log" >&2; fail "h$n: the job did not restart nut-monitor"; }
	active "$n" nut-monitor || fail "h$n: nut-monitor not active after the revert"
	inside_unit "$n" upsmon nut-monitor.service
done
stamp "2. confirm-or-revert ok"
exit 0
