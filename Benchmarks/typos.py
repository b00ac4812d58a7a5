#!/usr/bin/env python3
"""Writes an org of N members whose N grants each name a misspelled member (issue 13, item 11):
every grant is an error with a did-you-mean, the worst case for suggestions (names alike in length
and first letter).   python3 Benchmarks/typos.py N DIR"""
import os
import sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "org.yaml"), "w") as f:
    f.write("org: typos\nsettings: {catalog: logrocket}\napps: [{name: production}]\nmembers:\n")
    f.write("  - {email: owner@acme.io, role: owner}\n")
    for i in range(n):
        f.write(f"  - {{email: user-{i:06d}@acme.io, role: member}}\n")
    f.write("grants:\n")
    for i in range(n):
        f.write(f"  - {{member: usr-{i:06d}@acme.io, role: admin, app: production}}\n")
