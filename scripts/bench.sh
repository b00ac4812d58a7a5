#!/usr/bin/env bash
# Benchmarks rolecall against the floor: a C program that only scans the same manifests with
# libyaml's event API (Benchmarks/scan.c). For each org it times validate, plan from an empty state,
# apply (from empty), and a no-op plan against the matching state; best of 3 runs (wall seconds),
# peak RSS, and the ratio to the floor measured in the same run.
#   scripts/bench.sh [SIZE...]        synthetic orgs (default: 1000 10000 100000) + the real corpora
#   scripts/bench.sh typos            did-you-mean: validate with 500 and with 5,000 misspelled grant
#                                     members (as many members); near linear is about 10x, quadratic 100x
#   scripts/bench.sh pg [SIZE]        no-op plan with the state in PostgreSQL against a file, same run
#                                     (default 100000; starts a throwaway server with scripts/pg.sh)
#   scripts/bench.sh launchdarkly [SIZE...]  the same steps on synthetic LaunchDarkly orgs (default 100000)
#   scripts/bench.sh ratio [SIZE] [ROUNDS]   the no-op plan against the floor, run alternately
#                                     (Benchmarks/ratio.py; default 100000, 15 rounds)
#   ROLECALL_BIN=PATH scripts/bench.sh ...   measure that binary instead of building this checkout
# The binary measured is the one released (release.yml): a release build with the Swift runtime linked
# in (--static-swift-stdlib). Dynamically linked, the same code starts 5 ms later and, calling the
# runtime through the dynamic linker's tables, a no-op plan of the 100k org takes 1.06x the time.
# A/B comparisons of builds on one command, alternating runs: python3 Benchmarks/ab.py (see its header).
# Needs: a C compiler, libyaml-dev, python3 with PyYAML and GNU time (both installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
#   scripts/bench.sh scim [MEMBERS]   SCIM apply vs a minimal reference client (scripts/bench-scim.sh)
if [ "${1:-}" = scim ]; then shift; exec bash scripts/bench-scim.sh "$@"; fi
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(1000 10000 100000); fi
work=${BENCH_DIR:-/tmp/rolecall-bench}
mkdir -p "$work"
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
if [ -n "${ROLECALL_BIN:-}" ]; then
  bin=$ROLECALL_BIN   # another build to measure (e.g. an older commit's), with this checkout's scripts
else
  swift build -c release --static-swift-stdlib --product rolecall >/dev/null
  bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/rolecall
fi
cc -O2 -o "$work/scan" Benchmarks/scan.c $(pkg-config --cflags --libs yaml-0.1)
now=2026-11-23T12:00:00Z

# measure CMD... -> "best_seconds peak_rss_kib" over 3 runs
measure() { python3 Benchmarks/measure.py 3 "$@"; }

# No-op plan with the state in PostgreSQL vs in a file, measured alternately in one run.
bench_pg() {  # SIZE
  local n=$1 dir="$work/org-$1" state="$work/pg-$1.state.json"
  [ -f "$dir/grants.yaml" ] || python3 Benchmarks/generate.py "$n" "$dir"
  eval "$(bash scripts/pg.sh start)"
  trap 'bash scripts/pg.sh stop' EXIT
  local url="$ROLECALL_TEST_PG_URL?name=bench-$n"
  rm -f "$state" "$state.backup"
  "$bin" apply "$dir" --state "$state" --audit-log /dev/null --auto-approve --now $now >/dev/null
  "$bin" state push "$state" --state "$url" --force >/dev/null
  read -r file frss < <(measure "$bin" plan "$dir" --state "$state" --now $now)
  read -r pg pgrss < <(measure "$bin" plan "$dir" --state "$url" --now $now)
  read -r file2 _ < <(measure "$bin" plan "$dir" --state "$state" --now $now)
  file=$(python3 -c "print(min($file, $file2))")
  printf '%-22s %-24s %8s %9s %8s\n' org step seconds "RSS MiB" "x file"
  python3 - "$n" "$file" "$frss" "$pg" "$pgrss" <<'PY'
import sys
n, file, frss, pg, pgrss = sys.argv[1:]
for step, sec, rss in [("plan (no-op), file", file, frss), ("plan (no-op), postgres", pg, pgrss)]:
    print(f"synthetic-{n:<12} {step:<24} {float(sec):8.3f} {int(rss)/1024:9.1f} {float(sec)/float(file):8.2f}")
PY
}
if [ "${1:-}" = pg ]; then bench_pg "${2:-100000}"; exit 0; fi

