"""`marginalia bot` as a user runs it: one-line errors for a missing or rejected token, and a real
process that logs in to the stand-in through DISCORD_API_BASE / DISCORD_GATEWAY_URL, answers,
and stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import discord.http
import pytest

from bot.discord.app import run
from conftest import SOURCES, make_settings
from discord_fixtures import pointed_at
from discord_standin import DiscordStandin
from index.config import Settings
from test_discord_helpers import first_page, is_answer

MARGINALIA = Path(sys.executable).with_name("marginalia")


def test_a_missing_token_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(make_settings(tmp_path, SOURCES)) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "DISCORD_TOKEN is not set" in error and ".env" in error


async def test_a_rejected_token_is_one_clear_line(standin: DiscordStandin, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path, SOURCES, discord_token="not-the-bot-token", discord_api_base=standin.api_base,
                             discord_gateway_url=standin.gateway_url)
    with pointed_at(standin):  # run() points discord.py at the stand-in; this restores it afterwards
        assert await asyncio.to_thread(run, settings) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Discord rejected DISCORD_TOKEN" in error
    assert standin.requests[-1].status == 401


def test_discord_out_of_reach_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(tmp_path, SOURCES, discord_token="any-token",
                             discord_api_base=f"http://127.0.0.1:{port}/api/v10")
    saved = discord.http.Route.BASE
    try:
        assert run(settings) == 1
    finally:
        discord.http.Route.BASE = saved  # run() pointed discord.py at the port
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"Cannot reach Discord at http://127.0.0.1:{port}/api/v10" in error


async def logged(log: Path, text: str, timeout: float = 15.0) -> None:
    for _ in range(int(timeout * 10)):
        if text in log.read_text(encoding="utf-8"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} was not logged within {timeout} s:\n{log.read_text(encoding='utf-8')}")


def bot_environment(standin: DiscordStandin, index: Settings, database: Path) -> dict[str, str]:
    return {**os.environ, "PROJECT_DIR": str(index.project_dir), "SOURCES_DIR": str(index.sources_path),
            "DATA_DIR": str(index.data_path), "DATABASE_PATH": str(database), "DISCORD_TOKEN": standin.token,
            "DISCORD_API_BASE": standin.api_base, "DISCORD_GATEWAY_URL": standin.gateway_url,
            "DISCORD_GUILD_IDS": "", "CHROMA_HOST": "", "LOG_LEVEL": "INFO", "HF_HUB_OFFLINE": "1"}


async def test_the_bot_process_answers_and_stops_cleanly_on_ctrl_c(standin: DiscordStandin, real_index: Settings,
                                                                   tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([str(MARGINALIA), "bot"], env=bot_environment(standin, real_index, tmp_path / "db"),
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        await standin.wait_for_sync(timeout=120)
        await standin.wait_until_connected(timeout=30)
        page = await first_page(await standin.send_slash_command("ask", {"question": "Who killed Trotsky?"}),
                                timeout=30)
        assert is_answer(page)
        await logged(log, "Ready: logged in as")  # after discord.py's wait for the servers' data (2 s)
        process.send_signal(signal.SIGINT)
        code = await asyncio.to_thread(process.wait, 30)
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text(encoding="utf-8")
    assert code == 0, text
    assert text.count("Ready: logged in as") == 1 and "Stopped (Ctrl-C)." in text
    assert "Traceback" not in text and standin.token not in text
