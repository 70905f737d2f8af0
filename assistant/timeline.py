"""The correspondence as a plot: documents by date in one lane per sender → recipient, reply arrows.

``timeline_layout`` computes positions (pure data, tested exactly); ``timeline_html`` draws them
as an inline SVG whose points are keyboard-focusable buttons carrying ``data-doc``.
"""
from __future__ import annotations

import datetime
import html
import math
from collections.abc import Iterable
from dataclasses import dataclass

from .cite import document_label, short_name
from .records import Document

WIDTH = 760
LABEL_COLUMN = 190  # lane names sit in a column on the left, clear of every arrow
RIGHT_MARGIN = 56  # room for the last point's label, drawn to its right
TOP = 20
LANE_HEIGHT = 80
AXIS_HEIGHT = 44
RADIUS = 9
SAME_DAY_GAP = 24  # documents of one lane and day are stacked this far apart
LANE_COLOURS = ("#b4382e", "#1f5f99", "#5b7f2a", "#8a5a9c", "#a86a12")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Point:
    """One dated document placed on the plot."""

    doc_id: str
    x: float
    y: float
    lane: int
    label: str
    description: str


@dataclass(frozen=True)
class Link:
    """An arrow from an earlier document to a later one: a reply, or the continuation of a telegram."""

    source: str
    target: str
    kind: str  # "reply" or "continues"


@dataclass(frozen=True)
class Timeline:
    """Everything the SVG needs: canvas size, lanes, day ticks, points, links, undated documents."""

    width: int
    height: int
    lanes: tuple[tuple[str, float], ...]
    """(label, y) of each lane, e.g. ("Stalin → Mao Zedong", 60.0)."""
    ticks: tuple[tuple[str, float], ...]
    """(ISO day, x) of each labelled day."""
    points: tuple[Point, ...]
    links: tuple[Link, ...]
    undated: tuple[str, ...]
    """Ids of documents without a date (introductions, notes), listed beside the plot."""


def lane_name(doc: Document) -> str:
    """'Stalin → Mao Zedong', or the sender alone for a document with no recipient."""
    if doc.recipient:
        return f"{doc.sender or 'Unknown'} \u2192 {doc.recipient}"
    return doc.sender or "Unknown"


def _day(iso: str) -> datetime.date:
    parts = [int(p) for p in iso.split("-")] + [1, 1]
    return datetime.date(parts[0], parts[1], parts[2])


def timeline_layout(documents: Iterable[Document]) -> Timeline:
    """Place the dated documents: x by day (one column per day), y by sender → recipient lane.

    Lanes are ordered by their earliest document; documents of one lane and day are stacked
    in id order. Arrows join a document to each one it replies to or continues, when both are dated.
    """
    docs = list(documents)
    dated = sorted((d for d in docs if d.date), key=lambda d: (d.date, d.id))
    undated = tuple(d.id for d in docs if not d.date)
    if not dated:
        return Timeline(WIDTH, TOP + AXIS_HEIGHT, (), (), (), (), undated)
    lanes = list(dict.fromkeys(lane_name(d) for d in dated))
    first, last = _day(dated[0].date), _day(dated[-1].date)
    days = (last - first).days + 1
    column = (WIDTH - LABEL_COLUMN - RIGHT_MARGIN) / days
    step = max(1, math.ceil(days / 12))

    def x_of(day: datetime.date) -> float:
        return round(LABEL_COLUMN + ((day - first).days + 0.5) * column, 1)

    lane_y = [TOP + LANE_HEIGHT / 2 + i * LANE_HEIGHT for i in range(len(lanes))]
    groups: dict[tuple[int, datetime.date], list[Document]] = {}
    for doc in dated:
        groups.setdefault((lanes.index(lane_name(doc)), _day(doc.date)), []).append(doc)
    points = []
    for (lane, day), group in groups.items():
        for j, doc in enumerate(group):
            y = lane_y[lane] + (j - (len(group) - 1) / 2) * SAME_DAY_GAP
            points.append(Point(doc.id, x_of(day), float(y), lane, short_name(doc),
                                document_label(doc)))
    points.sort(key=lambda p: (p.x, p.y, p.doc_id))
    placed = {p.doc_id for p in points}
    links = [Link(source, doc.id, "reply") for doc in dated for source in doc.replies_to
             if source in placed]
    links += [Link(doc.continues, doc.id, "continues") for doc in dated
              if doc.continues in placed]
    ticks = tuple((day.isoformat(), x_of(day))
                  for day in (first + datetime.timedelta(days=i) for i in range(0, days, step)))
    height = TOP + len(lanes) * LANE_HEIGHT + AXIS_HEIGHT
    return Timeline(WIDTH, height, tuple(zip(lanes, map(float, lane_y), strict=True)), ticks,
                    tuple(points), tuple(sorted(links, key=lambda k: (k.target, k.source))), undated)


