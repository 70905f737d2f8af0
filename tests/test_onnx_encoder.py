"""Tests for assistant/onnx_encoder.py: the torch-free query encoder and its export."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from assistant import onnx_encoder
from assistant.embed import PackagedMiniLM
from assistant.errors import SettingsError
from assistant.index import build_index
from assistant.onnx_encoder import (
    ONNX_FILE,
    TOKENIZER_FILE,
    OnnxMiniLM,
    build_embedder,
    prepare_query_encoder,
    query_embedder,
)
from assistant.settings import Settings

TEXTS = [
    "What did Mao propose on 13 January?",
    "How did Stalin respond?",
    "Fu Zuoyi's troops in Peiping (Beijing) surrendered — 22 January 1949.",
    "Mao Zedong 毛泽东 and Zhou Enlai 周恩来",
    "Naïve façade; Kuomintang’s “peace” offer…",
    "",
    "a",
    "peace " * 400,  # far beyond 256 word pieces: both truncate the same way
]


def test_the_fake_embedder_gets_no_onnx_encoder(tiny_index, tiny_settings, fake_embedder):
    assert tiny_index.manifest["query_encoder"] is None
    assert not (tiny_settings.index_dir / ONNX_FILE).exists()
    assert prepare_query_encoder(fake_embedder, tiny_settings.index_dir, None) is None


def test_without_an_exported_encoder_questions_fall_back_to_sentence_transformers(tmp_path):
    assert isinstance(query_embedder(tmp_path / "nothing"), PackagedMiniLM)
    (tmp_path / "manifest.json").write_text(json.dumps({"query_encoder": {
        "model": PackagedMiniLM.name, "max_pieces": 256}}), encoding="utf-8")
    assert isinstance(query_embedder(tmp_path), PackagedMiniLM)  # recorded, but the file is gone
    (tmp_path / ONNX_FILE).write_bytes(b"")
    assert isinstance(query_embedder(tmp_path), OnnxMiniLM)
    (tmp_path / "manifest.json").write_text(json.dumps({"query_encoder": None}), encoding="utf-8")
    assert isinstance(query_embedder(tmp_path), PackagedMiniLM)


@pytest.mark.e2e
def test_onnx_and_sentence_transformers_vectors_agree(real_index, real_settings, real_model):
    onnx = OnnxMiniLM(real_settings.index_dir)
    assert (onnx.name, onnx.dimension) == (real_model.name, real_model.dimension)
    texts = TEXTS + [s.text for s in real_index.sentences[::5]] + [c.text for c in real_index.chunks[:8]]
    ours, theirs = onnx.encode(texts), real_model.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), 384) and ours.dtype == np.float32
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.9999, [texts[i][:60] for i in np.flatnonzero(cosines < 0.9999)]
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    one_by_one = np.vstack([onnx.encode([text]) for text in texts[:8]])
    assert np.allclose(one_by_one, ours[:8], atol=1e-5)
    assert [onnx.count_pieces(t) for t in texts] == [real_model.count_pieces(t) for t in texts]
    assert onnx.encode([]).shape == (0, 384)


@pytest.mark.e2e
def test_the_manifest_records_the_export(real_index, real_settings, real_model):
    entry = real_index.manifest["query_encoder"]
    assert entry["file"] == ONNX_FILE and entry["tokenizer"] == TOKENIZER_FILE
    assert entry["model"] == real_model.name
    assert (entry["max_pieces"], entry["pooling"], entry["normalized"]) == (256, "mean", True)
    assert entry["exporter"].startswith("torch.onnx.export(dynamo=True), torch 2.13.0")
    size, sha = entry["weights"].split(":")
    assert int(size) > 80_000_000 and len(sha) == 64
    # Both files are covered by the integrity check of the index.
    assert {ONNX_FILE, TOKENIZER_FILE} <= set(real_index.manifest["files"])
    assert isinstance(query_embedder(real_settings.index_dir), OnnxMiniLM)


@pytest.mark.e2e
def test_a_rebuild_reuses_the_export(real_index, real_settings, real_model, tmp_path, monkeypatch):
    def no_export(model, path):
        raise AssertionError("the model was exported again")

    monkeypatch.setattr(onnx_encoder, "export_query_encoder", no_export)
    staging = tmp_path / "staging"
    staging.mkdir()
    entry = prepare_query_encoder(real_model, staging, real_settings.index_dir)
    assert entry == real_index.manifest["query_encoder"]
    for name in (ONNX_FILE, TOKENIZER_FILE):
        assert os.path.samefile(staging / name, real_settings.index_dir / name)  # linked


@pytest.mark.e2e
def test_a_damaged_export_is_not_reused(real_settings, real_model, tmp_path, monkeypatch):
    previous = tmp_path / "previous"
    previous.mkdir()
    manifest = json.loads((real_settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][ONNX_FILE] = "1:" + "0" * 64  # what the file was when the index was built
    (previous / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in (ONNX_FILE, TOKENIZER_FILE):
        os.link(real_settings.index_dir / name, previous / name)

    def stub_export(model, path):
        path.write_bytes(b"exported anew")
        return "stub exporter"

    monkeypatch.setattr(onnx_encoder, "export_query_encoder", stub_export)
    staging = tmp_path / "staging"
    staging.mkdir()
    entry = prepare_query_encoder(real_model, staging, previous)
    assert entry["exporter"] == "stub exporter"
    assert (staging / ONNX_FILE).read_bytes() == b"exported anew"
    assert (staging / TOKENIZER_FILE).read_bytes() == (previous / TOKENIZER_FILE).read_bytes()


@pytest.mark.e2e
def test_a_failed_export_leaves_a_working_index_without_it(real_model, tmp_path, monkeypatch):
    def broken_export(model, path):
        path.write_bytes(b"half a file")
        raise RuntimeError("onnxscript is not installed")

    monkeypatch.setattr(onnx_encoder, "export_query_encoder", broken_export)
    messages = []
    assert prepare_query_encoder(real_model, tmp_path, None, messages.append) is None
    assert not (tmp_path / ONNX_FILE).exists()
    assert messages[-1] == ("warning: no ONNX query encoder (RuntimeError: onnxscript is not "
                            "installed); questions will load sentence-transformers instead "
                            "(slower start)")


def test_without_an_export_the_build_uses_the_fallback(tiny_index, tiny_settings, fake_embedder):
    assert build_embedder(tiny_settings, lambda: fake_embedder) is fake_embedder
    assert build_embedder(tiny_settings.replace(index_dir=tiny_settings.index_dir / "none"),
                          lambda: fake_embedder) is fake_embedder
    with pytest.raises(SettingsError, match="build_embedder must be auto or sentence-transformers"):
        Settings(build_embedder="onnx")


@pytest.mark.e2e
def test_a_rebuild_embeds_with_the_export_and_gives_the_same_index(real_index, real_settings,
                                                                  real_model, tmp_path):
    def torch_model():
        return real_model

    assert build_embedder(real_settings.replace(build_embedder="sentence-transformers"),
                          torch_model) is real_model
    embedder = build_embedder(real_settings, torch_model)
    assert isinstance(embedder, OnnxMiniLM) and embedder.folder == real_settings.index_dir
    assert embedder.threads == (os.cpu_count() or 1)
    rebuilt = build_index(real_settings.replace(index_dir=tmp_path / "index"), embedder,
                          progress=False)
    assert rebuilt.chunks == real_index.chunks and rebuilt.sentences == real_index.sentences
    assert rebuilt.manifest["model"] == real_index.manifest["model"]
    assert rebuilt.manifest["query_encoder"] == real_index.manifest["query_encoder"]
    vector_files = ("dense.faiss", "chunks.npy", "sentences.npy")  # equal to within float bits
    assert rebuilt.manifest["files"] == real_index.manifest["files"] | {
        name: rebuilt.manifest["files"][name] for name in vector_files}
    cosines = np.sum(rebuilt.sentence_vectors * real_index.sentence_vectors, axis=1)
    assert cosines.min() >= 0.9999
    assert os.path.samefile(tmp_path / "index" / ONNX_FILE, real_settings.index_dir / ONNX_FILE)


def test_index_if_stale_rebuilds_an_index_from_before_the_export(tiny_settings, monkeypatch, capsys):
    from conftest import FakeEmbedder

    import assistant.embed
    from assistant.cli import main

    monkeypatch.setattr(assistant.embed, "PackagedMiniLM", FakeEmbedder)
    paths = ["--corpus", str(tiny_settings.corpus_dir), "--index", str(tiny_settings.index_dir)]
    assert main([*paths, "index", "--quiet"]) == 0
    manifest_path = tiny_settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["query_encoder"]  # as written before the query encoder existed
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    assert main([*paths, "index", "--if-stale"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "Building the index: the index has no ONNX query encoder yet")
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["query_encoder"] is None
    assert main([*paths, "index", "--if-stale"]) == 0
    assert capsys.readouterr().err == f"Index at {tiny_settings.index_dir} is up to date.\n"


@pytest.mark.e2e
def test_adding_a_document_embeds_with_the_export_and_keeps_it(real_index, real_settings, tmp_path):
    from assistant.library import add_documents

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(real_settings.corpus_dir, corpus)
    shutil.copytree(real_settings.index_dir, index, copy_function=os.link)  # the same index
    settings = real_settings.replace(corpus_dir=corpus, index_dir=index)
    letter = tmp_path / "letter.txt"
    letter.write_text("---\ntitle: A test letter\nsender: Kovalev\ndate: 1949-01-20\n---\n"
                      "Comrade Filippov, the delegation arrived in Moscow on the twentieth.\n",
                      encoding="utf-8")
    embedder = build_embedder(settings, lambda: pytest.fail("torch model loaded"))
    assert isinstance(embedder, OnnxMiniLM)
    change = add_documents(settings, [letter], embedder)
    assert not change.skipped
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents"] == real_index.manifest["counts"]["documents"] + 1
    assert manifest["query_encoder"] == real_index.manifest["query_encoder"]
    assert os.path.samefile(index / ONNX_FILE, real_settings.index_dir / ONNX_FILE)
    assert isinstance(query_embedder(index), OnnxMiniLM)
