"""Errors a user can act on: each message says what went wrong and what to do."""
from __future__ import annotations


class AssistantError(Exception):
    """Base class: the CLI prints the message on one line and exits 1."""


class CorpusError(AssistantError):
    """The corpus manifest or a source file is missing or inconsistent."""


class IndexMissingError(AssistantError):
    """No index has been built yet."""


class StaleIndexError(AssistantError):
    """The index on disk was built from another corpus, model or settings."""


class SettingsError(AssistantError):
    """A setting (from the environment or a flag) is unknown or invalid."""


class InputError(AssistantError):
    """A question or input file the assistant cannot use."""


REBUILD_HINT = "rebuild it with `python -m assistant index` (or `make run`, which rebuilds it)"
