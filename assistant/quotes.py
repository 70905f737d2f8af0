"""Scores the sentences of retrieved chunks and cuts focused, verbatim, non-overlapping quotes."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .cite import citation
from .dates import find_dates
from .index import Index
from .lexical import SPEECH_STEMS, near_match, prefixes, words
from .records import Hit, Query, Quote, Sentence

GROW_SLACK = 0.08  # a neighbour joins a quote if it scores nearly as well as its core
GROW_MIN_WORDS = 35  # …or if the quote is still too short to read on its own
FRONT_MATTER_PENALTY = 0.4  # an archive's own description ranks below the document's words
POSITION_PRIOR = 0.1  # in a requested document, how much an early sentence is favoured
# Telegrams set out what they propose in a block a colon announces ("your reply … should be
# tentatively like this:", "… in the following manner: The Soviet Government …"); a question
# asking what someone proposed, suggested, advised or recommended (the verb, or "Stalin's
# advice": not "the peace proposal") leans towards it. An offer is made in passing, not in an
# announced block ("If you want we can send …"): a question asking what someone offered leans
# towards the paragraphs in which the writer offers to act (``_OFFERS``), with the same weight.
PROPOSAL_WEIGHT = 0.3  # flat from 0.15 to 0.6 on both probe sets (docs: closing note of #4)
_ANNOUNCE = re.compile(r":\s*$|\b(?:following (?:way|manner)|as follows|like this)\s*:", re.I)
_ACTS = r"(?:propose|suggest|advise|recommend)"
_PROPOSAL_ASKED = re.compile(
    rf"\b(?:did|does|do|would|will|could|should)\s+(?:[\w'-]+\s+){{1,4}}?{_ACTS}\b"  # did Mao propose
    r"|\b(?:propos|suggest|advis|recommend)(?:ed|d|es|s)\b"  # Stalin advised, Mao proposes
    r"|(?:\bwhat|['’]s|\bhis|\bher|\btheir)\s+(?:proposal|advice|suggestion|recommendation)s?\b",
    re.I)
_OFFER_ASKED = re.compile(
    r"\b(?:did|does|do|would|will|could|should)\s+(?:[\w'-]+\s+){1,4}?offer\b"  # did Stalin offer
    r"|\boffered\b|['’]s\s+offer\b", re.I)  # Moscow offered, Stalin's offer (not "the peace offer")
_OFFERS = re.compile(
    r"\bif you (?:want|wish|like|agree|desire)\b"
    r"|\b(?:we|I)\s+(?:can|could)\b(?!['’]t|not)"
    r"|\b(?:we|I)\s+(?:are|am)\s+(?:ready|prepared|willing)\s+to\b|\b(?:we|I)\s+offer\b", re.I)
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
    front_matter: bool = False  # from an archive's description of the document, not the document
    proposal: float = 0.0  # 1 if a proposal (or offer) is asked for and the sentence makes one

    @property
    def total(self) -> float:
        """The ranking score: meaning, rare shared words, retrieval context and preferences."""
        return (self.similarity + 0.8 * self.overlap + 0.25 * self.context + 0.3 * self.preferred
                + PROPOSAL_WEIGHT * self.proposal
                - (0.2 if len(self.sentence.text.split()) < 6 else 0.0)
                - (FRONT_MATTER_PENALTY if self.front_matter else 0.0))

    @property
    def evidence(self) -> float:
        """How strongly this sentence answers the question, used by the abstention rule."""
        return self.similarity + 0.5 * self.overlap


class QuoteSelector:
    """Scores the sentences of retrieved chunks and cuts focused, non-overlapping quotes."""

    def __init__(self, index: Index, max_quotes: int = 5, max_words: int = 60,
                 per_document: int = 3) -> None:
        self.index = index
        self.max_quotes = max_quotes
        self.max_words = max_words
        self.per_document = per_document
        frequency = Counter(w for s in index.sentences for w in set(words(s.text)))
        self._idf = {w: math.log(1 + len(index.sentences) / n) for w, n in frequency.items()}
        self._words = [set(words(s.text)) for s in index.sentences]
        self._prefixes = [prefixes(ws) for ws in self._words]
        self._of_document: dict[str, list[Sentence]] = {}
        for sentence in index.sentences:
            self._of_document.setdefault(sentence.doc_id, []).append(sentence)
        self._proposals = self._proposal_sentences()
        self._offers = self._offer_paragraphs()

    def _proposal_sentences(self) -> set[int]:
        """Sentences that announce a proposal (see ``_ANNOUNCE``) and those of the paragraph a
        sentence ending in a colon announces."""
        found: set[int] = set()
        for sentence in self.index.sentences:
            if not _ANNOUNCE.search(sentence.text):
                continue
            found.add(sentence.id)
            if not announces(sentence.text):
                continue
            for following in self._of_document[sentence.doc_id]:
                if following.id <= sentence.id:
                    continue
                found.add(following.id)
                if self._breaks(following.id, following.id + 1):
                    break
        return found

    def _offer_paragraphs(self) -> set[int]:
        """The paragraphs in which a writer offers to act (see ``_OFFERS``): an offer made in
        passing takes its sense from the sentences around it ("… postpone your visit … If you
        want we can send …")."""
        found: set[int] = set()
        for sentence in self.index.sentences:
            if not _OFFERS.search(sentence.text):
                continue
            first = last = sentence.id
            while first > 0 and not self._breaks(first - 1, first):
                first -= 1
            while not self._breaks(last, last + 1):
                last += 1
            found.update(range(first, last + 1))
        return found

    def idf(self, word: str) -> float:
        return self._idf.get(word, math.log(1 + len(self.index.sentences)))

    def score(self, query: Query, vector: np.ndarray, hits: list[Hit], depth: int = 20) -> list[Scored]:
        """Every prose sentence of the best ``depth`` chunks, scored against the question, best first."""
        if not hits:
            return []
        query_words = topic_words(query)
        # A question of one or two topic words does not let one shared word outweigh meaning:
        # overlap is measured against at least the weight of two of the rarest words.
        weight = max(sum(self.idf(w) for w in query_words), 2 * self.idf(""))
        prefer = dict(query.prefer)
        best = hits[0].score or 1.0
        context: dict[int, float] = {}
        for hit in hits[:depth]:
            for sid in self.index.chunks[hit.chunk_id].sentence_ids:
                context[sid] = max(context.get(sid, 0.0), hit.score / best)
        # A question about a date may also quote a heading or signature line that gives one
        # ("Telegram of Mao Zedong to J.V. Stalin dated 13 January 1949").
        dated = bool(ASKS_FOR_DATE.search(query.question))
        # …and one about who translated or published the documents, a credit line or reference
        # ("Translated from the Russian by …").
        sourced = bool(_ASKS_FOR_SOURCE.search(query.question))
        ids = sorted(sid for sid in context if is_prose(self.index.sentences[sid].text)
                     or (dated and is_dateline(self.index.sentences[sid].text))
                     or (sourced and is_credit(self.index.sentences[sid].text)))
        # An archive's description of a document is quoted only when it holds the question's
        # words (a translator, an archive reference), never as the document's own voice.
        ids = [sid for sid in ids if not self._front_matter(self.index.sentences[sid])
               or self._overlap(query_words, sid, weight) >= 0.5]
        if query.mentions:  # a date no document carries: only the paragraphs that mention it
            ids = [sid for sid in ids if self._near_mention(self.index.sentences[sid], query.mentions)]
        if not ids:
            return []
        sims = self.index.sentence_vectors[ids] @ vector.astype(np.float32)
        leaning = (self._proposals if _PROPOSAL_ASKED.search(query.question)  # not "the peace offer"
                   else self._offers if _OFFER_ASKED.search(query.question) else set())
        similarity = dict(zip(ids, (float(x) for x in sims), strict=True))
        overlaps = {sid: self._overlap(query_words, sid, weight) for sid in ids}
        scored = []
        for sid in ids:
            sentence = self.index.sentences[sid]
            sim, overlap = similarity[sid], overlaps[sid]
            asked = sid - 1
            if asked in similarity and asks(self.index.sentences[asked].text) \
                    and self.index.sentences[asked].doc_id == sentence.doc_id:
                sim, overlap = max(sim, similarity[asked]), max(overlap, overlaps[asked])
            scored.append(Scored(sentence, sim, overlap, context[sid],
                                 min(prefer.get(sentence.doc_id, 0.0), 3.0),
                                 self._front_matter(sentence),
                                 1.0 if sid in leaning else 0.0))
        scored.sort(key=lambda s: (-s.total, s.sentence.id))
        return scored

    def _near_mention(self, sentence: Sentence, mentions: tuple[tuple[str, int], ...]) -> bool:
        """True if ``sentence`` lies in a paragraph holding one of ``mentions`` (doc_id, offset):
        no paragraph break between the mention and the sentence, as in ``_breaks``."""
        text = self.index.documents[sentence.doc_id].text
        return any(doc_id == sentence.doc_id and "\n\n" not in
                   text[min(offset, sentence.start):max(offset, sentence.end)]
                   for doc_id, offset in mentions)

    def _overlap(self, query_words: set[str], sid: int, weight: float) -> float:
        """IDF-weighted share of the question's words in the sentence; a word also counts when
        the sentence has a word of the same first PREFIX letters ("mediators" ~ "mediation"),
        except a verb of saying ("propose" does not match "proposal")."""
        matched = {w for w in query_words if matches(w, self._words[sid], self._prefixes[sid])}
        return sum(self.idf(w) for w in matched) / weight

    def _body(self, doc_id: str, after: int = 0) -> list[Sentence]:
        """The prose sentences of a document's own text (front matter left out) from ``after``."""
        return [s for s in self._of_document.get(doc_id, []) if s.start >= after
                and is_prose(s.text) and not self._front_matter(s)]

    def _front_matter(self, sentence: Sentence) -> bool:
        return sentence.start < self.index.documents[sentence.doc_id].body_start

    def lead_with_opening(self, doc_id: str, scored: list[Scored],
                          vector: np.ndarray) -> list[Scored]:
        """``scored`` with the first prose sentence of ``doc_id`` moved to the front.

        A reply answers in its opening lines ("Received your long telegram regarding …"), so a
        question asking how someone responded hears that first, then the passages on its subject.
        """
        first = next(iter(self._body(doc_id)), None)
        if first is None:
            return scored
        found = next((s for s in scored if s.sentence.id == first.id), None)
        if found is None:
            similarity = float(self.index.sentence_vectors[first.id] @ vector.astype(np.float32))
            context = max((s.context for s in scored if s.sentence.doc_id == doc_id), default=0.0)
            found = Scored(first, similarity, 0.0, context, 0.0)
        return [found] + [s for s in scored if s is not found]

    def score_documents(self, query: Query, vector: np.ndarray, doc_ids: list[str],
                        read_on: dict[str, int] | None = None) -> list[Scored]:
        """The prose sentences of whole documents, document by document, most telling first.

        Used when the question names documents (by date, author or reference) but asks about
        no subject: each document's sentences are ranked by how central they are to it (cosine
        with the mean of its sentence vectors, with a slight lead for early sentences), so the
        gist comes first. For a document in ``read_on``, the text after the given offset is read
        on in order instead ("What did he say next?").
        """
        read_on = read_on or {}
        order = {doc_id: rank for rank, doc_id in enumerate(doc_ids)}
        scored: list[Scored] = []
        for doc_id in doc_ids:
            sentences = self._body(doc_id, after=read_on.get(doc_id, 0))
            if not sentences:
                continue
            vectors = self.index.sentence_vectors[[s.id for s in sentences]]
            sims = vectors @ vector.astype(np.float32)
            centroid = vectors.mean(axis=0)
            centroid /= np.linalg.norm(centroid) or 1.0
            central = vectors @ centroid
            count = len(sentences)
            ranked = []
            for position, (sentence, sim, centre) in enumerate(zip(sentences, sims, central, strict=True)):
                lead = 1.0 - position / count
                rank_score = -position if doc_id in read_on else float(centre) + POSITION_PRIOR * lead
                context = 1.0 - 0.1 * order[doc_id]
                ranked.append((rank_score, Scored(sentence, float(sim), 0.0, context, 0.0)))
            ranked.sort(key=lambda pair: (-pair[0], pair[1].sentence.id))
            scored.extend(item for _, item in ranked)
        return scored

    def select(self, query: Query, scored: list[Scored],
               per_document: int | None = None) -> list[Quote]:
        """Grow the best sentences into quotes of one to three sentences, best first.

        At most ``per_document`` quotes come from one document. When the question sets two
        sides against each other (``query.sides``), the second quote is the best from the other
        side, so both are heard.
        """
        by_id = {s.sentence.id: s for s in scored}
        used: set[int] = set()
        per_doc: Counter[str] = Counter()
        quotes: list[Quote] = []
        query_words = topic_words(query)
        for core in self._order(query, scored):
            if len(quotes) >= self.max_quotes:
                break
            sentence = core.sentence
            if sentence.id in used or per_doc[sentence.doc_id] >= (per_document or self.per_document):
                continue
            if asks(sentence.text) and sentence.id + 1 in used:
                continue  # a question the writer asks is not quoted without its answer
            span = self._grow(core, by_id, used)
            used.update(span)
            per_doc[sentence.doc_id] += 1
            start, end = self._cut_announcement(span)
            if end is None:
                first, last = self.index.sentences[span[0]], self.index.sentences[span[-1]]
                start, end = self._clip(first.doc_id, first.start, last.end, query_words,
                                        query.dates)
            quotes.append(self._quote(sentence.doc_id, start, end, core.total))
        return quotes

    def _order(self, query: Query, scored: list[Scored]) -> list[Scored]:
        if len(query.sides) < 2 or not scored:
            return scored
        side_of = {doc.id: doc.sender for doc in self.index.documents.values()}
        first = scored[0]
        others = [s for s in scored if side_of.get(s.sentence.doc_id) in query.sides
                  and side_of.get(s.sentence.doc_id) != side_of.get(first.sentence.doc_id)]
        if not others:
            return scored
        return [first, others[0]] + [s for s in scored[1:] if s is not others[0]]

    def _grow(self, core: Scored, by_id: dict[int, Scored], used: set[int]) -> list[int]:
        """Add neighbouring sentences of the same paragraph while the quote stays short or they
        score; a sentence that a colon announces comes first ("… in the following way:")."""
        span = [core.sentence.id]
        count = len(core.sentence.text.split())
        while len(span) < 3:
            options = []
            for sid in (span[0] - 1, span[-1] + 1):
                cand = by_id.get(sid)
                if cand is None or sid in used or not self._same_paragraph(span, sid):
                    continue
                # What a colon announces always joins, up to three sentences (an over-long quote
                # is then cut to the announcing clause and what it announces: _cut_announcement).
                # So does the answer to a question the writer asks ("What do they want after
                # all? They want …").
                announced = sid == span[-1] + 1 and (
                    any(announces(self.index.sentences[i].text) for i in span)
                    or asks(self.index.sentences[span[-1]].text))
                if not announced and count + len(cand.sentence.text.split()) > self.max_words:
                    continue
                # …and an answer takes in the question it answers, where it fits.
                asked = sid == span[0] - 1 and asks(cand.sentence.text)
                refers = sid == span[-1] + 1 and refers_back(cand.sentence.text)
                options.append((announced or asked, refers, cand))
            if not options:
                break
            announced, _, cand = max(options, key=lambda o: (o[0], o[1], o[2].total, -o[2].sentence.id))
            if not (announced or cand.total >= core.total - GROW_SLACK or count < GROW_MIN_WORDS):
                break
            span = sorted(span + [cand.sentence.id])
            count += len(cand.sentence.text.split())
        return span

    def _cut_announcement(self, span: list[int]) -> tuple[int, int | None]:
        """Offsets of an over-long quote that holds an announcement and what it announces, cut to
        the announcing clause ("… should reply in the following way:") and as many whole announced
        sentences as fit (at least the first, clipped at ``max_words``); ``(0, None)`` otherwise."""
        sentences = [self.index.sentences[sid] for sid in span]
        text = self.index.documents[sentences[0].doc_id].text
        if len(text[sentences[0].start:sentences[-1].end].split()) <= self.max_words:
            return 0, None
        at = next((i for i, s in enumerate(sentences[:-1]) if announces(s.text)), None)
        if at is None:
            return 0, None
        head = sentences[at]
        clauses = [m.end() for m in _CLAUSE.finditer(text[head.start:head.end])]
        start = head.start + clauses[-1] if clauses else head.start
        end = sentences[at + 1].end
        for following in sentences[at + 2:]:
            if len(text[start:following.end].split()) > self.max_words:
                break
            end = following.end
        spans = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]
        if len(spans) > self.max_words:
            end = spans[self.max_words - 1][1]
        while end > start and text[end - 1] in " ,;:":
            end -= 1
        return start, end

    def _same_paragraph(self, span: list[int], sid: int) -> bool:
        """True if sentence ``sid`` may join ``span``: same document and paragraph (or announced)."""
        earlier, later = (sid, span[0]) if sid < span[0] else (span[-1], sid)
        sentences = self.index.sentences
        if sentences[earlier].doc_id != sentences[later].doc_id:
            return False
        # A sentence ending in a colon ("… should reply in the following way:") runs on into the
        # paragraph it announces.
        return (not self._breaks(earlier, later) or announces(sentences[earlier].text)
                or (later == earlier + 1 and asks(sentences[earlier].text)))

    def _breaks(self, earlier: int, later: int) -> bool:
        """True if sentence ``later`` is in another document or paragraph than ``earlier``."""
        sentences = self.index.sentences
        if later >= len(sentences) or sentences[later].doc_id != sentences[earlier].doc_id:
            return True
        text = self.index.documents[sentences[earlier].doc_id].text
        return "\n\n" in text[sentences[earlier].end:sentences[later].start]

    def _clip(self, doc_id: str, start: int, end: int, query_words: set[str],
              dates: tuple[str, ...] = ()) -> tuple[int, int]:
        """Narrow an over-long quote to the run of clauses that best matches the question; a
        single clause too long to quote whole is narrowed to its best run of words. A run that
        names the question's date (``dates``: first, last) counts as much as its rarest word:
        "On 17th January … Vishinsky received the Ambassador" answers what happened that day."""
        text = self.index.documents[doc_id].text
        if len(text[start:end].split()) <= self.max_words:
            return start, end
        year = int(dates[0][:4]) if dates else 0

        def score(s: int, e: int) -> float:
            matched = sum(self.idf(w) for w in query_words & set(words(text[s:e])))
            if dates and any(r.first <= dates[1] and dates[0] <= r.last and r.precision != "year"
                             for r in find_dates(text[s:e], year)):
                matched += self.idf("")
            return matched + 0.001 * len(text[s:e].split())  # prefer fuller context on ties

        cuts = [start] + [start + m.end() for m in _CLAUSE.finditer(text[start:end])] + [end]
        clauses = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
        candidates = []
        for i in range(len(clauses)):
            for j in range(i, len(clauses)):
                s, e = clauses[i][0], clauses[j][1]
                if len(text[s:e].split()) <= self.max_words:
                    candidates.append((s, e))
                    continue
                if i == j:  # one clause too long: its windows of max_words words
                    spans = [(s + m.start(), s + m.end()) for m in re.finditer(r"\S+", text[s:e])]
                    n = self.max_words
                    candidates.extend((spans[k][0], spans[k + n - 1][1])
                                      for k in range(len(spans) - n + 1))
                break
        s, e = max(candidates, key=lambda c: (score(*c), -c[0]))
        while e > s and text[e - 1] in " ,;:":
            e -= 1
        return s, e

    def _quote(self, doc_id: str, start: int, end: int, score: float) -> Quote:
        doc = self.index.documents[doc_id]
        return Quote(doc_id, start, end, doc.text[start:end], doc.title, doc.date,
                     citation(doc, start, end), round(score, 4))


