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
# @revoked (libssh skips marker lines): the host's real key marked revoked
# is refused under every policy, even next to a plain line trusting it,
# and nothing is appended
real=$(head -n1 "$T/kh")
printf '%s\n@revoked %s\n' "$real" "$real" >"$T/kh3"
cp "$T/kh3" "$T/kh3.orig"
for pol in strict accept-new off; do
	mend_run run "$T/pb.yml" -i "$LAB/inventory.ini" --known-hosts "$T/kh3" --state-dir "$T/state" --host-key-policy $pol
	expect_rc 4
	expect_out 'REVOKED HOST KEY DETECTED'
	expect_out 'impersonate this host'
done
cmp -s "$T/kh3" "$T/kh3.orig" || fail "a revoked key was recorded"
printf '@revoked * %s\n' "$(echo "$real" | cut -d' ' -f2-)" >"$T/kh4"
mend_run run "$T/pb.yml" -i "$LAB/inventory.ini" --known-hosts "$T/kh4" --state-dir "$T/state" --host-key-policy accept-new
expect_rc 4
expect_out 'REVOKED HOST KEY DETECTED'
[ "$(wc -l <"$T/kh4")" = 1 ] || fail "accept-new appended a revoked key"
# @cert-authority for the host and no key of its own: mend cannot check
# host certificates, so it refuses instead of trusting on first use
printf '@cert-authority * %s\n' "$(cut -d' ' -f1,2 "$T/other.pub")" >"$T/kh5"
mend_run run "$T/pb.yml" -i "$LAB/inventory.ini" --known-hosts "$T/kh5" --state-dir "$T/state" --host-key-policy accept-new
expect_rc 4
expect_out 'certificate authority'
[ "$(wc -l <"$T/kh5")" = 1 ] || fail "accept-new trusted a host behind a CA"
