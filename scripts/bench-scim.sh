#!/usr/bin/env bash
# SCIM apply benchmark (called by `scripts/bench.sh scim`): a 2,000-member org (no teams, two org
# roles) applied into an empty scim2-server store, against a minimal reference client in the same run
# (Benchmarks/scim_reference.py: 2,000 user creates plus one group create per role with its members),
# once one request at a time and once through /Bulk. Rates are members per second, best of ROUNDS;
# the ratio is rolecall's rate over the reference's, measured side by side.
#   scripts/bench-scim.sh [MEMBERS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-2000}
rounds=${2:-3}
work=${BENCH_DIR:-/tmp/rolecall-bench-scim}
rm -rf "$work"; mkdir -p "$work"
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml
# BENCH_BIN: a rolecall binary already built (e.g. .build/debug/rolecall), else a release build.
if [ -n "${BENCH_BIN:-}" ]; then bin=$BENCH_BIN; else
  swift build -c release --static-swift-stdlib --product rolecall >/dev/null
  bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/rolecall
fi
if [ -z "${ROLECALL_TEST_SCIM_URL:-}" ]; then
  eval "$(bash scripts/scim-servers.sh start)"
  trap 'bash scripts/scim-servers.sh stop' EXIT
fi
export BENCH_TOKEN="$ROLECALL_TEST_SCIM_TOKEN"

org() { # DIR BULK
  mkdir -p "$1"
  python3 - "$1/org.yaml" "$members" "$2" <<'PY'
import sys
path, n, bulk = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = ["org: bench", "settings:", "  catalog: custom", "  target:", "    type: scim", "    url_env: BENCH_URL",
       "    token_env: BENCH_TOKEN", f"    bulk: {bulk}", "roles:", "  - {name: member, scope: org, permissions: [read]}",
       "  - {name: admin, scope: org, permissions: [read, write]}", "members:"]
out += [f"  - {{email: user{i}@bench.example, name: User {i}, role: {'admin' if i % 100 == 0 else 'member'}}}" for i in range(n)]
open(path, "w").write("\n".join(out) + "\n")
PY
}
org "$work/one" false
org "$work/bulk" true

best() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
declare -A times
for round in $(seq 1 "$rounds"); do
  for mode in one bulk; do
    url="$ROLECALL_TEST_SCIM_URL/r$round$mode$RANDOM/v2"
    start=$(date +%s.%N)
    BENCH_URL="$url" "$bin" apply "$work/$mode" --state "$work/$mode-$round.json" --audit-log /dev/null --auto-approve >/dev/null
    end=$(date +%s.%N)
    times[rolecall-$mode]+=" $(python3 -c "print($end - $start)")"
    ref=$(python3 Benchmarks/scim_reference.py "$ROLECALL_TEST_SCIM_URL/q$round$mode$RANDOM/v2" "$BENCH_TOKEN" "$work/$mode/org.yaml" "$mode")
    times[reference-$mode]+=" $ref"
  done
done
printf '%-24s %10s %12s %8s\n' "apply of $members members" seconds "members/s" ratio
for mode in one bulk; do
  r=$(best ${times[rolecall-$mode]}); q=$(best ${times[reference-$mode]})
  python3 - "$mode" "$r" "$q" "$members" <<'PY'
import sys
mode, r, q, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
label = "one by one" if mode == "one" else "/Bulk"
print(f"{'reference, ' + label:<24} {q:10.2f} {n / q:12.0f} {'':>8}")
print(f"{'rolecall, ' + label:<24} {r:10.2f} {n / r:12.0f} {q / r:8.2f}")
PY
done
