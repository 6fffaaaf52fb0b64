"""Compose an answer: evidence per source, verdict, quotes, caveats, disagreement, text.

`Answerer.ask()` is plain synchronous Python (the Discord layer runs it in a thread). It never
states a contested claim in its own voice: every claim is a verbatim quote attributed to its source.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
import time
from dataclasses import dataclass, replace

from bot.answer import followup
from bot.answer.caveats import caveat_line, text_hints
from bot.answer.disagreement import ConflictModel, detect
from bot.answer.evidence import Evidence, Question, gather, pick, prepare, split_parts
from bot.answer.hygiene import tidy
from bot.answer.models import Answer, Citation, Difference, SourceNote
from bot.answer.judge import Judge
from bot.answer.relevance import Verdict, verdict
from bot.answer.terms import Lexicon
from bot.answer.text import render_text
from index.config import Settings
from index.errors import BadQuestion, QuestionTooLong
from index.lexical import unaccented
from index.search import Searcher, Snapshot

log = logging.getLogger("marginalia.answer")

NUMBERING = re.compile(r"^(?:[A-Z][a-z]+\s+)?(?:[IVXLCDM]+|\d+)\.\s+")  # "Chapter XV. ", "1. "
QUOTES_PER_SOURCE = 3
NEAREST_TOPICS = 3


@dataclass(frozen=True)
class QuestionForms:
    """The forms of one question that an answer needs."""

    typed: str  # as the member typed it (tidied)
    repaired: str  # the same with its spelling repaired; its cues ("really", "who killed") say what is contested
    part: str = ""  # the one part of a compound question the sources address, when the whole is not


class Answerer:
    """Answers questions from the serving index generation. Safe to share between threads."""

    def __init__(self, settings: Settings, searcher: Searcher | None = None,
                 conflicts: ConflictModel | None = None) -> None:
        self.settings = settings
        self.searcher = searcher or Searcher(settings)
        self.judge = Judge.load(settings.judge_model)
        self.conflicts = conflicts or ConflictModel.load()
        self._lexicon: tuple[str, Lexicon] | None = None
        self._lexicon_lock = threading.Lock()

    def reload(self) -> bool:
        """Serve the newest complete index generation; True if it changed."""
        return self.searcher.reload()

    def warm_up(self) -> None:
        """Load the model and the index now rather than on the first question, then set them aside
        from garbage collection.

        The model, the index and their libraries are half a million objects that live as long as
        the index serves. A full collection walks them all (a quarter of a second on 2 cores) in
        whichever thread it falls, a bot's event loop included; frozen, they are skipped.
        """
        self.ask(self.example_question())
        gc.freeze()

    def example_question(self) -> str:
        """A question about this reading list, for warm-up and for messages that suggest one: the
        first source's first section, or the source itself."""
        snap = self.searcher.snapshot
        for source, profile in snap.profiles.items():
            section = next((p.section.split(" › ")[-1] for p in snap.passages if p.source == source and p.section), "")
            section = NUMBERING.sub("", section).rstrip(".:")
            topic = section or (f"“{profile.title}”" if profile.title else "")
            if topic:
                return f"What does {profile.short_name} say about {topic}?"
        return "What do the sources say?"

    def validate(self, question: str) -> str:
        """The question tidied (`hygiene.tidy`), or BadQuestion saying why it cannot be read."""
        question = tidy(question)
        if not question:
            raise BadQuestion("The question is empty: ask something about the reading list.")
        if not any(character.isalnum() for character in question):
            raise BadQuestion("That has no words to look up: ask a question about the reading list in words, "
                              f"e.g. “{self.example_question()}”")
        if len(question) > self.settings.max_question_chars:
            raise QuestionTooLong(len(question), self.settings.max_question_chars)
        return question

    def ask(self, question: str, *, previous: str | None = None) -> Answer:
        """Answer one question; `previous` is the question before it in a conversation."""
        started = time.perf_counter()
        question = self.validate(question)
        snap = self.searcher.snapshot
        resolved = followup.resolve(question, previous, snap.profiles, longest=self.settings.max_question_chars)
        prepared, evidence, verdict = self.weigh(snap, resolved.search_text, resolved.only_sources)
        asked = QuestionForms(typed=question, repaired=prepared.text)
        if not verdict.answered:
            # Two questions in one dilute each other; if the whole is not covered, a part may be.
            for part in split_parts(resolved.search_text):
                attempt = self.weigh(snap, part, resolved.only_sources)
                if attempt[2].answered:
                    (_, evidence, verdict), asked = attempt, replace(asked, part=part)
                    break
        if not verdict.answered:
            answer = self.declined(question, snap, evidence, verdict.reason)
        else:
            answer = self.answered(asked, snap, {s: evidence[s] for s in verdict.sources})
        answer.read_as = resolved.read_as
        answer.seconds = time.perf_counter() - started
        return answer

    def weigh(self, snap: Snapshot, text: str,
              only_sources: frozenset[str]) -> tuple[Question, dict[str, list[Evidence]], Verdict]:
        """The question prepared, its evidence per source, and the verdict on it. Its words are
        matched without accents, as the index holds them ("Rikyu" meets "Rikyū")."""
        prepared = prepare(self.searcher, self.lexicon(snap), unaccented(text))
        evidence = gather(self.searcher, prepared)
        if only_sources:
            evidence = {s: e for s, e in evidence.items() if s in only_sources}
        weighed = self.judge.weigh(prepared, evidence)
        return prepared, weighed.evidence, verdict(prepared, weighed, self.judge.cover, self.judge.cite)

    def lexicon(self, snap: Snapshot) -> Lexicon:
        """Word statistics of the serving generation, built once per generation."""
        with self._lexicon_lock:
            if self._lexicon is None or self._lexicon[0] != snap.generation:
                lexicon = Lexicon(snap.lexical, list(snap.texts.values()), self.searcher.embedder.word_vectors)
                self._lexicon = (snap.generation, lexicon)
            return self._lexicon[1]

    def answered(self, asked: QuestionForms, snap: Snapshot, evidence: dict[str, list[Evidence]]) -> Answer:
        """The answer from the sources that address the question (or `asked.part`, the one part of
        it they address), given their evidence."""
        chosen = allocate(evidence, self.settings.max_citations, self.judge.quote)
        citations = [citation(n, item, snap) for n, item in enumerate(chosen, start=1)]
        notes = {source: self.note(snap, source, [c.quote for c in citations if c.source == source])
                 for source in evidence if any(c.source == source for c in citations)}
        squarely = {c.n for c, item in zip(citations, chosen) if item.p >= self.judge.cite}
        scores = {c.n: item.p for c, item in zip(citations, chosen)}
        found = detect(asked.repaired, citations, snap.profiles, squarely, model=self.conflicts)
        differences = [with_keys(d, scores) for d in found]
        answer = Answer(question=asked.typed, answered=True, text="", citations=citations, sources=notes,
                        disagreement=bool(differences), differences=differences)
        answer.lead = lead(answer, len(snap.profiles))
        if asked.part:
            answer.lead += f" They speak to one part of the question: “{asked.part.rstrip('?!. ')}”."
        answer.text = render_text(answer)
        return answer

    def declined(self, question: str, snap: Snapshot, evidence: dict[str, list[Evidence]], reason: str) -> Answer:
        nearby = sorted((e for items in evidence.values() for e in items[:1]), key=lambda e: -e.p)
        topics = list(dict.fromkeys(f"{snap.profiles[e.source].short_name}: {e.passage.section}"
                                    for e in nearby if e.passage.section))[:NEAREST_TOPICS]
        answer = Answer(question=question, answered=False, text="", nearest_topics=topics)
        none = ("The one source in the reading list does not address this question" if len(snap.profiles) == 1
                else f"None of the {len(snap.profiles)} sources in the reading list addresses this question")
        answer.lead = f"{none}{' (' + reason + ')' if reason else ''}, so there is nothing to quote."
        answer.text = render_text(answer)
        return answer

    def note(self, snap: Snapshot, source: str, quotes: list[str]) -> SourceNote:
        profile = snap.profiles[source]
        hints = text_hints(quotes)
        return SourceNote(
            id=source, title=profile.title, author=profile.author, date=profile.date, file=snap.files[source],
            flags=profile.flags, note=profile.note, short_name=profile.short_name, genre=profile.genre,
            stance=profile.stance, hints=hints, caveat=caveat_line(profile, hints), cataloged=profile.cataloged, detected=profile.detected,
        )


