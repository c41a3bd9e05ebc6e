# one unreachable host among others: exit 4, the others finish
. "$TOP/tests/e2e/lib.sh"
{ cat "$LAB/inventory.ini"; printf '\n[ghosts]\nghost ansible_host=198.51.100.250 ansible_user=root\n'; } >"$T/inv.ini"
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - command: "true"
P
start=$(date +%s)
mend_run run "$T/pb.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state" -T 2
expect_rc 4
[ $(( $(date +%s) - start )) -lt 15 ] || fail "unreachable host held the run"
[ "$(recap ghost unreachable)" = 1 ] || fail "ghost not unreachable"
for h in $(awk '{print $1}' "$LAB/hosts"); do
	[ "$(recap "$h" changed)" = 1 ] || fail "$h did not finish"
done
expect_out 'ghost \| connect \| UNREACHABLE'
