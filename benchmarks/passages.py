"""Passage splitting throughput: 100k synthetic KILT-style articles -> ~100-word passages with `make_passages`.

Run: python benchmarks/passages.py [n_articles]
Measures passages/s for `make_passages` with num_proc=1 and num_proc=all cores, an unbatched per-article `Dataset.map`
(the way the reference system split its KB), and the splitting alone (pure Python, no Arrow). Prints the figures and
writes them, with the machine, date and load average, to `benchmarks/passages.json`, which `nbs/00_data.ipynb` shows."""
import json, os, platform, random, sys, time
from pathlib import Path
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
titles, texts = [f"Title {i}" for i in range(n)], [{"paragraph": article(i)} for i in range(n)]
kb = Dataset.from_dict({"wikipedia_title": titles, "text": texts})
report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
          "load_average": round(os.getloadavg()[0], 1), "articles": n, "rows": []}
print(f"machine: {report['machine']}, load average {report['load_average']}; {n:,} articles")

def row(setting, passages, seconds):
    report["rows"].append({"setting": setting, "passages": passages, "seconds": round(seconds, 2), "passages_per_s": round(passages / seconds)})
    print(f"{setting}: {passages:,} passages in {seconds:.1f} s = {passages / seconds:,.0f} passages/s")

for procs in sorted({1, os.cpu_count()}):
    t = time.perf_counter(); _, ps = make_passages(kb, num_proc=None if procs == 1 else procs); dt = time.perf_counter() - t
    row(f"make_passages, num_proc={procs}", len(ps), dt)
t = time.perf_counter(); cnt = sum(len(pack_sentences(clean_paragraphs(x["paragraph"], ti))) for ti, x in zip(titles, texts)); dt = time.perf_counter() - t
row("splitting alone (pure Python, no Arrow)", cnt, dt)
def unbatched(r): return {"n": len(pack_sentences(clean_paragraphs(r["text"]["paragraph"], r["wikipedia_title"])))}
m = min(n, 20_000)
t = time.perf_counter(); cnt = sum(kb.select(range(m)).map(unbatched, remove_columns=kb.column_names)["n"]); dt = time.perf_counter() - t
row(f"unbatched per-article map (first {m:,} articles)", cnt, dt)
report["load_average_end"] = round(os.getloadavg()[0], 1)
(Path(__file__).parent/"passages.json").write_text(json.dumps(report, indent=1) + "\n")
