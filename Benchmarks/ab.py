#!/usr/bin/env python3
"""ab.py RUNS NAME=BINARY... -- ARGS...: an A/B comparison of rolecall builds on one command.

Runs `BINARY ARGS...` for every build in turn, RUNS rounds, each round starting with the next build,
so that the machine's noise falls on all builds alike, and prints per build the fastest and the
median wall time, the median CPU time (user + system: what parallel threads add up to), the peak
RSS, and each as a ratio to the first build.
`{state}` in ARGS is replaced by a copy of the state file named by the environment variable AB_STATE,
made fresh for every run (so an apply always starts from the same state; without AB_STATE, from no
state); `{name}` in AB_STATE is the build's name, for builds whose state files differ.

    python3 Benchmarks/ab.py 11 head=.build/release/rolecall old=/tmp/old/rolecall -- \\
        plan /tmp/rolecall-bench/org-100000 --state /tmp/rolecall-bench/synthetic-100000.state.json --now 2026-11-23T12:00:00Z
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    runs = int(sys.argv[1])
    split = sys.argv.index("--")
    builds = [arg.split("=", 1) for arg in sys.argv[2:split]]
    args = sys.argv[split + 1:]
    samples = {name: [] for name, _ in builds}
    with tempfile.TemporaryDirectory() as scratch:
        report = os.path.join(scratch, "time")
        state = os.path.join(scratch, "state.json")
        for round in range(runs):
            # Each round starts with the next build: where a build runs in the round matters. With
            # the same order every round, one binary named twice came out 0.95x and 0.946x for the
            # second name (20 rounds each, 2026-12-02); rotated, 0.995x.
            shift = round % len(builds)
            for name, binary in builds[shift:] + builds[:shift]:
                for leftover in (state, state + ".backup", state + ".lock"):
                    if os.path.exists(leftover):
                        os.remove(leftover)
                if os.environ.get("AB_STATE"):
                    shutil.copyfile(os.environ["AB_STATE"].replace("{name}", name), state)
                command = [binary] + [a.replace("{state}", state) for a in args]
                start = time.perf_counter()
                subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", report] + command,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wall = time.perf_counter() - start
                with open(report) as f:
                    user, system, rss = f.read().split()[-3:]
                samples[name].append((wall, float(user) + float(system), int(rss)))
    rows = []
    for name, _ in builds:
        walls = [s[0] for s in samples[name]]
        cpus = [s[1] for s in samples[name]]
        rows.append((name, min(walls), statistics.median(walls), statistics.median(cpus),
                     max(s[2] for s in samples[name]) / 1024))
    base = rows[0]
    print(f"{'build':<14} {'best s':>8} {'median s':>9} {'x':>6} {'cpu s':>7} {'x':>6} {'RSS MiB':>8}")
    for name, best, median, cpu, rss in rows:
        print(f"{name:<14} {best:8.3f} {median:9.3f} {median / base[2]:6.3f} {cpu:7.3f} {cpu / base[3]:6.3f} {rss:8.1f}")


if __name__ == "__main__":
    main()
