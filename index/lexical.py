"""BM25 (bm25s) over the embedded units, persisted beside each index generation.

Words are matched without their accents, on both sides: "Rikyu" finds "Rikyū" and "Cardenas"
finds "Cárdenas", however either was typed.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

LEXICAL_VERSION = 2  # 2: accents folded; part of a build's signature, so older indexes are rebuilt
# Letters that carry no combining accent, so decomposition leaves them as they are.
PLAIN_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
                               "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ı": "i"})


def unaccented(text: str) -> str:
    """The text without accents, its case kept ("Rikyū" -> "Rikyu", "Łódź" -> "Lodz")."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(PLAIN_LETTERS))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=1)
def bm25s():
    """bm25s, imported when first needed (it is slow to import) and quietened once: importing it
    sets its logger to DEBUG, which would put its chatter on the terminal whatever the level."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@lru_cache(maxsize=1)
def stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]):
    return bm25s().tokenize([unaccented(t) for t in texts], stopwords="en", stemmer=stemmer(), show_progress=False)


def build_bm25(texts: Sequence[str], folder: Path) -> None:
    """Index the units' texts (in manifest order) and save to folder."""
    retriever = bm25s().BM25()
    retriever.index(tokenize(texts), show_progress=False)
    retriever.save(str(folder))


class LexicalIndex:
    """A loaded BM25 index; document i is unit i of the generation's manifest."""

    def __init__(self, folder: Path, size: int) -> None:
        self.retriever = bm25s().BM25.load(str(folder))
        self.size = size

    def terms(self, query: str) -> list[str]:
        """The query's stemmed terms that occur in the indexed units."""
        tokens = bm25s().tokenize([unaccented(query)], stopwords="en", stemmer=stemmer(), return_ids=False,
                                  show_progress=False)
        vocab = self.retriever.vocab_dict
        return [t for t in tokens[0] if t in vocab]

    def containing(self, term: str) -> np.ndarray:
        """Positions of the units that contain a stemmed term (empty if none does)."""
        column = self.retriever.vocab_dict.get(unaccented(term))
        if column is None:
            return np.zeros(0, dtype=np.int64)
        indptr = self.retriever.scores["indptr"]
        return np.asarray(self.retriever.scores["indices"][indptr[column]:indptr[column + 1]])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every unit for the query (zeros when no term is known)."""
        terms = self.terms(query)
        if not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(terms), dtype=np.float32)
