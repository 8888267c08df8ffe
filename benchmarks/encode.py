"""Speed of `mmret.encoders.TextEncoder.encode` against sentence-transformers' `encode`.

Same model (packaged all-MiniLM-L6-v2), batch size, max length (256) and texts (the first N SciFact
abstracts as `(title + " " + text).strip()`), same run. Each side runs in its own child process, so
its peak RSS is its own; the order alternates over rounds. Prints docs/s, CPU-seconds per doc,
peak RSS, the ratio ours / sentence-transformers and the largest embedding difference.

    python benchmarks/encode.py [--n 2000] [--batch-size 64] [--rounds 1]
"""
import argparse, json, os, platform, resource, subprocess, sys, tempfile, time
from datetime import date


def child(side, n, bs, out):
    import numpy as np, torch
    from mmret.data import load_beir, shared_data
    from mmret.encoders import TextEncoder, minilm_path, beir_doc_texts
    corpus, _, _ = load_beir(shared_data("beir_scifact"))
    texts = beir_doc_texts(corpus.select(range(n)))
    if side == "mmret":
        enc = TextEncoder.from_pretrained(minilm_path(), pooling="mean", normalize=True, max_length=256)
        enc.encode(texts[:bs], batch_size=bs, progress=False)  # warm-up
        f = lambda: enc.encode(texts, batch_size=bs, progress=False)
    else:
        from sentence_transformers import SentenceTransformer
        st = SentenceTransformer(str(minilm_path()), device="cpu")
        assert st.max_seq_length == 256
        st.encode(texts[:bs], batch_size=bs)
        f = lambda: st.encode(texts, batch_size=bs, show_progress_bar=False, convert_to_numpy=True)
    t, c = time.perf_counter(), time.process_time()
    X = f()
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    np.save(out + ".npy", np.asarray(X, dtype=np.float32))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    json.dump(dict(side=side, docs_s=n / wall, cpu_s_per_doc=cpu / n, wall=wall, peak_rss_mib=rss, threads=torch.get_num_threads()), open(out, "w"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--child", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.child: return child(a.child, a.n, a.batch_size, a.out)
    import numpy as np
    res = {"mmret": [], "sentence-transformers": []}
    with tempfile.TemporaryDirectory() as d:
        for r in range(a.rounds):
            sides = ["sentence-transformers", "mmret"] if r % 2 == 0 else ["mmret", "sentence-transformers"]
            for s in sides:
                out = os.path.join(d, f"{s}-{r}.json")
                subprocess.run([sys.executable, __file__, "--child", s, "--n", str(a.n), "--batch-size", str(a.batch_size), "--out", out], check=True)
                res[s].append(json.load(open(out)))
        diff = float(np.abs(np.load(os.path.join(d, "mmret-0.json.npy")) - np.load(os.path.join(d, "sentence-transformers-0.json.npy"))).max())
    best = {s: max(v, key=lambda x: x["docs_s"]) for s, v in res.items()}
    print(f"Benchmark encode ({date.today()}): {a.n} SciFact abstracts, all-MiniLM-L6-v2, batch {a.batch_size}, max_length 256, rounds {a.rounds}")
    print(f"machine: {platform.processor() or platform.machine()}, cpu_count={os.cpu_count()}, torch threads={best['mmret']['threads']}, load avg={os.getloadavg()[0]:.1f}")
    for s, b in best.items():
        print(f"  {s:22s} {b['docs_s']:7.2f} docs/s  {b['cpu_s_per_doc']*1000:7.1f} CPU-ms/doc  peak RSS {b['peak_rss_mib']:7.0f} MiB  (all rounds docs/s: {[round(x['docs_s'], 2) for x in res[s]]})")
    print(f"  ratio docs/s mmret / sentence-transformers = {best['mmret']['docs_s'] / best['sentence-transformers']['docs_s']:.3f}")
    print(f"  ratio CPU/doc sentence-transformers / mmret = {best['sentence-transformers']['cpu_s_per_doc'] / best['mmret']['cpu_s_per_doc']:.3f}")
    print(f"  max |embedding difference| = {diff:.2e}")


if __name__ == "__main__": main()
