"""Tests for assistant/glossary.py: loading the glossary and expanding questions with aliases."""
from __future__ import annotations

import json

import pytest
from conftest import SHIPPED_CORPUS

from assistant.errors import CorpusError
from assistant.glossary import AliasTable, Entry, _variant, load_glossary

STALIN = Entry("Stalin", "person", ("J.V. Stalin", "Filippov", "Fillipov"), "Soviet leader")
KMT = Entry("Kuomintang", "organisation", ("KMT", "Guomindang"), "Nationalist party")
CORPUS_TEXT = "Comrade Fillipov, the Kuomintang asks. Stalin replied to the KMT."


def test_shipped_glossary_loads():
    entries = load_glossary(SHIPPED_CORPUS)
    stalin = next(e for e in entries if e.name == "Stalin")
    assert stalin.kind == "person"
    assert {"Filippov", "Fillipov"} <= set(stalin.aliases)
    assert stalin.names[0] == "Stalin"


@pytest.mark.parametrize("typed, meant", [
    ("What did Josef Stalin think?", "Stalin"), ("What did Uncle Joe tell Mao?", "Stalin"),
    ("What did the Soviet leader advise?", "Stalin"),
    ("What did the Generalissimo propose?", "Chiang Kai-shek"),
    ("What did Russia tell Nanjing?", "Soviet Union"),
    ("What did the Chinese Reds propose?", "Chinese Communist Party"),
])
def test_shipped_glossary_knows_the_names_users_type(typed, meant):
    table = AliasTable(load_glossary(SHIPPED_CORPUS), "")
    assert meant in table.canonical(typed)


def test_missing_glossary_means_no_aliases(tiny_corpus):
    assert load_glossary(tiny_corpus) == []


@pytest.mark.parametrize("line", ['{"kind": "person"}', "[1, 2]", "{broken", '"Stalin"',
                                  '{"name": "CPC", "voice": ["Mao"]}'])
def test_malformed_entry_names_its_line(tiny_corpus, line):
    path = tiny_corpus / "glossary.jsonl"
    good = json.dumps({"name": "Stalin", "kind": "person", "aliases": [], "about": ""})
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_glossary(tiny_corpus)
    assert str(err.value) == (f"{path}:3: expected an object with name, kind, aliases, about"
                              " (and optionally voice)")


def test_expand_adds_the_corpus_spellings_of_a_name_the_corpus_lacks():
    table = AliasTable([STALIN, KMT], CORPUS_TEXT)
    assert table.expand("What did Filippov propose?") == (
        "What did Filippov propose? (Stalin; Fillipov)")
    assert table.expand("Did the Guomindang agree?") == (
        "Did the Guomindang agree? (Kuomintang; KMT)")
    # A name the corpus itself uses gains nothing.
    assert table.expand("What did Stalin propose?") == "What did Stalin propose?"
    assert table.expand("Nothing named here.") == "Nothing named here."


def test_short_capital_names_match_only_in_capitals():
    table = AliasTable([STALIN, KMT], CORPUS_TEXT)
    assert table.canonical("What did the KMT want?") == ["Kuomintang"]
    assert table.canonical("a kmt of rice") == []
    assert table.canonical("Fillipov and the kuomintang") == ["Stalin", "Kuomintang"]
    assert table.canonical("Fillipov and the kuomintang", kind="person") == ["Stalin"]


def test_people_positions():
    table = AliasTable([STALIN, KMT], CORPUS_TEXT)
    text = "Filippov wrote to the KMT, then J.V. Stalin wrote again."
    assert table.people_positions(text) == [(0, 8, "Stalin"), (32, 43, "Stalin"),
                                            (37, 43, "Stalin")]


def test_a_name_spelt_two_ways_in_the_archive_gains_its_other_spelling():
    table = AliasTable([STALIN, KMT], CORPUS_TEXT + " Telegram to Filippov.")
    assert table.expand("What did Filippov propose?") == "What did Filippov propose? (Fillipov)"
    assert table.expand("What did Stalin propose?") == "What did Stalin propose?"


@pytest.mark.parametrize("a, b, variant", [
    ("Filippov", "Fillipov", True), ("Vishinsky", "Vyshinsky", True),
    ("Changjiang", "Chiangjiang", True), ("America", "Americans", False),
    ("Stalin", "Molotov", False), ("Mao", "Max", False), ("Nanjing", "Nanking", True)])
def test_spelling_variants_are_one_word_two_edits_apart(a, b, variant):
    assert _variant(a, b) is variant
