"""The judge: the probability that a candidate quote states the answer to the question.

It reads what the answer layer already knows of each candidate (its similarity to the question,
how much of the question's vocabulary it holds, its BM25 score, whether it names the people the
question names, whether it has the kind of fact asked for) relative to the other candidates, and
weighs them with a small model trained on careful readers' labels over reading lists on other
topics than the users' (`training/train_judge.py`; data card in `training/README.md`). Its two
thresholds, to cite a source and to add a further quote, were chosen on held-out topics, never on
the questions that judge the project. How it was validated: `models/judge.md`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answer.evidence import Evidence, Question, asked_types

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "judge.json"

FEATURES = (
    "similarity",  # cosine similarity of quote and question
    "similarity_gap",  # ... minus the best candidate's
    "source_gap",  # ... minus the best of its own source
    "source_strength",  # its source's best similarity minus the best overall
    "rank_in_source",  # 1 / (1 + its rank by similarity within its source)
    "coverage",  # share of the question's term weight it holds, near synonyms counted in part
    "literal",  # the same by the question's own words only
    "coverage_gap",  # coverage minus the best candidate's
    "bm25_share",  # BM25 score over the best candidate's
    "bm25",  # log(1 + BM25 score)
    "unnamed",  # names none of the names the question names
    "names_asked",  # the question names someone or something
    "type_found",  # a "when" question's quote has a date, a "how many" question's a figure
    "type_missing",  # the question asks for a date or a figure and the quote has none
    "quote_words",  # log of the quote's length in words
    "question_terms",  # log(1 + the question's content terms)
    "asks_back",  # the quote is itself a question
    "sources_in_play",  # log of the number of sources with candidates
    "similarity_x_coverage",
    "absent_share",  # share of the question's term weight held by words no passage contains
)


# The direction in which a feature may move a probability (+1 up, -1 down; a feature not listed may
# go either way), in the quote model and the coverage model alike. The training questions were
# written by readers who had the texts open: their near misses reuse the texts' words, so a free
# model learns that a question sharing more words with the sources is less likely covered, and
# declines "Who was Rikyu?" on a list whose one document says who he was. Held out by topic the
# signs cost the coverage model 0.06 of ROC AUC on those questions (`models/judge.md`); a group's
# members do not write with the texts open.
DIRECTION = {
    "similarity": 1, "similarity_gap": 1, "source_strength": 1, "rank_in_source": 1, "coverage": 1, "literal": 1,
    "coverage_gap": 1, "bm25_share": 1, "bm25": 1, "unnamed": -1, "type_found": 1, "type_missing": -1,
    "asks_back": -1, "similarity_x_coverage": 1, "absent_share": -1,
    # the coverage model's (QUESTION_FEATURES)
    "best": 1, "top3": 1, "best_similarity": 1, "best_literal": 1, "best_coverage": 1, "named_share": 1,
}


def features(question: Question, evidence: dict[str, list[Evidence]]) -> tuple[list[Evidence], np.ndarray]:
    """Every candidate with its feature row (in FEATURES order)."""
    items = [e for found in evidence.values() for e in found]
    if not items:
        return [], np.zeros((0, len(FEATURES)), dtype=np.float32)
    sim = np.array([e.similarity for e in items], dtype=np.float64)
    cov = np.array([e.coverage for e in items], dtype=np.float64)
    bm25 = np.array([e.lexical for e in items], dtype=np.float64)
    source_best = {s: max(e.similarity for e in found) for s, found in evidence.items() if found}
    rank = {}
    for found in evidence.values():
        for r, e in enumerate(sorted(found, key=lambda e: -e.similarity)):
            rank[id(e)] = r
    asks_when, asks_count = asked_types(question.text)
    asks_type = asks_when or asks_count
    rows = np.column_stack([
        sim,
        sim - sim.max(),
        sim - np.array([source_best[e.source] for e in items]),
        np.array([source_best[e.source] for e in items]) - sim.max(),
        np.array([1.0 / (1 + rank[id(e)]) for e in items]),
        cov,
        np.array([e.literal for e in items]),
        cov - cov.max(),
        bm25 / bm25.max() if bm25.max() > 0 else np.zeros(len(items)),
        np.log1p(np.maximum(bm25, 0.0)),
        np.array([float(e.unnamed) for e in items]),
        np.full(len(items), float(bool(question.names))),
        np.array([float(e.type_found) for e in items]),
        np.array([float(asks_type and not e.type_found) for e in items]),
        np.array([math.log(1 + len(e.quote_text.split())) for e in items]),
        np.full(len(items), math.log1p(len(question.weights))),
        np.array([float(e.quote_text.rstrip().endswith("?")) for e in items]),
        np.full(len(items), math.log(len(source_best))),
        sim * cov,
        np.full(len(items), question.absent),
    ])
    return items, rows.astype(np.float32)


QUESTION_FEATURES = (
    "best",  # the best candidate's probability
    "top3",  # the mean of the best three (fewer for a short list: `breadth`)
    "best_similarity",
    "best_literal",
    "best_coverage",
    "names_asked",
    "named_share",  # share of the candidates that name a name the question names
    "absent_share",  # share of the question's term weight held by words no passage contains
)


def question_features(rows: np.ndarray, p: np.ndarray) -> np.ndarray:
    """What tells a question the list covers from one it only comes near, given every candidate's
    features and probability (in QUESTION_FEATURES order). None depends on how many
    sources or candidates there are (a reading list of one document is read as one of twenty), nor on
    the question's length (in the training questions, short ones were more often near misses: a
    habit of the writers, not a property of questions)."""
    if not len(rows):
        return np.zeros(len(QUESTION_FEATURES), dtype=np.float32)
    column = {name: rows[:, n] for n, name in enumerate(FEATURES)}
    ranked = np.sort(p)[::-1]
    return np.array([
        ranked[0], ranked[:breadth(len(ranked))].mean(),
        column["similarity"].max(), column["literal"].max(), column["coverage"].max(),
        column["names_asked"][0], 1.0 - column["unnamed"].mean(), column["absent_share"][0],
    ], dtype=np.float32)


def breadth(candidates: int) -> int:
    """How many of the best candidates say how much the list says on the question: three where
    there are 18 candidates or more, as for every training question; fewer for a short list, whose
    one document may hold one sentence on the matter and nothing else."""
    return min(3, max(1, candidates // 6))


@dataclass(frozen=True)
class Network:
    """Standardisation, then layers of (weights, bias) with ReLU between; a logistic output."""

    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]

    @classmethod
    def from_json(cls, data: dict) -> Network:
        return cls(np.array(data["mean"], dtype=np.float32), np.array(data["scale"], dtype=np.float32),
                   tuple((np.array(w, dtype=np.float32), np.array(b, dtype=np.float32)) for w, b in data["layers"]))

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        x = (rows - self.mean) / self.scale
        for n, (weights, bias) in enumerate(self.layers):
            x = x @ weights + bias
            if n < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return (1.0 / (1.0 + np.exp(-x.reshape(-1)))).astype(np.float32)


@dataclass(frozen=True)
class Weighed:
    evidence: dict[str, list[Evidence]]  # each candidate with its probability, best first per source
    covered: float  # the probability that the reading list answers the question


@dataclass(frozen=True)
class Judge:
    """A trained judge: the quote model, the coverage model, and the thresholds chosen on the
    validation topics."""

    quotes: Network  # P(a candidate states the answer)
    coverage: Network  # P(the list answers the question), from QUESTION_FEATURES
    cover: float  # the question is answered when `coverage` reaches this ...
    cite: float  # ... its best source cited, and every other source whose best quote reaches this
    quote: float  # a cited source's further quotes must reach this

    @classmethod
    def load(cls, path: Path | str | None = None) -> Judge:
        path = Path(path or DEFAULT_MODEL)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if tuple(data["quotes"]["features"]) != FEATURES or \
                    tuple(data["coverage"]["features"]) != QUESTION_FEATURES:
                raise ValueError("it was trained on other features; retrain it with `make train`")
            return cls(Network.from_json(data["quotes"]), Network.from_json(data["coverage"]), float(data["cover"]),
                       float(data["cite"]), float(data["quote"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"the judge model {path} cannot be used ({exc}); JUDGE_MODEL names it") from exc

    def weigh(self, question: Question, evidence: dict[str, list[Evidence]]) -> Weighed:
        """Every candidate's probability of stating the answer, and the question's of being covered."""
        items, rows = features(question, evidence)
        p = self.quotes(rows) if len(items) else np.zeros(0, dtype=np.float32)
        judged: dict[str, list[Evidence]] = {source: [] for source in evidence}
        for item, value in zip(items, p):
            judged[item.source].append(item.judged(float(value)))
        covered = float(self.coverage(question_features(rows, p)[None, :])[0]) if items else 0.0
        return Weighed({s: sorted(found, key=lambda e: -e.p) for s, found in judged.items() if found}, covered)
