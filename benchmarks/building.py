"""Index builds: throughput beside the raw model on the very units embedded, and rebuilds with
nothing changed or one document changed."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from benchmarks.context import Context, say
from benchmarks.report import Row, summarise
from benchmarks.workspace import MARGINALIA, BenchmarkError, ProcessRun, run_measured
from index.build import BuildReport, Progress, build_index
from index.config import Settings
from index.embedding import Embedder
from index.generations import Layout

CHANGED_FILE = "walsh-1980-trotskys-assassination.txt"


@dataclass
class StageClock:
    """A build's progress callback that notes when each stage begins (and passes progress on)."""

    forward: Progress | None = None
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=time.process_time)
    stages: dict[str, float] = field(default_factory=dict)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.stages.setdefault(stage, time.perf_counter())
        if self.forward:
            self.forward(stage, done, total)

    def seconds(self, stage: str, ended: float) -> float:
        """How long `stage` lasted (until the next stage began, or `ended`)."""
        if stage not in self.stages:
            return 0.0
        later = [t for t in self.stages.values() if t > self.stages[stage]]
        return min(later, default=ended) - self.stages[stage]


@dataclass(frozen=True)
class BuildSample:
    report: BuildReport
    seconds: float
    embedding_seconds: float
    storing_seconds: float
    cpu_seconds: float  # CPU time of this process (all threads): steadier than wall time on a busy machine
    raw_seconds: float = 0.0
    raw_cpu_seconds: float = 0.0

    @property
    def build_rate(self) -> float:
        return self.report.characters / self.seconds

    @property
    def raw_rate(self) -> float:
        return self.report.characters / self.raw_seconds


def timed_build(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> BuildSample:
    clock = StageClock(progress)
    report = build_index(settings, embedder=embedder, progress=clock)
    ended = time.perf_counter()
    return BuildSample(report, ended - clock.started, clock.seconds("embedding", ended),
                       clock.seconds("storing", ended), time.process_time() - clock.cpu_started)


def unit_texts(settings: Settings, generation: str) -> list[str]:
    """The texts a generation embedded: its manifest's units, cut from its stored texts."""
    layout = Layout(settings.data_path)
    texts: list[str] = []
    for document in layout.read_manifest(generation)["documents"]:
        text = (layout.folder(generation) / "texts" / f"{document['profile']['id']}.txt").read_text(encoding="utf-8")
        texts += [text[start:end] for _, _, start, end in document["units"]]
    return texts


def raw_model_seconds(embedder: Embedder, texts: list[str], batch_size: int) -> tuple[float, float]:
    """sentence-transformers alone on the texts, the ceiling a build can approach: (wall, CPU) seconds."""
    started, cpu_started = time.perf_counter(), time.process_time()
    embedder.model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                          show_progress_bar=False)
    return time.perf_counter() - started, time.process_time() - cpu_started


