#!/usr/bin/python3
"""summarize.py RAW.tsv - the markdown tables of tests/bench/run.

RAW.tsv columns: n forks contender rep run wall user sys maxrss_kb tree_kb
hosts_cpu rc:notfixed shell_ms fds (the last two may be missing: older
runs; then 0 and -).  shell_ms = the login-shell cost scenario.  run 1 = fixing the hosts, run 2 = the idempotent re-run.
A contender/size gets no number when any of its runs exited non-zero or
left a host not fixed.
"""
import csv
import statistics
import sys

ORDER = ["mend", "mend-alt", "ansible", "floor", "floor-defkex"]


def load(path):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows.append(r)
    return rows


def med(xs):
    return statistics.median(xs) if xs else None


def group(rows):
    g = {}
    for r in rows:
        key = (int(r.get("shell_ms") or 0), int(r["n"]), r["contender"],
               int(r["run"]))
        g.setdefault(key, []).append(r)
    return g


def stats(runs):
    """Medians, or None if any run failed."""
    bad = [r for r in runs if r["rc:notfixed"] != "0:0"]
    if bad:
        return {"failed": len(bad), "count": len(runs)}
    return {
        "count": len(runs),
        "wall": med([float(r["wall"]) for r in runs]),
        "cpu": med([float(r["user"]) + float(r["sys"]) for r in runs]),
        "rss": med([int(r["maxrss_kb"]) for r in runs]) / 1024,
        "tree": med([int(r["tree_kb"]) for r in runs]) / 1024,
        "hosts": med([float(r["hosts_cpu"]) for r in runs]),
        "walls": sorted(float(r["wall"]) for r in runs),
        "fds": max(int(r.get("fds") or -1) for r in runs),
    }


def cell(s, key, fmt):
    if s is None:
        return "-"
    if "failed" in s:
        return "no number (%d of %d runs failed)" % (s["failed"], s["count"])
    return fmt % s[key]


def ratio(a, b, key="wall"):
    if not a or not b or "failed" in a or "failed" in b:
        return "-"
    return "%.2f" % (a[key] / b[key])


def main():
    rows = load(sys.argv[1])
    g = group(rows)
    scen = sorted({(k[0], k[1]) for k in g})
    forks = {int(r["n"]): r["forks"] for r in rows}
    out = []
    out.append("| login shell ms | N | forks | contender | runs | fix: wall s "
               "| fix: CPU s | fix: hosts' CPU s "
               "| fix: RSS MiB (largest / tree) | fix: most fds "
               "| idempotent: wall s | idempotent: CPU s "
               "| idempotent: hosts' CPU s | all wall times of the fix run |")
    out.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:"
               "|---:|---|")
    for ms, n in scen:
        for c in ORDER:
            s1, s2 = g.get((ms, n, c, 1)), g.get((ms, n, c, 2))
            if s1 is None:
                continue
            a, b = stats(s1), stats(s2 or [])
            rss = "-" if "failed" in a else "%.1f / %.1f" % (a["rss"],
                                                             a["tree"])
            walls = "-" if "failed" in a else \
                " ".join("%.2f" % w for w in a["walls"])
            fds = "-" if "failed" in a or a["fds"] < 0 else str(a["fds"])
            out.append("| %d | %d | %s | %s | %d | %s | %s | %s | %s | %s "
                       "| %s | %s | %s | %s |" % (
                           ms, n, forks[n], c, a["count"],
                           cell(a, "wall", "%.2f"), cell(a, "cpu", "%.2f"),
                           cell(a, "hosts", "%.2f"), rss, fds,
                           cell(b, "wall", "%.2f"), cell(b, "cpu", "%.2f"),
                           cell(b, "hosts", "%.2f"), walls))
    out.append("")
    out.append("| login shell ms | N | ansible/mend (fix) "
               "| ansible/mend (idempotent) "
               "| ansible/mend controller CPU (fix) "
               "| mend/floor (fix) | mend/floor (idempotent) "
               "| mend/floor-defkex (fix) | mend/floor-defkex (idempotent) "
               "| mend/floor CPU: controller, hosts (fix) "
               "| mend ms per host (fix) | mend idempotent / fix |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for ms, n in scen:
        st = {(c, r): stats(g[(ms, n, c, r)]) for c in ORDER for r in (1, 2)
              if (ms, n, c, r) in g}
        m1, m2 = st.get(("mend", 1)), st.get(("mend", 2))
        per = "-" if not m1 or "failed" in m1 else "%.1f" % (
            m1["wall"] * 1000 / n)
        out.append("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s, %s "
                   "| %s | %s |" % (
            ms, n, ratio(st.get(("ansible", 1)), m1),
            ratio(st.get(("ansible", 2)), m2),
            ratio(st.get(("ansible", 1)), m1, "cpu"),
            ratio(m1, st.get(("floor", 1))), ratio(m2, st.get(("floor", 2))),
            ratio(m1, st.get(("floor-defkex", 1))),
            ratio(m2, st.get(("floor-defkex", 2))),
            ratio(m1, st.get(("floor", 1)), "cpu"),
            ratio(m1, st.get(("floor", 1)), "hosts"), per, ratio(m2, m1)))
    out.append("")
    out.append("Ratios are of median wall times unless said otherwise.  "
               "floor = same key exchange as mend (curve25519-sha256); "
               "floor-defkex = OpenSSH's default (sntrup761x25519).  "
               "login shell ms = CPU the login user's ~/.bashrc burns each "
               "time sshd starts a shell (command or subsystem).")
    out.append("")
    out.append("Medians over the runs; wall = start to exit of the "
               "contender; CPU = user+sys of its whole process tree on the "
               "controller; hosts' CPU = user+sys of the sshd sessions, "
               "shells and commands on the hosts (the same 2 cores here); "
               "RSS: largest single process (exact) / sum over the tree "
               "(sampled every 100 ms); most fds: descriptors of the "
               "contender's own process (sampled; mend: one socket per "
               "open connection).")
    print("\n".join(out))


if __name__ == "__main__":
    main()
