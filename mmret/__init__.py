"""Multimodal passage retrieval for knowledge-based visual question answering about named entities"""

__version__ = "0.0.1"
