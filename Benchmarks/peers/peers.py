#!/usr/bin/env python3
"""Peer timings for benchmark suite v1 (docs/BENCHMARKS.md), side by side with ours.

For every case id it first runs ours (`convalgebra bench --suite v1 --cases ID --json ...`), then the peers
on the same case, so both see the same machine state; every peer runs on 2 threads:

  A (DL layers):  PyTorch (CPU), ONNX Runtime, JAX (XLA CPU)
  B (1-D DSP):    numpy.convolve (per row), scipy.signal.convolve (auto method), scipy.signal.oaconvolve,
                  scipy.signal.fftconvolve, PyTorch conv1d
  C (forms):      NumPy matmul (OpenBLAS) with the dense matrix, scipy.sparse CSR @ dense (single-threaded:
                  scipy.sparse has no threads), and the direct peers of A/B
  F (fusion, `convalgebra bench --suite fusion`): nearest up-sampling x2 then a 3x3 conv: PyTorch's two calls
                  (F.interpolate + F.conv2d) and PyTorch's conv_transpose2d with the fused kernel (1 1) * q per axis

Each timing starts on a settled machine: it first sleeps SETTLE_SECONDS, so that the thread pools of the timing
before it have gone to sleep (OpenBLAS's idle workers, NumPy's included, spin on sched_yield for 2^28 cycles
after each threaded call, about 0.1 s; Intel OpenMP's for KMP_BLOCKTIME, 0.2 s); without it the previous peer's
workers took a core from the next timing (ours: c2d-s2 ran at 9.2 ms instead of 5.0 in one run of suite A).
Then one warm-up, then `--repeats` runs (fewer, at least 3, when they would take over
`--max-seconds`; more, up to 100 x, when they would take under FAST_CASE_SECONDS, as ours do), median; min and the least process CPU time too (on a loaded machine, the work itself). Writes one JSON document:
  {"threads": 2, "machine": {...}, "provenance": {"commit", "ours": <convalgebra bench's provenance>,
   "peers": {library: version}}, "ours": [...ours' cases...],
   "peers": [{"id", "batch", "peer", "kind", "seconds": {...}}]}
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

THREADS = 2
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(THREADS)
os.environ["XLA_FLAGS"] = f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={THREADS}"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import scipy.signal  # noqa: E402
import scipy.sparse  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(THREADS)
    torch.set_num_interop_threads(1)
except Exception:  # pragma: no cover - a missing peer is reported, not fatal
    torch = None
try:
    import jax
    import jax.numpy as jnp
    from jax import lax
except Exception:  # pragma: no cover
    jax = None
try:
    import onnx
    from onnx import TensorProto, helper
    import onnxruntime as ort
except Exception:  # pragma: no cover
    ort = None

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype(np.float32)


SETTLE_SECONDS = 0.3
FAST_CASE_SECONDS = 0.05


def timeit(fn, repeats, max_seconds):
    time.sleep(SETTLE_SECONDS)
    t0 = time.perf_counter()
    fn()
    warm = time.perf_counter() - t0
    n = max(1, repeats)
    if warm > 0:
        n = min(n, max(3, int(max_seconds / warm)))
        # A fast case runs more, until FAST_CASE_SECONDS (at most 100 x): the rule of ours (BenchmarkRunner.time).
        n = max(n, min(100 * n, int(min(FAST_CASE_SECONDS, max_seconds) / warm)))
    ts, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    ts.sort()
    med = ts[len(ts) // 2] if len(ts) % 2 else (ts[len(ts) // 2 - 1] + ts[len(ts) // 2]) / 2
    return {"min": ts[0], "median": med, "max": ts[-1], "repeats": len(ts), "cpu_min": min(cpu)}


# ---------------------------------------------------------------------------------------------- cases
# Layer cases: (id, kind, N, Cin, Cout, spatial, kernel, stride, pad, extra)
LAYERS = [
    ("c1d-tcn", "conv", 32, 64, 64, (1024,), 3, 1, 1, {}),
    ("c1d-dil", "conv", 32, 64, 64, (1024,), 3, 1, 4, {"dilation": 4}),
    ("c2d-r1", "conv", 8, 64, 64, (56, 56), 3, 1, 1, {}),
    ("c2d-s2", "conv", 8, 64, 128, (56, 56), 3, 2, 1, {}),
    ("c2d-1x1", "conv", 8, 256, 64, (56, 56), 1, 1, 0, {}),
    ("c2d-dw", "conv", 8, 128, 128, (56, 56), 3, 1, 1, {"groups": 128}),
    ("ct2d-dcgan", "convT", 8, 128, 64, (28, 28), 4, 2, 1, {}),
    ("ct2d-s2", "convT", 8, 64, 32, (56, 56), 3, 2, 1, {"output_padding": 1}),
    ("mp2d", "maxpool", 8, 64, 64, (112, 112), 3, 2, 1, {}),
    ("ap2d", "avgpool", 8, 64, 64, (112, 112), 2, 2, 0, {}),
    ("up-nn", "up-nearest", 8, 64, 64, (56, 56), 0, 2, 0, {}),
    ("up-lin", "up-linear", 8, 64, 64, (56, 56), 0, 2, 0, {}),
]
# DSP cases: (id, batch, n, K, mode, stride, dilation, transposed)
DSP = [
    ("dsp-same", 256, 4096, 9, "same", 1, 1, False),
    ("dsp-long", 16, 65536, 255, "full", 1, 1, False),
    ("dsp-strided", 256, 4096, 9, "same", 2, 1, False),
    ("dsp-dil", 256, 4096, 9, "same", 1, 4, False),
    ("dsp-tconv", 256, 4096, 9, "same", 2, 1, True),
]
BATCHES = [1, 16, 256, 4096]
# Fusion cases (suite F): (id, N, C, spatial, scale, K) — nearest up-sampling by `scale`, then a KxK conv, padding K//2.
FUSION = [
    ("fu-up2-c3", 8, 64, (32, 32), 2, 3),
]
# Matrix study: (id, layer-or-dsp spec). Layers as (kind, Cin, Cout, spatial, K, stride, pad, extra).
MATRIX = [
    ("mx-1d", ("dsp", 1024, 9, "same", 1, 1)),
    ("mx-1d-s2", ("dsp", 1024, 9, "same", 2, 1)),
    ("mx-2d", ("conv", 1, 1, (32, 32), 3, 1, 1, {})),
    ("mx-2d-mc", ("conv", 16, 16, (16, 16), 3, 1, 1, {})),
    ("mx-ct", ("convT", 8, 8, (16, 16), 4, 2, 1, {})),
    ("mx-small-mc", ("conv", 64, 64, (4, 4), 3, 1, 1, {})),
    ("mx-1d-long", ("dsp", 256, 129, "same", 1, 1)),
    ("mx-fc", ("conv", 32, 32, (3, 3), 3, 1, 0, {})),
]


# ------------------------------------------------------------------------------------------ layer peers
def layer_weight(kind, cin, cout, spatial, k, extra):
    r = len(spatial)
    g = extra.get("groups", 1)
    if kind == "conv":
        return rand(cout, cin // g, *([k] * r))
    if kind == "convT":
        return rand(cin, cout // g, *([k] * r))
    return None


def torch_layer(kind, x, w, k, s, p, extra):
    r = x.ndim - 2
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[r]
    convT = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[r]
    X = torch.from_numpy(x)
    W = torch.from_numpy(w) if w is not None else None
    if kind == "conv":
        return lambda: conv(X, W, stride=s, padding=p, dilation=extra.get("dilation", 1), groups=extra.get("groups", 1))
    if kind == "convT":
        return lambda: convT(X, W, stride=s, padding=p, output_padding=extra.get("output_padding", 0))
    if kind == "maxpool":
        return lambda: F.max_pool2d(X, k, stride=s, padding=p)
    if kind == "avgpool":
        return lambda: F.avg_pool2d(X, k, stride=s, padding=p)
    if kind == "up-nearest":
        return lambda: F.interpolate(X, scale_factor=s, mode="nearest")
    if kind == "up-linear":
        return lambda: F.interpolate(X, scale_factor=s, mode="bilinear" if r == 2 else "linear", align_corners=False)


def torch_run(fn):
    def run():
        with torch.inference_mode():
            fn()
    return run


def onnx_layer(kind, x, w, k, s, p, extra):
    r = x.ndim - 2
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))]
    inits = []
    feeds = {"x": x}
    if kind == "conv":
        inits.append(onnx.numpy_helper.from_array(w, "w"))
        d = extra.get("dilation", 1)
        node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[k] * r, strides=[s] * r, pads=[p] * (2 * r),
                                dilations=[d] * r, group=extra.get("groups", 1))
    elif kind == "convT":
        inits.append(onnx.numpy_helper.from_array(w, "w"))
        node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[k] * r, strides=[s] * r,
                                pads=[p] * (2 * r), output_padding=[extra.get("output_padding", 0)] * r)
    elif kind == "maxpool":
        node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[k] * r, strides=[s] * r, pads=[p] * (2 * r))
    elif kind == "avgpool":
        node = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[k] * r, strides=[s] * r, pads=[p] * (2 * r),
                                count_include_pad=1)
    else:
        scales = np.array([1, 1] + [s] * r, dtype=np.float32)
        inits.append(onnx.numpy_helper.from_array(scales, "scales"))
        if kind == "up-nearest":
            node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="nearest",
                                    coordinate_transformation_mode="asymmetric", nearest_mode="floor")
        else:
            node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="linear",
                                    coordinate_transformation_mode="half_pixel")
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph([node], "case", inputs, [out], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = THREADS
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return lambda: sess.run(None, feeds)


def jax_layer(kind, x, w, k, s, p, extra):
    r = x.ndim - 2
    X = jnp.asarray(x)
    W = jnp.asarray(w) if w is not None else None
    spatial = "HWD"[:r] if r > 1 else "H"
    dn = lax.conv_dimension_numbers(x.shape, w.shape if w is not None else x.shape,
                                    ("NC" + spatial, "OI" + spatial, "NC" + spatial))
    if kind == "conv":
        d = extra.get("dilation", 1)
        f = jax.jit(lambda X, W: lax.conv_general_dilated(X, W, (s,) * r, [(p, p)] * r, rhs_dilation=(d,) * r,
                                                          dimension_numbers=dn, feature_group_count=extra.get("groups", 1)))
        return lambda: f(X, W).block_until_ready()
    if kind == "convT":
        # PyTorch's conv_transpose = a conv of the input dilated by s (lhs_dilation) with the flipped kernel,
        # padding d(K-1)-p on each side (+ output_padding at the end): JAX's own transpose rule.
        op = extra.get("output_padding", 0)
        Wt = jnp.flip(jnp.swapaxes(W, 0, 1), axis=tuple(range(2, 2 + r)))
        dnT = lax.conv_dimension_numbers(x.shape, Wt.shape, ("NC" + spatial, "OI" + spatial, "NC" + spatial))
        pad = [(k - 1 - p, k - 1 - p + op)] * r
        f = jax.jit(lambda X, Wt: lax.conv_general_dilated(X, Wt, (1,) * r, pad, lhs_dilation=(s,) * r, dimension_numbers=dnT))
        return lambda: f(X, Wt).block_until_ready()
    if kind == "maxpool":
        f = jax.jit(lambda X: lax.reduce_window(X, -jnp.inf, lax.max, (1, 1) + (k,) * r, (1, 1) + (s,) * r,
                                                [(0, 0), (0, 0)] + [(p, p)] * r))
        return lambda: f(X).block_until_ready()
    if kind == "avgpool":
        f = jax.jit(lambda X: lax.reduce_window(X, 0.0, lax.add, (1, 1) + (k,) * r, (1, 1) + (s,) * r,
                                                [(0, 0), (0, 0)] + [(p, p)] * r) / (k ** r))
        return lambda: f(X).block_until_ready()
    shape = x.shape[:2] + tuple(n * s for n in x.shape[2:])
    if kind == "up-nearest":
        f = jax.jit(lambda X: jnp.repeat(jnp.repeat(X, s, axis=2), s, axis=3) if r == 2 else jnp.repeat(X, s, axis=2))
    else:
        f = jax.jit(lambda X: jax.image.resize(X, shape, method="linear", antialias=False))
    return lambda: f(X).block_until_ready()


def layer_peers(kind, x, w, k, s, p, extra):
    peers = {}
    if torch is not None:
        peers["pytorch"] = torch_run(torch_layer(kind, x, w, k, s, p, extra))
    if ort is not None:
        peers["onnxruntime"] = onnx_layer(kind, x, w, k, s, p, extra)
    if jax is not None:
        peers["jax"] = jax_layer(kind, x, w, k, s, p, extra)
    return peers


# -------------------------------------------------------------------------------------------- DSP peers
def dsp_kernel(K, dilation):
    q = rand(K)
    if dilation == 1:
        return q
    up = np.zeros((K - 1) * dilation + 1, dtype=np.float32)
    up[::dilation] = q
    return up


def dsp_peers(x, q, mode, stride, transposed, n):
    """x: (B, n) forward input, or (B, m) for the transpose of 'same' + stride (zero insertion then correlation)."""
    B = x.shape[0]
    peers = {}
    if transposed:
        # (↓s C)ᵀ y = Cᵀ (↑s y): insert zeros, then correlate ('same' with the reversed odd-length kernel).
        qr = q[::-1].copy()

        def up(y):
            z = np.zeros((B, n), dtype=np.float32)
            z[:, ::stride] = y
            return z
        peers["numpy.convolve"] = lambda: [np.convolve(row, qr, "same") for row in up(x)]
        peers["scipy.convolve"] = lambda: scipy.signal.convolve(up(x), qr[None, :], mode="same")
        peers["scipy.oaconvolve"] = lambda: scipy.signal.oaconvolve(up(x), qr[None, :], mode="same", axes=1)
        if torch is not None:
            Y = torch.from_numpy(x)[:, None, :]
            Wt = torch.from_numpy(q.copy())[None, None, :]
            K = len(q)
            peers["pytorch"] = torch_run(lambda: F.conv_transpose1d(Y, Wt.flip(-1), stride=stride, padding=(K - 1) // 2,
                                                                     output_padding=stride - 1))
        return peers
    sl = (slice(None), slice(None, None, stride))
    peers["numpy.convolve"] = lambda: [np.convolve(row, q, mode)[::stride] for row in x]
    peers["scipy.convolve"] = lambda: scipy.signal.convolve(x, q[None, :], mode=mode)[sl]
    peers["scipy.oaconvolve"] = lambda: scipy.signal.oaconvolve(x, q[None, :], mode=mode, axes=1)[sl]
    peers["scipy.fftconvolve"] = lambda: scipy.signal.fftconvolve(x, q[None, :], mode=mode, axes=1)[sl]
    if torch is not None:
        X = torch.from_numpy(x)[:, None, :]
        W = torch.from_numpy(q[::-1].copy())[None, None, :]
        Kd = len(q)
        if mode == "full":
            pad = Kd - 1
            peers["pytorch"] = torch_run(lambda: F.conv1d(X, W, padding=pad, stride=stride))
        elif mode == "same" and Kd % 2 == 1:
            peers["pytorch"] = torch_run(lambda: F.conv1d(X, W, padding=(Kd - 1) // 2, stride=stride))
    return peers


# -------------------------------------------------------------------------------------- matrix peers
def dense_matrix(spec):
    """The matrix of one sample's operator, by applying the PyTorch/NumPy definition to the identity (oracle)."""
    if spec[0] == "dsp":
        _, n, K, mode, stride, dil = spec
        q = dsp_kernel(K, dil)
        eye = np.eye(n, dtype=np.float32)
        A = np.stack([np.convolve(e, q, mode)[::stride] for e in eye], axis=1)
        return A, q, None
    kind, cin, cout, spatial, k, s, p, extra = spec
    w = layer_weight(kind, cin, cout, spatial, k, extra)
    n = cin * int(np.prod(spatial))
    eye = torch.eye(n).reshape(n, cin, *spatial)
    with torch.inference_mode():
        fn = torch_layer(kind, eye.numpy(), w, k, s, p, extra)
        out = fn().reshape(n, -1).numpy()
    return out.T.copy(), None, w


