"""Test-split ablations of the toy recipe (nbs/06_training.ipynb, "Ablations"): the rows that need a training of their own.

    MMRET_CACHE=~/.cache/mmret python benchmarks/toy_ablation.py [--threads 2] [--json benchmarks/toy_ablation.json]
    MMRET_CACHE=$(mktemp -d) python benchmarks/toy_ablation.py    # every row trained (and timed) from scratch

Each row is `toy_recipe(...)` with one setting the recipe dropped on dev put back, trained through the cached
`toy_model` (cached by settings, starting weights and data: a second run only reads the cached models), then scored on
the TEST split like the notebook's full recipe: passage-level MRR@10, every question against all passages, its parts
joined with its dev-chosen weight (or its text part alone for the text-only training). The full recipe is scored too:
06 checks that every row's training key is what today's code and toy KB give, and that its live full-recipe test MRR@10
is this file's (within 0.03: a training on another CPU or with another number of threads differs in the last bits, and
the difference grows over its 570 steps), so the JSON cannot silently drift from the code. Use the notebook's 2 threads.
Train s: the wall time of `toy_model` when this script trained the row (null: found in the cache), with the torch threads and the 1-minute load average at its end.
"""
import argparse, datetime, json, os, platform, time
from pathlib import Path

TEXT_ONLY = dict(phases=[dict(name="text", modality="text")], epochs=1, batch_size=32, lr=5e-5, weight_decay=0.01, temperature=0.05,
                 hard_negatives=1, negatives=["bm25"], remine_every=0, augment=None, patience=1, dev_split=None, tune_weights=None)
ROWS = { # name: (toy_recipe overrides, part scored: None = the joined multimodal vectors, "text" = the text part alone)
    "full recipe": ({}, None),
    "with augmentation (Augment())": (dict(augment={}), None),
    "with hard negatives (BM25, re-mined by image)": (dict(hard_negatives=1, remine_every=5), None),
    "text-only training (1 epoch, no image)": (TEXT_ONLY, "text"),
}

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default=str(Path(__file__).with_name("toy_ablation.json")))
    a = ap.parse_args()
    load0 = os.getloadavg()
    import torch
    torch.set_num_threads(a.threads)
    from mmret.toy import toy_data
    from mmret.data import cache_dir
    from mmret.relevant import mine_relevant
    from mmret.encoders import DualEncoder
    from mmret.training import toy_recipe, toy_towers, toy_model, train_key, part_vectors, joined, scores_mrr
    toy = toy_data()
    test = toy.questions["test"]
    qrels = mine_relevant(test, toy.passages, toy.title2index, toy.article2passage, progress=False).to_dict()
    qids, pids = [str(q) for q in test["id"]], [str(r) for r in range(len(toy.passages))]
    rows = {}
    for name, (over, part) in ROWS.items():
        config = toy_recipe(**over)
        start = toy_towers()
        key = train_key(config, start, toy)
        fresh = not (cache_dir("train", key)/"result.json").exists()
        t = time.perf_counter()
        res = toy_model(config, start, toy)
        train_s = time.perf_counter() - t if fresh else None
        m = DualEncoder.from_pretrained(res.folder); V = part_vectors(m, toy, "test")
        S = V["Qt"] @ V["Pt"].T if part == "text" else joined(m.question, V["Qt"], V["Qi"]) @ joined(m.passage, V["Pt"], V["Pi"]).T
        rows[name] = dict(overrides=over, part=part, key=key, steps=res.steps, stopped=res.stopped, test_mrr10=scores_mrr(S, qids, pids, qrels),
                          train_s=train_s, load_after=os.getloadavg()[0] if fresh else None)
        print(f"{name}: test MRR@10 {rows[name]['test_mrr10']:.3f}; {res.steps} steps ({res.stopped}); "
              + (f"trained in {train_s:.0f} s" if fresh else "read from the cache"), flush=True)
    out = dict(date=datetime.date.today().isoformat(), machine=f"{platform.machine()}, {os.cpu_count()} cores, load {load0}",
               torch_threads=a.threads, recipe_fingerprint=toy_recipe().fingerprint, split="test", questions=len(qids),
               passages=len(pids), rows=rows)
    Path(a.json).write_text(json.dumps(out, indent=1))
    print(f"written {a.json}")

if __name__ == "__main__": main()
