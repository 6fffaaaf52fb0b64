"""The answer policy simulated on the judge's out-of-fold predictions, and its thresholds chosen on
held-out topics (used by `training.train_judge`).

A question is answered when the coverage model gives it at least `cover` (never when it names
something no source mentions); its best source is cited, and every other source whose best
candidate reaches `cite`; each cited source gives its best quote and its further non-overlapping
quotes reaching `quote`, at most max(3, 8 / sources) each and 8 in all, as `bot/answer/compose.py`
does. Figures: evidence recall (a quote within 200 characters of an answer the readers found, per
source, as score.py counts), refusal, false refusal, the share of quotes graded on point (1 or 2;
ungraded candidates count as not on point), and quotes per question.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

NEAR = 200
MAX_QUOTES = 8
QUOTES_PER_SOURCE = 3
BARS = {"evidence_recall": 0.80, "refusal": 0.85, "false_refusal": 0.05, "on_point": 0.80}
COVER_GRID = np.round(np.arange(0.2, 0.86, 0.05), 3)
CITE_GRID = np.round(np.arange(0.05, 0.65, 0.025), 3)
QUOTE_GRID = np.round(np.arange(0.05, 0.65, 0.05), 3)


def overlapping(a: dict, b: dict) -> bool:
    return a["source"] == b["source"] and a["start"] < b["end"] and b["start"] < a["end"]


def answer(rows: list[dict], covered: float, thresholds: tuple[float, float, float]) -> list[dict]:
    """The quotes an answer gives from these candidates (empty: declined)."""
    cover, cite, quote = thresholds
    if not rows or rows[0]["unmentioned"] or covered < cover:
        return []
    by_source: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: -r["p"]):
        by_source[row["source"]].append(row)
    ranked = sorted(by_source, key=lambda s: -by_source[s][0]["p"])
    cited = ranked[:1] + [s for s in ranked[1:] if by_source[s][0]["p"] >= cite]
    per_source = max(QUOTES_PER_SOURCE, MAX_QUOTES // max(1, len(cited)))
    picks = {}
    for source in cited:
        chosen: list[dict] = []
        for row in by_source[source]:
            if len(chosen) == per_source or (chosen and row["p"] < quote):
                break
            if not any(overlapping(row, c) for c in chosen):
                chosen.append(row)
        picks[source] = chosen
    out: list[dict] = []
    for round_ in range(per_source):
        for source in cited:
            if round_ < len(picks[source]) and len(out) < MAX_QUOTES:
                out.append(picks[source][round_])
    return out


def near(row: dict, gold: dict) -> bool:
    return row["file"] == gold["file"] and row["start"] < gold["end"] + NEAR and gold["start"] < row["end"] + NEAR


def gold_by_source(question: dict, rows: list[dict]) -> dict[str, list[dict]]:
    gold: dict[str, list[dict]] = defaultdict(list)
    files = {r["source"]: r["file"] for r in rows}
    for g in question["answers"]:
        gold[g["source"]].append({**g, "file": files.get(g["source"], g.get("file", ""))})
    for r in rows:  # candidates the readers graded 2 are answers too
        if r["grade"] == 2:
            gold[r["source"]].append(r)
    return gold


def score(questions: list[dict], rows_by_q: dict[str, list[dict]], covered: dict[str, float],
          thresholds: tuple[float, float, float]) -> dict:
    recall, on_point, quotes = [], 0, 0
    refused = unanswerable = false_refusals = answerable = 0
    for q in questions:
        rows = rows_by_q.get(q["id"], [])
        chosen = answer(rows, covered.get(q["id"], 0.0), thresholds)
        quotes += len(chosen)
        on_point += sum(r["grade"] >= 1 for r in chosen)
        if not q["answerable"]:
            unanswerable += 1
            refused += not chosen
            continue
        answerable += 1
        false_refusals += not chosen
        gold = gold_by_source(q, rows)
        if gold:
            recall.append(sum(any(near(r, g) for r in chosen for g in golds) for golds in gold.values()) / len(gold))
    return {"evidence_recall": float(np.mean(recall)) if recall else 0.0,
            "refusal": refused / unanswerable if unanswerable else 1.0,
            "false_refusal": false_refusals / answerable if answerable else 0.0,
            "on_point": on_point / quotes if quotes else 1.0, "quotes": quotes / max(1, len(questions))}


def objective(m: dict) -> float:
    """What the thresholds are chosen for: how far the figures fall short of the judge issue's bars
    (BARS), all at once, a shortfall in evidence recall counting twice: a missing answer misleads
    more than a quote of context does."""
    return -(2 * max(0.0, BARS["evidence_recall"] - m["evidence_recall"]) + max(0.0, BARS["refusal"] - m["refusal"])
             + max(0.0, m["false_refusal"] - BARS["false_refusal"]) + max(0.0, BARS["on_point"] - m["on_point"]))


def by_question(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        grouped[r["qid"]].append(r)
    return grouped


def choose(questions: list[dict], rows: list[dict], covered: dict[str, float]) -> tuple[float, float, float]:
    """The thresholds (cover, cite, quote) that serve these questions best: cover and cite on a
    grid with quote = cite, then quote."""
    rows_by_q = by_question(rows)
    _, cover, cite = max((objective(score(questions, rows_by_q, covered, (v, c, c))), v, c)
                         for v in COVER_GRID for c in CITE_GRID)
    _, quote = max((objective(score(questions, rows_by_q, covered, (cover, cite, q))), q)
                   for q in QUOTE_GRID if q <= cite)
    return float(cover), float(cite), float(quote)


def render(name: str, m: dict, thresholds: tuple[float, float, float]) -> str:
    return (f"{name} | {m['evidence_recall']:.3f} | {m['refusal']:.2f} | {m['false_refusal']:.2f} | "
            f"{m['on_point']:.2f} | {m['quotes']:.1f} | {', '.join(f'{t:g}' for t in thresholds)}")
