#!/usr/bin/env python3
"""Writes the PyTorch fixtures of the convolution layers to Tests/ConvAlgebraTests/Fixtures/torch-conv/.

Independent reference: torch.nn.functional conv{1,2,3}d and conv_transpose{1,2,3}d, torch.nn.Conv{1,2,3}d
modules for the padding modes (circular / reflect / replicate, as PyTorch pads them), F.pad for asymmetric
padding, and autograd for the gradients (dx, dW, db), in float32 and float64. Each case writes small .npy
files and one manifest.json lists them with their options:

  padding: [p...] symmetric (one per spatial dim) or [begins..., ends...] (ONNX order), or padding_word
  "same" / "valid"; padding_mode zeros|circular|reflect|replicate; output_padding for conv_transpose.

Usage: python3 scripts/make_torch_fixtures_conv.py
Runs itself inside a virtual environment with torch and numpy: $VENV if set, else .venv-torch in the repo
root, created on first use (the CPU+CUDA torch wheel is ~3 GB and takes a few minutes to install).
"""
import json
import os

from fixture_venv import ensure_venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ConvAlgebraTests", "Fixtures", "torch-conv")



# Conv cases: (id, dims, C_in, spatial, C_out, kernel, options).
# options: stride, dilation, groups, bias, and one of padding (symmetric list), pad (begin..., end...) for
# F.pad, word ("same"/"valid"); mode is the padding mode (a module with padding_mode for symmetric/same,
# F.pad(mode) for asymmetric).
CONV = [
    ("c1-pad1", 1, 3, (10,), 4, (3,), dict(padding=[1])),
    ("c1-s2-d2", 1, 2, (13,), 3, (3,), dict(stride=[2], padding=[2], dilation=[2])),
    ("c1-asym", 1, 2, (9,), 2, (4,), dict(pad=[2, 1], bias=False)),
    ("c1-same-even", 1, 2, (9,), 3, (4,), dict(word="same", dilation=[2])),
    ("c1-valid", 1, 3, (10,), 2, (5,), dict(word="valid")),
    ("c1-groups", 1, 4, (9,), 6, (3,), dict(padding=[1], groups=2)),
    ("c1-depthwise", 1, 3, (8,), 3, (3,), dict(padding=[1], groups=3)),
    ("c1-depthwise-x3", 1, 2, (8,), 6, (3,), dict(stride=[2], groups=2)),
    ("c1-circular", 1, 2, (7,), 2, (3,), dict(padding=[2], stride=[2], mode="circular")),
    ("c1-circular-n", 1, 1, (4,), 2, (5,), dict(padding=[4], mode="circular")),
    ("c1-reflect", 1, 2, (7,), 3, (3,), dict(padding=[3], mode="reflect")),
    ("c1-replicate", 1, 2, (6,), 3, (3,), dict(padding=[4], dilation=[2], mode="replicate")),
    ("c1-reflect-asym", 1, 2, (7,), 2, (3,), dict(pad=[3, 1], mode="reflect")),
    ("c1-same-circular", 1, 2, (6,), 2, (4,), dict(word="same", mode="circular")),
    ("c2-stride", 2, 2, (6, 5), 3, (3, 3), dict(stride=[2, 1], padding=[1, 2])),
    ("c2-asym", 2, 2, (5, 6), 2, (2, 3), dict(pad=[1, 0, 0, 2])),
    ("c2-same", 2, 2, (6, 6), 2, (3, 2), dict(word="same", dilation=[1, 2])),
    ("c2-valid-s2", 2, 3, (7, 6), 2, (3, 3), dict(word="valid", stride=[2, 2])),
    ("c2-depthwise-reflect", 2, 3, (5, 6), 3, (3, 3), dict(padding=[1, 1], groups=3, mode="reflect")),
    ("c2-dw-multiplier", 2, 2, (5, 5), 4, (3, 3), dict(padding=[1, 1], groups=2)),
    ("c2-circular", 2, 2, (5, 4), 4, (3, 3), dict(padding=[2, 1], stride=[2, 2], mode="circular")),
    ("c2-replicate-groups", 2, 4, (5, 5), 4, (2, 2), dict(padding=[1, 1], dilation=[2, 2], groups=2, mode="replicate")),
    ("c2-same-reflect", 2, 2, (5, 6), 2, (3, 4), dict(word="same", mode="reflect")),
    ("c2-asym-replicate", 2, 2, (4, 5), 3, (3, 2), dict(pad=[2, 0, 1, 3], mode="replicate")),
    ("c3-stride", 3, 2, (4, 5, 4), 2, (2, 3, 2), dict(stride=[1, 2, 1], padding=[1, 1, 0])),
    ("c3-reflect-groups", 3, 2, (4, 4, 3), 2, (3, 3, 2), dict(padding=[1, 1, 1], dilation=[1, 1, 2], groups=2, mode="reflect")),
    ("c3-circular", 3, 1, (3, 4, 4), 2, (2, 2, 2), dict(padding=[1, 2, 1], mode="circular")),
    ("c3-same", 3, 2, (4, 3, 4), 2, (2, 3, 2), dict(word="same", bias=False)),
    ("c3-asym-zeros", 3, 2, (3, 4, 3), 2, (2, 2, 2), dict(pad=[1, 0, 2, 0, 1, 1], stride=[2, 1, 1])),
]

