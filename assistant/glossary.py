"""Loads corpus/glossary.jsonl (people, places, organisations, terms) and expands queries with aliases."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError

GLOSSARY = "glossary.jsonl"


@dataclass(frozen=True)
class Entry:
    """One glossary entry: a canonical name, the other names it goes by, and a plain explanation."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    about: str
    voice: str | None = None
    """For a body that writes through a person (the CPC through Mao): that person's entry name."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def load_glossary(corpus_dir: Path) -> list[Entry]:
    """Read the glossary; a corpus without one simply has no aliases.

    Raises:
        CorpusError: naming the line of a malformed entry.
    """
    path = Path(corpus_dir) / GLOSSARY
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line.decode("utf-8"))  # invalid UTF-8 is a ValueError too
            voice = raw.get("voice") if isinstance(raw, dict) else None
            if voice is not None and not isinstance(voice, str):
                raise TypeError
            entries.append(Entry(raw["name"], raw.get("kind", "term"), tuple(raw.get("aliases", [])),
                                 raw.get("about", ""), voice))
        except (ValueError, KeyError, TypeError):
            raise CorpusError(f"{path}:{number}: expected an object with name, kind, aliases, about"
                             " (and optionally voice)") \
                from None
    return entries


def _pattern(name: str) -> re.Pattern:
    # Short all-capital names (KMT, CPC) must match in capitals; other names in any case.
    flags = 0 if (name.isupper() and len(name) <= 4) else re.I
    if re.match(r"\w", name) and name.isascii():  # CJK has no spaces: no word boundaries there
        return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", flags)
    return re.compile(re.escape(name), flags)


def _variant(a: str, b: str) -> bool:
    """Two spellings of one word: same first letter, one word each, at most two edits apart
    ("Filippov"/"Fillipov", "Vishinsky"/"Vyshinsky"), neither the other with an ending."""
    a, b = a.lower(), b.lower()
    if a[:1] != b[:1] or " " in a or " " in b or min(len(a), len(b)) < 5:
        return False
    if a.startswith(b) or b.startswith(a):  # the same word, inflected ("America", "Americans")
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= 2


class AliasTable:
    """Finds glossary entries named in text and lists the spellings the corpus itself uses."""

    def __init__(self, entries: list[Entry], corpus_text: str) -> None:
        self.entries = entries
        self._patterns = [(entry, [(n, _pattern(n)) for n in entry.names]) for entry in entries]
        self._in_corpus = {entry.name: [n for n, p in names if p.search(corpus_text)]
                           for entry, names in self._patterns}

    def mentioned(self, text: str) -> list[Entry]:
        """Entries any of whose names occur in ``text``, in glossary order."""
        return [entry for entry, names in self._patterns if any(p.search(text) for _, p in names)]

    def canonical(self, text: str, kind: str | None = None) -> list[str]:
        """Canonical names of the entries mentioned in ``text`` (optionally of one kind)."""
        return [e.name for e in self.mentioned(text) if kind is None or e.kind == kind]

    def expand(self, text: str) -> str:
        """``text`` followed by the corpus spellings of entries it names in a spelling the corpus lacks.

        "Yangtze" gains "Changjiang; Yangtse; Yangzi"; "Stalin", already the corpus's word, gains
        nothing, so common names do not drown the question; "Filippov", spelt so in one text,
        gains the other texts' spelling of the same word, "Fillipov".
        """
        extra = []
        for entry, names in self._patterns:
            used = [n for n, p in names if p.search(text)]
            if not used:
                continue
            if any(n in self._in_corpus[entry.name] for n in used):
                # Spelt as the archive spells it somewhere: add only the archive's other
                # spellings of that very word ("Filippov" in one text is "Fillipov" in another).
                wanted = [n for n in self._in_corpus[entry.name]
                          if any(_variant(n, u) for u in used)]
            else:
                wanted = self._in_corpus[entry.name] or [entry.name]
            for name in wanted:
                if not _pattern(name).search(text) and name not in extra:
                    extra.append(name)
        return text if not extra else f"{text} ({'; '.join(extra)})"

    def people_positions(self, text: str,
                         kinds: tuple[str, ...] = ("person",)) -> list[tuple[int, int, str]]:
        """(start, end, canonical name) for every mention of an entry of ``kinds`` (people by
        default) in ``text``, in order."""
        found = []
        for entry, names in self._patterns:
            if entry.kind not in kinds:
                continue
            for _, pattern in names:
                found.extend((m.start(), m.end(), entry.name) for m in pattern.finditer(text))
        return sorted(set(found))
