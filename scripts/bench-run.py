#!/usr/bin/env python3
"""Times a command several times, the way scripts/bench needs it.

    bench-run.py --runs N [--warmup W] [--prepare CMD] [--cwd DIR] -- COMMAND [ARG...]
    bench-run.py --runs N [--warmup W] --interleave SPEC.json

The second form times several commands against each other: SPEC is a JSON list of
{"key": NAME, "command": [ARG...], "prepare": CMD (optional)}, and each round runs every
command once, in order, so that a machine whose speed drifts (a shared 2-core VM) slows them
all alike and their ratios stay fair. It prints one JSON object: {NAME: result, ...}.

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


class Timing:
    """The runs of one command."""

    def __init__(self, command, prepare=None, cwd=None):
        self.command, self.prepare, self.cwd = command, prepare, cwd
        self.walls, self.cpus, self.rss, self.statuses = [], [], [], set()

    def run(self, record=True):
        if self.prepare:
            subprocess.run(self.prepare, shell=True, check=True, cwd=self.cwd)
        with open(os.devnull, "wb") as devnull:
            start = time.perf_counter()
            process = subprocess.Popen(self.command, stdout=devnull, stderr=devnull, cwd=self.cwd)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
        if record:
            self.walls.append(wall)
            self.cpus.append(usage.ru_utime + usage.ru_stime)
            self.rss.append(usage.ru_maxrss)
            self.statuses.add(os.waitstatus_to_exitcode(status))

    def result(self):
        peak = max(self.rss)
        if os.path.exists("/usr/bin/time"):
            if self.prepare:
                subprocess.run(self.prepare, shell=True, check=True, cwd=self.cwd)
            with tempfile.NamedTemporaryFile("r") as out, open(os.devnull, "wb") as devnull:
                subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + self.command, stdout=devnull,
                               stderr=devnull, cwd=self.cwd)
                peak = int(out.read().strip().splitlines()[-1])
        return {"runs": len(self.walls), "wall": summary(self.walls), "cpu": summary(self.cpus), "maxrss_kb": peak,
                "statuses": sorted(self.statuses)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--prepare")
    parser.add_argument("--cwd")
    parser.add_argument("--interleave")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.interleave:
        with open(args.interleave) as spec:
            timings = {item["key"]: Timing(item["command"], item.get("prepare"), args.cwd) for item in json.load(spec)}
    else:
        command = args.command[1:] if args.command and args.command[0] == "--" else args.command
        timings = {"": Timing(command, args.prepare, args.cwd)}
    for index in range(args.warmup + args.runs):
        for timing in timings.values():
            timing.run(record=index >= args.warmup)
    results = {key: timing.result() for key, timing in timings.items()}
    print(json.dumps(results if args.interleave else results[""]))


if __name__ == "__main__":
    main()
