"""Speed and resident memory of `mmret.search.DenseIndex` against exact search (FAISS Flat), warm and cold.

Synthetic KB: `low_dim_mixture` (a 32-dim Gaussian mixture of 1,000 components mapped to 384 dims by a fixed random
matrix, small noise, L2-normalised: a stand-in for text embeddings, NOT real embeddings); queries come from the same
distribution. The real-embedding check (`--real`) runs the same recipes on MiniLM vectors of the shared corpora.

    python benchmarks/faiss.py                       # 1M vectors, synthetic only
    python benchmarks/faiss.py --n 100000 --nlist 1024   # quick
    python benchmarks/faiss.py --real-only           # the real-embedding check (needs ../shared/data and the cache)

"overlap@10" is `exact_overlap`: the share of Flat's top 10 that an index returns (what the ANN literature calls
recall@10). "Resident" counts every byte that must stay in memory for the stated overlap at the stated speed: the
serialised index (IVF centroids, codes, ids AND the refine stage's codes). The previous recipe, re-ranking from the
full-precision KB file, needs that file resident too (its bytes are added); its cold rows show what happens when it is
not. "Cold": the files are dropped from the page cache (`posix_fadvise(POSIX_FADV_DONTNEED)`, after the process
unmapped them) before loading and searching; the cold read speed of the KB file is printed to show the drop worked.
"""
import sys, os
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)          # this file is called faiss.py: keep `import faiss` from importing it

import argparse, datetime, gc, platform, resource, shutil, tempfile, time
from pathlib import Path

import numpy as np
import faiss
import psutil

from mmret.search import DenseIndex, low_dim_mixture, exact_overlap

K = 10

def peak_gb(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

def timed(f, *a, **kw):
    t = time.perf_counter(); r = f(*a, **kw); return r, time.perf_counter() - t

def evict(*paths):
    "Drop files from the page cache (pages mapped by a live process stay: unmap first)."
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try: os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally: os.close(fd)

def read_speed(path)->float:
    "GB/s of reading a file once (after `evict`: the disk's speed; else the page cache's)."
    t, n = time.perf_counter(), 0
    with open(path, "rb", buffering=0) as f:
        while b := f.read(1 << 24): n += len(b)
    return n / 2**30 / (time.perf_counter() - t)

def sweep(ix, Q, truth, grid, flat_qps, target, rerank=None, **fixed):
    "Search at each point of `grid` (list of param dicts, cheapest first) after a warm-up; return the first reaching `target`."
    ix.search_rows(Q[:50], K, rerank=rerank, **grid[0], **fixed)
    for g in grid:
        (_, R), t = timed(ix.search_rows, Q, K, rerank=rerank, **g, **fixed)
        ov, qps = exact_overlap(R, truth), len(Q) / t
        print(f"    {' '.join(f'{k}={v}' for k, v in g.items()):<24} overlap@10={ov:.3f} {qps:8.0f} q/s ({qps/flat_qps:5.1f}x Flat)", flush=True)
        if ov >= target: return dict(g, overlap=ov, qps=qps)
    return None

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--nq", type=int, default=1000)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--nlist", type=int, default=4096)
    p.add_argument("--train", type=int, default=None, help="vectors sampled to train IVF/PQ (default 40 x nlist)")
    p.add_argument("--recipes", default="PQ96x4fs,Refine(SQ6)",
                   help="';'-separated codes after IVF{nlist}, each with a compressed refine stage")
    p.add_argument("--old", action="store_true", help="also the previous recipe: PQ192x4fs + exact re-ranking from the KB file")
    p.add_argument("--target", type=float, default=0.95)
    p.add_argument("--nprobes", default="32,48,64,96,128", help="nprobe values swept (cheapest first)")
    p.add_argument("--k-factors", default="8,16", help="refine k_factor values swept")
    p.add_argument("--dir", default=None, help="folder for the KB and index files (on a real disk, for the cold runs)")
    p.add_argument("--real", action="store_true"); p.add_argument("--real-only", action="store_true")
    p.add_argument("--corpora", default="beir_scifact,cranfield,cisi")
    a = p.parse_args()
    a.train = a.train or 40 * a.nlist
    load = os.getloadavg()
    print(f"benchmarks/faiss.py {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC  machine: "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f}, "
          f"faiss {faiss.__version__} ({faiss.omp_get_max_threads()} threads), numpy {np.__version__}", flush=True)
    if not a.real_only:
        tmp = Path(tempfile.mkdtemp(prefix="faiss_bench_", dir=a.dir))
        try: synthetic(a, tmp)
        finally: shutil.rmtree(tmp, ignore_errors=True)
    if a.real or a.real_only: real(a)
    print(f"peak RSS {peak_gb():.2f} GB; load average at the end {os.getloadavg()[0]:.1f}")

