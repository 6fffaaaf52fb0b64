"""One feature per cog; each turns an interaction into a call of Discord-free code and renders it."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.discord.cogs.admin import AdminCog
from bot.discord.cogs.ask import AskCog
from bot.discord.cogs.privacy import PrivacyCog
from bot.discord.cogs.sources import SourcesCog
from bot.discord.services import Services


def make_cogs(services: Services, tree: app_commands.CommandTree) -> list[commands.Cog]:
    """The bot's cogs, sharing the same services."""
    return [AskCog(services, tree), SourcesCog(services), AdminCog(services), PrivacyCog(services)]
