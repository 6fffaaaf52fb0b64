"""What the store records and returns: questions, votes, re-index runs, settings, forgetting."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with Store.open(tmp_path / "data" / "marginalia.sqlite3") as opened:
        yield opened


async def ask(store: Store, **fields: Any) -> int:
    """Record a question with plausible defaults for whatever the test does not care about."""
    defaults: dict[str, Any] = dict(user_id=1, channel_id=10, guild_id=100, question="Why?", answered=True,
                                    answer_text="Because.", context="slash")
    return await store.record_question(**(defaults | fields))


async def test_a_question_is_stored_with_everything_about_its_answer(store: Store) -> None:
    asked = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    qid = await store.record_question(
        user_id=1, guild_id=None, channel_id=10, question="When was it built?", answered=True,
        answer_text="In 1851, says Jones [1].", context="dm", cited_sources=["jones-1990", "smith-1998"],
        disagreement=True, latency_ms=830, asked_at=asked,
    )
    record = await store.question(qid)
    assert record is not None
    assert (record.id, record.user_id, record.guild_id, record.channel_id) == (qid, 1, None, 10)
    assert (record.question, record.answered) == ("When was it built?", True)
    assert record.answer_text == "In 1851, says Jones [1]."
    assert (record.cited_sources, record.disagreement, record.latency_ms) == (("jones-1990", "smith-1998"), True, 830)
    assert (record.asked_at, record.context) == (asked, "dm")
    assert await store.question(qid + 1) is None


async def test_ids_count_up_and_asked_at_defaults_to_now(store: Store) -> None:
    first, second = await ask(store), await ask(store, answered=False, answer_text="")
    assert second == first + 1
    record = await store.question(second)
    assert record is not None and not record.answered and record.cited_sources == ()
    assert abs((datetime.now(UTC) - record.asked_at).total_seconds()) < 60


async def test_an_unknown_context_is_refused(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await ask(store, context="web")
    assert await store.question(1) is None  # the failed insert left nothing behind


async def test_last_question_is_the_members_latest_in_that_channel(store: Store) -> None:
    await ask(store, user_id=1, channel_id=10, question="First?")
    await ask(store, user_id=1, channel_id=10, question="Second?", answered=False)
    await ask(store, user_id=1, channel_id=99, question="Elsewhere?")
    await ask(store, user_id=2, channel_id=10, question="Someone else?")
    assert await store.last_question(1, 10) == ("Second?", False)
    assert await store.last_question(1, 99) == ("Elsewhere?", True)
    assert await store.last_question(3, 10) is None


async def test_last_question_can_be_limited_to_recent_ones(store: Store) -> None:
    await ask(store, user_id=1, channel_id=10, question="Long ago?")
    asked = datetime.now(UTC)
    assert await store.last_question(1, 10, since=asked - timedelta(minutes=1)) == ("Long ago?", True)
    assert await store.last_question(1, 10, since=asked + timedelta(minutes=1)) is None  # none so recent


async def test_a_second_vote_replaces_the_first(store: Store) -> None:
    qid = await ask(store)
    await store.record_feedback(qid, user_id=5, vote=1)
    await store.record_feedback(qid, user_id=6, vote=1)
    assert await store.feedback_counts(qid) == (2, 0)
    await store.record_feedback(qid, user_id=5, vote=-1)
    assert await store.feedback_counts(qid) == (1, 1)
    assert await store.feedback_counts(qid + 1) == (0, 0)


@pytest.mark.parametrize("vote", [0, 2, -2])
async def test_only_plus_or_minus_one_is_a_vote(store: Store, vote: int) -> None:
    qid = await ask(store)
    with pytest.raises(sqlite3.IntegrityError):
        await store.record_feedback(qid, user_id=5, vote=vote)


async def test_a_vote_needs_an_existing_question(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on
        await store.record_feedback(404, user_id=5, vote=1)


async def test_reindex_runs_are_started_finished_and_listed_newest_first(store: Store) -> None:
    first = await store.start_reindex(user_id=1, guild_id=100)
    await store.finish_reindex(first, "ok", {"documents": 12, "problems": []})
    second = await store.start_reindex(user_id=2, guild_id=None)
    runs = await store.recent_reindexes(limit=10)
    assert [run.id for run in runs] == [second, first]
    assert (runs[0].outcome, runs[0].finished_at, runs[0].summary) == (None, None, None)
    assert (runs[1].user_id, runs[1].guild_id, runs[1].outcome) == (1, 100, "ok")
    assert runs[1].summary == {"documents": 12, "problems": []}
    assert runs[1].finished_at is not None and runs[1].finished_at >= runs[1].started_at
    assert [run.id for run in await store.recent_reindexes(limit=1)] == [second]


async def test_finishing_an_unknown_run_or_with_an_unknown_outcome_fails(store: Store) -> None:
    with pytest.raises(KeyError):
        await store.finish_reindex(404, "ok", {})
    run = await store.start_reindex(user_id=1, guild_id=100)
    with pytest.raises(sqlite3.IntegrityError):
        await store.finish_reindex(run, "exploded", {})  # type: ignore[arg-type]


async def test_settings_are_per_server(store: Store) -> None:
    assert await store.get_setting(100, "visibility") is None
    assert await store.get_setting(100, "visibility", "private") == "private"
    await store.set_setting(100, "visibility", "public")
    await store.set_setting(100, "max_quotes", "4")
    await store.set_setting(200, "visibility", "private")
    await store.set_setting(100, "visibility", "private")  # replaces
    assert await store.settings_for(100) == {"max_quotes": "4", "visibility": "private"}
    assert await store.settings_for(200) == {"visibility": "private"}
    assert await store.settings_for(300) == {}


async def test_one_setting_is_read_for_every_server_at_once(store: Store) -> None:
    assert await store.setting_in_every_server("answers") == {}
    await store.set_setting(100, "answers", "private")
    await store.set_setting(200, "answers", "public")
    await store.set_setting(300, "max_quotes", "4")  # another key: not this setting
    assert await store.setting_in_every_server("answers") == {100: "private", 200: "public"}


async def test_forget_member_removes_their_questions_and_every_vote_touching_them(store: Store) -> None:
    theirs = [await ask(store, user_id=1), await ask(store, user_id=1)]
    others = await ask(store, user_id=2)
    await store.record_feedback(theirs[0], user_id=2, vote=1)  # received
    await store.record_feedback(theirs[1], user_id=3, vote=-1)  # received
    await store.record_feedback(theirs[0], user_id=1, vote=1)  # given, on their own question
    await store.record_feedback(others, user_id=1, vote=-1)  # given
    await store.record_feedback(others, user_id=3, vote=1)  # nothing to do with them

    assert await store.forget_member(1) == {"questions": 2, "votes_given": 2, "votes_received": 2}
    assert [await store.question(qid) for qid in theirs] == [None, None]
    assert await store.last_question(1, 10) is None
    assert await store.feedback_counts(others) == (1, 0)
    assert await store.question(others) is not None
    assert await store.forget_member(1) == {"questions": 0, "votes_given": 0, "votes_received": 0}


async def test_200_concurrent_writers_on_one_store_lose_nothing(store: Store) -> None:
    async def member(n: int) -> int:
        qid = await ask(store, user_id=n, question=f"Question {n}?")
        await store.record_feedback(qid, user_id=n + 1000, vote=1 if n % 2 else -1)
        return qid

    ids = await asyncio.gather(*(member(n) for n in range(200)))
    assert len(set(ids)) == 200
    assert _counts(store.path) == (200, 200)
    votes = [await store.feedback_counts(qid) for qid in ids]
    assert sum(up + down for up, down in votes) == 200


async def test_two_stores_on_one_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    async with Store.open(path) as one, Store.open(path) as two:
        async def member(n: int) -> None:
            store = one if n % 2 else two  # alternate connections, so they contend for the write lock
            qid = await ask(store, user_id=n)
            await (two if n % 2 else one).record_feedback(qid, user_id=n, vote=1)

        await asyncio.gather(*(member(n) for n in range(200)))
    assert _counts(path) == (200, 200)


def _counts(path: Path) -> tuple[int, int]:
    """Counted through a separate plain connection: what actually reached the file."""
    with closing(sqlite3.connect(path)) as db:
        questions = db.execute("SELECT count(*) FROM questions").fetchone()[0]
        votes = db.execute("SELECT count(*) FROM feedback").fetchone()[0]
    return questions, votes
