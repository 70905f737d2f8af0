"""Tests for assistant/index.py: the index directory, its manifest, and refusing stale indexes."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from assistant import __version__
from assistant.corpus import corpus_fingerprint
from assistant.errors import REBUILD_HINT, IndexMissingError, StaleIndexError
from assistant.index import build_index, check_index, load_index
from assistant.lexical import TOKENIZER_VERSION

DATA_FILES = ["bm25/data.csc.index.npy", "bm25/indices.csc.index.npy", "bm25/indptr.csc.index.npy",
              "bm25/params.index.json", "bm25/vocab.index.json", "chunks.jsonl", "chunks.npy", "dense.faiss",
              "sentences.jsonl", "sentences.npy"]


def _manifest(settings) -> dict:
    return json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))


def test_build_writes_plain_files_and_a_full_manifest(tiny_index, tiny_settings, fake_embedder):
    manifest = _manifest(tiny_settings)
    assert manifest == tiny_index.manifest
    assert manifest["format"] == 1
    assert manifest["package_version"] == __version__
    assert manifest["model"] == "fake-hashed-words"
    assert manifest["dimension"] == 64
    assert manifest["settings"] == {"tokenizer": TOKENIZER_VERSION, "chunk_tokens": 160,
                                    "chunk_overlap_tokens": 40, "max_word_pieces": 256}
    assert manifest["corpus"] == corpus_fingerprint(tiny_settings.corpus_dir)
    assert sorted(manifest["corpus"]) == ["cable.txt", "letters.txt", "manifest.jsonl"]
    assert manifest["counts"] == {"documents": 4, "chunks": 4, "sentences": 22}
    # Text hashes let a later build reuse the vectors of unchanged documents (incremental.py).
    assert manifest["documents"] == {
        doc.id: hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        for doc in tiny_index.documents.values()}
    assert sorted(manifest["files"]) == DATA_FILES
    for name, digest in manifest["files"].items():
        size, sha = digest.split(":")
        assert int(size) == (tiny_settings.index_dir / name).stat().st_size
        assert len(sha) == 64
    # Nothing is pickled: the arrays load with pickling refused.
    vectors = np.load(tiny_settings.index_dir / "sentences.npy", allow_pickle=False)
    assert vectors.shape == (22, 64) and vectors.dtype == np.float32
    # The staging folder of the atomic write is gone; the build lock file stays beside the index.
    assert sorted(p.name for p in tiny_settings.index_dir.parent.iterdir()) == [
        ".index.lock", "corpus", "index"]


def test_chunk_rows_hold_offsets_not_text(tiny_index, tiny_settings):
    rows = [json.loads(line) for line in
            (tiny_settings.index_dir / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[1] == {"id": 1, "doc_id": "tiny-2", "start": 0, "end": 255,
                       "sentence_ids": [7, 8, 9, 10, 11, 12, 13, 14]}


def test_load_gives_back_what_was_built(tiny_index, tiny_settings, fake_embedder):
    loaded = load_index(tiny_settings, fake_embedder.name)
    assert loaded.chunks == tiny_index.chunks
    assert loaded.sentences == tiny_index.sentences
    assert loaded.documents == tiny_index.documents
    assert np.array_equal(loaded.sentence_vectors, tiny_index.sentence_vectors)
    assert loaded.dense.ntotal == len(tiny_index.chunks)
    query = ["surrender"]
    assert list(loaded.bm25.get_scores(query)) == list(tiny_index.bm25.get_scores(query))
    assert check_index(tiny_settings, fake_embedder.name) == tiny_index.manifest


def test_rebuild_replaces_the_old_index(tiny_index, tiny_settings, fake_embedder):
    with (tiny_settings.corpus_dir / "cable.txt").open("a", encoding="utf-8") as fh:
        fh.write("A footer.\n")
    with pytest.raises(StaleIndexError):
        check_index(tiny_settings, fake_embedder.name)
    build_index(tiny_settings, fake_embedder, progress=False)
    check_index(tiny_settings, fake_embedder.name)
    assert sorted(p.name for p in tiny_settings.index_dir.parent.iterdir()) == [
        ".index.lock", "corpus", "index"]


def test_missing_index(tiny_settings, fake_embedder):
    with pytest.raises(IndexMissingError) as err:
        load_index(tiny_settings, fake_embedder.name)
    assert str(err.value) == (f"no index at {tiny_settings.index_dir}; build it with "
                              "`python -m assistant index` (or `make run`, which builds it)")


def _stale_message(settings, model_name: str) -> str:
    with pytest.raises(StaleIndexError) as err:
        load_index(settings, model_name)
    message = str(err.value)
    assert message.startswith(f"the index at {settings.index_dir} was built from ")
    assert message.endswith(f"; {REBUILD_HINT}")
    return message


def test_changed_corpus_file_is_stale(tiny_index, tiny_settings, fake_embedder):
    letters = tiny_settings.corpus_dir / "letters.txt"
    letters.write_text(letters.read_text(encoding="utf-8").replace("Peiping", "Beiping"),
                       encoding="utf-8")
    message = _stale_message(tiny_settings, fake_embedder.name)
    assert message == (f"the index at {tiny_settings.index_dir} was built from another version "
                       f"of the corpus (changed: letters.txt); {REBUILD_HINT}")


def test_other_chunk_settings_are_stale(tiny_index, tiny_settings, fake_embedder):
    for change in ({"chunk_tokens": 120}, {"chunk_overlap_tokens": 0}, {"max_word_pieces": 128}):
        message = _stale_message(tiny_settings.replace(**change), fake_embedder.name)
        assert "other chunk settings" in message
    # Settings that do not shape the index do not make it stale.
    check_index(tiny_settings.replace(max_quotes=2, abstain_below=0.9), fake_embedder.name)


def test_other_model_is_stale(tiny_index, tiny_settings):
    message = _stale_message(tiny_settings, "another-model")
    assert "model 'fake-hashed-words' (expected 'another-model')" in message


@pytest.mark.parametrize("name", ["dense.faiss", "chunks.jsonl", "bm25/vocab.index.json"])
def test_damaged_or_missing_data_file_is_stale(tiny_index, tiny_settings, fake_embedder, name):
    path = tiny_settings.index_dir / name
    with path.open("ab") as fh:
        fh.write(b"\0")
    assert f"a missing or damaged file {name}" in _stale_message(tiny_settings, fake_embedder.name)
    path.unlink()
    assert f"a missing or damaged file {name}" in _stale_message(tiny_settings, fake_embedder.name)


def test_unreadable_or_old_manifest_is_stale(tiny_index, tiny_settings, fake_embedder):
    path = tiny_settings.index_dir / "manifest.json"
    manifest = _manifest(tiny_settings)
    path.write_text(json.dumps(manifest | {"format": 0}), encoding="utf-8")
    assert "format 0 (expected 1)" in _stale_message(tiny_settings, fake_embedder.name)
    path.write_text(json.dumps({k: v for k, v in manifest.items() if k != "files"}),
                    encoding="utf-8")
    assert "no file list" in _stale_message(tiny_settings, fake_embedder.name)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StaleIndexError) as err:
        load_index(tiny_settings, fake_embedder.name)
    assert str(err.value) == f"the index manifest {path} is unreadable; {REBUILD_HINT}"
