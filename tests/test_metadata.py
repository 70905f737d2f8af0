"""Tests for assistant/metadata.py: front matter and sidecars read and checked, dates guessed."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.metadata import (
    guess_date,
    is_sidecar,
    normalise_date,
    parse_metadata,
    read_sidecar,
    sidecars_of,
)


def test_every_key_and_its_other_spellings():
    raw = ("Title: Reply\nfrom: Ivan Sokolov\nTo: Anna Petrova\ndate: 1951-03-09\n"
           "reply-to: petrova-1\ntranslated by: M. Kuznetsova\npublication: Papers, Box 3\n"
           "archive: Fond 5\nurl: https://example.org/1\noriginal: Russian\ntype: memo\n"
           "id: reply-1\naddressed as: Anya\n")
    assert parse_metadata(raw, "front matter") == {
        "title": "Reply", "sender": "Ivan Sokolov", "recipient": "Anna Petrova",
        "date": "1951-03-09", "reply_to": ["petrova-1"], "translator": "M. Kuznetsova",
        "source": "Papers, Box 3", "archive": "Fond 5", "url": "https://example.org/1",
        "original": "Russian", "kind": "memo", "id": "reply-1", "addressed_as": "Anya"}


def test_json_is_read_too_and_empty_values_are_left_out():
    assert parse_metadata('{"date": "9 March 1951", "reply_to": ["a", "b"], "title": ""}', "x") \
        == {"date": "1951-03-09", "reply_to": ["a", "b"]}
    assert parse_metadata("", "x") == {} and parse_metadata("# only a comment\n", "x") == {}


@pytest.mark.parametrize("raw,message", [
    ("colour: red", "sidecar a.meta.yaml: unknown key 'colour' (known: id, title, kind, date, "
                    "sender, recipient, addressed_as, source, archive, url, original, translator, "
                    "reply_to)"),
    ("date: soon", "sidecar a.meta.yaml: date 'soon' is not a date (write it as 1949-01-13, 1949-01 "
                   "or 13 January 1949)"),
    ("date: 1951-02-30", "sidecar a.meta.yaml: date '1951-02-30' is not a date (write it as "
                         "1949-01-13, 1949-01 or 13 January 1949)"),
    ("title: [a, b]", "sidecar a.meta.yaml: title must be text, got list"),
    ("id: my letter", "sidecar a.meta.yaml: id 'my letter' may hold only letters, digits, '_' and "
                      "'-' (80 at most, starting with a letter or digit)"),
    ("reply-to: {a: 1}", "sidecar a.meta.yaml: reply-to must be a document id or a list of them"),
    ("- a\n- b", "sidecar a.meta.yaml must be a mapping of keys to values"),
    ("title: [", "sidecar a.meta.yaml is not valid YAML or JSON (expected the node content, but "
                 "found '<stream end>' at line 1)"),
])
def test_bad_metadata_is_refused_naming_the_key(raw, message):
    with pytest.raises(InputError) as error:
        parse_metadata(raw, "sidecar a.meta.yaml")
    assert str(error.value) == message


@pytest.mark.parametrize("value,expected", [
    ("1951", "1951"), ("1951-03", "1951-03"), ("1951-03-09", "1951-03-09"),
    ("9 March 1951", "1951-03-09"), ("March 9, 1951", "1951-03-09"), ("March 1951", "1951-03"),
])
def test_dates_written_in_several_ways(value, expected):
    assert normalise_date(value, "x") == expected


def test_yaml_scalars_are_read_as_written():
    assert parse_metadata("date: 1951-03-09\ntitle: 1951\nsender: yes", "x") == {
        "date": "1951-03-09", "title": "1951", "sender": "yes"}


@pytest.mark.parametrize("text,expected", [
    # The dateline at the head wins over a date in the body.
    ("Moscow, 2 March 1951\n\nOn 3 February 1950 we met.", "1951-03-02"),
    # No dateline at the head: the last dateline near the signature.
    ("Dear Anna,\nWe met on 3 February 1950 in Harbin and talked for a long time about it.\n"
     "x\nx\nx\nx\nYours,\nIvan\nMarch 1951", "1951-03"),
    # No dateline at all: the first date anywhere.
    ("Dear Anna,\nWe met on 3 February 1950 in Harbin and talked for a long time about it.",
     "1950-02-03"),
    # Dates without a year and bare years are no date of the document.
    ("We met on 3 February. It was 1950.", None),
])
def test_guess_date(text, expected):
    assert guess_date(text) == expected


def test_sidecar_names(tmp_path):
    assert [p.name for p in sidecars_of(Path("a/letter.pdf"))] == [
        "letter.pdf.meta.json", "letter.pdf.meta.yaml", "letter.pdf.meta.yml",
        "letter.meta.json", "letter.meta.yaml", "letter.meta.yml"]
    assert is_sidecar(Path("x.META.json")) and not is_sidecar(Path("x.json"))


def test_a_sidecar_with_bad_json_names_the_line(tmp_path):
    sidecar = tmp_path / "a.meta.json"
    sidecar.write_text('{"title": "x",\n "date": }', encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_sidecar(sidecar)
    assert str(error.value) == "sidecar a.meta.json is not valid JSON (Expecting value at line 2)"
    sidecar.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError) as error:
        read_sidecar(sidecar)
    assert str(error.value) == "sidecar a.meta.json is not UTF-8 text"
