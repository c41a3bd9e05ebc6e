# ansible.cfg's filter_plugins: the filters of those directories are
# project-local plugins (a warning naming the file at check; a task that
# evaluates one fails on its host), as when they sit in filter_plugins/
# beside the playbook; without the ansible.cfg the filter is unknown
. "$TOP/tests/e2e/lib.sh"
P=$TOP/tests/e2e/cli/plug
rc=0; (cd "$P" && "$MEND" check fp.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 0
expect_out "fp.yml:4:23: warning: filter 'shout' is defined by the project-local filter plugin $P/plugins/filter/shout.py, which mend cannot run"
rc=0; (cd "$P" && ANSIBLE_FILTER_PLUGINS=/nonexistent "$MEND" check fp.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 3   # the variable wins over the file
expect_out "unknown filter 'shout'"
rc=0; (cd "$T" && "$MEND" check "$P/fp.yml" -i h1,) >"$T/out" 2>&1 || rc=$?
expect_rc 3
expect_out "unknown filter 'shout'"

# mend rollback without -i uses its run's own inventory, not ansible.cfg's
mkdir -p "$T/rb" && cd "$T/rb" || fail "cd"
printf '[defaults]\ninventory = missing.ini\ntransport = local\n' >ansible.cfg
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: {content: "x\\n", dest: "%s/rb/f"}\n' "$T" >rb.yml
mend_run run rb.yml -i c3r, -e mend_lock_dir="$T/lock" --state-dir "$T/rbstate"
expect_rc 0
[ -e "$T/rb/f" ] || fail "the run did not write f"
mend_run rollback last --state-dir "$T/rbstate"
expect_rc 0
[ ! -e "$T/rb/f" ] || { cat "$T/out" >&2; fail "rollback left f"; }
