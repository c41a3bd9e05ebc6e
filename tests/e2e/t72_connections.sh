# Open connections stay at most forks (issue 15): with more hosts than
# forks a host's connection closes when its part of a play is done, and
# in the run's last play right after its lock is released; a later play
# (or the lock release at the end of the run, for hosts not in the last
# play) connects again.  Measured two ways: mend's own count (-vv "at most
# N SSH connection(s)") and the sockets its process holds, sampled every
# 50 ms while it runs.  The host lock outlives the connection: between two
# plays h2 and h3 hold their lock with no connection open.
. "$TOP/tests/e2e/lib.sh"
L=/run/lock/mend
n=$(nhosts)
((n >= 3)) || fail "needs 3 lab hosts, has $n"
for i in $(seq 1 "$n"); do lab_sh "$i" rm -rf "$L" "$L.break" /run/t72.go /run/t72.wait /tmp/t72; done
cat >"$T/pb.yml" <<'P'
- hosts: all
  tasks:
    - file: path=/tmp/t72 state=directory mode=0755
    - lineinfile: path=/tmp/t72/a.conf create=yes line='x=1'
      notify: touched
    - command: sleep 1
  handlers:
    - name: touched
      command: touch /tmp/t72/handled
- hosts: h1
  gather_facts: false
  tasks:
    - command: sh -c 'touch /run/t72.wait; i=0; while [ ! -e /run/t72.go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done'
    - lineinfile: path=/tmp/t72/a.conf line='y=2'
P
mpid=
trap '[ -z "$mpid" ] || kill "$mpid" 2>/dev/null; lab_sh 1 rm -f /run/t72.go /run/t72.wait' EXIT
# TCP sockets of pid (its SSH connections: this playbook probes nothing
# else; libssh's agent and name lookups use other sockets)
socks() {
	local ino
	ino=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		sed 's/^socket:\[\([0-9]*\)\]$/\1/' | paste -sd'|')
	[ -n "$ino" ] || { echo 0; return; }
	cat "/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null |
		awk -v re="^($ino)\$" '$10 ~ re' | wc -l
}

# run FORKS: the playbook in the background; samples its sockets into
# $T/peak.FORKS until it ends (creating /run/t72.go on h1 when play 2 is
# waiting, after checking the locks of h2 and h3 there)
run() {
	local f=$1 pid peak=0 s held=0 i
	"$MEND" run "$T/pb.yml" $(lab_args) -f "$f" -vv >"$T/out.$f" 2>&1 &
	pid=$!
	mpid=$pid
	while kill -0 "$pid" 2>/dev/null; do
		s=$(socks "$pid")
		((s > peak)) && peak=$s
		if ((held == 0)) && lab_sh 1 test -e /run/t72.wait; then
			# play 2 waits on h1: h2 and h3 are done with the run's
			# first play and not in the last one
			for i in 2 3; do
				lab_sh "$i" test -f "$L/owner" ||
					fail "-f $f: h$i's lock not held between the plays"
			done
			s=$(socks "$pid")
			((s <= 1)) || fail "-f $f: $s connections open while only h1 runs"
			held=1
			lab_sh 1 touch /run/t72.go
		fi
		sleep 0.05
	done
	mpid=
	wait "$pid" || { cat "$T/out.$f" >&2; fail "-f $f: the run failed"; }
	((held == 1)) || fail "-f $f: never saw play 2 wait on h1"
	echo "$peak" >"$T/peak.$f"
	lab_sh 1 rm -f /run/t72.go /run/t72.wait
}

for f in 1 2; do
	run "$f"
	peak=$(cat "$T/peak.$f")
	((peak >= 1)) || fail "-f $f: the sampler saw no connection at all"
	((peak <= f)) || { cat "$T/out.$f" >&2; fail "-f $f: $peak TCP connections open at once (forks $f)"; }
	said=$(sed -n 's/^mend: at most \([0-9]*\) SSH connection(s) were open at once (forks [0-9]*)$/\1/p' "$T/out.$f")
	[ -n "$said" ] || { cat "$T/out.$f" >&2; fail "-f $f: no connection count at -vv"; }
	((said >= 1 && said <= f)) || fail "-f $f: mend counted $said connections at once (forks $f)"
	for i in $(seq 1 "$n"); do
		lab_sh "$i" test ! -e "$L" || fail "-f $f: h$i's lock was not released"
		lab_sh "$i" test -f /tmp/t72/handled || fail "-f $f: h$i: the handler did not run"
	done
	[ "$(lab_sh 1 cat /tmp/t72/a.conf)" = "$(printf 'x=1\ny=2')" ] || fail "-f $f: h1's file"
	[ "$(lab_sh 2 cat /tmp/t72/a.conf)" = "x=1" ] || fail "-f $f: h2's file"
	for i in $(seq 1 "$n"); do lab_sh "$i" rm -rf /tmp/t72; done
done
# forks above the host count: connections may stay open across plays
run 5
said=$(sed -n 's/^mend: at most \([0-9]*\) SSH connection(s) .*/\1/p' "$T/out.5")
((said >= 1 && said <= n)) || fail "-f 5: mend counted $said connections at once ($n hosts)"
for i in $(seq 1 "$n"); do
	lab_sh "$i" test ! -e "$L" || fail "-f 5: h$i's lock was not released"
	lab_sh "$i" rm -rf /tmp/t72
done

# two names of h1 (same address) in one play: h1 is done at once, h1b then
# checks the lock is still there for it; the lock goes at the end
sed -n '/^h1 /p' "$LAB/inventory.ini" >"$T/h1line"
{
	echo "[lab]"
	cat "$T/h1line"
	sed 's/^h1 /h1b /' "$T/h1line"
	sed -n '/^\[lab:vars\]/,$p' "$LAB/inventory.ini"
} >"$T/inv2"
cat >"$T/pb2.yml" <<P
- hosts: all
  gather_facts: false
  tasks:
    - command: sh -c 'if [ "{{ inventory_hostname }}" = h1b ]; then sleep 3; test -f $L/owner; fi'
P
"$MEND" run "$T/pb2.yml" -i "$T/inv2" --known-hosts "$LAB/known_hosts" \
	--state-dir "$T/state" -f 2 >"$T/out2" 2>&1 ||
	{ cat "$T/out2" >&2; fail "two names of h1: h1b lost the lock h1 released"; }
lab_sh 1 test ! -e "$L" || fail "two names of h1: the lock was not released at the end"
