"""The reading list: /sources lists every source with its profile and caveats; /source shows one."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.cards import reading_list_pages, source_pages
from bot.discord.render import clip
from bot.discord.replies import send_pages, think
from bot.discord.services import Services
from bot.display import oneline
from index.errors import MarginaliaError

CHOICE_CHARS = 100  # Discord's limit for an autocomplete choice's name and value


class UnknownSource(MarginaliaError):
    """/source with a name that matches no source, or several."""

    def __init__(self, name: str) -> None:
        super().__init__(f"No single source matches “{clip(name, 80)}”. Pick one from the list as you type, "
                         "or see them all with /sources.")


class SourcesCog(commands.Cog):
    """What the bot answers from, and why to read each source with care."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="sources", description="List the reading list, with each source's profile and caveats")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    @app_commands.allowed_installs(guilds=True)
    async def sources(self, interaction: discord.Interaction) -> None:
        await think(interaction, private=True)
        pages = reading_list_pages(await self.services.library.sources(), self.services.limits)
        await send_pages(interaction, pages, private=True)

    @app_commands.command(name="source", description="Show one source of the reading list in detail")
    @app_commands.describe(name="The source (start typing its author or title)")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    @app_commands.allowed_installs(guilds=True)
    async def source(self, interaction: discord.Interaction, name: str) -> None:
        await think(interaction, private=True)
        info = await self.services.library.find(name)
        if info is None:
            raise UnknownSource(name)
        await send_pages(interaction, source_pages(info, self.services.limits), private=True)

    @source.autocomplete("name")
    async def source_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            matches = await self.services.library.matching(current)
        except MarginaliaError:  # no index yet, or the index is unavailable: offer nothing
            return []
        return [app_commands.Choice(name=clip(oneline(f"{s.profile.short_name} — {s.profile.title}"), CHOICE_CHARS),
                                    value=s.profile.id[:CHOICE_CHARS]) for s in matches]
