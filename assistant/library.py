"""Adds documents to a corpus, removes them and lists them; each change is staged, then swapped in.

A change never edits the corpus or the index in place: the corpus folder is staged beside itself
(hard links to the files it keeps, new files written fresh), the index is built from the staged
corpus reusing the vectors of unchanged documents, and only then are both folders swapped in.
So a failed add or remove leaves corpus and index exactly as they were.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .cite import GUESSED
from .corpus import MANIFEST, load_corpus
from .embed import Embedder
from .errors import AssistantError, IndexMissingError, InputError, StaleIndexError
from .incremental import reusable_segments, text_hash
from .index import _exchange, build_index, index_lock, index_settings
from .ingest import Prepared, Skipped, check_replies, collect_files, content_hash, prepare
from .records import Document
from .settings import Settings

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Change:
    """What an add or remove did."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    reused: int = 0
    """Documents whose vectors were reused from the previous index."""
    embedded: int = 0
    """Documents segmented and embedded anew."""


@dataclass(frozen=True)
class Listed:
    """One document of the corpus, with its number of chunks in the index (None: not indexed)."""

    document: Document
    chunks: int | None


def add_documents(settings: Settings, paths: Iterable[Path], embedder: Embedder,
                  progress: Progress | None = None) -> Change:
    """Add document files (or folders of them) to ``settings.corpus_dir`` and update the index.

    A file that cannot be read, is empty, has bad metadata or duplicates a document already
    present is skipped and reported; the others are added. If nothing can be added, nothing
    changes.

    Args:
        settings: Where the corpus and the index are, and the size limit.
        paths: Files and folders (searched recursively).
        embedder: Embeds the new documents' sentences and chunks.
        progress: Called with (fraction done, what is happening).

    Raises:
        AssistantError: the corpus or index cannot be updated (then neither has changed).
    """
    say = progress or (lambda fraction, message: None)
    pairs, skipped = collect_files(paths)
    with _locked(settings):
        corpus = Path(settings.corpus_dir)
        lines = _manifest_lines(corpus)
        ids = _ids(lines)
        present = {content_hash(doc.text): doc.id
                   for doc in (load_corpus(corpus, []) if ids else [])}
        prepared: list[Prepared] = []
        for number, (path, sidecar) in enumerate(pairs):
            say(0.3 * number / max(1, len(pairs)), f"Reading {path.name}")
            taken = ids | {p.entry["id"] for p in prepared}
            try:
                item = prepare(path, sidecar, settings.max_document_mb * 1_000_000,
                               taken.__contains__)
                _refuse_duplicate(item, present, prepared)
            except InputError as exc:
                skipped.append(Skipped(str(path), str(exc)))
                continue
            prepared.append(item)
        prepared, refused = check_replies(prepared, ids)
        skipped.extend(refused)
        if not prepared:
            return Change(skipped=tuple(skipped))
        files: dict[str, bytes] = {}
        for item in prepared:
            files[item.entry["source"]] = (item.text + "\n").encode("utf-8")
            if "file" in item.entry:
                files[item.entry["file"]] = item.original
        new_lines = lines + [json.dumps(item.entry, ensure_ascii=False) for item in prepared]
        reused, embedded = _commit(settings, embedder, new_lines, files, (), say)
    return Change(added=tuple(p.entry["id"] for p in prepared), skipped=tuple(skipped),
                  reused=reused, embedded=embedded)


def remove_documents(settings: Settings, doc_ids: Iterable[str], embedder: Embedder,
                     progress: Progress | None = None) -> Change:
    """Remove documents from the corpus and the index (their files go unless another uses them).

    Raises:
        InputError: an id is not in the corpus, or removing would leave the corpus empty.
    """
    say = progress or (lambda fraction, message: None)
    wanted = list(dict.fromkeys(doc_ids))
    with _locked(settings):
        corpus = Path(settings.corpus_dir)
        lines = _manifest_lines(corpus)
        ids = _ids(lines)
        unknown = [doc_id for doc_id in wanted if doc_id not in ids]
        if unknown:
            raise InputError(f"no document {', '.join(map(repr, unknown))} in {corpus}; "
                             "`python -m assistant list` shows the ids")
        kept = [line for line in lines if _entry(line).get("id") not in wanted]
        if not _ids(kept):
            raise InputError("cannot remove every document of the corpus: it would be empty")
        still_used = {name for line in kept for name in _files_of(_entry(line))}
        delete = sorted({name for line in lines if _entry(line).get("id") in wanted
                         for name in _files_of(_entry(line))} - still_used)
        reused, embedded = _commit(settings, embedder, kept, {}, delete, say)
    return Change(removed=tuple(wanted), reused=reused, embedded=embedded)


