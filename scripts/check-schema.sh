#!/usr/bin/env bash
# Checks rolecall's JSON Schema for manifests (schema/manifest.schema.json):
#   (a) the schema itself is valid against its metaschema (JSON Schema draft 2020-12);
#   (b) every examples/**/*.yaml|*.yml file validates against it, document by document, and its
#       first line points yaml-language-server at the schema;
#   (c) every Tests/Fixtures/validate/*/ folder holding a marker file SCHEMA_REJECTS has at least
#       one YAML file that the schema rejects (the rest of such a fixture is rolecall's business).
# Prints one line per check and a closing "N passed, N failed"; exits 1 on any failure.
#
# Runs from anywhere: `bash scripts/check-schema.sh`. Needs python3; installs check-jsonschema
# (and with it ruamel.yaml) with pip when it is missing. PYTHON=/path/to/python overrides python3.
#
# Why documents go through a small converter first: check-jsonschema reads a YAML file as exactly
# one document ("expected a single document in the stream" on a file with ---), while a manifest
# file may hold several. So each document is written out as JSON and checked on its own. The
# converter reads YAML the way check-jsonschema and yaml-language-server do (YAML 1.2 core
# schema), except that timestamps stay the strings they were written as: an unquoted
# `expires: 2027-07-15` is the string "2027-07-15" for the schema's pattern, as in rolecall and in
# editors, never a date object (which JSON cannot hold) nor a reformatted ISO string. Empty
# documents (only comments, or a stray ---) are skipped, as rolecall skips them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

schema="schema/manifest.schema.json"
py="${PYTHON:-python3}"
passed=0
failed=0

pass() { passed=$((passed + 1)); printf 'ok    %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
indent() { sed 's/^/        /'; }

if ! "$py" -c 'import check_jsonschema, ruamel.yaml' >/dev/null 2>&1; then
  echo "check-jsonschema is missing: installing it with pip"
  "$py" -m pip install --quiet check-jsonschema \
    || "$py" -m pip install --quiet --user --break-system-packages check-jsonschema
fi
# Run it as a module of the same interpreter that has ruamel.yaml, whatever is on PATH.
cj() { "$py" -m check_jsonschema "$@"; }
echo "using $(cj --version 2>&1 | head -n 1)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# YAML files -> one JSON file per non-empty document: $tmp/docs/N/doc-K.json for the N-th path
# given (from 1) and its K-th document (from 1, counting empty ones). Prints one line per path:
# "N<TAB>ok<TAB>documents written" or "N<TAB>unreadable<TAB>why".
cat >"$tmp/yaml2json.py" <<'PY'
import datetime, json, os, sys

import ruamel.yaml

def loader(pure):
    yaml = ruamel.yaml.YAML(typ="safe", pure=pure)
    # A private constructor class: ruamel keeps constructors in class-level tables.
    class Constructor(ruamel.yaml.SafeConstructor):
        pass
    yaml.Constructor = Constructor
    # Timestamps (2027-07-15, 2027-07-15T17:00:00Z) stay the strings they were written as.
    yaml.constructor.yaml_constructors["tag:yaml.org,2002:timestamp"] = \
        yaml.constructor.yaml_constructors["tag:yaml.org,2002:str"]
    return yaml

def jsonable(value, where):
    if isinstance(value, dict):
        return {str(k): jsonable(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v, where) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime, bytes, set)):
        raise ValueError(f"{where}: YAML value {value!r} has no JSON form")
    return value

out = sys.argv[1]
for n, path in enumerate(sys.argv[2:], start=1):
    folder = os.path.join(out, str(n))
    os.makedirs(folder)
    try:
        with open(path, "rb") as f:
            data = f.read()
        try:
            documents = list(loader(False).load_all(data))
        except ruamel.yaml.YAMLError:
            documents = list(loader(True).load_all(data))  # the pure-Python parser, as check-jsonschema falls back
        written = 0
        for k, doc in enumerate(documents, start=1):
            if doc is None:
                continue
            with open(os.path.join(folder, f"doc-{k}.json"), "w") as f:
                json.dump(jsonable(doc, f"document {k}"), f)
            written += 1
        print(f"{n}\tok\t{written}")
    except Exception as e:  # unreadable YAML, bad encoding, ...: report, never crash
        why = " ".join(str(e).split()) or type(e).__name__
        print(f"{n}\tunreadable\t{type(e).__name__}: {why}")
PY

# convert FILE...: fills the arrays status[] and detail[] (index = position from 1).
declare -a status detail
convert() {
  status=() detail=()
  rm -rf "$tmp/docs" && mkdir -p "$tmp/docs"
  local n st info
  while IFS=$'\t' read -r n st info; do
    status[n]="$st"
    detail[n]="$info"
  done < <("$py" "$tmp/yaml2json.py" "$tmp/docs" "$@")
}