# Words that ask for a document rather than a subject ("Which telegrams were sent on …?").
_DOCUMENT_WORDS = frozenset(words(
    "send sent telegram telegrams message messages cable cables letter letters document documents "
    "happen happened receive received respond responded response reply replied answer answered "
    "react reacted reaction next day after before then"))


def document_request(query: Query) -> list[str]:
    """Documents a question asks for only by date, author or reference, or [] if it asks about a
    subject ("What did Stalin write on 15 January?", "How did Mao respond?")."""
    if topic_words(query) - _DOCUMENT_WORDS:
        return []
    if query.restrict:
        return [] if query.carried_topic else list(query.restrict)
    return [doc_id for doc_id, weight in query.prefer if weight >= 2.0]


def matches(word: str, sentence_words: set[str], sentence_prefixes: set[str]) -> bool:
    """True if a sentence (its stemmed words and their prefixes) holds ``word`` or, unless
    ``word`` is a verb of saying, a near word (:func:`~assistant.lexical.near_match`)."""
    if word in SPEECH_STEMS:
        return word in sentence_words
    return near_match(word, sentence_words, sentence_prefixes)


def topic_words(query: Query) -> set[str]:
    """The question's content words, less those read as metadata (names of the sender, the date)."""
    return set(words(query.search_text)) - set(words(" ".join(query.consumed)))


