"""Tests for assistant/render.py: the batch JSON schema, Markdown escaping and golden renderings."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.records import Answer, Quote
from assistant.render import answer_to_dict, answer_to_markdown, answer_to_text, escape_markdown

GOLDEN = Path(__file__).parent / "golden"
QUOTE_KEYS = ["doc_id", "title", "date", "text", "start", "end", "citation", "score"]

SAMPLE = Answer(
    question="What did Mao propose on 13 January?",
    lead=('For 13 January 1949: No. 2 — Mao Zedong to Stalin ("Fillipov"), telegram, '
          '13 January 1949.'),
    quotes=(
        Quote("tiny-2", 131, 187, "We demand the unconditional surrender of the Kuomintang.",
              "No. 2: Telegram of Mao to Stalin, 13 January 1949", "1949-01-13",
              "Mao Zedong to Stalin, telegram, 13 January 1949; Tiny Test Archive", 1.2345),
        Quote("tiny-3", 40, 122,
              "Your demand for surrender is correct.\nThe delegation should wait until the spring.",
              "Cable, Stalin to Mao", "1949-01-14",
              "Stalin to Mao Zedong, cable, 14 January 1949; Tiny Test Archive", 0.9),
    ),
    abstained=False,
    notes=("No document is dated 12 January 1949 (it was signed then).",),
    resolved_question=None,
    latency_ms=12.5,
)


def test_batch_schema_has_exactly_the_documented_keys():
    row = answer_to_dict(SAMPLE, "d01")
    assert list(row) == ["id", "question", "answer", "abstained", "quotes", "notes", "latency_ms"]
    assert [list(q) for q in row["quotes"]] == [QUOTE_KEYS, QUOTE_KEYS]
    assert row["quotes"][0] == {
        "doc_id": "tiny-2", "title": "No. 2: Telegram of Mao to Stalin, 13 January 1949",
        "date": "1949-01-13", "text": "We demand the unconditional surrender of the Kuomintang.",
        "start": 131, "end": 187,
        "citation": "Mao Zedong to Stalin, telegram, 13 January 1949; Tiny Test Archive",
        "score": 1.2345}
    assert row["id"] == "d01" and row["abstained"] is False and row["latency_ms"] == 12.5
    assert row["answer"] == SAMPLE.lead
    assert row["notes"] == ["No document is dated 12 January 1949 (it was signed then)."]


def test_batch_row_without_id_and_with_a_resolved_follow_up():
    followed = Answer("How did Stalin respond?", "lead", (), True,
                      resolved_question="How did Stalin respond? (read as a follow-up to: X)")
    row = answer_to_dict(followed)
    assert "id" not in row
    assert row["quotes"] == [] and row["abstained"] is True
    assert row["notes"] == ["Question read as: How did Stalin respond? (read as a follow-up to: X)"]


def test_markdown_never_lets_html_through():
    hostile = Answer("<script>alert(1)</script>", "<script>alert('lead')</script>",
                     (Quote("x", 0, 30, "<script>alert('quote')</script>", "<b>t</b>", None,
                            "<img src=x onerror=alert(1)>", 0.5),),
                     False, notes=("<iframe src=evil>",),
                     resolved_question="<script>alert('resolved')</script>")
    markdown = answer_to_markdown(hostile)
    assert "<script" not in markdown and "<img" not in markdown and "<iframe" not in markdown
    assert markdown.startswith("**&lt;script&gt;alert\\('lead'\\)&lt;/script&gt;**")
    # The only tags are the renderer's own citation marks.
    assert markdown.count("<") == markdown.count("<sub>") + markdown.count("</sub>")


@pytest.mark.parametrize("text,escaped", [
    ("a*b_c", "a\\*b\\_c"),
    ("[link](http://x)", "\\[link\\]\\(http://x\\)"),
    ("# not a heading", "\\# not a heading"),
    ("1949-01-13", "1949\\-01\\-13"),
    ("Tom & Jerry <3", "Tom &amp; Jerry &lt;3"),
    ("back\\slash `code`", "back\\\\slash \\`code\\`"),
])
def test_escape_markdown(text, escaped):
    assert escape_markdown(text) == escaped


def test_markdown_matches_golden_file():
    assert answer_to_markdown(SAMPLE) == (GOLDEN / "answer.md").read_text(encoding="utf-8")


def test_plain_text_matches_golden_file():
    assert answer_to_text(SAMPLE) == (GOLDEN / "answer.txt").read_text(encoding="utf-8")


def test_markdown_with_short_citations_names_the_documents_only():
    assert answer_to_markdown(SAMPLE, full_citations=False).split("\n\n")[3:] == [
        "<sub>[1] No\\. 2: Telegram of Mao to Stalin, 13 January 1949 (tiny\\-2)</sub>",
        "> Your demand for surrender is correct\\. The delegation should wait until the spring\\.",
        "<sub>[2] Cable, Stalin to Mao (tiny\\-3)</sub>"]
