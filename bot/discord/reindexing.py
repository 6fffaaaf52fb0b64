"""Re-indexing from chat: one build at a time, progress carried from the build thread. No Discord.

The build runs in a daemon thread: it takes minutes on a large reading list, and Ctrl-C must
not wait for it (a killed build is safe: the serving generation only switches when a build is
complete). Questions keep being answered from the serving generation meanwhile; after a build
that switched generations, the answerer reloads and serves the new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from bot.answer.compose import Answerer
from bot.progress import STAGE_LABELS
from bot.store import Outcome, SafeRecorder
from index.build import BuildReport, Progress
from index.errors import BuildInProgress, MarginaliaError

log = logging.getLogger("marginalia.discord.reindex")

T = TypeVar("T")
Build = Callable[[Progress], BuildReport]  # a build_index call with its settings bound
Send = Callable[["Step"], Awaitable[object]]


class NotAllowed(MarginaliaError):
    """A member without the right to re-index (or to use another admin command) asked for it."""

    def __init__(self, action: str = "re-index the reading list") -> None:
        super().__init__(f"Only members with the Manage Server permission or one of the bot's admin roles "
                         f"may {action}: ask a server admin.")


class ReindexBusy(MarginaliaError):
    """A second /reindex while one runs in this bot."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"A re-index is already running (started {math.ceil(seconds)} s ago); "
                         "try again when it has finished. Questions are still answered meanwhile.")


def may_reindex(*, manage_guild: bool, role_ids: set[int], admin_role_ids: set[int]) -> bool:
    """Manage Server, or a role listed in ADMIN_ROLE_IDS (the rule of every admin command, /settings too)."""
    return manage_guild or bool(role_ids & admin_role_ids)


@dataclass(frozen=True)
class Step:
    """One progress report of the build: `done` of `total` in a stage."""

    stage: str
    done: int
    total: int

    def text(self) -> str:
        label = STAGE_LABELS.get(self.stage, self.stage.capitalize())
        if self.total <= 0:
            return f"{label}…"
        share = min(1.0, self.done / self.total)
        bar = "▰" * round(share * 10) + "▱" * (10 - round(share * 10))
        return f"{label}: {self.done}/{self.total} {bar} {share:.0%}"


async def in_daemon_thread(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in a daemon thread; its result or exception, awaited without blocking the loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():  # the awaiting task was cancelled
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        try:
            result, error = fn(*args), None
        except BaseException as caught:  # handed to the awaiting task, which re-raises it
            result, error = None, caught
        with contextlib.suppress(RuntimeError):  # the loop is closed (Ctrl-C): nobody is waiting
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="marginalia-build", daemon=True).start()
    return await future


class ProgressPump:
    """Carries build progress from the build thread to `send`, at most once per `interval` seconds.

    Only the latest step is sent: a slow Discord edit never queues a backlog of stale ones.
    A failing `send` is logged and the build goes on.
    """

    def __init__(self, send: Send, interval: float) -> None:
        self._send = send
        self._interval = interval
        self._loop = asyncio.get_running_loop()
        self._latest: Step | None = None
        self._changed = asyncio.Event()
        self._closing = False
        self._last_sent = self._loop.time()  # the message being edited was just sent
        self._task: asyncio.Task[None] | None = None

    def post(self, stage: str, done: int, total: int) -> None:
        """The build's `progress` callback; safe to call from any thread."""
        with contextlib.suppress(RuntimeError):  # the loop is closed (Ctrl-C): the build may finish unseen
            self._loop.call_soon_threadsafe(self._update, Step(stage, done, total))

    def _update(self, step: Step) -> None:
        self._latest = step
        self._changed.set()

    async def __aenter__(self) -> ProgressPump:
        self._task = asyncio.create_task(self._pump(), name="marginalia: re-index progress")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        self._changed.set()
        assert self._task is not None
        await self._task
        await self._pause()  # whoever edits next also keeps to one edit per interval

    async def _pump(self) -> None:
        while True:
            await self._changed.wait()
            if self._closing:
                return
            await self._pause()
            if self._closing:
                return
            self._changed.clear()
            assert self._latest is not None
            try:
                await self._send(self._latest)
            except Exception as exc:  # a progress edit that failed must not stop the build
                log.warning("could not show re-index progress: %s", exc)
            self._last_sent = self._loop.time()

    async def _pause(self) -> None:
        delay = self._last_sent + self._interval - self._loop.time()
        if delay > 0:
            await asyncio.sleep(delay)


