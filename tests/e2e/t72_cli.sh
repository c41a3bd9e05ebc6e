# issue 13 part 6: command-line options and play keywords of
# ansible-playbook, differential against ansible-core 2.14 on local hosts
# (tests/e2e/cli/*.yml, each run by ansible-playbook and by mend: the same
# files, PLAY RECAP counters and exit code).
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
D=$TOP/tests/e2e/cli
py="ansible_python_interpreter=/usr/bin/python3 mend_lock_dir=$T/lock"   # every host runs locally
printf 'c3a ansible_connection=local %s\nc3b ansible_connection=local %s\n' "$py" "$py" >"$T/inv"
printf 'c3c ansible_connection=local %s\n' "$py" >>"$T/inv3"
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
	[ ! -e "$T/mend/c3a.h1" ] && [ ! -e "$T/mend/c3a.hpre" -o $w = tasks ] || fail "$w: c3a's handler ran without --force-handlers"
	same "$T/inv" force_handlers.yml -e where=$w --force-handlers
done
[ -e "$T/mend/c3a.h1" ] && [ ! -e "$T/mend/c3a.post" ] || fail "--force-handlers: a.h1 missing or a ran post_tasks"
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
[ ! -e "$T/mend/c3b.play2" ] || fail "max_fail_percentage breached: the next play ran"
# ... not a number: the run stops there, exit 1 (ansible-playbook: ERROR!)
printf -- "- hosts: all\n  gather_facts: false\n  max_fail_percentage: \"{{ 'x' }}\"\n  tasks:\n    - ping:\n" >"$T/bad.yml"
mend_run run -i "$T/inv" "$T/bad.yml" --state-dir "$T/state"
expect_rc 1
expect_out "max_fail_percentage must render to an integer from 0 to 100"

# -c local: hosts whose address answers nothing run locally (ansible_connection
# and the play keyword would win over -c); -c paramiko is refused, and so is
# a host's ansible_connection that mend lacks (that host unreachable, named)
printf 'c3x1 ansible_host=198.51.100.254 %s\nc3x2 ansible_host=198.51.100.253 %s\n' "$py" "$py" >"$T/invc"
same "$T/invc" connection.yml -c local
[ "$(cat "$T/mend/c3x2.c")" = c3x2 ] || fail "-c local: c3x2.c"
mend_run run -i "$T/invc" "$D/connection.yml" -e out="$T/mend" -c paramiko
expect_rc 1
expect_out "-c/--connection 'paramiko' is not supported: mend has ssh \(libssh, also for 'smart'\) and local"
printf 'c3x3 ansible_connection=docker\n' >>"$T/invc"
mend_run run -i "$T/invc" "$D/connection.yml" -e out="$T/mend" -c local --state-dir "$T/state"
expect_rc 4
expect_out "c3x3 \| connect \| UNREACHABLE: connection 'docker' is not supported by mend \(it has ssh and local\)"

