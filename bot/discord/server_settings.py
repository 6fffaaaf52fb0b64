"""Per-server settings, changed with /settings; for now who sees /ask answers. No Discord here.

/ask needs the server's default before it defers (the deferral's visibility is the answer's),
within Discord's 3 s and never at the cost of the answer. So `load()` reads every server's
choice at start, before the bot answers anything, and keeps it in memory; /settings, the only
writer, updates it once stored. After a load, a question never waits on the database (which a
pending write can hold for seconds) and a server with no stored choice is public.

If the load failed (the database could not be opened or read at start), each server's choice
is read on its first question instead, for at most `read_timeout` seconds, public when that
read fails or is slow. A slow read is not cancelled: it finishes in the background and fills
the cache for the next question. In that mode a server that never chose is read again each
time (a cheap read). `aclose()` cancels the reads still running, before the database closes.
/settings itself goes through the store and reports failure (`StoreUnavailable`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal, get_args

from bot.discord.records import open_store
from bot.store import SafeRecorder

log = logging.getLogger("marginalia.discord")

Visibility = Literal["public", "private"]
VISIBILITIES: tuple[Visibility, ...] = get_args(Visibility)
ANSWERS = "answers"  # the guild_settings key
DEFAULT_ANSWERS: Visibility = "public"
READ_TIMEOUT = 0.5  # seconds; a read normally takes well under a millisecond


@dataclass(frozen=True)
class Current:
    """A server's settings as shown by /settings; `chosen` is False for a default."""

    answers: Visibility
    chosen: bool

    def summary(self) -> str:
        who = "only the member who asked" if self.answers == "private" else "everyone in the channel"
        origin = "" if self.chosen else " (the default: never changed)"
        return (f"Settings for this server:\n• `answers`: **{self.answers}**{origin}: {who} sees an /ask answer "
                "or an \"Ask the sources\" answer unless the member chooses with /ask's `private` option.")


class ServerSettings:
    """Each server's settings: cached reads for answering, stored writes for /settings."""

    def __init__(self, recorder: SafeRecorder, *, read_timeout: float = READ_TIMEOUT) -> None:
        self.recorder = recorder
        self.read_timeout = read_timeout
        self._answers: dict[int, Visibility] = {}
        self._loaded = False  # _answers holds every server's stored choice
        self._reads: dict[int, asyncio.Task[None]] = {}  # one read per server at a time, until loaded

    async def load(self) -> None:
        """Read every server's choice (at start, before any question); each is read on its first
        question instead when they cannot be read now."""
        stored = await self.recorder.setting_in_every_server(ANSWERS)  # None: unreadable, logged by the recorder
        if stored is None:
            log.warning("Could not read the servers' settings at start: each server's is read on its first "
                        "question instead, and answers are %s when that read fails or takes over %.1f s.",
                        DEFAULT_ANSWERS, self.read_timeout)
            return
        for guild_id, value in stored.items():
            if (chosen := visibility(value)) is not None:
                self._answers.setdefault(guild_id, chosen)
        self._loaded = True

    async def aclose(self) -> None:
        """Cancel the reads still running (at shutdown, before the database closes) and wait for them."""
        reads = list(self._reads.values())
        for read in reads:
            read.cancel()
        await asyncio.gather(*reads, return_exceptions=True)

    async def answers_private(self, guild_id: int | None) -> bool:
        """Whether answers in this server are private by default; False in DMs or when unreadable."""
        if guild_id is None:
            return False
        if guild_id not in self._answers and not self._loaded:
            read = self._reads.get(guild_id) or self._start_read(guild_id)
            await asyncio.wait({read}, timeout=self.read_timeout)  # on timeout the read goes on
            if not read.done():
                log.warning("Reading the settings of server %s took over %.1f s: answering %s this time.",
                            guild_id, self.read_timeout, DEFAULT_ANSWERS)
        return self._answers.get(guild_id, DEFAULT_ANSWERS) == "private"

    def _start_read(self, guild_id: int) -> asyncio.Task[None]:
        read = asyncio.create_task(self._read(guild_id), name=f"marginalia: settings of server {guild_id}")
        self._reads[guild_id] = read
        read.add_done_callback(lambda _: self._reads.pop(guild_id, None))
        return read

    async def _read(self, guild_id: int) -> None:
        value = visibility(await self.recorder.get_setting(guild_id, ANSWERS))  # None: never set, or unreadable
        if value is not None:
            self._answers.setdefault(guild_id, value)  # a /settings that finished meanwhile wins

    async def current(self, guild_id: int) -> Current:
        """The server's settings as stored; StoreUnavailable when the database cannot be read."""
        store = await open_store(self.recorder)
        value = visibility(await store.get_setting(guild_id, ANSWERS))
        if value is None:  # the default serves too, not a choice remembered from before
            self._answers.pop(guild_id, None)
            return Current(DEFAULT_ANSWERS, chosen=False)
        self._answers[guild_id] = value
        return Current(value, chosen=True)

    async def set_answers(self, guild_id: int, answers: Visibility) -> None:
        """Store the server's default visibility of answers; StoreUnavailable changes nothing."""
        store = await open_store(self.recorder)
        await store.set_setting(guild_id, ANSWERS, answers)
        self._answers[guild_id] = answers  # only once stored: a failed write leaves the old value serving


def visibility(value: str | None) -> Visibility | None:
    """`value` as a visibility, or None when it is missing or not one."""
    return next((v for v in VISIBILITIES if v == value), None)
