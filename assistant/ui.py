"""The reading room: a Gradio app with chat, evidence, document viewer, timeline, filters and glossary.

Layout and wiring only; what each action does lives in ``assistant.reading_room``, the archive's
HTML in ``assistant.archive_view`` (viewer, timeline) and ``assistant.guide``; ``assistant.serve``
launches it.
"""
from __future__ import annotations

import atexit
import functools
import html
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from .api import make_api
from .archive_view import ArchiveView
from .errors import InputError
from .export import EXPORTS
from .glossary import load_glossary
from .guide import about_markdown, glossary_html
from .reading_room import (
    EMPTY_QUESTION_REPLY,
    EXAMPLE_QUESTIONS,
    UNEXPECTED_ERROR_REPLY,
    LazyAssistant,
    answer_question,
    begin_question,
    clear_chat,
    filters_from_inputs,
    filters_summary,
    respond,
    status_html,
    write_export,
)
from .records import Answer, Filters
from .render import escape_markdown
from .service import Assistant
from .settings import Settings
from .ui_style import CSS, PICK_DOCUMENT_JS, PICK_QUOTE_JS, VIEWER_JS, theme
from .upload import build_upload_tab
from .viewer import evidence_html

__all__ = ["EMPTY_QUESTION_REPLY", "EXAMPLE_QUESTIONS", "UNEXPECTED_ERROR_REPLY", "ReadingRoom",
           "build_demo", "clear_chat", "lazy", "respond"]

TITLE = "Stalin–Mao telegrams, January 1949"
INTRO = ("Ask about the 1949 correspondence between Stalin and Mao Zedong: every answer is made "
         "of verbatim quotes from the documents, each with its source. Choose a quote to read it "
         "in its document.")
EXPORT_FORMATS = [("Markdown", "markdown"), ("CSL-JSON", "csl-json"), ("BibTeX", "bibtex")]
CODE_LANGUAGE = {"markdown": "markdown", "csl-json": "json", "bibtex": None}
PRIVATE = {"api_visibility": "private", "queue": False}
# Gradio warns of any public endpoint with a State input when it starts the MCP server; the one
# such endpoint here, the /ask chat, is kept out of the MCP tools (see ``chat`` below).
warnings.filterwarnings("ignore", r"This MCP server includes a tool that has a gr\.State input",
                        UserWarning)


class ReadingRoom(gr.Blocks):
    """``gr.Blocks`` that launches in the reading room's theme and CSS.

    Gradio 6 takes theme and CSS in ``launch()``; defaulting them here keeps ``serve(demo,
    settings)`` (the exposure policy) the one way the app is launched.
    """

    def launch(self, *args, **kwargs):
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("theme", theme())
        return super().launch(*args, **kwargs)


def lazy(factory: Callable[[], Assistant]) -> LazyAssistant:
    """Wrap ``factory`` so it runs once, on first use; ``.replace()`` swaps in a reloaded one."""
    return LazyAssistant(factory)


