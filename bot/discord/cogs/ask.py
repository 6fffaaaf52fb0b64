"""Asking: /ask, the "Ask the sources" message menu, and plain direct messages.

All three accept the question first (validation, rate limit: an immediate private reply on a
mistake), then defer and answer off the event loop. In a server, a member who does not choose
`private` gets the server's default (/settings; read at start and kept in memory, see
`server_settings.py`). In a DM a short follow-up is read against the member's previous question there.
"""

from __future__ import annotations

import re
from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.asking import Asked, Asking
from bot.discord.render import render_answer
from bot.discord.replies import NO_MENTIONS, report_in_channel, send_pages, think
from bot.discord.services import Services
from bot.discord.views import answer_views
from bot.store import Context
from index.errors import BadQuestion, QuestionTooLong


TYPED_COMMAND = re.compile(r"^\s*/ask\b\s*(?:question:\s*)?", re.I)


class AskCog(commands.Cog):
    """Questions to the reading list, in servers and in DMs."""

    def __init__(self, services: Services, tree: app_commands.CommandTree) -> None:
        self.services = services
        # Discord itself stops a question longer than MAX_QUESTION_CHARS, before the member sends it
        # (at most 6000, Discord's limit). The limit is a setting, so it cannot be in the decorator:
        # set on this cog's own copy of the command (discord.py 2.x copies `_params` per cog instance).
        question = self.ask._params["question"]
        self.ask._params["question"] = replace(question, min_value=1, max_value=services.settings.max_question_chars)
        self.tree = tree  # context menus cannot live in a cog: they are added to the tree on load
        self.menu = app_commands.ContextMenu(name="Ask the sources", callback=self.ask_about_message)
        self.menu.allowed_contexts = app_commands.AppCommandContext(guild=True, dm_channel=True)
        self.menu.allowed_installs = app_commands.AppInstallationType(guild=True)

    async def cog_load(self) -> None:
        self.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(name="ask", description="Answer a question by quoting the reading list, with citations")
    @app_commands.describe(question="What you want to know",
                           private="Only you see the answer (default: this server's /settings; DMs are private)")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    @app_commands.allowed_installs(guilds=True)
    async def ask(self, interaction: discord.Interaction, question: str, private: bool | None = None) -> None:
        await self.answer_interaction(interaction, question, "slash", private=private)

    async def ask_about_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The message menu: the selected message's text is the question."""
        text = message.content or " ".join(e.description or "" for e in message.embeds)
        if not text.strip():
            raise BadQuestion("That message has no text to ask about.")
        try:
            await self.answer_interaction(interaction, text, "context-menu")
        except QuestionTooLong as exc:  # the member cannot shorten someone else's message
            raise BadQuestion(f"That message is too long to ask about (over {exc.limit} characters): "
                              "ask its point with /ask instead.") from exc

    async def answer_interaction(self, interaction: discord.Interaction, text: str, context: Context, *,
                                 private: bool | None = None) -> None:
        """Accept, defer (privately if asked, else as the server's setting says), answer, send the pages."""
        asking = Asking(interaction.user.id, interaction.channel_id or 0, interaction.guild_id, context,
                        self.services.asker.accept(interaction.user.id, text))
        if private is None:  # bounded by the settings' read timeout: the deferral stays within Discord's 3 s
            private = await self.services.server_settings.answers_private(interaction.guild_id)
        await think(interaction, private=private)
        asked = await self.services.asker.answer(asking, follow_up=interaction.guild_id is None)
        pages = render_answer(asked.answer, self.services.limits)
        await send_pages(interaction, pages, answer_views(asked.answer, pages, asked.question_id), private=private)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A direct message to the bot is a question; everything else is not ours."""
        if message.guild is not None or message.author.bot:  # the bot's own messages come back too
            return
        try:
            await self.answer_direct_message(message)
        except Exception as error:  # a DM has no interaction: the error is answered in the DM
            await report_in_channel(message.channel, error, "a direct message")

    async def answer_direct_message(self, message: discord.Message) -> None:
        text = TYPED_COMMAND.sub("", message.content, count=1)  # "/ask who killed trotsky" typed as text
        question = self.services.asker.accept(message.author.id, text)
        asking = Asking(message.author.id, message.channel.id, None, "dm", question)
        async with message.channel.typing():
            asked = await self.services.asker.answer(asking, follow_up=True)
        await send_to_channel(message.channel, asked, self.services)


async def send_to_channel(channel: discord.abc.Messageable, asked: Asked, services: Services) -> None:
    pages = render_answer(asked.answer, services.limits)
    for page, view in zip(pages, answer_views(asked.answer, pages, asked.question_id)):
        extra = {"view": view} if view is not None else {}
        await channel.send(embeds=page.embeds, allowed_mentions=NO_MENTIONS, **extra)