def cold_search(folder, Q, truth, rerank=None, **params):
    "Load a saved index whose files were evicted, search once (cold), then again (warm)."
    ix, t_load = timed(DenseIndex.load, folder)   # the load reads and checksums every file
    (_, R), t1 = timed(ix.search_rows, Q, K, rerank=rerank, **params)
    (_, _), t2 = timed(ix.search_rows, Q, K, rerank=rerank, **params)
    return t_load, len(Q) / t1, len(Q) / t2, exact_overlap(R, truth)

def synthetic(a, tmp):
    t0 = time.perf_counter()
    X = low_dim_mixture(a.n, a.dim); Q = low_dim_mixture(a.nq, a.dim, stream=1)
    np.save(tmp/"X.npy", X)
    ids = [str(i) for i in range(a.n)]
    print(f"\n== synthetic low_dim_mixture: {a.n:,} x {a.dim} KB, {a.nq:,} queries (generated in {time.perf_counter()-t0:.0f}s)", flush=True)
    flat = DenseIndex.build(X, ids, "Flat"); flat.search_rows(Q[:50], K)
    (_, truth), t = timed(flat.search_rows, Q, K); flat_qps = a.nq / t
    flat_b = a.n * a.dim * 4
    print(f"Flat: {flat_qps:.0f} q/s warm, {flat_b/2**20:.0f} MiB resident ({flat_b/a.n:.0f} bytes/vector)", flush=True)
    del flat, X; gc.collect()
    rows = []
    grid = [dict(nprobe=int(p_), k_factor_rf=int(kf)) for kf in a.k_factors.split(",") for p_ in a.nprobes.split(",")]
    for codes in a.recipes.split(";"):
        factory = f"IVF{a.nlist},{codes}"
        Xm = np.load(tmp/"X.npy", mmap_mode="r")
        ix, tb = timed(DenseIndex.build, Xm, ids, factory, train_size=a.train)
        ix.vectors = None; del Xm; gc.collect()           # nothing may read the full-precision KB
        res = ix.bytes_per_vector() * a.n
        print(f"  {factory}: built in {tb:.0f}s, resident {res/2**20:.0f} MiB = {res/flat_b:.3f} of Flat", flush=True)
        best = sweep(ix, Q, truth, grid, flat_qps, a.target)
        if best:
            ix.save(tmp/"ix"); del ix; gc.collect()
            evict(*(tmp/"ix").iterdir())
            t_load, cold, warm, ov = cold_search(tmp/"ix", Q, truth, nprobe=best["nprobe"], k_factor_rf=best["k_factor_rf"])
            rows.append((factory, f"nprobe={best['nprobe']} k_factor_rf={best['k_factor_rf']}", best["overlap"], res, best["qps"], cold, warm, t_load))
        else: rows.append((factory, "target not reached", None, res, None, None, None, None)); del ix
        shutil.rmtree(tmp/"ix", ignore_errors=True); gc.collect()
    if a.old: rows.append(old_recipe(a, tmp, ids, Q, truth, flat_qps, flat_b))
    print(f"\n-- summary: overlap@10 >= {a.target} on {a.n:,} x {a.dim} synthetic vectors; Flat {flat_qps:.0f} q/s, "
          f"{flat_b/2**20:.0f} MiB; targets: resident <= 0.25 of Flat, >= 50x Flat q/s (warm and cold)")
    print(f"{'index':<36} {'search':<26} {'overlap':>7} {'resident MiB':>12} {'of Flat':>7} {'warm q/s':>9} {'x Flat':>6} "
          f"{'cold q/s':>9} {'x Flat':>6} {'load s':>6}")
    for f, s, ov, res, q, cold, warm2, tl in rows:
        fmt = lambda v, w, d=0: f"{v:>{w}.{d}f}" if v is not None else f"{'-':>{w}}"
        print(f"{f:<36} {s:<26} {fmt(ov, 7, 3)} {res/2**20:>12.0f} {res/flat_b:>7.3f} {fmt(q, 9)} {fmt(q and q/flat_qps, 6, 1)} "
              f"{fmt(cold, 9)} {fmt(cold and cold/flat_qps, 6, 1)} {fmt(tl, 6, 1)}", flush=True)

