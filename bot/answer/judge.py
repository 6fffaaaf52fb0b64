"""What the judge reads of a candidate quote: the quote, then the sentences around it.

The judge is a cross-encoder that reads the question and a candidate together and gives the
probability that the candidate states (part of) the answer. `training/train_judge.py` trains it
with this format from the bundled all-MiniLM-L6-v2 weights on readers' labels; the answer layer
will use it once a model beats the current rules on the validation topics (not yet: see
training/README.md).
"""

from __future__ import annotations

CONTEXT_CHARS = 240  # characters of each neighbouring sentence the judge reads beside a candidate
MAX_TOKENS = 192  # the judge reads at most this many tokens of question and candidate


def judge_text(candidate: str, before: str = "", after: str = "") -> str:
    """What the judge reads of a candidate: the quote first (so truncation drops context, never
    the quote), then its neighbours."""
    quote = " ".join(candidate.split())
    context = " … ".join(" ".join(part.split())[:CONTEXT_CHARS] for part in (before, after) if part.strip())
    return f"{quote} || {context}" if context else quote
