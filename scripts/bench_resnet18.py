#!/usr/bin/env python3
"""The whole-model benchmark of `convalgebra model analyze` (issue 17): a ResNet-18 with random weights.

1. Builds ResNet-18 exactly as torchvision.models.resnet18 defines it (BasicBlock, layers [2, 2, 2, 2], the 7x7/2
   stem, the 3x3/2 max pool, 1x1/2 downsample shortcuts, 512 -> 1000 fc: 11.7 M parameters; written out here
   because torchvision is not a dependency, with torchvision's module names and initialisation), seeds 0, and
   exports it with torch.onnx.export (opset 17, eval mode: the exporter folds batch norm into the convolutions)
   at 1x3x224x224.
2. Runs `convalgebra model analyze resnet18.onnx --json ... --tolerance TOL` and measures the wall time and the
   peak resident memory of the process (getrusage of the child).
3. For every conv layer, PyTorch's fixed 100-step power iteration on the same operator (the exported, folded
   weight; autograd for the transpose), its value and time, for comparison.
4. Prints a Markdown table: per layer the exact sigma_1 (block Lanczos, certified relative bound <= TOL), the reshaped-weight
   norm (what torch.nn.utils.spectral_norm normalises by) and the circular-padding FFT value, each with its
   relative gap to the exact value, the 100-step power iteration's gap, and the times.

Usage: python3 scripts/bench_resnet18.py [--binary .build/release/convalgebra] [--out DIR] [--tolerance 1e-8] [--size 224]
Runs itself in a virtual environment with torch, onnx and numpy ($VENV or .venv-torch, created on first use).
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
    import onnx.numpy_helper
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    ensure_venv(__file__, modules=("torch", "numpy", "onnx"))

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


def power100(node, inits, in_shape):
    """PyTorch's fixed 100-step power iteration on the conv's operator (autograd for A^T), value and seconds."""
    w = torch.from_numpy(inits[node.input[1]]).double()
    attrs = {a.name: list(a.ints) if a.ints else a.i for a in node.attribute}
    stride, pads = attrs.get("strides", [1, 1]), attrs.get("pads", [0, 0, 0, 0])
    f = lambda x: F.conv2d(x, w, stride=stride, padding=(pads[0], pads[1]), groups=attrs.get("group", 1))
    torch.manual_seed(0)
    v = torch.randn((1,) + tuple(in_shape), dtype=torch.float64)
    v /= v.norm()
    start = time.perf_counter()
    sigma = 0.0
    for _ in range(100):
        u, vjp = torch.func.vjp(f, v)
        sigma = u.norm().item()
        (v,) = vjp(u)
        v = v / v.norm()
    return sigma, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "convalgebra"))
    ap.add_argument("--out", default=os.path.join(ROOT, ".build", "bench-resnet18"))
    ap.add_argument("--tolerance", default="1e-8")
    ap.add_argument("--size", type=int, default=224, help="the input's side (224 is ResNet-18's; smaller for a quick table)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    model = ResNet18().eval()
    params = sum(p.numel() for p in model.parameters())
    path = os.path.join(args.out, "resnet18.onnx")
    torch.onnx.export(model, torch.randn(1, 3, args.size, args.size), path, dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["logits"])
    report = os.path.join(args.out, "resnet18.json")
    start = time.perf_counter()
    subprocess.check_call([args.binary, "model", "analyze", path, "--json", report, "--tolerance", args.tolerance],
                          stdout=subprocess.DEVNULL)   # progress lines on stderr
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024  # KiB -> GiB
    doc = json.load(open(report))
    proto = onnx.load(path)
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    nodes = {n.name: n for n in proto.graph.node}
    print(f"ResNet-18 ({params / 1e6:.1f} M parameters), {len(doc['layers'])} linear layers, "
          f"input 3x{args.size}x{args.size}; `convalgebra model analyze --tolerance {args.tolerance}`: {wall:.1f} s wall, peak RSS {peak:.2f} GiB\n")
    print("| layer | op | input → output | σ₁ exact | certified rel. bound | s | block steps / vectors | ‖W‖ reshaped (gap) | "
          "circular FFT (gap) | PyTorch 100-step power (gap, s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    gap = lambda x, s: "-" if x is None else f"{x:.5g} ({(x - s) / s:+.2%})"
    for l in doc["layers"]:
        s = l["spectral_norm"]
        torch_col = "-"
        if l["op"] == "Conv":
            p, t = power100(nodes[l["name"]], inits, l["input_shape"])
            torch_col = f"{p:.6g} ({(p - s) / s:+.1e}, {t:.2f})"
        shapes = "×".join(map(str, l["input_shape"])) + " → " + "×".join(map(str, l["output_shape"]))
        bound = (l["spectral_norm_upper_bound"] - s) / s if s else 0.0
        steps = f"{l['iterations']} / {l['products']}" if l["iterations"] else "-"
        print(f"| {l['name']} | {l['op']} | {shapes} | {s:.10g} | {bound:.1e} | {l['seconds']:.2f} | {steps} | "
              f"{gap(l['reshaped_weight_norm'], s)} | {gap(l['circular_fft_norm'], s)} | {torch_col} |")
    print(f"\nLipschitz bound (product): {doc['lipschitz_bound']:.6g}")


if __name__ == "__main__":
    main()
