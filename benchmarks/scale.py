"""Scale: a deterministic synthetic reading list 50 times larger (~20 MB), made of the five
documents' paragraphs reshuffled into new documents with a fixed seed. Its build time, warm `ask`
latency and memory, with embedded Chroma and with a `chroma run` server on loopback.

The embedded build is a real one (the model embeds all ~20 MB). The server build reuses those
vectors, so the two compare what differs between them (storing, verifying, querying) without
embedding 20 MB twice.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.asking import checked, memory_row, warm_answerer, warm_latencies
from benchmarks.building import BuildSample, timed_build
from benchmarks.context import Context, say
from benchmarks.report import Row, note_row, summarise
from benchmarks.workspace import MARGINALIA, SOURCES, BenchmarkError, Workspace, run_measured
from index.build import discover
from index.chroma_server import HOST, ChromaServer
from index.embedding import Embedder

FACTOR = 50
SEED = 1940  # fixed: the same synthetic list on every run and every machine
PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
DEFAULT_RATE = 25_000.0  # characters/s assumed for the estimate when nothing was measured yet


@dataclass(frozen=True)
class SyntheticList:
    folder: Path
    documents: int
    characters: int


def paragraphs(sources: Path) -> list[str]:
    """Every paragraph (and heading) of the reading list, in reading order."""
    found: list[str] = []
    for path in discover(sources):
        if path.suffix in (".txt", ".md"):
            text = path.read_text(encoding="utf-8")
            found += [p.strip() for p in PARAGRAPH_SPLIT.split(text) if p.strip()]
    return found


def synthesize(sources: Path, folder: Path, factor: int = FACTOR, seed: int = SEED) -> SyntheticList:
    """`factor` shuffled copies of every paragraph, dealt into `factor` × as many documents."""
    rng = random.Random(seed)
    pool = paragraphs(sources)
    stream: list[str] = []
    for _ in range(factor):
        batch = pool[:]
        rng.shuffle(batch)
        stream += batch
    count = factor * len(discover(sources))
    per_document = -(-len(stream) // count)
    folder.mkdir(parents=True)
    catalog, characters = [], 0
    for n in range(count):
        name = f"synthetic-{n + 1:03}.txt"
        text = f"Synthetic Document {n + 1}\n\n" + "\n\n".join(stream[n * per_document:(n + 1) * per_document]) + "\n"
        (folder / name).write_text(text, encoding="utf-8")
        characters += len(text)
        catalog.append(f'[[source]]\nid = "synthetic-{n + 1:03}"\nfile = "{name}"\ntitle = "Synthetic document '
                       f'{n + 1}"\nauthors = ["Benchmark"]\ndate = "2000"\n')
    (folder / "catalog.toml").write_text("\n".join(catalog), encoding="utf-8")
    return SyntheticList(folder, count, characters)


class RecordingEmbedder:
    """The real model, keeping every vector it makes so a second build can reuse them."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.vectors: dict[str, np.ndarray] = {}

    @property
    def label(self) -> str:
        return self.inner.label

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        vectors = self.inner.embed(texts, progress)
        self.vectors.update(zip(texts, vectors))
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


class ReplayEmbedder(RecordingEmbedder):
    """Gives back the vectors a RecordingEmbedder made; questions still go through the model."""

    def __init__(self, recorded: RecordingEmbedder) -> None:
        super().__init__(recorded.inner)
        self.vectors = recorded.vectors

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        if progress:
            progress(len(texts))
        return np.vstack([self.vectors[t] for t in texts]) if texts else np.zeros((0, self.inner.dimension), np.float32)


