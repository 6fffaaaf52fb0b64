"""Buttons under answers that keep working after a restart.

Each button is a `DynamicItem`: everything it needs is in its custom id, and the class is
registered with the bot in `setup_hook`, so a press on a message sent by an earlier run of the
bot is still understood. "Show passage" carries the quote's location (see `passages.py`);
the votes carry the stored question's id. Errors are answered here, privately: discord.py
does not pass a dynamic item's errors to the command tree.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.answer.models import Answer
from bot.discord import records
from bot.discord.cards import excerpt_pages
from bot.discord.passages import REF_PATTERN, PassageRef, find_excerpt
from bot.discord.render import Page
from bot.discord.replies import reply_privately, report_error, send_pages, think
from bot.discord.services import services_of

PASSAGE_PREFIX = "mg:passage:"
VOTE_PREFIX = "mg:vote:"
SHOW_PASSAGE = "Show passage"  # a button's label, then its citation's number: "Show passage [3]"


class ShowPassage(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PASSAGE_PREFIX + REF_PATTERN):
    """Shows the cited passage, with the text around it, to the member who pressed it."""

    def __init__(self, ref: PassageRef, label: str = SHOW_PASSAGE) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary, custom_id=PASSAGE_PREFIX + ref.encode(), emoji="📖")
        super().__init__(button)
        self.ref = ref

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> ShowPassage:
        label = getattr(item, "label", None) or SHOW_PASSAGE
        return cls(PassageRef.from_groups(match.groupdict()), label)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await think(interaction, private=True)  # before the slow lookup below: Discord allows 3 s
            services = services_of(interaction.client)
            # In a thread: loading the index and searching a source's passages are slow work.
            excerpt = await asyncio.to_thread(lambda: find_excerpt(services.answerer.searcher.snapshot, self.ref))
            number = (self.item.label or "").removeprefix(SHOW_PASSAGE).strip()  # "[3]"
            pages = excerpt_pages(excerpt, services.limits, number)
            await send_pages(interaction, pages, private=True)
        except Exception as error:  # answered privately; bugs get an incident id
            await report_error(interaction, error, "Show passage")


class Vote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_PREFIX + r"(?P<question>\d{1,18}):(?P<direction>up|down)"):
    """👍 / 👎 on an answer, stored against the recorded question."""

    EMOJI = {"up": "👍", "down": "👎"}

    def __init__(self, question_id: int, direction: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            style=discord.ButtonStyle.secondary, emoji=self.EMOJI[direction],
            custom_id=f"{VOTE_PREFIX}{question_id}:{direction}")
        super().__init__(button)
        self.question_id, self.direction = question_id, direction

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> Vote:
        return cls(int(match["question"]), match["direction"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await think(interaction, private=True)  # before the database: a locked one can outlast Discord's 3 s
            recorder = services_of(interaction.client).recorder
            await records.vote(recorder, self.question_id, interaction.user.id, self.direction)
            await reply_privately(interaction, f"Thanks: your {self.EMOJI[self.direction]} on this answer is "
                                               "recorded (a second vote replaces it).")
        except Exception as error:
            await report_error(interaction, error, "a vote")


DYNAMIC_ITEMS = (ShowPassage, Vote)


def answer_views(answer: Answer, pages: Sequence[Page], question_id: int | None) -> list[discord.ui.View | None]:
    """Per page: "Show passage" for each citation quoted on it; the votes under the last page."""
    citations = {c.n: c for c in answer.citations}
    views: list[discord.ui.View | None] = []
    for index, page in enumerate(pages):
        items: list[discord.ui.Item[Any]] = [ShowPassage(PassageRef.of(citations[n]), f"{SHOW_PASSAGE} [{n}]")
                                             for n in page.citations]
        if index == len(pages) - 1 and question_id is not None:
            items += [Vote(question_id, "up"), Vote(question_id, "down")]
        views.append(view_of(items))
    return views


def view_of(items: Sequence[discord.ui.Item[Any]]) -> discord.ui.View | None:
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view
