#!/usr/bin/env python3
"""Differential fuzzer: `convalgebra apply` against PyTorch (the layers) and NumPy (the 1-D DSP ops).

Draws random configurations of every op of docs/CLI.md — convolve (every mode, stride, dilation), downsample
(factor, phase), upsample-zeros, conv 1-D/2-D/3-D (stride, dilation, padding as ints, lists, asymmetric,
same, valid; groups; every padding mode; bias), conv-transpose (output padding, dilation, groups, bias),
max-pool / avg-pool 1-3-D (ceil mode, padding, dilation, count-include-pad), upsample nearest / linear — in
every form (direct, dense, sparse, auto), in float32 and float64, forward (`apply`) and transposed
(`apply --transpose --domain`, against the vector-Jacobian product of torch.autograd), with a share of
invalid configurations (where the reference raises, the CLI must print one `error:` line and exit non-zero;
where it accepts, the CLI must accept) and of non-finite inputs (NaN, ±Inf: the same NaN/±Inf positions).

The CLI runs through its hidden `batch` command (many command lines per process); a share of the command
lines also runs as a process of its own, to check the exit status, the one `error:` line on stderr, the
empty stdout and that no output file is left behind.

Tolerances: an output agrees when it is NaN where the reference is, the same infinity where the reference
has one, and otherwise within `64·eps·T_i + 8·eps·max(T)`, where `eps` is the dtype's machine epsilon and
`T` the same operator applied to |x| with |weights| (the size of the terms each output sums).

A disagreement prints a reproducer (the command line on files kept under --keep, and this script's line
for that one configuration); the exit status is 1 if there is any.

Usage: python3 scripts/difffuzz.py [--bin .build/release/convalgebra] [--count 2000] [--seed 1]
       [--only I[,J…]] [--ops conv,max-pool] [--keep difffuzz-failures] [--process-share 0.03]
Needs numpy and torch (`make difffuzz` makes the venv scripts/.venv-difffuzz with both, torch CPU-only).
"""
import argparse
import collections
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

from difffuzz_draw import FORMS, OPS, ROOT, draw
from difffuzz_reference import compare, resolve

# ---------------------------------------------------------------------------------------------------------
# Running the CLI

def write_case(c, folder):
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "x.npy"), c.x)
    if c.w is not None:
        np.save(os.path.join(folder, "w.npy"), c.w)
    if c.b is not None:
        np.save(os.path.join(folder, "b.npy"), c.b)


