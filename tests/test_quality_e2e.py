"""End-to-end answer quality on the shipped corpus with the real model (issue: answer quality).

The questions here are the project's own (eval/probe_questions.jsonl and the literals below),
never the shared dev questions.
"""
from __future__ import annotations

import json

import pytest

from assistant.answer import CANNOT_ANSWER
from assistant.service import Conversation
from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e
PROBE = PROJECT_ROOT / "eval" / "probe_questions.jsonl"


def probe_answers(assistant):
    for line in PROBE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        conversation = Conversation(assistant)
        turns = item.get("turns") or [item["question"]]
        for turn in turns[:-1]:
            conversation.ask(turn)
        yield item, conversation.ask(turns[-1])


def test_probe_questions_are_answered_or_refused_as_they_should_be(real_assistant):
    refused_wrongly, answered_wrongly, first_right, answerable = [], [], 0, 0
    for item, answer in probe_answers(real_assistant):
        expected = set(item["expected_docs"])
        if not expected:
            if not answer.abstained or not answer.lead.startswith(CANNOT_ANSWER):
                answered_wrongly.append(item["id"])
        else:
            answerable += 1
            if answer.abstained:
                refused_wrongly.append(item["id"])
            first_right += bool(answer.quotes) and answer.quotes[0].doc_id in expected
        for quote in answer.quotes:
            assert real_assistant.index.documents[quote.doc_id].text[quote.start:quote.end] == quote.text
            assert len(quote.text.split()) <= 60
    assert (refused_wrongly, answered_wrongly) == ([], [])
    assert first_right / answerable >= 0.9, f"doc@1 {first_right}/{answerable}"


def test_differing_figures_are_noted_with_both_documents(real_assistant):
    answer, _ = real_assistant.ask("What number of war criminals did the Communists list?")
    assert ("The documents give different figures: 45 in No. 3 (Mao Zedong to Stalin, "
            "13 January 1949) and 43 in No. 5 (Mao Zedong to Stalin, 14 January 1949).") in answer.notes
    assert {q.doc_id for q in answer.quotes[:3]} >= {"rd-3", "rd-5"}


def test_a_misprinted_date_in_a_quote_carries_the_manifest_remark(real_assistant):
    answer, _ = real_assistant.ask("When did Mao plan to take Tianjin?")
    assert answer.quotes[0].doc_id == "wilson-112235"
    assert any("13 November" in note and "misprinted" in note for note in answer.notes)


def test_a_follow_up_names_the_message_it_answers(real_assistant):
    conversation = Conversation(real_assistant)
    conversation.ask("What did Stalin write on 10 January?")
    answer = conversation.ask("What did Mao reply?")
    assert answer.lead.startswith("Mao Zedong's reply of 13 January 1949 to Stalin's telegram of "
                                  "10 January 1949: No. 3")
    assert answer.resolved_question == ("What did Mao reply? (read as a follow-up to: What did "
                                        "Stalin write on 10 January?)")
    assert {q.doc_id for q in answer.quotes} == {"rd-3"}
