"""A local `chroma run` server on loopback, for the tests and the benchmarks: started on a free
port, ready once it answers its heartbeat, and stoppable and startable again on the same port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
CHROMA = Path(sys.executable).with_name("chroma")


class ChromaServerError(RuntimeError):
    """`chroma run` exited at once or did not answer its heartbeat in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ChromaServer:
    """A `chroma run` process storing under `path`; its output goes to `path` with a `.log` suffix."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = path.with_suffix(".log")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> ChromaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> None:
        """Start the server (unless it runs) and return once it answers its heartbeat."""
        if self.process and self.process.poll() is None:
            return
        with open(self.log, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([str(CHROMA), "run", "--path", str(self.path), "--host", HOST,
                                             "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait(timeout)
        except BaseException:  # an interrupt too: a server nobody waits for must not outlive the caller
            self.stop()
            raise

    def _wait(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ChromaServerError(f"chroma run exited with {self.process.returncode} (see {self.log})")
            try:
                urllib.request.urlopen(f"http://{HOST}:{self.port}/api/v2/heartbeat", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise ChromaServerError(f"chroma run did not answer its heartbeat within {timeout:g} s (see {self.log})")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
