"""Reads a document's metadata (YAML front matter or a sidecar file) and guesses a missing date."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

from .dates import find_dates
from .errors import InputError

# Metadata keys a user may write, each with the other spellings accepted for it.
KEYS = {
    "id": (),
    "title": (),
    "kind": ("type",),
    "date": (),
    "sender": ("from", "author"),
    "recipient": ("to",),
    "addressed_as": (),
    "source": ("publication",),
    "archive": (),
    "url": (),
    "original": (),
    "translator": ("translated_by",),
    "reply_to": ("replies_to", "in_reply_to"),
}
_SPELLINGS = {alias: key for key, aliases in KEYS.items() for alias in (key, *aliases)}
SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")


def is_sidecar(path: Path) -> bool:
    """True for a metadata file (``NAME.meta.json``, ``.meta.yaml``, ``.meta.yml``)."""
    return Path(path).name.lower().endswith(SIDECAR_SUFFIXES)


def sidecars_of(path: Path) -> list[Path]:
    """The sidecar names that belong to a document: ``letter.pdf.meta.json`` or ``letter.meta.json``."""
    path = Path(path)
    return [path.with_name(base + suffix) for base in (path.name, path.stem)
            for suffix in SIDECAR_SUFFIXES]


def parse_metadata(raw: str, where: str) -> dict:
    """Parse a YAML or JSON mapping of metadata and check its keys and values.

    Args:
        raw: The front matter or sidecar text (JSON is valid YAML).
        where: Names the source in error messages ("front matter", "sidecar letter.meta.json").

    Returns:
        Canonical keys (see ``KEYS``) to values: strings, except ``date`` (ISO) and
        ``reply_to`` (a list of document ids).

    Raises:
        InputError: naming the bad key or value.
    """
    import yaml

    if not raw.strip():
        return {}
    try:
        # Every scalar read as the text written: "1951-02-30" then gets a date's error message,
        # not a YAML timestamp's, and "1951" stays a year, not a number.
        data = yaml.load(raw, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "syntax error"
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{where} is not valid YAML or JSON ({problem}{line})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a mapping of keys to values")
    found: dict = {}
    for key, value in data.items():
        name = _SPELLINGS.get(str(key).strip().lower().replace("-", "_").replace(" ", "_"))
        if name is None:
            raise InputError(f"{where}: unknown key {key!r} (known: {', '.join(KEYS)})")
        if value is None or value == "" or value == []:
            continue
        found[name] = _value(name, value, where)
    return found


def _value(name: str, value, where: str):
    if name == "date":
        return normalise_date(value, where)
    if name == "reply_to":
        ids = value if isinstance(value, list) else [value]
        if not all(isinstance(i, str | int) for i in ids):
            raise InputError(f"{where}: reply-to must be a document id or a list of them")
        return [str(i).strip() for i in ids]
    if isinstance(value, dict | list):
        raise InputError(f"{where}: {name} must be text, got {type(value).__name__}")
    text = " ".join(str(value).split())
    if name == "id" and not ID_PATTERN.match(text):
        raise InputError(f"{where}: id {text!r} may hold only letters, digits, '_' and '-' "
                         "(80 at most, starting with a letter or digit)")
    return text


def normalise_date(value: str, where: str) -> str:
    """An ISO date ('1949-01-13', '1949-01' or '1949') from a date written in any usual way."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        try:
            datetime.date.fromisoformat((text + "-01-01")[:10])
            return text
        except ValueError:
            pass
    found = [r for r in find_dates(text, 0) if r.precision in ("day", "month")]
    if len(found) == 1 and found[0].phrase.strip(" .,") == text.strip(" .,"):
        return found[0].first if found[0].precision == "day" else found[0].first[:7]
    raise InputError(f"{where}: date {text!r} is not a date (write it as 1949-01-13, 1949-01 or "
                     "13 January 1949)")


def guess_date(text: str) -> str | None:
    """The document's own date as its text gives it, or None.

    Letters carry their date on a short line of its own in the heading or beside the signature
    ("Moscow, 20 January 1949"); the body may mention other dates. So the first such dateline of
    the first three lines wins, then the last of the last five, then the first date anywhere.
    Only dates written with their year count (a year alone does not).
    """
    lines = [line for line in text.split("\n") if line.strip()]
    datelines = [line for line in lines if is_dateline(line)]
    head = [line for line in lines[:3] if line in datelines]
    tail = [line for line in lines[-5:] if line in datelines]
    if head:
        return _dates(head[0])[0]
    if tail:
        return _dates(tail[-1])[-1]
    found = _dates(text)
    return found[0] if found else None


def is_dateline(line: str) -> bool:
    """A short line that gives a date: "Moscow, 2 March 1951"."""
    return len(line.split()) <= 8 and bool(_dates(line))


def _dates(text: str) -> list[str]:
    # default_year=0 is no valid year: dates written without one are dropped.
    return [r.first if r.precision == "day" else r.first[:7]
            for r in find_dates(text, 0) if r.precision in ("day", "month")]


def read_sidecar(path: Path) -> dict:
    """Metadata of a sidecar file (JSON or YAML).

    Raises:
        InputError: the file is unreadable or its content is not valid metadata.
    """
    where = f"sidecar {Path(path).name}"
    try:
        raw = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{where} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{where} is not UTF-8 text") from None
    if Path(path).name.lower().endswith(".json"):
        try:
            json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    return parse_metadata(raw, where)
