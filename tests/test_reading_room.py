"""Tests for assistant/reading_room.py: the session's actions, with fakes and with the real model."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from assistant.corpus import load_corpus
from assistant.errors import InputError
from assistant.export import export_markdown
from assistant.reading_room import (
    EMPTY_QUESTION_REPLY,
    EXAMPLE_QUESTIONS,
    FIRST_LOAD,
    THINKING,
    UNEXPECTED_ERROR_REPLY,
    LazyAssistant,
    answer_question,
    api_answer,
    begin_question,
    clear_chat,
    document_record,
    filters_summary,
    respond,
    status_html,
    write_export,
)
from assistant.records import Answer, Filters

EXAMPLE = "What did Mao propose on 13 January?"
FOLLOW_UP = "How did Stalin respond?"


class FailingAssistant:
    """Stands in for Assistant: every question raises ``error``."""

    settings = SimpleNamespace(max_history_turns=20)

    def __init__(self, error: Exception) -> None:
        self.error = error

    def ask(self, question, history=(), filters=None):
        raise self.error


class RecordingAssistant:
    """Stands in for Assistant: answers every question, remembering what it was given."""

    settings = SimpleNamespace(max_history_turns=2)

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, Filters | None]] = []

    def ask(self, question, history=(), filters=None):
        self.calls.append((question, len(history), filters))
        answer = Answer(question, f"lead for {question}", (), False)
        return answer, SimpleNamespace(question=question)


def text_of(message: dict) -> str:
    """The text of a chat message, whether its content is a string or Gradio's list of parts."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "\n".join(part["text"] for part in content if part.get("type") == "text")


def test_example_questions_include_the_brief_and_are_unique():
    assert EXAMPLE_QUESTIONS[0] == EXAMPLE
    assert len(set(EXAMPLE_QUESTIONS)) == len(EXAMPLE_QUESTIONS) == 5


def test_begin_shows_the_question_and_a_thinking_state_at_once():
    messages, accepted, box, status = begin_question("What is <b>this</b>?", [])
    assert messages == [{"role": "user", "content": "What is &lt;b&gt;this&lt;/b&gt;?"},
                        {"role": "assistant", "content": "*Searching the documents…*"}]
    assert (accepted, box) == ("What is <b>this</b>?", "")
    assert status == f'<p class="status" role="status" aria-live="polite">{THINKING}</p>'
    _, _, _, status = begin_question("Why?", [], loading=True)
    assert status == status_html(FIRST_LOAD) and "first answer can take up to a minute" in status


def test_empty_question_gets_a_friendly_message_and_no_history():
    for blank in ("", "   \n\t", None):
        messages, turns, box = respond(FailingAssistant(AssertionError()), blank, [], [])
        assert messages == [{"role": "assistant", "content": EMPTY_QUESTION_REPLY}]
        assert turns == [] and box == ""


def test_assistant_error_is_shown_politely_and_the_question_kept():
    error = InputError("the question is 3,000 characters long; the limit is 2,000")
    messages, turns, box = respond(FailingAssistant(error), "x" * 3000, [], [])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"] == ("Sorry: the question is 3,000 characters long; the limit is "
                                      "2,000.")
    assert turns == [] and box == "x" * 3000
    assert messages[0]["content"] == "x" * 2000 + "…"  # the echo is cut, the box keeps it all


def test_unexpected_error_is_logged_not_shown(caplog):
    messages, _, _ = respond(FailingAssistant(RuntimeError("secret internals")), "Hi?", [], [])
    assert messages[-1]["content"] == UNEXPECTED_ERROR_REPLY
    assert "secret internals" in caplog.text


def test_an_assistant_that_cannot_open_says_why_on_each_question():
    opened = []

    def factory():
        opened.append(1)
        raise InputError("no index at /x; build it with `python -m assistant index`")

    lazy = LazyAssistant(factory)
    for _ in range(2):
        messages, _, _ = respond(lazy, "Why?", [], [])
        assert messages[-1]["content"].startswith("Sorry: no index at /x")
    assert len(opened) == 2 and not lazy.ready  # a failure is not remembered


