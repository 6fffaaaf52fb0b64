"""Follow-up questions in a conversation, and questions that name a source.

A short question that leans on the previous one ("and why?", "Was he murdered?") is searched
together with it. A question that names a source, by an author's surname ("What does Walsh say
…"), by the head of its title or by what it is ("What does the chatbot say …"), is answered from
that source alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.terms import CAPITALISE, is_content_word, words
from index.authors import surname
from index.models import SourceProfile

# "and why?", "what about Walsh?": leans on what came before. A question that only starts like a
# question ("Is Paris the capital of France?") does not; one that points back ("Was he murdered?",
# "What did he think of Stalin?") does, unless it names its own subject before the pronoun ("Did
# Trotsky know his killer?"). "that" points back only in a question naming nobody ("Is that true?"),
# not in "the agent that killed Trotsky".
FOLLOW_UP_START = re.compile(r"^(?:and|but|so|also|what about|how about|then)\b", re.I)
POINTS_BACK = re.compile(r"\b(?:this|it|he|she|him|her|they|them|his|its|their|there|those|these|same)\b", re.I)
THAT = re.compile(r"\bthat\b", re.I)
NAME = re.compile(rf"(?<![\w'’])[{CAPITALISE}][\w'’-]+")
NOT_NAMES = {"I", "I'm", "I've", "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll"}
SHORT_WORDS = 12
MIN_CONTEXT_CHARS = 12  # less of the question before is a fragment, not a context

# Naming a source by title or kind takes a verb of saying, with the name before it ("What does
# the chatbot say about …", "Does The Great Conspiracy mention …") or after "according to":
# "Did Trotsky believe in World Revolution?" and "What does Walsh say about the chatbot?" name no
# source by title or kind.
SAYING = re.compile(r"\b(?:say|says|said|write|writes|wrote|claim|claims|claimed|argue|argues|argued|describe|"
                    r"describes|described|mention|mentions|mentioned|tell|tells|told|report|reports|reported)\b",
                    re.I)
ACCORDING_TO = re.compile(r"\baccording to\s+", re.I)
# "the chatbot", "the fiction page"; not "the novel Darkness at Noon" (another book), "the fiction of
# a plot" (a figure of speech) or "AI-generated" (part of a word).
KIND_NAMES = {  # patterns, case-insensitive but for "AI", and for the capital of a title that follows
    "ai-generated": r"(?i:\b(?:the|that|this)\s+)(?:(?i:chat ?bot|chatgpt)|AI)(?![\w-])"
                    r"(?i:\s+(?:page|answers?))?(?!\s+(?:(?i:of)\b|[A-Z]))",
    "fiction": r"(?i:\b(?:the|that|this)\s+(?:fiction|novel|alternate[- ]history))(?![\w-])"
               r"(?i:\s+(?:page|story))?(?!\s+(?:(?i:of)\b|[A-Z]))",
}
ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


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
    plain = question.translate(APOSTROPHES)
    named, naming = named_sources(plain, profiles)
    searched = (" ".join(naming.sub(" ", plain).split()) if naming.pattern else "") or question
    if previous and is_follow_up(question, profiles):
        context = chain(previous, longest - len(question) - 1)
        if context:
            return Resolved(f"{context} {searched}", named, read_as=f"{context} {question}")
    return Resolved(searched, named)


def chain(previous: str, room: int) -> str:
    """The question(s) before, within `room` characters: the first, then as many of the latest as
    fit, in whole words; empty when too little fits to be a context."""
    if room < MIN_CONTEXT_CHARS:
        return ""
    # A chain this module joined ("Who built the bridge? and why?") splits at every question mark,
    # lower case after it or not: these are questions, not prose for the sentence splitter.
    parts = re.split(r"(?<=[?.!])\s+", previous.strip())
    while len(" ".join(parts)) > room and len(parts) > 1:
        del parts[-1 if len(parts) == 2 else 1]  # the latest goes only when the first alone is left
    text = " ".join(parts)
    if len(text) > room:
        text = text[:room + 1].rsplit(" ", 1)[0] if " " in text[:room + 1] else ""
    return text if len(text) >= MIN_CONTEXT_CHARS else ""


def is_follow_up(question: str, profiles: dict[str, SourceProfile] | None = None) -> bool:
    """A short question that starts by leaning on the one before, points back to it before naming
    a subject of its own, or names nothing of its own ("Why?", "When?")."""
    if len(question.split()) > SHORT_WORDS:
        return False
    if FOLLOW_UP_START.match(question) or not any(is_content_word(w) for w in words(question)):
        return True
    sources = {name.lower() for p in (profiles or {}).values() for name in surnames(p)}
    body = question.lstrip(" \"'“‘([*_-")
    names = [m for m in NAME.finditer(body) if m.start() > 0 and m.group() not in NOT_NAMES
             and m.group().lower() not in sources]
    pointer = POINTS_BACK.search(body)
    if pointer and not any(m.start() < pointer.start() for m in names):
        return True
    return bool(THAT.search(body)) and not names


def surnames(profile: SourceProfile) -> set[str]:
    """The authors' surnames as written ("Walsh", "RandomPoster33"); none from an author that is no
    person ("an unnamed AI chatbot", an organisation)."""
    return {name for name in map(surname, profile.authors) if name}


def title_head(profile: SourceProfile) -> str:
    """The part of a title a member would type: "The Great Conspiracy" of "The Great Conspiracy, Part III: …"."""
    return re.split(r"[,:;(]", profile.title)[0].strip()


def given_names(profile: SourceProfile) -> list[str]:
    """The names a source goes by besides its authors' surnames, as patterns: the head of its title
    and the parts of its catalog `short` (without a bracketed year), as written and of two words or
    more ("The Great Conspiracy", "the Casement Report", "Heart of Darkness" of "Conrad, Heart of
    Darkness"), and each of its catalog's `cite_as` names in any case (an admin chose them, so one
    word will do: "Novanglus")."""
    patterns = []
    for name in (title_head(profile), *re.sub(r"\s*\([^)]*\)\s*$", "", profile.short).split(",")):
        head = ARTICLE.sub("", name.translate(APOSTROPHES)).strip()
        if len(head.split()) >= 2:
            patterns.append(rf"(?:(?i:the)\s+)?(?<!\w){re.escape(head)}(?!\w)")
    for name in profile.cite_as:
        head = ARTICLE.sub("", name.translate(APOSTROPHES)).strip()
        if head:
            patterns.append(rf"(?i:(?:the\s+)?(?<!\w){re.escape(head)}(?!\w))")
    return list(dict.fromkeys(patterns))


def named_sources(question: str, profiles: dict[str, SourceProfile]) -> tuple[frozenset[str], re.Pattern[str]]:
    """Sources the question names, and a pattern of the words that name them by title or kind
    (empty when none do): by an author's surname (capitalised, or in any case with a verb of
    saying: "what does walsh say"), by a name it goes by (`given_names`: "The Great Conspiracy"),
    or by what it is ("the chatbot", "the fiction page"), the last two as the one who says."""
    given = {source: given_names(profile) for source, profile in profiles.items()}
    # a verb of saying inside a name ("the Casement Report") says nothing
    inside = [m.span() for patterns in given.values() for p in patterns for m in re.finditer(p, question)]
    saying = next((m for m in SAYING.finditer(question) if not any(a <= m.start() < b for a, b in inside)), None)
    before_saying = question[:saying.start()] if saying else ""
    according = ACCORDING_TO.search(question)
    after_according = question[according.end():] if according else ""

    def says(pattern: str) -> re.Match[str] | None:
        """`pattern` as the one who says: before the verb of saying, or just after "according to"."""
        return re.search(pattern, before_saying) or re.match(pattern, after_according)

    kinds = {flag for flag, pattern in KIND_NAMES.items() if says(pattern)}
    named, namings = set(), [KIND_NAMES[flag] for flag in sorted(kinds)]
    for source, profile in profiles.items():
        by_name = [pattern for pattern in given[source] if says(pattern)]
        namings += by_name
        by_surname = any(says(rf"(?i:(?<![\w@]){re.escape(name)}(?![\w]))") for name in surnames(profile))
        if by_surname or by_name or kinds & set(profile.flags):
            named.add(source)
    return frozenset(named), re.compile("|".join(f"(?:{n})" for n in namings))
