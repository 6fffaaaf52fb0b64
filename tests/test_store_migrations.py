"""The schema is a list of named, ordered migrations; old databases upgrade and keep their rows."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.store import MIGRATIONS, Store, applied_migrations, migrate

NAMES = [fn.__name__ for fn in MIGRATIONS]


def test_migration_names_are_unique_numbered_and_in_order() -> None:
    assert len(set(NAMES)) == len(NAMES)
    assert all(re.fullmatch(r"m\d{3}_[a-z0-9_]+", name) for name in NAMES), NAMES
    # Numbered 001, 002, … in list order: the list order is the order they run in.
    assert [int(name[1:4]) for name in NAMES] == list(range(1, len(NAMES) + 1))


async def test_a_new_database_gets_every_migration_and_the_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.sqlite3"
    async with Store.open(path, busy_timeout_ms=1234) as store:
        assert await store.applied_migrations() == NAMES
        db = store._db  # the pragmas are per connection: check the store's own
        assert await _pragma(db, "journal_mode") == "wal"
        assert await _pragma(db, "foreign_keys") == 1
        assert await _pragma(db, "busy_timeout") == 1234
    assert path.is_file()


async def test_applying_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with Store.open(path):
        pass
    before = _migration_rows(path)
    async with Store.open(path) as store:
        assert await migrate(store._db) == []
    assert _migration_rows(path) == before  # same names, same applied_at: nothing re-ran
    assert [name for name, _ in before] == NAMES


@pytest.mark.parametrize("n", range(1, len(MIGRATIONS)))
async def test_a_database_at_migration_n_is_upgraded_and_keeps_its_rows(tmp_path: Path, n: int) -> None:
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        assert await migrate(db, upto=n) == NAMES[:n]
        # Written with the raw SQL of that time, not through today's Store.
        await db.execute(
            "INSERT INTO questions (user_id, guild_id, channel_id, asked_at, question, answered,"
            " cited_sources, disagreement, latency_ms, answer_text, context)"
            " VALUES (7, 8, 9, '2024-05-01T10:00:00.000+00:00', 'Who wrote it?', 1, '[\"smith-1998\"]',"
            " 0, 420, 'Smith did.', 'slash')"
        )
        assert await applied_migrations(db) == NAMES[:n]

    async with Store.open(path) as store:
        assert await store.applied_migrations() == NAMES
        kept = await store.question(1)
        assert kept is not None
        assert (kept.question, kept.answer_text, kept.cited_sources) == ("Who wrote it?", "Smith did.", ("smith-1998",))
        await store.record_feedback(1, user_id=11, vote=1)  # later tables work with the old rows
        assert await store.feedback_counts(1) == (1, 0)


async def test_two_processes_opening_a_new_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(path)) as db:  # an existing, empty file: both race to migrate it
        db.execute("PRAGMA journal_mode = WAL")
    first, second = await asyncio.gather(Store.connect(path), Store.connect(path))
    try:
        assert await first.applied_migrations() == NAMES
        assert await second.applied_migrations() == NAMES
    finally:
        await first.close()
        await second.close()
    assert [name for name, _ in _migration_rows(path)] == NAMES


async def _pragma(db: aiosqlite.Connection, name: str) -> object:
    [(value,)] = await db.execute_fetchall(f"PRAGMA {name}")
    return value


def _migration_rows(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT name, applied_at FROM _migrations ORDER BY rowid").fetchall()
