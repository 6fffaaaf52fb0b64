"""The `chroma run` launcher shared by the tests and the benchmarks: it returns only once the server
answers, stops and starts it again on the same port, and never leaves a failed server running."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest

from index.chroma_server import HOST, ChromaServer, ChromaServerError


def answers(server: ChromaServer) -> bool:
    try:
        urllib.request.urlopen(f"http://{HOST}:{server.port}/api/v2/heartbeat", timeout=1).read()
        return True
    except OSError:
        return False


def test_a_server_answers_once_started_and_again_after_a_restart(tmp_path: Path) -> None:
    with ChromaServer(tmp_path / "db") as server:
        assert answers(server)
        server.stop()
        assert not answers(server)
        server.start()
        assert answers(server)
    assert server.process is not None and server.process.returncode is not None
    assert (tmp_path / "db.log").exists()


def test_a_server_that_exits_at_once_is_reported_with_its_log(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "db")
    with socket.socket() as taken:  # someone else holds the port
        taken.bind((HOST, server.port))
        taken.listen()
        with pytest.raises(ChromaServerError, match="exited.*db.log"):
            server.start()


def test_a_server_that_does_not_answer_in_time_is_stopped(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "db")
    with pytest.raises(ChromaServerError, match="did not answer"):
        server.start(timeout=0)
    assert server.process is not None and server.process.returncode is not None
