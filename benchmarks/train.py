"""Text-only training speed of `mmret.training.fit` against sentence-transformers `MultipleNegativesRankingLoss`, and
the peak memory of the gradient-cached loss at a large batch against the plain loss at a small one.

    python benchmarks/train.py [--device cpu|cuda] [--batch 16 --steps 6 --max-length 128 --rounds 3]
                               [--big 512 --chunk 32 --batch-mem 64 --mem-max-length 128] [--skip-memory 1] [--rounds 0: memory only]

Same model (the packaged all-MiniLM-L6-v2, one shared tower), max length, batch size, data and hard negatives on both
sides: SciFact test claims (BEIR) with their first relevant abstract as positive and one hard negative each (the next
claim's abstract), drawn as batches by one `mmret.training.Examples` (seed 0), so both sides train on the very same
batches. mmret: `fit` as a user runs it (Accelerate, `ContrastiveLoss` at temperature 0.05, relevant candidates masked,
fused AdamW with weight decay 0.01, linear warm-up over 10% of the steps, clipping at 1.0, no dev set); its examples/s is the
one `fit` records for the epoch (`history["examples_per_s"]`: the step loop, not the set-up nor the checkpoint written
at the end). sentence-transformers: its loss (scale 20 = temperature 0.05) in a plain loop over the same batches with
the same optimiser (fused AdamW, the default of the transformers Trainer that sentence-transformers trains with), schedule and clipping, timed over the same span (every step, the batch draws included): no
Trainer around it, its fastest form. Each (system, round) runs in its own subprocess, so peak memory is its own:
ru_maxrss of the whole process (model, optimiser, Python) on CPU, `torch.cuda.max_memory_allocated` on a GPU. The order
of the two systems alternates between rounds. Then one optimiser step of the gradient-cached loss at batch --big
(mini-batches of --chunk) and one of the plain loss at batch --batch-mem, both through `fit`.
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timezone


def data(n):
    "(questions, positive rows, negative rows, passage texts) from SciFact, cycled to n questions."
    import csv
    from mmret.data import shared_data
    d = shared_data("beir_scifact")   # read directly: ranx's Qrels compiles numba code for half a minute per process
    text = {o["_id"]: ((o.get("title") or "") + " " + (o.get("text") or "")).strip() for o in map(json.loads, open(d/"corpus.jsonl"))}
    queries = {o["_id"]: o["text"] for o in map(json.loads, open(d/"queries.jsonl"))}
    qr = {}
    for r in csv.DictReader(open(d/"qrels"/"test.tsv"), delimiter="\t"):
        if int(r["score"]) > 0: qr.setdefault(r["query-id"], []).append(r["corpus-id"])
    items = [(queries[q], r[0]) for q, r in sorted(qr.items()) if q in queries and r[0] in text]
    docs = sorted({d for _, d in items}); row = {d: i for i, d in enumerate(docs)}
    ex = [(q, row[d], row[items[(i + 1) % len(items)][1]]) for i, (q, d) in enumerate(items)]
    ex = [ex[i % len(ex)] for i in range(n)]
    return [x[0] for x in ex], [x[1] for x in ex], [x[2] for x in ex], [text[d] for d in docs]


def examples(batch, steps):
    "One `Examples` that both systems draw their batches from: `steps` batches of `batch` questions."
    from mmret.training import Examples
    qs, pos, neg, passages = data(batch * steps)
    return Examples(qs, [[p] for p in pos], passages, [[n] for n in neg], m=1, batch_size=batch, seed=0)


def peak_mb(device):
    import torch
    if device == "cuda": return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mmret(a, batch, steps, max_length, chunk=None):
    "Examples/s of `fit` over `steps` batches (one epoch)."
    import torch
    from mmret.encoders import TextTower, DualEncoder, minilm_path
    from mmret.training import TrainConfig, fit
    torch.manual_seed(0)
    model = DualEncoder(TextTower.from_pretrained(minilm_path(), max_length=max_length), shared=True)
    ex = examples(batch, steps)
    with tempfile.TemporaryDirectory() as d:
        cfg = TrainConfig(output=d, epochs=1, batch_size=batch, chunk=chunk, hard_negatives=1, lr=2e-5, weight_decay=0.01, warmup=0.1,
                          max_grad_norm=1.0, temperature=0.05, dev_split=None, progress=False, resume=False, keep_checkpoints=1, seed=0)
        res = fit(model, ex, cfg)
        assert res.steps == steps and str(next(model.parameters()).device).startswith(a.device), (res.steps, next(model.parameters()).device)
        return res.history["examples_per_s"][0]


def run_st(a, batch, steps, max_length):
    "Examples/s of sentence-transformers' MNRL in a plain loop over the same batches."
    import torch
    from sentence_transformers import SentenceTransformer, losses
    from transformers import get_linear_schedule_with_warmup
    from mmret.encoders import minilm_path
    torch.manual_seed(0)
    model = SentenceTransformer(str(minilm_path()), device=a.device); model.max_seq_length = max_length; model.train()
    loss_fn = losses.MultipleNegativesRankingLoss(model, scale=20.0)   # scale 20 = temperature 0.05, as mmret
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-5, weight_decay=0.01, fused=True)   # the transformers Trainer's default optimiser (torch >= 2.8)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)
    ex = examples(batch, steps)
    to = lambda f: {k: v.to(a.device) if torch.is_tensor(v) else v for k, v in f.items()}
    t0, n = time.perf_counter(), 0
    for i in range(len(ex)):
        b = ex.batch(0, i); B = len(b["questions"])
        feats = [to(model.preprocess(col)) for col in (b["questions"], b["candidates"][:B], b["candidates"][B:])]
        loss = loss_fn(feats, None); loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); sched.step(); opt.zero_grad(set_to_none=True)
        float(loss); n += B     # (fit reads the loss every step too)
    return n / (time.perf_counter() - t0)


def worker(a):
    import torch
    if a.device == "cuda": assert torch.cuda.is_available(), "--device cuda: no GPU visible"; torch.cuda.reset_peak_memory_stats()
    if a.worker == "mmret": v = run_mmret(a, a.batch, a.steps, a.max_length)
    elif a.worker == "st": v = run_st(a, a.batch, a.steps, a.max_length)
    elif a.worker == "plain-mem": v = run_mmret(a, a.batch_mem, 1, a.mem_max_length)
    else: v = run_mmret(a, a.big, 1, a.mem_max_length, chunk=a.chunk)
    print(json.dumps(dict(ex_s=v, peak_mb=peak_mb(a.device), threads=torch.get_num_threads())))


def sub(a, name):
    args = [sys.executable, __file__, "--worker", name] + [f"--{k.replace('_', '-')}={v}" for k, v in vars(a).items() if k != "worker"]
    env = dict(os.environ, **({"CUDA_VISIBLE_DEVICES": ""} if a.device == "cpu" else {}))   # fit places the model on a GPU when it sees one
    t, c = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode: sys.exit(f"{name} failed:\n{r.stderr[-3000:]}")
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["cpu_s"] = c1.ru_utime + c1.ru_stime - c.ru_utime - c.ru_stime   # the whole process: loading included
    return out


def cpu_model()->str:
    try: return next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration): return platform.processor() or platform.machine()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--worker", default=None)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--batch", type=int, default=16); p.add_argument("--steps", type=int, default=6)
    p.add_argument("--max-length", type=int, default=128); p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--big", type=int, default=512); p.add_argument("--chunk", type=int, default=32)
    p.add_argument("--batch-mem", type=int, default=64); p.add_argument("--mem-max-length", type=int, default=128)
    p.add_argument("--skip-memory", type=int, default=0)
    a = p.parse_args()
    if a.worker: worker(a); sys.exit()
    import torch
    dev = torch.cuda.get_device_name(0) if a.device == "cuda" and torch.cuda.is_available() else cpu_model()
    print(f"$ python benchmarks/train.py {' '.join(sys.argv[1:])}")
    print(f"Benchmark train ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC): device {a.device} ({dev}); {platform.machine()}, "
          f"{os.cpu_count()} cores, torch threads {torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f}; "
          f"batch {a.batch}, max_length {a.max_length}, {a.steps} steps per run, 1 hard negative")
    if a.rounds:   # --rounds 0: the memory check alone
        ratios, res_all = [], []
        for r in range(a.rounds):
            order = ("mmret", "st") if r % 2 == 0 else ("st", "mmret")
            res = {n: sub(a, n) for n in order}; res_all.append(res)
            ratios.append(res["mmret"]["ex_s"] / res["st"]["ex_s"])
            print(f"round {r}: mmret fit {res['mmret']['ex_s']:.2f} ex/s (peak {res['mmret']['peak_mb']:.0f} MB), "
                  f"sentence-transformers MNRL {res['st']['ex_s']:.2f} ex/s (peak {res['st']['peak_mb']:.0f} MB), ratio {ratios[-1]:.3f}, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        med = lambda k, s: statistics.median(x[s][k] for x in res_all)
        print(f"median: mmret fit {med('ex_s', 'mmret'):.2f} ex/s, sentence-transformers MNRL {med('ex_s', 'st'):.2f} ex/s; "
              f"peak memory {med('peak_mb', 'mmret'):.0f} vs {med('peak_mb', 'st'):.0f} MB; whole-process CPU seconds (loading included) "
              f"{med('cpu_s', 'mmret'):.1f} vs {med('cpu_s', 'st'):.1f}")
        print(f"ratio examples/s mmret / sentence-transformers, round by round: median {statistics.median(ratios):.3f}, "
              f"spread {min(ratios):.3f}..{max(ratios):.3f} over {a.rounds} rounds")
    if not a.skip_memory:
        plain, cached = sub(a, "plain-mem"), sub(a, "cached-mem")
        what = "GPU max_memory_allocated" if a.device == "cuda" else "peak RSS"
        print(f"{what}, max_length {a.mem_max_length}, one step through fit: plain loss batch {a.batch_mem}: {plain['peak_mb']:.0f} MB; "
              f"gradient-cached batch {a.big} (chunks of {a.chunk}): {cached['peak_mb']:.0f} MB ({cached['peak_mb'] / plain['peak_mb']:.2f}x)")
