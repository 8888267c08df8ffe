"""Dev-split sweep behind the toy recipe of `mmret.training` (nbs/06_training.ipynb, "Results on the toy KB").

    MMRET_CACHE=~/.cache/mmret python benchmarks/toy_sweep.py [--only NAME ...] [--threads 2]

Each variant is the recipe of main before this sweep ("before": CNN channels (16,32,64,64) on 64 px, 20 epochs, batch 64,
lr 2e-3, temperature 0.1, BM25 hard negatives re-mined by image every 5 epochs, `Augment()` on question images) with the
settings of its row changed ("..." : the row above it), written out in full so that a row keeps its meaning when the
recipe's defaults change. The recipe is the row with the best dev multimodal MRR@10; the rows around it are ablations
that 06 also scores on test.
Each trains through `toy_model` (cached by settings, starting weights and data: a second run of this script only reads
the cached results) and is scored on the DEV split only: the image part's passage-level MRR@10 at its best epoch, and
the multimodal MRR@10 at the image-part weight chosen on dev (`tune_weights`). The test split is never read here.
Train s: the wall time of `toy_model` when this script trained the row (mining, epochs, dev evaluation, weight choice;
a cached row shows the time stored then; n/a: trained before this script existed), with the 1-minute load average at
its end (other jobs sharing the machine slow it down); one training at a time.
"""
import argparse, json, os, platform, time
from pathlib import Path

BEFORE = dict(epochs=20, batch_size=64, lr=2e-3, weight_decay=1e-4, warmup=0.1, temperature=0.1, hard_negatives=1,
              negatives=["bm25"], remine_every=5, augment={}, patience=4)
TOWER = dict(channels=[16, 32, 64, 64], dim=128)
NEW = dict(epochs=30, patience=6)           # 30 epochs
RECIPE = {**NEW, "augment": None, "hard_negatives": 0, "remine_every": 0}   # the recipe after this sweep
WIDE = dict(channels=[16, 32, 64, 128, 128])

VARIANTS = { # name: (recipe settings over BEFORE, image tower settings over TOWER)
    "before": ({}, {}),
    "5 blocks (16,32,64,128,128), 30 epochs": (NEW, WIDE),
    "... without augmentation": ({**NEW, "augment": None}, WIDE),
    "... and without hard negatives (the recipe)": (RECIPE, WIDE),
    "the recipe with augmentation": ({**RECIPE, "augment": {}}, WIDE),
}

def run(name:str)->dict:
    import torch
    from mmret.toy import toy_data
    from mmret.data import cache_dir
    from mmret.training import toy_recipe, toy_towers, toy_model, train_key
    over, tower = VARIANTS[name]
    config = toy_recipe(**{**BEFORE, **over})
    model = toy_towers(**{**TOWER, **tower})
    data = toy_data()
    folder = cache_dir("train", train_key(config, model, data))
    fresh = not (folder/"result.json").exists()
    t0 = time.perf_counter()
    res = toy_model(config, model, data)
    stamp = Path(res.output)/"wall_s.json"   # the training's wall time, written when this script trained it
    if fresh: stamp.write_text(json.dumps(dict(wall_s=time.perf_counter() - t0, threads=torch.get_num_threads(), load=os.getloadavg())))
    w = res.history.get("weights", {})
    best_w = max(w, key=w.get)
    return dict(variant=name, epochs=len(res.history["dev_mrr"]), stopped=res.stopped, dev_image=max(res.history["dev_mrr"]),
                dev_mm=w[best_w], weight=best_w, **(json.loads(stamp.read_text()) if stamp.exists() else dict(wall_s=None, load=None)))

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None, help="variant names (default: all)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch threads {a.threads}\n")
    print("| variant | epochs run | dev MRR@10 image part (best epoch) | dev MRR@10 multimodal (weight) | train s (load avg) |\n|---|---|---|---|---|")
    for name in a.only or VARIANTS:
        r = run(name)
        secs = "n/a" if r["wall_s"] is None else "%.0f" % r["wall_s"] + (" (%.1f)" % r["load"][0] if r.get("load") else "")
        print(f"| {r['variant']} | {r['epochs']} ({r['stopped']}) | {r['dev_image']:.3f} | {r['dev_mm']:.3f} ({r['weight']:g}) | {secs} |", flush=True)
