"""The named API of the web app: ``/answer`` and ``/document``, for gradio_client and as MCP tools.

No ``from __future__ import annotations`` here: Gradio reads these functions' type hints at
run time to describe the endpoints, and needs real types rather than strings.
"""
from collections.abc import Callable, Mapping

import gradio as gr

from .errors import AssistantError
from .filters import make_filters
from .reading_room import LazyAssistant, api_answer, document_record
from .records import Document


def make_api(assistant: LazyAssistant, documents: Callable[[], Mapping[str, Document]],
             ) -> tuple[Callable[..., dict], Callable[[str], dict]]:
    """The two endpoint functions, bound to one assistant.

    Args:
        assistant: Answers the questions.
        documents: Returns the documents of the archive as they are now (uploads add some).

    Their names and docstrings are what API pages and MCP clients show, so they are written
    for them.
    """

    def answer(question: str, earlier_questions: list[str] | None = None, date_from: str = "",
            date_to: str = "", senders: list[str] | None = None,
            recipients: list[str] | None = None, doc_ids: list[str] | None = None) -> dict:
        """Answer a question about the Stalin-Mao telegrams of January 1949 with verbatim, cited quotes.

        The answer is made only of exact excerpts from the archive's documents; when the
        documents do not answer, "abstained" is true and the nearest passages are given.
        The result has: question, answer (a one-line lead), abstained, quotes (each with doc_id,
        title, date, text, start, end, citation, score; text is document.text[start:end]),
        notes and latency_ms.

        Args:
            question: The question in plain English, e.g. "What did Mao propose on 13 January?".
            earlier_questions: Earlier questions of this conversation, oldest first, for follow-ups.
            date_from: Only documents dated on or after this day, as YYYY-MM-DD (e.g. 1949-01-13).
            date_to: Only documents dated on or before this day, as YYYY-MM-DD.
            senders: Only documents written by these, e.g. ["Stalin"] or ["Mao Zedong"].
            recipients: Only documents addressed to these, e.g. ["Stalin"].
            doc_ids: Only these documents, by the ids quotes give, e.g. ["rd-3", "rd-4"].
        """
        try:
            filters = make_filters(date_from, date_to, senders or (), recipients or (), doc_ids or ())
            return api_answer(assistant, question, earlier_questions or (), filters)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    def document(doc_id: str) -> dict:
        """Read one document of the archive in full, with its metadata.

        The result has: id, title, kind, sender, recipient, addressed_as, date, dates, replies_to,
        continues, citation (publication, archive, original, translator, url) and the full text;
        the [start, end) offsets of quotes point into this text.

        Args:
            doc_id: The document id, as given in the quotes of an answer (e.g. "rd-3").
        """
        known = documents()
        if doc_id not in known:
            raise gr.Error(f"no document {doc_id!r}; known: {', '.join(sorted(known))}")
        return document_record(known[doc_id])

    return answer, document
