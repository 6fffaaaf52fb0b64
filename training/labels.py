"""Assemble the readers' work into the label files of `training/data/` (spans only, no text).

    python -m training.labels WORK_DIR [--lists ../shared/training/reading-lists]

WORK_DIR holds, per reading list, the writers' `questions.jsonl` (with the answer sentences they
copied), the retrieval `candidates.jsonl` and the graders' `grades-*.jsonl`. Out come:

- `training/data/questions.jsonl`: one question a line, with its kind, whether the list answers
  it, the sources it names, the conflicting pairs with their point, and its answer spans;
- `training/data/pairs.jsonl`: one graded (question, candidate span) a line, with its grade and voice.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from training.spans import find_span

DATA = Path(__file__).parent / "data"
DEFAULT_LISTS = Path(__file__).resolve().parents[2] / "shared" / "training" / "reading-lists"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def catalog_ids(list_dir: Path) -> dict[str, str]:
    """File name -> catalog id."""
    catalog = tomllib.loads((list_dir / "catalog.toml").read_text(encoding="utf-8"))
    return {entry["file"]: entry["id"] for entry in catalog["source"]}


def assemble(work: Path, lists: Path) -> tuple[list[dict], list[dict], list[str]]:
    questions, pairs, problems = [], [], []
    for list_dir in sorted(p for p in work.iterdir() if (p / "questions.jsonl").exists()):
        name = list_dir.name
        ids = catalog_ids(lists / name)
        texts = {file: (lists / name / file).read_text(encoding="utf-8") for file in ids}
        candidates = {c["qid"]: c for c in read_jsonl(list_dir / "candidates.jsonl")}
        grades = {g["qid"]: g for path in sorted(list_dir.glob("grades-*.jsonl")) for g in read_jsonl(path)}
        for q in read_jsonl(list_dir / "questions.jsonl"):
            graded = grades.get(q["id"])
            if graded is None or q["id"] not in candidates:
                problems.append(f"{q['id']}: not graded")
                continue
            answers = []
            for answer in q.get("answers", []):
                span = find_span(texts[answer["file"]], answer["quote"])
                if span is None:
                    problems.append(f"{q['id']}: answer not found in {answer['file']}")
                    continue
                answers.append({"file": answer["file"], "source": ids[answer["file"]], "start": span[0],
                                "end": span[1], "voice": answer.get("voice", "asserts")})
            rows = []
            for c in candidates[q["id"]]["candidates"]:
                grade = graded["grades"].get(c["cid"])
                if grade is None:
                    problems.append(f"{q['id']} {c['cid']}: no grade")
                    continue
                rows.append({"qid": q["id"], "list": name, "file": c["file"], "source": c["source"],
                             "start": c["start"], "end": c["end"], "grade": grade,
                             "voice": graded.get("voice", {}).get(c["cid"]) if grade else None,
                             "origin": c["origin"]})
            pairs += rows
            answerable = q["kind"] != "unanswerable" and (bool(answers) or any(r["grade"] == 2 for r in rows))
            questions.append({"id": q["id"], "list": name, "question": q["question"], "kind": q["kind"],
                              "near_miss": bool(q.get("near_miss")), "answerable": answerable,
                              "named_sources": q.get("named_sources", []),
                              "conflicts": [{"sources": sorted(c["sources"]), "on": c["on"]}
                                            for c in q.get("conflicts", [])],
                              "answers": answers})
    return questions, pairs, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.labels")
    parser.add_argument("work", type=Path)
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    args = parser.parse_args(argv)
    questions, pairs, problems = assemble(args.work, args.lists)
    DATA.mkdir(parents=True, exist_ok=True)
    for name, rows in (("questions.jsonl", questions), ("pairs.jsonl", pairs)):
        with (DATA / name).open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"{len(questions)} questions, {len(pairs)} graded pairs; {len(problems)} problems", file=sys.stderr)
    for problem in problems[:20]:
        print("  " + problem, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
