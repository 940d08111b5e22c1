"""One-thread CPU-time table (min) for suite C's dense and sparse forms, before/after, against NumPy/SciPy on one thread."""
import json, os
HERE = os.path.dirname(os.path.abspath(__file__))
pe = json.load(open(os.path.join(HERE, "peers_c_T1.json")))
def load(p):
    return {(c["id"], c["form"], c["input_shape"][0]): c["cpu_min_seconds"] for c in json.load(open(p))["cases"]}
b, a = load(os.path.join(HERE, "before", "cpu-1thread.json")), load(os.path.join(HERE, "after", "cpu-1thread.json"))
ids = []
for (i, f, B) in b:
    if (i, B) not in ids: ids.append((i, B))
print("| id | B | dense before | dense after | numpy.matmul | after/numpy | sparse before | sparse after | scipy.sparse | after/scipy |")
print("|---|---|---|---|---|---|---|---|---|---|")
cnt = {"d": [0, 0], "s": [0, 0]}
for i, B in ids:
    np_ = pe.get(f"{i}/{B}/numpy", [None] * 4)[2]; sc = pe.get(f"{i}/{B}/scipy", [None] * 4)[2]
    db, da, sb, sa = b.get((i, "dense", B)), a.get((i, "dense", B)), b.get((i, "sparse", B)), a.get((i, "sparse", B))
    f = lambda x: f"{x * 1e3:.3f}" if x is not None else "–"
    rd = da / np_ if da and np_ else None; rs = sa / sc if sa and sc else None
    if rd is not None and B >= 16: cnt["d"][0] += rd <= 1 / 0.95; cnt["d"][1] += 1
    if rs is not None: cnt["s"][0] += rs <= 1.0; cnt["s"][1] += 1
    g = lambda x: f"{x:.2f}" if x is not None else "–"
    print(f"| {i} | {B} | {f(db)} | {f(da)} | {f(np_)} | {g(rd)} | {f(sb)} | {f(sa)} | {f(sc)} | {g(rs)} |")
print(f"\nOne thread each, CPU ms (min): dense after within 5 % of NumPy (B >= 16) at {cnt['d'][0]}/{cnt['d'][1]} points; "
      f"sparse after at most SciPy's time at {cnt['s'][0]}/{cnt['s'][1]} points.")
