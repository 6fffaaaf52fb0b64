"""The bot's answers on the training reading lists, scored as answers are judged: the check that
validates across topics, not on one list.

    python -m training.crosstopic [--lists DIR] [--data DIR] [--only LIST]

For every labelled question of every list, the real Answerer answers from an index of that list;
the answer is scored with the labels: evidence recall (a quote within 200 characters of an answer
sentence the readers found, per source, as score.py counts), refusal, false refusal, the share of
quotes the readers graded on point (1 or 2; quotes on units nobody graded are counted apart), and
disagreement precision, recall and F1. With `--loto`, each list is answered by the judge trained
and thresholded without it and the conflict model trained without it, so the figures are on
topics the models never saw.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from bot.answer.compose import Answerer
from bot.answer.disagreement import ConflictModel
from index.build import build_index
from training.examples import read_jsonl
from training.judge_rows import list_settings
from training.labels import DEFAULT_LISTS

DATA = Path(__file__).parent / "data"
NEAR = 200


def overlaps(a: tuple[int, int], b: tuple[int, int], margin: int = 0) -> bool:
    return a[0] < b[1] + margin and b[0] < a[1] + margin


def score_list(answerer: Answerer, questions: list[dict], pairs: list[dict]) -> dict:
    graded = defaultdict(list)
    for p in pairs:
        graded[p["qid"]].append(p)
    t = defaultdict(float)
    for q in questions:
        answer = answerer.ask(q["question"])
        cited = [(c.source, (c.start, c.end)) for c in answer.citations]
        for source, span in cited:
            grades = [p["grade"] for p in graded[q["id"]] if p["source"] == source
                      and overlaps(span, (p["start"], p["end"]))]
            if grades:
                t["graded_quotes"] += 1
                t["on_point"] += max(grades) >= 1
            else:
                t["ungraded_quotes"] += 1
        if not q["answerable"]:
            t["unanswerable"] += 1
            t["refused"] += not answer.answered
            continue
        t["answerable"] += 1
        t["false_refusals"] += not answer.answered
        gold = defaultdict(list)
        for g in q["answers"]:
            gold[g["source"]].append((g["start"], g["end"]))
        for p in graded[q["id"]]:
            if p["grade"] == 2:
                gold[p["source"]].append((p["start"], p["end"]))
        if gold:
            found = sum(any(s == source and overlaps(span, g, NEAR) for s, span in cited for g in spans)
                        for source, spans in gold.items())
            t["recall_sum"] += found / len(gold)
            t["recall_n"] += 1
        wanted, predicted = bool(q["conflicts"]), answer.disagreement
        t["tp"] += wanted and predicted
        t["fp"] += predicted and not wanted
        t["fn"] += wanted and not predicted
    return t


def render(name: str, t: dict) -> str:
    recall = t["recall_sum"] / t["recall_n"] if t["recall_n"] else 0.0
    refusal = t["refused"] / t["unanswerable"] if t["unanswerable"] else 1.0
    false_refusal = t["false_refusals"] / t["answerable"] if t["answerable"] else 0.0
    on_point = t["on_point"] / t["graded_quotes"] if t["graded_quotes"] else 0.0
    p = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else 0.0
    r = t["tp"] / (t["tp"] + t["fn"]) if t["tp"] + t["fn"] else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return (f"{name} | {recall:.3f} | {refusal:.2f} | {false_refusal:.2f} | {on_point:.2f} "
            f"({int(t['graded_quotes'])} graded, {int(t['ungraded_quotes'])} not) | P {p:.2f} R {r:.2f} F1 {f1:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.crosstopic")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--data", type=Path, default=None, help="folder for the lists' indexes (kept for reuse)")
    parser.add_argument("--only", default="", help="one list")
    parser.add_argument("--loto", type=Path, default=None,
                        help="folder of judge-without-LIST.json and conflict-without-LIST.json (training.train_judge, "
                             "train_conflict): each list is answered by models trained without it")
    args = parser.parse_args(argv)
    questions = read_jsonl(DATA / "questions.jsonl")
    pairs = read_jsonl(DATA / "pairs.jsonl")
    root = args.data or Path(tempfile.mkdtemp(prefix="marginalia-crosstopic-"))
    total: dict = defaultdict(float)
    print("list | evidence recall | refusal | false refusal | on point | disagreement")
    for name in sorted({q["list"] for q in questions}):
        if args.only and name != args.only:
            continue
        settings = list_settings(args.lists, root, name)
        if args.loto:
            settings = settings.model_copy(update={"judge_model": args.loto / f"judge-without-{name}.json"})
        build_index(settings)
        answerer = Answerer(settings)
        if args.loto:
            answerer.conflicts = ConflictModel.load(args.loto / f"conflict-without-{name}.json")
        t = score_list(answerer, [q for q in questions if q["list"] == name], [p for p in pairs if p["list"] == name])
        print(render(name, t), flush=True)
        for k, v in t.items():
            total[k] += v
    print(render("all", total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
