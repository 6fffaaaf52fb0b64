"""Fixtures and helpers for the Marginalia bot's wire tests (no tests of its own).

`launch_bot` starts the real MarginaliaBot, with the session's real model and index, against
the loopback Discord stand-in; at teardown it stops every bot it started, closes their
services and databases, and checks that every message the bot sent carried `allowed_mentions: {"parse": []}`.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from discord import app_commands

from bot.answer.compose import Answerer
from bot.discord.app import MarginaliaBot
from bot.discord.reindex_reply import DISCORD_TOKEN_WINDOW, TokenWindow
from bot.discord.reindexing import Build
from bot.discord.render import DISCORD_LIMITS, Limits
from bot.discord.services import Services
from bot.store import SafeRecorder, Store
from conftest import make_settings
from discord_fixtures import BotRunner, RunningBot
from discord_standin import MANAGE_GUILD, MEMBER_PERMISSIONS, DiscordStandin, InjectedInteraction, SentMessage
from index.config import Settings

Launcher = Callable[..., Awaitable[RunningBot]]

#: The permissions of a member with Manage Server.
ADMIN = MEMBER_PERMISSIONS | MANAGE_GUILD

#: A small document the reading list does not have, to add and index in tests.
RABBITS = ("Trotsky kept rabbits in hutches in the garden of the house at Coyoacán. He fed the rabbits himself "
           "every morning, and the guards said that caring for the rabbits calmed him. Visitors remembered that "
           "Trotsky talked about his rabbits and his chickens with great seriousness.\n\nThe rabbits were still "
           "in their hutches in the garden on the day of the assassination in August 1940.\n")
RABBITS_ENTRY = """
[[source]]
id = "rabbits-memoir"
file = "rabbits-memoir.txt"
title = "Trotsky's Rabbits"
authors = ["Test Memoirist"]
date = "1950"
genre = "memoir"
note = "A short memoir written for the tests."
"""

#: REST operations that carry a message body, and where its allowed_mentions sits.
MESSAGE_OPERATIONS = {"execute_webhook", "update_original_webhook_message", "update_webhook_message",
                      "create_message", "update_message"}


def bot_settings(base: Settings, tmp: Path, **overrides: object) -> Settings:
    """`base`'s sources and index, with a database of this test's own."""
    values: dict[str, Any] = {"database_path": tmp / "bot.sqlite3", **overrides}
    return make_settings(base.project_dir, base.sources_path, data_dir=base.data_path, **values)


def mention_problems(standin: DiscordStandin) -> list[str]:
    """Every message-bearing request whose allowed_mentions is not "parse nothing"."""
    problems = []
    for request in standin.requests:
        body = request.json if isinstance(request.json, dict) else {}
        if request.operation_id == "create_interaction_response":
            body = body.get("data") or {} if body.get("type") in (4, 7) else None
        elif request.operation_id not in MESSAGE_OPERATIONS:
            body = None
        if body is not None and body.get("allowed_mentions") != {"parse": []}:
            problems.append(f"{request.summary()}: allowed_mentions={body.get('allowed_mentions')!r}")
    return problems


@pytest_asyncio.fixture
async def launch_bot(bot_runner: BotRunner, standin: DiscordStandin, answerer: Answerer, real_index: Settings,
                     tmp_path: Path) -> AsyncIterator[Launcher]:
    """`await launch_bot(settings=None, *, answerer=…, recorder=…, build=…, limits=…, edit_interval=…,
    token_window=…, extra=())`."""
    launched: list[tuple[RunningBot, Services, SafeRecorder]] = []

    async def launch(settings: Settings | None = None, *, answerer: Answerer = answerer,
                     recorder: SafeRecorder | None = None, build: Build | None = None,
                     limits: Limits = DISCORD_LIMITS, edit_interval: float = 0.2,
                     token_window: TokenWindow = DISCORD_TOKEN_WINDOW,
                     extra: Sequence[app_commands.Command[Any, Any, Any]] = ()) -> RunningBot:
        settings = settings or bot_settings(real_index, tmp_path)
        recorder = recorder or SafeRecorder(settings.database_file)
        services = Services.create(settings, recorder, answerer=answerer, build=build, limits=limits,
                                   edit_interval=edit_interval, token_window=token_window)
        bot = MarginaliaBot(services)
        for command in extra:
            bot.tree.add_command(command)
        running = await bot_runner(bot)
        launched.append((running, services, recorder))
        return running

    yield launch
    for running, services, recorder in reversed(launched):
        await running.stop(check=False)  # bot_runner reports what went wrong
        await services.aclose()  # in open_services' order: the services, then the database
        await recorder.aclose()
    problems = mention_problems(standin)
    assert not problems, "messages sent without allowed_mentions none:\n" + "\n".join(problems)


async def eventually(condition: Callable[[], object], *, timeout: float = 10.0, what: str = "the condition") -> None:
    """Poll `condition` until it is true; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{what} did not come true within {timeout} s")
        await asyncio.sleep(0.01)


async def first_page(interaction: InjectedInteraction, *, timeout: float = 10.0) -> SentMessage:
    """The bot's reply to an interaction: the response, or the edit that replaced its placeholder."""
    return await interaction.message(lambda m: m.kind in ("interaction_response", "edit_original"), timeout=timeout)


def custom_ids(message: SentMessage) -> list[str]:
    """Custom ids of the message's buttons, in order."""
    return [c["custom_id"] for row in message.components for c in row.get("components", []) if "custom_id" in c]


def cited_sources(message: SentMessage) -> set[str]:
    """Source ids of the quotes in an answer, read from its "Show passage" buttons."""
    return {i.split(":")[2] for i in custom_ids(message) if i.startswith("mg:passage:")}


def is_answer(message: SentMessage) -> bool:
    """An answer that quotes the sources (wording-independent: the answer layer is still tuned)."""
    return bool(cited_sources(message))


def unescape(text: str) -> str:
    """Undo discord.utils.escape_markdown, to compare shown text with a document's."""
    return re.sub(r"\\([*_`~|>#\-\[\]()\\])", r"\1", text)


def quotes_shown(descriptions: Sequence[str]) -> dict[int, str]:
    """Each quote [n] as a reader sees it (unescaped), put back together where it was split."""
    quotes: dict[int, str] = {}
    parts: list[str] = []
    for line in (line for text in descriptions for line in unescape(text).split("\n\n") if line.startswith("> ")):
        number = re.search(r" \*\*\[(\d+)\]\*\*$", line)
        parts.append(line[2:number.start()] if number else line[2:])
        if number:  # the last piece of quote [n]: “first… …middle… …last”
            quotes[int(number[1])] = " ".join(parts).replace("… …", " ").removeprefix("“").removesuffix("”")
            parts = []
    return quotes


def embed_texts(message: SentMessage) -> list[str]:
    """Title, description and fields of each embed, unescaped."""
    texts = []
    for embed in message.embeds:
        parts = [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
        texts.append(unescape("\n".join(parts)))
    return texts


async def runs(database: Path) -> list[str | None]:
    """The outcome of every /reindex recorded in `database`, oldest first."""
    async with Store.open(database) as store:
        return [run.outcome for run in reversed(await store.recent_reindexes())]


@contextmanager
def write_lock(database: Path) -> Iterator[None]:
    """Another connection holds `database`'s write lock until the block ends (readers still read)."""
    with closing(sqlite3.connect(database, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


def thread_spy(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Wrap `module.name` to note the thread of every call; returns the list of thread ids it fills."""
    original, threads = getattr(module, name), []

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return threads
