"""Tests for assistant/formats.py: text, Markdown, HTML and PDF files read into clean text."""
from __future__ import annotations

from pathlib import Path

import pytest
from archive_files import (
    BROKEN_PDF,
    CATALOGUE_FACT,
    CATALOGUE_HTML,
    INVENTORY_FACT,
    INVENTORY_PAGES,
    PETROVA_FACT,
    PETROVA_TEXT,
    SOKOLOV_FACT,
    SOKOLOV_MD,
    pdf_bytes,
)

from assistant.errors import InputError
from assistant.formats import clean_text, extract, format_of, reflow


def test_html_keeps_visible_text_only():
    extracted = extract(Path("note.html"), CATALOGUE_HTML.encode("utf-8"))
    assert extracted.format == "html"
    assert extracted.title == "Catalogue note"
    assert extracted.text == ("Catalogue note\n\nLeningrad, 10 April 1951\n\n" + CATALOGUE_FACT
                              + "\n\nCaf\u00e9 visitors may buy it for 12 roubles & 50 kopecks.")
    # Scripts, styles, comments and navigation never reach the text.
    for hidden in ("EXFILTRATE", "injected", "color", "Contact", "secret"):
        assert hidden not in extracted.text


def test_html_declared_charset_is_honoured():
    page = '<meta charset="windows-1251"><p>Письмо</p>'.encode("cp1251")
    assert extract(Path("x.htm"), page).text == "Письмо"


def test_markdown_front_matter_is_split_off_and_markup_removed():
    extracted = extract(Path("reply.md"), SOKOLOV_MD.encode("utf-8"))
    assert extracted.front_matter == ("title: Reply of Ivan Sokolov to Anna Petrova\n"
                                      "from: Ivan Sokolov\nto: Anna Petrova\ndate: 9 March 1951\n"
                                      "reply-to: petrova-1951-03-02\n")
    assert extracted.title == "Leningrad, 9 March 1951"
    assert extracted.text == ("Leningrad, 9 March 1951\n\nDear Anna Nikolayevna,\n\n" + SOKOLOV_FACT
                              + "\n\nthe screens go by rail\nthe scrolls go by air")


def test_raw_html_inside_markdown_is_made_safe_too():
    markdown = "Before.\n\n<script>alert('EXFILTRATE')</script>\n\n<style>p {}</style>\n\nAfter *it*.\n"
    assert extract(Path("x.md"), markdown.encode("utf-8")).text == "Before.\n\nAfter it."


def test_pdf_text_keeps_where_each_page_starts():
    extracted = extract(Path("inventory.pdf"), pdf_bytes(INVENTORY_PAGES))
    first = ("Irkutsk, 20 March 1951\nInventory of the shipment from Shanghai to Moscow\n"
             "Forty-two vases and nine scrolls were packed in eleven crates before the train left "
             "Shanghai.")
    assert extracted.text == first + "\n\n" + INVENTORY_FACT + "\nTwo bowls are broken; the others are sound."
    assert extracted.pages == ((0, "1"), (len(first) + 2, "2"))
    assert extracted.text[extracted.pages[1][0]:].startswith(INVENTORY_FACT)


def test_hard_wrapped_text_is_joined_into_sentences():
    extracted = extract(Path("letter.txt"), PETROVA_TEXT.encode("utf-8"))
    assert extracted.text == (
        "Moscow, 2 March 1951\n\nDear Ivan Sergeyevich,\n\n" + PETROVA_FACT + " We have received "
        "forty-two vases from the Shanghai museum, and the customs office in Moscow released them "
        "without duties.\n\nAnna Petrova")


@pytest.mark.parametrize("text,expected", [
    # A line that does not end a sentence continues in lower case: one sentence.
    ("The bridge must be\nrepaired soon.", "The bridge must be repaired soon."),
    # A sentence end, a salutation, a short heading: the line break stays.
    ("It is done.\nthe rest later.", "It is done.\nthe rest later."),
    ("No. 1\nTelegram of Stalin", "No. 1\nTelegram of Stalin"),
    # A word hyphenated at the line end keeps its hyphen and loses the break.
    ("a well-\nknown fact", "a well-known fact"),
    ("One paragraph.\n\nanother", "One paragraph.\n\nanother"),
])
def test_reflow(text, expected):
    assert reflow(text) == expected


def test_clean_text_normalises_newlines_spaces_and_invisible_characters():
    raw = "\ufeffLine\u00a0one\u200b \r\nLine two\x07\r\r\n\n\nEnd\f"
    assert clean_text(raw) == "Line one\nLine two\n\nEnd"


def test_utf16_text_with_a_byte_order_mark_is_read():
    assert extract(Path("x.txt"), "Hello, Харбин.".encode("utf-16")).text == "Hello, Харбин."


@pytest.mark.parametrize("name,data,message", [
    ("letter.txt", "Caf\u00e9".encode("latin-1"),
     "not UTF-8 text (save it as UTF-8 and add it again)"),
    ("image.txt", b"\x00\x01\x02", "not a text file (it holds binary data)"),
    ("blank.md", b"---\ntitle: x\n---\n   \n", "the file holds no text"),
    ("scan.pdf", pdf_bytes([[]]),
     "the file holds no text (a scanned PDF without a text layer? run it through OCR first)"),
    ("letter.docx", b"PK", "unsupported file type '.docx' (supported: .htm, .html, .markdown, "
                           ".md, .pdf, .text, .txt)"),
])
def test_unreadable_files_are_refused_with_a_reason(name, data, message):
    with pytest.raises(InputError) as error:
        extract(Path(name), data)
    assert str(error.value) == message


def test_a_broken_pdf_is_refused_naming_the_parser_error():
    with pytest.raises(InputError) as error:
        extract(Path("broken.pdf"), BROKEN_PDF)
    assert str(error.value).startswith("not a readable PDF (")


def test_formats_by_suffix():
    assert [format_of(Path(n)) for n in ("a.TXT", "b.md", "c.markdown", "d.HTM", "e.pdf", "f.doc")] \
        == ["text", "markdown", "markdown", "html", "pdf", None]
