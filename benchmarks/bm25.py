"""Speed of mmret.bm25 against bm25s and rank_bm25: indexing docs/s, queries/s at k=100 (1 thread and all cores),
peak RSS, and the cost of an 11x11 (k1, b) grid. Run by hand: `python benchmarks/bm25.py [--n-docs 1000000]`.

Each (system, collection) runs in its own subprocess so peak RSS is its own. Collections: SciFact (BEIR, title + text,
all 1,109 claims as queries) and a synthetic corpus (Zipfian vocabulary whose 20 most frequent words are English stop
words, 40-80 words per passage, queries of 3-8 words drawn from random passages). rank_bm25 scores every document in
Python, so on the synthetic corpus it runs on a subsample (--rank-bm25-docs) with fewer queries: its numbers say so.
"""
import argparse, json, os, platform, resource, subprocess, sys, time
from datetime import date
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("MMRET_BENCH_CACHE", "/tmp/mmret_bench"))
STOP = "the of and to in is for that with as on was by at be this are it from".split()


def synthetic(n_docs, n_queries, seed=0):
    "Write (once) and return paths of a synthetic corpus and its queries, one text per line."
    CACHE.mkdir(parents=True, exist_ok=True)
    fc, fq = CACHE / f"synth_{n_docs}_{seed}.txt", CACHE / f"synth_{n_docs}_{seed}_q{n_queries}.txt"
    if fc.exists() and fq.exists(): return fc, fq
    rng = np.random.default_rng(seed)
    V = 200_000
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = set()
    while len(words) < V:
        ln = rng.integers(3, 11, size=V)
        words.update("".join(rng.choice(letters, size=l)) for l in ln)
    words = np.array(STOP + sorted(words - set(STOP))[: V - len(STOP)], dtype=object)
    p = 1 / np.arange(1, V + 1) ** 1.07; cdf = np.cumsum(p / p.sum())
    lens = rng.integers(40, 81, size=n_docs)
    ids = np.minimum(np.searchsorted(cdf, rng.random(int(lens.sum()))), V - 1)
    ends = np.cumsum(lens)
    tmp = fc.with_suffix(".tmp")
    with open(tmp, "w") as f:
        start = 0
        for e in ends:
            f.write(" ".join(words[ids[start:e]]) + "\n"); start = e
    os.replace(tmp, fc)
    with open(fq.with_suffix(".tmp"), "w") as f:
        for d in rng.integers(0, n_docs, size=n_queries):
            s = ends[d] - lens[d]; n = rng.integers(3, 9)
            f.write(" ".join(words[rng.choice(ids[s:ends[d]], size=n)]) + "\n")
    os.replace(fq.with_suffix(".tmp"), fq)
    return fc, fq


def load_collection(name, n_docs, n_queries):
    "(texts, queries) of a collection."
    if name == "scifact":
        from mmret.data import shared_data
        d = shared_data("beir_scifact")
        rows = [json.loads(l) for l in open(d / "corpus.jsonl")]
        texts = [f"{o['title']} {o['text']}".strip() for o in rows]
        queries = [o["text"] for o in map(json.loads, open(d / "queries.jsonl"))]
        return texts, queries, [str(o["_id"]) for o in rows]
    fc, fq = synthetic(n_docs, n_queries)
    texts = open(fc).read().splitlines()
    return texts, open(fq).read().splitlines(), [str(i) for i in range(len(texts))]


