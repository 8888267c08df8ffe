"""Cold vs warm cost of ranx's numba kernels, as paid by `mmret.evaluation.warmup`, each in a fresh process.

cold: NUMBA_CACHE_DIR points at an empty temporary folder, so every kernel compiles.
warm: a new process on the same folder, so every kernel loads from numba's disk cache.
Also times `compare_systems` (Fisher, 1,000 permutations) on a SciFact-sized synthetic case in the warm process.
Run by hand: python benchmarks/ranx_warmup.py
"""
import datetime, os, platform, subprocess, sys, tempfile, time

CODE = r"""
import time; t = time.perf_counter()
from mmret.evaluation import warmup, compare_systems, make_run, make_qrels, DEFAULT_METRICS
imp = time.perf_counter() - t
w = warmup(verbose=False)
t = time.perf_counter(); warmup(verbose=False); again = time.perf_counter() - t
import numpy as np
rng = np.random.default_rng(0)
qrels = make_qrels({f"q{i}": {f"d{i}_{j}": 1 for j in range(2)} for i in range(300)})
runs = {f"s{s}": make_run({f"q{i}": {f"d{i}_{j}": float(rng.normal() + (s if j < 2 else 0)) for j in range(100)}
                      for i in range(300)}) for s in range(4)}
t = time.perf_counter(); compare_systems(qrels, runs, DEFAULT_METRICS); cmp = time.perf_counter() - t
print(f"RESULT {imp:.2f} {w:.2f} {again:.4f} {cmp:.2f}")
"""

def one(cache:str)->tuple:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True)
    if out.returncode: raise SystemExit(out.stderr[-3000:])
    res = [l for l in out.stdout.splitlines() if l.startswith("RESULT")][-1].split()[1:]
    return (time.perf_counter() - t, *map(float, res))

if __name__ == "__main__":
    print(f"ranx warm-up benchmark, {datetime.date.today()}, processor={platform.processor() or platform.machine()!r}, "
          f"cpu_count={os.cpu_count()}, load average before={os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as cache:
        rows = [("cold (empty cache)", one(cache)), ("warm (same cache, new process)", one(cache)),
                ("warm again", one(cache))]
    print(f"{'process':32} {'total s':>8} {'import s':>9} {'warmup() s':>11} {'2nd warmup() s':>15} {'compare 300q x4 s':>18}")
    for name, (tot, imp, w, again, cmp) in rows:
        print(f"{name:32} {tot:8.1f} {imp:9.1f} {w:11.1f} {again:15.4f} {cmp:18.1f}")
    cold, warm = rows[0][1], min(rows[1][1], rows[2][1], key=lambda r: r[2])
    print(f"warmup(): cold/warm = {cold[2] / warm[2]:.1f}x ({cold[2]:.1f} s -> {warm[2]:.1f} s); "
          f"whole process: {cold[0] / warm[0]:.1f}x; load average after={os.getloadavg()[0]:.1f}")
