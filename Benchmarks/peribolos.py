#!/usr/bin/env python3
"""Convert real peribolos org configs (Kubernetes, Knative, Istio; ../shared/corpus) into rolecall manifests.

usage: peribolos.py CORPUS_DIR OUTDIR
Every *.yaml under CORPUS_DIR becomes rolecall documents: a file with `orgs:` names its orgs; any other
file (org.yaml, teams.yaml, members.yaml) belongs to the folder under config/ (kubernetes-org) or to the
corpus itself (istio, knative):
  - a GitHub org becomes an org with the custom catalog: org roles admin/member, repo (app) roles
    admin/maintain/write/triage/read;
  - logins become members login@users.noreply.github.com (logins compare case-insensitively);
  - repos named by teams become apps; teams keep their members (non-members of the org are added as
    members, as GitHub would require) and get a team role per repo permission.
"""
import os
import re
import sys

import yaml

REPO_ROLES = ["admin", "maintain", "write", "triage", "read"]


def slug(text):
    s = re.sub(r"[^a-z0-9-]+", "-", str(text).lower()).strip("-")
    s = re.sub(r"-+", "-", s)
    return (s or "x")[:63].strip("-") or "x"


def email(login):
    return f"{str(login).lower()}@users.noreply.github.com"


def walk_teams(teams, out):
    for name, team in (teams or {}).items():
        team = team or {}
        out.append((name, team))
        walk_teams(team.get("teams"), out)


def absorb(target, config):
    """Adds one org config's admins, members and (flattened) teams to target."""
    target["admins"].update(str(x).lower() for x in config.get("admins") or [])
    target["members"].update(str(x).lower() for x in config.get("members") or [])
    collected = []
    walk_teams(config.get("teams"), collected)
    for tname, t in collected:
        target["teams"][slug(tname)] = t


def main():
    corpus, outdir = sys.argv[1], sys.argv[2]
    orgs = {}  # slug -> {"admins": set, "members": set, "teams": {}, "repos": set}

    def org(name):
        return orgs.setdefault(slug(name), {"admins": set(), "members": set(), "teams": {}, "repos": set()})

    for root, _, files in os.walk(corpus):
        for f in sorted(files):
            if not f.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(root, f)
            with open(path) as fh:
                data = yaml.safe_load(fh) or {}
            if not isinstance(data, dict):
                continue
            for name, o in (data.get("orgs") or {}).items():
                absorb(org(name), o)
            if "orgs" not in data:
                # One org's file: the org is the folder under config/ (kubernetes-org) or the corpus name.
                parts = os.path.relpath(path, corpus).split(os.sep)
                name = parts[1] if parts[0] == "config" and len(parts) > 2 else os.path.basename(os.path.normpath(corpus))
                absorb(org(name), data)

    os.makedirs(outdir, exist_ok=True)
    total = 0
    written = 0
    for name, o in sorted(orgs.items()):
        people = {}
        for login in o["members"]:
            people[login] = "member"
        for login in o["admins"]:
            people[login] = "admin"
        teams = {}
        for tname, t in sorted(o["teams"].items()):
            members = {str(x).lower() for x in (t.get("members") or []) + (t.get("maintainers") or [])}
            for login in members:
                people.setdefault(login, "member")
            repos = {slug(r): p for r, p in (t.get("repos") or {}).items() if p in REPO_ROLES}
            o["repos"].update(repos)
            teams[tname] = (t.get("description") or "", sorted(members), repos)
        if not people:
            continue
        if not any(r == "admin" for r in people.values()):
            people[sorted(people)[0]] = "admin"
        total += len(people)
        written += 1
        with open(os.path.join(outdir, f"{name}.yaml"), "w") as out:
            out.write(f"org: {name}\nsettings:\n  catalog: custom\nroles:\n")
            out.write("  - {name: admin, scope: org, permissions: [org.admin]}\n  - {name: member, scope: org, permissions: [org.read]}\n")
            for r in REPO_ROLES:
                out.write(f"  - {{name: repo-{r}, scope: app, permissions: [repo.{r}]}}\n")
            if o["repos"]:
                out.write("apps:\n")
                for repo in sorted(o["repos"]):
                    out.write(f"  - name: {repo}\n")
            out.write("members:\n")
            for login in sorted(people):
                out.write(f"  - {{email: {email(login)}, role: {people[login]}}}\n")
            if teams:
                out.write("teams:\n")
                for tname, (desc, members, repos) in teams.items():
                    out.write(f"  - name: {tname}\n")
                    if desc:
                        out.write(f"    description: {yaml.safe_dump(str(desc), default_style=chr(34)).strip()}\n")
                    if members:
                        out.write("    members:\n")
                        for login in members:
                            out.write(f"      - {email(login)}\n")
                    if repos:
                        out.write("    roles:\n")
                        for repo, perm in sorted(repos.items()):
                            out.write(f"      - {{role: repo-{perm}, app: {repo}}}\n")
    print(f"{outdir}: {written} orgs, {total} memberships")


if __name__ == "__main__":
    main()
