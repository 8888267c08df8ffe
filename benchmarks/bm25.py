"""Speed of mmret.bm25 against bm25s (numpy and numba backends) and rank_bm25: indexing docs/s, queries/s at k=100
(1 thread and all cores), peak RSS, and the cost of an 11x11 (k1, b) grid. Run by hand:
`python benchmarks/bm25.py [--n-docs 1000000] [--rounds 3]`.

Each (system, collection) runs in its own subprocess so peak RSS is its own. Collections: SciFact (BEIR, title + text,
all 1,109 claims as queries) and a synthetic corpus (Zipfian vocabulary whose 20 most frequent words are English stop
words, 40-80 words per passage, queries of 3-8 words drawn from random passages). rank_bm25 scores every document in
Python, so it runs once, on a subsample (--rank-bm25-docs) with fewer queries: its numbers say so.

mmret runs with both analysers ("bm25s": bm25s's tokens; "lucene": Anserini's), and its lazy and precomputed modes are
separate rows; the precomputed rows count the precompute time in their queries/s. Every other measurement is repeated
--rounds times (index and queries, a fresh index each round); tables show medians, ratios are medians of per-round
ratios, with their spread (min-max).
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


def job(system, name, n_docs, n_queries, sub_docs, sub_queries, rounds):
    "One (system, collection) measurement over `rounds` rounds; prints a JSON line of lists (one value per round)."
    texts, queries, ids = load_collection(name, n_docs, n_queries)
    ncpu = os.cpu_count()
    r = dict(system=system, collection=name, n_docs=len(texts), n_queries=len(queries), rss_corpus_mb=rss_mb())
    add = lambda key, v: r.setdefault(key, []).append(v)
    if system.startswith("mmret"):
        from mmret.bm25 import BM25
        analyzer = "lucene" if system == "mmret-lucene" else "bm25s"
        for _ in range(rounds):
            bm, t = timed(lambda: BM25(analyzer=analyzer).index(texts, ids, progress=False)); add("index_s", t)
            bm.topk(queries[:20], k=100, n_threads=1, precompute=False, progress=False)   # warm up the compiled kernel
            bm._w2t.clear()                                                              # queries tokenised in the timing
            for nt in (1, ncpu):
                _, t = timed(lambda: bm.topk(queries, k=100, n_threads=nt, precompute=False, progress=False))
                add(f"query_s_lazy_{nt}t", t)
            _, t = timed(bm.precompute); add("precompute_s", t)
            for nt in (1, ncpu):
                _, t = timed(lambda: bm.topk(queries, k=100, n_threads=nt, precompute=True, progress=False))
                add(f"query_s_precomputed_{nt}t", t)
        qd = {str(i): q for i, q in enumerate(queries)}
        bm.search(dict(list(qd.items())[:20]), k=100, progress=False)    # warm up the run builder
        _, r["search_run_s"] = timed(lambda: bm.search(qd, k=100, progress=False))
        if name == "scifact" and analyzer == "bm25s":
            from mmret.data import load_beir
            _, q, qrels = load_beir(shared_data_path("beir_scifact"))
            bm.tune(q, qrels, k1=[0.9], b=[0.4], progress=False)      # warm numba/ranx compilation
            res, r["tune_121_s"] = timed(lambda: bm.tune(q, qrels, metric="ndcg@10", progress=False))
            r["tune_best"] = [res.k1, res.b, round(res.score, 4)]
    elif system.startswith("bm25s"):
        import bm25s, Stemmer
        backend = "numba" if system == "bm25s-numba" else "numpy"
        r["backend"] = backend
        st = Stemmer.Stemmer("english")
        def index():
            tok = bm25s.tokenize(texts, stopwords="en", stemmer=st, show_progress=False)
            m = bm25s.BM25(method="lucene", k1=0.9, b=0.4, backend=backend); m.index(tok, show_progress=False); return m
        def search(m, qs, nt):
            qt = bm25s.tokenize(qs, stopwords="en", stemmer=st, show_progress=False, return_ids=False)
            if backend == "numba": return m.retrieve(qt, k=100, n_threads=nt, show_progress=False)
            return m.retrieve(qt, k=100, n_threads=nt if nt > 1 else 0, show_progress=False)
        if backend == "numba":     # compile the JIT functions outside the timings
            w = bm25s.BM25(method="lucene", backend="numba"); w.index(bm25s.tokenize(texts[:50], show_progress=False), show_progress=False)
            w.retrieve(bm25s.tokenize(queries[:5], show_progress=False, return_ids=False), k=5, n_threads=1, show_progress=False)
        for _ in range(rounds):
            m, t = timed(index); add("index_s", t)
            for nt in (1, ncpu): _, t = timed(lambda: search(m, queries, nt)); add(f"query_s_{nt}t", t)
        if name == "scifact" and backend == "numpy":   # one grid point = re-index + search the 300 test queries; x 121
            from mmret.data import load_beir
            _, qd, _ = load_beir(shared_data_path("beir_scifact"))
            _, t = timed(lambda: search(index(), list(qd.values()), ncpu)); r["tune_121_s_estimated"] = 121 * t
    elif system == "rank_bm25":
        from rank_bm25 import BM25Okapi
        from mmret.bm25 import Tokenizer
        if len(texts) > sub_docs: texts, r["subsample_docs"] = texts[:sub_docs], sub_docs
        queries, r["subsample_queries"] = queries[:sub_queries], sub_queries
        r["n_docs"], r["n_queries"] = len(texts), len(queries)
        tk = Tokenizer()
        m, t = timed(lambda: BM25Okapi([tk(t) for t in texts], k1=0.9, b=0.4)); add("index_s", t)
        def q():
            for t in queries:
                s = m.get_scores(tk(t)); np.argpartition(s, -100)[-100:]
        _, t = timed(q); add("query_s_1t", t)
    r["rss_peak_mb"] = rss_mb()
    print(json.dumps(r), flush=True)


def shared_data_path(name):
    from mmret.data import shared_data
    return shared_data(name)


def run_job(*args):
    out = subprocess.run([sys.executable, __file__, "--job", *map(str, args)], capture_output=True, text=True)
    if out.returncode: print(out.stderr[-3000:], file=sys.stderr); return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def qps(r, key, extra=None): # queries/s of each round (plus a per-round extra time, e.g. the precompute)
    "Queries per second, one per round."
    if key not in r: return None
    return np.array([r["n_queries"] / (t + (e if extra else 0)) for t, e in zip(r[key], r[extra] if extra else r[key])])


def report(rows, load):
    "Print Markdown tables and the ratios against the peers (medians over rounds, spread min-max)."
    ncpu = os.cpu_count()
    med = lambda a: float(np.median(a))
    print(f"\nBenchmark ({ncpu} cores, {platform.processor() or platform.machine()}, {date.today()}, "
          f"python {platform.python_version()}); load average before/after: {load[0]} / {load[1]}")
    for name in dict.fromkeys(r["collection"] for r in rows):
        R = {r["system"]: r for r in rows if r["collection"] == name}
        any_r = next(iter(R.values()))
        print(f"\n| {name}: {any_r['n_docs']:,} docs, {any_r['n_queries']:,} queries, k=100 | index docs/s | precompute s "
              f"| q/s 1 thread | q/s {ncpu} threads | peak RSS MB |\n|---|---|---|---|---|---|")
        lines = []
        for s, label in [("mmret", "mmret bm25s-analyser"), ("mmret-lucene", "mmret lucene-analyser")]:
            if s not in R: continue
            m = R[s]
            for mode in ("lazy", "precomputed"):
                ex = "precompute_s" if mode == "precomputed" else None
                q1, qn = qps(m, f"query_s_{mode}_1t", ex), qps(m, f"query_s_{mode}_{ncpu}t", ex)
                lines.append((f"{label}, {mode}", m, q1, qn, med(m["precompute_s"]) if ex else None))
        for s, label in [("bm25s", "bm25s (numpy backend)"), ("bm25s-numba", "bm25s (numba backend)")]:
            if s in R: lines.append((label, R[s], qps(R[s], "query_s_1t"), qps(R[s], f"query_s_{ncpu}t"), None))
        if "rank_bm25" in R:
            rb = R["rank_bm25"]
            lines.append(("rank_bm25" + (f" (first {rb['n_docs']:,} docs, {rb['n_queries']} queries, 1 round)" if "subsample_docs" in rb
                          else f" ({rb['n_queries']} queries, 1 round)"), rb, qps(rb, "query_s_1t"), None, None))
        for label, r, q1, qn, pre in lines:
            docs = med(r["n_docs"] / np.array(r["index_s"]))
            print(f"| {label} | {docs:,.0f} | {'' if pre is None else f'{pre:.2f}'} | {med(q1):,.1f} | "
                  f"{'—' if qn is None else f'{med(qn):,.1f}'} | {r['rss_peak_mb']:,.0f} |")
        for s in ("mmret", "mmret-lucene"):
            if s in R: print(f"\n{s}: search() including the ranx.Run, {ncpu} threads: {R[s]['n_queries'] / R[s]['search_run_s']:,.0f} q/s")
        for peer in ("bm25s", "bm25s-numba"):
            if peer not in R: continue
            b = R[peer]
            b1, bn = qps(b, "query_s_1t"), qps(b, f"query_s_{ncpu}t")
            slow = f" (bm25s-{b['backend']} is slower on {ncpu} threads than on 1: {med(bn):,.0f} vs {med(b1):,.0f} q/s)" if med(bn) < med(b1) else ""
            for s in ("mmret", "mmret-lucene"):
                if s not in R: continue
                m = R[s]
                ix = np.array(b["index_s"]) / np.array(m["index_s"])
                fmt = lambda a: f"{med(a):.2f}x [{a.min():.2f}-{a.max():.2f}]"
                out = [f"indexing {fmt(ix)}"]
                for mode in ("lazy", "precomputed"):
                    ex = "precompute_s" if mode == "precomputed" else None
                    out.append(f"{mode}: 1 thread {fmt(qps(m, f'query_s_{mode}_1t', ex) / b1)}, "
                               f"{ncpu} threads {fmt(qps(m, f'query_s_{mode}_{ncpu}t', ex) / bn)}")
                print(f"- {s} vs bm25s ({b['backend']} backend): " + "; ".join(out) + f"; peak RSS {m['rss_peak_mb'] / b['rss_peak_mb']:.2f}x" + slow)
        if "mmret" in R and "tune_121_s" in R["mmret"]:
            m = R["mmret"]
            print(f"\n11x11 (k1, b) grid, ndcg@10 on the 300 test queries: mmret {m['tune_121_s']:.1f} s (best {m['tune_best']})"
                  + (f"; bm25s re-indexing 121 times ~{R['bm25s']['tune_121_s_estimated']:.0f} s (one point x 121)"
                     if "bm25s" in R and "tune_121_s_estimated" in R["bm25s"] else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-docs", type=int, default=1_000_000)
    ap.add_argument("--n-queries", type=int, default=1000)
    ap.add_argument("--rank-bm25-docs", type=int, default=20_000)
    ap.add_argument("--rank-bm25-queries", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--collections", default="scifact,synthetic")
    ap.add_argument("--systems", default="mmret,mmret-lucene,bm25s,bm25s-numba,rank_bm25")
    ap.add_argument("--out", default=None, help="also write the raw measurements (JSON lines) here")
    ap.add_argument("--job", nargs=7)
    a = ap.parse_args()
    if a.job:
        s, n, nd, nq, sd, sq, rd = a.job; return job(s, n, int(nd), int(nq), int(sd), int(sq), int(rd))
    load0 = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = []
    for name in a.collections.split(","):
        if name == "synthetic": synthetic(a.n_docs, a.n_queries)
        for s in a.systems.split(","):
            t = time.time()
            r = run_job(s, name, a.n_docs, a.n_queries, a.rank_bm25_docs, a.rank_bm25_queries, a.rounds)
            print(f"{s} on {name}: {time.time() - t:.0f} s {json.dumps(r)}", file=sys.stderr, flush=True)
            if r: rows.append(r)
    if a.out: Path(a.out).write_text("".join(json.dumps(r) + "\n" for r in rows))
    report(rows, (load0, " ".join(f"{x:.1f}" for x in os.getloadavg())))


if __name__ == "__main__":
    main()
