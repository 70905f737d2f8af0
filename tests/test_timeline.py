"""Tests for assistant/timeline.py: positions of the correspondence plot and its SVG."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.corpus import load_corpus
from assistant.timeline import Link, Point, lane_name, timeline_html, timeline_layout, timeline_svg


@pytest.fixture
def documents(tiny_corpus):
    return {d.id: d for d in load_corpus(tiny_corpus)}


def test_layout_of_the_tiny_corpus(documents):
    timeline = timeline_layout(documents.values())
    # Five days (10-14 January) share 514 units after the lane-name column: 102.8 a day.
    assert timeline.width == 760 and timeline.height == 224
    assert timeline.lanes == (("Stalin \u2192 Mao Zedong", 60.0), ("Mao Zedong \u2192 Stalin", 140.0))
    assert timeline.ticks == (("1949-01-10", 241.4), ("1949-01-11", 344.2), ("1949-01-12", 447.0),
                              ("1949-01-13", 549.8), ("1949-01-14", 652.6))
    assert timeline.points == (
        Point("tiny-1", 241.4, 60.0, 0, "No. 1", "No. 1 \u2014 Stalin to Mao Zedong, telegram, "
                                                 "10 January 1949"),
        Point("tiny-2", 549.8, 140.0, 1, "No. 2", "No. 2 \u2014 Mao Zedong to Stalin, telegram, "
                                                  "13 January 1949 (signed 12 January)"),
        Point("tiny-3", 652.6, 60.0, 0, "Cable", "Stalin to Mao Zedong, cable, 14 January 1949"),
    )
    assert timeline.links == (Link("tiny-1", "tiny-2", "reply"), Link("tiny-2", "tiny-3", "reply"))
    assert timeline.undated == ("tiny-notes",)


def test_documents_of_one_lane_and_day_are_stacked_and_continuations_linked(documents):
    extra = replace(documents["tiny-3"], id="tiny-3b", replies_to=(), continues="tiny-3")
    timeline = timeline_layout([*documents.values(), extra])
    stacked = [(p.doc_id, p.x, p.y) for p in timeline.points if p.x == 652.6]
    assert stacked == [("tiny-3", 652.6, 48.0), ("tiny-3b", 652.6, 72.0)]
    assert Link("tiny-3", "tiny-3b", "continues") in timeline.links


def test_links_to_documents_outside_the_plot_are_left_out(documents):
    orphan = replace(documents["tiny-2"], replies_to=("tiny-notes", "not-in-archive"))
    timeline = timeline_layout([documents["tiny-notes"], orphan])
    assert timeline.links == () and [p.doc_id for p in timeline.points] == ["tiny-2"]


def test_an_archive_without_dates_has_an_empty_plot(documents):
    timeline = timeline_layout([documents["tiny-notes"]])
    assert (timeline.points, timeline.lanes, timeline.undated) == ((), (), ("tiny-notes",))
    assert "<g " not in timeline_svg(timeline)


def test_lane_name():
    from assistant.records import Document

    note = Document("n", "s", 0, 1, "x", "Notes", "notes", sender="Editors")
    assert lane_name(note) == "Editors"
    assert lane_name(replace(note, recipient="Stalin")) == "Editors \u2192 Stalin"


def test_svg_points_are_labelled_focusable_buttons(documents):
    svg = timeline_svg(timeline_layout(documents.values()), selected="tiny-2",
                       allowed=frozenset({"tiny-2"}))
    groups = re.findall(r'<g class="([^"]+)" data-doc="([^"]+)" tabindex="0" role="button" '
                        r'aria-label="([^"]+)">', svg)
    assert groups == [
        ("tl-doc tl-excluded", "tiny-1",
         "No. 1 \u2014 Stalin to Mao Zedong, telegram, 10 January 1949: open in the viewer"),
        ("tl-doc tl-selected", "tiny-2",
         "No. 2 \u2014 Mao Zedong to Stalin, telegram, 13 January 1949 (signed 12 January): "
         "open in the viewer"),
        ("tl-doc tl-excluded", "tiny-3",
         "Stalin to Mao Zedong, cable, 14 January 1949: open in the viewer"),
    ]
    assert svg.count('class="tl-link tl-reply"') == 2
    assert svg.count('r="14"') == 1  # the ring around the selected document
    assert [label for label in re.findall(r'class="tl-tick"[^>]*>([^<]+)<', svg)] == [
        "10 Jan", "11 Jan", "12 Jan", "13 Jan", "14 Jan"]


def test_svg_escapes_names(documents):
    hostile = replace(documents["tiny-1"], sender='<script>alert("x")</script>',
                      title="No. 1: <img src=x onerror=alert(1)>")
    svg = timeline_svg(timeline_layout([hostile]))
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg


def test_html_lists_undated_documents_as_buttons(documents):
    timeline = timeline_layout(documents.values())
    page = timeline_html(timeline, documents)
    assert page.endswith('<p class="timeline-undated">Not dated: <button type="button" '
                         'class="doc-link" data-doc="tiny-notes">Notes by Editors</button></p>'
                         "</figure>")
    assert "Faded dots" not in page
    assert "Faded dots" in timeline_html(timeline, documents, allowed=frozenset())
