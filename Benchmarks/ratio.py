#!/usr/bin/env python3
"""ratio.py ROUNDS FLOOR_CMD... -- CMD...: CMD's time as a multiple of FLOOR_CMD's, measured alternately.

Each round runs the floor, the command, and the floor again, and divides the command's wall time by
the faster of the two floors around it: noise that comes and goes over seconds (seen on a shared
machine: the same build's no-op plan took 0.51 s and 0.76 s half an hour apart, while the floor's
median moved by under 10%) then falls on both sides of the ratio. Prints the median of the
per-round ratios, their range, and the median times."""
import statistics
import subprocess
import sys
import time


def wall(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    rounds = int(sys.argv[1])
    split = sys.argv.index("--")
    floor_cmd, cmd = sys.argv[2:split], sys.argv[split + 1:]
    floors, times, ratios = [], [], []
    for _ in range(rounds):
        before = wall(floor_cmd)
        took = wall(cmd)
        floor = min(before, wall(floor_cmd))
        floors.append(floor)
        times.append(took)
        ratios.append(took / floor)
    print(f"{rounds} rounds: median {statistics.median(ratios):.2f}x the floor (range {min(ratios):.2f}-{max(ratios):.2f}); "
          f"median {statistics.median(times):.3f} s against a floor of {statistics.median(floors):.3f} s")


if __name__ == "__main__":
    main()
