"""A progress bar on the terminal for index builds (tqdm, on standard error)."""

from __future__ import annotations

import sys

from tqdm import tqdm

STAGE_LABELS = {"reading": "Reading documents", "embedding": "Embedding passages", "storing": "Storing vectors",
                "verifying": "Verifying"}


class TerminalProgress:
    """Callable as the build's `progress(stage, done, total)`; one bar per stage."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: tqdm | None = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=STAGE_LABELS.get(stage, stage), unit="", file=sys.stderr,
                            leave=stage == "embedding", disable=None, dynamic_ncols=True)
        assert self.bar is not None
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
