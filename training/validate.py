"""Validate the judge leave-one-topic-out, and choose its thresholds on the validation topics.

    python -m training.validate [--write models/judge/calibration.json]

Reads the out-of-fold logits of `train_judge --loto` (each list predicted by a model that never
saw it) and simulates the answer policy of `bot/answer/compose.py` on them: a source is cited
when its best quote reaches `cite`, further quotes when they reach `quote`, at most 8 quotes, the
question declined when no source is cited. Thresholds are chosen on four topics and scored on the
fifth, each in turn (nested), so every figure is on a topic the choice never saw; the shipped
thresholds are then chosen on all five. Figures per held-out topic: evidence recall (a quote within
200 characters of an answer the writers found, as score.py counts), refusal, false refusal, the
share of quotes graded on point, and disagreement F1 from the conflict model's out-of-fold logits.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from training.examples import read_jsonl

DATA = Path(__file__).parent / "data"
RUNS = Path(__file__).parent / "runs"
NEAR = 200
MAX_QUOTES = 8
CITE_GRID = np.round(np.arange(0.05, 0.95, 0.025), 3)
QUOTE_GRID = np.round(np.arange(0.05, 0.95, 0.05), 3)
CONFLICT_GRID = np.round(np.arange(0.1, 0.95, 0.05), 3)


def platt(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping a logit to the probability of grade 2 (logistic regression)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e6, max_iter=1000).fit(logits.reshape(-1, 1), labels)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def answer(rows: list[dict], cite: float, quote: float) -> list[dict]:
    """The quotes an answer gives: sources whose best reaches `cite`, best first, then their
    further quotes reaching `quote`, at most MAX_QUOTES in all."""
    by_source: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: -r["p"]):
        by_source[row["source"]].append(row)
    cited = [s for s, items in sorted(by_source.items(), key=lambda kv: -kv[1][0]["p"]) if items[0]["p"] >= cite]
    chosen = [by_source[s][0] for s in cited][:MAX_QUOTES]
    extra = sorted((r for s in cited for r in by_source[s][1:] if r["p"] >= quote), key=lambda r: -r["p"])
    for row in extra:
        if len(chosen) >= MAX_QUOTES:
            break
        if not any(r["source"] == row["source"] and r["start"] < row["end"] and row["start"] < r["end"] for r in chosen):
            chosen.append(row)
    return chosen


def near(row: dict, gold: dict) -> bool:
    return row["file"] == gold["file"] and row["start"] < gold["end"] + NEAR and gold["start"] < row["end"] + NEAR


def score(questions: list[dict], rows_by_q: dict[str, list[dict]], cite: float, quote: float) -> dict:
    recall, on_point, quotes = [], 0, 0
    refused = unanswerable = false_refusals = answerable = 0
    for q in questions:
        chosen = answer(rows_by_q.get(q["id"], []), cite, quote)
        quotes += len(chosen)
        on_point += sum(r["grade"] >= 1 for r in chosen)
        if not q["answerable"]:
            unanswerable += 1
            refused += not chosen
            continue
        answerable += 1
        false_refusals += not chosen
        gold_sources = defaultdict(list)
        for g in q["answers"]:
            gold_sources[g["source"]].append(g)
        for r in rows_by_q.get(q["id"], []):  # candidates the readers graded 2 are gold too
            if r["grade"] == 2:
                gold_sources[r["source"]].append(r)
        if gold_sources:
            found = sum(any(near(r, g) for r in chosen for g in golds) for golds in gold_sources.values())
            recall.append(found / len(gold_sources))
    return {"evidence_recall": float(np.mean(recall)) if recall else 0.0,
            "refusal": refused / unanswerable if unanswerable else 1.0,
            "false_refusal": false_refusals / answerable if answerable else 0.0,
            "on_point": on_point / quotes if quotes else 1.0, "quotes": quotes / max(1, len(questions))}


def objective(m: dict) -> float:
    """What the thresholds are chosen for: the bars of the judge issue, all at once."""
    return (m["evidence_recall"] + m["refusal"] + m["on_point"] - 2 * m["false_refusal"]
            - 2 * max(0.0, 0.85 - m["refusal"]) - 4 * max(0.0, m["false_refusal"] - 0.05))


def choose(questions: list[dict], rows_by_q: dict[str, list[dict]]) -> tuple[float, float]:
    best = max(((objective(score(questions, rows_by_q, c, q)), c, q)
                for c, q in itertools.product(CITE_GRID, QUOTE_GRID) if q <= c), key=lambda t: t[0])
    return float(best[1]), float(best[2])


def conflicts_f1(questions: list[dict], rows_by_q: dict[str, list[dict]], pairs: list[dict], cite: float,
                 quote: float, threshold: float) -> float:
    """Question-level disagreement F1: a question is called contested when two of its cited
    sources have a pair the conflict model rates at or above `threshold`."""
    by_q: dict[str, list[dict]] = defaultdict(list)
    for p in pairs:
        by_q[p["qid"]].append(p)
    tp = fp = fn = 0
    for q in questions:
        if not q["answerable"]:
            continue
        cited = {r["source"] for r in answer(rows_by_q.get(q["id"], []), cite, quote)}
        predicted = any(p["p"] >= threshold for p in by_q.get(q["id"], []) if p["a"] in cited and p["b"] in cited)
        wanted = bool(q["conflicts"])
        tp += predicted and wanted
        fp += predicted and not wanted
        fn += wanted and not predicted
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.validate")
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--write", type=Path, default=None, help="write calibration.json here")
    args = parser.parse_args(argv)
    questions = read_jsonl(DATA / "questions.jsonl")
    rows = read_jsonl(args.runs / "oof.jsonl")
    logits = np.array([r["logit"] for r in rows])
    slope, intercept = platt(logits, np.array([r["grade"] == 2 for r in rows]))
    for r, p in zip(rows, 1 / (1 + np.exp(-(slope * logits + intercept)))):
        r["p"] = float(p)
    rows_by_q: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        rows_by_q[r["qid"]].append(r)
    pairs = read_jsonl(args.runs / "conflict-oof.jsonl")
    for p in pairs:
        p["p"] = float(1 / (1 + np.exp(-p["logit"])))
    topics = sorted({q["list"] for q in questions})
    print("held-out topic | evidence recall | refusal | false refusal | on point | quotes/q | disagreement F1 "
          "| thresholds (cite, quote, conflict) chosen on the other four")
    for topic in topics:
        train_q = [q for q in questions if q["list"] != topic]
        test_q = [q for q in questions if q["list"] == topic]
        cite, quote = choose(train_q, rows_by_q)
        conflict = max(CONFLICT_GRID, key=lambda t: conflicts_f1(train_q, rows_by_q, pairs, cite, quote, t))
        m = score(test_q, rows_by_q, cite, quote)
        f1 = conflicts_f1(test_q, rows_by_q, pairs, cite, quote, conflict)
        print(f"{topic} | {m['evidence_recall']:.3f} | {m['refusal']:.2f} | {m['false_refusal']:.2f} | "
              f"{m['on_point']:.2f} | {m['quotes']:.1f} | {f1:.2f} | {cite}, {quote}, {conflict}")
    cite, quote = choose(questions, rows_by_q)
    conflict = float(max(CONFLICT_GRID, key=lambda t: conflicts_f1(questions, rows_by_q, pairs, cite, quote, t)))
    m = score(questions, rows_by_q, cite, quote)
    print(f"all five (thresholds chosen on them) | {m['evidence_recall']:.3f} | {m['refusal']:.2f} | "
          f"{m['false_refusal']:.2f} | {m['on_point']:.2f} | {m['quotes']:.1f} | "
          f"{conflicts_f1(questions, rows_by_q, pairs, cite, quote, conflict):.2f} | {cite}, {quote}, {conflict}")
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(json.dumps({"slope": slope, "intercept": intercept, "cite": cite, "quote": quote,
                                          "conflict": conflict}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
