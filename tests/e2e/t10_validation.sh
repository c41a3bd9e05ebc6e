# a playbook with a typo is rejected with file:line:col before any host is
# contacted (exit 3); a listener counts connection attempts
. "$TOP/tests/e2e/lib.sh"
python3 - "$T/port" "$T/conns" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(5); s.settimeout(0.2)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
n = 0; end = time.time() + 30
while time.time() < end:
    try:
        c, _ = s.accept(); n += 1; c.close()
        open(sys.argv[2], "w").write(str(n))
    except socket.timeout:
        pass
PY
lpid=$!
trap 'kill $lpid 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
printf 'target ansible_host=127.0.0.1 ansible_port=%s\n' "$port" >"$T/inv.ini"
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: fine
      ping:
    - name: typo
      lineinfil:
        path: /etc/x
        line: y
    - name: bad arg
      lineinfile:
        path: /etc/x
        lien: y
    - name: bad keyword
      command: "true"
      whne: x
    - async: 10
      command: "true"
P
mend_run run "$T/pb.yml" -i "$T/inv.ini" --state-dir "$T/state"
expect_rc 3
expect_out "pb.yml:7:7: error: unknown module 'lineinfil' \(did you mean 'lineinfile'\?\)"
expect_out "pb.yml:13:9: error: module 'lineinfile' has no argument 'lien' \(did you mean 'line'\?\)"
expect_out "pb.yml:16:7: error: unknown task keyword 'whne' \(did you mean 'when'\?\)"
expect_out "pb.yml:17:7: error: task keyword 'async' is not supported"
mend_run check "$T/pb.yml" -i "$T/inv.ini"
expect_rc 3
printf -- '- hosts: all\n  tasks:\n    - ping: {\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" -i "$T/inv.ini" --state-dir "$T/state"
expect_rc 3
expect_out 'bad.yml:[0-9]+:[0-9]+: error: '
printf '[g\nh1\n' >"$T/badinv"
mend_run run "$T/pb.yml" -i "$T/badinv" --state-dir "$T/state"
expect_rc 3
expect_out 'badinv:1:[0-9]+: error'
sleep 0.5
[ ! -s "$T/conns" ] || fail "mend connected $(cat "$T/conns") time(s) despite invalid input"
[ ! -d "$T/state/runs" ] || fail "an invalid run created a journal"
