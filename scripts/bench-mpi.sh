#!/usr/bin/env bash
# The convalgebra-mpi benchmark (issue 16; docs/Past-one-machine.md), `make bench-mpi`: for a 3×3 'same' conv on
# one channel of side S (S² rows) it measures
#   - the single-process CSR path: `convalgebra apply --form sparse` on a batch of 16 (wall time, peak RSS);
#   - convalgebra-mpi at 1 and 2 processes: assembly time, apply time, per-process peak RSS (--timings);
#   - the largest and smallest singular values of the circular conv at S = SVD_SIDE under 1 and 2 processes,
#     against `convalgebra analyze --method fft` (exact for a circular convolution) on one process.
# Needs: both release binaries (make bench-mpi builds them), /usr/bin/time, mpirun. No Python.
# Writes Benchmarks/results/mpi/<machine>.md and keeps the JSON beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
SIDES=${SIDES:-"316 1000 3163"}
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

S=$SVD_SIDE
{
  echo
  echo "Singular values of the circular 3×3 conv at S = $S ($((S * S)) rows), 3 largest and 3 smallest:"
  echo
  echo "| path | wall s | largest | smallest |"
  echo "|---|---|---|---|"
} >> "$REPORT"
start=$(date +%s.%N)
"$CA" analyze conv --domain "1,$S,$S" --weight "$WORK/w.npy" --padding 1 --padding-mode circular --method fft --json "$OUT/fft-S$S.json" >/dev/null
wall=$(echo "$(date +%s.%N) - $start" | bc)
echo "| convalgebra analyze --method fft (1 process, exact) | $wall | $(field "$OUT/fft-S$S.json" spectral_norm) | σ_min from the condition number $(field "$OUT/fft-S$S.json" condition_number) |" >> "$REPORT"
for np in 1 2; do
  start=$(date +%s.%N)
  $MPIRUN -np $np "$MPI" analyze conv --domain "1,$S,$S" --weight "$WORK/w.npy" --padding 1 --padding-mode circular \
    --largest 3 --smallest 3 --json "$OUT/svd-S$S-np$np.json" >/dev/null
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  echo "| convalgebra-mpi, np $np | $wall | $(field "$OUT/svd-S$S-np$np.json" largest) | $(field "$OUT/svd-S$S-np$np.json" smallest) |" >> "$REPORT"
done
cat "$REPORT"
