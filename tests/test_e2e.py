"""End-to-end tests with the real packaged model and the shipped corpus (index built once)."""
from __future__ import annotations

import json

import pytest
from conftest import EVAL_QUESTIONS

from assistant.answer import CANNOT_ANSWER
from assistant.render import answer_to_dict
from assistant.service import Conversation

pytestmark = pytest.mark.e2e


def _eval_items() -> list[dict]:
    with EVAL_QUESTIONS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _assert_verbatim(answer, documents) -> None:
    for quote in answer.quotes:
        assert documents[quote.doc_id].text[quote.start:quote.end] == quote.text, quote
    for quote in answer_to_dict(answer)["quotes"]:
        assert documents[quote["doc_id"]].text[quote["start"]:quote["end"]] == quote["text"]


def test_the_index_builds_from_the_shipped_corpus(real_index, real_settings, real_model):
    assert sorted(real_index.documents) == sorted([
        "rd-singh", "rd-tikhvinsky", "rd-1", "rd-2", "rd-3", "rd-4", "rd-5", "rd-6", "rd-7",
        "rd-notes", "wilson-112235"])
    manifest = json.loads((real_settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"] == real_model.name and manifest["dimension"] == 384
    assert manifest["counts"]["documents"] == 11
    assert real_index.dense.ntotal == len(real_index.chunks)
    assert real_index.sentence_vectors.shape == (len(real_index.sentences), 384)


def test_mao_proposal_of_13_january_cites_rd3_first(real_assistant):
    answer, _ = real_assistant.ask("What did Mao propose on 13 January?")
    assert not answer.abstained
    assert answer.quotes[0].doc_id == "rd-3"
    _assert_verbatim(answer, real_assistant.index.documents)


def test_mao_proposal_of_13_january_quotes_the_reply_he_proposes(real_assistant):
    """Point 1 of No. 3 is the reply Mao proposes the Soviet government give; the first quote is
    from it (it opens "The Government of the USSR always wished")."""
    answer, _ = real_assistant.ask("What did Mao propose on 13 January?")
    rd3 = real_assistant.index.documents["rd-3"].text
    proposal_start = rd3.index("The Government of the USSR always wished")
    proposal_end = rd3.index("as unacceptable.") + len("as unacceptable.")
    first = answer.quotes[0]
    assert proposal_start <= first.start < first.end <= proposal_end
    assert first.text.startswith("The Government of the USSR always wished")


@pytest.mark.parametrize("item", _eval_items(), ids=lambda item: item["id"])
def test_every_quote_of_every_eval_turn_is_verbatim(real_assistant, item):
    conversation = Conversation(real_assistant)
    for turn in item.get("turns") or [item["question"]]:
        answer = conversation.ask(turn)
        _assert_verbatim(answer, real_assistant.index.documents)
        assert len(answer.quotes) <= real_assistant.settings.max_quotes


def test_question_about_an_absent_subject_abstains(real_assistant):
    answer, _ = real_assistant.ask("Which athletes won gold medals at the 1936 Berlin Olympics?")
    assert answer.abstained
    assert answer.lead.startswith(CANNOT_ANSWER)
    _assert_verbatim(answer, real_assistant.index.documents)
