"""Tests for assistant/conflicts.py: differing figures, two dates, remarked spans."""
from __future__ import annotations

from assistant.conflicts import date_notes, figure_conflict, figures, remark_notes
from assistant.quotes import Scored
from assistant.records import DatedAs, Document, Quote, Sentence


def doc(doc_id: str, title: str, text: str = "", **fields) -> Document:
    return Document(doc_id, "x.txt", 0, len(text), text, title, "telegram", **fields)


def test_figures_skip_years_days_and_references():
    found = figures("On 10th October 1945, No. 4, pp. 200 we listed 45 persons and 1,500,000 people.")
    assert [f.value for f in found] == ["45", "1,500,000"]
    assert {"list", "person"} <= found[0].context


def test_figures_name_what_they_count():
    assert [f.value for f in figures("a list of war criminals - 45 persons.")] == ["45"]
    assert "criminal" in figures("without the 43 war criminals.")[0].context


def test_two_documents_giving_different_figures_for_one_thing_conflict():
    a = doc("a", "No. 3: Mao to Stalin", sender="Mao Zedong", recipient="Stalin", date="1949-01-13")
    b = doc("b", "No. 5: Mao to Stalin", sender="Mao Zedong", recipient="Stalin", date="1949-01-14")
    first = Scored(Sentence(0, "a", 0, 10, "We published a list of war criminals - 45 persons."),
                   0.9, 0.5, 1.0, 0.0)
    other = Scored(Sentence(1, "b", 0, 10, "They asked about talks without the 43 war criminals."),
                   0.8, 0.5, 1.0, 0.0)
    same_doc = Scored(Sentence(2, "a", 20, 30, "There were 12 war criminals."), 0.7, 0.5, 1.0, 0.0)
    note, left, right = figure_conflict({"war", "criminal"}, [first, same_doc, other],
                                        {"a": a, "b": b})
    assert note == ("The documents give different figures: 45 in No. 3 (Mao Zedong to Stalin, "
                    "13 January 1949) and 43 in No. 5 (Mao Zedong to Stalin, 14 January 1949).")
    assert (left, right) == (first, other)
    assert figure_conflict({"delegation"}, [first, other], {"a": a, "b": b}) is None


def test_a_message_headed_and_signed_on_different_days_gets_a_note():
    three = doc("rd-3", "No. 3: Telegram", sender="Mao Zedong", recipient="Stalin",
                date="1949-01-13", dates=(DatedAs("1949-01-13", "heading"),
                                          DatedAs("1949-01-12", "signed")))
    same = doc("rd-4", "No. 4: Telegram", date="1949-01-14",
               dates=(DatedAs("1949-01-14", "heading"), DatedAs("1949-01-14", "signed")))
    assert date_notes([three, same]) == [
        "No. 3 (Mao Zedong to Stalin, 13 January 1949) is headed 13 January 1949 but signed "
        "12 January 1949; both dates are the document's own."]


def test_a_remark_is_shown_only_with_a_quote_that_includes_its_span():
    text = "To begin advance on 13 November. Then Beiping."
    cable = doc("w", "Cable", text, remarks=((20, 31, "The date may be misprinted."),))
    inside = Quote("w", 0, 32, text[0:32], "Cable", None, "c", 1.0)
    outside = Quote("w", 33, len(text), text[33:], "Cable", None, "c", 1.0)
    assert remark_notes([inside], {"w": cable}) == ["The date may be misprinted."]
    assert remark_notes([outside], {"w": cable}) == []
