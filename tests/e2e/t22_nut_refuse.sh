# shellcheck shell=bash disable=SC2046
# NUT case 6: nut_tls refuses to write CERTVERIFY 1 without a usable CERTPATH
# (missing, holding no CA, unreadable by the nut user, or the file's own
# CERTPATH missing), changing nothing; nut_facts reports such a CERTPATH.
# And nut_ca on a real host: NSS database created root:nut 0750/0640 with
# the CA trusted CT,,, second run changed=false, journaled (rollback
# removes the database files it created).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/nut-lib.sh"
nut_up 1 --tls nss --no-client-db
conf=/etc/nut/upsmon.conf
lab_sh 1 sh -c 'rm -rf /etc/nut/cert-*-test; cp /etc/nut/upsmon.conf /tmp/upsmon.orig &&
	mkdir /etc/nut/cert-empty-test && certutil -N -d sql:/etc/nut/cert-empty-test --empty-password &&
	chown -R root:nut /etc/nut/cert-empty-test && chmod 0750 /etc/nut/cert-empty-test &&
	chmod 0640 /etc/nut/cert-empty-test/*'
"$TOP/tests/lab/mknssdb" "$LAB/h1/fs/etc/nut/cert-private-test" --ca "$LAB/pki/ca.pem" >/dev/null
chmod 0700 "$LAB/h1/fs/etc/nut/cert-private-test"
sum=$(fsum 1 $conf)

cat >"$T/pb.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - name: missing
      nut_tls: { backend: nss, certpath: /etc/nut/cert-missing-test }
      ignore_errors: true
    - name: empty
      nut_tls: { backend: nss, certpath: /etc/nut/cert-empty-test }
      ignore_errors: true
    - name: private
      nut_tls: { backend: nss, certpath: /etc/nut/cert-private-test }
      ignore_errors: true
    - name: openssl dir without hashes
      nut_tls: { backend: openssl, certpath: /etc/nut/cert-empty-test }
      ignore_errors: true
P
mend_run run "$T/pb.yml" $(lab_args)
expect_rc 0
expect_task h1 "missing" "failed \(ignored\): refusing to write CERTVERIFY 1 to /etc/nut/upsmon.conf: CERTPATH /etc/nut/cert-missing-test does not exist"
expect_task h1 "empty" "refusing to write CERTVERIFY 1 .*: CERTPATH /etc/nut/cert-empty-test holds no CA trusted for servers"
expect_task h1 "private" "refusing to write CERTVERIFY 1 .*: CERTPATH /etc/nut/cert-private-test is not readable by the NUT user"
expect_task h1 "openssl dir" "refusing .*holds no hashed CA certificate"
[ "$(fsum 1 $conf)" = "$sum" ] || fail "a refused patch changed $conf"

# the file's own CERTPATH (no certpath argument) is checked too; nut_facts
# reports it
lab_sh 1 sh -c 'echo "CERTPATH /etc/nut/cert-missing-test" >>/etc/nut/upsmon.conf'
sum=$(fsum 1 $conf)
cat >"$T/pb2.yml" <<'P'
- hosts: h1
  gather_facts: false
  tasks:
    - name: own certpath
      nut_tls: { backend: nss }
      ignore_errors: true
    - nut_facts:
      register: nut
    - assert:
        that:
          - "nut.vulnerable"
          - "nut.upsmon.certpath_state == 'missing'"
          - "not nut.upsmon.certpath_usable"
          - "'does not exist on the host' in (nut.reasons | join(' '))"
P
mend_run run "$T/pb2.yml" $(lab_args)
expect_rc 0
expect_task h1 "own certpath" "refusing to write CERTVERIFY 1 .*CERTPATH /etc/nut/cert-missing-test does not exist"
[ "$(fsum 1 $conf)" = "$sum" ] || fail "a refused patch changed $conf"
lab_sh 1 cp /tmp/upsmon.orig $conf

# nut_ca: create, idempotent, journaled
cat >"$T/pb3.yml" <<P
- hosts: h1
  gather_facts: false
  tasks:
    - name: ca
      nut_ca: { ca_file: "$LAB/pki/ca.pem", backend: nss, dest: /etc/nut/cert-new-test }
      register: ca
    - name: usable now
      nut_tls: { backend: nss, certpath: /etc/nut/cert-new-test }
      check_mode: true
P
mend_run run "$T/pb3.yml" $(lab_args)
expect_rc 0
expect_task h1 "ca" "changed"
expect_task h1 "usable now" "changed"
run1=$(sed -n 's/^run \([^ ]*\) (journal.*/\1/p' "$T/out" | head -1)
[ "$(lab_sh 1 stat -c '%a %U %G' /etc/nut/cert-new-test)" = "750 root nut" ] || fail "dir mode"
[ "$(lab_sh 1 stat -c '%a %U %G' /etc/nut/cert-new-test/cert9.db)" = "640 root nut" ] || fail "db mode"
lab_sh 1 certutil -L -d sql:/etc/nut/cert-new-test | grep -qE '^mend-ca +CT,,' || fail "CA not CT,,"
mend_run run "$T/pb3.yml" $(lab_args)
expect_rc 0
expect_task h1 "ca" "ok"
grep -q '"t":"intent".*cert-new-test/cert9.db' "$T/state/runs/$run1/journal.jsonl" ||
	fail "no journal intent for the NSS database"
