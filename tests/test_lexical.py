"""Tests for assistant/lexical.py: the word tokenizer shared by BM25, queries and quote scoring."""
from __future__ import annotations

from assistant.lexical import SPEECH_STEMS, Vocabulary, stem, words


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


def test_ordinals_are_the_numbers_they_count():
    assert words("the 9th, the 1st and 22nd of January") == ["9", "1", "22", "january"]


def test_stopwords_are_dropped_also_once_stemmed_and_negated_auxiliaries_go_too():
    assert words("saying tells") == []
    assert words("Why wasn't Mao sure? He didn't know.") == ["mao", "sur", "know"]


def test_a_vocabulary_holds_near_words_of_the_same_first_letters():
    vocabulary = Vocabulary(words("mediation military Stalin"))
    assert "mediation" in vocabulary and stem("mediators") in vocabulary
    assert stem("militarily") in vocabulary
    assert "mediocre" not in vocabulary and "stal" not in vocabulary
    assert "stalingrad" in vocabulary  # a near word: names are checked against .words instead
    assert "stalingrad" not in vocabulary.words


def test_the_verbs_of_saying_are_known_by_their_stems():
    assert {stem("proposed"), stem("advised"), stem("favour"), stem("emphasized")} <= SPEECH_STEMS
    assert stem("proposal") not in SPEECH_STEMS
