# secrets stay masked in every view of the journal: `mend show` masks what
# --diff masks (NUT passwords, also in lineinfile's context lines), shows
# nothing of a no_log task's file, summarises binary files (size, sha256);
# --json carries diffs only with --diff
. "$TOP/tests/e2e/lib.sh"
printf '[ctl]\nlocalbox ansible_connection=local mend_lock_dir=%s\n' "$T/lock" >"$T/inv.ini"
mkdir -p "$T/etc/nut"
printf 'MONITOR ups@localhost 1 upsmon "SECRET-MON-1" primary\nCERTIDENT "upsd" "SECRET-DB-2"\n' >"$T/etc/nut/upsmon.conf"
printf 'x\n' >"$T/pw.txt"
printf 'SQLite format 3\000\001\002' >"$T/key4.db"
head -c 2000 /dev/urandom >"$T/new.db"
cat >"$T/pb.yml" <<'P'
- hosts: ctl
  gather_facts: false
  tasks:
    - lineinfile: {path: "{{ d }}/etc/nut/upsmon.conf", line: "FINALDELAY 5"}
    - lineinfile: {path: "{{ d }}/pw.txt", line: "PW NOLOG-77v"}
      no_log: true
    - copy: {src: "{{ d }}/new.db", dest: "{{ d }}/key4.db"}
P
mend_run run "$T/pb.yml" -i "$T/inv.ini" -e d="$T" --state-dir "$T/state" --diff --json "$T/diff.json"
expect_rc 0
expect_out '^ MONITOR ups@localhost 1 upsmon "\*\*\*\*\*\*\*\*" primary$'
expect_no_out 'SECRET-'
expect_no_out 'NOLOG-77v'
expect_out '^Binary file .*/key4.db: before 18 bytes \(sha256 [0-9a-f]{64}\), after 2000 bytes'
grep -q '"diff": "---' "$T/diff.json" || fail "--json --diff lost the diffs"
! grep -q 'SECRET-\|NOLOG' "$T/diff.json" || fail "a secret in --json --diff"
mend_run show last --state-dir "$T/state"
expect_rc 0
expect_out 'CERTIDENT "upsd" "\*\*\*\*\*\*\*\*"'
expect_out '^\+FINALDELAY 5$'
expect_out 'no_log: the contents are not shown'
expect_out '^Binary file .*/key4.db: before 18 bytes'
expect_no_out 'SECRET-'
expect_no_out 'NOLOG-77v'
expect_no_out 'SQLite'
# the journal keeps the real bytes: rollback puts the secrets back
mend_run rollback last --state-dir "$T/state" -i "$T/inv.ini"
expect_rc 0
grep -q 'SECRET-MON-1' "$T/etc/nut/upsmon.conf" || fail "rollback lost the original"
printf 'y\n' >"$T/pw.txt"
mend_run run "$T/pb.yml" -i "$T/inv.ini" -e d="$T" --state-dir "$T/state" --json "$T/nodiff.json"
expect_rc 0
! grep -q '"diff": "' "$T/nodiff.json" || fail "--json carried diffs without --diff"
