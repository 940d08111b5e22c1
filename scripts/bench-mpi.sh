#!/usr/bin/env bash
# The convalgebra-mpi benchmark (issue 16; docs/Past-one-machine.md), `make bench-mpi`: for a 3×3 'same' conv on
# one channel of side S (S² rows) it measures
#   - the single-process CSR path: `convalgebra apply --form sparse` on a batch of 16 (wall time, peak RSS);
#   - convalgebra-mpi at 1 and 2 processes: assembly time, apply time, per-process peak RSS (--timings);
#   - the 3 largest and 3 smallest singular values, phase by phase, of a circular and a zero-padded conv on one
#     channel of side SVD_SIDE and a circular 4→4-channel one of side SVD_SIDE/2 under 1 and 2 processes, against
#     `convalgebra analyze --method fft` (exact for a circular convolution) on one process.
# Needs: both release binaries (make bench-mpi builds them), /usr/bin/time, mpirun. No Python.
# Writes Benchmarks/results/mpi/report.md (the machine and its load named in it) and keeps the JSON beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
SIDES=${SIDES-"316 1000 3163"}
SVD_SIDE=${SVD_SIDE:-1000}
BATCH=${BATCH:-16}
CA=${CA:-.build/release/convalgebra}
MPI=.build/release/convalgebra-mpi
MPIRUN="mpirun ${MPIRUN_FLAGS:---mca btl self,vader --mca oob_tcp_if_include lo} --bind-to none"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
for b in "$CA" "$MPI"; do [ -x "$b" ] || { echo "error: $b is missing: run make bench-mpi" >&2; exit 1; }; done
MACHINE="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB"
OUT=Benchmarks/results/mpi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
REPORT="$OUT/report.md"
field() { grep -o "\"$2\": [^,}]*\(\]\)\?" "$1" | head -1 | cut -d: -f2- | sed 's/^ *//'; }

