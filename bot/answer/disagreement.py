"""Where the cited sources disagree: detect incompatible accounts and set the sides side by side.

The detector weighs evidence, it does not read minds. Its signals (SIGNALS) are what the quotes
say (one source denying in its own voice what another asserts),
what the catalog says (cited sources on different sides; fiction is a side only where the catalog
gives it one) and what the question asks (a doubt, a verdict, who is to blame); an "or" in a
question is no evidence of a conflict. A logistic regression trained on readers' conflict labels
over reading lists on other topics weighs them (`models/conflict.json`). Figures that differ for
the same quantity, or years for a "when" question, are a conflict by definition. Reported speech is
discounted: a source quoting a view it rejects ("the other side's press claimed …") does not hold
that view.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bot.answer.evidence import YEAR, asked_types
from bot.answer.models import Citation, Difference, Side
from bot.answer.terms import content_stems
from index.models import SourceProfile
from index.sentences import sentence_spans

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "conflict.json"

# A contested matter: a doubt ("really") or a verdict ("fair", "genuine") ...
CONTEST_CUE = re.compile(r"\b(?:really|actually|truly|true that|deliberately|fair|genuine(?:ly)?)\b", re.I)
# ... or who is to blame for a deed. Matched in lower case only: a capitalised word inside a
# question is part of a name or a title ("What does The Great Conspiracy say?").
BLAME = re.compile(r"\b(?:guilty|guilt|blamed?|culprits?|responsib(?:le|ility) for|"
                   r"who\b[^?.]{0,30}?\b(?:killed|kills?|murdered|murders?|assassinated|ordered))\b")
DENIAL = re.compile(r"\b(?:not|never|no|nor|neither|denied|denies|deny|false(?:ly)?|fabricat\w*|"
                    r"frame-?ups?|framed|myths?|slander\w*|lies)\b", re.I)
REPORTED = re.compile(r"\b(?:claim(?:ed|s)?|alleg(?:ed|es|ing)|according to|was said to|"
                      r"accused|accusations?|pretended|purported(?:ly)?)\b", re.I)
FIGURE = re.compile(r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|a half|half a)"
                    r"(?:\s+(?:and\s+)?(?:a\s+half|\d[\d,.]*))?\s*(trillion|billion|million|thousand|hundred|per\s?cent|%)"
                    r"(?!\w)", re.I)


@dataclass(frozen=True)
class Group:
    """Sources that speak for one side, with their citations best first."""

    label: str
    sources: tuple[str, ...]
    citations: tuple[Citation, ...]


SIGNALS = (
    "opposed",  # cited sources stand on different sides of the catalog
    "contest cue",  # the question doubts ("really", "actually") or asks for a verdict ("fair", "genuine")
    "blame",  # the question asks who is to blame for a deed
    "denial",  # one source denies, in its own voice, what another asserts
    "voices",  # log of the number of cited sources
)


def signals(question: str, voices: list[Group], sides: list[Group], profiles: dict[str, SourceProfile],
            on_point: set[int]) -> np.ndarray:
    """What the quotes, the catalog and the question say about a conflict (in SIGNALS order)."""
    return np.array([
        opposed(sides, profiles), bool(CONTEST_CUE.search(question)), asks_who_is_to_blame(question),
        denial_asymmetry(voices, on_point), math.log(len(voices)),
    ], dtype=np.float32)


@dataclass(frozen=True)
class ConflictModel:
    """A logistic regression over SIGNALS, trained on readers' conflict labels over reading lists on
    other topics, and the probability above which the sources are said to disagree, chosen on
    held-out topics (`training/train_conflict.py`)."""

    weights: np.ndarray
    bias: float
    threshold: float

    @classmethod
    @cache
    def load(cls, path: Path = DEFAULT_MODEL) -> ConflictModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["signals"]) != SIGNALS:
            raise ValueError(f"the conflict model {path} was trained on other signals; retrain it with `make train`")
        return cls(np.array(data["weights"], dtype=np.float32), float(data["bias"]), float(data["threshold"]))

    def probability(self, x: np.ndarray) -> float:
        return float(1.0 / (1.0 + math.exp(-(float(x @ self.weights) + self.bias))))


def detect(question: str, citations: list[Citation], profiles: dict[str, SourceProfile],
           on_point: set[int] | None = None, model: ConflictModel | None = None) -> list[Difference]:
    """The points on which the cited sources disagree (empty when they do not).

    `on_point` holds the citation numbers whose quotes the judge rates as answers; only those
    count as a source denying or asserting.
    """
    model = model or ConflictModel.load()
    on_point = on_point or set()
    sides = side_groups(citations, profiles, key=side_of)
    voices = side_groups(citations, profiles, key=lambda p: p.id)
    if len(voices) < 2:
        return []
    # Different figures for the same quantity, or different years for a "when", cannot both be
    # true: a conflict by definition (training/RUBRIC.md), whatever the model makes of the rest.
    facts = conflicting_figures(voices) or conflicting_years(question, voices, on_point)
    found = signals(question, voices, sides, profiles, on_point)
    if model.probability(found) < model.threshold and not facts:
        return []
    shown = sides if found[SIGNALS.index("opposed")] else voices
    wording = point(shown, facts, asks_who_is_to_blame(question))
    return [Difference(point=wording, sides=tuple(side(g, profiles) for g in shown))]


def side_of(profile: SourceProfile) -> str:
    """The side the catalog gives a source (fiction is a side only where the catalog says so)."""
    return profile.side or profile.id


def side_groups(citations: list[Citation], profiles: dict[str, SourceProfile],
                key: Callable[[SourceProfile], str]) -> list[Group]:
    """Citations grouped by side (or by source)."""
    grouped: dict[str, list[Citation]] = {}
    for c in citations:
        grouped.setdefault(key(profiles[c.source]), []).append(c)
    return [Group(label, tuple(dict.fromkeys(c.source for c in cs)), tuple(cs)) for label, cs in grouped.items()]


def opposed(groups: list[Group], profiles: dict[str, SourceProfile]) -> bool:
    """Sources on different sides, as the catalog declares them."""
    return len({profiles[g.sources[0]].side for g in groups} - {""}) >= 2


def holds(citation: Citation) -> bool:
    """False when the quote reports a view rather than stating the source's own."""
    return not REPORTED.search(citation.quote)


