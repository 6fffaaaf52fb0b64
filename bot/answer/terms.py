"""Words that carry a question's meaning, and how rare each is in the reading list."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np

from index.lexical import LexicalIndex, stemmer

WORD_RE = re.compile(r"(?u)\b\w\w+\b")
# Function words and question scaffolding: they say nothing about what a passage is about.
STOPWORDS = frozenset("""
a about above actually after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing done down during each ever exactly few for from
further had has have having he her here hers herself him himself his how however i if in into is it its
itself just know let like many me more most much must my myself no nor not now of off on once only or other
our ours ourselves out over own really same say said says she should so some such tell than that the their
theirs them themselves then there these they this those through to too under until up very was we were what
when where which while who whom whose why will with would you your yours yourself yourselves did does get
got happen happened happens anything something someone anyone thing things way ways one ones two first
give given use used make made take took see seen go went come came also especially please
""".split())


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return stemmer().stemWord(word)


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, repeats kept."""
    return [stem(w) for w in words(text) if is_content_word(w)]


def is_content_word(word: str) -> bool:
    """Not a function word; numbers only when they look like years."""
    return word not in STOPWORDS and (not word.isdigit() or len(word) == 4)


class TermStats:
    """Inverse document frequency of stems, read from the BM25 index (documents = passages)."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self.vocab: dict[str, int] = lexical.retriever.vocab_dict
        self.df = np.diff(lexical.retriever.scores["indptr"])
        self.n = int(lexical.retriever.scores["num_docs"])

    def frequency(self, term: str) -> int:
        index = self.vocab.get(term)
        return int(self.df[index]) if index is not None and index < len(self.df) else 0

    def idf(self, term: str) -> float:
        df = self.frequency(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def weights(self, stems: list[str]) -> dict[str, float]:
        return {s: self.idf(s) for s in dict.fromkeys(stems)}
