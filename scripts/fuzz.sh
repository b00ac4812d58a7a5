#!/usr/bin/env bash
# Fuzz the YAML reader, manifest validation, the planner and the state/plan codecs with libFuzzer
# (the Swift toolchain's clang runtime) and AddressSanitizer.
#   scripts/fuzz.sh [SECONDS]     default 60; runs on every core but one (at least one job)
# Seeds: examples and test fixtures. New interesting inputs go to .fuzz/corpus (not committed);
# crashes are written to .fuzz/artifacts and make the script fail. Replay one with:
#   swift run rolecall-fuzz .fuzz/artifacts/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
jobs=$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))
work=.fuzz
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
# Seeds: every manifest we have, flattened into one folder.
find examples Tests/Fixtures -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -256k -print0 |
  while IFS= read -r -d '' f; do cp "$f" "$work/seeds/$(echo "$f" | tr '/' '_')"; done

swift build -c release --scratch-path .build-fuzz --product rolecall-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >/dev/null
bin=$(swift build -c release --scratch-path .build-fuzz --show-bin-path)/rolecall-fuzz

echo "fuzzing for ${seconds}s with $jobs job(s)"
set +e
"$bin" "$work/corpus" "$work/seeds" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -jobs="$jobs" -workers="$jobs" -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/fuzz.log" 2>&1
status=$?
set -e
cat fuzz-*.log "$work/fuzz.log" 2>/dev/null | grep -E "stat::number_of_executed_units|Done [0-9]+ runs|ERROR|SUMMARY" | sort | uniq -c | head -20 || true
rm -f fuzz-*.log
# slow-unit-* files only say that an input took long (libFuzzer's -report_slow_units, 10 s; a loaded
# machine can do that to a seed): they are listed, not failures. Crashes, leaks, timeouts and OOMs fail.
crashes=$(find "$work/artifacts" -type f ! -name 'slow-unit-*' | wc -l)
slow=$(find "$work/artifacts" -type f -name 'slow-unit-*' | wc -l)
echo "corpus: $(find "$work/corpus" -type f | wc -l) inputs; artifacts: $crashes; slow units (not failures): $slow"
if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
  echo "fuzzing found a problem (exit $status); see $work/artifacts and $work/fuzz.log" >&2
  exit 1
fi
