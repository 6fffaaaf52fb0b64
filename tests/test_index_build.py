"""Builds are incremental (unchanged documents are not re-embedded) and atomic (a build that fails
half-way leaves the serving generation as it was)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from conftest import make_settings, write_sources

from index.build import BuildReport, build_index
from index.config import Settings
from index.embedding import Embedder
from index.errors import BuildInProgress
from index.generations import Layout
from index.search import Searcher
from index.vectorstore import open_store

DOCUMENTS = {
    "river.txt": ("The Mill\n\nThe mill on the river Ouse ground corn for three centuries. It burned down in 1902, "
                  "and the millers moved to York.\n\nThe weir above the mill still stands. Salmon leap it every "
                  "autumn on their way upstream to spawn."),
    "bees.md": ("# Bees\n\nA honeybee colony keeps its hive near 35 degrees. The workers fan their wings in summer "
                "and cluster tightly in winter.\n\nA strong colony holds fifty thousand bees at midsummer."),
    "lamps.txt": ("The lighthouse at Cape Wrath was first lit in 1828. Its lamp burned whale oil until paraffin "
                  "replaced it.\n\nThe keepers climbed one hundred and twelve steps to trim the wicks each night."),
}


class CountingEmbedder:
    """The session's real model, recording every text a build asks it to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @property
    def label(self) -> str:
        return self.inner.label

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts, progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture
def corpus(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, write_sources(tmp_path / "sources", DOCUMENTS))


def build(settings: Settings, embedder: Embedder, **kwargs: object) -> tuple[BuildReport, CountingEmbedder]:
    counting = CountingEmbedder(embedder)
    return build_index(settings, embedder=counting, **kwargs), counting  # type: ignore[arg-type]


def units_of(settings: Settings, file: str) -> list[list]:
    layout = Layout(settings.data_path)
    manifest = layout.read_manifest(layout.require_current())
    return next(d["units"] for d in manifest["documents"] if d["profile"]["file"] == file)


def stored_count(settings: Settings, generation: str) -> int:
    return open_store(settings.data_path).collection(generation).count()


def test_a_first_build_embeds_every_unit_once(corpus: Settings, embedder: Embedder) -> None:
    report, counting = build(corpus, embedder)
    total = sum(len(units_of(corpus, file)) for file in DOCUMENTS)
    assert report.switched and sorted(report.added) == sorted(DOCUMENTS)
    assert report.embedded == len(counting.texts) == total
    assert report.characters == sum(len(t) for t in counting.texts)
    assert stored_count(corpus, report.generation) == total
    assert Layout(corpus.data_path).current() == report.generation


def test_a_rebuild_with_nothing_changed_embeds_nothing(corpus: Settings, embedder: Embedder) -> None:
    first, _ = build(corpus, embedder)
    report, counting = build(corpus, embedder)
    assert counting.texts == [] and report.embedded == 0
    assert not report.switched and report.generation == first.generation
    assert sorted(report.unchanged) == sorted(DOCUMENTS)
    assert Layout(corpus.data_path).current() == first.generation


def test_a_rebuild_embeds_only_the_changed_document(corpus: Settings, embedder: Embedder) -> None:
    build(corpus, embedder)
    path = corpus.sources_path / "bees.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nDrones die in autumn when the workers evict them.",
                    encoding="utf-8")
    report, counting = build(corpus, embedder)
    assert report.changed == ["bees.md"] and sorted(report.unchanged) == ["lamps.txt", "river.txt"]
    new_text = path.read_text(encoding="utf-8")
    assert sorted(counting.texts) == sorted(new_text[start:end] for _, _, start, end in units_of(corpus, "bees.md"))
    total = sum(len(units_of(corpus, file)) for file in DOCUMENTS)
    assert stored_count(corpus, report.generation) == total  # the other documents' vectors were carried over
    hit = Searcher(corpus, embedder).search("What happens to drones in autumn?")[0]
    assert "Drones die in autumn" in new_text[hit.passage.start:hit.passage.end]


