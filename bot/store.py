"""Marginalia's SQLite store: questions asked, votes on answers, re-index runs, per-server settings.

One `Store` owns one aiosqlite connection. Every statement goes through an `asyncio.Lock`
because a write is several statements (BEGIN, INSERT, COMMIT) on a connection shared by
many tasks; without the lock two tasks' statements would interleave inside one transaction.
Writes use `BEGIN IMMEDIATE` so that a second process (or a second `Store` on the same file)
waits up to `busy_timeout` for the write lock instead of failing half-way through.

The schema is a list of named, ordered migrations recorded in `_migrations` (the llm
`migrations.py` pattern): add a new `@migration` at the end, never edit or reorder old ones.

`SafeRecorder` wraps a store for the answering path: its writes never raise, so a read-only,
locked or missing database costs the record of a question, never the answer itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import aiosqlite

from index.errors import MarginaliaError

log = logging.getLogger("marginalia.store")

Context = Literal["slash", "dm", "context-menu", "cli"]
Outcome = Literal["ok", "failed", "refused", "busy"]
Migration = Callable[[aiosqlite.Connection], Awaitable[None]]
T = TypeVar("T")

DEFAULT_BUSY_TIMEOUT_MS = 5_000

MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next migration; its function name is its permanent name."""
    MIGRATIONS.append(fn)
    return fn


class StoreUnavailable(MarginaliaError):
    """The database cannot be written or read right now (read-only, locked, disk trouble)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"The bot's database is unavailable right now ({detail}). Try again later.")


@dataclass(frozen=True)
class QuestionRecord:
    """One question as stored, with what the bot answered."""

    id: int
    user_id: int
    guild_id: int | None
    channel_id: int
    asked_at: datetime
    question: str
    answered: bool
    cited_sources: tuple[str, ...]
    disagreement: bool
    latency_ms: int
    answer_text: str
    context: Context


@dataclass(frozen=True)
class ReindexRun:
    """One /reindex request; `finished_at` and `outcome` are None while it runs."""

    id: int
    user_id: int
    guild_id: int | None
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome | None
    summary: dict[str, Any] | None


# --- migrations ---------------------------------------------------------------------------
# Discord ids are 64-bit snowflakes; SQLite INTEGER holds them exactly.
# Times are ISO-8601 UTC text, so they sort and read well in the sqlite3 shell.


@migration
async def m001_questions(db: aiosqlite.Connection) -> None:
    await db.execute(
        """
        CREATE TABLE questions (
            id            INTEGER PRIMARY KEY,
            user_id       INTEGER NOT NULL,
            guild_id      INTEGER,
            channel_id    INTEGER NOT NULL,
            asked_at      TEXT    NOT NULL,
            question      TEXT    NOT NULL,
            answered      INTEGER NOT NULL CHECK (answered IN (0, 1)),
            cited_sources TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(cited_sources)),
            disagreement  INTEGER NOT NULL CHECK (disagreement IN (0, 1)),
            latency_ms    INTEGER NOT NULL CHECK (latency_ms >= 0),
            answer_text   TEXT    NOT NULL,
            context       TEXT    NOT NULL CHECK (context IN ('slash', 'dm', 'context-menu', 'cli'))
        )
        """
    )
    # last_question() and forget_member() look questions up by member.
    await db.execute("CREATE INDEX questions_by_member ON questions (user_id, channel_id, id)")


@migration
async def m002_feedback(db: aiosqlite.Connection) -> None:
    # The primary key is what makes a second vote replace the first.
    await db.execute(
        """
        CREATE TABLE feedback (
            question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            user_id     INTEGER NOT NULL,
            vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            at          TEXT    NOT NULL,
            PRIMARY KEY (question_id, user_id)
        )
        """
    )
    await db.execute("CREATE INDEX feedback_by_member ON feedback (user_id)")


@migration
async def m003_reindex_runs(db: aiosqlite.Connection) -> None:
    await db.execute(
        """
        CREATE TABLE reindex_runs (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL,
            guild_id    INTEGER,
            started_at  TEXT    NOT NULL,
            finished_at TEXT,
            outcome     TEXT    CHECK (outcome IN ('ok', 'failed', 'refused', 'busy')),
            summary     TEXT    CHECK (summary IS NULL OR json_valid(summary))
        )
        """
    )


@migration
async def m004_guild_settings(db: aiosqlite.Connection) -> None:
    await db.execute(
        """
        CREATE TABLE guild_settings (
            guild_id INTEGER NOT NULL,
            key      TEXT    NOT NULL,
            value    TEXT    NOT NULL,
            PRIMARY KEY (guild_id, key)
        )
        """
    )


async def applied_migrations(db: aiosqlite.Connection) -> list[str]:
    """Names of the migrations already applied to `db`, in the order they were applied."""
    exists = await db.execute_fetchall(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    )
    if not exists:
        return []
    rows = await db.execute_fetchall("SELECT name FROM _migrations ORDER BY rowid")
    return [name for (name,) in rows]


async def migrate(db: aiosqlite.Connection, *, upto: int | None = None) -> list[str]:
    """Apply the pending migrations among the first `upto` (all by default); return their names.

    `db` must be in autocommit mode (`isolation_level=None`). Each migration and its
    `_migrations` row commit together, so a crash never leaves one half-applied. Running it
    again applies nothing: it is safe on every start, and from two processes at once.
    """
    applied = set(await applied_migrations(db))
    # Checked with a plain read first so an up-to-date read-only database opens fine.
    pending = [fn for fn in MIGRATIONS[:upto] if fn.__name__ not in applied]
    done: list[str] = []
    for fn in pending:
        if await _apply(db, fn):
            done.append(fn.__name__)
    return done


async def _apply(db: aiosqlite.Connection, fn: Migration) -> bool:
    """Apply one migration in its own transaction unless another connection just did."""
    async with _transaction(db):
        await db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        if fn.__name__ in await applied_migrations(db):
            return False
        await fn(db)
        await db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (fn.__name__, _now()))
    return True


@asynccontextmanager
async def _transaction(db: aiosqlite.Connection) -> AsyncIterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error or cancellation."""
    # IMMEDIATE takes the write lock up front, where busy_timeout applies; a deferred
    # transaction that reads first can fail with SQLITE_BUSY without waiting at all.
    try:
        await db.execute("BEGIN IMMEDIATE")
        yield
        await db.execute("COMMIT")
    except BaseException:
        await _rollback(db)
        raise


