"""Tests for assistant/retrieve.py: fusion by hand, FAISS against NumPy, BM25 by hand count."""
from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.lexical import words
from assistant.records import Query
from assistant.retrieve import Retriever, reciprocal_rank_fusion


def test_rrf_scores_are_the_sum_of_reciprocal_ranks():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert [item for item, _ in fused] == [1, 3, 2]
    scores = dict(fused)
    assert scores[1] == pytest.approx(1 / 61 + 1 / 62, abs=1e-15)
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61, abs=1e-15)
    assert scores[2] == pytest.approx(1 / 62, abs=1e-15)


def test_rrf_ties_go_to_the_smaller_id():
    assert reciprocal_rank_fusion([[9, 4], [4, 9]], k=60) == [(4, 1 / 61 + 1 / 62),
                                                              (9, 1 / 62 + 1 / 61)]
    assert [i for i, _ in reciprocal_rank_fusion([[7], [3], [5]], k=1)] == [3, 5, 7]


def test_rrf_weights_and_k():
    fused = reciprocal_rank_fusion([[1, 2], [2]], k=10, weights=[3.0, 1.0])
    assert fused == [(2, 3.0 / 12 + 1.0 / 11), (1, 3.0 / 11)]
    # Unweighted, 1 and 2 would tie and 1 would win; a weight on the second ranking flips it.
    assert reciprocal_rank_fusion([[1], [2]], k=60) == [(1, 1 / 61), (2, 1 / 61)]
    assert reciprocal_rank_fusion([[1], [2]], k=60, weights=[1.0, 2.0]) == [(2, 2 / 61),
                                                                          (1, 1 / 61)]
    assert reciprocal_rank_fusion([[1, 2], [2, 1]], k=0, weights=[1.0, 0.5]) == [
        (1, 1.0 + 0.25), (2, 0.5 + 0.5)]
    assert reciprocal_rank_fusion([], k=60) == []


def test_dense_ranking_equals_brute_force_numpy(tiny_index, fake_embedder):
    retriever = Retriever(tiny_index)
    vectors = fake_embedder.encode([c.text for c in tiny_index.chunks])
    for question in ["unconditional surrender of the Kuomintang", "note from Nanjing",
                     "the delegation should wait", "pseudonym"]:
        query_vector = fake_embedder.encode([question])[0]
        expected_scores = vectors @ query_vector
        expected = sorted(range(len(vectors)), key=lambda i: (-float(expected_scores[i]), i))
        ranking, scores = retriever.dense_ranking(query_vector, k=len(vectors))
        assert ranking == expected, question
        for chunk_id, score in scores.items():
            assert score == pytest.approx(float(expected_scores[chunk_id]), abs=1e-5)


def test_dense_ranking_k_is_capped_by_the_number_of_chunks(tiny_index, fake_embedder):
    ranking, _ = Retriever(tiny_index).dense_ranking(fake_embedder.encode(["x"])[0], k=1000)
    assert sorted(ranking) == list(range(len(tiny_index.chunks)))


def _hand_bm25(documents: list[list[str]], query: list[str], k1=1.5, b=0.75) -> list[float]:
    """BM25 (Lucene variant, as bm25s computes it by default) counted by hand."""
    n = len(documents)
    avgdl = sum(len(d) for d in documents) / n
    scores = []
    for doc in documents:
        score = 0.0
        for term in set(query):
            df = sum(term in d for d in documents)
            tf = doc.count(term)
            if not df or not tf:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(score)
    return scores


def test_bm25_agrees_with_a_hand_count(tiny_index):
    chunk_words = [words(c.text) or [""] for c in tiny_index.chunks]
    for question in ["surrender", "Stalin telegram", "Kuomintang surrender delegation spring"]:
        query = words(question)
        got = np.asarray(tiny_index.bm25.get_scores(query), dtype=float)
        assert got == pytest.approx(_hand_bm25(chunk_words, query), rel=1e-5), question


def test_word_only_one_chunk_contains_ranks_that_chunk_alone(tiny_index):
    retriever = Retriever(tiny_index)
    by_doc = {c.doc_id: c.id for c in tiny_index.chunks}  # one chunk per tiny document
    assert retriever.lexical_ranking("Where was Peiping?", k=10) == [by_doc["tiny-2"]]
    assert retriever.lexical_ranking("pseudonym", k=10) == [by_doc["tiny-notes"]]
    assert retriever.lexical_ranking("spring delegation", k=10) == [by_doc["tiny-3"]]
    # A word in two chunks: the shorter chunk (tiny-3) ranks above the longer one (tiny-2).
    assert retriever.lexical_ranking("surrender", k=10) == [by_doc["tiny-3"], by_doc["tiny-2"]]
    assert retriever.lexical_ranking("surrender", k=1) == [by_doc["tiny-3"]]
    # Words absent from the index, or only stopwords: nothing.
    assert retriever.lexical_ranking("Olympics", k=10) == []
    assert retriever.lexical_ranking("what did they", k=10) == []


def test_search_fuses_dense_lexical_and_preferred(tiny_index, fake_embedder):
    retriever = Retriever(tiny_index, rrf_k=60)
    by_doc = {c.doc_id: c.id for c in tiny_index.chunks}
    text = "Peiping"
    vector = fake_embedder.encode([text])[0]
    hits = retriever.search(Query(question=text, search_text=text), vector, k=10)
    dense, _ = retriever.dense_ranking(vector, k=10)
    expected = reciprocal_rank_fusion([dense, [by_doc["tiny-2"]]], k=60)
    assert [(h.chunk_id, h.score) for h in hits] == expected
    assert hits[0].chunk_id == by_doc["tiny-2"] and hits[0].lexical_rank == 1
    assert {h.chunk_id: h.dense_rank for h in hits} == {c: r for r, c in enumerate(dense, 1)}

    # A strongly preferred document rises to the top, ahead of the lexical match.
    preferred = Query(question=text, search_text=text, prefer=(("tiny-3", 3.0),))
    hits = retriever.search(preferred, vector, k=10)
    assert hits[0].chunk_id == by_doc["tiny-3"]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    top_two = retriever.search(preferred, vector, k=2)
    assert len(top_two) == 2 and top_two[0].chunk_id == by_doc["tiny-3"]


def test_dense_ranking_equals_numpy_on_the_shipped_corpus(tmp_path, fake_embedder):
    from conftest import SHIPPED_CORPUS

    from assistant.index import build_index
    from assistant.settings import Settings

    settings = Settings().replace(corpus_dir=SHIPPED_CORPUS, index_dir=tmp_path / "index")
    index = build_index(settings, fake_embedder, progress=False)
    retriever = Retriever(index)
    vectors = fake_embedder.encode([c.text for c in index.chunks])
    queries = fake_embedder.encode(["What did Mao propose?", "Kuomintang peace proposal",
                                    "delegation to Moscow", "Izvestia statement"])
    for query_vector in queries:
        brute = vectors @ query_vector
        ranking, scores = retriever.dense_ranking(query_vector, k=10)
        assert ranking == sorted(range(len(vectors)), key=lambda i: (-float(brute[i]), i))[:10]
        assert [scores[i] for i in ranking] == pytest.approx([float(brute[i]) for i in ranking],
                                                             abs=1e-5)
