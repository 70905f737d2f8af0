"""Tests for assistant/export.py: Markdown, CSL-JSON and BibTeX exports of an answer (golden files)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.corpus import load_corpus
from assistant.export import (
    EXPORTS,
    bibtex_entry,
    bibtex_escape,
    export_bibtex,
    export_csl_json,
    export_markdown,
    markdown_text,
)
from assistant.records import Answer, Document, Quote

GOLDEN = Path(__file__).parent / "golden"
CABLE = Document(
    id="w-1", source="w.txt", start=0, end=40, text="Comrade Filippov, we received 100% {of} it.",
    title="Cable, Mao to Filippov [Stalin], 10 January 1949", kind="cable", sender="Mao Zedong",
    recipient="Stalin", date="1949-01-10",
    citation={"publication": "Wilson Center Digital Archive, document 112235",
              "archive": "APRF: F. 39, Op. 1, D. 31, Ll. 60-62", "original": "Ledovskii & al., p. 14",
              "translator": "Sergey Radchenko", "url": "https://example.org/doc/{112235}"})


def cut(doc: Document, phrase: str, score: float = 1.0) -> Quote:
    """A quote of ``phrase`` as the system makes them: a slice of the document's text."""
    start = doc.text.index(phrase)
    return Quote(doc.id, start, start + len(phrase), doc.text[start:start + len(phrase)], doc.title,
                 doc.date, f"citation of {doc.id}", score)


@pytest.fixture
def documents(tiny_corpus):
    return {d.id: d for d in load_corpus(tiny_corpus)}


@pytest.fixture
def answer(documents):
    return Answer(
        question="What did Mao propose on 13 January?",
        lead="For 13 January 1949: No. 2 — Mao Zedong to Stalin, telegram, 13 January 1949.",
        quotes=(cut(documents["tiny-2"], "We demand the unconditional surrender of the Kuomintang."),
                cut(documents["tiny-3"], "Your demand for surrender is correct."),
                cut(documents["tiny-2"], "Mr. Fu will carry the reply to Peiping.")),
        abstained=False,
        notes=("Searched only the 3 of 4 documents matching the filters (written by Mao Zedong).",),
        resolved_question=None, latency_ms=12.5)


@pytest.mark.parametrize(("fmt", "golden"), [("markdown", "export.md"), ("csl-json", "export.json"),
                                             ("bibtex", "export.bib")])
def test_exports_match_golden_files(answer, documents, fmt, golden):
    extension, exporter = EXPORTS[fmt]
    assert golden.endswith(extension)
    assert exporter(answer, documents) == (GOLDEN / golden).read_text(encoding="utf-8")


def test_csl_json_has_one_item_per_document_with_its_quotes(answer, documents):
    items = json.loads(export_csl_json(answer, documents))
    assert [item["id"] for item in items] == ["tiny-2", "tiny-3"]
    assert items[0]["author"] == [{"literal": "Mao Zedong"}]
    assert items[0]["recipient"] == [{"literal": "Stalin"}]
    assert items[0]["issued"] == {"date-parts": [[1949, 1, 13]]}
    assert items[0]["annote"].count("\u201c") == 2  # both quotes of tiny-2, in answer order
    assert items[1]["type"] == "personal_communication" and items[1]["genre"] == "cable"


def test_csl_item_carries_archive_translators_and_url():
    answer = Answer("q", "lead", (cut(CABLE, "we received 100%"),), False)
    item = json.loads(export_csl_json(answer, {"w-1": CABLE}))[0]
    assert item["archive_location"] == "APRF: F. 39, Op. 1, D. 31, Ll. 60-62"
    assert item["translator"] == [{"literal": "Sergey Radchenko"}]
    assert item["URL"] == "https://example.org/doc/{112235}"
    assert item["note"] == "Original publication: Ledovskii & al., p. 14"
    assert item["annote"] == "\u201cwe received 100%\u201d (characters 18\u201334)"


def test_bibtex_escapes_latex_and_braces_names():
    entry = bibtex_entry(CABLE, [cut(CABLE, "we received 100% {of} it.")])
    assert entry == (
        "@misc{w-1,\n"
        "  title = {{Cable, Mao to Filippov [Stalin], 10 January 1949}},\n"
        "  author = {{Mao Zedong}},\n"
        "  date = {1949-01-10},\n"
        "  year = {1949},\n"
        "  month = jan,\n"
        "  howpublished = {Wilson Center Digital Archive, document 112235},\n"
        "  note = {Cable to Stalin. Archive reference: APRF: F. 39, Op. 1, D. 31, Ll. 60-62. "
        "Original publication: Ledovskii \\& al., p. 14. Translated by Sergey Radchenko.},\n"
        "  url = {https://example.org/doc/%7B112235%7D},\n"
        "  annote = {\u201cwe received 100\\% \\{of\\} it.\u201d (characters 18--43)}\n"
        "}\n")


@pytest.mark.parametrize(("text", "escaped"), [
    ("50% & $5 #1 a_b ^ ~ \\", "50\\% \\& \\$5 \\#1 a\\_b \\textasciicircum{} \\textasciitilde{} "
                               "\\textbackslash{}"),
    ("line\nbreak", "line break"),
])
def test_bibtex_escape(text, escaped):
    assert bibtex_escape(text) == escaped


@pytest.mark.parametrize(("text", "escaped"), [
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("1. For secrecy", "1\\. For secrecy"),  # would start a numbered list
    ("# heading", "\\# heading"),
    ("- item", "\\- item"),
    ("a *b* _c_ [d](e) `f` ~g~ | h & i", "a \\*b\\* \\_c\\_ \\[d\\](e) \\`f\\` \\~g\\~ \\| h \\& i"),
    ("No. 3 — Mao Zedong (rd-3)", "No. 3 — Mao Zedong (rd-3)"),  # stays readable
    ("two\n\nparagraphs", "two paragraphs"),
])
def test_markdown_text(text, escaped):
    assert markdown_text(text) == escaped


def test_markdown_export_never_lets_html_through():
    hostile = Answer("<img src=x onerror=alert(1)>", "<script>alert('lead')</script>",
                     (Quote("x", 0, 8, "<b>hi</b>", "t", None, "<iframe src=evil>", 0.5),), False)
    markdown = export_markdown(hostile)
    assert "<" not in markdown.replace("\\<", "")


def test_an_answer_without_quotes_exports_no_entries(documents):
    empty = Answer("q", "The documents in this archive do not answer this question.", (), True)
    assert export_bibtex(empty, documents) == ""
    assert export_csl_json(empty, documents) == "[]\n"
    assert export_markdown(empty).startswith("# q\n\nThe documents in this archive do not answer")
