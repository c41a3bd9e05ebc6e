# File I/O has two paths that must agree: the SFTP fast path (the host's
# sftp-server, no program per operation) and the shell commands it falls
# back to.  The same lineinfile+backup and copy run once each way on twin
# files (one reached through a symlink, setgid bit set): same bytes, modes,
# owners, backups; -vvv shows which path ran.  Then the fallbacks for real:
# become through `sudo sftp-server`, and a host whose sftp-server is gone
# (bind-mounted away in its mount namespace) still gets the fix, through
# commands.
. "$TOP/tests/e2e/lib.sh"
prep='cd /etc/nut && rm -f twin-*; for f in twin-a.conf twin-b.conf; do printf "# t\nCERTVERIFY 0\nuser=x\n" >$f; chown root:nut $f; chmod 2640 $f; touch -d @1577836800 $f; done; ln -s twin-b.conf twin-link.conf'
lab_sh 1 sh -c "$prep"
cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - name: edit
      lineinfile: path={{ f }} regexp='^CERTVERIFY' line='CERTVERIFY 1' backup=yes
    - name: new file
      copy: dest=/etc/nut/twin-new-{{ tag }} content="secret={{ tag }}\n" mode=0600
    - name: new file, the host's default mode
      copy: dest=/etc/nut/twin-plain-{{ tag }} content="plain\n"
    - name: read back
      command: cat {{ f }}
      register: back
      changed_when: false
    - assert:
        that: back.stdout_lines[1] == "CERTVERIFY 1"
P
mend_run run "$T/pb.yml" $(lab_args) -vvv -e f=/etc/nut/twin-a.conf -e tag=a
expect_rc 0
expect_out "sftp: write /etc/nut/twin-a.conf"
expect_out "sftp: write /etc/nut/twin-new-a"
expect_no_out "writing with a command"
mend_run run "$T/pb.yml" $(lab_args) -vvv -e f=/etc/nut/twin-link.conf -e tag=b -e mend_sftp=false
expect_rc 0
expect_no_out "sftp:"
st() { lab_sh 1 stat -c '%A %U %G %s' "$@"; }
[ "$(lab_sh 1 cat /etc/nut/twin-a.conf)" = "$(lab_sh 1 cat /etc/nut/twin-b.conf)" ] || fail "contents differ"
[ "$(st /etc/nut/twin-a.conf)" = "$(st /etc/nut/twin-b.conf)" ] || fail "attributes differ: $(st /etc/nut/twin-a.conf) / $(st /etc/nut/twin-b.conf)"
[ "$(st /etc/nut/twin-a.conf | cut -d' ' -f1-3)" = "-rw-r-S--- root nut" ] || fail "mode/owner not kept: $(st /etc/nut/twin-a.conf)"
lab_sh 1 test -L /etc/nut/twin-link.conf || fail "the symlink was replaced"
[ "$(st /etc/nut/twin-new-a | cut -d' ' -f1-3)" = "$(st /etc/nut/twin-new-b | cut -d' ' -f1-3)" ] || fail "new files differ"
[ "$(st /etc/nut/twin-new-a | cut -d' ' -f1-3)" = "-rw------- root root" ] || fail "new file: $(st /etc/nut/twin-new-a)"
[ "$(st /etc/nut/twin-plain-a)" = "$(st /etc/nut/twin-plain-b)" ] || fail "new files without a mode differ: $(st /etc/nut/twin-plain-a) / $(st /etc/nut/twin-plain-b)"
# the lab's sessions run with umask 022
[ "$(st /etc/nut/twin-plain-a | cut -d' ' -f1-3)" = "-rw-r--r-- root root" ] || fail "new file without a mode: $(st /etc/nut/twin-plain-a)"
ba=$(lab_sh 1 sh -c 'ls /etc/nut | grep "^twin-a.conf\..*~$"')
bb=$(lab_sh 1 sh -c 'ls /etc/nut | grep "^twin-link.conf\..*~$"')
[ -n "$ba" ] && [ -n "$bb" ] || fail "missing backup: '$ba' '$bb'"
[ "$(st "/etc/nut/$ba" | cut -d' ' -f1-4)" = "$(st "/etc/nut/$bb" | cut -d' ' -f1-4)" ] || fail "backups differ"
[ "$(lab_sh 1 cat "/etc/nut/$ba")" = "$(printf '# t\nCERTVERIFY 0\nuser=x')" ] || fail "backup content"
# mtime kept by both (cp -p / fsetstat)
[ "$(lab_sh 1 stat -c %Y "/etc/nut/$ba") $(lab_sh 1 stat -c %Y "/etc/nut/$bb")" = "1577836800 1577836800" ] || fail "backup mtimes not kept"
# a second run changes nothing, both ways
mend_run run "$T/pb.yml" $(lab_args) -e f=/etc/nut/twin-a.conf -e tag=a
expect_rc 0
[ "$(recap h1 changed)" = 0 ] || fail "second run (sftp) changed=$(recap h1 changed)"

