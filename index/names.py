"""Names that become paths or get shown: source ids are slugs, documents stay inside their folder,
and a name with control characters is shown escaped.

Anything a build writes is named from a source id or a generation id, so both are checked here
before they are joined to a folder: a name cannot climb out of DATA_DIR however it was spelt.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

SLUG_MAX = 64
SLUG_RE = re.compile(rf"[a-z0-9._-]{{1,{SLUG_MAX}}}")
SLUG_RULE = f"lower-case letters, digits, '.', '_' and '-', at most {SLUG_MAX} characters"
# Bidirectional overrides and isolates reorder what a terminal shows: "txt.exe" can read as "exe.txt".
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_slug(text: str) -> bool:
    """A name safe as a file name on its own: SLUG_RULE, and never "." or ".."."""
    return bool(SLUG_RE.fullmatch(text)) and text not in (".", "..")


def inside(folder: Path, path: Path) -> bool:
    """Whether `path`, links followed, lies inside `folder` (links followed too)."""
    return path.resolve().is_relative_to(folder.resolve())


def child(folder: Path, name: str, suffix: str = "") -> Path:
    """`folder/name+suffix` for a slug `name`; ValueError for any other name (a bug upstream: ids
    are checked where they come from, the catalog and the generation files)."""
    if not is_slug(name):
        raise ValueError(f"{escaped(name)!r} is not a safe file name ({SLUG_RULE})")
    return folder / f"{name}{suffix}"


def is_control(character: str) -> bool:
    """A character that moves the cursor, rings, recolours or reorders a terminal: C0, DEL, C1 and
    the bidirectional controls."""
    return unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS


def escaped(name: str) -> str:
    """A file name or id as it can be shown on one line: control characters written as escapes
    ("a\\nb.txt"), everything else as it is."""
    if not any(is_control(c) for c in name):
        return name
    return "".join(c.encode("unicode_escape").decode("ascii") if is_control(c) else c for c in name)
