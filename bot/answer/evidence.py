"""Sentence-level evidence: the sentences of retrieved passages that actually answer.

Each candidate is a unit (one sentence or a short run of sentences) of the search's shortlist,
described by its embedding similarity to the question, how much of the question's rarer
vocabulary it contains, its BM25 score and a few facts of form; the judge (`judge.py`) weighs
them. Spans stay exact offsets into the document text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from bot.answer.terms import Lexicon, content_stems, fold, is_content_word, stem, words
from index.authors import surname
from index.models import Passage
from index.search import Searcher, Snapshot, UnitHit

MIN_QUOTE_CHARS = 25
ASKS_WHEN = re.compile(r"\b(?:when|what (?:year|date|day|month)|which year|how long ago)\b", re.I)
ASKS_HOW_MANY = re.compile(r"\b(?:how many|how much|what number|what percentage|what proportion)\b", re.I)
YEAR = re.compile(r"\b(?:1\d{3}|20\d\d|\d{1,4}\s?(?:BC|BCE|AD|CE))\b|\b(?:AD|A\.D\.)\s?\d{1,4}\b")
HAS_DATE = re.compile(rf"{YEAR.pattern}|\b(?:January|February|March|April|May|June|July|August|"
                      r"September|October|November|December)\b")
HAS_FIGURE = re.compile(r"\b\d[\d,.]*\b|\b(?:hundreds?|thousands?|millions?|dozens?|one|two|three|four|five|six|"
                        r"seven|eight|nine|ten|twelve|twenty|fifty)\b", re.I)


@dataclass(frozen=True)
class Evidence:
    source: str
    passage: Passage
    start: int
    end: int
    similarity: float  # cosine similarity of the quote to the question
    coverage: float  # share of the question's term weight (idf) found in the quote
    lexical: float  # BM25 score of the quote
    type_found: bool = False  # has the kind of fact asked for: a date for "when", a figure for "how many"
    literal: float = 0.0  # coverage by the question's own words (and its names' aliases), no synonyms
    unnamed: bool = False  # names none of the names the question is about
    quote_text: str = ""
    p: float = 0.0  # the judge's probability that it states the answer (bot/answer/judge.py)

    def judged(self, p: float) -> Evidence:
        return replace(self, p=p)

    def overlaps(self, other: Evidence, margin: int = 0) -> bool:
        return self.source == other.source and self.start < other.end + margin and other.start < self.end + margin


@dataclass(frozen=True)
class Question:
    """A question prepared once: spelling repaired, its vector, its content stems and their weights."""

    text: str  # as searched: misspellings of corpus words repaired
    vector: np.ndarray
    weights: dict[str, float]  # stem -> idf
    unmentioned: tuple[str, ...] = ()  # names and quoted titles that no source mentions
    synonyms: dict[str, list[tuple[str, float]]] | None = None  # stem -> [(near-synonym stem, similarity)]
    names: tuple[str, ...] = ()  # stems of the names the question is about ("krivitski")
    aliases: dict[str, tuple[str, ...]] | None = None  # name stem -> stems of the other names the sources give
    absent: float = 0.0  # share of the term weight held by words no passage contains (authors' names aside)

    def spellings(self, term: str) -> tuple[str, ...]:
        """A term and the aliases the sources give it ("mercad": "mornard", "jacson")."""
        return (term, *(self.aliases or {}).get(term, ()))

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values()) or 1.0


# A compound question ("Were visitors searched for weapons? How did the killer get the ice axe
# in?") asks several things at once.
PART_BREAK = re.compile(r"(?<=\?)\s+|\s+[—–]\s+|,?\s+(?:and|or|but)\s+(?=(?:what|how|where|when|who|whom|why|which|"
                        r"did|does|do|was|were|is|are|had|has|have)\b)"
                        # "how did Krivitsky die, was he murdered …": a comma, then a yes/no question
                        r"|,\s+(?=(?:was|were|did|does|do|is|are|had|has|have)\s+(?:he|she|it|they|there)\b)", re.I)
MIN_PART_WORDS = 2  # a part with fewer content words ("and why?") says too little on its own


def split_parts(text: str) -> list[str]:
    """The separate questions of a compound question that say enough on their own; empty when it
    asks one thing. A leading question followed only by short ones ("how did Krivitsky die, was
    he murdered or did he kill himself") is its one part; "When and where was it founded?" is one
    question."""
    pieces = [p.strip(" ,;:") for p in PART_BREAK.split(text)]
    full = [p for p in pieces if sum(is_content_word(w) for w in words(p)) >= MIN_PART_WORDS]
    return full if len(full) >= 2 or (len(pieces) >= 2 and full[:1] == pieces[:1]) else []


def prepare(searcher: Searcher, lexicon: Lexicon, text: str) -> Question:
    repaired = lexicon.vocabulary.repair(text)
    content = [w for w in words(repaired) if is_content_word(w)]
    known = lexicon.vocabulary
    weights = lexicon.stats.weights(content_stems(repaired))
    synonyms = lexicon.synonyms(content)
    return Question(repaired, searcher.embed_query(repaired), weights,
                    tuple(known.unmentioned(text)), synonyms,
                    tuple(dict.fromkeys(stem(w) for w in content if fold(w) in known.names)),
                    {stem(w): tuple(stem(a) for a in sorted(known.aliases[fold(w)]))
                     for w in content if fold(w) in known.aliases},
                    absent_share(weights, synonyms, lexicon, searcher.snapshot))


def absent_share(weights: dict[str, float], synonyms: dict[str, list[tuple[str, float]]], lexicon: Lexicon,
                 snap: Snapshot) -> float:
    """The share of a question's term weight held by words that no passage contains, in no form and
    by no near synonym: what it asks about may lie outside the reading list ("What did he eat for
    breakfast?"). An author's name is not counted: a book seldom names its own author."""
    authors = {s for profile in snap.profiles.values() for a in profile.authors for s in content_stems(surname(a))}
    missing = sum(w for term, w in weights.items()
                  if not lexicon.stats.frequency(term) and not synonyms.get(term) and term not in authors)
    return missing / (sum(weights.values()) or 1.0)


def gather(searcher: Searcher, question: Question) -> dict[str, list[Evidence]]:
    """Candidate evidence per source, best first."""
    snap = searcher.snapshot
    coverage, literal = coverage_by_unit(snap, question)
    unnamed = missing_names(snap, question)
    by_source: dict[str, list[Evidence]] = {}
    for source, hits in searcher.shortlist(question.text, vector=question.vector).items():
        items = [evidence(snap, question, hit, coverage, literal, unnamed) for hit in hits
                 if hit.unit.end - hit.unit.start >= MIN_QUOTE_CHARS]
        by_source[source] = sorted(items, key=lambda e: -e.similarity)
    return {s: items for s, items in by_source.items() if items}


def coverage_by_unit(snap: Snapshot, question: Question) -> tuple[np.ndarray, np.ndarray]:
    """For every unit, the share of the question's term weight it contains (from BM25's term
    index): with near synonyms, and by the question's own words (and names' aliases) only.

    A near synonym ("murdered" for "killed") earns part of the term's weight, in proportion to
    how close the two words are.
    """
    coverage = np.zeros(len(snap.unit_list), dtype=np.float32)
    literal = np.zeros(len(snap.unit_list), dtype=np.float32)
    for term, weight in question.weights.items():
        share = weight / question.total_weight
        own = np.zeros(len(snap.unit_list), dtype=np.float32)
        for spelling in question.spellings(term):
            own[snap.lexical.containing(spelling)] = 1.0
        credit = own.copy()
        for synonym, similarity in (question.synonyms or {}).get(term, []):
            positions = snap.lexical.containing(synonym)
            credit[positions] = np.maximum(credit[positions], similarity)
        coverage += credit * share
        literal += own * share
    return coverage, literal


def missing_names(snap: Snapshot, question: Question) -> np.ndarray:
    """For every unit, whether it names none of the names the question is about ("How did
    Krivitsky die?": a sentence on how Menzhinsky died is not an answer)."""
    named = np.zeros(len(snap.unit_list), dtype=bool)
    for name in question.names:
        for spelling in question.spellings(name):
            named[snap.lexical.containing(spelling)] = True
    return ~named if question.names else named


def evidence(snap: Snapshot, question: Question, hit: UnitHit, coverage: np.ndarray, literal: np.ndarray,
             unnamed: np.ndarray) -> Evidence:
    passage = snap.passages[snap.passage_index[hit.unit.passage]]
    quote = snap.texts[hit.source][hit.unit.start:hit.unit.end]
    return Evidence(
        source=hit.source, passage=passage, start=hit.unit.start, end=hit.unit.end, similarity=hit.similarity,
        coverage=float(coverage[snap.unit_position[hit.unit.id]]), lexical=hit.lexical,
        type_found=type_found(question.text, quote), literal=float(literal[snap.unit_position[hit.unit.id]]),
        unnamed=bool(unnamed[snap.unit_position[hit.unit.id]]), quote_text=quote,
    )


@lru_cache(maxsize=256)
def asked_types(question: str) -> tuple[bool, bool]:
    """Whether a question asks when, and whether it asks how many (read once per question)."""
    return bool(ASKS_WHEN.search(question)), bool(ASKS_HOW_MANY.search(question))


def type_found(question: str, quote: str) -> bool:
    """Whether the quote has the kind of fact the question asks for: a date, a figure."""
    asks_when, asks_how_many = asked_types(question)
    return bool((asks_when and HAS_DATE.search(quote)) or (asks_how_many and HAS_FIGURE.search(quote)))


def pick(items: list[Evidence], limit: int, floor: float) -> list[Evidence]:
    """The most probable non-overlapping quotes of one source: its best always, then those whose
    probability reaches `floor`, at most `limit`."""
    chosen: list[Evidence] = []
    for item in sorted(items, key=lambda e: -e.p):
        if len(chosen) == limit or (chosen and item.p < floor):
            break
        if not any(item.overlaps(c) for c in chosen):
            chosen.append(item)
    return chosen
