"""pytest fixtures that run the real discord.py client against the loopback Discord stand-in.

Test files use ``from discord_fixtures import *``; importing the same names into
``tests/conftest.py`` is all it takes to enable the autouse network guard for every test.

* ``standin``: a started :class:`~discord_standin.DiscordStandin` per test; at teardown the test
  fails on any spec violation not taken with ``standin.take_violations()``.
* ``bot_runner``: ``running = await bot_runner(bot)`` logs ``bot`` into the stand-in, connects and
  waits until ready; at teardown it waits for the bot's handler tasks, closes the bot, and fails
  the test on any exception in a bot task, any ERROR record from a ``discord.*`` logger, any
  unhandled prefix-command error, and any spec violation.
* ``run_bot(bot, standin, token)``: the same without pytest; ``await running.stop()`` raises
  :class:`BotFailure` listing what went wrong.
* ``no_external_network`` (autouse): every ``socket.connect`` that is not to 127.0.0.1, ::1 or
  an AF_UNIX path raises :class:`ExternalNetworkBlocked`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl
from discord.ext import commands

from discord_standin import DEFAULT_TIMEOUT, DiscordStandin

__all__ = [
    "BotFailure",
    "BotRunner",
    "ExternalNetworkBlocked",
    "NetworkGuard",
    "RunningBot",
    "bot_runner",
    "no_external_network",
    "pointed_at",
    "run_bot",
    "standin",
]

#: Names of the tasks discord.py runs handlers in (app commands, and every ``on_*`` event).
BOT_TASK_PREFIXES = ("CommandTree-invoker", "discord.py: on_")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1", "localhost"})
#: The recipe's value: the default 2 s delays every start, and 0 breaks guild availability.
TEST_GUILD_READY_TIMEOUT = 0.05


class BotFailure(AssertionError):
    """The bot failed in a way discord.py would otherwise swallow (task error, ERROR log, ...)."""


class ExternalNetworkBlocked(ConnectionRefusedError):
    """A test tried to connect somewhere other than loopback."""


# --------------------------------------------------------------------- pointing
@contextlib.contextmanager
def pointed_at(standin: DiscordStandin) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at ``standin``; restore them on exit.

    Both are process-global class attributes, hence set and restored around each use.
    """
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = standin.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(standin.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


# ------------------------------------------------------------------ watching
class _TaskTracker:
    """Remembers every task created on the loop while installed, to inspect them afterwards."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.tasks: list[asyncio.Task[Any]] = []
        self._previous = loop.get_task_factory()

    def install(self) -> None:
        """Start tracking new tasks."""
        self.loop.set_task_factory(self._factory)  # type: ignore[arg-type]

    def uninstall(self) -> None:
        """Stop tracking (restores the previous task factory)."""
        if self.loop.get_task_factory() == self._factory:
            self.loop.set_task_factory(self._previous)

    def _factory(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        if self._previous is not None:
            task = self._previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        self.tasks.append(task)  # type: ignore[arg-type]
        return task  # type: ignore[return-value]

    def bot_tasks(self) -> list[asyncio.Task[Any]]:
        """Handler tasks discord.py started (names are set after creation, so look now)."""
        return [t for t in self.tasks if t.get_name().startswith(BOT_TASK_PREFIXES)]

    def failures(self) -> list[str]:
        """Exceptions raised by bot tasks, or by any task whose exception nobody retrieved."""
        found = []
        for task in self.tasks:
            if not task.done() or task.cancelled():
                continue
            unretrieved = getattr(task, "_log_traceback", False)  # CPython: exception never retrieved
            is_bot_task = task.get_name().startswith(BOT_TASK_PREFIXES)
            error = task.exception() if (is_bot_task or unretrieved) else None
            if error is not None:
                trace = "".join(traceback.format_exception(error))
                found.append(f"exception in task {task.get_name()!r}:\n{trace}")
        return found


class _ErrorLogCapture(logging.Handler):
    """Collects ERROR (and worse) records from the ``discord`` logger tree."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record for the end-of-test report."""
        self.records.append(record)

    def failures(self) -> list[str]:
        """One message (with traceback) per captured record."""
        return [f"ERROR log {self.format(record)}" for record in self.records]


def _watch_prefix_command_errors(bot: discord.Client, failures: list[str]) -> None:
    """Record prefix-command errors nobody handles: discord.py prints those instead of logging."""
    if not isinstance(bot, commands.Bot):
        return

    async def on_command_error(ctx: commands.Context[Any], error: commands.CommandError) -> None:
        others = [f for f in bot.extra_events.get("on_command_error", []) if f is not on_command_error]
        overridden = type(bot).on_command_error is not commands.Bot.on_command_error
        local = ctx.command is not None and ctx.command.has_error_handler()
        cog = ctx.cog is not None and ctx.cog.has_error_handler()
        if not (others or overridden or local or cog):
            failures.append(f"unhandled error in prefix command {ctx.command}: {error!r}")

    bot.add_listener(on_command_error, "on_command_error")


# ------------------------------------------------------------------- running
class RunningBot:
    """A bot logged into the stand-in and connected to its gateway."""

    def __init__(self, bot: discord.Client, standin: DiscordStandin) -> None:
        self.bot = bot
        self.standin = standin
        self.connect_task: asyncio.Task[None] | None = None
        #: Everything that went wrong, filled in by :meth:`stop`.
        self.failures: list[str] = []
        self.reported = False
        self._stopped = False
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(pointed_at(standin))
        self._tracker = _TaskTracker(asyncio.get_running_loop())
        self._tracker.install()
        self._stack.callback(self._tracker.uninstall)
        self._logs = _ErrorLogCapture()
        logging.getLogger("discord").addHandler(self._logs)
        self._stack.callback(logging.getLogger("discord").removeHandler, self._logs)
        _watch_prefix_command_errors(bot, self.failures)

    def pending_bot_tasks(self) -> list[asyncio.Task[Any]]:
        """Handler tasks (app commands, ``on_*`` events) still running."""
        current = asyncio.current_task()
        return [t for t in self._tracker.bot_tasks() if not t.done() and t is not current]

    async def settle(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the bot has processed every event sent so far and its handlers finished.

        Repeats a gateway round trip until no handler task is left, since handlers may cause
        new events (Discord echoes the bot's own messages).
        """
        for _ in range(20):
            if self.standin.session_id is not None and not self.bot.is_closed():
                await self.standin.sync_gateway(timeout=timeout)
            pending = self.pending_bot_tasks()
            if not pending:
                return
            _, still = await asyncio.wait(pending, timeout=timeout)
            if still:
                raise BotFailure(f"bot tasks still running after {timeout}s: {[t.get_name() for t in still]}")
        raise BotFailure("the bot never settled: its handlers keep producing new events")

    async def _wait_ready(self, timeout: float) -> None:
        assert self.connect_task is not None
        ready = asyncio.ensure_future(self.bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, self.connect_task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            return
        ready.cancel()
        if self.connect_task in done:
            self.connect_task.result()  # re-raises why the connection ended (e.g. close code 4004)
            raise BotFailure("bot.connect() returned before the bot was ready")
        raise BotFailure(f"the bot was not ready within {timeout}s")

    async def stop(self, *, check: bool = True, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
        """Drain handler tasks, close the bot, restore discord.py's settings; returns the failures.

        With ``check`` (the default) raises :class:`BotFailure` if anything went wrong.
        """
        if not self._stopped:
            self._stopped = True
            try:
                await self._drain(timeout)
                await self.bot.close()
                await self._finish_connect(timeout)
            finally:
                self._stack.close()
            self.failures += self._tracker.failures() + self._logs.failures()
            self.failures += [f"spec violation: {v}" for v in self.standin.take_violations()]
        if check and self.failures and not self.reported:
            self.reported = True
            raise BotFailure("the bot failed during the test:\n" + "\n".join(self.failures))
        return self.failures

    async def _drain(self, timeout: float) -> None:
        pending = self.pending_bot_tasks()
        if not pending:
            return
        _, still = await asyncio.wait(pending, timeout=timeout)
        for task in still:
            self.failures.append(f"bot task {task.get_name()!r} still running at teardown (cancelled)")
            task.cancel()

    async def _finish_connect(self, timeout: float) -> None:
        task = self.connect_task
        if task is None:
            return
        try:
            await asyncio.wait_for(task, timeout)
        except discord.ConnectionClosed as closed:
            if closed.code != 1000:
                self.failures.append(f"gateway connection ended with close code {closed.code}")
        except asyncio.TimeoutError:
            self.failures.append("bot.connect() did not return after bot.close()")
        except Exception as error:  # noqa: BLE001 - reported as a test failure
            self.failures.append(f"bot.connect() raised {error!r}")


async def run_bot(
    bot: discord.Client,
    standin: DiscordStandin,
    token: str | None = None,
    *,
    guild_ready_timeout: float = TEST_GUILD_READY_TIMEOUT,
    timeout: float = DEFAULT_TIMEOUT,
) -> RunningBot:
    """Log ``bot`` into ``standin`` (its token unless ``token``), connect, and wait until ready.

    Raises what discord.py raises (e.g. ``discord.LoginFailure`` for a bad token), after
    cleaning up. Stop the bot with ``await running.stop()``.
    """
    running = RunningBot(bot, standin)
    try:
        await bot.login(standin.token if token is None else token)
        # A bot built by production code keeps discord.py's 2 s default; tests need not wait.
        state = bot._connection  # noqa: SLF001 - the only handle on this setting after construction
        state.guild_ready_timeout = min(state.guild_ready_timeout, guild_ready_timeout)
        running.connect_task = asyncio.create_task(bot.connect(reconnect=False), name="standin: bot.connect")
        await running._wait_ready(timeout)  # noqa: SLF001
    except BaseException:
        await running.stop(check=False)
        raise
    return running


BotRunner = Callable[..., Awaitable[RunningBot]]


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[DiscordStandin]:
    """A Discord stand-in on 127.0.0.1 for this test; fails the test on leftover spec violations."""
    server = DiscordStandin()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    leftover = server.take_violations()
    if leftover:
        pytest.fail("spec violations:\n" + "\n".join(str(v) for v in leftover), pytrace=False)


@pytest_asyncio.fixture
async def bot_runner(standin: DiscordStandin) -> AsyncIterator[BotRunner]:
    """``await bot_runner(bot, token=None, **run_bot_kwargs)`` starts ``bot``; teardown checks it."""
    started: list[RunningBot] = []

    async def start(bot: discord.Client, token: str | None = None, **kwargs: Any) -> RunningBot:
        running = await run_bot(bot, standin, token, **kwargs)
        started.append(running)
        return running

    yield start
    problems: list[str] = []
    for running in reversed(started):
        failures = await running.stop(check=False)
        if not running.reported:
            problems += failures
    if problems:
        pytest.fail("the bot failed during the test:\n" + "\n".join(problems), pytrace=False)


# ------------------------------------------------------------------- network
class NetworkGuard:
    """Refuses connections that are not to loopback, and remembers each attempt."""

    def __init__(self) -> None:
        self.blocked: list[str] = []

    @staticmethod
    def allows(sock: socket.socket, address: Any) -> bool:
        """True for AF_UNIX and for 127.0.0.1 / ::1 (``localhost`` resolves there)."""
        if sock.family == getattr(socket, "AF_UNIX", object()):
            return True
        if isinstance(address, tuple) and address:
            host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
            return host.split("%", 1)[0] in LOOPBACK_HOSTS
        return False

    def check(self, sock: socket.socket, address: Any) -> None:
        """Raise :class:`ExternalNetworkBlocked` unless the address is loopback."""
        if not self.allows(sock, address):
            self.blocked.append(repr(address))
            raise ExternalNetworkBlocked(f"tests may only connect to loopback, not {address!r}")


@pytest.fixture(autouse=True)
def no_external_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Autouse: refuse every socket connection except to 127.0.0.1, ::1 and AF_UNIX.

    Patching ``socket.socket.connect`` catches asyncio and aiohttp too (they connect through
    it). DNS lookups by C resolvers are not covered; the connect guard is the real barrier.
    """
    guard = NetworkGuard()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(sock: socket.socket, address: Any) -> None:
        guard.check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        guard.check(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield guard
