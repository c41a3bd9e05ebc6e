# issues 13/14, real-playbook idioms, differential against ansible-core
# (Debian's package): tests/e2e/compat/first_found.yml (with_first_found
# as roles use it to pick a vars file per OS: undefined candidates passed
# over, DIR/vars before DIR, files x paths, skip, the error; modules mend
# lacks on a branch not taken; ansible.builtin.meta; import_playbook with
# name and tags; "{{ x }}\n" keeping its newline) is run by
# ansible-playbook and by mend (ansible_connection=local, twin
# directories): the same files, modes and PLAY RECAP counters.  Then mend
# runs it on a lab host over SSH.  Failure path: a module mend lacks,
# reached, fails that host with the module named, at its file:line:col
# warned by `mend check`.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
cp -r "$TOP/tests/e2e/compat" "$T/pb"
pb="$T/pb/first_found.yml"
printf 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3 mend_lock_dir=%s\n' "$T/lock" >"$T/local.ini"
counters() { sed -n 's/^h1 *: *//p' "$1" | tr -s ' ' | sed 's/ *$//'; }
mkdir -p "$T/ans" "$T/mend"
ansible-playbook -i "$T/local.ini" "$pb" -e out="$T/ans" >"$T/ans.out" 2>&1 &
apid=$!
mend_run check -i "$T/local.ini" "$pb"
expect_rc 0
expect_out "first_found.yml:4[0-9]:7: warning: 'ansible.builtin.dnf' is an Ansible module that mend does not have: the task fails on any host that runs it"
expect_out "warning: 'yum' is an Ansible module \(ansible.builtin.yum\)"
mend_run run -i "$T/local.ini" "$pb" -e out="$T/mend" --state-dir "$T/state"
expect_rc 0
arc=0; wait "$apid" || arc=$?
[ "$arc" -eq 0 ] || { cat "$T/ans.out" >&2; fail "ansible-playbook exit $arc"; }
for f in pick role paths imported; do
	cmp "$T/ans/$f.txt" "$T/mend/$f.txt" || fail "$f.txt differs"
	[ "$(stat -c %a "$T/ans/$f.txt")" = "$(stat -c %a "$T/mend/$f.txt")" ] || fail "$f.txt mode differs"
done
[ "$(cat "$T/mend/pick.txt")" = debian-vars ] || fail "pick.txt: $(cat "$T/mend/pick.txt")"
[ "$(cat "$T/mend/role.txt")" = role-debian ] || fail "role.txt: $(cat "$T/mend/role.txt")"
[ ! -e "$T/mend/never" ] && [ ! -e "$T/ans/never" ] || fail "skip: true ran the task"
[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] ||
	fail "recap: ansible '$(counters "$T/ans.out")', mend '$(counters "$T/out")'"
expect_out "vars file by OS, default last \(item=$T/pb/vars/Debian.yml\) \| ok"
expect_out "nothing found fails \| failed \(ignored\): No file was found when using first_found\."
expect_out "on RedHat only \| skipped"

# --tags imp: import_playbook's tags reach its plays (only they run)
rm -f "$T/mend/imported.txt"
mend_run run -i "$T/local.ini" "$pb" -e out="$T/mend" --state-dir "$T/state" --tags imp
expect_rc 0
[ -e "$T/mend/imported.txt" ] || fail "--tags imp did not run the imported play"
expect_no_out "write it"

# over SSH on a lab host: the same files
h=$(awk 'NR == 1 {print $1}' "$LAB/hosts")
lab_sh 1 sh -c 'rm -rf /tmp/t63 && mkdir -p /tmp/t63'
mend_run run "$pb" $(lab_args) -l "$h" -e out=/tmp/t63
expect_rc 0
for f in pick role paths imported; do
	diff <(lab_sh 1 cat /tmp/t63/$f.txt) "$T/ans/$f.txt" >&2 || fail "$f.txt on $h differs"
done
lab_sh 1 rm -rf /tmp/t63

