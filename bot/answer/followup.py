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
    """What to search for, and which sources the user asked about by name. A source named by what
    it is or by its title is not searched for ("chatbot" is no word of the answer)."""
    named = named_sources(question, profiles)
    if named:
        question = " ".join(unnamed(question, [profiles[source] for source in named]).split()) or question
    if previous and is_follow_up(question):
        return Resolved(f"{previous} {question}", named)
    return Resolved(question, named)


def unnamed(question: str, profiles: list[SourceProfile]) -> str:
    """The question without the words that name these sources by kind or title."""
    for pattern in KIND_NAMES.values():
        question = re.sub(rf"(?:{pattern.pattern})(?:\s+(?:page|answers?|story))?", " ", question,
                          flags=pattern.flags)
    for profile in profiles:
        head = title_head(profile)
        if len(head.split()) >= 2:
            question = re.sub(re.escape(head), " ", question, flags=re.I)
    return question


def title_head(profile: SourceProfile) -> str:
    """The part of a title a member would type: "The Great Conspiracy" of "The Great Conspiracy, Part III: …"."""
    return re.split(r"[,:(]", profile.title)[0].strip()


def is_follow_up(question: str) -> bool:
    """A short question that starts by leaning on the one before, points back to it, or names
    nothing of its own ("Why?", "When?")."""
    if len(question.split()) > SHORT_WORDS:
        return False
    return bool(FOLLOW_UP_START.match(question) or ANAPHORA.search(question)
                or not any(is_content_word(w) for w in words(question)))


# How members name a source by what it is rather than who wrote it, by the flag it carries.
# "the chatbot", "the fiction page"; not "Is that story fiction?" (a question about fiction, not to it).
KIND_NAMES = {"ai-generated": re.compile(r"(?i:\b(?:the|that|this)\s+)(?:(?i:chat ?bot|chatgpt)|AI)\b"),
              "fiction": re.compile(r"\b(?:the|that|this)\s+(?:fiction|novel|alternate[- ]history)\b", re.I)}


def named_sources(question: str, profiles: dict[str, SourceProfile]) -> frozenset[str]:
    """Sources the question names: by an author's surname ("Walsh", "Kahn"), by the head of its
    title ("The Great Conspiracy"), or by what it is ("the chatbot", "the fiction page")."""
    words = {w.lower() for w in re.findall(r"[\w@]+", question)}
    folded = " ".join(question.lower().split())
    kinds = {flag for flag, pattern in KIND_NAMES.items() if pattern.search(question)}
    named = set()
    for source, profile in profiles.items():
        surnames = {a.split()[-1].lstrip("@").lower() for a in profile.authors if a.strip()}
        head = title_head(profile).lower()
        if surnames & words or (len(head.split()) >= 2 and head in folded) or kinds & set(profile.flags):
            named.add(source)
    return frozenset(named)
