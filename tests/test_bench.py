"""Tests for the benchmark helpers in bench/: synthetic archives and BM25 built from arrays."""
from __future__ import annotations

import bm25s
import numpy as np
import pytest
from conftest import SHIPPED_CORPUS

from assistant.corpus import load_corpus
from assistant.lexical import words
from bench.bm25_arrays import build_bm25, top_k
from bench.scale import compose_vectors
from bench.synthetic import PEOPLE, corpus_sentences, generate


@pytest.fixture(scope="module")
def pool() -> tuple[str, ...]:
    return corpus_sentences(SHIPPED_CORPUS)


def test_the_pool_is_the_corpus_prose_sentences(pool):
    assert len(pool) == len(set(pool)) > 200
    assert pool[0].startswith("There is a long ancestry to the view")  # corpus order
    assert all("\n" not in s and len(s.split()) >= 3 for s in pool)
    assert "1." not in pool


def test_same_seed_same_archive_other_seed_other_archive(pool):
    first, again, other = generate(pool, 5_000, seed=7), generate(pool, 5_000, seed=7), generate(
        pool, 5_000, seed=8)
    for name in ("chunk_sentences", "chunk_document", "document_dates", "document_senders",
                 "document_recipients"):
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    assert not np.array_equal(first.chunk_sentences, other.chunk_sentences)
    assert first.document(3) == again.document(3)


def test_an_archive_has_exactly_the_chunks_asked_for_in_dated_documents(pool):
    archive = generate(pool, 5_000, seed=1)
    assert archive.chunk_count == 5_000
    per_chunk = (archive.chunk_sentences >= 0).sum(axis=1)
    assert per_chunk.min() == 3 and per_chunk.max() == 6
    # Padding only at the end of a row.
    assert all(np.all(row[:n] >= 0) and np.all(row[n:] == -1)
               for row, n in zip(archive.chunk_sentences, per_chunk, strict=True))
    sizes = np.bincount(archive.chunk_document)
    assert np.all(np.diff(archive.chunk_document) >= 0) and sizes.min() >= 1
    assert sizes[:-1].max() <= 8 and len(sizes) == archive.document_count
    assert np.all(np.diff(archive.document_dates.astype(int)) >= 0)
    assert str(archive.document_dates.min()) >= "1949-01-01"
    assert str(archive.document_dates.max()) <= "1950-12-31"
    assert np.all(archive.document_senders != archive.document_recipients)
    assert archive.document_senders.max() < len(PEOPLE)


def test_a_small_archive_is_a_corpus_the_assistant_reads(pool, tmp_path):
    archive = generate(pool, 200, seed=2)
    folder = archive.write_corpus(tmp_path / "corpus", documents=10)
    documents = load_corpus(folder)
    assert [d.id for d in documents] == [f"syn-{j}" for j in range(10)]
    third = archive.document(2)
    assert documents[2].text == third["text"]
    assert (documents[2].sender, documents[2].recipient, documents[2].date) == (
        third["sender"], third["recipient"], third["date"])
    first, last = np.searchsorted(archive.chunk_document, [2, 3])
    assert third["text"] == "\n\n".join(archive.chunk_text(i) for i in range(first, last))


def test_bm25_from_arrays_scores_as_bm25s_does(pool):
    archive = generate(pool, 300, seed=3)
    ours = build_bm25(archive.chunk_sentences, pool, block=128)  # three blocks
    reference = bm25s.BM25()
    reference.index([[w for s in row if s >= 0 for w in words(pool[s])]
                     for row in archive.chunk_sentences], show_progress=False)
    # bm25s adds an empty token; ours also knows the pool words no drawn chunk uses.
    assert set(reference.vocab_dict) - {""} <= set(ours.vocab_dict)
    for question in ("What did Mao propose on 13 January?", "peace talks with the Kuomintang",
                     "mediation mediation USSR"):
        tokens = [t for t in words(question) if t in ours.vocab_dict]
        got, want = ours.get_scores(tokens), reference.get_scores(tokens)
        assert got.shape == (300,) and np.count_nonzero(want) > 0
        assert np.allclose(got, want, rtol=1e-5, atol=1e-6), question


def test_top_k_matches_a_full_sort_with_ties_by_id():
    scores = np.array([0.0, 2.0, 5.0, 2.0, 0.5, 5.0, 2.0, 0.0], dtype=np.float32)
    assert top_k(scores, 3) == [2, 5, 1]
    assert top_k(scores, 4) == [2, 5, 1, 3]
    assert top_k(scores, 10) == [2, 5, 1, 3, 6, 4]
    assert top_k(np.zeros(5, dtype=np.float32), 3) == []
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 20, 2_000).astype(np.float32)
    full = sorted(np.flatnonzero(scores > 0), key=lambda i: (-scores[i], i))
    assert top_k(scores, 50) == [int(i) for i in full[:50]]


def test_composed_vectors_are_unit_and_deterministic():
    pool_vectors = np.eye(4, 8, dtype=np.float32)
    ids = np.array([[0, 1, -1], [2, -1, -1]], dtype=np.int32)
    first, again = compose_vectors(ids, pool_vectors, seed=5), compose_vectors(ids, pool_vectors, 5)
    assert first.shape == (2, 8) and np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-6)
    # The noise leaves each vector closest to its own sentences.
    assert first[0, :2].min() > np.abs(first[0, 2:]).max() * 0.5
    assert np.argmax(first[1]) == 2
