"""Tests for assistant/chunk.py: sentence splitting, verbatim offsets and token-bounded chunks."""
from __future__ import annotations

import re
from itertools import pairwise

import pytest
from conftest import NAVIGATION, SHIPPED_CORPUS, FakeEmbedder

from assistant.chunk import chunk_document, count_tokens, split_sentences
from assistant.corpus import NAVIGATION_LINE, load_corpus
from assistant.index import segment
from assistant.records import Document
from assistant.settings import Settings

TELEGRAM = ("No. 3\n"
            "Telegram of Mao Zedong to J.V. Stalin dated 13 January 1949\n"
            "\n"
            "Comrade Fillipov,\n"
            "\n"
            "I received your telegram of 10th January. Com. A.Y. Vishinsky will reply to the note. "
            "Mr. Fu arrives on 14 January. See pp. 132-140 of Vol. 5. He wrote: \"No more talks.\" "
            "Then he left! Why?\n"
            "\n"
            "Click here to return to the index.\n")
# Six sentences of exactly five cl100k tokens each, so the packing can be worked out by hand.
FIVE_TOKEN_SENTENCES = ["The cat sat here.", "The dog ran away.", "The man came back.",
                        "The sun went down.", "The bus left town.", "The boy fell over."]


def make_document(text: str, doc_id: str = "doc") -> Document:
    skipped = tuple(m.span() for m in NAVIGATION_LINE.finditer(text))
    return Document(doc_id, f"{doc_id}.txt", 0, len(text), text, doc_id, "telegram",
                    skipped=skipped)


def test_split_keeps_abbreviations_and_initials_together():
    sentences = split_sentences(make_document(TELEGRAM))
    assert [s.text for s in sentences] == [
        "No. 3",
        "Telegram of Mao Zedong to J.V. Stalin dated 13 January 1949",
        "Comrade Fillipov,",
        "I received your telegram of 10th January.",
        "Com. A.Y. Vishinsky will reply to the note.",
        "Mr. Fu arrives on 14 January.",
        "See pp. 132-140 of Vol. 5.",
        'He wrote: "No more talks."',
        "Then he left!",
        "Why?",
    ]


def test_sentence_offsets_are_verbatim_and_ids_start_at_first_id():
    doc = make_document(TELEGRAM)
    sentences = split_sentences(doc, first_id=40)
    assert [s.id for s in sentences] == list(range(40, 50))
    assert [(s.start, s.end) for s in sentences[:3]] == [(0, 5), (6, 65), (67, 84)]
    for sentence in sentences:
        assert doc.text[sentence.start:sentence.end] == sentence.text
        assert sentence.doc_id == "doc"


def test_navigation_line_is_never_a_sentence_or_in_a_chunk():
    doc = make_document(TELEGRAM)
    sentences = split_sentences(doc)
    chunks = chunk_document(doc, sentences, 0, max_tokens=20, overlap_tokens=5)
    assert all("Click here" not in s.text for s in sentences)
    assert all("Click here" not in c.text for c in chunks)
    assert chunks[-1].text.endswith("Then he left! Why?")


def test_document_of_only_navigation_has_no_sentences_or_chunks():
    doc = make_document(f"\n{NAVIGATION}\n\n   \n")
    assert split_sentences(doc) == []
    assert chunk_document(doc, [], 0, max_tokens=50, overlap_tokens=10) == []


def test_shipped_corpus_navigation_lines_are_not_indexed():
    sentences, chunks = segment(load_corpus(SHIPPED_CORPUS), Settings())
    assert not [s for s in sentences if "Click here" in s.text]
    assert not [c for c in chunks if "Click here" in c.text]


def test_packing_and_overlap_worked_out_by_hand():
    doc = make_document(" ".join(FIVE_TOKEN_SENTENCES))
    sentences = split_sentences(doc)
    assert [count_tokens(s.text) for s in sentences] == [5] * 6  # the premise of the hand count
    chunks = chunk_document(doc, sentences, 7, max_tokens=15, overlap_tokens=5)
    assert [c.sentence_ids for c in chunks] == [(0, 1, 2), (2, 3, 4), (4, 5)]
    assert [c.id for c in chunks] == [7, 8, 9]
    assert [c.text for c in chunks] == [
        "The cat sat here. The dog ran away. The man came back.",
        "The man came back. The sun went down. The bus left town.",
        "The bus left town. The boy fell over."]


def test_no_overlap_budget_means_disjoint_chunks():
    doc = make_document(" ".join(FIVE_TOKEN_SENTENCES))
    chunks = chunk_document(doc, split_sentences(doc), 0, max_tokens=10, overlap_tokens=0)
    assert [c.sentence_ids for c in chunks] == [(0, 1), (2, 3), (4, 5)]


