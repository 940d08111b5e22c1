#!/usr/bin/env python3
"""The ratio table: ours / each peer per case, and ours / the best peer, as Markdown and JSON.

Reads the document peers.py writes (ours and the peers timed side by side) and checks the targets of
issue 5: suite A geometric mean of ours/best peer <= 1.0 with no case above 1.25; suite B <= 0.5 x
numpy.convolve and <= 1.0 x scipy's fastest method; suite C dense >= 95 % of NumPy matmul's GFLOP/s,
sparse >= 1.5 x scipy.sparse, auto within 10 % of our best form, a transposed conv <= 1.1 x the conv
it transposes; the 3x3 convs' fraction of the machine's peak as the FMA probe measured it in the same run
(never a nominal figure: without a measured peak the column says so). The header names the machine, the commit
and every library's version, from the provenance peers.py recorded.
"""
import argparse
import json
import math

SCIPY_METHODS = ("scipy.convolve", "scipy.oaconvolve", "scipy.fftconvolve")


def batch_of(case):
    return case["input_shape"][0]


def fmt(x, digits=3):
    if x is None:
        return "–"
    if x == 0 or not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def commit_text(ours, provenance):
    """The commit and where it comes from: the binary's own (built from it, or its run-time finding), else the
    checkout peers.py ran in."""
    if ours.get("commit"):
        source = ours.get("commit_source")
        return f"commit {ours['commit']}" + (f" ({source})" if source else "")
    if provenance.get("commit"):
        return f"commit {provenance['commit']} (the checkout peers.py ran in)"
    return None


