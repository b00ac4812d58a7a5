#!/usr/bin/env python3
"""The minimal SCIM client the benchmark compares rolecall with: the fewest requests for the same
result as `rolecall apply` of an org of members with org roles and no teams (scripts/bench-scim.sh).

    scim_reference.py BASE_URL TOKEN MANIFEST.yaml one|bulk

one:  one POST /Users per member, then one POST /Groups per role with its members.
bulk: POST /Bulk with up to 1000 user creates each, then one POST /Groups per role.
Prints the seconds taken.
"""
import http.client
import json
import sys
import time
import urllib.parse

import yaml


def main():
    base, token, manifest, mode = sys.argv[1:5]
    url = urllib.parse.urlsplit(base)
    doc = yaml.safe_load(open(manifest))
    members = doc["members"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}

    def call(method, path, body):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        conn.request(method, url.path + path, body=json.dumps(body), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if resp.status >= 300:
            raise SystemExit(f"{method} {path}: {resp.status} {data[:200]!r}")
        return json.loads(data) if data else None

    def user(m):
        return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": m["email"].lower(),
                "displayName": m.get("name", m["email"]), "active": True,
                "emails": [{"value": m["email"].lower(), "primary": True}]}

    start = time.perf_counter()
    ids = {}
    if mode == "bulk":
        for chunk in range(0, len(members), 1000):
            part = members[chunk:chunk + 1000]
            ops = [{"method": "POST", "path": "/Users", "bulkId": f"u{i}", "data": user(m)} for i, m in enumerate(part)]
            answer = call("POST", "/Bulk", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops})
            for m, op in zip(part, answer["Operations"]):
                ids[m["email"].lower()] = op["location"].rstrip("/").rsplit("/", 1)[1]
    else:
        for m in members:
            ids[m["email"].lower()] = call("POST", "/Users", user(m))["id"]
    roles = {}
    for m in members:
        roles.setdefault(m["role"], []).append(ids[m["email"].lower()])
    for role, members_of in sorted(roles.items()):
        call("POST", "/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": f"role:{role}",
                                 "members": [{"value": i} for i in members_of]})
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
