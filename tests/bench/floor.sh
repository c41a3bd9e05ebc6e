# shellcheck shell=sh
# floor.sh - the plain-OpenSSH floor: nut-fix.yml's work done by hand in ONE
# remote shell command per host.  tests/bench/run sends this text as the
# ssh command, prefixed with "R=<the host's root dir>;".  It does the same
# work as the playbook, with the same care as mend (a backup copy with the
# file's mode and owner, an atomic temp-file + rename in the same
# directory, the temp file and the directory synced), so the comparison is
# per unit of work, not per shortcut.
LC_ALL=C; export LC_ALL
f="$R/etc/nut/upsmon.conf"
d="$R/etc/nut"
ch=0 nb=0

# detect (grep exits 1 when nothing matches: not an error)
grep -c -E '^(CERTVERIFY|FORCESSL) 1$' "$f" >/dev/null
[ $? -le 1 ] || exit 1

# fix ERE LINE: lineinfile semantics - replace the last line matching ERE
# with LINE; if none matches and LINE is not in the file, append it.
fix() {
	t=$(mktemp "$d/.floor.XXXXXX") || exit 1
	awk -v re="$1" -v line="$2" '
		{ a[NR] = $0; if ($0 ~ re) m = NR; if ($0 == line) has = 1 }
		END {
			if (m) a[m] = line
			for (i = 1; i <= NR; i++) print a[i]
			if (!m && !has) print line
		}' "$f" >"$t" || { rm -f "$t"; exit 1; }
	if cmp -s "$t" "$f"; then
		rm -f "$t"
		return 0
	fi
	nb=$((nb + 1))
	if ! { cp -p "$f" "$f.$$-$nb.$(date +%Y-%m-%d@%H:%M:%S)~" &&
	    chown --reference="$f" "$t" && chmod --reference="$f" "$t" &&
	    sync "$t" && mv -f "$t" "$f"; }; then
		rm -f "$t"
		exit 1
	fi
	sync "$d"
	ch=1
}
fix '^#? ?CERTVERIFY [0-9]' 'CERTVERIFY 1'
fix '^#? ?FORCESSL [0-9]' 'FORCESSL 1'

# restart stand-in, only when something changed
[ $ch = 0 ] || true

# verify
[ "$(grep -c -E '^(CERTVERIFY|FORCESSL) 1$' "$f")" = 2 ]