class Ticker:
    """A build's progress, told every tenth of the embedding with the time left at the pace so far."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.tenths = 1  # the next tenth to tell

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != "embedding" or not total:
            return
        self.started = self.started or time.perf_counter()
        if done and done * 10 >= self.tenths * total:
            elapsed = time.perf_counter() - self.started
            say(f"scale: {done:,} of {total:,} units embedded ({done / total:.0%}); about "
                f"{elapsed * (total - done) / done / 60:.0f} min to go at this pace (longest texts come first)")
            self.tenths = done * 10 // total + 1


def estimate(ctx: Context, characters: int) -> float:
    """Minutes the scale benchmark will take, from the raw model throughput measured on this machine."""
    rate = ctx.figures.get("raw_chars_per_s") or calibrate(ctx.embedder)
    embedding = characters / rate
    return (embedding * 1.1 + 120) / 60  # storing, BM25, the server build and the questions: ~2 minutes


def calibrate(embedder: Embedder) -> float:
    """Characters per second of the model on a sample of the reading list's paragraphs."""
    sample = [p for p in paragraphs(SOURCES) if len(p) > 200][:150]
    started = time.perf_counter()
    embedder.embed(sample)
    return sum(map(len, sample)) / (time.perf_counter() - started)


def run(ctx: Context) -> list[Row]:
    synthetic = synthesize(SOURCES, ctx.root / "scale" / "sources", ctx.scale_factor)
    minutes = estimate(ctx, synthetic.characters)
    say(f"scale: {synthetic.documents} documents, {synthetic.characters / 1e6:.1f} MB of text; "
        f"this takes about {minutes:.0f} minutes on this machine")
    workspace = Workspace(ctx.root / "scale", synthetic.folder, ctx.root / "scale" / "data")
    recorder = RecordingEmbedder(ctx.embedder)
    say("scale: building the index with embedded Chroma (the long part)")
    embedded = timed_build(workspace.settings, recorder, Ticker())  # type: ignore[arg-type]
    rows = [note_row("scale: synthetic reading list", f"{ctx.scale_factor}× — {synthetic.documents} documents, "
                     f"{synthetic.characters / 1e6:.1f} MB, {embedded.report.embedded:,} units, seed {SEED}"),
            build_row("scale build, embedded Chroma", embedded, "full build")]
    rows += ask_rows(ctx, workspace, "embedded")
    with ChromaServer(ctx.root / "scale" / "chroma-server") as server:
        served = workspace.elsewhere(ctx.root / "scale" / "data-server", HOST, server.port)
        say("scale: building again through a `chroma run` server (vectors reused)")
        rows.append(build_row("scale build, Chroma server", timed_build(served.settings, ReplayEmbedder(recorder)),
                              "embeddings reused from the embedded build"))  # type: ignore[arg-type]
        rows += ask_rows(ctx, served, "server", server)
    return rows


def build_row(name: str, sample: BuildSample, how: str) -> Row:
    return Row(name, "s", sample.seconds, note=f"{how}; embedding {sample.embedding_seconds:.0f} s, "
                                                f"storing {sample.storing_seconds:.1f} s")


def ask_rows(ctx: Context, workspace: Workspace, kind: str, server: ChromaServer | None = None) -> list[Row]:
    say(f"scale: warm ask and memory, {kind} Chroma")
    latencies, answered = warm_latencies(warm_answerer(workspace, ctx.embedder), ctx.questions,
                                         passes=ctx.runs(1))
    return [
        summarise(f"scale warm ask, {kind} Chroma (p50, p95)", "ms", latencies, target="p95 ≤ 300 ms",
                  check=lambda _, high: (high or 0) <= 300, note=f"{answered}/{len(latencies)} answered"),
        memory(ctx, workspace, kind, server),
    ]


def memory(ctx: Context, workspace: Workspace, kind: str, server: ChromaServer | None) -> Row:
    """Peak RSS of a `marginalia ask --json -` process over the dev questions (a failure is a row, not a loss
    of the figures measured before it)."""
    name = f"scale peak RSS, `marginalia ask --json -`, {kind}"
    stdin = "".join(f"{q}\n" for q in ctx.questions)
    try:
        process = checked(run_measured([str(MARGINALIA), "ask", "--json", "-"], workspace, stdin), len(ctx.questions))
    except BenchmarkError as exc:
        return note_row(name + " (failed)", str(exc)[-200:])
    note = f" (+ the server's own {rss_mb(server):,.0f} MB)" if server else ""
    return memory_row(name, [process], note=f"client process{note}")


def rss_mb(server: ChromaServer) -> float:
    """The running Chroma server's own resident memory, in megabytes."""
    import psutil

    assert server.process is not None
    return psutil.Process(server.process.pid).memory_info().rss / 1e6

