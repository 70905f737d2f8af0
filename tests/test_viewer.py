"""Tests for assistant/viewer.py: escaping, the exact highlight, the metadata card, the evidence list."""
from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from assistant.corpus import load_corpus
from assistant.records import Answer, DatedAs, Quote
from assistant.viewer import (
    EVIDENCE_EMPTY,
    VIEWER_EMPTY,
    document_html,
    evidence_html,
    highlight_html,
    metadata_card_html,
)

MARK_OPEN = ('<mark id="quote-highlight" class="quote-mark" tabindex="-1"><span class="sr-only">'
             "Quoted passage begins: </span>")
MARK_CLOSE = '<span class="sr-only"> (quoted passage ends)</span></mark>'


@pytest.fixture
def documents(tiny_corpus):
    return {d.id: d for d in load_corpus(tiny_corpus)}


def test_highlight_wraps_exactly_the_slice_and_escapes_everything():
    text = 'if a < b & "c" then <script>x</script>'
    start = text.index("<script>")
    assert highlight_html(text, start, len(text)) == (
        "if a &lt; b &amp; &quot;c&quot; then " + MARK_OPEN
        + "&lt;script&gt;x&lt;/script&gt;" + MARK_CLOSE)
    assert highlight_html(text) == html.escape(text)


@pytest.mark.parametrize(("start", "end"), [(3, 3), (5, 2), (-1, 4), (0, 99), (None, 4), (2, None)])
def test_highlight_outside_the_text_is_refused(start, end):
    with pytest.raises(ValueError, match="is not a span of a 10-character text"):
        highlight_html("0123456789", start, end)


