"""A cited passage with the text around it, found again from a button's custom id.

A "Show passage" button must work after a restart and after a re-index, so its custom id
carries where the quote is (source, character span) and a fingerprint of the quoted words.
If the source text changed since the answer, the fingerprint no longer matches and the member
is told so, rather than shown some other passage. No Discord here.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from bot.answer.models import Citation
from index.errors import MarginaliaError
from index.models import Passage, SourceProfile
from index.search import Snapshot
from index.sentences import sentence_spans

# Source ids are used as they are when short and plain, else by a checksum (custom ids hold 100 chars).
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,48}")
REF_PATTERN = r"(?P<source>[A-Za-z0-9._-]{1,48}|~[0-9a-f]{8}):(?P<start>\d{1,9}):(?P<end>\d{1,9}):(?P<check>[0-9a-f]{8})"
CONTEXT_CHARS = 3200  # what the embed shows around the quote; leaves room for markdown escapes


class PassageGone(MarginaliaError):
    """The cited text is no longer where the button says (the source changed or was removed)."""

    def __init__(self) -> None:
        super().__init__("This passage has changed or left the reading list since the answer was given "
                         "(the sources were re-indexed). Ask the question again to see the current text.")


def checksum(text: str) -> str:
    """Eight hex digits identifying a text up to whitespace."""
    return f"{zlib.crc32(' '.join(text.split()).encode('utf-8')):08x}"


@dataclass(frozen=True)
class PassageRef:
    """Where a quote is: what a "Show passage" button carries."""

    source: str  # the source id, or "~" + checksum(id) for long or unusual ids
    start: int
    end: int
    check: str  # checksum of the quoted words

    @classmethod
    def of(cls, citation: Citation) -> PassageRef:
        source = citation.source if _PLAIN_ID.fullmatch(citation.source) else "~" + checksum(citation.source)
        return cls(source, citation.start, citation.end, checksum(citation.quote))

    @classmethod
    def from_groups(cls, groups: dict[str, str]) -> PassageRef:
        """From the named groups of REF_PATTERN."""
        return cls(groups["source"], int(groups["start"]), int(groups["end"]), groups["check"])

    def encode(self) -> str:
        return f"{self.source}:{self.start}:{self.end}:{self.check}"

    def source_id(self, snap: Snapshot) -> str:
        """The source id in `snap`, or PassageGone."""
        for source in snap.profiles:
            if self.source in (source, "~" + checksum(source)):
                return source
        raise PassageGone()


@dataclass(frozen=True)
class Excerpt:
    """A quote with the text before and after it, trimmed to whole sentences."""

    profile: SourceProfile
    file: str
    section: str
    page: int | None
    before: str
    quote: str
    after: str
    start: int
    end: int


def find_excerpt(snap: Snapshot, ref: PassageRef, room: int = CONTEXT_CHARS) -> Excerpt:
    """The quote `ref` points at, with its passage and the neighbouring passages around it."""
    source = ref.source_id(snap)
    text = snap.texts[source]
    if ref.end > len(text) or ref.start >= ref.end or checksum(text[ref.start:ref.end]) != ref.check:
        raise PassageGone()
    passages = [p for p in snap.passages if p.source == source]
    index = next((i for i, p in enumerate(passages) if p.start <= ref.start < p.end), None)
    if index is None:
        raise PassageGone()
    low, high = _neighbourhood(passages, index)
    quote = text[ref.start:ref.end]
    before, after = trim(text[low:ref.start], text[ref.end:high], room - len(quote))
    here = passages[index]
    return Excerpt(snap.profiles[source], snap.files[source], here.section, here.page, before, quote, after,
                   ref.start, ref.end)


def _neighbourhood(passages: list[Passage], index: int) -> tuple[int, int]:
    """Character range of the passage and the ones right before and after it."""
    low = passages[index - 1].start if index > 0 else passages[index].start
    high = passages[index + 1].end if index + 1 < len(passages) else passages[index].end
    return low, high


def trim(before: str, after: str, room: int) -> tuple[str, str]:
    """Drop whole sentences from the far ends until both fit in `room` characters together.

    Cuts fall only between sentences, so paragraph breaks inside what is kept survive.
    """
    starts = [0] + [a for a, _ in sentence_spans(before)[1:]] + [len(before)]
    ends = [0] + [b for _, b in sentence_spans(after)[:-1]] + [len(after)]
    head, tail = 0, len(ends) - 1
    while (len(before) - starts[head]) + ends[tail] > room and (head < len(starts) - 1 or tail > 0):
        # Trim the longer side first, so the quote stays near the middle.
        if tail == 0 or (head < len(starts) - 1 and len(before) - starts[head] >= ends[tail]):
            head += 1
        else:
            tail -= 1
    kept_before = ("…" if head else "") + before[starts[head]:]
    kept_after = after[:ends[tail]] + ("…" if tail < len(ends) - 1 else "")
    return kept_before, kept_after
