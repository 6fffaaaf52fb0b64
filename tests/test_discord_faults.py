"""The bot under trouble: a Chroma server that stops and comes back, a read-only or locked
database, a bug in a command (incident id), and the token kept out of the logs."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path

import pytest
import pytest_asyncio
from discord import Interaction, app_commands

from bot.answer.compose import Answerer
from bot.discord.replies import think
from bot.store import SafeRecorder, Store
from conftest import SOURCES, make_settings, write_sources
from discord_standin import DiscordStandin
from index.build import build_index
from index.embedding import Embedder
from index.search import Searcher
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import (ADMIN, RABBITS, RABBITS_ENTRY, Launcher, cited_sources, custom_ids, first_page,
                                  is_answer, runs, write_lock)

QUESTION = "Who killed Trotsky?"
EXCERPT_QUESTIONS = ("Who killed Trotsky?", "Who was Ramon Mercader?", "When was Trotsky assassinated?",
                     "Who struck Trotsky with an ice-pick?")


def walsh_excerpt(folder: Path) -> Path:
    """The first part of Walsh (1980) with its catalog entry: small enough to embed in seconds."""
    text = (SOURCES / "walsh-1980-trotskys-assassination.txt").read_text(encoding="utf-8")
    catalog = (SOURCES / "catalog.toml").read_text(encoding="utf-8")
    entry = next("[[source]]" + e for e in catalog.split("\n[[source]]") if 'id = "walsh-1980"' in e)
    return write_sources(folder, {"walsh-1980-trotskys-assassination.txt": text[:text.index("\n\n", 6000)]}, entry)


async def test_a_chroma_server_that_stops_and_comes_back(standin: DiscordStandin, launch_bot: Launcher,
                                                         chroma_server, embedder: Embedder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, walsh_excerpt(tmp_path / "sources"), chroma_host="127.0.0.1",
                             chroma_port=chroma_server.port, database_path=tmp_path / "bot.sqlite3")
    await asyncio.to_thread(build_index, settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    question = next(q for q in EXCERPT_QUESTIONS if answerer.ask(q).answered)  # the answer layer is still tuned
    await launch_bot(settings, answerer=answerer)
    assert cited_sources(await first_page(await standin.send_slash_command("ask", {"question": question}))) == {
        "walsh-1980"}
    await asyncio.to_thread(chroma_server.stop)
    try:
        down = await standin.send_slash_command("ask", {"question": question})
        reply = await down.message(lambda m: "unavailable" in m.text, timeout=30)
        assert reply.ephemeral and reply.kind == "followup" and "Try again in a moment" in reply.content
        assert "1 source." in (await first_page(await standin.send_slash_command("sources"))).text  # still up
    finally:
        await asyncio.to_thread(chroma_server.start)
    back = await first_page(await standin.send_slash_command("ask", {"question": question}), timeout=30)
    assert cited_sources(back) == {"walsh-1980"}


async def test_no_index_is_explained_and_a_reindex_recovers(standin: DiscordStandin, launch_bot: Launcher,
                                                           embedder: Embedder, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    sources = write_sources(tmp_path / "sources", {}, RABBITS_ENTRY.replace("rabbits-memoir.txt", "later.txt"))
    settings = make_settings(tmp_path, sources, database_path=tmp_path / "bot.sqlite3")
    await launch_bot(settings, answerer=Answerer(settings, Searcher(settings, embedder)))  # the build at start fails
    assert "Could not build the index at start" in caplog.text
    asked = await standin.send_slash_command("ask", {"question": "Did Trotsky keep rabbits?"})
    reply = await asked.message(lambda m: "no index" in m.text)
    assert reply.ephemeral and "/reindex" in reply.content
    (sources / "later.txt").write_text(RABBITS, encoding="utf-8")
    reindex = await standin.send_slash_command("reindex", permissions=ADMIN)
    assert "1 added" in (await reindex.message(contains="Re-index finished", timeout=30)).text
    again = await first_page(await standin.send_slash_command("ask", {"question": "Did Trotsky keep rabbits?"}))
    assert cited_sources(again) == {"rabbits-memoir"}


@pytest_asyncio.fixture
async def read_only_store(tmp_path: Path) -> AsyncIterator[Store]:
    """The bot's database, migrated, then opened read-only (as on a read-only mount)."""
    path = tmp_path / "bot.sqlite3"
    async with Store.open(path):
        pass
    store = await Store.connect(path, read_only=True)
    yield store
    await store.close()


@pytest.fixture
def locked_database(tmp_path: Path) -> Iterator[Path]:
    """The bot's database with another connection holding the write lock throughout."""
    path = tmp_path / "bot.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("CREATE TABLE IF NOT EXISTS t (x)")
        other.execute("BEGIN EXCLUSIVE")
        yield path
        other.execute("ROLLBACK")


