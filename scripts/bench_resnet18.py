#!/usr/bin/env python3
"""The whole-model benchmark of `convalgebra model analyze` (issue 17): a ResNet-18 with random weights.

1. Builds ResNet-18 exactly as torchvision.models.resnet18 defines it (BasicBlock, layers [2, 2, 2, 2], the 7x7/2
   stem, the 3x3/2 max pool, 1x1/2 downsample shortcuts, 512 -> 1000 fc: 11.7 M parameters; written out here
   because torchvision is not a dependency, with torchvision's module names and initialisation), seeds 0, and
   exports it with torch.onnx.export (opset 17, eval mode: the exporter folds batch norm into the convolutions)
   at 1x3x224x224.
2. Runs `convalgebra model analyze resnet18.onnx --json ... --tolerance TOL` and measures the wall time and the
   peak resident memory of the process (getrusage of the child); the JSON gives each layer's time for sigma_1 alone,
   its block steps, the vectors sent through A and A^T and the seconds spent in those batched applies.
3. For every conv layer, the peers on the same operator (the exported, folded weight; torch conv2d for A and
   conv_transpose2d for A^T, float64, all cores): SciPy's ARPACK (`svds`, k = 1, tol 1e-7 by default) on a
   LinearOperator of them, and PyTorch's fixed 100-step power iteration; values and times.
4. Prints a Markdown table: per layer the exact sigma_1 (certified relative bound <= TOL), the reshaped-weight
   norm (what torch.nn.utils.spectral_norm normalises by) and the circular-padding FFT value (strided layers by the
   polyphase blocks), each with its relative gap to the exact value, the peers' gaps, and the times and ratios.

Usage: python3 scripts/bench_resnet18.py [--binary .build/release/convalgebra] [--out DIR] [--tolerance 1e-8] [--size 224]
       [--arpack-tolerance 1e-7] [--no-peers] [--single NODE]   (--single: that conv alone, to profile one layer)
Runs itself in a virtual environment with torch, onnx, numpy and scipy ($VENV or .venv-torch, created on first use).
"""
import argparse
import json
import os
import resource
import subprocess
import time

from fixture_venv import ensure_venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


try:
    import numpy as np
    import onnx
    import scipy
    import onnx.numpy_helper
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    ensure_venv(__file__, modules=("torch", "numpy", "onnx", "scipy"))

import warnings

warnings.filterwarnings("ignore")


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """torchvision.models.resnet18(weights=None), module for module."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(64, 2)
        self.layer2 = self._make_layer(128, 2, 2)
        self.layer3 = self._make_layer(256, 2, 2)
        self.layer4 = self._make_layer(512, 2, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def conv_pair(node, inits, in_shape):
    """The conv's operator A (torch conv2d, float64) and its transpose Aᵀ (conv_transpose2d), on one sample."""
    w = torch.from_numpy(inits[node.input[1]]).double()
    attrs = {a.name: list(a.ints) if a.ints else a.i for a in node.attribute}
    stride, pads = attrs.get("strides", [1, 1]), attrs.get("pads", [0, 0, 0, 0])
    groups, kernel = attrs.get("group", 1), w.shape[2:]
    pad = (pads[0], pads[1])
    forward = lambda x: F.conv2d(x, w, stride=stride, padding=pad, groups=groups)
    out_shape = forward(torch.zeros((1,) + tuple(in_shape), dtype=torch.float64)).shape[1:]
    extra = [in_shape[1 + d] - ((out_shape[1 + d] - 1) * stride[d] - 2 * pad[d] + kernel[d]) for d in range(2)]
    backward = lambda y: F.conv_transpose2d(y, w, stride=stride, padding=pad, output_padding=extra, groups=groups)
    return forward, backward, tuple(out_shape), f"{kernel[0]}×{kernel[1]}/{stride[0]}"


def power100(forward, backward, in_shape):
    """PyTorch's fixed 100-step power iteration on AᵀA (conv2d, then conv_transpose2d): value, wall and CPU seconds."""
    torch.manual_seed(0)
    v = torch.randn((1,) + tuple(in_shape), dtype=torch.float64)
    v /= v.norm()
    start, cpu = time.perf_counter(), time.process_time()
    sigma = 0.0
    with torch.no_grad():
        for _ in range(100):
            u = forward(v)
            sigma = u.norm().item()
            v = backward(u)
            v = v / v.norm()
    return sigma, time.perf_counter() - start, time.process_time() - cpu


def arpack(forward, backward, in_shape, out_shape, tol):
    """SciPy's ARPACK (`svds`, k = 1) on a LinearOperator of the torch conv / conv_transpose, float64: value, wall and
    CPU seconds."""
    from scipy.sparse.linalg import LinearOperator, svds

    n, m = int(np.prod(in_shape)), int(np.prod(out_shape))
    with torch.no_grad():
        mv = lambda x: forward(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64)).reshape((1,) + tuple(in_shape))).numpy().ravel()
        rmv = lambda y: backward(torch.from_numpy(np.ascontiguousarray(y, dtype=np.float64)).reshape((1,) + tuple(out_shape))).numpy().ravel()
        op = LinearOperator((m, n), matvec=mv, rmatvec=rmv, dtype=np.float64)
        v0 = np.random.default_rng(0).standard_normal(min(m, n))
        start, cpu = time.perf_counter(), time.process_time()
        s = svds(op, k=1, tol=tol, v0=v0, return_singular_vectors=False, solver="arpack")
        return float(s[0]), time.perf_counter() - start, time.process_time() - cpu


