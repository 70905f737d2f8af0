"""Synthetic archives of any size, made by recombining the shipped corpus's sentences.

A synthetic archive is a set of dated documents between senders and recipients, each made of
chunks of three to six corpus sentences drawn at random. It is held as small integer arrays
(a million chunks take ~30 MB), so the scale benchmark can build 10k, 100k and 1M chunk indexes
without keeping a million texts in memory; texts are cut on demand, and a small archive can be
written out as a real corpus folder (manifest.jsonl + source text) that ``assistant index`` reads.
The same seed always gives the same archive.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.chunk import split_sentences
from assistant.corpus import load_corpus

PEOPLE = ("Stalin", "Mao Zedong", "Zhou Enlai", "Molotov", "Liu Shaoqi", "Kovalev", "Mikoyan",
          "Vyshinsky", "Zhu De", "Gao Gang")
FIRST_DAY = np.datetime64("1949-01-01")
DAYS = 730  # two years of correspondence
SENTENCES_PER_CHUNK = (3, 6)
CHUNKS_PER_DOCUMENT = (1, 8)
# A sentence that ends as a sentence does (not a heading, salutation or signature).
_ENDS_A_SENTENCE = re.compile(r"[.!?]['\"\u2019\u201d)\]]*\d*$")


@dataclass(frozen=True)
class SyntheticArchive:
    """Documents and chunks as arrays; chunk i is ``sentences[chunk_sentences[i, :]]`` (−1 = none).

    Attributes:
        sentences: The pool of corpus sentences the chunks are made of.
        chunk_sentences: (chunks, 6) int32 sentence ids, padded with −1.
        chunk_document: (chunks,) int32 document of each chunk; documents are consecutive.
        document_dates: (documents,) datetime64[D].
        document_senders, document_recipients: (documents,) int8 indexes into ``PEOPLE``.
    """

    sentences: tuple[str, ...]
    chunk_sentences: np.ndarray
    chunk_document: np.ndarray
    document_dates: np.ndarray
    document_senders: np.ndarray
    document_recipients: np.ndarray

    @property
    def chunk_count(self) -> int:
        return len(self.chunk_document)

    @property
    def document_count(self) -> int:
        return len(self.document_dates)

    def chunk_text(self, i: int) -> str:
        return " ".join(self.sentences[s] for s in self.chunk_sentences[i] if s >= 0)

    def document(self, j: int) -> dict:
        """Document ``j`` as a corpus manifest record with its text."""
        first, last = np.searchsorted(self.chunk_document, [j, j + 1])
        sender, recipient = (PEOPLE[int(self.document_senders[j])],
                             PEOPLE[int(self.document_recipients[j])])
        date = str(self.document_dates[j])
        return {"id": f"syn-{j}", "title": f"Telegram of {sender} to {recipient}, {date}",
                "kind": "telegram", "sender": sender, "recipient": recipient, "date": date,
                "dates": [{"date": date, "what": "heading"}],
                "citation": {"publication": "Synthetic archive (benchmark)"},
                "text": "\n\n".join(self.chunk_text(i) for i in range(first, last))}

    def write_corpus(self, folder: Path, documents: int | None = None) -> Path:
        """Write the first ``documents`` documents as a corpus folder ``assistant index`` reads."""
        folder.mkdir(parents=True, exist_ok=True)
        source, lines, text = "synthetic.txt", [], ""
        for j in range(self.document_count if documents is None else documents):
            record = self.document(j)
            body = record.pop("text")
            text += "\n\n" if text else ""
            lines.append(json.dumps(record | {"source": source, "start": len(text),
                                              "end": len(text) + len(body)}))
            text += body
        (folder / source).write_text(text + "\n", encoding="utf-8")
        (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder


def corpus_sentences(corpus_dir: Path) -> tuple[str, ...]:
    """The sentences of a corpus of three words or more that end with a full stop, question or
    exclamation mark (single-line, deduplicated, in corpus order)."""
    seen: dict[str, None] = {}
    for document in load_corpus(corpus_dir):
        for sentence in split_sentences(document):
            text = " ".join(sentence.text.split())
            if _ENDS_A_SENTENCE.search(text) and len(text.split()) >= 3:
                seen.setdefault(text, None)
    return tuple(seen)


def generate(sentences: tuple[str, ...], chunks: int, seed: int = 0) -> SyntheticArchive:
    """Draw an archive of exactly ``chunks`` chunks from ``sentences``.

    Args:
        sentences: The pool (see :func:`corpus_sentences`).
        chunks: Number of chunks wanted.
        seed: The same seed gives the same archive.
    """
    if chunks < 1 or not sentences:
        raise ValueError("need at least one chunk and one sentence")
    rng = np.random.default_rng(seed)
    low, high = SENTENCES_PER_CHUNK
    lengths = rng.integers(low, high + 1, size=chunks)
    drawn = rng.integers(0, len(sentences), size=(chunks, high), dtype=np.int32)
    drawn[np.arange(high)[None, :] >= lengths[:, None]] = -1
    sizes = rng.integers(CHUNKS_PER_DOCUMENT[0], CHUNKS_PER_DOCUMENT[1] + 1,
                         size=chunks // CHUNKS_PER_DOCUMENT[0] + 1)
    ends = np.cumsum(sizes)
    documents = int(np.searchsorted(ends, chunks)) + 1
    chunk_document = np.repeat(np.arange(documents, dtype=np.int32), sizes[:documents])[:chunks]
    dates = FIRST_DAY + np.sort(rng.integers(0, DAYS, size=documents)).astype("timedelta64[D]")
    senders = rng.integers(0, len(PEOPLE), size=documents).astype(np.int8)
    # Anyone but the sender: shift by 1..len-1 around the circle of people.
    recipients = ((senders + rng.integers(1, len(PEOPLE), size=documents)) % len(PEOPLE))
    return SyntheticArchive(tuple(sentences), drawn, chunk_document, dates, senders,
                            recipients.astype(np.int8))
