"""Chooses, builds and tunes the FAISS structure of the dense index by its size.

Below ``Settings.dense_exact_below`` vectors the index is exact (``IndexFlatIP``): the shipped
corpus and any archive of a few tens of thousands of chunks are searched by brute force in a few
milliseconds, and their results never change. Above it, an approximate structure with 8-bit
scalar quantisation keeps a million 384-dimensional vectors under 700 MB instead of 1.5 GB:

- ``ivf-sq8``: inverted lists over k-means cells (``nlist`` ≈ 4·√n, a power of two), of which
  ``dense_nprobe`` are scanned per query. Builds in about a minute for a million vectors on two
  cores (see docs/benchmarks.md).
- ``hnsw-sq8``: a navigable small-world graph (``dense_hnsw_m`` links per node, ``dense_ef_search``
  candidates per query); a little faster to search, much slower to build.

The choice and its search parameters form the "spec" recorded in the index manifest, so an index
is searched the way it was built and a change of settings that would build another structure
makes the index stale.
"""
from __future__ import annotations

import math

import numpy as np

STRUCTURES = ("ivf-sq8", "hnsw-sq8")
TRAINING_POINTS_PER_LIST = 39  # FAISS warns below this many k-means training points per cell
SEED = 1234


def dense_spec(settings, count: int) -> dict:
    """The structure ``settings`` asks for an index of ``count`` vectors (manifest entry).

    Args:
        settings: A ``Settings``; only its ``dense_*`` fields are read.
        count: Number of vectors (chunks) to index.
    """
    if count < settings.dense_exact_below:
        return {"structure": "flat", "factory": "Flat", "search": {}}
    if settings.dense_structure == "ivf-sq8":
        nlist = ivf_lists(count)
        return {"structure": "ivf-sq8", "factory": f"IVF{nlist},SQ8",
                "search": {"nprobe": min(settings.dense_nprobe, nlist)}}
    return {"structure": "hnsw-sq8", "factory": f"HNSW{settings.dense_hnsw_m}_SQ8",
            "search": {"efSearch": settings.dense_ef_search}}


def ivf_lists(count: int) -> int:
    """Number of IVF cells for ``count`` vectors: the power of two nearest 4·√count, but no more
    than leave each cell its ``TRAINING_POINTS_PER_LIST`` training points (at least one cell)."""
    nearest = 2 ** round(math.log2(4 * math.sqrt(max(count, 1))))
    return max(1, min(nearest, count // TRAINING_POINTS_PER_LIST))


def build_dense(vectors: np.ndarray, spec: dict, threads: int | None = None):
    """Build the FAISS index of ``spec`` over L2-normalised ``vectors`` (inner product = cosine).

    Args:
        vectors: float32 array, one row per chunk; row i gets id i.
        spec: From :func:`dense_spec`.
        threads: FAISS threads for training and adding (default: all cores).

    Returns:
        The filled index, with the spec's search parameters applied.
    """
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dimension = vectors.shape[1]
    if threads:
        faiss.omp_set_num_threads(threads)
    if spec["structure"] == "flat":
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.index_factory(dimension, spec["factory"], faiss.METRIC_INNER_PRODUCT)
        if spec["structure"] == "hnsw-sq8":
            index.hnsw.efConstruction = 40
        index.train(_training_sample(vectors, spec))
    index.add(vectors)
    return configure(index, spec)


def configure(index, spec: dict):
    """Apply the spec's search-time parameters (``nprobe``, ``efSearch``) to a loaded index."""
    import faiss

    params = spec.get("search") or {}
    if "nprobe" in params:
        faiss.extract_index_ivf(index).nprobe = int(params["nprobe"])
    if "efSearch" in params:
        faiss.downcast_index(index).hnsw.efSearch = int(params["efSearch"])
    return index


def _training_sample(vectors: np.ndarray, spec: dict) -> np.ndarray:
    """Enough rows to train the quantisers: a seeded random subset, so builds are reproducible."""
    if spec["structure"] == "ivf-sq8":
        wanted = int(spec["factory"][3:].split(",")[0]) * TRAINING_POINTS_PER_LIST
    else:
        wanted = 100_000  # the scalar quantiser only learns each dimension's range
    if len(vectors) <= wanted:
        return vectors
    rows = np.sort(np.random.default_rng(SEED).choice(len(vectors), wanted, replace=False))
    return vectors[rows]
