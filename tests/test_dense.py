"""Tests for assistant/dense.py: FAISS structure chosen by size, recall of the approximate ones."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.dense import build_dense, dense_spec, ivf_lists
from assistant.errors import SettingsError, StaleIndexError
from assistant.index import build_index, check_index, load_index
from assistant.retrieve import Retriever
from assistant.settings import Settings

FLAT = {"structure": "flat", "factory": "Flat", "search": {}}


def test_small_indexes_stay_exact():
    settings = Settings()
    assert settings.dense_exact_below == 50_000
    for count in (1, 65, 10_000, 49_999):
        assert dense_spec(settings, count) == FLAT


def test_large_indexes_use_the_configured_approximate_structure():
    settings = Settings()
    assert dense_spec(settings, 50_000) == {"structure": "ivf-sq8", "factory": "IVF1024,SQ8",
                                            "search": {"nprobe": 64}}
    assert dense_spec(settings, 1_000_000) == {"structure": "ivf-sq8", "factory": "IVF4096,SQ8",
                                               "search": {"nprobe": 64}}
    hnsw = settings.replace(dense_structure="hnsw-sq8", dense_hnsw_m=16, dense_ef_search=96)
    assert dense_spec(hnsw, 1_000_000) == {"structure": "hnsw-sq8", "factory": "HNSW16_SQ8",
                                           "search": {"efSearch": 96}}


def test_the_threshold_and_probes_come_from_settings():
    settings = Settings.from_env({"ASSISTANT_DENSE_EXACT_BELOW": "10", "ASSISTANT_DENSE_NPROBE": "8"})
    assert dense_spec(settings, 9) == FLAT
    # Ten vectors leave room for one cell only; nprobe never exceeds the number of cells.
    assert dense_spec(settings, 10) == {"structure": "ivf-sq8", "factory": "IVF1,SQ8",
                                        "search": {"nprobe": 1}}
    assert dense_spec(settings, 100_000)["search"] == {"nprobe": 8}
    with pytest.raises(SettingsError, match="dense_structure must be ivf-sq8 or hnsw-sq8"):
        Settings(dense_structure="ivf-pq")
    with pytest.raises(SettingsError, match="dense_nprobe must be at least 1"):
        Settings(dense_nprobe=0)


def test_ivf_cells_grow_with_the_square_root_of_the_size():
    assert [ivf_lists(n) for n in (1, 10, 10_000, 100_000, 1_000_000)] == [1, 1, 256, 1024, 4096]


def clustered(count: int, queries: int, dimension: int = 32, clusters: int = 200,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around random centres, the clustered shape of sentence embeddings (a point's
    nearest neighbour has cosine ≈ 0.85), split into indexed vectors and queries."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dimension))
    total = count + queries
    points = centres[rng.integers(0, clusters, total)] + 0.6 * rng.standard_normal((total, dimension))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    points = points.astype(np.float32)
    return points[:count], points[count:]


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Brute-force inner-product top k with NumPy (ties by smaller id)."""
    scores = queries @ vectors.T
    return np.array([np.lexsort((np.arange(len(row)), -row))[:k] for row in scores])


def test_flat_index_is_brute_force():
    vectors, queries = clustered(2_000, 20)
    index = build_dense(vectors, FLAT)
    _, ids = index.search(queries, 10)
    assert np.array_equal(ids, exact_top(vectors, queries, 10))


@pytest.mark.parametrize("structure", ["ivf-sq8", "hnsw-sq8"])
def test_approximate_index_recall_at_10_against_exact(structure):
    vectors, queries = clustered(20_000, 100)
    settings = Settings(dense_exact_below=1_000, dense_structure=structure)
    spec = dense_spec(settings, len(vectors))
    assert spec["structure"] == structure
    index = build_dense(vectors, spec)
    assert index.ntotal == len(vectors)
    _, ids = index.search(queries, 10)
    truth = exact_top(vectors, queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, truth, strict=True)])
    assert recall >= 0.95


def test_the_manifest_records_the_structure_and_a_change_makes_the_index_stale(
        tiny_settings, fake_embedder):
    approximate = tiny_settings.replace(dense_exact_below=1, dense_nprobe=3)
    built = build_index(approximate, fake_embedder, progress=False)
    assert built.manifest["dense"] == {"structure": "ivf-sq8", "factory": "IVF1,SQ8",
                                       "search": {"nprobe": 1}}
    loaded = load_index(approximate, fake_embedder.name)
    assert type(loaded.dense).__name__ == "IndexIVFScalarQuantizer"
    assert loaded.dense.nprobe == 1
    # Four chunks in one cell: the approximate search still ranks every chunk.
    vector = fake_embedder.encode(["surrender"])[0]
    dense_ids, _ = Retriever(loaded).dense_ranking(vector, 10)
    assert sorted(dense_ids) == [0, 1, 2, 3]
    with pytest.raises(StaleIndexError, match="another dense index structure"):
        check_index(tiny_settings, fake_embedder.name)


def test_an_index_without_a_dense_entry_reads_as_exact(tiny_index, tiny_settings, fake_embedder):
    import json

    path = tiny_settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["dense"] == FLAT
    del manifest["dense"]  # as written before the structure was chosen by size
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert "dense" not in check_index(tiny_settings, fake_embedder.name)