# the CA already in a database under another nickname (tests/lab/nut-up's
# client DB has it as mend-lab-ca): recognised by its bytes, nothing added
"$TOP/tests/lab/mknssdb" "$LAB/h1/fs/etc/nut/cert-alias-test" --ca "$LAB/pki/ca.pem" \
	--owner root:nut >/dev/null
cat >"$T/pb5.yml" <<P
- hosts: h1
  gather_facts: false
  tasks:
    - name: alias
      nut_ca: { ca_file: "$LAB/pki/ca.pem", backend: nss, dest: /etc/nut/cert-alias-test }
      register: ca
    - assert:
        that: "ca.nickname == 'mend-lab-ca'"
P
mend_run run "$T/pb5.yml" $(lab_args)
expect_rc 0
expect_task h1 "alias" "ok"
mend_run rollback "$run1" -i "$LAB/inventory.ini" --known-hosts "$LAB/known_hosts" --state-dir "$T/state"
expect_rc 0
lab_sh 1 test -e /etc/nut/cert-new-test/cert9.db && fail "rollback left the database it created"

# OpenSSL builds (Fedora; Debian's NUT is NSS-only, so the daemons cannot
# read these here, but the files can be checked with openssl itself): the
# CA as a hashed CA directory that `openssl verify -CApath` accepts, the
# client patch accepting it, and the server patch writing CERTFILE.
lab_sh 1 sh -c 'rm -rf /etc/nut/cadir-test; cp /etc/nut/upsd.conf /tmp/upsd-test.conf'
cp "$LAB/pki/h1-full.pem" "$LAB/h1/fs/etc/nut/upsd-test.pem"
chown root:nut "$LAB/h1/fs/etc/nut/upsd-test.pem"
chmod 0640 "$LAB/h1/fs/etc/nut/upsd-test.pem"
cat >"$T/pb4.yml" <<P
- hosts: h1
  gather_facts: false
  tasks:
    - name: hashed dir
      nut_ca: { ca_file: "$LAB/pki/ca.pem", backend: openssl, dest: /etc/nut/cadir-test }
    - name: client openssl
      nut_tls: { backend: openssl, certpath: /etc/nut/cadir-test }
      check_mode: true
    - name: server openssl
      nut_tls: { mode: server, backend: openssl, path: /tmp/upsd-test.conf, certfile: /etc/nut/upsd-test.pem }
P
mend_run run "$T/pb4.yml" $(lab_args) --diff
expect_rc 0
expect_task h1 "hashed dir" "changed"
expect_task h1 "client openssl" "changed"
expect_task h1 "server openssl" "changed"
expect_out '^\+CERTFILE /etc/nut/upsd-test.pem$'
lab_sh 1 openssl verify -CApath /etc/nut/cadir-test /etc/nut/upsd-test.pem >/dev/null ||
	fail "openssl does not accept the hashed CA directory"
[ "$(lab_sh 1 stat -c '%a %U %G' /etc/nut/cadir-test)" = "750 root nut" ] || fail "cadir mode/owner"
[ "$(lab_sh 1 sh -c 'stat -c "%a %U %G" /etc/nut/cadir-test/*.0')" = "640 root nut" ] || fail "hash file mode/owner"
lab_sh 1 grep -qx 'DISABLE_WEAK_SSL true' /tmp/upsd-test.conf || fail "DISABLE_WEAK_SSL not written"
mend_run run "$T/pb4.yml" $(lab_args)
expect_rc 0
expect_task h1 "hashed dir" "ok"
expect_task h1 "server openssl" "ok"
exit 0