def old_recipe(a, tmp, ids, Q, truth, flat_qps, flat_b):
    "The previous recipe: 4-bit PQ codes in RAM, exact re-ranking reading full-precision rows from the memory-mapped KB."
    factory = f"IVF{a.nlist},PQ{a.dim // 2}x4fs"
    Xm = np.load(tmp/"X.npy", mmap_mode="r")
    ix, tb = timed(DenseIndex.build, Xm, ids, factory, train_size=a.train)
    res = ix.bytes_per_vector() * a.n + flat_b
    print(f"  {factory} + exact re-ranking from the KB file: built in {tb:.0f}s, resident {res/2**20:.0f} MiB "
          f"(codes + the KB file) = {res/flat_b:.3f} of Flat", flush=True)
    _ = float(np.asarray(Xm).sum())                         # warm: the KB file in the page cache
    best = sweep(ix, Q, truth, [dict(nprobe=p_) for p_ in (32, 48, 56, 64, 96)], flat_qps, a.target, rerank=5)
    ix.vectors = None; del Xm; gc.collect()
    evict(tmp/"X.npy"); print(f"  KB file read after eviction: {read_speed(tmp/'X.npy'):.2f} GB/s (disk)", flush=True)
    evict(tmp/"X.npy")
    ix.vectors = np.load(tmp/"X.npy", mmap_mode="r")
    nprobe = best["nprobe"] if best else 64
    (_, R), t = timed(ix.search_rows, Q, K, rerank=5, nprobe=nprobe)
    cold = a.nq / t
    print(f"  cold (KB file evicted): overlap@10={exact_overlap(R, truth):.3f} {cold:.0f} q/s ({cold/flat_qps:.1f}x Flat)", flush=True)
    return (factory + " + exact rerank", f"nprobe={nprobe} rerank=5", best and best["overlap"], res, best and best["qps"], cold, None, None)

def real(a):
    "overlap@10 of the same recipes on MiniLM embeddings of the real corpora vs the synthetic generator at the same N."
    from mmret.data import load_beir, load_smart, shared_data
    from mmret.encoders import TextEncoder, minilm_path, beir_doc_texts
    sd = shared_data()
    enc = TextEncoder.from_pretrained(minilm_path())
    D, Qr = [], []
    loaders = {"beir_scifact": load_beir, "cranfield": lambda f: load_smart(f, "cranfield"), "cisi": lambda f: load_smart(f, "cisi")}
    for name in a.corpora.split(","):          # one cache entry per corpus: SciFact's is shared with the notebooks
        corpus, queries, _ = loaders[name](sd/name)
        D.append(enc.encode_cached(beir_doc_texts(corpus), progress=False))
        Qr.append(enc.encode_cached(list(queries.values()), progress=False))
    D, Qr = np.concatenate(D), np.concatenate(Qr)
    n, nlist = len(D), 64
    S = low_dim_mixture(n, D.shape[1]); SQ = low_dim_mixture(len(Qr), D.shape[1], stream=1)
    print(f"\n== real vs synthetic at the same size: MiniLM over {a.corpora}, {n:,} docs, {len(Qr)} queries; IVF{nlist}; overlap@10 with Flat")
    for label, X, Q in [("MiniLM", D, Qr), ("synthetic", S, SQ)]:
        ids = [str(i) for i in range(n)]
        _, truth = DenseIndex.build(X, ids, "Flat").search_rows(Q, K)
        out = []
        for codes in a.recipes.split(";"):
            ix = DenseIndex.build(X, ids, f"IVF{nlist},{codes}", train_size=n)
            out.append(f"{codes}: " + " ".join(f"nprobe={p_}:{exact_overlap(ix.search_rows(Q, K, nprobe=p_, k_factor_rf=4)[1], truth):.3f}"
                                                for p_ in (4, 8, 16)))
        print(f"{label:>10} (k_factor_rf=4): " + " | ".join(out), flush=True)

if __name__ == "__main__": main()
