"""Speed of mmret's towers against the plain peers, in one run, several interleaved rounds.

Text: `TextTower.encode` vs sentence-transformers' `encode`: same model (packaged all-MiniLM-L6-v2), batch size,
max length (256) and texts (the first N SciFact abstracts as `(title + " " + text).strip()`).

Images: `ImageTower.encode` (files decoded lazily in a DataLoader) vs a plain loop over `CLIPVisionModel` and its
`CLIPImageProcessor` (open each file, `.convert("RGB")`, process the batch, forward, normalise `pooler_output`): the same
checkpoint (a randomly initialised CLIP vision model of the size given below, saved with `save_pretrained`, so no
download), batch size and image files (the 11 photos of `entity_images_sample`, cycled to N).

Each side lives in its own child process (so its peak RSS is its own: model, data and encoding). Both children load
and warm up, then the parent asks them in turn to encode everything once, round after round (peer then mmret in even
rounds, mmret then peer in odd ones): the two sides of a round run back to back, never at the same time, so a ratio
taken round by round compares the two under the same machine load. Prints the median items/s of each side, the ratio
mmret / peer round by round (median and spread min..max), CPU-ms per item (all threads of the process and of any
DataLoader workers: the steadier measure on a shared machine), peak RSS, the largest embedding difference, and the
load average.

Text, compiled (`--what text-compiled`): the same, with mmret's backbone compiled by torch's own `Module.compile(dynamic=True)`
(weights and state_dict unchanged; the compilation, with an empty inductor cache, and one untimed pass over the texts
happen before the rounds, and their time is printed): worth it when the texts are many (a KB), not for a few hundred.

    python benchmarks/encode.py [--what text,text-compiled,images] [--n 512] [--n-images 128] [--batch-size 32] [--rounds 5]
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timezone

IMAGE_CONFIG = dict(hidden_size=384, intermediate_size=1536, num_hidden_layers=6, num_attention_heads=6, image_size=224, patch_size=32)


def _texts(n):
    from mmret.data import load_beir, shared_data
    from mmret.encoders import beir_doc_texts
    corpus, _, _ = load_beir(shared_data("beir_scifact"))
    return beir_doc_texts(corpus.select(range(n)))


def _images(n):
    from mmret.data import shared_data
    files = sorted(str(p) for p in (shared_data("entity_images_sample")/"images").iterdir())
    return [files[i % len(files)] for i in range(n)]


def _encoder(side, a):
    "(items, encode function) of one side."
    import numpy as np, torch
    bs = a.batch_size
    if side in ("mmret-text", "mmret-text-compiled", "sentence-transformers"):
        from mmret.encoders import TextTower, minilm_path
        items = _texts(a.n)
        if side.startswith("mmret-text"):
            enc = TextTower.from_pretrained(minilm_path(), pooling="mean", normalize=True, max_length=256)
            if side == "mmret-text-compiled":   # torch's Module.compile: weights and state_dict unchanged; a cold compiler cache
                os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", tempfile.mkdtemp(prefix="inductor-"))
                enc.backbone.compile(dynamic=True)
            return items, lambda x: enc.encode(x, batch_size=bs, progress=False)
        from sentence_transformers import SentenceTransformer
        st = SentenceTransformer(str(minilm_path()), device="cpu")
        assert st.max_seq_length == 256
        return items, lambda x: st.encode(x, batch_size=bs, show_progress_bar=False, convert_to_numpy=True)
    items = _images(a.n_images)
    if side == "mmret-images":
        from mmret.encoders import ImageTower
        enc = ImageTower.from_pretrained(a.checkpoint, num_workers=a.image_workers)
        return items, lambda x: enc.encode(x, batch_size=bs, progress=False)
    from PIL import Image
    from transformers import CLIPVisionModel, CLIPImageProcessor
    model, proc = CLIPVisionModel.from_pretrained(a.checkpoint).eval(), CLIPImageProcessor.from_pretrained(a.checkpoint)
    def f(x):
        res = []
        with torch.inference_mode():
            for s in range(0, len(x), bs):
                imgs = [Image.open(p).convert("RGB") for p in x[s:s + bs]]
                pv = proc(images=imgs, return_tensors="pt")["pixel_values"]
                res.append(torch.nn.functional.normalize(model(pixel_values=pv).pooler_output, dim=-1).numpy())
        return np.concatenate(res)
    return items, f


def _cpu()->float: # CPU seconds of this process (all threads) and of its finished children (DataLoader workers)
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def child(side, a):
    "Load, warm up, then encode everything once per 'run' line read on stdin; answer one JSON line per request."
    import numpy as np, torch
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)   # anything a library prints goes to stderr; stdout carries the protocol only
    items, f = _encoder(side, a)
    t = time.perf_counter()
    f(items if side == "mmret-text-compiled" else items[:a.batch_size])  # warm-up (compiled: every batch shape once, compilation included)
    proto.write(json.dumps(dict(ready=True, warmup_s=time.perf_counter() - t)) + "\n")
    X = None
    for line in sys.stdin:
        if line.strip() != "run": break
        t, c = time.perf_counter(), _cpu()
        X = f(items)
        wall, cpu = time.perf_counter() - t, _cpu() - c
        proto.write(json.dumps(dict(per_s=len(items) / wall, cpu_ms=1000 * cpu / len(items), load=os.getloadavg()[0])) + "\n")
    np.save(a.out, np.asarray(X, dtype=np.float32))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    proto.write(json.dumps(dict(peak_rss_mib=rss, threads=torch.get_num_threads())) + "\n")


def make_checkpoint(folder):
    import torch
    from transformers import CLIPVisionConfig, CLIPVisionModel, CLIPImageProcessor
    torch.manual_seed(0)
    CLIPVisionModel(CLIPVisionConfig(**IMAGE_CONFIG)).save_pretrained(folder)
    CLIPImageProcessor().save_pretrained(folder)


class Side:
    "A child process encoding on request."
    def __init__(self, side, a, ckpt, out):
        args = [sys.executable, __file__, "--child", side, "--n", str(a.n), "--n-images", str(a.n_images), "--batch-size", str(a.batch_size),
                "--image-workers", str(a.image_workers), "--checkpoint", ckpt, "--out", out]
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.side, self.out, self.rounds = side, out, []
    def read(self):
        line = self.p.stdout.readline()
        if not line: raise RuntimeError(f"{self.side} exited with code {self.p.wait()} (its stderr is above)")
        return json.loads(line)
    def run(self):
        self.p.stdin.write("run\n"); self.p.stdin.flush(); self.rounds.append(self.read())
    def finish(self):
        self.p.stdin.write("done\n"); self.p.stdin.flush(); self.final = self.read(); self.p.wait()


def cpu_model()->str:
    try: return next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration): return platform.processor() or platform.machine()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--what", default="text,images")
    ap.add_argument("--n", type=int, default=512, help="SciFact abstracts")
    ap.add_argument("--n-images", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--image-workers", type=int, default=0, help="DataLoader workers of the mmret ImageTower")
    ap.add_argument("--child", default=None)
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.child: return child(a.child, a)
    import numpy as np
    pairs = {"text": ("mmret-text", "sentence-transformers"), "text-compiled": ("mmret-text-compiled", "sentence-transformers"),
             "images": ("mmret-images", "loop-images")}
    labels = {"mmret-text": "mmret TextTower", "mmret-text-compiled": "mmret TextTower, compiled", "sentence-transformers": "sentence-transformers", "mmret-images": "mmret ImageTower",
              "loop-images": "plain CLIPVisionModel loop"}
    load0 = os.getloadavg()
    print(f"$ python benchmarks/{os.path.basename(__file__)} {' '.join(sys.argv[1:])}")
    print(f"Benchmark encode ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC): batch {a.batch_size}, {a.rounds} interleaved rounds; "
          f"{cpu_model()}, {platform.machine()}, cpu_count={os.cpu_count()}; load avg before {load0[0]:.1f} (1 min) {load0[1]:.1f} (5 min)")
    with tempfile.TemporaryDirectory() as d:
        ckpt = os.path.join(d, "clip-vision")
        for what in a.what.split(","):
            ours, peer = pairs[what]
            if what == "images": make_checkpoint(ckpt)
            sides = {s: Side(s, a, ckpt, os.path.join(d, f"{s}.npy")) for s in (peer, ours)}
            warm = {s: v.read()["warmup_s"] for s, v in sides.items()}   # both loaded and warmed up
            for r in range(a.rounds):
                for s in ((peer, ours) if r % 2 == 0 else (ours, peer)): sides[s].run()
            for s in sides.values(): s.finish()
            X = {s: np.load(v.out) for s, v in sides.items()}
            diff = float(np.abs(X[ours] - X[peer]).max())
            ratios = [o["per_s"] / p["per_s"] for o, p in zip(sides[ours].rounds, sides[peer].rounds)]
            cpu_ratios = [p["cpu_ms"] / o["cpu_ms"] for o, p in zip(sides[ours].rounds, sides[peer].rounds)]
            unit = "images" if what == "images" else "docs"
            desc = (f"{a.n} SciFact abstracts, all-MiniLM-L6-v2, max_length 256" if what == "text" else
                    f"{a.n} SciFact abstracts, all-MiniLM-L6-v2, max_length 256; mmret's backbone compiled with torch's "
                    f"`Module.compile(dynamic=True)`: compilation (empty compiler cache) and a first pass over the texts took {warm[ours]:.0f} s "
                    f"before the timed rounds (the peer's warm-up batch {warm[peer]:.1f} s)" if what == "text-compiled" else
                    f"{a.n_images} image files (entity_images_sample, cycled), CLIP vision {IMAGE_CONFIG}, CLIPImageProcessor"
                    f"{f', mmret with {a.image_workers} DataLoader workers' if a.image_workers else ''}")
            print(f"{what}: {desc}")
            for s, v in sides.items():
                rs = v.rounds
                print(f"  {labels[s]:28s} median {statistics.median(x['per_s'] for x in rs):7.2f} {unit}/s  {statistics.median(x['cpu_ms'] for x in rs):7.1f} CPU-ms/item  "
                      f"peak RSS {v.final['peak_rss_mib']:6.0f} MiB  (rounds: {[round(x['per_s'], 2) for x in rs]}, load {[round(x['load'], 1) for x in rs]})")
            print(f"  ratio {unit}/s mmret / peer, round by round: median {statistics.median(ratios):.3f}, spread {min(ratios):.3f}..{max(ratios):.3f} over {len(ratios)} rounds")
            print(f"  ratio CPU-ms/item peer / mmret, round by round: median {statistics.median(cpu_ratios):.3f}, spread {min(cpu_ratios):.3f}..{max(cpu_ratios):.3f}")
            print(f"  max |embedding difference| = {diff:.2e}")
    load1 = os.getloadavg()
    print(f"load avg after {load1[0]:.1f} (1 min) {load1[1]:.1f} (5 min); torch threads per process = {sides[ours].final['threads']}")


if __name__ == "__main__": main()
