"""Tests for assistant/lexical.py: the word tokenizer shared by BM25, queries and quote scoring."""
from __future__ import annotations

from assistant.lexical import stem, words


def test_words_are_lower_cased_content_words():
    assert words("What did Stalin say about the Kuomintang?") == ["stalin", "kuomintang"]
    assert words("Mr. Fu and Com. Vishinsky") == ["fu", "vishinsky"]
    assert words("") == [] and words("what did they say to us?") == []


def test_possessives_with_either_apostrophe_and_plurals():
    assert words("Stalin's proposals") == words("Stalin\u2019s proposal") == ["stalin", "proposal"]
    assert stem("parties") == stem("party") == "party"
    assert stem("marches") == stem("march") == "march"


def test_inflections_meet_at_one_stem():
    assert stem("proposed") == stem("propose") == stem("proposes")
    assert stem("talking") == stem("talks") == stem("talk") == "talk"


def test_short_words_and_latin_endings_are_kept():
    assert [stem(w) for w in ["class", "status", "analysis", "us"]] == [
        "class", "status", "analysis", "us"]


def test_underscores_and_punctuation_split_words():
    assert words("peace_talks, 1949-01-13") == [stem("peace"), "talk", "1949", "01", "13"]
