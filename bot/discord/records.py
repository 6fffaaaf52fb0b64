"""Database work a member asked for: a vote on an answer, /forget. No Discord here.

Unlike recording a question (which must never cost the answer, see `SafeRecorder`), these
report failure to the member: `StoreUnavailable` carries a message they can read.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from bot.display import count
from bot.store import SafeRecorder, Store, StoreUnavailable
from index.errors import MarginaliaError

log = logging.getLogger("marginalia.discord")

VOTES = {"up": 1, "down": -1}


class AnswerGone(MarginaliaError):
    """A vote on an answer the database no longer holds."""

    def __init__(self) -> None:
        super().__init__("That answer is no longer stored, so a vote on it cannot be kept.")


@dataclass(frozen=True)
class Forgotten:
    """How many rows /forget deleted."""

    questions: int
    votes_given: int
    votes_received: int

    def summary(self) -> str:
        if not (self.questions or self.votes_given or self.votes_received):
            return "Nothing of yours was stored: no questions, answers or votes."
        answers = "its answer" if self.questions == 1 else "their answers"
        return (f"Deleted {count(self.questions, 'stored question')} with {answers}, "
                f"{count(self.votes_given, 'vote')} you gave, and {count(self.votes_received, 'vote')} others gave "
                "on your answers. Answers already posted in channels stay there; delete those messages in "
                "Discord if you want them gone.")


async def open_store(recorder: SafeRecorder) -> Store:
    """The recorder's store, opened (created and migrated) now if it is not open yet."""
    try:
        return await recorder.open()
    except (OSError, sqlite3.Error) as exc:
        # The cause may name server paths: logged for the operator, not shown to the member.
        log.warning("Could not open the database %s: %s", recorder.path, exc)
        raise StoreUnavailable("it cannot be opened") from exc


async def vote(recorder: SafeRecorder, question_id: int, user_id: int, direction: str) -> None:
    """Record a 👍 ("up") or 👎 ("down"); a member's second vote replaces the first."""
    store = await open_store(recorder)
    try:
        await store.record_feedback(question_id, user_id, VOTES[direction])
    except sqlite3.IntegrityError as exc:  # the answer is gone: one statement, so no race with /forget
        raise AnswerGone() from exc


async def forget(recorder: SafeRecorder, user_id: int) -> Forgotten:
    """Delete everything stored about a member's questions and votes."""
    store = await open_store(recorder)
    counts = await store.forget_member(user_id)
    return Forgotten(counts["questions"], counts["votes_given"], counts["votes_received"])
