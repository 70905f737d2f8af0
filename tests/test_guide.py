"""Tests for assistant/guide.py: the About text, the Who's who & glossary and the document menu."""
from __future__ import annotations

from conftest import SHIPPED_CORPUS

from assistant.corpus import load_corpus
from assistant.glossary import Entry, load_glossary
from assistant.guide import about_markdown, document_choices, entry_matches, glossary_html

STALIN = Entry("Stalin", "person", ("Filippov", "Fillipov"), "Soviet leader; signed as Filippov.")
NANJING = Entry("Nanjing", "place", ("Nanking",), "Capital of the Nationalist government.")
KMT = Entry("Kuomintang", "organisation", (), "Nationalist party <KMT> & friends.")


def test_glossary_groups_entries_by_kind_in_a_fixed_order():
    assert glossary_html([NANJING, KMT, STALIN]) == (
        '<div class="glossary">'
        '<section class="glossary-group" aria-label="People"><h3>People</h3><dl>'
        '<dt>Stalin <span class="aliases">also written: Filippov, Fillipov</span></dt>'
        "<dd>Soviet leader; signed as Filippov.</dd></dl></section>"
        '<section class="glossary-group" aria-label="Parties, governments and institutions">'
        "<h3>Parties, governments and institutions</h3><dl>"
        "<dt>Kuomintang </dt><dd>Nationalist party &lt;KMT&gt; &amp; friends.</dd></dl></section>"
        '<section class="glossary-group" aria-label="Places"><h3>Places</h3><dl>'
        '<dt>Nanjing <span class="aliases">also written: Nanking</span></dt>'
        "<dd>Capital of the Nationalist government.</dd></dl></section></div>")


def test_glossary_search_matches_names_aliases_and_explanations_in_any_case():
    assert entry_matches(STALIN, "filippov") and entry_matches(NANJING, "NANKING")
    assert entry_matches(KMT, "party") and entry_matches(KMT, "  ")
    assert not entry_matches(NANJING, "Stalin")
    page = glossary_html([STALIN, NANJING, KMT], "nationalist")
    assert "Nanjing" in page and "Kuomintang" in page and "Stalin" not in page


def test_glossary_search_without_results_says_so_escaped():
    assert glossary_html([STALIN], " <b>x</b> ") == (
        '<p class="glossary-empty">Nothing in the glossary mentions \u201c&lt;b&gt;x&lt;/b&gt;\u201d.</p>')


def test_shipped_glossary_explains_the_pseudonym():
    page = glossary_html(load_glossary(SHIPPED_CORPUS), "Filippov")
    assert page.startswith('<div class="glossary"><section class="glossary-group" '
                           'aria-label="People"><h3>People</h3><dl><dt>Stalin ')


def test_document_menu_lists_dated_documents_by_date_then_undated(tiny_corpus):
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    assert document_choices(documents) == [
        ("No. 1 \u2014 Stalin to Mao Zedong, telegram, 10 January 1949", "tiny-1"),
        ("No. 2 \u2014 Mao Zedong to Stalin, telegram, 13 January 1949 (signed 12 January)", "tiny-2"),
        ("Stalin to Mao Zedong, cable, 14 January 1949", "tiny-3"),
        ("Notes by Editors", "tiny-notes"),
    ]


def test_about_counts_the_documents(tiny_corpus):
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    assert "This reading room holds 4 documents:" in about_markdown(documents)
    assert "{count}" not in about_markdown(documents)
