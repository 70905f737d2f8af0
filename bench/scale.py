"""Scale benchmark: dense + lexical indexes of 10k, 100k and 1M synthetic chunks.

Each size runs in two fresh processes so that their memory figures are their own:
``build`` generates the archive, its vectors and both indexes (timed, peak memory), computes
the exact top 10 of every query by brute force and saves everything to a folder; ``search``
loads the two indexes (memory measured before and after) and times the queries.

Vectors: embedding a million chunks with MiniLM on two cores takes hours (the measured
throughput and the projection are reported by bench/shipped.py), so chunk vectors are
*synthetic*: the normalised sum of the real MiniLM vectors of the chunk's sentences plus
Gaussian noise (``NOISE``), which keeps the clustered shape of real embeddings. Queries are the
real vectors of the dev questions plus noisy real vectors of pool sentences.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

from assistant.lexical import words
from assistant.retrieve import reciprocal_rank_fusion
from assistant.settings import Settings

from .bm25_arrays import build_bm25, top_k
from .synthetic import corpus_sentences, generate

NOISE = 0.5  # norm of the noise added to a unit chunk vector (cosine to its signal ≈ 0.9)
QUERIES = 200
K = 10


def compose_vectors(chunk_sentences: np.ndarray, pool: np.ndarray, seed: int,
                    block: int = 20_000) -> np.ndarray:
    """Unit vectors: normalised (normalised sum of the sentences' vectors + noise)."""
    rng = np.random.default_rng(seed)
    out = np.empty((len(chunk_sentences), pool.shape[1]), dtype=np.float32)
    for first in range(0, len(chunk_sentences), block):
        ids = chunk_sentences[first:first + block]
        summed = np.where((ids >= 0)[..., None], pool[np.maximum(ids, 0)], 0).sum(axis=1)
        summed /= np.linalg.norm(summed, axis=1, keepdims=True)
        noise = rng.standard_normal(summed.shape).astype(np.float32) * (NOISE / np.sqrt(pool.shape[1]))
        summed += noise
        out[first:first + block] = summed / np.linalg.norm(summed, axis=1, keepdims=True)
    return out


def make_queries(pool: np.ndarray, sentences: tuple[str, ...], questions: list[str],
                 question_vectors: np.ndarray, seed: int) -> tuple[np.ndarray, list[list[str]]]:
    """Dense and lexical queries: the dev questions, then noisy pool sentences up to QUERIES."""
    rng = np.random.default_rng(seed + 1)
    picks = rng.integers(0, len(sentences), size=max(0, QUERIES - len(questions)))
    noisy = pool[picks] + rng.standard_normal((len(picks), pool.shape[1])).astype(np.float32) * (
        NOISE / np.sqrt(pool.shape[1]))
    vectors = np.vstack([question_vectors, noisy]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = list(questions) + [sentences[i] for i in picks]
    return vectors, [words(t) for t in texts]


def build(size: int, workdir: Path, settings: Settings, seed: int) -> dict:
    """Build both indexes for ``size`` chunks into ``workdir``; returns timings and memory."""
    import faiss

    from assistant.dense import build_dense, dense_spec

    inputs = np.load(workdir.parent / "inputs.npz", allow_pickle=False)
    sentences = tuple(json.loads((workdir.parent / "sentences.json").read_text(encoding="utf-8")))
    questions = json.loads((workdir.parent / "questions.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    archive = generate(sentences, size, seed)
    generated = time.perf_counter()
    vectors = compose_vectors(archive.chunk_sentences, inputs["pool"], seed)
    composed = time.perf_counter()
    spec = dense_spec(settings, size)
    dense = build_dense(vectors, spec)
    dense_built = time.perf_counter()
    bm25 = build_bm25(archive.chunk_sentences, sentences)
    lexical_built = time.perf_counter()
    query_vectors, query_words = make_queries(inputs["pool"], sentences, questions,
                                              inputs["questions"], seed)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(query_vectors, K)
    faiss.write_index(dense, str(workdir / "dense.faiss"))
    np.savez(workdir / "lexical.npz", **{k: v for k, v in bm25.scores.items() if k != "num_docs"})
    (workdir / "vocab.json").write_text(json.dumps(bm25.vocab_dict), encoding="utf-8")
    np.savez(workdir / "queries.npz", vectors=query_vectors, truth=truth,
             questions=len(questions))
    (workdir / "query_words.json").write_text(json.dumps(query_words), encoding="utf-8")
    (workdir / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    return {"chunks": size, "documents": archive.document_count, "structure": spec["factory"],
            "search_params": spec["search"], "generate_s": round(generated - started, 2),
            "compose_vectors_s": round(composed - generated, 2),
            "dense_build_s": round(dense_built - composed, 2),
            "lexical_build_s": round(lexical_built - dense_built, 2),
            "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "dense_bytes_mb": round(faiss.serialize_index(dense).nbytes / 2**20, 1),
            "lexical_bytes_mb": round(sum(v.nbytes for k, v in bm25.scores.items()
                                          if k != "num_docs") / 2**20, 1)}


def search(workdir: Path, retrieve_k: int) -> dict:
    """Load both indexes as the assistant does, then time dense, lexical and fused search."""
    import faiss

    from assistant.bm25_reader import BM25Reader
    from assistant.dense import configure

    faiss.omp_set_num_threads(1)  # one query at a time, as the assistant answers
    before = _rss_mb()
    spec = json.loads((workdir / "spec.json").read_text(encoding="utf-8"))
    dense = configure(faiss.read_index(str(workdir / "dense.faiss")), spec)
    arrays = np.load(workdir / "lexical.npz", allow_pickle=False)
    vocab = json.loads((workdir / "vocab.json").read_text(encoding="utf-8"))
    bm25 = BM25Reader(arrays["data"], arrays["indices"], arrays["indptr"], vocab, dense.ntotal)
    loaded = _rss_mb()
    queries = np.load(workdir / "queries.npz", allow_pickle=False)
    query_words = json.loads((workdir / "query_words.json").read_text(encoding="utf-8"))
    dense_ms, lexical_ms, fused_ms, recall = [], [], [], []
    for round_ in range(2):  # the first round warms caches and is not counted
        for vector, terms, truth in zip(queries["vectors"], query_words, queries["truth"],
                                        strict=True):
            t0 = time.perf_counter()
            _, ids = dense.search(vector.reshape(1, -1), retrieve_k)
            t1 = time.perf_counter()
            tokens = [t for t in terms if t in vocab]
            lexical = top_k(np.asarray(bm25.get_scores(tokens)), retrieve_k) if tokens else []
            t2 = time.perf_counter()
            reciprocal_rank_fusion([[int(i) for i in ids[0] if i >= 0], lexical])
            t3 = time.perf_counter()
            if round_:
                dense_ms.append((t1 - t0) * 1000)
                lexical_ms.append((t2 - t1) * 1000)
                fused_ms.append((t3 - t0) * 1000)
                recall.append(len(set(ids[0][:K].tolist()) & set(truth.tolist())) / K)
    questions = int(queries["questions"])  # the dev questions come first
    return {"recall_at_10": round(float(np.mean(recall)), 4),
            "dense_ms": _percentiles(dense_ms), "lexical_ms": _percentiles(lexical_ms),
            "search_ms": _percentiles(fused_ms),
            "question_search_ms": _percentiles(fused_ms[:questions]),
            "loaded_rss_mb": round(loaded - before),
            "queries": len(fused_ms)}


def _percentiles(values: list[float]) -> dict:
    return {"p50": round(float(np.percentile(values, 50)), 2),
            "p95": round(float(np.percentile(values, 95)), 2)}


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def prepare_inputs(folder: Path, corpus_dir: Path, questions: list[str], encoder) -> int:
    """Write the sentence pool, its real vectors and the dev questions' vectors for the children."""
    sentences = corpus_sentences(corpus_dir)
    np.savez(folder / "inputs.npz", pool=encoder.encode(list(sentences)),
             questions=encoder.encode(questions))
    (folder / "sentences.json").write_text(json.dumps(sentences), encoding="utf-8")
    (folder / "questions.json").write_text(json.dumps(questions), encoding="utf-8")
    return len(sentences)


def main(argv: list[str]) -> int:
    """``python -m bench.scale build|search WORKDIR SIZE SEED [STRUCTURE]`` (one child step)."""
    step, workdir, size, seed = argv[0], Path(argv[1]), int(argv[2]), int(argv[3])
    settings = Settings.from_env(os.environ)
    if len(argv) > 4:
        settings = settings.replace(dense_structure=argv[4])
    result = build(size, workdir, settings, seed) if step == "build" else search(
        workdir, settings.retrieve_k)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
