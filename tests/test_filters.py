"""Tests for assistant/filters.py and Assistant.ask(filters=...): which documents a question may use."""
from __future__ import annotations

import pytest

from assistant.corpus import load_corpus
from assistant.errors import InputError
from assistant.filters import (
    check_date,
    describe_filters,
    filter_note,
    make_filters,
    matching_documents,
)
from assistant.records import Filters
from assistant.service import Assistant


@pytest.fixture
def documents(tiny_corpus):
    return {d.id: d for d in load_corpus(tiny_corpus)}


def test_make_filters_drops_blanks_and_duplicates():
    filters = make_filters(" ", "", ["", " Stalin ", "Stalin"], None, ["tiny-1", "tiny-1"])
    assert filters == Filters(None, None, ("Stalin",), (), ("tiny-1",))
    assert filters.active and not make_filters().active


@pytest.mark.parametrize("value", ["13/01/1949", "1949-13", "1949-02-30", "49-01-13", "1949-1-3"])
def test_malformed_dates_are_refused_with_the_expected_form(value):
    with pytest.raises(InputError) as caught:
        check_date(value, "start date")
    assert str(caught.value) == (f"the start date {value!r} is not a date; write it as YYYY-MM-DD, "
                                 "e.g. 1949-01-13")


@pytest.mark.parametrize("value", ["1949", "1949-01", "1949-01-13"])
def test_iso_prefixes_are_dates(value):
    assert check_date(value, "end date") == value


def test_start_after_end_is_refused():
    with pytest.raises(InputError, match=r"^the start date 14 January 1949 is after the end date "
                                         r"13 January 1949$"):
        make_filters("1949-01-14", "1949-01-13")


def test_no_active_filter_allows_everything(documents):
    assert matching_documents(documents, None) is None
    assert matching_documents(documents, Filters()) is None


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters("1949-01-13", "1949-01-14"), {"tiny-2", "tiny-3"}),
    (Filters("1949-01-13", "1949-01-13"), {"tiny-2"}),  # signed on the 12th: the main date counts
    (Filters(None, "1949-01-10"), {"tiny-1"}),
    (Filters("1949-01"), {"tiny-1", "tiny-2", "tiny-3"}),  # a month includes all its days
    (Filters("1949-02"), set()),
    (Filters(senders=("stalin",)), {"tiny-1", "tiny-3"}),  # names match in any case
    (Filters(recipients=("Stalin",)), {"tiny-2"}),
    (Filters(senders=("Stalin", "Editors")), {"tiny-1", "tiny-3", "tiny-notes"}),
    (Filters(doc_ids=("tiny-notes", "tiny-3")), {"tiny-3", "tiny-notes"}),
    (Filters("1949-01-01", doc_ids=("tiny-notes",)), set()),  # undated: out once a date is set
    (Filters("1949-01-11", senders=("Stalin",)), {"tiny-3"}),
])
def test_matching_documents(documents, filters, expected):
    assert matching_documents(documents, filters) == frozenset(expected)


@pytest.mark.parametrize(("filters", "message"), [
    (Filters(doc_ids=("tiny-9",)),
     "no document 'tiny-9' in this archive; known: tiny-1, tiny-2, tiny-3, tiny-notes"),
    (Filters(senders=("Molotov",)),
     "no sender 'Molotov' in this archive; known: Editors, Mao Zedong, Stalin"),
    (Filters(recipients=("Editors",)),
     "no recipient 'Editors' in this archive; known: Mao Zedong, Stalin"),
])
def test_unknown_names_are_refused_with_the_known_ones(documents, filters, message):
    with pytest.raises(InputError) as caught:
        matching_documents(documents, filters)
    assert str(caught.value) == message


