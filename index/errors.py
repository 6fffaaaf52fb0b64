"""Errors whose message is safe to show a user as it is."""

from __future__ import annotations


class MarginaliaError(Exception):
    """A problem the user can act on. `str(error)` is a complete, one-line message."""


class BadSettings(MarginaliaError):
    """Settings that cannot be used, each named by its variable, all at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"Invalid settings (in the environment or a .env file): {'; '.join(problems)}")


class IndexNotBuilt(MarginaliaError):
    def __init__(self) -> None:
        super().__init__("There is no index yet. Build it with `marginalia index` (or `make index`).")


class IndexUnavailable(MarginaliaError):
    """The vector store cannot be reached (a Chroma server that is down, say)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"The index is unavailable right now ({detail}). Try again in a moment.")


class CatalogError(MarginaliaError):
    """The catalog has problems; all of them are listed at once."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        listing = "; ".join(problems)
        super().__init__(f"{path} has {len(problems)} problem(s): {listing}")


class BuildInProgress(MarginaliaError):
    def __init__(self) -> None:
        super().__init__("A re-index is already running; try again when it has finished.")


class BadQuestion(MarginaliaError):
    """An empty or over-long question."""


class QuestionTooLong(BadQuestion):
    """A question over MAX_QUESTION_CHARS."""

    def __init__(self, length: int, limit: int) -> None:
        self.length, self.limit = length, limit
        super().__init__(f"The question is {length} characters long; the limit is {limit}. "
                         "Shorten it to the point you want answered.")
