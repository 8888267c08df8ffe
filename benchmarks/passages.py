"""Passage splitting throughput: 100k synthetic KILT-style articles -> ~100-word passages with `make_passages`.

Run: python benchmarks/passages.py [n_articles]
Reports passages/s for num_proc=1 and num_proc=all cores, and the ratio against an unbatched per-article
`Dataset.map` (the way the reference system split its KB)."""
import os, platform, random, sys, time
from datasets import Dataset, disable_progress_bars
from mmret.data import make_passages, pack_sentences, clean_paragraphs

disable_progress_bars()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(0)
words = [f"w{i}" for i in range(5000)]
def sentence(): return " ".join(rng.choice(words) for _ in range(rng.randint(5, 30))).capitalize() + "."
def article(i):
    paras = [f"Title {i}"] + [" ".join(sentence() for _ in range(rng.randint(1, 6))) for _ in range(rng.randint(2, 8))]
    paras.insert(2, "Section::::History.")
    return paras
kb = Dataset.from_dict({"wikipedia_title": [f"Title {i}" for i in range(n)], "text": [{"paragraph": article(i)} for i in range(n)]})
print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {n:,} articles")

def unbatched(row):
    return {"n": len(pack_sentences(clean_paragraphs(row["text"]["paragraph"], row["wikipedia_title"])))}

results = {}
for procs in sorted({1, os.cpu_count()}):
    t = time.perf_counter(); _, ps = make_passages(kb, num_proc=None if procs == 1 else procs); dt = time.perf_counter() - t
    results[procs] = len(ps) / dt
    print(f"make_passages num_proc={procs}: {len(ps):,} passages in {dt:.1f} s = {len(ps)/dt:,.0f} passages/s")
m = min(n, 20_000)
t = time.perf_counter(); cnt = sum(kb.select(range(m)).map(unbatched, remove_columns=kb.column_names)["n"]); dt = time.perf_counter() - t
print(f"unbatched per-article map (first {m:,} articles): {cnt/dt:,.0f} passages/s")
print(f"ratio batched (1 proc) / unbatched: {results[1] / (cnt/dt):.2f}x")
