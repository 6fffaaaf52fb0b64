"""Shared fixtures: the network guard, settings in temporary folders, the real model, a real
index of the bundled sources, and a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from discord_fixtures import *  # noqa: E402,F401,F403  (network guard + Discord stand-in fixtures)

from index.config import PROJECT_ROOT, Settings  # noqa: E402
from index.embedding import Embedder  # noqa: E402

SOURCES = PROJECT_ROOT / "sources"


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """A real `chroma run` process on 127.0.0.1 that tests may stop and start again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2/heartbeat"

    def start(self, timeout: float = 30.0) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        log = open(self.path.with_suffix(".log"), "ab")
        self.process = subprocess.Popen([str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                         "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url, timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("chroma run did not answer its heartbeat in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db")
    server.start()
    yield server
    server.stop()
