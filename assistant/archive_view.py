"""The archive as the reading room shows it: documents, timeline, menus and the document viewer.

Documents come from the open assistant's index, so documents added through the upload panel
appear; before the model has loaded they are read from the corpus on disk (cheap, no model).
"""
from __future__ import annotations

from pathlib import Path

from .cite import format_date
from .corpus import load_corpus
from .filters import matching_documents
from .guide import document_choices
from .reading_room import LazyAssistant
from .records import Document, Filters
from .timeline import Timeline, timeline_html, timeline_layout
from .viewer import document_html, metadata_card_html


class ArchiveView:
    """Renders what the reading room shows of the archive, always from its current documents."""

    def __init__(self, assistant: LazyAssistant, corpus_dir: Path) -> None:
        self._assistant = assistant
        self._corpus_dir = Path(corpus_dir)
        self._on_disk: dict[str, Document] | None = None
        self._timeline: tuple[dict[str, Document], Timeline] | None = None

    def documents(self) -> dict[str, Document]:
        """The documents answers are drawn from now."""
        if self._assistant.ready:
            return self._assistant.get().index.documents
        if self._on_disk is None:
            self._on_disk = {d.id: d for d in load_corpus(self._corpus_dir)}
        return self._on_disk

    def timeline(self) -> Timeline:
        documents = self.documents()
        # Laid out again only when the assistant was reloaded on a new index.
        if self._timeline is None or self._timeline[0] is not documents:
            self._timeline = (documents, timeline_layout(documents.values()))
        return self._timeline[1]

    def timeline_html(self, selected: str | None = None,
                      filters: Filters | str | None = None) -> str:
        """The timeline with ``selected`` ringed and what ``filters`` leave out faded.

        ``filters`` may be the message of unusable filter values (a str): nothing is faded then.
        """
        documents = self.documents()
        allowed = matching_documents(documents, filters) if isinstance(filters, Filters) else None
        return timeline_html(self.timeline(), documents, selected, allowed)

    def viewer_html(self, doc_id: str | None, span: tuple[int, int] | None = None) -> str:
        """The metadata card and full text of ``doc_id``, ``span`` highlighted (or the invitation)."""
        documents = self.documents()
        doc = documents.get(doc_id) if doc_id else None
        return (metadata_card_html(doc, documents, span)
                + document_html(doc, *(span or (None, None))))

    def menus(self) -> dict[str, list]:
        """Choices of the filter and document menus: dates, senders, recipients, documents."""
        documents = self.documents().values()
        return {"dates": [(format_date(d), d) for d in sorted({d.date for d in documents if d.date})],
                "senders": sorted({d.sender for d in documents if d.sender}),
                "recipients": sorted({d.recipient for d in documents if d.recipient}),
                "documents": document_choices(self.documents())}
