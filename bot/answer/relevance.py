"""Does a source genuinely speak to the question, and do the sources cover it at all?

A source is judged by its best evidence: the embedding similarity of the quote to the question
plus how much of the question's rarer vocabulary the quote contains. A source that only shares
words with the question scores low on similarity; one merely on the same subject scores low on
coverage of the question's specific terms. A question naming something (a person, a title in
quotes) that no source mentions at all is not covered, however close the rest of it comes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.evidence import Evidence, Question

ANSWER_FLOOR = 0.76  # best (literal) evidence score below this: the sources do not cover the question
SOURCE_FLOOR = 0.45  # a further source must reach this ...
SOURCE_MARGIN = 0.40  # ... and come within this of the best source
MIN_SIMILARITY = 0.40  # a quote less similar than this shares words with the question, not its meaning ...
ALL_WORDS = 0.99  # ... unless it holds every one of them ("Who was Sylvia Ageloff?": the model knows no names)


@dataclass(frozen=True)
class Verdict:
    answered: bool
    sources: list[str]  # sources that address the question, best first
    reason: str = ""  # why the question is declined, for the reader


def means(item: Evidence) -> bool:
    """Whether a quote can speak for its source: near the question in meaning, or holding all its words."""
    return item.similarity >= MIN_SIMILARITY or item.literal >= ALL_WORDS


def judge(question: Question, evidence: dict[str, list[Evidence]]) -> Verdict:
    """Which sources address the question (if any)."""
    ranked = sorted(((max((e.strictness for e in items if means(e)), default=0.0), source)
                     for source, items in evidence.items() if items), reverse=True)
    best = ranked[0][0] if ranked else 0.0
    if question.unmentioned:
        names = ", ".join(f"“{name}”" for name in question.unmentioned)
        return Verdict(False, [], f"none of them mentions {names}")
    if best < ANSWER_FLOOR:
        return Verdict(False, [])
    keep = [source for score, source in ranked if score >= max(SOURCE_FLOOR, best - SOURCE_MARGIN)]
    return Verdict(True, keep)
