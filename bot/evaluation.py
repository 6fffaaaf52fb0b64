"""`marginalia eval GOLD.jsonl`: score answers against a gold question file (format: the README's
"Checking answer quality").

Gold files name documents by their file name when the questions were written; quotes are mapped
to the indexed sources by whitespace-normalised substring search, so renamed files still match.
The figures are computed the way the project's scorer computes them; in addition every failing
question is listed with what went wrong. Citations are checked against the text the index keeps
for each source (`DATA_DIR/generations/<id>/texts/`), which for HTML and PDF is the extracted text
their offsets refer to, not the file's bytes.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.answer.compose import Answerer
from bot.answer.models import Answer, Citation
from index.errors import BadQuestion, MarginaliaError
from index.generations import Layout

NEAR = 200  # a citation within this many normalised characters of a gold quote finds it
FORMAT = "the format: README.md, “Checking answer quality”"


def norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def load_gold(path: str | Path) -> list[dict]:
    """The questions of a gold file, checked line by line: a mistake names its file and line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MarginaliaError(f"Cannot read the gold file {path}: {exc}") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = json.loads(line)
        except json.JSONDecodeError as exc:
            raise MarginaliaError(f"{path}, line {number}: not valid JSON ({exc.msg}, column {exc.colno})") from exc
        if problem := gold_problem(question):
            raise MarginaliaError(f"{path}, line {number}: {problem} ({FORMAT})")
        questions.append(question)
    if not questions:
        raise MarginaliaError(f"{path} has no questions: write one JSON object per line ({FORMAT})")
    return questions


def gold_problem(question: object) -> str:
    """What is wrong with one gold question, or "" if nothing is."""
    if not isinstance(question, dict):
        return "each line must be a JSON object"
    missing = [key for key in ("id", "question", "kind") if not isinstance(question.get(key), str)]
    if missing:  # any kind but "unanswerable" is scored as answerable, as score.py does
        return f"missing or not text: {', '.join(missing)}"
    quotes = question.get("gold_quotes", {})
    if not (isinstance(quotes, dict) and all(isinstance(q, list) and all(isinstance(x, str) for x in q)
                                             for q in quotes.values())):
        return "gold_quotes must map each file name to a list of quotes"
    if not isinstance(question.get("expect_flags", {}), dict):
        return "expect_flags must map each file name to a flag"
    return ""


