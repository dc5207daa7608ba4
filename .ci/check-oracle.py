#!/usr/bin/env python3
"""Fails CI on any oracle verdict of `broken`, `touched-unneeded` or `silent-on-invalid`, and
when fewer files than asked are guarded.

usage: check-oracle.py REPORT.json [--min-guarded PERCENT]

"Guarded" counts the files the oracle says need the guard and push to a registry `aws` can ask
(`needs_guard` and `askable`).
"""
import argparse
import json
import os
import sys

BAD = {"broken", "touched-unneeded", "silent-on-invalid"}

parser = argparse.ArgumentParser()
parser.add_argument("report")
parser.add_argument("--min-guarded", type=float, default=0.0)
args = parser.parse_args()

records = json.load(open(args.report))

failures = []
for record in records:
    if record["verdict"] in BAD:
        problems = "; ".join(record.get("problems", []))[:400]
        failures.append("%s %s (%s) %s" % (record["verdict"], os.path.basename(record["file"]), record.get("kind", "?"), problems))

needs = [r for r in records if r.get("needs_guard") and r.get("askable")]
guarded = [r for r in needs if r["verdict"] == "rewritten"]
share = 100.0 * len(guarded) / len(needs) if needs else 100.0
print("oracle: %d files, %d bad; %d need the guard and push to ECR, %d guarded correctly (%.1f%%, at least %.0f%% asked)" % (
    len(records), len(failures), len(needs), len(guarded), share, args.min_guarded))
for record in needs:
    if record["verdict"] != "rewritten":
        print("not guarded: %s %s" % (record["verdict"], os.path.basename(record["file"])))
for failure in failures:
    print("FAIL " + failure)
if share < args.min_guarded:
    print("FAIL guarded %.1f%% < %.0f%%" % (share, args.min_guarded))
    sys.exit(1)
sys.exit(1 if failures else 0)
