"""Load benchmark (not a test): 50 /ask at once through the Discord stand-in to the real bot.

The real MarginaliaBot, the bundled model and the project's index (built first if missing) log
into the loopback stand-in from tests/; 50 members each send one /ask at the same moment.
Measured: how many were answered and lost, latency from the interaction to the answer on
screen (p50, p95), the largest stall of the bot's event loop (a task sleeping 10 ms at a time
notes how late it wakes; the stand-in runs on its own loop in a thread, as Discord's work is not
the bot's), and the process's peak RSS (the bot with its model and index; the stand-in is small).

Acceptance: all 50 answered, none lost, largest stall <= 100 ms. `python -m benchmarks.discord_load`
or `run()` from another script.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the stand-in lives with the tests, which are not a package

from benchmarks.report import p95  # noqa: E402
from bot.cli import quiet_libraries  # noqa: E402

quiet_libraries()

from bot.discord.app import MarginaliaBot  # noqa: E402
from bot.discord.services import Services  # noqa: E402
from bot.store import SafeRecorder  # noqa: E402
from discord_fixtures import run_bot  # noqa: E402
from discord_standin import DiscordStandin, InjectedInteraction  # noqa: E402
from index.build import build_index  # noqa: E402
from index.config import Settings, load_settings  # noqa: E402
from index.generations import Layout  # noqa: E402

T = TypeVar("T")

ASKS = 50
ANSWER_TIMEOUT = 120.0
SAMPLE_SECONDS = 0.010
QUESTIONS = ["Who killed Trotsky?", "How was Trotsky killed?", "Who was Ramon Mercader?", "Who was Jacson?",
             "Was Trotsky an ally of Hitler?", "What did Kollontai do in Mexico?", "Why was Trotsky murdered?",
             "Were the Moscow trial confessions true?", "Who sent the assassin?", "What is the recipe for apple pie?"]


class LoopLag:
    """Samples the event loop every 10 ms; the worst lateness is the largest stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample(), name="benchmark: loop lag")

    async def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        return self.worst

    async def _sample(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(SAMPLE_SECONDS)
            self.worst = max(self.worst, loop.time() - before - SAMPLE_SECONDS)


class StandinThread:
    """The stand-in on its own event loop in a thread: Discord's work (serving, checking every body
    against the OpenAPI spec) is not the bot's, so it must not count in the bot's loop stalls."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="discord stand-in", daemon=True)
        self._thread.start()
        self.standin = self.call(self._create())

    @staticmethod
    async def _create() -> DiscordStandin:
        standin = DiscordStandin()  # made on its own loop: its events and futures belong there
        await standin.start()
        return standin

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the stand-in's loop and wait for it (from outside any loop)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the stand-in's loop without blocking the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def close(self) -> None:
        self.call(self.standin.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


async def ask_and_time(standin: DiscordStandin, question: str, user: dict[str, Any]) -> float | None:
    """Seconds from the /ask to its answer on screen; None when it never came (lost)."""
    started = time.perf_counter()
    interaction: InjectedInteraction = await standin.send_slash_command("ask", {"question": question}, user=user)
    try:
        await interaction.message(lambda m: m.kind == "edit_original", timeout=ANSWER_TIMEOUT)
    except AssertionError:
        return None
    return time.perf_counter() - started


async def ask_all(standin: DiscordStandin) -> list[float | None]:
    """ASKS members each send one /ask, all at once (runs on the stand-in's loop)."""
    users = [standin.add_user(f"reader{i}") for i in range(ASKS)]
    return await asyncio.gather(*(ask_and_time(standin, QUESTIONS[i % len(QUESTIONS)], user)
                                  for i, user in enumerate(users)))


def ensure_index(settings: Settings) -> None:
    if Layout(settings.data_path).current() is None:
        print("benchmarks.discord_load: no index yet, building it first…", file=sys.stderr)
        build_index(settings)


async def measure(settings: Settings, side: StandinThread) -> dict[str, float]:
    """Start the bot on this loop, send the burst from the stand-in's, watch this loop's stalls."""
    async with SafeRecorder(settings.database_file) as recorder:
        running = await run_bot(MarginaliaBot(Services.create(settings, recorder)), side.standin, timeout=120)
        lag = LoopLag()
        lag.start()
        started = time.perf_counter()
        latencies = await side.run(ask_all(side.standin))
        seconds = time.perf_counter() - started
        stall = await lag.stop()
        failures = await running.stop(check=False)
    return figures(latencies, seconds, stall, len(failures) + len(side.standin.take_violations()))


def own_peak_mb() -> float:
    """This process's peak resident memory since it started (VmHWM), without the high-water mark
    that getrusage() carries over from the process that launched it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def figures(latencies: list[float | None], seconds: float, stall: float, problems: int) -> dict[str, float]:
    answered = sorted(t for t in latencies if t is not None)
    return {
        "asked": float(len(latencies)),
        "answered": float(len(answered)),
        "lost": float(len(latencies) - len(answered)),
        "p50_ms": statistics.median(answered) * 1000 if answered else 0.0,
        "p95_ms": p95(answered) * 1000 if answered else 0.0,  # nearest-rank, as every other row
        "max_stall_ms": stall * 1000,
        "peak_rss_mb": own_peak_mb(),
        "wall_seconds": seconds,
        "bot_failures_and_spec_violations": float(problems),
    }


def run() -> dict[str, float]:
    """Run the benchmark once (the project's settings, a throw-away database); print and return the figures."""
    with tempfile.TemporaryDirectory(prefix="marginalia-bench-") as folder:
        settings = load_settings(database_path=Path(folder) / "bench.sqlite3")
        ensure_index(settings)
        side = StandinThread()
        try:
            results = asyncio.run(measure(settings, side))
        finally:
            side.close()
    print(report(results))
    return results


def report(results: dict[str, float]) -> str:
    verdict = "PASS" if (results["answered"] == ASKS and results["lost"] == 0 and results["max_stall_ms"] <= 100
                         and results["bot_failures_and_spec_violations"] == 0) else "FAIL"
    lines = [f"Discord load: {ASKS} /ask at once through the stand-in ({verdict}: all answered, none lost, "
             "stall <= 100 ms)"]
    lines += [f"  {name:34} {value:10.1f}" for name, value in results.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run()
