#!/usr/bin/env bash
# Several FILEs in one `mpcheck check`: each checked on its own, the combined exit status
# (2 > 1 > 3 > 0), the text and JSON forms, the --stats-json/--stats-csv files, unreadable
# files among readable ones, --quiet and '-', --progress, and what --help says about them.
# Usage: cli_several_files_test.sh MPCHECK_BINARY EXAMPLES_DIR
set -u
mpcheck=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
expect() { # expect STATUS DESCRIPTION -- COMMAND...
    local want=$1 what=$2
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$what: exit $got, expected $want"
        cat "$tmp/out" "$tmp/err"
    else
        echo "ok: $what"
    fi
}
# check_py DESCRIPTION PYTHON-CODE ARGS...: runs python3 on the code with the args; the code
# asserts what must hold.
check_py() {
    local what=$1 code=$2
    shift 2
    python3 -c "$code" "$@" || fail "$what"
}

seed=$examples/seed.py             # deadlock: exit 1
fixed=$examples/seed_fixed.py      # ok, 50 states: exit 0
missing=$tmp/missing.py            # unreadable: exit 2
printf 'def f(:\n' >"$tmp/syntax.py" # syntax error: exit 2
mkdir "$tmp/a_directory"           # unreadable as a program: exit 2
cat >"$tmp/tiny.py" <<'EOF'
from multiprocessing import Process


def f():
    pass


if __name__ == '__main__':
    p = Process(target=f)
    p.start()
    p.join()
EOF

# --- Exit status: the most severe of the individual statuses.
expect 0 "all ok gives 0" -- "$mpcheck" check "$fixed" "$tmp/tiny.py"
expect 3 "ok and inconclusive give 3" -- "$mpcheck" check "$tmp/tiny.py" "$fixed" --max-states 10
expect 1 "inconclusive and violation give 1" -- "$mpcheck" check "$fixed" "$seed" --max-states 10
expect 1 "violation and ok give 1" -- "$mpcheck" check "$fixed" "$seed"
expect 2 "an unreadable file outranks a violation" -- "$mpcheck" check "$seed" "$missing" "$fixed"
expect 2 "a directory is an unreadable file" -- "$mpcheck" check "$tmp/a_directory"

# --- Text: every report in order under its header, the unreadable one included, a summary.
expect 2 "text report of four files" -- "$mpcheck" check "$seed" "$missing" "$tmp/syntax.py" "$fixed"
check_py "text headers in command-line order" '
import sys
out = open(sys.argv[1]).read()
names = sys.argv[2:]
at = [out.find("==> " + n + " <==\n") for n in names]
assert all(a >= 0 for a in at) and at == sorted(at), (at, out)
assert out.count("==> ") == len(names), out
assert "seed.py:15:5: deadlock:" in out, out
assert "cannot read " + names[1] in out, out
assert "syntax.py:" in out, out
assert out.rstrip("\n").splitlines()[-1] == "4 programs: 1 ok, 1 violation, 0 inconclusive, 2 error; exit status 2", out
' "$tmp/out" "$seed" "$missing" "$tmp/syntax.py" "$fixed"

# --- JSON: one file keeps the contract's single object; several give an array with "file".
expect 1 "json report of one file" -- "$mpcheck" check "$seed" --format json
check_py "one file: the contract object, no file key" '
import json, sys
r = json.load(open(sys.argv[1]))
assert isinstance(r, dict) and "file" not in r, r
assert list(r) == ["verdict", "violations", "stats"], list(r)
' "$tmp/out"
expect 2 "json report of three files" -- "$mpcheck" check "$seed" "$missing" "$fixed" --format json
check_py "several files: an array of contract objects with a leading file key" '
import json, sys
r = json.load(open(sys.argv[1]))
assert isinstance(r, list) and len(r) == 3, r
assert [x["file"] for x in r] == sys.argv[2:], r
assert all(list(x)[0] == "file" for x in r), r
assert [x["verdict"] for x in r] == ["violation", "error", "ok"], r
assert r[0]["violations"][0]["property"] == "deadlock", r[0]
assert "cannot read" in r[1]["error"]["message"], r[1]
assert r[2]["violations"] == [] and r[2]["stats"]["states"] > 0, r[2]
' "$tmp/out" "$seed" "$missing" "$fixed"

# --- Stats files: the same figures as the reports, in JSON and in CSV.
odd="$tmp/odd, \"quoted\" name.py" # a file name that needs CSV quoting
cp "$fixed" "$odd"
expect 2 "stats files" -- "$mpcheck" check "$seed" "$missing" "$odd" --max-states 10 \
    --stats-json "$tmp/stats.json" --stats-csv "$tmp/stats.csv" --format json
check_py "stats json and csv agree with the reports" '
import csv, json, sys
reports = json.load(open(sys.argv[1]))
stats = json.load(open(sys.argv[2]))
with open(sys.argv[3], newline="") as f:
    rows = list(csv.DictReader(f))
files = sys.argv[4:]
columns = ["file", "verdict", "completion", "states", "transitions", "max_depth", "seconds",
           "states_per_second", "bytes_per_state", "violated", "exit_code", "error"]
