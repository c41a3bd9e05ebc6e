# issue 13: task files included as ansible-core 2.14 does, differential:
# the legacy `include:` (static/dynamic, k=v parameters as variables);
# in a role, files found where 2.14 finds them (tasks/, the role's root,
# the including file's directory); include_tasks as a handler.
# The playbooks under tests/e2e/lang/include/ are run by ansible-playbook
# and by mend on a local host: the same files, modes, PLAY RECAP counters.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home" ANSIBLE_DEPRECATION_WARNINGS=0
dir=$TOP/tests/e2e/lang/include
printf 't73local ansible_connection=local ansible_python_interpreter=/usr/bin/python3 mend_lock_dir=%s\n' "$T/lock" >"$T/inv"  # own lock: other runs lock the controller
counters() { sed -n 's/^\([a-z0-9]*\) *: *ok/\1 ok/p' "$1" | tr -s ' ' | sed 's/ *$//'; }
differential() {        # PLAYBOOK: both leave the same files and recap
	rm -rf "$T/ans" "$T/mend"; mkdir -p "$T/ans" "$T/mend"
	arc=0
	ansible-playbook -i "$T/inv" "$dir/$1" -e out="$T/ans" >"$T/ans.out" 2>&1 || arc=$?
	mend_run run -i "$T/inv" "$dir/$1" -e out="$T/mend" --state-dir "$T/state"
	[ "$rc" -eq "$arc" ] || { cat "$T/ans.out" "$T/out" >&2; fail "$1: exit mend $rc, ansible $arc"; }
	[ -n "$(ls "$T/ans")" ] || { cat "$T/ans.out" >&2; fail "$1: ansible wrote nothing"; }
	diff -r "$T/ans" "$T/mend" >&2 || fail "$1: files differ"
	for f in "$T"/ans/*; do
		[ "$(stat -c %a "$f")" = "$(stat -c %a "$T/mend/${f##*/}")" ] || fail "$1: ${f##*/} mode differs"
	done
	[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] ||
		fail "$1 recap: ansible '$(counters "$T/ans.out")', mend '$(counters "$T/out")'"
}
differential legacy.yml
grep -qx 'a=1 b=two words' "$T/mend/static" || fail "static: $(cat "$T/mend/static")"
grep -qx 'a=6 b=nb' "$T/mend/over" || fail "over: task vars win over k=v"
[ -e "$T/mend/loop_2-nested" ] && [ ! -e "$T/mend/skipped" ] || fail "legacy.yml: loop/when"
differential roles.yml
[ "$(cat "$T/mend/restarted-byname" "$T/mend/restarted-bytopic")" = "byname
bytopic" ] && [ -e "$T/mend/b" ] && [ -e "$T/mend/c" ] && [ ! -e "$T/mend/restarted-never" ] ||
	fail "roles.yml: $(ls "$T/mend")"
differential pbvars.yml
grep -qx 'a=outer b=outer c=mid d=vf' "$T/mend/pbvars" || fail "pbvars: $(cat "$T/mend/pbvars")"
