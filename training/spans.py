"""Find a quote in a document's text whatever its line breaks: labels point at spans, not text."""

from __future__ import annotations

Span = tuple[int, int]


def collapsed(text: str) -> tuple[str, list[int]]:
    """The text with white-space runs collapsed to one space, and each character's offset."""
    out: list[str] = []
    offsets: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if space:
                continue
            out.append(" ")
            offsets.append(i)
            space = True
        else:
            out.append(ch)
            offsets.append(i)
            space = False
    return "".join(out), offsets


def find_span(text: str, quote: str) -> Span | None:
    """Where `quote` lies in `text` (white space may differ), or None."""
    haystack, offsets = collapsed(text)
    needle = " ".join(quote.split())
    at = haystack.find(needle) if needle else -1
    if at < 0:
        return None
    return offsets[at], offsets[at + len(needle) - 1] + 1
