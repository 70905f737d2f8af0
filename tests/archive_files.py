"""A small archive of letters in every supported format, written by the tests (with known answers).

The letters are invented for the tests: a curator in Moscow and a colleague in Leningrad prepare
an exhibition in 1951. Each format carries its metadata its own way; one PDF is broken, one text
file is empty, one is a copy of another and one file is of a type the assistant does not read.
"""
from __future__ import annotations

from pathlib import Path

PETROVA_TEXT = (
    "Moscow, 2 March 1951\n"
    "\n"
    "Dear Ivan Sergeyevich,\n"
    "\n"
    "The exhibition of Chinese porcelain will open in the Hermitage on 15 April. We have\n"
    "received forty-two vases from the Shanghai museum, and the customs office in Moscow\n"
    "released them without duties.\n"
    "\n"
    "Anna Petrova\n")
PETROVA_META = (
    "title: Letter of Anna Petrova to Ivan Sokolov\n"
    "sender: Anna Petrova\n"
    "recipient: Ivan Sokolov\n"
    "date: 1951-03-02\n"
    "source: Exhibition Papers, Box 3\n"
    "translator: M. Kuznetsova\n")
# The exhibition sentence as it is stored: the hard-wrapped lines joined into one.
PETROVA_FACT = "The exhibition of Chinese porcelain will open in the Hermitage on 15 April."

SOKOLOV_MD = (
    "---\n"
    "title: Reply of Ivan Sokolov to Anna Petrova\n"
    "from: Ivan Sokolov\n"
    "to: Anna Petrova\n"
    "date: 9 March 1951\n"
    "reply-to: petrova-1951-03-02\n"
    "---\n"
    "# Leningrad, 9 March 1951\n"
    "\n"
    "Dear Anna Nikolayevna,\n"
    "\n"
    "The *lacquer screens* cannot travel before May: the restorers\n"
    "need six more weeks for the gilding.\n"
    "\n"
    "- the screens go by rail\n"
    "- the scrolls go by air\n")
SOKOLOV_FACT = ("The lacquer screens cannot travel before May: the restorers need six more weeks "
                "for the gilding.")

CATALOGUE_HTML = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Catalogue note</title>"
    "<style>p { color: red } .exfiltrate { display: none }</style>"
    "<script>var secret = \"EXFILTRATE the catalogue\"; document.write('<p>injected</p>');</script>"
    "</head><body><nav>Home | Catalogue | Contact</nav>"
    "<h1>Catalogue note</h1>"
    "<p>Leningrad, 10 April 1951</p>"
    "<p>The printed catalogue lists 318 objects; the <b>Ming</b> dynasty vase on its cover\n"
    "was photographed by Boris Ignatov.</p>"
    "<!-- EXFILTRATE in a comment -->"
    "<p>Caf&eacute; visitors may buy it for 12 roubles &amp; 50 kopecks.</p>"
    "</body></html>")
CATALOGUE_SIDECAR = '{"sender": "Hermitage Press Office", "kind": "note"}'
CATALOGUE_FACT = ("The printed catalogue lists 318 objects; the Ming dynasty vase on its cover was "
                  "photographed by Boris Ignatov.")

INVENTORY_PAGES = [
    ["Irkutsk, 20 March 1951",
     "Inventory of the shipment from Shanghai to Moscow",
     "Forty-two vases and nine scrolls were packed in eleven crates before the",
     "train left Shanghai."],
    ["The crate of celadon bowls was damaged at Irkutsk when the wagon was shunted.",
     "Two bowls are broken; the others are sound."],
]
INVENTORY_FACT = "The crate of celadon bowls was damaged at Irkutsk when the wagon was shunted."

BROKEN_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nthe rest is lost"


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per string, one page per list of strings."""
    objects: list[bytes] = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % (len(objects)))
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                  + b"] /Count %d >>" % len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def write_archive(folder: Path) -> Path:
    """Write the archive into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "petrova-1951-03-02.txt").write_text(PETROVA_TEXT, encoding="utf-8")
    (folder / "petrova-1951-03-02.meta.yaml").write_text(PETROVA_META, encoding="utf-8")
    (folder / "petrova-copy.txt").write_text(PETROVA_TEXT.replace("\n", "\r\n"), encoding="utf-8")
    (folder / "sokolov-reply.md").write_text(SOKOLOV_MD, encoding="utf-8")
    (folder / "catalogue-note.html").write_text(CATALOGUE_HTML, encoding="utf-8")
    (folder / "catalogue-note.html.meta.json").write_text(CATALOGUE_SIDECAR, encoding="utf-8")
    (folder / "inventory.pdf").write_bytes(pdf_bytes(INVENTORY_PAGES))
    (folder / "broken.pdf").write_bytes(BROKEN_PDF)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    return folder
