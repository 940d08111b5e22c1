#!/usr/bin/env python3
"""Writes the ONNX model fixtures to Tests/ConvAlgebraTests/Fixtures/onnx/.

Small PyTorch networks (random weights, a fixed seed) exported with torch.onnx.export (the TorchScript
exporter, opset 17, batch norm kept as its own node), and, per linear layer of each model as the graph walk
of ConvAlgebraONNX defines it, the layer's matrix computed INDEPENDENTLY of the library:

  the Jacobian of the PyTorch layer (module or functional, in float64) by torch.autograd.functional.jacobian
  at the layer's input shape, reshaped to (output count, input count), and its singular values by
  numpy.linalg.svd; the reshaped-weight norm by numpy.linalg.svd of W.movedim(dim, 0).reshape(W.shape[dim], -1)
  (the weight after batch-norm folding, dim 0 for Conv/Gemm, 1 for ConvTranspose); the product bound on the
  Lipschitz constant from those norms and the activations' constants by the rules written in the manifest.

Models: convnet (paddings, strides, dilation, groups, reflect padding, asymmetric zero padding, nearest
up-sampling, average and max pooling, Linear with and without bias), generator (DCGAN-style: transposed
convolutions with batch norm, output padding, bilinear up-sampling), resblock (stem conv + BN, overlapping max
pool, a basic residual block, a linear residual block x + BN(conv1x1(x)), a strided block with a 1x1 shortcut,
global average pooling, Linear). Also a few hostile files (truncated, external data, unsupported op).

MaxPool at an input: resblock.at.npy (an input sample) and resblock.maxpool.{npy,json} (autograd's Jacobian of
resblock's pool at the value the network feeds it from that input).

Per model NAME: NAME.onnx and NAME.json (the expected layers); per layer i: NAME.Li.npy, the Jacobian's non-zeros
as an (nnz, 3) float64 array of (row, column, value) in row-major order.

Usage: python3 scripts/make_onnx_fixtures.py
Runs itself inside a virtual environment with torch, onnx and numpy: $VENV if set, else .venv-torch in the repo
root, created on first use.
"""
import copy
import json
import os

from fixture_venv import ensure_venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ConvAlgebraTests", "Fixtures", "onnx")


try:
    import numpy as np
    import onnx
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    ensure_venv(__file__, modules=("torch", "numpy", "onnx"))

import warnings

warnings.filterwarnings("ignore")


