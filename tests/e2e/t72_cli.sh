# issue 13 part 6: command-line options and play keywords of
# ansible-playbook, differential against ansible-core 2.14 on local hosts
# (tests/e2e/cli/*.yml, each run by ansible-playbook and by mend: the same
# files, PLAY RECAP counters and exit code).
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
D=$TOP/tests/e2e/cli
py=ansible_python_interpreter=/usr/bin/python3
printf 'a ansible_connection=local %s\nb ansible_connection=local %s\n' "$py" "$py" >"$T/inv"
printf 'c ansible_connection=local %s\n' "$py" >>"$T/inv3"
cat "$T/inv" "$T/inv3" >"$T/inv3.tmp" && mv "$T/inv3.tmp" "$T/inv3"
counters() { sed -n 's/^\([a-z0-9]*\) *: *ok/\1 ok/p' "$1" | tr -s ' ' | sed 's/ *$//'; }
# same INV PLAYBOOK ARGS...: ansible-playbook and mend leave the same files,
# counters and exit code
same() {
	inv=$1 pb=$2; shift 2
	rm -rf "$T/ans" "$T/mend"; mkdir -p "$T/ans" "$T/mend"
	arc=0
	ansible-playbook -i "$inv" "$D/$pb" -e out="$T/ans" "$@" >"$T/ans.out" 2>&1 || arc=$?
	mend_run run -i "$inv" "$D/$pb" -e out="$T/mend" --state-dir "$T/state" "$@"
	[ "$rc" -eq "$arc" ] || { cat "$T/ans.out" "$T/out" >&2; fail "$pb $*: exit mend $rc, ansible $arc"; }
	diff -r "$T/ans" "$T/mend" >&2 || { cat "$T/ans.out" "$T/out" >&2; fail "$pb $*: files differ"; }
	[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] ||
		fail "$pb $* recap: ansible '$(counters "$T/ans.out")', mend '$(counters "$T/out")'"
}

# --force-handlers: a host that fails still runs the handlers notified
# before, at the end of the section (pre_tasks, tasks), then stops
for w in pre tasks; do
	same "$T/inv" force_handlers.yml -e where=$w
	[ ! -e "$T/mend/a.h1" ] && [ ! -e "$T/mend/a.hpre" -o $w = tasks ] || fail "$w: a's handler ran without --force-handlers"
	same "$T/inv" force_handlers.yml -e where=$w --force-handlers
done
[ -e "$T/mend/a.h1" ] && [ ! -e "$T/mend/a.post" ] || fail "--force-handlers: a.h1 missing or a ran post_tasks"
# the play keyword as a template; a failing handler stops the others
same "$T/inv" force_handlers_tmpl.yml -e where=tasks -e fh=true
same "$T/inv" force_handlers_tmpl.yml -e where=none -e fh=true
same "$T/inv" force_handlers_tmpl.yml -e where=tasks -e fh=false
# a batch whose every host failed stops the run: no later batch or play
same "$T/inv3" batch_failed.yml
expect_out "stopping after batch 2 of 3 \(every host of the batch failed\); 1 host\(s\) not started, no later play runs"
# max_fail_percentage as a template (rendered with the play's vars and -e)
same "$T/inv" max_fail_tmpl.yml -e mfp=60
# ... breached: no later play (the breach is seen at the end of the batch:
# b, running independently of a, finished its play, as under Ansible's
# free strategy; ansible-playbook's linear one stops b after a's failure)
rm -rf "$T/mend"; mkdir -p "$T/mend"
mend_run run -i "$T/inv" "$D/max_fail_tmpl.yml" -e out="$T/mend" -e mfp=40 --state-dir "$T/state"
expect_rc 2
expect_out "stopping after batch 1 of 1 \(max_fail_percentage exceeded\)"
[ ! -e "$T/mend/b.play2" ] || fail "max_fail_percentage breached: the next play ran"
# ... not a number: the run stops there, exit 1 (ansible-playbook: ERROR!)
printf -- "- hosts: all\n  gather_facts: false\n  max_fail_percentage: \"{{ 'x' }}\"\n  tasks:\n    - ping:\n" >"$T/bad.yml"
mend_run run -i "$T/inv" "$T/bad.yml" --state-dir "$T/state"
expect_rc 1
expect_out "max_fail_percentage must render to an integer from 0 to 100"

# -c local: hosts whose address answers nothing run locally (ansible_connection
# and the play keyword would win over -c); -c paramiko is refused, and so is
# a host's ansible_connection that mend lacks (that host unreachable, named)
printf 'x1 ansible_host=198.51.100.254 %s\nx2 ansible_host=198.51.100.253 %s\n' "$py" "$py" >"$T/invc"
same "$T/invc" connection.yml -c local
[ "$(cat "$T/mend/x2.c")" = x2 ] || fail "-c local: x2.c"
mend_run run -i "$T/invc" "$D/connection.yml" -e out="$T/mend" -c paramiko
expect_rc 1
expect_out "-c/--connection 'paramiko' is not supported: mend has ssh \(libssh, also for 'smart'\) and local"
printf 'x3 ansible_connection=docker\n' >>"$T/invc"
mend_run run -i "$T/invc" "$D/connection.yml" -e out="$T/mend" -c local --state-dir "$T/state"
expect_rc 4
expect_out "x3 \| connect \| UNREACHABLE: connection 'docker' is not supported by mend \(it has ssh and local\)"
