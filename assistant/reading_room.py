"""What the reading room does for one browser session, free of layout: ask, filter, open, export.

``assistant.ui`` wires these functions to Gradio components; the tests call them directly.
Inputs are never mutated: Gradio gives each session its own copies, and returning new lists
keeps that guarantee when the functions are called directly.
"""
from __future__ import annotations

import html
import logging
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .errors import AssistantError
from .export import EXPORTS
from .filters import describe_filters, make_filters, matching_documents
from .records import Answer, Document, Filters, Turn
from .render import answer_to_dict, answer_to_markdown, escape_markdown
from .service import Assistant

log = logging.getLogger(__name__)

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
THINKING = "Searching the documents\u2026"
FIRST_LOAD = ("Opening the archive: the language model is loading, so this first answer can take "
              "up to a minute. Later answers take about a second.")
# Longest stretch of a question echoed back in the chat; the assistant rejects longer ones anyway.
ECHO_MAX_CHARS = 2000

Messages = list[dict]


class LazyAssistant:
    """Opens the assistant once, on first use or in the background, even when sessions ask at once.

    A failed opening is not remembered: the next use tries again and raises the same error.
    """

    def __init__(self, factory: Callable[[], Assistant]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._assistant: Assistant | None = None

    @classmethod
    def of(cls, assistant: Assistant) -> LazyAssistant:
        """An already open assistant (tests, or callers that open it themselves)."""
        lazy = cls(lambda: assistant)
        lazy._assistant = assistant
        return lazy

    @property
    def ready(self) -> bool:
        return self._assistant is not None

    def get(self) -> Assistant:
        with self._lock:
            if self._assistant is None:
                self._assistant = self._factory()
            return self._assistant

    __call__ = get  # so it can stand wherever a plain assistant factory is expected

    def replace(self, assistant: Assistant) -> None:
        """Answer from now on with ``assistant`` (reloaded after documents were added)."""
        with self._lock:
            self._assistant = assistant

    def start_loading(self) -> threading.Thread:
        """Open the assistant in a daemon thread so the page is served while the model loads."""
        def load() -> None:
            try:
                self.get()
            except Exception:  # shown to the user on their first question instead
                log.exception("opening the assistant failed")

        thread = threading.Thread(target=load, name="open-assistant", daemon=True)
        thread.start()
        return thread


def status_html(text: str = "") -> str:
    """The live status line screen readers announce (empty when idle)."""
    return f'<p class="status" role="status" aria-live="polite">{html.escape(text)}</p>'


def begin_question(question: str | None, messages: Messages | None,
                   loading: bool = False) -> tuple[Messages, str, str, str]:
    """Show the question at once, with a "searching" bubble, before the answer is computed.

    Returns:
        The chat, the question to answer (empty: nothing to do), the new textbox value and the
        status line. A blank question gets the friendly reminder instead.
    """
    messages = list(messages or [])
    question = question or ""
    if not question.strip():
        messages.append({"role": "assistant", "content": EMPTY_QUESTION_REPLY})
        return messages, "", "", status_html()
    echo = question if len(question) <= ECHO_MAX_CHARS else question[:ECHO_MAX_CHARS] + "\u2026"
    waiting = FIRST_LOAD if loading else THINKING
    messages += [{"role": "user", "content": escape_markdown(echo)},
                 {"role": "assistant", "content": f"*{escape_markdown(waiting)}*"}]
    return messages, question, "", status_html(waiting)


def answer_question(assistant: LazyAssistant, question: str, messages: Messages | None,
                    turns: list[Turn] | None, filters: Filters | None = None,
                    ) -> tuple[Messages, list[Turn], Answer | None, str]:
    """Answer the question :func:`begin_question` accepted, replacing its "searching" bubble.

    Returns:
        The chat, the history with the new turn, the answer (None on an error) and the
        textbox value: empty on success, the question on an error so the user can correct it.
    """
    messages = list(messages or [])
    turns = list(turns or [])
    if not question:
        return messages, turns, None, ""
    if messages and messages[-1]["role"] == "assistant":
        messages.pop()  # the "searching" bubble
    try:
        engine = assistant.get()
        answer, turn = engine.ask(question, turns, filters)
    except AssistantError as exc:
        messages.append({"role": "assistant", "content": f"Sorry: {escape_markdown(str(exc))}."})
        return messages, turns, None, question
    except Exception:
        log.exception("answering %r failed", question[:200])
        messages.append({"role": "assistant", "content": UNEXPECTED_ERROR_REPLY})
        return messages, turns, None, question
    messages.append({"role": "assistant",
                     "content": answer_to_markdown(answer, full_citations=False)})
    turns.append(turn)
    return messages, turns[-engine.settings.max_history_turns:], answer, ""


def respond(assistant: Assistant | LazyAssistant, question: str | None, messages: Messages | None,
            turns: list[Turn] | None, filters: Filters | None = None,
            ) -> tuple[Messages, list[Turn], str]:
    """One chat message, start to end (:func:`begin_question` then :func:`answer_question`).

    The ``/ask`` chat endpoint, scripts and tests use it; the page itself shows the question
    first and answers in a second step.

    Returns:
        The chat, the history and the new textbox value (the question again after an error).
    """
    lazy = assistant if isinstance(assistant, LazyAssistant) else LazyAssistant.of(assistant)
    messages, accepted, box, _ = begin_question(question, messages, not lazy.ready)
    if not accepted:
        return messages, list(turns or []), box
    messages, turns, _, box = answer_question(lazy, accepted, messages, turns, filters)
    return messages, turns, box


def clear_chat() -> tuple[Messages, list[Turn], None, str]:
    """Start a new conversation: no messages, no history, no answer, an empty textbox."""
    return [], [], None, ""


def filters_from_inputs(date_from: str | None, date_to: str | None, senders: Sequence[str] | None,
                        recipients: Sequence[str] | None, doc_ids: Sequence[str] | None) -> Filters:
    """Filters from the filter widgets (``InputError`` for a start after the end)."""
    return make_filters(date_from, date_to, senders or (), recipients or (), doc_ids or ())


def filters_summary(filters: Filters, documents: Mapping[str, Document]) -> str:
    """The always-visible line saying what the next question will search."""
    allowed = matching_documents(documents, filters)
    if allowed is None:
        text = f"Searching all {len(documents)} documents."
    elif not allowed:
        text = f"No document matches the filters ({describe_filters(filters)}): change or clear them."
    else:
        text = (f"Filters on: searching {len(allowed)} of {len(documents)} documents, "
                f"{describe_filters(filters)}.")
    state = "on" if allowed is not None else "off"
    return f'<p class="filters-summary filters-{state}" role="status">{html.escape(text)}</p>'


def write_export(answer: Answer, documents: Mapping[str, Document], fmt: str,
                 folder: Path) -> tuple[str, Path]:
    """Render ``answer`` in ``fmt`` (a key of ``export.EXPORTS``) and write it for download.

    Returns:
        The text and the path of a new file ``answer.<ext>`` in its own folder under ``folder``
        (its own folder so that concurrent sessions never overwrite each other's file).
    """
    extension, exporter = EXPORTS[fmt]
    text = exporter(answer, documents)
    path = Path(tempfile.mkdtemp(dir=folder)) / f"answer{extension}"
    path.write_text(text, encoding="utf-8")
    return text, path


def api_answer(assistant: LazyAssistant, question: str, earlier_questions: Sequence[str] = (),
               filters: Filters | None = None) -> dict:
    """The named API's answer: the batch JSON schema, follow-ups read against earlier questions.

    The earlier questions are asked again, in order, to rebuild the conversation: the API keeps
    no state between calls, so any client (or MCP agent) gets the same answer for the same input.

    Raises:
        AssistantError: for an empty or over-long question, or a bad filter.
    """
    engine = assistant.get()
    turns: list[Turn] = []
    for earlier in earlier_questions or ():
        if earlier and earlier.strip():
            _, turn = engine.ask(earlier, turns, filters)
            turns.append(turn)
    answer, _ = engine.ask(question, turns, filters)
    return answer_to_dict(answer)


def document_record(doc: Document) -> dict:
    """A document for API clients: metadata and the full text (quote offsets point into it)."""
    return {"id": doc.id, "title": doc.title, "kind": doc.kind, "sender": doc.sender,
            "recipient": doc.recipient, "addressed_as": doc.addressed_as, "date": doc.date,
            "dates": [{"date": d.date, "what": d.what} for d in doc.dates],
            "replies_to": list(doc.replies_to), "continues": doc.continues,
            "citation": dict(doc.citation), "text": doc.text}