def randomise_bn(model):
    """Batch-norm statistics and affine parameters away from the identity, so folding is visible."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 6, 3, padding=1)
        self.c2 = nn.Conv2d(6, 6, 3, stride=2, padding=2, dilation=2)
        self.c3 = nn.Conv2d(6, 6, 3, padding=1, groups=3, padding_mode="reflect")
        self.pad = nn.ZeroPad2d((1, 0, 0, 1))          # left, right, top, bottom: asymmetric
        self.c4 = nn.Conv2d(6, 4, (2, 2))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.avg = nn.AvgPool2d(2)
        self.mp = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(4 * 2 * 2, 5)
        self.fc2 = nn.Linear(5, 3, bias=False)

    def forward(self, x):
        x = F.relu(self.c1(x))                          # 6x8x8
        x = F.leaky_relu(self.c2(x), 0.2)               # 6x4x4
        x = self.c3(x)                                  # Pad(reflect) + Conv
        x = torch.sigmoid(self.c4(self.pad(x)))         # 4x4x4
        x = self.avg(self.up(x))                        # 4x8x8 -> 4x4x4
        x = self.mp(x)                                  # 4x2x2
        x = torch.tanh(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.t1 = nn.ConvTranspose2d(8, 8, 4, 1, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.t2 = nn.ConvTranspose2d(8, 4, 3, 2, 1, output_padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(4)
        self.c = nn.Conv2d(4, 2, 3, padding=1)

    def forward(self, z):
        x = F.relu(self.bn1(self.t1(z)))                # 8x4x4
        x = F.relu(self.bn2(self.t2(self.up(x))))       # 8x8x8 -> 4x16x16 (kernel 3, stride 2: uneven overlap)
        return torch.tanh(self.c(x))                    # 2x16x16


class ResBlockNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(4, 8, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.lin = nn.Conv2d(8, 8, 1, bias=False)
        self.bnl = nn.BatchNorm2d(8)
        self.conva = nn.Conv2d(8, 12, 3, stride=2, padding=1, bias=False)
        self.bna = nn.BatchNorm2d(12)
        self.convb = nn.Conv2d(12, 12, 3, padding=1, bias=False)
        self.bnb = nn.BatchNorm2d(12)
        self.short = nn.Conv2d(8, 12, 1, stride=2, bias=False)
        self.bns = nn.BatchNorm2d(12)
        self.fc = nn.Linear(12, 5)

    def forward(self, x):
        x = self.pool(F.relu(self.bn0(self.stem(x))))                  # 8x4x4
        h = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(h)) + x)                        # basic block
        x = x + self.bnl(self.lin(x))                                   # linear residual: I + BN(conv1x1)
        a = self.bnb(self.convb(F.relu(self.bna(self.conva(x)))))
        x = F.relu(a + self.bns(self.short(x)))                        # 12x2x2
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


def jacobian(fn, shape):
    x = torch.randn((1,) + tuple(shape), dtype=torch.float64)
    j = torch.autograd.functional.jacobian(fn, x)
    out = j.shape[: j.dim() // 2]
    m = int(np.prod(out[1:]))
    return j.reshape(m, -1).numpy(), list(out[1:])


def folded(conv, bn, dim):
    """The weight of conv followed by bn (eval), folded along the output-channel axis `dim`."""
    w = conv.weight.detach().double().clone()
    if bn is not None:
        s = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach().double()
        shape = [1] * w.dim()
        shape[dim] = -1
        w = w * s.reshape(shape)
    return w


def reshaped_norm(w, dim):
    m = w.movedim(dim, 0).reshape(w.shape[dim], -1).numpy()
    return float(np.linalg.svd(m, compute_uv=False)[0])


def layer(name, op, fn, in_shape, weight=None, dim=0):
    return dict(name=name, op=op, fn=fn, in_shape=in_shape, weight=weight, dim=dim)


def d(module):
    return copy.deepcopy(module).double().eval()


def convnet_layers(m):
    c1, c2, c3, c4, fc1, fc2 = d(m.c1), d(m.c2), d(m.c3), d(m.c4), d(m.fc1), d(m.fc2)
    conv3 = lambda x: F.conv2d(x, c3.weight, c3.bias, groups=3)
    return [
        layer("/c1/Conv", "Conv", lambda x: c1(x) - c1.bias.reshape(1, -1, 1, 1), [3, 8, 8], folded(c1, None, 0)),
        layer("/c2/Conv", "Conv", lambda x: c2(x) - c2.bias.reshape(1, -1, 1, 1), [6, 8, 8], folded(c2, None, 0)),
        layer("/c3/Pad", "Pad", lambda x: F.pad(x, (1, 1, 1, 1), mode="reflect"), [6, 4, 4]),
        layer("/c3/Conv", "Conv", lambda x: conv3(x) - c3.bias.reshape(1, -1, 1, 1), [6, 6, 6], folded(c3, None, 0)),
        layer("/pad/Pad", "Pad", lambda x: F.pad(x, (1, 0, 0, 1)), [6, 4, 4]),
        layer("/c4/Conv", "Conv", lambda x: c4(x) - c4.bias.reshape(1, -1, 1, 1), [6, 5, 5], folded(c4, None, 0)),
        layer("/up/Resize", "Resize", lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), [4, 4, 4]),
        layer("/avg/AveragePool", "AveragePool", lambda x: F.avg_pool2d(x, 2), [4, 8, 8]),
        layer("/fc1/Gemm", "Gemm", lambda x: fc1(x) - fc1.bias, [16], fc1.weight.detach().double()),
        layer("/fc2/MatMul", "MatMul", fc2, [5], fc2.weight.detach().double()),
    ]


def convnet_bound(s):
    # relu 1, leaky_relu max(1, 0.2), sigmoid 1/4, max pool 2x2/2 (windows do not overlap) 1, tanh 1.
    return s["/c1/Conv"] * s["/c2/Conv"] * 1.0 * s["/c3/Pad"] * s["/c3/Conv"] * s["/pad/Pad"] * s["/c4/Conv"] * 0.25 \
        * s["/up/Resize"] * s["/avg/AveragePool"] * 1.0 * s["/fc1/Gemm"] * s["/fc2/MatMul"]


def generator_layers(m):
    t1, bn1, t2, bn2, c = d(m.t1), d(m.bn1), d(m.t2), d(m.bn2), d(m.c)
    return [
        layer("/t1/ConvTranspose", "ConvTranspose+BatchNormalization",
              lambda x: bn1(t1(x)) - bn1(t1(torch.zeros_like(x))), [8, 1, 1], folded(t1, bn1, 1), 1),
        layer("/up/Resize", "Resize", lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False), [8, 4, 4]),
        layer("/t2/ConvTranspose", "ConvTranspose+BatchNormalization",
              lambda x: bn2(t2(x)) - bn2(t2(torch.zeros_like(x))), [8, 8, 8], folded(t2, bn2, 1), 1),
        layer("/c/Conv", "Conv", lambda x: c(x) - c.bias.reshape(1, -1, 1, 1), [4, 16, 16], folded(c, None, 0)),
    ]


def generator_bound(s):
    return s["/t1/ConvTranspose"] * s["/up/Resize"] * s["/t2/ConvTranspose"] * s["/c/Conv"]


def resblock_layers(m):
    stem, bn0, conv1, bn1, conv2, bn2 = d(m.stem), d(m.bn0), d(m.conv1), d(m.bn1), d(m.conv2), d(m.bn2)
    lin, bnl, conva, bna, convb, bnb = d(m.lin), d(m.bnl), d(m.conva), d(m.bna), d(m.convb), d(m.bnb)
    short, bns, fc = d(m.short), d(m.bns), d(m.fc)
    lin0 = lambda f: (lambda x: f(x) - f(torch.zeros_like(x)))
    return [
        layer("/stem/Conv", "Conv+BatchNormalization", lin0(lambda x: bn0(stem(x))), [4, 8, 8], folded(stem, bn0, 0)),
        layer("/conv1/Conv", "Conv+BatchNormalization", lin0(lambda x: bn1(conv1(x))), [8, 4, 4], folded(conv1, bn1, 0)),
        layer("/conv2/Conv", "Conv+BatchNormalization", lin0(lambda x: bn2(conv2(x))), [8, 4, 4], folded(conv2, bn2, 0)),
        layer("/lin/Conv", "Conv+BatchNormalization", lin0(lambda x: bnl(lin(x))), [8, 4, 4], folded(lin, bnl, 0)),
        layer("/Add_1", "Add(residual)", lin0(lambda x: x + bnl(lin(x))), [8, 4, 4]),
        layer("/conva/Conv", "Conv+BatchNormalization", lin0(lambda x: bna(conva(x))), [8, 4, 4], folded(conva, bna, 0)),
        layer("/convb/Conv", "Conv+BatchNormalization", lin0(lambda x: bnb(convb(x))), [12, 2, 2], folded(convb, bnb, 0)),
        layer("/short/Conv", "Conv+BatchNormalization", lin0(lambda x: bns(short(x))), [8, 4, 4], folded(short, bns, 0)),
        layer("/GlobalAveragePool", "GlobalAveragePool", lambda x: F.adaptive_avg_pool2d(x, 1), [12, 2, 2]),
        layer("/fc/Gemm", "Gemm", lambda x: fc(x) - fc.bias, [12], fc.weight.detach().double()),
    ]


def resblock_bound(s):
    # Max pool 3x3/2 pad 1: an input lies in up to 2x2 windows, so its Lipschitz constant is sqrt(4) = 2.
    x = s["/stem/Conv"] * 1.0 * 2.0
    x = s["/conv2/Conv"] * s["/conv1/Conv"] * x + x      # relu(F(x) + x): sum of the branches, relu 1
    x = s["/Add_1"] * x                                  # the linear residual block, exact
    x = s["/convb/Conv"] * s["/conva/Conv"] * x + s["/short/Conv"] * x
    return s["/fc/Gemm"] * s["/GlobalAveragePool"] * x


MODELS = [
    ("convnet", ConvNet, (3, 8, 8), convnet_layers, convnet_bound),
    ("generator", Generator, (8, 1, 1), generator_layers, generator_bound),
    ("resblock", ResBlockNet, (4, 8, 8), resblock_layers, resblock_bound),
]


def export(name, cls, shape):
    torch.manual_seed(17)
    model = cls()
    randomise_bn(model)
    model.eval()
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, torch.randn((1,) + shape), path, dynamo=False, opset_version=17,
                      training=torch.onnx.TrainingMode.PRESERVE, input_names=["input"], output_names=["output"])
    return model, onnx.load(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, cls, shape, layers_of, bound in MODELS:
        model, proto = export(name, cls, shape)
        names = {n.name for n in proto.graph.node}
        expected, sigma = [], {}
        for i, spec in enumerate(layers_of(model)):
            assert spec["name"] in names, (name, spec["name"], sorted(names))
            j, out_shape = jacobian(spec["fn"], spec["in_shape"])
            sv = np.linalg.svd(j, compute_uv=False)
            rows, cols = np.nonzero(j)
            np.save(os.path.join(OUT, f"{name}.L{i}.npy"),
                    np.stack([rows.astype(np.float64), cols.astype(np.float64), j[rows, cols]], axis=1))
            entry = dict(name=spec["name"], op=spec["op"], input_shape=spec["in_shape"], output_shape=out_shape,
                         nnz=int(len(rows)), spectral_norm=float(sv[0]), smallest_singular_value=float(sv[-1]),
                         rows=int(j.shape[0]), columns=int(j.shape[1]), jacobian=f"{name}.L{i}.npy")
            if spec["weight"] is not None:
                entry["reshaped_weight_norm"] = reshaped_norm(spec["weight"], spec["dim"])
            sigma[spec["name"]] = float(sv[0])
            expected.append(entry)
        doc = dict(model=name + ".onnx", input_shape=list(shape), layers=expected, lipschitz_bound=bound(sigma))
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(doc, f, indent=1)
        print(name, len(expected), "layers, bound", doc["lipschitz_bound"])
    maxpool_at_input()
    hostile()


def maxpool_at_input():
    """MaxPool linearised at an input (`model analyze --at`): resblock's input x (resblock.at.npy, float64) and
    torch autograd's Jacobian of its pool at the value the network feeds it, relu(bn0(stem(x))), in float64."""
    torch.manual_seed(18)
    x = torch.randn(1, 4, 8, 8, dtype=torch.float64)
    np.save(os.path.join(OUT, "resblock.at.npy"), x.numpy())
    model, _ = export("resblock", ResBlockNet, (4, 8, 8))
    m = copy.deepcopy(model).double()
    with torch.no_grad():
        h = F.relu(m.bn0(m.stem(x)))
    j = torch.autograd.functional.jacobian(m.pool, h).reshape(8 * 4 * 4, 8 * 8 * 8).numpy()
    rows, cols = np.nonzero(j)
    np.save(os.path.join(OUT, "resblock.maxpool.npy"),
            np.stack([rows.astype(np.float64), cols.astype(np.float64), j[rows, cols]], axis=1))
    doc = dict(name="/pool/MaxPool", rows=int(j.shape[0]), columns=int(j.shape[1]), nnz=int(len(rows)),
               jacobian="resblock.maxpool.npy", spectral_norm=float(np.linalg.svd(j, compute_uv=False)[0]),
               input_shape=[8, 8, 8], output_shape=[8, 4, 4])
    with open(os.path.join(OUT, "resblock.maxpool.json"), "w") as f:
        json.dump(doc, f, indent=1)


