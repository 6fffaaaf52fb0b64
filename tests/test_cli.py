"""The `marginalia` command as a user runs it: real processes, one-line errors, the JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


from index.config import Settings

MARGINALIA = str(Path(sys.executable).with_name("marginalia"))


def run(args: list[str], settings: Settings | None = None, stdin: str | None = None,
        tmp: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if settings is not None:
        env.update(PROJECT_DIR=str(settings.project_dir), SOURCES_DIR=str(settings.sources_path),
                   DATA_DIR=str(settings.data_path))
    elif tmp is not None:
        env.update(PROJECT_DIR=str(tmp), DATA_DIR=str(tmp / "empty-data"))
    return subprocess.run([MARGINALIA, *args], input=stdin, capture_output=True, text=True, env=env,
                          timeout=300, cwd=tmp or (settings.project_dir if settings else None))


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_asking_before_any_index_says_how_to_build_it(tmp_path: Path) -> None:
    result = run(["ask", "Who killed Trotsky?"], tmp=tmp_path)
    assert_one_line_error(result, "no index", "marginalia index")


def test_unknown_option_is_one_line(tmp_path: Path) -> None:
    result = run(["ask", "--frobnicate", "x"], tmp=tmp_path)
    assert_one_line_error(result, "--frobnicate", "--help")
    assert result.returncode == 2


def test_empty_question_is_refused_clearly(real_index: Settings) -> None:
    assert_one_line_error(run(["ask", "   "], real_index), "empty")


def test_over_long_question_is_refused_clearly(real_index: Settings) -> None:
    assert_one_line_error(run(["ask", "why " * 400], real_index), "limit")


def test_sources_prints_the_catalog(real_index: Settings) -> None:
    result = run(["sources"], real_index)
    assert result.returncode == 0
    for source_id in ("walsh-1980", "kahn-sayers-1946", "world-revolution-fiction"):
        assert source_id in result.stdout


def test_search_ranks_passages_with_scores(real_index: Settings) -> None:
    result = run(["search", "ice-pick Ramon Mercader", "-n", "3"], real_index)
    assert result.returncode == 0
    assert "walsh-1980" in result.stdout and "dense" in result.stdout and "bm25" in result.stdout


def test_batch_json_answers_every_line_in_order(real_index: Settings) -> None:
    questions = ["Who killed Trotsky?", "", "Which library holds Trotsky's archive today?",
                 "Was Mein Kampf ever actually published?"]
    result = run(["ask", "--json", "-"], real_index, stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["question"] for o in objects] == questions
    assert objects[1]["answered"] is False and "empty" in objects[1]["error"]
    assert set(objects[1]) == set(objects[2]) | {"error"}  # a refused line has an answer's shape
    first = objects[0]
    assert first["answered"] and first["citations"]
    for key in ("text", "sources", "disagreement"):
        assert key in first
    texts = {}
    for citation in first["citations"]:
        info = first["sources"][citation["source"]]
        path = Path(real_index.project_dir) / info["file"]
        texts.setdefault(path, path.read_text(encoding="utf-8"))
        assert texts[path][citation["start"]:citation["end"]] == citation["quote"]
        assert {"n", "section"} <= set(citation)
        assert {"title", "author", "date", "file", "flags", "note"} <= set(info)


def test_index_if_missing_keeps_an_existing_index(real_index: Settings) -> None:
    result = run(["index", "--if-missing"], real_index)
    assert result.returncode == 0 and result.stdout == ""


def test_the_logging_flag_and_eval_s_own_verbose_flag_do_not_overwrite_each_other() -> None:
    from bot.cli import build_parser

    logged = build_parser().parse_args(["-v", "eval", "gold.jsonl"])
    assert logged.log_details and not logged.verbose
    listed = build_parser().parse_args(["eval", "gold.jsonl", "--verbose"])
    assert listed.verbose and not listed.log_details


def test_a_setting_that_cannot_be_used_is_one_line_naming_it(tmp_path: Path) -> None:
    env = {**os.environ, "PROJECT_DIR": str(tmp_path), "MAX_CITATIONS": "12", "DISCORD_GUILD_IDS": "12, general"}
    result = subprocess.run([MARGINALIA, "sources"], capture_output=True, text=True, env=env, timeout=120)
    assert_one_line_error(result, "MAX_CITATIONS", "less than or equal to 8", "DISCORD_GUILD_IDS", "numeric ids")


def test_an_empty_setting_means_its_default(real_index: Settings) -> None:
    # `SOURCES_DIR=` used to mean the current folder: the project's own files were indexed.
    env = {**os.environ, "PROJECT_DIR": str(real_index.project_dir), "SOURCES_DIR": "", "EMBEDDING_BATCH_SIZE": ""}
    result = subprocess.run([MARGINALIA, "sources"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "walsh-1980" in result.stdout


def test_a_search_for_no_passages_or_nothing_is_refused(real_index: Settings) -> None:
    assert_one_line_error(run(["search", "ice axe", "-n", "0"], real_index), "-n", "at least 1")
    assert_one_line_error(run(["search", "  "], real_index), "empty")


def test_a_broken_gold_file_is_named_with_its_line_before_the_model_loads(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "q1", "question": "Who?", "kind": "factual"}\n\n{"id": "q2", "question": "Why?"}\n',
                    encoding="utf-8")
    # No index exists here: a check that waited for the index or the model would say so instead.
    assert_one_line_error(run(["eval", str(gold)], tmp=tmp_path), "gold.jsonl, line 3", "kind")
    assert_one_line_error(run(["eval", str(tmp_path / "nope.jsonl")], tmp=tmp_path), "Cannot read", "nope.jsonl")
