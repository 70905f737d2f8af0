"""The reading room driven in Debian's chromium through Playwright: what a visitor sees and does.

The app runs in this process on a free loopback port, with the real model and index. Set
``UPDATE_SCREENSHOT=1`` (``make screenshot``) to also write docs/screenshot.png.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import time
from pathlib import Path

import pytest

from assistant.export import export_bibtex
from assistant.reading_room import EMPTY_QUESTION_REPLY, LazyAssistant
from assistant.serve import serve
from assistant.settings import PROJECT_ROOT
from assistant.ui import build_demo

pytestmark = [pytest.mark.browser,
              pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'",
                                         "ignore:The copy keyword")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EXAMPLE = "What did Mao propose on 13 January?"
FOLLOW_UP = "How did Stalin respond?"
SCREENSHOT = PROJECT_ROOT / "docs" / "screenshot.png"
WAIT_MS = 60_000
# The text of the highlight without the screen-reader-only words around it.
MARK_TEXT_JS = """m => { const c = m.cloneNode(true); c.querySelectorAll('.sr-only').forEach(s => s.remove());
                        return c.textContent; }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(assistant: LazyAssistant, settings) -> tuple[str, object]:
    """Serve the reading room as app.py does, on a free loopback port."""
    demo = build_demo(assistant, settings)
    settings = settings.replace(port=free_port())
    serve(demo, settings, prevent_thread_lock=True, quiet=True)
    return f"http://127.0.0.1:{settings.port}/", demo


