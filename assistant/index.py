"""Builds the index directory (plain files + manifest.json) and loads it back, refusing stale ones."""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__
from .bm25_reader import BM25Reader
from .chunk import chunk_document, split_sentences
from .corpus import corpus_fingerprint, load_corpus
from .dense import build_dense, configure, dense_spec
from .embed import Embedder
from .errors import REBUILD_HINT, IndexMissingError, StaleIndexError
from .incremental import Segments, embed_corpus, text_hash
from .lexical import TOKENIZER_VERSION, words
from .onnx_encoder import file_digest as _file_digest
from .onnx_encoder import prepare_query_encoder
from .records import Chunk, Document, Sentence
from .settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"


@dataclass
class Index:
    """Everything retrieval needs, loaded in memory."""

    documents: dict[str, Document]
    sentences: list[Sentence]
    chunks: list[Chunk]
    dense: object  # FAISS index over chunk vectors, structure chosen by size (assistant/dense.py)
    sentence_vectors: np.ndarray
    bm25: object  # BM25 over chunk words: bm25s.BM25 when built, BM25Reader when loaded
    manifest: dict


def index_settings(settings: Settings) -> dict:
    """The settings an index depends on; a change in any of them makes the index stale."""
    return {"tokenizer": TOKENIZER_VERSION, "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap_tokens": settings.chunk_overlap_tokens,
            "max_word_pieces": settings.max_word_pieces}


def segment(documents: list[Document], settings: Settings,
            embedder: Embedder | None = None) -> tuple[list[Sentence], list[Chunk]]:
    """Split every document into sentences and chunks (ids are global and consecutive)."""
    sentences: list[Sentence] = []
    chunks: list[Chunk] = []
    count = embedder.count_pieces if embedder is not None else None
    for doc in documents:
        doc_sentences = split_sentences(doc, first_id=len(sentences))
        sentences.extend(doc_sentences)
        chunks.extend(chunk_document(doc, doc_sentences, len(chunks),
                                     max_tokens=settings.chunk_tokens,
                                     overlap_tokens=settings.chunk_overlap_tokens,
                                     max_pieces=settings.max_word_pieces, count_pieces=count))
    return sentences, chunks