async def test_a_read_only_database_still_answers(read_only_store: Store, standin: DiscordStandin,
                                                  launch_bot: Launcher, caplog: pytest.LogCaptureFixture) -> None:
    await launch_bot(recorder=SafeRecorder(read_only_store))
    page = await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    assert is_answer(page)
    ids = custom_ids(page)
    assert ids and not [i for i in ids if i.startswith("mg:vote:")]  # nothing stored to vote on
    assert "Could not record a question" in caplog.text and "readonly" in caplog.text
    forget = await standin.send_slash_command("forget")
    reply = await forget.message(lambda m: "database is unavailable" in m.text)
    assert reply.ephemeral  # a member's own request does hear about the failure


async def test_a_locked_database_still_answers(locked_database: Path, standin: DiscordStandin, launch_bot: Launcher,
                                               caplog: pytest.LogCaptureFixture) -> None:
    await launch_bot(recorder=SafeRecorder(locked_database, busy_timeout_ms=200))
    page = await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    assert is_answer(page) and "database is locked" in caplog.text
    sent = await standin.send_dm_message(QUESTION)
    assert is_answer(await standin.wait_for_message(channel_id=sent.channel_id, timeout=10))


#: Longer than any test holds a database's write lock: the bot waits for it rather than fail.
PATIENT_MS = 30_000


async def test_a_vote_is_acknowledged_before_it_waits_for_a_locked_database(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await launch_bot(recorder=SafeRecorder(database, busy_timeout_ms=PATIENT_MS))
    page = await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    up = next(i for i in custom_ids(page) if i.startswith("mg:vote:"))
    with write_lock(database):
        vote = await standin.send_button_press(up, message=page)
        await vote.response(timeout=standin.callback_deadline)  # Discord's deadline, the database still locked
        assert not vote.messages
    thanks = await vote.message(contains="Thanks")
    assert thanks.ephemeral and "👍" in thanks.content
    async with Store.open(database) as store:
        assert await store.feedback_counts(int(up.split(":")[2])) == (1, 0)


@pytest.mark.parametrize("allowed", [True, False], ids=["admin", "refused"])
async def test_reindex_is_acknowledged_before_it_waits_for_a_locked_database(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path, allowed: bool) -> None:
    database = tmp_path / "bot.sqlite3"
    async with Store.open(database):  # migrated and in WAL mode: the bot can open it under the lock, then waits
        pass
    await launch_bot(recorder=SafeRecorder(database, busy_timeout_ms=PATIENT_MS))
    with write_lock(database):
        reindex = await standin.send_slash_command("reindex", permissions=ADMIN if allowed else None, force=True)
        acknowledged = await reindex.response(timeout=standin.callback_deadline)
        assert not reindex.messages
    if allowed:
        assert acknowledged.data.get("flags", 0) == 0  # the channel sees the re-index start
        assert "Re-index finished" in (await reindex.message(contains="Re-index finished", timeout=30)).text
    else:
        refusal = await reindex.message()
        assert refusal.ephemeral and "Manage Server" in refusal.content
    assert await runs(database) == ["ok" if allowed else "refused"]


async def test_a_database_that_cannot_be_opened_is_explained(standin: DiscordStandin, launch_bot: Launcher,
                                                             tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "data"
    folder.write_text("not a folder")  # in the way of the database's folder, for root too
    await launch_bot(recorder=SafeRecorder(folder / "bot.sqlite3"))
    reply = await (await standin.send_slash_command("forget")).message()
    assert reply.ephemeral and "database is unavailable right now (it cannot be opened)" in reply.content
    assert "Could not open the database" in caplog.text
    assert "read the last question" not in caplog.text  # opened as a step of its own, not by a read


@app_commands.command(description="Fails at once (a bug).")
async def explode(_interaction: Interaction) -> None:
    raise RuntimeError("boom before answering")


@app_commands.command(description="Fails after deferring publicly (a bug).")
async def explode_later(interaction: Interaction) -> None:
    await think(interaction, private=False)
    raise RuntimeError("boom after deferring")


async def test_a_bug_gets_an_incident_id_privately_and_a_logged_traceback(
        standin: DiscordStandin, launch_bot: Launcher, caplog: pytest.LogCaptureFixture) -> None:
    await launch_bot(extra=[explode, explode_later])
    now = await (await standin.send_slash_command("explode")).message()
    assert now.ephemeral and "incident" in now.content
    code = now.content.split("incident ")[1][:8]
    record = next(r for r in caplog.records if r.name == "marginalia.discord" and r.levelno == logging.ERROR)
    assert code in record.getMessage() and "boom before answering" in caplog.text and record.exc_info
    later = await standin.send_slash_command("explode_later")
    note = await later.message(lambda m: "incident" in m.content)
    assert note.ephemeral and note.kind == "followup"
    assert any(r.operation_id == "delete_original_webhook_message" for r in standin.requests)  # no lasting "thinking…"


async def test_the_token_never_reaches_the_logs(standin: DiscordStandin, launch_bot: Launcher,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    running = await launch_bot()
    await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    await standin.force_reconnect()  # RESUME carries the token
    logging.getLogger("discord.http").debug("a library logging its token: %s", standin.token)
    try:
        raise ValueError(f"token {standin.token} in an exception")
    except ValueError:
        logging.getLogger("discord.client").warning("with a traceback", exc_info=True)
    await running.settle()
    assert standin.token not in caplog.text
    assert caplog.text.count("[token redacted]") >= 2
