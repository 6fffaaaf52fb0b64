"""Follow-up questions in a conversation ("and what does Walsh say about that?").

A short question that leans on the previous one (a pronoun, "and …", "what about …") is searched
together with the previous question. A follow-up that names a source keeps the answer to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.terms import is_content_word, words
from index.models import SourceProfile

# "and why?", "what about Walsh?": leans on what came before. A question that only starts like a
# question ("Is Paris the capital of France?") does not; one that points back ("Was he murdered?") does.
FOLLOW_UP_START = re.compile(r"^(?:and|but|so|also|what about|how about|then)\b", re.I)
ANAPHORA = re.compile(r"\b(?:that|this|it|he|she|him|her|they|them|his|its|their|there|those|these|same)\b", re.I)
SHORT_WORDS = 12


@dataclass(frozen=True)
class Resolved:
    search_text: str
    only_sources: frozenset[str] = frozenset()


def resolve(question: str, previous: str | None, profiles: dict[str, SourceProfile]) -> Resolved:
    """What to search for, and which sources the user asked about by name."""
    named = named_sources(question, profiles)
    if previous and is_follow_up(question):
        return Resolved(f"{previous} {question}", named)
    return Resolved(question, named)


def is_follow_up(question: str) -> bool:
    """A short question that starts by leaning on the one before, points back to it, or names
    nothing of its own ("Why?", "When?")."""
    if len(question.split()) > SHORT_WORDS:
        return False
    return bool(FOLLOW_UP_START.match(question) or ANAPHORA.search(question)
                or not any(is_content_word(w) for w in words(question)))


def named_sources(question: str, profiles: dict[str, SourceProfile]) -> frozenset[str]:
    """Sources the question names by an author's surname (e.g. "Walsh", "Kahn")."""
    words = {w.lower() for w in re.findall(r"[\w@]+", question)}
    named = set()
    for source, profile in profiles.items():
        surnames = {a.split()[-1].lstrip("@").lower() for a in profile.authors if a.strip()}
        if surnames & words:
            named.add(source)
    return frozenset(named)
