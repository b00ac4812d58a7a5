#!/usr/bin/env bash
# Times `rolecall validate` on generated orgs against the floor: a C program that only scans the
# same manifests with libyaml's event API. Prints the best of 3 runs (wall seconds), peak RSS and
# the ratio to the floor measured in the same run.
# usage: scripts/bench.sh [SIZE...]   (default: 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(1000 10000 100000); fi
work=${BENCH_DIR:-/tmp/rolecall-bench}
mkdir -p "$work"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
swift build -c release --product rolecall >/dev/null
bin=$(swift build -c release --show-bin-path)/rolecall
cc -O2 -o "$work/scan" Benchmarks/scan.c $(pkg-config --cflags --libs yaml-0.1)

# measure CMD... -> "best_seconds peak_rss_kib" over 3 runs
measure() {
  local runs=()
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || true
    runs+=("$(tail -1 "$work/time")")
  done
  printf '%s\n' "${runs[@]}" | sort -n | head -1
}

printf '%-8s %-14s %9s %9s %7s\n' members step seconds "RSS MiB" ratio
for n in "${sizes[@]}"; do
  dir="$work/org-$n"
  [ -f "$dir/grants.yaml" ] || python3 Benchmarks/generate.py "$n" "$dir"
  read -r floor frss < <(measure "$work/scan" "$dir"/*.yaml)
  read -r val vrss < <(measure "$bin" validate "$dir" --now 2026-11-23T12:00:00Z)
  python3 - "$n" "$floor" "$frss" "$val" "$vrss" <<'PY'
import sys
n, floor, frss, val, vrss = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print(f"{n:<8} {'libyaml scan':<14} {floor:9.2f} {frss/1024:9.1f} {1:7.2f}")
print(f"{n:<8} {'validate':<14} {val:9.2f} {vrss/1024:9.1f} {val/max(floor, 0.005):7.2f}")
PY
done
