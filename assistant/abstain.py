"""Decides whether the documents answer a question: the rule, its inputs, and its explanation.

The rule was calibrated on the dev questions plus the project's own probe sets
(``eval/probe_questions.jsonl``, ``eval/probe2_questions.jsonl``: paraphrased questions written
without the dev file); ``scripts/calibrate_abstention.py`` prints the trade-off curve
(share of unanswerable questions refused against share of answerable ones refused) for every
threshold, so a change of model or corpus can be re-calibrated rather than guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexical import SPEECH_STEMS, Vocabulary, words
from .quotes import Scored
from .records import Query

_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday".split())
_NAME = re.compile(r"(?<=[\w,;:] )([A-Z][\w-]+)")
_LATIN = re.compile(r"[A-Za-z]")
_FOREIGN = re.compile(r"[^\x00-\u024f\u2000-\u206f\s\d]")  # letters outside Latin scripts
# Function words of the other languages in Latin script a user may ask in (French, Spanish,
# Italian, Portuguese, German), none of them an English word: "Qu'est-ce que Staline a proposé ?"
_OTHER_LANGUAGE = frozenset("""
    qu est ce que quoi pourquoi quand avec dans les des une été ont leur aux au du sur lui
    qué cuándo cómo dónde por dijo los las del una según propuso fue para sobre
    che cosa perché della degli dei nel detto ha fatto
    não em uma foi disse
    der das und wann warum hat ist nicht mit vom zum dem den ein eine sagte schlug über vor zu
    im auf von wer wie welche
    janvier enero gennaio januar janeiro
    """.split())
_ENGLISH = frozenset("""
    what who whom which when where why how did does do was were is are the of to in on about
    and that this his her their say said write wrote tell told propose proposed
    """.split())


@dataclass(frozen=True)
class Evidence:
    """What the decision looks at, kept so it can be explained and calibrated."""

    best: float
    """Best sentence's cosine similarity plus half its IDF-weighted topic-word overlap."""
    coverage: float
    """IDF-weighted share of the question's words that occur, or have a near word, anywhere in
    the archive (verbs of saying always count as covered)."""
    unknown_names: tuple[str, ...] = ()
    """Capitalised words of the question (not its first) that the archive never uses."""
    foreign: bool = False
    """The question is written in a script the archive does not use, or in another language
    (more of its words are function words of French, Spanish, Italian, Portuguese or German than
    of English): the archive is English."""


def gather_evidence(question: str, query: Query, scored: list[Scored], vocabulary: Vocabulary,
                    known_words: set[str], idf) -> Evidence:
    """Measure the question against the archive (see :class:`Evidence`).

    Args:
        question: The cleaned question as typed.
        query: The understood query.
        scored: Candidate sentences, as scored by the quote selector.
        vocabulary: Stemmed words of the archive's texts and metadata; near words count for
            coverage, names must match ``vocabulary.words`` exactly.
        known_words: Lower-cased words of names the archive knows (glossary entries it mentions).
        idf: Word → inverse document frequency (the quote selector's).
    """
    best = max((s.evidence for s in scored), default=0.0)
    # All the question's words, names and dates included: reading "Mao" as the sender does not
    # make the rest of the question weigh more.
    topic = set(words(question))
    total = sum(idf(w) for w in topic)
    # A verb of saying ("add", "offer") tells how something was said, not what about: covered.
    coverage = (sum(idf(w) for w in topic if w in vocabulary or w in SPEECH_STEMS) / total
                if total else 1.0)
    unknown = []
    for match in _NAME.finditer(question):
        word = match.group(1)
        if word.lower() in known_words or word.lower().rstrip(".") in _CALENDAR:
            continue
        if any(part not in vocabulary.words for part in words(word)):  # not a near word
            unknown.append(word)
    foreign = bool(_FOREIGN.search(question)) and not _LATIN.search(question)
    tokens = re.findall(r"[^\W\d_]+", question.lower())
    other = sum(t in _OTHER_LANGUAGE for t in tokens)
    foreign = foreign or (other >= 2 and other > sum(t in _ENGLISH for t in tokens))
    return Evidence(best, coverage, tuple(unknown), foreign)


def decide(query: Query, evidence: Evidence, threshold: float, coverage_floor: float) -> bool:
    """True when the assistant should say the documents do not answer.

    In order: a date no document carries or mentions; a name the archive never uses ("Potsdam");
    a question in another script that names nothing the archive knows; weak best evidence
    (below ``threshold``); or a question most of whose topic words the archive never uses
    (coverage below ``coverage_floor``) without strong evidence to outweigh it — except in a
    follow-up, whose subject the conversation has already found in the archive ("What did he
    offer instead?" may use words the documents do not).
    A follow-up resolved to definite messages (``query.restrict``) is answered from them.
    """
    if query.restrict:
        return False
    if query.date_uncovered or evidence.unknown_names or evidence.foreign:
        return True
    if evidence.best < threshold:
        return True
    return (evidence.coverage < coverage_floor and evidence.best < threshold + 0.3
            and not query.resolved_from)


def explain(evidence: Evidence, recognised: list[str] = ()) -> str | None:
    """A note telling the user why the archive was judged silent, where a reason can be named.

    Args:
        evidence: The measured evidence.
        recognised: Glossary names found in the question ("毛泽东 = Mao Zedong"), listed for a
            question in another script so the user sees what was understood.
    """
    if evidence.unknown_names:
        return f"The archive never mentions {', '.join(evidence.unknown_names)}."
    if evidence.foreign:
        note = ("The archive is in English and this question could not be read reliably: "
                "please ask it in English.")
        if recognised:
            note += (" Names recognised from the glossary: " + "; ".join(recognised)
                     + " (the passages below mention them).")
        return note
    return None
