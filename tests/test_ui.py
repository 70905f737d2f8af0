"""Tests for assistant/ui.py, assistant/api.py and app.py: the app as served over HTTP (no browser)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from assistant.reading_room import LazyAssistant
from assistant.serve import mcp_allowed, serve
from assistant.settings import PROJECT_ROOT
from assistant.ui import build_demo

EXAMPLE = "What did Mao propose on 13 January?"
FOLLOW_UP = "How did Stalin respond?"
pytestmark = pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'",
                                        "ignore:The copy keyword")


def test_app_without_an_index_prints_one_line_and_exits_1(tmp_path):
    env = {**os.environ, "ASSISTANT_INDEX": str(tmp_path / "no-index")}
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "app.py")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no index at") and done.stderr.count("\n") == 1
    assert "python -m assistant index" in done.stderr and "Traceback" not in done.stderr


def text_of(message: dict) -> str:
    """The text of a chat message, whether its content is a string or Gradio's list of parts."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "\n".join(part["text"] for part in content if part.get("type") == "text")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(real_assistant):
    """The reading room on a free loopback port, in this process; yields its URL."""
    demo = build_demo(LazyAssistant.of(real_assistant), real_assistant.settings)
    settings = real_assistant.settings.replace(port=free_port())
    serve(demo, settings, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{settings.port}/"
    demo.close()


@pytest.fixture
def client(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    yield client
    client.close()


@pytest.mark.e2e
def test_only_the_named_api_and_the_chat_are_public(client):
    assert sorted(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == [
        "/answer", "/ask", "/document"]


@pytest.mark.e2e
def test_answer_returns_the_answer_json(client):
    row = client.predict(EXAMPLE, api_name="/answer")
    assert list(row) == ["question", "answer", "abstained", "quotes", "notes", "latency_ms"]
    assert row["question"] == EXAMPLE and not row["abstained"]
    assert row["quotes"][0]["doc_id"] == "rd-3"
    assert row["answer"].startswith("For 13 January 1949: No. 3")


@pytest.mark.e2e
def test_answer_reads_a_follow_up_against_earlier_questions(client):
    row = client.predict(FOLLOW_UP, [EXAMPLE], api_name="/answer")
    assert row["quotes"][0]["doc_id"] == "rd-4"
    assert any("follow-up" in note for note in row["notes"])
    alone = client.predict(FOLLOW_UP, api_name="/answer")
    assert not any("follow-up" in note for note in alone["notes"])


@pytest.mark.e2e
def test_answer_honours_filters_by_keyword(client):
    row = client.predict(question=EXAMPLE, date_from="1949-01-14", senders=["Mao Zedong"],
                         api_name="/answer")
    assert {q["doc_id"] for q in row["quotes"]} == {"rd-5"}


@pytest.mark.e2e
def test_answer_errors_are_messages_not_tracebacks(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no document 'nope' in this archive"):
        client.predict(EXAMPLE, doc_ids=["nope"], api_name="/answer")
    with pytest.raises(AppError, match="please type a question"):
        client.predict("  ", api_name="/answer")


@pytest.mark.e2e
def test_document_returns_the_text_quotes_point_into(client, real_assistant):
    quote = client.predict(EXAMPLE, api_name="/answer")["quotes"][0]
    doc = client.predict(quote["doc_id"], api_name="/document")
    assert doc["id"] == "rd-3" and doc["sender"] == "Mao Zedong"
    assert doc["text"][quote["start"]:quote["end"]] == quote["text"]
    assert doc["text"] == real_assistant.index.documents["rd-3"].text


@pytest.mark.e2e
def test_the_chat_endpoint_keeps_each_sessions_history(served):
    """/ask is the chat in one call (scripts/load_test.py uses it): undocumented, still served."""
    from gradio_client import Client

    client, other = Client(served, verbose=False), Client(served, verbose=False)
    try:
        messages, box = client.predict(EXAMPLE, api_name="/ask")
        assert box == "" and "(rd\\-3)</sub>" in text_of(messages[-1])
        messages, _ = client.predict(FOLLOW_UP, messages, api_name="/ask")
        assert "rd\\-4" in text_of(messages[-1]) and "follow\\-up" in text_of(messages[-1])
        messages, _ = other.predict(FOLLOW_UP, api_name="/ask")
        assert "follow\\-up" not in text_of(messages[-1])
    finally:
        client.close()
        other.close()


def test_mcp_is_served_unless_a_login_is_set(real_settings):
    assert mcp_allowed(real_settings)  # gradio[mcp] is a dependency: the tools must be there
    # Gradio's MCP routes do not ask for the login: behind one they stay closed.
    assert not mcp_allowed(real_settings.replace(auth_user="reader", auth_password="a long secret"))


@pytest.mark.e2e
def test_mcp_server_offers_answer_and_document_as_tools(served):
    with urllib.request.urlopen(served + "gradio_api/mcp/schema", timeout=30) as response:
        schema = json.load(response)
    tools = {tool["name"]: tool for tool in schema if tool["meta"]["mcp_type"] == "tool"}
    assert sorted(tools) == ["answer", "document"]  # the /ask chat is listed, but not as a tool
    properties = tools["answer"]["inputSchema"]["properties"]
    assert list(properties) == ["question", "earlier_questions", "date_from", "date_to", "senders",
                                "recipients", "doc_ids"]
    assert properties["earlier_questions"]["description"] == (
        "Earlier questions of this conversation, oldest first, for follow-ups.")
    assert tools["answer"]["description"].startswith(
        "Answer a question about the Stalin-Mao telegrams of January 1949 with verbatim, cited quotes.")


@pytest.mark.e2e
def test_an_mcp_client_can_call_the_answer_tool(served):
    import asyncio

    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def call() -> tuple[list[str], object]:
        async with streamable_http_client(served + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = await session.list_tools()
                result = await session.call_tool("answer", {"question": EXAMPLE})
                return sorted(t.name for t in tools.tools), result

    names, result = asyncio.run(call())
    assert names == ["answer", "document"]
    assert not result.isError
    assert "'doc_id': 'rd-3'" in result.content[0].text
