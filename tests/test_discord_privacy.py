"""/forget over the wire: a member's stored questions and votes go, other members' stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.discord.records import Forgotten
from bot.store import Store
from discord_standin import DiscordStandin
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import Launcher, custom_ids, first_page


@pytest.mark.parametrize("in_dm", [False, True], ids=["server", "dm"])
async def test_forget_deletes_the_members_questions_and_votes(standin: DiscordStandin, launch_bot: Launcher,
                                                              tmp_path: Path, in_dm: bool) -> None:
    await launch_bot()
    bob = standin.add_user("bob")
    mine = await first_page(await standin.send_slash_command("ask", {"question": "Who killed Trotsky?"}))
    theirs = await first_page(await standin.send_slash_command("ask", {"question": "Who was Jacson?"}, user=bob))
    await (await standin.send_button_press(custom_ids(theirs)[-2], message=theirs)).message()  # alice votes on bob's
    await (await standin.send_button_press(custom_ids(mine)[-2], message=mine, user=bob)).message()  # bob on alice's
    forget = await standin.send_slash_command("forget", in_dm=in_dm)
    reply = await forget.message(contains="Deleted")
    assert reply.ephemeral
    assert "Deleted 1 stored question with its answer" in reply.content and "1 vote you gave" in reply.content
    assert "1 vote others gave" in reply.content and "Answers already posted in channels stay there" in reply.content
    async with Store.open(tmp_path / "bot.sqlite3") as store:
        assert await store.last_question(int(standin.default_user["id"]), int(standin.channel_id)) is None
        assert await store.last_question(int(bob["id"]), int(standin.channel_id)) == ("Who was Jacson?", True)
    late = await (await standin.send_button_press(custom_ids(mine)[-2], message=mine, user=bob)).message()
    assert late.ephemeral and "no longer stored" in late.content


def test_forget_says_plainly_when_nothing_was_stored() -> None:
    assert Forgotten(0, 0, 0).summary() == "Nothing of yours was stored: no questions, answers or votes."
    assert Forgotten(2, 0, 3).summary().startswith("Deleted 2 stored questions with their answers, 0 votes you "
                                                   "gave, and 3 votes others gave on your answers.")
