"""Answers as Discord embeds, within Discord's limits.

An answer becomes cards: a header (the question and the verdict), one card per cited source
(its quotes with their numbers, the citations, the caveat beside them), and "Where the sources
differ". Each card becomes as many embeds as its text needs, and embeds are packed into
messages (pages). Text is split only between blocks, and a block too long for one embed only
between sentences: a quote is never cut mid-sentence. Sizes are counted in UTF-16 code units,
which is never less than Discord's count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import discord

from bot.answer.caveats import attribution
from bot.answer.models import Answer, Citation, Difference, SourceNote
from bot.answer.text import excerpt, profile_of
from bot.display import clean, oneline
from index.models import SourceProfile
from index.sentences import split_sentences

CONTINUED = " (continued)"
FOOTER = "Every quote is verbatim from the reading list. “Show passage” shows it in context."

COLOR_AGREE = 0x3B82F6
COLOR_DIFFER = 0xF59E0B
COLOR_DECLINED = 0x6B7280
FLAG_COLORS = (("fiction", 0xDC2626), ("ai-generated", 0xDC2626), ("polemical", 0xEA580C), ("partisan", 0xCA8A04))
COLOR_PLAIN = 0x10B981


@dataclass(frozen=True)
class Limits:
    """Discord's embed limits; tests may shrink `message` to see long answers split."""

    title: int = 256
    description: int = 4096
    field_name: int = 256
    field_value: int = 1024
    fields: int = 25
    footer: int = 2048
    message: int = 6000  # all embed text in one message
    embeds: int = 10  # embeds in one message


DISCORD_LIMITS = Limits()


@dataclass(frozen=True)
class Quote:
    """A quote block: split between sentences if it must be, its number at the end."""

    text: str
    n: int


Block = str | Quote


@dataclass
class Card:
    """One logical embed, before splitting: a title, text blocks, fields."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    color: int | None = None
    footer: str = ""
    citations: tuple[int, ...] = ()  # numbers of the citations this card quotes


@dataclass
class Page:
    """One message: its embeds and the citations quoted in it (their buttons go with it)."""

    embeds: list[discord.Embed] = field(default_factory=list)
    citations: list[int] = field(default_factory=list)
    size: int = 0


# --- text helpers ---------------------------------------------------------------------------


def size(text: str | None) -> int:
    """Length as Discord's limits count it, or more (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2 if text else 0


def md(text: str) -> str:
    """Document or member text, shown as written: control characters replaced and the token
    redacted (`bot.display.clean`), markdown characters escaped."""
    return discord.utils.escape_markdown(clean(text))


