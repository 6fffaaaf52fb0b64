"""/settings over the wire: who may use it, what it stores, and how /ask follows the server's
default visibility of answers: read at start, so a busy database cannot override it, and when the
settings cannot be read, public (the answer comes anyway)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot.store import SafeRecorder, Store
from discord_standin import EPHEMERAL, CommandNotAvailable, DiscordStandin, InjectedInteraction
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import ADMIN, Launcher, eventually, first_page, is_answer, write_lock

QUESTION = "Who killed Trotsky?"


async def stored_settings(database: Path, standin: DiscordStandin) -> dict[str, str]:
    async with Store.open(database) as store:
        return await store.settings_for(int(standin.guild_id))


async def visibility(interaction: InjectedInteraction) -> str:
    """How the bot deferred, and so who sees the answer: "private" or "public"."""
    deferred = await interaction.response()
    assert deferred.type == 5
    return "private" if deferred.data.get("flags", 0) & EPHEMERAL else "public"


async def test_an_admin_makes_answers_private_by_default(standin: DiscordStandin, launch_bot: Launcher,
                                                         tmp_path: Path) -> None:
    first_bot = await launch_bot()
    chosen = await standin.send_slash_command("settings", {"answers": "private"}, permissions=ADMIN)
    saved = await chosen.message(contains="Saved")
    assert saved.ephemeral and "`answers`: **private**" in saved.content
    assert await stored_settings(tmp_path / "bot.sqlite3", standin) == {"answers": "private"}
    asked = await standin.send_slash_command("ask", {"question": QUESTION})
    assert await visibility(asked) == "private"
    page = await first_page(asked)
    assert page.ephemeral and is_answer(page)
    public = await standin.send_slash_command("ask", {"question": QUESTION, "private": False})  # the member's choice
    assert await visibility(public) == "public" and not (await first_page(public)).ephemeral
    menu = await standin.send_message_command("Ask the sources", "Who was Ramon Mercader?")
    assert await visibility(menu) == "private" and (await first_page(menu)).ephemeral
    in_dm = await standin.send_dm_slash_command("ask", {"question": QUESTION})  # a server's setting, not a DM's
    assert await visibility(in_dm) == "public"
    await first_page(in_dm)
    await first_bot.stop()
    await launch_bot()  # a new process reads the setting from the database
    assert await visibility(await standin.send_slash_command("ask", {"question": QUESTION})) == "private"


async def test_settings_without_an_option_show_the_current_values(standin: DiscordStandin, launch_bot: Launcher,
                                                                  tmp_path: Path) -> None:
    await launch_bot()
    shown = await (await standin.send_slash_command("settings", permissions=ADMIN)).message()
    assert shown.ephemeral and "`answers`: **public** (the default: never changed)" in shown.content
    await (await standin.send_slash_command("settings", {"answers": "private"}, permissions=ADMIN)).message()
    await (await standin.send_slash_command("settings", {"answers": "public"}, permissions=ADMIN)).message()
    shown = await (await standin.send_slash_command("settings", permissions=ADMIN)).message()
    assert "`answers`: **public**:" in shown.content and "never changed" not in shown.content
    assert await stored_settings(tmp_path / "bot.sqlite3", standin) == {"answers": "public"}
    assert await visibility(await standin.send_slash_command("ask", {"question": QUESTION})) == "public"


async def test_members_without_the_right_are_refused_and_nothing_is_stored(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path) -> None:
    await launch_bot()
    with pytest.raises(CommandNotAvailable):  # Discord hides it from ordinary members…
        await standin.send_slash_command("settings", {"answers": "private"})
    forced = await standin.send_slash_command("settings", {"answers": "private"}, force=True)  # …unless exposed
    reply = await forced.message()
    assert reply.kind == "interaction_response" and reply.ephemeral and "Manage Server" in reply.content
    in_dm = await (await standin.send_dm_slash_command("settings", {"answers": "private"}, force=True)).message()
    assert in_dm.ephemeral and "not in direct messages" in in_dm.content
    assert await stored_settings(tmp_path / "bot.sqlite3", standin) == {}
    assert await visibility(await standin.send_slash_command("ask", {"question": QUESTION})) == "public"


async def test_a_setting_that_cannot_be_stored_is_explained_and_changes_nothing(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await launch_bot(recorder=SafeRecorder(database, busy_timeout_ms=200))
    await (await standin.send_slash_command("settings", {"answers": "private"}, permissions=ADMIN)).message()
    with write_lock(database):
        refused = await standin.send_slash_command("settings", {"answers": "public"}, permissions=ADMIN)
        reply = await refused.message()
        assert reply.ephemeral and "database is unavailable right now (database is locked)" in reply.content
        asked = await standin.send_slash_command("ask", {"question": QUESTION})
        assert await visibility(asked) == "private"  # the setting that was stored still serves
        await first_page(asked)
    assert await stored_settings(database, standin) == {"answers": "private"}


async def test_ask_answers_when_the_settings_cannot_be_read(standin: DiscordStandin, launch_bot: Launcher,
                                                            tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "data"
    folder.write_text("not a folder")  # in the way of the database's folder, for root too
    await launch_bot(recorder=SafeRecorder(folder / "bot.sqlite3"))
    assert "Could not read every server's settings" in caplog.text
    assert "Could not read the servers' settings at start: each server's is read on its first" in caplog.text
    asked = await standin.send_slash_command("ask", {"question": QUESTION})
    assert await visibility(asked) == "public"  # the default
    assert is_answer(await first_page(asked))
    chosen = await standin.send_slash_command("settings", {"answers": "private"}, permissions=ADMIN)
    reply = await chosen.message()
    assert reply.ephemeral and "database is unavailable right now (it cannot be opened)" in reply.content


async def test_a_slow_settings_read_after_a_failed_load_does_not_hold_up_the_answer(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async with Store.open(tmp_path / "bot.sqlite3") as store:
        await store.set_setting(int(standin.guild_id), "answers", "private")
    release, read, reads = asyncio.Event(), Store.get_setting, []

    async def held(self: Store, *args: Any) -> str | None:
        reads.append(args)
        await release.wait()
        return await read(self, *args)

    async def unreadable(self: Store, key: str) -> dict[int, str]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Store, "setting_in_every_server", unreadable)  # no load at start: each server is read
    monkeypatch.setattr(Store, "get_setting", held)
    await launch_bot()
    asked = await standin.send_slash_command("ask", {"question": QUESTION})
    try:  # acknowledged within Discord's deadline while the read is held, with the default
        assert await visibility(asked) == "public"
    finally:
        release.set()
    assert is_answer(await first_page(asked))
    assert any("Reading the settings of server" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)
    # The held read finished in the background and is remembered: the next question reads nothing.
    assert await visibility(await standin.send_slash_command("ask", {"question": QUESTION})) == "private"
    assert len(reads) == 1


async def test_a_private_choice_holds_while_a_write_holds_the_database(standin: DiscordStandin, launch_bot: Launcher,
                                                                      tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with Store.open(database) as store:
        await store.set_setting(int(standin.guild_id), "answers", "private")
    recorder = SafeRecorder(database, busy_timeout_ms=30_000)
    await launch_bot(recorder=recorder)
    with write_lock(database):  # another process writing: the bot's next write waits for it
        in_dm = await standin.send_dm_slash_command("ask", {"question": QUESTION})
        # Recording the DM's answer holds the store's lock while it waits on busy_timeout.
        await eventually(lambda: recorder.store is not None and recorder.store._lock.locked(),  # noqa: SLF001
                         what="a write waiting on the database")
        asked = await standin.send_slash_command("ask", {"question": QUESTION})
        assert await visibility(asked) == "private"  # known since the start: no read behind the write
    assert (await first_page(asked)).ephemeral
    await first_page(in_dm)


async def test_a_server_that_never_chose_is_public_without_a_read(standin: DiscordStandin, launch_bot: Launcher,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[tuple[Any, ...]] = []
    read = Store.get_setting

    async def counted(self: Store, *args: Any) -> str | None:
        reads.append(args)
        return await read(self, *args)

    monkeypatch.setattr(Store, "get_setting", counted)
    await launch_bot()
    for _ in range(2):
        asked = await standin.send_slash_command("ask", {"question": QUESTION})
        assert await visibility(asked) == "public"
        await first_page(asked)
    assert reads == []  # every server's choice was read at start, in one query


async def test_a_choice_no_longer_stored_is_not_remembered(standin: DiscordStandin, launch_bot: Launcher,
                                                           tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await launch_bot()
    await (await standin.send_slash_command("settings", {"answers": "private"}, permissions=ADMIN)).message()
    with closing(sqlite3.connect(database)) as other, other:  # changed behind the bot's back
        other.execute("UPDATE guild_settings SET value = 'secret' WHERE key = 'answers'")
    shown = await (await standin.send_slash_command("settings", permissions=ADMIN)).message()
    assert "`answers`: **public** (the default: never changed)" in shown.content
    assert await visibility(await standin.send_slash_command("ask", {"question": QUESTION})) == "public"
