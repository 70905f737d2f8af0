"""Tests for assistant/cite.py: pages of PDF documents and guessed dates in citations."""
from __future__ import annotations

from assistant.cite import GUESSED, citation, date_text, describe, pages_of
from assistant.records import DatedAs, Document

TEXT = "Page one text.\n\nPage two text.\n\nPage three text."
PAGED = Document(id="inv", source="documents/inv.txt", start=0, end=len(TEXT), text=TEXT,
                 title="Inventory", kind="document", date="1951-03-20",
                 dates=(DatedAs("1951-03-20", GUESSED),), citation={"file": "inventory.pdf"},
                 pages=((0, "1"), (16, "2"), (32, "iii")))


def test_pages_of_a_span():
    assert pages_of(PAGED, 0, 14) == "p. 1"
    assert pages_of(PAGED, 16, 30) == "p. 2"
    assert pages_of(PAGED, 5, 20) == "pp. 1\u20132"
    assert pages_of(PAGED, 32, 48) == "p. iii"  # the PDF's own page labels


def test_a_quote_citation_names_its_page_and_a_guessed_date_says_so():
    assert date_text(PAGED) == "20 March 1951 (date guessed from the text)"
    assert citation(PAGED, 16, 30) == ("document, 20 March 1951 (date guessed from the text); "
                                       "file inventory.pdf; p. 2")
    # Without a span (a whole document) no page is named.
    assert citation(PAGED) == "document, 20 March 1951 (date guessed from the text); file inventory.pdf"


def test_a_given_date_is_not_marked_and_an_unpaged_document_names_no_page():
    letter = Document(id="l", source="l.txt", start=0, end=4, text="Text", title="Letter",
                      kind="letter", sender="Anna Petrova", recipient="Ivan Sokolov",
                      date="1951-03-02",
                      citation={"publication": "Exhibition Papers, Box 3",
                                "translator": "M. Kuznetsova", "file": "petrova.txt"})
    assert describe(letter) == "Anna Petrova to Ivan Sokolov, letter, 2 March 1951"
    assert citation(letter, 0, 4) == ("Anna Petrova to Ivan Sokolov, letter, 2 March 1951; "
                                      "Exhibition Papers, Box 3; translated by M. Kuznetsova; "
                                      "file petrova.txt")
