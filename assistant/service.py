"""The assistant as one object: load the index once, then answer questions and conversations."""
from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field, replace

from .answer import QuoteSelector, build_answer, decide_abstention, document_request, unknown_names
from .embed import Embedder, PackagedMiniLM
from .errors import InputError
from .glossary import AliasTable, load_glossary
from .index import Index, load_index
from .lexical import words
from .records import Answer, Turn
from .retrieve import Retriever
from .settings import Settings
from .understand import ArchiveContext, understand


def clean_question(question: object, max_chars: int) -> str:
    """Normalise a question; empty or over-long input raises InputError with a polite message."""
    if not isinstance(question, str):
        raise InputError("the question must be text")
    text = unicodedata.normalize("NFC", question)
    text = "".join(ch if ch.isprintable() or ch in " \t" else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        raise InputError("please type a question about the documents")
    if len(text) > max_chars:
        raise InputError(f"the question is {len(text):,} characters long; the limit is "
                         f"{max_chars:,} (setting ASSISTANT_MAX_QUESTION_CHARS)")
    return text


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
        self.archive = ArchiveContext.build(index.documents, AliasTable(self.glossary, corpus_text))
        self.vocabulary = set(words(corpus_text))
        self.known_names = {n.lower() for e in self.glossary for n in e.names}

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Assistant:
        """Load the index for ``settings`` (refusing a missing or stale one)."""
        embedder = embedder or PackagedMiniLM()
        assistant = cls(settings, embedder, load_index(settings, embedder.name))
        embedder.encode(["warm up"])  # the first encode pays one-off set-up costs; not a user's
        return assistant

    def ask(self, question: str, history: list[Turn] | tuple = ()) -> tuple[Answer, Turn]:
        """Answer ``question`` in the context of ``history``.

        Returns:
            The answer and the turn to append to the conversation.

        Raises:
            InputError: for an empty or over-long question.
        """
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        history = list(history)[-self.settings.max_history_turns:]
        query = understand(text, history, self.archive)
        vector = self.embedder.encode([query.search_text])[0]
        requested = document_request(query)
        if requested:
            scored = self.selector.score_documents(query, vector, requested)
            abstained = False
        else:
            hits = self.retriever.search(query, vector, self.settings.retrieve_k)
            scored = self.selector.score(query, vector, hits)
            unknown = unknown_names(text, self.vocabulary, self.known_names)
            abstained = decide_abstention(query, scored, self.settings.abstain_below, unknown)
            if unknown:
                query = replace(query, notes=query.notes + (
                    f"The archive never mentions {', '.join(unknown)}.",))
        quotes = self.selector.select(query, scored)
        latency = (time.perf_counter() - started) * 1000
        answer = build_answer(text, query, quotes, abstained, self.index, latency)
        turn = Turn(text, query, tuple(q.doc_id for q in quotes), abstained)
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
