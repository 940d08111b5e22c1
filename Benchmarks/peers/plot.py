#!/usr/bin/env python3
"""PNG plots from the comparison JSON (compare.py), each readable at a glance: suite C time against batch per
form (one legend, outside the panels), the crossover map (one cell per operator and batch, coloured by the
form that won, labelled with that form and its margin over the runner-up), and the ratio against the best peer
for suites A and B (each bar labelled with its value and the peer). Every figure names the machine."""
import argparse
import json
import math
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

COLORS = {"direct": "tab:blue", "dense": "tab:red", "sparse": "tab:green", "auto": "black"}


def machine_line(doc):
    """`AMD EPYC, 2 threads, peak 80.1 GFLOP/s, convalgebra 0.4.0`: what the figures were measured on."""
    ours = (doc.get("provenance") or {}).get("ours") or {}
    m = ours.get("machine") or {}
    parts = [m.get("cpu_model") or "machine not recorded"]
    if m.get("threads"):
        parts.append(f"{m['threads']} threads")
    if doc.get("peak_gflops"):
        parts.append(f"measured peak {doc['peak_gflops']:.1f} GFLOP/s")
    if ours.get("convalgebra_version"):
        parts.append(f"convalgebra {ours['convalgebra_version']}")
    return ", ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("compare", help="the JSON written by compare.py")
    ap.add_argument("--out", required=True, help="directory for the PNGs")
    a = ap.parse_args()
    doc = json.load(open(a.compare))
    rows = doc["rows"]
    os.makedirs(a.out, exist_ok=True)
    where = machine_line(doc)

    # 1. Suite C: time against batch size, per operator, direct / dense / sparse (+ auto, + peers).
    c = [r for r in rows if r["suite"] == "C"]
    ids = list(dict.fromkeys(r["id"] for r in c))
    cols = 4
    fig, axes = plt.subplots(math.ceil(len(ids) / cols), cols, figsize=(4.2 * cols, 3.4 * math.ceil(len(ids) / cols)))
    for ax, cid in zip(axes.flat, ids):
        rs = sorted([r for r in c if r["id"] == cid], key=lambda r: r["batch"])
        bs = [r["batch"] for r in rs]
        for form in ("direct", "dense", "sparse", "auto"):
            ys = [r["seconds"].get(form) for r in rs]
            if any(y is not None for y in ys):
                ax.plot(bs, [y * 1e3 if y else float("nan") for y in ys], "o-" if form != "auto" else "x--",
                        color=COLORS[form], label=form)
        for peer, style in (("numpy.matmul", ":"), ("scipy.sparse", "-.")):
            ys = [r["peers"].get(peer) for r in rs]
            if any(y is not None for y in ys):
                ax.plot(bs, [y * 1e3 if y else float("nan") for y in ys], style, color="gray", label=peer)
        dens = rs[0].get("density")
        ax.set_title(f"{cid}" + (f" (density {dens:.3g})" if dens else ""))
        ax.set_xscale("log"); ax.set_yscale("log")
        ax.set_xlabel("batch size"); ax.set_ylabel("ms")
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[len(ids):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    fig.suptitle("Suite C: time of one application to the batch, per form (" + where + ")", fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    fig.savefig(os.path.join(a.out, "forms-time-vs-batch.png"), dpi=110)
    plt.close(fig)

    # 2. The crossover map: operators (rows, by density) x batch sizes (columns); each cell is coloured by the
    #    form that won and says which and by how much (the runner-up's time / the winner's).
    ops = sorted(ids, key=lambda cid: next((r.get("density") or 0) for r in c if r["id"] == cid))
    batches = sorted({r["batch"] for r in c})
    fig, ax = plt.subplots(figsize=(2.0 + 1.5 * len(batches), 1.0 + 0.55 * len(ops)))
    for yi, cid in enumerate(ops):
        for xi, b in enumerate(batches):
            r = next((r for r in c if r["id"] == cid and r["batch"] == b), None)
            times = {f: t for f, t in ((r or {}).get("seconds") or {}).items() if f in ("direct", "dense", "sparse") and t}
            if not times:
                continue
            ranked = sorted(times, key=times.get)
            won = ranked[0]
            margin = times[ranked[1]] / times[won] if len(ranked) > 1 else None
            ax.add_patch(plt.Rectangle((xi - 0.48, yi - 0.45), 0.96, 0.9, color=COLORS[won], alpha=0.35, lw=0))
            text = won + (f"\n{margin:.3g}× vs {ranked[1]}" if margin else "")
            ax.text(xi, yi, text, ha="center", va="center", fontsize=7.5)
    ax.set_xlim(-0.5, len(batches) - 0.5)
    ax.set_ylim(-0.5, len(ops) - 0.5)
    ax.set_xticks(range(len(batches)))
    ax.set_xticklabels([f"B = {b}" for b in batches])
    ax.set_yticks(range(len(ops)))
    dens = {r["id"]: r.get("density") for r in c}
    ax.set_yticklabels([f"{cid}  (density {dens[cid]:.2g})" if dens.get(cid) else cid for cid in ops], fontsize=8)
    ax.set_title("Fastest form per operator and batch; the margin is the runner-up's time / the winner's\n" + where,
                 fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "crossover-map.png"), dpi=110)
    plt.close(fig)

    # 3. Suites A and B: ours / best peer per case.
    ab = [r for r in rows if r["suite"] in ("A", "B") and r.get("ours_over_best")]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    xs = range(len(ab))
    bars = ax.bar(xs, [r["ours_over_best"] for r in ab],
                  color=["tab:blue" if r["suite"] == "A" else "tab:orange" for r in ab])
    for bar, r in zip(bars, ab):
        ax.annotate(f"{r['ours_over_best']:.2f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    textcoords="offset points", xytext=(0, 2), ha="center", va="bottom", fontsize=7)
    ax.axhline(1.0, color="k", lw=1)
    ax.axhline(1.25, color="r", lw=1, ls="--", label="1.25: suite A's worst-case target")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([f"{r['id']}\nvs {r['best_peer']}" for r in ab], rotation=60, ha="right", fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("our time / best peer's time")
    ax.set_title("Ratio against the best peer (below 1: ours is faster) — " + where, fontsize=10)
    handles = ax.get_legend_handles_labels()[0] + [Patch(color="tab:blue", label="suite A (DL layers)"),
                                                   Patch(color="tab:orange", label="suite B (1-D DSP)")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "ratio-vs-best-peer.png"), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