def throughput(ctx: Context) -> list[Row]:
    """Full builds of the five documents, each followed by the raw model on the same units."""
    samples = []
    for n in range(ctx.runs(3)):
        workspace = ctx.workspace if not ctx.indexed else ctx.workspace.elsewhere(ctx.root / f"build-{n}")
        say(f"build {n + 1}/{ctx.runs(3)}: five documents from scratch, then the raw model on the same units")
        sample = timed_build(workspace.settings, ctx.embedder)
        texts = unit_texts(workspace.settings, sample.report.generation)
        if sum(map(len, texts)) != sample.report.characters:
            raise BenchmarkError("the manifest's units are not the texts the build embedded")
        raw, raw_cpu = raw_model_seconds(ctx.embedder, texts, workspace.settings.embedding_batch_size)
        samples.append(dataclasses.replace(sample, raw_seconds=raw, raw_cpu_seconds=raw_cpu))
    ctx.figures["raw_chars_per_s"] = sorted(s.raw_rate for s in samples)[len(samples) // 2]
    return build_rows(samples, ctx)


def build_rows(samples: list[BuildSample], ctx: Context) -> list[Row]:
    report = samples[0].report
    share = sum(s.embedding_seconds for s in samples) / sum(s.seconds for s in samples)
    return [
        Row("model load (in process)", "s", ctx.figures.get("model_load_s"), note="once per process"),
        summarise("build, 5 documents from scratch", "s", [s.seconds for s in samples],
                  note=f"{report.documents} docs, {report.passages} passages, {report.embedded} units, "
                       f"{report.characters:,} chars; embedding is {share:.0%} of it"),
        summarise("build throughput", "chars/s", [s.build_rate for s in samples], percentile=False,
                  note="characters embedded ÷ whole build time"),
        summarise("raw model throughput, same units", "chars/s", [s.raw_rate for s in samples], percentile=False,
                  note="SentenceTransformer.encode alone, same batch size"),
        summarise("build ÷ raw model", "x", [s.build_rate / s.raw_rate for s in samples], percentile=False,
                  target="≥ 0.80", check=lambda median, _: median >= 0.80, note="wall time, paired per run"),
        summarise("build ÷ raw model, CPU time", "x", [s.raw_cpu_seconds / s.cpu_seconds for s in samples],
                  percentile=False, note="the same on CPU seconds: steady when other processes compete"),
    ]


def unchanged(ctx: Context) -> list[Row]:
    """Rebuilds with nothing changed: in process, and as a whole `marginalia index` process."""
    ctx.ensure_index()
    say("rebuilds with nothing changed")
    seconds = []
    for _ in range(ctx.runs(5)):
        sample = timed_build(ctx.workspace.settings, ctx.embedder)
        if sample.report.embedded or sample.report.switched:
            raise BenchmarkError("a rebuild with nothing changed embedded something or switched generation")
        seconds.append(sample.seconds)
    processes = [kept(run_measured([str(MARGINALIA), "index"], ctx.workspace)).seconds for _ in range(ctx.runs(3))]
    return [
        summarise("rebuild, nothing changed (in process)", "s", seconds, target="≤ 3 s",
                  check=lambda median, high: (high or median) <= 3.0),
        summarise("rebuild, nothing changed (`marginalia index`)", "s", processes, target="≤ 3 s",
                  check=lambda median, high: (high or median) <= 3.0,
                  note="whole process: interpreter, imports, catalog, hashes"),
    ]


def kept(run: ProcessRun) -> ProcessRun:
    """`marginalia index` said it kept the index, or its time is not that of a no-change rebuild."""
    if "nothing changed" not in " ".join(run.lines):
        raise BenchmarkError(f"`marginalia index` rebuilt instead of keeping the index: {run.lines[-1]}")
    return run


def one_changed(ctx: Context) -> list[Row]:
    """Rebuilds after one document was edited (a paragraph appended); the original is restored after."""
    ctx.ensure_index()
    path = ctx.workspace.sources / CHANGED_FILE
    original = path.read_text(encoding="utf-8")
    samples = []
    try:
        for n in range(ctx.runs(3)):
            say(f"rebuild {n + 1}/{ctx.runs(3)} after editing {CHANGED_FILE}")
            path.write_text(f"{original}\n\nA paragraph added by benchmark run {n}.\n", encoding="utf-8")
            samples.append(timed_build(ctx.workspace.settings, ctx.embedder))
            if samples[-1].report.changed != [CHANGED_FILE]:
                raise BenchmarkError(f"expected only {CHANGED_FILE} to change: {samples[-1].report.summary()}")
    finally:
        path.write_text(original, encoding="utf-8")
        build_index(ctx.workspace.settings, embedder=ctx.embedder)
    report = samples[-1].report
    return [summarise("rebuild after one document changed", "s", [s.seconds for s in samples],
                      note=f"{report.embedded} units, {report.characters:,} chars of {CHANGED_FILE} re-embedded")]
