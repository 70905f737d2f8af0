"""Filters that restrict retrieval: which documents a question may be answered from."""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping

from .cite import format_date
from .errors import InputError
from .records import Document, Filters

_ISO_PREFIX = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def check_date(value: str, what: str) -> str:
    """Return ``value`` if it is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and a real date.

    Raises:
        InputError: naming ``what`` (e.g. "start date") and the expected form.
    """
    match = _ISO_PREFIX.fullmatch(value)
    try:
        if not match:
            raise ValueError
        year, month, day = match.groups()
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise InputError(f"the {what} {value!r} is not a date; write it as YYYY-MM-DD, "
                         "e.g. 1949-01-13") from None
    return value


def make_filters(date_from: str | None = None, date_to: str | None = None,
                 senders: Iterable[str] = (), recipients: Iterable[str] = (),
                 doc_ids: Iterable[str] = ()) -> Filters:
    """Build Filters from loose input (UI widgets, API, CLI): blanks dropped, dates checked.

    Raises:
        InputError: for a malformed date, or a start date after the end date.
    """
    def clean(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))

    date_from = check_date(date_from.strip(), "start date") if date_from and date_from.strip() else None
    date_to = check_date(date_to.strip(), "end date") if date_to and date_to.strip() else None
    if date_from and date_to and _compare(date_from, date_to) > 0:
        raise InputError(f"the start date {format_date(date_from)} is after the end date "
                         f"{format_date(date_to)}")
    return Filters(date_from, date_to, clean(senders), clean(recipients), clean(doc_ids))


def _compare(a: str, b: str) -> int:
    """Compare two ISO date prefixes on their common length: '1949-01' equals '1949-01-13'."""
    n = min(len(a), len(b))
    return (a[:n] > b[:n]) - (a[:n] < b[:n])


def document_matches(doc: Document, filters: Filters) -> bool:
    """Whether ``doc`` passes every active filter (see :class:`~assistant.records.Filters`)."""
    if filters.date_from or filters.date_to:
        if not doc.date:
            return False
        if filters.date_from and _compare(doc.date, filters.date_from) < 0:
            return False
        if filters.date_to and _compare(doc.date, filters.date_to) > 0:
            return False
    if filters.senders and (doc.sender or "").casefold() not in {s.casefold() for s in filters.senders}:
        return False
    if filters.recipients and (doc.recipient or "").casefold() not in {
            r.casefold() for r in filters.recipients}:
        return False
    return not filters.doc_ids or doc.id in filters.doc_ids


def matching_documents(documents: Mapping[str, Document],
                       filters: Filters | None) -> frozenset[str] | None:
    """Ids of the documents ``filters`` allow, or None when no filter is active (all allowed).

    Raises:
        InputError: for a document id, sender or recipient no document has, listing the known ones.
    """
    if filters is None or not filters.active:
        return None
    _check_known("document", filters.doc_ids, documents)
    _check_known("sender", filters.senders, {d.sender for d in documents.values() if d.sender})
    _check_known("recipient", filters.recipients,
                 {d.recipient for d in documents.values() if d.recipient})
    return frozenset(doc.id for doc in documents.values() if document_matches(doc, filters))


def _check_known(what: str, given: Iterable[str], known: Iterable[str]) -> None:
    known = sorted(known)
    folded = {k.casefold() for k in known}
    unknown = [g for g in given if g.casefold() not in folded]
    if unknown:
        raise InputError(f"no {what} {', '.join(map(repr, unknown))} in this archive; "
                         f"known: {', '.join(known)}")


def describe_filters(filters: Filters | None) -> str:
    """Plain words for the active filters, e.g. 'dated 14 to 18 January 1949; written by Stalin'.

    Returns an empty string when no filter is active.
    """
    if filters is None:
        return ""
    parts = []
    start, end = filters.date_from, filters.date_to
    if start and end:
        parts.append(f"dated {format_date(start)}" if start == end
                     else f"dated {format_date(start)} to {format_date(end)}")
    elif start:
        parts.append(f"dated {format_date(start)} or later")
    elif end:
        parts.append(f"dated {format_date(end)} or earlier")
    if filters.senders:
        parts.append("written by " + " or ".join(filters.senders))
    if filters.recipients:
        parts.append("addressed to " + " or ".join(filters.recipients))
    if filters.doc_ids:
        parts.append("only " + ", ".join(filters.doc_ids))
    return "; ".join(parts)


def filter_note(filters: Filters, allowed: frozenset[str], total: int) -> str:
    """The note an answer carries when filters were active, so a restricted answer says so."""
    if not allowed:
        return f"No document matches the filters ({describe_filters(filters)})."
    return (f"Searched only the {len(allowed)} of {total} documents matching the filters "
            f"({describe_filters(filters)}).")