def list_documents(settings: Settings, model: str) -> tuple[list[Listed], str | None]:
    """The corpus's documents with their chunk counts, and a note if the index is not current.

    Args:
        settings: Where the corpus and the index are.
        model: The embedder's name (an index of another model is not current).
    """
    from .index import check_index

    documents = load_corpus(settings.corpus_dir, [])
    try:
        check_index(settings, model)
    except (IndexMissingError, StaleIndexError) as exc:
        return [Listed(doc, None) for doc in documents], str(exc)
    counts: dict[str, int] = {}
    with (Path(settings.index_dir) / "chunks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                doc_id = json.loads(line)["doc_id"]
                counts[doc_id] = counts.get(doc_id, 0) + 1
    return [Listed(doc, counts.get(doc.id, 0)) for doc in documents], None


def _refuse_duplicate(item: Prepared, present: dict[str, str], prepared: list[Prepared]) -> None:
    """Refuse a text already in the corpus (``present``: content hash → id) or in this batch."""
    digest = content_hash(item.text)
    if digest in present:
        raise InputError(f"duplicates document {present[digest]!r} already in the corpus")
    twin = next((p for p in prepared if content_hash(p.text) == digest), None)
    if twin:
        raise InputError(f"duplicates {twin.path.name}, added with it")


def _commit(settings: Settings, embedder: Embedder, manifest_lines: list[str],
            files: dict[str, bytes], delete: Iterable[str], say: Progress) -> tuple[int, int]:
    """Stage the new corpus, build its index, then swap both in; on any failure change nothing.

    Returns:
        (documents whose vectors were reused, documents embedded anew).
    """
    corpus, index = Path(settings.corpus_dir), Path(settings.index_dir)
    corpus.parent.mkdir(parents=True, exist_ok=True)
    index.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{corpus.name}-stage-", dir=corpus.parent))
    index_stage = Path(tempfile.mkdtemp(prefix=f".{index.name}-stage-", dir=index.parent))
    try:
        staged = stage / "new"
        if corpus.is_dir():
            shutil.copytree(corpus, staged, symlinks=True, copy_function=_link_or_copy)
        else:
            staged.mkdir()
        for name in delete:
            target = staged / name
            if target.resolve().is_relative_to(staged.resolve()):  # never outside the corpus
                target.unlink(missing_ok=True)
        for name, data in files.items():
            target = staged / name
            if target.exists():
                raise AssistantError(f"{corpus / name} already exists and is not listed in the "
                                     "manifest; move it away and add again")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        # Written through a new file: the staged manifest is a hard link to the live one.
        _write_new(staged / MANIFEST, "".join(line + "\n" for line in manifest_lines))
        say(0.35, "Indexing (only new or changed documents are embedded)")
        reuse = reusable_segments(index, index_settings(settings), embedder.name)
        # build_index's own lines would name the staging folder; the embedder shows its progress.
        built = build_index(settings.replace(corpus_dir=staged, index_dir=index_stage / "new"),
                            embedder, progress=False, reuse=reuse)
        reused = sum(text_hash(doc) in reuse for doc in built.documents.values())
        say(0.9, f"Indexed {len(built.documents)} documents: {len(built.chunks)} chunks, "
                 f"{len(built.sentences)} sentences ({len(built.documents) - reused} embedded, "
                 f"{reused} unchanged reused)")
        say(0.95, "Swapping in the new corpus and index")
        _put_in_place(staged, corpus, stage / "old")
        try:
            _put_in_place(index_stage / "new", index, index_stage / "old")
        except BaseException:
            _put_in_place(stage / "old", corpus, stage / "failed")  # the corpus as it was
            raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(index_stage, ignore_errors=True)
    say(1.0, "Done")
    return reused, len(built.documents) - reused


@contextmanager
def _locked(settings: Settings) -> Iterator[None]:
    """Hold the locks of the corpus and the index (waiting for a build or change in progress)."""
    def wait(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with index_lock(Path(settings.corpus_dir), on_wait=wait), \
            index_lock(Path(settings.index_dir), on_wait=wait):
        _recover(Path(settings.corpus_dir))
        yield


def _recover(corpus: Path) -> None:
    """Clear what a killed change left beside the corpus, restoring the corpus if it was moved."""
    for leftover in sorted(corpus.parent.glob(f".{corpus.name}-stage-*")):
        if not corpus.exists() and (leftover / "old").is_dir():
            (leftover / "old").rename(corpus)
        shutil.rmtree(leftover, ignore_errors=True)


def _put_in_place(staged: Path, target: Path, old: Path) -> None:
    """Move ``staged`` to ``target``; what was there goes to ``old`` (kept for a rollback)."""
    if target.exists():
        if _exchange(staged, target):  # one step: readers never find the folder missing
            staged.rename(old)
            return
        target.rename(old)
    staged.rename(target)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_new(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.new")
    tmp.write_text(text, encoding="utf-8", errors="surrogateescape")
    os.replace(tmp, path)


def _manifest_lines(corpus: Path) -> list[str]:
    """The manifest's lines as they are (a bad line is kept, never lost), blank ones dropped."""
    path = corpus / MANIFEST
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8", errors="surrogateescape")
            .splitlines() if line.strip()]


def _entry(line: str) -> dict:
    try:
        entry = json.loads(line)
    except ValueError:
        return {}
    return entry if isinstance(entry, dict) else {}


def _ids(lines: list[str]) -> set[str]:
    return {str(_entry(line)["id"]) for line in lines if "id" in _entry(line)}


def _files_of(entry: dict) -> list[str]:
    return [str(entry[key]) for key in ("source", "file") if entry.get(key)]


def listing_rows(listed: list[Listed]) -> list[dict]:
    """One plain dict per document for ``list --json`` and the tables of the CLI and the UI."""
    rows = []
    for item in listed:
        doc = item.document
        rows.append({"id": doc.id, "title": doc.title, "date": doc.date,
                     "date_guessed": any(d.what == GUESSED and d.date == doc.date
                                         for d in doc.dates),
                     "sender": doc.sender, "recipient": doc.recipient, "chunks": item.chunks,
                     "pages": len(doc.pages) or None})
    return rows


def listing_table(listed: list[Listed], title_width: int = 50) -> str:
    """The corpus as a text table: id, title, date, sender → recipient, chunks."""
    table = [("ID", "TITLE", "DATE", "SENDER \u2192 RECIPIENT", "CHUNKS")]
    for row in listing_rows(listed):
        title = row["title"] if len(row["title"]) <= title_width else \
            row["title"][:title_width - 1] + "\u2026"
        date = (row["date"] or "-") + (" (guessed)" if row["date_guessed"] else "")
        who = " \u2192 ".join(p for p in (row["sender"], row["recipient"]) if p) or "-"
        table.append((row["id"], title, date, who, "-" if row["chunks"] is None else str(row["chunks"])))
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=False))
                     + "  " + r[4].rjust(widths[4]) for r in table)


def change_summary(change: Change) -> str:
    """One sentence saying what an add or remove did."""
    parts = []
    if change.added:
        parts.append(f"added {len(change.added)} document(s): {', '.join(change.added)}")
    if change.removed:
        parts.append(f"removed {len(change.removed)} document(s): {', '.join(change.removed)}")
    if change.skipped:
        parts.append(f"skipped {len(change.skipped)} file(s)")
    if change.added or change.removed:
        parts.append(f"index updated ({change.embedded} document(s) embedded, "
                     f"{change.reused} unchanged reused)")
    else:
        parts.append("nothing changed")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
