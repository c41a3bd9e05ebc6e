# issue 13: run_once and delegate_to, differential against ansible-core.
# tests/e2e/lang/once_delegate.yml is run by ansible-playbook and by mend
# on three hosts: one local, two that are not reachable at all (their
# tasks are delegated to the controller or run once by the first host):
# the same files, modes, PLAY RECAP counters and exit code, with and
# without a failing run_once task (it stops every host).  Then mend with
# -f 1 (hosts one after the other: the run_once result still reaches the
# later hosts), the play keyword connection (also with -f 1 on two hosts,
# where connections close between plays), and over SSH: a task of h1 delegated to the lab's h2 runs
# on h2 with h1's variables.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
pb=$TOP/tests/e2e/lang/once_delegate.yml
py=ansible_python_interpreter=/usr/bin/python3
lk=mend_lock_dir=$T/lock   # hosts run on the controller: their own lock dir
printf 'a ansible_connection=local %s %s\nfar1 ansible_host=198.51.100.254 %s\nfar2 ansible_host=198.51.100.253 %s\n' \
    "$py" "$lk" "$py" "$py" >"$T/inv"
counters() { sed -n 's/^\([a-z0-9]*\) *: *ok/\1 ok/p' "$1" | tr -s ' ' | sed 's/ *$//'; }
for fo in false true; do
	rm -rf "$T/ans" "$T/mend"; mkdir -p "$T/ans" "$T/mend"
	arc=0
	ansible-playbook -i "$T/inv" "$pb" -e out="$T/ans" -e fail_once=$fo >"$T/ans.out" 2>&1 || arc=$?
	mend_run run -i "$T/inv" "$pb" -e out="$T/mend" -e fail_once=$fo --state-dir "$T/state"
	[ "$rc" -eq "$arc" ] || { cat "$T/ans.out" "$T/out" >&2; fail "fail_once=$fo: exit mend $rc, ansible $arc"; }
	diff -r "$T/ans" "$T/mend" >&2 || fail "fail_once=$fo: files differ"
	for f in "$T"/ans/*; do
		[ "$(stat -c %a "$f")" = "$(stat -c %a "$T/mend/${f##*/}")" ] || fail "${f##*/} mode differs"
	done
	[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] ||
		fail "fail_once=$fo recap: ansible '$(counters "$T/ans.out")', mend '$(counters "$T/out")'"
done
# the last pass failed the run_once task: every host stopped, named
expect_out "far1 \| a failing run_once task stops every host \| stopped: the run_once task failed on a"
[ ! -e "$T/mend/far2.after" ] || fail "far2 ran on after the run_once failure"
grep -qx 'ran on a changed=True' "$T/mend/far2.once" || fail "far2.once: $(cat "$T/mend/far2.once")"
grep -qx 'far2 picked=a skipped=True' "$T/mend/far2.deleg" || fail "far2.deleg: $(cat "$T/mend/far2.deleg")"

# -f 1: a's run ends before far1 starts; the result is still theirs
rm -rf "$T/mend"; mkdir -p "$T/mend"
mend_run run -i "$T/inv" "$pb" -e out="$T/mend" -f 1 --state-dir "$T/state"
expect_rc 0
grep -qx 'ran on a changed=True' "$T/mend/far2.once" || fail "-f 1: far2.once: $(cat "$T/mend/far2.once")"
[ -e "$T/mend/a.handler" ] && [ ! -e "$T/mend/far1.handler" ] || fail "-f 1: the handler is notified on the host that ran the task only"

