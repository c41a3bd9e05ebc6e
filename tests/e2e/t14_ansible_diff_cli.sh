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
w2 ansible_connection=local ansible_python_interpreter=$py fl=1.5 e3=1e3
w1 ansible_connection=local ansible_python_interpreter=$py
[db]
d1 ansible_connection=local ansible_python_interpreter=$py
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