def build_demo(assistant: LazyAssistant | Callable[[], Assistant],
               settings: Settings | None = None) -> ReadingRoom:
    """Build the reading room.

    Args:
        assistant: A ``LazyAssistant`` (opened on first use, or earlier by ``start_loading``),
            or any function returning the assistant.
        settings: Where the corpus is; documents and glossary are then read without the model.
            If omitted, the assistant is opened now and its settings used.

    Returns:
        The app. Its documented endpoints are ``/answer`` (question → answer JSON) and
        ``/document`` (id → document), also the MCP tools; ``/ask`` is the chat itself
        (question and chat → chat, history kept per session), callable but undocumented.
    """
    if not isinstance(assistant, LazyAssistant):
        assistant = LazyAssistant(assistant)
    settings = settings or assistant.get().settings
    view = ArchiveView(assistant, settings.corpus_dir)
    documents = view.documents()
    menus = view.menus()
    glossary = load_glossary(settings.corpus_dir)
    export_dir = Path(tempfile.mkdtemp(prefix="archive-exports-"))
    atexit.register(shutil.rmtree, export_dir, ignore_errors=True)

    with ReadingRoom(title=TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.HTML(f"<h1>{TITLE}</h1><p>{INTRO}</p>", elem_id="masthead", js_on_load=None)
        turns, answer_state, pending, open_doc = gr.State([]), gr.State(None), gr.State(""), gr.State()
        # The filters in force: a Filters record, or the message saying why the widgets' values
        # are unusable (a start date after the end date).
        filters_state = gr.State(Filters())
        with gr.Tabs(selected="room", overflow_behavior="wrap") as main_tabs:
            with gr.Tab("Reading room", id="room"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, min_width=300):
                        chatbot = gr.Chatbot(
                            label="Conversation", height=430, buttons=["copy"],
                            feedback_options=None, latex_delimiters=[], allow_tags=False,
                            group_consecutive_messages=False, elem_id="chat",
                            placeholder="Answers appear here, each quote followed by its citation.")
                        status = gr.HTML(status_html(), js_on_load=None, elem_id="status")
                        with gr.Row(equal_height=True):
                            question = gr.Textbox(
                                label="Your question", show_label=False, scale=5, min_width=160,
                                lines=1, max_lines=4, elem_id="question",
                                placeholder="Ask about the telegrams…")
                            ask = gr.Button("Ask", variant="primary", scale=1, min_width=70,
                                            size="md", elem_id="ask")
                            new = gr.Button("New chat", scale=1, min_width=96, size="md",
                                            elem_id="new-chat")
                        gr.Markdown("**Try an example** (click to ask):", elem_id="examples-label")
                        with gr.Row(elem_id="examples"):
                            examples = [gr.Button(q, size="sm", min_width=120)
                                        for q in EXAMPLE_QUESTIONS]
                        filters_line = gr.HTML(filters_summary(Filters(), documents),
                                               js_on_load=None, elem_id="filters-summary")
                        with gr.Accordion("Filters: search only some documents", open=False,
                                          elem_id="filters"):
                            with gr.Row():
                                date_from = gr.Dropdown(menus["dates"], value=None, min_width=140,
                                                        label="Dated from", elem_id="date-from")
                                date_to = gr.Dropdown(menus["dates"], value=None, min_width=140,
                                                      label="Dated until", elem_id="date-to")
                            with gr.Row():
                                sender_pick = gr.Dropdown(menus["senders"], value=[], min_width=140,
                                                          multiselect=True, label="Written by")
                                recipient_pick = gr.Dropdown(menus["recipients"], value=[],
                                                             multiselect=True, min_width=140,
                                                             label="Addressed to")
                            doc_pick = gr.Dropdown(menus["documents"], value=[], multiselect=True,
                                                   label="Only these documents")
                            clear_filters = gr.Button("Clear filters", size="sm",
                                                      elem_id="clear-filters")
                        # Bring your own archive (issue 7): the panel lives in assistant/upload.py.
                        build_upload_tab(assistant.get, assistant.replace)
                    with gr.Column(scale=4, min_width=300):
                        with gr.Tabs(selected="evidence") as side_tabs:
                            with gr.Tab("Evidence", id="evidence"):
                                evidence = gr.HTML(evidence_html(None), js_on_load=PICK_QUOTE_JS,
                                                   elem_id="evidence")
                                with gr.Accordion("Export this answer", open=False, visible=False,
                                                  elem_id="export") as export_box:
                                    export_format = gr.Radio(EXPORT_FORMATS, value="markdown",
                                                             label="Format", elem_id="export-format")
                                    export_text = gr.Code(
                                        "", language="markdown", label="Copy", buttons=["copy"],
                                        interactive=False, lines=6, max_lines=14,
                                        elem_id="export-text")
                                    download = gr.DownloadButton("Download the file", value=None,
                                                                 elem_id="download")
                            with gr.Tab("Document", id="document"):
                                viewer = gr.HTML(view.viewer_html(None), js_on_load=VIEWER_JS,
                                                 elem_id="viewer")
                                doc_menu = gr.Dropdown(menus["documents"], value=None,
                                                       label="Read a document", elem_id="doc-menu")
            with gr.Tab("Timeline", id="timeline"):
                gr.Markdown("Who wrote to whom, and when. Choose a document to read it.")
                timeline_panel = gr.HTML(view.timeline_html(), js_on_load=PICK_DOCUMENT_JS,
                                         elem_id="timeline")
            with gr.Tab("Who's who & glossary", id="glossary"):
                glossary_search = gr.Textbox(label="Find a name, place or term",
                                             placeholder="e.g. Filippov, Peiping, Kuomintang",
                                             elem_id="glossary-search")
                glossary_panel = gr.HTML(glossary_html(glossary), js_on_load=None,
                                         elem_id="glossary")
            with gr.Tab("About this archive", id="about"):
                about = gr.Markdown(about_markdown(documents), elem_id="about")

        filter_inputs = [date_from, date_to, sender_pick, recipient_pick, doc_pick]

        # --- asking: show the question at once, then answer it (one at a time, queued) ---
        def begin(text, messages):
            messages, accepted, box, line = begin_question(text, messages, not assistant.ready)
            return messages, accepted, box, line, gr.Button(interactive=False)

        def finish(accepted, messages, history, fmt, filters):
            idle = (status_html(), gr.Button(interactive=True))
            unchanged = (gr.skip(),) * 5  # evidence, export box, export text, download, side tab
            if accepted and isinstance(filters, str):
                messages = [*messages[:-1], {"role": "assistant",
                                             "content": f"Sorry: {escape_markdown(filters)}."}]
                return (messages, history, gr.skip(), accepted, *unchanged, *idle)
            messages, history, answer, box = answer_question(assistant, accepted, messages, history,
                                                             filters)
            if answer is None:
                return (messages, history, gr.skip(), box, *unchanged, *idle)
            text, path = write_export(answer, view.documents(), fmt, export_dir)
            return (messages, history, answer, box, evidence_html(answer),
                    gr.Accordion(visible=bool(answer.quotes)),
                    gr.Code(text, language=CODE_LANGUAGE[fmt]), str(path),
                    gr.Tabs(selected="evidence"), *idle)

        begin_outputs = [chatbot, pending, question, status, ask]
        finish_inputs = [pending, chatbot, turns, export_format, filters_state]
        finish_outputs = [chatbot, turns, answer_state, question, evidence, export_box, export_text,
                          download, side_tabs, status, ask]

        def wire_ask(listener, first, first_inputs):
            # Gradio's own spinner is hidden: the "searching" bubble and status line say it all.
            listener(first, first_inputs, begin_outputs, **PRIVATE) \
                .then(finish, finish_inputs, finish_outputs, concurrency_id="ask",
                      show_progress="hidden", api_visibility="private")

        wire_ask(question.submit, begin, [question, chatbot])
        wire_ask(ask.click, begin, [question, chatbot])
        for button, example in zip(examples, EXAMPLE_QUESTIONS, strict=True):
            wire_ask(button.click, functools.partial(begin, example), [chatbot])

        def start_over():
            messages, history, answer, box = clear_chat()
            return (messages, history, answer, box, evidence_html(None),
                    gr.Accordion(visible=False), status_html())

        clear_outputs = [chatbot, turns, answer_state, question, evidence, export_box, status]
        new.click(start_over, None, clear_outputs, api_visibility="private")
        # The chatbot's own trash icon empties only the chat; the history must go with it.
        chatbot.clear(start_over, None, clear_outputs, api_visibility="private")

        # The chat in one call, for scripts (scripts/load_test.py): question and chat in, chat and
        # textbox out, the history kept in the caller's session. ``respond`` is looked up when
        # called. Public, as gradio_client fills a State input only for public endpoints; but
        # not an MCP tool (agents get /answer): Gradio lists only functions whose ``_mcp_type``,
        # if set, is "tool" (its own gr.mcp.resource and gr.mcp.prompt set it the same way).
        def chat(text, messages, history):
            return respond(assistant.get(), text, messages, history)

        chat._mcp_type = "chat"
        chat_api = gr.Button(visible=False)
        chat_api.click(chat, [question, chatbot, turns], [chatbot, turns, question], api_name="ask",
                       concurrency_id="ask")

        # --- reading: a quote, a timeline point, a link on the card or the menu opens a document ---
        def show(doc_id, span=None, filters=None):
            if doc_id not in view.documents():
                return (gr.skip(),) * len(open_outputs)
            return (view.viewer_html(doc_id, span), doc_id, gr.Tabs(selected="room"),
                    gr.Tabs(selected="document"), doc_id, view.timeline_html(doc_id, filters))

        open_outputs = [viewer, doc_menu, main_tabs, side_tabs, open_doc, timeline_panel]

        def open_quote(answer: Answer | None, filters, evt: gr.EventData):
            number = (evt._data or {}).get("quote")
            if answer is None or not isinstance(number, int) or not 0 <= number < len(answer.quotes):
                return (gr.skip(),) * len(open_outputs)
            quote = answer.quotes[number]
            return show(quote.doc_id, (quote.start, quote.end), filters)

        def open_document(filters, evt: gr.EventData):
            return show((evt._data or {}).get("doc"), None, filters)

        evidence.click(open_quote, [answer_state, filters_state], open_outputs, **PRIVATE)
        timeline_panel.click(open_document, filters_state, open_outputs, **PRIVATE)
        viewer.click(open_document, filters_state, open_outputs, **PRIVATE)
        doc_menu.input(lambda doc_id, filters: show(doc_id, None, filters), [doc_menu, filters_state],
                       open_outputs, **PRIVATE)

        # --- filters: the summary line and the timeline follow every change ---
        def filters_changed(selected, *filter_values):
            try:
                filters = filters_from_inputs(*filter_values)
            except InputError as exc:
                return (str(exc), f'<p class="filters-summary filters-on" role="alert">'
                                  f"{html.escape(str(exc))}.</p>", gr.skip())
            return (filters, filters_summary(filters, view.documents()),
                    view.timeline_html(selected, filters))

        for widget in filter_inputs:
            widget.change(filters_changed, [open_doc, *filter_inputs],
                          [filters_state, filters_line, timeline_panel], **PRIVATE)
        clear_filters.click(lambda: (None, None, [], [], []), None, filter_inputs, **PRIVATE)

        # --- export: the format chosen re-renders the current answer ---
        def export_as(answer: Answer | None, fmt: str):
            if answer is None or fmt not in EXPORTS:
                return gr.skip(), gr.skip()
            text, path = write_export(answer, view.documents(), fmt, export_dir)
            return gr.Code(text, language=CODE_LANGUAGE[fmt]), str(path)

        export_format.change(export_as, [answer_state, export_format], [export_text, download],
                             **PRIVATE)
        glossary_search.change(lambda text: glossary_html(glossary, text), glossary_search,
                               glossary_panel, **PRIVATE)

        # --- a new visit sees the archive as it is now (documents may have been uploaded) ---
        def refresh():
            now = view.menus()
            return (view.timeline_html(), gr.Dropdown(choices=now["dates"]),
                    gr.Dropdown(choices=now["dates"]), gr.Dropdown(choices=now["senders"]),
                    gr.Dropdown(choices=now["recipients"]), gr.Dropdown(choices=now["documents"]),
                    gr.Dropdown(choices=now["documents"]), filters_summary(Filters(), view.documents()),
                    about_markdown(view.documents()))

        demo.load(refresh, None, [timeline_panel, *filter_inputs, doc_menu, filters_line, about],
                  **PRIVATE)

        # --- the named API (also the MCP tools) ---
        answer_api, document_api = make_api(assistant, view.documents)
        gr.api(answer_api, api_name="answer", concurrency_id="ask")
        gr.api(document_api, api_name="document", queue=False)
    return demo
