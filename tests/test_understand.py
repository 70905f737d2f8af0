"""Tests for assistant/understand.py: dates in archive time, authors, references, follow-ups."""
from __future__ import annotations

import json

import pytest

from assistant.corpus import load_corpus
from assistant.glossary import AliasTable, load_glossary
from assistant.records import Query, Turn
from assistant.understand import ArchiveContext, understand

GLOSSARY = [
    {"name": "Stalin", "kind": "person", "aliases": ["Filippov", "Fillipov", "J.V. Stalin"],
     "about": "Soviet leader."},
    {"name": "Mao Zedong", "kind": "person", "aliases": ["Mao", "毛泽东"], "about": "CPC chairman."},
    {"name": "Beiping", "kind": "place", "aliases": ["Peiping", "Peking", "Beijing"], "about": "City."},
    {"name": "Kuomintang", "kind": "organisation", "aliases": ["KMT", "GMD"], "about": "Party."},
]


@pytest.fixture
def archive(tiny_corpus) -> ArchiveContext:
    (tiny_corpus / "glossary.jsonl").write_text(
        "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in GLOSSARY), encoding="utf-8")
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    text = "\n".join(d.text for d in documents.values())
    return ArchiveContext.build(documents, AliasTable(load_glossary(tiny_corpus), text))


def turn(question: str, doc_ids: tuple[str, ...], spans=()) -> Turn:
    return Turn(question, Query(question, question), doc_ids, False, spans)


def test_archive_year_and_month_come_from_the_documents_not_today(archive):
    assert (archive.year, archive.month) == (1949, 1)


@pytest.mark.parametrize("question", [
    "What did Mao write on 13 January?", "What did Mao write on Jan. 13th?",
    "What did Mao write on January 13, 1949?", "What did Mao write on 1949-01-13?",
    "What did Mao write on the 13th?"])
def test_a_date_as_people_write_it_prefers_the_documents_of_that_date(archive, question):
    query = understand(question, [], archive)
    assert query.dates == ("1949-01-13", "1949-01-13")
    assert query.date_label == "13 January 1949"
    assert query.prefer[0] == ("tiny-2", 3.0)  # heading date (2.0) + written by Mao (1.0)
    assert query.sender == "Mao Zedong"
    assert not query.date_uncovered and query.notes == ()


def test_a_signed_date_counts_as_the_documents_date(archive):
    query = understand("What was signed on 12 January?", [], archive)
    assert dict(query.prefer) == {"tiny-2": 2.0}


def test_a_date_only_mentioned_in_a_text_is_covered_with_a_note(archive):
    query = understand("What arrived on 9 January?", [], archive)
    assert not query.date_uncovered
    assert query.notes == ("No document is dated 9 January 1949; the nearest dated documents are "
                           "No. 1 of 10 January 1949.",)
    # …and the answer may only come from where the text mentions it.
    assert query.mentions == (("tiny-1", archive.documents["tiny-1"].text.index("9 January")),)


def test_a_year_no_document_is_dated_gets_the_same_note(archive):
    query = understand("What did Mao write in 1948?", [], archive)
    assert query.date_uncovered and query.mentions == ()
    assert query.notes == ("No document is dated 1948; the nearest dated documents are "
                           "No. 1 of 10 January 1949.",)


def test_a_date_some_document_carries_sets_no_mentions(archive):
    assert understand("What did Stalin write on 10 January?", [], archive).mentions == ()


@pytest.mark.parametrize("question, topic", [
    ("In the telegram dated 1949-01-13, what did Mao ask about the surrender?", {"ask", "surrender"}),
    ("What did Mao say in his 13 January telegram about the surrender?", {"surrender"}),
    ("What did the cable of 14 January say about the delegation?", {"delegation"}),
    ("What did Mao write about the telegram on 13 January?", {"telegram"}),
])
def test_the_words_naming_a_dated_message_are_not_its_subject(archive, question, topic):
    from assistant.quotes import topic_words

    assert topic_words(understand(question, [], archive)) == topic


@pytest.mark.parametrize("question, day", [
    ("What did Stalin write the day after Mao's telegram of 13 January?", "1949-01-14"),
    ("What was sent two days before 15 January?", "1949-01-13"),
    ("What did Mao write on 13 January?", "1949-01-13"),
])
def test_a_day_counted_from_a_date_is_that_day(archive, question, day):
    assert understand(question, [], archive).dates == (day, day)


def test_an_authors_last_message_is_their_latest(archive):
    query = understand("What was in Mao's last message?", [], archive)
    assert query.sender == "Mao Zedong"
    assert query.prefer[0] == ("tiny-2", 4.0)


def test_a_date_no_document_carries_or_mentions_is_uncovered(archive):
    query = understand("What did Stalin write on 20 January?", [], archive)
    assert query.date_uncovered
    assert query.notes == ("No document is dated 20 January 1949; the nearest dated documents are "
                           "Cable, Stalin to Mao of 14 January 1949.",)


def test_a_month_with_no_document_is_uncovered_even_if_the_year_is_mentioned(archive):
    assert understand("What did Mao write in March 1949?", [], archive).date_uncovered


def test_the_archive_year_says_nothing_about_which_document(archive):
    query = understand("What did the Kuomintang do in 1949?", [], archive)
    assert query.prefer == () and not query.date_uncovered


def test_alias_of_the_sender_is_read_as_the_sender(archive):
    query = understand("What did Filippov propose?", [], archive)
    assert query.sender == "Stalin"
    assert dict(query.prefer) == {"tiny-1": 1.0, "tiny-3": 1.0}
    assert "Filippov" in query.consumed


def test_asking_what_one_person_asked_another_sets_both(archive):
    query = understand("What did Mao ask Stalin about the note?", [], archive)
    assert (query.sender, query.recipient) == ("Mao Zedong", "Stalin")


def test_a_spelling_the_archive_does_not_use_is_expanded_with_its_own(archive):
    query = understand("What will be carried to Peking?", [], archive)
    assert query.search_text == "What will be carried to Peking? (Peiping)"


def test_a_spelling_the_archive_uses_is_left_alone(archive):
    assert understand("What did the Kuomintang do?", [], archive).search_text == \
        "What did the Kuomintang do?"


def test_a_name_in_chinese_script_is_read_through_the_glossary(archive):
    query = understand("What did 毛泽东 demand?", [], archive)
    assert query.sender == "Mao Zedong"
    assert "Mao Zedong" in query.search_text


def test_a_document_number_names_the_document(archive):
    query = understand("What does No. 2 say about surrender?", [], archive)
    assert dict(query.prefer)["tiny-2"] == 2.5


def test_how_did_he_respond_follows_the_reply_link(archive):
    history = [turn("What did Stalin write on 10 January?", ("tiny-1",))]
    query = understand("How did Mao respond?", history, archive)
    assert query.restrict == ("tiny-2",)
    assert query.reply_context == ("Mao Zedong's reply of 13 January 1949 to Stalin's telegram "
                                   "of 10 January 1949")
    assert query.resolved_from == "What did Stalin write on 10 January?"


@pytest.mark.parametrize("question", ["Did Stalin agree?", "Did he accept it?",
                                      "Why did Stalin reject it?"])
def test_agreeing_or_rejecting_is_a_reply(archive, question):
    history = [turn("What did Mao demand on 13 January?", ("tiny-2",))]
    query = understand(question, history, archive)
    assert query.restrict == ("tiny-3",)
    assert query.reply_context.startswith("Stalin's reply of 14 January 1949")


@pytest.mark.parametrize("question", ["Did Stalin agree?", "How did Stalin respond?"])
def test_nobody_replies_to_his_own_message(archive, question):
    history = [turn("What did Stalin write on 10 January?", ("tiny-1",))]
    query = understand(question, history, archive)
    assert query.restrict == () and query.reply_context is None


def test_a_follow_up_with_its_own_date_leaves_the_earlier_documents(archive):
    history = [turn("What did Mao demand on 13 January?", ("tiny-2",))]
    query = understand("And on the 14th?", history, archive)
    assert query.dates == ("1949-01-14", "1949-01-14")
    assert "tiny-2" not in dict(query.prefer) and dict(query.prefer)["tiny-3"] == 2.0


def test_the_day_after_moves_along_the_calendar(archive):
    history = [turn("What did Mao demand on 13 January?", ("tiny-2",))]
    query = understand("And the day after?", history, archive)
    assert query.restrict == ("tiny-3",)
    assert query.dates == ("1949-01-14", "1949-01-14")


def test_what_next_reads_on_after_the_passage_shown(archive):
    history = [turn("What did Mao demand?", ("tiny-2",), (("tiny-2", 80, 120),))]
    query = understand("What did he say next?", history, archive)
    assert query.read_on == (("tiny-2", 120),)
    assert query.sender == "Mao Zedong"
    assert query.restrict[0] == "tiny-2"


def test_a_question_that_stands_alone_is_not_a_follow_up(archive):
    history = [turn("What did Stalin write on 10 January?", ("tiny-1",))]
    query = understand("Who will carry the reply to Peiping and when will the delegation leave?",
                       history, archive)
    assert query.resolved_from is None and query.restrict == ()


def test_comparing_two_correspondents_asks_for_both_sides(archive):
    query = understand("How did Stalin and Mao differ on surrender?", [], archive)
    assert query.sides == ("Stalin", "Mao Zedong")


def test_the_last_telegram_is_the_latest_dated_message(archive):
    query = understand("What did the last cable say?", [], archive)
    assert query.prefer[0] == ("tiny-3", 3.0)


def test_the_day_after_someones_reply_is_found_through_that_message(archive):
    query = understand("What did Stalin write the day after Mao's reply?", [], archive)
    assert query.dates == ("1949-01-14", "1949-01-14")  # Mao's reply (tiny-2) is of 13 January
    assert query.prefer[0] == ("tiny-3", 3.0)


def test_an_organisation_that_wrote_a_document_can_be_its_sender():
    from assistant.glossary import Entry
    from assistant.records import Document

    statement = Document("s", "x.txt", 0, 10, "We decline.", "Statement", "statement",
                         sender="Soviet Government", recipient="Nanjing Government",
                         date="1949-01-18")
    entries = [Entry("Soviet Union", "organisation", ("USSR", "Soviet Government"), "")]
    archive = ArchiveContext.build({"s": statement}, AliasTable(entries, statement.text))
    query = understand("How did the Soviet government answer Nanjing?", [], archive)
    assert query.sender == "Soviet Government"
    assert dict(query.prefer) == {"s": 1.0}


def test_senders_the_glossary_does_not_name_are_still_senders(tiny_settings, tiny_index, fake_embedder):
    from assistant.service import Assistant, correspondent_entries

    entries = correspondent_entries(tiny_index.documents.values(), [])
    assert [e.name for e in entries] == ["Editors", "Mao Zedong", "Stalin"]
    assistant = Assistant(tiny_settings, fake_embedder, tiny_index)
    query = understand("What did Stalin write about the delegation?", [], assistant.archive)
    assert query.sender == "Stalin"


@pytest.mark.parametrize("question, sender", [
    ("Why did Stalin expect the KMT to refuse?", "Stalin"),
    ("Did Filippov agree to the visit?", "Stalin"),
    ("Why wasn't Mao sure about the delegation?", "Mao Zedong"),
    ("Was Mao really worried about the spring?", "Mao Zedong"),
    ("Why was Mao in no hurry to send the delegation?", "Mao Zedong"),
    ("Why did Filippov decline to mediate?", "Stalin"),
    ("Why did Filippov publicly decline to mediate?", "Stalin"),
    ("What did Stalin compare the surrender to?", "Stalin"),
    ("How did Mao characterise the delegation?", "Mao Zedong"),
    ("Who wrote that he and Stalin agreed on the surrender?", None),
    ("Who suggested to Mao that the delegation wait?", None),
])
def test_a_verb_of_thinking_or_a_state_of_mind_makes_its_holder_the_author(archive, question, sender):
    assert understand(question, [], archive).sender == sender


@pytest.mark.parametrize("question, sender", [
    ("What did the Soviets plan to ask Nanjing first?", "Stalin"),
    ("What did the Kremlin advise Mao?", "Stalin"),
    ("What did the Soviet government tell Nanjing?", "Soviet Government"),
])
def test_the_shipped_glossary_reads_the_soviets_as_stalin_and_the_government_as_itself(
        question, sender):
    from conftest import SHIPPED_CORPUS

    documents = {d.id: d for d in load_corpus(SHIPPED_CORPUS)}
    text = "\n".join(d.text for d in documents.values())
    shipped = ArchiveContext.build(documents, AliasTable(load_glossary(SHIPPED_CORPUS), text))
    assert understand(question, [], shipped).sender == sender


def test_a_body_without_documents_speaks_through_its_voice(tiny_corpus):
    glossary = GLOSSARY + [{"name": "Chinese Communist Party", "kind": "organisation",
                            "aliases": ["CPC", "Communist Party"], "about": "Party.",
                            "voice": "Mao Zedong"}]
    (tiny_corpus / "glossary.jsonl").write_text(
        "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in glossary), encoding="utf-8")
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    text = "\n".join(d.text for d in documents.values())
    archive = ArchiveContext.build(documents, AliasTable(load_glossary(tiny_corpus), text))
    assert archive.correspondents["Chinese Communist Party"] == "Mao Zedong"
    query = understand("What did the Communist Party publish on 13 January?", [], archive)
    assert query.sender == "Mao Zedong" and "Communist Party" in query.consumed
    assert understand("What share should the Communist Party get under Stalin's plan?", [],
                      archive).sender == "Stalin"


def test_a_person_only_the_conversation_names_makes_a_follow_up_about_them(archive):
    history = [turn("Why should the delegation wait until the spring?", ("tiny-3",))]
    query = understand("What did he offer instead of the visit to Moscow?", history, archive)
    assert query.resolved_from == "Why should the delegation wait until the spring?"
    assert query.sender == "Stalin"
    assert query.search_text == "What did Stalin offer instead of the visit to Moscow?"
    assert "Stalin" in query.consumed
    assert dict(query.prefer)["tiny-3"] >= 1.5


def test_before_that_steps_back_to_the_authors_earlier_message(archive):
    history = [turn("What did Stalin write on 14 January?", ("tiny-3",))]
    query = understand("What had Mao written just before that?", history, archive)
    assert query.restrict == ("tiny-2",)
    assert query.sender == "Mao Zedong"


def test_what_next_reads_on_after_the_answering_passage_not_the_last_one_shown(archive):
    history = [turn("What did Mao demand of the Kuomintang?", ("tiny-2", "tiny-2"),
                    (("tiny-2", 80, 120), ("tiny-2", 150, 190)))]
    query = understand("What did he say next?", history, archive)
    assert query.read_on == (("tiny-2", 120),)
    assert not query.carried_topic  # read on in order, not ranked by the earlier subject
