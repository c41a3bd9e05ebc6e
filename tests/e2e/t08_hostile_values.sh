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

# A 1 MB value of shell metacharacters, a value with newlines and
# option-looking values (issue 18's list) reach the hosts byte for byte,
# through a file's content, a line and a command's argv: no canary.
python3 - "$T" <<'PY'
import hashlib, json, sys
t = sys.argv[1]
big = ("$(touch /tmp/canary5)`touch /tmp/canary6`'\"\n-rf --help ;|&<>*?~!#\\ ") * 18000
assert len(big) > 1000000
nl = "a\nb; touch /tmp/canary7\n--help"
open(t + "/vals.yml", "w").write("big: %s\nnl: %s\nopt: '-rf'\n" % (json.dumps(big), json.dumps(nl)))
open(t + "/big.sha", "w").write(hashlib.sha256(big.encode()).hexdigest() + "\n")
open(t + "/nl.sha", "w").write(hashlib.sha256((nl + "\n-rf\n").encode()).hexdigest() + "\n")
PY
cat >"$T/pb2.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - copy:
        dest: /tmp/mend-hostile-big.txt
        content: "{{ big }}"
    - lineinfile:
        path: /tmp/mend-hostile-nl.txt
        line: "{{ nl }}"
        create: true
    - lineinfile:
        path: /tmp/mend-hostile-nl.txt
        line: "{{ opt }}"
    - command:
        argv: [touch, --, "/tmp/mend-hostile{{ opt }}", "{{ nl | regex_replace('[\n/]', '_') }}x"]
        chdir: /tmp
P
i=0
for h in $(awk '{print $1}' "$LAB/hosts"); do i=$((i + 1)); lab_sh "$i" rm -f /tmp/mend-hostile-nl.txt; done
mend_run run "$T/pb2.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state" -e @"$T/vals.yml"
expect_rc 0
i=0
for h in $(awk '{print $1}' "$LAB/hosts"); do
	i=$((i + 1))
	for c in 5 6 7; do
		! lab_sh "$i" test -e /tmp/canary$c || fail "$h: canary$c created"
	done
	[ "$(lab_sh "$i" sha256sum /tmp/mend-hostile-big.txt | cut -d' ' -f1)" = "$(cat "$T/big.sha")" ] || fail "$h: 1 MB value changed on its way"
	[ "$(lab_sh "$i" sha256sum /tmp/mend-hostile-nl.txt | cut -d' ' -f1)" = "$(cat "$T/nl.sha")" ] || fail "$h: newline/option-looking lines"
	lab_sh "$i" test -e /tmp/mend-hostile-rf || fail "$h: option-looking argv"
	lab_sh "$i" test -e '/tmp/a_b; touch _tmp_canary7_--helpx' || fail "$h: argv with ; and newline"
	lab_sh "$i" rm -f /tmp/mend-hostile-big.txt /tmp/mend-hostile-nl.txt /tmp/mend-hostile-rf '/tmp/a_b; touch _tmp_canary7_--helpx'
done
