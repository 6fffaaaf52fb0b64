"""Follow-up questions in a conversation, and questions that name a source.

A short question that leans on the previous one ("and why?", "Was he murdered?") is searched
together with it. A question that names a source, by an author's surname ("What does Walsh say
…"), by the head of its title or by what it is ("What does the chatbot say …"), is answered from
that source alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.terms import is_content_word, words
from index.models import SourceProfile

# "and why?", "what about Walsh?": leans on what came before. A question that only starts like a
# question ("Is Paris the capital of France?") does not; one that points back ("Was he murdered?") does,
# unless it names its own subject first ("Did Trotsky know his killer?").
FOLLOW_UP_START = re.compile(r"^(?:and|but|so|also|what about|how about|then)\b", re.I)
ANAPHORA = re.compile(r"\b(?:that|this|it|he|she|him|her|they|them|his|its|their|there|those|these|same)\b", re.I)
CAPITALISED = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’-]+")
SHORT_WORDS = 12

# Naming a source by title or kind needs a verb of saying ("What does the chatbot say about …"):
# "Did Trotsky believe in world revolution?" asks about the idea, not the "World Revolution" page.
SAYING = re.compile(r"\b(?:say|says|said|write|writes|wrote|claim|claims|claimed|argue|argues|argued|describe|"
                    r"describes|described|mention|mentions|mentioned|tell|tells|told|report|reports|reported|"
                    r"according to)\b", re.I)
# "the chatbot", "the fiction page"; not "the novel Darkness at Noon" (another book), "the fiction of
# a plot" (a figure of speech) or "AI-generated" (part of a word).
KIND_NAMES = {  # case-insensitive but for "AI", and for the capital of a title that follows
    "ai-generated": re.compile(r"(?i:\b(?:the|that|this)\s+)(?:(?i:chat ?bot|chatgpt)|AI)(?![\w-])"
                               r"(?i:\s+(?:page|answers?))?(?!\s+(?:(?i:of)\b|[A-Z]))"),
    "fiction": re.compile(r"(?i:\b(?:the|that|this)\s+(?:fiction|novel|alternate[- ]history))(?![\w-])"
                          r"(?i:\s+(?:page|story))?(?!\s+(?:(?i:of)\b|[A-Z]))"),
}
ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)


@dataclass(frozen=True)
class Resolved:
    search_text: str
    only_sources: frozenset[str] = frozenset()
    read_as: str = ""  # a follow-up joined with the question before it, as the member wrote both


def resolve(question: str, previous: str | None, profiles: dict[str, SourceProfile], *,
            longest: int = 600) -> Resolved:
    """What to search for, which sources the member asked about by name, and for a follow-up how
    it was read (at most `longest` characters: a long chain keeps its first question and its
    latest ones). A source named by what it is or by its title is not searched for ("chatbot" is
    no word of the answer)."""
    named, naming = named_sources(question, profiles)
    searched = " ".join(naming.sub(" ", question).split()) if naming.pattern else question
    if previous and is_follow_up(question, profiles):
        context = chain(previous, longest - len(question) - 1)
        return Resolved(f"{context} {searched or question}".strip(), named, read_as=f"{context} {question}".strip())
    return Resolved(searched or question, named)


def chain(previous: str, room: int) -> str:
    """The previous question(s) within `room` characters: the first, then as many of the latest as fit."""
    parts = re.split(r"(?<=[?.!])\s+", previous.strip())
    while len(" ".join(parts)) > room and len(parts) > 2:
        del parts[1]
    return " ".join(parts)[:max(room, 0)].strip()


def is_follow_up(question: str, profiles: dict[str, SourceProfile] | None = None) -> bool:
    """A short question that starts by leaning on the one before, points back to it without naming
    its own subject, or names nothing of its own ("Why?", "When?")."""
    if len(question.split()) > SHORT_WORDS:
        return False
    if FOLLOW_UP_START.match(question) or not any(is_content_word(w) for w in words(question)):
        return True
    sources = {name.lower() for p in (profiles or {}).values() for name in surnames(p)}
    own_subject = any(name.lower() not in sources for name in CAPITALISED.findall(question))
    return bool(ANAPHORA.search(question)) and not own_subject  # "that" in "the agent that killed Trotsky"


def surnames(profile: SourceProfile) -> set[str]:
    return {a.split()[-1].lstrip("@") for a in profile.authors if a.strip()}


def title_head(profile: SourceProfile) -> str:
    """The part of a title a member would type: "The Great Conspiracy" of "The Great Conspiracy, Part III: …"."""
    return re.split(r"[,:(]", profile.title)[0].strip()


def named_sources(question: str, profiles: dict[str, SourceProfile]) -> tuple[frozenset[str], re.Pattern[str]]:
    """Sources the question names, and a pattern of the words that name them by title or kind
    (empty when none do): by an author's surname, by the head of its title as written ("The Great
    Conspiracy"), or by what it is ("the chatbot", "the fiction page"), the last two with a verb of
    saying."""
    words_in = {w.lower() for w in re.findall(r"[\w@]+", question)}
    saying = bool(SAYING.search(question))
    kinds = {flag for flag, pattern in KIND_NAMES.items() if saying and pattern.search(question)}
    named, namings = set(), [KIND_NAMES[flag].pattern for flag in sorted(kinds)]
    for source, profile in profiles.items():
        head = ARTICLE.sub("", title_head(profile))  # as written, but "the" may be lower-case
        title = rf"(?:(?i:the)\s+)?\b{re.escape(head)}\b"
        by_title = saying and len(title_head(profile).split()) >= 2 and re.search(title, question)
        if by_title:
            namings.append(title)
        if {s.lower() for s in surnames(profile)} & words_in or by_title or kinds & set(profile.flags):
            named.add(source)
    return frozenset(named), re.compile("|".join(f"(?:{n})" for n in namings))
