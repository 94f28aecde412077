#!/usr/bin/env bash
# Compiles workers.pml with SPIN for each N and prints one line of figures per
# N and mode, comparable with mpcheck's explorer on the same machine.
#
# usage: bench/spin/run_spin.sh [N...]        (default: 1 2 3 4 5 6 7 8)
#
# Environment:
#   SPIN_TIMEOUT  seconds one pan run may take (default 120); the first N that
#                 times out in a mode ends that mode (larger N only grow)
#   PAN_RUNTIME   extra options for ./pan (e.g. -w28 for a bigger hash table)
#   PAN_CFLAGS    extra compile options for pan.c; -DBFS is not comparable:
#                 pan's breadth-first mode counts 522 states at N=1 instead
#                 of 96 (it appears to store states inside atomic blocks)
#   SPIN_MODES    which modes to run (default "spin spin-por")
#
# Two modes per N:
#   spin      -DSAFETY -DNOREDUCE: exhaustive search of every interleaving,
#             like mpcheck's default exploration (no partial-order reduction);
#             this is the line to compare with mpcheck.
#   spin-por  -DSAFETY with SPIN's default partial-order reduction, for
#             reference only (almost every step here touches shared state, so
#             it prunes next to nothing).
# Both use `spin -a -o1 -o2 -o3`; see workers.pml for why.
#
# Everything is built and run in a temporary directory that is removed on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="${here}/workers.pml"
timeout_s="${SPIN_TIMEOUT:-120}"
pan_runtime="${PAN_RUNTIME:-}"
pan_cflags="${PAN_CFLAGS:-}"
modes="${SPIN_MODES:-spin spin-por}"

if [[ $# -gt 0 ]]; then
  ns=("$@")
else
  ns=(1 2 3 4 5 6 7 8)
fi
for n in "${ns[@]}"; do
  if ! [[ "${n}" =~ ^[1-8]$ ]]; then
    echo "run_spin.sh: N must be between 1 and 8, got '${n}'" >&2
    exit 2
  fi
done

for tool in spin gcc timeout; do
  command -v "${tool}" >/dev/null || { echo "run_spin.sh: ${tool} not found" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# Turns pan's report into the one-line summary. Memory figures from pan are in
# MiB (2^20 bytes). Fields:
#   states, transitions   pan's "states, stored" and "transitions"
#   seconds               pan's own search time (excludes start-up and the
#                         hash-table allocation; pan prints 3 significant digits)
#   wall_s                the whole ./pan process, start-up and exit included
#   states_per_s          states / seconds (n/a when pan reports 0 s)
#   bytes_per_state       pan's total actual memory usage / states, i.e. with
#                         the fixed hash table (-w24: 128 MiB) and DFS stack
#   store_bytes_per_state pan's "actual memory usage for states" / states,
#                         i.e. the state store alone
#   state_vector          pan's state-vector size in bytes (the full state)
#   stored_vector         bytes of it pan actually stores per state (n/a when
#                         pan does not print it), before its per-state overhead
summarise() {
  local label="$1" n="$2" wall="$3" report="$4"
  awk -v label="${label}" -v n="${n}" -v wall="${wall}" '
    /^State-vector/ { vector = $2; sub(/,/, "", $NF); errors = $NF }
    /states, stored/ { states = $1 }
    /transitions \(= stored\+matched\)/ { transitions = $1 }
    /state-vector as stored/ { stored = $5 }
    /actual memory usage for states/ { state_mb = $1 }
    /total actual memory usage/ { total_mb = $1 }
    /^pan: elapsed time/ { seconds = $4 }
    END {
      if (states == "") { print label " N=" n " error=no-report"; exit 1 }
      rate = seconds > 0 ? sprintf("%.0f", states / seconds) : "n/a"
      if (stored == "") stored = "n/a"
      printf "%s N=%d states=%.0f transitions=%.0f seconds=%s states_per_s=%s " \
             "bytes_per_state=%.1f wall_s=%.2f store_bytes_per_state=%.1f " \
             "state_vector=%s stored_vector=%s total_mb=%.1f errors=%d\n",
             label, n, states, transitions, seconds, rate,
             total_mb * 1048576 / states, wall, state_mb * 1048576 / states,
             vector, stored, total_mb, errors
      if (errors != 0) exit 1
    }' "${report}"
}

# run_mode LABEL CFLAGS: runs every N in one mode, stopping at the first
# N that does not finish in time.
run_mode() {
  local label="$1" cflags="$2"
  local n dir start end status
  for n in "${ns[@]}"; do
    dir="${work}/${label}-${n}"
    mkdir -p "${dir}"
    cp "${model}" "${dir}/workers.pml"
    (
      cd "${dir}"
      spin -DN="${n}" -a -o1 -o2 -o3 workers.pml >spin.log 2>&1 ||
        { cat spin.log >&2; exit 1; }
      # pan.c is generated code; its warnings are not ours to fix.
      # shellcheck disable=SC2086
      gcc -O2 ${cflags} ${pan_cflags} -w -o pan pan.c >gcc.log 2>&1 ||
        { cat gcc.log >&2; exit 1; }
    )
    start="$(date +%s.%N)"
    status=0
    # shellcheck disable=SC2086
    (cd "${dir}" && timeout "${timeout_s}" ./pan -m100000 ${pan_runtime} >pan.log 2>&1) ||
      status=$?
    end="$(date +%s.%N)"
    if [[ ${status} -eq 124 ]]; then
      echo "${label} N=${n} timeout_after_s=${timeout_s} (larger N skipped)"
      return 0
    fi
    if [[ ${status} -ne 0 ]] || grep -q "out of memory" "${dir}/pan.log"; then
      echo "${label} N=${n} error=pan-failed status=${status}"
      tail -n 20 "${dir}/pan.log" >&2
      return 1
    fi
    if ! summarise "${label}" "${n}" "$(awk -v a="${start}" -v b="${end}" \
      'BEGIN { printf "%.3f", b - a }')" "${dir}/pan.log"; then
      echo "${label} N=${n}: pan reported errors (the model must have none):" >&2
      cat "${dir}/pan.log" >&2
      return 1
    fi
    rm -rf "${dir}"
  done
}

for mode in ${modes}; do
  case "${mode}" in
    spin) run_mode spin "-DSAFETY -DNOREDUCE" ;;
    spin-por) run_mode spin-por "-DSAFETY" ;;
    *) echo "run_spin.sh: unknown mode '${mode}' (spin, spin-por)" >&2; exit 2 ;;
  esac
done
