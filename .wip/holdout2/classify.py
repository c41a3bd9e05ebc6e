#!/usr/bin/env python3
"""classify.py: read mend-v.log (./run -v) and ansible.results; print the
per-file table and the ranked blocker categories (BLOCKERS.md body)."""
import re, sys, collections
CATS = [  # (key, label, regex, judgement)
 ("deleg", "delegation/run_once/local_action (task keyword, or on include/import)",
  r"keyword '(delegate_to|delegate_facts|run_once|local_action)'|'(delegate_to|run_once|delegate_facts)' on (import|include)", "a"),
 ("async", "async/poll (task keywords, or async/poll/register on import_role)", r"keyword '(async|poll)'|'(async|poll|register)' on import_role", "a"),
 ("remsrc", "copy remote_src", r"no argument 'remote_src'", "a"),
 ("aptargs", "apt arguments: upgrade=, deb=, force_apt_get", r"module 'apt': argument '(upgrade|deb)'|module 'apt' has no argument 'force_apt_get'", "a"),
 ("svcargs", "service arguments: use=, daemon_reload= (systemd pass-through)", r"module 'service' has no argument '(use|daemon_reload)'|module 'service': missing required argument 'name'", "a"),
 ("margs", "other module arguments: template variable_*_string/block_*_string/follow, user remove/ssh_key_bits/ssh_key_comment, wait_for search_regex with port",
  r"module 'template' has no argument|module 'user' has no argument|module 'user': argument 'remove'|'search_regex' is only supported", "a"),
 ("relpath", "path checks: '~user/..' and relative paths in file/template path/dest", r"must be an absolute path, got", "a"),
 ("filesrc", "file: src without state link/hard where state is a template or omitted (Ansible: state defaults to the current one)", r"src option requires state", "a"),
 ("corefilt", "ansible-core/Jinja filters missing: round, to_uuid, strftime", r"unknown filter '(round|to_uuid|strftime)'", "a"),
 ("colfilt", "collection filters/tests refused (json_query, ipaddr, ansible.utils.*)", r"is a (filter|test) of the Ansible collection", "a*"),
 ("varsdir", "defaults/main/ (or vars/main/) as a directory of files", r"is not a regular file \(a directory\)", "a"),
 ("tnotify", "templated handler name in notify ('Restart {{ x }}')", r"notifies handler '[^']*\{\{", "a"),
 ("notify", "notify of a handler defined in another role (role checked alone)", r"notifies handler '[^{']*'", "c"),
 ("nbsp", "non-breaking space (U+00A0) inside a Jinja expression", r"unexpected byte 0xc2", "a"),
 ("whenjinja", "'{{ }}' in a when: condition (2.14 warns, accepts)", r"templating delimiters '\{\{' are not allowed in a bare", "a"),
 ("nulls", "null task name / null loop (2.14: no name / no loop)", r"'name' must be a string, got null|'loop' requires a list .*got null", "a"),
 ("pkw", "play keywords: vars_prompt, user (alias of remote_user)", r"play keyword '(vars_prompt|user)'", "a"),
 ("tkw", "task keywords: action, throttle, with_file, loop on include_role, templated include_role name",
  r"task keyword '(action|throttle|with_file)'|'(with_items|loop_control|loop)' on include_role|include_role: 'name' must name a role", "a"),
 ("blocknotify", "notify on a block", r"'notify' is not allowed on a block", "a"),
 ("colrole", "role from a collection not installed (vladgh.samba.server)", r"the role '[^']*' was not found", "c"),
 ("invalid", "invalid in ansible-core 2.14 too, at run time (shell warn=, |failed filter)", r"no argument 'warn'|unknown filter 'failed'", "b"),
]
files = collections.OrderedDict()
cur = None
for line in open(sys.argv[1] if len(sys.argv) > 1 else "mend-v.log"):
    m = re.match(r"(PASS|FAIL) (\S+?)(:|$)", line.rstrip("\n"))
    if m:
        cur = m.group(2); files[cur] = {"ok": m.group(1) == "PASS", "errs": []}
    elif line.startswith("    ") and "error:" in line and cur:
        files[cur]["errs"].append(line.strip())
ans = {}
try:
    for l in open("ansible.results"):
        p = l.rstrip("\n").split("\t"); ans[p[1]] = p[0] == "PASS"
except FileNotFoundError:
    pass
# errors hidden behind a mend error (found by checking the hidden file alone)
HIDDEN = {
}
bycat = collections.defaultdict(list); unk = []
rows = []
for f, d in files.items():
    cats = []
    for e in d["errs"]:
        hit = [k for k, _, rx, _ in CATS if re.search(rx, e)]
        if not hit: unk.append((f, e))
        for k in hit:
            if k not in cats: cats.append(k)
    for k in HIDDEN.get(f, []):
        if k not in cats and not d["ok"]: cats.append(k)
    for k in cats: bycat[k].append(f)
    rows.append((f, d, cats))
n = len(files); mp = sum(d["ok"] for d in files.values())
ap = sum(ans.get(f, False) for f in files); both = sum(ans.get(f, False) and d["ok"] for f, d in files.items())
print(f"# holdout2 blockers (mend {sys.argv[2] if len(sys.argv)>2 else ''})\n")
print(f"counted files: {n}; mend check PASS: {mp} ({100*mp//n}%); ansible-playbook --syntax-check PASS: {ap}; both: {both}\n")
print("## Categories ranked by files blocked (a file with 2 causes counts under both)\n")
label = {k: l for k, l, _, _ in CATS}; judge = {k: j for k, _, _, j in CATS}
for k, fl in sorted(bycat.items(), key=lambda kv: -len(kv[1])):
    solo = [f for f, d, c in rows if c == [k]]
    print(f"- **{len(fl)}** {label[k]} [{k}] ({judge[k]}) — sole blocker of {len(solo)}" + (": " + ", ".join(solo) if solo else ""))
print("\n## Would pass if these were fixed (greedy, cumulative; only (a) categories: (b)/(c) are not mend's to fix)\n")
fixed = set(); passed = mp
remaining = [(f, set(c)) for f, d, c in rows if not d["ok"]]
acats = [k for k in label if judge[k].startswith("a")]
while remaining:
    cand = [k for k in acats if k not in fixed and any(k in c for f, c in remaining)]
    if not cand: break
    best = max(cand, key=lambda k: (sum(1 for f, c in remaining if c <= fixed | {k}), sum(1 for f, c in remaining if k in c)))
    fixed.add(best)
    gain = [f for f, c in remaining if c <= fixed]
    passed += len(gain)
    remaining = [(f, c) for f, c in remaining if not c <= fixed]
    print(f"- + {best} ({judge[best]}): +{len(gain)} -> {passed}/{n} ({100*passed//n}%)")
if remaining:
    print(f"- left, blocked by (b)/(c) categories: " + ", ".join(f"{f} [{', '.join(sorted(c - fixed))}]" for f, c in remaining))
print("\n## Per file (mend, ansible, first mend error, categories)\n")
for f, d, c in rows:
    a = "A-PASS" if ans.get(f) else ("A-FAIL" if f in ans else "A-?")
    fe = d["errs"][0] if d["errs"] else ""
    print(f"- {'PASS' if d['ok'] else 'FAIL'} {a} `{f}`" + (f": {fe} — **{', '.join(c)}**" if not d["ok"] else ""))
if unk:
    print("\n## Unclassified errors\n"); [print(f"- {f}: {e}") for f, e in unk]
