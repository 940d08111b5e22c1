"""The differential fuzzer's configurations (scripts/difffuzz.py): one `Case` per drawn configuration of a
`convalgebra apply` op, with its CLI arguments and arrays, from a seed and an index (the same pair gives the
same configuration, so `--only I` reproduces one)."""
import os
import random

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMS = ["direct", "dense", "sparse", "auto"]
OPS = ["convolve", "downsample", "upsample-zeros", "conv", "conv-transpose", "max-pool", "avg-pool", "upsample"]
PADDING_MODES = ["zeros", "circular", "reflect", "replicate"]


class Case:
    """One configuration: the CLI arguments, the arrays, and the reference's answer (or its error)."""

    def __init__(self, index, op, dtype, direction):
        self.index, self.op, self.dtype, self.direction = index, op, dtype, direction
        self.args = []          # op options, without --input/--output/--weight/--bias/--form
        self.x = self.w = self.b = None
        self.domain = None      # one forward sample's shape, for --transpose
        self.expected = None    # float64 reference output, or None when an error is expected
        self.scale = None       # the operator applied to |x|, |w|: the size of the summed terms
        self.error = None       # why the reference refuses (PyTorch's message or the contract's rule)
        self.nonfinite = False
        self.label = op

    def cli(self, form, folder="", output="y.npy"):
        """The command line (without the program) on x.npy, w.npy, b.npy in `folder`."""
        a = ["apply", self.op, "--input", folder + "x.npy", "--output", folder + output, "--form", form] + self.args
        if self.w is not None:
            a += ["--weight", folder + "w.npy"]
        if self.b is not None:
            a += ["--bias", folder + "b.npy"]
        if self.direction == "transpose":
            a += ["--transpose", "--domain", ",".join(str(d) for d in self.domain)]
        return a


# ---------------------------------------------------------------------------------------------------------
# Drawing configurations

def comma(values):
    return ",".join(str(v) for v in values)


def per_dim(r, d, lo, hi):
    """An int or a per-dimension list, as the CLI takes them."""
    if d == 1 or r.random() < 0.5:
        v = r.randint(lo, hi)
        return [v] * d, str(v)
    vs = [r.randint(lo, hi) for _ in range(d)]
    return vs, comma(vs)


def hostile(r, value):
    """Sometimes a bad value in place of a good one (zero, negative, or large); the reference decides."""
    return r.choice([0, -1, -2, 7, 40]) if r.random() < 0.04 else value


def draw(index, seed, ops):
    r = random.Random(f"{seed}:{index}")
    op = r.choice(ops)
    dtype = r.choice(["float32", "float64"])
    direction = "forward" if op == "max-pool" else r.choice(["forward", "transpose"])
    case = Case(index, op, dtype, direction)
    gen = np.random.default_rng(r.getrandbits(63))
    DRAW[op](case, r, gen)
    return case


def draw_convolve(c, r, gen):
    n = r.randint(1, 40)
    K = hostile(r, r.randint(1, 8))
    d = hostile(r, r.choice([1, 1, 2, 3]))
    s = hostile(r, r.choice([1, 1, 2, 3]))
    mode = r.choice(["full", "same", "valid", "circular"])
    lead = r.choice([(), (2,), (2, 1)])
    c.x = gen.standard_normal(lead + (n,)) if lead or r.random() < 0.5 else gen.standard_normal((1, n))
    c.w = gen.standard_normal(max(K, 0))
    c.args = ["--mode", mode, "--stride", str(s), "--dilation", str(d)]
    c.params = dict(mode=mode, stride=s, dilation=d)
    c.label = f"convolve/{mode}"


def draw_downsample(c, r, gen):
    n = r.randint(1, 30)
    k = hostile(r, r.randint(1, 6))
    p = hostile(r, r.randint(0, max(k - 1, 0)) if r.random() < 0.85 else r.randint(0, 8))
    c.x = gen.standard_normal((r.randint(1, 3), n))
    c.args = ["--factor", str(k), "--phase", str(p)]
    c.params = dict(factor=k, phase=p)


def draw_upsample_zeros(c, r, gen):
    n = r.randint(1, 25)
    k = hostile(r, r.randint(1, 5))
    c.x = gen.standard_normal((r.randint(1, 3), n))
    c.args = ["--factor", str(k)]
    c.params = dict(factor=k)


SIZES = {1: (1, 14), 2: (1, 8), 3: (1, 5)}


def spatial(r, d, lo=None):
    a, b = SIZES[d]
    return [r.randint(lo or a, b) for _ in range(d)]


def conv_geometry(r):
    """What a convolution and a transposed convolution draw alike: rank d, groups G (perhaps hostile) and g = max(G, 1),
    channels, kernel K, spatial size S, stride and dilation (values and CLI texts), in this order of draws."""
    d = r.randint(1, 3)
    G = hostile(r, r.choice([1, 1, 1, 2, 3]))
    g = max(G, 1)
    cin, cout = g * r.randint(1, 2), g * r.randint(1, 2)
    K = [r.randint(1, 3 if d > 1 else 5) for _ in range(d)]
    S = spatial(r, d)
    stride, stride_arg = per_dim(r, d, 1, 3)
    dil, dil_arg = per_dim(r, d, 1, 2)
    return d, G, g, cin, cout, K, S, stride, stride_arg, dil, dil_arg


