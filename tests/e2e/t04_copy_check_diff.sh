# copy is idempotent; check mode changes no byte; diff mode shows the change
. "$TOP/tests/e2e/lib.sh"
lab_sh 1 sh -c 'printf "a\nb\n" > /etc/nut/mend-diff.conf; chmod 600 /etc/nut/mend-diff.conf'
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - copy:
        dest: /etc/nut/mend-copy.conf
        content: "x=1\n"
        mode: "0640"
    - lineinfile:
        path: /etc/nut/mend-diff.conf
        line: FORCESSL 1
P
before=$(lab_sh 1 sha256sum /etc/nut/mend-diff.conf)
mend_run run "$T/pb.yml" $(lab_args) --check --diff
expect_rc 0
expect_out '^\+FORCESSL 1'
[ "$(lab_sh 1 sha256sum /etc/nut/mend-diff.conf)" = "$before" ] || fail "check mode changed the file"
! lab_sh 1 test -e /etc/nut/mend-copy.conf || fail "check mode created a file"
[ "$(recap h1 changed)" = 2 ] || fail "check mode should report 2 changes"
[ ! -d "$T/state/runs" ] || [ -z "$(ls "$T/state/runs")" ] || fail "check mode wrote a journal"
mend_run run "$T/pb.yml" $(lab_args) --diff
expect_rc 0
expect_out '^\+FORCESSL 1'
[ "$(lab_sh 1 cat /etc/nut/mend-copy.conf)" = "x=1" ] || fail "copy content"
[ "$(lab_sh 1 stat -c %a /etc/nut/mend-copy.conf)" = 640 ] || fail "copy mode"
[ "$(lab_sh 1 stat -c %a /etc/nut/mend-diff.conf)" = 600 ] || fail "lineinfile lost the mode"
mend_run run "$T/pb.yml" $(lab_args)
[ "$(recap h1 changed)" = 0 ] || fail "second run changed"
