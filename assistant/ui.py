"""The reading room: a Gradio app with chat, evidence, document viewer, timeline, filters and glossary.

Layout and wiring only; what each action does lives in ``assistant.reading_room`` and the HTML
in ``assistant.viewer``, ``assistant.timeline`` and ``assistant.guide``.
"""
from __future__ import annotations

import functools
import html
import importlib.util
import tempfile
from pathlib import Path

import gradio as gr

from .api import make_api
from .cite import format_date
from .corpus import load_corpus
from .errors import InputError
from .export import EXPORTS
from .filters import matching_documents
from .glossary import load_glossary
from .guide import about_markdown, document_choices, glossary_html
from .reading_room import (
    EXAMPLE_QUESTIONS,
    LazyAssistant,
    answer_question,
    begin_question,
    clear_chat,
    filters_from_inputs,
    filters_summary,
    status_html,
    write_export,
)
from .records import Answer, Filters
from .render import escape_markdown
from .settings import Settings
from .timeline import timeline_html, timeline_layout
from .ui_style import CSS, PICK_DOCUMENT_JS, PICK_QUOTE_JS, VIEWER_JS, theme
from .upload import build_upload_tab
from .viewer import document_html, evidence_html, metadata_card_html

TITLE = "Stalin–Mao telegrams, January 1949"
INTRO = ("Ask about the 1949 correspondence between Stalin and Mao Zedong: every answer is made "
         "of verbatim quotes from the documents, each with its source. Choose a quote to read it "
         "in its document.")
EXPORT_FORMATS = [("Markdown", "markdown"), ("CSL-JSON", "csl-json"), ("BibTeX", "bibtex")]
CODE_LANGUAGE = {"markdown": "markdown", "csl-json": "json", "bibtex": None}


def mcp_available() -> bool:
    """Whether Gradio's MCP server can run (the ``mcp`` package of ``gradio[mcp]`` is installed)."""
    return importlib.util.find_spec("mcp") is not None


