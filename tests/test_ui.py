"""Tests for assistant/ui.py: the chat function on the real index, and the app served over HTTP."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from types import SimpleNamespace

import pytest

from assistant.errors import IndexMissingError, InputError, StaleIndexError
from assistant.service import Assistant
from assistant.settings import PROJECT_ROOT, Settings
from assistant.ui import (
    EMPTY_QUESTION_REPLY,
    EXAMPLE_QUESTIONS,
    UNEXPECTED_ERROR_REPLY,
    build_demo,
    clear_chat,
    respond,
)

EXAMPLE = "What did Mao propose on 13 January?"
FOLLOW_UP = "How did Stalin respond?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    """The real assistant: the project's index if it is current, else one built in a temp folder."""
    settings = Settings()
    try:
        return Assistant.open(settings)
    except (IndexMissingError, StaleIndexError):
        from assistant.embed import PackagedMiniLM
        from assistant.index import build_index

        settings = settings.replace(index_dir=tmp_path_factory.mktemp("ui") / "index")
        embedder = PackagedMiniLM()
        build_index(settings, embedder, progress=False)
        return Assistant.open(settings, embedder)


def text_of(message: dict) -> str:
    """The text of a chat message, whether its content is a string or Gradio's list of parts."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "\n".join(part["text"] for part in content if part.get("type") == "text")


class FailingAssistant:
    """Stands in for Assistant: every question raises ``error``."""

    settings = SimpleNamespace(max_history_turns=20)

    def __init__(self, error: Exception) -> None:
        self.error = error

    def ask(self, question, history=()):
        raise self.error


def test_example_questions_include_the_brief_and_are_unique():
    assert EXAMPLE_QUESTIONS[0] == EXAMPLE
    assert len(set(EXAMPLE_QUESTIONS)) == len(EXAMPLE_QUESTIONS) == 5


def test_empty_question_gets_a_friendly_message_and_no_history():
    for blank in ("", "   \n\t", None):
        messages, turns, box = respond(FailingAssistant(AssertionError()), blank, [], [])
        assert messages == [{"role": "assistant", "content": EMPTY_QUESTION_REPLY}]
        assert turns == [] and box == ""


def test_assistant_error_is_shown_politely_and_the_question_kept():
    error = InputError("the question is 3,000 characters long; the limit is 2,000")
    messages, turns, box = respond(FailingAssistant(error), "x" * 3000, [], [])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"].startswith("Sorry: the question is 3,000 characters long")
    assert "Traceback" not in messages[1]["content"]
    assert turns == [] and box == "x" * 3000


def test_unexpected_error_is_logged_not_shown(caplog):
    messages, _, _ = respond(FailingAssistant(RuntimeError("secret internals")), "Hi?", [], [])
    assert messages[-1]["content"] == UNEXPECTED_ERROR_REPLY
    assert "secret internals" in caplog.text


def test_clear_starts_a_new_conversation():
    assert clear_chat() == ([], [], "")


@pytest.mark.e2e
def test_example_question_is_answered_with_a_cited_quote(assistant):
    messages, turns, box = respond(assistant, EXAMPLE, [], [])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    reply = text_of(messages[1])
    assert "\n> " in "\n" + reply
    assert "(rd\\-3)" in reply  # the citation names the document (escaped for Markdown)
    assert [t.question for t in turns] == [EXAMPLE] and "rd-3" in turns[0].doc_ids
    assert box == ""


@pytest.mark.e2e
def test_follow_up_uses_the_session_history(assistant):
    messages, turns, _ = respond(assistant, EXAMPLE, [], [])
    before = (list(messages), list(turns))
    messages2, turns2, _ = respond(assistant, FOLLOW_UP, messages, turns)
    assert (messages, turns) == before  # inputs are not mutated
    assert len(messages2) == 4 and len(turns2) == 2
    reply = text_of(messages2[-1])
    assert "rd\\-4" in reply and "follow\\-up" in reply
    assert turns2[-1].doc_ids[0] == "rd-4"


@pytest.mark.e2e
def test_separate_sessions_do_not_share_history(assistant):
    _, turns_a, _ = respond(assistant, EXAMPLE, [], [])
    messages_b, turns_b, _ = respond(assistant, FOLLOW_UP, [], [])
    assert [t.question for t in turns_a] == [EXAMPLE]
    assert all(t.question != EXAMPLE for t in turns_b)
    assert turns_b[0].query.resolved_from is None
    assert "follow\\-up" not in text_of(messages_b[-1])


@pytest.mark.e2e
def test_user_text_is_escaped(assistant):
    messages, _, _ = respond(assistant, "<script>alert(1)</script>", [], [])
    assert messages[0]["content"] == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert all("<script" not in text_of(m) for m in messages)


def test_app_without_an_index_prints_one_line_and_exits_1(tmp_path):
    env = {**os.environ, "ASSISTANT_INDEX": str(tmp_path / "no-index")}
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "app.py")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no index at") and done.stderr.count("\n") == 1
    assert "python -m assistant index" in done.stderr and "Traceback" not in done.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'", "ignore:The copy keyword")
def test_served_app_answers_through_gradio_client(assistant):
    from gradio_client import Client

    demo = build_demo(lambda: assistant)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        messages, box = client.predict(EXAMPLE, api_name="/ask")
        assert box == ""
        assert "(rd\\-3)" in text_of(messages[-1]) and "\n> " in "\n" + text_of(messages[-1])
        # The history lives in this client's session on the server, so a follow-up works.
        messages, _ = client.predict(FOLLOW_UP, messages, api_name="/ask")
        assert "rd\\-4" in text_of(messages[-1])
        # A second client is a second session with its own, empty history.
        other = Client(f"http://127.0.0.1:{port}/", verbose=False)
        messages, _ = other.predict(FOLLOW_UP, api_name="/ask")
        assert "follow\\-up" not in text_of(messages[-1])
        client.close()
        other.close()
    finally:
        demo.close()
