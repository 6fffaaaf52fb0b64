"""Where /reindex shows its progress and its outcome, however long the re-index takes.

Discord accepts an interaction's token for 15 minutes: after that, editing the response or
sending a followup answers 401 "Invalid Webhook Token" (code 50027). So progress edits the
response until a minute before that, at 14 minutes (an edit can arrive late, and the bot's clock
need not agree with Discord's), then goes on in a message of the bot's own in the channel, which
never expires, and the outcome is posted there. A large reading list can take longer than 14
minutes: 20 MB took 10.5 to 18 minutes in three runs on a 2-core machine, so it can pass 14
minutes there. An edit refused for an expired token moves to the channel too, whatever
the clock said. If the bot may not post in the channel (403), or the channel is gone (404),
that is logged and the re-index goes on: its outcome is recorded in the database's run log
either way (`Reindexer.build`). Any other refusal (a 400 means a bug) is not mistaken for that:
for progress it is logged once as an error and the progress stops; for the outcome it is
raised, and the command tells the admin, where the progress was, that the report could not be
shown (an incident).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.discord.render import Page
from bot.discord.replies import NO_MENTIONS, clip_content

log = logging.getLogger("marginalia.discord.reindex")

RUNNING = "Re-indexing the reading list…"
STILL_RUNNING = "Still re-indexing the reading list… (the original message can no longer be edited)"
ENDED = "Re-indexing the reading list: ended, see below. (The original message can no longer be edited.)"
#: Discord's answers when the interaction's message can no longer be edited through its webhook:
#: Invalid Webhook Token (the token expired), Unknown Webhook, Unknown Message (it was deleted).
GONE_CODES = frozenset({50027, 10015, 10008})
#: Why the bot cannot post in the channel: no right to (Forbidden), the channel is gone (NotFound),
#: or the interaction has no channel to post in (ClientException, from `_post`).
CANNOT_POST = (discord.Forbidden, discord.NotFound, discord.ClientException)


@dataclass(frozen=True)
class TokenWindow:
    """How long Discord accepts an interaction's token, and how long before that the bot stops using it."""

    lifetime: timedelta = timedelta(minutes=15)
    margin: timedelta = timedelta(minutes=1)

    def closes(self, created_at: datetime) -> datetime:
        """When the bot stops editing through the token of an interaction created at `created_at`."""
        return created_at + self.lifetime - self.margin


DISCORD_TOKEN_WINDOW = TokenWindow()


class ReindexReply:
    """The public reply to one /reindex: the interaction's response first, the channel afterwards."""

    def __init__(self, interaction: discord.Interaction, window: TokenWindow = DISCORD_TOKEN_WINDOW) -> None:
        self._interaction = interaction
        self._closes = window.closes(interaction.created_at)
        self._in_channel = False  # done with the interaction's message
        self._progress: discord.Message | None = None  # the channel message that shows progress
        self._progress_stopped = False  # progress was refused: no more of it for this run

    async def progress(self, detail: str) -> None:
        """Show one progress step (`detail`). A refusal is logged once and ends the progress, not the
        re-index: the channel's (no right to post) as a warning, an invalid request (a bug) as an error."""
        if self._progress_stopped:
            return
        try:
            await self._show_progress(detail)
        except CANNOT_POST as error:
            self._progress_stopped = True
            log.warning("Could not show /reindex progress in %s: %s. The re-index goes on; its outcome will be "
                        "posted there if possible, and recorded in the run log.", self._where(), error)
        except discord.HTTPException as error:
            self._progress_stopped = True
            log.error("Discord refused the /reindex progress (%s); no more progress is shown for this run, "
                      "the re-index goes on.", error)

    async def _show_progress(self, detail: str) -> None:
        if await self._edit_original(content=clip_content(f"{RUNNING} {detail}")):
            return
        text = clip_content(f"{STILL_RUNNING}\n{detail}")
        if self._progress is None:
            self._progress = await self._post(content=text)
        else:
            await self._progress.edit(content=text, allowed_mentions=NO_MENTIONS)

    async def report(self, pages: Sequence[Page], summary: str) -> None:
        """The re-index report, in place of the progress or posted in the channel."""
        await self._finish([{"embeds": page.embeds} for page in pages], summary)

    async def failure(self, text: str) -> None:
        """Why the re-index failed, in place of the progress or posted in the channel."""
        await self._finish([{"content": clip_content(text)}], text)

    async def _finish(self, messages: list[dict[str, Any]], summary: str) -> None:
        first, *more = messages
        if await self._edit_original(**{"content": None, "embeds": [], **first}):
            messages = await self._followups(more)
        if not messages:
            return
        try:
            for message in messages:
                await self._post(**message)
        except CANNOT_POST as error:
            log.warning("Could not post the /reindex outcome in %s: %s. It is recorded in the run log: %s",
                        self._where(), error, summary)
            return
        if self._progress is not None:
            try:
                await self._progress.edit(content=ENDED, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as error:
                log.info("Could not mark the /reindex progress message as ended: %s", error)

    async def _edit_original(self, **fields: Any) -> bool:
        """Edit the interaction's response while its token lives; False once that is over."""
        if self._in_channel:
            return False
        if discord.utils.utcnow() >= self._closes:
            self._leave("the interaction's token is about to expire")
            return False
        try:
            await self._interaction.edit_original_response(allowed_mentions=NO_MENTIONS, **fields)
        except discord.HTTPException as error:
            if error.code not in GONE_CODES:
                raise
            self._leave(str(error))
            return False
        return True

    async def _followups(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send `messages` as followups while the token lives; those left for the channel."""
        for index, message in enumerate(messages):
            try:
                await self._interaction.followup.send(allowed_mentions=NO_MENTIONS, wait=True, **message)
            except discord.HTTPException as error:
                if error.code not in GONE_CODES:
                    raise
                self._leave(str(error))
                return messages[index:]
        return []

    def _leave(self, why: str) -> None:
        self._in_channel = True
        log.info("The /reindex message can no longer be edited (%s): going on in %s.", why, self._where())

    async def _post(self, **fields: Any) -> discord.Message:
        channel = self._interaction.channel
        if not isinstance(channel, discord.abc.Messageable):
            raise discord.ClientException(f"cannot post in {channel!r}")
        return await channel.send(allowed_mentions=NO_MENTIONS, **fields)

    def _where(self) -> str:
        channel = self._interaction.channel
        name = getattr(channel, "name", None)
        where = self._interaction.channel_id
        return f"channel #{name} ({where})" if name else f"channel {where}"
