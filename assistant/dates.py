"""Finds calendar dates in free text as people write them ("13 January", "Jan. 13th", "1949-01-14")."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[5-9]\d\d|20\d\d)"
_PART = (r"(?P<part>(?:early|earlier|late|later)\s+in|early|mid|(?:the\s+)?middle\s+of|late|"
         r"(?:(?:at|towards?)\s+)?(?:the\s+)?end\s+of|(?:the\s+)?(?:beginning|start)\s+of)[- ]")

_ORDINALS = {word: n for n, word in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
    start=1)}
_ORDINALS.update({f"twenty-{word}": 20 + n for word, n in list(_ORDINALS.items())[:9]})
_ORDINALS.update({"thirtieth": 30, "thirty-first": 31})
_WORD_DAY = r"(?P<day>" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")"

# Most specific first: a span matched by one pattern is not matched again by a later one.
_PATTERNS = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")),
    # 14/1/1949, 14.01.49, 13-1-1949: day first, as the archive writes them ("10.1.49"); read
    # month first only where the day-first reading is impossible (1/14/1949).
    ("numeric", re.compile(r"(?<![\d./-])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[01]?\d)(?P=sep)"
                           r"(?P<year>1[5-9]\d\d|20\d\d|\d\d)(?![\d./-]*\d)")),
    ("day", re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?\b", re.I)),
    ("day", re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}\b(?:,?\s+{_YEAR})?", re.I)),
    ("day", re.compile(rf"\b(?:the\s+)?{_WORD_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?\b", re.I)),
    ("day", re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_WORD_DAY}\b(?:,?\s+{_YEAR})?", re.I)),
    ("part", re.compile(rf"\b{_PART}(?:the\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.I)),
    ("month", re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.I)),
    # A month named alone must be capitalised: "the victorious march" is not March.
    ("month", re.compile(r"\b(?P<month>January|February|March|April|June|July|August|September|"
                         r"October|November|December)\b")),
    ("bare-day", re.compile(r"\bthe\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b", re.I)),
    ("year", re.compile(rf"\b{_YEAR}\b")),
]


@dataclass(frozen=True)
class DateRange:
    """A date or span of dates found in text: ``first``..``last`` inclusive, ISO strings."""

    first: str
    last: str
    phrase: str
    start: int
    end: int
    precision: str  # "day", "month" or "year"

    def contains(self, iso: str) -> bool:
        """True if the ISO date (or 'YYYY-MM' / 'YYYY' prefix form) falls in this range."""
        return self.first[: len(iso)] <= iso <= self.last[: len(iso)]

    def label(self) -> str:
        """How the range reads in an answer: '13 January 1949', 'January 1949', '1949'."""
        from .cite import format_date

        if self.precision == "day":
            return format_date(self.first)
        whole_month = self.first[8:] == "01" and shift(self.last, 1)[8:] == "01"
        if self.precision == "month" and self.first[:7] == self.last[:7] and whole_month:
            return format_date(self.first[:7])
        if self.precision == "year":
            return self.first[:4]
        return f"{format_date(self.first)} to {format_date(self.last)}"


def find_dates(text: str, default_year: int, default_month: int | None = None) -> list[DateRange]:
    """Every date expression in ``text``, in reading order.

    Args:
        text: Free text (a question or a document).
        default_year: Year for dates written without one: the archive's year, never today's.
        default_month: Month for "the 14th"; without it such phrases are ignored.
    """
    found: list[DateRange] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            rng = _to_range(kind, m, default_year, default_month)
            if rng is not None:
                found.append(rng)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda r: r.start)


def _to_range(kind: str, m: re.Match, default_year: int, default_month: int | None):
    groups = m.groupdict()
    if kind == "numeric":
        first, second, year = int(groups["a"]), int(groups["b"]), groups["year"]
        if len(year) == 2:  # '49: the archive's century
            year = f"{str(default_year)[:2]}{year}"
        day, month = (second, first) if second > 12 >= first else (first, second)
        try:
            found = date(int(year), month, day)
        except ValueError:
            return None
        return DateRange(found.isoformat(), found.isoformat(), m.group(0), m.start(), m.end(), "day")
    if groups.get("day") and not groups["day"].isdigit():
        groups["day"] = str(_ORDINALS[groups["day"].lower()])
    year = int(groups["year"]) if groups.get("year") else default_year
    month = groups.get("month")
    if month is not None:
        month = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
    try:
        if kind in ("iso", "day"):
            day = date(year, month, int(groups["day"]))
            return DateRange(day.isoformat(), day.isoformat(), m.group(0), m.start(), m.end(), "day")
        if kind == "bare-day":
            if default_month is None:
                return None
            day = date(year, default_month, int(groups["day"]))
            return DateRange(day.isoformat(), day.isoformat(), m.group(0), m.start(), m.end(), "day")
        if kind == "year":
            return DateRange(f"{year}-01-01", f"{year}-12-31", m.group(0), m.start(), m.end(), "year")
        last_day = calendar.monthrange(year, month)[1]
        first, last = 1, last_day
        if kind == "part":
            part = groups["part"].lower()
            first, last = ((1, 10) if re.search(r"early|earlier|beginning|start", part) else
                           (11, 20) if re.search(r"mid", part) else (21, last_day))
        return DateRange(date(year, month, first).isoformat(), date(year, month, last).isoformat(),
                         m.group(0), m.start(), m.end(), "month")
    except ValueError:  # "31 February", "the 45th": not a date
        return None


def shift(iso: str, days: int) -> str:
    """The ISO date ``days`` after ``iso``."""
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()