def test_lazy_assistant_opens_once_even_when_sessions_ask_together():
    opened = []
    gate = threading.Event()

    def factory():
        gate.wait(5)
        opened.append(1)
        return RecordingAssistant()

    lazy = LazyAssistant(factory)
    threads = [threading.Thread(target=lazy.get) for _ in range(4)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(5)
    assert opened == [1] and lazy.ready
    assert isinstance(lazy.get(), RecordingAssistant)


def test_start_loading_opens_in_the_background():
    lazy = LazyAssistant(RecordingAssistant)
    lazy.start_loading().join(5)
    assert lazy.ready


def test_answer_replaces_the_thinking_bubble_and_passes_the_filters():
    engine = RecordingAssistant()
    filters = Filters(senders=("Stalin",))
    messages, accepted, _, _ = begin_question("Q1", [])
    messages, turns, answer, box = answer_question(LazyAssistant.of(engine), accepted, messages, [],
                                                   filters)
    assert [m["content"] for m in messages] == ["Q1", "**lead for Q1**"]
    assert answer.question == "Q1" and box == "" and [t.question for t in turns] == ["Q1"]
    assert engine.calls == [("Q1", 0, filters)]


def test_history_is_capped_and_inputs_are_not_mutated():
    engine = LazyAssistant.of(RecordingAssistant())
    messages, turns = [], []
    for question in ("Q1", "Q2", "Q3"):
        before = (list(messages), list(turns))
        new_messages, new_turns, _ = respond(engine, question, messages, turns)
        assert (messages, turns) == before
        messages, turns = new_messages, new_turns
    assert [t.question for t in turns] == ["Q2", "Q3"]  # max_history_turns = 2
    assert len(messages) == 6


def test_answer_with_nothing_accepted_changes_nothing():
    assert answer_question(LazyAssistant.of(FailingAssistant(AssertionError())), "",
                           [{"role": "assistant", "content": "x"}], []) == (
        [{"role": "assistant", "content": "x"}], [], None, "")


def test_clear_starts_a_new_conversation():
    assert clear_chat() == ([], [], None, "")


def test_filters_summary_says_what_the_next_question_searches(tiny_corpus):
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    assert filters_summary(Filters(), documents) == (
        '<p class="filters-summary filters-off" role="status">Searching all 4 documents.</p>')
    assert filters_summary(Filters("1949-01-13", "1949-01-14"), documents) == (
        '<p class="filters-summary filters-on" role="status">Filters on: searching 2 of 4 '
        "documents, dated 13 January 1949 to 14 January 1949.</p>")
    assert filters_summary(Filters(recipients=("Stalin",), senders=("Stalin",)), documents) == (
        '<p class="filters-summary filters-on" role="status">No document matches the filters '
        "(written by Stalin; addressed to Stalin): change or clear them.</p>")


def test_write_export_gives_each_download_its_own_folder(tmp_path, tiny_corpus):
    documents = {d.id: d for d in load_corpus(tiny_corpus)}
    answer = Answer("Q?", "Lead.", (), True)
    text, path = write_export(answer, documents, "markdown", tmp_path)
    again, other = write_export(answer, documents, "markdown", tmp_path)
    assert text == again == export_markdown(answer)
    assert path.name == other.name == "answer.md" and path != other
    assert path.parent.parent == tmp_path and path.read_text(encoding="utf-8") == text


def test_api_replays_earlier_questions_to_read_a_follow_up():
    engine = RecordingAssistant()
    filters = Filters(doc_ids=("rd-3",))
    row = api_answer(LazyAssistant.of(engine), "Q3", ["Q1", " ", "Q2"], filters)
    assert engine.calls == [("Q1", 0, filters), ("Q2", 1, filters), ("Q3", 2, filters)]
    assert row["question"] == "Q3" and row["answer"] == "lead for Q3" and row["quotes"] == []


def test_document_record_has_metadata_and_full_text(tiny_corpus):
    doc = {d.id: d for d in load_corpus(tiny_corpus)}["tiny-2"]
    record = document_record(doc)
    assert list(record) == ["id", "title", "kind", "sender", "recipient", "addressed_as", "date",
                            "dates", "replies_to", "continues", "citation", "text"]
    assert record["dates"] == [{"date": "1949-01-13", "what": "heading"},
                               {"date": "1949-01-12", "what": "signed"}]
    assert record["replies_to"] == ["tiny-1"] and record["text"] == doc.text


# --- with the real model and the shipped corpus ---

@pytest.fixture(scope="module")
def lazy(real_assistant) -> LazyAssistant:
    return LazyAssistant.of(real_assistant)


@pytest.mark.e2e
def test_example_question_is_answered_with_a_cited_quote(lazy):
    messages, accepted, _, _ = begin_question(EXAMPLE, [])
    messages, turns, answer, box = answer_question(lazy, accepted, messages, [])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    reply = text_of(messages[1])
    assert "\n> " in "\n" + reply
    assert "(rd\\-3)" in reply  # the citation names the document (escaped for Markdown)
    assert answer.quotes[0].doc_id == "rd-3"
    assert [t.question for t in turns] == [EXAMPLE] and "rd-3" in turns[0].doc_ids
    assert box == ""


@pytest.mark.e2e
def test_follow_up_uses_the_session_history(lazy):
    messages, turns, _ = respond(lazy, EXAMPLE, [], [])
    messages2, turns2, _ = respond(lazy, FOLLOW_UP, messages, turns)
    assert len(messages2) == 4 and len(turns2) == 2
    reply = text_of(messages2[-1])
    assert "rd\\-4" in reply and "follow\\-up" in reply
    assert turns2[-1].doc_ids[0] == "rd-4"


@pytest.mark.e2e
def test_separate_sessions_do_not_share_history(lazy):
    _, turns_a, _ = respond(lazy, EXAMPLE, [], [])
    messages_b, turns_b, _ = respond(lazy, FOLLOW_UP, [], [])
    assert [t.question for t in turns_a] == [EXAMPLE]
    assert all(t.question != EXAMPLE for t in turns_b)
    assert turns_b[0].query.resolved_from is None
    assert "follow\\-up" not in text_of(messages_b[-1])


@pytest.mark.e2e
def test_user_text_is_escaped(lazy):
    messages, _, _ = respond(lazy, "<script>alert(1)</script>", [], [])
    assert messages[0]["content"] == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert all("<script" not in text_of(m) for m in messages)


@pytest.mark.e2e
def test_date_filter_is_respected_with_the_real_index(lazy):
    filters = Filters("1949-01-14", "1949-01-18")
    messages, accepted, _, _ = begin_question(EXAMPLE, [])
    _, _, answer, _ = answer_question(lazy, accepted, messages, [], filters)
    assert answer.quotes
    assert all("1949-01-14" <= q.date <= "1949-01-18" for q in answer.quotes)
    assert answer.notes[-1].startswith("Searched only the 4 of 11 documents matching the filters")


def test_a_reloaded_assistant_replaces_the_open_one():
    first, second = RecordingAssistant(), RecordingAssistant()
    lazy = LazyAssistant(lambda: first)
    assert lazy() is first  # callable, like the plain factories it stands in for
    lazy.replace(second)
    assert lazy.get() is second and lazy.ready
