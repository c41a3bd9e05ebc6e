# issue 13, control flow, differential against ansible-core (Debian's
# package): tests/e2e/flow/loops_blocks.yml (loop with per-item when,
# loop_control, an empty loop, failed items ignored, until/retries, every
# with_<lookup> mend has, block/rescue/always with ansible_failed_task and
# _result, a skipped block, ignore_errors inherited by nested blocks, an
# unrescued failure with always) is run by ansible-playbook and by mend
# (ansible_connection=local, twin directories): the same files, modes and
# PLAY RECAP counters; the same --list-tasks.  Then mend runs it on a lab
# host over SSH: the same files there.  Failure paths: a typo inside a
# rescue refuses the run before any host; loop over a non-list fails the
# task with Ansible's message.  Then reuse.yml (include_tasks,
# import_tasks, import_playbook, pre/post_tasks, roles) the same way.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
cp -r "$TOP/tests/e2e/flow" "$T/pb"
pb="$T/pb/loops_blocks.yml"
printf 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3 mend_lock_dir=%s\n' "$T/lock" >"$T/local.ini"
counters() { sed -n 's/^h1 *: *//p' "$1" | tr -s ' ' | sed 's/ *$//'; }
same_files() {   # DIR1 DIR2: every file byte-identical (glob.txt: as sets,
	# Ansible's fileglob order is the directory's)
	for f in loops items dict seq together nested indexed sub rescue always; do
		cmp "$1/$f.txt" "$2/$f.txt" || fail "$f.txt differs: $(diff "$1/$f.txt" "$2/$f.txt")"
	done
	diff <(sort "$1/glob.txt") <(sort "$2/glob.txt") >&2 || fail "glob.txt differs"
	for f in never skipped skipped2 notreached; do
		[ ! -e "$1/$f" ] && [ ! -e "$2/$f" ] || fail "$f exists"
	done
}
mkdir -p "$T/ans" "$T/mend" "$T/ans2" "$T/mend2"
# ansible-playbook is slow (seconds a task under load): its three runs go
# in the background while mend runs, and are waited for where compared
ansible-playbook -i "$T/local.ini" "$pb" -e out="$T/ans" >"$T/ans.out" 2>&1 &
apid1=$!
ansible-playbook -i "$T/local.ini" "$T/pb/reuse.yml" -e out="$T/ans2" >"$T/ans2.out" 2>&1 &
apid2=$!
ansible-playbook -i "$T/local.ini" "$pb" --list-tasks >"$T/a.txt" 2>&1 &
apid3=$!
mend_run run -i "$T/local.ini" "$pb" -e out="$T/mend" --state-dir "$T/state"
expect_rc 2
arc=0; wait "$apid1" || arc=$?
[ "$arc" -eq 2 ] || { cat "$T/ans.out" >&2; fail "ansible-playbook exit $arc, expected 2"; }
same_files "$T/ans" "$T/mend"
[ "$(stat -c %a "$T/ans/loops.txt")" = "$(stat -c %a "$T/mend/loops.txt")" ] || fail "modes differ"
[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] ||
	fail "recap: ansible '$(counters "$T/ans.out")', mend '$(counters "$T/out")'"
expect_out '^h1 \| loop_control \(item=L=q\) \| ok'
expect_out '^h1 \| until \| FAILED - RETRYING \(4 retries left\)'
expect_out 'rescued=1 ignored=3'
wait "$apid3" || fail "ansible --list-tasks"
"$MEND" run -i "$T/local.ini" "$pb" --list-tasks >"$T/m.txt" 2>&1 || fail "mend --list-tasks"
diff "$T/a.txt" "$T/m.txt" >&2 || fail "--list-tasks differs from ansible-playbook"

# reuse.yml: include_tasks/import_tasks/import_playbook, pre/post_tasks and
# handler flushes, roles: the same lines in the same order as Ansible's.
# Its last play's templated include has a typo: ansible-playbook stops the
# run there (exit 4), mend fails that host with the error's file:line:col
mend_run run -i "$T/local.ini" "$T/pb/reuse.yml" -e out="$T/mend2" --state-dir "$T/state"
expect_rc 2
arc=0; wait "$apid2" || arc=$?
[ "$arc" -eq 4 ] || { cat "$T/ans2.out" >&2; fail "ansible-playbook (reuse) exit $arc, expected 4"; }
grep -q "couldn't resolve module/action 'lineinfil'" "$T/ans2.out" || fail "ansible's error"
cmp "$T/ans2/inc.txt" "$T/mend2/inc.txt" || fail "reuse: $(diff "$T/ans2/inc.txt" "$T/mend2/inc.txt")"
cmp "$T/ans2/base.txt" "$T/mend2/base.txt" || fail "a role's files/"
cmp "$T/ans2/app.conf" "$T/mend2/app.conf" || fail "a role's templates/"
[ "$(stat -c %a "$T/mend2/app.conf")" = 600 ] || fail "app.conf mode"
expect_out "include_tasks \| FAILED: .*sub/bad.yml:1:3: error: unknown module 'lineinfil'"
expect_out '^h1 \| app : app runs \| changed'

# the same on a lab host, over SSH (its /tmp is its own)
lab_sh 1 sh -c 'rm -rf /tmp/flowout && mkdir -p /tmp/flowout'
h1=$(awk 'NR == 1 {print $1}' "$LAB/hosts")
mend_run run "$pb" $(lab_args) -l "$h1" -e out=/tmp/flowout
expect_rc 2
mkdir -p "$T/lab"
for f in loops items dict seq together nested indexed sub rescue always glob; do
	lab_sh 1 cat "/tmp/flowout/$f.txt" >"$T/lab/$f.txt" || fail "$f.txt missing on $h1"
done
lab_sh 1 stat -c %a /tmp/flowout/loops.txt | grep -qx 640 || fail "loops.txt mode on $h1"
same_files "$T/ans" "$T/lab"
[ "$(sed -n "s/^$h1 *: *//p" "$T/out" | tr -s ' ')" = "$(counters "$T/ans.out")" ] ||
	fail "lab recap differs from ansible's"

# refused before any host: a typo inside a rescue
cat >"$T/typo.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - command: "touch /tmp/flow-typo"
    - block:
        - ping:
      rescue:
        - lineinfil: {path: /x, line: y}
P
mend_run run "$T/typo.yml" $(lab_args)
expect_rc 3
expect_out 'typo.yml:8:11: error: unknown module .lineinfil.'
! lab_sh 1 test -e /tmp/flow-typo || fail "a host was touched before validation"
# loop over a string (a template): the task fails with Ansible's words
cat >"$T/notlist.yml" <<'P'
- hosts: all
  gather_facts: false
  vars: {s: abc}
  tasks:
    - debug: msg={{ item }}
      loop: "{{ s }}"
P
mend_run run "$T/notlist.yml" -i "$T/local.ini" --state-dir "$T/state"
expect_rc 2
expect_out "FAILED: Invalid data passed to 'loop', it requires a list, got this instead: abc"
