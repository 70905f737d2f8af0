"""Tests for assistant/archive_view.py: the reading room always shows the archive's current documents."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from assistant.archive_view import ArchiveView
from assistant.corpus import load_corpus
from assistant.reading_room import LazyAssistant
from assistant.records import Filters


def opened(documents) -> LazyAssistant:
    """A LazyAssistant whose assistant has an index holding ``documents``."""
    return LazyAssistant.of(SimpleNamespace(index=SimpleNamespace(documents=documents)))


def test_before_the_model_loads_documents_come_from_the_corpus(tiny_corpus):
    view = ArchiveView(LazyAssistant(lambda: (_ for _ in ()).throw(AssertionError("opened"))),
                       tiny_corpus)
    assert list(view.documents()) == ["tiny-1", "tiny-2", "tiny-notes", "tiny-3"]
    assert view.menus() == {
        "dates": [("10 January 1949", "1949-01-10"), ("13 January 1949", "1949-01-13"),
                  ("14 January 1949", "1949-01-14")],
        "senders": ["Editors", "Mao Zedong", "Stalin"],
        "recipients": ["Mao Zedong", "Stalin"],
        "documents": [
            ("No. 1 \u2014 Stalin to Mao Zedong, telegram, 10 January 1949", "tiny-1"),
            ("No. 2 \u2014 Mao Zedong to Stalin, telegram, 13 January 1949 (signed 12 January)",
             "tiny-2"),
            ("Stalin to Mao Zedong, cable, 14 January 1949", "tiny-3"),
            ("Notes by Editors", "tiny-notes")]}


def test_documents_added_later_appear_in_timeline_menus_and_viewer(tiny_corpus):
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    assistant = opened(dict(documents))
    view = ArchiveView(assistant, tiny_corpus)
    assert "tiny-4" not in view.timeline_html()
    added = replace(documents["tiny-3"], id="tiny-4", title="No. 4: Reply", date="1949-01-15",
                    text="A new letter.", replies_to=("tiny-3",))
    assistant.replace(SimpleNamespace(index=SimpleNamespace(documents={**documents, "tiny-4": added})))
    assert 'data-doc="tiny-4"' in view.timeline_html()
    assert ("15 January 1949", "1949-01-15") in view.menus()["dates"]
    assert "A new letter." in view.viewer_html("tiny-4")


def test_viewer_and_timeline_follow_the_selection_and_filters(tiny_corpus):
    view = ArchiveView(opened({d.id: d for d in load_corpus(tiny_corpus)}), tiny_corpus)
    page = view.viewer_html("tiny-2", (131, 187))
    assert page.startswith('<section class="meta-card"') and page.count("<mark") == 1
    assert view.viewer_html(None).startswith('<p class="viewer-empty">')
    assert view.timeline_html("tiny-2", Filters(senders=("Stalin",))).count("tl-excluded") == 1
    assert "tl-excluded" not in view.timeline_html("tiny-2", "the start date is after the end date")
