#!/usr/bin/env python3
"""Generate a synthetic rolecall org: N members, teams of realistic sizes, grants with expiries.

usage: generate.py MEMBERS OUTDIR [--catalog logrocket|launchdarkly] [--seed 1]
Writes OUTDIR/org.yaml (settings, apps), OUTDIR/members.yaml, OUTDIR/teams.yaml, OUTDIR/grants.yaml.
Deterministic for a given seed. LaunchDarkly has no roles on apps (projects) and exactly one owner:
its members are writers, its teams and grants hold org roles (reader, writer), so that the
catalog's single-owner rule runs over the whole org.
"""
import argparse
import os
import random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("members", type=int)
    p.add_argument("outdir")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--catalog", choices=["logrocket", "launchdarkly"], default="logrocket")
    args = p.parse_args()
    rnd = random.Random(args.seed)
    n = args.members
    ld = args.catalog == "launchdarkly"
    os.makedirs(args.outdir, exist_ok=True)
    apps = ["production", "staging", "development"] + [f"service-{i}" for i in range(max(0, min(200, n // 500) - 3))]
    with open(os.path.join(args.outdir, "org.yaml"), "w") as f:
        f.write(f"org: bench\nsettings:\n  catalog: {args.catalog}\n  timezone: Europe/Berlin\napps:\n")
        for a in apps:
            f.write(f"  - name: {a}\n    visibility: {'public' if rnd.random() < 0.3 else 'private'}\n")
    emails = [f"user{i:06d}@example.com" for i in range(n)]
    with open(os.path.join(args.outdir, "members.yaml"), "w") as f:
        f.write("org: bench\nmembers:\n")
        for i, e in enumerate(emails):
            role = "owner" if i == 0 else ("admin" if i % 50 == 0 else ("writer" if ld else "member"))
            f.write(f"  - email: {e}\n    name: User {i}\n    role: {role}\n")
            if i % 10 == 3:
                f.write(f"    expires: 2027-{1 + i % 12:02d}-{1 + i % 28:02d}\n    ticket: IAM-{i}\n")
            if i % 7 == 0:
                f.write("    sso: true\n")
    teams = max(1, min(2000, n // 50))
    with open(os.path.join(args.outdir, "teams.yaml"), "w") as f:
        f.write("org: bench\nteams:\n")
        for t in range(teams):
            size = min(n, int(rnd.paretovariate(1.2) * 5))
            f.write(f"  - name: team-{t}\n    description: Team {t}\n    members:\n")
            for e in sorted(set(rnd.sample(emails, size))):
                f.write(f"      - {e}\n")
            f.write("    roles:\n      - {role: reader}\n" if ld else f"    roles:\n      - {{role: viewer, app: {apps[t % len(apps)]}}}\n")
    with open(os.path.join(args.outdir, "grants.yaml"), "w") as f:
        f.write("org: bench\ngrants:\n")
        for i in range(0, n, 4):
            app = apps[i % len(apps)]
            if ld and i == 0:
                continue  # a direct role would replace the only owner's base role
            if ld:
                f.write(f"  - member: {emails[i]}\n    role: {'writer' if i % 3 == 0 else 'reader'}\n")
            else:
                f.write(f"  - member: {emails[i]}\n    role: {'admin' if i % 3 == 0 else 'member'}\n    app: {app}\n")
            if i % 8 == 0:
                f.write(f"    expires: 2027-06-{1 + i % 28:02d}\n    ticket: IAM-{i}\n    reason: Benchmark grant\n")


if __name__ == "__main__":
    main()
