# shellcheck shell=bash disable=SC2046
# NUT case 1 (baseline) and the detection half of case 2 (the seed's lines),
# on real daemons: nut_facts says vulnerable with the right reasons, reports
# `certverify = yes` / `forcssl = yes` as ineffective, never shows the
# MONITOR password; upsmon really does talk to upsd without verifying.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
need_hosts 3
nut_up 1 --tls nss --upsmon-log --no-client-db
nut_up 2 --tls nss --upsmon-log --no-client-db
nut_up 3 --tls none --client none
lab_sh 2 sh -c 'printf "certverify = yes\nforcssl = yes\n" >>/etc/nut/upsmon.conf'

cat >"$T/pb.yml" <<'P'
- hosts: h1,h2,h3
  gather_facts: false
  tasks:
    - nut_facts:
      register: nut
    - name: usable in when
      debug:
        msg: "fix needed"
      when: nut.vulnerable and nut.upsmon.certverify != 1
P
mend_run run "$T/pb.yml" $(lab_args) --json "$T/r.json"
expect_rc 0
grep -q mendlab-mon-pw "$T/out" "$T/r.json" && fail "the MONITOR password is in the output"
expect_task h1 "usable in when" "ok"
expect_task h3 "usable in when" "ok"

python3 - "$T/r.json" <<'PY' || fail "nut_facts results (see above)"
import json, sys
res = json.load(open(sys.argv[1]))["results"]
f = {r["host"]: r["data"] for r in res if r["module"] == "nut_facts"}

def has(reasons, *subs):
    for s in subs:
        assert any(s in r for r in reasons), (s, reasons)

for h in ("h1", "h2", "h3"):
    d = f[h]
    assert d["conf_dir"] == "/etc/nut", d["conf_dir"]
    assert d["version"] == "2.8.0", d["version"]
    assert d["backend"] == "nss", d["backend"]
    assert d["backends"]["upsmon"] == "nss" and d["backends"]["upsd"] == "nss"
    assert d["mode"] == "netserver"
    assert d["seed_dir_exists"] is False
    assert d["services"]["client"] == "nut-client"
    m = d["upsmon"]
    assert m["monitors"][0]["password"] == "********"
    assert m["monitors"][0]["ups"] == "myups" and m["monitors"][0]["host"] == "127.0.0.1"
    assert m["servers"] == [{"host": "127.0.0.1", "port": 3493, "name": "127.0.0.1",
                             "ups": ["myups"]}], m["servers"]
    assert m["monitor_hosts"] == ["127.0.0.1"]
    assert d["vulnerable"] is True and m["vulnerable"] is True
    assert m["tls_enforced"] is False
    assert m["certverify"] == 0 and m["forcessl"] == 0 and m["certpath"] is None

# case 1: the baseline, one reason per problem
r1 = f["h1"]["reasons"]
assert len(r1) == 3, r1
has(r1, "CERTVERIFY is not set", "FORCESSL is not set", "CERTPATH is not set")
assert f["h1"]["upsmon"]["ineffective"] == []
assert f["h1"]["upsd"]["tls_ready"] is True
assert f["h1"]["running"] == {"upsmon": True, "upsd": True}

# case 2: the seed's lines are reported as ineffective, with their lines
m2 = f["h2"]["upsmon"]
bad = [(b["line"], b["directive"], b["text"]) for b in m2["ineffective"]]
assert bad == [(14, "CERTVERIFY", "certverify = yes"), (15, "FORCESSL", "forcssl = yes")], bad
has(f["h2"]["reasons"], "upsmon.conf: line 14: 'certverify = yes' is ignored by upsmon",
    "upsmon.conf: line 15: 'forcssl = yes' is ignored by upsmon", "misspelled",
    "CERTVERIFY is not set")
assert m2["certverify"] == 0 and m2["forcessl"] == 0

# a plaintext-only server: upsd cannot offer STARTTLS
u3 = f["h3"]["upsd"]
assert u3["tls_ready"] is False and u3["vulnerable"] is True, u3
has(u3["reasons"], "CERTPATH is not set", "CERTIDENT is not set")
assert f["h3"]["running"]["upsmon"] is False
PY

# case 1, the daemons: upsmon negotiated TLS opportunistically but did not
# verify the server; upsd saw the login
wait_log 1 "Connected to NUT server 127.0.0.1 in SSL" 10
upsmon_log 1 | grep -q "Do not intend to authenticate server 127.0.0.1" ||
	fail "h1: upsmon did not say it skips verification"
upsmon_log 1 | grep -q "Certificate verification is disabled" ||
	fail "h1: upsmon did not say verification is disabled"
upsmon_log 1 | grep -q ": SUCCESS" && fail "h1: upsmon verified the server before the fix?"
grep -q "User monuser@127.0.0.1 logged into UPS \[myups\]" \
	"$LAB/h1/fs/var/log/mend-lab/syslog" || fail "h1: upsd saw no upsmon login"
exit 0