@pytest.fixture(scope="module")
def app_url(real_assistant):
    url, demo = start(LazyAssistant.of(real_assistant), real_assistant.settings)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(app_url, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def ask(page, question: str) -> None:
    """Type ``question`` and press Enter, then wait until the evidence is this question's."""
    page.get_by_role("textbox", name="Your question").fill(question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """q => { const e = document.querySelector('#evidence .evidence-question q');
                  return e && e.textContent === q; }""", arg=question)


def evidence_cards(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#evidence .quote-card",
        "cards => cards.map(c => ({doc: c.dataset.doc, date: c.dataset.date, text: c.innerText}))")


def chat_texts(page) -> list[str]:
    return page.eval_on_selector_all("#chat .message", "ms => ms.map(m => m.innerText)")


def test_example_question_shows_quotes_with_citations(page, real_assistant):
    page.get_by_role("button", name=EXAMPLE).click()  # the examples are one click away
    page.wait_for_selector("#evidence .quote-card")
    cards = evidence_cards(page)
    expected, _ = real_assistant.ask(EXAMPLE)
    assert [c["doc"] for c in cards] == [q.doc_id for q in expected.quotes]
    assert cards[0]["doc"] == "rd-3"
    first = " ".join(expected.quotes[0].text.split())
    assert f"\u201c{first}\u201d" in cards[0]["text"]
    assert "\u2014 Mao Zedong to Stalin (\"Fillipov\"), telegram, 13 January 1949" in cards[0]["text"]
    assert any(first in text for text in chat_texts(page))  # the chat has the quotes too
    assert page.locator("#filters-summary").inner_text() == "Searching all 11 documents."


def test_clicking_a_quote_opens_its_document_with_the_quote_highlighted_in_view(page, real_assistant):
    ask(page, EXAMPLE)
    page.locator("#evidence .quote-card").first.click()
    mark = page.wait_for_selector("#viewer mark#quote-highlight")
    expected, _ = real_assistant.ask(EXAMPLE)
    quote = expected.quotes[0]
    assert mark.evaluate(MARK_TEXT_JS) == quote.text
    assert page.locator("#viewer mark").count() == 1
    card = page.locator("#viewer .meta-card").inner_text()
    for shown in ("No. 3: Telegram of Mao Zedong to J.V. Stalin dated 13 January 1949",
                  "Mao Zedong \u2192 Stalin", "13 January 1949 (signed 12 January)", "Telegram",
                  "Revolutionary Democracy, September 1997", "Satyabhan Singh and Tahir Asghar",
                  f"characters {quote.start}\u2013{quote.end}"):
        assert shown in card
    # The highlight is scrolled into the visible part of the document box and of the window.
    page.wait_for_function("""() => {
        const m = document.querySelector('#quote-highlight').getBoundingClientRect();
        const b = document.querySelector('#viewer .doc-text').getBoundingClientRect();
        return m.top >= b.top && m.bottom <= b.bottom && m.top >= 0 && m.bottom <= innerHeight; }""")
    # Focus follows, in the same deferred step as the scroll: wait for it rather than race it
    # (the highlight may already be in view before that step runs).
    page.wait_for_function("() => document.activeElement.id === 'quote-highlight'", timeout=5000)


def test_a_follow_up_is_read_against_the_conversation(page):
    ask(page, EXAMPLE)
    ask(page, FOLLOW_UP)
    assert evidence_cards(page)[0]["doc"] == "rd-4"
    assert "read as a follow-up to: What did Mao propose on 13 January?" in chat_texts(page)[-1]
    assert len(chat_texts(page)) == 4


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the dropdown labelled ``label``, as a visitor does."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    options = page.locator(f"#{box.get_attribute('aria-controls')}")
    options.get_by_role("option", name=option, exact=True).click()


def test_a_date_filter_restricts_the_answer_and_can_be_cleared(page):
    page.get_by_text("Filters: search only some documents").click()
    choose(page, "Dated from", "14 January 1949")
    choose(page, "Dated until", "18 January 1949")
    summary = page.locator("#filters-summary")
    summary.filter(has_text="Filters on").wait_for()
    assert summary.inner_text() == ("Filters on: searching 4 of 11 documents, dated 14 January 1949 "
                                    "to 18 January 1949.")
    ask(page, EXAMPLE)
    cards = evidence_cards(page)
    assert cards and all("1949-01-14" <= c["date"] <= "1949-01-18" for c in cards)
    assert "Searched only the 4 of 11 documents matching the filters" in chat_texts(page)[-1]
    # The timeline fades what the filters leave out.
    page.get_by_role("tab", name="Timeline").click()
    assert page.locator("#timeline g.tl-excluded").count() == 4
    page.get_by_role("tab", name="Reading room").click()
    page.get_by_role("button", name="Clear filters").click()
    summary.filter(has_text="Searching all 11 documents.").wait_for()


def test_export_downloads_the_answer_and_offers_it_for_copying(page, real_assistant):
    ask(page, EXAMPLE)
    page.get_by_text("Export this answer").click()
    page.get_by_label("BibTeX").check()
    expected, _ = real_assistant.ask(EXAMPLE)
    bibtex = export_bibtex(expected, real_assistant.index.documents)
    page.wait_for_function("() => document.querySelector('#export-text').innerText.includes('@misc{rd-3,')")
    assert page.locator("#export-text").get_by_role("button", name=re.compile("copy", re.I)).count()
    with page.expect_download() as download_info:
        page.locator("#download").click()
    download = download_info.value
    assert download.suggested_filename == "answer.bib"
    assert Path(download.path()).read_text(encoding="utf-8") == bibtex


def test_typed_markup_is_shown_as_text_and_never_run(page):
    hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> ${7*7}'
    ask(page, hostile)
    page.wait_for_function("() => !document.querySelector('#status p').innerText")
    assert chat_texts(page)[0] == hostile
    assert page.locator("#evidence .evidence-question q").text_content() == hostile
    assert page.evaluate("window.pwned") is None
    assert page.locator("#chat img[src='x'], #evidence img, #chat script").count() == 0


def test_empty_input_gets_a_friendly_message(page):
    page.get_by_role("button", name="Ask", exact=True).click()
    page.locator("#chat").get_by_text("Please type a question about the documents").wait_for()
    assert chat_texts(page) == [EMPTY_QUESTION_REPLY.replace("*", "")]


def test_timeline_opens_documents_by_mouse_and_keyboard(page):
    page.get_by_role("tab", name="Timeline").click()
    svg = page.locator("#timeline svg[role='group']")
    assert svg.get_attribute("aria-labelledby") == "tl-title tl-desc"
    assert page.locator("#timeline g[data-doc]").count() == 8  # the dated documents
    assert page.locator("#timeline .tl-reply").count() == 4
    page.locator('#timeline g[data-doc="rd-4"]').click()
    page.locator("#viewer .meta-title").filter(has_text="No. 4:").wait_for()
    assert page.get_by_role("tab", name="Document").get_attribute("aria-selected") == "true"
    page.get_by_role("tab", name="Timeline").click()
    point = page.get_by_role("button", name=re.compile(r"^No\. 6 .*open in the viewer$"))
    point.focus()
    page.keyboard.press("Enter")
    page.locator("#viewer .meta-title").filter(has_text="No. 6:").wait_for()
    # A link on the metadata card opens the message it answers.
    page.locator("#viewer .doc-link").filter(has_text="No. 5").click()
    page.locator("#viewer .meta-title").filter(has_text="No. 5:").wait_for()


def test_quotes_open_from_the_keyboard(page):
    ask(page, EXAMPLE)
    page.locator("#evidence .quote-card").nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#viewer mark#quote-highlight")


def test_glossary_explains_the_pseudonym_and_about_introduces_the_archive(page):
    page.get_by_role("tab", name="Who's who & glossary").click()
    page.get_by_role("textbox", name="Find a name, place or term").fill("Filippov")
    page.locator("#glossary dt").first.filter(has_text="Stalin").wait_for()
    assert "signed as \"Filippov\"" in page.locator("#glossary dd").first.inner_text()
    page.get_by_role("tab", name="About this archive").click()
    assert "This reading room holds 11 documents" in page.locator("#about").inner_text()


def test_phone_width_has_no_sideways_scrolling(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(app_url, wait_until="domcontentloaded")
        page.wait_for_selector("#question textarea")
        ask(page, EXAMPLE)
        page.locator("#evidence .quote-card").first.tap()
        page.wait_for_selector("#viewer mark#quote-highlight")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for name in ("Reading room", "Timeline", "Who's who & glossary", "About this archive"):
            assert page.get_by_role("tab", name=name).is_visible()
    finally:
        context.close()


def test_slow_first_load_is_announced_and_the_ask_button_waits(browser, real_assistant):
    def slow_open():
        time.sleep(2)
        return real_assistant

    url, demo = start(LazyAssistant(slow_open), real_assistant.settings)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#question textarea")
        page.get_by_role("textbox", name="Your question").fill(EXAMPLE)
        page.keyboard.press("Enter")
        status = page.get_by_role("status").filter(has_text="Opening the archive")
        status.wait_for()
        assert page.get_by_role("button", name="Ask", exact=True).is_disabled()
        page.wait_for_selector("#evidence .quote-card")
        page.wait_for_function("() => !document.querySelector('#status p').innerText")
        assert page.get_by_role("button", name="Ask", exact=True).is_enabled()
    finally:
        context.close()
        demo.close()


def test_main_screen_screenshot(page, tmp_path):
    """The README's picture: an answered question with its quote open in the document."""
    page.set_viewport_size({"width": 1440, "height": 1000})
    ask(page, EXAMPLE)
    page.locator("#evidence .quote-card").first.click()
    page.wait_for_selector("#viewer mark#quote-highlight")
    page.evaluate("window.scrollTo(0, 0)")
    # Show the answer from its first line (the chat scrolls to its end by itself).
    page.wait_for_timeout(500)  # let the chat's own scrolling settle first
    page.evaluate("document.querySelector('#chat .bubble-wrap').scrollTop = 0")
    page.wait_for_function("document.querySelector('#chat .bubble-wrap').scrollTop === 0")
    page.wait_for_timeout(200)
    shot = tmp_path / "screenshot.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
