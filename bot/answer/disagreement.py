"""Where the cited sources disagree (placeholder until the detector lands)."""

from __future__ import annotations

from bot.answer.models import Citation, Difference
from index.models import SourceProfile


def detect(question: str, citations: list[Citation], profiles: dict[str, SourceProfile]) -> list[Difference]:
    return []
