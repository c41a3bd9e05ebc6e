# liveness: a host whose sshd stops answering (SIGSTOPped) is given up in
# bounded time by SSH keepalives, not waited for forever; a long command on
# a live host is not cut short by them
. "$TOP/tests/e2e/lib.sh"
alive="--server-alive-interval 1 --server-alive-count-max 3"
cat >"$T/long.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - command: sleep 8
P
mend_run run "$T/long.yml" $(lab_args) -l h1 $alive
expect_rc 0
# the command records its sshd ancestors (session, monitor, listener),
# then sleeps; the test freezes them by PID
cat >"$T/frozen.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - shell: |
        p=$PPID
        while [ "$p" -gt 1 ]; do
          case "$(cat /proc/$p/comm)" in sshd*) echo "$p";; esac
          p=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status)
        done >/tmp/mend-t15.pids
        sleep 300
P
lab_sh 1 rm -f /tmp/mend-t15.pids
"$MEND" run "$T/frozen.yml" $(lab_args) -l h1 $alive >"$T/out" 2>&1 &
mpid=$!
pids=
for _ in $(seq 100); do
	pids=$(lab_sh 1 cat /tmp/mend-t15.pids 2>/dev/null || true)
	[ -n "$pids" ] && break
	sleep 0.1
done
[ -n "$pids" ] || { kill "$mpid"; fail "the command did not start"; }
thaw() { lab_sh 1 kill -CONT $pids 2>/dev/null || true; }
trap thaw EXIT
lab_sh 1 kill -STOP $pids
start=$(date +%s)
for _ in $(seq 300); do
	kill -0 "$mpid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$mpid" 2>/dev/null; then
	kill "$mpid"
	fail "mend still waits on a frozen host after 30 s"
fi
rc=0
wait "$mpid" || rc=$?
took=$(($(date +%s) - start))
thaw
expect_rc 4
expect_out "h1 .*UNREACHABLE"
expect_out "the host stopped answering \(no reply to keepalives for [0-9]+ s\)"
[ "$took" -le 12 ] || fail "took $took s to give up (interval 1 s x 3)"
