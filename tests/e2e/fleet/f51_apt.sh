# shellcheck shell=bash disable=SC2046
# apt and package modules on every release at once, from a file: repository
# built on each host (mendpkg 1.0 and 2.0, dpkg-deb; the hosts have no
# network): check mode installs nothing; NAME=VERSION installs 1.0, present
# is then ok, latest upgrades to 2.0 and is then ok, the package module
# (dispatching to apt) removes it with purge; a missing `deb` file fails
# every host with dpkg's reason;
# autoclean deletes an obsolete cached .deb, clean empties the cache;
# rollback of the three runs, newest first, puts back 2.0, then 1.0, then
# nothing; policy_rc_d: 101 is what policy-rc.d exits with while a
# package installs, the file removed (or the old one put back) after.  (No ansible-playbook twin here: its apt module needs
# python3-apt, which the offline hosts cannot install.)
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
ver() { # ver N: mendpkg's installed version on host N, or none
	local v
	v=$(lab_sh "$1" dpkg-query -W -f='${db:Status-Abbrev}|${Version}' mendpkg 2>/dev/null) || true
	case $v in ii*) echo "${v#*|}" ;; *) echo none ;; esac
}
all_ver() { # all_ver WANT: every host has mendpkg at WANT (none: not installed)
	for n in $(hosts_n); do [ "$(ver "$n")" = "$1" ] || fail "h$n ($(os_of "$n")): mendpkg is '$(ver "$n")', expected $1 ($2)"; done
}
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'set -e; dpkg -P mendpkg >/dev/null 2>&1 || true; rm -rf /srv/mrepo /tmp/pk; mkdir -p /srv/mrepo /tmp/pk
for v in 1.0 2.0; do d=/tmp/pk/mendpkg-$v; mkdir -p $d/DEBIAN $d/usr/share/mendpkg
printf "Package: mendpkg\nVersion: $v\nArchitecture: all\nMaintainer: mend <mend@example.org>\nDescription: mend test package\n" >$d/DEBIAN/control
echo $v >$d/usr/share/mendpkg/version; dpkg-deb -b $d /srv/mrepo/mendpkg_${v}_all.deb >/dev/null; done
cd /srv/mrepo; for f in *.deb; do dpkg-deb -f $f; echo "Filename: ./$f"; echo "Size: $(stat -c %s $f)"; echo "SHA256: $(sha256sum $f | cut -d" " -f1)"; echo; done >Packages
echo "deb [trusted=yes] file:/srv/mrepo ./" >/etc/apt/sources.list.d/mrepo.list; apt-get update -q >/dev/null 2>&1' || fail "h$n: local repository"
done
all_ver none "before"
pb() { printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - %s\n      register: r\n    - debug: {msg: "changed={{ r.changed }}"}\n' "$1" >"$T/$2.yml"; }
pb 'apt: {name: "mendpkg=1.0", state: present, update_cache: true, cache_valid_time: 3600}' p1
pb 'apt: {name: [mendpkg], state: latest}' p2
pb 'package: {name: mendpkg, state: absent}' p3
pb 'apt: {name: mendpkg, state: present}' p4
mend_run run "$T/p1.yml" $(lab_args) --check
expect_rc 0
expect_out 'changed=True'
all_ver none "after check mode"
mend_run run "$T/p1.yml" $(lab_args)
expect_rc 0
all_ver 1.0 "after NAME=VERSION"
mend_run run "$T/p4.yml" $(lab_args)
expect_out 'changed=False'
expect_no_out 'changed=True'
mend_run run "$T/p2.yml" $(lab_args)
expect_rc 0
all_ver 2.0 "after latest"
mend_run run "$T/p2.yml" $(lab_args)
expect_no_out 'changed=True'
mend_run run "$T/p3.yml" $(lab_args)
expect_rc 0
expect_out 'changed=True'
all_ver none "after package: absent"
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - apt: {deb: /tmp/x.deb}\n' >"$T/bad.yml"
mend_run run "$T/bad.yml" $(lab_args)
expect_rc 2
for n in $(hosts_n); do
	expect_out "^h$n \\| apt \\| FAILED: Unable to install package: .*'/tmp/x.deb'"
done
stamp "install, idempotence, latest, package absent, a missing deb file"
# autoclean (no name) deletes a cached .deb no source has any more
# (changed; check mode only says so; a second run is ok); clean empties
# the cache and is never "changed" (Ansible's apt 2.14)
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'rm -f /var/cache/apt/archives/*.deb
d=/tmp/pk/gone; mkdir -p $d/DEBIAN; printf "Package: gonepkg\nVersion: 1.0\nArchitecture: all\nMaintainer: m <m@example.org>\nDescription: gone\n" >$d/DEBIAN/control
dpkg-deb -b $d /var/cache/apt/archives/gonepkg_1.0_all.deb >/dev/null' || fail "h$n: cached deb"
done
gone() { for n in $(hosts_n); do lab_sh "$n" test ! -e /var/cache/apt/archives/gonepkg_1.0_all.deb || return 1; done; }
pb 'apt: {autoclean: true, autoremove: true}' ac
mend_run run "$T/ac.yml" $(lab_args) --check
expect_rc 0
expect_out 'changed=True'
expect_no_out 'changed=False'
gone && fail "autoclean in check mode deleted the cached deb"
mend_run run "$T/ac.yml" $(lab_args)
expect_rc 0
expect_out 'changed=True'
gone || fail "autoclean left the cached deb of a package no source has"
mend_run run "$T/ac.yml" $(lab_args)
expect_out 'changed=False'
expect_no_out 'changed=True'
for n in $(hosts_n); do lab_sh "$n" cp /srv/mrepo/mendpkg_1.0_all.deb /var/cache/apt/archives/; done
pb 'apt: {clean: true}' cl
mend_run run "$T/cl.yml" $(lab_args)
expect_rc 0
expect_out 'changed=False'
for n in $(hosts_n); do
	[ -z "$(lab_sh "$n" sh -c 'ls /var/cache/apt/archives/*.deb 2>/dev/null')" ] || fail "h$n: clean left a .deb"
done
stamp "autoclean, clean"
# rollback newest first: the removal, the upgrade, the first install
want=(2.0 1.0 none)
i=0
for run in $(ls "$T/state/runs" | sort -r); do
	grep -q '"kind":"package"\|"kind": "package"' "$T/state/runs/$run/journal.jsonl" || continue
	mend_run rollback "$run" $(lab_args)
	expect_rc 0
	all_ver "${want[$i]}" "after rollback $((i + 1))"
	i=$((i + 1))
done
[ "$i" = 3 ] || fail "3 runs with package changes expected, got $i"
stamp "rollback"
# policy_rc_d: while apt-get installs, /usr/sbin/policy-rc.d exits 101
# (mendprc's postinst records it); after the run the file is gone again
# (none before), and a policy-rc.d that was there is put back unchanged
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'set -e; rm -f /usr/sbin/policy-rc.d /tmp/prc; d=/tmp/pk/prc; mkdir -p $d/DEBIAN
printf "Package: mendprc\nVersion: 1.0\nArchitecture: all\nMaintainer: m <m@example.org>\nDescription: prc\n" >$d/DEBIAN/control
printf "#!/bin/sh\nif [ -x /usr/sbin/policy-rc.d ]; then /usr/sbin/policy-rc.d; echo \$? >/tmp/prc; else echo none >/tmp/prc; fi\n" >$d/DEBIAN/postinst
chmod 0755 $d/DEBIAN/postinst; dpkg-deb -b $d /tmp/pk/mendprc_1.0_all.deb >/dev/null' || fail "h$n: mendprc"
done
for n in $(hosts_n); do
	lab_sh "$n" sh -c 'set -e; cd /srv/mrepo; cp /tmp/pk/mendprc_1.0_all.deb .; f=mendprc_1.0_all.deb
{ dpkg-deb -f $f; echo "Filename: ./$f"; echo "Size: $(stat -c %s $f)"; echo "SHA256: $(sha256sum $f | cut -d" " -f1)"; echo; } >>Packages
apt-get update -q >/dev/null 2>&1' || fail "h$n: mendprc in the repository"
done
pb 'apt: {name: mendprc, state: present, policy_rc_d: 101}' prc
mend_run run "$T/prc.yml" $(lab_args)
expect_rc 0
expect_out 'changed=True'
for n in $(hosts_n); do
	[ "$(lab_sh "$n" cat /tmp/prc)" = 101 ] || fail "h$n: postinst saw policy-rc.d '$(lab_sh "$n" cat /tmp/prc)', expected exit 101"
	lab_sh "$n" test ! -e /usr/sbin/policy-rc.d || fail "h$n: policy-rc.d left behind"
	lab_sh "$n" sh -c 'dpkg -r mendprc >/dev/null; printf "#!/bin/sh\nexit 0\n" >/usr/sbin/policy-rc.d; chmod 0700 /usr/sbin/policy-rc.d'
done
mend_run run "$T/prc.yml" $(lab_args)
expect_rc 0
for n in $(hosts_n); do
	[ "$(lab_sh "$n" cat /tmp/prc)" = 101 ] || fail "h$n: second install: policy-rc.d not 101"
	[ "$(lab_sh "$n" stat -c %a /usr/sbin/policy-rc.d)" = 700 ] || fail "h$n: the old policy-rc.d not put back"
	lab_sh "$n" grep -q "exit 0" /usr/sbin/policy-rc.d || fail "h$n: the old policy-rc.d's content not put back"
	lab_sh "$n" sh -c 'dpkg -r mendprc >/dev/null; rm -f /usr/sbin/policy-rc.d /tmp/prc'
done
stamp "policy_rc_d"
for n in $(hosts_n); do lab_sh "$n" sh -c 'rm -rf /srv/mrepo /tmp/pk /etc/apt/sources.list.d/mrepo.list'; done