@contextmanager
def index_lock(index_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of ``index_dir``: an exclusive ``flock`` on ``.NAME.lock`` beside it.

    Two builds of one index (two terminals, two ``make run``) then run one after the other
    instead of interleaving their renames. The kernel drops the lock if its holder dies, so a
    killed build never blocks the next one.

    Args:
        index_dir: The index folder the lock guards (it need not exist yet).
        on_wait: Called with a message if another build holds the lock and this one waits.
    """
    target = Path(index_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.with_name(f".{target.name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(f"Waiting for another build of {target} to finish…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_index(settings: Settings, embedder: Embedder, progress: bool = True,
                reuse: dict[str, Segments] | None = None) -> Index:
    """Build the index for ``settings.corpus_dir`` and write it atomically to ``settings.index_dir``.

    The files are written to a temporary directory beside the target and swapped in with a
    rename, so an interrupted build never leaves a half index behind; the build holds
    :func:`index_lock`, so two builds at once cannot mix their files. A bad corpus document is
    skipped; its problem is listed under ``skipped`` in the manifest.

    Args:
        reuse: What a previous index holds of each document (``incremental.reusable_segments``):
            documents whose text it holds unchanged are not embedded again. The result equals
            a full build.

    Raises:
        CorpusError: if the corpus has no valid document.
    """
    say = (lambda msg: print(msg, file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    with index_lock(settings.index_dir, on_wait=lambda msg: print(msg, file=sys.stderr, flush=True)):
        _remove_leftovers(Path(settings.index_dir))
        return _build_locked(settings, embedder, say, reuse)


def _build_locked(settings: Settings, embedder: Embedder, say: Callable[[str], None],
                  reuse: dict[str, Segments] | None = None) -> Index:
    import bm25s
    import faiss

    fingerprint = corpus_fingerprint(settings.corpus_dir)
    skipped: list[str] = []
    documents = load_corpus(settings.corpus_dir, skipped)
    embedded = embed_corpus(documents, settings, embedder, reuse, say)
    sentences, chunks = embedded.sentences, embedded.chunks
    chunk_vectors, sentence_vectors = embedded.chunk_vectors, embedded.sentence_vectors
    dense_structure = dense_spec(settings, len(chunks))
    dense = build_dense(chunk_vectors, dense_structure)
    bm25 = bm25s.BM25()
    bm25.index([words(c.text) or [""] for c in chunks], show_progress=False)

    target = Path(settings.index_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-build-", dir=target.parent))
    try:
        _write_jsonl(staging / "chunks.jsonl", ({"id": c.id, "doc_id": c.doc_id, "start": c.start,
                                                  "end": c.end, "sentence_ids": list(c.sentence_ids)}
                                                 for c in chunks))
        _write_jsonl(staging / "sentences.jsonl", ({"id": s.id, "doc_id": s.doc_id,
                                                     "start": s.start, "end": s.end}
                                                    for s in sentences))
        faiss.write_index(dense, str(staging / "dense.faiss"))
        np.save(staging / "sentences.npy", sentence_vectors, allow_pickle=False)
        np.save(staging / "chunks.npy", chunk_vectors, allow_pickle=False)  # reused by later builds
        bm25.save(str(staging / "bm25"), show_progress=False)
        query_encoder = prepare_query_encoder(embedder, staging, target if target.is_dir() else None,
                                              say)
        manifest = {
            "format": FORMAT, "package_version": __version__, "model": embedder.name,
            "dimension": embedder.dimension, "settings": index_settings(settings),
            "corpus": fingerprint, "counts": {"documents": len(documents), "chunks": len(chunks),
                                              "sentences": len(sentences)},
            "skipped": skipped,
            "documents": {doc.id: text_hash(doc) for doc in documents},
            "dense": dense_structure, "query_encoder": query_encoder,
            "files": {path.relative_to(staging).as_posix(): _file_digest(path)
                      for path in sorted(staging.rglob("*")) if path.is_file()},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    say(f"Index written to {target}")
    return Index({d.id: d for d in documents}, sentences, chunks, dense, sentence_vectors, bm25,
                 manifest)


def check_index(settings: Settings, embedder_name: str) -> dict:
    """Return the index manifest if the index on disk matches corpus, model and settings.

    Raises:
        IndexMissingError: no index has been built at ``settings.index_dir``.
        StaleIndexError: the index was built from something else, or a file is damaged.
    """
    path = Path(settings.index_dir) / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"no index at {settings.index_dir}; build it with "
                                "`python -m assistant index` (or `make run`, which builds it)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict):
        raise StaleIndexError(f"the index manifest {path} is unreadable; {REBUILD_HINT}")
    problems = []
    if manifest.get("format") != FORMAT:
        problems.append(f"format {manifest.get('format')} (expected {FORMAT})")
    if manifest.get("model") != embedder_name:
        problems.append(f"model {manifest.get('model')!r} (expected {embedder_name!r})")
    if manifest.get("settings") != index_settings(settings):
        problems.append("other chunk settings")
    counts = manifest.get("counts")
    chunk_count = counts.get("chunks") if isinstance(counts, dict) else None
    chunk_count = chunk_count if isinstance(chunk_count, int) else 0
    # An index from before the structure was chosen by size has no "dense" entry: it is exact.
    if manifest.get("dense", dense_spec(settings, 0)) != dense_spec(settings, chunk_count):
        problems.append("another dense index structure")
    corpus = corpus_fingerprint(settings.corpus_dir)
    if manifest.get("corpus") != corpus:
        problems.append("another version of the corpus" + _corpus_changes(manifest.get("corpus"),
                                                                           corpus))
    files = manifest.get("files")
    if isinstance(files, dict) and files:
        for name, digest in files.items():
            damage = _damage(Path(settings.index_dir), name, digest)
            if damage:
                problems.append(f"a missing or damaged file {name} ({damage})")
    else:
        problems.append("no file list")
    if problems:
        raise StaleIndexError(f"the index at {settings.index_dir} was built from "
                              f"{'; '.join(problems)}; {REBUILD_HINT}")
    return manifest


def load_index(settings: Settings, embedder_name: str) -> Index:
    """Load a checked index (see :func:`check_index`); texts are re-cut from the corpus."""
    import faiss

    manifest = check_index(settings, embedder_name)
    root = Path(settings.index_dir)
    # Bad documents are skipped exactly as the build skipped them (the corpus is unchanged).
    documents = {d.id: d for d in load_corpus(settings.corpus_dir, [])}
    sentences = [Sentence(r["id"], r["doc_id"], r["start"], r["end"],
                          documents[r["doc_id"]].text[r["start"]:r["end"]])
                 for r in _read_jsonl(root / "sentences.jsonl")]
    chunks = [Chunk(r["id"], r["doc_id"], r["start"], r["end"],
                    documents[r["doc_id"]].text[r["start"]:r["end"]], tuple(r["sentence_ids"]))
              for r in _read_jsonl(root / "chunks.jsonl")]
    dense = configure(faiss.read_index(str(root / "dense.faiss")), manifest.get("dense") or {})
    vectors = np.load(root / "sentences.npy", allow_pickle=False)
    bm25 = BM25Reader.load(root / "bm25")  # bm25s's files, read without importing scipy
    return Index(documents, sentences, chunks, dense, vectors, bm25, manifest)


def _corpus_changes(built: object, now: dict[str, str]) -> str:
    """" (changed: a.txt; missing: b.txt)": how the corpus differs from the one indexed."""
    if not isinstance(built, dict):
        return ""
    absent = (None, "missing")
    groups = {
        "changed": [n for n in now if built.get(n) not in absent and now[n] not in absent
                    and built[n] != now[n]],
        "missing": [n for n in now if now[n] == "missing" and built.get(n) != "missing"],
        "new": [n for n in now if built.get(n) in absent and now[n] not in absent],
        "no longer listed": [n for n in built if n not in now],
    }
    parts = [f"{what}: {', '.join(names)}" for what, names in groups.items() if names]
    return f" ({'; '.join(parts)})" if parts else ""


def _damage(root: Path, name: object, digest: object) -> str:
    """What is wrong with one listed index file, or "" if it matches its size and hash."""
    if not isinstance(name, str) or Path(name).is_absolute() or ".." in Path(name).parts:
        return "not a file of the index"
    actual = _file_digest(root / name)
    if actual == digest:
        return ""
    if actual == "missing":
        return "missing"
    size, expected = actual.split(":")[0], str(digest).split(":")[0]
    if size != expected:
        return f"{size} bytes, expected {expected}"
    return "same size, other content"


def _remove_leftovers(target: Path) -> None:
    """Remove staging and old folders that a killed build left beside the index (lock held)."""
    for pattern in (f".{target.name}-build-*", f".{target.name}-old-*"):
        for path in target.parent.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _swap_in(staging: Path, target: Path) -> None:
    # With an exchange, readers see the old index or the new one, never no index at all.
    if target.is_dir() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old index
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
