"""Docs and layering pinned to the code: settings mirrored in .env.example and the README's table,
one-way imports, the seed documents copied unaltered."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

from index.config import PROJECT_ROOT, Settings

SHARED_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


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
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    seeds = {digest(p) for p in SHARED_SEEDS.iterdir()}
    ours = {digest(p) for p in (PROJECT_ROOT / "sources").glob("*.txt")}
    assert ours == seeds
