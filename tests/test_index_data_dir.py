"""DATA_DIR as a user may have it: a complete index on a read-only disk still answers, and a
folder that cannot hold an index (read-only, a file, impossible to create) is told plainly, each
case with its own message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_settings, write_sources

from bot.answer.compose import Answerer
from index.build import build_index
from index.config import Settings
from index.embedding import Embedder
from index.errors import DataDirUnusable
from index.search import Searcher

MARGINALIA = str(Path(sys.executable).with_name("marginalia"))
LAMPS = ("The lighthouse at Cape Wrath was first lit in 1828, its lamp fed with whale oil. Its keepers trimmed "
         "the wicks every four hours through the winter nights.")
# Root ignores file modes, so a read-only bind mount in a private mount namespace stands in for a
# read-only disk; anyone else gets the folder's write permission taken away.
READ_ONLY_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


@pytest.fixture
def lamps(tmp_path: Path, embedder: Embedder) -> Settings:
    settings = make_settings(tmp_path, write_sources(tmp_path / "sources", {"lamps.txt": LAMPS}))
    build_index(settings, embedder=embedder)
    return settings


def run_read_only(folder: Path, args: list[str], settings: Settings, temporary: Path) -> subprocess.CompletedProcess:
    """`marginalia ARGS` with `folder` read-only, temporary files in `temporary`."""
    env = {**os.environ, "PROJECT_DIR": str(settings.project_dir), "SOURCES_DIR": str(settings.sources_path),
           "DATA_DIR": str(settings.data_path), "CHROMA_HOST": "", "DISCORD_TOKEN": "", "TMPDIR": str(temporary)}
    command = [MARGINALIA, *args]
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
    probe = subprocess.run(["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, "sh", str(folder), "sh", "-c",
                            f'! touch "{folder}/probe" 2>/dev/null'], capture_output=True)
    if probe.returncode:
        pytest.skip("running as root without the right to make a read-only mount")
    return subprocess.run(["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, "sh", str(folder), *command],
                          capture_output=True, text=True, env=env, timeout=300)


def test_a_complete_index_on_a_read_only_disk_answers(lamps: Settings, tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    asked = run_read_only(lamps.data_path, ["ask", "When was the lighthouse at Cape Wrath first lit?"], lamps,
                          temporary)
    assert asked.returncode == 0, asked.stderr
    assert "1828" in asked.stdout and "Traceback" not in asked.stderr
    assert list(temporary.iterdir()) == []  # the private copy of Chroma is gone when the process ends
    built = run_read_only(lamps.data_path, ["index"], lamps, temporary)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert built.stderr.strip().splitlines()[-1].startswith(f"marginalia: The data folder {lamps.data_path} (DATA_DIR) "
                                                            "is not writable")
    kept = run_read_only(lamps.data_path, ["index", "--if-missing"], lamps, temporary)
    assert kept.returncode == 0, kept.stderr


def test_a_data_dir_that_is_a_file_is_named_as_such(tmp_path: Path, embedder: Embedder) -> None:
    sources = write_sources(tmp_path / "sources", {"lamps.txt": LAMPS})
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    settings = make_settings(tmp_path, sources)
    with pytest.raises(DataDirUnusable, match="is a file, not a folder"):
        build_index(settings, embedder=embedder)
    with pytest.raises(DataDirUnusable, match="is a file, not a folder"):
        Answerer(settings, Searcher(settings, embedder)).ask("When was the lighthouse first lit?")


def test_a_data_dir_that_cannot_be_created_is_named_as_such(tmp_path: Path, embedder: Embedder) -> None:
    sources = write_sources(tmp_path / "sources", {"lamps.txt": LAMPS})
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    settings = make_settings(tmp_path, sources, data_dir=tmp_path / "a-file" / "data")
    with pytest.raises(DataDirUnusable, match=r"cannot be created \(Not a directory\)"):
        build_index(settings, embedder=embedder)