def clip(text: str, limit: int) -> str:
    """Shorten text that is not a quote (a title, a label) at a word boundary, marked with …."""
    if size(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    while size(cut) > limit - 1:
        cut = cut[:-1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut[len(cut) // 2:] else cut
    return cut.rstrip() + "…"


def chunks(units: Sequence[str], room: int, joiner: str = " ") -> Iterator[str]:
    """Greedy runs of `units` joined by `joiner`, each at most `room` long (a longer unit alone)."""
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if current and size(candidate) > room:
            yield current
            current = unit
        else:
            current = candidate
    if current:
        yield current


def split_text(text: str, room: int) -> list[str]:
    """Text in pieces of at most `room`: between sentences, else between words, else anywhere."""
    pieces: list[str] = []
    for sentences in chunks(split_sentences(text), room):
        if size(sentences) <= room:
            pieces.append(sentences)
            continue
        for words in chunks(sentences.split(" "), room):  # one sentence longer than an embed
            pieces += [words] if size(words) <= room else hard_cut(words, room)
    return pieces


def hard_cut(text: str, room: int) -> list[str]:
    """The last resort for a "word" longer than an embed; a code point is at most 2 UTF-16 units."""
    step = max(1, room // 2)
    return [text[i:i + step] for i in range(0, len(text), step)]


def quote_pieces(quote: Quote, room: int) -> list[str]:
    """`> “quote” [n]`, or several such lines split between sentences, marked with …."""
    whole = f"> “{quote.text}” **[{quote.n}]**"
    if size(whole) <= room:
        return [whole]
    parts = split_text(quote.text, room - 16)  # room for the quote marks, …, and [n]
    lines = [f"> {'…' if i else '“'}{part}{'…' if i < len(parts) - 1 else '”'}" for i, part in enumerate(parts)]
    lines[-1] += f" **[{quote.n}]**"
    return lines


def block_pieces(block: Block, room: int) -> list[str]:
    if isinstance(block, Quote):
        return quote_pieces(block, room)
    return [block] if size(block) <= room else split_text(block, room)


# --- cards to embeds to pages -----------------------------------------------------------------


def card_embeds(card: Card, limits: Limits = DISCORD_LIMITS) -> list[discord.Embed]:
    """The embeds one card needs: its text split between blocks, then its fields."""
    title = clip(card.title, limits.title)
    later_title = clip(card.title, limits.title - size(CONTINUED)) + CONTINUED
    footer = clip(card.footer, limits.footer)
    reserve = max(size(title), size(later_title)) + size(footer)
    room = max(64, min(limits.description, limits.message - reserve))
    texts = list(chunks([p for b in card.blocks for p in block_pieces(b, room)], room, "\n\n")) or [""]
    embeds = [discord.Embed(title=title if i == 0 else later_title, description=text or None, color=card.color)
              for i, text in enumerate(texts)]
    for name, value in field_pieces(card.fields, limits):
        last = embeds[-1]
        if len(last.fields) >= limits.fields or measure(last) + size(footer) + size(name) + size(value) > limits.message:
            last = discord.Embed(title=later_title, color=card.color)
            embeds.append(last)
        last.add_field(name=name, value=value, inline=False)
    if footer:
        embeds[-1].set_footer(text=footer)
    return embeds


def field_pieces(fields: list[tuple[str, str]], limits: Limits) -> Iterator[tuple[str, str]]:
    """Fields within the name and value limits; a long value continues in a second field."""
    for name, value in fields:
        name = clip(name, limits.field_name)
        lines = [p for line in value.split("\n") for p in block_pieces(line, limits.field_value)]
        for i, piece in enumerate(chunks(lines, limits.field_value, "\n")):
            yield (name if i == 0 else clip(name, limits.field_name - size(CONTINUED)) + CONTINUED), piece


def measure(embed: discord.Embed) -> int:
    """An embed's text as Discord counts it towards the 6,000 per message."""
    total = size(embed.title) + size(embed.description) + size(embed.footer.text) + size(embed.author.name)
    return total + sum(size(f.name) + size(f.value) for f in embed.fields)


def paginate(cards: Sequence[Card], limits: Limits = DISCORD_LIMITS) -> list[Page]:
    """Pack the cards' embeds into as few messages as the limits allow, in order."""
    pages = [Page()]
    for card in cards:
        for embed in card_embeds(card, limits):
            page, length = pages[-1], measure(embed)
            if page.embeds and (len(page.embeds) >= limits.embeds or page.size + length > limits.message):
                page = Page()
                pages.append(page)
            page.embeds.append(embed)
            page.size += length
        pages[-1].citations += card.citations
    return pages


# --- answers ------------------------------------------------------------------------------


def render_answer(answer: Answer, limits: Limits = DISCORD_LIMITS) -> list[Page]:
    """The answer as pages of embeds; usually one."""
    return paginate(answer_cards(answer), limits)


def answer_cards(answer: Answer) -> list[Card]:
    if not answer.answered:
        return [declined_card(answer)]
    color = COLOR_DIFFER if answer.disagreement else COLOR_AGREE
    cards = [Card(title=md(oneline(answer.question)), blocks=[md(answer.lead), *read_as(answer)], color=color)]
    cards += [source_card(note, answer.citations_of(source)) for source, note in answer.sources.items()]
    if answer.differences:
        cards.append(differences_card(answer))
    cards[-1].footer = FOOTER
    return cards


def read_as(answer: Answer) -> list[str]:
    """For a follow-up, how it was read: the member sees what the answer answers."""
    return [f"*Read with your question before it: “{md(oneline(answer.read_as))}”*"] if answer.read_as else []


def declined_card(answer: Answer) -> Card:
    blocks = [md(answer.lead), *read_as(answer)]
    if answer.nearest_topics:
        topics = "\n".join(f"• {md(topic)}" for topic in answer.nearest_topics)
        blocks.append(f"**The nearest topics the sources do cover:**\n{topics}")
    blocks.append("Try one of those, or see what the reading list holds with /sources.")
    return Card(title=md(oneline(answer.question)), blocks=blocks, color=COLOR_DECLINED)


def source_card(note: SourceNote, citations: list[Citation]) -> Card:
    """A source's quotes with their numbers, its citations, and why to read it with care."""
    blocks: list[Block] = [voice_line(profile_of(note))]
    blocks += [Quote(md(oneline(c.quote)), c.n) for c in citations]
    care = md(f"{note.caveat}. {note.note}".strip(". ") + ".") if note.note else md(note.caveat)
    careful = note.flags or note.hints or not note.cataloged
    fields = [("Citations", "\n".join(citation_line(c, note) for c in citations)),
              ("Read with care" if careful else "About this source", care)]
    return Card(title=md(f"{note.short_name} — “{note.title}”"), blocks=blocks, fields=fields,
                color=source_color(note.flags), citations=tuple(c.n for c in citations))


def voice_line(profile: SourceProfile) -> str:
    """A source's flags and the voice its quotes are given in: "⚠️ **polemical** · *According to …*"."""
    marks = profile.flags if profile.cataloged else (*profile.flags, "not in the catalog")
    flags = f"⚠️ **{', '.join(marks)}** · " if marks else ""
    return flags + f"*{md(attribution(profile))}*"


def citation_line(citation: Citation, note: SourceNote) -> str:
    """[n] Author, “Title” (date), § section, p. 4."""
    where = f", § {citation.section}" if citation.section else ""
    page = f", p. {citation.page}" if citation.page else ""
    who = note.author or note.short_name
    return md(f"[{citation.n}] {who}, “{note.title}” ({note.date or 'undated'}){where}{page}")


def source_color(flags: Sequence[str]) -> int:
    return next((color for flag, color in FLAG_COLORS if flag in flags), COLOR_PLAIN)


def differences_card(answer: Answer) -> Card:
    return Card(title="Where the sources differ", blocks=[difference_block(d, answer) for d in answer.differences],
                color=COLOR_DIFFER)


def difference_block(difference: Difference, answer: Answer) -> str:
    """The point of conflict, then each side: its citations, sources, and key quote beside the others'."""
    lines = [f"**{md(difference.point)}**"]
    for side in difference.sides:
        refs = "".join(f"[{n}]" for n in side.citations)
        names = ", ".join(answer.sources[s].short_name for s in side.sources if s in answer.sources)
        summary = f"{side.summary} " if side.summary else ""
        line = f"• {md(summary)}{refs} ({md(names)})"
        if side.key is not None:
            line += f": “{md(excerpt(answer.citations[side.key - 1].quote))}” [{side.key}]"
        lines.append(line)
    return "\n".join(lines)