"$CA" random --shape 1,1,3,3 --dtype float64 --seed 1 --output "$WORK/w.npy"
{
  echo "# convalgebra-mpi benchmark"
  echo
  echo "Machine: $MACHINE. Load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-min load average at the start)."
  echo "Operator: 3×3 'same' conv on one channel of side S (S² rows, 9 S² entries), batch $BATCH, float64."
  echo
  echo "| S | rows | single CSR: wall s | single: peak RSS MB | np | assembly s | apply s | wall s | peak RSS MB per process |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$REPORT"
for S in $SIDES; do
  "$CA" random --shape "$BATCH,1,$S,$S" --dtype float64 --seed 2 --output "$WORK/x.npy"
  single=$( { /usr/bin/time -f "%e %M" "$CA" apply conv --weight "$WORK/w.npy" --padding 1 --form sparse \
              --input "$WORK/x.npy" --output "$WORK/ref.npy" >/dev/null; } 2>&1 | tail -1 ) || single="failed -"
  rm -f "$WORK/ref.npy"
  for np in 1 2; do
    start=$(date +%s.%N)
    $MPIRUN -np $np "$MPI" apply conv --weight "$WORK/w.npy" --padding 1 --input "$WORK/x.npy" --output "$WORK/y.npy" \
      --chunk "$BATCH" --timings "$OUT/apply-S$S-np$np.json"
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    rss=$(field "$OUT/apply-S$S-np$np.json" peak_rss_bytes_per_rank | tr -d '[]' | tr ',' '\n' | awk '{printf "%s%.0f", sep, $1/1048576; sep=" / "}')
    echo "| $S | $((S * S)) | ${single% *} | $(( ${single#* } / 1024 )) | $np | $(field "$OUT/apply-S$S-np$np.json" assembly_seconds) | $(field "$OUT/apply-S$S-np$np.json" apply_seconds) | $wall | $rss |" >> "$REPORT"
    rm -f "$WORK/y.npy"
  done
  rm -f "$WORK/x.npy"
done

# The 3 largest and 3 smallest singular values of three ~10⁶-row convs under 1 and 2 processes, with the time of
# each phase (from the --json), against the single process's exact values where it has them (the FFT method,
# exact for a circular conv: `convalgebra analyze --method fft`).
S=$SVD_SIDE
H=$((SVD_SIDE / 2))
{
  echo
  echo "Singular values (3 largest, 3 smallest) of ~10⁶-row convs; phases in seconds (the slowest process's):"
  echo "assembly; largest: bound, setup (for sinvert: AᵀA shifted to τ² and its MUMPS Cholesky), solve (the eigensolver's"
  echo "iterations); smallest: setup (the MUMPS LU of A), solve. The methods are the JSON's largest_method / smallest_method"
  echo "(analyze's default, auto). wall / CPU s: the whole mpirun, CPU summed over its processes."
  echo
  echo "| operator | path | methods | wall / CPU s | assembly | largest: bound / setup / solve | smallest: setup / solve | largest | smallest | max rel. diff. to the FFT values |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >> "$REPORT"
list() { tr -d '[] ' | tr ',' '\n'; }
values() { grep -o "\"$2\": \[[^]]*\]" "$1" | head -1 | cut -d: -f2; }
phase() { grep -o "\"$2\": [^,}]*" "$1" | head -1 | cut -d: -f2 | awk '{printf "%.2f", $1}'; }
svd_case() {  # label, domain, weight shape, op options…
  local label=$1 domain=$2 wshape=$3; shift 3
  "$CA" random --shape "$wshape" --dtype float64 --seed 1 --output "$WORK/ws.npy"
  local ref=""
  if [[ " $* " == *" circular "* ]]; then
    times=$( { /usr/bin/time -f "%e %U %S" "$CA" analyze conv --domain "$domain" --weight "$WORK/ws.npy" "$@" --method fft \
      --json "$WORK/fft.json" >/dev/null; } 2>&1 | tail -1 )
    wall="$(echo "$times" | cut -d' ' -f1) / $(echo "$times" | awk '{printf "%.1f", $2 + $3}')"
    ref=$(grep -o '"singular_values": \[[^]]*\]' "$WORK/fft.json" | cut -d: -f2 | list)
    echo "| $label | convalgebra analyze --method fft (1 process, exact) | fft | $wall | | | | $(echo "$ref" | head -3 | paste -sd, -) | $(echo "$ref" | tail -3 | tac | paste -sd, -) | |" >> "$REPORT"
  fi
  for np in 1 2; do
    local out="$OUT/svd-$label-np$np.json" times
    # wall and CPU seconds of the whole mpirun (all processes; on a shared machine the CPU time is the fair one).
    times=$( { /usr/bin/time -f "%e %U %S" $MPIRUN -np $np "$MPI" analyze conv --domain "$domain" --weight "$WORK/ws.npy" "$@" \
      --largest 3 --smallest 3 --json "$out" >/dev/null; } 2>&1 | tail -1 )
    local wall cpu
    wall=$(echo "$times" | cut -d' ' -f1); cpu=$(echo "$times" | awk '{printf "%.1f", $2 + $3}')
    local top bottom diff="-"
    top=$(values "$out" largest | list); bottom=$(values "$out" smallest | list)
    if [ -n "$ref" ]; then
      diff=$(paste -d' ' <(echo "$top"; echo "$bottom") <(echo "$ref" | head -3; echo "$ref" | tail -3 | tac) |
             awk '{d = ($1 - $2) / $2; if (d < 0) d = -d; if (d > m) m = d} END {printf "%.1e", m}')
    fi
    local methods
    methods="$(grep -o '"largest_method": "[^"]*"' "$out" | cut -d'"' -f4) / $(grep -o '"smallest_method": "[^"]*"' "$out" | cut -d'"' -f4)"
    echo "| $label | convalgebra-mpi, np $np | $methods | $wall / $cpu | $(phase "$out" assembly) | $(phase "$out" largest_bound) / $(phase "$out" largest_setup) / $(phase "$out" largest_solve) | $(phase "$out" smallest_setup) / $(phase "$out" smallest_solve) | $(echo "$top" | paste -sd, -) | $(echo "$bottom" | paste -sd, -) | $diff |" >> "$REPORT"
  done
}
svd_case "circular-1x${S}x${S}" "1,$S,$S" 1,1,3,3 --padding 1 --padding-mode circular
svd_case "zero-1x${S}x${S}" "1,$S,$S" 1,1,3,3 --padding 1
svd_case "circular-4x${H}x${H}" "4,$H,$H" 4,4,3,3 --padding 1 --padding-mode circular
cat "$REPORT"
