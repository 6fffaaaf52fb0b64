"""The answer as a person reads it in a terminal: quotes grouped by source, caveats, citations.

Everything taken from a document or the catalog goes through `bot.display`: a quote's control
characters never reach the terminal, and a file name is shown escaped.
"""

from __future__ import annotations

import textwrap

from bot.answer.caveats import attribution
from bot.answer.models import Answer, Citation, SourceNote
from bot.display import name, oneline
from index.models import SourceProfile

WIDTH = 100
KEY_QUOTE_CHARS = 220  # a side's key quote, set beside the others' in the differences block


def render_text(answer: Answer) -> str:
    if not answer.answered:
        return declined_text(answer)
    blocks = [answer.lead]
    blocks += [source_block(note, answer.citations_of(sid)) for sid, note in answer.sources.items()]
    if answer.differences:
        blocks.append(differences_text(answer))
    blocks.append(about_text(answer))
    blocks.append(references_text(answer))
    return "\n\n".join(blocks)


def declined_text(answer: Answer) -> str:
    lines = [oneline(answer.lead)]
    if answer.nearest_topics:
        lines.append("The nearest topics they do cover: " + "; ".join(oneline(t) for t in answer.nearest_topics) + ".")
    return "\n".join(lines)


def profile_of(note: SourceNote) -> SourceProfile:
    """The attribution helpers work on profiles; a note carries what they need."""
    return SourceProfile(id=note.id, file=note.file, title=note.title, authors=tuple(filter(None, [note.author])),
                         date=note.date, genre=note.genre, stance=note.stance, flags=note.flags,
                         short=note.short_name, cataloged=note.cataloged, detected=note.detected)


def source_block(note: SourceNote, citations: list[Citation]) -> str:
    flags = ", ".join(note.flags) or "no flags"
    if not note.cataloged:
        flags = "not in the catalog; " + (f"detected: {flags}" if note.flags else f"reads like {note.detected or 'nothing known'}")
    header = f"{note.short_name}, “{note.title}” — {flags}" + (f": {note.stance}" if note.stance else "")
    lines = [oneline(header), "  " + oneline(attribution(profile_of(note)))]
    for c in citations:
        lines.append(textwrap.fill(f"“{oneline(c.quote)}” [{c.n}]", WIDTH, initial_indent="    ",
                                   subsequent_indent="     "))
    return "\n".join(lines)


def differences_text(answer: Answer) -> str:
    """Each point of conflict, then each side: who holds it, its quotes, and its key quote beside the others'."""
    lines = ["Where the sources differ:"]
    for difference in answer.differences:
        lines.append(textwrap.fill(oneline(difference.point), WIDTH, initial_indent="  ", subsequent_indent="    "))
        for i, side in enumerate(difference.sides):
            names = ", ".join(oneline(answer.sources[s].short_name) for s in side.sources)
            refs = "".join(f"[{n}]" for n in side.citations)
            head = ("versus " if i else "") + (f"{side.summary} " if side.summary else "") + f"({names}) {refs}"
            if side.key is not None:
                head += f": “{excerpt(answer.citations[side.key - 1].quote)}” [{side.key}]"
            lines.append(textwrap.fill(head, WIDTH, initial_indent="    ", subsequent_indent="      "))
    return "\n".join(lines)


def excerpt(quote: str, limit: int = KEY_QUOTE_CHARS) -> str:
    """The quote, or its opening words up to `limit` characters and an ellipsis."""
    quote = oneline(quote)
    if len(quote) <= limit:
        return quote
    cut = quote[:limit + 1]  # one more: a space right after the limit still ends a whole word
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:limit]
    return cut.rstrip(",;:—–-") + " …"


def about_text(answer: Answer) -> str:
    lines = ["About these sources:"]
    for note in answer.sources.values():
        lines.append(textwrap.fill(oneline(f"{note.short_name} — {note.caveat}. {note.note}"), WIDTH,
                                   initial_indent="  ", subsequent_indent="    "))
    return "\n".join(lines)


def references_text(answer: Answer) -> str:
    lines = []
    for c in answer.citations:
        note = answer.sources[c.source]
        where = f"§ {c.section}, " if c.section else ""
        page = f"p. {c.page}, " if c.page else ""
        cited = oneline(f"[{c.n}] {note.author or note.short_name}, “{note.title}” ({note.date or 'undated'}), "
                        f"{where}{page}")
        lines.append(f"{cited} {name(note.file)} chars {c.start}–{c.end}")
    return "\n".join(lines)
