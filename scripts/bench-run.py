#!/usr/bin/env python3
"""Times a command several times, the way scripts/bench needs it.

    bench-run.py --runs N [--warmup W] [--prepare CMD] [--cwd DIR] -- COMMAND [ARG...]

Runs COMMAND (no shell) N times after W warm-up runs; before each run, CMD (a shell command)
when given, not timed. Measures each run's wall time and the CPU time (user + system) of the
command from wait4's rusage, and its peak RSS. Any exit status is accepted (--check exits 1
by design); the statuses seen are reported. Peak RSS comes from one more run under
/usr/bin/time (wait4's ru_maxrss of a child of Python counts Python's own pages from before the
exec). Prints one JSON object:
{"runs", "wall": {"min","median","mean","max"}, "cpu": {...}, "maxrss_kb", "statuses"} (seconds).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time


def summary(values):
    return {"min": min(values), "median": statistics.median(values), "mean": statistics.fmean(values),
            "max": max(values)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--prepare")
    parser.add_argument("--cwd")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command
    walls, cpus, rss, statuses = [], [], [], set()
    devnull = open(os.devnull, "wb")
    for index in range(args.warmup + args.runs):
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True, cwd=args.cwd)
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=devnull, stderr=devnull, cwd=args.cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if index < args.warmup:
            continue
        walls.append(wall)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss)
        statuses.add(process.returncode)
    peak = max(rss)
    if os.path.exists("/usr/bin/time"):
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True, cwd=args.cwd)
        with tempfile.NamedTemporaryFile("r") as out:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + command, stdout=devnull, stderr=devnull,
                           cwd=args.cwd)
            peak = int(out.read().strip().splitlines()[-1])
    print(json.dumps({"runs": args.runs, "wall": summary(walls), "cpu": summary(cpus), "maxrss_kb": peak,
                      "statuses": sorted(statuses)}))


if __name__ == "__main__":
    main()
