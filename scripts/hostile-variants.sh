#!/usr/bin/env bash
# Issue 13's hostile command lines with every numeric option swept over hostile values, run the way the issue
# ran them: a fresh folder with x.npy (2,2,8,8), s.npy (4,32), q.npy (5,) (and the weights the ops need), each
# command under `ulimit -v 4194304` (4 GiB of address space) and `timeout 60`.
#
#   scripts/hostile-variants.sh [BIN]        (BIN defaults to .build/release/convalgebra)
#
# Each command line must either succeed cleanly (exit 0, nothing on stderr, its output file written) or fail
# cleanly: exactly one `error: …` line on stderr, nothing on stdout, an exit status in 1…125 (not a signal, not
# the timeout's 124), and no output or temporary file left behind. Values that can never be valid (`nan`, `inf`,
# `-inf`, the empty string, words, fractions, negative numbers where the option is a count) must fail. The
# results go to $OUT (default /tmp/hostile-variants): one line per command in results.tsv, failures in
# failures.txt; the exit status is the number of failures (capped at 100). Needs bash and coreutils only; the
# fixtures are made by the binary's own `random` command. Without an address-space limit of its own (a
# sanitized binary cannot start under one), set ULIMIT_KIB=unlimited.
set -u
BIN=${1:-.build/release/convalgebra}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
OUT=${OUT:-/tmp/hostile-variants}
ULIMIT_KIB=${ULIMIT_KIB:-4194304}
SECONDS_LIMIT=${SECONDS_LIMIT:-60}
[ -x "$BIN" ] || { echo "error: $BIN is not an executable (build it: swift build -c release --product convalgebra)"; exit 2; }
rm -rf "$OUT" && mkdir -p "$OUT/work"
cd "$OUT/work"
mk() { "$BIN" random --shape "$1" --output "$2" --seed 1 >/dev/null || { echo "error: cannot make $2"; exit 2; }; }
mk 2,2,8,8 x.npy; mk 4,32 s.npy; mk 5 q.npy; mk 4,2,3,3 w.npy; mk 2,4,3,3 wt.npy; mk 2,4,6,6 y466.npy
cp x.npy x.npy.orig
ls -A | sort > "$OUT/files"

# The values every integer option is tried with, and those that can never be a valid integer count or size.
# (" 3": blanks around an integer are trimmed, as in a comma list "2, 2"; 2⁶³ is a valid --seed, a UInt64.)
VALUES=(0 -1 1 2147483647 2147483648 4294967296 1099511627776 4611686018427387904 9223372036854775807
        9223372036854775808 18446744073709551616 -9223372036854775808 nan inf -inf "" abc 1.5 1e3 0x10 " 3")
NEVER=(-1 9223372036854775808 18446744073709551616 nan inf -inf "" abc 1.5 1e3 0x10)

