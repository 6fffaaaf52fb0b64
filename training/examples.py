"""Training examples rebuilt from the label files and the reading lists: the question, and the
candidate as the judge reads it at question time (the quote, then its neighbouring sentences)."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.chunking import chunk_document
from index.loaders import load_document

DATA = Path(__file__).parent / "data"
SOFT_LABELS = {2: 1.0, 1: 0.15, 0: 0.0}  # on-point context is mostly not an answer, but not noise either


def judge_text(candidate: str, before: str = "", after: str = "") -> str:
    """What the cross-encoder reads of a candidate: the quote first, so truncation drops context,
    never the quote, then its neighbours."""
    quote = " ".join(candidate.split())
    context = " … ".join(" ".join(part.split())[:240] for part in (before, after) if part.strip())
    return f"{quote} || {context}" if context else quote


@dataclass(frozen=True)
class Example:
    qid: str
    list: str
    question: str
    source: str
    file: str
    start: int
    end: int
    grade: int
    voice: str | None
    text: str  # as the judge reads it

    @property
    def label(self) -> float:
        return SOFT_LABELS[self.grade]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def passages_of(path: Path) -> tuple[str, list]:
    document = load_document(path, path.name, 100_000_000)
    return document.text, chunk_document(document, "doc")


def neighbours(path: Path, start: int, end: int) -> tuple[str, str]:
    """The sentence before and after a span, inside its passage (as at question time)."""
    text, passages = passages_of(path)
    starts = [p.start for p in passages]
    at = bisect.bisect_right(starts, start) - 1
    if at < 0:
        return "", ""
    sentences = passages[at].sentences
    before = [s for s in sentences if s[1] <= start][-1:]
    after = [s for s in sentences if s[0] >= end][:1]
    return (text[before[0][0]:before[0][1]] if before else "", text[after[0][0]:after[0][1]] if after else "")


def load_examples(lists: Path) -> tuple[list[dict], list[Example]]:
    questions = read_jsonl(DATA / "questions.jsonl")
    asked = {q["id"]: q["question"] for q in questions}
    examples = []
    for pair in read_jsonl(DATA / "pairs.jsonl"):
        path = lists / pair["list"] / pair["file"]
        text, _ = passages_of(path)
        before, after = neighbours(path, pair["start"], pair["end"])
        examples.append(Example(pair["qid"], pair["list"], asked[pair["qid"]], pair["source"], pair["file"],
                                pair["start"], pair["end"], pair["grade"], pair.get("voice"),
                                judge_text(text[pair["start"]:pair["end"]], before, after)))
    return questions, examples
