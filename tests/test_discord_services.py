"""The Discord-free services behind the cogs: rate limit, passage lookup, progress throttling,
the interaction token's window, the re-index permission rule, log redaction, and shutdown."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.answer.compose import Answerer
from bot.discord.logs import RedactSecrets
from bot.discord.passages import PassageGone, PassageRef, checksum, find_excerpt, trim
from bot.discord.reindex_reply import DISCORD_TOKEN_WINDOW, TokenWindow
from bot.discord.reindexing import ProgressPump, Step, in_daemon_thread, may_reindex
from bot.discord.services import open_services
from bot.ratelimit import RateLimited, RateLimiter
from bot.store import Store
from conftest import make_settings
from test_discord_helpers import eventually


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_limit_is_a_sliding_minute_per_member() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    limiter.take(1)
    clock.now += 30
    limiter.take(1)
    limiter.take(2)  # another member has their own allowance
    with pytest.raises(RateLimited) as limited:
        limiter.take(1)
    assert limited.value.retry_after == pytest.approx(30) and "wait 30 s" in str(limited.value)
    clock.now += 30.5  # the first question left the window
    limiter.take(1)


def test_a_refused_question_does_not_count() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock=clock)
    limiter.take(1)
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.take(1)
    clock.now += 60.1
    limiter.take(1)


def test_a_cited_passage_is_found_with_its_surroundings(answerer: Answerer) -> None:
    answer = answerer.ask("Who killed Trotsky?")
    snap = answerer.searcher.snapshot
    assert answer.citations
    for citation in answer.citations:
        ref = PassageRef.of(citation)
        excerpt = find_excerpt(snap, ref, room=1500)
        assert excerpt.quote == citation.quote and excerpt.section == citation.section
        assert len(excerpt.before) + len(excerpt.after) <= 1500 + 2  # the … marks
        text = snap.texts[citation.source]
        assert excerpt.before.removeprefix("…") in text[:citation.start]
        assert excerpt.after.removesuffix("…") in text[citation.end:]


def test_a_passage_that_changed_or_left_is_not_shown(answerer: Answerer) -> None:
    citation = answerer.ask("Who killed Trotsky?").citations[0]
    snap = answerer.searcher.snapshot
    ref = PassageRef.of(citation)
    with pytest.raises(PassageGone):
        find_excerpt(snap, PassageRef(ref.source, ref.start + 1, ref.end + 1, ref.check))  # the text moved
    with pytest.raises(PassageGone):
        find_excerpt(snap, PassageRef("no-such-source", ref.start, ref.end, ref.check))


def test_long_source_ids_travel_as_a_checksum() -> None:
    from bot.answer.models import Citation

    long_id = "a-very-long-uncatalogued-document-name-from-a-pdf-file-2024"
    ref = PassageRef.of(Citation(1, long_id, "Quote.", 10, 16, "", "p"))
    assert ref.source == "~" + checksum(long_id) and len("mg:passage:" + ref.encode()) <= 100


def test_trim_keeps_whole_sentences_nearest_the_quote() -> None:
    before = "One. Two two. Three three three. "
    after = " Four. Five five. Six six six."
    kept_before, kept_after = trim(before, after, 40)
    assert kept_before == "…Three three three. " and kept_after == " Four. Five five.…"
    assert trim(before, after, 1000) == (before, after)


def test_progress_steps_read_well() -> None:
    assert Step("embedding", 120, 480).text() == "Embedding passages: 120/480 ▰▰▱▱▱▱▱▱▱▱ 25%"
    assert Step("reading", 0, 0).text() == "Reading documents…"


async def test_progress_is_sent_at_most_once_per_interval_and_only_the_latest() -> None:
    sent: list[tuple[float, Step]] = []
    loop = asyncio.get_running_loop()

    async def send(step: Step) -> None:
        sent.append((loop.time(), step))

    def build(post) -> str:
        import time

        for done in range(50):
            post("embedding", done, 49)
            time.sleep(0.01)
        return "built"

    started = loop.time()
    async with ProgressPump(send, 0.15) as pump:
        assert await in_daemon_thread(build, pump.post) == "built"
    finished = loop.time()
    times = [started] + [t for t, _ in sent] + [finished]
    assert all(later - earlier >= 0.149 for earlier, later in zip(times, times[1:]))
    assert 1 <= len(sent) <= 5 and sent[-1][1].done > 20


async def test_a_failing_progress_edit_does_not_stop_the_build(caplog: pytest.LogCaptureFixture) -> None:
    async def send(_step: Step) -> None:
        raise RuntimeError("edit refused")

    def build(post) -> int:
        post("reading", 1, 1)
        import time

        time.sleep(0.1)
        return 7

    async with ProgressPump(send, 0.01) as pump:
        assert await in_daemon_thread(build, pump.post) == 7
    assert "could not show re-index progress: edit refused" in caplog.text


async def test_a_build_error_reaches_the_caller() -> None:
    def build() -> None:
        raise ValueError("broken catalog")

    with pytest.raises(ValueError, match="broken catalog"):
        await in_daemon_thread(build)


def test_the_bot_stops_using_an_interaction_token_a_margin_before_discord_does() -> None:
    created = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert DISCORD_TOKEN_WINDOW.closes(created) == created + timedelta(minutes=14)  # Discord: 15 minutes
    short = TokenWindow(lifetime=timedelta(seconds=1.5), margin=timedelta(seconds=0.5))
    assert short.closes(created) == created + timedelta(seconds=1)


def test_who_may_reindex() -> None:
    assert may_reindex(manage_guild=True, role_ids=set(), admin_role_ids=set())
    assert may_reindex(manage_guild=False, role_ids={5, 7}, admin_role_ids={7})
    assert not may_reindex(manage_guild=False, role_ids={5}, admin_role_ids={7})


def test_the_redaction_filter_covers_messages_arguments_and_tracebacks() -> None:
    secret = "MTIz.secret-token.value"
    redact = RedactSecrets()
    redact.secrets.add(secret)
    record = logging.LogRecord("discord.http", logging.DEBUG, __file__, 1, "token=%s", (secret,), None)
    redact.filter(record)
    assert record.getMessage() == "token=[token redacted]"
    try:
        raise RuntimeError(f"bad {secret}")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    redact.filter(record)
    assert secret not in logging.Formatter().format(record) and "[token redacted]" in record.exc_text


async def test_settings_reads_still_running_stop_before_the_database_closes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    release, read = asyncio.Event(), Store.get_setting

    async def held(self: Store, *args: Any) -> str | None:
        await release.wait()
        return await read(self, *args)

    monkeypatch.setattr(Store, "get_setting", held)
    async with open_services(make_settings(tmp_path, tmp_path / "sources")) as services:
        services.server_settings.read_timeout = 0.05
        # Never loaded (as after a failed load at start): the server's choice is read, slowly.
        assert not await services.server_settings.answers_private(100)
        (reading,) = [t for t in asyncio.all_tasks() if t.get_name() == "marginalia: settings of server 100"]
    release.set()  # too late: the database closed when open_services ended
    await eventually(reading.done, what="the read to end")
    assert reading.cancelled()
    assert [r.getMessage() for r in caplog.records if r.name == "marginalia.store"] == []


async def test_a_follow_up_is_read_with_a_question_of_the_last_half_hour_only(answerer: Answerer,
                                                                               tmp_path: Path) -> None:
    import sqlite3

    from bot.discord.asking import FOLLOW_UP_WINDOW, Asker, Asking
    from bot.store import SafeRecorder

    database = tmp_path / "bot.sqlite3"
    async with SafeRecorder(database) as recorder:
        asker = Asker(answerer, recorder, concurrency=1, per_minute=60)

        async def follow_up_after(ago: timedelta, channel: int) -> str:
            await asker.answer(Asking(1, channel, None, "dm", "Who killed Trotsky?"), follow_up=True)
            with sqlite3.connect(database) as db:  # as if asked `ago`
                db.execute("UPDATE questions SET asked_at = ? WHERE channel_id = ?",
                           ((datetime.now(timezone.utc) - ago).isoformat(timespec="milliseconds"), channel))
            return (await asker.answer(Asking(1, channel, None, "dm", "and why?"), follow_up=True)).answer.read_as

        assert await follow_up_after(FOLLOW_UP_WINDOW + timedelta(minutes=1), channel=10) == ""  # read alone
        assert await follow_up_after(timedelta(minutes=5), channel=20) == "Who killed Trotsky? and why?"
