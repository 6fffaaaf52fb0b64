"""Settings as a user writes them: empty values, values in the wrong place, relative folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.config import load_settings
from index.embedding import Embedder
from index.errors import BadSettings, MarginaliaError

TOKEN_LIKE = "MTA1NjQ4OTU2NzQ2MjE0NDA3Mg.GhJk3a.abcdefghijklmnopqrstuvwxyz0123456789AB"


def dotenv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_empty_value_in_dotenv_means_the_default(tmp_path: Path) -> None:
    settings = load_settings(_env_file=dotenv(tmp_path, "SOURCES_DIR=\nEMBEDDING_BATCH_SIZE=\nDATABASE_PATH=\n"),
                             project_dir=tmp_path)
    assert settings.sources_path == tmp_path / "sources"  # not the current folder
    assert settings.embedding_batch_size == 32
    assert settings.database_file == tmp_path / ".marginalia" / "marginalia.sqlite3"


def test_an_empty_value_in_the_environment_still_wins_over_dotenv(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = dotenv(tmp_path, "CHROMA_HOST=chroma.example\nDISCORD_GUILD_IDS=123,456\n")
    assert load_settings(_env_file=env_file).uses_chroma_server
    monkeypatch.setenv("CHROMA_HOST", "")
    monkeypatch.setenv("DISCORD_GUILD_IDS", "")
    settings = load_settings(_env_file=env_file)
    assert not settings.uses_chroma_server and settings.discord_guild_ids == []


def test_every_unusable_setting_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_CITATIONS", "12")
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    monkeypatch.setenv("DISCORD_GUILD_IDS", "12, general")
    with pytest.raises(BadSettings) as raised:
        load_settings(_env_file=None)
    message = str(raised.value)
    assert "\n" not in message and len(raised.value.problems) == 3
    assert "MAX_CITATIONS: Input should be less than or equal to 8 (got '12')" in message
    assert "LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got 'verbose')" in message
    assert "DISCORD_GUILD_IDS: must be numeric ids" in message


def test_a_log_level_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", " debug ")
    assert load_settings(_env_file=None).log_level == "DEBUG"


def test_a_token_pasted_into_the_wrong_setting_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_ROLE_IDS", TOKEN_LIKE)
    with pytest.raises(BadSettings) as raised:
        load_settings(_env_file=None)
    assert "ADMIN_ROLE_IDS" in str(raised.value) and TOKEN_LIKE not in str(raised.value)
    assert "GhJk3a" not in str(raised.value)


def test_a_model_folder_is_relative_to_the_project_not_the_current_folder(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "models" / "mini").mkdir(parents=True)
    monkeypatch.chdir(tmp_path.parent)
    settings = load_settings(_env_file=None, project_dir=tmp_path, embedding_model="models/mini")
    assert settings.embedding_model_path == str(tmp_path / "models" / "mini")
    assert load_settings(_env_file=None).embedding_model_path == ""  # the bundled model


def test_a_model_that_is_not_there_is_one_line_saying_nothing_is_downloaded(tmp_path: Path) -> None:
    with pytest.raises(MarginaliaError) as raised:
        Embedder(str(tmp_path / "no-such-model")).model  # noqa: B018 - loading is the point
    message = str(raised.value)
    assert "\n" not in message and "no such folder" in message and "nothing is downloaded" in message
    assert "EMBEDDING_MODEL" in message
