"""Faults at the index level, with real processes, files, model and Chroma: a re-index killed
with SIGKILL, documents that cannot be used, and a Chroma server that goes away and comes back."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import make_settings, write_sources

from bot.answer.compose import Answerer
from index.build import BuildReport, build_index
from index.chroma_server import ChromaServer
from index.config import Settings
from index.embedding import Embedder
from index.errors import IndexUnavailable
from index.generations import Layout
from index.search import Searcher
from index.vectorstore import open_store

MARGINALIA = Path(sys.executable).with_name("marginalia")
LAMPS_QUESTION = "When was the lighthouse at Cape Wrath first lit?"
DOCUMENTS = {
    "lamps.txt": ("The lighthouse at Cape Wrath was first lit in 1828. Its lamp burned whale oil until paraffin "
                  "replaced it.\n\nThe keepers climbed one hundred and twelve steps to trim the wicks each night."),
    "river.txt": ("The mill on the river Ouse ground corn for three centuries. It burned down in 1902, and the "
                  "millers moved to York.\n\nThe weir above the mill still stands; salmon leap it every autumn."),
}
# The re-index that gets killed: a new version of lamps.txt, long enough for several embedding batches.
LAMPS_V2 = "\n\n".join([
    "The lighthouse at Cape Wrath was first lit in 1849, twenty years later than the builders had promised.",
    "Its first lamp burned colza oil pressed from rapeseed grown on farms in the south of England.",
    "A fog signal was added in 1897, and its horn could be heard eleven miles out to sea on a calm night.",
    "The keepers lived in cottages behind a high wall that sheltered their gardens from the gales.",
    "Supplies came by boat from Stromness once a month when the weather allowed a landing at the jetty.",
    "The light was automated in 1998, and the last keepers left the headland in the spring of that year.",
])

# Runs a build in a fresh process and parks it at `stage` (writing `marker`) until it is killed.
CHILD_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from index.build import build_index
    from index.config import load_settings

    marker, stage = Path(sys.argv[1]), sys.argv[2]

    def progress(current, done, total):
        if current == stage and 0 < done and (done < total or current == "storing"):
            partial = marker.with_suffix(".partial")
            partial.write_text(f"{current} {done}/{total}")
            partial.rename(marker)  # appears whole, or not at all
            time.sleep(600)

    build_index(load_settings(), progress=progress)
""")


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a `marginalia` process needs to use the test's folders (and nothing else)."""
    return {**os.environ, "PROJECT_DIR": str(settings.project_dir), "SOURCES_DIR": str(settings.sources_path),
            "DATA_DIR": str(settings.data_path), "CHROMA_HOST": "", "EMBEDDING_MODEL": "", "DISCORD_TOKEN": "",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra}


@pytest.fixture
def corpus(tmp_path: Path, embedder: Embedder) -> Settings:
    """Two small documents, indexed: the generation that must keep serving."""
    settings = make_settings(tmp_path, write_sources(tmp_path / "sources", DOCUMENTS))
    build_index(settings, embedder=embedder)
    return settings


def kill_build_at(settings: Settings, stage: str, marker: Path) -> str:
    """Start a re-index in a fresh process, SIGKILL it once it reaches `stage`; return where it was."""
    log = marker.with_suffix(".log")
    with open(log, "wb") as errors:
        child = subprocess.Popen([sys.executable, "-c", CHILD_BUILD, str(marker), stage], cwd=settings.project_dir,
                                 env=process_env(settings, EMBEDDING_BATCH_SIZE="2"), stderr=errors)
    try:
        deadline = time.monotonic() + 300  # a safety net for a hung child, not a speed requirement
        while not marker.exists():
            assert child.poll() is None, f"the build ended before {stage}: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"the build never reached {stage}"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return marker.read_text()