def denial_asymmetry(groups: list[Group], on_point: set[int]) -> bool:
    """One source denies, in its own voice and squarely on the question, what another only asserts."""
    stances = []
    for group in groups:
        squarely = [c for c in group.citations if c.n in on_point and holds(c)]
        if squarely:
            stances.append(any(DENIAL.search(c.quote) for c in squarely))
    return len(stances) >= 2 and any(stances) and not all(stances)


def figures(group: Group) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for c in filter(holds, group.citations):
        for match in FIGURE.finditer(c.quote):
            unit = re.sub(r"\s+", "", match.group(2).lower())
            found.setdefault(unit, set()).add(" ".join(match.group(0).lower().split()))
    return found


def conflicting_figures(groups: list[Group]) -> dict[str, list[set[str]]]:
    """Units ("million") that sides give different numbers for."""
    per_group = [figures(g) for g in groups]
    conflicts = {}
    for unit in set().union(*per_group):
        values = [f[unit] for f in per_group if unit in f]
        if len(values) >= 2 and any(v != values[0] for v in values[1:]):
            conflicts[unit] = values
    return conflicts


def conflicting_years(question: str, groups: list[Group], on_point: set[int]) -> dict[str, list[set[str]]]:
    """For a "when" question: the years of sources whose on-point sentences on the question name no
    year in common."""
    if not asked_types(question)[0]:
        return {}
    asked = set(content_stems(question))
    years = []
    for group in groups:
        found = {year for c in group.citations if c.n in on_point and holds(c)
                 for sentence in sentences(c.quote) if asked & set(content_stems(sentence))
                 for year in YEAR.findall(sentence)}
        if found:
            years.append(found)
    apart = any(not (a & b) for i, a in enumerate(years) for b in years[i + 1:])
    return {"year": years} if apart else {}


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text, 0, len(text))]


def asks_who_is_to_blame(question: str) -> bool:
    """Matched in lower case: a capitalised word inside a question is part of a name or a title."""
    return bool(BLAME.search(question[:1].lower() + question[1:]))


def point(groups: list[Group], facts: dict[str, list[set[str]]], blame: bool) -> str:
    """What the sides differ on: the figures or dates they give, else plainly that their accounts
    conflict (on who is to blame, when the question asks it), without restating the question."""
    if facts:
        unit, values = next(iter(facts.items()))
        shown = " versus ".join(sorted(", ".join(sorted(v)) for v in values))
        return f"the {'dates' if unit == 'year' else 'figures'} they give ({shown})"
    return "who is to blame: their accounts are incompatible" if blame else "their accounts are incompatible"


def side(group: Group, profiles: dict[str, SourceProfile]) -> Side:
    first = profiles[group.sources[0]]
    if group.label == first.side:
        label = f"{first.side} sources"
    else:
        label = first.short_name
    return Side(sources=group.sources, citations=tuple(c.n for c in group.citations), summary=label)
