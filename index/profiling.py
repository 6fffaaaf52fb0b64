"""A drafted profile for a document with no catalog entry: its likely genre and flags, with the
passages that show it, shown as detected, never as vetted.

The classifier (`models/genre.json`, trained by `training/train_genre.py` on labelled passages
of the training reading lists and on pages written for training) reads the embedding vectors the
index already holds: the document's units, in runs of consecutive units, each run classified and
the runs' probabilities averaged. Nothing is embedded twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).resolve().parent.parent / "models" / "genre.json"
RUN_UNITS = 8  # consecutive units classified together
MAX_RUNS = 24  # runs sampled evenly across a long document
SAMPLE_UNITS = 64  # units embedded to draft a profile of a document not yet indexed
# A flag is drafted when its probability reaches this: the boundary of a classifier trained with
# balanced classes. In an experiment not kept (2026-12-05), thresholds chosen per flag on held-out
# topics, in nested leave-one-topic-out folds, decided fewer documents right: 242 of 300 flag
# decisions by accuracy, 238 by balanced accuracy, against 245 at 0.5.
FLAG_FLOOR = 0.5


@dataclass(frozen=True)
class Draft:
    genre: str
    confidence: float
    flags: tuple[str, ...]
    evidence: tuple[tuple[int, int], ...] = field(default=())  # unit spans that read most like the genre

    def to_json(self) -> dict:
        return {"genre": self.genre, "confidence": round(self.confidence, 3), "flags": list(self.flags),
                "evidence": [list(span) for span in self.evidence]}

    @classmethod
    def from_json(cls, data: dict) -> Draft:
        return cls(data["genre"], data["confidence"], tuple(data["flags"]), tuple(tuple(s) for s in data["evidence"]))


@cache
def model() -> dict | None:
    """The classifier's weights, or None when the file is absent (then nothing is drafted)."""
    try:
        return json.loads(MODEL.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def runs(vectors: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges of consecutive units, at most MAX_RUNS of them, spread over the document."""
    starts = list(range(0, max(1, len(vectors) - RUN_UNITS + 1), RUN_UNITS)) or [0]
    if len(starts) > MAX_RUNS:
        starts = [starts[round(i * (len(starts) - 1) / (MAX_RUNS - 1))] for i in range(MAX_RUNS)]
    return [(s, min(len(vectors), s + RUN_UNITS)) for s in starts]


def sample(items: list, total: int = SAMPLE_UNITS) -> list:
    """Runs of RUN_UNITS consecutive items spread evenly over a long list (all of a short one)."""
    if len(items) <= total:
        return list(items)
    step = len(items) / (total // RUN_UNITS)
    return [items[min(len(items) - 1, int(i * step) + k)] for i in range(total // RUN_UNITS) for k in range(RUN_UNITS)]


def features(vectors: np.ndarray) -> np.ndarray:
    """One row per run: the mean of its unit vectors, made unit length."""
    rows = np.vstack([vectors[a:b].mean(axis=0) for a, b in runs(vectors)])
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def draft(vectors: np.ndarray, spans: list[tuple[int, int]]) -> Draft | None:
    """The drafted profile of a document from its units' vectors (in reading order) and spans."""
    weights = model()
    if weights is None or len(vectors) == 0:
        return None
    rows = features(vectors)
    genre_p = softmax(rows @ np.array(weights["genre"]["coef"]).T + np.array(weights["genre"]["intercept"]))
    mean = genre_p.mean(axis=0)
    best = int(mean.argmax())
    flags = []
    for flag, w in weights["flags"].items():
        p = 1 / (1 + np.exp(-(rows @ np.array(w["coef"]) + w["intercept"])))
        if p.mean() >= FLAG_FLOOR:
            flags.append(flag)
    chosen = runs(vectors)[int(genre_p[:, best].argmax())]
    evidence = tuple(spans[i] for i in range(chosen[0], min(chosen[1], chosen[0] + 2)))
    return Draft(weights["genre"]["classes"][best], float(mean[best]), tuple(sorted(flags)), evidence)
