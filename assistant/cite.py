"""Human-readable dates, document descriptions and citation strings built from manifest metadata."""
from __future__ import annotations

from .records import Document

GUESSED = "guessed"
"""The ``what`` of a date guessed from the document's text rather than given (assistant/metadata.py)."""
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def format_date(iso: str | None) -> str:
    """'1949-01-13' → '13 January 1949'; '1997-09' → 'September 1997'; None → ''."""
    if not iso:
        return ""
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


def date_text(doc: Document) -> str:
    """The document's date with any other date it carries: '13 January 1949 (signed 12 January)'."""
    if not doc.date:
        return ""
    extra = [f"{d.what} {_short(d.date, doc.date)}" for d in doc.dates
             if d.date != doc.date and d.what in ("signed", "heading")]
    if any(d.what == GUESSED and d.date == doc.date for d in doc.dates):
        extra.append("date guessed from the text")
    return format_date(doc.date) + (f" ({'; '.join(extra)})" if extra else "")


def _short(iso: str, reference: str) -> str:
    full = format_date(iso)
    year = reference[:4]
    return full[: -len(year) - 1] if iso[:4] == year and full.endswith(year) else full


def parties(doc: Document) -> str:
    """'Mao Zedong to Stalin ("Fillipov")', or the author alone for introductions and notes."""
    if doc.sender and doc.recipient:
        recipient = doc.recipient
        if doc.addressed_as:
            recipient += f' ("{doc.addressed_as}")'
        return f"{doc.sender} to {recipient}"
    return doc.sender or ""


def describe(doc: Document) -> str:
    """One line naming a document: who to whom, what, when."""
    who = parties(doc)
    when = date_text(doc)
    if doc.kind in ("introduction", "notes"):
        return f"{doc.title}" + (f" by {who}" if who else "")
    return ", ".join(part for part in (who, doc.kind, when) if part)


def citation(doc: Document, start: int | None = None, end: int | None = None) -> str:
    """Full citation: description, publication, archive reference, translator, file and page.

    Args:
        doc: The document quoted.
        start, end: The quote's span in ``doc.text``; for a paged document (a PDF) the citation
            then names its page: "p. 3", or "pp. 3–4" across a page break.
    """
    cite = doc.citation
    parts = [describe(doc)]
    for key in ("publication", "archive"):
        if cite.get(key):
            parts.append(cite[key])
    if cite.get("original"):
        parts.append(f"from {cite['original']}")
    if cite.get("translator"):
        parts.append(f"translated by {cite['translator']}")
    if cite.get("file"):
        parts.append(f"file {cite['file']}")
    if start is not None and doc.pages:
        parts.append(pages_of(doc, start, start if end is None else end))
    return "; ".join(parts)


def pages_of(doc: Document, start: int, end: int) -> str:
    """'p. 3' or 'pp. 3–4': the pages of a paged document that ``[start, end)`` lies on."""
    first = _page_at(doc, start)
    last = _page_at(doc, max(start, end - 1))
    return f"p. {first}" if first == last else f"pp. {first}\u2013{last}"


def _page_at(doc: Document, offset: int) -> str:
    label = doc.pages[0][1]
    for page_start, page_label in doc.pages:
        if page_start > offset:
            break
        label = page_label
    return label


def short_name(doc: Document) -> str:
    """A few words for a tight space: 'No. 3' for numbered documents, else the kind ('Cable')."""
    head = doc.title.split(":")[0]
    return head if head.startswith("No.") else doc.kind.capitalize()


def document_label(doc: Document) -> str:
    """One line for menus: 'No. 3 — Mao Zedong to Stalin ("Fillipov"), telegram, 13 January 1949'."""
    head = doc.title.split(":")[0]
    return f"{head} \u2014 {describe(doc)}" if head.startswith("No.") else describe(doc)
