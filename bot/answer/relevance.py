"""Does a source speak to the question, and do the sources cover it at all?

The judge (`judge.py`) gives the probability that the list covers the question and that each
candidate states the answer; the thresholds on them were chosen on held-out topics
(`models/judge.md`). A question naming something (a person, a title in quotes) that no source
mentions at all is not covered, however close the rest of it comes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.evidence import Question
from bot.answer.judge import Weighed


@dataclass(frozen=True)
class Verdict:
    answered: bool
    sources: list[str]  # sources that address the question, best first
    reason: str = ""  # why the question is declined, for the reader


def verdict(question: Question, weighed: Weighed, cover: float, cite: float) -> Verdict:
    """Which sources address the question (if any): none unless the judge finds the question
    covered (`cover`); then the best source, and every other whose best quote reaches `cite`."""
    if question.unmentioned:
        names = ", ".join(f"“{name}”" for name in question.unmentioned)
        return Verdict(False, [], f"none of them mentions {names}")
    ranked = sorted(((items[0].p, source) for source, items in weighed.evidence.items() if items), reverse=True)
    if not ranked or weighed.covered < cover:
        return Verdict(False, [])
    return Verdict(True, [ranked[0][1]] + [source for p, source in ranked[1:] if p >= cite])
