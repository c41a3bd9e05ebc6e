# --json writes one document with every host x task result and the recap;
# no_log values never appear anywhere
. "$TOP/tests/e2e/lib.sh"
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  vars:
    secret: s3cr3t-value-42
  tasks:
    - command: echo hello
    - command: "echo {{ secret }}"
      no_log: true
      register: hidden
    - command: "false"
      ignore_errors: true
    - debug:
        msg: "{{ hidden.stdout }}"
P
mend_run run "$T/pb.yml" $(lab_args) --json "$T/r.json" -v
expect_rc 0
! grep -q s3cr3t "$T/out" || fail "secret in output"
! grep -q s3cr3t "$T/r.json" || fail "secret in json"
python3 - "$T/r.json" "$(awk '{print $1}' "$LAB/hosts" | wc -l)" <<'PY' || fail "json content"
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
res = d["results"]
assert len(res) == 4 * n, len(res)
for r in res:
    for k in ("host", "task", "module", "changed", "failed", "skipped", "rc", "duration", "message", "diff"):
        assert k in r, (k, r)
assert sum(1 for r in res if r["failed"] and r["ignored"]) == n
assert all(v["ok"] == 4 and v["ignored"] == 1 for v in d["recap"].values()), d["recap"]
assert d["exit_code"] == 0
PY
