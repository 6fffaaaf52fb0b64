"""When the database misbehaves the bot keeps answering: SafeRecorder never raises, logs once,
recovers by itself, and nothing already stored is lost. Real files, real locks, no mocks."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.store import SafeRecorder, Store, StoreUnavailable
from index.errors import MarginaliaError

QUESTION: dict[str, Any] = dict(user_id=1, channel_id=10, guild_id=100, question="Why?", answered=True,
                                answer_text="Because.", context="slash")


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Callable[[int], list[str]]:
    """Messages logged on "marginalia.store" at exactly one level."""
    caplog.set_level(logging.DEBUG, logger="marginalia.store")

    def at(level: int) -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "marginalia.store" and r.levelno == level]

    return at


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    """A database already holding one question and one vote on it."""
    path = tmp_path / "marginalia.sqlite3"
    async with Store.open(path) as store:
        qid = await store.record_question(**QUESTION)
        await store.record_feedback(qid, user_id=2, vote=1)
    return path


@contextmanager
def exclusive_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock, as a second process mid-write would."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield other
        finally:
            other.execute("ROLLBACK")


@asynccontextmanager
async def unwritable(path: Path) -> AsyncIterator[Store]:
    """The database file made read-only, then opened as the bot would."""
    path.chmod(0o444)
    # Root (CAP_DAC_OVERRIDE, as in many containers and CI) writes through 0444 regardless, so
    # when the chmod did not take we open with SQLite's `mode=ro` URI instead: the connection
    # itself is then read-only and every write fails with SQLITE_READONLY, for root too.
    root_ignores_chmod = os.access(path, os.W_OK)
    try:
        async with Store.open(path, read_only=root_ignores_chmod) as store:
            yield store
    finally:
        path.chmod(0o644)


def rows_in(path: Path) -> tuple[int, int]:
    """(questions, votes) as a separate plain connection sees the file."""
    with closing(sqlite3.connect(path)) as db:
        return (db.execute("SELECT count(*) FROM questions").fetchone()[0],
                db.execute("SELECT count(*) FROM feedback").fetchone()[0])


async def test_a_read_only_database_costs_the_records_not_the_answers(
    seeded: Path, logged: Callable[[int], list[str]]
) -> None:
    async with unwritable(seeded) as store:
        recorder = SafeRecorder(store)
        assert await recorder.record_question(**QUESTION) is None
        await recorder.record_feedback(1, user_id=3, vote=-1)  # returns, does not raise
        run = await recorder.start_reindex(user_id=1, guild_id=100)
        assert run is None
        await recorder.finish_reindex(run, "failed", {})  # an unrecorded run is simply not finished
        assert recorder.failing
        assert await recorder.last_question(1, 10) == ("Why?", True)  # reading still works
    [warning] = logged(logging.WARNING)
    assert "readonly" in warning and str(seeded) in warning
    assert rows_in(seeded) == (1, 1)


async def test_a_locked_database_fails_writes_and_they_work_again_once_it_is_released(
    tmp_path: Path, logged: Callable[[int], list[str]]
) -> None:
    path = tmp_path / "marginalia.sqlite3"
    async with Store.open(path, busy_timeout_ms=50) as store:  # short, so the test waits 50 ms
        recorder = SafeRecorder(store)
        first = await recorder.record_question(**QUESTION)
        with exclusive_lock(path):
            assert await recorder.record_question(**QUESTION) is None
            await recorder.record_feedback(1, user_id=2, vote=1)  # returns, does not raise
            assert await recorder.last_question(1, 10) == ("Why?", True)  # WAL: readers are not blocked
        second = await recorder.record_question(**QUESTION)
        await recorder.record_feedback(1, user_id=2, vote=1)
        assert not recorder.failing
    assert (first, second) == (1, 2)  # the failed insert rolled back whole: no gap, no stray row
    assert rows_in(path) == (2, 1)
    assert "locked" in logged(logging.WARNING)[0]


async def test_failures_are_logged_once_until_a_write_succeeds(
    tmp_path: Path, logged: Callable[[int], list[str]]
) -> None:
    path = tmp_path / "marginalia.sqlite3"
    async with Store.open(path, busy_timeout_ms=20) as store:
        recorder = SafeRecorder(store)
        for outage_size in (4, 2):
            with exclusive_lock(path):
                for _ in range(outage_size):
                    assert await recorder.record_question(**QUESTION) is None
            assert await recorder.record_question(**QUESTION) is not None
    assert len(logged(logging.WARNING)) == 2  # one per outage
    assert len(logged(logging.DEBUG)) == 3 + 1  # the repeats, kept out of the way
    assert len(logged(logging.INFO)) == 2  # "works again", once per recovery


@pytest.mark.parametrize("obstacle", ["file-in-the-way", "read-only-folder"])
async def test_a_path_that_cannot_be_opened_is_retried_until_it_can(
    tmp_path: Path, logged: Callable[[int], list[str]], obstacle: str
) -> None:
    folder = tmp_path / "data"
    block, unblock = _obstacle(folder, obstacle)
    block()
    async with SafeRecorder(folder / "marginalia.sqlite3") as recorder:
        assert await recorder.record_question(**QUESTION) is None
        assert await recorder.start_reindex(user_id=1, guild_id=100) is None
        assert await recorder.last_question(1, 10) is None
        assert await recorder.get_setting(100, "visibility", "private") == "private"
        assert await recorder.setting_in_every_server("visibility") is None  # unreadable, not "nobody chose"
        assert recorder.store is None
        unblock()
        assert await recorder.record_question(**QUESTION) == 1
        assert await recorder.last_question(1, 10) == ("Why?", True)
    assert len(logged(logging.WARNING)) == 1
    assert rows_in(folder / "marginalia.sqlite3") == (1, 0)


def _obstacle(folder: Path, kind: str) -> tuple[Callable[[], object], Callable[[], object]]:
    """(block, unblock) for the folder the database should live in."""
    if kind == "file-in-the-way":
        # A file where the folder should be stops mkdir and open for root too.
        return (lambda: folder.write_text("not a folder")), folder.unlink
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):
        folder.chmod(0o755)
        pytest.skip("running as root: a read-only folder does not stop root (see file-in-the-way)")
    return (lambda: None), (lambda: folder.chmod(0o755))


async def test_a_file_that_is_not_a_database_is_reported_and_left_alone(
    tmp_path: Path, logged: Callable[[int], list[str]]
) -> None:
    path = tmp_path / "marginalia.sqlite3"
    path.write_bytes(b"someone else's notes, not SQLite" * 100)
    async with SafeRecorder(path) as recorder:
        assert await recorder.record_question(**QUESTION) is None
        await recorder.record_feedback(1, user_id=2, vote=1)  # returns, does not raise
    assert "not a database" in logged(logging.WARNING)[0]
    assert path.read_bytes() == b"someone else's notes, not SQLite" * 100


async def test_a_rejected_write_is_logged_not_raised(seeded: Path, logged: Callable[[int], list[str]]) -> None:
    async with Store.open(seeded) as store:
        recorder = SafeRecorder(store)
        await recorder.record_feedback(404, user_id=2, vote=1)  # no such question: logged, not raised
    assert "IntegrityError" in logged(logging.WARNING)[0]
    assert rows_in(seeded) == (1, 1)


async def test_the_store_itself_raises_a_message_safe_to_show(tmp_path: Path) -> None:
    # forget_member is not behind SafeRecorder: the member asked, so they must hear it failed.
    path = tmp_path / "marginalia.sqlite3"
    async with Store.open(path, busy_timeout_ms=20) as store:
        await store.record_question(**QUESTION)
        with exclusive_lock(path), pytest.raises(StoreUnavailable, match="locked") as caught:
            await store.forget_member(1)
        assert isinstance(caught.value, MarginaliaError)
        assert await store.last_question(1, 10) == ("Why?", True)  # the failed delete rolled back


async def test_a_writer_cancelled_while_waiting_leaves_the_connection_usable(tmp_path: Path) -> None:
    path = tmp_path / "marginalia.sqlite3"
    async with Store.open(path, busy_timeout_ms=5_000) as store:
        with exclusive_lock(path) as other:
            waiting = asyncio.create_task(store.record_question(**QUESTION))
            await asyncio.sleep(0.2)  # its BEGIN IMMEDIATE is now waiting on aiosqlite's thread
            waiting.cancel()
            other.execute("COMMIT")  # released before the cancelled BEGIN gives up: it will succeed
            other.execute("BEGIN")  # (so the context manager's ROLLBACK has something to end)
            with pytest.raises(asyncio.CancelledError):
                await waiting
        # Had that late BEGIN been left open, this would fail "within a transaction".
        assert await store.record_question(**QUESTION) == 1
    assert rows_in(path) == (1, 0)
