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


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Load every document listed in ``corpus_dir/manifest.jsonl``.

    Raises:
        CorpusError: naming the manifest line that is malformed, points to a missing file,
            or gives an impossible span.
    """
    manifest = Path(corpus_dir) / MANIFEST
    if not manifest.is_file():
        raise CorpusError(f"no corpus manifest at {manifest}")
    sources: dict[str, str] = {}
    documents: list[Document] = []
    seen: set[str] = set()
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{manifest}:{number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(entry, dict):
            raise CorpusError(f"{where}: expected a JSON object")
        missing = [key for key in REQUIRED if key not in entry]
        if missing:
            raise CorpusError(f"{where}: missing field(s) {', '.join(missing)}")
        if entry["id"] in seen:
            raise CorpusError(f"{where}: duplicate document id {entry['id']!r}")
        seen.add(entry["id"])
        source = entry["source"]
        if source not in sources:
            path = Path(corpus_dir) / source
            if not path.is_file():
                raise CorpusError(f"{where}: source file {source!r} not found in {corpus_dir}")
            try:
                sources[source] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise CorpusError(f"{where}: source file {source!r} is not valid UTF-8") from None
        text = sources[source]
        start, end = entry["start"], entry["end"]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise CorpusError(f"{where}: impossible span [{start}, {end}) for {source!r} "
                              f"of {len(text)} characters")
        documents.append(_document(entry, text[start:end]))
    if not documents:
        raise CorpusError(f"{manifest} lists no documents")
    return documents


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
                      for r in entry.get("remarks", [])))


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """SHA-256 of the manifest and of every file it names, keyed by file name."""
    corpus_dir = Path(corpus_dir)
    names = {MANIFEST}
    manifest = corpus_dir / MANIFEST
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            try:
                names.add(json.loads(line)["source"])
            except (ValueError, KeyError, TypeError):
                continue
    return {name: _sha256(corpus_dir / name) for name in sorted(names)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
