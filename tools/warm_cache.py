"""Fill the shared encoding cache (mmret.data.cache_dir) before the notebooks run, so that no two notebooks
encode the same texts at the same time: all-MiniLM-L6-v2 over SciFact, every pooling variant of the pooling
notebook in one forward pass (its mean/last-layer entry is the one the search and evaluation notebooks read),
and the sentence-transformers reference embeddings. A second run finds everything cached and takes seconds.
Skips quietly when ../shared/data is absent."""
import time
from mmret.data import load_beir, shared_data

t0 = time.time()
try: folder = shared_data("beir_scifact")
except FileNotFoundError as e: print(f"warm_cache: skipped ({e})"); raise SystemExit(0)
from mmret.encoders import TextEncoder, minilm_path, beir_doc_texts, st_encode_cached
from mmret.pooling import pooling_grid

corpus, queries, _ = load_beir(folder)
docs, qtexts = beir_doc_texts(corpus), list(queries.values())
enc = TextEncoder.from_pretrained(minilm_path(), max_length=256)
for texts in (qtexts, docs):
    enc.encode_variants_cached(texts, pooling_grid(), batch_size=64)
    enc.encode_cached(texts, progress=False)  # must be a cache hit: the mean/last-layer variant
    st_encode_cached(enc, texts)
print(f"warm_cache: SciFact MiniLM variants and sentence-transformers reference ready in {time.time() - t0:.0f} s")
