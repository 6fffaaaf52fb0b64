"""The judge's training rows: for every labelled question of every training list, the candidates
the real answer path gathers from an index of that list, with their features (`bot/answer/judge.py`)
and the readers' grade of each (-1 where nobody graded that unit).

    python -m training.judge_rows [--lists DIR] [--data DIR] [--out training/runs/judge-rows.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from bot.answer.evidence import gather, prepare
from bot.answer.judge import features
from bot.answer.terms import Lexicon
from index.build import build_index
from index.config import Settings
from index.lexical import unaccented
from index.search import Searcher
from training.examples import read_jsonl
from training.labels import DEFAULT_LISTS

DATA = Path(__file__).parent / "data"
RUNS = Path(__file__).parent / "runs"


def list_settings(lists: Path, root: Path, name: str) -> Settings:
    """Settings serving one training list from its own index under `root`."""
    return Settings(_env_file=None, sources_dir=(lists / name).resolve(), data_dir=(root / name).resolve(),
                    project_dir=(lists / name).resolve(), chroma_host="", discord_token="")


def grade_of(graded: list[dict], source: str, start: int, end: int) -> int:
    """The readers' grade of a candidate: of the same span, else the best of the spans it overlaps
    (units may have been cut differently), else -1."""
    same = [p["grade"] for p in graded if p["source"] == source and p["start"] == start and p["end"] == end]
    if same:
        return max(same)
    near = [p["grade"] for p in graded if p["source"] == source and p["start"] < end and start < p["end"]]
    return max(near) if near else -1


def rows_for_list(settings: Settings, questions: list[dict], pairs: list[dict]) -> list[dict]:
    build_index(settings)
    searcher = Searcher(settings)
    snap = searcher.snapshot
    lexicon = Lexicon(snap.lexical, list(snap.texts.values()), searcher.embedder.word_vectors)
    graded = defaultdict(list)
    for p in pairs:
        graded[p["qid"]].append(p)
    rows = []
    for q in questions:
        prepared = prepare(searcher, lexicon, unaccented(q["question"]))
        items, matrix = features(prepared, gather(searcher, prepared))
        for item, vector in zip(items, matrix):
            rows.append({"qid": q["id"], "list": q["list"], "source": item.source, "file": snap.files[item.source],
                         "start": item.start, "end": item.end, "unmentioned": bool(prepared.unmentioned),
                         "grade": grade_of(graded[q["id"]], item.source, item.start, item.end),
                         "x": [round(float(v), 5) for v in vector]})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.judge_rows")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--data", type=Path, default=None, help="folder for the lists' indexes (kept for reuse)")
    parser.add_argument("--out", type=Path, default=RUNS / "judge-rows.jsonl")
    args = parser.parse_args(argv)
    questions = read_jsonl(DATA / "questions.jsonl")
    pairs = read_jsonl(DATA / "pairs.jsonl")
    root = args.data or Path(tempfile.mkdtemp(prefix="marginalia-judge-rows-"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for name in sorted({q["list"] for q in questions}):
            rows = rows_for_list(list_settings(args.lists, root, name), [q for q in questions if q["list"] == name],
                                 [p for p in pairs if p["list"] == name])
            out.writelines(json.dumps(r) + "\n" for r in rows)
            graded = sum(r["grade"] >= 0 for r in rows)
            print(f"{name}: {len(rows)} candidates, {graded} graded", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
