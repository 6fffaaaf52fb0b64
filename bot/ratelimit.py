"""Per-member rate limiting: at most N questions in any sliding minute.

Plain Python, no Discord: the bot calls `take(member_id)` before doing any work for a question.
Used from the event loop only, so no lock is needed.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from index.errors import MarginaliaError

WINDOW_SECONDS = 60.0


class RateLimited(MarginaliaError):
    """A member asked too often; `retry_after` says when the next question will be accepted."""

    def __init__(self, limit: int, retry_after: float) -> None:
        self.retry_after = retry_after
        wait = max(1, math.ceil(retry_after))
        super().__init__(f"You have asked {limit} questions in the last minute, which is the limit. "
                         f"Please wait {wait} s and ask again.")


class RateLimiter:
    """A sliding window of accepted requests per member."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}

    def take(self, member_id: int) -> None:
        """Count one request by `member_id`, or raise RateLimited (and count nothing)."""
        now = self._clock()
        window = self._window(member_id, now)
        if len(window) >= self.per_minute:
            raise RateLimited(self.per_minute, window[0] + WINDOW_SECONDS - now)
        window.append(now)

    def _window(self, member_id: int, now: float) -> deque[float]:
        self._forget_idle(now)
        window = self._seen.setdefault(member_id, deque())
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        return window

    def _forget_idle(self, now: float) -> None:
        # Keeps memory bounded by the members active in the last minute, not by everyone ever seen.
        if len(self._seen) > 1024:
            idle = [m for m, w in self._seen.items() if not w or w[-1] <= now - WINDOW_SECONDS]
            for member_id in idle:
                del self._seen[member_id]
