"""/reindex over the wire: who may run it (checked by the bot even when Discord is overridden),
progress by editing its message, one at a time, questions answered from the old index while
the new one builds, a re-index that outlives Discord's interaction token going on in the channel,
and the index built at start when there is none."""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
import pytest

from bot.answer.compose import Answerer
from bot.discord.reindex_reply import TokenWindow
from bot.discord.reindexing import Build
from bot.discord.render import Limits
from bot.discord.services import default_build
from conftest import make_settings, write_sources
from discord_routes import needs_spec
from discord_standin import EPHEMERAL, SEND_MESSAGES, CommandNotAvailable, DiscordStandin, SentMessage
from index.build import BuildReport, Progress, build_index
from index.config import Settings
from index.embedding import Embedder
from index.errors import IndexUnavailable, MarginaliaError
from index.generations import Layout
from index.search import Searcher
from test_discord_helpers import *  # noqa: F403 - fixtures
from test_discord_helpers import (ADMIN, RABBITS, RABBITS_ENTRY, Launcher, bot_settings, cited_sources, eventually,
                                  first_page, is_answer, runs)


async def test_members_without_the_right_are_refused_even_when_forced(standin: DiscordStandin, launch_bot: Launcher,
                                                                      tmp_path: Path) -> None:
    await launch_bot()
    with pytest.raises(CommandNotAvailable):  # Discord hides it from ordinary members…
        await standin.send_slash_command("reindex")
    forced = await standin.send_slash_command("reindex", force=True)  # …unless a server admin exposed it
    reply = await forced.message()
    assert reply.ephemeral and "Manage Server" in reply.content
    in_dm = await standin.send_dm_slash_command("reindex", force=True)
    reply = await in_dm.message()
    assert reply.ephemeral and "not in direct messages" in reply.content
    assert await runs(tmp_path / "bot.sqlite3") == ["refused"]


async def test_manage_server_may_reindex_and_gets_the_report(standin: DiscordStandin, launch_bot: Launcher,
                                                             tmp_path: Path) -> None:
    await launch_bot()
    interaction = await standin.send_slash_command("reindex", permissions=ADMIN)
    started = await interaction.message()
    assert started.kind == "edit_original" and not started.ephemeral and "starting" in started.content
    report = await interaction.message(contains="Re-index finished", timeout=30)
    assert report.kind == "edit_original" and report.content == ""
    assert "Nothing changed" in report.text and "5 documents" in report.text
    assert await runs(tmp_path / "bot.sqlite3") == ["ok"]


async def test_an_admin_role_may_reindex(standin: DiscordStandin, launch_bot: Launcher, real_index: Settings,
                                         tmp_path: Path) -> None:
    librarian = standin.add_role("librarian")  # no permissions of its own
    await launch_bot(bot_settings(real_index, tmp_path, admin_role_ids=librarian))
    interaction = await standin.send_slash_command("reindex", roles=[librarian], force=True)
    assert "Re-index finished" in (await interaction.message(contains="Re-index finished", timeout=30)).text


async def test_a_build_in_another_process_is_reported(standin: DiscordStandin, launch_bot: Launcher,
                                                      real_index: Settings, tmp_path: Path) -> None:
    await launch_bot()
    with Layout(real_index.data_path).build_lock():  # as `marginalia index` running in a shell would
        interaction = await standin.send_slash_command("reindex", permissions=ADMIN)
        failed = await interaction.message(contains="Re-index failed", timeout=10)
    assert "already running" in failed.content and "previous index keeps serving" in failed.content
    assert await runs(tmp_path / "bot.sqlite3") == ["busy"]


class SlowBuild:
    """The real build of a copy of the index, held at the start of embedding until released."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings, self.embedder = settings, embedder
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self, progress: Progress) -> BuildReport:
        def held(stage: str, done: int, total: int) -> None:
            progress(stage, done, total)
            if stage == "embedding" and done == 0:
                self.reached.set()
                self.release.wait(60)

        return build_index(self.settings, embedder=self.embedder, progress=held)


@pytest.fixture
def index_copy(real_index: Settings, tmp_path: Path) -> Settings:
    """A copy of the session's index and sources, with one more document waiting to be indexed."""
    root = tmp_path / "copy"
    shutil.copytree(real_index.project_dir, root)
    write_sources(root / "sources", {"rabbits-memoir.txt": RABBITS})
    with open(root / "sources" / "catalog.toml", "a", encoding="utf-8") as catalog:
        catalog.write(RABBITS_ENTRY)
    return make_settings(root, root / "sources", database_path=tmp_path / "bot.sqlite3")


