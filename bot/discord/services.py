"""What the bot needs, built outside it and passed in. No Discord here.

`open_services(settings)` owns the lifetimes (the database connection) for `run()`; tests
build `Services` directly with the session's model and index and their own recorder, and close
them in the same order: `Services.aclose()`, then the recorder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.answer.compose import Answerer
from bot.discord.asking import Asker
from bot.discord.library import Library
from bot.discord.reindex_reply import DISCORD_TOKEN_WINDOW, TokenWindow
from bot.discord.reindexing import Build, Reindexer
from bot.discord.render import DISCORD_LIMITS, Limits
from bot.discord.server_settings import ServerSettings
from bot.store import SafeRecorder
from index.build import BuildReport, Progress, build_index
from index.config import Settings
from index.errors import MarginaliaError
from index.generations import Layout

log = logging.getLogger("marginalia.discord")


@dataclass
class Services:
    """The bot's dependencies: answering, re-indexing, the reading list, the database, per-server settings."""

    settings: Settings
    answerer: Answerer
    recorder: SafeRecorder
    asker: Asker
    reindexer: Reindexer
    library: Library
    server_settings: ServerSettings
    limits: Limits = DISCORD_LIMITS
    token_window: TokenWindow = DISCORD_TOKEN_WINDOW  # how long an interaction's message can be edited

    @classmethod
    def create(cls, settings: Settings, recorder: SafeRecorder, *, answerer: Answerer | None = None,
               build: Build | None = None, limits: Limits = DISCORD_LIMITS, edit_interval: float = 1.0,
               token_window: TokenWindow = DISCORD_TOKEN_WINDOW) -> Services:
        """Wire the services; `answerer` and `build` default to ones made from `settings`."""
        answerer = answerer or Answerer(settings)
        asker = Asker(answerer, recorder, concurrency=settings.ask_concurrency,
                      per_minute=settings.rate_limit_per_minute)
        reindexer = Reindexer(build or default_build(settings, answerer), answerer, recorder,
                              edit_interval=edit_interval)
        return cls(settings, answerer, recorder, asker, reindexer, Library(answerer), ServerSettings(recorder), limits,
                   token_window)

    def has_index(self) -> bool:
        return Layout(self.settings.data_path).current() is not None

    async def prepare(self) -> None:
        """Before the first question: read the servers' settings, build the index if there is none,
        load the model and the index."""
        await self.server_settings.load()  # nothing uses the database yet: never waits behind a write
        await self.reindexer.ensure_index(self.has_index)
        try:
            await asyncio.to_thread(self.answerer.warm_up)
        except MarginaliaError as exc:  # e.g. a Chroma server that is down: questions will say so
            log.warning("Could not load the index at start: %s", exc)

    async def aclose(self) -> None:
        """Stop the work still using the database (before it closes)."""
        await self.server_settings.aclose()


def default_build(settings: Settings, answerer: Answerer) -> Build:
    """build_index over `settings`, reusing the answerer's model rather than loading a second copy."""

    def build(progress: Progress) -> BuildReport:
        return build_index(settings, embedder=answerer.searcher.embedder, progress=progress)

    return build


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Services for `run()`: the database is opened lazily and closed on the way out."""
    async with SafeRecorder(settings.database_file) as recorder:
        services = Services.create(settings, recorder)
        try:
            yield services
        finally:
            await services.aclose()


def services_of(client: object) -> Services:
    """The services of the bot behind an interaction (`interaction.client`)."""
    services = getattr(client, "services", None)
    if not isinstance(services, Services):
        raise TypeError(f"{client!r} is not a Marginalia bot")
    return services