def matrix_peers(spec, B, A, q, w):
    m, n = A.shape
    peers = {}
    x = rand(B, n)
    At = np.ascontiguousarray(A.T)
    peers["numpy.matmul"] = ("dense", lambda: x @ At)
    csr = scipy.sparse.csr_matrix(A)
    csr.eliminate_zeros()
    xt = np.ascontiguousarray(x.T)
    peers["scipy.sparse"] = ("sparse", lambda: csr @ xt)
    if spec[0] == "dsp":
        _, nn, K, mode, stride, dil = spec
        for name, fn in dsp_peers(x, q, mode, stride, False, nn).items():
            peers[name] = ("direct", fn)
    else:
        kind, cin, cout, spatial, k, s, p, extra = spec
        xs = x.reshape(B, cin, *spatial)
        for name, fn in layer_peers(kind, xs, w, k, s, p, extra).items():
            peers[name] = ("direct", fn)
    return peers


# ----------------------------------------------------------------------------------------- fusion peers
def fused_kernel(w, scale):
    """The conv_transpose2d weight equal to nearest up-sampling by `scale` then conv2d(w, padding K//2):
    per axis the full convolution of flip(w) with (1 ... 1), channels swapped to (C_in, C_out, ...)."""
    q = w[:, :, ::-1, ::-1]  # conv2d correlates: its convolving kernel is the flipped weight
    box = np.ones((scale, scale), dtype=np.float32)
    cout, cin, K, _ = w.shape
    v = np.zeros((cout, cin, K + scale - 1, K + scale - 1), dtype=np.float32)
    for a in range(scale):
        for b in range(scale):
            v[:, :, a:a + K, b:b + K] += q * box[a, b]
    return np.ascontiguousarray(v.transpose(1, 0, 2, 3))


