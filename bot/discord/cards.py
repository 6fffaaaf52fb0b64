"""Embeds for everything but answers: the reading list, one source, a passage, a re-index.

Built as `render.Card`s, so the same splitting and packing keeps them within Discord's limits.
"""

from __future__ import annotations

from bot.discord.library import SourceInfo
from bot.discord.passages import Excerpt
from bot.discord.render import DISCORD_LIMITS, Card, Limits, Page, md, paginate, source_color, voice_line
from bot.display import count, name, oneline
from index.build import BuildReport, draft_line

SECTIONS_SHOWN = 30
COLOR_DONE = 0x10B981
COLOR_FAILED = 0xDC2626


def profile_lines(info: SourceInfo) -> str:
    """Who wrote it, when, where, in which genre, for which camp."""
    p = info.profile
    rows = [("Author", p.author), ("Date", p.date or "undated"), ("Published", p.venue), ("Genre", p.genre),
            ("Speaks for", p.stance), ("Flags", ", ".join(p.flags))]
    return "\n".join(f"**{label}:** {md(value)}" for label, value in rows if value)


def care_block(info: SourceInfo) -> str:
    note = f"\n{md(info.profile.note)}" if info.profile.note else ""
    mark = "⚠️ " if info.profile.flags or not info.profile.cataloged else ""
    return f"{mark}*{md(info.caveat)}*{note}"


def source_title(info: SourceInfo) -> str:
    return md(f"{info.profile.short_name} — “{info.profile.title}”")


def reading_list_pages(sources: list[SourceInfo], limits: Limits = DISCORD_LIMITS) -> list[Page]:
    """/sources: one card per source, with its profile and caveats."""
    cards = [Card(title=source_title(s), blocks=[profile_lines(s), care_block(s)], color=source_color(s.profile.flags))
             for s in sources]
    if not cards:
        cards = [Card(title="The reading list is empty", blocks=["Add documents to the sources folder and /reindex."])]
    cards[-1].footer = f"{count(len(sources), 'source')}. /source name:<…> shows one in detail."
    return paginate(cards, limits)


def source_pages(info: SourceInfo, limits: Limits = DISCORD_LIMITS) -> list[Page]:
    """/source: one source in detail."""
    sections = list(info.sections[:SECTIONS_SHOWN]) + (["…"] if len(info.sections) > SECTIONS_SHOWN else [])
    fields = [("In the index", f"{count(info.passages, 'passage')}, {info.characters:,} characters; "
                               f"file {md(name(info.file))}")]
    if sections:
        fields.append(("Sections", "\n".join(md(s) for s in sections)))
    card = Card(title=source_title(info), blocks=[profile_lines(info), care_block(info)], fields=fields,
                color=source_color(info.profile.flags), footer=f"id: {info.profile.id}")
    return paginate([card], limits)


def excerpt_pages(excerpt: Excerpt, limits: Limits = DISCORD_LIMITS, number: str = "") -> list[Page]:
    """"Show passage" (`number`: the citation's, "[3]"): the quote in bold, with the text around it,
    introduced in its source's voice with its flags, as in the answer."""
    profile = excerpt.profile
    text = f"{md(excerpt.before)}**{md(excerpt.quote)}**{md(excerpt.after)}"
    where = [f"§ {oneline(excerpt.section)}"] if excerpt.section else []
    where += [f"p. {excerpt.page}"] if excerpt.page else []
    where.append(f"{name(excerpt.file)}, characters {excerpt.start}–{excerpt.end}")
    cited = f"{number} " if number else ""
    card = Card(title=md(f"{cited}{profile.short_name} — “{profile.title}”"),
                blocks=[voice_line(profile), text],
                color=source_color(profile.flags), footer=" · ".join(where))
    return paginate([card], limits)


def report_pages(report: BuildReport, limits: Limits = DISCORD_LIMITS) -> list[Page]:
    """The re-index report: what changed, how big the index is, how long it took."""
    state = (f"Now serving index generation `{report.generation}`." if report.switched
             else "Nothing changed: the index was kept as it was.")
    counts = (f"{count(report.documents, 'document')}, {count(report.passages, 'passage')}, built in "
              f"{report.seconds:.1f} s. {len(report.added)} added, {len(report.changed)} changed, "
              f"{len(report.removed)} removed, {len(report.failed)} failed.")
    lists = [("Added", report.added), ("Changed", report.changed), ("Removed", report.removed)]
    fields = [(label, "\n".join(md(name(f)) for f in files)) for label, files in lists if files]
    if report.drafted:
        fields.append(("Not in the catalog (drafted)", "\n".join(
            md(f"{name(file)} {draft_line(genre, flags)}") for file, genre, flags in report.drafted)))
    if report.failed:
        fields.append(("Failed (skipped)", "\n".join(md(f"{name(file)}: {reason}") for file, reason in report.failed)))
    card = Card(title="Re-index finished", blocks=[counts, state], fields=fields,
                color=COLOR_FAILED if report.failed else COLOR_DONE)
    return paginate([card], limits)
