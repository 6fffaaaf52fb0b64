"""Discord's own behaviours around the bot: long answers split over followups (one of them
rate-limited with a 429), a gateway reconnect-and-resume in mid-session, the ready line, and
no mention ever parsed in what the bot sends."""

from __future__ import annotations

import pytest

from bot.answer.compose import Answerer
from bot.discord.render import Limits, render_answer
from discord_standin import DiscordStandin, SentMessage
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import Launcher, custom_ids, first_page, is_answer, quotes_shown

QUESTION = "Was Trotsky an ally of Hitler?"


def message_size(message: SentMessage) -> int:
    total = 0
    for embed in message.embeds:
        total += len(embed.get("title", "")) + len(embed.get("description", ""))
        total += len(embed.get("footer", {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return total


async def test_a_long_answer_arrives_in_several_messages_despite_a_429(standin: DiscordStandin, launch_bot: Launcher,
                                                                       answerer: Answerer) -> None:
    limits = Limits(message=1500)  # Discord allows 6,000: shrunk so that a real answer needs followups
    await launch_bot(limits=limits)
    expected = answerer.ask(QUESTION)
    pages = len(render_answer(expected, limits))
    assert pages >= 3
    standin.inject_rate_limit("execute_webhook", retry_after=0.05)
    interaction = await standin.send_slash_command("ask", {"question": QUESTION})
    first = await first_page(interaction)
    await interaction.message(lambda m: len([x for x in interaction.messages if x.kind == "followup"]) == pages - 1,
                              timeout=10)
    messages = [first] + [m for m in interaction.messages if m.kind == "followup"]
    statuses = [r.status for r in standin.requests if r.operation_id == "execute_webhook"]
    assert statuses == [429] + [200] * (pages - 1)  # the rate-limited followup was retried, none lost
    assert all(message_size(m) <= limits.message for m in messages)
    descriptions = [e.get("description", "") for m in messages for e in m.embeds]
    assert quotes_shown(descriptions) == {c.n: " ".join(c.quote.split()) for c in expected.citations}
    passages = [i for m in messages for i in custom_ids(m) if i.startswith("mg:passage:")]
    assert len(passages) == len(expected.citations)
    assert [i.rsplit(":", 1)[1] for i in custom_ids(messages[-1]) if i.startswith("mg:vote:")] == ["up", "down"]


async def test_gateway_reconnect_and_resume_mid_session(standin: DiscordStandin, launch_bot: Launcher,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="marginalia")
    running = await launch_bot()
    session = standin.session_id
    in_flight = await standin.send_slash_command("ask", {"question": "Who killed Trotsky?"})
    start = await standin.request_reconnect()  # while that answer is being composed
    in_gap = await standin.send_slash_command("ask", {"question": "Who was Jacson?"})  # replayed on resume
    frame = await standin.wait_for_resume(start=start)
    assert frame.data["session_id"] == session
    assert is_answer(await first_page(in_flight)) and is_answer(await first_page(in_gap))
    await running.settle()
    assert len(standin.gateway_frames.matching(lambda f: f.op == 2)) == 1  # resumed, never identified again
    assert caplog.text.count("Ready: logged in as") == 1


async def test_nothing_the_bot_sends_can_ping(standin: DiscordStandin, launch_bot: Launcher) -> None:
    await launch_bot()
    interaction = await standin.send_slash_command("source", {"name": "@everyone"})
    reply = await interaction.message(lambda m: "No single source" in m.text)
    assert "@everyone" in reply.content and reply.body["allowed_mentions"] == {"parse": []}
    sent = await standin.send_dm_message("@everyone")
    answer = await standin.wait_for_message(channel_id=sent.channel_id, kind="channel_message")
    assert answer.body["allowed_mentions"] == {"parse": []}  # launch_bot's teardown checks all the others


async def test_commands_sync_to_the_configured_servers(standin: DiscordStandin, launch_bot: Launcher,
                                                       real_index, tmp_path) -> None:
    from discord_standin import CommandNotSynced
    from test_discord_helpers import bot_settings

    await launch_bot(bot_settings(real_index, tmp_path, discord_guild_ids=standin.guild_id))
    sync = await standin.wait_for_sync(guild_id=standin.guild_id)
    assert set(sync.names) == {"ask", "sources", "source", "reindex", "settings", "forget", "Ask the sources"}
    assert not standin.command_syncs.matching(lambda s: s.guild_id is None)  # nothing global
    assert is_answer(await first_page(await standin.send_slash_command("ask", {"question": "Who killed Trotsky?"})))
    with pytest.raises(CommandNotSynced):  # server commands are not offered in DMs…
        await standin.send_dm_slash_command("ask", {"question": "Who killed Trotsky?"})
    sent = await standin.send_dm_message("Who killed Trotsky?")  # …but a plain DM still is a question
    assert is_answer(await standin.wait_for_message(channel_id=sent.channel_id, timeout=10))