@pytest.mark.parametrize("max_tokens,overlap", [(18, 6), (25, 10), (40, 0)])
def test_chunks_stay_in_their_document_and_respect_budget_and_overlap(tiny_corpus, max_tokens,
                                                                      overlap):
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    settings = Settings().replace(chunk_tokens=max_tokens, chunk_overlap_tokens=overlap)
    sentences, chunks = segment(list(documents.values()), settings)
    by_id = {s.id: s for s in sentences}
    assert max(count_tokens(s.text) for s in sentences) == 18  # no sentence needs cutting
    assert [c.id for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        doc = documents[chunk.doc_id]
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert {by_id[i].doc_id for i in chunk.sentence_ids} == {chunk.doc_id}
        assert chunk.start == by_id[chunk.sentence_ids[0]].start
        assert chunk.end == by_id[chunk.sentence_ids[-1]].end
        # The budget holds for the sentences packed (line breaks between them are not counted).
        assert sum(count_tokens(by_id[i].text) for i in chunk.sentence_ids) <= max_tokens
    for prev, nxt in pairwise(chunks):
        if prev.doc_id != nxt.doc_id:
            continue
        shared = [i for i in prev.sentence_ids if i in nxt.sentence_ids]
        assert nxt.sentence_ids[0] > prev.sentence_ids[0]  # always moves forward
        assert shared == list(prev.sentence_ids[len(prev.sentence_ids) - len(shared):])
        assert shared == list(nxt.sentence_ids[:len(shared)])
        assert sum(count_tokens(by_id[i].text) for i in shared) <= overlap
    # Every sentence of every document is in some chunk.
    assert {i for c in chunks for i in c.sentence_ids} == set(by_id)


def test_over_long_sentence_is_cut_at_word_boundaries():
    words = [f"word{n}" for n in range(60)]
    text = "Preface line.\n" + " ".join(words) + "\n"
    doc = make_document(text)
    sentences = split_sentences(doc)
    assert [s.text for s in sentences] == ["Preface line.", " ".join(words)]
    chunks = chunk_document(doc, sentences, 0, max_tokens=10, overlap_tokens=0)
    long_parts = [c for c in chunks if c.sentence_ids == (1,)]
    assert len(long_parts) > 1
    assert " ".join(c.text for c in long_parts) == " ".join(words)  # nothing lost, in order
    word_spans = [m.span() for m in re.finditer(r"\S+", text)]
    for part in long_parts:
        assert count_tokens(part.text) <= 10
        assert part.start in {s for s, _ in word_spans} and part.end in {e for _, e in word_spans}
    for part, following in pairwise(long_parts):
        # Greedy: the part could not have taken the next word too.
        next_word_end = next(e for s, e in word_spans if s == following.start)
        assert count_tokens(text[part.start:next_word_end]) > 10


def test_word_piece_budget_is_kept_with_room_for_special_tokens():
    doc = make_document(" ".join(FIVE_TOKEN_SENTENCES * 2))
    fake = FakeEmbedder()
    chunks = chunk_document(doc, split_sentences(doc), 0, max_tokens=1000, overlap_tokens=0,
                            max_pieces=10, count_pieces=fake.count_pieces)
    # 8 pieces (10 minus [CLS] and [SEP]) hold two four-word sentences.
    assert [len(c.sentence_ids) for c in chunks] == [2] * 6
    assert all(fake.count_pieces(c.text) <= 8 for c in chunks)


def test_sentence_longer_than_the_piece_budget_is_cut():
    doc = make_document(" ".join(f"w{n}" for n in range(20)))
    fake = FakeEmbedder()
    chunks = chunk_document(doc, split_sentences(doc), 0, max_tokens=1000, overlap_tokens=0,
                            max_pieces=7, count_pieces=fake.count_pieces)
    assert [c.text for c in chunks] == ["w0 w1 w2 w3 w4", "w5 w6 w7 w8 w9",
                                        "w10 w11 w12 w13 w14", "w15 w16 w17 w18 w19"]


@pytest.mark.e2e
def test_every_shipped_chunk_fits_the_real_model(real_model, real_index, real_settings):
    tokenizer = real_model.model.tokenizer
    assert real_settings.max_word_pieces <= real_model.max_pieces
    pieces = {c.id: len(tokenizer.tokenize(c.text)) for c in real_index.chunks}
    too_long = {i: n for i, n in pieces.items() if n > real_model.max_pieces - 2}
    assert too_long == {}
    assert len(real_index.chunks) > 11  # the documents really were split
    assert not [c for c in real_index.chunks if re.search(r"Click here", c.text)]
