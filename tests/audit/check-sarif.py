#!/usr/bin/python3
"""Validate a SARIF log against the SARIF 2.1.0 JSON schema shipped here
(sarif-schema-2.1.0.json, see README) with Debian's python3-jsonschema, then
check what the schema cannot: every result's ruleIndex names its ruleId,
regions are 1-based, fixes replace whole files.

usage: check-sarif.py FILE [--results N] [--new N] [--suppressed N]
prints "sarif: ok: N results (N new, N suppressed), N rules" or the errors
and exits 1."""
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    want = dict(zip(args[0::2], args[1::2]))
    with open(os.path.join(HERE, "sarif-schema-2.1.0.json")) as f:
        schema = json.load(f)
    with open(path) as f:
        doc = json.load(f)
    v = jsonschema.Draft4Validator(schema)
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    for e in errs:
        print("sarif: schema: %s: %s" % ("/".join(map(str, e.path)), e.message))
    bad = len(errs)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run.get("results", [])
    for i, r in enumerate(results):
        if rules[r["ruleIndex"]]["id"] != r["ruleId"]:
            print("sarif: result %d: ruleIndex %d is %s, not %s" %
                  (i, r["ruleIndex"], rules[r["ruleIndex"]]["id"], r["ruleId"]))
            bad += 1
        for loc in r["locations"]:
            reg = loc["physicalLocation"].get("region")
            if reg and (reg["startLine"] < 1 or reg["startColumn"] < 1):
                print("sarif: result %d: region %r" % (i, reg))
                bad += 1
        for fx in r.get("fixes", []):
            for ch in fx["artifactChanges"]:
                if ch["replacements"][0]["deletedRegion"]["byteOffset"] != 0:
                    print("sarif: result %d: fix is not a whole file" % i)
                    bad += 1
    new = sum(1 for r in results if r.get("baselineState") == "new")
    supp = sum(1 for r in results if r.get("suppressions"))
    got = {"--results": len(results), "--new": new, "--suppressed": supp}
    for k, n in want.items():
        if got[k] != int(n):
            print("sarif: %s: %d, expected %s" % (k[2:], got[k], n))
            bad += 1
    if bad:
        sys.exit(1)
    print("sarif: ok: %d results (%d new, %d suppressed), %d rules" %
          (len(results), new, supp, len(rules)))


main()
