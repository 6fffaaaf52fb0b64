"""Commands for server admins: /reindex (rebuild the index from chat, with progress) and /settings.

Discord hides them from members without Manage Server, but a server's integration settings
can show them to anyone, so the bot checks again: Manage Server or a role in ADMIN_ROLE_IDS,
else a private refusal (recorded for /reindex). One re-index at a time; the progress message
is edited at most once per `edit_interval`, then replaced by the report, or, from 14 minutes (a minute
before Discord stops accepting the interaction's token), both go on in the channel (`reindex_reply.py`).
A failure of any kind replaces the progress too: a bug as an incident, with its traceback logged.
/settings shows or changes the server's settings (see `server_settings.py`), privately.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.cards import report_pages
from bot.discord.reindex_reply import ReindexReply
from bot.discord.reindexing import NotAllowed, may_reindex
from bot.discord.replies import explain, replace_placeholder, reply_privately, think
from bot.discord.server_settings import Current, Visibility
from bot.discord.services import Services
from index.errors import MarginaliaError

class NotInServer(MarginaliaError):
    """An admin command forced through in a DM: it belongs to a server's admins."""

    def __init__(self) -> None:
        super().__init__("This command is for a server's admins: use it in a server the bot is in, "
                         "not in direct messages.")


STARTING = "Re-indexing the reading list: starting… Questions are still answered from the current index meanwhile."


class AdminCog(commands.Cog):
    """Index maintenance and per-server settings, for server admins."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="reindex", description="Re-index the reading list (Manage Server or an admin role)")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True)
    @app_commands.default_permissions(manage_guild=True)
    async def reindex(self, interaction: discord.Interaction) -> None:
        allowed = self.is_admin(interaction)
        # Acknowledged before any database write: a locked database can outlast Discord's 3 s.
        # A refusal, or "already running", is private; a re-index is announced to the channel.
        await think(interaction, private=not allowed or self.services.reindexer.running)
        if not allowed:
            await self.services.reindexer.record(interaction.user.id, interaction.guild_id, "refused")
            raise NotAllowed()
        async with self.services.reindexer.claim(interaction.user.id, interaction.guild_id) as run:
            await replace_placeholder(interaction, STARTING)
            reply = ReindexReply(interaction, self.services.token_window)
            try:
                report = await self.services.reindexer.build(run, lambda step: reply.progress(step.text()))
            except Exception as error:  # shown where the progress was: the whole channel saw it start
                # A bug is explained as an incident (traceback logged); Reindexer.build recorded the failure.
                await reply.failure(f"Re-index failed: {explain(error, '/reindex')} The previous index keeps serving.")
                return
        try:
            await reply.report(report_pages(report, self.services.limits), report.summary())
        except discord.HTTPException as error:  # the report refused as invalid (a bug): said where the progress is
            outcome = "the new index is serving" if report.switched else "nothing changed"
            await reply.failure(f"Re-index finished ({outcome}), but its report could not be shown: "
                                f"{explain(error, '/reindex report')}")

    @app_commands.command(name="settings",
                          description="Show or change this server's settings (Manage Server or an admin role)")
    @app_commands.describe(answers="Who sees /ask answers when the member does not choose (default: public)")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True)
    @app_commands.default_permissions(manage_guild=True)
    async def settings(self, interaction: discord.Interaction, answers: Visibility | None = None) -> None:
        if not self.is_admin(interaction):  # refused before any database work: nothing changes
            raise NotAllowed("see or change this server's settings")
        await think(interaction, private=True)  # before the database: a locked one can outlast Discord's 3 s
        guild_id = interaction.guild_id
        assert guild_id is not None  # is_admin refuses DMs
        if answers is None:
            current = await self.services.server_settings.current(guild_id)
            await reply_privately(interaction, current.summary())
            return
        await self.services.server_settings.set_answers(guild_id, answers)
        await reply_privately(interaction, "Saved. " + Current(answers, chosen=True).summary())

    def is_admin(self, interaction: discord.Interaction) -> bool:
        """The bot's own check, whatever Discord showed the member; NotInServer in a DM."""
        member = interaction.user
        if interaction.guild_id is None:
            raise NotInServer()
        return isinstance(member, discord.Member) and may_reindex(
            manage_guild=interaction.permissions.manage_guild, role_ids={r.id for r in member.roles},
            admin_role_ids=set(self.services.settings.admin_role_ids))
