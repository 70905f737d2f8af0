"""One settings object for the whole assistant; overrides come from ASSISTANT_* variables or flags."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "ASSISTANT_"
# Short spellings accepted for the two most used variables.
ENV_ALIASES = {"corpus": "corpus_dir", "index": "index_dir"}
# Ceilings of the limits: above them a question, an answer or a conversation costs more memory
# and time than one user should be able to ask of a shared server.
UPPER_LIMITS = {"max_question_chars": 20_000, "max_history_turns": 200, "max_quotes": 20,
                "retrieve_k": 500, "queue_concurrency": 64, "queue_max_size": 10_000,
                "max_sessions": 100_000, "port": 65_535, "max_document_mb": 1_000}


@dataclass(frozen=True)
class Settings:
    """Every tunable of the assistant, validated on creation.

    Attributes:
        corpus_dir: Folder holding ``manifest.jsonl`` and the source texts.
        index_dir: Folder the index is written to and read from.
        chunk_tokens: Upper bound of a chunk in cl100k_base tokens.
        chunk_overlap_tokens: Sentences from the end of a chunk, up to this many tokens,
            are repeated at the start of the next one.
        max_word_pieces: What the embedding model reads; no chunk may exceed it.
        retrieve_k: How many chunks each retriever returns before fusion.
        rrf_k: The constant of reciprocal rank fusion.
        max_quotes: Most quotes in one answer.
        quote_max_words: A quote grows by neighbouring sentences only while it stays under this.
        abstain_below: Evidence score under which the assistant says the documents do not answer
            (calibrated: see assistant/abstain.py and scripts/calibrate_abstention.py).
        coverage_floor: Share of a question's topic words the archive must use for a weakly
            supported answer to stand.
        max_question_chars: Longest question accepted (at most 20,000); a longer one is refused
            with a message naming the limit.
        max_history_turns: Earlier turns kept to resolve follow-up questions (at most 200); once a
            conversation is that long, each answer carries a note saying older turns are not used.
        host: Address the web UI listens on. Loopback (127.0.0.1) unless set otherwise on
            purpose with ``ASSISTANT_HOST``; any other address prints a warning at start.
        port: Port of the web UI.
        queue_concurrency: Questions the web UI answers at the same time; the others wait in
            the queue. Answering is CPU-bound, so more than the machine's cores only adds
            contention.
        queue_max_size: Questions that may wait in the web UI's queue; one more is refused with
            "the queue is full" instead of waiting without end.
        max_sessions: Chat sessions whose conversation the web UI keeps in memory (Gradio keeps
            each one, with a copy of the page's configuration, until this many exist); beyond it
            the least recently used session is forgotten and its next follow-up is read as a
            new question.
        auth_user: User name of the web UI's login; empty means no login. Set it with
            ``ASSISTANT_AUTH_USER`` together with ``auth_password``.
        auth_password: Password of the web UI's login (``ASSISTANT_AUTH_PASSWORD``; never
            shown in ``repr``).
        max_document_mb: Largest document file ``add`` and the web UI's upload accept, in
            megabytes (at most 1,000); a larger file is skipped with a message naming the limit.
        dense_exact_below: Indexes of fewer chunks than this are searched exactly
            (``IndexFlatIP``); larger ones use ``dense_structure`` (see ``assistant/dense.py``).
        dense_structure: Approximate FAISS structure for large indexes: ``ivf-sq8`` or ``hnsw-sq8``.
        dense_nprobe: IVF cells scanned per query (``ivf-sq8``); more is slower and more exact.
        dense_ef_search: Candidates kept per query in the HNSW graph (``hnsw-sq8``).
        dense_hnsw_m: Links per node of the HNSW graph (``hnsw-sq8``).
        build_embedder: ``auto``: a rebuild embeds with the index's ONNX export of the model when
            it can be reused (same vectors, no torch import); ``sentence-transformers``: always
            the torch model.
    """

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    chunk_tokens: int = 160
    chunk_overlap_tokens: int = 40
    max_word_pieces: int = 256
    retrieve_k: int = 20
    rrf_k: int = 60
    max_quotes: int = 5
    quote_max_words: int = 60
    abstain_below: float = 0.45
    coverage_floor: float = 0.4
    max_question_chars: int = 2000
    max_history_turns: int = 20
    host: str = "127.0.0.1"
    port: int = 7860
    queue_concurrency: int = 2
    queue_max_size: int = 100
    max_sessions: int = 1000
    auth_user: str = ""
    auth_password: str = field(default="", repr=False)
    max_document_mb: int = 20
    dense_exact_below: int = 50_000
    dense_structure: str = "ivf-sq8"
    dense_nprobe: int = 64
    dense_ef_search: int = 128
    dense_hnsw_m: int = 32
    build_embedder: str = "auto"

    def __post_init__(self) -> None:
        for name in ("chunk_tokens", "max_word_pieces", "retrieve_k", "rrf_k", "max_quotes",
                     "quote_max_words", "max_question_chars", "max_history_turns",
                     "queue_concurrency", "queue_max_size", "max_sessions", "port",
                     "max_document_mb",
                     "dense_exact_below", "dense_nprobe", "dense_ef_search", "dense_hnsw_m"):
            if getattr(self, name) < 1:
                raise SettingsError(f"setting {name} must be at least 1, got {getattr(self, name)}")
        for name, most in UPPER_LIMITS.items():
            if getattr(self, name) > most:
                raise SettingsError(f"setting {name} must be at most {most}, "
                                    f"got {getattr(self, name)}")
        if not 0 <= self.chunk_overlap_tokens < self.chunk_tokens:
            raise SettingsError("setting chunk_overlap_tokens must be >= 0 and below chunk_tokens")
        if not self.host.strip() or any(ch.isspace() for ch in self.host):
            raise SettingsError(f"setting host must be an address such as 127.0.0.1, got {self.host!r}")
        if bool(self.auth_user) != bool(self.auth_password):
            raise SettingsError("set both ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD for a "
                                "login, or neither")
        if self.dense_structure not in ("ivf-sq8", "hnsw-sq8"):
            raise SettingsError(f"setting dense_structure must be ivf-sq8 or hnsw-sq8, "
                                f"got {self.dense_structure!r}")
        if self.build_embedder not in ("auto", "sentence-transformers"):
            raise SettingsError("setting build_embedder must be auto or sentence-transformers, "
                                f"got {self.build_embedder!r}")

    def replace(self, **changes) -> Settings:
        """Return a copy with ``changes`` applied (unknown names raise SettingsError)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **{k: _coerce(self, k, v) for k, v in changes.items()})

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides) -> Settings:
        """Build settings from ``ASSISTANT_*`` variables, then explicit overrides.

        Args:
            environ: Usually ``os.environ``; only keys starting with ``ASSISTANT_`` are read.
            **overrides: Values from command-line flags; ``None`` means "not given".

        Raises:
            SettingsError: for an unknown ``ASSISTANT_*`` variable or a bad value.
        """
        known = {f.name for f in fields(cls)}
        from_env = {}
        for key, value in environ.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX):].lower()
            name = ENV_ALIASES.get(name, name)
            if name not in known:
                raise SettingsError(f"unknown environment variable {key}; known: "
                                    + ", ".join(ENV_PREFIX + n.upper() for n in sorted(known)))
            from_env[name] = value
        from_env.update({k: v for k, v in overrides.items() if v is not None})
        return cls().replace(**from_env)


def _coerce(settings: Settings, name: str, value):
    kind = type(getattr(settings, name))
    if isinstance(value, kind):
        return value
    try:
        if issubclass(kind, Path):
            return Path(value).expanduser()
        return kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name} expects {kind.__name__}, got {value!r}") from None