# The no-op plan as a multiple of the floor, the two run alternately (less exposed to slow drift).
if [ "${1:-}" = ratio ]; then
  n=${2:-100000}
  dir="$work/org-$n" state="$work/ratio-$n.state.json"
  [ -f "$dir/grants.yaml" ] || python3 Benchmarks/generate.py "$n" "$dir"
  rm -f "$state" "$state.backup"
  "$bin" apply "$dir" --state "$state" --audit-log /dev/null --auto-approve --now $now >/dev/null 2>&1 ||
    { echo "bench: the apply that makes the state failed" >&2; exit 1; }
  printf 'synthetic-%s plan (no-op): ' "$n"
  python3 Benchmarks/ratio.py "${3:-15}" "$work/scan" $(find "$dir" -name '*.yaml' | sort) -- \
    "$bin" plan "$dir" --state "$state" --now $now
  exit 0
fi

bench() {  # NAME DIR
  local name=$1 dir=$2 state="$work/$1.state.json"
  read -r floor frss < <(measure "$work/scan" $(find "$dir" -name '*.yaml' | sort))
  read -r val vrss < <(measure "$bin" validate "$dir" --now $now)
  read -r pe perss < <(measure "$bin" plan "$dir" --state "$work/none.json" --now $now)
  read -r ap aprss < <(measure sh -c "rm -f '$state' '$state.backup'; '$bin' apply '$dir' --state '$state' --audit-log /dev/null --auto-approve --now $now")
  read -r np nprss < <(measure "$bin" plan "$dir" --state "$state" --now $now)
  # The floor again, after the steps: on a shared machine one burst of noise can slow all three
  # runs of a step, and a slow floor would flatter every ratio. The faster of the two is kept.
  read -r floor2 _ < <(measure "$work/scan" $(find "$dir" -name '*.yaml' | sort))
  floor=$(python3 -c "print(min($floor, $floor2))")
  python3 - "$name" "$floor" "$frss" "$val" "$vrss" "$pe" "$perss" "$ap" "$aprss" "$np" "$nprss" <<'PY'
import sys
name, *v = sys.argv[1:]
floor = float(v[0])
rows = [("libyaml scan", v[0], v[1]), ("validate", v[2], v[3]), ("plan (empty state)", v[4], v[5]),
        ("apply (from empty)", v[6], v[7]), ("plan (no-op)", v[8], v[9])]
for step, sec, rss in rows:
    print(f"{name:<22} {step:<20} {float(sec):8.3f} {int(rss)/1024:9.1f} {float(sec)/floor:8.1f}")
PY
}

# The same steps on synthetic LaunchDarkly orgs (its single-owner rule runs over every member).
if [ "${1:-}" = launchdarkly ]; then
  shift
  printf '%-22s %-20s %8s %9s %8s\n' org step seconds "RSS MiB" "x floor"
  for n in "${@:-100000}"; do
    dir="$work/launchdarkly-$n"
    [ -f "$dir/grants.yaml" ] || python3 Benchmarks/generate.py "$n" "$dir" --catalog launchdarkly
    bench "launchdarkly-$n" "$dir"
  done
  exit 0
fi

if [ "${1:-}" = typos ]; then
  printf '%-8s %8s %9s\n' typos seconds "RSS MiB"
  for n in 500 5000; do
    dir="$work/typos-$n"
    [ -f "$dir/org.yaml" ] || python3 Benchmarks/typos.py "$n" "$dir"
    read -r sec rss < <(measure "$bin" validate "$dir" --now $now)  # exit 1: every grant is an error
    printf '%-8s %8.3f %9.1f\n' "$n" "$sec" "$(python3 -c "print($rss/1024)")"
    eval "t$n=$sec"
  done
  python3 -c "print(f'5,000 typos / 500 typos: {$t5000 / $t500:.1f}x (near linear: about 10x)')"
  exit 0
fi
printf '%-22s %-20s %8s %9s %8s\n' org step seconds "RSS MiB" "x floor"
for n in "${sizes[@]}"; do
  dir="$work/org-$n"
  [ -f "$dir/grants.yaml" ] || python3 Benchmarks/generate.py "$n" "$dir"
  bench "synthetic-$n" "$dir"
done
for corpus in kubernetes-org knative-community istio-community; do
  src=${CORPUS_DIR:-../shared/corpus}/$corpus
  [ -d "$src" ] || continue
  dir="$work/$corpus"
  rm -rf "$dir" && python3 Benchmarks/peribolos.py "$src" "$dir" >/dev/null
  bench "$corpus" "$dir"
done
