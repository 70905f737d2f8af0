"""Concurrent sessions through the served app: no errors, and no history leaks between sessions.

A small version of scripts/load_test.py (8 sessions × 3 turns on the tiny corpus), plus the proof
that its check would see a leak: the same run against a chat that shares one history.
"""
from __future__ import annotations

import socket
import sys

import pytest

import assistant.ui
from assistant.render import escape_markdown
from assistant.serve import serve
from assistant.service import Assistant
from assistant.settings import PROJECT_ROOT
from assistant.ui import build_demo

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
from load_test import check_reply, mark, run_load, session_questions  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'",
                                        "ignore:The copy keyword")

TINY_CONVERSATIONS = [
    ("What did Stalin write on 10 January?", "How did Mao reply?", "How did Stalin respond to that?"),
    ("What did Mao demand of the Kuomintang?", "How did Stalin respond?",
     "What did he write the day before?"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tiny_settings, tiny_index, fake_embedder):
    """Serve the tiny assistant the way app.py does, answering up to four questions at once."""
    assistant_ = Assistant.open(tiny_settings, fake_embedder)

    def start(**changes):
        settings = tiny_settings.replace(port=free_port(), queue_concurrency=4, **changes)
        demo = build_demo(lambda: assistant_)
        serve(demo, settings, prevent_thread_lock=True, quiet=True)
        started.append(demo)
        return f"http://127.0.0.1:{settings.port}/"

    started: list = []
    yield start
    for demo in started:
        demo.close()


def test_mark_spells_a_distinct_capitalisation_per_session():
    assert mark("How did Mao reply?", 0) == "How did Mao reply?"
    assert mark("How did Mao reply?", 1) == "HOw did Mao reply?"
    assert mark("How did Mao reply?", 0b1000_0101) == "HOw dId Mao replY?"
    questions = {q for s in range(200) for q in session_questions(s, TINY_CONVERSATIONS, 3)}
    assert len(questions) == 600
    with pytest.raises(ValueError):
        mark("How did Mao reply?", 256)


def test_check_reply_tells_a_leak_from_a_lost_history():
    mine = ["What did Mao demand?", "HOw did Stalin respond?"]
    theirs = "WHat did Stalin write on 10 January?"
    everyone = {*mine, theirs}

    def chat(read_as: str | None) -> list[dict]:
        reply = "**lead**" + (f"\n\n*Question read as:* {escape_markdown(read_as)}" if read_as
                              else "")
        return [{"role": "user", "content": escape_markdown(mine[0])},
                {"role": "assistant", "content": "**lead**"},
                {"role": "user", "content": escape_markdown(mine[1])},
                {"role": "assistant", "content": reply}]

    assert check_reply(mine, chat(f"{mine[1]} (read as a follow-up to: {mine[0]})"), everyone) is None
    assert check_reply(mine, chat(f"{mine[1]} (read as a follow-up to: {theirs})"), everyone) == (
        f"LEAK: read against another session's question {theirs!r}")
    assert check_reply(mine, chat(None), everyone) == (
        "follow-up read without this session's history")
    assert check_reply(mine, chat(None)[:3], everyone) == "chat has 3 messages after 2 questions"


def test_eight_concurrent_sessions_keep_their_own_history(served):
    report = run_load(served(), sessions=8, turns=3, conversations=TINY_CONVERSATIONS,
                      deadline_s=120)
    assert report.errors == []
    assert report.questions == 24 and len(report.latencies) == 24


def test_the_check_catches_a_chat_that_shares_one_history(served, monkeypatch):
    """Negative control: with one history for everybody, the same run reports leaks."""
    shared: list = []
    real_respond = assistant.ui.respond

    def leaky(assistant_, question, messages, turns):
        messages, new_turns, box = real_respond(assistant_, question, messages, list(shared))
        shared[:] = new_turns
        return messages, new_turns, box

    monkeypatch.setattr(assistant.ui, "respond", leaky)
    report = run_load(served(), sessions=8, turns=3, conversations=TINY_CONVERSATIONS,
                      parallel=8, deadline_s=120)
    assert report.questions == 24
    assert any("LEAK" in error for error in report.errors), report.errors


def test_too_many_sessions_are_forgotten_never_mixed(served):
    """Past ASSISTANT_MAX_SESSIONS the oldest sessions lose their history; none gets another's."""
    report = run_load(served(max_sessions=2), sessions=8, turns=3,
                      conversations=TINY_CONVERSATIONS, deadline_s=120)
    assert report.questions == 24 and report.errors
    assert {error.split(": ", 1)[1] for error in report.errors} == {
        "follow-up read without this session's history"}
