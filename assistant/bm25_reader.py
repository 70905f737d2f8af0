"""Read-only BM25 over the arrays bm25s saves: scoring with NumPy alone, quick to load.

bm25s builds and saves the index (``index/bm25/``). Answering only needs its precomputed scores
(a term × chunk sparse matrix in CSC layout), but loading them with ``bm25s.BM25.load`` imports
scipy: 0.3–0.6 s of every cold start. This reader loads the same files with NumPy alone and
sums postings as bm25s does (``np.add.at``, the fastest of the ways measured for a million
chunks); the scores are bm25s's own, bit for bit (tests/test_bm25_reader.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# bm25s methods whose score of a chunk is the sum of its postings (no non-occurrence term).
SUMMED_METHODS = ("lucene", "robertson", "atire")


class BM25Reader:
    """The part of ``bm25s.BM25`` retrieval uses: ``vocab_dict`` and ``get_scores``."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 vocab_dict: dict[str, int], num_docs: int) -> None:
        self.data = data
        self.indices = indices
        self.indptr = indptr
        self.vocab_dict = vocab_dict
        self.num_docs = num_docs

    @classmethod
    def load(cls, folder: Path):
        """Load ``folder`` as bm25s saved it; a method this reader cannot score loads with bm25s."""
        folder = Path(folder)
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in SUMMED_METHODS:
            import bm25s

            return bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        arrays = [np.load(folder / f"{name}.csc.index.npy", allow_pickle=False)
                  for name in ("data", "indices", "indptr")]
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        return cls(*arrays, vocab, int(params["num_docs"]))

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for ``tokens`` (a repeated token counts again, as in bm25s).

        Raises:
            KeyError: for a token outside the vocabulary (callers filter with ``vocab_dict``).
        """
        scores = np.zeros(self.num_docs, dtype=np.float32)
        spans = [(self.indptr[i], self.indptr[i + 1]) for i in (self.vocab_dict[t] for t in tokens)]
        if spans:
            # bm25s's own sum, in the same order and precision: the same scores, bit for bit.
            np.add.at(scores, np.concatenate([self.indices[a:b] for a, b in spans]),
                      np.concatenate([self.data[a:b] for a, b in spans]))
        return scores
