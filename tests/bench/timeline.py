#!/usr/bin/python3
"""timeline.py LABEL N < perf-script-output

Reads `perf script -F tid,time,event` lines of the uprobes that
tests/bench/profile sets (GROUP:FUNC_in / GROUP:FUNC_out) and prints where
mend's time went, as markdown.
"""
import collections
import re
import sys

LINE = re.compile(r"^\s*(\d+)\s+([\d.]+):\s+\w+:(\w+?)_(in|out)(?:__return)?:")

# (label, function) in report order; nested ones are indented
PHASES = [
    ("connect (tr_ssh_open)", "tr_ssh_open"),
    ("  ssh config (ssh_options_parse_config)", "ssh_options_parse_config"),
    ("  TCP connect (tr_tcp_connect)", "tr_tcp_connect"),
    ("  banner + key exchange (ssh_connect)", "ssh_connect"),
    ("  host key check (ssh_session_is_known_server)",
     "ssh_session_is_known_server"),
    ("  load the key (ssh_pki_import_privkey_file)",
     "ssh_pki_import_privkey_file"),
    ("  authentication (ssh_userauth_publickey)", "ssh_userauth_publickey"),
    ("host lock: take (hostlock_take)", "hostlock_take"),
    ("tasks (run_task)", "run_task"),
    ("  remote commands (tr_ssh_exec)", "tr_ssh_exec"),
    ("    of which file reads (rf_read)", "rf_read"),
    ("    of which file writes (mod_write_file_opts)", "mod_write_file_opts"),
    ("  journal records (journal_append, incl. lock + fdatasync)",
     "journal_append"),
    ("  journal objects (journal_store)", "journal_store"),
    ("host lock: release (safety_run_end)", "safety_run_end"),
]


def main():
    label, n = sys.argv[1], int(sys.argv[2])
    stacks = collections.defaultdict(list)
    dur = collections.defaultdict(list)       # func -> [seconds]
    execs = collections.defaultdict(list)     # tid -> [exec seconds]
    span = {}                                 # tid -> [first, last]
    total = None
    last_task = run_end = None
    opened = set()                            # threads that connected
    for line in sys.stdin:
        m = LINE.match(line)
        if not m:
            continue
        tid, t, fn, io = int(m.group(1)), float(m.group(2)), m.group(3), \
            m.group(4)
        s = span.setdefault(tid, [t, t])
        s[1] = t
        if io == "in":
            stacks[(tid, fn)].append(t)
            continue
        if not stacks[(tid, fn)]:
            continue
        d = t - stacks[(tid, fn)].pop()
        if stacks[(tid, fn)]:
            continue                          # recursive: count the outer
        dur[fn].append(d)
        if fn == "tr_ssh_exec":
            execs[tid].append(d)
        if fn == "tr_ssh_open":
            opened.add(tid)
        if fn == "executor_run":
            total, run_end = d, t
        if fn == "run_task":
            last_task = t if last_task is None else max(last_task, t)
    workers = [tid for tid in span if tid in opened]
    busy = sum(span[t][1] - span[t][0] for t in workers)
    print("## %s: %d hosts, mend wall %.3f s" % (label, n, total or 0))
    print()
    if last_task is not None and run_end is not None:
        print("From the last task's end to the end of the run (lock "
              "release, recap): %.3f s" % (run_end - last_task))
        print()
    print("| phase | calls | sum s | mean ms | max ms | share of the "
          "hosts' time |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, fn in PHASES:
        d = dur.get(fn, [])
        if not d:
            continue
        s = sum(d)
        print("| %s | %d | %.3f | %.1f | %.1f | %s |" % (
            name.replace("  ", "&nbsp;&nbsp;"), len(d), s,
            s * 1000 / len(d), max(d) * 1000,
            "%.0f%%" % (100 * s / busy) if busy and fn != "safety_run_end"
            else "-"))
    print()
    # the remote commands by position in a host's sequence
    seqs = [execs[t] for t in workers]
    k = max((len(v) for v in seqs), default=0)
    cols = []
    for i in range(k):
        col = [v[i] for v in seqs if len(v) > i]
        cols.append("#%d %.1f" % (i + 1, 1000 * sum(col) / len(col)))
    print("Remote commands in order, mean ms (%s): %s" % (
        "one host per thread" if len(workers) == n else
        "a thread runs %d hosts one after the other" % round(n / max(
            len(workers), 1)), ", ".join(cols)))
    print("Summed over the %d threads that connected: %.3f s from a "
          "thread's first to its last event." % (len(workers), busy))
    print()


if __name__ == "__main__":
    main()
