# template: statements, filters and host variables rendered on the
# controller; check mode changes nothing; diff shows the change; mode and
# owner applied; a second run is ok; a syntax error names file:line:col;
# rollback puts the replaced file back (bytes, mode, owner) and removes the
# created one
. "$TOP/tests/e2e/lib.sh"
D=/etc/nut
snap() { # snap N FILE: sha256, mode, owner of FILE on host N
	lab_sh "$1" sh -c "if [ -e '$2' ]; then echo \$(sha256sum <'$2' | cut -c1-64) \$(stat -c '%a %U:%G' '$2'); else echo absent; fi"
}
lab_sh 1 sh -c "printf 'old\n' >$D/e2e-t1.conf && chown root:nut $D/e2e-t1.conf && chmod 0640 $D/e2e-t1.conf; rm -f $D/e2e-t2.conf"
t1=$(snap 1 $D/e2e-t1.conf)
mkdir -p "$T/templates"
cat >"$T/templates/app.conf.j2" <<'J'
# {{ ansible_managed }} for {{ inventory_hostname }}
{% for u in users | sort %}
user {{ loop.index }} {{ u | upper }}{% if loop.last %} (last){% endif %}

{% endfor %}
{% set opts = {'a': 1} | combine(extra) %}
{% for k, v in opts | dictsort %}
{{ k }}={{ v }}
{% endfor %}
{#- a comment -#}
{% if port is version('1000', '>') %}high{% else %}low{% endif %} {{ "%05d" % port }}
J
cat >"$T/templates/bad.j2" <<'J'
line one
{% if x %}
  {{ users | nosuchfilter }}
{% endif %}
J
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  vars:
    users: [bob, alice]
    extra: {b: two}
    port: 8080
  tasks:
    - template: {src: app.conf.j2, dest: /etc/nut/e2e-t1.conf, mode: "0644", owner: root, group: root}
      register: r
    - template: {src: app.conf.j2, dest: /etc/nut/e2e-t2.conf, newline_sequence: '\r\n', lstrip_blocks: true}
    - debug: {msg: "{{ r.checksum }} {{ r.dest }} {{ r.size }}"}
P
cat >"$T/want" <<'W'
# Ansible managed for h1
user 1 ALICE
user 2 BOB (last)
a=1
b=two
high 08080
W
mend_run run "$T/pb.yml" $(lab_args) --check --diff
expect_rc 0
expect_out '^\+user 2 BOB \(last\)'
[ "$(snap 1 $D/e2e-t1.conf)" = "$t1" ] || fail "check mode changed the file"
[ "$(snap 1 $D/e2e-t2.conf)" = absent ] || fail "check mode created a file"
mend_run run "$T/pb.yml" $(lab_args) -v
expect_rc 0
[ "$(recap h1 changed)" = 2 ] || { cat "$T/out"; fail "2 changes expected"; }
lab_sh 1 cat $D/e2e-t1.conf >"$T/got"
cmp "$T/want" "$T/got" || { diff "$T/want" "$T/got"; fail "rendered file differs"; }
case "$(snap 1 $D/e2e-t1.conf)" in *" 644 root:root") ;; *) fail "mode/owner not applied" ;; esac
sed 's/$/\r/' "$T/want" >"$T/want-crlf"
lab_sh 1 cat $D/e2e-t2.conf >"$T/got2"
cmp "$T/want-crlf" "$T/got2" || fail "newline_sequence \\r\\n not applied"
expect_out "$(sha1sum <"$T/want" | cut -c1-40) /etc/nut/e2e-t1.conf $(wc -c <"$T/want")"
mend_run run "$T/pb.yml" $(lab_args)
[ "$(recap h1 changed)" = 0 ] || fail "second run changed"
# an error inside the template names its file, line and column
cat >"$T/pb2.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - template: {src: bad.j2, dest: /etc/nut/e2e-bad.conf}
P
mend_run run "$T/pb2.yml" $(lab_args)
expect_out "templates/bad.j2:3:14: .*unknown filter 'nosuchfilter'"
! lab_sh 1 test -e $D/e2e-bad.conf || fail "a failed template wrote a file"
# rollback of the first real run: t1 back as it was, t2 removed
run1=$(ls "$T/state/runs" | sort | sed -n 1p)
mend_run rollback "$run1" $(lab_args)
expect_rc 0
[ "$(snap 1 $D/e2e-t1.conf)" = "$t1" ] || fail "rollback did not restore t1: $(snap 1 $D/e2e-t1.conf) vs $t1"
[ "$(snap 1 $D/e2e-t2.conf)" = absent ] || fail "rollback did not remove t2"
