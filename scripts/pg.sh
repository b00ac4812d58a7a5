#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: `scripts/pg.sh start` installs Debian's postgresql when its server
# binaries are missing, creates a cluster in a temporary folder (trust auth, loopback only, fsync off) on a
# free port, and prints `export ROLECALL_TEST_PG_URL=...` (also written to .build/pg/env). `scripts/pg.sh
# stop` stops it and removes the folder. Usage in CI: `eval "$(bash scripts/pg.sh start)"`.
set -euo pipefail
cd "$(dirname "$0")/.."
state_dir=.build/pg
mkdir -p "$state_dir"

bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if [ -z "$(bin)" ] || [ ! -x "$(bin)/initdb" ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
  fi
  local pgbin dir port
  pgbin=$(bin)
  dir=$(mktemp -d /tmp/rolecall-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_postgres "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_postgres "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "$dir" > "$state_dir/dir"
  local url="postgres://postgres@127.0.0.1:$port/postgres"
  echo "export ROLECALL_TEST_PG_URL=$url" > "$state_dir/env"
  echo "export ROLECALL_TEST_PG_URL=$url"
}

stop() {
  [ -f "$state_dir/dir" ] || return 0
  local dir
  dir=$(cat "$state_dir/dir")
  as_postgres "$(bin)/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  rm -rf "$dir" "$state_dir/dir" "$state_dir/env"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/pg.sh start|stop" >&2; exit 2 ;;
esac
