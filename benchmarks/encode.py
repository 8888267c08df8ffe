"""Speed of mmret's towers against the plain peers, in one run, several rounds.

Text: `TextTower.encode` vs sentence-transformers' `encode`: same model (packaged all-MiniLM-L6-v2), batch size,
max length (256) and texts (the first N SciFact abstracts as `(title + " " + text).strip()`).

Images: `ImageTower.encode` (files decoded lazily in a DataLoader) vs a plain loop over `CLIPVisionModel` and its
`CLIPImageProcessor` (open each file, `.convert("RGB")`, process the batch, forward, normalise `pooler_output`): the same
checkpoint (a randomly initialised CLIP vision model of the size given below, saved with `save_pretrained`, so no
download), batch size and image files (the 11 photos of `entity_images_sample`, cycled to N).

Each side runs in its own child process (so peak RSS is its own: model, data and encoding), the peer first; inside it,
after a warm-up batch, the same encoding is timed `--rounds` times. Prints the median items/s of each side, the ratio
mmret / peer of round r against round r (median and spread min..max), CPU-ms per item, peak RSS, the largest
embedding difference, and the load average (the machine may be shared: read ratios under load as rough).

    python benchmarks/encode.py [--what text,images] [--n 512] [--n-images 128] [--batch-size 32] [--rounds 3]
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, tempfile, time
from datetime import date

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


def child(side, a, out):
    import numpy as np, torch
    bs = a.batch_size
    if side in ("mmret-text", "sentence-transformers"):
        from mmret.encoders import TextTower, minilm_path
        items = _texts(a.n)
        if side == "mmret-text":
            enc = TextTower.from_pretrained(minilm_path(), pooling="mean", normalize=True, max_length=256)
            f = lambda x: enc.encode(x, batch_size=bs, progress=False)
        else:
            from sentence_transformers import SentenceTransformer
            st = SentenceTransformer(str(minilm_path()), device="cpu")
            assert st.max_seq_length == 256
            f = lambda x: st.encode(x, batch_size=bs, show_progress_bar=False, convert_to_numpy=True)
    else:
        items = _images(a.n_images)
        if side == "mmret-images":
            from mmret.encoders import ImageTower
            enc = ImageTower.from_pretrained(a.checkpoint)
            f = lambda x: enc.encode(x, batch_size=bs, progress=False)
        else:
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
    f(items[:bs])  # warm-up
    rounds = []
    for r in range(a.rounds):
        t, c = time.perf_counter(), time.process_time()
        X = f(items)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        rounds.append(dict(per_s=len(items) / wall, cpu_ms=1000 * cpu / len(items), load=os.getloadavg()[0]))
    np.save(out + ".npy", np.asarray(X, dtype=np.float32))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    json.dump(dict(side=side, rounds=rounds, peak_rss_mib=rss, threads=torch.get_num_threads()), open(out, "w"))


def make_checkpoint(folder):
    import torch
    from transformers import CLIPVisionConfig, CLIPVisionModel, CLIPImageProcessor
    torch.manual_seed(0)
    CLIPVisionModel(CLIPVisionConfig(**IMAGE_CONFIG)).save_pretrained(folder)
    CLIPImageProcessor().save_pretrained(folder)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--what", default="text,images")
    ap.add_argument("--n", type=int, default=512, help="SciFact abstracts")
    ap.add_argument("--n-images", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", default=None)
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.child: return child(a.child, a, a.out)
    import numpy as np
    pairs = {"text": ("mmret-text", "sentence-transformers"), "images": ("mmret-images", "loop-images")}
    labels = {"mmret-text": "mmret TextTower", "sentence-transformers": "sentence-transformers", "mmret-images": "mmret ImageTower",
              "loop-images": "plain CLIPVisionModel loop"}
    load0 = os.getloadavg()
    print(f"Benchmark encode ({date.today()}): batch {a.batch_size}, rounds {a.rounds}; machine {platform.machine()}, cpu_count={os.cpu_count()}, "
          f"load avg before {load0[0]:.1f} (1 min) {load0[1]:.1f} (5 min)")
    with tempfile.TemporaryDirectory() as d:
        ckpt = os.path.join(d, "clip-vision")
        for what in a.what.split(","):
            ours, peer = pairs[what]
            if what == "images": make_checkpoint(ckpt)
            res = {}
            for s in (peer, ours):   # one process per side (its own peak RSS); the timed rounds run inside it
                out = os.path.join(d, f"{s}.json")
                subprocess.run([sys.executable, __file__, "--child", s, "--n", str(a.n), "--n-images", str(a.n_images), "--batch-size",
                                str(a.batch_size), "--rounds", str(a.rounds), "--checkpoint", ckpt, "--out", out], check=True)
                res[s] = json.load(open(out))
            X = {s: np.load(os.path.join(d, f"{s}.json.npy")) for s in res}
            diff = float(np.abs(X[ours] - X[peer]).max())
            ratios = [o["per_s"] / p["per_s"] for o, p in zip(res[ours]["rounds"], res[peer]["rounds"])]
            unit = "docs" if what == "text" else "images"
            desc = (f"{a.n} SciFact abstracts, all-MiniLM-L6-v2, max_length 256" if what == "text" else
                    f"{a.n_images} image files (entity_images_sample, cycled), CLIP vision {IMAGE_CONFIG}, CLIPImageProcessor")
            print(f"{what}: {desc}")
            for s, v in res.items():
                rs = v["rounds"]
                print(f"  {labels[s]:28s} median {statistics.median(x['per_s'] for x in rs):7.2f} {unit}/s  {statistics.median(x['cpu_ms'] for x in rs):7.1f} CPU-ms/item  "
                      f"peak RSS {v['peak_rss_mib']:6.0f} MiB  (rounds: {[round(x['per_s'], 2) for x in rs]}, load {[round(x['load'], 1) for x in rs]})")
            print(f"  ratio {unit}/s mmret / peer, round by round: median {statistics.median(ratios):.3f}, spread {min(ratios):.3f}..{max(ratios):.3f} over {len(ratios)} rounds")
            print(f"  max |embedding difference| = {diff:.2e}")
    load1 = os.getloadavg()
    print(f"load avg after {load1[0]:.1f} (1 min) {load1[1]:.1f} (5 min); torch threads per process = {res[ours]['threads']}")


if __name__ == "__main__": main()