def hostile():
    """Files a reader must refuse with one clear error."""
    good = open(os.path.join(OUT, "convnet.onnx"), "rb").read()
    with open(os.path.join(OUT, "truncated.onnx"), "wb") as f:
        f.write(good[: len(good) // 3])
    # An initializer stored outside the file.
    m = onnx.load(os.path.join(OUT, "convnet.onnx"))
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.data_location = onnx.TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "weights.bin"
    onnx.save(m, os.path.join(OUT, "external.onnx"))
    # An op the walk does not know (Softmax over the channels), in a small valid graph.
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 2, 4])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 2, 4])
    w = onnx.numpy_helper.from_array(np.ones((2, 2, 3), np.float32), "w")
    g = onnx.helper.make_graph(
        [onnx.helper.make_node("Conv", ["x", "w"], ["h"], name="conv", pads=[1, 1]),
         onnx.helper.make_node("Softmax", ["h"], ["y"], name="soft", axis=1)],
        "unsupported", [x], [y], [w])
    onnx.save(onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", 17)]),
              os.path.join(OUT, "unsupported.onnx"))
    # Hand-built graphs for the attributes torch does not emit: auto_pad, float64 typed data, a 1-D conv.
    xd = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.DOUBLE, [1, 2, 7])
    yd = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.DOUBLE, None)
    rng = np.random.default_rng(17)
    wd = rng.standard_normal((3, 2, 4))
    wt = onnx.helper.make_tensor("w", onnx.TensorProto.DOUBLE, wd.shape, wd.flatten().tolist())  # typed double_data
    g = onnx.helper.make_graph(
        [onnx.helper.make_node("Conv", ["x", "w"], ["h"], name="same_upper", auto_pad="SAME_UPPER", strides=[2]),
         onnx.helper.make_node("AveragePool", ["h"], ["y"], name="pool", kernel_shape=[3], auto_pad="SAME_LOWER")],
        "autopad", [xd], [yd], [wt])
    onnx.save(onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", 17)]), os.path.join(OUT, "autopad.onnx"))
    # Expected for autopad: SAME_UPPER, stride 2, K 4 on n 7: out 4, total pad (4-1)*2+4-7 = 3 -> begin 1, end 2.
    j = np.zeros((3 * 4, 2 * 7))
    for co in range(3):
        for i in range(4):
            for ci in range(2):
                for t in range(4):
                    c = i * 2 - 1 + t
                    if 0 <= c < 7:
                        j[co * 4 + i, ci * 7 + c] += wd[co, ci, t]
    sv = np.linalg.svd(j, compute_uv=False)
    # SAME_LOWER pool, K 3, stride 1 on n 4: total pad 2 -> begin 1, end 1; count_include_pad 0 divides by the count.
    p = np.zeros((3 * 4, 3 * 4))
    for c in range(3):
        for i in range(4):
            idx = [k for k in (i - 1, i, i + 1) if 0 <= k < 4]
            for k in idx:
                p[c * 4 + i, c * 4 + k] = 1.0 / len(idx)
    doc = dict(layers=[dict(name="same_upper", spectral_norm=float(sv[0]), output_shape=[3, 4],
                            matrix=j.flatten().tolist(), rows=12, columns=14),
                       dict(name="pool", spectral_norm=float(np.linalg.svd(p, compute_uv=False)[0]),
                            output_shape=[3, 4], matrix=p.flatten().tolist(), rows=12, columns=12)])
    with open(os.path.join(OUT, "autopad.json"), "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
