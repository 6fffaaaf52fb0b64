"""Why to be careful with a source: its catalog flags, and signals found in the quoted text itself.

Catalog flags come with a short reason. Text signals (invective, name-calling, loaded words,
sarcasm quotes, chatbot phrasing, alternate-history jargon) are hints computed from the quoted
passages, so a document added without a catalog entry still gets noticed.
"""

from __future__ import annotations

import re

from index.models import SourceProfile

FLAG_REASONS = {
    "polemical": "written to attack or vindicate, with invective and loaded language",
    "partisan": "published by or for one political camp",
    "fiction": "invented, counterfactual narrative: not a historical account",
    "ai-generated": "machine-generated text with no verifiable sourcing",
}

INVECTIVE = re.compile(
    r"\b(renegades?|traitors?|treacherous|treason|wreckers?|saboteurs?|spies|hirelings?|lackeys?|bandits?|"
    r"scum|vermin|degenerates?|despicable|monstrous|bloodlust|bloodthirsty|murderous|malevolen\w*|"
    r"fifth column\w*|diversionists?|terrorists?|gangsters?|reptiles?|rubbish|cynics?|philistines?|"
    r"falsifi\w+|slander\w*|lies|liars?|butcher\w*|scoundrels?|adventurers?)\b",
    re.I,
)
NAME_CALLING = re.compile(r"\b(Trotskyites?|Bukharinites?|Zinovievites?|Stalinists?|counter-?revolutionar\w+|"
                          r"enemies of the people|agents? of (?:fascism|Hitler|the Gestapo))\b", re.I)
SARCASM_QUOTES = re.compile(r"(?:so-called\s+)[“\"']?\w[\w\s-]{0,30}[”\"']?|[“\"'](?:theory|Left|socialism|"
                            r"democracy|opposition|heroes?|revolutionar\w+|comrades?|purity|humanism|experts?)[”\"']",
                            re.I)
CHATBOT = re.compile(r"(?:want (?:me to|help)|would you like|let[’']s unpack|i can help|here[’']s a|"
                     r"great question|in summary|bottom line)", re.I)
ALTERNATE_HISTORY = re.compile(r"\b(?:OTL|our timeline|alternate (?:history|timeline)|in this timeline)\b")

HINTS = (
    (INVECTIVE, "invective"),
    (NAME_CALLING, "name-calling"),
    (SARCASM_QUOTES, "sarcasm quotes"),
    (CHATBOT, "chatbot phrasing"),
    (ALTERNATE_HISTORY, "alternate-history jargon"),
)


def text_hints(texts: list[str], limit: int = 3) -> tuple[str, ...]:
    """Signals in the quoted text, e.g. "invective: “renegade”, “traitors”"."""
    found = []
    for pattern, label in HINTS:
        examples = list(dict.fromkeys(m.group(0).strip() for t in texts for m in pattern.finditer(t)))
        if examples:
            found.append(f"{label}: " + ", ".join(f"“{e}”" for e in examples[:limit]))
    return tuple(found)


def caveat_line(profile: SourceProfile, hints: tuple[str, ...] = ()) -> str:
    """One line: the flags and their reasons, the camp, and the text signals."""
    parts = [f"{flag} ({FLAG_REASONS.get(flag, flag)})" for flag in profile.flags]
    if profile.stance and "partisan" in profile.flags:
        parts.append(f"speaks for: {profile.stance}")
    if not profile.cataloged:
        parts.append("not in the catalog: nobody has vetted this document")
    if hints:
        parts.append("in the quoted text: " + "; ".join(hints))
    return "; ".join(parts) if parts else "no caveat recorded"


def attribution(profile: SourceProfile) -> str:
    """How a claim is introduced, never in the bot's own voice."""
    name = profile.short_name
    if "fiction" in profile.flags:
        return f"In an alternate-history fiction page ({name}), not a historical account:"
    if "ai-generated" in profile.flags:
        return f"A page of pasted AI-chatbot answers ({name}), unverifiable, says:"
    if "polemical" in profile.flags:
        return f"According to {name}, a {profile.genre or 'polemic'}:"
    if not profile.cataloged:
        return f"According to {name} (an uncatalogued document):"
    return f"{name} writes:"
