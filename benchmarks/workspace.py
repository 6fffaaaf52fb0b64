"""Where benchmarks run: copies of the reading list in temporary folders, the settings and the
environment that point Marginalia (in process or as a `marginalia` process) at them, and measured
child processes."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from index.config import PROJECT_ROOT, Settings

SOURCES = PROJECT_ROOT / "sources"
MARGINALIA = Path(sys.executable).with_name("marginalia")


class BenchmarkError(RuntimeError):
    """A benchmark could not be measured (a process failed, say)."""


@dataclass(frozen=True)
class Workspace:
    """A sources folder and a data folder, optionally with a Chroma server for the vectors."""

    root: Path
    sources: Path
    data: Path
    chroma_host: str = ""
    chroma_port: int = 8000

    @classmethod
    def copy_of(cls, sources: Path, root: Path) -> Workspace:
        """A fresh copy of `sources` under `root`, with an empty data folder beside it."""
        shutil.copytree(sources, root / "sources")
        return cls(root, root / "sources", root / "data")

    def elsewhere(self, data: Path, host: str = "", port: int = 8000) -> Workspace:
        """The same sources, indexed into another data folder (or another Chroma)."""
        return dataclasses.replace(self, data=data, chroma_host=host, chroma_port=port)

    @property
    def settings(self) -> Settings:
        return Settings(_env_file=None, project_dir=self.root, sources_dir=self.sources, data_dir=self.data,
                        chroma_host=self.chroma_host, chroma_port=self.chroma_port, discord_token="")

    def env(self) -> dict[str, str]:
        """The environment of a `marginalia` process that works on this workspace only."""
        return {**os.environ, "PROJECT_DIR": str(self.root), "SOURCES_DIR": str(self.sources),
                "DATA_DIR": str(self.data), "CHROMA_HOST": self.chroma_host, "CHROMA_PORT": str(self.chroma_port),
                "EMBEDDING_MODEL": "", "DISCORD_TOKEN": "", "LOG_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


@dataclass(frozen=True)
class ProcessRun:
    """One measured child process."""

    first_line: float  # seconds from starting the process to its first line of output
    seconds: float  # seconds from start to exit
    peak_rss_mb: float  # the child's own peak resident memory (wait4's ru_maxrss)
    lines: list[str]

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.lines if line.strip()]


# A process started straight from the benchmark would report the benchmark's own peak memory:
# Linux carries the parent's high-water mark into a child's ru_maxrss across fork and exec (the
# benchmark holds the model and, at scale, 77,000 vectors). So a small launcher starts the process
# and reports that process's peak alone.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(argv: list[str], workspace: Workspace, stdin: str | None = None) -> ProcessRun:
    """Run a process to its end, timing its first line of output and reading its own peak memory."""
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as peak:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", LAUNCHER, peak.name, *argv], cwd=workspace.root,
                                   env=workspace.env(), text=True, stdout=subprocess.PIPE, stderr=errors,
                                   stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
        if stdin is not None:
            process.stdin.write(stdin)
            process.stdin.close()
        first = process.stdout.readline()
        first_line = time.perf_counter() - started
        rest = process.stdout.read().splitlines()
        process.wait()
        seconds = time.perf_counter() - started
        process.stdout.close()
        if process.returncode != 0:
            errors.seek(0)
            raise BenchmarkError(f"{Path(argv[0]).name} {argv[1]} exited with {process.returncode}: "
                                 f"{last_line(errors.read().decode(errors='replace'))}")
        peak_kb = int(peak.read() or 0)
    return ProcessRun(first_line, seconds, peak_kb * 1024 / 1e6, [first.rstrip("\n"), *rest])


def last_line(text: str) -> str:
    """The last non-empty line of a process's error output: usually the exception that ended it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no error output)"
