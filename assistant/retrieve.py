"""Dense (FAISS) and lexical (BM25) retrieval over chunks, fused by weighted reciprocal rank fusion."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .index import Index
from .lexical import words
from .records import Hit, Query


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60,
                           weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = Σ weight / (k + rank), rank starting at 1.

    Ties are broken by the smaller id, so the order is deterministic.

    Returns:
        (id, score) pairs, best first.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=False):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    """Searches one loaded index with a query vector and the query's words."""

    def __init__(self, index: Index, rrf_k: int = 60) -> None:
        self.index = index
        self.rrf_k = rrf_k
        self._vocab = set(getattr(index.bm25, "vocab_dict", {}) or {})
        self._chunks_of: dict[str, list[int]] = {}
        for chunk in index.chunks:
            self._chunks_of.setdefault(chunk.doc_id, []).append(chunk.id)

    def dense_ranking(self, vector: np.ndarray, k: int) -> tuple[list[int], dict[int, float]]:
        """Chunk ids by inner product with the (normalised) query vector, best first."""
        k = min(k, len(self.index.chunks))
        scores, ids = self.index.dense.search(vector.reshape(1, -1).astype(np.float32), k)
        pairs = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=False) if i >= 0]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return [i for i, _ in pairs], dict(pairs)

    def lexical_ranking(self, text: str, k: int) -> list[int]:
        """Chunk ids by BM25 score of the query's words, best first; chunks scoring 0 are left out."""
        tokens = [t for t in words(text) if t in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self.index.bm25.get_scores(tokens))
        order = sorted((i for i in np.flatnonzero(scores > 0)), key=lambda i: (-scores[i], i))
        return [int(i) for i in order[:k]]

    def search(self, query: Query, vector: np.ndarray, k: int,
               allowed: set[str] | None = None) -> list[Hit]:
        """Fuse the dense, lexical and (if any) preferred-document rankings.

        Documents the question points to (``query.prefer``) add rankings of their own: their
        chunks in dense order, weighted by how strongly they are preferred. With ``allowed``,
        only chunks of those documents are returned.
        """
        dense, dense_scores = self.dense_ranking(vector, max(k, len(self.index.chunks)))
        lexical = self.lexical_ranking(query.search_text, len(self.index.chunks))
        if allowed is not None:
            dense = [c for c in dense if self.index.chunks[c].doc_id in allowed]
            lexical = [c for c in lexical if self.index.chunks[c].doc_id in allowed]
        lexical = lexical[:k]
        rankings, weights = [dense[:k], lexical], [1.0, 1.0]
        if query.prefer:
            # One extra ranking per preference weight: the chunks of those documents in dense order.
            weight_of = dict(query.prefer)
            for weight in sorted(set(weight_of.values()), reverse=True):
                rankings.append([c for c in dense
                                 if weight_of.get(self.index.chunks[c].doc_id) == weight][:k])
                weights.append(weight)
        dense_rank = {c: r for r, c in enumerate(dense, start=1)}
        lexical_rank = {c: r for r, c in enumerate(lexical, start=1)}
        fused = reciprocal_rank_fusion(rankings, self.rrf_k, weights)
        return [Hit(c, s, dense_rank.get(c), lexical_rank.get(c)) for c, s in fused[:k]]
