"""/sources and /source (with autocomplete) over the wire, in a server and in a DM."""

from __future__ import annotations

import threading

import pytest

from bot.discord import library
from discord_standin import DiscordStandin
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import Launcher, first_page, thread_spy


@pytest.mark.parametrize("in_dm", [False, True], ids=["server", "dm"])
async def test_sources_lists_the_reading_list_with_caveats(standin: DiscordStandin, launch_bot: Launcher,
                                                           in_dm: bool) -> None:
    await launch_bot()
    page = await first_page(await standin.send_slash_command("sources", in_dm=in_dm))
    assert page.ephemeral and len(page.embeds) == 5
    by_title = {e["title"]: e for e in page.embeds}
    kahn = next(e for t, e in by_title.items() if t.startswith("Kahn & Sayers (1946)"))
    assert "**Flags:** polemical, partisan" in kahn["description"] and "pro-Stalin polemic" in kahn["description"]
    chatbot = next(e for t, e in by_title.items() if "RandomPoster33" in t)
    assert "machine-generated text" in chatbot["description"]


@pytest.mark.parametrize("in_dm", [False, True], ids=["server", "dm"])
async def test_source_autocompletes_and_shows_one_source(standin: DiscordStandin, launch_bot: Launcher,
                                                         in_dm: bool) -> None:
    await launch_bot()
    typing = await standin.send_autocomplete("source", {"name": "wal"}, focused="name", in_dm=in_dm)
    choices = (await typing.response()).data["choices"]
    assert [c["value"] for c in choices] == ["walsh-1980"]
    assert choices[0]["name"].startswith("Walsh (1980) — Forty Years")
    everything = await standin.send_autocomplete("source", {"name": ""}, focused="name", in_dm=in_dm)
    assert len((await everything.response()).data["choices"]) == 5
    page = await first_page(await standin.send_slash_command("source", {"name": "walsh-1980"}, in_dm=in_dm))
    embed = page.embeds[0]
    assert page.ephemeral and embed["title"].startswith("Walsh (1980)") and "Trotskyist" in embed["description"]
    assert {f["name"] for f in embed["fields"]} == {"In the index", "Sections"}


async def test_an_unknown_source_gets_a_private_hint(standin: DiscordStandin, launch_bot: Launcher) -> None:
    await launch_bot()
    interaction = await standin.send_slash_command("source", {"name": "Plato"})
    reply = await interaction.message(lambda m: "No single source" in m.text)
    assert reply.ephemeral and "/sources" in reply.content
    typed = await first_page(await standin.send_slash_command("source", {"name": "woods"}))
    assert typed.embeds[0]["title"].startswith("Woods (2003)")  # a name that matches one source is enough


async def test_the_reading_list_is_described_off_the_event_loop(standin: DiscordStandin, launch_bot: Launcher,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    threads = thread_spy(monkeypatch, library, "describe")
    await launch_bot()
    assert (await first_page(await standin.send_slash_command("sources"))).embeds
    assert threads and threading.get_ident() not in threads  # the loop runs in the test's thread
