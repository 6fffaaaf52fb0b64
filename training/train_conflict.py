"""Train the conflict model: a CrossEncoder that reads a question and two sources' key quotes and
gives the probability that the two accounts conflict (GRADING.md: cannot both be true, or opposed
judgements on the matter asked).

    python -m training.train_conflict [--loto] [--final] [--lists DIR]

Examples come from every question two or more sources answer: each pair of sources is a positive
when the readers listed it as conflicting, else a negative (sources that agree, or answer different
parts). Each quote carries whether its author asserts or reports it, and the pair whether the
catalog puts the two sources on the same side, on opposite sides, or gives no side: general facts
any catalogued list has, no words of one list.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.answer.conflicts import pair_text, sides_relation
from training.examples import read_jsonl
from training.labels import DEFAULT_LISTS
from training.train_judge import RUNS, SEED, base_model, predict, train

QUOTES_PER_SOURCE = 3  # a source's best answering quotes that are paired with the other's


@dataclass(frozen=True)
class PairExample:
    qid: str
    list: str
    question: str
    a: str
    b: str
    text: str
    conflict: bool

    @property
    def label(self) -> float:
        return 1.0 if self.conflict else 0.0


def sides(lists: Path, name: str) -> dict[str, str]:
    catalog = tomllib.loads((lists / name / "catalog.toml").read_text(encoding="utf-8"))
    return {entry["id"]: entry.get("side", "") for entry in catalog["source"]}


def answer_quotes(question: dict, pairs: list[dict], texts) -> dict[str, list[tuple[str, str]]]:
    """Per source, its answering quotes (grade 2, or copied by the writer) with their voice."""
    found: dict[str, list[tuple[str, str]]] = {}
    for answer in question["answers"]:
        found.setdefault(answer["source"], []).append(
            (texts(question["list"], answer["file"])[answer["start"]:answer["end"]], answer["voice"]))
    for pair in pairs:
        if pair["grade"] == 2:
            quote = texts(question["list"], pair["file"])[pair["start"]:pair["end"]]
            found.setdefault(pair["source"], []).append((quote, pair.get("voice") or "asserts"))
    return {source: list(dict.fromkeys(quotes))[:QUOTES_PER_SOURCE] for source, quotes in found.items()}


def load_pair_examples(lists: Path) -> list[PairExample]:
    data = Path(__file__).parent / "data"
    questions = read_jsonl(data / "questions.jsonl")
    by_question: dict[str, list[dict]] = {}
    for pair in read_jsonl(data / "pairs.jsonl"):
        by_question.setdefault(pair["qid"], []).append(pair)
    cache: dict[tuple[str, str], str] = {}

    def texts(name: str, file: str) -> str:
        if (name, file) not in cache:
            cache[(name, file)] = (lists / name / file).read_text(encoding="utf-8")
        return cache[(name, file)]

    examples = []
    for question in questions:
        if not question["answerable"]:
            continue
        side_of = sides(lists, question["list"])
        quotes = answer_quotes(question, by_question.get(question["id"], []), texts)
        conflicting = {tuple(sorted(c["sources"])) for c in question["conflicts"]}
        for a, b in itertools.combinations(sorted(quotes), 2):
            relation = sides_relation(side_of.get(a, ""), side_of.get(b, ""))
            for (qa, va), (qb, vb) in itertools.islice(itertools.product(quotes[a], quotes[b]), 4):
                examples.append(PairExample(question["id"], question["list"], question["question"], a, b,
                                            pair_text(qa, va, qb, vb, relation), (a, b) in conflicting))
    return examples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train_conflict")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--base", default="")
    parser.add_argument("--loto", action="store_true")
    parser.add_argument("--final", action="store_true")
    parser.add_argument("--save", type=Path, default=RUNS / "conflict")
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default="")
    args = parser.parse_args(argv)
    import torch

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    base = args.base or base_model()
    examples = load_pair_examples(args.lists)
    random.Random(SEED).shuffle(examples)
    print(f"{len(examples)} pair examples ({sum(e.conflict for e in examples)} conflicts) on {device}", file=sys.stderr)
    args.runs.mkdir(parents=True, exist_ok=True)
    if args.loto:
        rows = []
        for held_out in sorted({e.list for e in examples}):
            model = train([e for e in examples if e.list != held_out], base, device, args.epochs, 16, 3e-5)
            test = [e for e in examples if e.list == held_out]
            rows += [{"qid": e.qid, "list": e.list, "a": e.a, "b": e.b, "conflict": e.conflict,
                      "logit": round(float(x), 4)} for e, x in zip(test, predict(model, test, device))]
        with (args.runs / "conflict-oof.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r) + "\n" for r in rows)
    if args.final:
        train(examples, base, device, args.epochs, 16, 3e-5).save(str(args.save))
    return 0


if __name__ == "__main__":
    sys.exit(main())