def export_resnet(size, path):
    torch.manual_seed(0)
    model = ResNet18().eval()
    torch.onnx.export(model, torch.randn(1, 3, size, size), path, dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["logits"])
    return sum(p.numel() for p in model.parameters())


def export_single(node, inits, in_shape, path):
    """One conv of the exported ResNet (its folded weight) as a model of its own, for profiling that layer alone."""
    w = torch.from_numpy(inits[node.input[1]])
    attrs = {a.name: list(a.ints) if a.ints else a.i for a in node.attribute}
    conv = nn.Conv2d(w.shape[1] * attrs.get("group", 1), w.shape[0], tuple(w.shape[2:]), tuple(attrs.get("strides", [1, 1])),
                     tuple(attrs.get("pads", [0, 0, 0, 0])[:2]), groups=attrs.get("group", 1), bias=False)
    conv.weight.data.copy_(w)
    torch.onnx.export(conv.eval(), torch.randn((1,) + tuple(in_shape)), path, dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["output"])


def run_analyze(binary, path, report, tolerance, extra=()):
    start = time.perf_counter()
    subprocess.check_call([binary, "model", "analyze", path, "--json", report, "--tolerance", tolerance, *extra],
                          stdout=subprocess.DEVNULL)   # progress lines on stderr
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024  # KiB -> GiB (the largest child)
    return wall, peak, json.load(open(report))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "convalgebra"))
    ap.add_argument("--out", default=os.path.join(ROOT, ".build", "bench-resnet18"))
    ap.add_argument("--tolerance", default="1e-8")
    ap.add_argument("--size", type=int, default=224, help="the input's side (224 is ResNet-18's; smaller for a quick table)")
    ap.add_argument("--arpack-tolerance", type=float, default=1e-7)
    ap.add_argument("--no-peers", action="store_true", help="skip ARPACK and the PyTorch power iteration")
    ap.add_argument("--block-size", help="passed to model analyze (default: its own)")
    ap.add_argument("--max-basis", help="passed to model analyze (default: its own)")
    ap.add_argument("--single", help="analyse only the conv node of this name, exported as a model of its own")
    ap.add_argument("--reuse", action="store_true", help="take our numbers from the JSON of an earlier run in --out")
    ap.add_argument("--arpack-only", nargs="*", metavar="NODE",
                    help="with --peers-only: run ARPACK only on these nodes (none when the list is empty; it takes "
                         "minutes per layer at 224); the power iteration runs on every conv")
    ap.add_argument("--peers-only", action="store_true",
                    help="time the peers on every conv and write them to --out/peers.json (read by later runs in that --out)")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"resnet18-{args.size}.onnx")
    params = export_resnet(args.size, path)
    proto = onnx.load(path)
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    nodes = {n.name: n for n in proto.graph.node}
    target = path
    if args.single:
        shapes = onnx.shape_inference.infer_shapes(proto).graph
        dims = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim][1:] for v in list(shapes.value_info) + list(shapes.input)}
        node = nodes[args.single]
        target = os.path.join(args.out, "single.onnx")
        export_single(node, inits, dims[node.input[0]], target)
    machine = subprocess.run([args.binary, "machine"], capture_output=True, text=True).stdout.strip().splitlines()
    peers_file = os.path.join(args.out, "peers.json")
    if args.peers_only:
        shapes = onnx.shape_inference.infer_shapes(proto).graph
        dims = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim][1:] for v in list(shapes.value_info) + list(shapes.input)}
        # The file accumulates: a layer's power iteration is timed once, its ARPACK run once when asked (delete the
        # file to time them again), so a quick pass of power iterations can be followed by ARPACK on chosen layers.
        peers = json.load(open(peers_file)) if os.path.exists(peers_file) else {}
        for node in proto.graph.node:
            if node.op_type != "Conv":
                continue
            forward, backward, out_shape, _ = conv_pair(node, inits, dims[node.input[0]])
            entry = peers.setdefault(node.name, {"arpack": None})
            if "power" not in entry:
                entry["power"], entry["power_load"] = power100(forward, backward, dims[node.input[0]]), os.getloadavg()[0]
            if entry.get("arpack") is None and (args.arpack_only is None or node.name in args.arpack_only):
                entry["arpack"] = arpack(forward, backward, dims[node.input[0]], out_shape, args.arpack_tolerance)
                entry["arpack_load"] = os.getloadavg()[0]
            print(node.name, peers[node.name], flush=True)
            json.dump(peers, open(peers_file, "w"))
        return
    cached = json.load(open(peers_file)) if os.path.exists(peers_file) else {}
    report = os.path.join(args.out, "resnet18.json")
    if args.reuse:
        doc = json.load(open(report))
        wall, peak = doc.get("wall_seconds", float("nan")), doc.get("peak_rss_gib", float("nan"))
        cpu = doc.get("cpu_seconds", float("nan"))
    else:
        extra = [f for flag, v in (("--block-size", args.block_size), ("--max-basis", args.max_basis)) if v for f in (flag, v)]
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, peak, doc = run_analyze(args.binary, target, report, args.tolerance, extra)
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        doc["cpu_seconds"] = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        if args.single:
            doc["layers"][0]["name"] = args.single      # the single model's node is the ResNet's
        doc["wall_seconds"], doc["peak_rss_gib"] = wall, peak
        json.dump(doc, open(report, "w"))
        cpu = doc["cpu_seconds"]
    load = os.getloadavg()
    described = "; ".join(" ".join(l.split()) for l in machine if l.split()[:1] in (["cpu"], ["cores"], ["physical"], ["isa"]))
    print(f"Machine (`convalgebra machine`): {described or '?'}; load average after the run {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    print(f"ResNet-18 ({params / 1e6:.1f} M parameters), {len(doc['layers'])} linear layers, input 3×{args.size}×{args.size}; "
          f"`convalgebra model analyze --tolerance {args.tolerance}`: {wall:.1f} s wall ({cpu:.1f} s CPU), peak RSS {peak:.2f} GiB\n")
    # Times are wall / CPU seconds (the CPU time of all threads: on a shared machine it is what the run cost).
    print("| layer | input → output | kernel | σ₁ exact | certified rel. bound | ‖W‖ reshaped (gap) | circular FFT (gap) | "
          "ours: σ₁ s wall / CPU (block steps / vectors, s in applies) | layer s | ARPACK svds tol " + f"{args.arpack_tolerance:g}" +
          " s wall / CPU (gap) | PyTorch 100-step power s wall / CPU (gap) | ours / ARPACK wall, CPU | ours / power wall, CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    gap = lambda x, s: "-" if x is None else f"{x:.6g} ({(x - s) / s:+.2%})"
    nan = float("nan")
    timed = lambda t: f"{t[0]:.2f} / {t[1]:.2f}"
    ratio = lambda a, b: f"{a[0] / b[0]:.2f}, {a[1] / b[1]:.2f}"
    totals = {"ours": [0.0, 0.0], "arpack": [0.0, 0.0], "power": [0.0, 0.0]}
    add = lambda key, t: totals[key].__setitem__(slice(None), [totals[key][0] + t[0], totals[key][1] + t[1]])
    for l in doc["layers"]:
        s = l["spectral_norm"]
        shapes = "×".join(map(str, l["input_shape"])) + " → " + "×".join(map(str, l["output_shape"]))
        bound = (l["spectral_norm_upper_bound"] - s) / s if s else 0.0
        steps = f" ({l['iterations']} / {l['products']}, {l['operator_seconds']:.2f})" if l["iterations"] else " (gesdd)"
        ours = (l["spectral_norm_seconds"], l.get("spectral_norm_cpu_seconds", nan))
        kernel, peer_a, peer_p, ratio_a, ratio_p = "-", "-", "-", "-", "-"
        add("ours", ours)
        if l["op"].startswith("Conv") and l["name"] in nodes:
            forward, backward, out_shape, kernel = conv_pair(nodes[l["name"]], inits, l["input_shape"])
            if not args.no_peers or l["name"] in cached:
                if l["name"] in cached:
                    a, p = cached[l["name"]]["arpack"], cached[l["name"]]["power"]
                else:
                    a = arpack(forward, backward, l["input_shape"], out_shape, args.arpack_tolerance)
                    p = power100(forward, backward, l["input_shape"])
                pt = (p[1], p[2] if len(p) > 2 else nan)
                add("power", pt)
                if a is not None:
                    at = (a[1], a[2] if len(a) > 2 else nan)
                    add("arpack", at)
                    peer_a, ratio_a = f"{timed(at)} ({(a[0] - s) / s:+.1e})", ratio(ours, at)
                peer_p, ratio_p = f"{timed(pt)} ({(p[0] - s) / s:+.1e})", ratio(ours, pt)
        print(f"| {l['name']} | {shapes} | {kernel} | {s:.10g} | {bound:.1e} | {gap(l['reshaped_weight_norm'], s)} | "
              f"{gap(l['circular_fft_norm'], s)} | {timed(ours)}{steps} | {l['seconds']:.2f} | {peer_a} | {peer_p} | {ratio_a} | {ratio_p} |")
    print(f"\nTotal σ₁ seconds (wall / CPU): ours {timed(totals['ours'])}, ARPACK {timed(totals['arpack'])}, "
          f"PyTorch power {timed(totals['power'])} (peers: the conv layers they ran on)")
    print(f"Lipschitz bound (product): {doc['lipschitz_bound']:.6g}")


if __name__ == "__main__":
    main()