# Each template holds one @ where the value goes; the output (if any) is y.npy.
TEMPLATES=(
  "apply upsample --input x.npy --output y.npy --scale @"
  "apply upsample --input x.npy --output y.npy --scale @ --mode linear"
  "apply upsample --input x.npy --output y.npy --scale @ --form sparse"
  "apply downsample --input s.npy --output y.npy --factor @"
  "apply downsample --input s.npy --output y.npy --factor @ --form dense"
  "apply downsample --input s.npy --output y.npy --factor 2 --phase @"
  "apply downsample --input s.npy --output y.npy --factor @ --transpose --domain 32"
  "apply downsample --input s.npy --output y.npy --factor 2 --transpose --domain @"
  "apply upsample-zeros --input s.npy --output y.npy --factor @"
  "apply upsample-zeros --input s.npy --output y.npy --factor @ --form sparse"
  "apply convolve --input s.npy --output y.npy --weight q.npy --stride @"
  "apply convolve --input s.npy --output y.npy --weight q.npy --stride @ --mode circular"
  "apply convolve --input s.npy --output y.npy --weight q.npy --dilation @"
  "apply convolve --input s.npy --output y.npy --weight q.npy --dilation @ --mode same"
  "apply convolve --input s.npy --output y.npy --weight q.npy --transpose --domain @"
  "apply conv --input x.npy --output y.npy --weight w.npy --stride @"
  "apply conv --input x.npy --output y.npy --weight w.npy --padding @"
  "apply conv --input x.npy --output y.npy --weight w.npy --padding @ --padding-mode replicate"
  "apply conv --input x.npy --output y.npy --weight w.npy --padding @ --padding-mode circular"
  "apply conv --input x.npy --output y.npy --weight w.npy --padding 1 --padding-mode replicate --stride @"
  "apply conv --input x.npy --output y.npy --weight w.npy --dilation @"
  "apply conv --input x.npy --output y.npy --weight w.npy --groups @"
  "apply conv --input x.npy --output y.npy --weight w.npy --padding @ --form dense"
  "apply conv --input x.npy --output y.npy --weight w.npy --padding @ --form sparse"
  "apply conv --input x.npy --output y.npy --weight w.npy --memory-budget @"
  "apply conv --input y466.npy --output y.npy --weight w.npy --transpose --domain 2,8,8 --stride @"
  "apply conv-transpose --input x.npy --output y.npy --weight wt.npy --stride @"
  "apply conv-transpose --input x.npy --output y.npy --weight wt.npy --padding @"
  "apply conv-transpose --input x.npy --output y.npy --weight wt.npy --dilation @"
  "apply conv-transpose --input x.npy --output y.npy --weight wt.npy --output-padding @ --stride @"
  "apply conv-transpose --input x.npy --output y.npy --weight wt.npy --groups @"
  "apply max-pool --input x.npy --output y.npy --kernel-size @"
  "apply max-pool --input x.npy --output y.npy --kernel-size 2 --stride @"
  "apply max-pool --input x.npy --output y.npy --kernel-size 2 --stride @ --ceil-mode"
  "apply max-pool --input x.npy --output y.npy --kernel-size 2 --padding @"
  "apply max-pool --input x.npy --output y.npy --kernel-size 2 --dilation @ --form sparse"
  "apply avg-pool --input x.npy --output y.npy --kernel-size @"
  "apply avg-pool --input x.npy --output y.npy --kernel-size 2 --stride @"
  "apply avg-pool --input x.npy --output y.npy --kernel-size 2 --stride @ --ceil-mode --form dense"
  "apply avg-pool --input x.npy --output y.npy --kernel-size 3 --padding @"
  "show convolve --domain 4 --kernel-size @"
  "show convolve --domain @ --kernel-size 3"
  "show convolve --domain 4 --kernel-size 3 --max-size @"
  "show convolve --domain 4 --kernel-size 3 --dilation @ --mode circular"
  "show upsample --domain 1,4 --scale @"
  "show max-pool --domain 1,@ --kernel-size 2"
  "analyze convolve --domain @ --weight q.npy"
  "analyze convolve --domain 32 --weight q.npy --tolerance @"
  "analyze downsample --domain @ --factor 2"
  "analyze upsample-zeros --domain 4 --factor @"
  "analyze conv --domain 2,@,8 --weight w.npy"
  "bench conv --input-shape 1,3,8,8 --weight-shape 4,3,3,3 --repeats @"
  "bench conv --input-shape 1,3,8,8 --weight-shape 4,3,3,3 --repeats 3 --max-seconds @"
  "bench convolve --input-shape 1,@ --weight-shape 3 --repeats 3"
  "bench convolve --input-shape 4,64 --weight-shape @ --repeats 3"
  "bench upsample-zeros --input-shape 1,8 --factor @ --repeats 3"
  "bench --suite v1 --cases mp2d --repeats 3 --max-seconds @"
  "random --shape 4,@ --output y.npy"
  "random --shape 4,4 --output y.npy --seed @"
)

# Whole command lines that are not a sweep: the issue's string-valued reproducers and inputs that are not files.
SINGLES=(
  "bench --suite v1 --cases nonexistent"
  "bench --suite v1 --cases ,"
  "bench --suite v1 --cases mp2d,nonexistent"
  "bench --suite v9"
  "apply conv --input /dev/zero --output y.npy --weight w.npy"
  "apply conv --input /dev/urandom --output y.npy --weight w.npy"
  "apply conv --input /dev/null --output y.npy --weight w.npy"
  "apply conv --input . --output y.npy --weight w.npy"
  "apply conv --input missing.npy --output y.npy --weight w.npy"
  "apply conv --input x.npy --output /nonexistent-dir/y.npy --weight w.npy"
  "apply conv --input x.npy --output y.npy --weight /dev/zero"
  "apply conv --input x.npy --output y.npy --weight w.npy --form fast"
  "apply conv --input x.npy --output y.npy --weight w.npy --dtype float16"
)

