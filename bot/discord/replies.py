"""How the bot answers an interaction: defer, send pages, private notes, errors with incident ids.

After a deferral the first page replaces the "thinking…" placeholder (an edit of the original
response, which means the same on Discord and on any compatible server); later pages are
followups. A private note after a public deferral deletes the placeholder first, so a member's
error never lingers in the channel. `interaction.extras` remembers the placeholder's state.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Sequence

import discord

from bot.discord.render import Page
from bot.display import redact
from index.errors import IndexNotBuilt, MarginaliaError

log = logging.getLogger("marginalia.discord")

NO_MENTIONS = discord.AllowedMentions.none()
CONTENT_LIMIT = 2000
PLACEHOLDER = "marginalia.placeholder"  # extras key: the deferred "thinking…" message is still showing
PRIVATE = "marginalia.private"  # extras key: that placeholder is ephemeral
NO_INDEX = "There is no index of the reading list yet. An admin can build it with /reindex."


async def think(interaction: discord.Interaction, *, private: bool) -> None:
    """Defer with a "thinking…" placeholder that the first page will replace."""
    await interaction.response.defer(thinking=True, ephemeral=private)
    interaction.extras.update({PLACEHOLDER: True, PRIVATE: private})


async def replace_placeholder(interaction: discord.Interaction, content: str) -> None:
    """Show `content` where the "thinking…" placeholder was; later pages and notes follow it."""
    await interaction.edit_original_response(content=clip_content(content), allowed_mentions=NO_MENTIONS)
    interaction.extras[PLACEHOLDER] = False


async def send_pages(interaction: discord.Interaction, pages: Sequence[Page],
                     views: Sequence[discord.ui.View | None] = (), *, private: bool = False) -> None:
    """Send pages of embeds: the first as the response (or in place of the placeholder), then followups."""
    views = list(views) or [None] * len(pages)
    for index, (page, view) in enumerate(zip(pages, views)):
        extra = {"view": view} if view is not None else {}
        if index == 0 and interaction.extras.get(PLACEHOLDER):
            await interaction.edit_original_response(embeds=page.embeds, allowed_mentions=NO_MENTIONS, **extra)
            interaction.extras[PLACEHOLDER] = False
        elif index == 0 and not interaction.response.is_done():
            await interaction.response.send_message(embeds=page.embeds, ephemeral=private,
                                                    allowed_mentions=NO_MENTIONS, **extra)
        else:
            await interaction.followup.send(embeds=page.embeds, ephemeral=private, allowed_mentions=NO_MENTIONS,
                                            wait=True, **extra)


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """A note only the member sees, whatever state the interaction is in."""
    text = clip_content(text)
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    elif interaction.extras.get(PLACEHOLDER) and interaction.extras.get(PRIVATE):
        await interaction.edit_original_response(content=text, embeds=[], view=None, allowed_mentions=NO_MENTIONS)
        interaction.extras[PLACEHOLDER] = False
    else:
        if interaction.extras.get(PLACEHOLDER):
            interaction.extras[PLACEHOLDER] = False
            with contextlib.suppress(discord.HTTPException):  # a public "thinking…" would never go away
                await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


def clip_content(text: str) -> str:
    """A message's content within Discord's limit, never showing the bot's token."""
    text = redact(text)
    return text if len(text) <= CONTENT_LIMIT else text[:CONTENT_LIMIT - 1] + "…"


def user_message(error: BaseException) -> str | None:
    """What to tell a member about `error`, or None when it is a bug (then: an incident)."""
    if isinstance(error, IndexNotBuilt):
        return NO_INDEX  # its own message names a shell command, which members cannot run
    if isinstance(error, MarginaliaError):
        return str(error)
    return None


def incident(error: BaseException, where: str) -> str:
    """Log the traceback under a new incident id; the text to show the member."""
    code = secrets.token_hex(4).upper()
    log.error("Incident %s in %s: %s", code, where, error, exc_info=(type(error), error, error.__traceback__))
    return (f"Something went wrong on my side (incident {code}). It has been logged; please try again, "
            "and quote the incident id if you report it.")


def explain(error: BaseException, where: str) -> str:
    """The member's message for `error`; a bug is logged as an incident."""
    text = user_message(error)
    if text is None:
        return incident(error, where)
    log.info("%s: %s", where, error)
    return text


async def report_error(interaction: discord.Interaction, error: BaseException, where: str) -> None:
    """Tell the member privately what went wrong; log bugs with their traceback."""
    text = explain(error, where)
    try:
        await reply_privately(interaction, text)
    except discord.HTTPException as exc:  # the interaction expired, Discord is unreachable…
        log.warning("Could not tell the member about an error in %s: %s", where, exc)


async def report_in_channel(channel: discord.abc.Messageable, error: BaseException, where: str) -> None:
    """The same for a direct message (no interaction: a plain reply in the DM)."""
    text = explain(error, where)
    try:
        await channel.send(clip_content(text), allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("Could not tell the member about an error in %s: %s", where, exc)
