"""What the bot sends when a document holds its token or terminal escapes: neither reaches Discord,
in the answer or in "Show passage"."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import make_settings, write_sources
from discord_standin import DEFAULT_TOKEN, DiscordStandin

from bot.answer.compose import Answerer
from index.build import build_index
from index.embedding import Embedder
from index.search import Searcher
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import Launcher, custom_ids, first_page

LEAK = ("The keeper of the tea house wrote the bot's secret on the wall: \x1b[2J\x1b]0;pwned\x07"
        f"{DEFAULT_TOKEN} was the token, and he locked it in a cedar chest.\n\n"
        "The tea house stood in Kyoto, beside the river, and its keeper served Sen no Rikyū.")


async def test_a_document_holding_the_token_and_escapes_shows_neither(standin: DiscordStandin, launch_bot: Launcher,
                                                                      embedder: Embedder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, write_sources(tmp_path / "sources", {"tea-house.txt": LEAK}),
                             database_path=tmp_path / "bot.sqlite3")
    build_index(settings, embedder=embedder)
    await launch_bot(settings, answerer=Answerer(settings, Searcher(settings, embedder)))
    page = await first_page(await standin.send_slash_command("ask", {"question": "What did the keeper write on the "
                                                                                 "wall of the tea house?"}))
    assert "cedar chest" in json.dumps(page.embeds)
    press = await standin.send_button_press(next(i for i in custom_ids(page) if i.startswith("mg:passage:")),
                                            message=page)
    shown = await press.message()
    assert "cedar chest" in json.dumps(shown.embeds)
    sent = json.dumps([r.json for r in standin.requests if r.json is not None])
    assert DEFAULT_TOKEN not in sent and "[token redacted]" in sent
    assert "\\u001b" not in sent and "\\u0007" not in sent