# Transposed cases: (id, dims, C_in, spatial, C_out, kernel, options).
CONV_T = [
    ("t1-basic", 1, 2, (5,), 3, (3,), dict()),
    ("t1-s2-p1-op1", 1, 2, (6,), 2, (4,), dict(stride=[2], padding=[1], output_padding=[1])),
    ("t1-s3-d2", 1, 3, (4,), 2, (3,), dict(stride=[3], padding=[2], dilation=[2], bias=False)),
    ("t1-op-below-dilation", 1, 2, (5,), 1, (3,), dict(output_padding=[1], dilation=[2])),
    ("t1-groups", 1, 4, (5,), 6, (2,), dict(stride=[2], groups=2)),
    ("t1-depthwise", 1, 3, (6,), 3, (3,), dict(stride=[2], padding=[1], groups=3)),
    ("t2-dcgan", 2, 3, (4, 4), 2, (4, 4), dict(stride=[2, 2], padding=[1, 1])),
    ("t2-s2-op1", 2, 2, (5, 4), 3, (3, 3), dict(stride=[2, 2], padding=[1, 1], output_padding=[1, 1])),
    ("t2-mixed", 2, 4, (3, 4), 2, (2, 3), dict(stride=[3, 1], padding=[0, 1], output_padding=[2, 0], dilation=[1, 2], groups=2)),
    ("t3-s2", 3, 2, (3, 2, 3), 2, (2, 3, 2), dict(stride=[2, 1, 2], padding=[0, 1, 1], output_padding=[1, 0, 0])),
    ("t3-groups-dil", 3, 2, (2, 3, 2), 2, (2, 2, 2), dict(stride=[1, 2, 1], dilation=[2, 1, 1], groups=2)),
]


