# issue 13, differential against ansible-core 2.14 (Debian's package):
# tests/e2e/lang/legacy.yml holds forms real playbooks carry that 2.14
# accepts -- the play's old `user:`, `- name:` and `loop:` left empty,
# conditions written with {{ }} (2.14 warns, renders, then evaluates what
# it rendered), an assert `that` with {{ }}, a role whose defaults/main is
# a directory (its files in name order, hidden and ~ files skipped, a
# subdirectory descended), and `notify` on a block (its
# tasks' default; a task's own notify wins; nested blocks inherit).  Run by
# ansible-playbook and by mend (local connection, twin directories): the
# same log lines in the same order, the same PLAY RECAP counters.  Failure
# paths: `user` and `remote_user` together, and `with_items:` left empty,
# are refused by both before anything runs.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
pb="$TOP/tests/e2e/lang/legacy.yml"
printf 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3 mend_lock_dir=%s\n' \
	"$T/lock" >"$T/local.ini"
counters() { sed -n 's/^h1 *: *//p' "$1" | tr -s ' ' | sed 's/ *$//'; }
mkdir -p "$T/ans" "$T/mend"
ansible-playbook -i "$T/local.ini" "$pb" -e out="$T/ans" >"$T/ans.out" 2>&1 &
apid=$!
mend_run run -i "$T/local.ini" "$pb" -e out="$T/mend" --state-dir "$T/state"
expect_rc 0
expect_out 'warning: conditional statements should not include jinja2'
arc=0; wait "$apid" || arc=$?
[ "$arc" -eq 0 ] || { cat "$T/ans.out" >&2; fail "ansible-playbook exit $arc"; }
cmp "$T/ans/log.txt" "$T/mend/log.txt" ||
	fail "log differs: $(diff "$T/ans/log.txt" "$T/mend/log.txt")"
grep -qx 'defaults from-sub second json' "$T/mend/log.txt" || fail "defaults/main/ directory"
grep -qx handler-block "$T/mend/log.txt" || fail "the block's notify did not run its handler"
grep -qx when5-b "$T/mend/log.txt" && ! grep -qx when5-a "$T/mend/log.txt" ||
	fail "a templated when in a loop"
[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] ||
	fail "recap: ansible '$(counters "$T/ans.out")', mend '$(counters "$T/out")'"

# refused by both, before anything runs
printf -- '- hosts: all\n  user: a\n  remote_user: b\n  tasks:\n    - shell: touch %s/ran\n' \
	"$T" >"$T/both.yml"
printf -- '- hosts: all\n  tasks:\n    - shell: touch %s/ran\n      with_items:\n' \
	"$T" >"$T/noitems.yml"
for f in both noitems; do
	arc=0; ansible-playbook -i "$T/local.ini" "$T/$f.yml" >"$T/a-$f.out" 2>&1 || arc=$?
	[ "$arc" -ne 0 ] || fail "ansible-playbook accepted $f.yml"
	mend_run run -i "$T/local.ini" "$T/$f.yml" --state-dir "$T/state"
	expect_rc 3
	[ ! -e "$T/ran" ] || fail "$f.yml: a task ran"
done
grep -q "both 'user' and 'remote_user'" "$T/a-both.out" || fail "ansible's message (both)"
