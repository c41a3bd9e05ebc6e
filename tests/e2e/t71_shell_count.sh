# Login shells per host: every exec request and the sftp subsystem start
# the user's login shell (bash reads ~/.bashrc for them).  With a
# ~/.bashrc that logs each start, a 10-task playbook on every lab host
# starts at most 2 per host (the persistent shell and sftp-server), -vvv
# says so; forced back to one channel per command (--no-persistent-shell,
# MEND_NO_PERSISTENT_SHELL=1) the same playbook still works, leaves the
# same files, and the log shows one shell per command (so the counter
# counts).
. "$TOP/tests/e2e/lib.sh"
n=$(nhosts)
log=/tmp/t70-shells
restore() {
	for i in $(seq 1 "$n"); do
		lab_sh "$i" sh -c "[ -f /root/.bashrc.t70 ] && mv /root/.bashrc.t70 /root/.bashrc; rm -rf $log /tmp/t70" || true
	done
}
trap restore EXIT
for i in $(seq 1 "$n"); do
	lab_sh "$i" sh -c "cp -p /root/.bashrc /root/.bashrc.t70 && { echo 'echo \$\$ >>$log'; cat /root/.bashrc.t70; } >/root/.bashrc && rm -rf $log /tmp/t70"
done
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - file: path=/tmp/t70 state=directory mode=0755
    - copy: dest=/tmp/t70/a.conf content="x=1\n# CERTVERIFY 1\n"
    - lineinfile: path=/tmp/t70/a.conf regexp='^#? ?CERTVERIFY' line='CERTVERIFY 1' backup=yes
    - lineinfile: path=/tmp/t70/a.conf line='FORCESSL 1'
    - command: grep -c '^CERTVERIFY 1$' /tmp/t70/a.conf
      register: g
      changed_when: false
    - shell: cat > /tmp/t70/in.txt
      args:
        stdin: "from stdin {{ inventory_hostname }}"
    - shell: echo out; echo err >&2; exit 3
      register: bad
      failed_when: bad.rc != 3 or bad.stdout != 'out' or bad.stderr != 'err'
    - command: sleep 5
      timeout: 1
      ignore_errors: true
    - stat: path=/tmp/t70/in.txt
      register: st
    - assert:
        that:
          - g.stdout == '1'
          - st.stat.exists
P
shells() { lab_sh "$1" sh -c "[ -f $log ] && wc -l <$log || echo 0"; }
state() { lab_sh "$1" sh -c 'cat /tmp/t70/a.conf /tmp/t70/in.txt; ls /tmp/t70 | wc -l'; }

mend_run run "$T/pb.yml" $(lab_args) -vvv
expect_rc 0
[ "$(grep -c 'commands run through one persistent shell' "$T/out")" -ge "$n" ] ||
	{ cat "$T/out" >&2; fail "-vvv does not say that a persistent shell ran"; }
expect_no_out 'one SSH channel per command'
expect_out 'command timed out after 1 s'
for i in $(seq 1 "$n"); do
	c=$(shells "$i")
	[ "$c" -ge 1 ] && [ "$c" -le 2 ] || fail "h$i: $c login shells, expected 1-2"
	state "$i" >"$T/state.psh.$i"
	lab_sh "$i" sh -c "rm -rf $log /tmp/t70"
done
[ "$(recap h1 ignored)" = 1 ] || fail "the timed-out task is not ignored"

for how in option env; do
	if [ $how = option ]; then
		mend_run run "$T/pb.yml" $(lab_args) -vvv --no-persistent-shell
	else
		MEND_NO_PERSISTENT_SHELL=1 mend_run run "$T/pb.yml" $(lab_args) -vvv
	fi
	expect_rc 0
	expect_out 'one SSH channel per command \(turned off\)'
	expect_no_out 'commands run through one persistent shell'
	for i in $(seq 1 "$n"); do
		c=$(shells "$i")
		[ "$c" -ge 5 ] || fail "$how: h$i: only $c login shells with a channel per command"
		state "$i" >"$T/state.ch.$i"
		cmp -s "$T/state.psh.$i" "$T/state.ch.$i" || fail "$how: h$i: files differ between the paths"
		lab_sh "$i" sh -c "rm -rf $log /tmp/t70"
	done
done
