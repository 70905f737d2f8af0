"""Turns files a user adds into manifest entries: finds them, reads them, checks their metadata."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .cite import GUESSED
from .errors import InputError
from .formats import FORMATS, extract, format_of
from .metadata import guess_date, is_dateline, is_sidecar, parse_metadata, read_sidecar, sidecars_of

# Added documents live in this folder of the corpus: NAME.txt (the text every offset points
# into) and, when it differs from that text, the file as it was added.
DOCUMENTS = "documents"
_CITATION_KEYS = ("source", "archive", "original", "translator", "url")


@dataclass(frozen=True)
class Skipped:
    """A file left out, and why (one line, said to the user)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Prepared:
    """A document ready to be written into the corpus.

    Attributes:
        entry: Its manifest line.
        text: The text stored as ``entry["source"]``.
        original: The file's bytes, stored as ``entry["file"]`` when that is set.
        path: Where it was added from.
    """

    entry: dict
    text: str
    original: bytes
    path: Path


def collect_files(paths: Iterable[Path]) -> tuple[list[tuple[Path, Path | None]], list[Skipped]]:
    """The documents named by ``paths`` (files, or folders searched recursively) with their sidecars.

    Hidden files and folders are ignored. A sidecar (``NAME.meta.json`` / ``.meta.yaml``) beside a
    document is its metadata, whether or not it was named.

    Returns:
        (document, sidecar or None) pairs in a stable order, and the paths skipped with why.
    """
    found: list[Path] = []
    skipped: list[Skipped] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file()
                         and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            found.append(path)
        else:
            skipped.append(Skipped(str(path), "no such file or folder"))
    documents: list[Path] = []
    sidecars: set[Path] = set()
    seen: set[Path] = set()
    for path in found:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        if is_sidecar(path):
            sidecars.add(path.resolve())
        elif format_of(path) is not None:
            documents.append(path)
        else:
            skipped.append(Skipped(str(path), f"unsupported file type {path.suffix or '(none)'!r} "
                                              f"(supported: {', '.join(sorted(FORMATS))})"))
    pairs: list[tuple[Path, Path | None]] = []
    used: set[Path] = set()
    for path in documents:
        beside = [s for s in sidecars_of(path) if s.is_file()]
        used.update(s.resolve() for s in beside)
        if len(beside) > 1:
            skipped.append(Skipped(str(path), "more than one metadata file: "
                                              + ", ".join(s.name for s in beside) + "; keep one"))
            continue
        pairs.append((path, beside[0] if beside else None))
    for sidecar in sorted(sidecars - used):
        skipped.append(Skipped(str(sidecar), "metadata file of no document being added (name it "
                                             "after its document: letter.pdf → letter.meta.json)"))
    return pairs, skipped


def content_hash(text: str) -> str:
    """SHA-256 of a text with its spacing normalised: two copies of one document hash alike."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def prepare(path: Path, sidecar: Path | None, max_bytes: int, taken_ids: Callable[[str], bool]
            ) -> Prepared:
    """Read one document file and build its manifest entry.

    Args:
        path: The document file.
        sidecar: Its metadata file, if any (it overrides front matter).
        max_bytes: Larger files are refused.
        taken_ids: True for an id already used (in the corpus or by this batch).

    Raises:
        InputError: the file is too large, unreadable, empty or its metadata is bad.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:g} MB "
                         "(setting ASSISTANT_MAX_DOCUMENT_MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise InputError("the file is empty")
    extracted = extract(path, data)
    meta = parse_metadata(extracted.front_matter, "front matter")
    if sidecar is not None:
        meta.update(read_sidecar(sidecar))
    doc_id = meta.get("id") or unique_id(slug(path.stem), taken_ids)
    if taken_ids(doc_id):
        raise InputError(f"id {doc_id!r} is already used by a document of the corpus")
    text = extracted.text
    date, dates = meta.get("date"), []
    if date is None:
        date = guess_date(text)
        dates = [{"date": date, "what": GUESSED}] if date else []
    sender, recipient = meta.get("sender"), meta.get("recipient")
    entry = {
        "id": doc_id, "source": f"{DOCUMENTS}/{doc_id}.txt", "start": 0, "end": len(text),
        "title": meta.get("title") or extracted.title or _first_line(text) or path.stem,
        "kind": meta.get("kind") or ("letter" if sender and recipient else "document"),
        "sender": sender, "recipient": recipient, "date": date, "dates": dates,
        "replies_to": meta.get("reply_to", []),
        "citation": {("publication" if key == "source" else key): meta[key]
                     for key in _CITATION_KEYS if meta.get(key)} | {"file": path.name},
    }
    if meta.get("addressed_as"):
        entry["addressed_as"] = meta["addressed_as"]
    if extracted.pages:
        entry["pages"] = [list(page) for page in extracted.pages]
    stored = (text + "\n").encode("utf-8")
    if data != stored:  # keep the file as it was added beside the text cut from it
        suffix = ".original.txt" if extracted.format == "text" else path.suffix.lower()
        entry["file"] = f"{DOCUMENTS}/{doc_id}{suffix}"
    return Prepared(entry, text, data, path)


def check_replies(prepared: list[Prepared], known_ids: set[str]) -> tuple[list[Prepared],
                                                                          list[Skipped]]:
    """Refuse documents whose reply-to names no document of the corpus or of the batch."""
    kept, skipped = [], []
    ids = known_ids | {p.entry["id"] for p in prepared}
    for item in prepared:
        unknown = [r for r in item.entry["replies_to"] if r not in ids]
        if unknown:
            skipped.append(Skipped(str(item.path), f"reply-to names no document of the corpus: "
                                                   f"{', '.join(unknown)} (see `python -m assistant list`)"))
        else:
            kept.append(item)
    return kept, skipped


def slug(name: str) -> str:
    """A document id from a file name: 'Kovalev Letter (1949)' → 'kovalev-letter-1949'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "document"


def unique_id(base: str, taken: Callable[[str], bool]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is free."""
    candidate, number = base, 1
    while taken(candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _first_line(text: str) -> str:
    """The first line that is not a dateline, as a title (cut at a word after 100 characters)."""
    line = next((line.strip() for line in text.split("\n")
                 if line.strip() and not is_dateline(line)), "")
    if len(line) <= 100:
        return line
    return line[:100].rsplit(" ", 1)[0] + "\u2026"