def ask_in_a_fresh_process(settings: Settings, question: str) -> dict:
    """`marginalia ask --json`, as a restarted bot or a user would run it."""
    done = subprocess.run([str(MARGINALIA), "ask", "--json", question], cwd=settings.project_dir,
                          env=process_env(settings), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def assert_whole(settings: Settings, generation: str) -> None:
    """The generation's manifest reads, and Chroma holds exactly one readable vector per unit."""
    manifest = Layout(settings.data_path).read_manifest(generation)
    unit_ids = [unit[0] for document in manifest["documents"] for unit in document["units"]]
    collection = open_store(settings.data_path).collection(generation)
    assert collection.count() == len(unit_ids)
    stored = collection.get(ids=unit_ids, include=["embeddings"])
    assert sorted(stored["ids"]) == sorted(unit_ids)
    assert np.allclose(np.linalg.norm(np.asarray(stored["embeddings"]), axis=1), 1.0, atol=1e-3)  # real unit vectors


def test_a_reindex_killed_while_embedding_loses_nothing(corpus: Settings, embedder: Embedder,
                                                        tmp_path: Path) -> None:
    layout = Layout(corpus.data_path)
    serving = layout.require_current()
    (corpus.sources_path / "lamps.txt").write_text(LAMPS_V2, encoding="utf-8")
    where = kill_build_at(corpus, "embedding", tmp_path / "reached")
    done, total = map(int, where.split()[1].split("/"))
    assert 0 < done < total  # killed half-way through the embedding, not before or after it
    killed = [g for g in layout.all_generations() if g != serving]
    assert len(killed) == 1 and not layout.is_complete(killed[0])

    assert layout.current() == serving
    assert_whole(corpus, serving)
    answer = ask_in_a_fresh_process(corpus, LAMPS_QUESTION)
    assert answer["answered"] and any("first lit in 1828" in c["quote"] for c in answer["citations"])

    report = build_index(corpus, embedder=embedder)
    assert report.switched and report.changed == ["lamps.txt"] and layout.current() == report.generation
    assert killed[0] not in layout.all_generations()
    assert_whole(corpus, report.generation)
    answer = Answerer(corpus, Searcher(corpus, embedder)).ask(LAMPS_QUESTION)
    assert any("first lit in 1849" in c.quote for c in answer.citations)


def test_a_reindex_killed_after_storing_its_vectors_is_never_served(corpus: Settings, embedder: Embedder,
                                                                    tmp_path: Path) -> None:
    layout = Layout(corpus.data_path)
    serving = layout.require_current()
    (corpus.sources_path / "lamps.txt").write_text(LAMPS_V2, encoding="utf-8")
    kill_build_at(corpus, "storing", tmp_path / "reached")
    killed = next(g for g in layout.all_generations() if g != serving)
    assert killed in open_store(corpus.data_path).generations()  # its vectors did reach Chroma
    assert layout.current() == serving and not layout.is_complete(killed)
    assert_whole(corpus, serving)
    answer = Answerer(corpus, Searcher(corpus, embedder)).ask(LAMPS_QUESTION)
    assert any("first lit in 1828" in c.quote for c in answer.citations)

    report = build_index(corpus, embedder=embedder)
    assert report.switched and layout.current() == report.generation
    assert killed not in open_store(corpus.data_path).generations()
    assert_whole(corpus, report.generation)


# --- documents that cannot be used -------------------------------------------------------------

HUGE_BYTES = 100_000_000


def bytes_read() -> int:
    """Bytes this process has read through read() and its kin (Linux /proc/self/io `rchar`)."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["rchar"])


@pytest.fixture
def shelf_with_bad_documents(tmp_path: Path) -> Settings:
    sources = write_sources(tmp_path / "sources", {**DOCUMENTS, "zz-vanishing.txt": "A perfectly good document."})
    (sources / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    (sources / "empty.md").write_bytes(b"")
    (sources / "latin1.txt").write_bytes("Un caf\u00e9 cr\u00e8me, s'il vous pla\u00eet.".encode("latin-1"))
    with open(sources / "huge.txt", "wb") as handle:
        handle.truncate(HUGE_BYTES)  # sparse: 100 MB long, no disk used
    (sources / "moved.txt").symlink_to(tmp_path / "elsewhere.txt")  # a link to a file that is gone
    return make_settings(tmp_path, sources, max_file_mb=50)


def test_unusable_documents_are_reported_by_name_and_skipped(shelf_with_bad_documents: Settings, embedder: Embedder,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    settings = shelf_with_bad_documents
    vanishing = settings.sources_path / "zz-vanishing.txt"

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "reading" and done == 1:
            vanishing.unlink()  # listed, then gone before it is read

    embedder.embed_query("load the model first")  # its weights would count as bytes read
    before = bytes_read()
    with caplog.at_level(logging.WARNING):
        report = build_index(settings, embedder=embedder, progress=progress)
    read = bytes_read() - before
    reasons = dict(report.failed)
    assert set(reasons) == {"image.txt", "empty.md", "latin1.txt", "huge.txt", "zz-vanishing.txt", "moved.txt"}
    assert "does not exist" in reasons["moved.txt"]
    # A skipped file is not also announced as being indexed with an empty profile.
    assert not [r for r in caplog.records if "no catalog entry" in r.getMessage() and "image.txt" in r.getMessage()]
    assert "binary" in reasons["image.txt"] and "empty" in reasons["empty.md"]
    assert "not valid UTF-8" in reasons["latin1.txt"] and "cannot be read" in reasons["zz-vanishing.txt"]
    assert "100.0 MB, over the 50.0 MB limit" in reasons["huge.txt"]
    assert read < HUGE_BYTES // 4, f"the build read {read} bytes: the 100 MB file was read"
    assert all(name in report.summary() for name in reasons)
    assert report.switched and report.documents == 2 and sorted(report.added) == sorted(DOCUMENTS)
    assert_whole(settings, report.generation)
    assert Searcher(settings, embedder).search("When did the mill burn down?")[0].passage.source == "river"


# --- the Chroma server goes away ---------------------------------------------------------------


@contextmanager
def restarted_afterwards(server: ChromaServer) -> Iterator[None]:
    """Whatever happens in the block, the session's server is running after it."""
    try:
        yield
    finally:
        if server.process is None or server.process.poll() is not None:
            server.start()


def test_the_chroma_server_stopping_makes_the_index_unavailable_until_it_returns(
        tmp_path: Path, embedder: Embedder, chroma_server: ChromaServer) -> None:
    settings = make_settings(tmp_path, write_sources(tmp_path / "sources", DOCUMENTS), chroma_host="127.0.0.1",
                             chroma_port=chroma_server.port)
    report: BuildReport = build_index(settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    first = answerer.ask(LAMPS_QUESTION)
    assert first.answered and report.switched
    with restarted_afterwards(chroma_server):
        chroma_server.stop()
        with pytest.raises(IndexUnavailable) as caught:
            answerer.ask(LAMPS_QUESTION)
        assert str(caught.value).startswith("The index is unavailable right now")
        assert "Try again in a moment" in str(caught.value)
        chroma_server.start()
        again = answerer.ask(LAMPS_QUESTION)
    assert again.answered and [c.quote for c in again.citations] == [c.quote for c in first.citations]
