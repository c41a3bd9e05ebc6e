# shellcheck shell=bash disable=SC2046
# NUT on systemd hosts of every release at once (h1 bullseye 2.7.4, h2
# bookworm 2.8.0, h3 trixie 2.8.1; all Debian builds link NSS):
#  1. facts and detection: version, init=systemd, the seed's ineffective
#     lines (certverify = yes) reported as vulnerable;
#  2. refusal: upsd without TLS -> the pre-flight stops every host before
#     any change (upsmon.conf byte-identical, nut-monitor not restarted);
#  3. upsd TLS (playbooks/nut-upsd-tls.yml): OK STARTTLS with a certificate
#     that verifies, proved by the lab's own probe;
#  4. the upsmon fix (playbooks/nut-upsmon-tls.yml): restart through
#     systemctl, upsmon's own proof read from the journal ("Connected to
#     NUT server 127.0.0.1 in SSL", "... : SUCCESS"), upsd logs the SSL
#     login; nut-server and nut-monitor active, upsd and upsmon inside their
#     units; a second run changes nothing;
#  5. the attack the fix closes: upsd presenting a certificate from another
#     CA -> upsmon itself refuses it ("Certificate validation failed").
. "$TOP/tests/e2e/fleet/fleet-lib.sh"
PB=$TOP/playbooks/nut-upsmon-tls.yml
conf=/etc/nut/upsmon.conf
"$TOP/tests/lab/mkca" "$LAB/pki" >/dev/null 2>&1 || true
for n in $(hosts_n); do lab_sh "$n" rm -rf /etc/nut/cert-upsd /etc/nut/cert /etc/nut/cert-evil; done
each "$TOP/tests/lab/nut-up" {} --tls none || fail "nut-up"
for n in $(hosts_n); do
	lab_sh "$n" sh -c "printf 'certverify = yes\nforcssl = yes\n' >>$conf && systemctl restart nut-monitor" ||
		fail "h$n: seed lines"
done
stamp "NUT up (plaintext upsd, seed lines in upsmon.conf)"

# ---- 1. facts and detection -------------------------------------------------
cat >"$T/facts.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - name: facts
      nut_facts:
      register: nut
P
mend_run run "$T/facts.yml" $(lab_args) --json "$T/facts.json"
expect_rc 0
for n in $(hosts_n); do
	h=h$n
	[ "$(jdata "$T/facts.json" $h facts .data.version)" = "$(nut_version "$n")" ] ||
		fail "$h ($(os_of "$n")): version $(jdata "$T/facts.json" $h facts .data.version), expected $(nut_version "$n")"
	[ "$(jdata "$T/facts.json" $h facts .data.init)" = systemd ] || fail "$h: init is not systemd"
	[ "$(jdata "$T/facts.json" $h facts .data.backend)" = nss ] || fail "$h: backend"
	[ "$(jdata "$T/facts.json" $h facts .data.services.client)" = nut-monitor ] || fail "$h: client service"
	[ "$(jdata "$T/facts.json" $h facts .data.vulnerable)" = true ] || fail "$h: not vulnerable"
	jdata "$T/facts.json" $h facts '.data.upsmon.ineffective[] | tostring' | grep -q certverify ||
		fail "$h: the seed's certverify = yes not reported"
done
stamp "1. facts ok"

# ---- 2. refusal: no TLS on upsd -> nothing changes --------------------------
declare -A sum mpid
for n in $(hosts_n); do
	sum[$n]=$(fsum "$n" $conf)
	mpid[$n]=$(lab_sh "$n" systemctl show -p MainPID --value nut-monitor)
done
mend_run run "$PB" $(lab_args) -e nut_ca_file="$CA"
expect_rc 2
for n in $(hosts_n); do
	expect_task h$n "pre-flight" "FAILED: 127.0.0.1:3493: STARTTLS refused: ERR FEATURE-NOT-CONFIGURED"
	[ "$(recap h$n changed)" = 0 ] || fail "h$n changed something"
	[ "$(fsum "$n" $conf)" = "${sum[$n]}" ] || fail "h$n: $conf changed"
	[ "$(lab_sh "$n" systemctl show -p MainPID --value nut-monitor)" = "${mpid[$n]}" ] ||
		fail "h$n: nut-monitor was restarted"
	active "$n" nut-monitor || fail "h$n: nut-monitor not active"
done
stamp "2. refusal ok"

# ---- 3. upsd TLS --------------------------------------------------------------
for n in $(hosts_n); do
	"$TOP/tests/lab/mkcert" "$T/pki" "h$n" "$LAB/pki" localhost 127.0.0.1 "$(addr "$n")" \
		--p12-pass p12-pw-7781 >/dev/null
done
mend_run run "$TOP/playbooks/nut-upsd-tls.yml" $(lab_args) -e nut_ca_file="$CA" \
	-e "nut_server_pkcs12=$T/pki/{{ inventory_hostname }}.p12" \
	-e nut_server_pkcs12_password=p12-pw-7781 -e nut_server_db_password=db-pw-4417
