"""Asking over Discord's wire: /ask in a server and in a DM, the message menu, plain DMs with
follow-ups, bad questions, the rate limit, and the buttons under an answer (passage, votes).
How /ask follows a server's /settings is in test_discord_settings.py.

The real bot, model and index, against the loopback stand-in (see discord_standin.py).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bot.answer.compose import Answerer
from bot.discord import views
from bot.discord.render import oneline
from bot.store import Store
from discord_standin import EPHEMERAL, DiscordStandin, SentMessage
from index.config import Settings
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import (Launcher, bot_settings, cited_sources, custom_ids, embed_texts, first_page,
                                  is_answer, thread_spy, unescape)

QUESTION = "Who killed Trotsky?"


async def test_ask_in_a_server_quotes_cites_and_offers_buttons(standin: DiscordStandin, launch_bot: Launcher,
                                                               answerer: Answerer, tmp_path: Path) -> None:
    await launch_bot()
    interaction = await standin.send_slash_command("ask", {"question": QUESTION})
    callback = await interaction.response()
    assert callback.type == 5 and not callback.data.get("flags")  # deferred, public
    page = await first_page(interaction)
    expected = answerer.ask(QUESTION)
    descriptions = [text for text in embed_texts(page)]
    for citation in expected.citations:
        assert any(f"“{oneline(citation.quote)}” [{citation.n}]" in text.replace("**", "") for text in descriptions)
        note = expected.sources[citation.source]
        assert any(f"[{citation.n}] {note.author}, “{note.title}” ({note.date})" in t for t in descriptions)
    for note in expected.sources.values():  # each source's flags and caveat sit beside its quotes
        card = [e for e in page.embeds if unescape(e["title"]).startswith(note.short_name)]
        assert ", ".join(note.flags) in card[0]["description"]
        assert any(note.caveat in unescape(f["value"]) for f in card[-1]["fields"])
    ids = custom_ids(page)
    assert [i for i in ids if i.startswith("mg:passage:")].__len__() == len(expected.citations)
    assert [i.rsplit(":", 1)[1] for i in ids if i.startswith("mg:vote:")] == ["up", "down"]
    assert not page.ephemeral
    async with Store.open(tmp_path / "bot.sqlite3") as store:
        record = await store.question(int(ids[-1].split(":")[2]))
    assert record is not None and record.context == "slash" and record.guild_id == int(standin.guild_id)
    assert set(record.cited_sources) == set(expected.sources)


async def test_private_ask_in_a_dm(standin: DiscordStandin, launch_bot: Launcher, answerer: Answerer) -> None:
    await launch_bot()
    interaction = await standin.send_dm_slash_command("ask", {"question": "How was Trotsky killed?", "private": True})
    assert (await interaction.response()).data.get("flags") == EPHEMERAL
    page = await first_page(interaction)
    assert page.ephemeral and page.channel_id == standin.dm_channel_for(standin.default_user)["id"]
    assert answerer.ask("How was Trotsky killed?").lead in page.text


async def test_a_question_the_sources_do_not_answer(standin: DiscordStandin, launch_bot: Launcher,
                                                    answerer: Answerer) -> None:
    await launch_bot()
    interaction = await standin.send_slash_command("ask", {"question": "What is the recipe for apple pie?"})
    page = await first_page(interaction)
    assert page.embeds[0]["title"] == "What is the recipe for apple pie?"
    assert answerer.ask("What is the recipe for apple pie?").lead in page.text and not is_answer(page)


async def test_empty_and_overlong_questions_get_a_clear_private_message(standin: DiscordStandin,
                                                                         launch_bot: Launcher) -> None:
    await launch_bot()
    empty = await standin.send_slash_command("ask", {"question": "   "})
    reply = await empty.message()
    assert (reply.kind, reply.ephemeral) == ("interaction_response", True) and "empty" in reply.content
    long = await standin.send_dm_slash_command("ask", {"question": "Why? " * 200})
    reply = await long.message()
    assert reply.ephemeral and "the limit is 600" in reply.content


async def test_rate_limit_is_per_member_and_friendly(standin: DiscordStandin, launch_bot: Launcher,
                                                     real_index: Settings, tmp_path: Path) -> None:
    await launch_bot(bot_settings(real_index, tmp_path, rate_limit_per_minute=2))
    for _ in range(2):
        await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    third = await standin.send_slash_command("ask", {"question": QUESTION})
    reply = await third.message()
    assert reply.ephemeral and "2 questions in the last minute" in reply.content and "wait" in reply.content
    other = await standin.send_slash_command("ask", {"question": QUESTION}, user=standin.add_user("bob"))
    assert is_answer(await first_page(other))


async def test_ask_the_sources_message_menu(standin: DiscordStandin, launch_bot: Launcher) -> None:
    await launch_bot()
    interaction = await standin.send_message_command("Ask the sources", "Who was Ramon Mercader?")
    page = await first_page(interaction)
    assert is_answer(page) and page.embeds[0]["title"] == "Who was Ramon Mercader?"


async def test_direct_messages_are_questions_with_follow_ups(standin: DiscordStandin, launch_bot: Launcher) -> None:
    running = await launch_bot()
    first = await standin.send_dm_message(QUESTION)
    answer = await standin.wait_for_message(channel_id=first.channel_id, kind="channel_message", timeout=10)
    assert is_answer(answer)
    await standin.send_dm_message("and what does Walsh say about that?")
    follow_up = await standin.wait_for_message(lambda m: "Walsh say" in m.text, channel_id=first.channel_id)
    assert cited_sources(follow_up) == {"walsh-1980"}  # only the source named, on the topic before
    # Without a previous question the same words are no question at all: the context came from the store.
    bob = standin.add_user("bob")
    alone = await standin.send_dm_message("and what does Walsh say about that?", user=bob)
    reply = await standin.wait_for_message(channel_id=alone.channel_id, kind="channel_message")
    assert not is_answer(reply)
    await running.settle()  # the bot's own messages came back over the gateway and were ignored
    assert len(standin.requests.matching(lambda r: r.operation_id == "create_message")) == 3


async def test_a_chain_of_follow_ups_keeps_its_subject_and_a_new_question_starts_afresh(
        standin: DiscordStandin, launch_bot: Launcher) -> None:
    await launch_bot()

    async def dm(text: str) -> SentMessage:
        sent = await standin.send_dm_message(text)
        return await standin.wait_for_message(lambda m: m.embeds and m.embeds[0].get("title") == text,
                                              channel_id=sent.channel_id, kind="channel_message", timeout=15)

    first = await dm("Who killed Trotsky?")
    assert is_answer(first) and "Read with your question" not in first.text
    why = await dm("and why?")
    assert "Read with your question before it: “Who killed Trotsky? and why?”" in why.text
    where = await dm("and where did it happen?")  # read with the chain, not with "and why?" alone
    assert is_answer(where)
    chained = "Read with your question before it: “Who killed Trotsky? and why? and where did it happen?”"
    assert chained in where.text
    typed = await dm("Who was Ramon Mercader?")
    command = await standin.send_dm_message("/ask Who was Ramon Mercader?")  # a slash command typed as text
    as_typed = await standin.wait_for_message(lambda m: m.id != typed.id and m.embeds
                                              and m.embeds[0].get("title") == "Who was Ramon Mercader?",
                                              channel_id=command.channel_id, kind="channel_message", timeout=15)
    assert is_answer(as_typed)
    unrelated = await dm("Is Paris the capital of France?")  # a question of its own
    assert not is_answer(unrelated) and "Read with your question" not in unrelated.text


async def test_show_passage_button_sends_the_passage_privately(standin: DiscordStandin, launch_bot: Launcher,
                                                               answerer: Answerer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    await launch_bot()
    page = await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    answer = answerer.ask(QUESTION)
    citation = answer.citations[3]
    button = next(i for i in custom_ids(page) if i.startswith(f"mg:passage:{citation.source}:{citation.start}:"))
    release, lookup = threading.Event(), views.find_excerpt

    def held(*args: Any) -> Any:
        release.wait(30)
        return lookup(*args)

    monkeypatch.setattr(views, "find_excerpt", held)
    press = await standin.send_button_press(button, message=page)
    try:  # acknowledged privately within Discord's deadline, before the lookup
        acknowledged = await press.response(timeout=standin.callback_deadline)
        assert acknowledged.type == 5 and acknowledged.data.get("flags") == EPHEMERAL and not press.messages
    finally:
        release.set()
    shown = await press.message()
    assert shown.ephemeral and shown.kind == "edit_original"
    description = embed_texts(shown)[0]
    assert f"**{oneline(citation.quote)}**" in oneline(description)
    assert len(description) > len(citation.quote) + 200  # the text around it comes along
    assert citation.section in shown.embeds[0]["footer"]["text"]
    # Read as in the answer: its number, its source's flags and voice (every bundled source has flags).
    note = answer.sources[citation.source]
    assert shown.embeds[0]["title"].startswith(f"[{citation.n}] {note.short_name}")
    assert f"\n⚠️ **{', '.join(note.flags)}** · *" in description


async def test_show_passage_in_a_dm(standin: DiscordStandin, launch_bot: Launcher) -> None:
    await launch_bot()
    sent = await standin.send_dm_message("How was Trotsky killed?")
    answer = await standin.wait_for_message(channel_id=sent.channel_id, kind="channel_message", timeout=10)
    press = await standin.send_button_press(custom_ids(answer)[0], message=answer)
    assert (await press.message()).embeds


async def test_a_passage_is_looked_up_off_the_event_loop(standin: DiscordStandin, launch_bot: Launcher,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    threads = thread_spy(monkeypatch, views, "find_excerpt")
    await launch_bot()
    page = await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    assert (await (await standin.send_button_press(custom_ids(page)[0], message=page)).message()).embeds
    assert threads and threading.get_ident() not in threads  # the loop runs in the test's thread


async def test_votes_are_recorded_and_survive_a_restart(standin: DiscordStandin, launch_bot: Launcher,
                                                        tmp_path: Path) -> None:
    first_bot = await launch_bot()
    page = await first_page(await standin.send_slash_command("ask", {"question": QUESTION}))
    up, down = [i for i in custom_ids(page) if i.startswith("mg:vote:")]
    thanks = await (await standin.send_button_press(up, message=page)).message()
    assert thanks.ephemeral and "👍" in thanks.content
    question_id = int(up.split(":")[2])
    await first_bot.stop()
    await launch_bot()  # a new process, the same database
    bob = standin.add_user("bob")
    await (await standin.send_button_press(down, message=page, user=bob)).message()
    await (await standin.send_button_press(down, message=page)).message()  # alice changes her mind
    async with Store.open(tmp_path / "bot.sqlite3") as store:
        assert await store.feedback_counts(question_id) == (0, 2)


async def test_discord_is_told_the_question_limit_and_the_bot_says_what_to_do_with_a_long_message(
        standin: DiscordStandin, launch_bot: Launcher, real_index: Settings, tmp_path: Path,
        answerer: Answerer) -> None:
    settings = bot_settings(real_index, tmp_path, max_question_chars=300, rate_limit_per_minute=1)
    await launch_bot(settings, answerer=Answerer(settings, answerer.searcher))  # one limit, as in a real bot
    (ask,) = [c for c in standin.synced_commands[None] if c["name"] == "ask"]
    question = next(o for o in ask["options"] if o["name"] == "question")
    assert (question.get("min_length"), question.get("max_length")) == (1, 300)  # Discord stops a longer one
    # The message menu: someone else's long message cannot be shortened by the member.
    reply = await (await standin.send_message_command("Ask the sources", "Why? " * 100)).message()
    assert reply.ephemeral and "too long to ask about" in reply.content and "/ask" in reply.content
    # Only symbols: nothing to look up, said privately, and no rate-limit slot used.
    symbols = await (await standin.send_slash_command("ask", {"question": "🤔🔪❓"})).message()
    assert symbols.ephemeral and "no words to look up" in symbols.content
    # Neither refusal took the member's one question a minute.
    assert is_answer(await first_page(await standin.send_slash_command("ask", {"question": QUESTION})))