@dataclass
class Tally:
    evidence: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    flags_ok: int = 0
    flags_n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    refused_ok: int = 0
    unanswerable: int = 0
    false_refusals: int = 0
    answerable: int = 0
    quotes: int = 0
    bad_quotes: int = 0
    citations: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def f1(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0

    def render(self, verbose: bool = False) -> str:
        mean = lambda xs: statistics.mean(xs) if xs else 0.0  # noqa: E731
        p, r, f1 = self.f1()
        refusal = self.refused_ok / self.unanswerable if self.unanswerable else 1.0
        false_refusal = self.false_refusals / self.answerable if self.answerable else 0.0
        flags = self.flags_ok / self.flags_n if self.flags_n else 1.0
        lines = [f"  {line}" for line in self.problems + (self.misses if verbose else [])]
        lines.append(f"questions {len(self.citations)} | quotes {self.quotes} (mean {mean(self.citations):.1f} a "
                     f"question), invalid {self.bad_quotes} | median {1000 * statistics.median(self.seconds or [0]):.0f}"
                     f" ms a question")
        lines.append(f"evidence recall {mean(self.evidence):.3f} | source recall {mean(self.recall):.3f} | "
                     f"source precision {mean(self.precision):.3f} | flags {flags:.3f} ({self.flags_ok}/{self.flags_n})"
                     f" | disagreement P {p:.2f} R {r:.2f} F1 {f1:.2f} | refusal {refusal:.2f} | "
                     f"false refusal {false_refusal:.2f}")
        return "\n".join(lines)


class Evaluation:
    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer
        snap = answerer.searcher.snapshot
        self.texts = {source: norm(text) for source, text in snap.texts.items()}
        self.layout = Layout(answerer.settings.data_path)
        self.generation = snap.generation
        self.kept: dict[str, str | None] = {}  # source -> the text the index keeps, read once
        self.tally = Tally()

    def kept_text(self, source: str) -> str | None:
        """The text a source's citations refer to, as the index keeps it on disk (None if gone)."""
        if source not in self.kept:
            try:
                self.kept[source] = self.layout.text_file(self.generation, source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError, MarginaliaError):
                self.kept[source] = None
        return self.kept[source]

    def locate(self, quote: str) -> tuple[str, int] | None:
        """The indexed source holding a quote, and where (normalised offsets)."""
        needle = norm(quote)
        for source, text in self.texts.items():
            at = text.find(needle)
            if at >= 0:
                return source, at
        return None

    def gold_sources(self, question: dict) -> dict[str, list[tuple[int, int]]]:
        """Gold document -> indexed source id, with the gold quotes' normalised spans."""
        spans: dict[str, list[tuple[int, int]]] = {}
        for quotes in question.get("gold_quotes", {}).values():
            for quote in quotes:
                if found := self.locate(quote):
                    spans.setdefault(found[0], []).append((found[1], found[1] + len(norm(quote))))
        return spans

    def run(self, gold: list[dict]) -> Tally:
        for question in gold:
            started = time.perf_counter()
            try:
                answer = self.answerer.ask(question["question"])
            except BadQuestion as exc:  # too long, say: scored as declined, and the run goes on
                answer = Answer.refused(question["question"], str(exc))
            self.tally.seconds.append(time.perf_counter() - started)
            self.score(question, answer)
        return self.tally

    def score(self, question: dict, answer: Answer) -> None:
        t, qid = self.tally, question["id"]
        t.citations.append(len(answer.citations))
        cited = self.check_quotes(qid, answer)
        gold = self.gold_sources(question)
        self.check_flags(qid, question, answer, cited)
        if question["kind"] == "unanswerable":
            t.unanswerable += 1
            if answer.answered:
                t.problems.append(f"{qid}: answered an unanswerable question, citing {sorted(cited)}")
            else:
                t.refused_ok += 1
            return
        t.answerable += 1
        if not answer.answered:
            t.false_refusals += 1
            t.problems.append(f"{qid}: declined an answerable question")
        found = {s for s, gs in gold.items() if near(cited.get(s, []), gs)}
        t.evidence.append(len(found) / len(gold) if gold else 0.0)
        t.recall.append(len(set(cited) & set(gold)) / len(gold) if gold else 0.0)
        t.precision.append(len(set(cited) & set(gold)) / len(cited) if cited else 0.0)
        for source in sorted(set(gold) - found):
            why = "not cited" if source not in cited else "cited, but no quote near the gold passage"
            (t.problems if answer.answered else t.misses).append(f"{qid}: missed {source} ({why})")
        self.check_disagreement(qid, question, answer)

    def check_quotes(self, qid: str, answer: Answer) -> dict[str, list[tuple[int, int]]]:
        """Verify every quote against the text the index keeps; return normalised spans per source."""
        cited: dict[str, list[tuple[int, int]]] = {}
        if len(answer.citations) > 8:
            self.tally.bad_quotes += 1
            self.tally.problems.append(f"{qid}: {len(answer.citations)} citations, more than 8")
        for c in answer.citations:
            self.tally.quotes += 1
            if problem := self.quote_problem(c, answer):
                self.tally.bad_quotes += 1
                self.tally.problems.append(f"{qid}: citation [{c.n}] {problem}")
                continue
            if found := self.locate(c.quote):
                cited.setdefault(c.source, []).append((found[1], found[1] + len(norm(c.quote))))
        return cited

    def quote_problem(self, c: Citation, answer: Answer) -> str:
        """What is wrong with one citation, or "" if nothing is."""
        text = self.kept_text(c.source)
        where = f"the indexed text of {answer.sources[c.source].file}"
        if text is None:
            return f"cites a source whose text the index no longer has ({where})"
        if text[c.start:c.end] != c.quote:
            return f"is not a verbatim slice of {where} (chars {c.start}–{c.end})"
        if len(c.quote) < 20:
            return f"is shorter than 20 characters ({where})"
        return ""

    def check_flags(self, qid: str, question: dict, answer: Answer, cited: dict) -> None:
        for gold_file, flag in question.get("expect_flags", {}).items():
            quotes = question.get("gold_quotes", {}).get(gold_file, [])
            source = next((f[0] for q in quotes if (f := self.locate(q))), None)
            if source in cited:
                self.tally.flags_n += 1
                if flag in answer.sources[source].flags:
                    self.tally.flags_ok += 1
                else:
                    self.tally.problems.append(f"{qid}: quotes {source} without the flag {flag!r}")

    def check_disagreement(self, qid: str, question: dict, answer: Answer) -> None:
        predicted, wanted = answer.disagreement, bool(question.get("expect_disagreement"))
        self.tally.tp += predicted and wanted
        self.tally.fp += predicted and not wanted
        self.tally.fn += wanted and not predicted
        if predicted != wanted:
            self.tally.problems.append(f"{qid}: disagreement {predicted}, expected {wanted}")


def near(cited: list[tuple[int, int]], gold: list[tuple[int, int]]) -> bool:
    return any(cs < ge + NEAR and gs < ce + NEAR for cs, ce in cited for gs, ge in gold)


def evaluate(answerer: Answerer, gold: list[dict]) -> Tally:
    return Evaluation(answerer).run(gold)