def provenance_lines(provenance, machine, peak):
    """The header: which machine, which build, which versions (from peers.py's record; older runs lack it)."""
    ours = provenance.get("ours") or {}
    m = ours.get("machine") or {}
    lines = []
    if m:
        caches = ", ".join(f"{k.upper()} {m[k] // 1024} KiB" for k in ("l1d", "l2", "l3") if m.get(k))
        lines.append(f"Machine: {m.get('cpu_model', '?')} ({m.get('architecture', '?')}), {m.get('threads', '?')} threads used, "
                     f"ISA {' '.join(m.get('isa', []))}, our kernels {m.get('kernel_isa', '?')}; {caches}.")
    else:
        lines.append("Machine: not recorded by this run (peers.py before provenance was added).")
    lines.append(f"Peak: {peak:.1f} GFLOP/s FP32, measured by the FMA probe in this run." if peak
                 else "Peak: not measured in this run, so no percentage of peak is given.")
    if machine.get("numpy_sgemm_2048_gflops"):
        lines.append(f"NumPy sgemm 2048³ in this run: {machine['numpy_sgemm_2048_gflops']} GFLOP/s.")
    build = [f"convalgebra {ours['convalgebra_version']}" if ours.get("convalgebra_version") else None,
             commit_text(ours, provenance),
             f"OpenBLAS {ours['openblas_version']}" if ours.get("openblas_version") else None]
    build = [b for b in build if b]
    if build:
        lines.append("Build: " + ", ".join(build) + ".")
    peers = provenance.get("peers") or {}
    if peers:
        lines.append("Peers: " + ", ".join(f"{k} {v}" for k, v in sorted(peers.items())) + ".")
    return [line + "\n" for line in lines]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", help="the JSON written by peers.py")
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--peak", type=float, default=None,
                    help="machine peak in GFLOP/s for the fraction-of-peak column (default: the FMA probe that "
                         "peers.py had `convalgebra bench --peak` measure in the same run; without one, no column)")
    a = ap.parse_args()
    doc = json.load(open(a.results))
    ours, peers = doc["ours"], doc["peers"]
    machine = doc.get("machine", {})
    # The peak is measured (the FMA probe on the cores the run used), never assumed: a nominal figure from
    # the CPU's name is wrong on VMs and on CPUs that split wide FMAs.
    if a.peak is None:
        a.peak = machine.get("fma_probe_gflops")
    provenance = doc.get("provenance") or {}

    def of_peak(gflops):
        return gflops / a.peak if a.peak else None

    peer_by = {}
    for p in peers:
        peer_by.setdefault((p["id"], p["batch"]), []).append(p)

    rows, md = [], []
    md.append("# Benchmark suite v1: ours against the peers\n")
    md.append(f"Threads: {doc.get('threads', 2)} for every library. Medians of repeated runs, seconds in ms. "
              "Ratio = our time / the peer's time (below 1: we are faster).\n")
    md.extend(provenance_lines(provenance, machine, a.peak))

    # ---- suites A and B: direct form
    targets = {}
    for suite, title in (("A", "A. DL layers (direct form)"), ("B", "B. DSP 1-D (direct form)")):
        md.append(f"\n## {title}\n")
        md.append("| id | ours ms | GFLOP/s | % of measured peak | kernel | "
                  + "best peer | ours/best | ratios to each peer |")
        md.append("|---|---|---|---|---|---|---|---|")
        ratios = []
        for c in [c for c in ours if c["suite"] == suite and c["form"] == "direct"]:
            ps = peer_by.get((c["id"], batch_of(c)), [])
            t = c["seconds"]["median"]
            each = {p["peer"]: t / p["seconds"]["median"] for p in ps}
            best = min(ps, key=lambda p: p["seconds"]["median"]) if ps else None
            r_best = t / best["seconds"]["median"] if best else None
            if r_best:
                ratios.append(r_best)
            row = {"suite": suite, "id": c["id"], "batch": batch_of(c), "form": "direct", "ours_seconds": t,
                   "gflops": c["gflops"], "fraction_of_peak": of_peak(c["gflops"]), "kernel": c.get("note"),
                   "best_peer": best["peer"] if best else None, "ours_over_best": r_best, "ours_over_peer": each,
                   "forward_conv_seconds": c.get("forward_conv_seconds")}
            if suite == "B":
                npc = [p for p in ps if p["peer"] == "numpy.convolve"]
                sc = [p for p in ps if p["peer"] in SCIPY_METHODS]
                row["ours_over_numpy_convolve"] = t / npc[0]["seconds"]["median"] if npc else None
                row["ours_over_scipy_fastest"] = t / min(p["seconds"]["median"] for p in sc) if sc else None
            rows.append(row)
            pct = f"{100 * row['fraction_of_peak']:.0f} %" if row["fraction_of_peak"] is not None else "not measured"
            md.append(f"| {c['id']} | {t * 1e3:.3f} | {c['gflops']:.1f} | {pct} | "
                      f"{c.get('note') or ''} | {row['best_peer'] or '–'} | **{fmt(r_best)}** | "
                      + ", ".join(f"{k} {fmt(v)}" for k, v in sorted(each.items())) + " |")
        if ratios:
            gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            md.append(f"\nGeometric mean of ours/best peer: **{gm:.3f}**; worst case {max(ratios):.3f}.")
            targets[suite] = {"geomean_ours_over_best": gm, "worst_ours_over_best": max(ratios)}
        if suite == "A":
            tr = [r for r in rows if r["suite"] == "A" and r.get("forward_conv_seconds")]
            for r in tr:
                md.append(f"\n{r['id']}: transposed conv / the conv it transposes = "
                          f"{r['ours_seconds'] / r['forward_conv_seconds']:.3f} (target <= 1.1)")
        if suite == "B":
            md.append("\n| id | ours / numpy.convolve (target <= 0.5) | ours / scipy's fastest (target <= 1.0) |")
            md.append("|---|---|---|")
            for r in [r for r in rows if r["suite"] == "B"]:
                md.append(f"| {r['id']} | {fmt(r['ours_over_numpy_convolve'])} | {fmt(r['ours_over_scipy_fastest'])} |")

    # ---- suite C: forms
    md.append("\n## C. Matrix vs direct forms\n")
    md.append("| id | B | density | direct ms | dense ms | sparse ms | auto ms (pick) | best form | auto/best | "
              "dense/numpy.matmul | sparse/scipy.sparse | direct/best direct peer | ours best/best peer | mat. dense ms | mat. sparse ms (Mnnz/s) |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    cases_c = {}
    for c in ours:
        if c["suite"] == "C":
            cases_c.setdefault((c["id"], batch_of(c)), {})[c["form"]] = c
    for (cid, B), forms in cases_c.items():
        ps = peer_by.get((cid, B), [])
        med = {f: v["seconds"]["median"] for f, v in forms.items()}
        core = {f: med[f] for f in ("direct", "dense", "sparse") if f in med}
        best_form = min(core, key=core.get) if core else None
        auto = forms.get("auto")
        auto_pick = (auto.get("note") or "").split(":")[0] if auto else None
        pk = {p["peer"]: p["seconds"]["median"] for p in ps}
        direct_peers = {p["peer"]: p["seconds"]["median"] for p in ps if p["kind"] == "direct"}
        best_direct_peer = min(direct_peers.values()) if direct_peers else None
        best_peer = min(pk.values()) if pk else None
        sparse_c = forms.get("sparse")
        dense_c = forms.get("dense")
        density = None
        if sparse_c and sparse_c.get("stored_entries") is not None:
            m_n = (dense_c or {}).get("stored_entries")
            density = sparse_c["stored_entries"] / m_n if m_n else None
        row = {"suite": "C", "id": cid, "batch": B, "seconds": med, "best_form": best_form, "auto_pick": auto_pick,
               "density": density,
               "auto_over_best": med["auto"] / core[best_form] if auto and best_form else None,
               "dense_over_numpy_matmul": med["dense"] / pk["numpy.matmul"] if "dense" in med and "numpy.matmul" in pk else None,
               "sparse_over_scipy_sparse": med["sparse"] / pk["scipy.sparse"] if "sparse" in med and "scipy.sparse" in pk else None,
               "direct_over_best_direct_peer": med["direct"] / best_direct_peer if "direct" in med and best_direct_peer else None,
               "ours_best_over_best_peer": core[best_form] / best_peer if best_form and best_peer else None,
               "peers": pk,
               "materialise_dense_seconds": dense_c.get("materialise_seconds") if dense_c else None,
               "materialise_sparse_seconds": sparse_c.get("materialise_seconds") if sparse_c else None,
               "materialise_sparse_entries_per_second": sparse_c.get("materialise_entries_per_second") if sparse_c else None}
        rows.append(row)

        def ms(f):
            return f"{med[f] * 1e3:.3f}" if f in med else "–"
        mnnz = row["materialise_sparse_entries_per_second"]
        md.append(f"| {cid} | {B} | {fmt(density, 2)} | {ms('direct')} | {ms('dense')} | {ms('sparse')} | "
                  f"{ms('auto')} ({auto_pick or '–'}) | {best_form} | {fmt(row['auto_over_best'])} | "
                  f"{fmt(row['dense_over_numpy_matmul'])} | {fmt(row['sparse_over_scipy_sparse'])} | "
                  f"{fmt(row['direct_over_best_direct_peer'])} | {fmt(row['ours_best_over_best_peer'])} | "
                  f"{fmt((row['materialise_dense_seconds'] or 0) * 1e3)} | "
                  f"{fmt((row['materialise_sparse_seconds'] or 0) * 1e3)} ({fmt(mnnz / 1e6 if mnnz else None)}) |")
    cr = [r for r in rows if r["suite"] == "C"]

    def worst(key):
        v = [r[key] for r in cr if r.get(key) is not None]
        return max(v) if v else None
    targets["C"] = {"worst_auto_over_best": worst("auto_over_best"),
                    "worst_dense_over_numpy_matmul": worst("dense_over_numpy_matmul"),
                    "worst_sparse_over_scipy_sparse": worst("sparse_over_scipy_sparse")}
    # How many points meet each target, on the medians and on the minima (the run least disturbed by other
    # processes: on a loaded machine the two differ, and a report gives both).
    c_points = {(r["id"], r["batch"]): r for r in cr}

    def met(which):
        def stat(key, case, peer=None):
            forms = cases_c.get(case, {})
            if peer is None:
                return forms[key]["seconds"][which] if key in forms else None
            p = [q for q in peer_by.get(case, []) if q["peer"] == peer]
            return p[0]["seconds"][which] if p else None
        auto = dense = sparse = (0, 0)
        for case in c_points:
            t = {f: stat(f, case) for f in ("direct", "dense", "sparse", "auto")}
            best = min(v for f, v in t.items() if f != "auto" and v is not None) if any(t[f] for f in ("direct", "dense", "sparse")) else None
            if t["auto"] and best:
                auto = (auto[0] + (t["auto"] <= 1.1 * best), auto[1] + 1)
            npm, scs = stat(None, case, "numpy.matmul"), stat(None, case, "scipy.sparse")
            if case[1] >= 16 and t["dense"] and npm:
                dense = (dense[0] + (t["dense"] <= npm / 0.95), dense[1] + 1)
            if t["sparse"] and scs:
                sparse = (sparse[0] + (t["sparse"] <= scs / 1.5), sparse[1] + 1)
        return {"auto_within_10_percent": auto, "dense_95_percent_of_numpy_b16": dense, "sparse_1_5x_scipy": sparse}
    targets["C"]["points_met_median"] = met("median")
    targets["C"]["points_met_min"] = met("min")
    md.append(f"\nWorst auto/best form: {fmt(targets['C']['worst_auto_over_best'])} (target <= 1.1); "
              f"worst dense/numpy.matmul time: {fmt(targets['C']['worst_dense_over_numpy_matmul'])} (target <= 1.053, i.e. >= 95 % of its GFLOP/s); "
              f"worst sparse/scipy.sparse time: {fmt(targets['C']['worst_sparse_over_scipy_sparse'])} (target <= 0.667).")
    for which in ("median", "min"):
        pm = targets["C"][f"points_met_{which}"]
        md.append(f"Points meeting each target ({which} times): auto within 10 % of the best form "
                  f"{pm['auto_within_10_percent'][0]}/{pm['auto_within_10_percent'][1]}; dense >= 95 % of NumPy for B >= 16 "
                  f"{pm['dense_95_percent_of_numpy_b16'][0]}/{pm['dense_95_percent_of_numpy_b16'][1]}; sparse >= 1.5 x scipy.sparse "
                  f"{pm['sparse_1_5x_scipy'][0]}/{pm['sparse_1_5x_scipy'][1]}.")
    tr = [r for r in rows if r["suite"] == "A" and r.get("forward_conv_seconds")]
    targets["transposed_over_forward"] = {r["id"]: r["ours_seconds"] / r["forward_conv_seconds"] for r in tr}

    json.dump({"threads": doc.get("threads"), "peak_gflops": a.peak, "machine": machine, "provenance": provenance,
               "targets": targets, "rows": rows},
              open(a.json, "w"), indent=1)
    open(a.markdown, "w").write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