# a module mend lacks, reached: that host fails, named; the next task
# does not run
mend_run run -i "$T/local.ini" "$T/pb/lacks.yml" --state-dir "$T/state"
expect_rc 2
expect_out "ansible.builtin.getent \| FAILED: 'ansible.builtin.getent' is an Ansible module that mend does not have"
expect_no_out "not reached"

# modules.yml: file times preserve/now and package's pass-through, the
# same recap and files as ansible-playbook
mkdir -p "$T/ans3" "$T/mend3"
ansible-playbook -i "$T/local.ini" "$T/pb/modules.yml" -e out="$T/ans3" >"$T/ans3.out" 2>&1 ||
	{ cat "$T/ans3.out" >&2; fail "ansible-playbook modules.yml"; }
mend_run run -i "$T/local.ini" "$T/pb/modules.yml" -e out="$T/mend3" --state-dir "$T/state"
expect_rc 0
cmp "$T/ans3/again.txt" "$T/mend3/again.txt" || fail "again.txt differs"
cmp "$T/ans3/filters.txt" "$T/mend3/filters.txt" || fail "filters.txt differs"
for f in bool.txt num.txt bool2.txt; do
	cmp "$T/ans3/$f" "$T/mend3/$f" || fail "$f differs: ansible '$(cat "$T/ans3/$f")', mend '$(cat "$T/mend3/$f")'"
done
[ "$(cat "$T/mend3/bool2.txt")" = False ] || fail "content: false wrote '$(cat "$T/mend3/bool2.txt")'"
cmp "$T/ans3/sedir/c.txt" "$T/mend3/sedir/c.txt" || fail "sedir/c.txt differs"
for f in sedir sedir/c.txt filters.txt; do
	[ "$(stat -c %a "$T/ans3/$f")" = "$(stat -c %a "$T/mend3/$f")" ] || fail "$f mode differs"
done
[ ! -e /sys/fs/selinux/enforce ] || fail "this machine has SELinux: the setype case assumes none"
[ "$(cat "$T/mend3/again.txt")" = changed=False ] || fail "touch with preserve changed an unchanged file"
[ "$(stat -c %a "$T/ans3/log")" = "$(stat -c %a "$T/mend3/log")" ] || fail "log mode differs"
[ "$(counters "$T/ans3.out")" = "$(counters "$T/out")" ] ||
	fail "recap: ansible '$(counters "$T/ans3.out")', mend '$(counters "$T/out")'"
expect_out "touch again, times preserved \| ok"
expect_out "yum's argument on an apt host \| failed \(ignored\): .*enablerepo"
# a timestamp is refused before anything runs
printf -- '- hosts: all\n  tasks:\n    - file: {path: /tmp/x, state: touch, modification_time: "202401011200.00"}\n' >"$T/ts.yml"
mend_run check -i "$T/local.ini" "$T/ts.yml"
expect_rc 3
expect_out "ts.yml:3:61: error: module 'file': argument 'modification_time' is not supported by mend \(a timestamp: only preserve and now\)"

# project-local plugins (local/: library/mend_local_echo.py and
# filter_plugins/shout.py beside the playbook): ansible-playbook runs
# them; mend check warns naming each file at its task, mend run fails the
# host where one is evaluated, and nothing after it runs there
mkdir -p "$T/ans4" "$T/mend4" "$T/mend5"
lp="$T/pb/local/local.yml"
ansible-playbook -i "$T/local.ini" "$lp" -e out="$T/ans4" -e use_filter=true >"$T/ans4.out" 2>&1 ||
	{ cat "$T/ans4.out" >&2; fail "ansible-playbook local.yml"; }
[ "$(cat "$T/ans4/shout.txt")" = "HI!" ] && [ -e "$T/ans4/after.txt" ] ||
	fail "ansible-playbook did not run the local plugins"
