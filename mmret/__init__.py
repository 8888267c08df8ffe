"""Multimodal passage retrieval for knowledge-based visual question answering about named entities

Modules:

- `mmret.cli`: The `mmret` command: `mmret run CONFIG`, `mmret demo` and `mmret toy OUT` (and `mmret train CONFIG` where `mmret.training` exists); it only parses arguments and calls functions a notebook can call.
- `mmret.pipeline`: `run_pipeline(config)`: every stage from a ViQuAE-style folder to test runs, a report with significance letters, plots and an HTML results viewer, each stage cached by its settings and inputs; `mmret run` and `mmret demo` call it.
- `mmret.relevant`: Ground truth from answers: answer normalisation, alias-aware matching on word boundaries, relevant passages from the provenance article and from any run, hard negatives that provably contain no answer or alias, qrels as `ranx.Qrels`.
- `mmret.training`: Dual-encoder contrastive training: InfoNCE with in-batch and hard negatives (relevant candidates masked, never pushed away), a gradient-cached loss for large batches, image augmentation on the training side only, and a loop on Accelerate with dev MRR@10, early stopping, atomic checkpoints and exact resume. `mmret train CONFIG` calls `train`."""

__version__ = "0.0.1"
