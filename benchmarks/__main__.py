"""`python -m benchmarks [--only build,ask] [--scale] [--repeat N] [--json FILE]`: run the
benchmarks and print the table (medians, p95 where it applies) under a header naming the date and
the machine. The 50× scale benchmark takes a quarter of an hour, so it only runs when asked."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bot.cli import quiet_libraries

quiet_libraries()  # offline model, no library chatter; before anything imports the libraries

from benchmarks import asking, building, discord_figures, scale  # noqa: E402
from benchmarks.context import DEV_QUESTIONS, Context, say  # noqa: E402
from benchmarks.report import Row, machine_header, note_row, table  # noqa: E402

Benchmark = Callable[[Context], list[Row]]
BENCHMARKS: dict[str, tuple[Benchmark, str]] = {
    "build": (building.throughput, "full builds: throughput beside the raw model on the same units"),
    "ask": (asking.warm, "warm ask latency over the dev questions"),
    "cold": (asking.cold, "fresh `marginalia ask` processes: time to first answer, peak memory"),
    "rebuild": (building.unchanged, "rebuilds with nothing changed"),
    "changed": (building.one_changed, "rebuilds after one document changed"),
    "discord": (discord_figures.run, "the bot under 50 concurrent /ask (benchmarks/discord_load.py)"),
    "scale": (scale.run, "50× synthetic reading list, embedded and server Chroma (~15 min; opt-in)"),
}
DEFAULT = [name for name in BENCHMARKS if name != "scale"]


def parse(argv: list[str] | None) -> argparse.Namespace:
    listing = "; ".join(f"{name}: {text}" for name, (_, text) in BENCHMARKS.items())
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__, epilog=listing)
    parser.add_argument("--only", type=names, help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--scale", action="store_true", help="also run the 50× scale benchmark (~15 minutes)")
    parser.add_argument("--scale-factor", type=int, default=scale.FACTOR,
                        help=f"how many times larger the synthetic list is (default {scale.FACTOR}; smaller to try it)")
    parser.add_argument("--repeat", type=int, help="runs per benchmark, instead of each one's default")
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS, help="JSON Lines file of questions")
    parser.add_argument("--json", type=Path, help="also write the rows to this file as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (their path is printed)")
    return parser.parse_args(argv)


def names(value: str) -> list[str]:
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown benchmark {', '.join(unknown) or '(none)'}; "
                                         f"choose from {', '.join(BENCHMARKS)}")
    return chosen


def run_all(ctx: Context, selected: list[str]) -> tuple[list[Row], bool]:
    """Every selected benchmark in turn; one that fails becomes a row saying why, and the rest go on."""
    rows, failed = [], False
    for name in selected:
        try:
            rows += BENCHMARKS[name][0](ctx)
        except Exception as exc:  # a broken benchmark must not hide the others' figures
            failed = True
            traceback.print_exc(file=sys.stderr)
            rows.append(note_row(f"{name} (failed)", one_line(f"{type(exc).__name__}: {exc}")))
    return rows, failed


def one_line(message: str, limit: int = 200) -> str:
    """A message fit for a table cell: one line, its end kept when it is long (the end says most)."""
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[:60] + " … " + flat[-(limit - 63):]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # A benchmark stopped with SIGTERM still stops its Chroma server and removes its folders.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    selected = args.only or DEFAULT + (["scale"] if args.scale else [])
    print(machine_header(), flush=True)
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="marginalia-bench-"))
    say(f"running {', '.join(selected)} in {root}")
    try:
        rows, failed = run_all(Context(root, args.repeat, args.questions, args.scale_factor), selected)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{table(rows)}\n\n{len(selected)} benchmarks in {minutes:.1f} min; load average at the end: {load}. "
          "p95 is nearest-rank over all runs; 'runs' counts measurements.")
    if args.json:
        args.json.write_text(json.dumps([r.to_json() for r in rows], indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
