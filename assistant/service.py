"""The assistant as one object: load the index once, then answer questions and conversations."""
from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field, replace

from .abstain import decide, explain, gather_evidence
from .answer import build_answer
from .conflicts import date_notes, figure_conflict, remark_notes
from .embed import Embedder, PackagedMiniLM
from .errors import InputError
from .filters import filter_note, matching_documents
from .glossary import AliasTable, Entry, load_glossary
from .index import Index, load_index
from .lexical import Vocabulary, words
from .onnx_encoder import query_embedder
from .quotes import ASKS_DATE, QuoteSelector, document_request, topic_words
from .records import Answer, Filters, Turn
from .retrieve import Retriever
from .settings import Settings
from .understand import ArchiveContext, understand


def clean_question(question: object, max_chars: int) -> str:
    """Normalise a question; empty or over-long input raises InputError with a polite message."""
    if not isinstance(question, str):
        raise InputError("the question must be text")
    if len(question) > 10 * max_chars:  # far too long whatever it holds: refuse before copying it
        raise InputError(_too_long(len(question), max_chars))
    text = unicodedata.normalize("NFC", question)
    # Control and bidi-override characters become spaces; the joiners that emoji and Persian or
    # Indic words need stay.
    text = "".join(ch if ch.isprintable() or ch in " \t\u200c\u200d" else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        raise InputError("please type a question about the documents")
    if len(text) > max_chars:
        raise InputError(_too_long(len(text), max_chars))
    return text


def _too_long(length: int, max_chars: int) -> str:
    return (f"the question is {length:,} characters long; the limit is {max_chars:,} "
            "(setting ASSISTANT_MAX_QUESTION_CHARS)")


def history_note(max_turns: int) -> str:
    """The note an answer carries once the conversation fills the history window."""
    return (f"Follow-up questions are read against the last {max_turns} turns of this "
            "conversation only (setting ASSISTANT_MAX_HISTORY_TURNS).")


def correspondent_entries(documents, glossary: list[Entry]) -> list[Entry]:
    """Glossary entries for senders and recipients the glossary does not name, so that "What did
    Anna Petrova write?" is read as a question about her letters in any archive."""
    named = {name for entry in glossary for name in entry.names}
    parties = sorted({p for d in documents for p in (d.sender, d.recipient) if p} - named)
    return [Entry(party, "person", (), "a correspondent in this archive") for party in parties]


class Assistant:
    """Answers questions from one index with verbatim, cited quotes."""

    def __init__(self, settings: Settings, embedder: Embedder, index: Index) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index = index
        self.retriever = Retriever(index, settings.rrf_k)
        self.selector = QuoteSelector(index, settings.max_quotes, settings.quote_max_words)
        self.glossary = load_glossary(settings.corpus_dir)
        corpus_text = "\n".join(d.text for d in index.documents.values())
        entries = self.glossary + correspondent_entries(index.documents.values(), self.glossary)
        self.archive = ArchiveContext.build(index.documents, AliasTable(entries, corpus_text))
        metadata = " ".join(" ".join(filter(None, (d.title, d.sender, d.recipient, d.addressed_as,
                                                   *d.citation.values(), *d.aliases)))
                            for d in index.documents.values())
        known = self.archive.aliases.mentioned(corpus_text)
        # The archive's words, also as users join them ("North-East" → "northeast"), and the
        # glossary's other names for what it mentions ("Nationalists" for the Kuomintang).
        joined = " ".join(m.replace("-", "") for m in re.findall(r"\w+(?:-\w+)+", corpus_text))
        names = " ".join(name for entry in known for name in entry.names)
        self.vocabulary = Vocabulary(words(" ".join((corpus_text, metadata, joined, names))))
        self.known_words = {token.lower() for entry in known
                            for name in entry.names for token in re.findall(r"[\w-]+", name)}

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Assistant:
        """Load the index for ``settings`` (refusing a missing or stale one).

        Without an explicit ``embedder``, questions are encoded by the ONNX export stored in the
        index (no torch import); sentence-transformers is the fallback when there is none.
        """
        embedder = embedder or query_embedder(settings.index_dir, PackagedMiniLM)
        assistant = cls(settings, embedder, load_index(settings, embedder.name))
        embedder.encode(["warm up"])  # the first encode pays one-off set-up costs; not a user's
        return assistant

    def ask(self, question: str, history: list[Turn] | tuple = (),
            filters: Filters | None = None) -> tuple[Answer, Turn]:
        """Answer ``question`` in the context of ``history``.

        Args:
            question: The question as typed.
            history: Earlier turns of the conversation, to resolve follow-ups.
            filters: If given and active, only the documents they allow are searched and
                quoted, and the answer says so in a note.

        Returns:
            The answer and the turn to append to the conversation.

        Raises:
            InputError: for an empty or over-long question, or a filter naming something the
                archive lacks.
        """
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        allowed = matching_documents(self.index.documents, filters)
        history = list(history)[-self.settings.max_history_turns:]
        query = understand(text, history, self.archive)
        if len(history) >= self.settings.max_history_turns:
            query = replace(query, notes=query.notes + (history_note(len(history)),))
        if allowed is not None:
            query = replace(query, notes=query.notes + (
                filter_note(filters, allowed, len(self.index.documents)),))
        vector = self.embedder.encode([query.search_text])[0]
        requested = [d for d in document_request(query) if allowed is None or d in allowed]
        # The documents retrieval may return: those a follow-up resolved to, within the filters.
        restrict = set(query.restrict) or {doc_id for doc_id, _ in query.mentions} or None
        if allowed is not None:
            restrict = set(allowed) if restrict is None else restrict & allowed
        notes = list(query.notes)
        if requested:
            scored = self.selector.score_documents(query, vector, requested, dict(query.read_on))
            abstained = False
        else:
            hits = self.retriever.search(query, vector, self.settings.retrieve_k, restrict)
            scored = self.selector.score(query, vector, hits)
            if query.reply_context and query.restrict and restrict and query.restrict[0] in restrict:
                # "How did Stalin respond?": the reply's opening lines first
                scored = self.selector.lead_with_opening(query.restrict[0], scored, vector)
            evidence = gather_evidence(text, query, scored, self.vocabulary, self.known_words,
                                       self.selector.idf)
            abstained = decide(query, evidence, self.settings.abstain_below,
                               self.settings.coverage_floor)
            recognised = [f"{name} = {entry.name}" for entry in self.archive.aliases.mentioned(text)
                          for name in entry.names if not name.isascii() and name in text]
            reason = explain(evidence, recognised) if abstained else None
            if reason:
                notes.append(reason)
            conflict = None if abstained else figure_conflict(topic_words(query), scored,
                                                              self.index.documents)
            if conflict:
                note, first, second = conflict
                notes.append(note)
                scored = [first, second] + [s for s in scored if s is not first and s is not second]
        quotes = self.selector.select(query, scored,
                                      self.settings.max_quotes if requested else None)
        if not abstained:
            shown = [self.index.documents[d] for d in dict.fromkeys(q.doc_id for q in quotes[:3])]
            if query.dates or ASKS_DATE.search(text):
                notes.extend(date_notes(shown))
            notes.extend(remark_notes(quotes, self.index.documents))
        query = replace(query, notes=tuple(dict.fromkeys(notes)))
        latency = (time.perf_counter() - started) * 1000
        answer = build_answer(text, query, quotes, abstained, self.index, latency)
        turn = Turn(text, query, tuple(q.doc_id for q in quotes), abstained,
                    tuple((q.doc_id, q.start, q.end) for q in quotes))
        return answer, turn


@dataclass
class Conversation:
    """A conversation with its own history (one per browser session or batch line)."""

    assistant: Assistant
    turns: list[Turn] = field(default_factory=list)

    def ask(self, question: str) -> Answer:
        answer, turn = self.assistant.ask(question, self.turns)
        self.turns.append(turn)
        del self.turns[:-self.assistant.settings.max_history_turns]
        return answer
