#!/usr/bin/env python3
"""select.py: choose the counted files (counted.txt) without looking at
their content beyond "is it a playbook": a deterministic hash order.
Role repository: tasks/main.yml, handlers/main.yml and 2 other tasks/*.yml.
Project: 3 playbooks, then 2 roles (main.yml, handlers/main.yml, 1 other)."""
import hashlib, os, re
C = "corpus"
def h(p): return hashlib.sha1(("holdout2:" + p).encode()).hexdigest()
def yml(d): return sorted(f for f in os.listdir(d) if f.endswith((".yml", ".yaml"))) if os.path.isdir(d) else []
PB = re.compile(r"^(- |  )(hosts|(ansible\.builtin\.)?import_playbook):", re.M)
def role_files(r, nother):
    out = []
    t = yml(f"{r}/tasks")
    if "main.yml" in t: out.append(f"{r}/tasks/main.yml")
    if os.path.isfile(f"{r}/handlers/main.yml"): out.append(f"{r}/handlers/main.yml")
    others = sorted((f"{r}/tasks/{f}" for f in t if f != "main.yml"), key=h)
    return out + others[:nother]
out = []
for line in open("repos.txt"):
    if line.startswith(("#", "vendor/")): continue
    pre = line.split("\t")[0]; d = f"{C}/{pre}"
    if pre.startswith("roles/"):
        out += role_files(d, 2); continue
    pbs = []
    for sub in ["", "playbooks"]:
        for f in yml(f"{d}/{sub}" if sub else d):
            p = f"{d}/{sub}/{f}" if sub else f"{d}/{f}"
            if PB.search(open(p).read()): pbs.append(p)
    out += sorted(pbs, key=h)[:3]
    rd = f"{d}/playbooks/roles" if os.path.isdir(f"{d}/playbooks/roles") else f"{d}/roles"
    roles = sorted((f"{rd}/{r}" for r in os.listdir(rd) if os.path.isdir(f"{rd}/{r}/tasks")), key=h)
    for r in roles[:2]: out += role_files(r, 1)
for p in out: print(p[len(C) + 1:])