def rss_mb(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(f):
    t = time.perf_counter(); out = f(); return out, time.perf_counter() - t


def job(system, name, n_docs, n_queries, sub_docs, sub_queries):
    "One (system, collection) measurement; prints a JSON line."
    texts, queries, ids = load_collection(name, n_docs, n_queries)
    ncpu = os.cpu_count()
    r = dict(system=system, collection=name, n_docs=len(texts), n_queries=len(queries), rss_corpus_mb=rss_mb())
    if system == "mmret":
        from mmret.bm25 import BM25
        bm, t = timed(lambda: BM25().index(texts, ids, progress=False))
        r.update(index_s=t)
        bm.topk(queries[:20], k=100, n_threads=1, progress=False)     # warm up: load the compiled kernel
        for mode, pre in (("lazy", False), ("precomputed", True)):
            if pre: _, r["precompute_s"] = timed(bm.precompute)
            for nt in (1, ncpu):
                _, t = timed(lambda: bm.topk(queries, k=100, n_threads=nt, precompute=pre, progress=False))
                r[f"query_s_{mode}_{nt}t"] = t
        bm.search({str(i): q for i, q in enumerate(queries[:20])}, k=100, progress=False)    # warm up ranx's Run
        _, r["search_run_s"] = timed(lambda: bm.search({str(i): q for i, q in enumerate(queries)}, k=100, progress=False))
        if name == "scifact":
            from mmret.data import load_beir
            _, q, qrels = load_beir(shared_data_path("beir_scifact"))
            bm.tune(q, qrels, k1=[0.9], b=[0.4], progress=False)      # warm numba/ranx compilation
            res, r["tune_121_s"] = timed(lambda: bm.tune(q, qrels, metric="ndcg@10", progress=False))
            r["tune_best"] = [res.k1, res.b, round(res.score, 4)]
    elif system == "bm25s":
        import bm25s, Stemmer
        st = Stemmer.Stemmer("english")
        def index():
            tok = bm25s.tokenize(texts, stopwords="en", stemmer=st, show_progress=False)
            m = bm25s.BM25(method="lucene", k1=0.9, b=0.4); m.index(tok, show_progress=False); return m
        m, r["index_s"] = timed(index)
        for nt in (1, ncpu):
            def q():
                qt = bm25s.tokenize(queries, stopwords="en", stemmer=st, show_progress=False, return_ids=False)
                return m.retrieve(qt, k=100, n_threads=nt if nt > 1 else 0, show_progress=False)
            _, r[f"query_s_{nt}t"] = timed(q)
        if name == "scifact":    # one grid point = re-index + search the 300 test queries; the grid repeats it 121 times
            from mmret.data import load_beir
            _, qd, _ = load_beir(shared_data_path("beir_scifact"))
            def point():
                mm = index()
                qt = bm25s.tokenize(list(qd.values()), stopwords="en", stemmer=st, show_progress=False, return_ids=False)
                mm.retrieve(qt, k=100, n_threads=ncpu, show_progress=False)
            _, t = timed(point); r["tune_121_s_estimated"] = 121 * t
    elif system == "rank_bm25":
        from rank_bm25 import BM25Okapi
        from mmret.bm25 import Tokenizer
        if len(texts) > sub_docs: texts, r["subsample_docs"] = texts[:sub_docs], sub_docs
        queries, r["subsample_queries"] = queries[:sub_queries], sub_queries
        r["n_docs"], r["n_queries"] = len(texts), len(queries)
        tk = Tokenizer()
        m, r["index_s"] = timed(lambda: BM25Okapi([tk(t) for t in texts], k1=0.9, b=0.4))
        def q():
            for t in queries:
                s = m.get_scores(tk(t)); np.argpartition(s, -100)[-100:]
        _, r["query_s_1t"] = timed(q)
    r["rss_peak_mb"] = rss_mb()
    print(json.dumps(r), flush=True)


def shared_data_path(name):
    from mmret.data import shared_data
    return shared_data(name)


def run_job(*args):
    out = subprocess.run([sys.executable, __file__, "--job", *map(str, args)], capture_output=True, text=True)
    if out.returncode: print(out.stderr[-3000:], file=sys.stderr); return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(rows):
    "Print the table and the ratios against the peers."
    ncpu = os.cpu_count()
    print(f"\nBenchmark ({ncpu} cores, {platform.processor() or platform.machine()}, {date.today()}, "
          f"python {platform.python_version()})")
    for name in dict.fromkeys(r["collection"] for r in rows):
        R = {r["system"]: r for r in rows if r["collection"] == name}
        print(f"\n## {name}: {R['mmret']['n_docs']:,} docs, {R['mmret']['n_queries']:,} queries, k=100")
        print(f"{'system':<24}{'index docs/s':>14}{'q/s 1 thread':>14}{f'q/s {ncpu} threads':>16}{'peak RSS MB':>13}")
        def line(label, r, q1, qn):
            print(f"{label:<24}{r['n_docs'] / r['index_s']:>14,.0f}{r['n_queries'] / r[q1]:>14,.1f}"
                  f"{(r['n_queries'] / r[qn]) if qn in r else float('nan'):>16,.1f}{r['rss_peak_mb']:>13,.0f}")
        m = R["mmret"]
        line("mmret (lazy)", m, "query_s_lazy_1t", f"query_s_lazy_{ncpu}t")
        line("mmret (precomputed)", m, "query_s_precomputed_1t", f"query_s_precomputed_{ncpu}t")
        if "bm25s" in R: line("bm25s (numpy)", R["bm25s"], "query_s_1t", f"query_s_{ncpu}t")
        if "rank_bm25" in R:
            rb = R["rank_bm25"]
            line(f"rank_bm25 (subsample)" if "subsample_docs" in rb else "rank_bm25", rb, "query_s_1t", "-")
            if "subsample_docs" in rb: print(f"  rank_bm25 on the first {rb['n_docs']:,} docs and {rb['n_queries']} queries only")
        print(f"mmret: precompute {m['precompute_s']:.2f} s, corpus alone {m['rss_corpus_mb']:,.0f} MB RSS, "
              f"search() incl. ranx.Run, {ncpu} threads: {m['n_queries'] / m['search_run_s']:,.1f} q/s")
        if "bm25s" in R:
            b = R["bm25s"]
            best = lambda nt: max(m[f"query_s_lazy_{nt}t"] ** -1, m[f"query_s_precomputed_{nt}t"] ** -1) * m["n_queries"]
            print(f"ratios vs bm25s: indexing {b['index_s'] / m['index_s']:.2f}x, "
                  f"queries 1 thread {best(1) / (b['n_queries'] / b['query_s_1t']):.2f}x, "
                  f"{ncpu} threads {best(ncpu) / (b['n_queries'] / b[f'query_s_{ncpu}t']):.2f}x, "
                  f"peak RSS {m['rss_peak_mb'] / b['rss_peak_mb']:.2f}x")
        if "tune_121_s" in m:
            print(f"11x11 (k1, b) grid, ndcg@10 on the 300 test queries: mmret {m['tune_121_s']:.1f} s (best {m['tune_best']})"
                  + (f"; bm25s re-indexing 121 times ~{R['bm25s']['tune_121_s_estimated']:.0f} s (one point x 121)"
                     if "bm25s" in R else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-docs", type=int, default=1_000_000)
    ap.add_argument("--n-queries", type=int, default=1000)
    ap.add_argument("--rank-bm25-docs", type=int, default=20_000)
    ap.add_argument("--rank-bm25-queries", type=int, default=50)
    ap.add_argument("--collections", default="scifact,synthetic")
    ap.add_argument("--systems", default="mmret,bm25s,rank_bm25")
    ap.add_argument("--job", nargs=6)
    a = ap.parse_args()
    if a.job:
        s, n, nd, nq, sd, sq = a.job; return job(s, n, int(nd), int(nq), int(sd), int(sq))
    rows = []
    for name in a.collections.split(","):
        if name == "synthetic": synthetic(a.n_docs, a.n_queries)
        for s in a.systems.split(","):
            t = time.time()
            r = run_job(s, name, a.n_docs, a.n_queries, a.rank_bm25_docs, a.rank_bm25_queries)
            print(f"{s} on {name}: {time.time() - t:.0f} s {json.dumps(r)}", file=sys.stderr, flush=True)
            if r: rows.append(r)
    report(rows)


if __name__ == "__main__":
    main()
