"""Exports of an answer with its quotes and citations: Markdown, CSL-JSON and BibTeX.

Pure functions of the Answer and the Documents it quotes; the web UI offers them as downloads
and copyable text, the CLI prints them (``assistant ask --export FORMAT``).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from .records import Answer, Document, Quote

# CSL types by manifest kind; everything else is a plain "document".
CSL_TYPES = {"telegram": "personal_communication", "cable": "personal_communication",
             "letter": "personal_communication"}
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|])")
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([#+\-=])")
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                   "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}",
                   "~": r"\textasciitilde{}"}


def markdown_text(text: str) -> str:
    """``text`` on one line, escaped so Markdown shows it literally (no HTML, no emphasis, no list).

    Lighter than ``render.escape_markdown`` so the exported file stays readable as plain text:
    only characters that could change its meaning are escaped.
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def quoted_documents(answer: Answer) -> list[tuple[str, list[Quote]]]:
    """The documents ``answer`` quotes, in order of first quote, each with its quotes."""
    by_doc: dict[str, list[Quote]] = {}
    for quote in answer.quotes:
        by_doc.setdefault(quote.doc_id, []).append(quote)
    return list(by_doc.items())


def export_markdown(answer: Answer, documents: Mapping[str, Document] | None = None) -> str:
    """A self-contained Markdown note: the question, the lead, notes, then numbered quotes.

    ``documents`` is accepted for a uniform signature; the quotes carry their citations.
    """
    lines = [f"# {markdown_text(answer.question)}", "", markdown_text(answer.lead), ""]
    if answer.resolved_question:
        lines += [f"*Question read as:* {markdown_text(answer.resolved_question)}", ""]
    lines += [f"*Note:* {markdown_text(note)}" for note in answer.notes]
    if answer.notes:
        lines.append("")
    for number, quote in enumerate(answer.quotes, start=1):
        lines += [f"> \u201c{markdown_text(quote.text)}\u201d", ">",
                  f"> \u2014 [{number}] {markdown_text(quote.citation)} "
                  f"({markdown_text(quote.doc_id)}, characters {quote.start}\u2013{quote.end})", ""]
    lines.append("*Every quote is verbatim: characters [start, end) of the document named.*")
    return "\n".join(lines) + "\n"


def _names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r",\s*|\s+and\s+", value) if n.strip()]


def _annotation(quotes: list[Quote]) -> str:
    return "\n\n".join(f"\u201c{' '.join(q.text.split())}\u201d (characters {q.start}\u2013{q.end})"
                       for q in quotes)


def csl_item(doc: Document, quotes: list[Quote]) -> dict:
    """One CSL-JSON item for a quoted document; its quotes go in ``annote``."""
    item: dict = {"id": doc.id, "type": CSL_TYPES.get(doc.kind, "document"), "title": doc.title,
                  "genre": doc.kind}
    if doc.sender:
        item["author"] = [{"literal": doc.sender}]
    if doc.recipient:
        item["recipient"] = [{"literal": doc.recipient}]
    if doc.date:
        item["issued"] = {"date-parts": [[int(part) for part in doc.date.split("-")]]}
    cite = doc.citation
    if cite.get("publication"):
        item["container-title"] = cite["publication"]
    if cite.get("archive"):
        item["archive_location"] = cite["archive"]
    if cite.get("translator"):
        item["translator"] = [{"literal": name} for name in _names(cite["translator"])]
    if cite.get("original"):
        item["note"] = f"Original publication: {cite['original']}"
    if cite.get("url"):
        item["URL"] = cite["url"]
    item["annote"] = _annotation(quotes)
    return item


def export_csl_json(answer: Answer, documents: Mapping[str, Document]) -> str:
    """CSL-JSON (a JSON array, one item per quoted document) for Zotero, pandoc and friends."""
    items = [csl_item(documents[doc_id], quotes) for doc_id, quotes in quoted_documents(answer)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def bibtex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped, on one line."""
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in " ".join(text.split()))


def bibtex_entry(doc: Document, quotes: list[Quote]) -> str:
    """One ``@misc`` entry; names and title are double-braced so BibTeX keeps them as written."""
    key = re.sub(r"[^A-Za-z0-9:_-]", "-", doc.id)
    fields = [("title", f"{{{bibtex_escape(doc.title)}}}")]
    if doc.sender:
        fields.append(("author", f"{{{bibtex_escape(doc.sender)}}}"))
    if doc.date:
        parts = doc.date.split("-")
        fields += [("date", doc.date), ("year", parts[0])]
        if len(parts) > 1:
            fields.append(("month", BIBTEX_MONTHS[int(parts[1]) - 1]))
    cite = doc.citation
    if cite.get("publication"):
        fields.append(("howpublished", bibtex_escape(cite["publication"])))
    note = [doc.kind.capitalize() + (f" to {doc.recipient}" if doc.recipient else "") + "."]
    if cite.get("archive"):
        note.append(f"Archive reference: {cite['archive']}.")
    if cite.get("original"):
        note.append(f"Original publication: {cite['original']}.")
    if cite.get("translator"):
        note.append(f"Translated by {cite['translator']}.")
    fields.append(("note", bibtex_escape(" ".join(note))))
    if cite.get("url"):
        fields.append(("url", cite["url"].replace("{", "%7B").replace("}", "%7D")))
    fields.append(("annote", bibtex_escape(_annotation(quotes)).replace("\u2013", "--")))
    body = ",\n".join(f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
                      for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def export_bibtex(answer: Answer, documents: Mapping[str, Document]) -> str:
    """BibTeX, one entry per quoted document, in order of first quote."""
    return "\n".join(bibtex_entry(documents[doc_id], quotes)
                     for doc_id, quotes in quoted_documents(answer))


Exporter = Callable[[Answer, Mapping[str, Document]], str]
EXPORTS: dict[str, tuple[str, Exporter]] = {
    "markdown": (".md", export_markdown),
    "csl-json": (".json", export_csl_json),
    "bibtex": (".bib", export_bibtex),
}
"""Format name → (file extension, function)."""
