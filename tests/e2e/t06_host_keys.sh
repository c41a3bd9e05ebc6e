# unknown host keys are refused by default with the fingerprint and the way to
# accept; accept-new records them; a changed key is always refused
. "$TOP/tests/e2e/lib.sh"
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - ping:
P
: >"$T/kh"
mend_run run "$T/pb.yml" -i "$LAB/inventory.ini" --known-hosts "$T/kh" --state-dir "$T/state"
expect_rc 4
expect_out 'SHA256:'
expect_out 'accept-new'
[ ! -s "$T/kh" ] || fail "strict policy wrote known_hosts"
mend_run run "$T/pb.yml" -i "$LAB/inventory.ini" --known-hosts "$T/kh" --state-dir "$T/state" --host-key-policy accept-new
expect_rc 0
[ -s "$T/kh" ] || fail "accept-new did not record the key"
mend_run run "$T/pb.yml" -i "$LAB/inventory.ini" --known-hosts "$T/kh" --state-dir "$T/state"
expect_rc 0
# a changed key: record another key for the same address
addr=$(awk '$1=="h1"{print $2}' "$LAB/hosts")
ssh-keygen -q -t ed25519 -N '' -f "$T/other" >/dev/null
printf '%s %s\n' "$addr" "$(cut -d' ' -f1,2 "$T/other.pub")" >"$T/kh2"
for pol in strict accept-new; do
	mend_run run "$T/pb.yml" -i "$LAB/inventory.ini" --known-hosts "$T/kh2" --state-dir "$T/state" --host-key-policy $pol
	expect_rc 4
	expect_out 'HAS CHANGED'
done
