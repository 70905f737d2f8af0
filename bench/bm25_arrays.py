"""BM25 for a synthetic archive of any size, built with array operations into bm25s's own layout.

``bm25s.BM25.index`` counts terms in Python, one document at a time: fine for the shipped
corpus, minutes and gigabytes of Python objects for a million chunks. A synthetic chunk is a
handful of pool sentences, so its term counts are the sum of those sentences' counts; this
module adds them with sparse matrices and scores them with the same formula bm25s uses (method
and idf "lucene", k1 = 1.5, b = 0.75). The result is loaded into a real ``bm25s.BM25`` object,
so the benchmark searches with exactly the code the assistant searches with
(``get_scores``); tests/test_bench.py checks the scores against ``bm25s.BM25.index``.
"""
from __future__ import annotations

import numpy as np

from assistant.lexical import words

K1, B = 1.5, 0.75


def pool_counts(sentences: tuple[str, ...]) -> tuple[dict[str, int], object, np.ndarray]:
    """Vocabulary, sentence × term count matrix (CSR) and token count of each pool sentence."""
    import scipy.sparse as sp

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, sentence in enumerate(sentences):
        for word in words(sentence):
            rows.append(i)
            cols.append(vocab.setdefault(word, len(vocab)))
    counts = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                           shape=(len(sentences), len(vocab)), dtype=np.float32)
    counts.sum_duplicates()
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    return vocab, counts, lengths


def build_bm25(chunk_sentences: np.ndarray, sentences: tuple[str, ...], block: int = 100_000):
    """A ``bm25s.BM25`` over chunks given as rows of pool-sentence ids (−1 = no sentence).

    Args:
        chunk_sentences: (chunks, slots) int array, as in ``SyntheticArchive.chunk_sentences``.
        sentences: The pool the ids refer to.
        block: Chunks combined at a time (bounds the temporary memory).
    """
    import bm25s
    import scipy.sparse as sp

    vocab, counts, lengths = pool_counts(sentences)
    n = len(chunk_sentences)
    blocks = []
    for first in range(0, n, block):
        ids = chunk_sentences[first:first + block]
        rows = np.repeat(np.arange(len(ids)), ids.shape[1])
        taken = ids.ravel() >= 0
        # chunk × sentence selection matrix, times sentence × term counts: chunk term counts.
        select = sp.csr_matrix((np.ones(int(taken.sum()), np.float32),
                                (rows[taken], ids.ravel()[taken])),
                               shape=(len(ids), len(sentences)), dtype=np.float32)
        blocks.append((select @ counts).tocsr())
    tf = sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    del blocks
    doc_len = np.where(chunk_sentences >= 0, lengths[np.maximum(chunk_sentences, 0)], 0).sum(axis=1)
    tf = tf.tocsc()
    tf.sort_indices()
    df = np.diff(tf.indptr)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    term_of_entry = np.repeat(np.arange(len(vocab)), df)
    norm = (K1 * ((1 - B) + B * doc_len / doc_len.mean())).astype(np.float32)
    data = tf.data.astype(np.float32)
    scores = idf[term_of_entry] * (data / (norm[tf.indices] + data))
    model = bm25s.BM25(k1=K1, b=B, method="lucene", idf_method="lucene")
    model.scores = {"data": scores.astype(np.float32), "indices": tf.indices.astype(np.int32),
                    "indptr": tf.indptr.astype(np.int32), "num_docs": n}
    model.vocab_dict = vocab
    model.nonoccurrence_array = None  # what BM25.index sets for the lucene method
    return model


def top_k(scores: np.ndarray, k: int) -> list[int]:
    """Ids of the ``k`` best positive scores, best first, ties by smaller id (as retrieve.py).

    Selects with ``argpartition`` (linear) instead of sorting every matching chunk.
    """
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        kth = np.partition(scores[positive], len(positive) - k)[len(positive) - k]
        positive = positive[scores[positive] >= kth]
    order = np.lexsort((positive, -scores[positive]))
    return [int(i) for i in positive[order][:k]]
