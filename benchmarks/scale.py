"""End to end at scale on Ray: synthetic passages encoded by a pool of actors, an IVF index filled shard by shard with
its lists on disk, and a batch of queries searched over workers (BM25 and dense). Measures, for 1 and for W workers:
throughput per worker, the speed-up, and the peak RSS of every process (driver, encoding actors, index build, search
actors).

Data: `--n` synthetic passages of `--words` words drawn from a Zipf law over a vocabulary of `--vocab` words; queries are
8 words taken from random passages. Model: `--model tiny` (a randomly initialised BERT of `--hidden` x 2 layers with that
vocabulary, built from a config: no download) or `--model minilm` (the packaged all-MiniLM-L6-v2).

"Peak RSS" is the process's `ru_maxrss` (encoding actors report their own; the index build runs in a child process) or,
for search actors, the largest RSS sampled every 0.2 s with psutil; memory-mapped index pages count in RSS.

The 1-vs-W comparison runs on the first `--n-speedup` passages (and every query); the full `--n` is encoded once with W
workers. Results are printed and written as JSON (`--json`, default benchmarks/scale.json), which the notebook
10_distributed reads for its estimates.

    python benchmarks/scale.py [--n 1000000] [--workers 2] [--n-speedup 20000] [--queries 2000] [--model tiny]
"""
import argparse, json, os, platform, random, resource, subprocess, sys, tempfile, threading, time
from datetime import date
from pathlib import Path

import numpy as np

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]   # benchmarks/faiss.py must not shadow faiss


def passages(n:int, words:int, vocab:int, seed:int=0)->list:
    "Synthetic passages: `words` words each, drawn from a Zipf law over `vocab` words (w0 most frequent)."
    rng = np.random.default_rng(seed)
    p = 1 / np.arange(1, vocab + 1); p /= p.sum()
    names = np.array([f"w{i}" for i in range(vocab)])
    out = []
    for s in range(0, n, 50_000):
        m = min(50_000, n - s)
        ids = rng.choice(vocab, size=(m, words), p=p)
        out += [" ".join(r) for r in names[ids]]
    return out


def queries(texts:list, n:int, seed:int=1)->list:
    "Queries of 8 words taken from random passages."
    rng = random.Random(seed)
    return [" ".join(rng.sample(texts[rng.randrange(len(texts))].split(), 8)) for _ in range(n)]


class RayRSS:
    "Samples the RSS of every Ray worker process (`ray::...`) in a thread; keeps each one's peak."
    def __init__(self, every:float=0.2): self.every, self.peak, self._stop = every, {}, threading.Event()
    def _run(self):
        import psutil
        while not self._stop.is_set():
            for p in psutil.process_iter(["pid", "cmdline", "memory_info"]):
                try:
                    cmd = (p.info["cmdline"] or [""])[0]
                    if cmd.startswith("ray::") and p.info["memory_info"] is not None:
                        k = (p.info["pid"], cmd.split()[0])
                        self.peak[k] = max(self.peak.get(k, 0), p.info["memory_info"].rss)
                except Exception: pass
            self._stop.wait(self.every)
    def __enter__(self): self._t = threading.Thread(target=self._run, daemon=True); self._t.start(); return self
    def __exit__(self, *a): self._stop.set(); self._t.join()


def mib(b): return round(b / 2**20, 1)


IMAGE_CONFIG = dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=6, image_size=224, patch_size=32)   # as benchmarks/encode.py


def images(folder:Path, n:int, distinct:int=64, seed:int=0)->list:
    "`distinct` random 224 px PNG files (coloured ellipses), named in a list of `n` (cycled)."
    from PIL import Image, ImageDraw
    rng = random.Random(seed); folder.mkdir(parents=True, exist_ok=True)
    for i in range(distinct):
        im = Image.new("RGB", (224, 224), tuple(rng.randrange(256) for _ in range(3))); d = ImageDraw.Draw(im)
        for _ in range(6):
            x, y = rng.randrange(200), rng.randrange(200)
            d.ellipse([x, y, x + rng.randrange(10, 80), y + rng.randrange(10, 80)], fill=tuple(rng.randrange(256) for _ in range(3)))
        im.save(folder/f"img{i:03d}.png")
    return [f"img{i % distinct:03d}.png" for i in range(n)]


