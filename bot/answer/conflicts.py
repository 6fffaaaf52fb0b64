"""What the conflict pair model reads: the question, and two cited sources' key quotes together.

`training/train_conflict.py` trains the model on readers' conflict labels with this format; the
answer layer will read its pairs the same way once a model passes validation (not yet: see
training/README.md). Each quote carries its voice (an author who reports or rejects a view does
not hold it), and the pair whether the catalog puts the sources on the same side, on opposite
sides, or gives no side.
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