def edit_times(messages: list[SentMessage]) -> list[float]:
    return [datetime.fromisoformat(m.message["edited_timestamp"]).timestamp() for m in messages
            if m.kind == "edit_original"]


async def test_reindex_progress_one_at_a_time_while_questions_are_answered(
        standin: DiscordStandin, launch_bot: Launcher, index_copy: Settings, embedder: Embedder,
        tmp_path: Path) -> None:
    answerer = Answerer(index_copy, Searcher(index_copy, embedder))
    build = SlowBuild(index_copy, embedder)
    await launch_bot(index_copy, answerer=answerer, build=build, edit_interval=0.3)
    reindex = await standin.send_slash_command("reindex", permissions=ADMIN)
    try:
        assert await asyncio.to_thread(build.reached.wait, 30)
        await reindex.message(contains="Embedding passages: 0/", timeout=10)
        second = await standin.send_slash_command("reindex", permissions=ADMIN)
        assert (await second.response()).data.get("flags", 0) & EPHEMERAL  # no public "thinking…" for a refusal
        busy = await second.message()
        assert busy.ephemeral and "already running" in busy.content
        during = await first_page(await standin.send_slash_command("ask", {"question": "Who killed Trotsky?"}))
        assert is_answer(during)  # answered from the old index while the new one builds
        before = await first_page(await standin.send_slash_command("ask", {"question": "Did Trotsky keep rabbits?"}))
        assert "rabbits-memoir" not in cited_sources(before)
    finally:
        build.release.set()
    report = await reindex.message(contains="Re-index finished", timeout=60)
    assert "1 added" in report.text and "rabbits-memoir.txt" in report.text
    times = edit_times(reindex.messages)
    assert len(times) >= 2 and all(later - earlier >= 0.25 for earlier, later in zip(times, times[1:]))
    after = await first_page(await standin.send_slash_command("ask", {"question": "Did Trotsky keep rabbits?"}))
    assert "rabbits-memoir" in cited_sources(after)  # the new generation serves at once
    assert await runs(tmp_path / "bot.sqlite3") == ["ok", "busy"]


class UnloadableAnswerer(Answerer):
    """A real answerer whose loading ahead of questions fails, as with a Chroma server gone meanwhile."""

    def warm_up(self) -> None:
        raise IndexUnavailable("Chroma server at 127.0.0.1:9 went away")


