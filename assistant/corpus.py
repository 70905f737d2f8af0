"""Reads corpus/manifest.jsonl and cuts each document's text out of its source file."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .errors import CorpusError
from .records import DatedAs, Document

MANIFEST = "manifest.jsonl"
# Lines a web page adds around a document; they are kept in the text (offsets stay true) but not indexed.
NAVIGATION_LINE = re.compile(r"^[ \t]*(Click here\b.*|Return to\b.*|Back to top\b.*)$", re.M | re.I)
REQUIRED = ("id", "source", "start", "end", "title", "kind")


def load_corpus(corpus_dir: Path, problems: list[str] | None = None) -> list[Document]:
    """Load every document listed in ``corpus_dir/manifest.jsonl``.

    Args:
        corpus_dir: Folder holding ``manifest.jsonl`` and the source files it names.
        problems: If given, a bad manifest line does not stop loading: its problem (naming the
            line) is appended here, the document is skipped and the others are loaded.
            If ``None``, the first bad line raises.

    Raises:
        CorpusError: naming the manifest line that is malformed, points to a missing file,
            or gives an impossible span (only the first, and only without ``problems``); or
            when the manifest is missing or no valid document remains.
    """
    manifest = Path(corpus_dir) / MANIFEST
    if not manifest.is_file():
        raise CorpusError(f"no corpus manifest at {manifest}")
    sources: dict[str, str | CorpusError] = {}
    documents: list[Document] = []
    seen: set[str] = set()
    for number, raw in enumerate(manifest.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            document = _read_entry(raw, f"{manifest}:{number}", Path(corpus_dir), sources, seen)
        except CorpusError as exc:
            if problems is None:
                raise
            problems.append(str(exc))
            continue
        seen.add(document.id)
        documents.append(document)
    if not documents:
        raise CorpusError(f"{manifest} lists no documents" if not problems else
                          f"{manifest} lists no valid document ({len(problems)} skipped)")
    return documents


def _read_entry(raw: bytes, where: str, corpus_dir: Path, sources: dict[str, str | CorpusError],
                seen: set[str]) -> Document:
    """The Document of one manifest line; a CorpusError names the line and what is wrong."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CorpusError(f"{where}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(entry, dict):
        raise CorpusError(f"{where}: expected a JSON object")
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise CorpusError(f"{where}: missing field(s) {', '.join(missing)}")
    if not isinstance(entry["id"], str) or not entry["id"].strip():
        raise CorpusError(f"{where}: the id must be a non-empty string, got {entry['id']!r}")
    if entry["id"] in seen:
        raise CorpusError(f"{where}: duplicate document id {entry['id']!r}")
    source = entry["source"]
    if not isinstance(source, str):
        raise CorpusError(f"{where}: the source must be a file name, got {source!r}")
    if source not in sources:
        sources[source] = _read_source(corpus_dir, source)
    text = sources[source]
    if isinstance(text, CorpusError):
        raise CorpusError(f"{where}: {text}")
    start, end = entry["start"], entry["end"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise CorpusError(f"{where}: impossible span [{start}, {end}) for {source!r} "
                          f"of {len(text)} characters")
    try:
        return _document(entry, text[start:end])
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise CorpusError(f"{where}: malformed field ({type(exc).__name__}: {exc})") from None


def _read_source(corpus_dir: Path, source: str) -> str | CorpusError:
    """The text of a source file, or the error to report for every line that names it."""
    path = corpus_dir / source
    if not path.is_file():
        return CorpusError(f"source file {source!r} not found in {corpus_dir}")
    if not path.resolve().is_relative_to(corpus_dir.resolve()):
        return CorpusError(f"source file {source!r} is outside the corpus folder {corpus_dir}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return CorpusError(f"source file {source!r} is not valid UTF-8")


def _document(entry: dict, text: str) -> Document:
    skipped = tuple((m.start(), m.end()) for m in NAVIGATION_LINE.finditer(text))
    return Document(
        id=entry["id"], source=entry["source"], start=entry["start"], end=entry["end"], text=text,
        title=entry["title"], kind=entry["kind"], sender=entry.get("sender"),
        recipient=entry.get("recipient"), addressed_as=entry.get("addressed_as"),
        date=entry.get("date"),
        dates=tuple(DatedAs(d["date"], d["what"]) for d in entry.get("dates", [])),
        replies_to=tuple(entry.get("replies_to", [])), continues=entry.get("continues"),
        citation=dict(entry.get("citation", {})), skipped=skipped,
        body_start=int(entry.get("body_start", 0)), aliases=tuple(entry.get("aliases", [])),
        remarks=tuple((int(r["start"]), int(r["end"]), str(r["note"]))
                      for r in entry.get("remarks", [])),
        pages=tuple((int(offset), str(label)) for offset, label in entry.get("pages", [])))


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """SHA-256 of the manifest and of every file it names, keyed by file name."""
    corpus_dir = Path(corpus_dir)
    names = {MANIFEST}
    manifest = corpus_dir / MANIFEST
    if manifest.is_file():
        for line in manifest.read_bytes().splitlines():
            try:
                names.add(str(json.loads(line)["source"]))
            except (ValueError, KeyError, TypeError):  # a bad line is reported by load_corpus
                continue
    return {name: _sha256(corpus_dir / name) for name in sorted(names)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
