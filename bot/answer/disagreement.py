"""Where the cited sources disagree: detect incompatible accounts and set the sides side by side.

The detector weighs evidence, it does not read minds. Signals, each measured on the dev questions:

- opposed sides: two sources that both strongly address the question stand on different sides
  of the list's central dispute (the catalog's `side`; fiction is a side only where it says so);
- conflicting figures: the same kind of quantity ("… million") with different numbers, or, for
  a "when" question, on-point quotes that share no year;
- denial: one side's best quote denies (never, not, frame-up …) where the other's asserts;
- the question itself asks about a contested matter ("really", "actually"), who is to blame
  ("who killed", "guilty", "responsible") or an accusation ("collaborate", "spy", "betray"); an
  "or" in a question is no evidence of a conflict.

Opposed sides alone are not enough (both camps may agree on a date), nor is a contested question
alone (a single source cannot disagree with itself). Reported speech is discounted: a source
quoting a view it rejects ("the other side's press claimed …") does not hold that view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer.evidence import YEAR, asked_types
from bot.answer.models import Citation, Difference, Side
from bot.answer.terms import content_stems
from index.models import SourceProfile
from index.sentences import sentence_spans

STRONG_MARGIN = 0.6  # a source counts as a side if its best evidence is this close to the best source's
STRONG_FLOOR = 0.45  # ... and at least this good
THRESHOLD = 1.6
WEIGHTS = {"opposed": 1.0, "contested question": 0.8, "figures": 0.6, "denial": 0.4}

# A contested matter: a doubt ("really", "or") or a verdict ("fair", "genuine") ...
CONTEST_CUE = re.compile(r"\b(?:or|really|actually|truly|true that|deliberately|fair|genuine(?:ly)?)\b", re.I)
# ... or who is to blame for a deed, or whether an accusation holds: opposed camps rarely agree.
# Matched in lower case only: a capitalised word inside a question is part of a name or a title
# ("What does The Great Conspiracy say?", "The Revolution Betrayed").
BLAME = re.compile(r"\b(?:guilty|guilt|blamed?|culprits?|responsib(?:le|ility) for|"
                   r"who\b[^?.]{0,30}?\b(?:killed|kills?|murdered|murders?|assassinated|ordered))\b")
ACCUSATION = re.compile(r"\b(?:collaborat\w*|conspir\w*|spy|spies|spied|spying|traitors?|betray\w*|framed)\b")
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


def detect(question: str, citations: list[Citation], profiles: dict[str, SourceProfile],
           strength: dict[str, float], on_point: set[int] | None = None, asked: str = "") -> list[Difference]:
    """The points on which the strongly cited sources disagree (empty when they do not).

    `on_point` holds the citation numbers whose quotes address the question squarely (they
    contain most of its key words); only those count as a source denying or asserting. `asked`
    is the question as the member wrote it, for the wording (`question` has its spelling repaired).
    """
    on_point = on_point or set()
    strong = strong_sources(strength)
    sides = side_groups(citations, profiles, strong, key=side_of)
    voices = side_groups(citations, profiles, strong, key=lambda p: p.id)
    if len(voices) < 2:
        return []
    figures_apart = conflicting_figures(voices)
    blame = asks_who_is_to_blame(question)
    signals = {
        "opposed": opposed(sides, profiles),
        "contested question": bool(CONTEST_CUE.search(question)) or blame is not None,
        "figures": bool(figures_apart) or conflicting_years(question, voices, on_point),
        "denial": denial_asymmetry(voices, on_point),
    }
    if sum(WEIGHTS[name] for name, on in signals.items() if on) < THRESHOLD:
        return []
    shown = sides if signals["opposed"] else voices
    wording = point(asked or question, shown, figures_apart, blame)
    return [Difference(point=wording, sides=tuple(side(g, profiles) for g in shown))]


def strong_sources(strength: dict[str, float]) -> set[str]:
    if not strength:
        return set()
    best = max(strength.values())
    return {s for s, v in strength.items() if v >= max(STRONG_FLOOR, best - STRONG_MARGIN)}


def side_of(profile: SourceProfile) -> str:
    """The side the catalog gives a source (fiction is a side only where the catalog says so)."""
    return profile.side or profile.id


def side_groups(citations: list[Citation], profiles: dict[str, SourceProfile], strong: set[str],
                key: Callable[[SourceProfile], str]) -> list[Group]:
    """Citations of the strong sources, grouped by side (or by source)."""
    grouped: dict[str, list[Citation]] = {}
    for c in citations:
        if c.source in strong:
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


def conflicting_years(question: str, groups: list[Group], on_point: set[int]) -> bool:
    """For a "when" question: two sources whose sentences on the question name no year in common."""
    if not asked_types(question)[0]:
        return False
    asked = set(content_stems(question))
    years = []
    for group in groups:
        found = {year for c in group.citations if c.n in on_point and holds(c)
                 for sentence in sentences(c.quote) if asked & set(content_stems(sentence))
                 for year in YEAR.findall(sentence)}
        if found:
            years.append(found)
    return any(not (a & b) for i, a in enumerate(years) for b in years[i + 1:])


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text, 0, len(text))]


def asks_who_is_to_blame(question: str) -> str | None:
    """What a question about blame or an accusation asks, for the point of conflict (None: neither)."""
    text = question[:1].lower() + question[1:]  # the first word is capitalised as any first word is
    if BLAME.search(text):
        return "who is to blame"
    if ACCUSATION.search(text):
        return "whether the accusation holds"
    return None


def point(asked: str, groups: list[Group], conflicts: dict[str, list[set[str]]], blame: str | None) -> str:
    """What the sides differ on: the figures they give, else plainly that their accounts conflict
    (on who is to blame, when the question asks it), without restating the question."""
    if conflicts:
        shown = " versus ".join(sorted(", ".join(sorted(v)) for v in next(iter(conflicts.values()))))
        return f"the figures they give ({shown})"
    return f"{blame}: their accounts are incompatible" if blame else "their accounts are incompatible"


def side(group: Group, profiles: dict[str, SourceProfile]) -> Side:
    first = profiles[group.sources[0]]
    if group.label == first.side:
        label = f"{first.side} sources"
    else:
        label = first.short_name
    return Side(sources=group.sources, citations=tuple(c.n for c in group.citations), summary=label)
