"""Segments and embeds a corpus, reusing the sentences, chunks and vectors of unchanged documents.

A document's sentences, chunks and their vectors depend only on its text (given the same model
and chunk settings, which the index manifest records). So each document is segmented on its own
with ids counted from 0, and its vectors are reused from a previous index when a document with
the same text hash is in it; the ids are then shifted into one consecutive global numbering.
This is exactly what a full build computes, so an incremental build and a full one agree.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .chunk import chunk_document, split_sentences
from .embed import Embedder
from .records import Chunk, Document, Sentence
from .settings import Settings

# Files of the index that hold what is reused; their digests must match the index manifest.
REUSED_FILES = ("chunks.jsonl", "sentences.jsonl", "chunks.npy", "sentences.npy")


@dataclass
class Segments:
    """One document's sentences and chunks (ids from 0) with their vectors, rows in id order."""

    sentences: list[Sentence]
    chunks: list[Chunk]
    sentence_vectors: np.ndarray
    chunk_vectors: np.ndarray


@dataclass
class Embedded:
    """A whole corpus segmented and embedded, with global consecutive ids."""

    sentences: list[Sentence]
    chunks: list[Chunk]
    sentence_vectors: np.ndarray
    chunk_vectors: np.ndarray
    reused: int
    """Documents whose vectors came from the previous index."""
    embedded: int
    """Documents segmented and embedded anew."""


def text_hash(doc: Document) -> str:
    """The key under which a document's segments are stored: SHA-256 of its text."""
    return hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


def embed_corpus(documents: list[Document], settings: Settings, embedder: Embedder,
                 previous: dict[str, Segments] | None = None,
                 say: Callable[[str], None] = lambda message: None) -> Embedded:
    """Segment and embed ``documents``, reusing ``previous`` segments keyed by text hash.

    Args:
        documents: The corpus, in manifest order (the order of the ids).
        settings: Chunk settings (the caller checked ``previous`` was built with the same).
        embedder: Encodes the texts of documents not found in ``previous``.
        previous: From :func:`reusable_segments`; None or {} embeds everything.
        say: Receives one progress line, before the encoding starts.
    """
    previous = previous or {}
    per_document: list[Segments | None] = []
    fresh: list[tuple[int, Document, list[Sentence], list[Chunk]]] = []
    for position, doc in enumerate(documents):
        found = previous.get(text_hash(doc))
        if found is not None:
            per_document.append(_renamed(found, doc))
            continue
        sentences, chunks = segment_document(doc, settings, embedder)
        per_document.append(None)
        fresh.append((position, doc, sentences, chunks))
    reused = len(documents) - len(fresh)
    n_chunks = sum(len(p.chunks) for p in per_document if p) + sum(len(f[3]) for f in fresh)
    n_sentences = sum(len(p.sentences) for p in per_document if p) + sum(len(f[2]) for f in fresh)
    say(f"Indexing {len(documents)} documents: {n_chunks} chunks, {n_sentences} sentences"
        + (f" ({reused} unchanged document(s) reused, {len(fresh)} embedded)" if previous else ""))
    # One encode call for all new chunks and one for all new sentences, as a full build makes.
    chunk_vectors = _encode(embedder, [c.text for _, _, _, cs in fresh for c in cs])
    sentence_vectors = _encode(embedder, [s.text for _, _, ss, _ in fresh for s in ss])
    chunk_row = sentence_row = 0
    for position, _, sentences, chunks in fresh:
        per_document[position] = Segments(
            sentences, chunks, sentence_vectors[sentence_row:sentence_row + len(sentences)],
            chunk_vectors[chunk_row:chunk_row + len(chunks)])
        chunk_row += len(chunks)
        sentence_row += len(sentences)
    return _assemble(per_document, embedder.dimension, reused, len(fresh))


def segment_document(doc: Document, settings: Settings,
                     embedder: Embedder | None) -> tuple[list[Sentence], list[Chunk]]:
    """One document's sentences and chunks, ids counted from 0 (as ``index.segment`` cuts them)."""
    sentences = split_sentences(doc, first_id=0)
    chunks = chunk_document(doc, sentences, 0, max_tokens=settings.chunk_tokens,
                            overlap_tokens=settings.chunk_overlap_tokens,
                            max_pieces=settings.max_word_pieces,
                            count_pieces=embedder.count_pieces if embedder is not None else None)
    return sentences, chunks


