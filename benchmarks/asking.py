"""Answering: warm `ask` latency in process, cold start of a fresh `marginalia ask` process, and
the peak memory of `ask` processes."""

from __future__ import annotations

import time

from benchmarks.context import Context, say
from benchmarks.report import Row, summarise
from benchmarks.workspace import MARGINALIA, BenchmarkError, ProcessRun, Workspace, run_measured
from bot.answer.compose import Answerer
from bot.answer.evidence import gather, prepare
from index.embedding import Embedder
from index.search import Searcher

COLD_QUESTION = "Who killed Trotsky?"
MEMORY_TARGET_MB = 1200.0


def warm_answerer(workspace: Workspace, embedder: Embedder) -> Answerer:
    """An answerer with the model and the index loaded."""
    answerer = Answerer(workspace.settings, Searcher(workspace.settings, embedder))
    answerer.warm_up()
    return answerer


def warm_latencies(answerer: Answerer, questions: list[str], passes: int) -> tuple[list[float], int]:
    """Milliseconds per question, and how many were answered."""
    latencies, answered = [], 0
    for _ in range(passes):
        for question in questions:
            started = time.perf_counter()
            answer = answerer.ask(question)
            latencies.append((time.perf_counter() - started) * 1000)
            answered += answer.answered
    return latencies, answered


def judge_costs(answerer: Answerer, questions: list[str]) -> tuple[list[float], int]:
    """Microseconds the judge takes per candidate (features and both models), and the candidates."""
    snap = answerer.searcher.snapshot
    costs, candidates = [], 0
    for question in questions:
        prepared = prepare(answerer.searcher, answerer.lexicon(snap), question)
        evidence = gather(answerer.searcher, prepared)
        count = sum(len(items) for items in evidence.values())
        started = time.perf_counter()
        answerer.judge.weigh(prepared, evidence)
        if count:
            costs.append((time.perf_counter() - started) * 1e6 / count)
            candidates += count
    return costs, candidates


def embedding_latencies(embedder: Embedder, questions: list[str]) -> list[float]:
    """Milliseconds to embed one question: the floor under every answer."""
    latencies = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed_query(question)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def warm(ctx: Context) -> list[Row]:
    ctx.ensure_index()
    passes = ctx.runs(3)
    say(f"warm ask: {len(ctx.questions)} dev questions × {passes} passes")
    answerer = warm_answerer(ctx.workspace, ctx.embedder)
    latencies, answered = warm_latencies(answerer, ctx.questions, passes)
    costs, candidates = judge_costs(answerer, ctx.questions)
    return [
        summarise("warm ask, 5 documents (p50, p95)", "ms", latencies, target="p50 ≤ 50, p95 ≤ 150 ms",
                  check=lambda median, high: median <= 50 and (high or 0) <= 150,
                  note=f"{len(ctx.questions)} dev questions × {passes}; {answered}/{len(latencies)} answered"),
        summarise("question embedding alone (the floor)", "ms", embedding_latencies(ctx.embedder, ctx.questions)),
        summarise("judge, per candidate (features and both models)", "µs", costs,
                  note=f"{candidates} candidates over {len(ctx.questions)} questions"),
    ]


def cold(ctx: Context) -> list[Row]:
    """Fresh `marginalia ask` processes: time to the first answer, and their peak memory."""
    ctx.ensure_index()
    say(f"cold start: {ctx.runs(5)} fresh `marginalia ask` processes")
    singles = [checked(run_measured([str(MARGINALIA), "ask", "--json", COLD_QUESTION], ctx.workspace), 1)
               for _ in range(ctx.runs(5))]
    say(f"memory: {ctx.runs(2)} `marginalia ask --json -` processes over the dev questions")
    stdin = "".join(f"{q}\n" for q in ctx.questions)
    many = [checked(run_measured([str(MARGINALIA), "ask", "--json", "-"], ctx.workspace, stdin), len(ctx.questions))
            for _ in range(ctx.runs(2))]
    return [
        summarise("cold start: `marginalia ask` → first answer", "s", [r.first_line for r in singles],
                  target="≤ 10 s", check=lambda median, high: (high or median) <= 10,
                  note=f"process exit after {sorted(r.seconds for r in singles)[len(singles) // 2]:.2f} s (median)"),
        memory_row("peak RSS, `marginalia ask` (one question)", singles),
        memory_row(f"peak RSS, `marginalia ask --json -` ({len(ctx.questions)} questions)", many),
    ]


def memory_row(name: str, runs: list[ProcessRun], note: str = "") -> Row:
    return summarise(name, "MB", [r.peak_rss_mb for r in runs], percentile=False, target="≤ 1,200 MB",
                     check=lambda median, _: max(r.peak_rss_mb for r in runs) <= MEMORY_TARGET_MB, note=note)


def checked(run: ProcessRun, expected: int) -> ProcessRun:
    """The process printed one JSON answer per question, or the figure means nothing."""
    answers = run.json_lines()
    if len(answers) != expected or not all("citations" in a for a in answers):
        raise BenchmarkError(f"expected {expected} JSON answers, got: {run.lines[:3]}")
    return run