def build_demo(assistant: LazyAssistant, settings: Settings) -> gr.Blocks:
    """Build the reading room.

    Args:
        assistant: Opened on first use (or earlier, by ``LazyAssistant.start_loading``).
        settings: Where the corpus is: documents and glossary are read at once, without the model.

    Returns:
        The app. Its public endpoints are ``/ask`` (question → answer JSON) and ``/document``
        (id → document); the chat's own events are private.
    """
    documents = {d.id: d for d in load_corpus(settings.corpus_dir)}
    glossary = load_glossary(settings.corpus_dir)
    timeline = timeline_layout(documents.values())
    export_dir = Path(tempfile.mkdtemp(prefix="archive-exports-"))
    dates = sorted({d.date for d in documents.values() if d.date})
    date_choices = [(format_date(d), d) for d in dates]
    senders = sorted({d.sender for d in documents.values() if d.sender})
    recipients = sorted({d.recipient for d in documents.values() if d.recipient})

    def viewer_html(doc_id: str | None, span: tuple[int, int] | None = None) -> str:
        doc = documents.get(doc_id) if doc_id else None
        card = metadata_card_html(doc, documents, span)
        return card + document_html(doc, *(span or (None, None)))

    def timeline_view(selected: str | None, filters: Filters | str | None = None) -> str:
        allowed = matching_documents(documents, filters) if isinstance(filters, Filters) else None
        return timeline_html(timeline, documents, selected, allowed)

    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.HTML(f"<h1>{TITLE}</h1><p>{INTRO}</p>", elem_id="masthead", js_on_load=None)
        turns = gr.State([])
        answer_state = gr.State(None)
        pending = gr.State("")
        open_doc = gr.State(None)
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
                                date_from = gr.Dropdown(date_choices, value=None, label="Dated from",
                                                        elem_id="date-from", min_width=140)
                                date_to = gr.Dropdown(date_choices, value=None, label="Dated until",
                                                      elem_id="date-to", min_width=140)
                            with gr.Row():
                                sender_pick = gr.Dropdown(senders, value=[], multiselect=True,
                                                          label="Written by", min_width=140)
                                recipient_pick = gr.Dropdown(recipients, value=[],
                                                             multiselect=True, label="Addressed to",
                                                             min_width=140)
                            doc_pick = gr.Dropdown(document_choices(documents), value=[],
                                                   multiselect=True, label="Only these documents")
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
                                viewer = gr.HTML(viewer_html(None), js_on_load=VIEWER_JS,
                                                 elem_id="viewer")
                                doc_menu = gr.Dropdown(document_choices(documents), value=None,
                                                       label="Read a document", elem_id="doc-menu")
            with gr.Tab("Timeline", id="timeline"):
                gr.Markdown("Who wrote to whom, and when. Choose a document to read it.")
                timeline_panel = gr.HTML(timeline_view(None), js_on_load=PICK_DOCUMENT_JS,
                                         elem_id="timeline")
            with gr.Tab("Who's who & glossary", id="glossary"):
                glossary_search = gr.Textbox(label="Find a name, place or term",
                                             placeholder="e.g. Filippov, Peiping, Kuomintang",
                                             elem_id="glossary-search")
                glossary_panel = gr.HTML(glossary_html(glossary), js_on_load=None,
                                         elem_id="glossary")
            with gr.Tab("About this archive", id="about"):
                gr.Markdown(about_markdown(documents), elem_id="about")

        filter_inputs = [date_from, date_to, sender_pick, recipient_pick, doc_pick]

        # --- asking: show the question at once, then answer it (one at a time, queued) ---
        def begin(text, messages):
            messages, accepted, box, line = begin_question(text, messages, not assistant.ready)
            return messages, accepted, box, line, gr.Button(interactive=False)

        def finish(accepted, messages, history, fmt, filters):
            idle = (status_html(), gr.Button(interactive=True))
            if accepted and isinstance(filters, str):
                messages = [*messages[:-1], {"role": "assistant",
                                             "content": f"Sorry: {escape_markdown(filters)}."}]
                return (messages, history, gr.skip(), accepted, gr.skip(), gr.skip(), gr.skip(),
                        gr.skip(), gr.skip(), *idle)
            messages, history, answer, box = answer_question(assistant, accepted, messages, history,
                                                             filters)
            if answer is None:
                return (messages, history, gr.skip(), box, gr.skip(), gr.skip(), gr.skip(),
                        gr.skip(), gr.skip(), *idle)
            text, path = write_export(answer, documents, fmt, export_dir)
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
            listener(first, first_inputs, begin_outputs, queue=False, api_visibility="private") \
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

        # --- reading: a quote, a timeline point, a link on the card or the menu opens a document ---
        def show(doc_id, span=None, filters=None):
            return (viewer_html(doc_id, span), doc_id, gr.Tabs(selected="room"),
                    gr.Tabs(selected="document"), doc_id, timeline_view(doc_id, filters))

        open_outputs = [viewer, doc_menu, main_tabs, side_tabs, open_doc, timeline_panel]

        def open_quote(answer: Answer | None, filters, evt: gr.EventData):
            number = (evt._data or {}).get("quote")
            if answer is None or not isinstance(number, int) or not 0 <= number < len(answer.quotes):
                return (gr.skip(),) * len(open_outputs)
            quote = answer.quotes[number]
            return show(quote.doc_id, (quote.start, quote.end), filters)

        def open_document(filters, evt: gr.EventData):
            doc_id = (evt._data or {}).get("doc")
            if doc_id not in documents:
                return (gr.skip(),) * len(open_outputs)
            return show(doc_id, None, filters)

        def open_from_menu(doc_id, filters):
            if doc_id not in documents:
                return (gr.skip(),) * len(open_outputs)
            return show(doc_id, None, filters)

        private = {"api_visibility": "private", "queue": False}
        evidence.click(open_quote, [answer_state, filters_state], open_outputs, **private)
        timeline_panel.click(open_document, filters_state, open_outputs, **private)
        viewer.click(open_document, filters_state, open_outputs, **private)
        doc_menu.input(open_from_menu, [doc_menu, filters_state], open_outputs, **private)

        # --- filters: the summary line and the timeline follow every change ---
        def filters_changed(selected, *filter_values):
            try:
                filters = filters_from_inputs(*filter_values)
            except InputError as exc:
                return (str(exc), f'<p class="filters-summary filters-on" role="alert">'
                                  f"{html.escape(str(exc))}.</p>", gr.skip())
            return filters, filters_summary(filters, documents), timeline_view(selected, filters)

        for widget in filter_inputs:
            widget.change(filters_changed, [open_doc, *filter_inputs],
                          [filters_state, filters_line, timeline_panel], **private)
        clear_filters.click(lambda: (None, None, [], [], []), None, filter_inputs, **private)

        # --- export: the format chosen re-renders the current answer ---
        def export_as(answer: Answer | None, fmt: str):
            if answer is None or fmt not in EXPORTS:
                return gr.skip(), gr.skip()
            text, path = write_export(answer, documents, fmt, export_dir)
            return gr.Code(text, language=CODE_LANGUAGE[fmt]), str(path)

        export_format.change(export_as, [answer_state, export_format], [export_text, download],
                             **private)

        glossary_search.change(lambda text: glossary_html(glossary, text), glossary_search,
                               glossary_panel, **private)

        # --- the named API (also the MCP tools) ---
        ask_api, document_api = make_api(assistant, documents)
        gr.api(ask_api, api_name="ask", concurrency_id="ask")
        gr.api(document_api, api_name="document", queue=False)
    return demo


def launch(demo: gr.Blocks, settings: Settings, **overrides):
    """Serve ``demo`` on ``settings.host:settings.port`` with the reading room's theme and CSS.

    The MCP server (``/gradio_api/mcp/``) is on whenever ``gradio[mcp]`` is installed.
    ``overrides`` are passed to ``Blocks.launch`` (tests use ``prevent_thread_lock``).
    """
    options = {"server_name": settings.host, "server_port": settings.port, "share": False,
               "css": CSS, "theme": theme(), "footer_links": ["api"],
               "mcp_server": mcp_available()}
    options.update(overrides)
    demo.queue(default_concurrency_limit=1)
    return demo.launch(**options)
