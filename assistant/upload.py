"""The web UI's "Add documents" panel: upload files into the corpus, as `python -m assistant add` does."""
from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from .errors import AssistantError
from .formats import FORMATS
from .library import Change, add_documents, change_summary, list_documents, listing_rows
from .render import escape_markdown
from .serve import is_loopback
from .service import Assistant
from .settings import Settings

log = logging.getLogger(__name__)

UPLOAD_TYPES = sorted(FORMATS) + [".json", ".yaml", ".yml"]  # documents and their sidecars
MAX_FILES = 50
HELP = ("Add letters, reports or notes as **.txt, .md, .html or .pdf** files ({files} at a time, "
        "each within the size limit: setting ASSISTANT_MAX_DOCUMENT_MB, 20 MB unless changed). "
        "Metadata comes from YAML front matter (Markdown) or a file "
        "named after the document (`letter.meta.json` or `letter.meta.yaml` beside `letter.pdf`"
        "): title, date, sender, recipient, source, translator, reply-to. Without a date, one is "
        "guessed from the text and marked as guessed. Only new documents are embedded.")
UPLOADS_OFF = ("Uploads are off: this app is reachable from other machines without a login. "
               "Set ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD, or add documents with "
               "`python -m assistant add PATH`.")
UNEXPECTED_ERROR = "Sorry, the documents could not be added; the problem has been logged."


def uploads_allowed(settings: Settings) -> bool:
    """Uploads change the archive: allowed on this machine only, or behind a login."""
    return is_loopback(settings.host) or bool(settings.auth_user)


def upload_limit_bytes(settings: Settings) -> int:
    """What Gradio's /upload accepts per file (serve.launch_options): 0 when uploads are off."""
    return settings.max_document_mb * 1_000_000 if uploads_allowed(settings) else 0


def add_uploaded(assistant: Assistant, files: list[str] | None,
                 progress: Callable[[float, str], None] | None = None) -> tuple[str, Assistant | None]:
    """Add uploaded files to the assistant's corpus and index.

    The uploads are copied into one folder under their own names first, so a sidecar
    (``letter.meta.json``) finds its document as it would on disk.

    Args:
        assistant: The loaded assistant (its settings and embedder are used).
        files: Paths of the uploaded files (Gradio keeps each in a folder of its own).
        progress: Called with (fraction done, what is happening).

    Returns:
        The report as Markdown, and the assistant reloaded on the new index (None if nothing
        was added).
    """
    settings = assistant.settings
    if not uploads_allowed(settings):
        return UPLOADS_OFF, None
    files = [f for f in (files or []) if f]
    if not files:
        return "Choose one or more files first.", None
    if len(files) > MAX_FILES:
        return f"Please add at most {MAX_FILES} files at a time (got {len(files)}).", None
    with tempfile.TemporaryDirectory(prefix="assistant-upload-") as folder:
        clashes = []
        for name in files:
            target = Path(folder) / Path(name).name
            if target.exists():
                clashes.append(f"two files are named {target.name}; rename one and add it again")
                continue
            shutil.copyfile(name, target)
        change = add_documents(settings, [Path(folder)], assistant.embedder, progress)
    report = upload_report(change, clashes)
    if not change.added:
        return report, None
    return report, Assistant.open(settings, assistant.embedder)


def upload_report(change: Change, problems: list[str] = ()) -> str:
    """The outcome of an upload as Markdown: one summary line, then each file skipped and why."""
    lines = [escape_markdown(change_summary(change))]
    lines += [f"- skipped {escape_markdown(Path(s.path).name)}: {escape_markdown(s.reason)}"
              for s in change.skipped]
    lines += [f"- {escape_markdown(problem)}" for problem in problems]
    return "\n".join(lines)


def documents_table(settings: Settings, model: str) -> str:
    """The corpus as a Markdown table (id, title, date, sender → recipient, chunks)."""
    listed, note = list_documents(settings, model)
    lines = ["| id | title | date | sender \u2192 recipient | chunks |", "|---|---|---|---|---|"]
    for row in listing_rows(listed):
        date = (row["date"] or "") + (" (guessed)" if row["date_guessed"] else "")
        who = " \u2192 ".join(p for p in (row["sender"], row["recipient"]) if p)
        cells = [row["id"], row["title"], date, who, "" if row["chunks"] is None else str(row["chunks"])]
        lines.append("| " + " | ".join(escape_markdown(c) for c in cells) + " |")
    if note:
        lines.append(f"\n*{escape_markdown(note)}*")
    return "\n".join(lines)


def build_upload_tab(get_assistant: Callable[[], Assistant],
                     replace_assistant: Callable[[Assistant], None]) -> None:
    """Lay out the "Add documents" panel inside the current ``gr.Blocks``.

    Args:
        get_assistant: Returns the assistant answering questions.
        replace_assistant: Called with the assistant reloaded after documents were added, so the
            next question is answered from the new index.
    """
    with gr.Accordion("Add documents to the archive", open=False):
        gr.Markdown(HELP.format(files=MAX_FILES))
        files = gr.File(label="Documents (and metadata files)", file_count="multiple",
                        file_types=UPLOAD_TYPES, type="filepath")
        add = gr.Button("Add to the archive", variant="primary")
        status = gr.Markdown()
        with gr.Accordion("Documents in the archive", open=False):
            table = gr.Markdown()
            show = gr.Button("Show the documents", size="sm")

    def on_add(uploaded, progress=gr.Progress()):  # noqa: B008 - how Gradio asks for a progress bar
        try:
            report, reloaded = add_uploaded(get_assistant(), uploaded,
                                            lambda fraction, message: progress(fraction, desc=message))
        except AssistantError as exc:
            return f"Sorry: {escape_markdown(str(exc))}.", None
        except Exception:
            log.exception("adding uploaded documents failed")
            return UNEXPECTED_ERROR, None
        if reloaded is not None:
            replace_assistant(reloaded)
        return report, None

    def on_show():
        assistant = get_assistant()
        try:
            return documents_table(assistant.settings, assistant.embedder.name)
        except AssistantError as exc:
            return f"Sorry: {escape_markdown(str(exc))}."

    # One upload at a time; questions go on meanwhile, answered from the index they started on.
    add.click(on_add, [files], [status, files], api_visibility="private",
              concurrency_id="add_documents", concurrency_limit=1)
    show.click(on_show, None, [table], api_visibility="private")
