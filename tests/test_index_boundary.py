"""The reading-list folder is a boundary: a link out of it is skipped and named, and nothing a
build writes lands outside DATA_DIR, whatever the names it is given or finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_settings, write_sources

from index.build import build_index
from index.embedding import Embedder
from index.errors import CatalogError, MarginaliaError
from index.generations import Layout
from index.search import Searcher

TOKEN_LINE = "DISCORD_TOKEN=MTA1NjQ4OTU2NzQ2MjE0NDA3Mg.GhJk3a.abcdefghijklmnopqrstuvwxyz0123"
RIVER = "The mill on the river Ouse ground corn for three centuries before it burned down in 1902."
BEES = "A honeybee colony keeps its hive near 35 degrees by fanning its wings and clustering in winter."


def test_a_link_to_a_file_outside_the_sources_folder_is_skipped_and_named(tmp_path: Path, embedder: Embedder) -> None:
    secret = tmp_path / "elsewhere" / ".env"
    secret.parent.mkdir()
    secret.write_text(TOKEN_LINE + "\n", encoding="utf-8")
    sources = write_sources(tmp_path / "sources", {"river.txt": RIVER})
    (sources / "settings.txt").symlink_to(secret)
    (sources / "hosts.txt").symlink_to("/etc/hosts")
    (sources / "outside-folder").symlink_to(secret.parent, target_is_directory=True)  # folders are not followed
    (sources / "river-again.txt").symlink_to(sources / "river.txt")  # a link that stays inside is fine
    settings = make_settings(tmp_path, sources)
    report = build_index(settings, embedder=embedder)
    failed = dict(report.failed)
    assert set(failed) == {"settings.txt", "hosts.txt"}
    assert all("outside the sources folder" in reason for reason in failed.values())
    assert all(name in report.summary() for name in ("settings.txt", "hosts.txt"))
    texts = Searcher(settings, embedder).snapshot.texts
    assert len(texts) == 2 and not any("DISCORD_TOKEN" in text for text in texts.values())


def outside_data(root: Path) -> dict[str, bytes]:
    """Every file under `root` except those in the data folder, with its content."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and "data" not in p.relative_to(root).parts[:1]}


def test_nothing_a_build_writes_lands_outside_the_data_folder(tmp_path: Path, embedder: Embedder) -> None:
    """Every name that becomes part of a path: catalog ids, uncatalogued file names (which give
    ids), the generation named by CURRENT, and the source ids of a generation's manifest."""
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "keep.txt").write_text("untouched", encoding="utf-8")
    sources = write_sources(tmp_path / "sources", {"river.txt": RIVER})
    settings = make_settings(tmp_path, sources)
    before = outside_data(tmp_path)

    for bad in ("../victim/x", "../../victim", "/tmp/x", "..", "river/../../victim"):
        (sources / "catalog.toml").write_text(f'[[source]]\nid = {json.dumps(bad)}\nfile = "river.txt"\n',
                                              encoding="utf-8")
        with pytest.raises(CatalogError):
            build_index(settings, embedder=embedder)
    (sources / "catalog.toml").unlink()
    names = ("..txt", "a\nb.txt", "%2e%2e%2fvictim.txt", "-..-..-victim.md", "ÜBER..txt")  # hidden ones are skipped
    for name in names:
        (sources / name).write_text(BEES, encoding="utf-8")
    report = build_index(settings, embedder=embedder)
    assert report.documents == len(names) and not report.failed
    assert outside_data(tmp_path) == before | {f"sources/{n}": BEES.encode() for n in names}
    before = outside_data(tmp_path)

    layout = Layout(settings.data_path)
    serving = layout.require_current()
    manifest = layout.read_manifest(serving)
    manifest["documents"][0]["profile"]["id"] = "../../../victim/keep"
    layout.write_manifest(serving, manifest)
    with pytest.raises(MarginaliaError, match="damaged"):
        Searcher(settings, embedder).snapshot  # noqa: B018 - loading is the point
    (sources / "river.txt").write_text(RIVER + " It was rebuilt in 1910.", encoding="utf-8")
    build_index(settings, embedder=embedder)
    assert outside_data(tmp_path) == before | {"sources/river.txt": (RIVER + " It was rebuilt in 1910.").encode()}
    before = outside_data(tmp_path)

    for current in ("../../victim", "../generations/../../victim", "/tmp"):
        layout.current_file.write_text(current, encoding="utf-8")
        assert layout.current() is None
        build_index(settings, embedder=embedder)
        assert outside_data(tmp_path) == before
    with pytest.raises(MarginaliaError):
        layout.folder("../../victim")
