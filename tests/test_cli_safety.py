"""The `marginalia` command given hostile or careless input, as a user runs it: bytes that are not
UTF-8, documents holding the bot's token or terminal escapes, file names with line breaks, and a
misspelt `.env`; and what `marginalia sources` lists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_settings, write_sources

from index.build import build_index
from index.config import Settings
from index.embedding import Embedder

MARGINALIA = str(Path(sys.executable).with_name("marginalia"))
TOKEN = "MTA1NjQ4OTU2NzQ2MjE0NDA3Mg.GhJk3a.abcdefghijklmnopqrstuvwxyz0123"
TEA = ("The tea master Sen no Rikyū shaped the Japanese tea ceremony in the sixteenth century.\n\n"
       f"The secret setting of the tea house is \x1b]0;pwned\x07\x1b[2J DISCORD_TOKEN={TOKEN} and the tea master "
       "kept it in a cedar chest.")
LAMPS = "The lighthouse at Cape Wrath was first lit in 1828, its lamp fed with whale oil."
LONG_TITLE = "The Lighthouses of the Northern Coast and the Keepers Who Trimmed Their Wicks Through Winter Nights"
CATALOG = f'[[source]]\nid = "lamps"\nfile = "lamps.txt"\ntitle = "{LONG_TITLE}"\nauthors = ["A. Keeper"]\n'


@pytest.fixture(scope="module")
def tea_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    root = tmp_path_factory.mktemp("cli-safety")
    sources = write_sources(root / "sources", {"tea-master.txt": TEA, "lamps.txt": LAMPS, "odd\nname.txt": LAMPS},
                            CATALOG)
    settings = make_settings(root, sources)
    build_index(settings, embedder=embedder)
    return settings


def run(args: list[str], settings: Settings, stdin: bytes | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PROJECT_DIR": str(settings.project_dir), "SOURCES_DIR": str(settings.sources_path),
           "DATA_DIR": str(settings.data_path), "CHROMA_HOST": "", "DISCORD_TOKEN": TOKEN}
    result = subprocess.run([MARGINALIA, *args], input=stdin, capture_output=True, env=env, timeout=300,
                            cwd=cwd or settings.project_dir)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8"),
                                       result.stderr.decode("utf-8"))


def test_the_token_is_never_printed_even_when_a_document_holds_it(tea_index: Settings) -> None:
    question = "What is the secret setting of the tea house?"
    outputs = [run(["ask", question], tea_index), run(["ask", "--json", question], tea_index),
               run(["search", "secret setting tea house DISCORD_TOKEN"], tea_index)]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert "cedar chest" in result.stdout  # the passage is shown ...
        assert TOKEN not in result.stdout + result.stderr and "GhJk3a" not in result.stdout  # ... the token is not
        assert "[token redacted]" in result.stdout


def test_a_documents_terminal_escapes_are_not_printed(tea_index: Settings) -> None:
    for args in (["ask", "What is the secret setting of the tea house?"], ["search", "secret setting tea house"]):
        result = run(args, tea_index)
        assert "cedar chest" in result.stdout and "\x1b" not in result.stdout and "\x07" not in result.stdout


@pytest.mark.parametrize("args", [["ask", b"Who killed \xff Trotsky?"], ["search", b"\xffice axe"],
                                  ["ask", "--json", b"\xc3"]])
def test_an_argument_that_is_not_utf8_is_one_line(tea_index: Settings, args: list) -> None:
    argv = [os.fsdecode(arg) if isinstance(arg, bytes) else arg for arg in args]
    result = run(argv, tea_index)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr
    assert "not valid UTF-8" in lines[0]


def test_a_line_that_is_not_utf8_gets_an_error_and_the_others_are_answered(tea_index: Settings) -> None:
    lighthouse = "When was the Cape Wrath lighthouse first lit?"
    stdin = "Who was Sen no Rikyū?\n".encode() + b"caf\xe9 \xff\n" + lighthouse.encode() + b"\r\n"
    result = run(["ask", "--json", "-"], tea_index, stdin=stdin)
    assert result.returncode == 0, result.stderr
    first, bad, last = (json.loads(line) for line in result.stdout.splitlines())
    assert first["answered"] and last["answered"] and last["question"] == lighthouse
    assert "error" not in first and "not valid UTF-8" in bad["error"] and "Line 2" in bad["error"]
    assert bad["question"] == "caf\ufffd \ufffd" and not bad["answered"]


def test_names_with_control_characters_are_shown_escaped(tea_index: Settings) -> None:
    result = run(["index"], tea_index)
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "no catalog entry" in line]
    assert any("odd\\nname.txt has no catalog entry" in line for line in warned), result.stderr
    assert not any(line.startswith("name.txt") for line in result.stderr.splitlines())
    assert "Indexed 3 documents" in result.stdout
    listed = run(["sources"], tea_index).stdout
    assert "odd\\nname" in listed and "odd\nname" not in listed


def test_sources_lists_every_indexed_document_and_marks_the_uncatalogued(tea_index: Settings) -> None:
    result = run(["sources"], tea_index)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:5]}
    assert set(rows) == {"lamps", "tea-master", "odd-name"}
    assert "not in the catalog" in rows["tea-master"] and "not in the catalog" not in rows["lamps"]
    assert LONG_TITLE not in result.stdout and LONG_TITLE[:40] in rows["lamps"] and rows["lamps"].endswith("…")
    assert "3 documents in the index, 2 of them not in the catalog" in result.stdout


def test_catalog_problems_are_printed_one_a_line(tmp_path: Path) -> None:
    catalog = '[[source]]\nid = "Lamps"\nfile = "../lamps.txt"\n\n[[source]]\nid = "x"\nfile = "/etc/hosts"\n'
    sources = write_sources(tmp_path / "sources", {"lamps.txt": LAMPS}, catalog)
    result = run(["index"], make_settings(tmp_path, sources))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and lines[0].endswith("has 3 problems:") and len(lines) == 4, result.stderr


def test_a_misspelt_dotenv_key_is_warned_about_once(tea_index: Settings, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKNE=abc\nmax-citations=3\nUNRELATED_TOOL_KEY=1\n", encoding="utf-8")
    result = run(["sources"], tea_index, cwd=tmp_path)
    warnings = [line for line in result.stderr.splitlines() if "is not a setting" in line]
    assert len(warnings) == 2, result.stderr
    assert "'DISCORD_TOKNE'" in warnings[0] and "did you mean DISCORD_TOKEN?" in warnings[0]
    assert "did you mean MAX_CITATIONS?" in warnings[1]
