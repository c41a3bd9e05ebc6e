# ping every lab host over SSH; recap ok=1 each, exit 0
. "$TOP/tests/e2e/lib.sh"
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - ping:
P
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 0
n=0
for h in $(awk '{print $1}' "$LAB/hosts"); do
	[ "$(recap "$h" ok)" = 1 ] || fail "$h: ok != 1"
	n=$((n + 1))
done
[ "$n" -ge 2 ] || fail "lab has $n hosts"
expect_out '^PLAY RECAP'
