"""Shared fixtures: the network guard, settings in temporary folders, the real model, a real
index of the bundled sources, and a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from discord_fixtures import *  # noqa: E402,F401,F403  (network guard + Discord stand-in fixtures)
from discord_routes import spec_available, spec_summary_line  # noqa: E402

from index.chroma_server import ChromaServer  # noqa: E402
from index.config import PROJECT_ROOT, Settings  # noqa: E402
from index.embedding import Embedder  # noqa: E402

SOURCES = PROJECT_ROOT / "sources"
# The `marginalia` processes the tests start import this checkout, whichever checkout the
# virtualenv was installed from (an editable install points at one folder only).
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say so when the wire tests could not check bodies against Discord's spec (a fresh clone)."""
    if not spec_available():
        terminalreporter.write_line(spec_summary_line(), yellow=True)


def make_settings(tmp: Path, sources: Path, **overrides: object) -> Settings:
    """Settings that ignore any developer `.env` and keep every file under `tmp`."""
    values = {"project_dir": tmp, "sources_dir": sources, "data_dir": tmp / "data", "discord_token": "",
              "chroma_host": "", **overrides}
    return Settings(_env_file=None, **values)


def write_sources(folder: Path, documents: dict[str, str], catalog: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    if catalog:
        (folder / "catalog.toml").write_text(catalog, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real bundled model, loaded once for the whole run."""
    return Embedder()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """The bundled reading list, indexed once for the session (embedded Chroma)."""
    from index.build import build_index

    root = tmp_path_factory.mktemp("real")
    shutil.copytree(SOURCES, root / "sources")
    settings = make_settings(root, root / "sources")
    build_index(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def answerer(real_index: Settings, embedder: Embedder):
    from bot.answer.compose import Answerer
    from index.search import Searcher

    return Answerer(real_index, Searcher(real_index, embedder))


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    with ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db") as server:
        yield server