def test_document_view_round_trips_to_the_source_text(documents):
    doc = documents["tiny-2"]
    start = doc.text.index("We demand")
    end = doc.text.index("Kuomintang.") + len("Kuomintang.")
    view = document_html(doc, start, end)
    assert view.count("<mark") == 1
    inner = view[view.index(">") + 1:view.rindex("</article>")]
    marked = inner[inner.index(MARK_OPEN) + len(MARK_OPEN):inner.index(MARK_CLOSE)]
    assert html.unescape(marked) == doc.text[start:end]
    assert html.unescape(inner.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")) == doc.text
    assert view.startswith('<article class="doc-text" aria-label="Full text of No. 2 \u2014 Mao '
                           'Zedong to Stalin, telegram, 13 January 1949 (signed 12 January)">')


def test_document_view_without_a_document_invites_a_choice():
    assert document_html(None) == f'<p class="viewer-empty">{VIEWER_EMPTY}</p>'


def test_hostile_document_text_is_shown_as_text(documents):
    doc = replace(documents["tiny-1"], text='<img src=x onerror="alert(1)"> ${alert(2)} {{x}}',
                  title="<b>bold</b>")
    view = document_html(doc, 0, 5)
    assert "<img" not in view and "<b>" not in view
    assert "${alert(2)} {{x}}" in view  # inert: Gradio inserts the value, it never evaluates it


def card_rows(card: str) -> list[tuple[str, str]]:
    return re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", card)


def test_metadata_card_of_a_reply(documents):
    card = metadata_card_html(documents["tiny-2"], documents, (131, 187))
    assert card.startswith('<section class="meta-card" aria-label="About this document">'
                           '<h3 class="meta-title" tabindex="-1">No. 2: Telegram of Mao to Stalin, '
                           "13 January 1949</h3>")
    assert card_rows(card) == [
        ("From \u2192 to", "Mao Zedong \u2192 Stalin"),
        ("Date", "13 January 1949 (signed 12 January)"),
        ("Kind", "Telegram"),
        ("Published in", "Tiny Test Archive"),
        ("Replies to", '<button type="button" class="doc-link" data-doc="tiny-1">No. 1 \u2014 '
                       "Stalin to Mao Zedong, telegram, 10 January 1949</button>"),
        ("Answered by", '<button type="button" class="doc-link" data-doc="tiny-3">Stalin to Mao '
                        "Zedong, cable, 14 January 1949</button>"),
        ("Document id", "<code>tiny-2</code>"),
        ("Highlighted", "characters 131\u2013187"),
    ]


def test_metadata_card_with_archive_translator_url_and_other_dates(documents):
    doc = replace(documents["tiny-1"], addressed_as="Fillipov", dates=(
        DatedAs("1949-01-10", "published"), DatedAs("1949-01-08", "memorandum sent"),
        DatedAs("1949-01-09", "signed")),
        citation={"publication": "P", "archive": "APRF: F. 39", "original": "O & co",
                  "translator": "T. Ranslator", "url": "https://example.org/?a=1&b=<2>",
                  "file": "letters/<1>.txt"},
        continues="tiny-notes", remarks=((6, 14, "misprint <sic>"),))
    rows = dict(card_rows(metadata_card_html(doc, documents)))
    assert rows["From \u2192 to"] == ('Stalin \u2192 Mao Zedong <span class="muted">(addressed as '
                                      "\u201cFillipov\u201d)</span>")
    assert rows["Date"] == "10 January 1949 (signed 9 January) (published)"
    assert rows["Also dated"] == "8 January 1949 (memorandum sent)"
    assert rows["Archive reference"] == "APRF: F. 39"
    assert rows["Original publication"] == "O &amp; co"
    assert rows["Translated by"] == "T. Ranslator"
    assert rows["Online"] == ('<a href="https://example.org/?a=1&amp;b=&lt;2&gt;" target="_blank" '
                              'rel="noopener noreferrer">https://example.org/?a=1&amp;b=&lt;2&gt;</a>')
    assert rows["File"] == "letters/&lt;1&gt;.txt"
    assert rows["Editor's remarks"] == "\u201cTelegram\u201d: misprint &lt;sic&gt;"
    assert rows["Continues"].startswith('<button type="button" class="doc-link" data-doc="tiny-notes">')


def test_metadata_card_refuses_links_that_are_not_web_addresses(documents):
    doc = replace(documents["tiny-1"], citation={"url": "javascript:alert(1)"})
    assert "javascript" not in metadata_card_html(doc, documents)
    assert metadata_card_html(None, documents) == ""


def test_evidence_lists_each_quote_as_a_button(documents):
    doc = documents["tiny-2"]
    start = doc.text.index("We demand")
    quote = Quote("tiny-2", start, start + 9, "We demand", doc.title, doc.date,
                  'Mao Zedong to Stalin, "telegram"', 1.0)
    answer = Answer("What did <Mao> propose?", "For 13 January 1949: No. 2.", (quote,), False)
    assert evidence_html(answer) == (
        '<section class="evidence" aria-label="Evidence">'
        '<p class="evidence-question">Evidence for <q>What did &lt;Mao&gt; propose?</q></p>'
        '<p class="evidence-lead">For 13 January 1949: No. 2.</p>'
        '<h3 class="evidence-heading">Quotes</h3><ol class="quote-list">'
        '<li><button type="button" class="quote-card" data-quote="0" data-doc="tiny-2" '
        'data-date="1949-01-13"><span class="quote-no">[1]</span> '
        '<span class="quote-text">\u201cWe demand\u201d</span> '
        '<span class="quote-cite">\u2014 Mao Zedong to Stalin, &quot;telegram&quot;</span> '
        '<span class="quote-open">Show in the document <span class="sr-only">(tiny-2, characters '
        f"{start}\u2013{start + 9})</span>\u2192</span></button></li></ol></section>")


def test_evidence_of_an_abstention_names_the_nearest_passages():
    quote = Quote("x", 0, 4, "Text", "T", None, "C", 0.1)
    abstained = Answer("q", "The documents in this archive do not answer this question.",
                       (quote,), True)
    assert '<h3 class="evidence-heading">Nearest passages</h3>' in evidence_html(abstained)
    bare = evidence_html(replace(abstained, quotes=()))
    assert "<ol" not in bare and "do not answer" in bare
    assert evidence_html(None) == f'<p class="evidence-empty">{EVIDENCE_EMPTY}</p>'
