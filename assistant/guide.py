"""Help for newcomers: the "About this archive" text and the Who's who & glossary built from the corpus."""
from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from .cite import document_label
from .glossary import Entry
from .records import Document

# Section headings of the glossary, in display order, by glossary ``kind``.
KIND_HEADINGS = {"person": "People", "organisation": "Parties, governments and institutions",
                 "place": "Places", "event": "Campaigns and events", "term": "Terms"}

ABOUT_MARKDOWN = """\
### About this archive

In January 1949 the Chinese civil war was all but won by the Communists led by **Mao Zedong**.
The Nationalist (Kuomintang) government in Nanjing asked the great powers, the Soviet Union
among them, to mediate peace talks. In a week of secret telegrams **Stalin** (signing as
"Filippov") and Mao worked out how to answer: whether to accept talks, on what terms, and who
should be seen to refuse them.

This reading room holds {count} documents: the telegrams of 10–18 January 1949 with two
introductions and editorial notes, as translated and published by *Revolutionary Democracy*
(September 1997), and Mao's cable of 10 January 1949 from the *Wilson Center Digital Archive*.

**How answers work.** Every answer is made only of **verbatim quotes** from these documents, each
with its source. The assistant writes no history of its own; if the documents do not answer a
question it says so. Choose a quote to read it highlighted in its document, with who wrote it to
whom and when. The *Who's who & glossary* tab explains names and spellings (Stalin's pseudonym,
old place names, parties).

**Tips.** Ask about one thing at a time; follow-up questions ("How did Stalin respond?") are read
against the conversation. Use the filters to search only some dates, writers or documents.
"""


def about_markdown(documents: Mapping[str, Document]) -> str:
    """The About text with the archive's document count filled in."""
    return ABOUT_MARKDOWN.format(count=len(documents))


def entry_matches(entry: Entry, search: str) -> bool:
    """Whether ``search`` (any case) occurs in the entry's name, aliases or explanation."""
    needle = search.strip().casefold()
    return not needle or any(needle in text.casefold() for text in (*entry.names, entry.about))


def glossary_html(entries: Iterable[Entry], search: str = "") -> str:
    """The Who's who & glossary: entries grouped by kind, each with its other names.

    Args:
        entries: Glossary entries (``assistant.glossary.load_glossary``).
        search: Only entries mentioning this text are shown (blank: all).
    """
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry_matches(entry, search):
            groups.setdefault(entry.kind, []).append(entry)
    if not groups:
        return (f'<p class="glossary-empty">Nothing in the glossary mentions '
                f"\u201c{html.escape(search.strip())}\u201d.</p>")
    kinds = [k for k in KIND_HEADINGS if k in groups] + sorted(set(groups) - set(KIND_HEADINGS))
    parts = []
    for kind in kinds:
        items = []
        for entry in groups[kind]:
            aliases = (f'<span class="aliases">also written: '
                       f'{", ".join(html.escape(a) for a in entry.aliases)}</span>'
                       if entry.aliases else "")
            items.append(f"<dt>{html.escape(entry.name)} {aliases}</dt>"
                         f"<dd>{html.escape(entry.about)}</dd>")
        heading = KIND_HEADINGS.get(kind, kind.capitalize())
        parts.append(f'<section class="glossary-group" aria-label="{html.escape(heading)}">'
                     f"<h3>{html.escape(heading)}</h3><dl>{''.join(items)}</dl></section>")
    return f'<div class="glossary">{"".join(parts)}</div>'


def document_choices(documents: Mapping[str, Document]) -> list[tuple[str, str]]:
    """(label, id) for a menu of all documents: dated ones by date, then the undated ones."""
    ordered = sorted(documents.values(), key=lambda d: (d.date is None, d.date or "", d.id))
    return [(document_label(d), d.id) for d in ordered]