printf 'verdict\tstatus\tseconds\tcommand\tstderr\n' > "$OUT/results.tsv"
: > "$OUT/failures.txt"
failures=0 total=0

# Runs one command line (an array) and records its verdict; $2 is "never" when it must fail.
run() {
  local must_fail=$1; shift
  local args=("$@") out="" a
  for a in "${args[@]}"; do [ "$a" = y.npy ] && out=y.npy; done
  rm -f y.npy .y.npy.tmp-* 2>/dev/null
  local t0 t1 status
  t0=$(date +%s.%N)
  ( if [ "$ULIMIT_KIB" != unlimited ]; then ulimit -v "$ULIMIT_KIB"; fi
    exec timeout -s KILL "$SECONDS_LIMIT" "$BIN" "${args[@]}" ) > stdout.txt 2> stderr.txt < /dev/null
  status=$?
  t1=$(date +%s.%N)
  local lines verdict="" why=""
  lines=$(awk 'END { print NR }' stderr.txt)
  local leftovers
  leftovers=$(ls -A | grep -v -x -F -e y.npy -e stdout.txt -e stderr.txt | sort | comm -13 "$OUT/files" - | tr '\n' ' ')
  if [ $status -eq 0 ]; then
    if [ -s stderr.txt ]; then why="exit 0 with stderr"
    elif [ -n "$out" ] && [ ! -s y.npy ]; then why="exit 0 without an output file"
    elif [ "$must_fail" = never ]; then why="accepted a value that is never valid"
    else verdict=ok-success; fi
  elif [ $status -ge 124 ]; then why="status $status (timeout or signal)"
  elif [ "$lines" -ne 1 ]; then why="$lines stderr lines"
  elif ! head -c 7 stderr.txt | grep -q '^error: '; then why="stderr is not an error: line"
  elif [ -s stdout.txt ]; then why="stdout not empty on failure"
  elif [ -n "$out" ] && [ -e y.npy ]; then why="output file left behind"
  else verdict=ok-error; fi
  [ -n "$leftovers" ] && { verdict=""; why="temporary file left: $leftovers"; }
  cmp -s x.npy x.npy.orig || { verdict=""; why="x.npy modified"; cp x.npy.orig x.npy; }
  [ -z "$verdict" ] && verdict=FAIL
  local msg
  msg=$(head -c 300 stderr.txt | tr '\n\t' '  ')
  printf '%s\t%s\t%s\t%s\t%s\n' "$verdict" "$status" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "${args[*]}" "$msg" >> "$OUT/results.tsv"
  total=$((total + 1))
  if [ "$verdict" = FAIL ]; then
    failures=$((failures + 1))
    printf '%s: %s\n    %s\n' "$why" "$(printf '%q ' "$BIN" "${args[@]}")" "$msg" >> "$OUT/failures.txt"
  fi
}

for template in "${TEMPLATES[@]}"; do
  read -r -a words <<< "$template"
  for v in "${VALUES[@]}"; do
    must=maybe
    for n in "${NEVER[@]}"; do [ "$v" = "$n" ] && must=never; done
    # --max-seconds and --tolerance are real numbers: 1.5, 1e3, 2⁶³ and Swift's hexadecimal 0x10 are valid there
    # (--max-seconds then fails on its bound of a day); a --seed is a UInt64.
    case "$template" in
      *"--max-seconds @"*|*"--tolerance @"*) case "$v" in 1.5|1e3|0x10|9223372036854775808|18446744073709551616) must=maybe;; esac;;
      *"--seed @"*) [ "$v" = 9223372036854775808 ] && must=maybe;;
    esac
    args=()
    for w in "${words[@]}"; do args+=("${w//@/$v}"); done
    run "$must" "${args[@]}"
  done
done
for line in "${SINGLES[@]}"; do
  read -r -a words <<< "$line"
  run never "${words[@]}"
done

echo "$total command lines, $failures failures ($(grep -c ok-success "$OUT/results.tsv") succeeded cleanly, $(grep -c ok-error "$OUT/results.tsv") failed cleanly); results: $OUT/results.tsv"
[ $failures -gt 0 ] && cat "$OUT/failures.txt"
exit $((failures > 100 ? 100 : failures))