def _link_path(a: Point, b: Point) -> str:
    """A curve from ``a`` to ``b`` that ends at the edge of ``b``'s circle (where the arrow sits).

    Between lanes the curve leaves ``a`` from its top or bottom and enters ``b`` the same way;
    within a lane it arcs above the lane. Point labels sit to the right, out of its way.
    """
    if a.y == b.y:
        lift = min(34.0, 16 + abs(b.x - a.x) / 6)
        return (f"M{a.x},{a.y - RADIUS} C{a.x},{a.y - lift} {b.x},{b.y - lift} "
                f"{b.x},{b.y - RADIUS - 1}")
    sign = 1 if b.y > a.y else -1
    middle = (a.y + b.y) / 2
    return (f"M{a.x},{a.y + sign * RADIUS} C{a.x},{middle} {b.x},{middle} "
            f"{b.x},{b.y - sign * (RADIUS + 1)}")


def _tick_label(iso: str) -> str:
    day = _day(iso)
    return f"{day.day} {MONTHS[day.month - 1]}"


def timeline_svg(timeline: Timeline, selected: str | None = None,
                 allowed: frozenset[str] | None = None) -> str:
    """Draw ``timeline`` as an accessible SVG.

    Args:
        timeline: From :func:`timeline_layout`.
        selected: The document open in the viewer, drawn with a ring.
        allowed: Documents the active filters allow; the others are drawn faded (None: all).
    """
    e = html.escape
    out = [f'<svg class="timeline-svg" viewBox="0 0 {timeline.width} {timeline.height}" '
           f'role="group" aria-labelledby="tl-title tl-desc" xmlns="http://www.w3.org/2000/svg">',
           '<title id="tl-title">Timeline of the correspondence</title>',
           '<desc id="tl-desc">Documents from left (earliest) to right, one row per sender and '
           "recipient; arrows run from a message to the reply or continuation that follows it. "
           "Choose a document to read it.</desc>",
           '<defs><marker id="tl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#555"/></marker></defs>']
    axis_y = timeline.height - AXIS_HEIGHT + 8
    right = timeline.width - 8
    for lane, (label, y) in enumerate(timeline.lanes):
        sender, _, recipient = label.partition(" \u2192 ")
        colour = LANE_COLOURS[lane % len(LANE_COLOURS)]
        second = (f'<tspan x="8" dy="16">\u2192 {e(recipient)}</tspan>' if recipient else "")
        out.append(f'<line class="tl-lane" x1="{LABEL_COLUMN - 8}" y1="{y}" x2="{right}" '
                   f'y2="{y}" stroke="#ddd6c6" stroke-width="1.5" />'
                   f'<text class="tl-lane-label" x="8" y="{y - (3 if recipient else -4)}" '
                   f'font-size="13" fill="{colour}" font-weight="600">'
                   f'<tspan x="8">{e(sender)}</tspan>{second}</text>')
    out.append(f'<line x1="{LABEL_COLUMN - 8}" y1="{axis_y}" x2="{right}" y2="{axis_y}" '
               'stroke="#888" />')
    for iso, x in timeline.ticks:
        out.append(f'<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{axis_y + 5}" stroke="#888" />'
                   f'<text class="tl-tick" x="{x}" y="{axis_y + 20}" text-anchor="middle" '
                   f'font-size="12" fill="#555">{e(_tick_label(iso))}</text>')
    by_id = {p.doc_id: p for p in timeline.points}
    for link in timeline.links:
        dash = ' stroke-dasharray="5 4"' if link.kind == "continues" else ""
        path = _link_path(by_id[link.source], by_id[link.target])
        out.append(f'<path class="tl-link tl-{link.kind}" d="{path}" fill="none" stroke="#555" '
                   f'stroke-width="1.5"{dash} marker-end="url(#tl-arrow)" />')
    for p in timeline.points:
        classes = ["tl-doc"]
        if p.doc_id == selected:
            classes.append("tl-selected")
        if allowed is not None and p.doc_id not in allowed:
            classes.append("tl-excluded")
        colour = LANE_COLOURS[p.lane % len(LANE_COLOURS)]
        ring = (f'<circle cx="{p.x}" cy="{p.y}" r="{RADIUS + 5}" fill="none" stroke="#222" '
                'stroke-width="2" />') if p.doc_id == selected else ""
        out.append(f'<g class="{" ".join(classes)}" data-doc="{e(p.doc_id)}" tabindex="0" '
                   f'role="button" aria-label="{e(p.description)}: open in the viewer">'
                   f"<title>{e(p.description)}</title>{ring}"
                   f'<circle cx="{p.x}" cy="{p.y}" r="{RADIUS}" fill="{colour}" stroke="#fff" '
                   f'stroke-width="2" /><text x="{p.x + RADIUS + 5}" y="{p.y + 4}" '
                   f'font-size="12" fill="#222">{e(p.label)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def timeline_html(timeline: Timeline, documents: dict[str, Document], selected: str | None = None,
                  allowed: frozenset[str] | None = None) -> str:
    """The plot, a one-line legend and buttons for the undated documents."""
    undated = "".join(
        f'<button type="button" class="doc-link" data-doc="{html.escape(i)}">'
        f"{html.escape(document_label(documents[i]))}</button>" for i in timeline.undated)
    return (f'<figure class="timeline">{timeline_svg(timeline, selected, allowed)}'
            '<figcaption>Each dot is a document: choose one to read it. Solid arrows lead from a '
            "message to its reply, dashed ones to a telegram's continuation."
            + ("" if allowed is None else " Faded dots are outside the active filters.")
            + "</figcaption>"
            + (f'<p class="timeline-undated">Not dated: {undated}</p>' if undated else "")
            + "</figure>")
