"""Candidates to grade: for each question of a training list, the units the project's own
retrieval shortlists (the hard negatives), plus the units holding the answers its writer found.

    python -m training.candidates LIST_DIR QUESTIONS.jsonl OUT.jsonl [--data DATA_DIR]

The output holds document text (for the readers who grade), so it is written outside the
project; the labels made from it point at documents by file and span only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from index.build import build_index
from index.config import Settings
from index.search import Searcher
from training.spans import find_span

CONTEXT_SENTENCES = 1  # sentences shown before and after a candidate


def neighbours(snap, passage_id: str, start: int, end: int) -> tuple[str, str]:
    """The sentence before and the sentence after a unit, inside its passage."""
    passage = snap.passages[snap.passage_index[passage_id]]
    text = snap.texts[passage.source]
    before = [s for s in passage.sentences if s[1] <= start][-CONTEXT_SENTENCES:]
    after = [s for s in passage.sentences if s[0] >= end][:CONTEXT_SENTENCES]
    show = lambda spans: " ".join(" ".join(text[a:b].split()) for a, b in spans)  # noqa: E731
    return show(before), show(after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.candidates")
    parser.add_argument("list_dir", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=None, help="index folder (default: a temporary one)")
    args = parser.parse_args(argv)
    data = args.data or Path(tempfile.mkdtemp(prefix="marginalia-candidates-"))
    settings = Settings(_env_file=None, sources_dir=args.list_dir.resolve(), data_dir=data.resolve(),
                        project_dir=args.list_dir.resolve(), chroma_host="", discord_token="")
    print(build_index(settings).summary(), file=sys.stderr)
    searcher = Searcher(settings)
    snap = searcher.snapshot
    by_file = {profile.file: source for source, profile in snap.profiles.items()}
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    with args.out.open("w", encoding="utf-8") as out:
        for question in questions:
            hits = [h for found in searcher.shortlist(question["question"]).values() for h in found]
            units = {h.unit.id: "retrieval" for h in hits}
            for answer in question.get("answers", []):
                source = by_file.get(answer["file"])
                span = find_span(snap.texts[source], answer["quote"]) if source else None
                if span:
                    for unit in snap.unit_list[slice(*snap.unit_range[source])]:
                        if unit.start < span[1] and span[0] < unit.end:
                            units.setdefault(unit.id, "answers")
            candidates = []
            for n, (uid, origin) in enumerate(units.items(), start=1):
                unit = snap.units[uid]
                source = snap.unit_source[snap.unit_position[uid]]
                text = snap.texts[source]
                before, after = neighbours(snap, unit.passage, unit.start, unit.end)
                candidates.append({"cid": f"c{n:02d}", "source": source, "file": snap.profiles[source].file,
                                   "start": unit.start, "end": unit.end, "origin": origin,
                                   "text": " ".join(text[unit.start:unit.end].split()), "before": before,
                                   "after": after})
            out.write(json.dumps({"qid": question["id"], "question": question["question"], "kind": question["kind"],
                                  "candidates": candidates}, ensure_ascii=False) + "\n")
    print(f"{len(questions)} questions written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
