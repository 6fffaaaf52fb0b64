"""Why to be careful with a source: its catalog entry, and signals found in the quoted text itself.

Everything a reader is told about a source is built here from its catalog entry (genre, flags,
stance, note, `short`), with no sentence that describes one document. Text signals (invective,
chatbot phrasing, alternate-history jargon, sarcasm quotes) are hints computed from the quoted
passages with word lists kept as data files per language (`data/*.en.txt`), so a document added
without a catalog entry still gets noticed.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from index.models import SourceProfile
from index.wordlists import word_list

DATA = Path(__file__).parent / "data"
FLAG_REASONS = {
    "polemical": "written to attack or vindicate, with invective and loaded language",
    "partisan": "published by or for one camp",
    "fiction": "invented narrative: not a record of what happened",
    "ai-generated": "machine-generated text with no verifiable sourcing",
}
UNCATALOGUED = "not in the catalog: nobody has vetted this document"
SARCASM_QUOTES = re.compile(r"\bso-called\s+[“\"'‘]?\w[\w\s-]{0,30}?[”\"'’]?(?=[\s,.;:!?]|$)", re.I)


@cache
def phrases(name: str, language: str = "en") -> re.Pattern[str]:
    """A pattern of the phrases in `data/<name>.<language>.txt` (a trailing * matches any ending)."""
    entries = word_list(DATA / f"{name}.{language}.txt")
    alternatives = [re.escape(e[:-1]) + r"\w*" if e.endswith("*") else re.escape(e) for e in entries]
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + r")(?!\w)", re.I)


def hint_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return ((phrases("loaded-words"), "invective"), (SARCASM_QUOTES, "sarcasm quotes"),
            (phrases("machine-phrases"), "chatbot phrasing"), (phrases("fiction-phrases"), "alternate-history jargon"))


def text_hints(texts: list[str], limit: int = 3) -> tuple[str, ...]:
    """Signals in the quoted text, e.g. "invective: “liars”, “scoundrels”"."""
    found = []
    for pattern, label in hint_patterns():
        examples = list(dict.fromkeys(m.group(0).strip() for t in texts for m in pattern.finditer(t)))
        if examples:
            found.append(f"{label}: " + ", ".join(f"“{e}”" for e in examples[:limit]))
    return tuple(found)


def caveat_line(profile: SourceProfile, hints: tuple[str, ...] = ()) -> str:
    """One line: the flags and their reasons, the camp, and the text signals."""
    detected = "" if profile.cataloged else ", detected"
    parts = [f"{flag} ({FLAG_REASONS.get(flag, flag)}{detected})" for flag in profile.flags]
    if profile.stance and "partisan" in profile.flags:
        parts.append(f"speaks for: {profile.stance}")
    if not profile.cataloged:
        parts.append(UNCATALOGUED + (f"; reads like {article(profile.detected)} {profile.detected} (detected)"
                                     if profile.detected else ""))
    if hints:
        parts.append("in the quoted text: " + "; ".join(hints))
    return "; ".join(parts) if parts else "no caveat recorded"


def attribution(profile: SourceProfile) -> str:
    """How a claim is introduced, never in the bot's own voice, in the catalog's words."""
    name = profile.short_name
    kind = f", {article(profile.genre)} {profile.genre}," if profile.genre else ""
    if not profile.cataloged:
        reads = f"; reads like {article(profile.detected)} {profile.detected}, detected" if profile.detected else ""
        return f"According to {name} (not in the catalog{reads}):"
    if "fiction" in profile.flags:
        return f"In {name}{kind} invented, not a record of what happened:"
    if "ai-generated" in profile.flags:
        return f"{name}{kind} machine-generated and unverifiable, says:"
    if "polemical" in profile.flags:
        return f"According to {name}{kind.rstrip(',')}:"
    return f"{name} writes:"


def article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"
