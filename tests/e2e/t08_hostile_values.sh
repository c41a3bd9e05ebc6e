# hostile inventory values reach the host literally: no canary file appears
. "$TOP/tests/e2e/lib.sh"
cp "$LAB/inventory.ini" "$T/inv.ini"
cat >>"$T/inv.ini" <<'I'

[all:vars]
evil1="$(touch /tmp/canary1)"
evil2="`touch /tmp/canary2`; touch /tmp/canary3"
evil3="'; touch /tmp/canary4; echo '"
I
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - command: echo {{ evil1 }} {{ evil2 }} {{ evil3 }}
      register: out
    - command:
        argv: [echo, "{{ evil1 }}", "{{ evil3 }}"]
    - lineinfile:
        path: /tmp/mend-hostile.txt
        line: "{{ evil2 }}"
        create: true
    - copy:
        dest: /tmp/mend-hostile-copy.txt
        content: "{{ evil3 }}"
    - shell: echo {{ evil1 | quote }} {{ evil3 | quote }} > /tmp/mend-hostile-shell.txt
    - stat:
        path: "/tmp/{{ evil1 }}"
P
mend_run run "$T/pb.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state"
expect_rc 0
i=0
for h in $(awk '{print $1}' "$LAB/hosts"); do
	i=$((i + 1))
	for c in 1 2 3 4; do
		! lab_sh "$i" test -e /tmp/canary$c || fail "$h: canary$c created"
	done
	[ "$(lab_sh "$i" cat /tmp/mend-hostile.txt)" = '`touch /tmp/canary2`; touch /tmp/canary3' ] || fail "$h: lineinfile value"
	[ "$(lab_sh "$i" cat /tmp/mend-hostile-shell.txt)" = "\$(touch /tmp/canary1) '; touch /tmp/canary4; echo '" ] || fail "$h: quote filter"
done