ASKS_DATE = re.compile(r"\b(?:when|date|dated|dates|day|days)\b", re.I)
# A question asking for a date, not one that mentions days ("a few days before …").
ASKS_FOR_DATE = re.compile(r"^\W*(?:and\s+)?when\b|\b(?:what|which)\s+(?:(?:exact|two)\s+)?"
                           r"(?:date|dates|day|days)\b|\bthe\s+dates?\s+of\b|\bdated\s+when\b|"
                           r"\bon\s+what\s+day\b", re.I)
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
          r"December)")
_DATELINE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b|\b{_MONTH}\s+\d{{1,2}}\b")


def is_dateline(text: str) -> bool:
    """A heading or signature line that gives a date ("… dated 13 January 1949", "12th January
    1949"): quotable when the question asks about dates."""
    return len(text.split()) <= 20 and bool(_DATELINE.search(text)) and "Click here" not in text


_REFERENCE = re.compile(r"\bpp?\.\s*\d|\bIbid\b|\bVol\.\s*\w")


_ASKS_FOR_SOURCE = re.compile(r"\b(?:translat|edit(?:ed|or|ors|ion|ions)\b|compil|transcrib|publish|"
                              r"reprint|courtesy)", re.I)
_CREDIT = re.compile(r"^\W*(?:translated|edited|compiled|transcribed|prepared|published|reprinted|"
                     r"courtesy)\b", re.I)