# become as mendlab through sudo: sudo -n sftp-server
sed 's/ansible_user=root/ansible_user=mendlab/' "$LAB/inventory.ini" >"$T/inv.ini"
lab_sh 1 sh -c "$prep"
cat >"$T/become.yml" <<'P'
- hosts: h1
  gather_facts: false
  become: true
  tasks:
    - lineinfile: path=/etc/nut/twin-a.conf regexp='^CERTVERIFY' line='CERTVERIFY 1' backup=yes
P
mend_run run "$T/become.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state" -vvv
expect_rc 0
expect_out "sftp: write /etc/nut/twin-a.conf"
[ "$(st /etc/nut/twin-a.conf | cut -d' ' -f1-3)" = "-rw-r-S--- root nut" ] || fail "become: $(st /etc/nut/twin-a.conf)"

# a non-root writer may not chown: a group-writable file of root's in a
# directory of its own comes out the same both ways (owner the writer's,
# mode kept)
lab_sh 1 sh -c 'rm -rf /tmp/twin && mkdir /tmp/twin && chown mendlab /tmp/twin && for f in a b; do printf "x=0\n" >/tmp/twin/$f; chown root:mendlab /tmp/twin/$f; chmod 0664 /tmp/twin/$f; done'
cat >"$T/nonroot.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - lineinfile: path={{ f }} regexp='^x=' line='x=1' backup=yes
P
mend_run run "$T/nonroot.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state" -vvv -e f=/tmp/twin/a
expect_rc 0
expect_out "sftp: write /tmp/twin/a"
mend_run run "$T/nonroot.yml" -i "$T/inv.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state" -e f=/tmp/twin/b -e mend_sftp=false
expect_rc 0
[ "$(st /tmp/twin/a | cut -d' ' -f1-3)" = "-rw-rw-r-- mendlab mendlab" ] || fail "non-root sftp write: $(st /tmp/twin/a)"
[ "$(st /tmp/twin/a)" = "$(st /tmp/twin/b)" ] || fail "non-root: $(st /tmp/twin/a) / $(st /tmp/twin/b)"
ba=$(lab_sh 1 sh -c 'ls /tmp/twin | grep "^a\..*~$"'); bb=$(lab_sh 1 sh -c 'ls /tmp/twin | grep "^b\..*~$"')
[ "$(st "/tmp/twin/$ba" | cut -d' ' -f1-3)" = "$(st "/tmp/twin/$bb" | cut -d' ' -f1-3)" ] || fail "non-root backups: $(st "/tmp/twin/$ba") / $(st "/tmp/twin/$bb")"
lab_sh 1 rm -rf /tmp/twin

# no sftp-server on the host: the subsystem fails, commands do the work
lab_sh 1 sh -c "$prep"
lab_sh 1 mount --bind /dev/null /usr/lib/openssh/sftp-server
trap 'lab_sh 1 umount /usr/lib/openssh/sftp-server 2>/dev/null' EXIT
mend_run run "$T/pb.yml" $(lab_args) -vvv -e f=/etc/nut/twin-a.conf -e tag=a
lab_sh 1 umount /usr/lib/openssh/sftp-server
trap - EXIT
expect_rc 0
expect_no_out "sftp: write"
[ "$(lab_sh 1 sed -n 2p /etc/nut/twin-a.conf)" = "CERTVERIFY 1" ] || fail "not fixed without sftp"
lab_sh 1 sh -c 'rm -f /etc/nut/twin-*'