async def _rollback(db: aiosqlite.Connection) -> None:
    # Always queued, never skipped on `in_transaction`: a cancelled task's BEGIN still runs on
    # aiosqlite's thread after we stop waiting, and this ROLLBACK (queued behind it) undoes it
    # before the next writer gets the connection. "No transaction is active" is fine: the BEGIN
    # failed, or SQLite already rolled back (SQLITE_FULL, I/O errors).
    with contextlib.suppress(sqlite3.Error):
        await db.execute("ROLLBACK")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# --- the store ----------------------------------------------------------------------------


class Store:
    """Async access to the bot's SQLite database. Open it with `async with Store.open(path)`."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        """Wrap an open, configured and migrated connection; use `open` or `connect` instead."""
        self._db = db
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, read_only: bool = False
    ) -> AsyncIterator[Store]:
        """Open (creating folder and file if needed), migrate, yield the store, then close it."""
        store = await cls.connect(path, busy_timeout_ms=busy_timeout_ms, read_only=read_only)
        try:
            yield store
        finally:
            await store.close()

    @classmethod
    async def connect(
        cls, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, read_only: bool = False
    ) -> Store:
        """Like `open`, for owners that manage the lifetime themselves; call `close()` after.

        `read_only=True` opens the file with SQLite's `mode=ro` (no migrations, every write
        fails with "attempt to write a readonly database", even for root).
        """
        path = Path(path)
        if read_only:
            db = await aiosqlite.connect(path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path, isolation_level=None)
        try:
            await _configure(db, busy_timeout_ms, read_only)
            if not read_only:
                await migrate(db)
        except BaseException:
            await db.close()  # the connection's thread would otherwise outlive the failure
            raise
        return cls(db, path)

    async def close(self) -> None:
        """Close the connection; waits for a write in progress to finish first."""
        async with self._lock:
            await self._db.close()

    # --- plumbing --------------------------------------------------------------------------

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction, alone on the connection; SQLite trouble → StoreUnavailable."""
        async with self._lock:
            try:
                async with _transaction(self._db):
                    yield self._db
            except sqlite3.OperationalError as err:  # locked, read-only, disk I/O: the environment
                raise StoreUnavailable(str(err)) from err

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        # Reads take the lock too, so they never see a write that is about to roll back.
        async with self._lock:
            try:
                return list(await self._db.execute_fetchall(sql, params))
            except sqlite3.OperationalError as err:
                raise StoreUnavailable(str(err)) from err

    async def applied_migrations(self) -> list[str]:
        """Names of the migrations applied to this database, oldest first."""
        async with self._lock:
            return await applied_migrations(self._db)

    # --- questions -------------------------------------------------------------------------

    async def record_question(
        self,
        *,
        user_id: int,
        channel_id: int,
        question: str,
        answered: bool,
        answer_text: str,
        context: Context,
        guild_id: int | None = None,
        cited_sources: Sequence[str] = (),
        disagreement: bool = False,
        latency_ms: int = 0,
        asked_at: datetime | None = None,
    ) -> int:
        """Store a question and the bot's answer; return the new question id.

        `guild_id` is None in DMs; the CLI records `user_id=0, channel_id=0`.
        `cited_sources` are catalog ids, stored as a JSON list.
        """
        # Stored in UTC so times sort as text; a naive `asked_at` is taken as local time.
        when = (asked_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
        row = (user_id, guild_id, channel_id, when, question, answered, json.dumps(list(cited_sources)),
               disagreement, latency_ms, answer_text, context)
        async with self._write() as db:
            cursor = await db.execute(
                "INSERT INTO questions (user_id, guild_id, channel_id, asked_at, question, answered,"
                " cited_sources, disagreement, latency_ms, answer_text, context)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            assert cursor.lastrowid is not None  # always set after a successful INSERT
            return cursor.lastrowid

    async def question(self, question_id: int) -> QuestionRecord | None:
        """The stored question with this id, or None (never asked, or forgotten)."""
        rows = await self._rows(f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE id = ?", (question_id,))
        return _question_record(rows[0]) if rows else None

    async def last_question(self, user_id: int, channel_id: int,
                            since: datetime | None = None) -> tuple[str, bool] | None:
        """The member's latest question in this channel (asked at `since` or later, if given) and
        whether it was answered.

        Lets a DM follow-up ("and what about…?") be read against the question before it.
        """
        after = since.astimezone(UTC).isoformat(timespec="milliseconds") if since else ""
        rows = await self._rows(
            "SELECT question, answered FROM questions WHERE user_id = ? AND channel_id = ? AND asked_at >= ?"
            " ORDER BY id DESC LIMIT 1",
            (user_id, channel_id, after),
        )
        return (rows[0][0], bool(rows[0][1])) if rows else None

    # --- feedback --------------------------------------------------------------------------

    async def record_feedback(self, question_id: int, user_id: int, vote: int) -> None:
        """Record a +1 / -1 vote on an answer; a member's second vote replaces the first.

        Raises `sqlite3.IntegrityError` for another vote value or an unknown question.
        """
        async with self._write() as db:
            await db.execute(
                "INSERT INTO feedback (question_id, user_id, vote, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (question_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (question_id, user_id, vote, _now()),
            )

    async def feedback_counts(self, question_id: int) -> tuple[int, int]:
        """(up votes, down votes) on one answer."""
        rows = await self._rows(
            "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM feedback WHERE question_id = ?",
            (question_id,),
        )
        return int(rows[0][0]), int(rows[0][1])

    # --- re-index runs ---------------------------------------------------------------------

    async def start_reindex(self, user_id: int, guild_id: int | None) -> int:
        """Record that a member asked for a re-index; return the run id for `finish_reindex`."""
        async with self._write() as db:
            cursor = await db.execute(
                "INSERT INTO reindex_runs (user_id, guild_id, started_at) VALUES (?, ?, ?)",
                (user_id, guild_id, _now()),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    async def finish_reindex(self, run_id: int, outcome: Outcome, summary: dict[str, Any]) -> None:
        """Close a run with its outcome and a JSON-able summary (counts, problems, timings).

        Raises `KeyError` for an unknown run id.
        """
        async with self._write() as db:
            cursor = await db.execute(
                "UPDATE reindex_runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?",
                (_now(), outcome, json.dumps(summary), run_id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no re-index run {run_id}")

    async def recent_reindexes(self, limit: int = 10) -> list[ReindexRun]:
        """The latest runs, newest first."""
        rows = await self._rows(
            f"SELECT {_REINDEX_COLUMNS} FROM reindex_runs ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_reindex_run(row) for row in rows]

    # --- per-server settings ---------------------------------------------------------------

    async def get_setting(self, guild_id: int, key: str, default: str | None = None) -> str | None:
        """One server's value for `key`, or `default` when it was never set."""
        rows = await self._rows(
            "SELECT value FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
        )
        return rows[0][0] if rows else default

    async def set_setting(self, guild_id: int, key: str, value: str) -> None:
        """Set (or replace) one server's value for `key`."""
        async with self._write() as db:
            await db.execute(
                "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value",
                (guild_id, key, value),
            )

    async def setting_in_every_server(self, key: str) -> dict[int, str]:
        """Every server's value for `key`, by server id (servers that never set it are absent)."""
        rows = await self._rows("SELECT guild_id, value FROM guild_settings WHERE key = ?", (key,))
        return {guild_id: value for guild_id, value in rows}

    async def settings_for(self, guild_id: int) -> dict[str, str]:
        """Every setting of one server, by key."""
        rows = await self._rows(
            "SELECT key, value FROM guild_settings WHERE guild_id = ? ORDER BY key", (guild_id,)
        )
        return {key: value for key, value in rows}

    # --- privacy ---------------------------------------------------------------------------

    async def forget_member(self, user_id: int) -> dict[str, int]:
        """Delete a member's questions, their votes, and others' votes on their questions.

        Returns how many rows went: {"questions", "votes_given", "votes_received"}.
        All or nothing: one transaction.
        """
        async with self._write() as db:
            given = await db.execute("DELETE FROM feedback WHERE user_id = ?", (user_id,))
            # Counted explicitly: ON DELETE CASCADE would remove these silently.
            received = await db.execute(
                "DELETE FROM feedback WHERE question_id IN (SELECT id FROM questions WHERE user_id = ?)",
                (user_id,),
            )
            questions = await db.execute("DELETE FROM questions WHERE user_id = ?", (user_id,))
            return {"questions": questions.rowcount, "votes_given": given.rowcount,
                    "votes_received": received.rowcount}


async def _configure(db: aiosqlite.Connection, busy_timeout_ms: int, read_only: bool) -> None:
    # busy_timeout first, so that switching to WAL also waits for other connections.
    await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    await db.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        # WAL: readers never block the writer, and the mode persists in the file.
        await db.execute("PRAGMA journal_mode = WAL")


# Named, not `*`: a later migration's ADD COLUMN must not shift what these readers unpack.
_QUESTION_COLUMNS = ("id, user_id, guild_id, channel_id, asked_at, question, answered, cited_sources,"
                     " disagreement, latency_ms, answer_text, context")
_REINDEX_COLUMNS = "id, user_id, guild_id, started_at, finished_at, outcome, summary"


def _question_record(row: sqlite3.Row) -> QuestionRecord:
    (id_, user_id, guild_id, channel_id, asked_at, question, answered, cited, disagreement,
     latency_ms, answer_text, context) = row
    return QuestionRecord(
        id=id_, user_id=user_id, guild_id=guild_id, channel_id=channel_id,
        asked_at=datetime.fromisoformat(asked_at), question=question, answered=bool(answered),
        cited_sources=tuple(json.loads(cited)), disagreement=bool(disagreement),
        latency_ms=latency_ms, answer_text=answer_text, context=context,
    )


def _reindex_run(row: sqlite3.Row) -> ReindexRun:
    id_, user_id, guild_id, started_at, finished_at, outcome, summary = row
    return ReindexRun(
        id=id_, user_id=user_id, guild_id=guild_id, started_at=datetime.fromisoformat(started_at),
        finished_at=_time(finished_at), outcome=outcome,
        summary=None if summary is None else json.loads(summary),
    )


# --- the fault-tolerant front for the answering path --------------------------------------


class SafeRecorder:
    """The store as the answering path sees it: writes never raise, failures are logged once.

    Wraps an open `Store`, or a path it opens lazily (and retries on every write while the
    path cannot be opened: a missing mount, a read-only directory). On a failure it logs one
    WARNING on "marginalia.store" and returns None; later failures are logged at DEBUG only,
    until a write succeeds again. A failed write rolls back whole, so nothing already stored
    is touched. `forget_member` and `set_setting` are deliberately absent: a member or admin
    asked for those, so a failure must reach them: call them on the store that `open()` returns.
    `open()` raises what opening the file raises (OSError, sqlite3.Error), and the store's
    methods raise StoreUnavailable.
    """

    def __init__(self, target: Store | Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        """Wrap `target`; a Store stays the caller's to close, a path's store is closed by `aclose`."""
        self._store: Store | None = target if isinstance(target, Store) else None
        self._owns_store = not isinstance(target, Store)
        self.path = target.path if isinstance(target, Store) else Path(target)
        self._busy_timeout_ms = busy_timeout_ms
        self._opening = asyncio.Lock()
        self._failing = False

    @property
    def store(self) -> Store | None:
        """The underlying store, or None while the database cannot be opened."""
        return self._store

    @property
    def failing(self) -> bool:
        """True from a failure until the next successful write (for a status command)."""
        return self._failing

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the store if this recorder opened it."""
        if self._owns_store and self._store is not None:
            store, self._store = self._store, None
            await store.close()

    # --- writes ----------------------------------------------------------------------------

    async def record_question(
        self,
        *,
        user_id: int,
        channel_id: int,
        question: str,
        answered: bool,
        answer_text: str,
        context: Context,
        guild_id: int | None = None,
        cited_sources: Sequence[str] = (),
        disagreement: bool = False,
        latency_ms: int = 0,
        asked_at: datetime | None = None,
    ) -> int | None:
        """`Store.record_question`, or None when it could not be recorded."""
        return await self._write("record a question", lambda store: store.record_question(
            user_id=user_id, channel_id=channel_id, question=question, answered=answered,
            answer_text=answer_text, context=context, guild_id=guild_id, cited_sources=cited_sources,
            disagreement=disagreement, latency_ms=latency_ms, asked_at=asked_at))

    async def record_feedback(self, question_id: int, user_id: int, vote: int) -> None:
        """`Store.record_feedback`; a failure is logged, not raised."""
        await self._write("record a vote", lambda store: store.record_feedback(question_id, user_id, vote))

    async def start_reindex(self, user_id: int, guild_id: int | None) -> int | None:
        """`Store.start_reindex`, or None when the run could not be recorded."""
        return await self._write("record a re-index", lambda store: store.start_reindex(user_id, guild_id))

    async def finish_reindex(self, run_id: int | None, outcome: Outcome, summary: dict[str, Any]) -> None:
        """`Store.finish_reindex`; a None `run_id` (its start was not recorded) is a no-op."""
        if run_id is None:
            return
        await self._write("finish a re-index", lambda store: store.finish_reindex(run_id, outcome, summary))

    # --- reads on the answering path -------------------------------------------------------

    async def last_question(self, user_id: int, channel_id: int,
                            since: datetime | None = None) -> tuple[str, bool] | None:
        """`Store.last_question`, or None when the database cannot be read."""
        return await self._attempt("read the last question",
                                   lambda store: store.last_question(user_id, channel_id, since), write=False)

    async def get_setting(self, guild_id: int, key: str, default: str | None = None) -> str | None:
        """`Store.get_setting`, or `default` when the database cannot be read."""
        value = await self._attempt("read a setting",
                                    lambda store: store.get_setting(guild_id, key, default), write=False)
        return default if value is None else value

    async def setting_in_every_server(self, key: str) -> dict[int, str] | None:
        """`Store.setting_in_every_server`, or None when the database cannot be read."""
        return await self._attempt("read every server's settings",
                                   lambda store: store.setting_in_every_server(key), write=False)

    # --- plumbing --------------------------------------------------------------------------

    async def _write(self, action: str, call: Callable[[Store], Awaitable[T]]) -> T | None:
        return await self._attempt(action, call, write=True)

    async def _attempt(self, action: str, call: Callable[[Store], Awaitable[T]], *, write: bool) -> T | None:
        try:
            result = await call(await self.open())
        except Exception as err:  # the contract is "never raise": a failure costs a record, never an answer
            self._report(action, err)
            return None
        if write:
            self._recovered()
        return result

    async def open(self) -> Store:
        """The store, opened (created and migrated) now if it is not open yet; raises what opening raises."""
        if self._store is None:
            async with self._opening:  # concurrent first writes open one connection, not several
                if self._store is None:
                    self._store = await Store.connect(self.path, busy_timeout_ms=self._busy_timeout_ms)
        return self._store

    def _report(self, action: str, err: Exception) -> None:
        reason = err.detail if isinstance(err, StoreUnavailable) else f"{type(err).__name__}: {err}"
        if self._failing:
            log.debug("Could not %s in %s: %s", action, self.path, reason)
            return
        self._failing = True
        log.warning("Could not %s in %s: %s. The bot keeps answering without recording; "
                    "further failures are not logged until a write succeeds.", action, self.path, reason)

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("Writing to %s works again.", self.path)
