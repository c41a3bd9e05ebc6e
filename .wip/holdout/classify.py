#!/usr/bin/env python3
"""classify.py: read mend-v.log (./run -v) and ansible.results; print the
per-file table and the ranked blocker categories (BLOCKERS.md body)."""
import re, sys, collections
CATS = [  # (key, label, regex)
 ("deleg", "delegation: delegate_to / local_action / run_once / delegate_facts (task, block, import)",
  r"keyword '(delegate_to|delegate_facts|run_once|local_action)'|'(delegate_to|run_once)' on import"),
 ("include", "legacy `include:` task keyword", r"task keyword 'include'"),
 ("hinc", "import_tasks/include_tasks among handlers", r"an include among handlers"),
 ("becm", "become_method keyword (play/task)", r"'become_method'"),
 ("async", "async/poll task keywords", r"keyword '(async|poll)'"),
 ("impfile", "import_tasks with `file:` mapping form", r"import_tasks takes a file name"),
 ("tmplname", "templated names: import_tasks path, vars_files entry, role name", r"cannot be a template|vars_files entries must be plain|role is a name or a mapping"),
 ("incpath", "include path relative to role root (tasks/X.yml)", r"could not find or access"),
 ("float", "floating point values / '/' division", r"floating point|operator '/'"),
 ("slice", "Jinja slices x[a:b]", r"slices are not supported"),
 ("jfilt", "filters/filter args missing: subelements, truncate, sum(attribute=), json_query, to_nice_yaml(sort_keys=)", r"unknown filter '(subelements|truncate|json_query)'|filter '(sum|to_nice_yaml)' has no argument"),
 ("cfilt", "project-local filter plugins (trellis select_sites/underscore, kolla service_enabled_and_mapped_to_host)", r"unknown filter '(select_sites|underscore|service_enabled_and_mapped_to_host)'"),
 ("recurse", "file: recurse / setype", r"argument '(recurse|setype)'"),
 ("margs", "other module arguments (copy remote_src/mode=preserve, service use/sleep, package update_cache, apt deb, template dest ~)",
  r"no argument '(remote_src|use|sleep|update_cache)'|argument 'deb'|must be an absolute path, got '~|must be a file mode, got"),
 ("unkmod", "module not in mend's Ansible list: deb822_repository (ansible-core 2.15+), project library/ modules (trellis test_challenges, kolla_container)", r"unknown module"),
 ("colrole", "role from a collection not installed (openstack.kolla.baremetal)", r"the role '[^']*' was not found"),
 ("ipvars", "`vars:` on import_playbook", r"'vars' on import_playbook"),
 ("retint", "templated integer keywords (retries, delay, max_fail_percentage)", r"'(retries|delay|max_fail_percentage)' must be an integer"),
 ("notify", "notify of a handler the checked play lacks (role checked alone)", r"notifies handler"),
 ("action", "`action:` task keyword (templated module name)", r"task keyword 'action'"),
 ("invalid", "invalid in ansible-core 2.14 too, at run time (service state=running; command warn=)", r"must be one of started\|stopped|no argument 'warn'"),
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
 "ansible-examples/mongodb/site.yml": ["deleg"],  # roles/mongod/tasks/shards.yml
 # behind legacy include: (checked via import_role tasks_from)
 "roles/cloudalchemy.grafana/tasks/main.yml": ["deleg", "jfilt", "invalid"],
 "roles/cloudalchemy.prometheus/tasks/main.yml": ["deleg", "jfilt", "slice"],
}
bycat = collections.defaultdict(list); unk = []
rows = []
for f, d in files.items():
    cats = []
    for e in d["errs"]:
        hit = [k for k, _, rx in CATS if re.search(rx, e)]
        if not hit: unk.append((f, e))
        for k in hit:
            if k not in cats: cats.append(k)
    for k in HIDDEN.get(f, []):
        if k not in cats and not d["ok"]: cats.append(k)
    for k in cats: bycat[k].append(f)
    rows.append((f, d, cats))
n = len(files); mp = sum(d["ok"] for d in files.values())
ap = sum(ans.get(f, False) for f in files); both = sum(ans.get(f, False) and d["ok"] for f, d in files.items())
print(f"# holdout blockers (mend {sys.argv[2] if len(sys.argv)>2 else ''})\n")
print(f"counted files: {n}; mend check PASS: {mp} ({100*mp//n}%); ansible-playbook --syntax-check PASS: {ap}; both: {both}\n")
print("## Categories ranked by files blocked (a file with 2 causes counts under both)\n")
label = {k: l for k, l, _ in CATS}
for k, fl in sorted(bycat.items(), key=lambda kv: -len(kv[1])):
    solo = [f for f, d, c in rows if c == [k]]
    print(f"- **{len(fl)}** {label[k]} [{k}] — sole blocker of {len(solo)}" + (": " + ", ".join(solo) if solo else ""))
print("\n## Would pass if these were fixed (greedy, cumulative)\n")
fixed = set(); passed = mp
remaining = [(f, set(c)) for f, d, c in rows if not d["ok"]]
while remaining:
    best = max(label, key=lambda k: sum(1 for f, c in remaining if c <= fixed | {k}))
    gain = [f for f, c in remaining if c <= fixed | {best}]
    if not gain: break
    fixed.add(best); passed += len(gain)
    remaining = [(f, c) for f, c in remaining if not c <= fixed]
    print(f"- + {best}: +{len(gain)} -> {passed}/{n} ({100*passed//n}%)")
print("\n## Per file (mend, ansible, first mend error, categories)\n")
for f, d, c in rows:
    a = "A-PASS" if ans.get(f) else ("A-FAIL" if f in ans else "A-?")
    fe = d["errs"][0] if d["errs"] else ""
    print(f"- {'PASS' if d['ok'] else 'FAIL'} {a} `{f}`" + (f": {fe} — **{', '.join(c)}**" if not d["ok"] else ""))
if unk:
    print("\n## Unclassified errors\n"); [print(f"- {f}: {e}") for f, e in unk]