def draw_conv(c, r, gen):
    d, G, g, cin, cout, K, S, stride, stride_arg, dil, dil_arg = conv_geometry(r)
    mode = r.choice(PADDING_MODES)
    kind = r.choice(["int", "list", "asym", "same", "valid"])
    if kind == "same":
        pads, pad_arg = ("same", "same")
        if r.random() < 0.7:
            stride, stride_arg = [1] * d, "1"
    elif kind == "valid":
        pads, pad_arg = ([0] * (2 * d), "valid")
    elif kind == "asym":
        pads = [r.randint(0, 2) for _ in range(2 * d)]
        pad_arg = comma(pads)
    else:
        p, pad_arg = per_dim(r, d, 0, 2)
        pads = p + p
    if r.random() < 0.04:
        pads, pad_arg = [-1] * (2 * d), "-1"
    if r.random() < 0.03:
        cin += 1  # the weight's channels no longer match X's
    wcin = max(cin // g, 1) if cin % g == 0 else r.randint(1, 2)
    c.x = gen.standard_normal([r.randint(1, 2), cin] + S)
    c.w = gen.standard_normal([cout, wcin] + K)
    if r.random() < (0.5 if c.direction == "forward" else 0.05):  # a transposed op with a bias is an error
        c.b = gen.standard_normal(cout + (1 if r.random() < 0.03 else 0))
    c.args = ["--stride", stride_arg, "--dilation", dil_arg, "--padding", pad_arg, "--groups", str(G),
              "--padding-mode", mode]
    c.params = dict(d=d, stride=stride, dilation=dil, pads=pads, groups=G, mode=mode)
    c.label = f"conv{d}d/{mode}"


def draw_conv_transpose(c, r, gen):
    d, G, g, cin, cout, K, S, stride, stride_arg, dil, dil_arg = conv_geometry(r)
    pad, pad_arg = per_dim(r, d, 0, 2)
    op_, op_arg = per_dim(r, d, 0, 2)
    if r.random() < 0.04:
        pad, pad_arg = [-1] * d, "-1"
    c.x = gen.standard_normal([r.randint(1, 2), cin] + S)
    c.w = gen.standard_normal([cin + (1 if r.random() < 0.03 else 0), cout // g] + K)
    if r.random() < (0.5 if c.direction == "forward" else 0.05):
        c.b = gen.standard_normal(cout)
    c.args = ["--stride", stride_arg, "--dilation", dil_arg, "--padding", pad_arg, "--output-padding", op_arg,
              "--groups", str(G)]
    c.params = dict(d=d, stride=stride, dilation=dil, padding=pad, output_padding=op_, groups=G)
    if r.random() < 0.03:  # PyTorch's transposed convolution pads with zeros only
        c.args += ["--padding-mode", "reflect"]
        c.params["mode"] = "reflect"
    c.label = f"conv-transpose{d}d"


def draw_pool(c, r, gen, kind):
    d = r.randint(1, 3)
    k, k_arg = per_dim(r, d, 1, 3)
    S = spatial(r, d)
    c.args = ["--kernel-size", k_arg]
    c.params = dict(d=d, kernel=k, stride=None, padding=[0] * d, dilation=[1] * d, ceil=False, include=True)
    if r.random() < 0.6:
        s, s_arg = per_dim(r, d, 1, 3)
        c.args += ["--stride", s_arg]
        c.params["stride"] = s
    if r.random() < 0.6:
        p, p_arg = per_dim(r, d, 0, 2)
        c.args += ["--padding", p_arg]
        c.params["padding"] = p
    if kind == "max" and r.random() < 0.6:
        dl, dl_arg = per_dim(r, d, 1, 3)
        c.args += ["--dilation", dl_arg]
        c.params["dilation"] = dl
    if r.random() < 0.4:
        c.args += ["--ceil-mode"]
        c.params["ceil"] = True
    if kind == "avg" and r.random() < 0.4:
        c.args += ["--no-count-include-pad"]
        c.params["include"] = False
    if r.random() < 0.03:  # a bad kernel size
        bad = r.choice([0, -1, 40])
        c.args[1] = str(bad)
        c.params["kernel"] = [bad] * d
    c.x = gen.standard_normal([r.randint(1, 2), r.randint(1, 3)] + S)
    c.label = f"{kind}-pool{d}d"


def draw_upsample(c, r, gen):
    d = r.randint(1, 3)
    s, s_arg = per_dim(r, d, 1, 3)
    if r.random() < 0.03:
        s, s_arg = [0] * d, "0"
    mode = r.choice(["nearest", "linear"])
    c.x = gen.standard_normal([r.randint(1, 2), r.randint(1, 2)] + spatial(r, d))
    c.args = ["--scale", s_arg, "--mode", mode]
    c.params = dict(d=d, scale=s, mode=mode)
    c.label = f"upsample{d}d/{mode}"


DRAW = {
    "convolve": draw_convolve, "downsample": draw_downsample, "upsample-zeros": draw_upsample_zeros,
    "conv": draw_conv, "conv-transpose": draw_conv_transpose,
    "max-pool": lambda c, r, g: draw_pool(c, r, g, "max"), "avg-pool": lambda c, r, g: draw_pool(c, r, g, "avg"),
    "upsample": draw_upsample,
}