def fusion_peers(x, w, scale, K):
    X, W = torch.from_numpy(x), torch.from_numpy(w)
    V = torch.from_numpy(fused_kernel(w, scale))
    p = K // 2
    # conv_transpose2d writes x[c]·V[τ] to c·scale − P + τ; the chain writes W[t]·x[c] to c·scale + p − t + s with
    # τ = s + K − 1 − t (s < scale the box offset): P = K − 1 − p.
    P = K - 1 - p
    two = lambda: F.conv2d(F.interpolate(X, scale_factor=scale, mode="nearest"), W, padding=p)
    fused = lambda: F.conv_transpose2d(X, V, stride=scale, padding=P)
    with torch.inference_mode():
        ref, got = two(), fused()
        # The same output size, (n − 1)·scale − 2P + K + scale − 1 = n·scale, and the same values.
        assert ref.shape == got.shape, (ref.shape, got.shape)
        err = float((ref - got).abs().max())
        assert err <= 1e-3 * float(ref.abs().max()), err
    return {"torch two calls": torch_run(two), "torch fused convT": torch_run(fused)}


# ---------------------------------------------------------------------------------------------- main
def git_commit():
    """The repository's HEAD (with -dirty when the work tree differs), or None outside a checkout."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def peer_versions():
    """The peers' versions and the BLAS NumPy and SciPy carry (their own OpenBLAS builds, not the system's)."""
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}
    for name, mod in (("torch", torch), ("onnxruntime", ort), ("jax", jax)):
        versions[name] = getattr(mod, "__version__", None) if mod is not None else None
    for name, mod in (("numpy_blas", np), ("scipy_blas", scipy)):
        try:
            blas = mod.show_config(mode="dicts")["Build Dependencies"]["blas"]
            versions[name] = blas.get("openblas configuration") or f"{blas.get('name')} {blas.get('version')}"
        except Exception:  # pragma: no cover - older NumPy/SciPy
            versions[name] = None
    try:  # the kernel set OpenBLAS picked at run time on this CPU, when threadpoolctl is installed
        import threadpoolctl
        versions["numpy_blas_runtime"] = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
                                          for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    except Exception:
        pass
    return versions


OURS_PROVENANCE = {}


def run_ours(cli, case_id, repeats, max_seconds, suite="v1"):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    cmd = [cli, "bench", "--suite", suite, "--cases", case_id, "--repeats", str(repeats),
           "--max-seconds", str(max_seconds), "--json", path]
    time.sleep(SETTLE_SECONDS)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, CONVALGEBRA_COMMIT=git_commit() or ""))
    with open(path) as f:
        doc = json.load(f)
    os.unlink(path)
    OURS_PROVENANCE.update(doc.get("provenance") or {})
    return doc["cases"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ours", help="path of the convalgebra executable (omit to time the peers only)")
    ap.add_argument("--cases", help="comma-separated case ids or suite letters (default: all)")
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--max-seconds", type=float, default=3.0)
    ap.add_argument("--json", required=True, help="where to write the results")
    a = ap.parse_args()
    wanted = set(a.cases.split(",")) if a.cases else None

    def selected(case_id, suite):
        return wanted is None or case_id in wanted or suite in wanted

    ours, peers = [], []
    # The machine's GEMM rate (NumPy's OpenBLAS, 2048³ sgemm, 2 threads): the practical peak.
    g = rand(2048, 2048)
    t = timeit(lambda: g @ g, 5, 5.0)
    machine = {"numpy_sgemm_2048_gflops": round(2 * 2048 ** 3 / t["median"] / 1e9, 1)}
    print(f"  numpy sgemm 2048^3: {machine['numpy_sgemm_2048_gflops']} GFLOP/s", flush=True)
    if a.ours:  # the FP32 peak as an FMA probe on every core measures it (convalgebra bench --peak)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            path = f.name
        subprocess.run([a.ours, "bench", "--peak", "--json", path], check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            machine["fma_probe_gflops"] = round(json.load(f)["peak_gflops"], 1)
        os.unlink(path)
        print(f"  FMA probe: {machine['fma_probe_gflops']} GFLOP/s", flush=True)

    def record(case_id, batch, name, kind, fn):
        try:
            t = timeit(fn, a.repeats, a.max_seconds)
        except Exception as e:  # a peer that cannot run a case is reported, not fatal
            print(f"  {case_id:12s} B={batch:<5d} {name:18s} failed: {e}", file=sys.stderr)
            return
        peers.append({"id": case_id, "batch": batch, "peer": name, "kind": kind, "seconds": t})
        print(f"  {case_id:12s} B={batch:<5d} {name:18s} {kind:7s} {t['median'] * 1e3:10.3f} ms", flush=True)

    for (cid, kind, N, cin, cout, spatial, k, s, p, extra) in LAYERS:
        if not selected(cid, "A"):
            continue
        if a.ours:
            ours += run_ours(a.ours, cid, a.repeats, a.max_seconds)
        x = rand(N, cin, *spatial)
        w = layer_weight(kind, cin, cout, spatial, k, extra)
        for name, fn in layer_peers(kind, x, w, k, s, p, extra).items():
            record(cid, N, name, "direct", fn)

    for (cid, B, n, K, mode, stride, dil, transposed) in DSP:
        if not selected(cid, "B"):
            continue
        if a.ours:
            ours += run_ours(a.ours, cid, a.repeats, a.max_seconds)
        q = dsp_kernel(K, dil)
        m = (n + stride - 1) // stride
        x = rand(B, m) if transposed else rand(B, n)
        for name, fn in dsp_peers(x, q, mode, stride, transposed, n).items():
            record(cid, B, name, "direct", fn)

    for (cid, spec) in MATRIX:
        if not selected(cid, "C"):
            continue
        if a.ours:
            ours += run_ours(a.ours, cid, a.repeats, a.max_seconds)
        A, q, w = dense_matrix(spec)
        for B in BATCHES:
            for name, (kind, fn) in matrix_peers(spec, B, A, q, w).items():
                record(cid, B, name, kind, fn)

    for (cid, N, C, spatial, scale, K) in FUSION:
        if not selected(cid, "F"):
            continue
        if a.ours:
            ours += run_ours(a.ours, f"{cid},{cid}-unfused", a.repeats, a.max_seconds, suite="fusion")
        x, w = rand(N, C, *spatial), rand(C, C, K, K)
        for name, fn in fusion_peers(x, w, scale, K).items():
            record(cid, N, name, "direct", fn)

    with open(a.json, "w") as f:
        provenance = {"commit": git_commit(), "ours": OURS_PROVENANCE, "peers": peer_versions()}
        json.dump({"threads": THREADS, "machine": machine, "provenance": provenance, "ours": ours, "peers": peers},
                  f, indent=1)


if __name__ == "__main__":
    main()
