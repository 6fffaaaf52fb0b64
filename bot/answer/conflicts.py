"""Whether two cited sources conflict on a question: a pair model reads the question and the two
sources' key quotes together (trained by `training/train_conflict.py` on readers' conflict labels).

Each quote carries its voice (an author who reports or rejects a view does not hold it), and the
pair whether the catalog puts the sources on the same side, opposite sides, or gives no side.
"""

from __future__ import annotations

QUOTE_CHARS = 400  # of each key quote the pair model reads


def sides_relation(a: str, b: str) -> str:
    """"same side", "opposite sides" or "no side", from two catalog `side` values."""
    if not a or not b:
        return "no side"
    return "same side" if a.strip().lower() == b.strip().lower() else "opposite sides"


def pair_text(quote_a: str, voice_a: str, quote_b: str, voice_b: str, relation: str) -> str:
    """What the pair model reads beside the question."""
    def shown(quote: str, voice: str) -> str:
        return f"({voice}) " + " ".join(quote.split())[:QUOTE_CHARS]

    return f"[{relation}] A {shown(quote_a, voice_a)} || B {shown(quote_b, voice_b)}"
