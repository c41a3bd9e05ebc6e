# serial batches stop when max_fail_percentage is exceeded; handlers run once
# per notified host at the end, never on failed hosts
. "$TOP/tests/e2e/lib.sh"
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  serial: 1
  max_fail_percentage: 0
  tasks:
    - fail:
        msg: h1 breaks
      when: inventory_hostname == "h1"
    - command: "true"
P
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 2
expect_out 'stopping after batch 1 of'
[ "$(recap h1 failed)" = 1 ] || fail "h1 should fail"
! grep -q '^h2 *:' "$T/out" || fail "h2 should not have started"
cat >"$T/pb2.yml" <<'P'
- hosts: all
  gather_facts: false
  serial: [1, "50%"]
  tasks:
    - command: "true"
      notify: [bounce, other]
    - command: "true"
      notify: bounce
    - fail:
      when: inventory_hostname == "h2"
  handlers:
    - name: other
      command: echo other
    - name: bounce
      command: echo bounce
      register: b
P
mend_run run "$T/pb2.yml" $(lab_args) -v
expect_rc 2
[ "$(grep -c '^h1 | bounce | changed' "$T/out")" = 1 ] || fail "h1 handler should run exactly once"
[ "$(grep -c '^h2 | bounce' "$T/out")" = 0 ] || fail "handler ran on failed h2"
# handlers run in the order of the handlers section: other before bounce
awk '/^h1 \| other/{o=NR} /^h1 \| bounce/{b=NR} END{exit !(o && b && o < b)}' "$T/out" || fail "handler order"
