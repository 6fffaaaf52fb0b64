"""The judge's labels: enough of them, spans only (no document text in the project), grades and
voices from the rubric; where the training lists are beside the project (CI), every span lies in
its file and the answers a writer copied are found again."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from shared_material import SHARED

from index.config import PROJECT_ROOT
from training.spans import find_span

DATA = PROJECT_ROOT / "training" / "data"
LISTS = SHARED / "training" / "reading-lists"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_there_are_enough_labels_of_every_kind() -> None:
    questions, pairs = rows("questions.jsonl"), rows("pairs.jsonl")
    assert len(questions) >= 400 and len(pairs) >= 12_000
    kinds = Counter(q["kind"] for q in questions)
    assert {"factual", "contested", "fiction", "names_source", "unanswerable"} <= set(kinds)
    assert sum(q["near_miss"] for q in questions) * 2 >= kinds["unanswerable"] * 0.9
    assert len({q["list"] for q in questions}) == 5
    assert {p["grade"] for p in pairs} == {0, 1, 2}
    assert all(p["voice"] in ("asserts", "reports", "rejects") for p in pairs if p["grade"])
    assert all(c["on"].strip() and len(c["sources"]) == 2 for q in questions for c in q["conflicts"])


def test_labels_point_at_spans_and_hold_no_document_text() -> None:
    for pair in rows("pairs.jsonl"):
        assert set(pair) <= {"qid", "list", "file", "source", "start", "end", "grade", "voice", "origin"}
        assert 0 <= pair["start"] < pair["end"]
    for question in rows("questions.jsonl"):
        assert all(set(a) <= {"file", "source", "start", "end", "voice"} for a in question["answers"])


@pytest.mark.skipif(not LISTS.is_dir(), reason="the training reading lists are not beside the project")
def test_every_span_lies_in_its_file() -> None:
    texts: dict[tuple[str, str], str] = {}
    for pair in rows("pairs.jsonl"):
        key = (pair["list"], pair["file"])
        texts.setdefault(key, (LISTS / pair["list"] / pair["file"]).read_text(encoding="utf-8"))
        assert pair["end"] <= len(texts[key]) and texts[key][pair["start"]:pair["end"]].strip()


def test_a_quote_is_found_whatever_its_line_breaks() -> None:
    text = "The keepers were three\nin number.  Each served six weeks."
    assert find_span(text, "three in number. Each served") == (text.index("three"), text.index("served") + 6)
    assert find_span(text, "four in number") is None
