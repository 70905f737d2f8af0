"""One settings object for the whole assistant; overrides come from ASSISTANT_* variables or flags."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "ASSISTANT_"
# Short spellings accepted for the two most used variables.
ENV_ALIASES = {"corpus": "corpus_dir", "index": "index_dir"}


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
        max_question_chars: Longest question accepted.
        max_history_turns: Earlier turns kept to resolve follow-up questions.
        host: Address the web UI listens on (loopback unless set otherwise on purpose).
        port: Port of the web UI.
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

    def __post_init__(self) -> None:
        for name in ("chunk_tokens", "max_word_pieces", "retrieve_k", "rrf_k", "max_quotes",
                     "quote_max_words", "max_question_chars", "max_history_turns"):
            if getattr(self, name) < 1:
                raise SettingsError(f"setting {name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.chunk_overlap_tokens < self.chunk_tokens:
            raise SettingsError("setting chunk_overlap_tokens must be >= 0 and below chunk_tokens")

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
