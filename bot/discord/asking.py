"""From a member's question to a recorded answer. No Discord here.

`accept()` is the cheap part (validation and the member's rate limit) that runs before the
interaction is deferred, so mistakes get an immediate private reply. `answer()` is the
expensive part: embedding, search and composition run in a worker thread behind a semaphore
of ASK_CONCURRENCY, so the event loop (and the gateway heartbeat) never waits on them and a
burst of questions queues instead of starving the machine. `Answerer.ask` is thread-safe.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.answer.compose import Answerer
from bot.answer.models import Answer
from bot.ratelimit import RateLimiter
from bot.store import Context, SafeRecorder


FOLLOW_UP_WINDOW = timedelta(minutes=30)  # a DM follow-up is read against a question no older than this


@dataclass(frozen=True)
class Asking:
    """One accepted question: who asked what, and where."""

    user_id: int
    channel_id: int
    guild_id: int | None
    context: Context
    text: str


@dataclass(frozen=True)
class Asked:
    """The answer, and its id in the store (None when it could not be recorded)."""

    answer: Answer
    question_id: int | None


class Asker:
    """Answers questions for the bot; one per bot, used from the event loop."""

    def __init__(self, answerer: Answerer, recorder: SafeRecorder, *, concurrency: int, per_minute: int) -> None:
        self.answerer = answerer
        self.recorder = recorder
        self._slots = asyncio.Semaphore(concurrency)
        self._limiter = RateLimiter(per_minute)

    def accept(self, user_id: int, text: str) -> str:
        """The cleaned-up question; BadQuestion or RateLimited (both safe to show) otherwise."""
        question = self.answerer.validate(text)
        self._limiter.take(user_id)  # only well-formed questions count against the limit
        return question

    async def answer(self, asking: Asking, *, follow_up: bool = False) -> Asked:
        """Answer off the event loop and record it; `follow_up` reads it against the last question."""
        started = time.perf_counter()
        previous = await self._previous(asking) if follow_up else None
        async with self._slots:
            answer = await asyncio.to_thread(self.answerer.ask, asking.text, previous=previous)
        question_id = await self.recorder.record_question(
            user_id=asking.user_id, channel_id=asking.channel_id, guild_id=asking.guild_id,
            question=answer.as_read, answered=answer.answered, answer_text=answer.text,
            context=asking.context, cited_sources=list(answer.sources), disagreement=answer.disagreement,
            latency_ms=round((time.perf_counter() - started) * 1000))
        return Asked(answer, question_id)

    async def _previous(self, asking: Asking) -> str | None:
        """The member's last question here, as it was read (a chain of follow-ups keeps its
        subject), unless it is older than FOLLOW_UP_WINDOW: then a new question starts afresh."""
        since = datetime.now(UTC) - FOLLOW_UP_WINDOW
        last = await self.recorder.last_question(asking.user_id, asking.channel_id, since=since)
        return last[0] if last else None