expect_rc 0
grep -qE 'db-pw-4417|p12-pw-7781' "$T/out" && fail "a password is in the output"
for n in $(hosts_n); do
	expect_task h$n "restart upsd" "changed"
	expect_task h$n "verify: OK STARTTLS" "ok"
	"$TOP/tests/lab/nut-probe" "$n" >"$T/probe" 2>&1 || { cat "$T/probe" >&2; fail "h$n: nut-probe after upsd TLS"; }
	active "$n" nut-server || fail "h$n: nut-server not active"
	inside_unit "$n" upsd nut-server.service
done
stamp "3. upsd TLS ok"

# ---- 4. the upsmon fix, proved by upsmon -------------------------------------
declare -A since
for n in $(hosts_n); do since[$n]=$(host_now "$n"); done
mend_run run "$PB" $(lab_args) -e nut_ca_file="$CA" --diff
expect_rc 0
for n in $(hosts_n); do
	h=h$n
	expect_task $h "restart upsmon" "changed"
	expect_task $h "upsmon connected to every server in SSL and verified it" "ok"
	expect_task $h "verify: STARTTLS, verified handshake" "ok"
	journal "$n" nut-monitor "${since[$n]}" >"$T/j$n"
	# upsmon's own lines (libupsclient, on its stderr = the journal under
	# systemd); NUT 2.7.4 words the first one "Connected to H in SSL"
	grep -qE "Connected to (NUT server )?127.0.0.1 in SSL" "$T/j$n" || { cat "$T/j$n" >&2; fail "$h: upsmon did not log an SSL connection"; }
	grep -q "Intend to authenticate server 127.0.0.1 : SUCCESS" "$T/j$n" || fail "$h: upsmon did not verify the server"
	lab_sh "$n" journalctl -q -o cat -t upsd --since "@${since[$n]}" | grep -q 'logged into UPS \[myups\] (SSL)' || fail "$h: upsd saw no SSL login"
	lab_sh "$n" grep -qx 'CERTVERIFY 1' $conf || fail "$h: CERTVERIFY 1 missing"
	lab_sh "$n" grep -q '^certverify' $conf && fail "$h: seed line left"
	[ "$(fsum "$n" $conf | cut -d' ' -f2-)" = "640 root nut" ] || fail "$h: mode/owner of $conf"
	active "$n" nut-monitor || fail "$h: nut-monitor not active"
	active "$n" nut-server || fail "$h: nut-server not active"
	inside_unit "$n" upsmon nut-monitor.service
	inside_unit "$n" upsd nut-server.service
done
mend_run run "$PB" $(lab_args) -e nut_ca_file="$CA"
expect_rc 0
for n in $(hosts_n); do [ "$(recap h$n changed)" = 0 ] || fail "second run: h$n changed"; done
stamp "4. fix ok"

# ---- 5. the attack: a server certificate from another CA ---------------------
other=$T/other-ca
"$TOP/tests/lab/mkca" "$other" --cn "some other CA" >/dev/null
for n in $(hosts_n); do
	"$TOP/tests/lab/mkcert" "$other" "h$n" "$other" localhost 127.0.0.1 "$(addr "$n")" >/dev/null
	r=$(host_root "$n")
	own=$(awk -F: '$1 == "nut" { print "0:" $3 }' "$r/etc/group")
	# (NSS cannot open a database through /proc/PID/root: made here, copied in)
	rm -rf "$r/etc/nut/cert-evil" "$T/evil-db"
	"$TOP/tests/lab/mknssdb" "$T/evil-db" --password db-pw-4417 --p12 "$other/h$n.p12" --owner "$own" >/dev/null
	cp -a "$T/evil-db" "$r/etc/nut/cert-evil"
	since[$n]=$(host_now "$n")
	lab_sh "$n" sh -c 'sed -i "s|^CERTPATH /etc/nut/cert-upsd|CERTPATH /etc/nut/cert-evil|" /etc/nut/upsd.conf && systemctl restart nut-server'
done
for n in $(hosts_n); do
	ok=0
	for _ in $(seq 40); do
		# 2.8: libupsclient's own line; 2.7.4 (lines to /dev/null):
		# upsmon's own syslog line for the refused connection
		journal "$n" nut-monitor "${since[$n]}" |
			grep -qE "Certificate validation failed for 127.0.0.1|\[myups@127.0.0.1\]: connect failed" && { ok=1; break; }
		sleep 0.5
	done
	[ $ok = 1 ] || { journal "$n" nut-monitor "${since[$n]}" | tail >&2; fail "h$n: upsmon did not refuse the other CA's certificate"; }
	lab_sh "$n" journalctl -q -o cat -t upsd --since "@${since[$n]}" | grep -q 'logged into UPS' && fail "h$n: upsmon logged in to the impostor"
	lab_sh "$n" sh -c 'sed -i "s|^CERTPATH /etc/nut/cert-evil|CERTPATH /etc/nut/cert-upsd|" /etc/nut/upsd.conf && systemctl restart nut-server'
done
stamp "5. attack refused by upsmon"
exit 0
