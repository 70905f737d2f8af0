"""Tests for assistant/abstain.py: the decision rule and what it reads."""
from __future__ import annotations

import pytest

from assistant.abstain import Evidence, decide, explain, gather_evidence
from assistant.lexical import Vocabulary
from assistant.records import Query

VOCABULARY = Vocabulary({"stalin", "mao", "telegram", "surrender", "kuomintang", "nanj"})


def evidence_for(question: str, best: float = 0.9, **query_fields) -> Evidence:
    query = Query(question, question, **query_fields)
    return gather_evidence(question, query, [], VOCABULARY, {"mao", "zedong"}, lambda w: 1.0)


def test_a_name_the_archive_never_uses_is_named():
    evidence = evidence_for("What was agreed at the Potsdam Conference?")
    assert evidence.unknown_names == ("Potsdam", "Conference")
    assert explain(evidence) == "The archive never mentions Potsdam, Conference."


def test_a_known_name_and_the_first_word_are_not_unknown():
    assert evidence_for("Whence did Mao Zedong send the telegram?").unknown_names == ()


def test_coverage_is_the_share_of_topic_words_the_archive_uses():
    assert evidence_for("surrender recipe duck").coverage == pytest.approx(1 / 3)


def test_another_script_is_told_plainly():
    evidence = evidence_for("毛泽东什么时候访问莫斯科？")
    assert evidence.foreign
    assert explain(evidence, ["毛泽东 = Mao Zedong"]) == (
        "The archive is in English and this question could not be read reliably: please ask it in "
        "English. Names recognised from the glossary: 毛泽东 = Mao Zedong (the passages below "
        "mention them).")


@pytest.mark.parametrize("question, foreign", [
    ("Qu'est-ce que Staline a proposé à Mao?", True),
    ("¿Qué propuso Mao el 13 de enero?", True),
    ("Was schlug Mao am 13. Januar vor?", True),
    ("Che cosa ha detto Stalin a Mao?", True),
    ("What did Mao say about the Kuomintang's conditions?", False),
    ("Que sera, sera: what did Stalin write?", False),  # one stray word is not a language
])
def test_another_language_in_latin_script_is_told_plainly(question, foreign):
    assert evidence_for(question).foreign is foreign


@pytest.mark.parametrize("evidence, query, refused", [
    (Evidence(0.9, 1.0), Query("q", "q"), False),
    (Evidence(0.40, 1.0), Query("q", "q"), True),  # weak evidence
    (Evidence(0.9, 1.0, ("Potsdam",)), Query("q", "q"), True),  # unknown name
    (Evidence(0.9, 1.0), Query("q", "q", date_uncovered=True), True),  # no such date
    (Evidence(0.6, 0.2), Query("q", "q"), True),  # mostly foreign words, middling evidence
    (Evidence(0.8, 0.2), Query("q", "q"), False),  # …outweighed by strong evidence
    (Evidence(0.1, 0.0), Query("q", "q", restrict=("rd-4",)), False),  # a resolved follow-up
    (Evidence(0.6, 0.2), Query("q", "q", resolved_from="earlier"), False),  # a follow-up's words
    (Evidence(0.4, 0.2), Query("q", "q", resolved_from="earlier"), True),  # …but weak is weak
    (Evidence(0.9, 1.0, foreign=True), Query("q", "q"), True),
])
def test_the_decision_rule(evidence, query, refused):
    assert decide(query, evidence, threshold=0.45, coverage_floor=0.4) is refused


def test_month_abbreviations_and_dates_are_not_unknown_names():
    assert evidence_for("What did Mao say on Jan 14 about the Kuomintang?").unknown_names == ()


def test_near_words_cover_a_question_but_a_name_must_match_exactly():
    vocabulary = Vocabulary(["stalin", "mediation", "military"])
    query = Query("What did the mediators of Stalingrad do militarily?",
                  "What did the mediators of Stalingrad do militarily?")
    evidence = gather_evidence(query.question, query, [], vocabulary, set(), lambda w: 1.0)
    assert evidence.coverage == pytest.approx(1.0)  # mediators ~ mediation, militarily ~ military
    assert evidence.unknown_names == ("Stalingrad",)  # …but Stalingrad is not Stalin


def test_a_verb_of_saying_counts_as_covered():
    assert evidence_for("What did Stalin add about the surrender?").coverage == pytest.approx(1.0)
    assert evidence_for("What did Stalin add about the recipe?").coverage == pytest.approx(2 / 3)


def test_coverage_counts_the_names_read_as_the_sender():
    query = Query("What did Mao say about surrender recipes?", "What did Mao say about surrender recipes?",
                  consumed=("Mao",))
    evidence = gather_evidence(query.question, query, [], VOCABULARY, set(), lambda w: 1.0)
    assert evidence.coverage == pytest.approx(2 / 3)  # mao and surrender of mao, surrender, recipe
