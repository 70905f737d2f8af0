"""Assembles the Answer: the one-line lead from metadata, the quotes, and the notes."""
from __future__ import annotations

from .cite import describe
from .index import Index
from .records import Answer, Query, Quote

CANNOT_ANSWER = "The documents in this archive do not answer this question."


def write_lead(query: Query, quotes: list[Quote], abstained: bool, index: Index) -> str:
    """One plain sentence above the quotes, made only of metadata (who wrote to whom, when)."""
    if abstained:
        return CANNOT_ANSWER + (" The nearest passages are listed below." if quotes else "")
    if not quotes:
        return CANNOT_ANSWER
    first = index.documents[quotes[0].doc_id]
    others = list(dict.fromkeys(q.doc_id for q in quotes[1:] if q.doc_id != first.id))
    lead = f"{query.reply_context}: " if query.reply_context else ""
    if query.date_label and not query.reply_context:
        lead += f"For {query.date_label}: "
    lead += f"{_name(first)} — {describe(first)}"
    if others:
        lead += "; also quoted: " + "; ".join(_name(index.documents[d]) for d in others)
    return lead + "."


def _name(doc) -> str:
    head = doc.title.split(":")[0]
    return head if head.startswith("No.") else (doc.title if len(doc.title) < 60 else doc.kind.title())


def build_answer(question: str, query: Query, quotes: list[Quote], abstained: bool, index: Index,
                 latency_ms: float) -> Answer:
    """Assemble the Answer record with lead and notes."""
    notes = list(query.notes)
    resolved = None
    if query.resolved_from:
        resolved = f"{question} (read as a follow-up to: {query.resolved_from})"
    return Answer(question, write_lead(query, quotes, abstained, index), tuple(quotes), abstained,
                  tuple(notes), resolved, round(latency_ms, 2))
