"""Errors whose message is safe to show a user as it is."""

from __future__ import annotations

from pathlib import Path


class MarginaliaError(Exception):
    """A problem the user can act on. `str(error)` is a complete, one-line message (CatalogError's
    lists its problems below that line)."""


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


class DataDirUnusable(MarginaliaError):
    """DATA_DIR cannot hold the index: a file, a folder that cannot be created, or one that cannot
    be written. Each gets its own message, for each has its own fix."""

    @classmethod
    def is_a_file(cls, path: Path) -> DataDirUnusable:
        return cls(f"DATA_DIR {path} is a file, not a folder. Point DATA_DIR at a folder, or move the file away.")

    @classmethod
    def cannot_create(cls, path: Path, error: OSError) -> DataDirUnusable:
        return cls(f"The data folder {path} (DATA_DIR) cannot be created ({error.strerror or error}). "
                   "Create it yourself, or point DATA_DIR at a folder you can write to.")

    @classmethod
    def cannot_read(cls, path: Path, error: OSError) -> DataDirUnusable:
        return cls(f"The data folder {path} (DATA_DIR) cannot be read ({error.strerror or error}). "
                   "Give this user read access to it, or point DATA_DIR at another folder.")

    @classmethod
    def not_writable(cls, path: Path) -> DataDirUnusable:
        return cls(f"The data folder {path} (DATA_DIR) is not writable, so the index cannot be built or updated "
                   "there. Make it writable, or point DATA_DIR at a folder you can write to; an index already "
                   "there still answers questions.")


class CatalogError(MarginaliaError):
    """The catalog has problems; all of them are listed at once, one a line (the only message of
    more than one line: a long list on one line cannot be read)."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        listing = "".join(f"\n  - {problem}" for problem in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{path} has {len(problems)} {noun}:{listing}")


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
