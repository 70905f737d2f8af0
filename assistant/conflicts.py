"""Notes where the documents disagree: a message with two dates, differing figures, remarked spans."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .cite import format_date
from .lexical import words
from .quotes import Scored
from .records import Document, Quote

# A figure: digits not part of a date or a year ("45 persons", "1,500,000 people", "three-fifths"
# is left alone: only digits are compared).
_FIGURE = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w.,-]*\d)(?!th|st|nd|rd)")
_NEAR = 6  # words on each side of a figure that say what it counts


def short_name(doc: Document) -> str:
    """'No. 3 (Mao Zedong to Stalin, 13 January 1949)' or the title for other documents."""
    head = doc.title.split(":")[0] if doc.title.startswith("No.") else doc.title
    who = f"{doc.sender} to {doc.recipient}" if doc.sender and doc.recipient else doc.sender
    when = format_date(doc.date)
    details = ", ".join(part for part in (who, when) if part)
    return f"{head} ({details})" if details else head


def date_notes(documents: list[Document]) -> list[str]:
    """For each document whose heading and signature give different dates, say so."""
    notes = []
    for doc in documents:
        heading = [d.date for d in doc.dates if d.what == "heading"]
        signed = [d.date for d in doc.dates if d.what == "signed"]
        if heading and signed and heading[0] != signed[0]:
            notes.append(f"{short_name(doc)} is headed {format_date(heading[0])} but signed "
                         f"{format_date(signed[0])}; both dates are the document's own.")
    return notes


def remark_notes(quotes: list[Quote], documents: dict[str, Document]) -> list[str]:
    """The manifest's editorial remarks on any span a quote includes."""
    notes = []
    for quote in quotes:
        for start, end, note in documents[quote.doc_id].remarks:
            if start < quote.end and quote.start < end and note not in notes:
                notes.append(note)
    return notes


@dataclass(frozen=True)
class Figure:
    """A number in a sentence with the words around it (what it counts)."""

    value: str
    context: frozenset[str]


def figures(text: str) -> list[Figure]:
    """Numbers in ``text`` that are not years or dates, each with its neighbouring words."""
    found = []
    for match in _FIGURE.finditer(text):
        value = match.group(1)
        number = int(value.replace(",", ""))
        if 1000 <= number <= 2100 and "," not in value:  # a year
            continue
        if not re.match(r"\s+[A-Za-z]", text[match.end():]):
            continue  # a figure counts something named right after it ("45 persons")
        if re.search(r"\b(?:No|Nos|pp?|Vol|Volume|Ll|Op|F|D|Document|article|point)\.?\s*$",
                     text[:match.start()], re.I):
            continue  # a reference number, not a count
        if re.match(r"\s*(?:st|nd|rd|th)?\s*(?:of\s+)?(?:January|February|March|April|May|June|July|"
                    r"August|September|October|November|December)", text[match.end():]):
            continue  # a day of the month
        before = text[:match.start()].split()[-_NEAR:]
        after = text[match.end():].split()[:_NEAR]
        found.append(Figure(value, frozenset(words(" ".join(before + after)))))
    return found


def figure_conflict(topic: set[str], candidates: list[Scored], documents: dict[str, Document],
                    depth: int = 30) -> tuple[str, Scored, Scored] | None:
    """Two sentences from different documents giving different figures for the same thing.

    "The same thing" means both figures sit near the same topic word of the question. Only the
    best ``depth`` candidates are compared; the first pair found, in rank order, is returned.
    """
    pool = [(s, figures(s.sentence.text)) for s in candidates[:depth]]
    for i, (first, first_figures) in enumerate(pool):
        for fig_a in first_figures:
            shared_topic = fig_a.context & topic
            if not shared_topic:
                continue
            for second, second_figures in pool[i + 1:]:
                if second.sentence.doc_id == first.sentence.doc_id:
                    continue
                for fig_b in second_figures:
                    if fig_b.value != fig_a.value and fig_b.context & shared_topic:
                        a = documents[first.sentence.doc_id]
                        b = documents[second.sentence.doc_id]
                        note = (f"The documents give different figures: {fig_a.value} in "
                                f"{short_name(a)} and {fig_b.value} in {short_name(b)}.")
                        return note, first, second
    return None