mend_run check -i "$T/local.ini" "$lp"
expect_rc 0
expect_out "local.yml:13:7: warning: 'mend_local_echo' is a local module \(.*/pb/local/library/mend_local_echo.py\) that mend cannot run: the task fails on any host that runs it"
expect_out "local.yml:10:23: warning: filter 'shout' \\(template line 1, column 11\\) is defined by the project-local filter plugin .*/pb/local/filter_plugins/shout.py, which mend cannot run"
mend_run run -i "$T/local.ini" "$lp" -e out="$T/mend4" -e use_filter=true --state-dir "$T/state"
expect_rc 2
expect_out "filtered \| FAILED: .*filter 'shout' is defined by the project-local filter plugin .*/shout.py, which mend cannot run"
[ -e "$T/mend4/before.txt" ] && [ ! -e "$T/mend4/shout.txt" ] && [ ! -e "$T/mend4/after.txt" ] ||
	fail "local.yml with the filter: wrong files: $(ls "$T/mend4")"
mend_run run -i "$T/local.ini" "$lp" -e out="$T/mend5" --state-dir "$T/state"
expect_rc 2
expect_out "local module \| FAILED: 'mend_local_echo' is a local module \(.*/mend_local_echo.py\) that mend cannot run"
[ -e "$T/mend5/before.txt" ] && [ ! -e "$T/mend5/after.txt" ] || fail "local.yml: wrong files: $(ls "$T/mend5")"

# file recurse (recurse.yml): the same tree for both tools; the same modes,
# owners and kinds everywhere, the same changed flags and recap; then mend
# rollback puts every mode back; a symbolic link in the tree fails the task
mktree() {
	mkdir -p "$1/t/sub/deeper" "$1/t/empty"
	echo x >"$1/t/f1"; echo y >"$1/t/sub/f2"; echo z >"$1/t/sub/deeper/run.sh"
	chmod 600 "$1/t/f1"; chmod 4755 "$1/t/sub/f2"; chmod 755 "$1/t/sub/deeper/run.sh"
	chmod 777 "$1/t/sub"
}
tree() { (cd "$1" && find t -printf '%m %u %g %y %p\n' | sort -k5); }
mktree "$T/ans6"; mktree "$T/mend6"
before=$(tree "$T/mend6")
ansible-playbook -i "$T/local.ini" "$T/pb/recurse.yml" -e out="$T/ans6" >"$T/ans6.out" 2>&1 ||
	{ cat "$T/ans6.out" >&2; fail "ansible-playbook recurse.yml"; }
mend_run run -i "$T/local.ini" "$T/pb/recurse.yml" -e out="$T/mend6" --state-dir "$T/state6"
expect_rc 0
diff <(tree "$T/ans6") <(tree "$T/mend6") >&2 || fail "recurse: the trees differ"
[ "$(tree "$T/mend6")" != "$before" ] || fail "recurse changed nothing"
cmp "$T/ans6/res.txt" "$T/mend6/res.txt" ||
	fail "recurse results: ansible '$(cat "$T/ans6/res.txt")', mend '$(cat "$T/mend6/res.txt")'"
[ "$(counters "$T/ans6.out")" = "$(counters "$T/out")" ] ||
	fail "recap: ansible '$(counters "$T/ans6.out")', mend '$(counters "$T/out")'"
mend_run rollback last -i "$T/local.ini" --state-dir "$T/state6"
expect_rc 0
[ "$(tree "$T/mend6")" = "$before" ] || { tree "$T/mend6" >&2; fail "rollback did not restore the tree's modes"; }
ln -s f1 "$T/mend6/t/alink"
mend_run run -i "$T/local.ini" "$T/pb/recurse.yml" -e out="$T/mend6" --state-dir "$T/state6"
expect_rc 2
expect_out "tree u=rwX,g=rX,o= \| FAILED: recurse: '.*/t/alink' is a symbolic link; mend does not follow links under recurse"
[ "$(tree "$T/mend6" | grep -v alink)" = "$before" ] || fail "the refused recurse changed the tree"
printf -- '- hosts: all\n  tasks:\n    - file: {path: /tmp/x, state: file, recurse: true}\n' >"$T/rec.yml"
mend_run check -i "$T/local.ini" "$T/rec.yml"
expect_rc 3
expect_out "rec.yml:3:50: error: module 'file': recurse option requires state to be 'directory'"
