# the issue's "done when": command + lineinfile with backup fixes every host,
# a second run reports changed=0; mode/owner kept; backups no more readable
. "$TOP/tests/e2e/lib.sh"
hosts=$(awk '{print $1}' "$LAB/hosts")
i=0
for h in $hosts; do
	i=$((i + 1))
	lab_sh "$i" sh -c 'printf "# upsmon\nMONITOR myups@127.0.0.1 1 mon pw primary\ncertverify = yes\n" > /etc/nut/mend-test.conf && chown root:nut /etc/nut/mend-test.conf && chmod 0640 /etc/nut/mend-test.conf'
done
cat >"$T/pb.yml" <<'P'
- name: NUT client TLS (generic modules)
  hosts: all
  gather_facts: false
  vars:
    conf: /etc/nut/mend-test.conf
  tasks:
    - name: detect
      command: grep -c CERTVERIFY {{ conf }}
      register: det
      changed_when: false
      failed_when: det.rc > 1
    - name: CERTVERIFY 1
      lineinfile:
        path: "{{ conf }}"
        regexp: '^[[:space:]]*[Cc][Ee][Rr][Tt][Vv][Ee][Rr][Ii][Ff][Yy]'
        line: CERTVERIFY 1
        backup: yes
    - name: FORCESSL 1
      lineinfile: path={{ conf }} regexp='^FORCESSL' line='FORCESSL 1' backup=yes
      notify: restart
    - name: verify
      command: grep -qx 'CERTVERIFY 1' {{ conf }}
      changed_when: false
  handlers:
    - name: restart
      command: "true"
P
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 0
for h in $hosts; do
	[ "$(recap "$h" changed)" = 3 ] || fail "$h: first run changed=$(recap "$h" changed), expected 3"
done
i=0
for h in $hosts; do
	i=$((i + 1))
	got=$(lab_sh "$i" cat /etc/nut/mend-test.conf)
	want=$(printf '# upsmon\nMONITOR myups@127.0.0.1 1 mon pw primary\nCERTVERIFY 1\nFORCESSL 1')
	[ "$got" = "$want" ] || fail "$h: content: $got"
	[ "$(lab_sh "$i" stat -c '%a %U %G' /etc/nut/mend-test.conf)" = "640 root nut" ] || fail "$h: mode/owner changed"
	nb=0
	for b in $(lab_sh "$i" sh -c 'ls /etc/nut/ | grep "^mend-test.conf\..*~$"'); do
		nb=$((nb + 1))
		m=$(lab_sh "$i" stat -c '%a %U %G' "/etc/nut/$b")
		[ "$m" = "640 root nut" ] || fail "$h: backup $b is $m"
	done
	[ "$nb" -ge 1 ] || fail "$h: no backup file"
done
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 0
for h in $hosts; do
	[ "$(recap "$h" changed)" = 0 ] || fail "$h: second run changed=$(recap "$h" changed)"
done
