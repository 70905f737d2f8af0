"""Chooses focused verbatim quotes from retrieved chunks, decides whether to abstain, writes the lead."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .cite import citation, describe, format_date
from .index import Index
from .lexical import words
from .records import Answer, Hit, Query, Quote, Sentence

GROW_SLACK = 0.08  # a neighbour joins a quote if it scores nearly as well as its core
CANNOT_ANSWER = "The documents in this archive do not answer this question."
_TERMINAL = re.compile(r"[.!?]['\"\u2019\u201d)\]]*\d*$")
_CLAUSE = re.compile(r"(?<=[;:,])\s+|\s+(?=\()|(?<=\))\s+")


@dataclass(frozen=True)
class Scored:
    """A candidate sentence with the parts of its score (kept apart so the rule can be explained)."""

    sentence: Sentence
    similarity: float  # cosine between question and sentence
    overlap: float  # IDF-weighted share of the question's words found in the sentence
    context: float  # fused retrieval score of the chunk it came from, relative to the best chunk
    preferred: float  # weight of its document in the query's preferences (0 to 3)

    @property
    def total(self) -> float:
        return (self.similarity + 0.8 * self.overlap + 0.25 * self.context + 0.3 * self.preferred
                - (0.2 if len(self.sentence.text.split()) < 6 else 0.0))

    @property
    def evidence(self) -> float:
        """How strongly this sentence answers the question, used by the abstention rule."""
        return self.similarity + 0.5 * self.overlap


class QuoteSelector:
    """Scores the sentences of retrieved chunks and cuts focused, non-overlapping quotes."""

    def __init__(self, index: Index, max_quotes: int = 5, max_words: int = 60,
                 per_document: int = 2) -> None:
        self.index = index
        self.max_quotes = max_quotes
        self.max_words = max_words
        self.per_document = per_document
        frequency = Counter(w for s in index.sentences for w in set(words(s.text)))
        self._idf = {w: math.log(1 + len(index.sentences) / n) for w, n in frequency.items()}
        self._words = [set(words(s.text)) for s in index.sentences]

    def idf(self, word: str) -> float:
        return self._idf.get(word, math.log(1 + len(self.index.sentences)))

    def score(self, query: Query, vector: np.ndarray, hits: list[Hit], depth: int = 20) -> list[Scored]:
        """Every sentence of the best ``depth`` chunks, scored against the question, best first."""
        if not hits:
            return []
        query_words = topic_words(query)
        weight = sum(self.idf(w) for w in query_words) or 1.0
        prefer = dict(query.prefer)
        best = hits[0].score or 1.0
        context: dict[int, float] = {}
        for hit in hits[:depth]:
            for sid in self.index.chunks[hit.chunk_id].sentence_ids:
                context[sid] = max(context.get(sid, 0.0), hit.score / best)
        ids = sorted(sid for sid in context if is_prose(self.index.sentences[sid].text))
        if not ids:
            return []
        sims = self.index.sentence_vectors[ids] @ vector.astype(np.float32)
        scored = []
        for sid, sim in zip(ids, sims, strict=False):
            sentence = self.index.sentences[sid]
            overlap = sum(self.idf(w) for w in query_words & self._words[sid]) / weight
            scored.append(Scored(sentence, float(sim), overlap, context[sid],
                                 min(prefer.get(sentence.doc_id, 0.0), 3.0)))
        scored.sort(key=lambda s: (-s.total, s.sentence.id))
        return scored

    def score_documents(self, query: Query, vector: np.ndarray, doc_ids: list[str]) -> list[Scored]:
        """The prose sentences of whole documents, earliest first within each document.

        Used when the question only names documents (by date and author) and asks for no topic:
        the opening of each document is what it says.
        """
        order = {doc_id: rank for rank, doc_id in enumerate(doc_ids)}
        ids = [s.id for s in self.index.sentences
               if s.doc_id in order and is_prose(s.text)]
        if not ids:
            return []
        sims = self.index.sentence_vectors[ids] @ vector.astype(np.float32)
        scored = []
        for position, (sid, sim) in enumerate(zip(ids, sims, strict=False)):
            sentence = self.index.sentences[sid]
            context = 1.0 - 0.1 * order[sentence.doc_id] - 0.001 * position
            scored.append(Scored(sentence, float(sim), 0.0, context, 0.0))
        scored.sort(key=lambda s: (order[s.sentence.doc_id], s.sentence.id))
        return scored

    def select(self, query: Query, scored: list[Scored]) -> list[Quote]:
        """Grow the best sentences into quotes of one to three sentences, best first."""
        by_id = {s.sentence.id: s for s in scored}
        used: set[int] = set()
        per_doc: Counter[str] = Counter()
        quotes: list[Quote] = []
        query_words = topic_words(query)
        for core in scored:
            if len(quotes) >= self.max_quotes:
                break
            sentence = core.sentence
            if sentence.id in used or per_doc[sentence.doc_id] >= self.per_document:
                continue
            span = self._grow(core, by_id, used)
            used.update(span)
            per_doc[sentence.doc_id] += 1
            first, last = self.index.sentences[span[0]], self.index.sentences[span[-1]]
            start, end = self._clip(first.doc_id, first.start, last.end, query_words)
            quotes.append(self._quote(first.doc_id, start, end, core.total))
        return quotes

    def _grow(self, core: Scored, by_id: dict[int, Scored], used: set[int]) -> list[int]:
        """Add neighbouring sentences of the same paragraph while the quote stays short or they score."""
        span = [core.sentence.id]
        count = len(core.sentence.text.split())
        while len(span) < 3:
            options = []
            for sid in (span[0] - 1, span[-1] + 1):
                cand = by_id.get(sid)
                if cand is None or sid in used or not self._same_paragraph(span, sid):
                    continue
                options.append(cand)
            if not options:
                break
            cand = max(options, key=lambda c: (c.total, -c.sentence.id))
            size = len(cand.sentence.text.split())
            good = cand.total >= core.total - GROW_SLACK or count < 12
            if not good or count + size > self.max_words:
                break
            span = sorted(span + [cand.sentence.id])
            count += size
        return span

    def _same_paragraph(self, span: list[int], sid: int) -> bool:
        sentences = self.index.sentences
        other = sentences[sid]
        ref = sentences[span[0]] if sid < span[0] else sentences[span[-1]]
        if other.doc_id != ref.doc_id:
            return False
        text = self.index.documents[ref.doc_id].text
        between = text[min(ref.end, other.end):max(ref.start, other.start)]
        return "\n\n" not in between

    def _clip(self, doc_id: str, start: int, end: int, query_words: set[str]) -> tuple[int, int]:
        """Narrow an over-long quote to the run of clauses that best matches the question."""
        text = self.index.documents[doc_id].text
        if len(text[start:end].split()) <= self.max_words:
            return start, end
        cuts = [start] + [start + m.end() for m in _CLAUSE.finditer(text[start:end])] + [end]
        clauses = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
        best, best_score = (start, end), -1.0
        for i in range(len(clauses)):
            for j in range(i, len(clauses)):
                s, e = clauses[i][0], clauses[j][1]
                if len(text[s:e].split()) > self.max_words:
                    break
                score = sum(self.idf(w) for w in query_words & set(words(text[s:e])))
                score += 0.001 * len(text[s:e].split())  # prefer fuller context on ties
                if score > best_score:
                    best, best_score = (s, e), score
        s, e = best
        while e > s and text[e - 1] in " ,;:":
            e -= 1
        return s, e

    def _quote(self, doc_id: str, start: int, end: int, score: float) -> Quote:
        doc = self.index.documents[doc_id]
        return Quote(doc_id, start, end, doc.text[start:end], doc.title, doc.date, citation(doc),
                     round(score, 4))


# Words that ask for a document rather than a subject ("Which telegrams were sent on …?").
_DOCUMENT_WORDS = frozenset(words("send sent telegram telegrams message messages cable cables letter "
                                  "letters document documents happen happened receive received"))


def document_request(query: Query) -> list[str]:
    """Documents a question asks for only by date or author, or [] if it asks about a subject."""
    if topic_words(query) - _DOCUMENT_WORDS:
        return []
    return [doc_id for doc_id, weight in query.prefer if weight >= 2.0]


def topic_words(query: Query) -> set[str]:
    """The question's content words, less those read as metadata (names of the sender, the date)."""
    return set(words(query.search_text)) - set(words(" ".join(query.consumed)))


