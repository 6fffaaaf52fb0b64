"""The bot under load, measured by `benchmarks/discord_load.py` (written beside this one).

Its `run() -> dict` is called in a fresh process: its peak RSS is then the bot's own, not that of
this process (which has built indexes by then), and it works on the benchmark's workspace rather
than the project's index.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from benchmarks.context import Context, say
from benchmarks.report import Row, note_row
from benchmarks.workspace import BenchmarkError, run_measured
from index.config import PROJECT_ROOT

MODULE = "benchmarks.discord_load"
# The child runs in the workspace folder, so it is told where `benchmarks` lives.
CALL = (f"import json, sys; sys.path.insert(0, {str(PROJECT_ROOT)!r}); from {MODULE} import run; "
        "figures = run(); print(); print(json.dumps(figures))")
UNIT_SUFFIXES = (("_ms", "ms"), ("_mb", "MB"), ("_seconds", "s"), ("_s", "s"))


def run(ctx: Context) -> list[Row]:
    ctx.ensure_index()
    say("discord: 50 concurrent /ask through the Discord stand-in (benchmarks/discord_load.py, own process)")
    process = run_measured([sys.executable, "-c", CALL], ctx.workspace)
    try:
        figures = json.loads(process.lines[-1])
    except (IndexError, json.JSONDecodeError) as exc:
        raise BenchmarkError(f"discord_load printed no figures: {process.lines[-3:]}") from exc
    return discord_rows(figures)


def discord_rows(figures: dict[str, Any]) -> list[Row]:
    """The figures discord_load reports, with their acceptance targets; unknown ones as they come."""
    rest = dict(figures)
    rows = []
    if "p50_ms" in rest and "p95_ms" in rest:
        asked, answered, lost = (int(rest.pop(k, 0)) for k in ("asked", "answered", "lost"))
        rows.append(Row("discord: 50 concurrent /ask (p50, p95)", "ms", rest.pop("p50_ms"), rest.pop("p95_ms"),
                        answered, target="all answered, 0 lost", ok=answered == asked and lost == 0,
                        note=f"{answered}/{asked} answered, {lost} lost"))
    if "max_stall_ms" in rest:
        stall = rest.pop("max_stall_ms")
        rows.append(Row("discord: largest event-loop stall", "ms", stall, target="≤ 100 ms", ok=stall <= 100))
    if "peak_rss_mb" in rest:
        rss = rest.pop("peak_rss_mb")
        rows.append(Row("discord: peak RSS of the bot process", "MB", rss, target="≤ 1,200 MB", ok=rss <= 1200,
                        note="bot, model, index and the stand-in in one process"))
    return rows + generic_rows(rest)


def generic_rows(figures: dict[str, Any], prefix: str = "discord: ") -> list[Row]:
    rows = []
    for key, value in figures.items():
        name, unit = split_unit(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            rows.append(Row(prefix + name, unit, float(value)))
        else:
            rows.append(note_row(prefix + name, str(value)))
    return rows


def split_unit(key: str) -> tuple[str, str]:
    """`wall_seconds` → ("wall", "s"); a key without a known suffix has no unit."""
    for suffix, unit in UNIT_SUFFIXES:
        if key.lower().endswith(suffix):
            return key[: -len(suffix)].replace("_", " "), unit
    return key.replace("_", " "), ""
