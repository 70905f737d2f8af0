"""Typed records that flow between the pipeline stages (ingest → chunk → index → retrieve → answer)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DatedAs:
    """One date a document carries, with what it is (heading, signed, published…)."""

    date: str
    what: str


@dataclass(frozen=True)
class Document:
    """One document of the archive: its text is cut from a source file at ``[start, end)``.

    Every offset elsewhere in the system (chunks, sentences, quotes) points into ``text``.
    """

    id: str
    source: str
    start: int
    end: int
    text: str
    title: str
    kind: str
    sender: str | None = None
    recipient: str | None = None
    addressed_as: str | None = None
    """The name the text itself uses for the recipient (e.g. the pseudonym "Fillipov")."""
    date: str | None = None
    dates: tuple[DatedAs, ...] = ()
    replies_to: tuple[str, ...] = ()
    continues: str | None = None
    citation: dict = field(default_factory=dict, compare=False, hash=False)
    skipped: tuple[tuple[int, int], ...] = ()
    """Spans of ``text`` left out of the index (web-navigation lines)."""
    aliases: tuple[str, ...] = ()
    """Other ways people name this document ("the Izvestia statement"); "No. N" is read from the title."""
    remarks: tuple[tuple[int, int, str], ...] = ()
    """Editorial remarks on spans of ``text`` (start, end, note), e.g. a misprinted date."""
    body_start: int = 0
    """Where the document's own words begin; text before it is the publisher's front matter
    (an archive's citation block and summary), quotable but marked as such."""
    pages: tuple[tuple[int, str], ...] = ()
    """(offset in ``text``, page label) where each page of a PDF begins, for "p. 3" in citations."""


@dataclass(frozen=True)
class Sentence:
    """A sentence (or heading line) of a document: ``document.text[start:end] == text``."""

    id: int
    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A retrieval unit of whole consecutive sentences of one document."""

    id: int
    doc_id: str
    start: int
    end: int
    text: str
    sentence_ids: tuple[int, ...]


@dataclass(frozen=True)
class Query:
    """A question as understood: the text searched, plus what was read out of it."""

    question: str
    search_text: str
    dates: tuple[str, ...] = ()
    """ISO dates (first, last) of the date range the question asks about, if any."""
    date_label: str | None = None
    sender: str | None = None
    recipient: str | None = None
    prefer: tuple[tuple[str, float], ...] = ()
    """(doc_id, weight) of documents the question points to by date, sender or conversation."""
    date_uncovered: bool = False
    """The question names a date no document carries or mentions."""
    resolved_from: str | None = None
    """The earlier question a follow-up was resolved against, if any."""
    reply_context: str | None = None
    """Plain words naming the message being answered, for the lead (follow-ups)."""
    notes: tuple[str, ...] = ()
    consumed: tuple[str, ...] = ()
    """Phrases read as metadata (the date, the sender's name): not topic words for quote scoring."""
    restrict: tuple[str, ...] = ()
    """Documents the answer must come from (a follow-up resolved to definite messages, a filter)."""
    sides: tuple[str, ...] = ()
    """Two senders a question compares ("how did Stalin and Mao differ"): quote both."""
    read_on: tuple[tuple[str, int], ...] = ()
    """(doc_id, offset): continue reading a document after the passage already shown."""
    carried_topic: bool = False
    """A follow-up carries a subject from the earlier question (rank the resolved messages by it)."""
    mentions: tuple[tuple[str, int], ...] = ()
    """(doc_id, offset) where a text mentions the question's date when no document is dated
    then: the answer may only come from the paragraphs around them."""


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks it got from each retriever."""

    chunk_id: int
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Quote:
    """A verbatim excerpt: ``documents[doc_id].text[start:end] == text`` by construction."""

    doc_id: str
    start: int
    end: int
    text: str
    title: str
    date: str | None
    citation: str
    score: float


@dataclass(frozen=True)
class Answer:
    """What the user sees: a one-line lead, the quotes best first, and notes."""

    question: str
    lead: str
    quotes: tuple[Quote, ...]
    abstained: bool
    notes: tuple[str, ...] = ()
    resolved_question: str | None = None
    latency_ms: float = 0.0


@dataclass(frozen=True)
class Filters:
    """Restrictions on which documents may be searched and quoted; empty fields restrict nothing.

    Dates are ISO prefixes (``1949``, ``1949-01`` or ``1949-01-13``) compared with a document's
    main ``date``; while a date bound is set, undated documents (introductions, notes) are left out.
    Names are matched without regard to case. See ``assistant.filters`` for the rules.
    """

    date_from: str | None = None
    date_to: str | None = None
    senders: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.senders or self.recipients
                    or self.doc_ids)


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, kept to resolve follow-up questions."""

    question: str
    query: Query
    doc_ids: tuple[str, ...]
    abstained: bool
    spans: tuple[tuple[str, int, int], ...] = ()
    """(doc_id, start, end) of the quotes shown, so "what next?" can read on from them."""
