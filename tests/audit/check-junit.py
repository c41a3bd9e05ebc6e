#!/usr/bin/python3
"""Read a JUnit XML report back with python3's xml.etree and check that it
is consistent: the counts on <testsuites>/<testsuite> match the test cases,
every <failure> has a type (the severity) and a message.

usage: check-junit.py FILE [--tests N] [--failures N] [--errors N]
prints "junit: ok: tests=N failures=N errors=N skipped=N" or the errors and
exits 1."""
import sys
import xml.etree.ElementTree as ET


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    want = dict(zip(args[0::2], args[1::2]))
    root = ET.parse(path).getroot()
    bad = 0
    if root.tag != "testsuites":
        print("junit: root is <%s>" % root.tag)
        sys.exit(1)
    cases = root.findall("./testsuite/testcase")
    got = {
        "tests": len(cases),
        "failures": sum(len(c.findall("failure")) for c in cases),
        "errors": sum(len(c.findall("error")) for c in cases),
        "skipped": sum(len(c.findall("skipped")) for c in cases),
    }
    for el in [root] + root.findall("testsuite"):
        for k in ("tests", "failures", "errors"):
            if int(el.get(k)) != got[k]:
                print("junit: <%s %s=%s>, counted %d" % (el.tag, k, el.get(k), got[k]))
                bad += 1
    for c in cases:
        for f in c.findall("failure"):
            if not f.get("type") or not f.get("message"):
                print("junit: failure without type or message in %s" % c.get("name"))
                bad += 1
    for k, n in want.items():
        if got[k[2:]] != int(n):
            print("junit: %s: %d, expected %s" % (k[2:], got[k[2:]], n))
            bad += 1
    if bad:
        sys.exit(1)
    print("junit: ok: " + " ".join("%s=%d" % kv for kv in got.items()))


main()
