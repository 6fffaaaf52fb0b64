"""/forget: a member deletes the questions and votes the bot stored about them."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import records
from bot.discord.replies import reply_privately, think
from bot.discord.services import Services


class PrivacyCog(commands.Cog):
    """What the bot keeps about members, and how they remove it."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="forget", description="Delete the questions and votes the bot has stored about you")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    @app_commands.allowed_installs(guilds=True)
    async def forget(self, interaction: discord.Interaction) -> None:
        await think(interaction, private=True)  # a busy database may take longer than Discord's 3 s
        forgotten = await records.forget(self.services.recorder, interaction.user.id)
        await reply_privately(interaction, forgotten.summary())
