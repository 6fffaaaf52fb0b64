"""All settings, in one place, read from the environment and from `.env`.

Every field has a description; `.env.example` mirrors them (a test checks this).
Relative paths are resolved against the project folder.
"""

from __future__ import annotations

import difflib
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticUseDefault
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.errors import BadSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IdList = Annotated[list[int], NoDecode]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ID_LISTS = ("discord_guild_ids", "admin_role_ids")


class Settings(BaseSettings):
    """Marginalia's configuration. Environment variables win over `.env`."""

    model_config = SettingsConfigDict(
        env_file=(PROJECT_ROOT / ".env", ".env"), env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- where things live -------------------------------------------------
    project_dir: Path = Field(
        PROJECT_ROOT,
        description="Project folder; relative paths below and the `file` of citations are relative to it.",
    )
    sources_dir: Path = Field(
        Path("sources"), description="Folder of documents to index, with its catalog.toml."
    )
    data_dir: Path = Field(
        Path(".marginalia"),
        description="Folder for runtime data: index generations, embedded Chroma, the SQLite database.",
    )
    database_path: Path | None = Field(
        None, description="SQLite database file. Empty: marginalia.sqlite3 in DATA_DIR."
    )

    judge_model: Path | None = Field(
        None, description="The judge that decides what is quoted and whether the list covers a question "
                          "(a JSON file written by `make train`). Empty: the shipped models/judge.json.",
    )

    # --- indexing ----------------------------------------------------------
    embedding_model: str = Field(
        "",
        description="Folder of a sentence-transformers model (nothing is downloaded). "
                    "Empty: the bundled all-MiniLM-L6-v2.",
    )
    embedding_batch_size: int = Field(
        32, ge=1, description="Texts embedded per model call (32 is fastest on a 2-core CPU)."
    )
    passage_words: int = Field(
        180, ge=40, le=400,
        description="Most words in one passage, 40 to 400 (passages follow paragraphs and headings).",
    )
    max_file_mb: float = Field(
        25.0, gt=0, description="Documents larger than this many megabytes are refused without being read."
    )
    chroma_host: str = Field(
        "", description="Chroma server host (from `chroma run`). Empty: embedded Chroma under DATA_DIR."
    )
    chroma_port: int = Field(8000, description="Chroma server port, used with CHROMA_HOST.")

    # --- answering ---------------------------------------------------------
    max_question_chars: int = Field(
        600, ge=20, le=6000, description="Longest question accepted, in characters (20 to 6000)."
    )
    max_citations: int = Field(8, ge=1, le=8, description="Most quotes in one answer, 1 to 8.")

    # --- Discord -----------------------------------------------------------
    discord_token: SecretStr = Field(SecretStr(""), description="The bot token from the Discord developer portal.")
    discord_api_base: str = Field(
        "",
        description="REST base URL of a Discord-compatible server. Empty: Discord's own (https://discord.com/api/v10).",
    )
    discord_gateway_url: str = Field(
        "", description="Gateway websocket URL of a Discord-compatible server. Empty: Discord's own."
    )
    discord_guild_ids: IdList = Field(
        default_factory=list,
        description="Comma-separated server ids to sync commands to at once. "
                    "Empty: sync globally (can take up to an hour).",
    )
    admin_role_ids: IdList = Field(
        default_factory=list,
        description="Comma-separated role ids whose members may /reindex, besides members with Manage Server.",
    )
    ask_concurrency: int = Field(2, ge=1, description="Questions answered at once; the rest wait their turn.")
    rate_limit_per_minute: int = Field(6, ge=1, description="Questions one member may ask per minute.")
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL.")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        """An empty value means the default (`SOURCES_DIR=` is not the current folder), and an empty
        value in the environment still wins over a `.env` ("CHROMA_HOST= marginalia ..." is embedded).
        An empty id list is read as no ids by `_split_ids`; a default that is itself empty is kept."""
        if value == "" and info.field_name not in ID_LISTS and cls.model_fields[info.field_name].default != "":
            raise PydanticUseDefault
        return value

    @field_validator(*ID_LISTS, mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in value.replace(" ", "").split(",") if part]
            if not all(part.isdigit() for part in parts):
                raise ValueError("must be numeric ids separated by commas (Developer Mode > Copy ID in Discord)")
            return [int(part) for part in parts]
        return value

    def resolve(self, path: Path) -> Path:
        """A configured path made absolute against the project folder."""
        path = Path(path).expanduser()
        return path if path.is_absolute() else self.project_dir / path

    @cached_property
    def sources_path(self) -> Path:
        return self.resolve(self.sources_dir)

    @cached_property
    def data_path(self) -> Path:
        return self.resolve(self.data_dir)

    @cached_property
    def database_file(self) -> Path:
        if self.database_path:
            return self.resolve(self.database_path)
        return self.data_path / "marginalia.sqlite3"

    @cached_property
    def embedding_model_path(self) -> str:
        """EMBEDDING_MODEL as given to the model loader: a folder relative to the project made
        absolute; empty for the bundled model."""
        if not self.embedding_model:
            return ""
        folder = self.resolve(Path(self.embedding_model))
        return str(folder) if folder.is_dir() else self.embedding_model

    @property
    def uses_chroma_server(self) -> bool:
        return bool(self.chroma_host)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and `.env`, with explicit overrides on top; BadSettings names
    every value that is wrong, by its variable name."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise BadSettings([setting_problem(error) for error in exc.errors()]) from None


NEAR_SPELLING = 0.8  # difflib ratio from which an unknown key is taken for a misspelt setting


def env_file_warnings(env_files: tuple[Path | str, ...] | None = None) -> list[str]:
    """One line for each key of the `.env` files that is not a setting but looks like one
    ("DISCORD_TOKNE", "max-citations"): it is silently ignored otherwise. Keys that differ from a
    setting only in case are read (settings are not case-sensitive), so they are not warned about."""
    from dotenv import dotenv_values

    known = {name.upper() for name in Settings.model_fields}
    files = Settings.model_config["env_file"] if env_files is None else env_files
    lines = []
    for path in dict.fromkeys(Path(f).resolve() for f in files):
        if not path.is_file():
            continue
        for key in dotenv_values(path):
            if key.upper() in known:
                continue
            wanted = key.strip().upper().replace("-", "_").replace(" ", "_")
            near = [wanted] if wanted in known else difflib.get_close_matches(wanted, known, n=1, cutoff=NEAR_SPELLING)
            if near:
                lines.append(f"{path}: {key!r} is not a setting and is ignored; did you mean {near[0]}?")
    return lines


SHOWN_VALUE_CHARS = 20  # a longer value is not echoed: it may be a token pasted in the wrong place


def setting_problem(error: dict) -> str:
    """One invalid value, by its variable name ("MAX_CITATIONS: ... (got '12')"). Only short values
    of a named setting are echoed, never a token's."""
    name = "_".join(str(part) for part in error["loc"]).upper()
    value = error.get("input")
    shown = isinstance(value, str) and name and "TOKEN" not in name and len(value) <= SHOWN_VALUE_CHARS
    got = f" (got {value!r})" if shown else ""
    return f"{name or 'settings'}: {error['msg'].removeprefix('Value error, ')}{got}"
