"""What the benchmarks share in one run: a temporary root, one loaded model, the workspace with
the five documents (indexed once, on first need), the dev questions, and figures measured earlier
that later benchmarks use (the raw model throughput, for the scale estimate)."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from benchmarks.workspace import SOURCES, Workspace
from index.build import build_index
from index.config import PROJECT_ROOT
from index.embedding import Embedder
from index.generations import Layout

# The dev questions live beside the project, in ../shared (or MARGINALIA_SHARED), as for `make eval`.
DEV_QUESTIONS = Path(os.environ.get("MARGINALIA_SHARED") or PROJECT_ROOT.parent / "shared") / "eval" / "dev.jsonl"
# Used only when the dev questions are not there (a fresh clone).
FALLBACK_QUESTIONS = [
    "Who killed Trotsky?", "Why was Trotsky expelled from the Soviet Union?", "What happened in the May 1940 raid?",
    "Who was Frank Jacson?", "What was Kollontai's role in Mexico?", "Who is Esteban Volkov?",
]


def say(message: str) -> None:
    """Progress for the person waiting, on standard error (the table goes to standard output)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Context:
    root: Path
    repeat: int | None = None  # overrides every benchmark's own number of runs
    questions_file: Path = DEV_QUESTIONS
    scale_factor: int = 50
    figures: dict[str, float] = field(default_factory=dict)  # measured by one benchmark, read by another

    def runs(self, default: int) -> int:
        return self.repeat or default

    @cached_property
    def embedder(self) -> Embedder:
        settings = self.workspace.settings
        embedder = Embedder(settings.embedding_model_path, settings.embedding_batch_size)
        started = time.perf_counter()
        embedder.embed_query("load the model")
        self.figures["model_load_s"] = time.perf_counter() - started
        return embedder

    @cached_property
    def workspace(self) -> Workspace:
        return Workspace.copy_of(SOURCES, self.root / "five")

    @cached_property
    def questions(self) -> list[str]:
        if not self.questions_file.exists():
            say(f"{self.questions_file} not found; using {len(FALLBACK_QUESTIONS)} built-in questions")
            return FALLBACK_QUESTIONS
        lines = self.questions_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["question"] for line in lines if line.strip()]

    @property
    def indexed(self) -> bool:
        return Layout(self.workspace.data).current() is not None

    def ensure_index(self) -> None:
        """Index the five documents once, for the benchmarks that need an index."""
        if not self.indexed:
            say("indexing the five documents for the benchmarks that need an index")
            build_index(self.workspace.settings, embedder=self.embedder)
