#!/usr/bin/env python3
"""PNG plots from the comparison JSON (compare.py): suite C time against batch per form, the crossover map
over (density, batch), and the ratio against the best peer for suites A and B."""
import argparse
import json
import math
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"direct": "tab:blue", "dense": "tab:red", "sparse": "tab:green", "auto": "black"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("compare", help="the JSON written by compare.py")
    ap.add_argument("--out", required=True, help="directory for the PNGs")
    a = ap.parse_args()
    doc = json.load(open(a.compare))
    rows = doc["rows"]
    os.makedirs(a.out, exist_ok=True)

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
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "forms-time-vs-batch.png"), dpi=110)
    plt.close(fig)

    # 2. The crossover map: each (operator, batch) at (batch, density), coloured by the winning form,
    #    labelled with dense time / direct time.
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for r in c:
        if not r.get("best_form") or not r.get("density"):
            continue
        ax.scatter(r["batch"], r["density"], s=140, color=COLORS[r["best_form"]], edgecolor="k", zorder=3)
        s = r["seconds"]
        if s.get("dense") and s.get("direct"):
            ax.annotate(f"{s['dense'] / s['direct']:.2g}", (r["batch"], r["density"]), textcoords="offset points",
                        xytext=(8, 4), fontsize=7)
    for cid in ids:
        r = next(r for r in c if r["id"] == cid)
        if r.get("density"):
            ax.annotate(cid, (0.6, r["density"]), fontsize=7, ha="right", va="center")
    for form in ("direct", "dense", "sparse"):
        ax.scatter([], [], color=COLORS[form], edgecolor="k", label=f"{form} wins")
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlim(0.15, 12000)
    ax.set_xlabel("batch size B"); ax.set_ylabel("density nnz / (m·n)")
    ax.set_title("Fastest form over (density, batch); label: dense time / direct time")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "crossover-map.png"), dpi=110)
    plt.close(fig)

    # 3. Suites A and B: ours / best peer per case.
    ab = [r for r in rows if r["suite"] in ("A", "B") and r.get("ours_over_best")]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    xs = range(len(ab))
    ax.bar(xs, [r["ours_over_best"] for r in ab], color=["tab:blue" if r["suite"] == "A" else "tab:orange" for r in ab])
    ax.axhline(1.0, color="k", lw=1)
    ax.axhline(1.25, color="r", lw=1, ls="--", label="1.25 (suite A's worst-case target)")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([f"{r['id']}\n({r['best_peer']})" for r in ab], rotation=60, ha="right", fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("our time / best peer's time")
    ax.set_title("Suites A (blue) and B (orange): ratio against the best peer (below 1: ours is faster)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "ratio-vs-best-peer.png"), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
