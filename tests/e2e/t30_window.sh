# change windows with an injected clock: outside the window nothing runs and
# no host is contacted (exit 5); too close to its end nothing starts either;
# a cut-off during the run leaves no host half-patched: the host that
# started finishes every task, the others are reported as skipped for the
# window (recap, JSON, exit 5)
. "$TOP/tests/e2e/lib.sh"
F=/tmp/mend-e2e-window.conf
for n in 1 2 3; do lab_sh "$n" rm -f "$F"; done
sshd_log() { wc -l <"$LAB/h$1/fs/var/log/mend-lab/sshd.log"; }

cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  window: "Sat 22:00-Sun 04:00"
  tasks:
    - lineinfile:
        path: /tmp/mend-e2e-window.conf
        line: first
        create: true
P
before=$(sshd_log 1)
# Wednesday noon: closed; says when it opens; no journal, no login
MEND_NOW=2026-11-25T12:00 mend_run run "$T/pb.yml" $(lab_args) --tz UTC
expect_rc 5
expect_out "outside the change window 'Sat 22:00-Sun 04:00'; it opens Sat 2026-11-28 22:00 UTC"
expect_out 'nothing was run'
[ ! -e "$T/state/runs" ] || fail "a journal was created outside the window"
[ "$(sshd_log 1)" = "$before" ] || fail "a host was contacted outside the window"
lab_sh 1 test ! -e "$F" || fail "h1 was changed outside the window"
# the window is in --tz: Saturday 23:00 in Tokyo (14:00Z) is inside it
MEND_NOW=2026-11-28T23:00+09:00 mend_run run "$T/pb.yml" $(lab_args) --tz Asia/Tokyo -l h1
expect_rc 0
lab_sh 1 grep -qx first "$F" || fail "inside the window h1 should be changed"
# inside, but less than window_margin (default 10 min) before the end
MEND_NOW=2026-11-29T03:51 mend_run run "$T/pb.yml" $(lab_args) --tz UTC
expect_rc 5
expect_out 'closes at Sun 2026-11-29 04:00 UTC, less than window_margin \(10 min\)'
expect_out 'the next one opens Sat 2026-12-05 22:00 UTC'
# --window replaces the play's window; a bad window is a usage error; a bad
# play window is an invalid playbook with its position
MEND_NOW=2026-11-25T12:00 mend_run run "$T/pb.yml" $(lab_args) --tz UTC --window "Wed 11:00-13:00" -l h1
expect_rc 0
mend_run run "$T/pb.yml" $(lab_args) --window "Sat 22:00"
expect_rc 1
expect_out "window 'Sat 22:00'"
mend_run run "$T/pb.yml" $(lab_args) --tz Mars/Olympus
expect_rc 1
expect_out "unknown time zone 'Mars/Olympus'"
sed 's/Sat 22:00-Sun 04:00/Sat 22:00-Sun 4h/' "$T/pb.yml" >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
expect_rc 3
expect_out "bad.yml:3:[0-9]+: error: window 'Sat 22:00-Sun 4h'"
# check mode ignores the window (it changes nothing)
MEND_NOW=2026-11-25T12:00 mend_run run "$T/pb.yml" $(lab_args) --tz UTC --check -l h1
expect_rc 0

# ---- cut-off: 4 s before the last start (04:00 - 10 min), one host at a
# time, each host takes > 5 s: h1 starts and finishes, h2/h3 never start
for n in 1 2 3; do lab_sh "$n" rm -f "$F"; done
cat >"$T/cut.yml" <<'P'
- hosts: all
  gather_facts: false
  serial: 1
  window: "2026-11-28T22:00/2026-11-29T04:00"
  tasks:
    - lineinfile:
        path: /tmp/mend-e2e-window.conf
        line: first
        create: true
    - command: sleep 6
      changed_when: false
    - lineinfile:
        path: /tmp/mend-e2e-window.conf
        line: second
P
MEND_NOW=2026-11-29T03:49:56Z mend_run run "$T/cut.yml" $(lab_args) --tz Europe/Berlin --json "$T/cut.json" -f 1
# (Europe/Berlin: 04:00 local = 03:00Z, so the window is already closed at
# 03:49:56Z: nothing runs)
expect_rc 5
expect_out 'outside the change window'
MEND_NOW=2026-11-29T03:49:56 mend_run run "$T/cut.yml" $(lab_args) --tz UTC --json "$T/cut.json" -f 1
expect_rc 5
[ "$(lab_sh 1 cat "$F")" = "$(printf 'first\nsecond')" ] || fail "h1 was left half-patched: $(lab_sh 1 cat "$F")"
for n in 2 3; do
	lab_sh "$n" test ! -e "$F" || fail "h$n started after the cut-off"
done
expect_out '^h2 \| change window \| skipped: not started: the change window'
expect_out '^h3 \| change window \| skipped'
expect_out '2 host\(s\) not started because the change window was closing .*: h2, h3'
[ "$(recap h1 changed)" = 2 ] || fail "h1 should have 2 changes"
[ "$(recap h2 skipped)" = 1 ] || fail "h2 should be skipped in the recap"
python3 - "$T/cut.json" <<'PY' || fail "JSON lacks the window skips"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_code"] == 5, d["exit_code"]
sk = [r["host"] for r in d["results"] if r["task"] == "change window" and r["skipped"]]
assert sk == ["h2", "h3"], sk
assert d["recap"]["h2"]["skipped"] == 1
PY
mend_run runs --state-dir "$T/state"
expect_out 'window-cut'
for n in 1 2 3; do lab_sh "$n" rm -f "$F"; done
