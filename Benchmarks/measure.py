#!/usr/bin/env python3
"""measure.py RUNS CMD...: run CMD RUNS times; print the best wall time (seconds) and the peak RSS (KiB).

Peak RSS comes from GNU time (/usr/bin/time), which starts the command from a small process of its
own: a child forked from this interpreter would count the interpreter's memory too."""
import os
import subprocess
import sys
import tempfile
import time

runs = int(sys.argv[1])
cmd = sys.argv[2:]
best, peak = None, 0
with tempfile.NamedTemporaryFile() as report:
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        with open(report.name) as f:
            peak = max(peak, int(f.read().split()[-1]))
print(f"{best:.4f} {peak}")
