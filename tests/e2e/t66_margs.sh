# issue 14 item 1, module arguments real playbooks use (local hosts):
# tests/e2e/compat/margs/margs.yml (copy remote_src and mode=preserve,
# template mode=preserve and dest under ~, file follow=false) run by
# ansible-playbook and by mend: the same files, modes, messages and PLAY
# RECAP.  Then mend alone: apt deb (a .deb built here, installed into
# this machine's dpkg database and purged at the end: check mode, install,
# idempotent again, a newer version, a missing file), service use
# (sysvinit forces the init script, systemd runs the systemd module,
# openwrt_init refused), and the load-time refusals.
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
cp -r "$TOP/tests/e2e/compat/margs" "$T/pb"
chmod 0640 "$T/pb/files/mode.txt"
chmod 0604 "$T/pb/templates/mode.j2"
printf 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3 mend_lock_dir=%s/lock\n' "$T" >"$T/local.ini"
counters() { sed -n 's/^h1 *: *//p' "$1" | tr -s ' ' | sed 's/ *$//'; }
home=$(getent passwd "$(id -un)" | cut -d: -f6)
an=mend-t66-a.$$ mn=mend-t66-m.$$
trap 'rm -f "$home/$an" "$home/$mn"; dpkg --purge mend-t66-dummy >/dev/null 2>&1 || true' EXIT
mkdir -p "$T/ans" "$T/mend"
ansible-playbook -i "$T/local.ini" "$T/pb/margs.yml" -e out="$T/ans" -e home_name="$an" >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook margs.yml"; }
mend_run check -i "$T/local.ini" "$T/pb/margs.yml"
expect_rc 0
mend_run run -i "$T/local.ini" "$T/pb/margs.yml" -e out="$T/mend" -e home_name="$mn" --state-dir "$T/state"
expect_rc 0
for f in src plain kept local content tpl results; do
	cmp "$T/ans/$f.txt" "$T/mend/$f.txt" || fail "$f.txt differs"
	a=$(stat -c %a "$T/ans/$f.txt") m=$(stat -c %a "$T/mend/$f.txt")
	[ "$a" = "$m" ] || fail "$f.txt mode: ansible $a, mend $m"
done
[ "$(stat -c %a "$T/mend/kept.txt")" = 750 ] || fail "mode=preserve with remote_src did not keep 0750"
[ "$(stat -c %a "$T/mend/local.txt")" = 640 ] || fail "mode=preserve of a controller file did not keep 0640"
cmp "$home/$an" "$home/$mn" || fail "template dest under ~ differs"
[ "$(stat -c %a "$home/$mn")" = 604 ] || fail "~ template mode"
grep -q 'already exists as a link' "$T/mend/results.txt" || fail "follow=false: $(cat "$T/mend/results.txt")"
[ "$(counters "$T/ans.out")" = "$(counters "$T/out")" ] ||
	fail "recap: ansible '$(counters "$T/ans.out")', mend '$(counters "$T/out")'"

# a directory src with remote_src: refused, named (Ansible copies trees)
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: {src: "%s/pb/", dest: "%s/tree", remote_src: true}\n' "$T" "$T" >"$T/tree.yml"
mend_run run -i "$T/local.ini" "$T/tree.yml" --state-dir "$T/state"
expect_rc 2
expect_out "is a directory on the host: mend's copy with remote_src copies single files"

# apt deb: a package built here
mkdir -p "$T/deb1/DEBIAN" "$T/deb2/DEBIAN"
for v in 1 2; do
	printf 'Package: mend-t66-dummy\nVersion: %s.0\nArchitecture: all\nMaintainer: mend <mend@example.invalid>\nDescription: mend e2e dummy\n' "$v" >"$T/deb$v/DEBIAN/control"
	dpkg-deb --build "$T/deb$v" "$T/dummy$v.deb" >/dev/null || fail "dpkg-deb --build"
done
dpkg --purge mend-t66-dummy >/dev/null 2>&1 || true
have() { dpkg-query -W -f='${db:Status-Abbrev}${Version}' mend-t66-dummy 2>/dev/null | tr -s ' '; }
debpb() { printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: deb\n      apt: {deb: "%s"}\n' "$1" >"$T/deb.yml"; }
debpb "$T/dummy1.deb"
mend_run run -i "$T/local.ini" "$T/deb.yml" --state-dir "$T/state" --check
expect_rc 0
expect_out "deb \| changed"
[ -z "$(have)" ] || fail "check mode installed the deb: $(have)"
mend_run run -i "$T/local.ini" "$T/deb.yml" --state-dir "$T/state"
expect_rc 0
expect_out "deb \| changed"
[ "$(have)" = "ii 1.0" ] || fail "deb not installed: '$(have)'"
mend_run run -i "$T/local.ini" "$T/deb.yml" --state-dir "$T/state"
expect_rc 0
expect_out "deb \| ok"
debpb "$T/dummy2.deb"
mend_run run -i "$T/local.ini" "$T/deb.yml" --state-dir "$T/state"
expect_rc 0
expect_out "deb \| changed"
[ "$(have)" = "ii 2.0" ] || fail "deb 2.0 not installed: '$(have)'"
debpb "$T/nonexistent.deb"
mend_run run -i "$T/local.ini" "$T/deb.yml" --state-dir "$T/state"
expect_rc 2
expect_out "deb \| FAILED: Unable to install package: "
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - apt: {deb: "http://example.invalid/x.deb"}\n    - apt: {deb: /tmp/x.deb, name: x}\n' >"$T/debbad.yml"
mend_run check -i "$T/local.ini" "$T/debbad.yml"
expect_rc 3
expect_out "debbad.yml:4:18: error: module 'apt': deb 'http://example.invalid/x.deb' is a URL"
expect_out "debbad.yml:5:18: error: module 'apt': parameters are mutually exclusive: deb\|package\|upgrade"

# service use: sysvinit forces the init script, systemd the systemd module
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: sysv\n      service: {name: mend-t66-none, state: started, use: sysvinit}\n      ignore_errors: true\n    - name: sd\n      service: {name: mend-t66-none, state: started, use: systemd}\n      ignore_errors: true\n' >"$T/svc.yml"
mend_run run -i "$T/local.ini" "$T/svc.yml" --state-dir "$T/state"
expect_rc 0
expect_out "sysv \| failed \(ignored\): could not find the requested service 'mend-t66-none' \(init: initd\)"
expect_no_out "sd \| (ok|changed)"
expect_out "sd \| failed \(ignored\)"
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - service: {name: x, state: started, use: openwrt_init}\n' >"$T/svcbad.yml"
mend_run check -i "$T/local.ini" "$T/svcbad.yml"
expect_rc 3
expect_out "svcbad.yml:4:47: error: module 'service': use=openwrt_init: mend has no openwrt_init backend"