def main():
    import numpy as np
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    rng = np.random.default_rng(4321)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy") or f == "manifest.json":
            os.remove(os.path.join(OUT, f))
    cases = []
    batch = 2
    conv_f = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
    convt_f = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
    conv_m = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}

    def save(name, array, dtype):
        np.save(os.path.join(OUT, name), np.ascontiguousarray(np.asarray(array).astype(dtype)))
        return name

    def torch_pad_list(begin, end):
        # F.pad takes (begin_last, end_last, begin_prev, end_prev, ...).
        out = []
        for b, e in zip(reversed(begin), reversed(end)):
            out += [b, e]
        return out

    def conv_forward(dims, o, x, w, b):
        stride, dilation, groups = o.get("stride", [1] * dims), o.get("dilation", [1] * dims), o.get("groups", 1)
        mode = o.get("mode", "zeros")
        if "pad" in o:
            begin, end = o["pad"][:dims], o["pad"][dims:]
            mode_name = "constant" if mode == "zeros" else mode
            xp = F.pad(x, torch_pad_list(begin, end), mode=mode_name)
            return conv_f[dims](xp, w, b, stride=stride, padding=0, dilation=dilation, groups=groups)
        padding = o.get("word") or o.get("padding", [0] * dims)
        if mode == "zeros":
            return conv_f[dims](x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        # Padding modes exactly as nn.ConvNd applies them (its own padding of the input, then a valid conv).
        m = conv_m[dims](w.shape[1] * groups, w.shape[0], tuple(w.shape[2:]), stride=stride, padding=padding,
                         dilation=dilation, groups=groups, bias=b is not None, padding_mode=mode)
        m = m.to(w.dtype)
        # The module's own forward (its padding, then a valid conv) with its parameters replaced by w and b,
        # so autograd reaches them.
        return torch.func.functional_call(m, {"weight": w, "bias": b} if b is not None else {"weight": w}, (x,))

    def run(case_id, op, dims, cin, spatial, cout, kernel, o):
        groups = o.get("groups", 1)
        has_bias = o.get("bias", True)
        wshape = (cout, cin // groups) + kernel if op == "conv" else (cin, cout // groups) + kernel
        x64 = rng.standard_normal((batch, cin) + spatial)
        w64 = rng.standard_normal(wshape) * 0.5
        b64 = rng.standard_normal((cout,))
        for dtype in (np.float32, np.float64):
            tdtype = torch.float32 if dtype == np.float32 else torch.float64
            x = torch.tensor(x64.astype(dtype), dtype=tdtype, requires_grad=True)
            w = torch.tensor(w64.astype(dtype), dtype=tdtype, requires_grad=True)
            b = torch.tensor(b64.astype(dtype), dtype=tdtype, requires_grad=True) if has_bias else None
            if op == "conv":
                y = conv_forward(dims, o, x, w, b)
            else:
                y = convt_f[dims](x, w, b, stride=o.get("stride", [1] * dims), padding=o.get("padding", [0] * dims),
                                  output_padding=o.get("output_padding", [0] * dims), groups=groups,
                                  dilation=o.get("dilation", [1] * dims))
            dy_np = rng.standard_normal(tuple(y.shape)).astype(dtype)
            inputs = [x, w] + ([b] if has_bias else [])
            grads = torch.autograd.grad(y, inputs, torch.tensor(dy_np))
            tag = "f32" if dtype == np.float32 else "f64"
            prefix = f"{case_id}_{tag}"
            files = {
                "x": save(prefix + "_x.npy", x.detach().numpy(), dtype),
                "w": save(prefix + "_w.npy", w.detach().numpy(), dtype),
                "y": save(prefix + "_y.npy", y.detach().numpy(), dtype),
                "dy": save(prefix + "_dy.npy", dy_np, dtype),
                "dx": save(prefix + "_dx.npy", grads[0].numpy(), dtype),
                "dw": save(prefix + "_dw.npy", grads[1].numpy(), dtype),
            }
            if has_bias:
                files["b"] = save(prefix + "_b.npy", b.detach().numpy(), dtype)
                files["db"] = save(prefix + "_db.npy", grads[2].numpy(), dtype)
            entry = dict(id=case_id, op=op, spatial_dims=dims, dtype="float32" if dtype == np.float32 else "float64",
                         files=files, stride=o.get("stride", [1] * dims), dilation=o.get("dilation", [1] * dims),
                         groups=groups, bias=has_bias)
            if op == "conv":
                entry["padding_mode"] = o.get("mode", "zeros")
                if "pad" in o:
                    entry["padding"] = o["pad"]
                elif "word" in o:
                    entry["padding_word"] = o["word"]
                else:
                    entry["padding"] = o.get("padding", [0] * dims)
            else:
                entry["padding"] = o.get("padding", [0] * dims)
                entry["output_padding"] = o.get("output_padding", [0] * dims)
            cases.append(entry)

    for case_id, dims, cin, spatial, cout, kernel, o in CONV:
        run(case_id, "conv", dims, cin, spatial, cout, kernel, o)
    for case_id, dims, cin, spatial, cout, kernel, o in CONV_T:
        run(case_id, "conv_transpose", dims, cin, spatial, cout, kernel, o)

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(dict(generator="scripts/make_torch_fixtures_conv.py", torch=torch.__version__, cases=cases), f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(cases)} cases, {total} bytes, to {OUT}")


if __name__ == "__main__":
    ensure_venv(__file__)
    main()