# retries/delay as templates, any_errors_fatal as a template: differential
rm -rf "$T/ans" "$T/mend"; mkdir -p "$T/ans" "$T/mend"
ansible-playbook -i "$T/inv" "$TOP/tests/e2e/lang/keywords.yml" -l a -e out="$T/ans" >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook keywords.yml"; }
mend_run run -i "$T/inv" "$TOP/tests/e2e/lang/keywords.yml" -l a -e out="$T/mend" --state-dir "$T/state"
expect_rc 0
diff -r "$T/ans" "$T/mend" >&2 || fail "keywords.yml: files differ"
grep -qx attempts=2 "$T/mend/attempts" || fail "attempts: $(cat "$T/mend/attempts")"
[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] || fail "keywords.yml: recaps differ"
mend_run check -i "$T/inv" "$TOP/tests/e2e/lang/keywords.yml"
expect_out "keywords.yml:19:21: warning: any_errors_fatal of a play is not templated by Ansible"

# the play keyword connection: local, differential; a later play asking
# for ssh to the same host fails its task, named
printf 'nossh ansible_host=198.51.100.254 %s %s\n' "$py" "$lk" >"$T/inv2"
rm -rf "$T/ans" "$T/mend"; mkdir -p "$T/ans" "$T/mend"
ansible-playbook -i "$T/inv2" "$TOP/tests/e2e/lang/connection.yml" -e out="$T/ans" >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook connection.yml"; }
mend_run run -i "$T/inv2" "$TOP/tests/e2e/lang/connection.yml" -e out="$T/mend" --state-dir "$T/state"
expect_rc 0
diff -r "$T/ans" "$T/mend" >&2 || fail "connection: local: files differ"
[ "$(stat -c %a "$T/mend/nossh.conn")" = 600 ] || fail "nossh.conn mode"
printf -- '- hosts: all\n  connection: local\n  gather_facts: false\n  tasks: [{command: "true"}]\n- hosts: all\n  connection: ssh\n  gather_facts: false\n  tasks: [{command: "true"}]\n' >"$T/two.yml"
mend_run run -i "$T/inv2" "$T/two.yml" --state-dir "$T/state"
expect_rc 2
expect_out "FAILED: this play asks for an ssh connection to nossh, an earlier play opened a local one"
# the same with more hosts than forks: each host's connection closes after
# its part of the first play; the second play reconnects it with its first
# kind (local) and fails its task the same way (not unreachable over ssh)
printf 'nossh ansible_host=198.51.100.254 %s %s\nnossh2 ansible_host=198.51.100.254 %s %s\n' "$py" "$lk" "$py" "$lk" >"$T/inv3"
mend_run run -i "$T/inv3" "$T/two.yml" -f 1 --state-dir "$T/state"
expect_rc 2
expect_out "FAILED: this play asks for an ssh connection to nossh2, an earlier play opened a local one"

# over SSH: h1's task delegated to h2 runs on h2, with h1's variables
cat >"$T/lab.yml" <<'YML'
- hosts: h1
  gather_facts: false
  tasks:
    - copy:
        dest: /tmp/t70.deleg
        content: "from {{ inventory_hostname }}\n"
      delegate_to: h2
YML
lab_sh 1 rm -f /tmp/t70.deleg; lab_sh 2 rm -f /tmp/t70.deleg
mend_run run "$T/lab.yml" $(lab_args)
expect_rc 0
[ "$(lab_sh 2 cat /tmp/t70.deleg)" = "from h1" ] || fail "h2 lacks the delegated file"
! lab_sh 1 test -e /tmp/t70.deleg || fail "the delegated task ran on h1"
lab_sh 2 rm -f /tmp/t70.deleg
# meta: reset_connection over SSH: a new login, the next task runs on it
printf -- '- hosts: h1\n  gather_facts: false\n  tasks:\n    - {command: "true"}\n    - meta: reset_connection\n    - {name: after reset, command: "true"}\n' >"$T/reset.yml"
mend_run run "$T/reset.yml" $(lab_args)
expect_rc 0
expect_out "h1 \| after reset \| changed"
# a delegate that cannot be reached: h1 is unreachable for that task
sed -i 's/delegate_to: h2/delegate_to: 198.51.100.252/' "$T/lab.yml"
mend_run run "$T/lab.yml" $(lab_args) -T 2
expect_rc 4
expect_out "h1 \| copy \| UNREACHABLE"
