"""Word lists kept as data, one file per list and language: the words a rule needs live here,
not in code. One entry a line; `#` starts a comment; entries are read in lower case."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def word_list(path: Path) -> tuple[str, ...]:
    """The entries of a word-list file, in order, lower case, comments and blank lines left out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip().lower() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def index_word_list(name: str, language: str = "en") -> frozenset[str]:
    """A list of `index/data/` as a set: `index_word_list("abbreviations")`."""
    return frozenset(word_list(DATA / f"{name}.{language}.txt"))
