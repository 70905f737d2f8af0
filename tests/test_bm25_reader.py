"""Tests for assistant/bm25_reader.py: bm25s's saved index, scored without bm25s."""
from __future__ import annotations

import json
import subprocess
import sys

import bm25s
import numpy as np

from assistant.bm25_reader import BM25Reader
from assistant.lexical import words

QUESTIONS = ["surrender", "What did Mao propose on 13 January?", "mediate mediate the USSR",
             "Fu will carry the reply to Peiping", "Nanjing Government note"]


def test_scores_are_bm25s_scores_bit_for_bit(tiny_index, tiny_settings):
    reader = BM25Reader.load(tiny_settings.index_dir / "bm25")
    saved = bm25s.BM25.load(str(tiny_settings.index_dir / "bm25"), show_progress=False)
    assert reader.vocab_dict == saved.vocab_dict and reader.num_docs == 4
    for question in QUESTIONS:
        tokens = [t for t in words(question) if t in reader.vocab_dict]
        got = reader.get_scores(tokens)
        assert got.dtype == np.float32 and got.shape == (4,)
        assert np.array_equal(got, np.asarray(saved.get_scores(tokens))), question
        assert np.array_equal(got, np.asarray(tiny_index.bm25.get_scores(tokens))), question


def test_no_tokens_score_zero_and_an_unknown_token_is_refused(tiny_index, tiny_settings):
    reader = BM25Reader.load(tiny_settings.index_dir / "bm25")
    assert reader.get_scores([]).tolist() == [0.0, 0.0, 0.0, 0.0]
    try:
        reader.get_scores(["zzz-not-a-word"])
    except KeyError as exc:
        assert exc.args == ("zzz-not-a-word",)
    else:
        raise AssertionError("an unknown token was scored")


def test_load_index_reads_bm25_without_importing_scipy(tiny_index, tiny_settings):
    code = ("import sys; from assistant.index import load_index; "
            f"index = load_index(__import__('assistant.settings').settings.Settings("
            f"corpus_dir={str(tiny_settings.corpus_dir)!r}, index_dir={str(tiny_settings.index_dir)!r}),"
            " 'fake-hashed-words'); "
            "print(type(index.bm25).__name__, sorted({m.split('.')[0] for m in sys.modules} "
            "& {'scipy', 'bm25s'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "BM25Reader []", done.stderr


def test_other_bm25_methods_load_with_bm25s(tiny_settings, tmp_path):
    model = bm25s.BM25(method="bm25+")
    model.index([["peace", "talks"], ["war"], ["peace"]], show_progress=False)
    model.save(str(tmp_path / "bm25"), show_progress=False)
    assert json.loads((tmp_path / "bm25" / "params.index.json").read_text())["method"] == "bm25+"
    loaded = BM25Reader.load(tmp_path / "bm25")
    assert isinstance(loaded, bm25s.BM25)
