"""Train the conflict model (`bot/answer/disagreement.py`) on the readers' conflict labels,
validated leave-one-topic-out, and write the shipped model.

    python -m training.train_conflict [--lists DIR] [--data DIR] [--write models/conflict.json]

For every answerable labelled question the real answer path answers from an index of its list,
with the judge trained without that list (`training.train_judge` writes those folds), and the
detector's signals are recorded. A logistic regression on four topics predicts the fifth; its
threshold is chosen on the four (each predicted by a model trained on the other three) and scored
on the fifth (fold models: training/runs/conflict-without-LIST.json). The shipped model is trained on all five, its threshold chosen on their held-out
predictions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from bot.answer.compose import Answerer
from bot.answer.disagreement import SIGNALS, ConflictModel
from index.build import build_index
from training.examples import read_jsonl
from training.judge_rows import list_settings
from training.labels import DEFAULT_LISTS

DATA = Path(__file__).parent / "data"
RUNS = Path(__file__).parent / "runs"
GRID = np.round(np.arange(0.1, 0.91, 0.025), 3)


class Recorder(ConflictModel):
    """Records the detector's signals for each question instead of deciding."""

    def __init__(self) -> None:
        super().__init__(np.zeros(len(SIGNALS)), 0.0, 1.1)
        object.__setattr__(self, "seen", [])

    def probability(self, x: np.ndarray) -> float:
        self.seen.append(x.tolist())
        return 0.0


def collect(lists: Path, root: Path, runs: Path, questions: list[dict]) -> list[dict]:
    rows = []
    for name in sorted({q["list"] for q in questions}):
        settings = list_settings(lists, root, name).model_copy(
            update={"judge_model": runs / f"judge-without-{name}.json"})
        build_index(settings)
        recorder = Recorder()
        answerer = Answerer(settings, conflicts=recorder)
        for q in questions:
            if q["list"] != name or not q["answerable"]:
                continue
            recorder.seen.clear()
            answer = answerer.ask(q["question"])
            x = recorder.seen[-1] if recorder.seen else None  # None: fewer than two sources cited
            # The recorder decides nothing, so a disagreement is one of figures or dates (no model needed).
            rows.append({"qid": q["id"], "list": name, "conflict": bool(q["conflicts"]), "x": x,
                         "facts": answer.disagreement})
        print(f"{name}: {sum(r['list'] == name for r in rows)} questions", file=sys.stderr, flush=True)
    return rows


def fit(rows: list[dict]) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    usable = [r for r in rows if r["x"] is not None and not r["facts"]]
    model = LogisticRegression(C=1.0, max_iter=2000).fit(np.array([r["x"] for r in usable]),
                                                           np.array([r["conflict"] for r in usable]))
    return model.coef_[0], float(model.intercept_[0])


def probabilities(rows: list[dict], weights: np.ndarray, bias: float) -> list[float]:
    return [1.0 if r["facts"] else 0.0 if r["x"] is None else float(1 / (1 + np.exp(-(np.dot(r["x"], weights) + bias)))) for r in rows]


def f1(rows: list[dict], p: list[float], threshold: float) -> tuple[float, float, float]:
    tp = sum(r["conflict"] and v >= threshold for r, v in zip(rows, p))
    fp = sum(not r["conflict"] and v >= threshold for r, v in zip(rows, p))
    fn = sum(r["conflict"] and v < threshold for r, v in zip(rows, p))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def held_out(rows: list[dict], topics: set[str]) -> list[float]:
    """Each topic's rows predicted by a model trained on the others of `topics`."""
    p = [0.0] * len(rows)
    for topic in topics:
        weights, bias = fit([r for r in rows if r["list"] in topics - {topic}])
        positions = [n for n, r in enumerate(rows) if r["list"] == topic]
        for n, v in zip(positions, probabilities([rows[n] for n in positions], weights, bias)):
            p[n] = v
    return p


def choose(rows: list[dict], topics: set[str]) -> float:
    """The threshold with the best F1 over `topics`, each predicted without itself."""
    p = held_out(rows, topics)
    chosen = [(r, v) for r, v in zip(rows, p) if r["list"] in topics]
    return float(max(GRID, key=lambda t: f1([r for r, _ in chosen], [v for _, v in chosen], t)[2]))


def write(path: Path, weights: np.ndarray, bias: float, threshold: float) -> None:
    model = {"signals": list(SIGNALS), "weights": [round(float(w), 5) for w in weights], "bias": round(bias, 5),
             "threshold": threshold}
    path.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train_conflict")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--data", type=Path, default=None, help="folder for the lists' indexes (kept for reuse)")
    parser.add_argument("--runs", type=Path, default=RUNS, help="where train_judge wrote its fold models")
    parser.add_argument("--write", type=Path, default=None, help="write the shipped model here")
    args = parser.parse_args(argv)
    questions = read_jsonl(DATA / "questions.jsonl")
    rows = collect(args.lists, args.data or Path(tempfile.mkdtemp(prefix="marginalia-conflict-")), args.runs, questions)
    topics = sorted({r["list"] for r in rows})
    usable = [r for r in rows if r["x"] is not None]
    print(f"  figures or dates apart: in {sum(r['facts'] and r['conflict'] for r in rows)} of "
          f"{sum(r['conflict'] for r in rows)} conflicts and {sum(r['facts'] and not r['conflict'] for r in rows)} of "
          f"{sum(not r['conflict'] for r in rows)} other answerable questions")
    for n, name in enumerate(SIGNALS):
        on = [r for r in usable if r["x"][n] > 0 and name != "voices"]
        if on:
            print(f"  {name}: on in {sum(r['conflict'] for r in on)} of {sum(r['conflict'] for r in usable)} "
                  f"conflicts and {sum(not r['conflict'] for r in on)} of {sum(not r['conflict'] for r in usable)} "
                  "other questions with two sources or more cited")
    print("held-out topic | disagreement P | R | F1 (answerable questions) | threshold chosen on the other four")
    for topic in topics:
        rest = set(topics) - {topic}
        threshold = choose(rows, rest)
        weights, bias = fit([r for r in rows if r["list"] in rest])
        test = [r for r in rows if r["list"] == topic]
        precision, recall, score = f1(test, probabilities(test, weights, bias), threshold)
        print(f"{topic} | {precision:.2f} | {recall:.2f} | {score:.2f} | {threshold:g}", flush=True)
        write(args.runs / f"conflict-without-{topic}.json", weights, bias, threshold)
    if args.write:
        weights, bias = fit(rows)
        threshold = choose(rows, set(topics))
        write(args.write, weights, bias, threshold)
        print(f"wrote {args.write}: " + ", ".join(f"{s} {w:+.2f}" for s, w in zip(SIGNALS, weights))
              + f", bias {bias:+.2f}, threshold {threshold:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