@dataclass
class Run:
    """A re-index that holds the one-at-a-time claim."""

    user_id: int
    guild_id: int | None
    started: float
    record_id: int | None = None
    finished: bool = False  # its outcome is recorded


class Reindexer:
    """Runs re-index builds for the bot, one at a time, and switches the answerer to the result."""

    def __init__(self, build: Build, answerer: Answerer, recorder: SafeRecorder, *, edit_interval: float = 1.0) -> None:
        self._build = build
        self.answerer = answerer
        self.recorder = recorder
        self.edit_interval = edit_interval
        self._current: Run | None = None

    @property
    def running(self) -> bool:
        """Whether a re-index holds the claim now (a hint: `claim()` decides)."""
        return self._current is not None

    @asynccontextmanager
    async def claim(self, user_id: int, guild_id: int | None) -> AsyncIterator[Run]:
        """Hold the one-at-a-time claim; ReindexBusy if another re-index holds it."""
        loop = asyncio.get_running_loop()
        if self._current is not None:  # checked and set with no await in between: atomic on the loop
            await self.record(user_id, guild_id, "busy")
            raise ReindexBusy(loop.time() - self._current.started)
        run = self._current = Run(user_id, guild_id, loop.time())
        try:
            run.record_id = await self.recorder.start_reindex(user_id, guild_id)
            yield run
        except BaseException as error:
            if not run.finished:  # failed before or outside the build
                await self._finish(run, "failed", {"error": str(error)})
            raise
        finally:
            self._current = None

    async def build(self, run: Run, send: Send) -> BuildReport:
        """Build with progress sent through `send`, then serve the new generation; records the outcome."""
        try:
            async with ProgressPump(send, self.edit_interval) as pump:
                report = await in_daemon_thread(self._build, pump.post)
            if report.switched:
                await asyncio.to_thread(self.answerer.reload)
        except BaseException as error:
            # Another process (`marginalia index`) holding the build lock is "busy", not a failure.
            outcome: Outcome = "busy" if isinstance(error, BuildInProgress) else "failed"
            await self._finish(run, outcome, {"error": str(error)})
            raise
        await self._finish(run, "ok", report.to_json())
        log.info("re-index by member %s: %s", run.user_id, report.summary())
        if report.switched:
            await self._warm_up()
        return report

    async def _warm_up(self) -> None:
        """Load the new generation before the next question. It already serves: a failure here (a
        Chroma server gone meanwhile) is logged, and the next question says what is wrong."""
        try:
            await asyncio.to_thread(self.answerer.warm_up)
        except MarginaliaError as exc:
            log.warning("The new index serves, but could not be loaded ahead of the next question: %s", exc)

    async def _finish(self, run: Run, outcome: Outcome, summary: dict[str, object]) -> None:
        run.finished = True
        await self.recorder.finish_reindex(run.record_id, outcome, summary)

    async def ensure_index(self, has_index: Callable[[], bool]) -> None:
        """Build the index when there is none (at start); a failure is logged, the bot starts anyway."""
        if has_index():
            return
        log.info("There is no index yet: building it now (this can take a few minutes).")
        try:
            report = await in_daemon_thread(self._build, _no_progress)
        except MarginaliaError as exc:
            log.warning("Could not build the index at start: %s. The bot runs anyway; an admin can /reindex.", exc)
            return
        log.info("%s", report.summary())

    async def record(self, user_id: int, guild_id: int | None, outcome: Outcome) -> None:
        """Record a re-index request that did not run (refused, busy)."""
        run_id = await self.recorder.start_reindex(user_id, guild_id)
        await self.recorder.finish_reindex(run_id, outcome, {})


def _no_progress(stage: str, done: int, total: int) -> None:
    """The build at start reports progress only through its log lines."""
