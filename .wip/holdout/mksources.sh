#!/usr/bin/env bash
# regenerate SOURCES from corpus/ and counted.txt
H=$(cd "$(dirname "$0")" && pwd); C=$H/corpus; M=/work/.mirror
map() { # corpus-prefix mirror repo licence
	local pre=$1 mir=$2 repo=$3 lic=$4
	(cd "$C/$pre" && find . -type f | sed 's|^\./||' | sort) | while read -r p; do
		rel=$pre/$p
		k=support; grep -qxF "$rel" "$H/counted.txt" && k=check
		if [ $k = check ] || [ "$mir" != openstack+kolla-ansible ]; then
			c=$(git --git-dir=$M/$mir/repo log -1 --format=%H HEAD -- "$p")
		else	# kolla's support rows: the snapshot's HEAD (per-file log is slow there)
			c=$(git --git-dir=$M/$mir/repo rev-parse HEAD)
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$rel" "$repo" "$p" "$c" "$lic"
	done
}
{
cat <<'H'
# holdout corpus: real public playbooks, roles and task files, unchanged,
# from repositories NOT in /work/main/tests/compat/SOURCES.
#   KIND  CORPUS-PATH  REPOSITORY  PATH-IN-REPOSITORY  COMMIT  LICENCE
# "check" rows are counted.  Left out: tests/, molecule/, CI, READMEs,
# ansible-examples' windows/ and .war binaries; of kolla-ansible
# only ansible/, etc/ and LICENSE.
H
for r in nodejs jenkins elasticsearch pip swap composer gitlab varnish solr; do
	map roles/geerlingguy.$r geerlingguy+ansible-role-$r geerlingguy/ansible-role-$r "MIT (LICENSE)"; done
map roles/jdauphant.nginx jdauphant+ansible-role-nginx jdauphant/ansible-role-nginx "BSD (meta/main.yml)"
map roles/ANXS.postgresql ANXS+postgresql ANXS/postgresql "MIT (LICENSE)"
map roles/robertdebock.bootstrap robertdebock+ansible-role-bootstrap robertdebock/ansible-role-bootstrap "Apache-2.0 (LICENSE)"
map roles/Oefenweb.fail2ban Oefenweb+ansible-fail2ban Oefenweb/ansible-fail2ban "MIT (LICENSE.txt)"
map roles/mrlesmithjr.netplan mrlesmithjr+ansible-netplan mrlesmithjr/ansible-netplan "MIT (LICENSE)"
map roles/ansible-lockdown.RHEL9-CIS ansible-lockdown+RHEL9-CIS ansible-lockdown/RHEL9-CIS "MIT (LICENSE)"
map ansible-examples ansible+ansible-examples ansible/ansible-examples "no licence file (public examples repo)"
map roles/cloudalchemy.prometheus cloudalchemy+ansible-prometheus cloudalchemy/ansible-prometheus "MIT (LICENSE)"
map roles/cloudalchemy.grafana cloudalchemy+ansible-grafana cloudalchemy/ansible-grafana "MIT (LICENSE)"
map roles/geerlingguy.kibana geerlingguy+ansible-role-kibana geerlingguy/ansible-role-kibana "MIT (LICENSE)"
map kolla-ansible openstack+kolla-ansible openstack/kolla-ansible "Apache-2.0 (LICENSE)"
map trellis/vendor/roles/ntp geerlingguy+ansible-role-ntp geerlingguy/ansible-role-ntp "MIT (LICENSE)"
map trellis/vendor/roles/composer geerlingguy+ansible-role-composer geerlingguy/ansible-role-composer "MIT (LICENSE)"
map trellis/vendor/roles/logrotate nickhammond+ansible-logrotate nickhammond/ansible-logrotate "MIT (LICENSE)"
map trellis/vendor/roles/swapfile Oefenweb+ansible-swapfile Oefenweb/ansible-swapfile "MIT (LICENSE.txt)"
map trellis/vendor/roles/msmtp roots+ansible-role-msmtp roots/ansible-role-msmtp "MIT (LICENSE.md)"
map trellis/vendor/roles/mailpit roots+ansible-role-mailpit roots/ansible-role-mailpit "MIT (LICENSE.md)"
} >"$H/SOURCES"
# trellis minus vendor/
(cd "$C/trellis" && find . -path ./vendor -prune -o -type f -print | sed 's|^\./||' | sort) | while read -r p; do
	rel=trellis/$p; k=support; grep -qxF "$rel" "$H/counted.txt" && k=check
	c=$(git --git-dir=$M/roots+trellis/repo log -1 --format=%H HEAD -- "$p")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$rel" roots/trellis "$p" "$c" "MIT (LICENSE.md)"
done >>"$H/SOURCES"
