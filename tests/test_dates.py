"""Tests for assistant/dates.py: date expressions as people write them, in the archive's year."""
from __future__ import annotations

import pytest
from conftest import SHIPPED_CORPUS

from assistant.dates import DateRange, find_dates, shift


@pytest.mark.parametrize("text,expected", [
    ("13 January", DateRange("1949-01-13", "1949-01-13", "13 January", 0, 10, "day")),
    ("Jan. 13th", DateRange("1949-01-13", "1949-01-13", "Jan. 13th", 0, 9, "day")),
    ("January 11, 1949", DateRange("1949-01-11", "1949-01-11", "January 11, 1949", 0, 16, "day")),
    ("1949-01-14", DateRange("1949-01-14", "1949-01-14", "1949-01-14", 0, 10, "day")),
    ("the 13th of January", DateRange("1949-01-13", "1949-01-13", "13th of January", 4, 19, "day")),
    ("mid-January", DateRange("1949-01-11", "1949-01-20", "mid-January", 0, 11, "month")),
    ("late January", DateRange("1949-01-21", "1949-01-31", "late January", 0, 12, "month")),
    ("later in January 1949", DateRange("1949-01-21", "1949-01-31", "later in January 1949", 0,
                                        21, "month")),
    ("towards the end of January", DateRange("1949-01-21", "1949-01-31",
                                             "towards the end of January", 0, 26, "month")),
    ("early in January", DateRange("1949-01-01", "1949-01-10", "early in January", 0, 16, "month")),
    ("the middle of January", DateRange("1949-01-11", "1949-01-20", "the middle of January", 0, 21,
                                        "month")),
    ("March 1949", DateRange("1949-03-01", "1949-03-31", "March 1949", 0, 10, "month")),
    ("14/1/1949", DateRange("1949-01-14", "1949-01-14", "14/1/1949", 0, 9, "day")),
    ("10.1.49", DateRange("1949-01-10", "1949-01-10", "10.1.49", 0, 7, "day")),  # the archive's way
    ("1/14/1949", DateRange("1949-01-14", "1949-01-14", "1/14/1949", 0, 9, "day")),  # no 14th month
    ("January the 13th", DateRange("1949-01-13", "1949-01-13", "January the 13th", 0, 16, "day")),
    ("the fourteenth of January", DateRange("1949-01-14", "1949-01-14", "the fourteenth of January",
                                            0, 25, "day")),
    ("January twenty-first", DateRange("1949-01-21", "1949-01-21", "January twenty-first", 0, 20,
                                       "day")),
    ("in 1936", DateRange("1936-01-01", "1936-12-31", "1936", 3, 7, "year")),
])
def test_single_date_expressions(text, expected):
    assert find_dates(text, 1949) == [expected]


def test_the_14th_needs_a_default_month():
    assert find_dates("What happened on the 14th?", 1949) == []
    assert find_dates("What happened on the 14th?", 1949, default_month=1) == [
        DateRange("1949-01-14", "1949-01-14", "the 14th", 17, 25, "day")]


def test_default_year_is_the_one_passed_never_today():
    assert find_dates("13 January", 1949)[0].first == "1949-01-13"
    assert find_dates("13 January", 1950)[0].first == "1950-01-13"
    assert find_dates("13 January 1948", 1950)[0].first == "1948-01-13"


def test_the_archive_year_and_month_come_from_its_documents():
    from assistant.corpus import load_corpus
    from assistant.glossary import AliasTable
    from assistant.understand import ArchiveContext

    documents = {d.id: d for d in load_corpus(SHIPPED_CORPUS)}
    archive = ArchiveContext.build(documents, AliasTable([], ""))
    assert (archive.year, archive.month) == (1949, 1)


def test_impossible_days_are_not_dates():
    # "31 February" is no day; the month name alone is still read as a month.
    assert find_dates("31 February", 1949) == [
        DateRange("1949-02-01", "1949-02-28", "February", 3, 11, "month")]
    assert find_dates("Feb. 29", 1949) == []
    assert find_dates("the 45th", 1949, default_month=1) == []


def test_several_dates_in_reading_order_without_overlaps():
    text = "Between 10 January and Jan. 14th, 1949, not in March 1949."
    found = find_dates(text, 1949)
    assert [(r.phrase, r.first, r.last) for r in found] == [
        ("10 January", "1949-01-10", "1949-01-10"),
        ("Jan. 14th, 1949", "1949-01-14", "1949-01-14"),
        ("March 1949", "1949-03-01", "1949-03-31")]
    for r in found:
        assert text[r.start:r.end] == r.phrase


def test_range_contains_and_label():
    mid = find_dates("mid-January", 1949)[0]
    assert mid.contains("1949-01-15") and not mid.contains("1949-01-10")
    assert mid.contains("1949-01")  # a month-precision date inside the range's month
    assert mid.label() == "11 January 1949 to 20 January 1949"
    assert find_dates("13 January", 1949)[0].label() == "13 January 1949"
    assert find_dates("March 1949", 1949)[0].label() == "March 1949"
    assert find_dates("1949", 1949)[0].label() == "1949"


def test_shift():
    assert shift("1949-01-31", 1) == "1949-02-01"
    assert shift("1949-01-01", -1) == "1948-12-31"


@pytest.mark.parametrize("text", ["pp. 132-140", "version 1.2.3", "No. 4-5"])
def test_page_ranges_and_numbers_are_not_dates(text):
    assert find_dates(text, 1949) == []
