"""Tests for assistant/evaluate.py: reading question files and the metrics, computed by hand."""
from __future__ import annotations

import json

import pytest

from assistant.errors import InputError
from assistant.evaluate import evaluate, fold, metrics, read_questions

CORPUS = ("We demand the \u201cunconditional surrender\u201d of the Kuomintang.\n"
          "The delegation waits.")
QUESTIONS = [
    {"id": "a", "question": "q", "expected_docs": ["d1"], "answer_contains": ["unconditional"],
     "kind": "factual"},
    {"id": "b", "question": "q", "expected_docs": ["d2"], "kind": "factual"},
    {"id": "c", "question": "q", "expected_docs": [], "kind": "out-of-corpus"},
    {"id": "d", "question": "q", "expected_docs": [], "kind": "out-of-corpus"},
]


def _quote(doc_id: str, text: str) -> dict:
    return {"doc_id": doc_id, "text": text}


ANSWERS = {
    "a": {"abstained": False, "latency_ms": 10.0,
          "quotes": [_quote("d1", 'We demand the "unconditional  surrender"'),
                     _quote("d2", "The delegation waits.")]},
    "b": {"abstained": True, "latency_ms": 30.0,
          "quotes": [_quote("d1", "of the Kuomintang."), _quote("d3", "retyped, not in corpus"),
                     _quote("d2", "The delegation")]},
    "c": {"abstained": True, "latency_ms": 20.0, "quotes": []},
    "d": {"abstained": False, "latency_ms": 40.0, "quotes": [_quote("d1", "We demand")]},
}


def test_fold_unifies_quotes_dashes_case_and_space():
    assert fold("  \u201cNo\u201d \u2014 it\u2019s\n\tTRUE \u2013 ") == "\"no\" - it's true -"


def test_metrics_by_hand():
    m = metrics(QUESTIONS, ANSWERS, CORPUS)
    assert m == {
        "questions": 4,
        "doc@1": 0.5,  # a: d1 first (yes); b: d1 first (no)
        "doc@3": 1.0,  # b has d2 third
        "phrase@3": 1.0,
        "abstain_ok": 0.5,  # c abstained, d did not
        "false_abstain": 0.5,  # b abstained although answerable
        "verbatim": 0.833,  # 5 of 6 quotes are in the corpus once folded
        "quote_words_p50": 3.0,  # word counts 5, 3, 3, 4, 2, 2
        "latency_ms_p50": 25.0,
        "latency_ms_p95": 30.0,
    }


def test_evaluate_splits_by_kind_and_skips_unanswered():
    report = evaluate(QUESTIONS, {k: v for k, v in ANSWERS.items() if k != "b"}, CORPUS)
    assert sorted(report["by_kind"]) == ["factual", "out-of-corpus"]
    assert report["by_kind"]["factual"]["doc@1"] == 1.0
    assert report["by_kind"]["factual"]["abstain_ok"] is None
    assert report["by_kind"]["out-of-corpus"]["doc@1"] is None
    assert report["overall"]["questions"] == 4


def test_read_questions_reports_each_bad_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps({"id": "ok", "question": "Why?"}).encode(),
        b"\xff\xfe",
        b"[1]",
        json.dumps({"id": "t", "turns": ["a", 2]}).encode(),
        json.dumps({"id": "conv", "turns": ["a", "b"]}).encode(),
    ]) + b"\n")
    questions, problems = read_questions(path)
    assert [q["id"] for q in questions] == ["ok", "conv"]
    assert problems == [f"{path}:2: not valid UTF-8", f"{path}:3: expected an object with an id",
                        f"{path}:4: needs a 'question' string or a 'turns' list of strings"]


def test_read_questions_of_a_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        read_questions(tmp_path / "none.jsonl")
    assert str(err.value) == f"cannot read {tmp_path / 'none.jsonl'}: No such file or directory"