def is_prose(text: str) -> bool:
    """False for headings, salutations, signatures and dates alone on a line: never quoted."""
    return len(text.split()) > 30 or bool(_TERMINAL.search(text))


def unknown_names(question: str, vocabulary: set[str], known: set[str]) -> list[str]:
    """Capitalised words inside the question (not its first word) that the archive never uses."""
    names = []
    for match in re.finditer(r"(?<=[\w,;:] )([A-Z][\w-]+)", question):
        word = match.group(1)
        if word.lower() in known:
            continue
        if any(part and part not in vocabulary for part in words(word)):
            names.append(word)
    return names


def decide_abstention(query: Query, scored: list[Scored], threshold: float,
                      unknown: list[str] = ()) -> bool:
    """Decide whether the documents answer the question.

    The rule, in order: abstain when the question names a date no document carries or mentions;
    when it names someone or something the archive never mentions (``unknown``: "Potsdam");
    or when the best evidence is weak. Evidence is the best sentence's cosine similarity plus
    half its IDF-weighted overlap with the question's topic words: a passage that answers shares
    meaning and rare words with the question. ``threshold`` is ``Settings.abstain_below``.
    """
    if query.date_uncovered or unknown:
        return True
    return not scored or max(s.evidence for s in scored) < threshold


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


__all__ = ["CANNOT_ANSWER", "QuoteSelector", "decide_abstention", "write_lead", "build_answer",
           "format_date"]