def allocate(evidence: dict[str, list[Evidence]], limit: int, floor: float) -> list[Evidence]:
    """Quotes for each source in turn (best source first) until the limit, each source's best and
    its further quotes the judge rates at least `floor`; grouped by source.

    Fewer sources leave room for more quotes each: a passage that answers is often not the one
    most similar to the question, so a few candidates per source find it more often.
    """
    per_source = max(QUOTES_PER_SOURCE, limit // max(1, len(evidence)))
    picks = {source: pick(items, per_source, floor) for source, items in evidence.items()}
    chosen: dict[str, list[Evidence]] = {source: [] for source in evidence}
    total, round_ = 0, 0
    while total < limit and any(len(p) > round_ for p in picks.values()):
        for source, items in picks.items():
            if round_ < len(items) and total < limit:
                chosen[source].append(items[round_])
                total += 1
        round_ += 1
    return [item for source in evidence for item in sorted(chosen[source], key=lambda e: e.start)]


def with_keys(difference: Difference, scores: dict[int, float]) -> Difference:
    """Each side with the quote that best answers the question, to be set beside the other sides'."""
    sides = tuple(replace(side, key=max(side.citations, key=scores.__getitem__)) for side in difference.sides)
    return replace(difference, sides=sides)


def citation(n: int, item: Evidence, snap: Snapshot) -> Citation:
    text = snap.texts[item.source]
    return Citation(n=n, source=item.source, quote=text[item.start:item.end], start=item.start, end=item.end,
                    section=item.passage.section, passage_id=item.passage.id, page=item.passage.page)


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def lead(answer: Answer, total_sources: int) -> str:
    """One line: how many sources address the question, and whether they disagree."""
    n = len(answer.sources)
    if n == 1:
        return ("The one source in the reading list addresses this." if total_sources == 1
                else f"One of the {number(total_sources)} sources addresses this.")
    count = ("Both sources" if n == 2 == total_sources else f"All {number(n)} sources" if n == total_sources
             else f"{number(n).capitalize()} of the {number(total_sources)} sources") + " address this"
    if answer.disagreement:
        return f"{count}, and they disagree."
    return f"{count}; no contradiction between them was detected."
