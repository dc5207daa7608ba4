#!/usr/bin/env python3
"""Fails CI on any oracle verdict of `broken`, `touched-unneeded` or `silent-on-invalid`.

The only exceptions are the files in the limits list: each names the verdict it gets and the
reason, a command that behaves differently in the oracle's sandbox than in CodeBuild. A listed
file that gets any other bad verdict still fails.
"""
import csv
import json
import os
import sys

BAD = {"broken", "touched-unneeded", "silent-on-invalid"}

records = json.load(open(sys.argv[1]))
limits = {}
with open(sys.argv[2]) as f:
    for row in csv.reader(f, delimiter="\t"):
        if row and not row[0].startswith("#"):
            limits[row[0]] = set(row[1].split(","))

failures = []
for record in records:
    name = os.path.basename(record["file"])
    verdict = record["verdict"]
    if verdict in BAD and verdict not in limits.get(name, set()):
        failures.append("%s %s %s" % (verdict, name, "; ".join(record.get("problems", []))[:300]))
    elif verdict in BAD:
        print("known sandbox limit: %s %s" % (verdict, name))

needs = [r for r in records if r.get("needs_guard")]
guarded = [r for r in needs if r["verdict"] == "rewritten"]
print("oracle: %d files, %d need the guard, %d guarded correctly (%.1f%%)" % (
    len(records), len(needs), len(guarded), 100.0 * len(guarded) / max(1, len(needs))))
for failure in failures:
    print("FAIL " + failure)
sys.exit(1 if failures else 0)
