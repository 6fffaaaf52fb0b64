"""Sentence-level evidence: the sentences of retrieved passages that actually answer.

Each candidate is a unit (one sentence or a short run of sentences) scored by its embedding
similarity to the question and by how much of the question's rarer vocabulary it contains.
Spans stay exact offsets into the document text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.answer.terms import Lexicon, content_stems, fold, is_content_word, stem, words
from index.models import Passage
from index.search import Searcher, Snapshot, UnitHit

MIN_QUOTE_CHARS = 25
ANSWER_TYPE_BONUS = 0.06  # a "when" question's quote has a date, a "how many" question's a figure
NAME_PENALTY = 0.2  # a quote naming none of the people or places the question names is rarely about them
REFERENCE_PENALTY = 0.25  # an entry of a reading list names a book; it states nothing about the question
ASKS_WHEN = re.compile(r"\b(?:when|what (?:year|date|day|month)|which year|how long ago)\b", re.I)
ASKS_HOW_MANY = re.compile(r"\b(?:how many|how much|what number|what percentage|what proportion)\b", re.I)
YEAR = re.compile(r"\b(?:1\d{3}|20\d\d|\d{1,4}\s?(?:BC|BCE|AD|CE))\b|\b(?:AD|A\.D\.)\s?\d{1,4}\b")
HAS_DATE = re.compile(rf"{YEAR.pattern}|\b(?:January|February|March|April|May|June|July|August|"
                      r"September|October|November|December)\b")
HAS_FIGURE = re.compile(r"\b\d[\d,.]*\b|\b(?:hundreds?|thousands?|millions?|dozens?|one|two|three|four|five|six|"
                        r"seven|eight|nine|ten|twelve|twenty|fifty)\b", re.I)
REFERENCE_ENTRY = re.compile(r"\((?:[A-Z][\w .,]*\s)?(?:1[5-9]|20)\d\d\)\s*[;.]?\s*$|^[^.!?]{0,200}[:;]\s*$")

# A quote scoring below this neither comes near the question nor holds its words ("(Writings,
# 1932, pp.18-20)" for "What was the Dewey Commission?"): it fills a source's share, it does not
# answer. Measured: the dev and held-out evidence recall are the same without these quotes.
QUOTE_FLOOR = 0.3
# How much lexical coverage of the question counts beside cosine similarity. Measured on the dev
# questions: a gold-adjacent quote is among a source's top three for 72% of gold sources with
# similarity alone, 86% with similarity + 0.5 x coverage (0.35 to 0.7 give the same).
COVERAGE_WEIGHT = 0.5


@dataclass(frozen=True)
class Evidence:
    source: str
    passage: Passage
    start: int
    end: int
    similarity: float  # cosine similarity of the quote to the question
    coverage: float  # share of the question's term weight (idf) found in the quote
    lexical: float  # BM25 score of the quote
    adjustment: float = 0.0  # answer type found (+) or a reference-list entry (-)
    literal: float = 0.0  # coverage by the question's own words (and its names' aliases), no synonyms
    unnamed: bool = False  # names none of the names the question is about

    @property
    def score(self) -> float:
        """How well this quote answers: ranks the quotes of a source (a quote that names none of the
        question's names ranks lower; whether the source covers the question does not depend on it)."""
        return self.similarity + COVERAGE_WEIGHT * self.coverage + self.adjustment - NAME_PENALTY * self.unnamed

    @property
    def strictness(self) -> float:
        """The same with literal coverage: judges whether the source covers the question at all."""
        return self.similarity + COVERAGE_WEIGHT * self.literal + self.adjustment

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
    return Question(repaired, searcher.embed_query(repaired), lexicon.stats.weights(content_stems(repaired)),
                    tuple(known.unmentioned(text)), lexicon.synonyms(content),
                    tuple(dict.fromkeys(stem(w) for w in content if fold(w) in known.names)),
                    {stem(w): tuple(stem(a) for a in sorted(known.aliases[fold(w)]))
                     for w in content if fold(w) in known.aliases})


def gather(searcher: Searcher, question: Question) -> dict[str, list[Evidence]]:
    """Candidate evidence per source, best first."""
    snap = searcher.snapshot
    coverage, literal = coverage_by_unit(snap, question)
    unnamed = missing_names(snap, question)
    by_source: dict[str, list[Evidence]] = {}
    for source, hits in searcher.candidates(question.text, question.vector).items():
        items = [evidence(snap, question, hit, coverage, literal, unnamed) for hit in hits
                 if hit.unit.end - hit.unit.start >= MIN_QUOTE_CHARS]
        by_source[source] = sorted(items, key=lambda e: -e.score)
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
        adjustment=adjustment(question.text, quote), literal=float(literal[snap.unit_position[hit.unit.id]]),
        unnamed=bool(unnamed[snap.unit_position[hit.unit.id]]),
    )


@lru_cache(maxsize=256)
def asked_types(question: str) -> tuple[bool, bool]:
    """Whether a question asks when, and whether it asks how many (read once per question)."""
    return bool(ASKS_WHEN.search(question)), bool(ASKS_HOW_MANY.search(question))


def adjustment(question: str, quote: str) -> float:
    """Small nudges for what a good answer looks like: the asked-for type of fact; not a book title."""
    value = 0.0
    asks_when, asks_how_many = asked_types(question)
    if asks_when and HAS_DATE.search(quote):
        value += ANSWER_TYPE_BONUS
    if asks_how_many and HAS_FIGURE.search(quote):
        value += ANSWER_TYPE_BONUS
    if all(REFERENCE_ENTRY.search(line) for line in quote.splitlines() if line.strip()):
        value -= REFERENCE_PENALTY
    return value


def pick(items: list[Evidence], limit: int) -> list[Evidence]:
    """The best non-overlapping quotes of one source worth quoting (its best always), at most `limit`."""
    chosen: list[Evidence] = []
    pool = [e for e in items if e.score >= QUOTE_FLOOR] or items[:1]
    for item in sorted(pool, key=lambda e: -e.score):
        if len(chosen) == limit:
            break
        if not any(item.overlaps(c) for c in chosen):
            chosen.append(item)
    return chosen