async def test_a_new_index_that_cannot_be_loaded_ahead_is_still_a_finished_reindex(
        standin: DiscordStandin, launch_bot: Launcher, index_copy: Settings, embedder: Embedder, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    build = SlowBuild(index_copy, embedder)
    build.release.set()
    await launch_bot(index_copy, answerer=UnloadableAnswerer(index_copy, Searcher(index_copy, embedder)), build=build)
    reindex = await standin.send_slash_command("reindex", permissions=ADMIN)
    report = await reindex.message(contains="Re-index finished", timeout=60)
    assert "1 added" in report.text and "keeps serving" not in report.text  # the new index does serve
    assert await runs(tmp_path / "bot.sqlite3") == ["ok"]
    assert "The new index serves, but could not be loaded ahead of the next question" in caplog.text
    after = await first_page(await standin.send_slash_command("ask", {"question": "Did Trotsky keep rabbits?"}))
    assert "rabbits-memoir" in cited_sources(after)


class PacedBuild:
    """A long re-index, shortened: `steps` progress reports `pause` s apart, then the real build."""

    def __init__(self, build: Build, steps: int = 12, pause: float = 0.2) -> None:
        self.build, self.steps, self.pause = build, steps, pause

    def __call__(self, progress: Progress) -> BuildReport:
        for done in range(self.steps):
            progress("embedding", done, self.steps)
            time.sleep(self.pause)
        return self.build(progress)


def problems_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Warnings and errors (incidents among them) logged by the bot."""
    return [r.getMessage() for r in caplog.records if r.name.startswith("marginalia") and r.levelno >= logging.WARNING]


def expired_token_answers(standin: DiscordStandin) -> list[str]:
    """Interaction webhook calls that Discord refused because the token had expired."""
    return [r.summary() for r in standin.requests if r.status == 401 and (r.response or {}).get("code") == 50027]


# The token lives 1.5 s. Either the bot is not told (Discord's 15 minutes) and meets Discord's
# 401 "Invalid Webhook Token" on its next edit, or its window closes 0.7 s early and it moves first.
@pytest.mark.parametrize("window", [None, TokenWindow(timedelta(seconds=1.5), timedelta(seconds=0.7))],
                         ids=["edit-refused", "before-expiry"])
async def test_a_reindex_that_outlives_the_interaction_token_goes_on_in_the_channel(
        standin: DiscordStandin, launch_bot: Launcher, answerer: Answerer, real_index: Settings, tmp_path: Path,
        caplog: pytest.LogCaptureFixture, window: TokenWindow | None) -> None:
    caplog.set_level("INFO", logger="marginalia")
    standin.token_lifetime = 1.5
    settings = bot_settings(real_index, tmp_path)
    await launch_bot(settings, build=PacedBuild(default_build(settings, answerer)),
                     **({"token_window": window} if window else {}))
    reindex = await standin.send_slash_command("reindex", permissions=ADMIN)
    await reindex.message(contains="Re-indexing the reading list… Embedding passages", timeout=10)
    still = await standin.wait_for_message(kind="channel_message", contains="Still re-indexing", timeout=10)
    assert still.channel_id == standin.channel_id and not still.ephemeral
    assert still.content.startswith("Still re-indexing the reading list… (the original message can no longer "
                                    "be edited)\nEmbedding passages: ")
    progress = await standin.wait_for_message(
        lambda m: m.id == still.id and m.content != still.content and "Still re-indexing" in m.content,
        kind="edit_message", timeout=10)  # progress continues in that message
    report = await standin.wait_for_message(kind="channel_message", contains="Re-index finished", timeout=30)
    assert "Nothing changed" in report.text and "5 documents" in report.text and report.content == ""
    ended = await standin.wait_for_message(lambda m: m.id == still.id and "ended" in m.content, kind="edit_message")
    sent = standin.sent_messages.items
    assert sent.index(still) < sent.index(progress) < sent.index(report) < sent.index(ended)
    assert all("Re-index finished" not in m.text for m in reindex.messages)  # nothing more through the token
    refused = expired_token_answers(standin)
    assert len(refused) == (1 if window is None else 0), refused  # refused once, then never tried again
    assert problems_logged(caplog) == []  # no incident, no failed edit
    assert "The /reindex message can no longer be edited" in caplog.text
    assert await runs(tmp_path / "bot.sqlite3") == ["ok"]


async def test_a_failure_after_the_token_expired_is_posted_in_the_channel(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def broken(_progress: Progress) -> BuildReport:
        raise MarginaliaError("catalog.toml has 1 problem(s): rabbits.txt is not in the sources folder.")

    standin.token_lifetime = 1.0
    await launch_bot(build=PacedBuild(broken, steps=8))
    await standin.send_slash_command("reindex", permissions=ADMIN)
    failed = await standin.wait_for_message(kind="channel_message", contains="Re-index failed", timeout=15)
    assert failed.content == ("Re-index failed: catalog.toml has 1 problem(s): rabbits.txt is not in the sources "
                              "folder. The previous index keeps serving.")
    assert problems_logged(caplog) == [] and len(expired_token_answers(standin)) == 1
    assert await runs(tmp_path / "bot.sqlite3") == ["failed"]


async def test_a_reindex_that_may_not_post_in_the_channel_is_logged_and_recorded(
        standin: DiscordStandin, launch_bot: Launcher, answerer: Answerer, real_index: Settings, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="marginalia")
    standin.token_lifetime = 1.0
    await standin.deny_bot(SEND_MESSAGES)  # a channel where the bot may answer commands but not post
    settings = bot_settings(real_index, tmp_path)
    await launch_bot(settings, build=PacedBuild(default_build(settings, answerer), steps=10))
    await standin.send_slash_command("reindex", permissions=ADMIN)
    first = await standin.wait_for_request("create_message", timeout=10)
    outcome = await standin.wait_for_request("create_message", start=standin.requests.items.index(first) + 1,
                                             timeout=30)
    assert (first.status, first.response["code"], outcome.status) == (403, 50013, 403)
    await eventually(lambda: len(problems_logged(caplog)) >= 2, what="two warnings")  # the second: after the last post
    posts = [r for r in standin.requests if r.operation_id == "create_message"]
    assert len(posts) == 2  # one try for the progress, one for the outcome: no retry at every step
    warnings = problems_logged(caplog)
    assert len(warnings) == 2 and all("channel #general" in w and "Missing Permissions" in w for w in warnings)
    assert "Could not show /reindex progress" in warnings[0] and "recorded in the run log" in warnings[0]
    assert "Could not post the /reindex outcome" in warnings[1] and "Indexed 5 documents" in warnings[1]
    assert await runs(tmp_path / "bot.sqlite3") == ["ok"]


def incidents(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The incident ids logged (with their tracebacks) as ERROR."""
    return [str(r.args[0]) for r in caplog.records
            if r.levelno == logging.ERROR and r.getMessage().startswith("Incident ")]


async def test_a_bug_during_a_reindex_replaces_the_progress_with_an_incident(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def broken(_progress: Progress) -> BuildReport:
        raise RuntimeError("a bug in the build")

    await launch_bot(build=PacedBuild(broken, steps=3))
    interaction = await standin.send_slash_command("reindex", permissions=ADMIN)
    failed = await interaction.message(contains="Re-index failed", timeout=10)
    assert failed.kind == "edit_original" and not failed.ephemeral  # where the channel saw it start
    (code,) = incidents(caplog)
    assert failed.content == (f"Re-index failed: Something went wrong on my side (incident {code}). It has been "
                              "logged; please try again, and quote the incident id if you report it. The previous "
                              "index keeps serving.")
    assert "RuntimeError: a bug in the build" in caplog.text  # the traceback
    assert await runs(tmp_path / "bot.sqlite3") == ["failed"]


@needs_spec  # the 400 comes from checking the body against Discord's spec
async def test_an_outcome_the_channel_refuses_as_invalid_is_an_incident_not_a_missing_right(
        standin: DiscordStandin, launch_bot: Launcher, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def failures(_progress: Progress) -> BuildReport:
        skipped = [(f"scan-{n:02}.pdf", "no text layer: a scanned image") for n in range(40)]
        return BuildReport(documents=40, failed=skipped)

    standin.token_lifetime = 1.0  # the outcome goes to the channel
    # A rendering bug: fields longer than Discord's 1,024 characters, which it refuses with 400 Invalid Form Body.
    await launch_bot(build=PacedBuild(failures, steps=8), limits=Limits(field_value=4000))
    await standin.send_slash_command("reindex", permissions=ADMIN)
    still = await standin.wait_for_message(kind="channel_message", contains="Still re-indexing", timeout=10)
    refused = await standin.wait_for_request("create_message", lambda r: r.status == 400, timeout=15)
    assert refused.response["code"] == 50035
    # The admin is told, in the channel where the progress was, and the progress says it ended.
    told = await standin.wait_for_message(kind="channel_message", contains="could not be shown", timeout=15)
    (code,) = incidents(caplog)
    assert told.content.startswith("Re-index finished (nothing changed), but its report could not be shown: "
                                   f"Something went wrong on my side (incident {code}).")
    await standin.wait_for_message(lambda m: m.id == still.id and "ended" in m.content, kind="edit_message")
    (violation,) = standin.take_violations()
    assert "fields/0/value: maxLength=1024" in str(violation)
    assert "Could not post the /reindex outcome" not in caplog.text  # the bot may post: it sent a bad body
    assert await runs(tmp_path / "bot.sqlite3") == ["ok"]


async def test_the_index_is_built_at_start_when_there_is_none(standin: DiscordStandin, launch_bot: Launcher,
                                                              embedder: Embedder, tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="marginalia")
    sources = write_sources(tmp_path / "sources", {"rabbits-memoir.txt": RABBITS}, RABBITS_ENTRY)
    settings = make_settings(tmp_path, sources, database_path=tmp_path / "bot.sqlite3")
    assert Layout(settings.data_path).current() is None
    await launch_bot(settings, answerer=Answerer(settings, Searcher(settings, embedder)))
    assert Layout(settings.data_path).current() is not None
    assert "There is no index yet: building it now" in caplog.text
    page = await first_page(await standin.send_slash_command("ask", {"question": "Did Trotsky keep rabbits?"}))
    assert cited_sources(page) == {"rabbits-memoir"}


async def test_progress_refused_as_invalid_is_logged_once_and_not_retried_at_every_step(
        standin: DiscordStandin, launch_bot: Launcher, answerer: Answerer, real_index: Settings, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    settings = bot_settings(real_index, tmp_path)
    await launch_bot(settings, build=PacedBuild(default_build(settings, answerer), steps=6))
    reindex = await standin.send_slash_command("reindex", permissions=ADMIN)
    await reindex.message(contains="starting", timeout=10)
    standin.inject_error("update_original_webhook_message")  # the next progress edit: 400 Invalid Form Body
    report = await reindex.message(contains="Re-index finished", timeout=30)
    edits = [r for r in standin.requests if r.operation_id == "update_original_webhook_message"]
    refused = [r for r in edits if r.status == 400]
    assert len(refused) == 1
    assert edits[edits.index(refused[0]) + 1:] == edits[-1:]  # no progress edit after it: only the report
    assert "Embedding" not in report.text
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name.startswith("marginalia")]
    assert len(errors) == 1 and "refused the /reindex progress" in errors[0] and "50035" in errors[0]
    assert await runs(tmp_path / "bot.sqlite3") == ["ok"]
