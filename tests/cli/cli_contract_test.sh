#!/usr/bin/env bash
# The command-line contract: exit statuses, JSON report, --trace-dir, bad input.
# Usage: cli_contract_test.sh MPCHECK_BINARY EXAMPLES_DIR
set -u
mpcheck=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
expect() {  # expect STATUS DESCRIPTION -- COMMAND...
    local want=$1 what=$2
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/out" "$tmp/err"
        failures=$((failures + 1))
    else
        echo "ok: $what"
    fi
}
expect 1 "seed deadlock is a violation" -- "$mpcheck" check "$examples/seed.py"
grep -q "seed.py:15:5: deadlock:" "$tmp/out" || { echo "FAIL: diagnostic line"; cat "$tmp/out"; failures=$((failures + 1)); }
expect 0 "fixed seed is ok" -- "$mpcheck" check "$examples/seed_fixed.py"
expect 3 "a state bound gives inconclusive" -- "$mpcheck" check "$examples/seed_fixed.py" --max-states 3
expect 1 "json report" -- "$mpcheck" check "$examples/seed.py" --format json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["verdict"]=="violation" and r["violations"][0]["property"]=="deadlock" and r["violations"][0]["location"]["line"]==15, r' "$tmp/out" \
    || { echo "FAIL: json content"; failures=$((failures + 1)); }
expect 1 "trace dir" -- "$mpcheck" check "$examples/seed.py" --trace-dir "$tmp/traces"
[ -s "$tmp/traces/seed.deadlock.txt" ] && [ -s "$tmp/traces/seed.deadlock.json" ] \
    || { echo "FAIL: trace files"; failures=$((failures + 1)); }
printf 'import socket\n' >"$tmp/bad.py"
expect 2 "unsupported construct" -- "$mpcheck" check "$tmp/bad.py"
grep -q "bad.py:1:" "$tmp/out" || { echo "FAIL: unsupported diagnostic location"; cat "$tmp/out"; failures=$((failures + 1)); }
printf 'def f(:\n' >"$tmp/syntax.py"
expect 2 "syntax error" -- "$mpcheck" check "$tmp/syntax.py"
expect 2 "missing file" -- "$mpcheck" check "$tmp/missing.py"
expect 2 "bad option" -- "$mpcheck" check "$examples/seed.py" --format xml
expect 0 "help" -- "$mpcheck" check --help
grep -q -- "--max-states" "$tmp/out" || { echo "FAIL: help lists options"; failures=$((failures + 1)); }
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
