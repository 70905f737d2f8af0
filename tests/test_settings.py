"""Tests for assistant/settings.py: ASSISTANT_* overrides, aliases, validation."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import SettingsError
from assistant.settings import PROJECT_ROOT, Settings


def test_defaults_point_at_the_project():
    settings = Settings()
    assert settings.corpus_dir == PROJECT_ROOT / "corpus"
    assert settings.index_dir == PROJECT_ROOT / "index"
    assert settings.host == "127.0.0.1"


def test_environment_overrides_are_typed():
    settings = Settings.from_env({"ASSISTANT_MAX_QUOTES": "3", "ASSISTANT_ABSTAIN_BELOW": "0.5",
                                  "ASSISTANT_INDEX_DIR": "/tmp/idx"})
    assert settings.max_quotes == 3 and isinstance(settings.max_quotes, int)
    assert settings.abstain_below == 0.5
    assert settings.index_dir == Path("/tmp/idx")


def test_short_aliases_for_corpus_and_index():
    settings = Settings.from_env({"ASSISTANT_CORPUS": "/x", "ASSISTANT_INDEX": "/y"})
    assert settings.corpus_dir == Path("/x")
    assert settings.index_dir == Path("/y")


def test_other_variables_are_ignored_and_flags_win_over_environment():
    environ = {"HOME": "/root", "ASSISTANT_CORPUS": "/from-env", "ASSISTANT_MAX_QUOTES": "2"}
    settings = Settings.from_env(environ, corpus_dir=Path("/from-flag"), index_dir=None)
    assert settings.corpus_dir == Path("/from-flag")
    assert settings.index_dir == PROJECT_ROOT / "index"  # None means the flag was not given
    assert settings.max_quotes == 2


def test_unknown_variable_is_rejected_with_the_known_ones():
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"ASSISTANT_FOO": "1"})
    message = str(err.value)
    assert message.startswith("unknown environment variable ASSISTANT_FOO; known: "
                              "ASSISTANT_ABSTAIN_BELOW, ASSISTANT_AUTH_PASSWORD, ")
    assert "ASSISTANT_MAX_QUOTES" in message and "ASSISTANT_CORPUS_DIR" in message


@pytest.mark.parametrize("environ,message", [
    ({"ASSISTANT_MAX_QUOTES": "three"}, "setting max_quotes expects int, got 'three'"),
    ({"ASSISTANT_MAX_QUOTES": "0"}, "setting max_quotes must be at least 1, got 0"),
    ({"ASSISTANT_RETRIEVE_K": "-5"}, "setting retrieve_k must be at least 1, got -5"),
    ({"ASSISTANT_ABSTAIN_BELOW": "high"}, "setting abstain_below expects float, got 'high'"),
    ({"ASSISTANT_PORT": "80.5"}, "setting port expects int, got '80.5'"),
    ({"ASSISTANT_CHUNK_OVERLAP_TOKENS": "160"},
     "setting chunk_overlap_tokens must be >= 0 and below chunk_tokens"),
    ({"ASSISTANT_CHUNK_OVERLAP_TOKENS": "-1"},
     "setting chunk_overlap_tokens must be >= 0 and below chunk_tokens"),
])
def test_bad_values_are_rejected(environ, message):
    with pytest.raises(SettingsError) as err:
        Settings.from_env(environ)
    assert str(err.value) == message


def test_replace_validates_and_rejects_unknown_names():
    assert Settings().replace(max_quotes="4").max_quotes == 4
    with pytest.raises(SettingsError) as err:
        Settings().replace(max_qoutes=4, colour="red")
    assert str(err.value) == "unknown setting(s): colour, max_qoutes"
    with pytest.raises(SettingsError):
        Settings(chunk_tokens=0)


def test_settings_are_frozen():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().max_quotes = 9  # type: ignore[misc]


@pytest.mark.parametrize("environ,message", [
    ({"ASSISTANT_MAX_QUESTION_CHARS": "100000"},
     "setting max_question_chars must be at most 20000, got 100000"),
    ({"ASSISTANT_MAX_HISTORY_TURNS": "1000"},
     "setting max_history_turns must be at most 200, got 1000"),
    ({"ASSISTANT_MAX_QUOTES": "21"}, "setting max_quotes must be at most 20, got 21"),
    ({"ASSISTANT_QUEUE_CONCURRENCY": "0"}, "setting queue_concurrency must be at least 1, got 0"),
    ({"ASSISTANT_QUEUE_MAX_SIZE": "100000"},
     "setting queue_max_size must be at most 10000, got 100000"),
    ({"ASSISTANT_MAX_SESSIONS": "0"}, "setting max_sessions must be at least 1, got 0"),
    ({"ASSISTANT_PORT": "0"}, "setting port must be at least 1, got 0"),
    ({"ASSISTANT_PORT": "65536"}, "setting port must be at most 65535, got 65536"),
    ({"ASSISTANT_HOST": ""}, "setting host must be an address such as 127.0.0.1, got ''"),
    ({"ASSISTANT_HOST": "0.0.0.0 --share"},
     "setting host must be an address such as 127.0.0.1, got '0.0.0.0 --share'"),
    ({"ASSISTANT_AUTH_USER": "archivist"},
     "set both ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD for a login, or neither"),
    ({"ASSISTANT_AUTH_PASSWORD": "s3cret"},
     "set both ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD for a login, or neither"),
])
def test_limits_and_serving_settings_are_validated(environ, message):
    with pytest.raises(SettingsError) as err:
        Settings.from_env(environ)
    assert str(err.value) == message
    assert "s3cret" not in str(err.value)


def test_serving_defaults_and_login_from_the_environment():
    settings = Settings()
    assert (settings.queue_concurrency, settings.queue_max_size, settings.max_sessions) == (
        2, 100, 1000)
    assert (settings.auth_user, settings.auth_password) == ("", "")
    login = Settings.from_env({"ASSISTANT_AUTH_USER": "archivist",
                               "ASSISTANT_AUTH_PASSWORD": "s3cret"})
    assert (login.auth_user, login.auth_password) == ("archivist", "s3cret")
    assert "s3cret" not in repr(login) and "archivist" in repr(login)


@pytest.mark.parametrize("value,message", [
    ("0", "setting max_document_mb must be at least 1, got 0"),
    ("1001", "setting max_document_mb must be at most 1000, got 1001"),
    ("big", "setting max_document_mb expects int, got 'big'"),
])
def test_the_document_size_limit_is_validated(value, message):
    assert Settings().max_document_mb == 20
    assert Settings.from_env({"ASSISTANT_MAX_DOCUMENT_MB": "5"}).max_document_mb == 5
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"ASSISTANT_MAX_DOCUMENT_MB": value})
    assert str(err.value) == message