# ansible.cfg: found in the current directory, inventory (two files,
# relative to it), transport, roles_path, force_handlers, a quoted
# become_method, an inline comment, a continued ssh_args: the same run as
# ansible-playbook's, with no -i
C=$TOP/tests/e2e/cli/cfg
cfgrun() { # cfgrun ARGS...: mend in $C (rc, $T/out)
	rc=0; (cd "$C" && "$MEND" "$@") >"$T/out" 2>&1 || rc=$?
}
rm -rf "$T/ans" "$T/mend"; mkdir -p "$T/ans" "$T/mend"
arc=0; (cd "$C" && ansible-playbook cfg.yml -e out="$T/ans") >"$T/ans.out" 2>&1 || arc=$?
cfgrun run cfg.yml -e out="$T/mend" -e mend_lock_dir="$T/lock" --state-dir "$T/state" -v
[ "$rc" = "$arc" ] && [ "$rc" = 2 ] || { cat "$T/ans.out" "$T/out" >&2; fail "ansible.cfg: exit mend $rc, ansible $arc"; }
diff -r "$T/ans" "$T/mend" >&2 || { cat "$T/ans.out" "$T/out" >&2; fail "ansible.cfg: files differ"; }
[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] || fail "ansible.cfg: recaps differ"
expect_out "mend: using $C/ansible.cfg as config file"
expect_out "ansible.cfg:8: \[defaults\] stdout_callback ignored"
# the command line wins over the file (-i), the environment too
cfgrun check cfg.yml -i inv2
expect_rc 0
expect_out "1 host\(s\) in the inventory"
# errors name the file and line, or the variable
cp -r "$C" "$T/cfg2"
sed -i 's/^transport = local/transport = paramiko/' "$T/cfg2/ansible.cfg"
rc=0; (cd "$T/cfg2" && "$MEND" check cfg.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 1
expect_out "cfg2/ansible.cfg:4: transport 'paramiko' is not supported"
printf '[privilege_escalation]\nbecome_method = su\n' >"$T/su.cfg"
rc=0; (cd "$C" && ANSIBLE_CONFIG="$T/su.cfg" "$MEND" check cfg.yml -i inv) >"$T/out" 2>&1 || rc=$?
expect_rc 1
expect_out "su.cfg:2: become_method 'su' is not supported by mend"
rc=0; (cd "$C" && ANSIBLE_FORKS=x "$MEND" check cfg.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 1
expect_out "ANSIBLE_FORKS: forks must be a number from 1 to 1000, got 'x'"
printf '[defaults]\nforks = 5\nforks = 6\n' >"$T/dup.cfg"
rc=0; (cd "$C" && ANSIBLE_CONFIG="$T/dup.cfg" "$MEND" check cfg.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 1
expect_out "dup.cfg:3: error: 'forks' is set twice in \[defaults\]"
printf '[defaults]\ngathering = explicit\ninventory = %s/inv\nroles_path = %s/myroles\n' "$C" "$C" >"$T/g.cfg"
rc=0; (cd "$C" && ANSIBLE_CONFIG="$T" "$MEND" check cfg.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 0   # a directory: its ansible.cfg; none there: ./ansible.cfg
expect_out "2 host\(s\) in the inventory"
rc=0; (cd "$C" && ANSIBLE_CONFIG="$T/g.cfg" "$MEND" check cfg.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 0
expect_out "g.cfg:2: gathering = explicit is not supported by mend"
# a world-writable directory's ansible.cfg is ignored, with a warning
mkdir -p "$T/pub" && cp "$C/ansible.cfg" "$C/cfg.yml" "$C/inv" "$C/inv2" "$T/pub/" && chmod 777 "$T/pub"
rc=0; (cd "$T/pub" && "$MEND" check cfg.yml) >"$T/out" 2>&1 || rc=$?
expect_rc 1
expect_out "running in a world writable directory \($T/pub\), ignoring its ansible.cfg"
expect_out "no inventory given"

# --start-at-task: by name, into a block, as a pattern (the first match,
# plays before it run nothing), differential; a name no task has is an
# error before anything runs (ansible-playbook runs nothing and says so)
for s in "second one" "in block B" "*ne" "l?st"; do
	same "$T/inv" start_at.yml --start-at-task "$s"
done
mend_run run -i "$T/inv" "$D/start_at.yml" -e out="$T/mend" --start-at-task nothing
expect_rc 1
expect_out "no task matches --start-at-task 'nothing'"

# ssh arguments (lab hosts over SSH): the lab inventory's
# ansible_ssh_common_args names the known_hosts file, and is what makes a
# run without --known-hosts work; Port from --ssh-common-args is used when
# the inventory has no ansible_port (a closed port: unreachable; from
# --ssh-extra-args: the lab's ansible_ssh_common_args replaces
# --ssh-common-args, as in Ansible); a
# ProxyJump mend cannot honour is refused, named (option: usage error;
# host variable: that host unreachable)
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "true"\n' >"$T/ssh.yml"
mend_run run "$T/ssh.yml" -i "$LAB/inventory.ini" -l h1 --state-dir "$T/state"
expect_rc 0
grep -v '^ansible_port=' "$LAB/inventory.ini" >"$T/noport.ini"
mend_run run "$T/ssh.yml" -i "$T/noport.ini" -l h1 --state-dir "$T/state" --ssh-extra-args "-o Port=2 -o ControlMaster=auto"
expect_rc 4
expect_out "h1 \| connect \| UNREACHABLE"
mend_run run "$T/ssh.yml" -i "$LAB/inventory.ini" -l h1 --ssh-extra-args "-o ProxyJump=bastion"
expect_rc 1
expect_out "--ssh-extra-args: ssh option 'ProxyJump=bastion' is not supported by mend"
sed 's/^h2 .*/& ansible_ssh_extra_args="-J bastion"/' "$LAB/inventory.ini" >"$T/jump.ini"
mend_run run "$T/ssh.yml" -i "$T/jump.ini" -l h1,h2 --state-dir "$T/state"
expect_rc 4
expect_out "h2 \| connect \| UNREACHABLE: ansible_ssh_extra_args: ssh argument '-J' is not supported by mend"
[ "$(recap h1 ok)" = 1 ] || fail "h1 should run"

# --step (a terminal from script(1)), -f 1 so that the questions come in a
# known order: a's first task yes, its second no, its handler continue (no
# more questions); without a terminal it is refused
command -v script >/dev/null || fail "script (util-linux) missing"
rm -rf "$T/mend"; mkdir -p "$T/mend"
printf 'y\nn\nc\n' | script -qec "'$MEND' run -i '$T/inv' '$D/start_at.yml' -e out='$T/mend' --state-dir '$T/state' --step -f 1" /dev/null >"$T/out" 2>&1 || true
[ "$(grep -o 'Perform task: TASK: [a-z ]* on c3[ab]' "$T/out" | tr '\n' ,)" = "Perform task: TASK: first one on c3a,Perform task: TASK: second one on c3a,Perform task: TASK: h on c3a," ] ||
	{ cat "$T/out" >&2; fail "--step: the questions"; }
[ -e "$T/mend/c3a.p1t1" ] && [ ! -e "$T/mend/c3a.p1t2" ] && [ -e "$T/mend/c3a.h" ] && [ -e "$T/mend/c3b.p1t2" ] && [ -e "$T/mend/c3b.p2last" ] ||
	{ ls "$T/mend" >&2; fail "--step: y/n/c"; }
mend_run run -i "$T/inv" "$D/start_at.yml" -e out="$T/mend" --step </dev/null
expect_rc 1
expect_out "--step asks before each task: it needs a terminal on stdin"
