"""Figures and how they are printed: one row per measurement, a header, a Markdown table."""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata

Check = Callable[[float, float | None], bool]


@dataclass
class Row:
    """One line of the table: a median, a p95 where it applies, and the target it is held to."""

    name: str
    unit: str  # "ms", "s", "chars/s", "MB", "x" (a ratio), "" (a count)
    median: float | None
    p95: float | None = None
    runs: int = 1
    target: str = ""
    ok: bool | None = None
    note: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def p95(values: Sequence[float]) -> float:
    """The nearest-rank 95th percentile: a value that was actually observed, never interpolated."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def summarise(name: str, unit: str, values: Sequence[float], *, percentile: bool = True, target: str = "",
              check: Check | None = None, note: str = "") -> Row:
    """A row from repeated measurements: their median, and their p95 when `percentile`."""
    middle = statistics.median(values)
    high = p95(values) if percentile else None
    return Row(name, unit, middle, high, len(values), target, check(middle, high) if check else None, note)


def note_row(name: str, note: str) -> Row:
    """A row that carries only a remark (a benchmark skipped, or one that failed)."""
    return Row(name, "", None, note=note)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:,.0f} s"
    if unit == "x":
        return f"{value:.2f}"
    if unit in ("chars/s", "MB"):
        return f"{value:,.0f} {unit}"
    return f"{value:,.0f} {unit}".strip() if float(value).is_integer() else f"{value:,.2f} {unit}".strip()


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table, padded so it also reads well on a terminal."""
    header = ["benchmark", "median", "p95", "runs", "target", "ok", "note"]
    cells = [[r.name, format_value(r.median, r.unit), format_value(r.p95, r.unit) if r.p95 is not None else "",
              str(r.runs) if r.median is not None else "", r.target,
              {True: "yes", False: "NO", None: ""}[r.ok], r.note] for r in rows]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


def machine_header() -> str:
    """Date, machine (cores, memory, CPU), load, and the versions that shape the figures."""
    import psutil

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"Marginalia benchmarks, {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"machine: {os.cpu_count()} cores ({cpu_model()}), {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        f"software: Python {platform.python_version()}, torch {version('torch')} ({torch_threads()} threads), "
        f"sentence-transformers {version('sentence-transformers')}, chromadb {version('chromadb')}, "
        f"bm25s {version('bm25s')}",
        f"load average at start (1, 5, 15 min): {load}",
    ]
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        lines.append("warning: other processes are busy on this machine; every figure below is slower than it "
                     "would be on an idle one")
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"
