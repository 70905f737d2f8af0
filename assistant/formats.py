"""Reads a document file (plain text, Markdown, HTML, PDF) into clean UTF-8 text, keeping PDF pages."""
from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError

# Suffix → format name; the README's "Bring your own archive" section lists the same.
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".pdf": "pdf"}
# Elements whose content is never text of the document.
_DROPPED = frozenset("script style noscript template svg math iframe object embed canvas "
                     "nav select button".split())
# Elements that end a paragraph (two newlines) or a line (one).
_BLOCKS = frozenset("p div h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl section article "
                    "header footer aside figure figcaption address hr main form fieldset".split())
_LINES = frozenset("br li tr dt dd".split())
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")


@dataclass(frozen=True)
class Extracted:
    """What a file holds: its text, a title it suggests, PDF pages and Markdown front matter.

    Attributes:
        text: Clean UTF-8 text; every offset in the system points into it.
        format: "text", "markdown", "html" or "pdf".
        title: The file's own title (HTML ``<title>`` or first heading), if any.
        pages: (offset in ``text``, page label) of each PDF page that has text, in order.
        front_matter: The YAML front matter of a Markdown file, unparsed ("" if none).
    """

    text: str
    format: str
    title: str | None = None
    pages: tuple[tuple[int, str], ...] = ()
    front_matter: str = ""


def format_of(path: Path) -> str | None:
    """The format of ``path`` by its suffix, or None if it is not a supported document."""
    return FORMATS.get(Path(path).suffix.lower())


def extract(path: Path, data: bytes) -> Extracted:
    """Turn the bytes of a document file into clean text.

    Args:
        path: The file's name (its suffix decides the format).
        data: Its content.

    Raises:
        InputError: the format is not supported, the file cannot be decoded or parsed, or it holds
            no text.
    """
    kind = format_of(path)
    if kind is None:
        raise InputError(f"unsupported file type {Path(path).suffix or '(no suffix)'!r} "
                         f"(supported: {', '.join(sorted(FORMATS))})")
    if kind == "pdf":
        extracted = _pdf(data)
    elif kind == "html":
        title, text = html_to_text(_decode_html(data))
        extracted = Extracted(clean_text(text), kind, title)
    else:
        text = _decode_text(data)
        front = ""
        if kind == "markdown":
            match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
            if match:
                front, text = match.group(1) or "", text.lstrip("\ufeff")[match.end():]
            title, text = html_to_text(_markdown_html(text))
            extracted = Extracted(clean_text(text), kind, title, front_matter=front)
        else:
            extracted = Extracted(reflow(clean_text(text)), kind)
    if not extracted.text:
        raise InputError("the file holds no text" + (
            " (a scanned PDF without a text layer? run it through OCR first)" if kind == "pdf" else ""))
    return extracted


def clean_text(text: str) -> str:
    """NFC, Unix newlines, no control or invisible characters, no trailing spaces or blank runs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n\n")
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\n\t":
            kept.append(ch)
        elif category[0] == "Z":
            kept.append(" ")
        elif category[0] != "C":
            kept.append(ch)
    lines = [line.rstrip() for line in "".join(kept).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n").strip()


def reflow(text: str) -> str:
    """Join the lines of hard-wrapped paragraphs, so a sentence is not cut at every line end.

    Sentences never cross a line (assistant/chunk.py), so a wrapped paragraph would be quoted in
    fragments. A line is joined to the next when it does not end a sentence and the next starts
    in lower case, or when the text is wrapped at a fixed width and the line reaches it.
    """
    lines = text.split("\n")
    widths = sorted(len(line) for line in lines if line.strip())
    width = widths[min(len(widths) - 1, int(0.9 * len(widths)))] if widths else 0
    wrapped = 40 <= width <= 100
    out = [lines[0]] if lines else []
    for line in lines[1:]:
        previous = out[-1]
        joins = (previous.strip() and line.strip() and not _ENDS_SENTENCE.search(previous)
                 and (line.lstrip()[0].islower() or (wrapped and len(previous) >= 0.7 * width)))
        if joins:
            out[-1] = previous + ("" if previous.endswith("-") else " ") + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text (save it as UTF-8 and add it again)") from None
    if "\x00" in text:
        raise InputError("not a text file (it holds binary data)")
    return text


def _decode_html(data: bytes) -> str:
    declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.I)
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["utf-8-sig"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")  # HTML's historical default


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(text)


class _TextParser(HTMLParser):
    """Collects the visible text of an HTML page; scripts, styles and the like are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0
        self.preformatted = 0
        self.title: str | None = None
        self.heading: str | None = None
        self._capture: list[str] | None = None
        self._capture_tag: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in _DROPPED:
            self.dropping += 1
        elif tag in ("title", "h1") and self._capture is None and not self.dropping:
            self._capture, self._capture_tag = [], tag
        self._break(tag)
        if tag == "pre":
            self.preformatted += 1

    def handle_startendtag(self, tag, attrs):
        self._break(tag)

    def handle_endtag(self, tag):
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        if tag == self._capture_tag and self._capture is not None:
            found = " ".join("".join(self._capture).split()) or None
            if tag == "title":
                self.title = self.title or found
            else:
                self.heading = self.heading or found
            self._capture = self._capture_tag = None
        if tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
        if tag in _BLOCKS:
            self._break(tag)

    def handle_data(self, data):
        if self.dropping:
            return
        if self._capture is not None:
            self._capture.append(data)
        if self._capture_tag == "title":
            return  # the page title is metadata, not text of the document
        self.parts.append(data if self.preformatted else re.sub(r"\s+", " ", data))

    def _break(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag in _LINES:
            self.parts.append("\n")


def html_to_text(markup: str) -> tuple[str | None, str]:
    """(title, text) of an HTML page: visible text only, paragraphs separated by blank lines."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return parser.title or parser.heading, text


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair warnings are not the user's
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("the PDF is encrypted (save an unprotected copy and add that)")
        labels = list(reader.page_labels)
        texts = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError) as exc:
        raise InputError(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    text, pages = "", []
    for number, page_text in enumerate(texts):
        page_text = reflow(clean_text(page_text))
        if not page_text:
            continue
        if text:
            text += "\n\n"
        label = labels[number] if number < len(labels) and labels[number] else str(number + 1)
        pages.append((len(text), label))
        text += page_text
    return Extracted(text, "pdf", None, tuple(pages))