def reusable_segments(index_dir: Path, manifest_settings: dict, model: str) -> dict[str, Segments]:
    """What a previous index holds of each document, keyed by text hash; {} if nothing is reusable.

    Nothing is reused unless the index was built with the same model and chunk settings, lists
    its documents' text hashes, and its files match the digests in its manifest.

    Args:
        index_dir: The previous index.
        manifest_settings: ``index.index_settings(settings)`` of the build being made.
        model: The embedder's name.
    """
    root = Path(index_dir)
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    hashes = manifest.get("documents") if isinstance(manifest, dict) else None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if (not isinstance(hashes, dict) or not isinstance(files, dict)
            or manifest.get("model") != model or manifest.get("settings") != manifest_settings):
        return {}
    from .index import _file_digest  # the digest the index manifest records

    if any(name not in files or _file_digest(root / name) != files[name] for name in REUSED_FILES):
        return {}
    try:
        return _split_by_document(root, hashes)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def _split_by_document(root: Path, hashes: dict[str, str]) -> dict[str, Segments]:
    sentence_rows = _read_jsonl(root / "sentences.jsonl")
    chunk_rows = _read_jsonl(root / "chunks.jsonl")
    sentence_vectors = np.load(root / "sentences.npy", allow_pickle=False)
    chunk_vectors = np.load(root / "chunks.npy", allow_pickle=False)
    if len(sentence_vectors) != len(sentence_rows) or len(chunk_vectors) != len(chunk_rows):
        return {}
    by_document: dict[str, tuple[list[dict], list[dict]]] = {}
    for row in sentence_rows:
        by_document.setdefault(row["doc_id"], ([], []))[0].append(row)
    for row in chunk_rows:
        by_document.setdefault(row["doc_id"], ([], []))[1].append(row)
    found: dict[str, Segments] = {}
    for doc_id, digest in hashes.items():
        s_rows, c_rows = by_document.get(doc_id, ([], []))
        if not s_rows or not c_rows:
            continue
        s0, c0 = s_rows[0]["id"], c_rows[0]["id"]
        sentences = [Sentence(r["id"] - s0, doc_id, r["start"], r["end"], "") for r in s_rows]
        chunks = [Chunk(r["id"] - c0, doc_id, r["start"], r["end"], "",
                        tuple(i - s0 for i in r["sentence_ids"])) for r in c_rows]
        found[digest] = Segments(sentences, chunks, sentence_vectors[s0:s0 + len(s_rows)],
                                 chunk_vectors[c0:c0 + len(c_rows)])
    return found


def _renamed(segments: Segments, doc: Document) -> Segments:
    """Stored segments given to ``doc``: its id, and texts cut from its text."""
    return Segments(
        [replace(s, doc_id=doc.id, text=doc.text[s.start:s.end]) for s in segments.sentences],
        [replace(c, doc_id=doc.id, text=doc.text[c.start:c.end]) for c in segments.chunks],
        segments.sentence_vectors, segments.chunk_vectors)


def _assemble(per_document: list[Segments], dimension: int, reused: int, embedded: int) -> Embedded:
    sentences: list[Sentence] = []
    chunks: list[Chunk] = []
    for part in per_document:
        s0, c0 = len(sentences), len(chunks)
        sentences.extend(replace(s, id=s.id + s0) for s in part.sentences)
        chunks.extend(replace(c, id=c.id + c0, sentence_ids=tuple(i + s0 for i in c.sentence_ids))
                      for c in part.chunks)
    empty = np.zeros((0, dimension), dtype=np.float32)
    return Embedded(
        sentences, chunks,
        np.concatenate([p.sentence_vectors for p in per_document] or [empty]).astype(np.float32),
        np.concatenate([p.chunk_vectors for p in per_document] or [empty]).astype(np.float32),
        reused, embedded)


def _encode(embedder: Embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return embedder.encode(texts)


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
