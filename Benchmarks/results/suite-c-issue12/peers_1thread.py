"""Suite C's NumPy and SciPy peers on T threads (default 1), wall and process CPU time, min and median, into
peers_c_T<T>.json beside this script. Needs Benchmarks/peers/requirements.txt (make peers-venv)."""
import os, sys, time, json
T = sys.argv[1] if len(sys.argv) > 1 else "1"
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"): os.environ[v] = T
import numpy as np, scipy.sparse  # noqa: E402  (before peers.py, which sets 2 threads for its own run)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "peers"))
import peers as P  # noqa: E402
def tm(fn, R=15, budget=1.5):
    fn(); w, c = [], []; t00 = time.perf_counter()
    for _ in range(R):
        t0, c0 = time.perf_counter(), time.process_time(); fn()
        w.append(time.perf_counter() - t0); c.append(time.process_time() - c0)
        if time.perf_counter() - t00 > budget and len(w) >= 3: break
    w.sort(); c.sort(); return w[0], w[len(w)//2], c[0], c[len(c)//2]
out = {}
for cid, spec in P.MATRIX:
    A, q, w = P.dense_matrix(spec)
    At = np.ascontiguousarray(A.T); csr = scipy.sparse.csr_matrix(A); csr.eliminate_zeros()
    for B in P.BATCHES:
        x = P.rand(B, A.shape[1]); xt = np.ascontiguousarray(x.T)
        for name, fn in (("numpy", lambda: x @ At), ("scipy", lambda: csr @ xt)):
            r = tm(fn); out[f"{cid}/{B}/{name}"] = r
            print(f"{cid:12s} B={B:<5d} {name:6s} wall min {r[0]*1e3:9.3f} med {r[1]*1e3:9.3f}  cpu min {r[2]*1e3:9.3f} med {r[3]*1e3:9.3f} ms", flush=True)
json.dump(out, open(os.path.join(HERE, f"peers_c_T{T}.json"), "w"))