def is_credit(text: str) -> bool:
    """A credit line or bibliographic reference ("Translated from the Russian by …", "The
    Russian translation is published in: …, pp. 139-148."): quotable when the question asks
    who translated, edited or published the documents."""
    return len(text.split()) <= 25 and bool(_CREDIT.search(text) or _REFERENCE.search(text))


def is_prose(text: str) -> bool:
    """False for headings, salutations, signatures, dates alone on a line, paragraph numbers and
    bibliographic references ("Collection of Documents, Moscow, 1959, pp. 200."): never quoted."""
    size = len(text.split())
    if size < 25 and _REFERENCE.search(text) or not re.search(r"[^\W\d_]", text):
        return False  # a reference, or no word at all ("3.", "10.1.49")
    # A sentence announcing what follows ("… in the following way:") is prose; "Summary:" is not.
    return size > 30 or bool(_TERMINAL.search(text)) or (size >= 8 and announces(text))


_REFERS_BACK = re.compile(r"^\W*(?:\d+\.\s*)?(?:this|that|these|those|such|therefore|hence|thus|"
                          r"(?:the\s+)?(?:main\s+)?reasons?\b|for this\b|in (?:this|that) case\b)\b"
                          r"|^\W*\w+(?:\s+\w+){0,3}\s+(?:behind|of|for)\s+this\b", re.I)


def refers_back(text: str) -> bool:
    """True for a sentence that opens by pointing back at the one before ("The main reason
    behind this is …", "This means …")."""
    return bool(_REFERS_BACK.search(text))


def asks(text: str) -> bool:
    """True for a question a document's writer asks: the next sentence answers it."""
    return text.rstrip().endswith("?")


def announces(text: str) -> bool:
    """True for a sentence ending in a colon: it announces what follows."""
    return text.rstrip().endswith(":")


