"""Does a source genuinely speak to the question, and do the sources cover it at all?

A source is judged by its best evidence: the embedding similarity of the quote to the question,
and how much of the question's rarer vocabulary the quote and its passage contain. A source that
only shares words with the question scores low on similarity; one that is merely on the same
subject scores low on coverage of the question's specific terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.evidence import Evidence

ANSWER_FLOOR = 0.80  # best evidence score below this: the sources do not cover the question
SOURCE_FLOOR = 0.62  # a further source must reach this ...
SOURCE_MARGIN = 0.30  # ... and come within this of the best source


@dataclass(frozen=True)
class Verdict:
    answered: bool
    sources: list[str]  # sources that address the question, best first
    best: float


def judge(evidence: dict[str, list[Evidence]]) -> Verdict:
    """Which sources address the question (if any)."""
    ranked = sorted(((items[0].score, source) for source, items in evidence.items() if items), reverse=True)
    if not ranked or ranked[0][0] < ANSWER_FLOOR:
        return Verdict(False, [], ranked[0][0] if ranked else 0.0)
    best = ranked[0][0]
    keep = [source for score, source in ranked if score >= max(SOURCE_FLOOR, best - SOURCE_MARGIN)]
    return Verdict(True, keep, best)
