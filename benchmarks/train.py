"""Text-only training speed of mmret.training against sentence-transformers `MultipleNegativesRankingLoss`, and the
memory of the gradient-cached loss. Run by hand: `python benchmarks/train.py [--steps 8 --batch 32 --rounds 3]`.

Same model (the packaged all-MiniLM-L6-v2, one shared tower), same max length, batch size, data and hard negatives:
SciFact test claims (BEIR) with their first relevant abstract as positive and one fixed hard negative per claim (the
next claim's abstract), cycled to fill the steps. Both sides run AdamW with linear warm-up/decay and gradient clipping
at 1.0; sentence-transformers runs its loss in a plain loop (no Trainer overhead, its fastest form). Each (system,
round) runs in its own subprocess, so peak RSS (ru_maxrss: the whole process, model and Python included) is its own;
the first step (warm-up) is not timed. Examples/s = questions per second. The ratio is the median over rounds of
mmret / sentence-transformers. Then the gradient-cached loss at batch --big (mini-batches of --chunk) against the plain
loss at batch --batch-mem, a few steps each, peak RSS compared.
"""
import argparse, json, os, platform, resource, subprocess, sys, time
from pathlib import Path


def data(n):
    "(questions, positives, negatives) from SciFact, cycled to n examples."
    from mmret.data import load_beir, shared_data
    corpus, queries, qrels = load_beir(shared_data("beir_scifact"))
    text = {i: (t + " " + x).strip() for i, t, x in zip(corpus["id"], corpus["title"], corpus["text"])}
    qtext = queries
    qr = qrels.to_dict() if hasattr(qrels, "to_dict") else qrels
    items = [(qtext[q], text[next(iter(r))]) for q, r in sorted(qr.items()) if q in qtext and next(iter(r)) in text]
    negs = [items[(i + 1) % len(items)][1] for i in range(len(items))]
    out = [(q, p, n) for (q, p), n in zip(items, negs)]
    return [out[i % len(out)] for i in range(n)]


def run_mmret(a, batch, steps, chunk=None):
    import torch
    from mmret.encoders import TextTower, DualEncoder, minilm_path
    from mmret.training import ContrastiveLoss, cached_backward, relevance_mask
    torch.manual_seed(0)
    tower = TextTower.from_pretrained(minilm_path(), max_length=a.max_length)
    model = DualEncoder(tower, shared=True).train()
    loss_fn = ContrastiveLoss(0.05)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-5)
    from transformers import get_linear_schedule_with_warmup
    sched = get_linear_schedule_with_warmup(opt, 1, steps + 1)
    ex = data(batch * (steps + 1))
    t0 = None
    for s in range(steps + 1):
        if s == 1: t0 = time.perf_counter()
        b = ex[s * batch:(s + 1) * batch]
        qs, cands = [x[0] for x in b], [x[1] for x in b] + [x[2] for x in b]
        mask = relevance_mask([{i} for i in range(len(b))], [{i} for i in range(len(b))] + [{-1}] * len(b))
        if chunk: cached_backward(model.question, model.passage, qs, cands, loss_fn, chunk, mask)
        else:
            l = loss_fn(model.question(model.question.collate(qs)), model.passage(model.passage.collate(cands)), mask); l.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); sched.step(); opt.zero_grad(set_to_none=True)
    return batch * steps / (time.perf_counter() - t0)


def run_st(a, batch, steps):
    import torch
    from sentence_transformers import SentenceTransformer, losses
    from mmret.encoders import minilm_path
    torch.manual_seed(0)
    model = SentenceTransformer(str(minilm_path()), device="cpu"); model.max_seq_length = a.max_length; model.train()
    loss_fn = losses.MultipleNegativesRankingLoss(model, scale=20.0)   # scale 20 = temperature 0.05, as mmret above
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-5)
    from transformers import get_linear_schedule_with_warmup
    sched = get_linear_schedule_with_warmup(opt, 1, steps + 1)
    ex = data(batch * (steps + 1))
    t0 = None
    for s in range(steps + 1):
        if s == 1: t0 = time.perf_counter()
        b = ex[s * batch:(s + 1) * batch]
        feats = [model.tokenize([x[i] for x in b]) for i in range(3)]
        l = loss_fn(feats, None); l.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); sched.step(); opt.zero_grad(set_to_none=True)
    return batch * steps / (time.perf_counter() - t0)


def worker(a):
    if a.worker == "mmret": v = run_mmret(a, a.batch, a.steps)
    elif a.worker == "st": v = run_st(a, a.batch, a.steps)
    elif a.worker == "plain-mem": v = run_mmret(a, a.batch_mem, a.mem_steps)
    else: v = run_mmret(a, a.big, a.mem_steps, chunk=a.chunk)
    print(json.dumps(dict(ex_s=v, rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))


def sub(a, name):
    args = [sys.executable, __file__, "--worker", name] + [f"--{k.replace('_', '-')}={v}" for k, v in vars(a).items() if k != "worker"]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode: sys.exit(f"{name} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--worker", default=None)
    p.add_argument("--batch", type=int, default=32); p.add_argument("--steps", type=int, default=8)
    p.add_argument("--max-length", type=int, default=128); p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--big", type=int, default=512); p.add_argument("--chunk", type=int, default=32)
    p.add_argument("--batch-mem", type=int, default=64); p.add_argument("--mem-steps", type=int, default=2)
    p.add_argument("--skip-memory", type=int, default=0)
    a = p.parse_args()
    if a.worker: worker(a); sys.exit()
    import torch
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (shared), torch threads {torch.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.1f}; batch {a.batch}, max_length {a.max_length}, {a.steps} timed steps, 1 hard negative")
    ratios = []
    for r in range(a.rounds):
        order = ("mmret", "st") if r % 2 == 0 else ("st", "mmret")
        res = {n: sub(a, n) for n in order}
        ratios.append(res["mmret"]["ex_s"] / res["st"]["ex_s"])
        print(f"round {r}: mmret {res['mmret']['ex_s']:.1f} ex/s (peak RSS {res['mmret']['rss_mb']:.0f} MB), "
              f"sentence-transformers MNRL {res['st']['ex_s']:.1f} ex/s (peak RSS {res['st']['rss_mb']:.0f} MB), ratio {ratios[-1]:.2f}x")
    ratios.sort()
    print(f"median ratio mmret / sentence-transformers: {ratios[len(ratios)//2]:.2f}x over {a.rounds} rounds")
    if not a.skip_memory:
        plain, cached = sub(a, "plain-mem"), sub(a, "cached-mem")
        print(f"peak RSS: plain loss batch {a.batch_mem}: {plain['rss_mb']:.0f} MB; GradCache batch {a.big} (chunks of {a.chunk}): "
              f"{cached['rss_mb']:.0f} MB ({cached['rss_mb']/plain['rss_mb']:.2f}x)")
