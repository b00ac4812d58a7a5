#!/usr/bin/env bash
# Test SCIM servers for rolecall's end-to-end tests, on 127.0.0.1 only:
#   scim2-server 0.8.3 (in memory, --dynamic-tenants: each test uses its own /NAME/v2 store) and
#   django-scim2 0.23.0 (sqlite, with the glue in Tests/Support/django-scim/), both from PyPI in
#   .venv-scim/, each on a free port.
#   bash scripts/scim-servers.sh start   # prints `export ROLECALL_TEST_SCIM_URL=... ...` for eval
#   bash scripts/scim-servers.sh stop
# State (pids, logs, the sqlite file) lives in .scim-servers/ (ignored by git).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-scim"
run="$root/.scim-servers"
py="${PYTHON:-python3}"

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_for() { # url token
  for _ in $(seq 1 100); do
    if curl -fsS --max-time 2 -o /dev/null -H "Authorization: Bearer $2" "$1/ServiceProviderConfig" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "scim-servers: $1 did not come up (logs in $run)" >&2
  return 1
}

start() {
  if [ ! -x "$venv/bin/scim2-server" ] || [ ! -f "$venv/lib/django-scim-0.23.0" ]; then
    "$py" -m venv "$venv" >&2
    "$venv/bin/pip" install -q scim2-server==0.8.3 django-scim2==0.23.0 >&2
    touch "$venv/lib/django-scim-0.23.0"
  fi
  stop >/dev/null 2>&1 || true
  mkdir -p "$run"
  local token port1 port2
  token="test-$("$py" -c 'import secrets; print(secrets.token_hex(16))')"
  port1=$(free_port)
  # SIGINT is ignored in background jobs of a script: restore it, and stop with SIGTERM anyway.
  (trap - INT; exec "$venv/bin/scim2-server" --hostname 127.0.0.1 --port "$port1" --bearer-token "$token" --dynamic-tenants \
      >"$run/scim2-server.log" 2>&1) &
  echo $! >"$run/scim2-server.pid"
  port2=$(free_port)
  rm -f "$run/django.sqlite3"
  export SCIM_TOKEN="$token" SCIM_DJANGO_DB="$run/django.sqlite3"
  (cd "$root/Tests/Support/django-scim" && "$venv/bin/python" manage.py migrate --run-syncdb -v 0) >"$run/django.log" 2>&1
  (trap - INT; cd "$root/Tests/Support/django-scim" && exec "$venv/bin/python" manage.py runserver --noreload "127.0.0.1:$port2" \
      >>"$run/django.log" 2>&1) &
  echo $! >"$run/django.pid"
  wait_for "http://127.0.0.1:$port1/probe/v2" "$token"
  wait_for "http://127.0.0.1:$port2/scim/v2" "$token"
  echo "export ROLECALL_TEST_SCIM_URL=http://127.0.0.1:$port1 ROLECALL_TEST_DJANGO_SCIM_URL=http://127.0.0.1:$port2/scim/v2 ROLECALL_TEST_SCIM_TOKEN=$token"
}

stop() {
  for name in scim2-server django; do
    if [ -f "$run/$name.pid" ]; then
      kill -TERM "$(cat "$run/$name.pid")" 2>/dev/null || true
      rm -f "$run/$name.pid"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
