# mend rollback: files back byte-identical with their mode and owner, created
# files removed; a file changed after the run is refused (drift) while the
# others are restored; --force restores it; the rollback is a journaled run
# that can itself be rolled back
. "$TOP/tests/e2e/lib.sh"
D=/etc/nut
snap() { # snap N FILE: sha256, mode, owner of FILE on host N
	lab_sh "$1" sh -c "if [ -e '$2' ]; then echo \$(sha256sum <'$2' | cut -c1-64) \$(stat -c '%a %U:%G' '$2'); else echo absent; fi"
}
lab_sh 1 sh -c "printf 'a1\n' >$D/e2e-a.conf && chown root:nut $D/e2e-a.conf && chmod 0640 $D/e2e-a.conf
printf 'b1\nkeep me\n' >$D/e2e-b.conf && chmod 0600 $D/e2e-b.conf
rm -f $D/e2e-c.conf"
a0=$(snap 1 $D/e2e-a.conf); b0=$(snap 1 $D/e2e-b.conf)
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - lineinfile: {path: /etc/nut/e2e-a.conf, line: a2, mode: "0644", owner: root, group: root}
    - lineinfile: {path: /etc/nut/e2e-b.conf, regexp: "^b", line: b2}
    - lineinfile: {path: /etc/nut/e2e-c.conf, line: c, create: true}
P
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 0
run1=$(sed -n 's/^run \([^ ]*\) .*/\1/p' "$T/out")
[ "$(recap h1 changed)" = 3 ] || fail "the run should change 3 files"
a1=$(snap 1 $D/e2e-a.conf)
[ "$a1" != "$a0" ] || fail "a did not change"
case "$a1" in *" 644 root:root") ;; *) fail "a's mode/owner not changed: $a1" ;; esac
# someone edits b after the run
lab_sh 1 sh -c "echo 'edited by hand' >>$D/e2e-b.conf"
mend_run rollback last $(lab_args)
expect_rc 2
expect_out "refused to restore 1 file\(s\) that changed since the run: $D/e2e-b.conf \(changed since the run\)"
[ "$(snap 1 $D/e2e-a.conf)" = "$a0" ] || fail "a not restored (bytes, mode 0640, root:nut): $(snap 1 $D/e2e-a.conf) vs $a0"
[ "$(snap 1 $D/e2e-c.conf)" = absent ] || fail "the created file was not removed"
lab_sh 1 grep -q 'edited by hand' $D/e2e-b.conf || fail "the drifted file was touched"
# rolling back the same run again: a and c are already as before, b still
# drifted; --force restores it
mend_run rollback "$run1" $(lab_args) --force
[ -n "${E2E_DEBUG:-}" ] && { rm -rf /tmp/t32-state; cp -r "$T/state" /tmp/t32-state; cp "$T/out" /tmp/t32-out; }
expect_rc 0
[ "$(snap 1 $D/e2e-b.conf)" = "$b0" ] || fail "--force did not restore b: $(snap 1 $D/e2e-b.conf) vs $b0"
[ "$(snap 1 $D/e2e-a.conf)" = "$a0" ] || fail "a changed again"
mend_run runs --state-dir "$T/state"
[ "$(grep -c "rollback of $run1" "$T/out")" = 2 ] || { cat "$T/out"; fail "mend runs should list 2 rollbacks of $run1"; }
# the forced rollback is a run: rolling it back puts b back as the hand
# edit left it (what that rollback found)
mend_run rollback last $(lab_args)
expect_rc 0
lab_sh 1 grep -q 'edited by hand' $D/e2e-b.conf || fail "rollback of the rollback did not restore b"
mend_run show "$run1" --state-dir "$T/state"
expect_out "^h1 \| $D/e2e-c.conf \| created"
expect_out '^\+a2$'
[ -n "${E2E_DEBUG:-}" ] && cp -r "$T/state" /tmp/t32-state
lab_sh 1 rm -f $D/e2e-a.conf $D/e2e-b.conf $D/e2e-c.conf
