"""Docs and layering pinned to the code: settings mirrored in .env.example and the README's table,
one-way imports, the seed documents copied unaltered, and nothing in `make test` reading `../shared`."""

from __future__ import annotations

import ast
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from shared_material import SEEDS

from index.config import PROJECT_ROOT, Settings

# SHA-256 of the five seed documents (../shared/seeds), so a fresh clone checks its sources too.
SEED_DIGESTS = {
    "3f4861f9206029c34e5df8568fd96ad0fa50993362cf3722af9c40ba28301e6f",
    "e37b12a447c966b7c1bbc1c8f0fc3b443f8840c20bc9a6e47df6b562dfcb392a",
    "9913c635779746873b7c6c5b16e401366d3e9e392303d189d8ed75c8d5ea0ae5",
    "a0394f546d8a4cf3665429df83f1e2bd748d22b94e91fcf7e1a4f64ebb95c66f",
    "bb6daf5dd946681312317de9e96ff5ce0af0dec0972c26856897840f3ad3a72d",
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def env_example() -> dict[str, str]:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Z_]+)=(.*)$", text, re.M))


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    assert set(env_example()) == {name.upper() for name in Settings.model_fields}


def test_every_setting_is_documented_above_its_line() -> None:
    lines = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            assert lines[i - 1].startswith("# "), f"{line} has no comment above it"
    assert all(field.description for field in Settings.model_fields.values())


def test_the_readme_settings_table_describes_every_setting_as_the_code_does() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| [^|]+ \| (.+) \|$", readme, re.M))
    assert rows == {name.upper(): field.description for name, field in Settings.model_fields.items()}


def test_env_example_values_are_the_defaults(tmp_path: Path) -> None:
    from_file = Settings(_env_file=PROJECT_ROOT / ".env.example")
    defaults = Settings(_env_file=None)
    assert from_file.model_dump() == defaults.model_dump()


def imports_of(folder: Path) -> dict[Path, set[str]]:
    found = {}
    for path in folder.rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
        found[path] = names
    return found


def test_index_never_imports_bot_or_discord() -> None:
    for path, names in imports_of(PROJECT_ROOT / "index").items():
        assert not names & {"bot", "discord"}, f"{path} imports {names & {'bot', 'discord'}}"


def test_discord_is_imported_only_under_bot_discord() -> None:
    for path, names in imports_of(PROJECT_ROOT / "bot").items():
        if "discord" in path.relative_to(PROJECT_ROOT / "bot").parts[:1]:
            continue
        assert "discord" not in names, f"{path} imports discord outside bot/discord/"


def test_sources_are_the_seed_documents_unaltered() -> None:
    assert {digest(p) for p in (PROJECT_ROOT / "sources").glob("*.txt")} == SEED_DIGESTS


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project (CI has it)")
def test_the_pinned_digests_are_the_shared_seeds() -> None:
    assert {digest(p) for p in SEEDS.iterdir()} == SEED_DIGESTS


def test_make_test_reads_nothing_beside_the_project() -> None:
    """A fresh clone has no ../shared: only shared_material.py (and the spec's loader, through it)
    may name it, and only `make eval` needs the dev questions."""
    joins_shared = re.compile(r"/\s*[\"']shared[\"']")  # a path joined to the shared folder
    for path in (PROJECT_ROOT / "tests").glob("*.py"):
        if path.name != "shared_material.py":
            assert not joins_shared.search(path.read_text(encoding="utf-8")), f"{path.name} reads ../shared directly"
    assert not (PROJECT_ROOT / "tests" / "data" / "eval_extra.jsonl").exists()


def test_the_suite_runs_as_a_fresh_clone_has_it(tmp_path: Path) -> None:
    """No ../shared: the wire tests run on the stand-in's route table, the seeds on their pinned
    digests, the spec's own tests are skipped, and the summary says the spec check was missing."""
    tests = ["tests/test_discord_standin.py::test_login_identify_and_ready",
             "tests/test_discord_standin.py::test_dm_command_answers_immediately",
             "tests/test_discord_standin.py::test_validator_rules",
             "tests/test_project_layout.py::test_sources_are_the_seed_documents_unaltered",
             "tests/test_project_layout.py::test_the_pinned_digests_are_the_shared_seeds"]
    env = {**os.environ, "MARGINALIA_SHARED": str(tmp_path / "no-shared"), "DISCORD_OPENAPI_SPEC": ""}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 passed, 2 skipped" in result.stdout, result.stdout[-3000:]
    assert "Discord's OpenAPI spec was not available" in result.stdout