assert isinstance(stats, list) and [list(s) for s in stats] == [columns] * 3, stats
assert list(rows[0]) == columns and len(rows) == 3, rows
assert [s["file"] for s in stats] == files and [r["file"] for r in rows] == files, (stats, rows)
assert [s["verdict"] for s in stats] == ["violation", "error", "inconclusive"], stats
assert [s["exit_code"] for s in stats] == [1, 2, 3], stats
assert [s["completion"] for s in stats] == ["finished", "not-started", "state-limit"], stats
assert stats[0]["violated"] == ["deadlock"] and stats[2]["violated"] == [], stats
assert "cannot read" in stats[1]["error"] and stats[1]["states"] == 0, stats[1]
for s, row, rep in zip(stats, rows, reports):
    for key in ("states", "transitions", "max_depth"):
        assert s[key] == rep["stats"][key] == int(row[key]), (key, s, row, rep)
    assert row["verdict"] == s["verdict"] and int(row["exit_code"]) == s["exit_code"], (s, row)
    assert row["violated"] == ";".join(s["violated"]) and row["error"] == s["error"], (s, row)
    assert float(row["seconds"]) == s["seconds"] and float(row["bytes_per_state"]) == s["bytes_per_state"]
assert stats[0]["bytes_per_state"] > 0 and stats[0]["states"] > 0, stats[0]
assert stats[2]["states"] <= 10, stats[2]
' "$tmp/out" "$tmp/stats.json" "$tmp/stats.csv" "$seed" "$missing" "$odd"
[ "$(wc -l <"$tmp/stats.json")" -eq 5 ] || fail "stats json has one object per line"

# --- '-' (stdout) only with --quiet, and only for one of the two.
expect 2 "stats to stdout clashes with the report" -- "$mpcheck" check "$seed" --stats-csv -
[ -s "$tmp/out" ] && fail "nothing is checked when the options clash"
expect 2 "both stats files on stdout" -- "$mpcheck" check "$seed" --quiet --stats-csv - --stats-json -
expect 2 "both stats files in one file" -- "$mpcheck" check "$seed" --stats-csv "$tmp/s" --stats-json "$tmp/s"
expect 1 "stats csv on stdout with --quiet" -- "$mpcheck" check "$seed" "$fixed" --quiet --stats-csv -
check_py "stdout is exactly the csv" '
import csv, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
assert [(r["verdict"], r["violated"]) for r in rows] == [("violation", "deadlock"), ("ok", "")], rows
' "$tmp/out"
expect 0 "--quiet prints no report" -- "$mpcheck" check "$fixed" --quiet
[ -s "$tmp/out" ] && fail "--quiet leaves stdout empty"
expect 2 "an unwritable stats file is an input error" -- "$mpcheck" check "$seed" \
    --stats-json "$tmp/no-such-dir/stats.json"
[ -s "$tmp/out" ] && fail "nothing is checked when a stats file cannot be written"

# --- --progress: periodic lines for long searches and a line per finished FILE, on stderr.
cat >"$tmp/big.py" <<'EOF'
from multiprocessing import Process, Queue, Lock


def worker(q, lock, n):
    for i in range(3):
        with lock:
            q.put(n)


if __name__ == '__main__':
    q = Queue()
    lock = Lock()
    ps = [Process(target=worker, args=(q, lock, 1)) for _ in range(4)]
    for p in ps:
        p.start()
    for i in range(12):
        item = q.get()
    for p in ps:
        p.join()
EOF
expect 3 "progress of a long search" -- "$mpcheck" check "$tmp/big.py" "$fixed" --progress --max-seconds 6
grep -Eq "^mpcheck: .*big\.py: [0-9]+ s: [0-9]+ states \([0-9]+/s\), [0-9]+ transitions, depth [0-9]+, queue [0-9]+, [0-9.]+ bytes/state$" "$tmp/err" \
    || { fail "periodic progress line"; cat "$tmp/err"; }
if ! { grep -q "big.py: done in .*: inconclusive" "$tmp/err" &&
    grep -q "seed_fixed.py: done in .*: ok" "$tmp/err"; }; then
    fail "a done line per file"
    cat "$tmp/err"
fi
grep -q "mpcheck:" "$tmp/out" && fail "progress stays off stdout"

# --- --trace-dir: files of one name in different folders keep their own traces.
mkdir -p "$tmp/first" "$tmp/second"
cp "$seed" "$tmp/first/job.py"
cp "$seed" "$tmp/second/job.py"
expect 1 "trace dir of two files named alike" -- "$mpcheck" check "$tmp/first/job.py" \
    "$tmp/second/job.py" --trace-dir "$tmp/traces"
if ! { grep -q "first/job.py:15:5: deadlock" "$tmp/traces/job.deadlock.txt" &&
    grep -q "second/job.py:15:5: deadlock" "$tmp/traces/job-2.deadlock.txt" &&
    [ -s "$tmp/traces/job.deadlock.json" ] && [ -s "$tmp/traces/job-2.deadlock.json" ]; }; then
    fail "each file's traces under its own name"
    ls "$tmp/traces"
fi

# --- Help tells the truth about options, defaults, several files and exit statuses.
expect 0 "check --help" -- "$mpcheck" check --help
for word in --format --start-method --max-states --max-seconds --max-memory --trace-dir \
    --stats-json --stats-csv --progress --quiet "=text" "=fork" "=unlimited" "==> FILE <==" "-2" \
    "JSON array" '"file" key' "2 > 1 > 3 > 0" "inconclusive" "cannot be read" "RFC 4180"; do
    grep -qF -- "$word" "$tmp/out" || fail "check --help mentions $word"
done
expect 0 "mpcheck --help" -- "$mpcheck" --help
if ! { grep -q "Exit status" "$tmp/out" && grep -q "FILE.py \[FILE.py...\]" "$tmp/out"; }; then
    fail "mpcheck --help gives usage and exit statuses"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
