"""Multimodal passage retrieval for knowledge-based visual question answering about named entities

Modules:

- `mmret.bm25`: A server-free sparse BM25 index: index, search → `ranx.Run`, tune k1/b without re-indexing, TF-IDF on the same index; bm25s's tokens or Anserini's (Lucene's English analyser).
- `mmret.cli`: The `mmret` command: `mmret run CONFIG`, `mmret demo` and `mmret toy OUT` (and `mmret train CONFIG` where `mmret.training` exists); it only parses arguments and calls functions a notebook can call.
- `mmret.data`: The ViQuAE (KILT-style) schema, passages, images, and loaders for BEIR / TREC / SMART collections.
- `mmret.distributed`: Ray: encode a KB (text, image or multimodal) over an actor pool (resumable shards, checksums, killed workers survived), IVF indexes filled shard by shard with their lists on disk, and a whole split searched over workers.
- `mmret.encoders`: Towers of `torch.nn.Module`s (backbone → `Pooling` → optional `Projection` → `Normalize`) for texts, images and text ⊕ image, a question/passage `DualEncoder`, batched inference with fingerprints that follow the weights, and an on-disk embedding cache shared by every notebook.
- `mmret.evaluation`: ranx metrics on aligned runs (a query a system missed scores 0), comparison tables with Fisher's randomization test and superscript letters (Markdown and LaTeX), query splits, and plots of metric@k. Fusion of runs lives in `mmret.fusion` (08b).
- `mmret.fusion`: Score normalisation and fusion of runs: per-query min-max and z-score (ranx's `min-max` and `zmuv`), a global z-score fitted on the tuning split, weighted sums and RRF, with the normalisation and the weights chosen on the tuning (dev) split only and recorded in the fitted object.
- `mmret.pipeline`: `run_pipeline(config)`: every stage from a ViQuAE-style folder to test runs, a report with significance letters, plots and an HTML results viewer, each stage cached by its settings and inputs; `mmret run` and `mmret demo` call it.
- `mmret.pooling`: `pool_hidden_states`: one vector per text (or image) from a transformer's token states — first token, EOS token, masked mean or masked max, over one layer or several layers combined.
- `mmret.relevant`: Ground truth from answers: answer normalisation, alias-aware matching on word boundaries, relevant passages from the provenance article and from any run, hard negatives that provably contain no answer or alias, qrels as `ranx.Qrels`.
- `mmret.search`: Encode a KB into row-aligned, memory-mapped embeddings (resumable), build FAISS indexes that remember which KB they were built on, search into `ranx.Run`s, and expand article hits to passages.
- `mmret.tokenization`: What the encoder actually sees: unknown tokens, how entity names fragment into word pieces, padding / truncation / attention masks; and which modules of a model share weights (input/output tying, encoder/decoder sharing, dual-encoder towers, CLIP text vs vision).
- `mmret.toy`: A deterministic, synthetic ViQuAE-like dataset: entities, articles, images, and questions whose entity only the image names.
- `mmret.training`: Dual-encoder contrastive training: InfoNCE with in-batch and hard negatives (relevant candidates masked, never pushed away), a gradient-cached loss for large batches, image augmentation on the training side only, and a loop on Accelerate with dev MRR@10, early stopping, atomic checkpoints and exact resume. `mmret train CONFIG` calls `train`."""

__version__ = "0.0.1"