@pytest.mark.parametrize(("filters", "text"), [
    (None, ""),
    (Filters(), ""),
    (Filters("1949-01-13", "1949-01-13"), "dated 13 January 1949"),
    (Filters("1949-01-13", "1949-01-18"), "dated 13 January 1949 to 18 January 1949"),
    (Filters("1949-01"), "dated January 1949 or later"),
    (Filters(None, "1949-01-14"), "dated 14 January 1949 or earlier"),
    (Filters(senders=("Stalin", "Mao Zedong"), recipients=("Stalin",), doc_ids=("rd-3", "rd-4")),
     "written by Stalin or Mao Zedong; addressed to Stalin; only rd-3, rd-4"),
])
def test_describe_filters(filters, text):
    assert describe_filters(filters) == text


def test_filter_note_counts_the_documents_searched():
    filters = Filters(senders=("Stalin",))
    assert filter_note(filters, frozenset({"a", "b"}), 4) == (
        "Searched only the 2 of 4 documents matching the filters (written by Stalin).")
    assert filter_note(filters, frozenset(), 4) == (
        "No document matches the filters (written by Stalin).")


@pytest.fixture
def tiny_assistant(tiny_settings, fake_embedder, tiny_index) -> Assistant:
    return Assistant(tiny_settings, fake_embedder, tiny_index)


def test_ask_quotes_only_the_documents_the_filters_allow(tiny_assistant):
    question = "What did they say about the surrender of the Kuomintang?"
    unfiltered, _ = tiny_assistant.ask(question)
    assert {q.doc_id for q in unfiltered.quotes} >= {"tiny-2", "tiny-3"}
    answer, turn = tiny_assistant.ask(question, filters=Filters(senders=("Stalin",)))
    assert answer.quotes and {q.doc_id for q in answer.quotes} <= {"tiny-1", "tiny-3"}
    assert answer.notes[-1] == ("Searched only the 2 of 4 documents matching the filters "
                                "(written by Stalin).")
    assert set(turn.doc_ids) <= {"tiny-1", "tiny-3"}
    for quote in answer.quotes:
        assert tiny_assistant.index.documents[quote.doc_id].text[quote.start:quote.end] == quote.text


def test_ask_with_filters_matching_nothing_abstains_and_says_why(tiny_assistant):
    answer, _ = tiny_assistant.ask("What did Stalin propose?", filters=Filters("1949-02-01"))
    assert answer.abstained and answer.quotes == ()
    assert answer.notes[-1] == "No document matches the filters (dated 1 February 1949 or later)."


def test_document_requests_honour_the_filters(tiny_assistant):
    # "What was sent on 13 January?" asks for documents by date alone; with that day's telegram
    # filtered out, the answer abstains and never quotes it.
    question = "What was sent on 13 January?"
    unfiltered, _ = tiny_assistant.ask(question)
    assert [q.doc_id for q in unfiltered.quotes] == ["tiny-2"]
    answer, _ = tiny_assistant.ask(question, filters=Filters(doc_ids=("tiny-3",)))
    assert [q.doc_id for q in answer.quotes] == ["tiny-3"] and answer.abstained


def test_ask_with_a_bad_filter_raises_input_error(tiny_assistant):
    with pytest.raises(InputError, match="no document 'nope'"):
        tiny_assistant.ask("What did Stalin propose?", filters=Filters(doc_ids=("nope",)))


def test_a_follow_up_resolved_to_a_reply_outside_the_filters_never_quotes_it(tiny_assistant):
    # "How did Stalin respond?" is resolved through the reply links to tiny-3; the filters must
    # still win over that resolution, not only over free retrieval.
    _, turn = tiny_assistant.ask("What did Mao demand of the Kuomintang?")
    unfiltered, _ = tiny_assistant.ask("How did Stalin respond?", [turn])
    assert unfiltered.quotes[0].doc_id == "tiny-3"
    answer, _ = tiny_assistant.ask("How did Stalin respond?", [turn],
                                   filters=Filters(doc_ids=("tiny-1", "tiny-2")))
    assert {q.doc_id for q in answer.quotes} <= {"tiny-1", "tiny-2"}