def test_a_removed_document_leaves_the_index_without_any_embedding(corpus: Settings, embedder: Embedder) -> None:
    build(corpus, embedder)
    (corpus.sources_path / "lamps.txt").unlink()
    report, counting = build(corpus, embedder)
    assert report.removed == ["lamps.txt"] and report.switched and counting.texts == []
    assert set(Searcher(corpus, embedder).snapshot.files) == {"river", "bees"}


def test_a_catalog_edit_alone_reaches_the_served_profiles(corpus: Settings, embedder: Embedder) -> None:
    catalog = corpus.sources_path / "catalog.toml"
    catalog.write_text('[[source]]\nid = "lamps"\nfile = "lamps.txt"\ntitle = "Old title"\n', encoding="utf-8")
    build(corpus, embedder)
    catalog.write_text('[[source]]\nid = "lamps"\nfile = "lamps.txt"\ntitle = "New title"\nflags = ["fiction"]\n',
                       encoding="utf-8")
    report, counting = build(corpus, embedder)
    assert counting.texts == [] and report.recatalogued == ["lamps.txt"] and report.switched
    profile = Searcher(corpus, embedder).snapshot.profiles["lamps"]
    assert (profile.title, profile.flags) == ("New title", ("fiction",))


def test_the_generation_a_build_replaces_is_kept_for_readers_still_on_it(
        corpus: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    names = iter(["20300101-000000-ffffff", "20300101-000000-aaaaaa"])  # two builds in one second
    monkeypatch.setattr(Layout, "new_generation", lambda self: next(names))
    replaced, _ = build(corpus, embedder)
    (corpus.sources_path / "lamps.txt").write_text("The lamp was converted to paraffin in 1867.", encoding="utf-8")
    serving, _ = build(corpus, embedder)
    layout = Layout(corpus.data_path)
    assert layout.current() == serving.generation != replaced.generation
    assert layout.is_complete(replaced.generation) and replaced.generation in open_store(corpus.data_path).generations()


class Interrupted(RuntimeError):
    """Raised by a progress callback to break a build at a chosen stage."""


def fail_at(stage: str) -> Callable[[str, int, int], None]:
    def progress(current: str, done: int, total: int) -> None:
        if current == stage:
            raise Interrupted(f"stopped at {stage}")
    return progress


@pytest.mark.parametrize("stage", ["embedding", "storing", "verifying"])
def test_a_build_that_fails_midway_leaves_the_serving_generation_intact(corpus: Settings, embedder: Embedder,
                                                                         stage: str) -> None:
    layout = Layout(corpus.data_path)
    serving, _ = build(corpus, embedder)
    (corpus.sources_path / "river.txt").write_text("The mill was rebuilt in 1910 as a museum.", encoding="utf-8")
    with pytest.raises(Interrupted):
        build(corpus, embedder, progress=fail_at(stage))
    assert layout.current() == serving.generation
    assert stored_count(corpus, serving.generation) == sum(len(units_of(corpus, f)) for f in DOCUMENTS)
    half_built = [g for g in layout.all_generations() if g != serving.generation]
    assert len(half_built) == 1 and not layout.is_complete(half_built[0])
    searcher = Searcher(corpus, embedder)
    hit = searcher.search("When did the mill burn down?")[0]
    assert hit.passage.source == "river" and "burned down in 1902" in searcher.snapshot.passage_text(hit.passage)
    recovered, _ = build(corpus, embedder)
    assert recovered.switched and layout.current() == recovered.generation
    assert half_built[0] not in layout.all_generations()
    assert half_built[0] not in open_store(corpus.data_path).generations()


def test_a_second_build_while_one_runs_is_refused(corpus: Settings, embedder: Embedder) -> None:
    with Layout(corpus.data_path).build_lock():
        with pytest.raises(BuildInProgress):
            build(corpus, embedder)
    report, _ = build(corpus, embedder)
    assert report.switched
