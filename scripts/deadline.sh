#!/usr/bin/env bash
# Runs a command with a deadline of its own, well inside CI's 90 minutes. Past it, every process under
# the command is shown with each thread's stack (gdb, when installed; what the process had buffered for
# its output is flushed first), then all of them are killed and the script exits 124. A hung test
# process then says where it hung, instead of using up CI's time and losing its last output.
#   scripts/deadline.sh SECONDS COMMAND [ARG...]
set -uo pipefail
seconds=$1
shift

descendants() {
  local child
  for child in $(pgrep -P "$1"); do
    echo "$child"
    descendants "$child"
  done
}

"$@" &
pid=$!
start=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
  if (( SECONDS - start >= seconds )); then
    tree="$pid $(descendants "$pid")"
    echo >&2
    echo "deadline: '$*' still running after ${seconds}s; the stacks of the processes under it follow" >&2
    for p in $tree; do
      echo "--- pid $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-300)" >&2
      if command -v gdb >/dev/null 2>&1; then
        timeout 120 gdb -p "$p" -batch -iex 'set auto-load off' -ex 'call (int)fflush(0)' -ex 'thread apply all bt 30' 2>&1 |
          grep -E '^(Thread |#[0-9])' | head -600 >&2
      fi
    done
    kill -KILL $tree 2>/dev/null
    wait "$pid" 2>/dev/null
    exit 124
  fi
  sleep 1
done
wait "$pid"
