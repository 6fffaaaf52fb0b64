"""The bot assembled: intents, the command tree with its central error handler, start-up, `run()`.

Dependencies are built outside the bot (`open_services`) and passed in; cogs and the restart-proof
buttons are registered in `setup_hook`, which also builds the index if there is none and syncs
the commands. No privileged intent is needed: slash commands arrive as interactions, and direct
messages carry their content without the message-content intent.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands
from discord.ext import commands

from bot.discord.cogs import make_cogs
from bot.discord.logs import redact_in_logs
from bot.discord.replies import NO_MENTIONS, report_error
from bot.discord.services import Services, open_services
from bot.discord.views import DYNAMIC_ITEMS
from index.config import Settings
from index.errors import MarginaliaError
from index.generations import Layout

log = logging.getLogger("marginalia.discord")

NO_TOKEN = ("DISCORD_TOKEN is not set. Create a bot in the Discord developer portal, put its token in .env "
            "as DISCORD_TOKEN=… and run `make bot` again (the README's Discord section has the steps).")
BAD_TOKEN = ("Discord rejected DISCORD_TOKEN. Copy the bot's token again from the developer portal "
             "(Bot → Reset Token) into .env as DISCORD_TOKEN=…, then run `make bot` again.")
OUTDATED = "This command changed since your Discord client loaded it. Wait a moment and try again."


# The bot never joins voice: no start-up warnings about voice libraries it does not need.
discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False


def intents() -> discord.Intents:
    """Servers (for channels and roles) and direct messages; nothing privileged."""
    return discord.Intents(guilds=True, dm_messages=True)


class MarginaliaTree(app_commands.CommandTree):
    """Every command's errors end here: a private answer, and bugs logged with an incident id."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        where = f"/{interaction.command.qualified_name}" if interaction.command else "a command"
        await report_error(interaction, unwrap(error), where)


def unwrap(error: app_commands.AppCommandError) -> BaseException:
    """The error to explain: the command's own exception, or discord.py's made readable."""
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    if isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
        return MarginaliaError(OUTDATED)
    if isinstance(error, app_commands.CheckFailure):
        return MarginaliaError(str(error) or "You cannot use this command here.")
    return error


class MarginaliaBot(commands.Bot):
    """The Discord bot; everything it does goes through `services`."""

    def __init__(self, services: Services) -> None:
        # No prefix commands (see on_message); commands.Bot is for cogs and the tree.
        super().__init__(command_prefix=commands.when_mentioned, intents=intents(), help_command=None,
                         tree_cls=MarginaliaTree, allowed_mentions=NO_MENTIONS)
        self.services = services
        self._ready_logged = False

    async def login(self, token: str) -> None:
        redact_in_logs(token)  # before anything could log it, however the bot is started
        await super().login(token)

    async def setup_hook(self) -> None:
        await self.services.prepare()
        for cog in make_cogs(self.services, self.tree):
            await self.add_cog(cog)
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        await sync_commands(self.tree, self.services.settings.discord_guild_ids)

    async def on_message(self, message: discord.Message) -> None:
        """Prefix commands are not used: direct messages are questions, handled by the ask cog."""

    async def on_ready(self) -> None:
        if self._ready_logged:
            log.info("Reconnected to Discord.")
            return
        self._ready_logged = True
        generation = Layout(self.services.settings.data_path).current() or "none yet"
        log.info("Ready: logged in as %s (id %s) in %d server(s), serving index generation %s.",
                 self.user, self.user.id if self.user else "?", len(self.guilds), generation)


async def sync_commands(tree: app_commands.CommandTree, guild_ids: list[int]) -> None:
    """To DISCORD_GUILD_IDS at once if set (not usable in DMs then), else globally."""
    if not guild_ids:
        synced = await tree.sync()
        log.info("Synced %d commands globally (new commands can take up to an hour to appear).", len(synced))
        return
    for guild_id in guild_ids:
        guild = discord.Object(id=guild_id)
        tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
        log.info("Synced %d commands to server %s.", len(synced), guild_id)


def point_discord_at(settings: Settings) -> None:
    """Use DISCORD_API_BASE / DISCORD_GATEWAY_URL (a Discord-compatible server) when set."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


async def serve(settings: Settings, token: str) -> None:
    """Run the bot until it is closed or cancelled (Ctrl-C)."""
    async with open_services(settings) as services, MarginaliaBot(services) as bot:
        await bot.start(token)


def run(settings: Settings) -> int:
    """`marginalia bot`: the exit code; a token problem is one line on standard error."""
    token = settings.discord_token.get_secret_value().strip()
    if not token:
        print(f"marginalia: {NO_TOKEN}", file=sys.stderr)
        return 2
    redact_in_logs(token)
    point_discord_at(settings)
    try:
        asyncio.run(serve(settings, token))
    except KeyboardInterrupt:
        log.info("Stopped (Ctrl-C).")
    except discord.LoginFailure:
        print(f"marginalia: {BAD_TOKEN}", file=sys.stderr)
        return 1
    except discord.ConnectionClosed as closed:
        if closed.code != 4004:  # 4004: the gateway refused the token
            raise
        print(f"marginalia: {BAD_TOKEN}", file=sys.stderr)
        return 1
    except aiohttp.ClientConnectionError as exc:  # no network, or a wrong address
        where = discord.http.Route.BASE  # Discord's own, or DISCORD_API_BASE (point_discord_at)
        print(f"marginalia: Cannot reach Discord at {where} ({exc}). Check the network connection"
              f"{', and DISCORD_API_BASE' if settings.discord_api_base else ''}.", file=sys.stderr)
        return 1
    return 0
