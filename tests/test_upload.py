"""Tests for assistant/upload.py: the web UI's "Add documents" panel."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from archive_files import PETROVA_FACT, SOKOLOV_FACT, write_archive
from conftest import FakeEmbedder

from assistant.service import Assistant
from assistant.ui import build_demo, lazy
from assistant.upload import (
    MAX_FILES,
    UPLOADS_OFF,
    add_uploaded,
    documents_table,
    upload_limit_bytes,
    uploads_allowed,
)


def as_uploaded(files: list[Path], tmp_path: Path) -> list[str]:
    """Copies of ``files`` as Gradio keeps uploads: each in a folder of its own."""
    paths = []
    for number, path in enumerate(files):
        folder = tmp_path / "gradio" / f"upload{number}"
        folder.mkdir(parents=True)
        paths.append(str(shutil.copy(path, folder / path.name)))
    return paths


@pytest.fixture
def tiny_assistant(tiny_settings, tiny_index) -> Assistant:
    return Assistant.open(tiny_settings, FakeEmbedder())


def test_uploaded_files_are_added_with_their_sidecars_and_the_assistant_reloaded(
        tiny_assistant, tmp_path):
    archive = write_archive(tmp_path / "archive")
    names = ["sokolov-reply.md", "petrova-1951-03-02.txt", "petrova-1951-03-02.meta.yaml",
             "broken.pdf", "notes.docx"]
    steps = []
    report, reloaded = add_uploaded(tiny_assistant, as_uploaded([archive / n for n in names],
                                                                tmp_path),
                                    lambda fraction, message: steps.append((fraction, message)))
    assert report.splitlines() == [
        "Added 2 document\\(s\\): petrova\\-1951\\-03\\-02, sokolov\\-reply; skipped 2 file\\(s\\); "
        "index updated \\(2 document\\(s\\) embedded, 4 unchanged reused\\)\\.",
        "- skipped notes\\.docx: unsupported file type '\\.docx' \\(supported: \\.htm, \\.html, "
        "\\.markdown, \\.md, \\.pdf, \\.text, \\.txt\\)",
        "- skipped broken\\.pdf: not a readable PDF \\(PdfStreamError: Stream has ended "
        "unexpectedly\\)"]
    assert [message for _, message in steps] == [
        "Reading broken.pdf", "Reading petrova-1951-03-02.txt", "Reading sokolov-reply.md",
        "Indexing (only new or changed documents are embedded)",
        "Indexed 6 documents: 6 chunks, 32 sentences (2 embedded, 4 unchanged reused)",
        "Swapping in the new corpus and index", "Done"]
    assert [fraction for fraction, _ in steps] == sorted(fraction for fraction, _ in steps)
    # The sidecar, uploaded from its own folder, still described its document.
    petrova = reloaded.index.documents["petrova-1951-03-02"]
    assert (petrova.title, petrova.sender, petrova.date) == (
        "Letter of Anna Petrova to Ivan Sokolov", "Anna Petrova", "1951-03-02")
    answer, _ = reloaded.ask("Why can the lacquer screens not travel before May?")
    assert (answer.quotes[0].doc_id, answer.quotes[0].text) == ("sokolov-reply", SOKOLOV_FACT)
    # The assistant loaded before the upload still answers from the index it had.
    assert "sokolov-reply" not in tiny_assistant.index.documents


def test_nothing_added_means_no_reload(tiny_assistant, tmp_path):
    archive = write_archive(tmp_path / "archive")
    report, reloaded = add_uploaded(tiny_assistant, as_uploaded([archive / "empty.txt"], tmp_path))
    assert (report, reloaded) == (
        "Skipped 1 file\\(s\\); nothing changed\\.\n- skipped empty\\.txt: the file is empty", None)
    assert add_uploaded(tiny_assistant, []) == ("Choose one or more files first.", None)
    assert add_uploaded(tiny_assistant, None) == ("Choose one or more files first.", None)
    too_many = [str(archive / "empty.txt")] * (MAX_FILES + 1)
    assert add_uploaded(tiny_assistant, too_many) == (
        f"Please add at most {MAX_FILES} files at a time (got {MAX_FILES + 1}).", None)


def test_two_uploads_with_one_name_are_reported(tiny_assistant, tmp_path):
    first, second = tmp_path / "a" / "letter.txt", tmp_path / "b" / "letter.txt"
    for path, text in ((first, "The ferry crossed the Amur."), (second, "The bridge held.")):
        path.parent.mkdir()
        path.write_text(text + "\n", encoding="utf-8")
    report, reloaded = add_uploaded(tiny_assistant, [str(first), str(second)])
    assert report.splitlines()[1] == ("- two files are named letter\\.txt; rename one and add "
                                      "it again")
    assert reloaded is not None and "letter" in reloaded.index.documents


def test_uploads_only_on_this_machine_or_behind_a_login(tiny_assistant, tiny_settings):
    assert uploads_allowed(tiny_settings) and upload_limit_bytes(tiny_settings) == 20_000_000
    exposed = tiny_settings.replace(host="0.0.0.0")
    assert not uploads_allowed(exposed) and upload_limit_bytes(exposed) == 0
    assert uploads_allowed(exposed.replace(auth_user="historian", auth_password="s3cret"))
    tiny_assistant.settings = exposed
    assert add_uploaded(tiny_assistant, ["/etc/hostname"]) == (UPLOADS_OFF, None)
    assert not (tiny_settings.corpus_dir / "documents").exists()


def test_documents_table(tiny_assistant, tiny_settings):
    table = documents_table(tiny_settings, FakeEmbedder.name).splitlines()
    assert table[:3] == [
        "| id | title | date | sender → recipient | chunks |", "|---|---|---|---|---|",
        "| tiny\\-1 | No\\. 1: Telegram of Stalin to Mao, 10 January 1949 | 1949\\-01\\-10 | "
        "Stalin → Mao Zedong | 1 |"]
    assert len(table) == 6


def test_the_chat_answers_from_the_reloaded_assistant(tiny_assistant, tiny_settings):
    get = lazy(lambda: tiny_assistant)
    assert get() is tiny_assistant
    other = Assistant.open(tiny_settings, FakeEmbedder())
    get.replace(other)
    assert get() is other
    demo = build_demo(get)
    labels = {block.get("props", {}).get("label") for block in demo.config["components"]}
    assert {"Add documents to the archive", "Documents (and metadata files)"} <= labels


@pytest.mark.browser
@pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'", "ignore:The copy keyword")
def test_a_person_uploads_letters_in_the_browser_and_questions_them(tiny_settings, tiny_index,
                                                                    tmp_path):
    """Chromium opens the served app, uploads two files, and asks about what they say."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    from test_ui import free_port

    from assistant.serve import serve

    archive = write_archive(tmp_path / "archive")
    settings = tiny_settings.replace(port=free_port())
    embedder = FakeEmbedder()
    assistant = Assistant.open(settings, embedder)
    demo = build_demo(lambda: assistant)
    serve(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{settings.port}/")
            page.get_by_text("Add documents to the archive").click()
            page.locator("input[type=file]").set_input_files(
                [str(archive / "petrova-1951-03-02.txt"),
                 str(archive / "petrova-1951-03-02.meta.yaml"), str(archive / "broken.pdf")])
            page.locator("td.filename[aria-label=\"broken.pdf\"]").wait_for()  # uploaded
            page.get_by_role("button", name="Add to the archive").click()
            page.get_by_text("Added 1 document(s): petrova-1951-03-02").wait_for(timeout=60_000)
            assert page.get_by_text("skipped broken.pdf: not a readable PDF").is_visible()
            question = page.get_by_placeholder("Ask about the telegrams…")
            question.fill("When will the porcelain exhibition open in the Hermitage?")
            question.press("Enter")
            page.get_by_text("file petrova-1951-03-02.txt").first.wait_for(timeout=60_000)
            assert page.get_by_text(PETROVA_FACT).first.is_visible()
            page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
            browser.close()
    finally:
        demo.close()
    assert (tiny_settings.corpus_dir / "documents" / "petrova-1951-03-02.txt").is_file()