def build_child(emb_path:str, ids_path:str, folder:str, factory:str, shard_size:int)->dict:
    "Build the on-disk index in a child process, so its peak RSS is its own."
    code = f"""
import json, resource, time, numpy as np
from mmret.distributed import build_ondisk_index
X = np.load({emb_path!r}, mmap_mode="r"); ids = json.load(open({ids_path!r}))
t = time.perf_counter()
ix = build_ondisk_index(X, ids, {folder!r}, {factory!r}, shard_size={shard_size}, overwrite=True, progress=False)
print(json.dumps(dict(seconds=time.perf_counter() - t, peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000); ap.add_argument("--n-speedup", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2); ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--words", type=int, default=60); ap.add_argument("--vocab", type=int, default=5000)
    ap.add_argument("--model", choices=["tiny", "minilm"], default="tiny"); ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=64); ap.add_argument("--shard-size", type=int, default=4096)
    ap.add_argument("--nprobe", type=int, default=16); ap.add_argument("--dir", default=None)
    ap.add_argument("--images", type=int, default=0, help="also encode this many synthetic 224 px images (a CLIP-vision tower of IMAGE_CONFIG)")
    ap.add_argument("--json", default=str(Path(__file__).with_name("scale.json")))
    a = ap.parse_args()
    import datasets, ray
    from mmret.bm25 import BM25
    from mmret.distributed import ray_encode_kb, ray_search
    from mmret.encoders import TextTower, minilm_path
    work = Path(a.dir or tempfile.mkdtemp(prefix="mmret-scale-"))
    W, res = a.workers, dict(date=str(date.today()), machine=f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}",
                               n=a.n, n_speedup=min(a.n_speedup, a.n), queries=a.queries, workers=a.workers, model=a.model)
    t = time.perf_counter(); texts = passages(a.n, a.words, a.vocab)
    res["make_passages_s"] = time.perf_counter() - t
    datasets.Dataset.from_dict(dict(id=[f"p{i}" for i in range(a.n)], text=texts)).save_to_disk(str(work/"kb"))
    kb = datasets.load_from_disk(str(work/"kb"))       # memory-mapped: the actors open it, nothing is copied
    if a.model == "tiny":
        tower = TextTower.from_config(words=[f"w{i}" for i in range(a.vocab)], hidden_size=a.hidden, num_hidden_layers=2,
                                      num_attention_heads=2, max_position_embeddings=128)
    else: tower = TextTower.from_pretrained(minilm_path())
    res["dim"] = tower.dim
    ray.init(num_cpus=W, include_dashboard=False, log_to_driver=False)
    enc = {}
    for w in sorted({1, W}):      # speed-up on the same subset
        t = time.perf_counter()
        ray_encode_kb(kb.select(range(res["n_speedup"])), tower, out=work/f"enc-{w}", batch_size=a.batch_size,
                      shard_size=a.shard_size, workers=w, progress=False)
        wall = time.perf_counter() - t
        per = json.loads((work/f"enc-{w}"/"workers.json").read_text())
        enc[w] = dict(wall_s=wall, rows_per_s=res["n_speedup"] / wall, per_worker=per)
        print(f"encode {res['n_speedup']} passages, {w} worker(s): {wall:.1f} s, {res['n_speedup'] / wall:.0f} passages/s; "
              f"per worker: " + ", ".join(f"{v['rows_per_s']:.0f}/s (peak RSS {mib(v['peak_rss'])} MiB)" for v in per.values()), flush=True)
    res["encode_speedup"] = {str(w): v for w, v in enc.items()}
    res["speedup_encode"] = enc[W]["rows_per_s"] / enc[1]["rows_per_s"]
    t = time.perf_counter()
    emb = ray_encode_kb(kb, tower, out=work/"enc", batch_size=a.batch_size, shard_size=a.shard_size, workers=W, progress=False)
    res["encode_full"] = dict(wall_s=time.perf_counter() - t, per_worker=json.loads((work/"enc"/"workers.json").read_text()))
    res["encode_full"]["rows_per_s"] = a.n / res["encode_full"]["wall_s"]
    print(f"encode {a.n} passages, {W} workers: {res['encode_full']['wall_s']:.1f} s", flush=True)

    if a.images:
        from mmret.encoders import ImageTower
        names = images(work/"images", a.images)
        itower = ImageTower.from_config(**IMAGE_CONFIG)
        t = time.perf_counter()
        ray_encode_kb(datasets.Dataset.from_dict(dict(image=names)), itower, column="image", images=work/"images", out=work/"enc-img",
                      batch_size=32, shard_size=128, workers=W, progress=False)
        per = json.loads((work/"enc-img"/"workers.json").read_text())
        res["images"] = dict(n=a.images, dim=itower.dim, wall_s=time.perf_counter() - t, per_worker=per, config=IMAGE_CONFIG)
        print(f"encode {a.images} images, {W} workers: {res['images']['wall_s']:.1f} s; per worker: "
              + ", ".join(f"{v['rows_per_s']:.1f}/s (peak RSS {mib(v['peak_rss'])} MiB)" for v in per.values()), flush=True)

    nlist = max(16, 2 ** int(round(np.log2(4 * np.sqrt(a.n)))))
    (work/"ids.json").write_text(json.dumps(list(kb["id"])))
    factory = f"IVF{nlist},Flat"
    b = build_child(str(work/"enc"/"embeddings.npy"), str(work/"ids.json"), str(work/"ivf"), factory, 262_144)
    res["index"] = dict(factory=factory, **b, disk_bytes=sum(p.stat().st_size for p in (work/"ivf").iterdir()))
    print(f"index {factory} on disk: {b['seconds']:.1f} s, build peak RSS {mib(b['peak_rss'])} MiB, {mib(res['index']['disk_bytes'])} MiB on disk", flush=True)

    t = time.perf_counter(); bm = BM25(); bm.index(texts, ids=list(kb["id"]), progress=False); bm.save(work/"bm25")
    res["bm25_index_s"] = time.perf_counter() - t
    qt = queries(texts, a.queries); qids = [f"q{i}" for i in range(a.queries)]
    qv = tower.encode(qt, batch_size=a.batch_size, progress=False)
    srch = {}
    for w in sorted({1, W}):
        with RayRSS() as mon:
            t = time.perf_counter()
            ray_search(qids, qt, qv, bm25=work/"bm25", index=work/"ivf", k=100, workers=w, batch_size=max(16, a.queries // (4 * W)),
                       progress=False, nprobe=a.nprobe)
            wall = time.perf_counter() - t
        srch[w] = dict(wall_s=wall, queries_per_s=a.queries / wall, peak_rss_ray_processes=sorted((mib(v) for v in mon.peak.values()), reverse=True)[:2 * W])
        print(f"search {a.queries} queries (BM25 + IVF nprobe={a.nprobe}), {w} worker(s): {wall:.1f} s, {a.queries / wall:.0f} queries/s; "
              f"largest Ray process RSS (MiB): {srch[w]['peak_rss_ray_processes']}", flush=True)
    res["search"] = {str(w): v for w, v in srch.items()}
    res["speedup_search"] = srch[W]["queries_per_s"] / srch[1]["queries_per_s"]
    res["driver_peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    ray.shutdown()
    print(f"speed-up 1 -> {W} workers: encoding {res['speedup_encode']:.2f}x, search {res['speedup_search']:.2f}x; "
          f"driver peak RSS {mib(res['driver_peak_rss'])} MiB; load average now {os.getloadavg()}")
    Path(a.json).write_text(json.dumps(res, indent=1))
    print(f"written {a.json}")


if __name__ == "__main__": main()
