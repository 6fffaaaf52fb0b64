"""The reading list's catalog (`sources/catalog.toml`): load, validate, report every problem at once."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import CatalogError
from index.lexical import unaccented
from index.models import FLAG_VOCABULARY, SourceProfile
from index.names import SLUG_MAX, SLUG_RULE, escaped, inside, is_slug

log = logging.getLogger("marginalia.catalog")

CATALOG_NAME = "catalog.toml"
REQUIRED_KEYS = ("id", "file")
STRING_KEYS = ("id", "file", "title", "date", "venue", "genre", "stance", "note", "short", "side")
LIST_KEYS = ("authors", "flags", "cite_as")
KNOWN_KEYS = frozenset(STRING_KEYS + LIST_KEYS)


@dataclass
class Catalog:
    """Profiles keyed by file name (relative to the sources folder)."""

    by_file: dict[str, SourceProfile] = field(default_factory=dict)
    path: Path | None = None
    uncatalogued: dict[str, SourceProfile] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def by_id(self) -> dict[str, SourceProfile]:
        return {p.id: p for p in self.by_file.values()}

    def profile_for(self, file: str) -> SourceProfile:
        """The entry for a file; an uncatalogued file gets an empty profile (the build warns of it
        once the file proves readable).

        An uncatalogued file's id is unique among all the ids this catalog has given out, and the
        same each time the file is asked for.
        """
        if file in self.by_file:
            return self.by_file[file]
        if file not in self.uncatalogued:
            taken = set(self.by_id) | {p.id for p in self.uncatalogued.values()}
            self.uncatalogued[file] = SourceProfile(id=uncatalogued_id(file, taken), file=file,
                                                    title=Path(file).stem, cataloged=False)
        return self.uncatalogued[file]


def uncatalogued_id(file: str, taken: set[str]) -> str:
    """A readable id from the file's path ("more/notes.txt" -> "more-notes", "Rikyū.txt" -> "rikyu"),
    made unique; always a slug, so it is safe as a file name."""
    stem = unaccented(Path(file).with_suffix("").as_posix()).lower()
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in stem).split()
    base = "-".join(words)[:SLUG_MAX - 4].strip("-") or "document"  # room for "-999"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def load_catalog(sources_dir: Path) -> Catalog:
    """Read and validate the catalog; raise CatalogError listing every problem found."""
    path = sources_dir / CATALOG_NAME
    if not path.exists():
        log.warning("no %s in %s; every document gets an empty profile", CATALOG_NAME, sources_dir)
        return Catalog(path=None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(str(path), [f"not valid TOML: {exc}"]) from exc
    entries = data.get("source", [])
    problems = [f"unknown top-level key {k!r}" for k in data if k != "source"]
    if not isinstance(entries, list):
        raise CatalogError(str(path), problems + ["`source` must be an array of tables ([[source]])"])
    profiles: dict[str, SourceProfile] = {}
    seen_ids: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        where = f"entry {n} ({escaped(str(entry.get('id', '?')))})" if isinstance(entry, dict) else f"entry {n}"
        entry_problems = validate_entry(entry, sources_dir) if isinstance(entry, dict) else ["not a table"]
        source_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(source_id, str) and source_id:  # even a flawed entry claims its id
            if source_id in seen_ids:
                entry_problems.append(f"duplicate id {source_id!r}")
            seen_ids.add(source_id)
        problems += [f"{where}: {p}" for p in entry_problems]
        if entry_problems:
            continue
        if entry["file"] in profiles:
            problems.append(f"{where}: file {entry['file']!r} is described twice")
        profiles[entry["file"]] = to_profile(entry)
    if problems:
        raise CatalogError(str(path), problems)
    return Catalog(by_file=profiles, path=path)


def validate_entry(entry: dict, sources_dir: Path) -> list[str]:
    """Every problem with one [[source]] table."""
    problems = [f"unknown key {k!r}" for k in entry if k not in KNOWN_KEYS]
    problems += [f"missing key {k!r}" for k in REQUIRED_KEYS if not entry.get(k)]
    problems += [f"{k!r} must be a string" for k in STRING_KEYS if k in entry and not isinstance(entry[k], str)]
    for key in LIST_KEYS:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{key!r} must be a list of strings")
    flags = entry.get("flags", [])
    if isinstance(flags, list):
        problems += [f"unknown flag {f!r} (use {', '.join(FLAG_VOCABULARY)})" for f in flags
                     if f not in FLAG_VOCABULARY]
    source_id = entry.get("id")
    if isinstance(source_id, str) and source_id and not is_slug(source_id):
        problems.append(f"id {escaped(source_id)!r} is not a slug ({SLUG_RULE})")
    file = entry.get("file")
    if isinstance(file, str) and file:
        problems += file_problems(file, sources_dir)
    return problems


def file_problems(file: str, sources_dir: Path) -> list[str]:
    """A catalog `file` must name a file inside the sources folder (a link out of it is outside)."""
    path = sources_dir / file
    if Path(file).is_absolute() or not inside(sources_dir, path):
        return [f"file {escaped(file)!r} is outside the sources folder {sources_dir}: name a file inside it"]
    if not path.is_file():
        return [f"file {escaped(file)!r} not found in {sources_dir}"]
    return []


def to_profile(entry: dict) -> SourceProfile:
    return SourceProfile(
        id=entry["id"], file=entry["file"], title=entry.get("title", ""),
        authors=tuple(entry.get("authors", [])), date=entry.get("date", ""), venue=entry.get("venue", ""),
        genre=entry.get("genre", ""), stance=entry.get("stance", ""), flags=tuple(entry.get("flags", [])),
        note=entry.get("note", ""), short=entry.get("short", ""), side=entry.get("side", ""),
        cite_as=tuple(name.strip() for name in entry.get("cite_as", []) if name.strip()),
    )
