"""The same build and search through a real `chroma run` server on 127.0.0.1 as through embedded
Chroma: only the client differs, so the passages found must be the same."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from conftest import SOURCES, make_settings, write_sources

from index.build import build_index
from index.chroma_server import ChromaServer
from index.config import Settings
from index.embedding import Embedder
from index.search import Searcher
from index.vectorstore import open_store

FILES = ("walsh-1980-trotskys-assassination.txt", "woods-2003-house-in-coyoacan.txt")
QUESTIONS = ("Who killed Trotsky?", "How was Trotsky's house defended?", "Who is Esteban Volkov?",
             "What did Zinoviev and Kamenev warn Trotsky about?")


class MemoEmbedder:
    """The real model, embedding each text once: the second build gets the very same vectors."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.memo: dict[str, np.ndarray] = {}

    @property
    def label(self) -> str:
        return self.inner.label

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        fresh = [t for t in dict.fromkeys(texts) if t not in self.memo]
        self.memo.update(zip(fresh, self.inner.embed(fresh)))
        if progress:
            progress(len(texts))
        return np.vstack([self.memo[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def two_sources(folder: Path) -> Path:
    """Two of the bundled documents, uncatalogued (the catalog names all five)."""
    folder.mkdir(parents=True)
    for name in FILES:
        shutil.copyfile(SOURCES / name, folder / name)
    return folder


def on_server(tmp: Path, sources: Path, server: ChromaServer) -> Settings:
    return make_settings(tmp, sources, chroma_host="127.0.0.1", chroma_port=server.port)


def ranked_passages(settings: Settings, embedder: Embedder, question: str) -> list[str]:
    return [hit.passage.id for hit in Searcher(settings, embedder).search(question, per_source=5)]


def test_a_server_build_serves_the_same_passages_as_embedded_chroma(
        tmp_path: Path, embedder: Embedder, chroma_server: ChromaServer) -> None:
    embedded = make_settings(tmp_path / "embedded", two_sources(tmp_path / "embedded" / "sources"))
    served = on_server(tmp_path / "served", two_sources(tmp_path / "served" / "sources"), chroma_server)
    memo = MemoEmbedder(embedder)
    reports = [build_index(settings, embedder=memo) for settings in (embedded, served)]  # type: ignore[arg-type]
    assert reports[0].passages == reports[1].passages and reports[1].switched
    assert not (served.data_path / "chroma").exists()  # the vectors went to the server
    stored = open_store(served.data_path, "127.0.0.1", chroma_server.port)
    assert stored.collection(reports[1].generation).count() == reports[0].embedded
    for question in QUESTIONS:
        assert ranked_passages(served, embedder, question) == ranked_passages(embedded, embedder, question), question


def test_two_indexes_can_share_one_server(tmp_path: Path, embedder: Embedder, chroma_server: ChromaServer) -> None:
    """A build's clean-up of old generations removes its own collections, never another data folder's."""
    lamps = "The lighthouse at Cape Wrath was first lit in 1828, its lamp fed with whale oil."
    first = on_server(tmp_path / "first", write_sources(tmp_path / "first" / "sources", {"lamps.txt": lamps}),
                      chroma_server)
    second = on_server(tmp_path / "second", write_sources(tmp_path / "second" / "sources", {"lamps.txt": lamps}),
                       chroma_server)
    build_index(second, embedder=embedder)
    for n in range(4):  # four generations of the first index: the oldest ones are cleaned up
        (first.sources_path / "lamps.txt").write_text(f"Revision {n}. {lamps}", encoding="utf-8")
        assert build_index(first, embedder=embedder).switched
    assert len(open_store(first.data_path, "127.0.0.1", chroma_server.port).generations()) <= 2
    assert ranked_passages(second, embedder, "When was the lighthouse first lit?")
