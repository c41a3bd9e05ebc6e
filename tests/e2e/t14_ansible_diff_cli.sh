# differential against ansible-core (tests/install-deps installs it): the
# same playbooks, inventories and command lines given to ansible-playbook
# and to mend (ansible_connection=local, twin directories) must give the
# same files, modes and listings: -e parsing, --list-tasks, --list-tags,
# --list-hosts (as sets: Ansible's order there is a Python set's),
# --syntax-check, a -l that matches nothing, INI floats
. "$TOP/tests/e2e/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing (tests/install-deps)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP="$T/ans-tmp"
export ANSIBLE_HOME="$T/ans-home"
py=/usr/bin/python3
cat >"$T/inv.ini" <<EOF2
[web]
w2 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock fl=1.5 e3=1e3
w1 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock
[db]
d1 ansible_connection=local ansible_python_interpreter=$py mend_lock_dir=$T/lock
[prod:children]
db
web
EOF2
cat >"$T/pb.yml" <<'P'
- name: write what -e set
  hosts: w2
  gather_facts: false
  tags: [p1]
  tasks:
    - name: one file
      copy:
        dest: "{{ out }}/vars.txt"
        content: "a={{ a }} b={{ b }} c={{ c | default('unset') }} k={{ j.k[1] }} q={{ q }} fl={{ fl }} e3={{ e3 }}\n"
        mode: "0640"
      tags: [a, b]
    - name: never listed
      ping:
      tags: never
- hosts: prod
  gather_facts: false
  tasks:
    - ping:
      tags: [c]
P
for who in ans mend; do mkdir -p "$T/$who"; done
eargs=(-e "a=1 b='two words'" -e '{"j": {"k": [1, 2]}}' -e 'q=x\ty')
ansible-playbook -i "$T/inv.ini" "$T/pb.yml" "${eargs[@]}" -e out="$T/ans" >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook failed"; }
mend_run run -i "$T/inv.ini" "$T/pb.yml" "${eargs[@]}" -e out="$T/mend" --state-dir "$T/state"
expect_rc 0
cmp "$T/ans/vars.txt" "$T/mend/vars.txt" ||
	fail "-e: ansible wrote '$(cat "$T/ans/vars.txt")', mend '$(cat "$T/mend/vars.txt")'"
[ "$(stat -c %a "$T/ans/vars.txt")" = "$(stat -c %a "$T/mend/vars.txt")" ] || fail "modes differ"
for f in --list-tasks --list-tags --syntax-check "--list-tasks -t a" "--list-tasks --skip-tags c"; do
	# shellcheck disable=SC2086
	ansible-playbook -i "$T/inv.ini" "$T/pb.yml" $f >"$T/a.txt" 2>&1 || fail "ansible $f"
	# shellcheck disable=SC2086
	"$MEND" run -i "$T/inv.ini" "$T/pb.yml" $f >"$T/m.txt" 2>&1 || fail "mend $f"
	diff "$T/a.txt" "$T/m.txt" >&2 || fail "$f differs from ansible-playbook"
done
ansible-playbook -i "$T/inv.ini" "$T/pb.yml" --list-hosts -l 'prod:!w1' | sort >"$T/a.txt"
"$MEND" run -i "$T/inv.ini" "$T/pb.yml" --list-hosts -l 'prod:!w1' | sort >"$T/m.txt"
diff "$T/a.txt" "$T/m.txt" >&2 || fail "--list-hosts differs from ansible-playbook"
# a limit matching nothing: both refuse (exit 1 for mend, an error for Ansible)
arc=0; ansible-playbook -i "$T/inv.ini" "$T/pb.yml" -l prdo >"$T/a.txt" 2>&1 || arc=$?
[ "$arc" -ne 0 ] || fail "ansible accepted -l prdo"
mend_run run -i "$T/inv.ini" "$T/pb.yml" -l prdo --state-dir "$T/state"
expect_rc 1
expect_out "leaves no hosts to target"
# vault: a vars file encrypted by ansible-vault (1.2, --vault-id) and an
# inline !vault value (1.1, --vault-password-file): the same bytes written
printf 'pw-one\n' >"$T/pw1"; printf 'pw-two\n' >"$T/pw2"
printf 'db_pass: "p@ss w0rd"\nport: 5432\n' >"$T/secret.yml"
ansible-vault encrypt --vault-id prod@"$T/pw2" "$T/secret.yml" >/dev/null 2>&1 || fail "ansible-vault encrypt"
ansible-vault encrypt_string --vault-password-file "$T/pw1" 'hunter2!' --name inline >"$T/inline.yml" 2>/dev/null ||
	fail "ansible-vault encrypt_string"
{
	echo "- hosts: w1"
	echo "  gather_facts: false"
	echo "  vars_files: [secret.yml]"
	echo "  vars:"
	sed 's/^/    /' "$T/inline.yml"; echo
	echo "  tasks:"
	echo "    - copy:"
	echo "        dest: \"{{ out }}/vault.txt\""
	echo "        content: \"{{ inline }} {{ db_pass }} {{ port }}\\n\""
	echo "        mode: \"0600\""
} >"$T/vault.yml"
vargs=(--vault-password-file "$T/pw1" --vault-id prod@"$T/pw2")
ansible-playbook -i "$T/inv.ini" "$T/vault.yml" "${vargs[@]}" -e out="$T/ans" >"$T/ans.out" 2>&1 ||
	{ cat "$T/ans.out" >&2; fail "ansible-playbook (vault) failed"; }
mend_run run -i "$T/inv.ini" "$T/vault.yml" "${vargs[@]}" -e out="$T/mend" --state-dir "$T/state" -v --diff
expect_rc 0
cmp "$T/ans/vault.txt" "$T/mend/vault.txt" || fail "vault: files differ"
expect_no_out 'hunter2|p@ss'
! grep -rqE 'hunter2|p@ss' "$T/state"/runs/*/journal.jsonl || fail "a vault secret in the journal"
# without the password, or with a wrong one: refused before any host
mend_run run -i "$T/inv.ini" "$T/vault.yml" -e out="$T/mend" --state-dir "$T/state"
expect_rc 3
expect_out 'vault.yml:5:[0-9]+: error: !vault value: attempting to decrypt but no vault secrets found'
mend_run run -i "$T/inv.ini" "$T/vault.yml" --vault-password-file "$T/pw2" -e out="$T/mend" --state-dir "$T/state"
expect_rc 3
expect_out 'decryption failed'
