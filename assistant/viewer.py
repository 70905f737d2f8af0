"""HTML for the reading room: the evidence list, the document viewer with its highlight, the metadata card.

Every string that comes from a user or a document goes through ``html.escape``; the only markup
added is this module's own. A highlight wraps exactly ``text[start:end]`` of the document.
"""
from __future__ import annotations

import html
from collections.abc import Mapping

from .cite import date_text, document_label, format_date
from .records import Answer, Document

EVIDENCE_EMPTY = ("Ask a question: the quotes that answer it appear here, each with its source. "
                  "Choose a quote to read it in its document.")
VIEWER_EMPTY = ("Choose a quote in the evidence list, a point on the timeline or a document "
                "from the menu to read it here.")
HIGHLIGHT_ID = "quote-highlight"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def highlight_html(text: str, start: int | None = None, end: int | None = None) -> str:
    """``text`` escaped, with ``text[start:end]`` (if given) wrapped in one ``<mark>``.

    Raises:
        ValueError: if ``[start, end)`` is not a non-empty span inside ``text``.
    """
    if start is None and end is None:
        return _e(text)
    if start is None or end is None or not 0 <= start < end <= len(text):
        raise ValueError(f"highlight [{start}, {end}) is not a span of a {len(text)}-character text")
    return (f"{_e(text[:start])}<mark id=\"{HIGHLIGHT_ID}\" class=\"quote-mark\" tabindex=\"-1\">"
            f"<span class=\"sr-only\">Quoted passage begins: </span>{_e(text[start:end])}"
            f"<span class=\"sr-only\"> (quoted passage ends)</span></mark>{_e(text[end:])}")


def document_html(doc: Document | None, start: int | None = None, end: int | None = None) -> str:
    """The full text of ``doc`` in a scrollable article, the quote ``[start, end)`` highlighted."""
    if doc is None:
        return f'<p class="viewer-empty">{_e(VIEWER_EMPTY)}</p>'
    return (f'<article class="doc-text" aria-label="Full text of {_e(document_label(doc))}">'
            f"{highlight_html(doc.text, start, end)}</article>")


def _doc_button(doc: Document) -> str:
    return (f'<button type="button" class="doc-link" data-doc="{_e(doc.id)}">'
            f"{_e(document_label(doc))}</button>")


def metadata_card_html(doc: Document | None, documents: Mapping[str, Document],
                       quote_span: tuple[int, int] | None = None) -> str:
    """The card above the document: who to whom, dates, kind, source, translator, links.

    Args:
        doc: The document shown (None: an empty card).
        documents: All documents, to name the ones it replies to and the replies it got.
        quote_span: The highlighted ``[start, end)``, named on the card if given.
    """
    if doc is None:
        return ""
    rows: list[tuple[str, str]] = []
    if doc.sender and doc.recipient:
        recipient = _e(doc.recipient)
        if doc.addressed_as:
            recipient += f' <span class="muted">(addressed as \u201c{_e(doc.addressed_as)}\u201d)</span>'
        rows.append(("From \u2192 to", f"{_e(doc.sender)} \u2192 {recipient}"))
    elif doc.sender:
        rows.append(("By", _e(doc.sender)))
    # Heading and signing dates are part of date_text; other dates say what happened when.
    described = [d for d in doc.dates if d.what not in ("heading", "signed")]
    if doc.date:
        what = [d.what for d in described if d.date == doc.date]
        rows.append(("Date", _e(date_text(doc) + (f" ({'; '.join(what)})" if what else ""))))
    other = [d for d in described if d.date != doc.date]
    if other:
        rows.append(("Also dated", "; ".join(f"{_e(format_date(d.date))} ({_e(d.what)})"
                                             for d in other)))
    rows.append(("Kind", _e(doc.kind.capitalize())))
    cite = doc.citation
    for key, label in (("publication", "Published in"), ("archive", "Archive reference"),
                       ("original", "Original publication"), ("translator", "Translated by"),
                       ("file", "File")):
        if cite.get(key):
            rows.append((label, _e(cite[key])))
    if str(cite.get("url", "")).startswith(("https://", "http://")):
        rows.append(("Online", f'<a href="{_e(cite["url"])}" target="_blank" '
                               f'rel="noopener noreferrer">{_e(cite["url"])}</a>'))
    links = [("Continues", [doc.continues] if doc.continues else []),
             ("Replies to", list(doc.replies_to)),
             ("Answered by", [d.id for d in documents.values() if doc.id in d.replies_to]),
             ("Continued in", [d.id for d in documents.values() if d.continues == doc.id])]
    for label, ids in links:
        known = [documents[i] for i in ids if i in documents]
        if known:
            rows.append((label, " ".join(_doc_button(d) for d in known)))
    if doc.remarks:
        rows.append(("Editor's remarks", "<br>".join(
            f"\u201c{_e(doc.text[start:end])}\u201d: {_e(note)}" for start, end, note in doc.remarks)))
    rows.append(("Document id", f"<code>{_e(doc.id)}</code>"))
    if quote_span:
        rows.append(("Highlighted", f"characters {quote_span[0]}\u2013{quote_span[1]}"))
    body = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return (f'<section class="meta-card" aria-label="About this document">'
            f'<h3 class="meta-title" tabindex="-1">{_e(doc.title)}</h3><dl>{body}</dl></section>')


def evidence_html(answer: Answer | None) -> str:
    """The evidence panel: each quote of ``answer`` as a button that opens it in its document."""
    if answer is None:
        return f'<p class="evidence-empty">{_e(EVIDENCE_EMPTY)}</p>'
    head = (f'<p class="evidence-question">Evidence for <q>{_e(answer.question)}</q></p>'
            f'<p class="evidence-lead">{_e(answer.lead)}</p>')
    if not answer.quotes:
        return f'<section class="evidence" aria-label="Evidence">{head}</section>'
    items = []
    for number, quote in enumerate(answer.quotes, start=1):
        text = " ".join(quote.text.split())
        items.append(
            f'<li><button type="button" class="quote-card" data-quote="{number - 1}" '
            f'data-doc="{_e(quote.doc_id)}" data-date="{_e(quote.date or "")}">'
            f'<span class="quote-no">[{number}]</span> '
            f'<span class="quote-text">\u201c{_e(text)}\u201d</span> '
            f'<span class="quote-cite">\u2014 {_e(quote.citation)}</span> '
            f'<span class="quote-open">Show in the document '
            f'<span class="sr-only">({_e(quote.doc_id)}, characters {quote.start}\u2013{quote.end})'
            f"</span>\u2192</span></button></li>")
    label = "Nearest passages" if answer.abstained else "Quotes"
    return (f'<section class="evidence" aria-label="Evidence">{head}'
            f'<h3 class="evidence-heading">{label}</h3>'
            f'<ol class="quote-list">{"".join(items)}</ol></section>')


__all__ = ["HIGHLIGHT_ID", "document_html", "evidence_html", "highlight_html", "metadata_card_html"]
