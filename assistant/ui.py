"""The web chat: a Gradio Blocks app whose answers are verbatim, cited quotes from the archive."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import gradio as gr

from .errors import AssistantError
from .records import Turn
from .render import answer_to_markdown, escape_markdown
from .service import Assistant
from .upload import build_upload_tab

log = logging.getLogger(__name__)

TITLE = "Stalin–Mao telegrams, January 1949"
INTRO = ("Ask about the 1949 correspondence between Stalin and Mao Zedong: every answer is made "
         "of verbatim quotes from the documents, each with its source.")
EXAMPLE_QUESTIONS = [
    "What did Mao propose on 13 January?",
    "What terms did Stalin suggest the Communists set for peace talks?",
    "Why did Mao want to come to Moscow?",
    "Who did the Communists name as war criminals?",
    "What did Stalin say about foreign mediation?",
]
EMPTY_QUESTION_REPLY = ("Please type a question about the documents, for example: "
                        f"*{EXAMPLE_QUESTIONS[0]}*")
UNEXPECTED_ERROR_REPLY = ("Sorry, something went wrong while answering. The problem has been "
                          "logged; please try again or rephrase the question.")
# Longest stretch of a question echoed back in the chat; the assistant rejects longer ones anyway.
ECHO_MAX_CHARS = 2000

Messages = list[dict]


def respond(assistant: Assistant, question: str | None, messages: Messages | None,
            turns: list[Turn] | None) -> tuple[Messages, list[Turn], str]:
    """Answer one chat message and return the updated chat, history and textbox value.

    The inputs are never mutated: Gradio hands each browser session its own copies, and
    returning new lists keeps that guarantee when the function is called directly.

    Args:
        assistant: The loaded assistant.
        question: What the user typed.
        messages: The chat so far, as Gradio ``{"role", "content"}`` messages.
        turns: The conversation history of this session, used to resolve follow-ups.

    Returns:
        The chat with the question (escaped) and the reply appended, the history with the new
        turn appended, and the new textbox value (empty on success, the question on an error so
        the user can correct it).
    """
    messages = list(messages or [])
    turns = list(turns or [])
    question = question or ""
    if not question.strip():
        messages.append({"role": "assistant", "content": EMPTY_QUESTION_REPLY})
        return messages, turns, ""
    echo = question if len(question) <= ECHO_MAX_CHARS else question[:ECHO_MAX_CHARS] + "…"
    messages.append({"role": "user", "content": escape_markdown(echo)})
    try:
        answer, turn = assistant.ask(question, turns)
    except AssistantError as exc:
        messages.append({"role": "assistant", "content": f"Sorry: {escape_markdown(str(exc))}."})
        return messages, turns, question
    except Exception:
        log.exception("answering %r failed", question[:200])
        messages.append({"role": "assistant", "content": UNEXPECTED_ERROR_REPLY})
        return messages, turns, question
    messages.append({"role": "assistant", "content": answer_to_markdown(answer)})
    turns.append(turn)
    return messages, turns[-assistant.settings.max_history_turns:], ""


def clear_chat() -> tuple[Messages, list[Turn], str]:
    """Start a new conversation: no messages, no history, an empty textbox."""
    return [], [], ""


def lazy(factory: Callable[[], Assistant]) -> Callable[[], Assistant]:
    """Wrap ``factory`` so it runs once, on first use, even when sessions ask concurrently."""
    lock = threading.Lock()
    loaded: list[Assistant] = []

    def get() -> Assistant:
        with lock:
            if not loaded:
                loaded.append(factory())
            return loaded[0]

    def replace(assistant: Assistant) -> None:
        """Answer from now on with ``assistant`` (reloaded after documents were added)."""
        with lock:
            loaded[:] = [assistant]

    get.replace = replace
    return get


def build_demo(assistant_factory: Callable[[], Assistant]) -> gr.Blocks:
    """Build the chat app.

    Args:
        assistant_factory: Returns the assistant; called once, when the first question arrives.

    Returns:
        The Gradio app. Its ``/ask`` endpoint takes a question and returns the chat and the
        textbox value; the history of follow-ups is kept per session on the server.
    """
    get_assistant = lazy(assistant_factory)

    def ask(question: str, messages: Messages, turns: list[Turn]):
        """Answer a question about the archive with verbatim, cited quotes.

        Args:
            question: The question, e.g. "What did Mao propose on 13 January?".
            messages: The chat so far.
            turns: The history of this session.
        """
        return respond(get_assistant(), question, messages, turns)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}\n{INTRO}")
        chatbot = gr.Chatbot(
            label="Conversation", height=520, buttons=["copy"], feedback_options=None,
            latex_delimiters=[], allow_tags=False, group_consecutive_messages=False,
            placeholder="Answers appear here, each quote followed by its citation.")
        # One history per browser session: Gradio deep-copies a State's value for each session.
        turns = gr.State([])
        with gr.Row():
            question = gr.Textbox(label="Question", placeholder="Ask about the telegrams…",
                                  show_label=False, scale=5, max_lines=4)
            submit = gr.Button("Ask", variant="primary", scale=1, min_width=80)
            clear = gr.Button("Clear", scale=1, min_width=80)
        gr.Examples(EXAMPLE_QUESTIONS, inputs=[question], label="Example questions")

        inputs, outputs = [question, chatbot, turns], [chatbot, turns, question]
        # Both triggers share one queue (default limit 1): answers are computed one at a time.
        question.submit(ask, inputs, outputs, api_name="ask", concurrency_id="ask")
        submit.click(ask, inputs, outputs, api_visibility="private", concurrency_id="ask")
        clear.click(clear_chat, None, outputs, api_visibility="private")
        # The chatbot's own trash icon empties only the chat; the history must go with it.
        chatbot.clear(clear_chat, None, outputs, api_visibility="private")

        # Bring your own archive (issue 7): the "Add documents" panel lives in assistant/upload.py.
        build_upload_tab(get_assistant, get_assistant.replace)
    return demo
