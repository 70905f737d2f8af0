"""Tests for assistant/incremental.py: an incremental build equals a full one and embeds only what changed."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import TINY_3, FakeEmbedder

from assistant.corpus import load_corpus
from assistant.incremental import embed_corpus, reusable_segments
from assistant.index import build_index, index_settings, load_index, segment
from assistant.lexical import words

NEW_LETTER = ("Harbin, 20 January 1949\n"
              "\n"
              "The railway bridge over the Sungari river must be repaired before the spring thaw.")
CHANGED_3 = TINY_3.replace("wait until the spring", "wait until the summer")


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, remembering every text it was asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded.extend(texts)
        return super().encode(texts)


def _edit_corpus(corpus_dir):
    """Change tiny-3, drop tiny-notes, add a new letter: the three kinds of change."""
    cable = corpus_dir / "cable.txt"
    cable.write_text(cable.read_text(encoding="utf-8").replace(TINY_3, CHANGED_3), encoding="utf-8")
    (corpus_dir / "new.txt").write_text(NEW_LETTER, encoding="utf-8")
    entries = [json.loads(line) for line in
               (corpus_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    for entry in entries:
        if entry["id"] == "tiny-3":
            entry["end"] = entry["start"] + len(CHANGED_3)
    entries = [e for e in entries if e["id"] != "tiny-notes"]
    entries.append({"id": "new-1", "source": "new.txt", "start": 0, "end": len(NEW_LETTER),
                    "title": "Letter from Harbin", "kind": "letter", "date": "1949-01-20"})
    (corpus_dir / "manifest.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entries),
                                               encoding="utf-8")


def _index_files(index_dir):
    return {p.relative_to(index_dir).as_posix(): p.read_bytes()
            for p in sorted(index_dir.rglob("*")) if p.is_file()}


def test_incremental_build_equals_full_build_and_embeds_only_changed_documents(tiny_settings,
                                                                                 tmp_path):
    build_index(tiny_settings, FakeEmbedder(), progress=False)
    _edit_corpus(tiny_settings.corpus_dir)
    counting = CountingEmbedder()
    reuse = reusable_segments(tiny_settings.index_dir, index_settings(tiny_settings), counting.name)
    assert len(reuse) == 4
    incremental = build_index(tiny_settings.replace(index_dir=tmp_path / "incremental"), counting,
                              progress=False, reuse=reuse)
    full = build_index(tiny_settings.replace(index_dir=tmp_path / "full"), FakeEmbedder(),
                       progress=False)

    # Only the changed tiny-3 and the new letter were embedded: their chunks, then their sentences.
    fresh = {"tiny-3", "new-1"}
    assert counting.encoded == ([c.text for c in full.chunks if c.doc_id in fresh]
                                + [s.text for s in full.sentences if s.doc_id in fresh])
    assert [c.doc_id for c in incremental.chunks] == ["tiny-1", "tiny-2", "tiny-3", "new-1"]
    assert incremental.chunks == full.chunks
    assert incremental.sentences == full.sentences
    np.testing.assert_allclose(incremental.sentence_vectors, full.sentence_vectors, atol=1e-6)
    # Same files byte for byte: chunk and sentence tables, vectors, FAISS, BM25 and the manifest.
    assert _index_files(tmp_path / "incremental") == _index_files(tmp_path / "full")
    loaded = load_index(tiny_settings.replace(index_dir=tmp_path / "incremental"), counting.name)
    tokens = words("the railway bridge in the spring")
    scores = np.asarray(loaded.bm25.get_scores(tokens))
    np.testing.assert_array_equal(scores, np.asarray(full.bm25.get_scores(tokens)))
    assert int(np.argmax(scores)) == 3  # the new letter's chunk


def test_full_build_segments_as_index_segment_does(tiny_settings):
    documents = load_corpus(tiny_settings.corpus_dir)
    embedder = FakeEmbedder()
    sentences, chunks = segment(documents, tiny_settings, embedder)
    embedded = embed_corpus(documents, tiny_settings, embedder)
    assert (embedded.sentences, embedded.chunks) == (sentences, chunks)
    assert (embedded.reused, embedded.embedded) == (0, 4)
    np.testing.assert_array_equal(embedded.chunk_vectors, embedder.encode([c.text for c in chunks]))


@pytest.mark.parametrize("damage", ["model", "settings", "file", "no-hashes"])
def test_nothing_is_reused_from_an_index_of_another_kind_or_a_damaged_one(tiny_settings, damage):
    build_index(tiny_settings, FakeEmbedder(), progress=False)
    settings, model = tiny_settings, FakeEmbedder.name
    manifest_path = tiny_settings.index_dir / "manifest.json"
    if damage == "model":
        model = "another model"
    elif damage == "settings":
        settings = tiny_settings.replace(chunk_tokens=100)
    elif damage == "file":
        vectors = tiny_settings.index_dir / "chunks.npy"
        data = bytearray(vectors.read_bytes())
        data[-1] ^= 0xFF  # one flipped byte: same size, other content
        vectors.write_bytes(bytes(data))
    else:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        del manifest["documents"]
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert reusable_segments(tiny_settings.index_dir, index_settings(settings), model) == {}
    assert len(reusable_segments(tiny_settings.index_dir, index_settings(tiny_settings),
                                 FakeEmbedder.name)) == (0 if damage in ("file", "no-hashes") else 4)


def test_a_missing_previous_index_means_a_full_build(tiny_settings, tmp_path):
    counting = CountingEmbedder()
    reuse = reusable_segments(tmp_path / "nothing", index_settings(tiny_settings), counting.name)
    assert reuse == {}
    index = build_index(tiny_settings, counting, progress=False, reuse=reuse)
    assert counting.encoded == [c.text for c in index.chunks] + [s.text for s in index.sentences]