# check_docs N: validates the documents of the N-th converted file against the schema and sets
# $report to what check-jsonschema said (paths shown as "document K"). Returns 0 when every
# document is valid, 1 when the schema rejects one, 2 when check-jsonschema failed otherwise
# (bad schema, crash), so that a broken tool never counts as a rejection.
check_docs() {
  local folder="$tmp/docs/$1" rc=0 raw
  report=""
  local docs=("$folder"/doc-*.json)
  [ -e "${docs[0]}" ] || return 0
  raw="$(cj --schemafile "$schema" "${docs[@]}" 2>&1)" || rc=$?
  report="$(printf '%s\n' "$raw" | sed -e "s#$folder/doc-\([0-9]*\)\.json::#document \1: #g" \
    -e '/^Schema validation errors were encountered\.$/d' -e '/^ok -- validation done$/d' -e 's/^ *//')"
  [ "$rc" -eq 0 ] && return 0
  grep -q '^Schema validation errors were encountered\.$' <<<"$raw" && return 1
  report="check-jsonschema failed (exit $rc): $report"
  return 2
}

# yaml_files DIR: the *.yaml and *.yml files under DIR, hidden ones skipped, sorted.
yaml_files() {
  find "$1" -name '.?*' -prune -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print | LC_ALL=C sort
}

echo
echo "== (a) the schema against its metaschema"
if out="$(cj --check-metaschema "$schema" 2>&1)"; then
  # shellcheck disable=SC2016 # a literal $schema in the sed expression
  pass "$schema is a valid JSON Schema ($(sed -n 's/.*"\$schema": *"\([^"]*\)".*/\1/p' "$schema" | head -n 1))"
else
  fail "$schema is not a valid JSON Schema"
  printf '%s\n' "$out" | indent
fi

echo
echo "== (b) examples validate against the schema"
# examples/github-actions/ holds workflows to copy, not manifests (scripts/lint-workflows.sh checks them).
mapfile -t examples < <(yaml_files examples | grep -v '^examples/github-actions/')
if [ ${#examples[@]} -eq 0 ]; then
  fail "no *.yaml or *.yml files under examples/"
else
  convert "${examples[@]}"
  for i in "${!examples[@]}"; do
    n=$((i + 1)) file="${examples[i]}"
    # The first line must point yaml-language-server at this schema, by a path that resolves.
    first="$(head -n 1 "$file" | tr -d '\r' | sed 's/^\xEF\xBB\xBF//')"
    # shellcheck disable=SC2016 # a literal $schema in the sed expression
    target="$(printf '%s' "$first" | sed -n 's/^# yaml-language-server: \$schema=\(.*\)$/\1/p')"
    if [ -z "$target" ] || [ "$(cd "$(dirname "$file")" && realpath -m "$target")" != "$root/$schema" ]; then
      fail "$file: first line must be '# yaml-language-server: \$schema=<relative path to $schema>', found '$first'"
      continue
    fi
    if [ "${status[n]:-}" != ok ]; then
      fail "$file: cannot be read as YAML"
      printf '%s\n' "${detail[n]:-converter printed nothing}" | indent
      continue
    fi
    verdict=0
    check_docs "$n" || verdict=$?
    if [ "$verdict" -eq 0 ]; then
      pass "$file (${detail[n]} document$([ "${detail[n]}" = 1 ] || echo s))"
    else
      fail "$file is rejected by the schema"
      printf '%s\n' "$report" | indent
    fi
  done
fi

echo
echo "== (c) fixtures marked SCHEMA_REJECTS are rejected by the schema"
mapfile -t marked < <(find Tests/Fixtures/validate -mindepth 2 -maxdepth 2 -type f -name SCHEMA_REJECTS 2>/dev/null \
  | LC_ALL=C sort | xargs -r -n 1 dirname)
if [ ${#marked[@]} -eq 0 ]; then
  echo "(no fixture folder holds a SCHEMA_REJECTS marker)"
fi
for dir in "${marked[@]}"; do
  mapfile -t files < <(yaml_files "$dir")
  if [ ${#files[@]} -eq 0 ]; then
    fail "$dir/: marked SCHEMA_REJECTS but holds no YAML file"
    continue
  fi
  convert "${files[@]}"
  rejected=() notes=() broken=0
  for i in "${!files[@]}"; do
    n=$((i + 1)) name="${files[i]#"$dir"/}"
    if [ "${status[n]:-}" != ok ]; then
      # Unreadable YAML is rolecall's reader's business, not a rejection by the schema.
      notes+=("$name: not readable as YAML, so not a schema rejection: ${detail[n]:-}")
      continue
    fi
    verdict=0
    check_docs "$n" || verdict=$?
    case "$verdict" in
      0) notes+=("$name: accepted") ;;
      1) rejected+=("$name"); notes+=("$name: $(printf '%s\n' "$report" | head -n 1)") ;;
      *) broken=1; notes+=("$name: $report") ;;
    esac
  done
  if [ "$broken" -ne 0 ]; then
    fail "$dir/: check-jsonschema failed"
  elif [ ${#rejected[@]} -gt 0 ]; then
    pass "$dir/: the schema rejects ${rejected[*]}"
  else
    fail "$dir/ is marked SCHEMA_REJECTS but the schema accepts all of it"
  fi
  printf '%s\n' "${notes[@]}" | indent
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
