"""Multimodal passage retrieval for knowledge-based visual question answering about named entities

Modules:

- `mmret.relevant`: Ground truth from answers: answer normalisation, alias-aware matching on word boundaries, relevant passages from the provenance article and from any run, hard negatives that provably contain no answer or alias, qrels as `ranx.Qrels`."""

__version__ = "0.0.1"
