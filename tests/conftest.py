"""Shared fixtures: a fake embedder, a tiny written corpus, and the real model and index."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import PROJECT_ROOT, Settings

SHIPPED_CORPUS = PROJECT_ROOT / "corpus"
EVAL_QUESTIONS = PROJECT_ROOT.parent / "shared" / "eval" / "questions.jsonl"

# The tiny corpus: four short documents in two source files, written here so every test knows the
# exact text. Each entry is (source file, manifest fields, text); the manifest offsets are computed.
LETTERS_FILE = "letters.txt"
CABLE_FILE = "cable.txt"
TINY_1 = ("No. 1\n"
          "Telegram of J.V. Stalin to Mao Zedong dated 10 January 1949\n"
          "\n"
          "Comrade Mao Zedong,\n"
          "\n"
          "On 9 January we received a note from the Nanjing Government. It proposes that the USSR "
          "mediate. Com. A.Y. Vishinsky will draft the answer.\n"
          "\n"
          "Filippov")
TINY_2 = ("No. 2\n"
          "Telegram of Mao Zedong to J.V. Stalin dated 13 January 1949\n"
          "\n"
          "Comrade Fillipov,\n"
          "\n"
          "I received your telegram dated 10th January. We demand the unconditional surrender of "
          "the Kuomintang. Mr. Fu will carry the reply to Peiping.\n"
          "\n"
          "Mao Zedong\n"
          "12 January 1949\n"
          "\n"
          "Click here to return to the index.")
TINY_NOTES = ("Notes\n"
              "\n"
              "1. For secrecy Stalin used the pseudonym Filippov.")
TINY_3 = ("January 14, 1949\n"
          "\n"
          "Cable, Stalin to Mao\n"
          "\n"
          "Your demand for surrender is correct. The delegation should wait until the spring.")
NAVIGATION = "Click here to return to the index."

TINY_DOCUMENTS = [
    (LETTERS_FILE, {"id": "tiny-1", "title": "No. 1: Telegram of Stalin to Mao, 10 January 1949",
                    "kind": "telegram", "sender": "Stalin", "recipient": "Mao Zedong",
                    "date": "1949-01-10", "dates": [{"date": "1949-01-10", "what": "heading"}],
                    "citation": {"publication": "Tiny Test Archive"}}, TINY_1),
    (LETTERS_FILE, {"id": "tiny-2", "title": "No. 2: Telegram of Mao to Stalin, 13 January 1949",
                    "kind": "telegram", "sender": "Mao Zedong", "recipient": "Stalin",
                    "date": "1949-01-13", "dates": [{"date": "1949-01-13", "what": "heading"},
                                                    {"date": "1949-01-12", "what": "signed"}],
                    "replies_to": ["tiny-1"], "citation": {"publication": "Tiny Test Archive"}},
     TINY_2),
    (LETTERS_FILE, {"id": "tiny-notes", "title": "Notes", "kind": "notes", "sender": "Editors"},
     TINY_NOTES),
    (CABLE_FILE, {"id": "tiny-3", "title": "Cable, Stalin to Mao", "kind": "cable",
                  "sender": "Stalin", "recipient": "Mao Zedong", "date": "1949-01-14",
                  "dates": [{"date": "1949-01-14", "what": "heading"}], "replies_to": ["tiny-2"],
                  "citation": {"publication": "Tiny Test Archive"}}, TINY_3),
]
# Text around the documents that belongs to none of them (page furniture of the source files).
SOURCE_HEADS = {LETTERS_FILE: "", CABLE_FILE: "\n\n\n"}
SOURCE_TAILS = {LETTERS_FILE: "\n", CABLE_FILE: "\n\nPage 1 of 1\n"}


class FakeEmbedder:
    """Deterministic bag-of-hashed-words embedder: same words, same vector; no model needed.

    Follows the ``assistant.embed.Embedder`` protocol; it also accepts ``show_progress`` so it can
    stand in for ``PackagedMiniLM`` inside the CLI.
    """

    name = "fake-hashed-words"
    dimension = 64

    def __init__(self, show_progress: bool = False) -> None:
        self.show_progress = show_progress

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                row[int.from_bytes(digest, "big") % self.dimension] += 1.0
            if not row.any():
                row[0] = 1.0  # an empty text still gets a unit vector
            row /= np.linalg.norm(row)
        return rows

    def count_pieces(self, text: str) -> int:
        return len(text.split())


def write_tiny_corpus(corpus_dir: Path) -> Path:
    """Write the tiny corpus (two source files and manifest.jsonl) into ``corpus_dir``."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    sources = dict(SOURCE_HEADS)
    lines = []
    for source, fields, text in TINY_DOCUMENTS:
        if sources[source] != SOURCE_HEADS[source]:
            sources[source] += "\n\n"  # a blank line between documents of one file
        start = len(sources[source])
        sources[source] += text
        lines.append(json.dumps({**fields, "source": source, "start": start,
                                 "end": start + len(text)}))
    for name, text in sources.items():
        (corpus_dir / name).write_text(text + SOURCE_TAILS[name], encoding="utf-8")
    (corpus_dir / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus_dir


def tree_digest(folder: Path) -> str:
    """SHA-256 over every file name and content under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@pytest.fixture(scope="session", autouse=True)
def _shipped_corpus_is_never_modified():
    """Tests add and remove documents in temporary corpora only: the shipped one stays as it is."""
    before = tree_digest(SHIPPED_CORPUS)
    yield
    assert tree_digest(SHIPPED_CORPUS) == before, "a test changed the shipped corpus/"


@pytest.fixture(autouse=True)
def _no_assistant_environment(monkeypatch):
    """Tests never see the developer's ASSISTANT_* variables."""
    import os

    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """Folder holding the tiny corpus."""
    return write_tiny_corpus(tmp_path / "corpus")


@pytest.fixture
def tiny_settings(tiny_corpus, tmp_path) -> Settings:
    """Settings pointing at the tiny corpus and an index folder that does not exist yet."""
    return Settings().replace(corpus_dir=tiny_corpus, index_dir=tmp_path / "index")


@pytest.fixture
def tiny_index(tiny_settings, fake_embedder):
    """The tiny corpus indexed with the fake embedder (written to ``tiny_settings.index_dir``)."""
    from assistant.index import build_index

    return build_index(tiny_settings, fake_embedder, progress=False)


@pytest.fixture(scope="session")
def real_model():
    """The packaged all-MiniLM-L6-v2, loaded once per session."""
    from assistant.embed import PackagedMiniLM

    model = PackagedMiniLM()
    model.model  # noqa: B018 - load now, so the first test that uses it is not charged for it
    return model


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    """The shipped corpus, with the index in a session temporary folder."""
    return Settings().replace(corpus_dir=SHIPPED_CORPUS,
                              index_dir=tmp_path_factory.mktemp("real") / "index")


@pytest.fixture(scope="session")
def real_index(real_settings, real_model):
    """The real index of the shipped corpus, built once per session."""
    from assistant.index import build_index

    return build_index(real_settings, real_model, progress=False)


@pytest.fixture(scope="session")
def real_assistant(real_settings, real_model, real_index):
    """An Assistant loaded from the real index on disk (exercises load_index too)."""
    import torch

    from assistant.service import Assistant

    # One-question batches: on a busy two-core machine torch's intra-op threads contend and a
    # single query takes ~0.35 s instead of ~0.02 s. Bulk encoding (the build above) keeps them.
    torch.set_num_threads(1)
    return Assistant.open(real_settings, real_model)
