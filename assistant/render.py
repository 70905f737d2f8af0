"""Renders an Answer for people (plain text, Markdown) and programs (the batch JSON schema)."""
from __future__ import annotations

import html

from .records import Answer


def answer_to_dict(answer: Answer, qid: str | None = None) -> dict:
    """The batch output line for an answer (schema in ../shared/eval/README.md)."""
    notes = list(answer.notes)
    if answer.resolved_question:
        notes.insert(0, f"Question read as: {answer.resolved_question}")
    out = {"id": qid} if qid is not None else {}
    out.update({
        "question": answer.question,
        "answer": answer.lead,
        "abstained": answer.abstained,
        "quotes": [{"doc_id": q.doc_id, "title": q.title, "date": q.date, "text": q.text,
                    "start": q.start, "end": q.end, "citation": q.citation, "score": q.score}
                   for q in answer.quotes],
        "notes": notes,
        "latency_ms": answer.latency_ms,
    })
    return out


def answer_to_text(answer: Answer) -> str:
    """Terminal output: the lead, then numbered quotes with their citations."""
    lines = [answer.lead]
    if answer.resolved_question:
        lines.append(f"(Question read as: {answer.resolved_question})")
    lines.extend(f"Note: {note}" for note in answer.notes)
    for number, quote in enumerate(answer.quotes, start=1):
        lines.append("")
        lines.append(f"[{number}] \u201c{' '.join(quote.text.split())}\u201d")
        lines.append(f"    \u2014 {quote.citation} "
                     f"[{quote.doc_id}, characters {quote.start}\u2013{quote.end}]")
    return "\n".join(lines)


def escape_markdown(text: str) -> str:
    """Escape text so Markdown renders it literally and no HTML in it is ever interpreted.

    Whitespace is collapsed to single spaces first: leading spaces would make a code block and a
    line of ``===`` under text a heading (the assistant reads the text collapsed, too).
    """
    text = html.escape(" ".join(text.split()), quote=False)
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|~" else ch for ch in text)


def answer_to_markdown(answer: Answer, full_citations: bool = True) -> str:
    """Chat output: the lead in bold, each quote a blockquote followed by its citation.

    Args:
        answer: The answer to show.
        full_citations: If False, each quote names only its document's title and id (the web
            reading room shows the full citation beside the chat, in the evidence panel).
    """
    parts = [f"**{escape_markdown(answer.lead)}**"]
    if answer.resolved_question:
        parts.append(f"*Question read as:* {escape_markdown(answer.resolved_question)}")
    parts.extend(f"*Note:* {escape_markdown(note)}" for note in answer.notes)
    for number, quote in enumerate(answer.quotes, start=1):
        body = " ".join(quote.text.split())
        parts.append(f"> {escape_markdown(body)}\n\n"
                     f"<sub>[{number}] "
                     f"{escape_markdown(quote.citation if full_citations else quote.title)} "
                     f"({escape_markdown(quote.doc_id)})</sub>")
    return "\n\n".join(parts)
