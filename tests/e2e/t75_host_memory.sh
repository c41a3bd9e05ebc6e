# Memory bounded by forks, not by hosts (issue 15): a host's variables,
# registered results and facts go when its part of the run's last play is
# done (executor.c host_shed), so the controller's peak RSS hardly grows
# with the number of hosts.  Each host registers a 1 MB result (stdout
# and stdout_lines: 2 MB a copy, two copies while the host runs); kept
# for the run, as before the fix, 60 hosts took MEASURED more than 10;
# the bound is 16 MiB of growth.  Local hosts (no lab),
# each with its own lock directory (a shared one keeps the lock, and so
# the host's state, to the end of the run).  Not timed.
. "$TOP/tests/e2e/lib.sh"
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - shell: head -c 1000000 /dev/zero | tr '\0' x
      register: big
      changed_when: false
    - command: "true"
      when: big.stdout | length == 1000000
P
mkdir -p "$T/lock"
# maxrss N: mend's peak RSS in KiB on N local hosts, -f 2, into $T/rss.N
maxrss() {
	local n=$1 i
	for ((i = 1; i <= n; i++)); do
		echo "h$i ansible_connection=local mend_lock_dir=$T/lock/h$i"
	done >"$T/inv.$n"
	python3 - "$MEND" run "$T/pb.yml" -i "$T/inv.$n" -f 2 \
		--state-dir "$T/state.$n" >"$T/out.$n" 2>&1 <<'PY' || {
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
print("maxrss_kb=%d" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
PY
		tail -30 "$T/out.$n" >&2
		fail "$n hosts: the run failed"
	}
	[ "$(grep -c '^h[0-9]* *: ok=2 ' "$T/out.$n")" = "$n" ] ||
		{ tail -30 "$T/out.$n" >&2; fail "$n hosts: not every host ok=2"; }
	sed -n 's/^maxrss_kb=//p' "$T/out.$n" >"$T/rss.$n"
}
maxrss 10
maxrss 60
small=$(cat "$T/rss.10") large=$(cat "$T/rss.60")
grow=$(((large - small) / 1024))
echo "peak RSS: 10 hosts $((small / 1024)) MiB, 60 hosts $((large / 1024)) MiB (+$grow)"
((grow <= 16)) || fail "peak RSS grew by $grow MiB from 10 to 60 hosts (bound 16: per-host state kept for the run?)"