def run_batch(binary, lines, cwd):
    """Runs the tab-separated command lines in as few processes as a crash allows; one outcome per line."""
    outcomes, start = [], 0
    while start < len(lines):
        text = "".join("\t".join(a) + "\n" for a in lines[start:])
        p = subprocess.run([binary, "batch"], input=text, cwd=cwd, capture_output=True, text=True)
        got = p.stdout.splitlines()
        outcomes += got
        start += len(got)
        if p.returncode != 0 and start < len(lines):
            tail = (p.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
            outcomes.append(f"crash: exit status {p.returncode}: {tail[:200]}")
            start += 1
    return outcomes


def run_process(binary, args, cwd):
    """Runs one command line as a process of its own; None when it behaved, else what was wrong."""
    out = os.path.join(cwd, args[args.index("--output") + 1])
    p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True)
    err_lines = p.stderr.splitlines()
    if p.returncode == 0:
        return None if os.path.exists(out) else "exit 0 but no output file"
    problems = []
    if p.returncode < 0 or p.returncode > 128:
        problems.append(f"killed by a signal (status {p.returncode})")
    if len(err_lines) != 1 or not err_lines[0].startswith("error: "):
        problems.append(f"stderr is not one 'error:' line: {p.stderr[:200]!r}")
    if p.stdout:
        problems.append(f"stdout not empty: {p.stdout[:100]!r}")
    if os.path.exists(out):
        problems.append("an output file was left behind")
    leftovers = [f for f in os.listdir(os.path.dirname(out)) if f.startswith(os.path.basename(out)) and f != os.path.basename(out)]
    if leftovers:
        problems.append(f"temporary files left behind: {leftovers}")
    return "; ".join(problems) or None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=None, help="the convalgebra binary (default: .build/release, else .build/debug)")
    ap.add_argument("--count", type=int, default=2000, help="configurations to draw")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default=None, help="comma list of configuration indices to run (reproducers)")
    ap.add_argument("--ops", default=",".join(OPS), help="comma list of ops to draw from")
    ap.add_argument("--chunk", type=int, default=150, help="configurations per batch process")
    ap.add_argument("--process-share", type=float, default=0.03,
                    help="share of command lines also run as a process of their own (exit status, stderr, files)")
    ap.add_argument("--keep", default=os.path.join(ROOT, "difffuzz-failures"),
                    help="where a disagreement's files are kept for its reproducer")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    binary = a.bin or next((p for p in (os.path.join(ROOT, ".build/release/convalgebra"),
                                        os.path.join(ROOT, ".build/debug/convalgebra")) if os.path.exists(p)), None)
    if not binary or not os.path.exists(binary):
        sys.exit("error: no convalgebra binary: run `swift build -c release` or pass --bin")
    binary = os.path.abspath(binary)
    ops = a.ops.split(",")
    for o in ops:
        if o not in OPS:
            sys.exit(f"error: unknown op {o!r}; the ops are {', '.join(OPS)}")
    indices = [int(i) for i in a.only.split(",")] if a.only else list(range(a.count))
    picker = random.Random(f"{a.seed}:process")

    stats = collections.Counter()
    failures = []
    began = time.time()
    for at in range(0, len(indices), a.chunk):
        cases = []
        for i in indices[at:at + a.chunk]:
            c = draw(i, a.seed, ops)
            resolve(c, a.seed)
            cases.append(c)
        with tempfile.TemporaryDirectory(prefix="difffuzz-") as tmp:
            lines, where = [], []
            for c in cases:
                folder = f"c{c.index}"
                write_case(c, os.path.join(tmp, folder))
                for form in FORMS:
                    lines.append(c.cli(form, f"{folder}/", f"y-{form}.npy"))
                    where.append((c, form))
            outcomes = run_batch(binary, lines, tmp)
            for (c, form), outcome, line in zip(where, outcomes, lines):
                key = (c.op, form, c.dtype, c.direction)
                stats["lines"] += 1
                stats[("op", c.op)] += 1
                stats[("form", form)] += 1
                stats[("dtype", c.dtype)] += 1
                stats[("direction", c.direction)] += 1
                stats[("label", c.label)] += 1
                if c.error:
                    stats["expected errors"] += 1
                if c.nonfinite:
                    stats["non-finite"] += 1
                problem = None
                if outcome.startswith("crash"):
                    problem = outcome
                elif c.error and outcome == "ok":
                    problem = f"accepted, but the reference refuses ({c.error})"
                elif not c.error and outcome != "ok":
                    problem = f"refused ({outcome}), but the reference accepts"
                elif not c.error:
                    y = np.load(os.path.join(tmp, line[line.index("--output") + 1]))
                    problem = compare(c, y)
                if problem is None and picker.random() < a.process_share:
                    stats["process checks"] += 1
                    folder = os.path.join(tmp, f"c{c.index}")
                    problem = run_process(binary, c.cli(form, output="p.npy"), folder)
                    if problem:
                        problem = f"as a process: {problem}"
                    for f in os.listdir(folder):
                        if f.startswith("p.npy"):
                            os.remove(os.path.join(folder, f))
                if problem:
                    stats[("fail", c.label, form, c.dtype, c.direction)] += 1
                    keep = os.path.join(a.keep, f"{a.seed}-{c.index}")
                    write_case(c, keep)
                    failures.append((c, form, problem, keep))
                    print(f"DISAGREE #{c.index} {c.label} {form} {c.dtype} {c.direction}"
                          f"{' non-finite' if c.nonfinite else ''}: {problem}\n"
                          f"  reproduce: (cd {shlex.quote(keep)} && {shlex.quote(binary)} "
                          f"{' '.join(shlex.quote(s) for s in c.cli(form))})\n"
                          f"  or: python3 scripts/difffuzz.py --seed {a.seed} --only {c.index}", flush=True)
                elif a.verbose:
                    print(f"ok #{c.index} {c.label} {form} {c.dtype} {c.direction} {c.error or ''}")
        done = min(at + a.chunk, len(indices))
        print(f"[{done}/{len(indices)} configurations, {len(failures)} disagreements, {time.time() - began:.0f} s]",
              file=sys.stderr, flush=True)

    n = len(indices)
    print(f"\ndifffuzz: seed {a.seed}, {n} configurations, {stats['lines']} command lines "
          f"({stats['expected errors']} expecting an error, {stats['non-finite']} with NaN/±Inf inputs, "
          f"{stats['process checks']} also run as processes), {time.time() - began:.0f} s, binary {binary}")
    grouped = sorted((k, v) for k, v in stats.items() if isinstance(k, tuple))
    for group in ("op", "form", "dtype", "direction", "label"):
        print(f"  by {'configuration' if group == 'label' else group}: "
              + ", ".join(f"{k[1]} {v}" for k, v in grouped if k[0] == group))
    print(f"  disagreements: {len(failures)}")
    for k, v in grouped:
        if k[0] == "fail":
            print(f"    {' '.join(k[1:])}: {v}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
